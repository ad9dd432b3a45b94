//! The engine for JavaScript: a `Trainer` owns one model (layers, optimizer, RNG) and, once given a `Dataset`, its
//! batcher, so a worker can train many steps per call without moving images across the boundary. Raw batches
//! (`train_step`, `forward`, `evaluate`) take N×C×H×W Float32Arrays and Uint32Array labels. Layouts, names and
//! errors: README, "JavaScript API".

use super::config::{Config, MAX_BYTES, MAX_SAFE};
use super::data::{Dataset, Shared};
use super::{args, js_error, object};
use crate::augment::Pipeline;
use crate::data::BatcherState;
use crate::error::{Error, Result as CoreResult};
use crate::feed::{Feed, Part};
use crate::init::InitConfig;
use crate::nn::export::{Preprocess, pytorch_code};
use crate::nn::model::{Model, ModelConfig, Snapshot};
use crate::nn::optim::{OptimizerConfig, Schedule};
use crate::nn::profile::profile_step;
use crate::nn::safetensors::{load_safetensors, to_safetensors};
use crate::nn::spec::{LayerSpec, MAX_BATCH, ModelSpec, Shape};
use crate::transfer;
use wasm_bindgen::prelude::*;

/// The most steps one `train` call runs (a worker reports progress between calls).
const MAX_STEPS_PER_CALL: f64 = 100_000.0;

/// Values in one raw batch argument (`x` of `train_step`, `forward`, …; a tensor of `set_param`).
const MAX_X: usize = crate::nn::model::MAX_STEP_VALUES;

const INIT_KEYS: [&str; 6] = ["mode", "nonlinearity", "slope", "dist", "std", "a"];

#[wasm_bindgen]
pub struct Trainer {
    model: Model,
    feed: Option<Attached>,
}

/// A data set attached to a trainer, with the preprocessing that made its images (for the PyTorch code).
struct Attached {
    feed: Feed,
    preprocess: Preprocess,
}

/// What `Trainer::snapshot` keeps: the model's weights, freezing, optimizer and RNG, and where the batcher is.
#[wasm_bindgen]
pub struct TrainerSnapshot {
    /// The parts live in `SNAPSHOTS` under this handle until the snapshot is freed.
    handle: u32,
}

struct SnapshotParts {
    model: Snapshot,
    batcher: Option<BatcherState>,
}

thread_local! {
    static SNAPSHOTS: args::Registry<std::rc::Rc<SnapshotParts>> = const { args::Registry::new() };
}

impl Drop for TrainerSnapshot {
    fn drop(&mut self) {
        SNAPSHOTS.with(|live| live.remove(self.handle));
    }
}

#[wasm_bindgen]
impl TrainerSnapshot {
    /// An opaque number naming this snapshot for `Trainer.restore` (not a setting).
    #[wasm_bindgen(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }
}

fn optimizer_config(c: &Config) -> CoreResult<OptimizerConfig> {
    let mut opt = OptimizerConfig::parse(&c.string("opt")?.unwrap_or_default())?;
    opt.schedule = Schedule::parse(&c.string("schedule")?.unwrap_or_default())?;
    Ok(opt)
}

fn init_config(c: &Config) -> CoreResult<Option<InitConfig>> {
    let Some(scheme) = c.string("init")? else {
        if let Some(key) = INIT_KEYS.iter().find(|k| c.has(k)) {
            return Err(Error::coded(*key, "needs_init", "set init (the scheme) to use this setting"));
        }
        return Ok(None);
    };
    let text = |key: &str, default: &str| c.string(key).map(|v| v.unwrap_or_else(|| default.into()));
    let number = |key: &str, default: f64| c.number(key).map(|v| v.unwrap_or(default));
    let defaults = InitConfig::new(crate::init::Scheme::HeNormal);
    InitConfig::from_params(
        &scheme,
        &text("mode", defaults.mode.name())?,
        &text("nonlinearity", "auto")?,
        number("slope", defaults.slope)?,
        &text("dist", defaults.dist.name())?,
        number("std", defaults.std)?,
        number("a", defaults.a)?,
    )
    .map(Some)
}

