//! The wasm SIMD GEMM (built with +simd128 by .cargo/config.toml) against its scalar twin, in node:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test kernels_wasm`
#![cfg(target_arch = "wasm32")]

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::nn::kernels::{MR, NR, Transpose, gemm_t, gemm_t_scalar};
use cnn_playground::probe::{Act, Probe, ProbeConfig};
use wasm_bindgen_test::wasm_bindgen_test;

// This file is only meaningful for the SIMD path: refuse to build without +simd128.
#[cfg(not(target_feature = "simd128"))]
compile_error!("the wasm tests must be built with -C target-feature=+simd128");

fn fill(len: usize, seed: u32) -> Vec<f32> {
    // Deterministic values in [-1, 1), no RNG crate needed.
    (0..len as u32)
        .map(|i| ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 8_388_608.0) - 1.0)
        .collect()
}

#[wasm_bindgen_test]
fn simd_gemm_matches_the_scalar_twin() {
    let shapes = [(1, 1, 1), (3, 7, 5), (17, 33, 65), (128, 1, 300), (MR + 1, 300, NR * 3 + 1), (70, 257, 1030)];
    for (m, k, n) in shapes {
        let a = fill(m * k, 1);
        let b = fill(k * n, 2);
        for ta in [Transpose::No, Transpose::Yes] {
            for tb in [Transpose::No, Transpose::Yes] {
                let mut fast = vec![f32::NAN; m * n];
                let mut slow = vec![f32::NAN; m * n];
                gemm_t(ta, tb, m, k, n, &a, &b, &mut fast);
                gemm_t_scalar(ta, tb, m, k, n, &a, &b, &mut slow);
                // |a|, |b| ≤ 1: Σ|a||b| ≤ k, and two summation orders of k f32 terms differ by at most 2k·u·k.
                let tol = 2.0 * k as f32 * f32::EPSILON * k as f32;
                for (i, (x, y)) in fast.iter().zip(&slow).enumerate() {
                    assert!((x - y).abs() <= tol, "{m}×{k}×{n} {ta:?}/{tb:?} [{i}]: simd {x}, scalar {y}");
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn the_probe_runs_and_overflows_gracefully_in_wasm() {
    let cfg = ProbeConfig {
        depth: 40,
        width: 200,
        batch: 4,
        act: Act::Relu,
        init: InitConfig { std: 1.0, ..InitConfig::new(Scheme::Normal) },
        seed: 1,
    };
    let (fwd, bwd) = Probe::new(cfg).unwrap().run_to_end();
    assert_eq!((fwd.len(), bwd.len()), (40, 40));
    // The std grows by √(200/2) = 10 per layer: 10⁴⁰ is beyond f32.
    assert!(!fwd[39].std.is_finite(), "relu + N(0,1) at depth 40 should overflow f32, std {}", fwd[39].std);
}
