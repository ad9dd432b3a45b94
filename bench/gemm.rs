//! Native GEMM benchmark: our blocked kernel vs ndarray's `dot` (matrixmultiply) on square matrices.
//! `cargo bench --bench gemm` (add `-- 128,500` to choose sizes). The wasm numbers that matter for the page come
//! from bench/gemm/run.sh; this one is a quick check on the host.

use cnn_playground::nn::kernels::{Gemm, Transpose};
use ndarray::Array2;
use std::hint::black_box;
use std::time::Instant;

/// Best of 5 repetitions of about 0.2 s each, in GFLOP/s (best-of, because other processes only ever slow a run down).
fn gflops(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    f();
    let once = t.elapsed().as_secs_f64().max(1e-6);
    let calls = ((0.2 / once) as usize).max(1);
    let mut best = 0.0f64;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        best = best.max(2.0 * (n as f64).powi(3) * calls as f64 / t.elapsed().as_secs_f64() / 1e9);
    }
    best
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![128, 256, 500, 1000]);
    println!("native GEMM, square n×n×n, GFLOP/s (best of 5)");
    for n in sizes {
        let a: Vec<f32> = (0..n * n).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
        let b: Vec<f32> = (0..n * n).map(|i| ((i * 104_729) % 1000) as f32 / 500.0 - 1.0).collect();
        let mut c = vec![0.0f32; n * n];
        let mut ws = Gemm::new();
        let ours = gflops(n, || {
            ws.run(Transpose::No, Transpose::No, n, n, n, black_box(&a), black_box(&b), &mut c);
        });
        let an = Array2::from_shape_vec((n, n), a.clone()).unwrap();
        let bn = Array2::from_shape_vec((n, n), b.clone()).unwrap();
        let mut cn = Array2::<f32>::zeros((n, n));
        let nd = gflops(n, || ndarray::linalg::general_mat_mul(1.0, black_box(&an), black_box(&bn), 0.0, &mut cn));
        let diff = c.iter().zip(cn.iter()).fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
        println!("n={n:5}  ours {ours:6.1}  ndarray {nd:6.1}  (max |Δ| {diff:.1e})");
    }
}
