//! Shared by tests/nn_infer.rs (native) and tests/nn_wasm.rs (simd128): the inference path (`Model::infer`, fused
//! epilogues, pooled convolutions, no masks) against the layer-by-layer evaluation pass (`Model::forward`), bit for
//! bit, on nets that use every fusion and every layer kind, at batch 1 and larger.

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::spec::{ModelSpec, Shape};

/// (spec, input C, H, W): conv+ReLU+max pooling (fused three ways), conv+max pooling without ReLU, dense+ReLU,
/// dropout and flatten (skipped), BatchNorm and GroupNorm (evaluation), average pooling, strides, other activations.
pub const NETS: [(&str, usize, usize, usize); 6] = [
    ("conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)", 1, 28, 28),
    ("conv(4_k3_p1)~maxpool(2)~conv(6_k3_s2)~relu~flatten~dense(12)~relu~dropout(0.5)~dense(10)", 3, 9, 9),
    ("conv(5_k3_p1)~bn~relu~maxpool(2)~conv(4_k3)~gn(2)~tanh~avgpool(2)~flatten~dense(10)", 2, 12, 12),
    ("conv(3_k3_p1)~relu~conv(4_k3_p1)~relu~maxpool(2_s1)~flatten~dropout(0.2)~dense(7)~relu", 1, 6, 6),
    ("flatten~dense(16)~relu~dense(16)~gelu~dense(10)", 1, 8, 8),
    ("conv(8_k5_p2)~relu~maxpool(2)~flatten~dense(10)", 1, 8, 8),
];

/// Deterministic inputs with some exact zeros and negatives (ReLU's kink and −0 are exercised).
pub fn inputs(len: usize, seed: u32) -> Vec<f32> {
    (0..len as u32)
        .map(|i| {
            let v = ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 8_388_608.0) - 1.0;
            if i % 11 == 0 { 0.0 } else { v }
        })
        .collect()
}

/// Calls `check(what, infer, forward)` for every net, batch size and a model trained a few steps (so BatchNorm's
/// running statistics and the weights are not at their start).
pub fn each_case(mut check: impl FnMut(&str, &[f32], &[f32])) {
    for (spec, c, h, w) in NETS {
        let config = ModelConfig {
            spec: ModelSpec::parse(spec).unwrap(),
            input: Shape::image(c, h, w),
            ..ModelConfig::default()
        };
        let mut model = Model::new(config).unwrap();
        let per = c * h * w;
        let classes = model.classes();
        let train = inputs(8 * per, 3);
        let labels: Vec<u32> = (0..8).map(|i| i % classes as u32).collect();
        for _ in 0..3 {
            model.train_step(&train, &labels, 8).unwrap();
        }
        for n in [1, 2, 20] {
            let x = inputs(n * per, n as u32);
            let fast = model.infer(&x, n).unwrap().to_vec();
            assert!(model.layer_output(0).is_none(), "{spec}: infer keeps no layer outputs");
            let slow = model.forward(&x, n).unwrap().to_vec();
            check(&format!("{spec} n={n}"), &fast, &slow);
        }
    }
}
