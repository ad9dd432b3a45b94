//! Per-layer activation and gradient statistics of a deep fully-connected net (vanishing/exploding signals).
//!
//! The net: input X (batch × width) drawn from N(0, 1), then `depth` layers `Y_l = f(Y_{l-1} · W_l)`, each W_l a
//! width × width matrix (stored in × out, row-major) drawn from the chosen initializer, no biases. The backward pass
//! starts from an upstream gradient dL/dY_depth drawn i.i.d. from N(0, 1), i.e. the loss L = sum(Y_depth ⊙ G).
//!
//! The work is streamed one layer per call ([`Probe::forward_layer`], then [`Probe::backward_layer`]) so a worker can
//! post each layer as soon as it is done and check for cancellation in between.
//!
//! Overflow is a result, not an error: with ReLU and N(0, 1) weights the activations reach inf (then NaN) in f32,
//! and the statistics say so (inf/NaN); histograms count non-finite values separately. Nothing here panics on it.
//!
//! With `norm = bn` every layer is `Y_l = f(BN(Y_{l-1} · W_l))`: BatchNorm per feature over the batch (training
//! mode, the batch's mean and biased variance, γ = 1, β = 0; [`crate::nn::norm::BatchNorm`]) before the activation,
//! so the pre-activations have unit scale whatever the weights' scale; the weight gradients then scale as 1/σ_W.
//!
//! Random draws, in order, from one Xoshiro256++ stream seeded with `seed`: X, then W_1 … W_depth (each when its
//! layer is computed), then G (at the first backward step). The same config gives bit-identical results.

use crate::error::{Error, Result, check_range};
use crate::init::{Fans, InitConfig, ResolvedInit, Scheme};
/// The probe's name for the one activation type of the core (see [`crate::nn::activation`]).
pub use crate::nn::activation::{Activation, Saturation, saturated_fraction};
use crate::nn::activation::{GELU_MIN, SELU_ALPHA, SELU_LAMBDA};
use crate::nn::kernels::{Gemm, Transpose};
use crate::nn::layer::Wants;
use crate::nn::norm::BatchNorm;
use crate::rng::{Rng, seeded};
use crate::stats::{Histogram, moments};
use rand_distr::{Distribution, StandardNormal};

pub const MAX_DEPTH: usize = 50;
pub const MAX_WIDTH: usize = 1000;
pub const MIN_WIDTH: usize = 10;
pub const MAX_BATCH: usize = 2000;
/// Bins of every layer's activation histogram.
pub const HIST_BINS: usize = 40;

/// The histogram range shared by all layers: the activation's image where it is bounded (tanh [−1, 1],
/// sigmoid [0, 1]); otherwise mean ± 4 std of the FIRST layer, cut at the activation's minimum (0 for ReLU,
/// −λα for SELU, −0.17 for GELU). Later layers that outgrow it show up in `Histogram::above`/`below`.
/// A first layer without spread (zeros init) or with overflow falls back to a unit range.
pub fn histogram_range(act: Activation, first_mean: f64, first_std: f64) -> (f64, f64) {
    let floor = match act {
        Activation::Tanh => return (-1.0, 1.0),
        Activation::Sigmoid => return (0.0, 1.0),
        Activation::Relu => 0.0,
        Activation::Selu => -(SELU_LAMBDA as f64 * SELU_ALPHA as f64),
        Activation::Gelu => GELU_MIN,
        Activation::LeakyRelu | Activation::Linear => f64::NEG_INFINITY,
    };
    let lo = (first_mean - 4.0 * first_std).max(floor);
    let hi = first_mean + 4.0 * first_std;
    if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else if floor == 0.0 {
        (0.0, 1.0)
    } else {
        (-1.0, 1.0)
    }
}

/// Normalization before each activation (the `norm` URL parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProbeNorm {
    #[default]
    None,
    /// BatchNorm per feature over the batch (needs a batch of at least 2).
    Bn,
}

impl ProbeNorm {
    pub const ALL: [ProbeNorm; 2] = [ProbeNorm::None, ProbeNorm::Bn];

    pub fn name(self) -> &'static str {
        match self {
            ProbeNorm::None => "none",
            ProbeNorm::Bn => "bn",
        }
    }

    /// `none` or `bn` (param `norm`, code `unknown_value`).
    pub fn parse(text: &str) -> Result<ProbeNorm> {
        ProbeNorm::ALL.into_iter().find(|n| n.name() == text).ok_or_else(|| {
            Error::coded("norm", "unknown_value", format!("norm must be none or bn, got {}", crate::error::quote(text)))
        })
    }
}

/// Everything that defines a probe run; the fields are the URL parameters (`depth`, `width`, `batch`, `act`,
/// `init` with its own parameters, `seed`, `norm`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeConfig {
    pub depth: usize,
    pub width: usize,
    pub batch: usize,
    pub act: Activation,
    pub init: InitConfig,
    pub seed: u64,
    pub norm: ProbeNorm,
}

