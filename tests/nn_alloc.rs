//! A training step, an inference pass and an evaluation allocate nothing once the model has seen its batch size:
//! counted by a global allocator that only this test binary installs (one test, so no other thread allocates while
//! it counts).

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::optim::OptimizerConfig;
use cnn_playground::nn::spec::ModelSpec;
mod counting_alloc;
use counting_alloc::allocations;

#[test]
fn steady_state_steps_allocate_nothing() {
    // Every layer type, and both optimizers.
    let spec =
        "conv(6_k3_p1)~relu~maxpool(2)~conv(8_k3_s2)~tanh~avgpool(2)~dropout(0.2)~flatten~dense(16)~gelu~dense(10)";
    for opt in ["sgd(m0.9_nesterov_wd1e-4)", "adam(wd0.01)"] {
        let mut m = Model::new(ModelConfig {
            spec: ModelSpec::parse(spec).unwrap(),
            optimizer: OptimizerConfig::parse(opt).unwrap(),
            ..ModelConfig::default()
        })
        .unwrap();
        let x: Vec<f32> = (0..20 * 784).map(|i| (i % 97) as f32 / 97.0).collect();
        let y: Vec<u32> = (0..20).map(|i| i % 10).collect();
        m.train_step(&x, &y, 20).unwrap();
        m.forward(&x, 20).unwrap();
        let before = allocations();
        for _ in 0..5 {
            m.train_step(&x, &y, 20).unwrap();
            m.train_step(&x[..7 * 784], &y[..7], 7).unwrap(); // a smaller (last) batch fits the same buffers
            m.forward(&x, 20).unwrap();
            m.evaluate(&x, &y, 20).unwrap();
        }
        assert_eq!(allocations() - before, 0, "{opt}");
    }
}