fn model_config(config: &JsValue) -> CoreResult<ModelConfig> {
    let keys: Vec<&str> = ["model", "input", "init", "opt", "schedule", "seed"].into_iter().chain(INIT_KEYS).collect();
    let c = Config::read(config, "trainer", &keys)?;
    let spec = match c.string("model")? {
        Some(text) => ModelSpec::parse(&text)?,
        None => ModelSpec::default(),
    };
    let input = match c.wholes("input", 1.0, 1e9, 3)? {
        None => Shape::image(1, 28, 28),
        Some(v) if v.len() == 3 => Shape::image(v[2] as usize, v[0] as usize, v[1] as usize),
        Some(_) => return Err(Error::coded("input", "wrong_type", "must be [height, width, channels]")),
    };
    input.check_input()?;
    let init = init_config(&c)?;
    if let Some(init) = &init {
        init.resolve(crate::init::fans(&[1, 1])?)?; // checks std, a and slope before any layer draws
    }
    Ok(ModelConfig {
        spec,
        input,
        init,
        optimizer: optimizer_config(&c)?,
        seed: c.whole("seed", 0.0, MAX_SAFE)?.unwrap_or(0),
    })
}

/// `[{ index, layer, kind, input, output, params, macs, trainable }]` of a model (see `Trainer::layers`).
pub(crate) fn layers_array(model: &Model) -> js_sys::Array {
    model
        .plans()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let trainable = if p.spec.has_params() { JsValue::from(model.is_trainable(i)) } else { JsValue::NULL };
            let kind = match p.spec {
                LayerSpec::Act(_) => "activation",
                _ => p.spec.name(),
            };
            object(&[
                ("index", i.into()),
                ("layer", p.spec.to_string().into()),
                ("kind", kind.into()),
                ("input", shape_object(p.input)),
                ("output", shape_object(p.output)),
                ("params", p.params.into()),
                ("macs", (p.macs as f64).into()),
                ("trainable", trainable),
            ])
        })
        .collect()
}

/// `{ channels, height, width, flat }` of a shape.
fn shape_object(s: Shape) -> JsValue {
    object(&[("channels", s.c.into()), ("height", s.h.into()), ("width", s.w.into()), ("flat", s.flat.into())])
}

pub(crate) fn evaluation_object(e: crate::nn::model::Evaluation) -> JsValue {
    object(&[
        ("loss", e.loss.into()),
        ("accuracy", e.accuracy.into()),
        ("correct", e.correct.into()),
        ("n", e.n.into()),
    ])
}

/// `performance.now()` in milliseconds (in a page or a worker); 0 where there is no `performance`.
pub(crate) fn now_ms() -> f64 {
    let global = js_sys::global();
    let Ok(perf) = js_sys::Reflect::get(&global, &"performance".into()) else { return 0.0 };
    let Ok(now) = js_sys::Reflect::get(&perf, &"now".into()) else { return 0.0 };
    let Some(now) = now.dyn_ref::<js_sys::Function>() else { return 0.0 };
    now.call0(&perf).ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
}

/// `x` (param `x`) and `labels` (param `labels`) of a raw batch, read through the checked path.
fn batch_args(x: &JsValue, labels: &JsValue) -> CoreResult<(Vec<f32>, Vec<u32>)> {
    Ok((args::f32s("x", x, MAX_X)?, args::u32s("labels", labels, MAX_X)?))
}

fn no_data() -> Error {
    Error::coded("data", "no_data", "attach a dataset with set_data first")
}

impl Trainer {
    fn batch_size(&self, x: &[f32], param: &str) -> CoreResult<usize> {
        let per = self.model.input_shape().len();
        if !x.len().is_multiple_of(per) {
            return Err(Error::coded(
                param,
                "wrong_length",
                format!("{} values are not a whole number of {} examples", x.len(), self.model.input_shape()),
            )
            .with("got", x.len() as f64)
            .with("example", per as f64));
        }
        Ok(x.len() / per)
    }

