//! A sequential model: layers from a [`ModelSpec`], their buffers, the optimizer and the RNG, with training,
//! inference, evaluation, freezing and snapshots.
//!
//! # Data
//! Inputs are batches of `n` examples in NCHW order (`n × C × H × W` f32, row-major; RGB is `C = 3`), labels are
//! `n` class indices below the number of logits. Logits come out `n × classes`.
//!
//! # Freezing
//! Freezing is per layer with parameters (conv, dense, bn, gn): a frozen layer's weight and bias keep their values bit
//! for bit, their gradients are never computed (their `grad` buffers are not written), and the backward pass stops at
//! the lowest trainable layer, which computes no input gradient. A frozen BatchNorm also keeps its running statistics
//! and normalizes by them in training too (evaluation behaviour, as `model.eval()` on a frozen backbone in PyTorch),
//! so a frozen prefix computes the same in training and evaluation. Layer indices are 0-based positions in the spec, as
//! in PyTorch's `nn.Sequential` (and in the parameter names `3.weight`).
//!
//! # Randomness
//! One RNG, seeded from the config: the initial weights are drawn first (layer by layer, weight tensors in
//! storage order; biases are zero; norm layers start at γ = 1, β = 0 and draw nothing), then dropout masks during
//! training. Evaluation draws nothing. A [`Snapshot`] holds the weights, the BatchNorm running statistics, the
//! freezing, the optimizer state and the RNG, so a restored model continues exactly.
//!
//! # State dict
//! [`Model::state_dict`] lists what PyTorch's `state_dict()` of the equivalent `nn.Sequential` holds, in its order:
//! per layer `N.weight`, `N.bias`, and for BatchNorm `N.running_mean`, `N.running_var` (f32, `[C]`) and
//! `N.num_batches_tracked` (int64, shape `[]`).

use crate::error::{Error, Result, check_range};
use crate::init::{self, InitConfig, Scheme};
use crate::nn::Activation;
use crate::nn::layer::{Kernels, Layer, Parameter, Wants, relu_fuses_with_pool};
use crate::nn::loss::{argmax, softmax_cross_entropy};
use crate::nn::norm::BatchNorm;
use crate::nn::optim::{Optimizer, OptimizerConfig};
use crate::nn::spec::{LayerPlan, LayerSpec, MAX_BATCH, ModelSpec, Shape, check_output};
use crate::rng::{Rng, seeded};

/// The most values one step stores (activations and workspaces of a whole batch): 256 MB of f32.
pub const MAX_STEP_VALUES: usize = 1 << 26;
/// Evaluation runs in batches of at most this many examples.
pub const EVAL_BATCH: usize = 100;

/// Everything that defines a model before training.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub spec: ModelSpec,
    /// One example's shape, `C×H×W`.
    pub input: Shape,
    /// `None`: [`default_init`] for the spec.
    pub init: Option<InitConfig>,
    pub optimizer: OptimizerConfig,
    pub seed: u64,
}

impl Default for ModelConfig {
    /// The peers' benchmark: the default spec on 28×28×1, He normal, SGD lr 0.01 momentum 0.9, seed 0.
    fn default() -> Self {
        ModelConfig {
            spec: ModelSpec::default(),
            input: Shape::image(1, 28, 28),
            init: None,
            optimizer: OptimizerConfig::default(),
            seed: 0,
        }
    }
}

/// The lecture's advice: Xavier (Glorot) normal when the net has a tanh or sigmoid, LeCun normal for SELU nets,
/// He normal otherwise (ReLU, leaky ReLU, GELU, linear). Gains are the scheme's defaults, as in `torch.nn.init`.
pub fn default_init(spec: &ModelSpec) -> InitConfig {
    let acts: Vec<Activation> =
        spec.layers.iter().filter_map(|l| if let LayerSpec::Act(a) = l { Some(*a) } else { None }).collect();
    let scheme = if acts.iter().any(|a| matches!(a, Activation::Tanh | Activation::Sigmoid)) {
        Scheme::XavierNormal
    } else if !acts.is_empty() && acts.iter().all(|a| *a == Activation::Selu) {
        Scheme::LecunNormal
    } else {
        Scheme::HeNormal
    };
    InitConfig::new(scheme)
}

/// Floating-point operations per example, counted as 2 per multiply-add of the GEMMs (padded taps included;
/// activations, pooling, normalization, the loss and the update are not counted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flops {
    pub forward: f64,
    /// Forward plus the backward products this model actually runs with its current freezing: a weight gradient
    /// per trainable layer, an input gradient per layer above the lowest trainable one. (All trainable: 3× forward
    /// minus the first layer's input gradient.)
    pub training: f64,
}

