//! A training run of the Train panel: a model, its data set and their feed, stepped one batch at a time.
//!
//! # Steps
//! [`TrainSession::step`] takes one training step (one batch) and reports its loss. Every [`VAL_EVERY`] steps
//! ([`measure_every`]: more for batches below [`SMALL_BATCH`]), and at step 0 (reported with the first step), it
//! measures loss and accuracy on fixed subsets of at most [`MEASURE_N`] un-augmented training images and [`MEASURE_N`] validation images, and at the last step on all of them; a
//! measurement also carries the first convolution's filters and one validation example's output of every layer.
//! Measuring every image every 10 steps cost about two thirds of a run's time (BENCHMARKS.md, "Train panel").
//! The subsets are drawn with the core RNG: part p's is the first `MEASURE_N` of its indices shuffled by
//! `rng::derive(seed, [p])` (p = 1 training, 2 validation), sorted, so the same run measures the same images.
//!
//! # The end
//! A loss above [`DIVERGED_FACTOR`] × ln(classes), NaN or infinite ends the run as diverged (a softmax
//! cross-entropy computed stably rarely overflows; it climbs and stays high instead). Otherwise the call after the
//! last step predicts the validation set: the confusion matrix (row = label, column = prediction, argmax with the
//! first maximum) and [`MISCLASSIFIED_MAX`] mistakes: the swaps of [`SWAP_PAIR`] first (the label trap's point),
//! then the others, each group in validation order.

use super::{Kind, Settings, blame};
use crate::augment::Pipeline;
use crate::data::{BatcherState, DIGITS_SPLIT, Dataset, Digits, Split, SplitSpec, SymbolConfig};
use crate::error::{Error, Result};
use crate::feed::{Feed, Part};
use crate::init::{self, InitConfig, Scheme};
use crate::nn::export::{Preprocess, pytorch_code};
use crate::nn::model::{Evaluation, Model, ModelConfig, Snapshot};
use crate::nn::optim::{self, Method, OptimizerConfig};
use crate::nn::safetensors::{load_safetensors, to_safetensors};
use crate::nn::spec::{MAX_BATCH, ModelSpec, Shape};
use crate::rng;
use std::rc::Rc;

/// Measurements every this many steps (at batches of [`SMALL_BATCH`] and more; [`measure_every`]).
pub const VAL_EVERY: usize = 10;
/// Below this batch size a run measures less often: every `VAL_EVERY · (SMALL_BATCH / batch)` steps, so a run of
/// batches of 2 (the batch-size view) spends its time training, not measuring.
pub const SMALL_BATCH: usize = 16;
/// At most this many images per part in a live measurement.
pub const MEASURE_N: usize = 200;
/// At most this many misclassified validation examples in the result.
pub const MISCLASSIFIED_MAX: usize = 32;
/// The label trap's pair of classes (a 6 turned upside down is a 9): their swaps are listed first among the mistakes
/// of a run with more than 9 classes, so the page can show them as images whatever else the run got wrong.
pub const SWAP_PAIR: [u32; 2] = [6, 9];
/// A training loss above this many times ln(classes) counts as diverged.
pub const DIVERGED_FACTOR: f64 = 10.0;
/// Predictions at the end are made this many images at a time (a deep net's stored activations are bounded).
const PREDICT_CHUNK: usize = 100;
pub const MAX_EPOCHS: f64 = 1000.0;
pub const MAX_PER_CLASS: f64 = 1000.0;
pub const MAX_EXAMPLE: f64 = 100_000.0;
/// The data sources of `data=`.
pub const SOURCES: [&str; 2] = ["digits", "symbols"];
/// Every model of the Train panel takes 28×28 greyscale images.
pub const INPUT: Shape = Shape { c: 1, h: 28, w: 28, flat: false };

