//! The per-layer profile: one row per layer, each pass timed exactly once per repetition (checked with a clock that
//! ticks once per reading; a ReLU fused with the max pooling above it is timed with it, on the pooling's row),
//! backward rows only where the backward pass reaches, and the model left untouched.

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::profile::profile_step;

#[test]
fn every_pass_is_timed_once_and_the_model_is_untouched() {
    let mut model = Model::new(ModelConfig::default()).unwrap();
    model.freeze_first(1).unwrap(); // conv 0 frozen: backward stops at layer 3
    let (x, y) = (vec![0.25f32; 3 * 784], vec![1u32, 4, 9]);
    let before: Vec<Vec<f32>> = model.params().map(|p| p.value.clone()).collect();
    let mut ticks = 0.0;
    let mut clock = || {
        ticks += 1.0;
        ticks
    };
    let rows = profile_step(&mut model, &x, &y, 3, 4, &mut clock).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.layer.as_str()).collect();
    assert_eq!(
        names,
        ["conv(8_k5_p2)", "relu", "maxpool(2)", "conv(16_k5_p2)", "relu", "maxpool(3)", "flatten", "dense(10)"]
    );
    // Each ReLU runs fused with the max pooling above it (as in the training step): one pass on the pooling's row.
    for r in &rows {
        let fused_relu = r.index == 1 || r.index == 4;
        assert_eq!(r.forward, if fused_relu { 0.0 } else { 1.0 }, "{}", r.layer);
        assert_eq!(r.backward, if r.index >= 3 && r.index != 4 { 1.0 } else { 0.0 }, "{}", r.layer);
    }
    // Two readings per timed pass: 6 forward and 4 backward passes (layers 7, 6, 5 with 4, 3), 4 times.
    assert_eq!(ticks, 2.0 * 10.0 * 4.0);
    let after: Vec<Vec<f32>> = model.params().map(|p| p.value.clone()).collect();
    assert_eq!(before, after);
    assert_eq!(model.optimizer().steps(), 0);
    assert!(model.params().all(|p| p.grad.iter().all(|&g| g == 0.0)), "no gradient written into the model");
}

#[test]
fn bad_batches_and_repetitions_are_errors() {
    let mut model = Model::new(ModelConfig::default()).unwrap();
    let mut clock = || 0.0;
    let e = profile_step(&mut model, &[0.0; 784], &[10], 1, 1, &mut clock).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("labels", "label_out_of_range"));
    let e = profile_step(&mut model, &[0.0; 784], &[1], 1, 0, &mut clock).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("reps", "out_of_range"));
}
