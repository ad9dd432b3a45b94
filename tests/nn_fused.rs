//! The training step runs a ReLU followed by max pooling with disjoint windows as one pass (src/nn/layer.rs
//! `Pool::relu_max_forward` / `relu_max_backward`). Its twin is the two layers run one after the other through the
//! public `Layer` API, as the step did before: the loss and every gradient must be the same bits, on data with
//! ties, exact zeros, −0.0 and negative windows (where ReLU makes the window's values equal). Natively and in the
//! simd128 build (`wasm-pack test --node -- --test nn_fused`).

use cnn_playground::nn::layer::{Kernels, Layer, Wants};
use cnn_playground::nn::loss::softmax_cross_entropy;
use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::spec::{ModelSpec, Shape};
use cnn_playground::rng::seeded;

/// Loss and gradients of every parameter, layer by layer with no fusion (the reference).
fn unfused(model: &Model, x: &[f32], labels: &[u32], n: usize) -> (f32, Vec<Vec<f32>>) {
    let plans = model.plans().to_vec();
    let mut layers: Vec<Layer> = plans.iter().enumerate().map(|(i, p)| Layer::new(p, i)).collect();
    for layer in &mut layers {
        for p in layer.params_mut().into_iter().flatten() {
            p.value.copy_from_slice(&model.param(&p.name).unwrap().value);
        }
    }
    let mut acts: Vec<Vec<f32>> =
        std::iter::once(x.to_vec()).chain(plans.iter().map(|p| vec![0.0; n * p.output.len()])).collect();
    let (mut k, mut rng) = (Kernels::default(), seeded(0));
    for (i, layer) in layers.iter_mut().enumerate() {
        let (below, above) = acts.split_at_mut(i + 1);
        layer.forward(&mut k, &below[i], &mut above[0], n, true, &mut rng);
    }
    let classes = model.classes();
    let last = layers.len();
    let mut dy = vec![0.0; n * classes];
    let loss = softmax_cross_entropy(&acts[last], labels, classes, Some(&mut dy)) as f32;
    for i in (0..last).rev() {
        let mut dx = vec![0.0; n * plans[i].input.len()];
        layers[i].backward(&mut k, &acts[i], &dy, &mut dx, n, Wants { params: true, input: i > 0 });
        dy = dx;
    }
    (loss, layers.iter().filter_map(Layer::params).flatten().map(|p| p.grad.clone()).collect())
}

fn check(spec: &str, input: Shape, x: &[f32], labels: &[u32]) {
    let n = labels.len();
    let config = ModelConfig { spec: ModelSpec::parse(spec).unwrap(), input, seed: 5, ..ModelConfig::default() };
    let mut model = Model::new(config).unwrap();
    let (want_loss, want) = unfused(&model, x, labels, n);
    let loss = model.compute_gradients(x, labels, n).unwrap();
    assert_eq!(loss.to_bits(), want_loss.to_bits(), "{spec}: loss {loss} vs {want_loss}");
    for (p, w) in model.params().zip(&want) {
        for (j, (a, b)) in p.grad.iter().zip(w).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{spec}: {}[{j}] fused {a}, unfused {b}", p.name);
        }
    }
}

/// Values with ties, zeros of both signs, and whole negative stretches.
fn tricky(len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| match i % 11 {
            0 => 0.0,
            1 => -0.0,
            2 | 3 => 0.5,
            4 => -1.0,
            _ => ((i * 7919) % 1000) as f32 / 500.0 - 1.0,
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fused_relu_and_max_pooling_give_the_unfused_bits() {
    let labels = [3u32, 7, 0];
    check(ModelSpec::default().to_string().as_str(), Shape::image(1, 28, 28), &tricky(3 * 784), &labels);
    // Odd sizes (the pooling leaves a border out), two channels, and a ReLU below an overlapping pooling (not fused).
    let x = tricky(3 * 2 * 15 * 13);
    check(
        "conv(4_k3_p1)~relu~maxpool(2)~conv(3_k3)~relu~maxpool(3_s2)~flatten~dense(10)",
        Shape::image(2, 15, 13),
        &x,
        &labels,
    );
    // A conv whose outputs are mostly negative: many windows are all zeros after ReLU (ties of +0).
    let neg: Vec<f32> = tricky(3 * 64).iter().map(|v| v - 2.0).collect();
    check("conv(2_k1)~relu~maxpool(2)~flatten~dense(4)", Shape::image(1, 8, 8), &neg, &[1, 2, 3]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_training_step_keeps_no_output_for_a_fused_relu() {
    let mut model = Model::new(ModelConfig::default()).unwrap();
    let x = tricky(2 * 784);
    model.train_step(&x, &[1, 2], 2).unwrap();
    let kept: Vec<bool> = (0..8).map(|i| model.layer_output(i).is_some()).collect();
    assert_eq!(kept, [true, false, true, true, false, true, true, true]);
    model.forward(&x, 2).unwrap();
    assert!((0..8).all(|i| model.layer_output(i).is_some_and(|o| o.len() == 2 * model.plans()[i].output.len())));
}

/// Max pooling with indices (training; fused with a ReLU below or not, windows of 2 and 3 unrolled) gives the values
/// of the evaluation path, which keeps no indices and is written separately: same bits, NaN (the first one wins)
/// and ties included. Inputs must be finite, so the NaNs come from a 1×1 conv: z = 2·x₀ − 2·x₁ is 2·x₀ where x₁ = 0
/// (ties kept) and ∞ − ∞ = NaN where x₀ = x₁ = f32::MAX.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn training_pooling_gives_the_evaluation_values() {
    let plane = 12 * 12;
    let values = tricky(2 * plane);
    let mut x = vec![0.0f32; 2 * 2 * plane];
    for e in 0..2 {
        x[e * 2 * plane..][..plane].copy_from_slice(&values[e * plane..][..plane]);
    }
    for at in [5, 17, 18, 100, 2 * plane + 7, 2 * plane + 8] {
        (x[at], x[at + plane]) = (f32::MAX, f32::MAX);
    }
    for (spec, pool) in [
        ("conv(1_k1)~maxpool(2)~flatten~dense(3)", 1),
        ("conv(1_k1)~maxpool(3)~flatten~dense(3)", 1),
        ("conv(1_k1)~relu~maxpool(2)~flatten~dense(3)", 2),
        ("conv(1_k1)~relu~maxpool(3)~flatten~dense(3)", 2),
        ("conv(1_k1)~relu~maxpool(4)~flatten~dense(3)", 2),
        ("conv(1_k1)~maxpool(3_s2)~flatten~dense(3)", 1),
    ] {
        let spec = ModelSpec::parse(spec).unwrap();
        let config = ModelConfig { spec: spec.clone(), input: Shape::image(2, 12, 12), ..ModelConfig::default() };
        let mut model = Model::new(config).unwrap();
        model.set_param("0.weight", &[2.0, -2.0]).unwrap();
        model.compute_gradients(&x, &[0, 1], 2).unwrap();
        let trained = model.layer_output(pool).unwrap().to_vec();
        assert!(trained.iter().any(|v| v.is_nan()), "{spec}: the NaNs reach the pooling");
        model.forward(&x, 2).unwrap();
        let evaluated = model.layer_output(pool).unwrap();
        for (i, (a, b)) in trained.iter().zip(evaluated).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{spec} [{i}]: training {a}, evaluation {b}");
        }
    }
}