/// The settings of a training run: the Train panel's URL parameters.
pub const KEYS: [(&str, Kind); 19] = [
    ("model", Kind::Text),
    ("init", Kind::Text),
    ("mode", Kind::Text),
    ("nonlinearity", Kind::Text),
    ("slope", Kind::Number),
    ("dist", Kind::Text),
    ("std", Kind::Number),
    ("a", Kind::Number),
    ("opt", Kind::Text),
    ("lr", Kind::Number),
    ("momentum", Kind::Number),
    ("wd", Kind::Number),
    ("bs", Kind::Number),
    ("epochs", Kind::Number),
    ("per_class", Kind::Number),
    ("data", Kind::Text),
    ("aug", Kind::Text),
    ("seed", Kind::Number),
    ("example", Kind::Number),
];

/// An error from a sub-parser, put at the setting it came from.
fn at(mut e: Error, setting: &str) -> Error {
    e.param = setting.to_string();
    e
}

/// Everything a training run is, checked.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub model: ModelConfig,
    pub batch: usize,
    pub epochs: usize,
    pub per_class: usize,
    pub digits: bool,
    pub pipeline: Pipeline,
    pub seed: u64,
    pub example: usize,
}

fn init_config(s: &Settings) -> Result<Option<InitConfig>> {
    // The numbers are checked whether or not the scheme reads them (they are in the URL either way).
    s.range("slope", 0.0, init::MAX_SLOPE)?;
    s.range("std", 0.0, init::MAX_STD)?;
    s.range("a", 0.0, init::MAX_A)?;
    let Some(scheme) = s.text("init")? else { return Ok(None) };
    let defaults = InitConfig::new(Scheme::HeNormal);
    let config = InitConfig::from_params(
        scheme,
        s.text("mode")?.unwrap_or(defaults.mode.name()),
        s.text("nonlinearity")?.unwrap_or("auto"),
        s.number("slope")?.unwrap_or(defaults.slope),
        s.text("dist")?.unwrap_or(defaults.dist.name()),
        s.number("std")?.unwrap_or(defaults.std),
        s.number("a")?.unwrap_or(defaults.a),
    )
    .map_err(|e| blame(e, &KEYS, "init"))?;
    // Checks std, a and slope before any layer draws.
    config.resolve(init::fans(&[1, 1])?).map_err(|e| blame(e, &KEYS, "init"))?;
    Ok(Some(config))
}

/// The optimizer from `opt`, `lr`, `momentum` and `wd`, each checked against the range the optimizer's own syntax
/// accepts ([`OptimizerConfig::range`]), so an error names the setting at fault.
pub fn optimizer(s: &Settings) -> Result<OptimizerConfig> {
    let method = s.text("opt")?.unwrap_or("sgd");
    if !optim::METHODS.contains(&method) {
        return Err(Error::coded(
            "opt",
            "unknown_value",
            format!("{} is not one of {}", crate::error::quote(method), optim::METHODS.join(", ")),
        ));
    }
    let mut config = OptimizerConfig::parse(method)?;
    let range = |key| OptimizerConfig::range(method, key).unwrap_or((0.0, 0.0));
    let (lo, hi) = range("lr");
    if let Some(lr) = s.range("lr", lo, hi)? {
        config.lr = lr;
    }
    let (lo, hi) = range("wd");
    config.weight_decay = s.range("wd", lo, hi)?.unwrap_or(0.0);
    // Adam has no momentum; the setting is still checked (it is in the URL either way).
    let (lo, hi) = OptimizerConfig::range("sgd", "m").unwrap_or((0.0, 0.0));
    let momentum = s.range("momentum", lo, hi)?.unwrap_or(0.9);
    if let Method::Sgd { momentum: m, .. } = &mut config.method {
        *m = momentum;
    }
    Ok(config)
}

