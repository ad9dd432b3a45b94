//! Training a model on a data set: seeded batches from the split's training part, evaluation on a part, and the
//! frozen prefix's feature cache.
//!
//! # The feature cache
//! When the layers below the lowest trainable one are frozen (`freeze_first(k)`, `freeze_all_but_head`), contain no
//! dropout, and the batches are not augmented, an image's output of that frozen prefix never changes. The feed then
//! keeps each image's prefix output the first time the image is needed (a training batch or an evaluation) and runs
//! only the trainable suffix afterwards ([`Model::train_step_from`], [`Model::evaluate_from`]). The numbers are
//! the same as without the cache, bit for bit: the batches are drawn in the same order, frozen layers without
//! dropout compute the same in training and evaluation mode, and the GEMM's result for one example does not depend
//! on the batch around it. The cache remembers the prefix's weights it was made with and starts afresh when they,
//! the freezing or the augmentation differ (a load, a restore, `set_param`, another `freeze_first`). It holds at
//! most [`MAX_CACHE_VALUES`] values; a larger prefix output is not cached.

use crate::augment::Pipeline;
use crate::data::{Batcher, Dataset, Split};
use crate::error::{Error, Result};
use crate::nn::model::{Evaluation, Model, StateValues};
use std::rc::Rc;

/// The most values a feature cache holds (64 MiB of f32).
pub const MAX_CACHE_VALUES: usize = 1 << 24;
/// Evaluation gathers this many images (or cached rows) at a time.
const EVAL_CHUNK: usize = 1000;
const NOT_CACHED: u32 = u32::MAX;

/// Which part of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Train,
    Val,
    All,
}

impl Part {
    /// `train`, `val` or `all` (param `part`, code `unknown_part`).
    pub fn parse(text: &str) -> Result<Part> {
        match text {
            "train" => Ok(Part::Train),
            "val" => Ok(Part::Val),
            "all" => Ok(Part::All),
            _ => Err(Error::coded(
                "part",
                "unknown_part",
                format!("no part {}; use train, val or all", crate::error::quote(text)),
            )),
        }
    }

    /// The part's indices into a data set of `len` images with this split.
    pub fn indices(self, split: &Split, len: usize) -> Vec<usize> {
        match self {
            Part::Train => split.train.clone(),
            Part::Val => split.val.clone(),
            Part::All => (0..len).collect(),
        }
    }
}

/// A data set attached to a model: its training part drawn in seeded, possibly augmented batches.
pub struct Feed {
    pub data: Rc<Dataset>,
    pub split: Rc<Split>,
    pub batcher: Batcher,
    /// Whether a frozen prefix may be cached (on by default; off to measure the uncached path).
    pub caching: bool,
    x: Vec<f32>,
    y: Vec<u32>,
    cache: Option<FeatureCache>,
}

/// Prefix outputs of the images seen so far.
struct FeatureCache {
    /// The cached values are the inputs of this layer.
    start: usize,
    /// The values of the prefix's parameters when the cache was made.
    weights: Vec<Vec<f32>>,
    /// Values per image.
    per: usize,
    /// Image index → row of `features` (or [`NOT_CACHED`]).
    rows: Vec<u32>,
    features: Vec<f32>,
}

impl Feed {
    /// Batches of `batch` from the split's training part, augmented by `pipeline`, shuffled with `seed`.
    pub fn new(data: Rc<Dataset>, split: Rc<Split>, batch: usize, pipeline: Pipeline, seed: u64) -> Result<Feed> {
        let batcher = Batcher::new(&data, &split.train, batch, pipeline, seed)?;
        let len = batch * data.example_len();
        Ok(Feed { data, split, batcher, caching: true, x: vec![0.0; len], y: vec![0; batch], cache: None })
    }

    /// Checks that the model takes these images (param `data`, code `shape_mismatch`) and that its head has an
    /// output for every class (param `model`: the head is the setting at fault; code `head_too_small` with `classes`
    /// and `outputs`).
    pub fn check_model(&self, model: &Model) -> Result<()> {
        let (data, input) = (&self.data, model.input_shape());
        if (data.channels(), data.height(), data.width()) != (input.c, input.h, input.w) {
            return Err(Error::coded(
                "data",
                "shape_mismatch",
                format!(
                    "the images are {}×{}×{} (C×H×W), the model takes {input}",
                    data.channels(),
                    data.height(),
                    data.width()
                ),
            ));
        }
        if data.classes() > model.classes() {
            return Err(Error::coded(
                "model",
                "head_too_small",
                format!(
                    "the head has {} outputs but the data has {} classes: end the model with dense({})",
                    model.classes(),
                    data.classes(),
                    data.classes()
                ),
            )
            .with("classes", data.classes() as f64)
            .with("outputs", model.classes() as f64));
        }
        Ok(())
    }

    /// The layer whose inputs can be cached for this model now (0: none).
    fn cacheable_start(&self, model: &Model, training: bool) -> usize {
        let start = model.frozen_prefix();
        let augmented = training && !self.batcher.pipeline().steps.is_empty();
        let too_big = model.input_len_at(start).saturating_mul(self.data.len()) > MAX_CACHE_VALUES;
        if !self.caching || augmented || too_big { 0 } else { start }
    }

