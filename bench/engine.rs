//! Native speed of the engine: training steps and inference of the default net (the peers' net, batch 20) in
//! examples/s, with ndarray's `dot` (matrixmultiply) on the net's own GEMM shapes in the same run as the baseline.
//! `cargo bench --bench engine`. The numbers that matter for the page come from the wasm build in Chromium
//! (bench/ and BENCHMARKS.md); this is a quick check on the host.

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::profile::profile_step;
use ndarray::Array2;
use std::hint::black_box;
use std::time::Instant;

/// Calls per second of each closure: 10 rounds, each timing every closure for about 0.2 s in turn, best round kept
/// (best-of, because other processes only ever slow a run down; interleaved, so a busy spell hits all of them).
fn rates(fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let calls: Vec<usize> = fs
        .iter_mut()
        .map(|f| {
            f();
            let t = Instant::now();
            f();
            ((0.2 / t.elapsed().as_secs_f64().max(1e-6)) as usize).max(1)
        })
        .collect();
    let mut best = vec![0.0f64; fs.len()];
    for _ in 0..10 {
        for ((f, &n), b) in fs.iter_mut().zip(&calls).zip(best.iter_mut()) {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            *b = b.max(n as f64 / t.elapsed().as_secs_f64());
        }
    }
    best
}

fn main() {
    const BATCH: usize = 20;
    let x: Vec<f32> = (0..BATCH * 784).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
    let y: Vec<u32> = (0..BATCH as u32).map(|i| i % 10).collect();
    let mut model = Model::new(ModelConfig::default()).expect("default model");
    let mut frozen_model = Model::new(ModelConfig::default()).expect("default model");
    frozen_model.freeze_all_but_head().expect("freeze");
    let (flops, frozen_flops) = (model.flops(), frozen_model.flops());
    // The baseline: ndarray's dot on the forward GEMMs of this net (conv1, conv2, dense at batch 20), timed together.
    let shapes = [(8, 25, 15_680), (16, 200, 3_920), (20, 256, 10)];
    let mut mats: Vec<(Array2<f32>, Array2<f32>, Array2<f32>)> = shapes
        .iter()
        .map(|&(m, k, n)| {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 31 + j * 17) % 100) as f32 / 100.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 13 + j * 7) % 100) as f32 / 100.0);
            (a, b, Array2::zeros((m, n)))
        })
        .collect();
    let gemm_flops: f64 = shapes.iter().map(|&(m, k, n)| 2.0 * (m * k * n) as f64).sum();
    let mut infer_model = Model::new(ModelConfig::default()).expect("default model");
    let r = rates(&mut [
        &mut || {
            black_box(model.train_step(black_box(&x), &y, BATCH).expect("step"));
        },
        &mut || {
            black_box(frozen_model.train_step(black_box(&x), &y, BATCH).expect("step"));
        },
        &mut || {
            black_box(infer_model.forward(black_box(&x), BATCH).expect("forward")[0]);
        },
        &mut || {
            for (a, b, c) in mats.iter_mut() {
                ndarray::linalg::general_mat_mul(1.0, black_box(&*a), black_box(&*b), 0.0, c);
            }
        },
    ]);
    let (train, frozen, infer) = (BATCH as f64 * r[0], BATCH as f64 * r[1], BATCH as f64 * r[2]);
    let nd = gemm_flops * r[3] / 1e9;
    let g = |ex: f64, f: f64| ex * f / 1e9;
    println!("default net, batch {BATCH}, native (best of 10 interleaved rounds)");
    println!(
        "train              {train:7.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(train, flops.training),
        flops.training / 1e6
    );
    println!(
        "train, convs frozen {frozen:6.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(frozen, frozen_flops.training),
        frozen_flops.training / 1e6
    );
    println!(
        "infer              {infer:7.0} examples/s  {:5.2} GFLOP/s ({:.3} MFLOP/example)",
        g(infer, flops.forward),
        flops.forward / 1e6
    );
    println!("ndarray dot on the net's forward GEMM shapes: {nd:.2} GFLOP/s");
    println!("training GFLOP/s / ndarray GFLOP/s = {:.2}", g(train, flops.training) / nd);
    // Where a step's time goes, per layer (best of 5 profiles of 50 passes each, µs per batch of 20).
    let start = Instant::now();
    let mut clock = || start.elapsed().as_secs_f64() * 1e6;
    let mut best: Vec<(String, f64, f64)> = Vec::new();
    for _ in 0..5 {
        let rows = profile_step(&mut model, &x, &y, BATCH, 50, &mut clock).expect("profile");
        if best.is_empty() {
            best = rows.iter().map(|r| (r.layer.clone(), f64::INFINITY, f64::INFINITY)).collect();
        }
        for (b, r) in best.iter_mut().zip(&rows) {
            (b.1, b.2) = (b.1.min(r.forward), b.2.min(r.backward));
        }
    }
    println!("per-layer profile, µs per batch of {BATCH} (best of 5 means of 50 passes): forward / backward");
    let total: f64 = best.iter().map(|b| b.1 + b.2).sum();
    for (i, (layer, f, b)) in best.iter().enumerate() {
        println!("  {i:2} {layer:16} {f:8.1} / {b:8.1}  {:3.0} %", 100.0 * (f + b) / total);
    }
    println!("  total {total:.1} µs");
}