impl TrainConfig {
    /// Reads and checks a training run's settings (module docs: every error names its setting).
    pub fn from_settings(s: &Settings) -> Result<TrainConfig> {
        s.check_keys("the training run", &KEYS)?;
        let spec = match s.text("model")? {
            Some(text) => ModelSpec::parse(text).map_err(|e| at(e, "model"))?,
            None => ModelSpec::default(),
        };
        let init = init_config(s)?;
        let optimizer = optimizer(s)?;
        let batch = s.whole("bs", 1.0, MAX_BATCH as f64)?.unwrap_or(32) as usize;
        let epochs = s.whole("epochs", 1.0, MAX_EPOCHS)?.unwrap_or(30) as usize;
        let per_class = s.whole("per_class", 1.0, MAX_PER_CLASS)?.unwrap_or(20) as usize;
        let digits = match s.text("data")?.unwrap_or("digits") {
            "digits" => true,
            "symbols" => false,
            other => {
                return Err(Error::coded(
                    "data",
                    "unknown_value",
                    format!("{} is not one of {}", crate::error::quote(other), SOURCES.join(", ")),
                ));
            }
        };
        let pipeline = Pipeline::parse(s.text("aug")?.unwrap_or("")).map_err(|e| at(e, "aug"))?;
        let seed = s.whole("seed", 0.0, super::MAX_SEED)?.unwrap_or(0);
        let example = s.whole("example", 0.0, MAX_EXAMPLE)?.unwrap_or(0) as usize;
        let model = ModelConfig { spec, input: INPUT, init, optimizer, seed };
        Ok(TrainConfig { model, batch, epochs, per_class, digits, pipeline, seed, example })
    }

    /// The run's data set, split and preprocessing: the digits (from the bytes of www/data/digits.bin) or ten
    /// generated symbol classes of 100 images from the run's seed, `per_class` training images per class.
    pub fn data(&self, digits: Option<&[u8]>) -> Result<(Rc<Dataset>, Rc<Split>, Preprocess)> {
        let (dataset, spec, preprocess) = if self.digits {
            let bytes = digits
                .ok_or_else(|| Error::coded("data", "missing", "the digits need the bytes of www/data/digits.bin"))?;
            let parsed = Digits::parse(bytes).map_err(|e| at(e, "data"))?;
            let dataset = parsed.to_dataset(INPUT.h, INPUT.w).map_err(|e| at(e, "data"))?;
            (dataset, DIGITS_SPLIT, super::digits_preprocess(&parsed))
        } else {
            let config = SymbolConfig { seed: self.seed, ..SymbolConfig::default() };
            let dataset = config.generate().map_err(|e| at(e, "data"))?;
            (dataset, SplitSpec { val_fraction: 0.25, train_per_class: None, seed: 0 }, Preprocess::none(INPUT))
        };
        let spec = SplitSpec { train_per_class: Some(self.per_class), ..spec };
        let split =
            Split::stratified(dataset.labels(), dataset.classes(), &spec).map_err(|e| blame(e, &KEYS, "data"))?;
        Ok((Rc::new(dataset), Rc::new(split), preprocess))
    }

    /// The model, fresh from the seed (errors name `model`, or the initializer's setting).
    pub fn build_model(&self) -> Result<Model> {
        Model::new(self.model.clone()).map_err(|e| blame(e, &KEYS, "model"))
    }
}

/// A feed for the model, its mismatches put at `model` (a head too small for the data's classes).
fn feed_for(model: &Model, c: &TrainConfig, data: &Rc<Dataset>, split: &Rc<Split>) -> Result<Feed> {
    let feed = Feed::new(data.clone(), split.clone(), c.batch, c.pipeline.clone(), c.seed)
        .map_err(|e| blame(e, &KEYS, "bs"))?;
    feed.check_model(model).map_err(|e| at(e, "model"))?;
    Ok(feed)
}

/// What [`check`] finds: the data's sizes, the model's parameter count and its PyTorch code.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub train_len: usize,
    pub val_len: usize,
    pub params: usize,
    pub code: String,
}

/// Checks a training run's settings as opening it would (without training) and writes the PyTorch code that
/// loads its weights (`weights_file`) and predicts from raw images.
pub fn check(s: &Settings, digits: Option<&[u8]>, weights_file: &str) -> Result<Checked> {
    let c = TrainConfig::from_settings(s)?;
    let (data, split, preprocess) = c.data(digits)?;
    let model = c.build_model()?;
    feed_for(&model, &c, &data, &split)?;
    Ok(Checked {
        train_len: split.train.len(),
        val_len: split.val.len(),
        params: model.param_count(),
        code: pytorch_code(&model, &preprocess, weights_file)?,
    })
}