    /// The cache for the model's current prefix, made afresh when the prefix or its weights changed; `None` when
    /// nothing can be cached.
    fn cache_for(&mut self, model: &Model, training: bool) -> Option<&mut FeatureCache> {
        let start = self.cacheable_start(model, training);
        if start == 0 {
            return None;
        }
        let prefix_weights = || -> Vec<Vec<f32>> {
            model.weight_layers().into_iter().filter(|&i| i < start).flat_map(|i| layer_values(model, i)).collect()
        };
        let fresh = match &self.cache {
            Some(c) => c.start != start || c.weights != prefix_weights(),
            None => true,
        };
        if fresh {
            self.cache = Some(FeatureCache {
                start,
                weights: prefix_weights(),
                per: model.input_len_at(start),
                rows: vec![NOT_CACHED; self.data.len()],
                features: Vec::new(),
            });
        }
        self.cache.as_mut()
    }

    /// `steps` training steps; their losses (each the batch's mean loss before the update).
    pub fn train_steps(&mut self, model: &mut Model, steps: usize) -> Result<Vec<f32>> {
        let mut losses = Vec::with_capacity(steps);
        let per = self.data.example_len();
        let data = self.data.clone();
        if self.cache_for(model, true).is_some() {
            let mut rows = Vec::with_capacity(self.batcher.batch_size());
            let mut xf = Vec::new();
            for _ in 0..steps {
                let (batch, indices) = self.batcher.next_indices();
                rows.clear();
                rows.extend_from_slice(indices);
                let cache = self.cache.as_mut().expect("made above");
                cache.fill(model, &data, &rows, &mut self.x)?;
                cache.gather(&rows, &mut xf);
                for (slot, &i) in rows.iter().enumerate() {
                    self.y[slot] = data.label(i);
                }
                losses.push(model.train_step_from(cache.start, &xf, &self.y[..batch.len], batch.len)?);
            }
            return Ok(losses);
        }
        for _ in 0..steps {
            let b = self.batcher.next_batch(&data, &mut self.x, &mut self.y)?;
            losses.push(model.train_step(&self.x[..b.len * per], &self.y[..b.len], b.len)?);
        }
        Ok(losses)
    }

    /// Loss and accuracy on a part, without augmentation, in evaluation mode.
    pub fn evaluate(&mut self, model: &mut Model, part: Part) -> Result<Evaluation> {
        let data = self.data.clone();
        let indices = part.indices(&self.split, data.len());
        let per = data.example_len();
        let (mut loss, mut correct) = (0.0, 0);
        let chunk_len = EVAL_CHUNK.min(indices.len());
        let mut x = vec![0.0; chunk_len * per];
        let mut y = vec![0; chunk_len];
        let mut xf = Vec::new();
        for chunk in indices.chunks(EVAL_CHUNK) {
            let e = match self.cache_for(model, false) {
                Some(cache) => {
                    cache.fill(model, &data, chunk, &mut x)?;
                    cache.gather(chunk, &mut xf);
                    for (slot, &i) in chunk.iter().enumerate() {
                        y[slot] = data.label(i);
                    }
                    let start = cache.start;
                    model.evaluate_from(start, &xf, &y[..chunk.len()], chunk.len())?
                }
                None => {
                    data.gather(chunk, &mut x, &mut y)?;
                    model.evaluate(&x[..chunk.len() * per], &y[..chunk.len()], chunk.len())?
                }
            };
            loss += e.loss * chunk.len() as f64;
            correct += e.correct;
        }
        let n = indices.len().max(1);
        Ok(Evaluation { loss: loss / n as f64, accuracy: correct as f64 / n as f64, correct, n: indices.len() })
    }
}

/// The values of layer `i` its outputs depend on.
fn layer_values(model: &Model, i: usize) -> Vec<Vec<f32>> {
    // Weight, bias and a BatchNorm's running statistics: what the layer's outputs depend on.
    let prefix = format!("{i}.");
    let state = model.state_dict().into_iter().filter(|t| t.name.starts_with(&prefix));
    state.filter_map(|t| if let StateValues::F32(v) = t.values { Some(v.to_vec()) } else { None }).collect()
}

impl FeatureCache {
    /// Computes and keeps the prefix outputs of the images among `indices` not cached yet (`scratch` holds their
    /// images on the way).
    fn fill(&mut self, model: &mut Model, data: &Dataset, indices: &[usize], scratch: &mut Vec<f32>) -> Result<()> {
        let mut missing: Vec<usize> = indices.iter().copied().filter(|&i| self.rows[i] == NOT_CACHED).collect();
        missing.sort_unstable();
        missing.dedup();
        let per_image = data.example_len();
        for chunk in missing.chunks(crate::nn::model::EVAL_BATCH) {
            scratch.resize(scratch.len().max(chunk.len() * per_image), 0.0);
            let mut labels = vec![0; chunk.len()];
            data.gather(chunk, scratch, &mut labels)?;
            let out = model.prefix_outputs(&scratch[..chunk.len() * per_image], chunk.len(), self.start)?;
            for (k, &i) in chunk.iter().enumerate() {
                self.rows[i] = (self.features.len() / self.per) as u32;
                self.features.extend_from_slice(&out[k * self.per..(k + 1) * self.per]);
            }
        }
        Ok(())
    }

    /// The cached rows of `indices` (all cached), back to back, into `out`.
    fn gather(&self, indices: &[usize], out: &mut Vec<f32>) {
        out.clear();
        for &i in indices {
            let row = self.rows[i] as usize;
            out.extend_from_slice(&self.features[row * self.per..(row + 1) * self.per]);
        }
    }
}