/// Loss and accuracy over a data set, in evaluation mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean softmax cross-entropy.
    pub loss: f64,
    /// Fraction of examples whose largest logit is their label.
    pub accuracy: f64,
    pub correct: usize,
    pub n: usize,
}

/// The values of one state_dict entry, borrowed from the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StateValues<'a> {
    F32(&'a [f32]),
    /// A scalar int64 (`num_batches_tracked`).
    I64(i64),
}

/// One entry of [`Model::state_dict`].
#[derive(Debug, Clone, PartialEq)]
pub struct StateTensor<'a> {
    pub name: String,
    /// PyTorch's shape (`[]` for a scalar).
    pub shape: Vec<usize>,
    pub values: StateValues<'a>,
}

/// Values for [`Model::set_state`].
#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    F32(Vec<f32>),
    I64(i64),
}

impl Tensor {
    /// The f32 values (none for an int64).
    pub fn as_f32(&self) -> &[f32] {
        match self {
            Tensor::F32(v) => v,
            Tensor::I64(_) => &[],
        }
    }
}

/// A BatchNorm's running statistics: mean, variance, steps tracked.
type RunningStats = (Vec<f32>, Vec<f32>, u64);

/// What a restored model needs to continue exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    spec: ModelSpec,
    input: Shape,
    values: Vec<Vec<f32>>,
    /// Per BatchNorm layer, in order.
    stats: Vec<RunningStats>,
    trainable: Vec<bool>,
    optimizer: Optimizer,
    rng: Rng,
}

pub struct Model {
    config: ModelConfig,
    plans: Vec<LayerPlan>,
    layers: Vec<Layer>,
    /// `acts[0]` is the input batch, `acts[i + 1]` the output of layer i.
    acts: Vec<Vec<f32>>,
    /// The gradient flowing down (with respect to a layer's output) and the one it produces (its input's).
    grad_out: Vec<f32>,
    grad_in: Vec<f32>,
    kernels: Kernels,
    optimizer: Optimizer,
    rng: Rng,
    /// The batch size the buffers hold.
    capacity: usize,
    /// The batch size of the last forward pass (0 before any).
    last_batch: usize,
    /// Whether the last forward pass was a training pass (which fuses ReLU into the max pooling above it).
    last_train: bool,
}