/// Checks a weights file against the settings' model, all or nothing (param `weights`), without a data set.
pub fn check_weights(s: &Settings, bytes: &[u8]) -> Result<()> {
    let mut model = TrainConfig::from_settings(s)?.build_model()?;
    load_safetensors(&mut model, bytes)
}

/// The mistakes a result lists (module docs): the [`SWAP_PAIR`] swaps first, then the rest, each group in the order
/// given, at most [`MISCLASSIFIED_MAX`].
pub fn shown_mistakes(wrong: &[Mistake]) -> Vec<Mistake> {
    let [p, q] = SWAP_PAIR;
    let swap = |m: &&Mistake| (m.label == p && m.predicted == q) || (m.label == q && m.predicted == p);
    let (swaps, rest): (Vec<&Mistake>, Vec<&Mistake>) = wrong.iter().partition(swap);
    swaps.into_iter().chain(rest).take(MISCLASSIFIED_MAX).copied().collect()
}

/// Steps between two measurements of a run with batches of `batch` (module docs): [`VAL_EVERY`] × the whole part
/// of [`SMALL_BATCH`] / `batch`, at least [`VAL_EVERY`].
pub fn measure_every(batch: usize) -> usize {
    VAL_EVERY * (SMALL_BATCH / batch.max(1)).max(1)
}

/// Part `salt`'s fixed measurement subset (module docs): at most `n` of `indices`, ascending.
pub fn measure_subset(indices: &[usize], n: usize, seed: u64, salt: u64) -> Vec<usize> {
    let mut idx = indices.to_vec();
    rng::shuffle(&mut rng::seeded(rng::derive(seed, &[salt])), &mut idx);
    idx.truncate(n);
    idx.sort_unstable();
    idx
}

/// One example's output of every layer in evaluation mode (the activation maps the page shows; the last is the
/// logits): the Train panel's measurements and the drawing pad (`crate::draw`) both read them here.
pub fn layer_maps(model: &mut Model, x: &[f32]) -> Result<Vec<Vec<f32>>> {
    model.forward(x, 1)?;
    Ok((0..model.plans().len()).map(|i| model.layer_output(i).unwrap_or(&[]).to_vec()).collect())
}

/// A measurement subset's images and labels, gathered once.
struct Subset {
    x: Vec<f32>,
    y: Vec<u32>,
}

impl Subset {
    fn new(data: &Dataset, indices: &[usize]) -> Result<Subset> {
        let mut x = vec![0.0; indices.len() * data.example_len()];
        let mut y = vec![0; indices.len()];
        data.gather(indices, &mut x, &mut y)?;
        Ok(Subset { x, y })
    }
}

/// What the run is, reported with the first step.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    pub total: usize,
    pub classes: usize,
    pub train_len: usize,
    pub val_len: usize,
    /// The validation example whose activation maps are shown (an index into the whole set).
    pub example: usize,
    pub example_label: u32,
    pub example_image: Vec<f32>,
    pub input: Shape,
    /// The first convolution's weight shape (PyTorch's OUT×IN×KH×KW), if the model has one.
    pub filter_shape: Option<Vec<usize>>,
    pub params: usize,
    pub every: usize,
    /// Images in the training and validation subsets.
    pub measured: (usize, usize),
}

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub step: usize,
    /// Whether it measured every image (the last step) rather than the subsets.
    pub all: bool,
    pub train: Evaluation,
    pub val: Evaluation,
    pub filters: Option<Vec<f32>>,
    /// The example's output of every layer.
    pub maps: Vec<Vec<f32>>,
}

/// One training step's report.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    pub step: usize,
    pub loss: f32,
    /// With the first step: what the run is and the measurement before training.
    pub first: Option<(Info, Look)>,
    pub look: Option<Look>,
    /// Training examples done and in all.
    pub work: (usize, usize),
}

/// A misclassified validation example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mistake {
    pub index: usize,
    pub label: u32,
    pub predicted: u32,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEnd {
    /// The loss at `step` passed `limit` (or was not finite); `first` as in [`StepReport`] when it was step 1.
    Diverged {
        step: usize,
        loss: f32,
        limit: f64,
        first: Option<(Info, Look)>,
    },
    Finished(Final),
}

