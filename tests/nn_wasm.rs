//! The engine in wasm (node, +simd128 GEMM): the default net trains on a fixed batch, runs are reproducible, and
//! a smooth net's gradients (no ReLU or max pooling, whose kinks f32 differences cannot step over) agree with
//! central differences computed by the engine itself in f32 (the f64 check is native, tests/nn_grad.rs; this one
//! catches a wasm-only fault in the SIMD path under the layers). Native runs of these give the same bits.
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test nn_wasm`
#![cfg(target_arch = "wasm32")]

#[cfg(not(target_feature = "relaxed-simd"))]
mod infer_twins;

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::spec::{ModelSpec, Shape};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(not(target_feature = "simd128"))]
compile_error!("the wasm tests must be built with -C target-feature=+simd128");

fn batch(n: usize, len: usize) -> (Vec<f32>, Vec<u32>) {
    let x = (0..n * len).map(|i| ((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / 16_777_216.0).collect();
    let y = (0..n as u32).map(|i| i % 10).collect();
    (x, y)
}

#[wasm_bindgen_test]
fn the_default_net_fits_a_batch_and_repeats_itself() {
    let (x, y) = batch(20, 784);
    let run = || {
        let mut m = Model::new(ModelConfig::default()).unwrap();
        (0..40).map(|_| m.train_step(&x, &y, 20).unwrap()).collect::<Vec<f32>>()
    };
    let losses = run();
    assert!(losses[39] < 0.7 * losses[0], "loss {} → {}", losses[0], losses[39]);
    assert_eq!(losses, run());
}

#[wasm_bindgen_test]
fn gradients_match_central_differences_in_wasm() {
    let spec = "conv(3_k3_p1)~tanh~avgpool(2)~conv(4_k3_s2)~gelu~flatten~dense(10)";
    let config =
        ModelConfig { spec: ModelSpec::parse(spec).unwrap(), input: Shape::image(2, 8, 8), ..ModelConfig::default() };
    let mut m = Model::new(config).unwrap();
    let (x, y) = batch(3, 128);
    m.compute_gradients(&x, &y, 3).unwrap();
    let params: Vec<(String, Vec<f32>, Vec<f32>)> =
        m.params().map(|p| (p.name.clone(), p.value.clone(), p.grad.clone())).collect();
    // f32 central differences with h = 1e-2: truncation about h²·|L'''| ≈ 1e-4, rounding about ε·|L|/h ≈ 3e-5;
    // allow 2e-3 absolute plus 5 % relative.
    let h = 1e-2f32;
    for (name, value, grad) in &params {
        for i in (0..value.len()).step_by(5) {
            let mut at = |v: f32| {
                let mut w = value.clone();
                w[i] = v;
                m.set_param(name, &w).unwrap();
                let logits = m.forward(&x, 3).unwrap().to_vec();
                cnn_playground::nn::loss::softmax_cross_entropy(&logits, &y, 10, None)
            };
            let numeric = ((at(value[i] + h) - at(value[i] - h)) / (2.0 * h as f64)) as f32;
            at(value[i]);
            assert!((numeric - grad[i]).abs() <= 2e-3 + 0.05 * grad[i].abs(), "{name}[{i}]: {} vs {numeric}", grad[i]);
        }
    }
}

/// The inference path (GEMM epilogue ReLU by f32x4 pmax, pooled convolutions) gives `forward`'s logits bit for bit in
/// the simd128 build too (tests/infer_twins).
#[cfg(not(target_feature = "relaxed-simd"))]
#[wasm_bindgen_test]
fn infer_is_bit_identical_to_forward_in_wasm() {
    infer_twins::each_case(|what, fast, slow| {
        assert_eq!(fast.len(), slow.len(), "{what}");
        for (i, (a, b)) in fast.iter().zip(slow).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{what} [{i}]: infer {a}, forward {b}");
        }
    });
}
