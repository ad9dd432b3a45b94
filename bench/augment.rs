//! Native throughput of a fixed augmentation pipeline at 224×224 RGB (f32 HWC in [0, 1]), images per second, the
//! median of several runs; plus the cost of each step alone and of a 16-tile grid. Run by `bench/augment.sh`, which
//! compares it with Albumentations; alone: `cargo bench --bench augment`. With `AUG_EXPORT=path` it also writes the
//! pipeline as Albumentations code (our exporter's output), so the Python side runs exactly the same steps.

use cnn_playground::augment::{Image, Pipeline, export};
use cnn_playground::rng::seeded;
use ndarray::Array3;
use rand::RngExt;
use std::hint::black_box;
use std::time::Instant;

/// translate ±10 % + hflip (p = 0.5) + rotate ±15° bilinear + brightness/contrast 0.4 + Gaussian noise σ = 0.05.
const PIPELINE: &str = "translate~hflip~rotate(bilinear)~jitter(b0.4_c0.4)~noise(sigma0.05)";
const SIZE: usize = 224;
const RUNS: usize = 9;

/// Median images per second over `RUNS` runs of `per_run` calls of `f`, after one warm-up run.
fn rate(per_run: usize, mut f: impl FnMut()) -> (f64, Vec<f64>) {
    let mut rates: Vec<f64> = (0..=RUNS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_run {
                f();
            }
            per_run as f64 / t.elapsed().as_secs_f64()
        })
        .skip(1)
        .collect();
    rates.sort_by(f64::total_cmp);
    (rates[RUNS / 2], rates)
}

/// `apply` allocates its output (as Albumentations does); `apply_into` reuses two buffers, as a training loop would.
fn rates(pipe: &Pipeline, img: &Image, per_run: usize) -> [(f64, Vec<f64>); 2] {
    let mut rng = seeded(1);
    let allocating = rate(per_run, || {
        black_box(pipe.apply(black_box(img), &mut rng));
    });
    let (mut out, mut scratch) = (img.clone(), img.clone());
    let reusing = rate(per_run, || {
        black_box(pipe.apply_into(black_box(img), &mut rng, &mut out, &mut scratch));
    });
    [allocating, reusing]
}

fn main() {
    let pipe = Pipeline::parse(PIPELINE).expect("valid pipeline");
    if let Ok(path) = std::env::var("AUG_EXPORT") {
        std::fs::write(&path, export::albumentations(&pipe, (SIZE, SIZE))).expect("write the export");
    }
    let mut rng = seeded(0);
    let img: Image = Array3::from_shape_fn((SIZE, SIZE, 3), |_| rng.random::<f32>());

    let [(median, runs), (median_into, runs_into)] = rates(&pipe, &img, 300);
    let list = |r: &[f64]| r.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(" ");
    println!("native  {PIPELINE} on {SIZE}x{SIZE}x3 f32");
    println!("native  apply      : median {median:.0} images/s (runs: {})", list(&runs));
    println!("native  apply_into : median {median_into:.0} images/s (runs: {})", list(&runs_into));
    for step in PIPELINE.split('~') {
        // Each step alone, forced to run (p = 1), to see where the time goes (buffers reused).
        let mut one = Pipeline::parse(step).expect("valid step");
        one.steps[0].p = 1.0;
        let [_, (r, _)] = rates(&one, &img, 300);
        println!("  {step:<24} {:>8.1} µs/image", 1e6 / r);
    }
    let t = Instant::now();
    let reps = 20;
    for seed in 0..reps {
        black_box(pipe.sample_grid(&img, 16, seed).expect("n is valid"));
    }
    println!("  16-tile grid: {:.1} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
    println!("RESULT native {median:.1}");
    println!("RESULT native_into {median_into:.1}");
}
