//! The relaxed-SIMD GEMM (`f32x4_relaxed_madd`) against the scalar twin, in headless Chromium (node 20 refuses the
//! opcode). Built only with `-C target-feature=+simd128,+relaxed-simd` (`make test-wasm` runs it in its own target
//! directory); in the simd128 build this file is empty and tests/kernels_wasm.rs holds the bit-identical promise.
#![cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]

mod gemm_twins;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The relaxed madd may round once (fused) or twice (mul, add), at the engine's choice; the twin rounds twice.
/// Each element is C₀, then k multiply-adds, then the bias: n = k + 1 steps that may round (k + 2 with the product's
/// own rounding). Either way the computed value is within γₙ·M of the exact one, where M = |C₀| + Σ|a·b| + |bias|
/// and γₙ = n·u / (1 − n·u), u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1); ReLU is 1-Lipschitz. So the two
/// results differ by at most 2·γₖ₊₂·M.
#[wasm_bindgen_test]
fn relaxed_gemm_stays_within_the_rounding_bound_of_the_scalar_twin() {
    let u = f64::from(f32::EPSILON) / 2.0;
    gemm_twins::each_case(|case| {
        let n = (case.roundings + 1) as f64;
        let gamma = n * u / (1.0 - n * u);
        for (i, ((x, y), m)) in case.fast.iter().zip(case.slow).zip(case.magnitude).enumerate() {
            let diff = (*x as f64 - *y as f64).abs();
            assert!(
                diff <= 2.0 * gamma * m,
                "{} [{i}]: relaxed {x}, scalar {y}, |Δ| {diff:e} > {:e}",
                case.what,
                2.0 * gamma * m
            );
        }
    });
}
