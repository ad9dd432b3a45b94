//! Native speed of the engine: training steps and inference of the default net (the peers' net, batch 20) in
//! examples/s, with ndarray's `dot` (matrixmultiply) on the net's own GEMM shapes in the same run as the baseline.
//! `cargo bench --bench engine`. The numbers that matter for the page come from the wasm build in Chromium
//! (bench/ and BENCHMARKS.md); this is a quick check on the host.

use cnn_playground::nn::model::{Model, ModelConfig};
use ndarray::Array2;
use std::hint::black_box;
use std::time::Instant;

/// Best of 5 repetitions of about 0.3 s each, in calls per second (best-of: other processes only slow a run down).
fn rate(mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    f();
    let once = t.elapsed().as_secs_f64().max(1e-6);
    let calls = ((0.3 / once) as usize).max(1);
    let mut best = 0.0f64;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        best = best.max(calls as f64 / t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    const BATCH: usize = 20;
    let mut model = Model::new(ModelConfig::default()).expect("default model");
    let flops = model.flops();
    let x: Vec<f32> = (0..BATCH * 784).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
    let y: Vec<u32> = (0..BATCH as u32).map(|i| i % 10).collect();
    let train = BATCH as f64
        * rate(|| {
            black_box(model.train_step(black_box(&x), &y, BATCH).expect("step"));
        });
    let infer = BATCH as f64
        * rate(|| {
            black_box(model.forward(black_box(&x), BATCH).expect("forward")[0]);
        });
    model.freeze_first(2).expect("freeze");
    let frozen_flops = model.flops();
    let frozen = BATCH as f64
        * rate(|| {
            black_box(model.train_step(black_box(&x), &y, BATCH).expect("step"));
        });
    // The baseline: ndarray's dot on the forward GEMMs of this net (conv1, conv2, dense at batch 20), timed together.
    let shapes = [(8, 25, 15_680), (16, 200, 3_920), (20, 256, 10)];
    let mats: Vec<(Array2<f32>, Array2<f32>, Array2<f32>)> = shapes
        .iter()
        .map(|&(m, k, n)| {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 31 + j * 17) % 100) as f32 / 100.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 13 + j * 7) % 100) as f32 / 100.0);
            (a, b, Array2::zeros((m, n)))
        })
        .collect();
    let mut mats = mats;
    let gemm_flops: f64 = shapes.iter().map(|&(m, k, n)| 2.0 * (m * k * n) as f64).sum();
    let nd = gemm_flops
        * rate(|| {
            for (a, b, c) in mats.iter_mut() {
                ndarray::linalg::general_mat_mul(1.0, black_box(&*a), black_box(&*b), 0.0, c);
            }
        })
        / 1e9;
    let g = |ex: f64, f: f64| ex * f / 1e9;
    println!("default net, batch {BATCH}, native (best of 5)");
    println!(
        "train    {train:8.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(train, flops.training),
        flops.training / 1e6
    );
    println!(
        "  convs frozen {frozen:4.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(frozen, frozen_flops.training),
        frozen_flops.training / 1e6
    );
    println!(
        "infer    {infer:8.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(infer, flops.forward),
        flops.forward / 1e6
    );
    println!("ndarray dot on the net's forward GEMM shapes: {nd:.2} GFLOP/s");
    println!("training GFLOP/s / ndarray GFLOP/s = {:.2}", g(train, flops.training) / nd);
}
