//! Transfer learning: starting a model from pretrained weights (its head new, for the target's classes), Transfusion's
//! "Mean Var" initialization, how far each layer moved while fine-tuning, the model zoo, and the experiment's plan.
//!
//! # Modules
//! - [`zoo`]: the pretrained models (recipes, the deterministic pretraining, the manifest) and the checks of a
//!   downloaded file.
//! - [`plan`]: the one place for the experiment's numbers: quadrants, strategies, steps, repeats.
//!
//! The runs themselves (a strategy's cell over repeats, the quadrant experiment, the verdict, pretraining in the
//! page) are sessions in `crate::run::transfer`.
//! - [`sha256`]: the zoo's checksum.

pub mod plan;
pub mod sha256;
pub mod zoo;

use crate::error::{Error, Result};
use crate::nn::model::Model;
use crate::nn::safetensors::read_weights;
use crate::nn::spec::{LayerSpec, ModelSpec};
use crate::rng;
use crate::stats::moments;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The spec with its last layer, the head, giving `classes` outputs (a pretrained net's body on a new task). The
/// last layer must be dense (param `model`, code `head_not_dense`).
pub fn with_head(spec: &ModelSpec, classes: usize) -> Result<ModelSpec> {
    let mut spec = spec.clone();
    match spec.layers.last_mut() {
        Some(LayerSpec::Dense { out }) => *out = classes,
        _ => {
            return Err(Error::coded(
                "model",
                "head_not_dense",
                "the last layer must be dense(classes) to get a new head",
            ));
        }
    }
    Ok(spec)
}

/// Groups of the GroupNorm [`with_group_norm`] inserts: divides the zoo's conv widths (8, 16, 32).
pub const GN_GROUPS: usize = 4;

/// The spec with a GroupNorm of `groups` groups after each conv (before its activation), BatchNorm layers replaced by
/// it: the init view's "random init with GroupNorm" arm, He et al. 2018's setting in small. A conv whose width
/// `groups` does not divide is an error when the model is built (param `model`).
pub fn with_group_norm(spec: &ModelSpec, groups: usize) -> ModelSpec {
    let mut layers = Vec::new();
    for layer in spec.layers.iter().filter(|l| !matches!(l, LayerSpec::BatchNorm | LayerSpec::GroupNorm { .. })) {
        layers.push(*layer);
        if matches!(layer, LayerSpec::Conv { .. }) {
            layers.push(LayerSpec::GroupNorm { groups });
        }
    }
    ModelSpec { layers }
}

/// The name of the head's parameters' layer: the last layer with parameters.
fn head_layer(model: &Model) -> Option<usize> {
    model.weight_layers().last().copied()
}

/// Loads every tensor of a pretrained file but the head's (the last layer with parameters keeps its own
/// initialization, so the file's head may be for another number of classes), all or nothing, checked as
/// [`crate::nn::safetensors::load_safetensors`] checks (param `weights`).
pub fn load_backbone(model: &mut Model, bytes: &[u8]) -> Result<()> {
    let head = head_layer(model).map(|i| format!("{i}."));
    let is_body = |name: &str| head.as_deref().is_none_or(|h| !name.starts_with(h));
    let values = read_weights(model, bytes, is_body)?;
    for (name, v) in &values {
        model.set_state(name, v)?;
    }
    Ok(())
}

/// Transfusion's "Mean Var" initialization (Raghu et al. 2019): every parameter tensor is re-drawn i.i.d. from
/// N(μ, σ²), μ and σ the mean and (population) standard deviation of its current values, so each layer keeps the
/// pretrained scale but none of the learned structure. Draws in parameter order from one RNG seeded with `seed`.
pub fn reinit_mean_var(model: &mut Model, seed: u64) -> Result<()> {
    let mut rng = rng::seeded(seed);
    let drawn: Vec<(String, Vec<f32>)> = model
        .params()
        .map(|p| {
            let m = moments(&p.value);
            let values = (0..p.len()).map(|_| (m.mean + m.std * rng.sample::<f64, _>(StandardNormal)) as f32).collect();
            (p.name.clone(), values)
        })
        .collect();
    for (name, values) in &drawn {
        model.set_param(name, values)?;
    }
    Ok(())
}

/// How far a layer's weights moved from a reference (the pretrained start).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerChange {
    /// Index in the spec (as in PyTorch's `nn.Sequential`).
    pub layer: usize,
    /// The layer's kind and its 1-based number among its kind: `conv1`, `conv2`, `dense1`.
    pub name: String,
    /// The weight tensor's name in the safetensors file (`0.weight`).
    pub param: String,
    /// ‖W − W₀‖ / ‖W₀‖ (Frobenius norms) of the weight tensor, biases left out; ‖W − W₀‖ itself when W₀ = 0.
    pub rel_change: f64,
}

/// Each weight layer's relative change from the weights in `reference` (a safetensors file of this model, e.g. the
/// pretrained start saved before fine-tuning; param `weights`, checked like a load).
pub fn layer_change(model: &Model, reference: &[u8]) -> Result<Vec<LayerChange>> {
    let start = read_weights(model, reference, |name| name.ends_with(".weight"))?;
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut rows = Vec::new();
    for (layer, (name, w0)) in model.weight_layers().into_iter().zip(&start) {
        let kind = model.plans()[layer].spec.name();
        let number = match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((kind, 1));
                1
            }
        };
        let w = &model.param(name).map(|p| p.value.as_slice()).unwrap_or(&[]);
        let (mut diff, mut base) = (0.0f64, 0.0f64);
        for (&a, &b) in w.iter().zip(w0.as_f32()) {
            diff += (a as f64 - b as f64).powi(2);
            base += (b as f64).powi(2);
        }
        let rel_change = if base > 0.0 { (diff / base).sqrt() } else { diff.sqrt() };
        rows.push(LayerChange { layer, name: format!("{kind}{number}"), param: name.clone(), rel_change });
    }
    Ok(rows)
}
