//! The wasm SIMD GEMM and norm passes (built with +simd128 by .cargo/config.toml) against their scalar twins, in node,
//! bit for bit:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test kernels_wasm`
//! The relaxed-SIMD build keeps only a bound (tests/kernels_relaxed.rs), so this file is for the simd128 build.
#![cfg(all(target_arch = "wasm32", not(target_feature = "relaxed-simd")))]

mod conv_twins;
mod gemm_twins;

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::probe::{Activation, Probe, ProbeConfig};
use wasm_bindgen_test::wasm_bindgen_test;

// This file is only meaningful for the SIMD path: refuse to build without +simd128.
#[cfg(not(target_feature = "simd128"))]
compile_error!("the wasm tests must be built with -C target-feature=+simd128");

/// f32x4 mul then add rounds exactly as the scalar `s += a * b`, and the blocking keeps k order: same bits.
#[wasm_bindgen_test]
fn simd_gemm_is_bit_identical_to_the_scalar_twin() {
    gemm_twins::each_case(|case| {
        for (i, (x, y)) in case.fast.iter().zip(case.slow).enumerate() {
            assert!(x.to_bits() == y.to_bits(), "{} [{i}]: simd {x}, scalar {y}", case.what);
        }
    });
}

/// im2col and col2im's span path (one copy or one add loop per block row) against the row-by-row twins.
#[wasm_bindgen_test]
fn conv_data_movement_is_bit_identical_to_the_plain_twins() {
    conv_twins::each_case(|what, fast, plain| {
        for (i, (a, b)) in fast.iter().zip(plain).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{what} [{i}]: span {a}, plain {b}");
        }
    });
}

#[wasm_bindgen_test]
fn the_probe_runs_and_overflows_gracefully_in_wasm() {
    let cfg = ProbeConfig {
        depth: 40,
        width: 200,
        batch: 4,
        act: Activation::Relu,
        init: InitConfig { std: 1.0, ..InitConfig::new(Scheme::Normal) },
        seed: 1,
        ..ProbeConfig::default()
    };
    let (fwd, bwd) = Probe::new(cfg).unwrap().run_to_end();
    assert_eq!((fwd.len(), bwd.len()), (40, 40));
    // The std grows by √(200/2) = 10 per layer: 10⁴⁰ is beyond f32.
    assert!(!fwd[39].std.is_finite(), "relu + N(0,1) at depth 40 should overflow f32, std {}", fwd[39].std);
}

/// The norm layers' passes (src/nn/norm.rs `lanes`): f32x4 in the scalar twins' order, so the same bits, on lengths
/// with and without a tail and on values of mixed magnitude.
#[wasm_bindgen_test]
fn simd_norm_passes_are_bit_identical_to_the_scalar_twins() {
    use cnn_playground::nn::norm::lanes;
    let mut state = 0x2545_f491u32;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state as f32 / u32::MAX as f32 - 0.3) * if state.is_multiple_of(7) { 1e3 } else { 1.0 }
    };
    for len in [0usize, 1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 196, 784, 1001] {
        let (x, dy): (Vec<f32>, Vec<f32>) = (0..len).map(|_| (next(), next())).unzip();
        let (m, a, b, k1, k0) = (next(), next(), next(), next(), next());
        let same = |p: f32, q: f32, what: &str| assert!(p.to_bits() == q.to_bits(), "{what} len {len}: {p} vs {q}");
        same(lanes::sum(&x), lanes::sum_scalar(&x), "sum");
        same(lanes::sum_sq_dev(&x, m), lanes::sum_sq_dev_scalar(&x, m), "sum_sq_dev");
        same(lanes::dot_dev(&dy, &x, m), lanes::dot_dev_scalar(&dy, &x, m), "dot_dev");
        let (mut y1, mut y2) = (vec![0.0; len], vec![0.0; len]);
        lanes::normalize(&x, m, a, b, &mut y1);
        lanes::normalize_scalar(&x, m, a, b, &mut y2);
        y1.iter().zip(&y2).for_each(|(&p, &q)| same(p, q, "normalize"));
        lanes::backward(&dy, &x, m, a, k1, k0, &mut y1);
        lanes::backward_scalar(&dy, &x, m, a, k1, k0, &mut y2);
        y1.iter().zip(&y2).for_each(|(&p, &q)| same(p, q, "backward"));
    }
}