/// The end of a finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Final {
    pub classes: usize,
    /// classes × classes, row = label, column = prediction.
    pub confusion: Vec<u32>,
    /// At most [`MISCLASSIFIED_MAX`] mistakes: the [`SWAP_PAIR`] swaps first, then the rest, each in validation order.
    pub misclassified: Vec<Mistake>,
    pub wrong_count: usize,
    /// The shown mistakes' images, N×C×H×W.
    pub images: Vec<f32>,
    /// The final weights as safetensors.
    pub weights: Vec<u8>,
}

/// What a step returns.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent {
    Step(Box<StepReport>),
    End(Box<TrainEnd>),
}

/// Where a session is, for an exact continuation: the model (weights, freezing, optimizer, RNG), the batcher's
/// position and the step count.
#[derive(Debug, Clone)]
pub struct TrainSnapshot {
    model: Snapshot,
    batcher: BatcherState,
    step: usize,
}

/// A training run (module docs).
pub struct TrainSession {
    model: Model,
    feed: Feed,
    preprocess: Preprocess,
    config: TrainConfig,
    total: usize,
    step: usize,
    ended: bool,
    few: [Subset; 2],
    example: usize,
    example_x: Vec<f32>,
    first_conv: Option<(String, Vec<usize>)>,
    limit: f64,
}