impl Default for ProbeConfig {
    /// The panel's default: 10 tanh layers of width 500, batch 500, Xavier normal.
    fn default() -> Self {
        ProbeConfig {
            depth: 10,
            width: 500,
            batch: 500,
            act: Activation::Tanh,
            init: InitConfig::new(Scheme::XavierNormal),
            seed: 0,
            norm: ProbeNorm::None,
        }
    }
}

impl ProbeConfig {
    /// Checks every number; the error names the URL parameter and its limits.
    pub fn validate(&self) -> Result<()> {
        check_range("depth", self.depth as f64, 1.0, MAX_DEPTH as f64)?;
        check_range("width", self.width as f64, MIN_WIDTH as f64, MAX_WIDTH as f64)?;
        // BatchNorm over a batch of 1 has no variance (PyTorch refuses it too).
        let min_batch = if self.norm == ProbeNorm::Bn { 2.0 } else { 1.0 };
        check_range("batch", self.batch as f64, min_batch, MAX_BATCH as f64)?;
        self.init_spec().map(|_| ())
    }

    /// The initializer resolved for a width × width dense layer (fan_in = fan_out = width).
    pub fn init_spec(&self) -> Result<ResolvedInit> {
        self.init.resolve(Fans { fan_in: self.width, fan_out: self.width })
    }

    /// FLOPs of the forward pass: one batch × width × width GEMM per layer, 2·batch·width²·depth.
    pub fn forward_flops(&self) -> f64 {
        2.0 * self.batch as f64 * (self.width as f64).powi(2) * self.depth as f64
    }

    /// FLOPs of the backward pass: dL/dW and dL/dX per layer, twice the forward (GELU or BatchNorm recompute the
    /// pre-activations: three times).
    pub fn backward_flops(&self) -> f64 {
        let gemms = if self.act == Activation::Gelu || self.norm == ProbeNorm::Bn { 3.0 } else { 2.0 };
        gemms * self.forward_flops()
    }

    /// The memory the probe allocates: input, every layer's output and weights, and four gradient buffers (with
    /// BatchNorm, a pre-activation buffer and per layer 8 values per feature more).
    pub fn memory_bytes(&self) -> u64 {
        let (d, w, b) = (self.depth as u64, self.width as u64, self.batch as u64);
        let norm = if self.norm == ProbeNorm::Bn { b * w + 8 * w * d } else { 0 };
        4 * (b * w * (d + 1) + w * w * d + 3 * b * w + w * w + norm)
    }
}

/// Forward statistics of one layer's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerForward {
    /// 1-based layer number.
    pub layer: usize,
    pub mean: f64,
    pub std: f64,
    /// Fraction of the batch's values that are saturated / zero / negative (see [`Activation::saturation`]; for ReLU: the
    /// units inactive for that sample), `None` if the activation has no such notion.
    pub saturated: Option<f64>,
    /// ReLU only: the fraction of units that are 0 for every sample of the batch (dead; [`crate::signal::dead_fraction`]).
    pub dead: Option<f64>,
    /// Over the range shared by all layers ([`histogram_range`]), [`HIST_BINS`] bins.
    pub histogram: Histogram,
}

/// Backward statistics of one layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerBackward {
    /// 1-based layer number.
    pub layer: usize,
    /// Std of dL/dY_l, the gradient with respect to this layer's output (its activations).
    pub grad_x_std: f64,
    /// Std of dL/dW_l.
    pub grad_w_std: f64,
}

/// A probe run in progress. Every buffer's memory is reserved once in [`Probe::new`] (so a missing gigabyte is an
/// error there, not a trap later) but written only when needed: each layer's weights and outputs when that layer is
/// computed, the gradient buffers at the first backward step. Nothing is zero-filled up front, which kept the
/// default probe's first layer waiting for 25 MB of memset; the layer steps never reallocate (apart from each
/// layer's small histogram).
pub struct Probe {
    cfg: ProbeConfig,
    spec: ResolvedInit,
    rng: Rng,
    gemm: Gemm,
    /// X, batch × width.
    input: Vec<f32>,
    /// W_1 … W_l of the layers done forward, each width × width (in × out); capacity for all.
    weights: Vec<f32>,
    /// Y_1 … Y_l of the layers done forward, each batch × width; capacity for all.
    outputs: Vec<f32>,
    /// dL/dY of the layer being processed (after its step: of its input); batch × width (empty before the first
    /// backward step, as are the three below).
    grad_y: Vec<f32>,
    /// dL/dZ (pre-activation gradient) of the layer being processed; batch × width.
    grad_z: Vec<f32>,
    /// dL/dW of the last layer processed backward; width × width.
    grad_w: Vec<f32>,
    /// G, the upstream gradient dL/dY_depth; batch × width.
    upstream: Vec<f32>,
    /// With `norm = bn`: each layer's BatchNorm (its batch statistics), and Z = X·W of the layer being processed.
    norms: Vec<BatchNorm>,
    pre: Vec<f32>,
    range: Option<(f64, f64)>,
    /// Layers done forward (0..=depth).
    forward_done: usize,
    /// Layers done backward (0..=depth).
    backward_done: usize,
}

