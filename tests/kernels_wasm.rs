//! The wasm SIMD GEMM (built with +simd128 by .cargo/config.toml) against its scalar twin, in node, bit for bit:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test kernels_wasm`
//! The relaxed-SIMD build keeps only a bound (tests/kernels_relaxed.rs), so this file is for the simd128 build.
#![cfg(all(target_arch = "wasm32", not(target_feature = "relaxed-simd")))]

mod gemm_twins;

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::probe::{Act, Probe, ProbeConfig};
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