impl TrainSession {
    /// Opens a run from the Train panel's settings; `digits` is www/data/digits.bin (needed for `data=digits`).
    pub fn open(s: &Settings, digits: Option<&[u8]>) -> Result<TrainSession> {
        let config = TrainConfig::from_settings(s)?;
        let (data, split, preprocess) = config.data(digits)?;
        let model = config.build_model()?;
        let feed = feed_for(&model, &config, &data, &split)?;
        let total = (config.epochs * split.train.len()).div_ceil(config.batch).max(1);
        let val = &split.val;
        let example = val[config.example.min(val.len() - 1)];
        let example_x = Subset::new(&data, &[example])?.x;
        let few = [
            Subset::new(&data, &measure_subset(&split.train, MEASURE_N, config.seed, 1))?,
            Subset::new(&data, &measure_subset(val, MEASURE_N, config.seed, 2))?,
        ];
        let first_conv = model.params().find(|p| p.shape.len() == 4).map(|p| (p.name.clone(), p.shape.clone()));
        let limit = DIVERGED_FACTOR * (model.classes() as f64).ln();
        Ok(TrainSession {
            model,
            feed,
            preprocess,
            config,
            total,
            step: 0,
            ended: false,
            few,
            example,
            example_x,
            first_conv,
            limit,
        })
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn data(&self) -> &Rc<Dataset> {
        &self.feed.data
    }

    /// Training steps in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.step
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    fn info(&self) -> Info {
        let data = &self.feed.data;
        Info {
            total: self.total,
            classes: data.classes(),
            train_len: self.feed.split.train.len(),
            val_len: self.feed.split.val.len(),
            example: self.example,
            example_label: data.label(self.example),
            example_image: self.example_x.clone(),
            input: self.model.input_shape(),
            filter_shape: self.first_conv.as_ref().map(|(_, shape)| shape.clone()),
            params: self.model.param_count(),
            every: measure_every(self.config.batch),
            measured: (self.few[0].y.len(), self.few[1].y.len()),
        }
    }

    fn look(&mut self, step: usize, all: bool) -> Result<Look> {
        let (train, val) = if all {
            (self.feed.evaluate(&mut self.model, Part::Train)?, self.feed.evaluate(&mut self.model, Part::Val)?)
        } else {
            let [t, v] = &self.few;
            (self.model.evaluate(&t.x, &t.y, t.y.len())?, self.model.evaluate(&v.x, &v.y, v.y.len())?)
        };
        let filters = self.first_conv.as_ref().and_then(|(name, _)| self.model.param(name)).map(|p| p.value.clone());
        let maps = layer_maps(&mut self.model, &self.example_x)?;
        Ok(Look { step, all, train, val, filters, maps })
    }

    /// One step (module docs); after the end, an error (param `run`, code `run_ended`).
    pub fn step(&mut self) -> Result<TrainEvent> {
        if self.ended {
            return Err(Error::coded("run", "run_ended", "the run has ended"));
        }
        if self.step >= self.total {
            self.ended = true;
            return Ok(TrainEvent::End(Box::new(TrainEnd::Finished(self.finish()?))));
        }
        let first = if self.step == 0 { Some((self.info(), self.look(0, false)?)) } else { None };
        let loss = self.feed.train_steps(&mut self.model, 1)?[0];
        self.step += 1;
        let step = self.step;
        // NaN fails every comparison: diverged unless the loss is a number at most the limit.
        if f64::from(loss).partial_cmp(&self.limit).is_none_or(|o| o.is_gt()) {
            self.ended = true;
            return Ok(TrainEvent::End(Box::new(TrainEnd::Diverged { step, loss, limit: self.limit, first })));
        }
        let look = if step == self.total {
            Some(self.look(step, true)?)
        } else if step.is_multiple_of(measure_every(self.config.batch)) {
            Some(self.look(step, false)?)
        } else {
            None
        };
        let batch = self.config.batch;
        Ok(TrainEvent::Step(Box::new(StepReport { step, loss, first, look, work: (step * batch, self.total * batch) })))
    }

    /// The confusion matrix and the mistakes on the validation set, and the weights.
    fn finish(&mut self) -> Result<Final> {
        let data = self.feed.data.clone();
        let val = self.feed.split.val.clone();
        let k = self.model.classes();
        let mut confusion = vec![0u32; k * k];
        let mut wrong = Vec::new();
        let mut x = Vec::new();
        let mut y = Vec::new();
        for chunk in val.chunks(PREDICT_CHUNK) {
            x.resize(chunk.len() * data.example_len(), 0.0);
            y.resize(chunk.len(), 0);
            data.gather(chunk, &mut x, &mut y)?;
            let logits = self.model.forward(&x, chunk.len())?;
            for ((row, &label), &index) in logits.chunks_exact(k).zip(&y).zip(chunk) {
                let best = (1..k).fold(0, |b, j| if row[j] > row[b] { j } else { b });
                confusion[label as usize * k + best] += 1;
                if best != label as usize {
                    wrong.push(Mistake { index, label, predicted: best as u32 });
                }
            }
        }
        let shown = shown_mistakes(&wrong);
        let indices: Vec<usize> = shown.iter().map(|m| m.index).collect();
        let images = Subset::new(&data, &indices)?.x;
        Ok(Final {
            classes: k,
            confusion,
            misclassified: shown,
            wrong_count: wrong.len(),
            images,
            weights: to_safetensors(&self.model),
        })
    }

    /// The weights as safetensors (between two steps).
    pub fn weights(&self) -> Vec<u8> {
        to_safetensors(&self.model)
    }

    /// Replaces the weights by a safetensors file of this model, all or nothing (param `weights`), and measures
    /// the validation set with them.
    pub fn load(&mut self, bytes: &[u8]) -> Result<Evaluation> {
        load_safetensors(&mut self.model, bytes)?;
        self.feed.evaluate(&mut self.model, Part::Val)
    }

    pub fn snapshot(&self) -> TrainSnapshot {
        TrainSnapshot { model: self.model.snapshot(), batcher: self.feed.batcher.state(), step: self.step }
    }

    /// Returns to a snapshot of a session with the same settings: the run continues exactly.
    pub fn restore(&mut self, snapshot: &TrainSnapshot) -> Result<()> {
        self.model.restore(&snapshot.model)?;
        self.feed.batcher.set_state(snapshot.batcher)?;
        self.step = snapshot.step;
        self.ended = false;
        Ok(())
    }

    /// The PyTorch code that loads this run's weights from `weights_file`.
    pub fn pytorch_code(&self, weights_file: &str) -> Result<String> {
        pytorch_code(&self.model, &self.preprocess, weights_file)
    }
}