/// An empty buffer with room for `len` values (reserved, not written), or an error naming what to reduce if the
/// memory is not there (a wasm tab has at most 4 GB).
fn buffer(len: usize, cfg: &ProbeConfig) -> Result<Vec<f32>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        Error::invalid(
            "depth",
            format!(
                "the probe needs {} MB and the memory is not available; reduce depth, width or batch",
                cfg.memory_bytes() / 1_000_000
            ),
        )
    })?;
    Ok(v)
}

impl Probe {
    /// Validates the config, reserves every buffer and draws the input. No layer is computed yet.
    pub fn new(cfg: ProbeConfig) -> Result<Probe> {
        cfg.validate()?;
        let spec = cfg.init_spec()?;
        let (d, w, b) = (cfg.depth, cfg.width, cfg.batch);
        let mut rng = seeded(cfg.seed);
        let mut input = buffer(b * w, &cfg)?;
        input.extend((0..b * w).map(|_| standard_normal(&mut rng)));
        Ok(Probe {
            spec,
            rng,
            gemm: Gemm::new(),
            input,
            weights: buffer(d * w * w, &cfg)?,
            outputs: buffer(d * b * w, &cfg)?,
            grad_y: buffer(b * w, &cfg)?,
            grad_z: buffer(b * w, &cfg)?,
            grad_w: buffer(w * w, &cfg)?,
            upstream: buffer(b * w, &cfg)?,
            norms: match cfg.norm {
                ProbeNorm::None => Vec::new(),
                ProbeNorm::Bn => (0..d).map(|l| BatchNorm::new(w, 1, l)).collect(),
            },
            pre: if cfg.norm == ProbeNorm::Bn { buffer(b * w, &cfg)? } else { Vec::new() },
            range: None,
            forward_done: 0,
            backward_done: 0,
            cfg,
        })
    }

    pub fn config(&self) -> &ProbeConfig {
        &self.cfg
    }