impl Model {
    /// Plans the spec on the input (errors name the layer), draws the initial weights and sets up the optimizer.
    pub fn new(config: ModelConfig) -> Result<Model> {
        let plans = config.spec.plan(config.input)?;
        check_output(&plans)?;
        let mut layers: Vec<Layer> = plans.iter().enumerate().map(|(i, p)| Layer::new(p, i)).collect();
        let init = config.init.unwrap_or_else(|| default_init(&config.spec));
        let mut rng = seeded(config.seed);
        for (layer, plan) in layers.iter_mut().zip(&plans) {
            if plan.spec.is_norm() {
                continue; // γ = 1, β = 0 from Layer::new
            }
            if let Some([weight, _bias]) = layer.params_mut() {
                let fans = init::fans(&weight.shape)?;
                init.resolve(fans)?.fill(&mut weight.value, &mut rng);
            }
        }
        Ok(Model {
            acts: vec![Vec::new(); plans.len() + 1],
            grad_out: Vec::new(),
            grad_in: Vec::new(),
            kernels: Kernels::default(),
            optimizer: Optimizer::new(config.optimizer),
            rng,
            capacity: 0,
            last_batch: 0,
            last_train: false,
            plans,
            layers,
            config,
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Every layer's spec, shapes, parameter count and cost.
    pub fn plans(&self) -> &[LayerPlan] {
        &self.plans
    }

    pub fn input_shape(&self) -> Shape {
        self.config.input
    }

    /// Logits per example.
    pub fn classes(&self) -> usize {
        self.plans.last().map_or(0, |p| p.output.len())
    }

    /// Every parameter tensor in order: layer by layer, weight then bias.
    pub fn params(&self) -> impl Iterator<Item = &Parameter> {
        self.layers.iter().filter_map(Layer::params).flatten()
    }

    fn params_mut(&mut self) -> impl Iterator<Item = &mut Parameter> {
        self.layers.iter_mut().filter_map(Layer::params_mut).flatten()
    }

    /// The tensor of that name (`0.weight`, `7.bias`, …).
    pub fn param(&self, name: &str) -> Option<&Parameter> {
        self.params().find(|p| p.name == name)
    }

    /// Replaces a tensor's values (same length, finite; param `param`, codes `unknown_parameter`, `wrong_length`,
    /// `not_finite`).
    pub fn set_param(&mut self, name: &str, values: &[f32]) -> Result<()> {
        let names: Vec<String> = self.params().map(|p| p.name.clone()).collect();
        let Some(p) = self.params_mut().find(|p| p.name == name) else {
            return Err(Error::coded(
                "param",
                "unknown_parameter",
                format!("no parameter {name:?}; the model has {}", names.join(", ")),
            ));
        };
        if values.len() != p.value.len() {
            return Err(Error::coded(
                "param",
                "wrong_length",
                format!("{name} has {} values ({:?}), got {}", p.value.len(), p.shape, values.len()),
            )
            .with("expected", p.value.len() as f64)
            .with("got", values.len() as f64));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(
                Error::coded("param", "not_finite", format!("{name}[{i}] is {}", values[i])).with("index", i as f64)
            );
        }
        p.value.copy_from_slice(values);
        Ok(())
    }

    /// The BatchNorm layers with their indices.
    fn batch_norms(&self) -> impl Iterator<Item = (usize, &BatchNorm)> {
        self.layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| if let Layer::BatchNorm(b) = l { Some((i, b)) } else { None })
    }

    /// PyTorch's state_dict of the model, in its order (see the module docs).
    pub fn state_dict(&self) -> Vec<StateTensor<'_>> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for p in layer.params().into_iter().flatten() {
                out.push(StateTensor {
                    name: p.name.clone(),
                    shape: p.shape.clone(),
                    values: StateValues::F32(&p.value),
                });
            }
            if let Layer::BatchNorm(b) = layer {
                let c = b.running_mean.len();
                for (suffix, v) in [("running_mean", &b.running_mean), ("running_var", &b.running_var)] {
                    out.push(StateTensor {
                        name: format!("{i}.{suffix}"),
                        shape: vec![c],
                        values: StateValues::F32(v),
                    });
                }
                out.push(StateTensor {
                    name: format!("{i}.num_batches_tracked"),
                    shape: vec![],
                    values: StateValues::I64(b.num_batches_tracked.min(i64::MAX as u64) as i64),
                });
            }
        }
        out
    }

    /// Replaces one state_dict entry: a parameter as [`Model::set_param`], a BatchNorm's running mean or variance
    /// (same length, finite, the variance ≥ 0) or its `num_batches_tracked` (≥ 0). Param `param`; codes
    /// `unknown_parameter`, `wrong_length`, `not_finite`, `wrong_dtype`, `bad_statistic`.
    pub fn set_state(&mut self, name: &str, values: &Tensor) -> Result<()> {
        if self.param(name).is_some() {
            return match values {
                Tensor::F32(v) => self.set_param(name, v),
                Tensor::I64(_) => Err(Error::coded("param", "wrong_dtype", format!("{name} holds f32 values"))),
            };
        }
        let buffer = name.split_once('.').and_then(|(i, suffix)| Some((i.parse::<usize>().ok()?, suffix)));
        let Some((i, suffix)) = buffer.filter(|&(i, _)| matches!(self.layers.get(i), Some(Layer::BatchNorm(_)))) else {
            let names: Vec<String> = self.state_dict().into_iter().map(|t| t.name).collect();
            return Err(Error::coded(
                "param",
                "unknown_parameter",
                format!("no state {name:?}; the model has {}", names.join(", ")),
            ));
        };
        let Some(Layer::BatchNorm(b)) = self.layers.get_mut(i) else { unreachable!("checked above") };
        let bad = |message: String| Err(Error::coded("param", "bad_statistic", message));
        match (suffix, values) {
            ("num_batches_tracked", Tensor::I64(v)) => {
                if *v < 0 {
                    return bad(format!("{name} is {v}; a count of steps is at least 0"));
                }
                b.num_batches_tracked = *v as u64;
            }
            ("running_mean" | "running_var", Tensor::F32(v)) => {
                let target = if suffix == "running_mean" { &mut b.running_mean } else { &mut b.running_var };
                if v.len() != target.len() {
                    return Err(Error::coded(
                        "param",
                        "wrong_length",
                        format!("{name} has {} values, got {}", target.len(), v.len()),
                    )
                    .with("expected", target.len() as f64)
                    .with("got", v.len() as f64));
                }
                if let Some(j) = v.iter().position(|x| !x.is_finite()) {
                    return Err(
                        Error::coded("param", "not_finite", format!("{name}[{j}] is {}", v[j])).with("index", j as f64)
                    );
                }
                if suffix == "running_var"
                    && let Some(j) = v.iter().position(|&x| x < 0.0)
                {
                    return bad(format!("{name}[{j}] is {}; a variance is at least 0", v[j]));
                }
                target.copy_from_slice(v);
            }
            ("num_batches_tracked", _) => {
                return Err(Error::coded("param", "wrong_dtype", format!("{name} is an int64 scalar")));
            }
            ("running_mean" | "running_var", _) => {
                return Err(Error::coded("param", "wrong_dtype", format!("{name} holds f32 values")));
            }
            _ => {
                return Err(Error::coded("param", "unknown_parameter", format!("no state {name:?}")));
            }
        }
        Ok(())
    }

    /// All parameters (weights and biases).
    pub fn param_count(&self) -> usize {
        self.params().map(Parameter::len).sum()
    }

    /// Parameters that training updates.
    pub fn trainable_param_count(&self) -> usize {
        self.params().filter(|p| p.trainable).map(Parameter::len).sum()
    }

    /// FLOPs per example (see [`Flops`]).
    pub fn flops(&self) -> Flops {
        let forward: f64 = self.plans.iter().map(|p| 2.0 * p.macs as f64).sum();
        let mut training = forward;
        if let Some(lowest) = self.lowest_trainable() {
            for (i, p) in self.plans.iter().enumerate().skip(lowest) {
                let gemms = self.is_trainable(i) as u8 + (i > lowest) as u8;
                training += gemms as f64 * 2.0 * p.macs as f64;
            }
        }
        Flops { forward, training }
    }

    /// GEMM calls since the model was made (tests use it to see work that was skipped).
    pub fn gemm_calls(&self) -> u64 {
        self.kernels.calls
    }

    // ------------------------------------------------------------------ freezing

    /// The indices of the layers with parameters (conv, dense, bn, gn), in order.
    pub fn weight_layers(&self) -> Vec<usize> {
        (0..self.layers.len()).filter(|&i| self.layers[i].params().is_some()).collect()
    }

    /// Whether layer `i` has parameters and they are trainable.
    pub fn is_trainable(&self, i: usize) -> bool {
        self.layers.get(i).and_then(Layer::params).is_some_and(|[w, _]| w.trainable)
    }

    fn lowest_trainable(&self) -> Option<usize> {
        (0..self.layers.len()).find(|&i| self.is_trainable(i))
    }

    /// Freezes (`trainable = false`) or unfreezes layer `i` (param `freeze`; codes `no_such_layer`,
    /// `no_parameters`).
    pub fn set_trainable(&mut self, i: usize, trainable: bool) -> Result<()> {
        let count = self.layers.len();
        let Some(layer) = self.layers.get_mut(i) else {
            return Err(Error::coded(
                "freeze",
                "no_such_layer",
                format!("there is no layer {i}; the model has layers 0 … {}", count - 1),
            )
            .with("layer", i as f64)
            .with("max", (count - 1) as f64));
        };
        let Some(params) = layer.params_mut() else {
            return Err(Error::coded(
                "freeze",
                "no_parameters",
                format!("layer {i} ({}) has no parameters to freeze", self.plans[i].spec.name()),
            )
            .with("layer", i as f64));
        };
        for p in params {
            p.trainable = trainable;
        }
        Ok(())
    }

    /// Whether BatchNorm layer `i`, when frozen, still normalizes by the batch in training and updates its running
    /// statistics (`true`; its γ and β stay fixed) or uses its running statistics (`false`, the default: evaluation
    /// behaviour). A trainable BatchNorm is not affected. Param `freeze`, code `not_batchnorm` for another layer.
    pub fn set_bn_batch_stats_when_frozen(&mut self, i: usize, on: bool) -> Result<()> {
        match self.layers.get_mut(i) {
            Some(Layer::BatchNorm(b)) => {
                b.batch_stats_when_frozen = on;
                Ok(())
            }
            _ => Err(Error::coded("freeze", "not_batchnorm", format!("layer {i} is not a BatchNorm layer"))
                .with("layer", i as f64)),
        }
    }

    /// Whether layer `i` changes its state in a training forward pass (dropout, a BatchNorm on the batch's
    /// statistics): such a layer cannot be part of a cached prefix.
    fn differs_in_training(&self, i: usize) -> bool {
        match &self.layers[i] {
            Layer::BatchNorm(b) => b.uses_batch_stats(true),
            _ => matches!(self.plans[i].spec, LayerSpec::Dropout { .. }),
        }
    }

    /// Freezes exactly these layers (each must have parameters); every other layer becomes trainable.
    pub fn freeze_layers(&mut self, frozen: &[usize]) -> Result<()> {
        for &i in frozen {
            self.set_trainable(i, false)?; // checks every index before anything else changes
        }
        for i in self.weight_layers() {
            self.set_trainable(i, !frozen.contains(&i))?;
        }
        Ok(())
    }

    /// Freezes the first `k` layers with parameters (0 unfreezes all); param `k`, code `out_of_range` (with `min`,
    /// `max` = the layers with parameters, `got`).
    pub fn freeze_first(&mut self, k: usize) -> Result<()> {
        let weights = self.weight_layers();
        check_range("k", k as f64, 0.0, weights.len() as f64)?;
        self.freeze_layers(&weights[..k])
    }

    /// Freezes every layer with parameters but the last (the head), the usual fine-tuning start.
    pub fn freeze_all_but_head(&mut self) -> Result<()> {
        let k = self.weight_layers().len().saturating_sub(1);
        self.freeze_first(k)
    }

    // ------------------------------------------------------------------ optimizer

    /// A new optimizer (its state starts empty; the weights stay).
    pub fn set_optimizer(&mut self, config: OptimizerConfig) {
        self.config.optimizer = config;
        self.optimizer = Optimizer::new(config);
    }

    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    // ------------------------------------------------------------------ passes

    /// Checks a batch and makes room for it.
    fn prepare(&mut self, x: &[f32], labels: Option<&[u32]>, n: usize) -> Result<()> {
        self.prepare_at(0, x, labels, n)
    }

    /// Checks a batch of inputs to layer `start` (the model's input for 0) and makes room for it.
    fn prepare_at(&mut self, start: usize, x: &[f32], labels: Option<&[u32]>, n: usize) -> Result<()> {
        check_range("batch", n as f64, 1.0, MAX_BATCH as f64)?;
        let shape = if start == 0 { self.config.input } else { self.plans[start - 1].output };
        let per_example = shape.len();
        if x.len() != n * per_example {
            return Err(Error::coded(
                "x",
                "wrong_length",
                format!("{n} examples of {shape} need {} values, got {}", n * per_example, x.len()),
            )
            .with("expected", (n * per_example) as f64)
            .with("got", x.len() as f64));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::coded("x", "not_finite", format!("input value {i} is {}", x[i])).with("index", i as f64));
        }
        if let Some(labels) = labels {
            if labels.len() != n {
                return Err(Error::coded(
                    "labels",
                    "wrong_length",
                    format!("{n} examples need {n} labels, got {}", labels.len()),
                )
                .with("expected", n as f64)
                .with("got", labels.len() as f64));
            }
            let classes = self.classes();
            if let Some(i) = labels.iter().position(|&l| l as usize >= classes) {
                return Err(Error::coded(
                    "labels",
                    "label_out_of_range",
                    format!("label {i} is {}, but the model has {classes} classes (0 … {})", labels[i], classes - 1),
                )
                .with("index", i as f64)
                .with("got", labels[i] as f64)
                .with("classes", classes as f64));
            }
        }
        self.reserve(n)
    }

    /// Grows the activation buffers to hold a batch of `n` (params `batch`, code `batch_too_large`).
    fn reserve(&mut self, n: usize) -> Result<()> {
        if n <= self.capacity {
            return Ok(());
        }
        let per_example: usize =
            self.config.input.len() + self.plans.iter().map(|p| p.output.len() + p.scratch).sum::<usize>();
        if n.saturating_mul(per_example) > MAX_STEP_VALUES {
            let max = (MAX_STEP_VALUES / per_example).max(1);
            return Err(Error::coded(
                "batch",
                "batch_too_large",
                format!(
                    "a batch of {n} needs {} values for this model; at most {max} examples per batch",
                    n * per_example
                ),
            )
            .with("got", n as f64)
            .with("max", max as f64));
        }
        let sizes = std::iter::once(self.config.input.len()).chain(self.plans.iter().map(|p| p.output.len()));
        let widest = sizes.clone().max().unwrap_or(0);
        for (buf, size) in self.acts.iter_mut().zip(sizes) {
            buf.resize(n * size, 0.0);
        }
        self.grad_out.resize(n * widest, 0.0);
        self.grad_in.resize(n * widest, 0.0);
        self.capacity = n;
        Ok(())
    }

    /// Every layer forward on the (checked, reserved) batch; the logits end up in the last activation buffer.
    fn run_forward(&mut self, x: &[f32], n: usize, train: bool) {
        self.run_forward_range(0, self.layers.len(), x, n, train);
    }

    /// Layers `start..end` forward on a (checked, reserved) batch of inputs to layer `start`; the output of layer
    /// `end − 1` ends up in `acts[end]`.
    fn run_forward_range(&mut self, start: usize, end: usize, x: &[f32], n: usize, train: bool) {
        self.last_batch = n;
        self.last_train = train;
        self.acts[start][..x.len()].copy_from_slice(x);
        let mut i = start;
        while i < end {
            let (inp, out) = (self.plans[i].input.len(), self.plans[i].output.len());
            if train && i + 1 < end && relu_fuses_with_pool(&self.layers, i) {
                // ReLU and max pooling in one pass: from the ReLU's input to the pooling's output.
                let (below, above) = self.acts.split_at_mut(i + 2);
                let pooled = n * self.plans[i + 1].output.len();
                let Layer::MaxPool(pool) = &mut self.layers[i + 1] else { unreachable!("checked by the fusion") };
                pool.relu_max_forward(&below[i][..n * inp], &mut above[0][..pooled], n);
                i += 2;
                continue;
            }
            let (below, above) = self.acts.split_at_mut(i + 1);
            let layer = &mut self.layers[i];
            layer.forward(&mut self.kernels, &below[i][..n * inp], &mut above[0][..n * out], n, train, &mut self.rng);
            i += 1;
        }
    }

    /// The output of layer `i` (0-based) in the last forward pass, `n × C×H×W` (NCHW) for that pass's batch of n:
    /// per-layer activation statistics for the Train panel. `None` before any pass or past the last layer, and after
    /// a training step for a ReLU below max pooling (the step runs the two fused and never writes the ReLU's output;
    /// [`Model::forward`] gives every layer's).
    pub fn layer_output(&self, i: usize) -> Option<&[f32]> {
        let len = self.plans.get(i)?.output.len();
        if self.last_train && relu_fuses_with_pool(&self.layers, i) {
            return None;
        }
        (self.last_batch > 0).then(|| &self.acts[i + 1][..self.last_batch * len])
    }

    fn logits(&self, n: usize) -> &[f32] {
        &self.acts[self.layers.len()][..n * self.classes()]
    }

    /// Forward (training mode: dropout active, BatchNorm on the batch's statistics unless frozen; a BatchNorm channel
    /// with one value is refused: param `batch`, code `one_value_per_channel`), loss, and backward: the gradients of every trainable parameter,
    /// down to the lowest trainable layer. Returns the mean loss. Parameters do not change.
    pub fn compute_gradients(&mut self, x: &[f32], labels: &[u32], n: usize) -> Result<f32> {
        self.compute_gradients_from(0, x, labels, n)
    }

    /// [`Model::compute_gradients`] from the inputs of layer `start` (the outputs of layer `start − 1`): layers
    /// below `start` are not run, so every layer with parameters below it must be frozen (param `start`, code
    /// `trainable_below_start`), and none of them may be dropout in training.
    fn compute_gradients_from(&mut self, start: usize, x: &[f32], labels: &[u32], n: usize) -> Result<f32> {
        if let Some(lowest) = self.lowest_trainable().filter(|&l| l < start) {
            return Err(Error::coded(
                "start",
                "trainable_below_start",
                format!("layer {lowest} trains, so the pass cannot start above it at layer {start}"),
            )
            .with("layer", lowest as f64)
            .with("start", start as f64));
        }
        self.prepare_at(start, x, Some(labels), n)?;
        for (i, layer) in self.layers.iter().enumerate().skip(start) {
            layer.check_batch(n, true, i)?;
        }
        self.run_forward_range(start, self.layers.len(), x, n, true);
        let classes = self.classes();
        let last = self.layers.len();
        let loss = softmax_cross_entropy(
            &self.acts[last][..n * classes],
            labels,
            classes,
            Some(&mut self.grad_out[..n * classes]),
        );
        let Some(lowest) = self.lowest_trainable() else { return Ok(loss as f32) };
        let mut i = last;
        while i > lowest {
            i -= 1;
            let (inp, out) = (self.plans[i].input.len(), self.plans[i].output.len());
            if i > lowest + 1 && relu_fuses_with_pool(&self.layers, i - 1) {
                // The fused forward's backward: max pooling then ReLU in one pass, into the ReLU's input gradient.
                let z = n * self.plans[i - 1].input.len();
                let Layer::MaxPool(pool) = &self.layers[i] else { unreachable!("checked by the fusion") };
                pool.relu_max_backward(&self.acts[i - 1][..z], &self.grad_out[..n * out], &mut self.grad_in[..z], n);
                std::mem::swap(&mut self.grad_out, &mut self.grad_in);
                i -= 1;
                continue;
            }
            let wants = Wants { params: self.is_trainable(i), input: i > lowest };
            self.layers[i].backward(
                &mut self.kernels,
                &self.acts[i][..n * inp],
                &self.grad_out[..n * out],
                &mut self.grad_in[..n * inp],
                n,
                wants,
            );
            std::mem::swap(&mut self.grad_out, &mut self.grad_in);
        }
        Ok(loss as f32)
    }

    /// One training step on a batch: gradients, then the optimizer's update of the trainable parameters. Returns
    /// the batch's mean loss before the update.
    pub fn train_step(&mut self, x: &[f32], labels: &[u32], n: usize) -> Result<f32> {
        self.train_step_from(0, x, labels, n)
    }

    /// [`Model::train_step`] on the inputs of layer `start`, e.g. a frozen prefix's cached outputs
    /// ([`Model::prefix_outputs`]): the same numbers as the full step on the images they came from, since frozen
    /// layers without dropout compute the same in training and evaluation. Layers with parameters below `start`
    /// must be frozen (param `start`, code `trainable_below_start`) and there must be no dropout below `start`
    /// (code `dropout_below_start`).
    pub fn train_step_from(&mut self, start: usize, x: &[f32], labels: &[u32], n: usize) -> Result<f32> {
        self.check_prefix(start)?;
        let loss = self.compute_gradients_from(start, x, labels, n)?;
        let optimizer = &mut self.optimizer;
        optimizer.step(self.layers.iter_mut().filter_map(Layer::params_mut).flatten());
        Ok(loss)
    }

    /// The layers below the lowest trainable one when that prefix can be cached: no dropout in it (dropout
    /// differs between training and evaluation). 0 when nothing is frozen at the bottom or nothing trains. A frozen
    /// BatchNorm on the batch's statistics ([`Model::set_bn_batch_stats_when_frozen`]) ends the prefix before it.
    pub fn frozen_prefix(&self) -> usize {
        let Some(lowest) = self.lowest_trainable() else { return 0 };
        if self.plans[..lowest].iter().any(|p| matches!(p.spec, LayerSpec::Dropout { .. })) {
            return 0;
        }
        (0..lowest).find(|&i| self.differs_in_training(i)).unwrap_or(lowest)
    }

    fn check_prefix(&self, start: usize) -> Result<()> {
        check_range("start", start as f64, 0.0, self.layers.len() as f64)?;
        if let Some(i) = self.plans[..start].iter().position(|p| matches!(p.spec, LayerSpec::Dropout { .. })) {
            return Err(Error::coded("start", "dropout_below_start", format!("layer {i} is dropout"))
                .with("layer", i as f64)
                .with("start", start as f64));
        }
        if let Some(i) = (0..start).find(|&i| self.differs_in_training(i)) {
            return Err(Error::coded(
                "start",
                "batch_stats_below_start",
                format!("layer {i} is a BatchNorm on the batch"),
            )
            .with("layer", i as f64)
            .with("start", start as f64));
        }
        Ok(())
    }

    /// The outputs of layer `end − 1` (the inputs of layer `end`) for a batch of images, in evaluation mode:
    /// `n × (that layer's output)` values, valid until the next pass. `end` = 0 gives the images themselves.
    pub fn prefix_outputs(&mut self, x: &[f32], n: usize, end: usize) -> Result<&[f32]> {
        check_range("start", end as f64, 0.0, self.layers.len() as f64)?;
        self.prepare(x, None, n)?;
        self.run_forward_range(0, end, x, n, false);
        let len = if end == 0 { self.config.input.len() } else { self.plans[end - 1].output.len() };
        Ok(&self.acts[end][..n * len])
    }

    /// One example's values at the input of layer `start` (the image size for 0).
    pub fn input_len_at(&self, start: usize) -> usize {
        match start {
            0 => self.config.input.len(),
            s => self.plans.get(s - 1).map_or(0, |p| p.output.len()),
        }
    }

    /// Logits (`n × classes`) of a batch in evaluation mode (dropout off, BatchNorm on its running statistics);
    /// valid until the next pass.
    pub fn forward(&mut self, x: &[f32], n: usize) -> Result<&[f32]> {
        self.prepare(x, None, n)?;
        self.run_forward(x, n, false);
        Ok(self.logits(n))
    }

    /// Logits (`n × classes`) of a batch in evaluation mode, the same bits as [`Model::forward`], by the path built
    /// for inference: a convolution or dense layer followed by ReLU is one GEMM with the bias and ReLU in its
    /// epilogue, a convolution followed by max pooling (ReLU between or not) pools each example's output while it is
    /// in cache, max pooling keeps no indices, flatten and dropout copy nothing. Only the logits are kept:
    /// [`Model::layer_output`] is `None` after it (`forward` gives every layer's output, for activation maps).
    /// Valid until the next pass.
    pub fn infer(&mut self, x: &[f32], n: usize) -> Result<&[f32]> {
        self.prepare(x, None, n)?;
        let at = self.run_infer(0, x, n);
        Ok(&self.acts[at][..n * self.classes()])
    }

    /// Layers `start..` in inference mode (see [`Model::infer`]) on a checked, reserved batch of inputs to layer
    /// `start`; returns the index of the buffer in `acts` that holds the output of the last layer.
    fn run_infer(&mut self, start: usize, x: &[f32], n: usize) -> usize {
        self.last_batch = 0;
        let end = self.layers.len();
        // The buffer holding the current values (None: x itself).
        let mut cur: Option<usize> = None;
        let mut i = start;
        while i < end {
            if matches!(self.layers[i], Layer::Flatten | Layer::Dropout(_)) {
                i += 1; // the same values, in the same order
                continue;
            }
            let weighted = matches!(self.layers[i], Layer::Conv(_) | Layer::Dense(_));
            let relu = weighted && matches!(self.layers.get(i + 1), Some(Layer::Act(Activation::Relu)));
            let after = i + 1 + relu as usize;
            let pooled =
                matches!(self.layers[i], Layer::Conv(_)) && matches!(self.layers.get(after), Some(Layer::MaxPool(_)));
            let next = after + pooled as usize;
            let inp = n * self.plans[i].input.len();
            let out = n * self.plans[next - 1].output.len();
            // acts[i + 1] is free as scratch when the result goes further up.
            let (below, above) = self.acts.split_at_mut(i + 1);
            let (scratch, rest) = above.split_at_mut(next - i - 1);
            let y = &mut rest[0];
            let x_in: &[f32] = match cur {
                None => &x[..inp],
                Some(c) => &below[c][..inp],
            };
            let scratch: &mut [f32] = scratch.first_mut().map_or(&mut [], |s| &mut s[..]);
            let (layer, upper) = self.layers.split_at_mut(i + 1);
            let pool = if pooled { upper.get(after - i - 1) } else { None };
            layer[i].infer(&mut self.kernels, x_in, &mut y[..out], n, relu, pool, scratch, &mut self.rng);
            cur = Some(next);
            i = next;
        }
        match cur {
            Some(c) => c,
            None => {
                self.acts[end][..x.len()].copy_from_slice(x);
                end
            }
        }
    }

    /// Mean loss and accuracy over `n` examples in evaluation mode, in batches of [`EVAL_BATCH`].
    pub fn evaluate(&mut self, x: &[f32], labels: &[u32], n: usize) -> Result<Evaluation> {
        self.evaluate_from(0, x, labels, n)
    }

    /// [`Model::evaluate`] on the inputs of layer `start` ([`Model::prefix_outputs`] of the images).
    pub fn evaluate_from(&mut self, layer: usize, x: &[f32], labels: &[u32], n: usize) -> Result<Evaluation> {
        check_range("start", layer as f64, 0.0, self.layers.len() as f64)?;
        let per = self.input_len_at(layer);
        if x.len() != n * per || labels.len() != n || n == 0 {
            // The batch checks give the precise message.
            self.prepare_at(layer, x, Some(labels), n)?;
        }
        let (mut loss, mut correct) = (0.0, 0);
        let classes = self.classes();
        for start in (0..n).step_by(EVAL_BATCH) {
            let m = EVAL_BATCH.min(n - start);
            let (xb, yb) = (&x[start * per..(start + m) * per], &labels[start..start + m]);
            self.prepare_at(layer, xb, Some(yb), m)?;
            let at = self.run_infer(layer, xb, m);
            let logits = &self.acts[at][..m * classes];
            loss += softmax_cross_entropy(logits, yb, classes, None) * m as f64;
            correct += logits.chunks_exact(classes).zip(yb).filter(|(row, y)| argmax(row) == **y as usize).count();
        }
        Ok(Evaluation { loss: loss / n as f64, accuracy: correct as f64 / n as f64, correct, n })
    }

    // ------------------------------------------------------------------ snapshots

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            spec: self.config.spec.clone(),
            input: self.config.input,
            values: self.params().map(|p| p.value.clone()).collect(),
            stats: self
                .batch_norms()
                .map(|(_, b)| (b.running_mean.clone(), b.running_var.clone(), b.num_batches_tracked))
                .collect(),
            trainable: self.params().map(|p| p.trainable).collect(),
            optimizer: self.optimizer.clone(),
            rng: self.rng.clone(),
        }
    }

    /// Returns to a snapshot of a model with the same spec and input (param `snapshot`, code
    /// `snapshot_mismatch`).
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<()> {
        if snapshot.spec != self.config.spec || snapshot.input != self.config.input {
            return Err(Error::coded(
                "snapshot",
                "snapshot_mismatch",
                format!(
                    "the snapshot is of {} on {}, this model is {} on {}",
                    snapshot.spec, snapshot.input, self.config.spec, self.config.input
                ),
            ));
        }
        for ((p, v), &t) in self.params_mut().zip(&snapshot.values).zip(&snapshot.trainable) {
            p.value.copy_from_slice(v);
            p.trainable = t;
        }
        let norms = self.layers.iter_mut().filter_map(|l| if let Layer::BatchNorm(b) = l { Some(b) } else { None });
        for (b, (mean, var, tracked)) in norms.zip(&snapshot.stats) {
            b.running_mean.copy_from_slice(mean);
            b.running_var.copy_from_slice(var);
            b.num_batches_tracked = *tracked;
        }
        self.config.optimizer = *snapshot.optimizer.config();
        self.optimizer = snapshot.optimizer.clone();
        self.rng = snapshot.rng.clone();
        Ok(())
    }
}