    fn attach(&mut self, dataset: &JsValue, config: &JsValue) -> CoreResult<()> {
        let dataset = Dataset::from_js("data", dataset)?;
        let c = Config::read(config, "data", &["batch", "aug", "seed"])?;
        let batch = c.whole("batch", 1.0, MAX_BATCH as f64)?.unwrap_or(32) as usize;
        let pipeline = Pipeline::parse(&c.string("aug")?.unwrap_or_default())?;
        let seed = c.whole("seed", 0.0, MAX_SAFE)?.unwrap_or(0);
        let Shared { data, split, preprocess } = dataset;
        let feed = Feed::new(data, split, batch, pipeline, seed)?;
        feed.check_model(&self.model)?;
        self.feed = Some(Attached { feed, preprocess });
        Ok(())
    }
}

#[wasm_bindgen]
impl Trainer {
    /// `{ model, input: [height, width, channels], init, mode, nonlinearity, slope, dist, std, a, opt, schedule,
    /// seed }`, every key optional (the default is the peers' net on 28×28×1 with SGD lr 0.01 momentum 0.9).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Trainer, JsValue> {
        let model = model_config(&config).and_then(Model::new).map_err(js_error)?;
        Ok(Trainer { model, feed: None })
    }

    /// The spec in its canonical form (defaults left out).
    #[wasm_bindgen(getter)]
    pub fn model(&self) -> String {
        self.model.config().spec.to_string()
    }

    /// The optimizer in the `opt=` syntax and the schedule in the `schedule=` syntax.
    #[wasm_bindgen(getter)]
    pub fn opt(&self) -> String {
        self.model.config().optimizer.to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn schedule(&self) -> String {
        self.model.config().optimizer.schedule.to_string()
    }

    /// `[height, width, channels]` of one example.
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Vec<u32> {
        let s = self.model.input_shape();
        vec![s.h as u32, s.w as u32, s.c as u32]
    }

    /// Logits per example.
    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> usize {
        self.model.classes()
    }

    #[wasm_bindgen(getter)]
    pub fn param_count(&self) -> usize {
        self.model.param_count()
    }

    #[wasm_bindgen(getter)]
    pub fn trainable_param_count(&self) -> usize {
        self.model.trainable_param_count()
    }

    /// `{ forward, training }`: FLOPs per example (2 per multiply-add of the GEMMs; training counts only the
    /// products the current freezing runs).
    #[wasm_bindgen(getter)]
    pub fn flops(&self) -> JsValue {
        let f = self.model.flops();
        object(&[("forward", f.forward.into()), ("training", f.training.into())])
    }

    /// Optimizer steps taken.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.model.optimizer().steps() as f64
    }

    /// The learning rate of the next step (after the schedule).
    #[wasm_bindgen(getter)]
    pub fn lr(&self) -> f64 {
        self.model.optimizer().lr()
    }

    /// `[{ index, layer, kind, input, output, params, macs, trainable }]`, one per layer of the spec; shapes as
    /// `{ channels, height, width, flat }`, `trainable` null for layers without parameters.
    pub fn layers(&self) -> js_sys::Array {
        layers_array(&self.model)
    }

    /// `[{ name, shape, trainable }]`, every tensor in order (`0.weight`, `0.bias`, `3.weight`, …), shapes in
    /// PyTorch's layout (conv OUT×IN×KH×KW, dense OUT×IN).
    pub fn params(&self) -> js_sys::Array {
        self.model
            .params()
            .map(|p| {
                let shape: js_sys::Array = p.shape.iter().map(|&d| JsValue::from(d)).collect();
                object(&[("name", p.name.as_str().into()), ("shape", shape.into()), ("trainable", p.trainable.into())])
            })
            .collect()
    }

    /// A copy of a tensor's values, row-major in its shape (param `param`, code `unknown_parameter`).
    pub fn param(&self, name: JsValue) -> Result<Vec<f32>, JsValue> {
        self.tensor(&name).map(|p| p.value.clone())
    }

    /// A copy of a tensor's gradient from the last training step (zeros before one, and while frozen).
    pub fn grad(&self, name: JsValue) -> Result<Vec<f32>, JsValue> {
        self.tensor(&name).map(|p| p.grad.clone())
    }

    fn tensor(&self, name: &JsValue) -> Result<&crate::nn::layer::Parameter, JsValue> {
        let name = args::text("param", name).map_err(js_error)?;
        self.model.param(&name).ok_or_else(|| {
            js_error(Error::coded("param", "unknown_parameter", format!("no parameter {}", crate::error::quote(&name))))
        })
    }

    /// Replaces a tensor's values (same length, finite; codes `unknown_parameter`, `wrong_length`, `not_finite`).
    pub fn set_param(&mut self, name: JsValue, values: JsValue) -> Result<(), JsValue> {
        let name = args::text("param", &name).map_err(js_error)?;
        let values = args::f32s("values", &values, MAX_X).map_err(js_error)?;
        self.model.set_param(&name, &values).map_err(js_error)
    }

    /// One training step on a batch: `x` N×C×H×W, `labels` N class indices (Uint32Array). Returns the batch's mean
    /// loss before the update.
    pub fn train_step(&mut self, x: JsValue, labels: JsValue) -> Result<f32, JsValue> {
        let (x, labels) = batch_args(&x, &labels).map_err(js_error)?;
        self.model.train_step(&x, &labels, labels.len()).map_err(js_error)
    }

    /// The logits (N × classes) of a batch in evaluation mode.
    pub fn forward(&mut self, x: JsValue) -> Result<Vec<f32>, JsValue> {
        let x = args::f32s("x", &x, MAX_X).map_err(js_error)?;
        let n = self.batch_size(&x, "x").map_err(js_error)?;
        self.model.forward(&x, n).map(<[f32]>::to_vec).map_err(js_error)
    }

    /// `{ loss, accuracy, correct, n }` over the examples (any number; evaluation mode, in batches of 100).
    pub fn evaluate(&mut self, x: JsValue, labels: JsValue) -> Result<JsValue, JsValue> {
        let (x, labels) = batch_args(&x, &labels).map_err(js_error)?;
        self.model.evaluate(&x, &labels, labels.len()).map(evaluation_object).map_err(js_error)
    }

    /// Every layer's output for a batch in evaluation mode (the activation maps of one example through the net):
    /// an array with one Float32Array per layer of the spec, `N × C×H×W` in the layer's output shape (`layers()`).
    /// Added for the Train panel.
    pub fn layer_outputs(&mut self, x: JsValue) -> Result<js_sys::Array, JsValue> {
        let x = args::f32s("x", &x, MAX_X).map_err(js_error)?;
        let n = self.batch_size(&x, "x").map_err(js_error)?;
        self.model.forward(&x, n).map_err(js_error)?;
        Ok((0..self.model.plans().len())
            .map(|i| JsValue::from(js_sys::Float32Array::from(self.model.layer_output(i).unwrap_or(&[]))))
            .collect())
    }

    /// Loads a pretrained file's weights into every layer but the head (the last layer with weights keeps its
    /// fresh initialization, so the file's head may be for another number of classes), all or nothing; checked as
    /// `load_safetensors` (param `weights`, same codes).
    pub fn load_backbone(&mut self, bytes: JsValue) -> Result<(), JsValue> {
        let bytes = args::bytes("weights", &bytes, MAX_BYTES).map_err(js_error)?;
        transfer::load_backbone(&mut self.model, &bytes).map_err(js_error)
    }

    /// Transfusion's "Mean Var" initialization: every parameter tensor re-drawn i.i.d. from N(mean, std²) of its
    /// current values (call it after loading the pretrained weights), from `seed`.
    pub fn reinit_mean_var(&mut self, seed: JsValue) -> Result<(), JsValue> {
        let seed = args::seed(&seed).map_err(js_error)?;
        transfer::reinit_mean_var(&mut self.model, seed).map_err(js_error)
    }

    /// How far each layer with weights moved from `reference` (a safetensors file of this model, e.g.
    /// `save_safetensors()` taken before fine-tuning): `[{ layer, name, param, rel_change }]`, `rel_change` =
    /// ‖W − W₀‖ / ‖W₀‖ of the weight tensor (biases left out), `name` like `conv1`, `dense1`, `param` like
    /// `0.weight` (param `weights`, codes as `load_safetensors`).
    pub fn layer_change(&self, reference: JsValue) -> Result<js_sys::Array, JsValue> {
        let reference = args::bytes("weights", &reference, MAX_BYTES).map_err(js_error)?;
        let rows = transfer::layer_change(&self.model, &reference).map_err(js_error)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                object(&[
                    ("layer", r.layer.into()),
                    ("name", r.name.into()),
                    ("param", r.param.into()),
                    ("rel_change", r.rel_change.into()),
                ])
            })
            .collect())
    }

    /// Freezes exactly these layers (a Uint32Array or an array of indices of layers with parameters, at most
    /// `MAX_LAYERS`; param `layers`); every other layer trains.
    pub fn freeze(&mut self, layers: JsValue) -> Result<(), JsValue> {
        let layers = args::u32s("layers", &layers, crate::nn::spec::MAX_LAYERS).map_err(js_error)?;
        let layers: Vec<usize> = layers.iter().map(|&i| i as usize).collect();
        self.model.freeze_layers(&layers).map_err(js_error)
    }

    /// Freezes the first `k` layers with parameters (0 unfreezes all; param `k`, code `out_of_range` past the
    /// model's layers with weights).
    pub fn freeze_first(&mut self, k: JsValue) -> Result<(), JsValue> {
        let k = args::whole_arg("k", &k, 0.0, self.model.weight_layers().len() as f64).map_err(js_error)?;
        self.model.freeze_first(k as usize).map_err(js_error)
    }

    /// Freezes every layer with parameters but the last (fine-tuning the head).
    pub fn freeze_all_but_head(&mut self) -> Result<(), JsValue> {
        self.model.freeze_all_but_head().map_err(js_error)
    }

    pub fn unfreeze_all(&mut self) -> Result<(), JsValue> {
        self.model.freeze_first(0).map_err(js_error)
    }

    /// A new optimizer `{ opt, schedule }` (its state starts afresh; the weights stay), e.g. a lower rate to
    /// fine-tune.
    pub fn set_optimizer(&mut self, config: JsValue) -> Result<(), JsValue> {
        let c = Config::read(&config, "optimizer", &["opt", "schedule"]).map_err(js_error)?;
        let opt = optimizer_config(&c).map_err(js_error)?;
        self.model.set_optimizer(opt);
        Ok(())
    }

    /// Trains on a dataset's training part from now on: `{ batch, aug, seed }` (batch 1 … 1024, default 32; `aug`
    /// a pipeline in the `aug=` syntax, default none; seed of the shuffle and the augmentation, default 0).
    pub fn set_data(&mut self, dataset: JsValue, config: JsValue) -> Result<(), JsValue> {
        self.attach(&dataset, &config).map_err(js_error)
    }

    /// `steps` training steps (1 … 100,000) on batches of the attached data; returns their losses.
    pub fn train(&mut self, steps: JsValue) -> Result<Vec<f32>, JsValue> {
        let steps = args::whole_arg("steps", &steps, 1.0, MAX_STEPS_PER_CALL).map_err(js_error)?;
        let model = &mut self.model;
        let feed = self.feed.as_mut().map(|a| &mut a.feed).ok_or_else(no_data).map_err(js_error)?;
        feed.train_steps(model, steps as usize).map_err(js_error)
    }

    /// `{ loss, accuracy, correct, n }` on a part of the attached data (`'train'`, `'val'` or `'all'`), without
    /// augmentation, in evaluation mode.
    pub fn evaluate_data(&mut self, part: JsValue) -> Result<JsValue, JsValue> {
        let part = args::text("part", &part).and_then(|p| Part::parse(&p)).map_err(js_error)?;
        let model = &mut self.model;
        let feed = self.feed.as_mut().map(|a| &mut a.feed).ok_or_else(no_data).map_err(js_error)?;
        feed.evaluate(model, part).map(evaluation_object).map_err(js_error)
    }

    /// `{ epoch, position }` of the batcher (position: images of the epoch already drawn).
    #[wasm_bindgen(getter)]
    pub fn data_state(&self) -> JsValue {
        match &self.feed {
            Some(Attached { feed: f, .. }) => {
                let s = f.batcher.state();
                object(&[("epoch", (s.epoch as f64).into()), ("position", s.position.into())])
            }
            None => JsValue::NULL,
        }
    }

    pub fn snapshot(&self) -> TrainerSnapshot {
        let inner = std::rc::Rc::new(SnapshotParts {
            model: self.model.snapshot(),
            batcher: self.feed.as_ref().map(|a| a.feed.batcher.state()),
        });
        TrainerSnapshot { handle: SNAPSHOTS.with(|live| live.add(inner)) }
    }

    /// Returns to a snapshot of a trainer with the same model: weights, freezing, optimizer, RNG and (with data
    /// attached) the batcher's position continue exactly.
    pub fn restore(&mut self, snapshot: JsValue) -> Result<(), JsValue> {
        let snapshot = SNAPSHOTS.with(|live| live.find("snapshot", &snapshot, "TrainerSnapshot")).map_err(js_error)?;
        self.model.restore(&snapshot.model).map_err(js_error)?;
        if let (Some(attached), Some(state)) = (self.feed.as_mut(), snapshot.batcher) {
            attached.feed.batcher.set_state(state).map_err(js_error)?;
        }
        Ok(())
    }

    /// The weights as a safetensors file: the state_dict of the equivalent PyTorch `nn.Sequential` (names
    /// `0.weight`, `0.bias`, …, float32, PyTorch's shapes), metadata `format`, `producer`, `model`, `input_shape`.
    pub fn save_safetensors(&self) -> Vec<u8> {
        to_safetensors(&self.model)
    }

    /// Replaces every weight by a safetensors file's, all or nothing: the file must hold exactly this model's
    /// tensor names with its shapes, as finite float32 (param `weights`; codes `truncated`, `header_too_large`,
    /// `bad_header`, `bad_offsets`, `missing_tensor`, `unexpected_tensor`, `wrong_dtype`, `wrong_shape`,
    /// `not_finite`). Freezing and the optimizer's state stay as they were.
    pub fn load_safetensors(&mut self, bytes: JsValue) -> Result<(), JsValue> {
        let bytes = args::bytes("weights", &bytes, MAX_BYTES).map_err(js_error)?;
        load_safetensors(&mut self.model, &bytes).map_err(js_error)
    }

    /// This model as PyTorch code that loads `weights_file` (default `model.safetensors`; param `file`) and
    /// predicts from raw images with the attached data's preprocessing (the digits: 0 … 16 pixels divided by 16,
    /// bilinear 8×8 → input size; without data: none).
    pub fn pytorch_code(&self, weights_file: JsValue) -> Result<String, JsValue> {
        let weights_file = args::optional_text("file", &weights_file).map_err(js_error)?;
        let pre = self.feed.as_ref().map_or_else(|| Preprocess::none(self.model.input_shape()), |a| a.preprocess);
        let file = weights_file.as_deref().unwrap_or("model.safetensors");
        pytorch_code(&self.model, &pre, file).map_err(js_error)
    }

    /// Times every layer's forward and backward pass over `reps` training passes on the batch (no update; the
    /// trainer is unchanged): `[{ index, layer, forward_ms, backward_ms }]`, means per pass, from
    /// `performance.now()` (its resolution is coarse: use enough reps).
    pub fn profile(&mut self, x: JsValue, labels: JsValue, reps: JsValue) -> Result<js_sys::Array, JsValue> {
        let reps = args::whole_arg("reps", &reps, 1.0, 1000.0).map_err(js_error)?;
        let (x, labels) = batch_args(&x, &labels).map_err(js_error)?;
        let rows =
            profile_step(&mut self.model, &x, &labels, labels.len(), reps as usize, &mut now_ms).map_err(js_error)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                object(&[
                    ("index", r.index.into()),
                    ("layer", r.layer.into()),
                    ("forward_ms", r.forward.into()),
                    ("backward_ms", r.backward.into()),
                ])
            })
            .collect())
    }
}