    /// The next layer forward: draws its weights, multiplies, applies the activation and summarizes.
    /// `None` once all layers are done.
    pub fn forward_layer(&mut self) -> Option<LayerForward> {
        if self.forward_done == self.cfg.depth {
            return None;
        }
        let (w, b, l) = (self.cfg.width, self.cfg.batch, self.forward_done);
        // Within the capacity reserved in `new`: no reallocation. The zeros are overwritten at once (by the draws and
        // by the GEMM) while they are still in the cache.
        self.weights.resize((l + 1) * w * w, 0.0);
        self.outputs.resize((l + 1) * b * w, 0.0);
        if l == 0 && !self.norms.is_empty() {
            self.pre.resize(b * w, 0.0);
        }
        let weights = &mut self.weights[l * w * w..(l + 1) * w * w];
        self.spec.fill(weights, &mut self.rng);
        let (before, rest) = self.outputs.split_at_mut(l * b * w);
        let x = if l == 0 { &self.input[..] } else { &before[(l - 1) * b * w..] };
        let y = &mut rest[..b * w];
        if let Some(bn) = self.norms.get_mut(l) {
            self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, &mut self.pre);
            bn.forward(&self.pre, y, b, true);
        } else {
            self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, y);
        }
        let act = self.cfg.act;
        act.apply(y);
        let m = moments(y);
        let (lo, hi) = *self.range.get_or_insert_with(|| histogram_range(act, m.mean, m.std));
        self.forward_done += 1;
        Some(LayerForward {
            layer: l + 1,
            mean: m.mean,
            std: m.std,
            saturated: saturated_fraction(act, y),
            dead: (act == Activation::Relu).then(|| crate::signal::dead_fraction(y, b, w)),
            histogram: Histogram::new(y, lo, hi, HIST_BINS),
        })
    }

    /// The next layer backward, from the last layer to the first. `None` until the forward pass is complete,
    /// and once every layer is done. The first call draws the upstream gradient G.
    pub fn backward_layer(&mut self) -> Option<LayerBackward> {
        let depth = self.cfg.depth;
        if self.forward_done < depth || self.backward_done == depth {
            return None;
        }
        let (w, b) = (self.cfg.width, self.cfg.batch);
        if self.backward_done == 0 {
            // Drawn here, after every weight, so the forward pass draws the same numbers with or without it.
            let rng = &mut self.rng;
            self.upstream.extend((0..b * w).map(|_| standard_normal(rng)));
            self.grad_y.extend_from_slice(&self.upstream);
            self.grad_z.resize(b * w, 0.0);
            self.grad_w.resize(w * w, 0.0);
        }
        let l = depth - 1 - self.backward_done; // 0-based layer index
        let grad_x_std = moments(&self.grad_y).std;
        let x = if l == 0 { &self.input[..] } else { &self.outputs[(l - 1) * b * w..l * b * w] };
        let y = &self.outputs[l * b * w..(l + 1) * b * w];
        let weights = &self.weights[l * w * w..(l + 1) * w * w];
        let act = self.cfg.act;
        if let Some(bn) = self.norms.get_mut(l) {
            // Z = X·W again (not kept), then dL/dẐ = dL/dY ⊙ f'(Ẑ) with Ẑ = BN(Z), then dL/dZ through BN (into
            // grad_y, free by then; the buffers swap so grad_z holds it).
            self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, &mut self.pre);
            if act == Activation::Gelu {
                bn.forward(&self.pre, &mut self.grad_z, b, true); // the same batch statistics as the forward pass
                for (gz, &gy) in self.grad_z.iter_mut().zip(&self.grad_y) {
                    *gz = gy * Activation::Gelu.derivative(*gz);
                }
            } else {
                for ((gz, &gy), &y) in self.grad_z.iter_mut().zip(&self.grad_y).zip(y) {
                    *gz = gy * act.derivative_from_output(y);
                }
            }
            bn.backward(&self.pre, &self.grad_z, &mut self.grad_y, b, Wants { params: false, input: true });
            std::mem::swap(&mut self.grad_y, &mut self.grad_z);
        } else if act == Activation::Gelu {
            // dL/dZ = dL/dY ⊙ f'(Z)
            self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, &mut self.grad_z);
            for (gz, &gy) in self.grad_z.iter_mut().zip(&self.grad_y) {
                *gz = gy * Activation::Gelu.derivative(*gz);
            }
        } else {
            for ((gz, &gy), &y) in self.grad_z.iter_mut().zip(&self.grad_y).zip(y) {
                *gz = gy * act.derivative_from_output(y);
            }
        }
        // dL/dW = Xᵀ · dL/dZ  (width × width);  dL/dX = dL/dZ · Wᵀ  (batch × width)
        self.gemm.run(Transpose::Yes, Transpose::No, w, b, w, x, &self.grad_z, &mut self.grad_w);
        self.gemm.run(Transpose::No, Transpose::Yes, b, w, w, &self.grad_z, weights, &mut self.grad_y);
        self.backward_done += 1;
        Some(LayerBackward { layer: l + 1, grad_x_std, grad_w_std: moments(&self.grad_w).std })
    }

    /// Runs whatever is left: every remaining forward layer, then every remaining backward layer.
    pub fn run_to_end(&mut self) -> (Vec<LayerForward>, Vec<LayerBackward>) {
        let forward = std::iter::from_fn(|| self.forward_layer()).collect();
        let backward = std::iter::from_fn(|| self.backward_layer()).collect();
        (forward, backward)
    }

    /// Layers done so far, forward and backward.
    pub fn progress(&self) -> (usize, usize) {
        (self.forward_done, self.backward_done)
    }

    /// The shared histogram range, known once the first layer is done.
    pub fn histogram_range(&self) -> Option<(f64, f64)> {
        self.range
    }

    /// X, batch × width, row-major.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// W_layer (1-based), width × width stored in × out (Y = X · W); empty until that layer ran forward.
    pub fn weights(&self, layer: usize) -> &[f32] {
        let w = self.cfg.width;
        let l = layer.clamp(1, self.cfg.depth) - 1;
        self.weights.get(l * w * w..(l + 1) * w * w).unwrap_or(&[])
    }

    /// Y_layer (1-based), batch × width; empty until that layer ran forward.
    pub fn outputs(&self, layer: usize) -> &[f32] {
        let (w, b) = (self.cfg.width, self.cfg.batch);
        let l = layer.clamp(1, self.cfg.depth) - 1;
        self.outputs.get(l * b * w..(l + 1) * b * w).unwrap_or(&[])
    }

    /// G = dL/dY_depth, batch × width; empty before the first backward step.
    pub fn upstream(&self) -> &[f32] {
        &self.upstream
    }

    /// dL/dW of the layer the last `backward_layer` call returned, width × width (in × out); empty before.
    pub fn weight_grad(&self) -> &[f32] {
        &self.grad_w
    }

    /// dL/d(input) of the layer the last `backward_layer` call returned, batch × width;
    /// after layer 1 it is dL/dX. Empty before the first backward step.
    pub fn input_grad(&self) -> &[f32] {
        &self.grad_y
    }
}

fn standard_normal(rng: &mut Rng) -> f32 {
    StandardNormal.sample(rng)
}
