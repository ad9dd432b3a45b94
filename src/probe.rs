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
//! Random draws, in order, from one Xoshiro256++ stream seeded with `seed`: X, then W_1 … W_depth (each when its
//! layer is computed), then G (at the first backward step). The same config gives bit-identical results.

use crate::error::{Error, Result, check_range};
use crate::init::{Fans, InitConfig, InitSpec, Scheme};
use crate::nn::kernels::{Gemm, Transpose};
use crate::rng::{Rng, seeded};
use crate::stats::{Histogram, moments};
use rand_distr::{Distribution, StandardNormal};

pub const MAX_DEPTH: usize = 50;
pub const MAX_WIDTH: usize = 1000;
pub const MIN_WIDTH: usize = 10;
pub const MAX_BATCH: usize = 2000;
/// Bins of every layer's activation histogram.
pub const HIST_BINS: usize = 40;
/// Negative slope of leaky_relu (PyTorch's default).
pub const LEAKY_SLOPE: f32 = 0.01;
/// SELU constants (Klambauer et al. 2017, as in torch.nn.SELU).
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_LAMBDA: f32 = 1.050_701;
/// The minimum of GELU (tanh form), about −0.17 at z ≈ −0.75: the lower end of its histograms.
const GELU_MIN: f64 = -0.17;
/// √(2/π), of the tanh form of GELU.
const GELU_C: f32 = 0.797_884_6;

/// The activation of every layer of the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Tanh,
    Sigmoid,
    Relu,
    LeakyRelu,
    Linear,
    Selu,
    /// GELU in its tanh approximation (`torch.nn.GELU(approximate='tanh')`):
    /// 0.5 z (1 + tanh(√(2/π) (z + 0.044715 z³))).
    Gelu,
}

/// What the `saturated` column counts for an activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saturation {
    /// tanh: |y| > 0.99; sigmoid: y outside [0.01, 0.99].
    Saturated,
    /// ReLU: y == 0 (this unit passes no gradient for this example).
    Dead,
    /// Leaky ReLU: y < 0 (on the slope-0.01 side; it still passes a small gradient).
    Negative,
}

impl Saturation {
    pub fn name(self) -> &'static str {
        match self {
            Saturation::Saturated => "saturated",
            Saturation::Dead => "dead",
            Saturation::Negative => "negative",
        }
    }
}

impl Act {
    pub const ALL: [Act; 7] = [Act::Tanh, Act::Sigmoid, Act::Relu, Act::LeakyRelu, Act::Linear, Act::Selu, Act::Gelu];

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            Act::Tanh => "tanh",
            Act::Sigmoid => "sigmoid",
            Act::Relu => "relu",
            Act::LeakyRelu => "leaky_relu",
            Act::Linear => "linear",
            Act::Selu => "selu",
            Act::Gelu => "gelu",
        }
    }

    pub fn parse(s: &str) -> Result<Act> {
        Act::ALL.into_iter().find(|a| a.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Act::ALL.iter().map(|a| a.name()).collect();
            Error::invalid("act", format!("unknown activation {s:?}; expected one of {}", names.join(", ")))
        })
    }

    /// What the saturation fraction means for this activation; `None` where nothing saturates or dies.
    pub fn saturation(self) -> Option<Saturation> {
        match self {
            Act::Tanh | Act::Sigmoid => Some(Saturation::Saturated),
            Act::Relu => Some(Saturation::Dead),
            Act::LeakyRelu => Some(Saturation::Negative),
            Act::Linear | Act::Selu | Act::Gelu => None,
        }
    }

    /// f(z) in f64: the reference the tests hold the f32 path to.
    pub fn eval_f64(self, z: f64) -> f64 {
        match self {
            Act::Tanh => z.tanh(),
            Act::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Act::Relu => z.max(0.0),
            Act::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_SLOPE as f64 * z
                }
            }
            Act::Linear => z,
            Act::Selu => {
                let (a, l) = (SELU_ALPHA as f64, SELU_LAMBDA as f64);
                if z > 0.0 { l * z } else { l * a * z.exp_m1() }
            }
            Act::Gelu => {
                let c = GELU_C as f64;
                0.5 * z * (1.0 + (c * (z + 0.044715 * z * z * z)).tanh())
            }
        }
    }

    /// f(z) in f32. NaN stays NaN (so overflow is never hidden as a clean 0).
    #[inline]
    pub fn eval(self, z: f32) -> f32 {
        match self {
            Act::Tanh => tanh_f32(z),
            Act::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Act::Relu => {
                if z < 0.0 {
                    0.0
                } else {
                    z
                }
            }
            Act::LeakyRelu => {
                if z < 0.0 {
                    LEAKY_SLOPE * z
                } else {
                    z
                }
            }
            Act::Linear => z,
            Act::Selu => {
                if z > 0.0 {
                    SELU_LAMBDA * z
                } else {
                    SELU_LAMBDA * SELU_ALPHA * z.exp_m1()
                }
            }
            // 0.5·(1 + tanh(u)) = σ(2u): this form keeps the tiny negative tail that 1 + tanh(u) rounds away.
            Act::Gelu => z / (1.0 + (-2.0 * GELU_C * (z + 0.044715 * z * z * z)).exp()),
        }
    }

    /// y = f(y) in place. The match is outside the loop so each loop is a straight map LLVM can vectorize.
    fn apply(self, y: &mut [f32]) {
        #[inline(always)]
        fn map(y: &mut [f32], f: impl Fn(f32) -> f32) {
            y.iter_mut().for_each(|v| *v = f(*v));
        }
        match self {
            Act::Tanh => map(y, |z| Act::Tanh.eval(z)),
            Act::Sigmoid => map(y, |z| Act::Sigmoid.eval(z)),
            Act::Relu => map(y, |z| Act::Relu.eval(z)),
            Act::LeakyRelu => map(y, |z| Act::LeakyRelu.eval(z)),
            Act::Linear => {}
            Act::Selu => map(y, |z| Act::Selu.eval(z)),
            Act::Gelu => map(y, |z| Act::Gelu.eval(z)),
        }
    }

    /// f'(z) written in terms of the output y = f(z), for every activation but GELU (which is not invertible).
    /// This is why the probe keeps the outputs, not the pre-activations.
    #[inline]
    fn derivative_from_output(self, y: f32) -> f32 {
        match self {
            Act::Tanh => 1.0 - y * y,
            Act::Sigmoid => y * (1.0 - y),
            Act::Relu => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Act::LeakyRelu => {
                if y > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Act::Linear => 1.0,
            // For z ≤ 0, y = λα(eᶻ − 1), so f'(z) = λα eᶻ = y + λα.
            Act::Selu => {
                if y > 0.0 {
                    SELU_LAMBDA
                } else {
                    y + SELU_LAMBDA * SELU_ALPHA
                }
            }
            Act::Gelu => f32::NAN, // unused: GELU's backward recomputes z
        }
    }

    /// GELU'(z) (tanh form).
    #[inline]
    fn gelu_derivative(z: f32) -> f32 {
        // With s = σ(2u) = 0.5·(1 + tanh u): f' = s + z·2s(1 − s)·u'(z), u' = c·(1 + 3·0.044715·z²).
        let s = 1.0 / (1.0 + (-2.0 * GELU_C * (z + 0.044715 * z * z * z)).exp());
        s + 2.0 * z * s * (1.0 - s) * GELU_C * (1.0 + 3.0 * 0.044715 * z * z)
    }
}

/// The fraction of `values` that count as saturated / dead / negative for `act` (see [`Saturation`]);
/// `None` for activations without such a notion. NaN counts as neither.
#[allow(clippy::manual_range_contains)] // `!(0.01..=0.99).contains(&y)` would count NaN as saturated
pub fn saturated_fraction(act: Act, values: &[f32]) -> Option<f64> {
    #[inline(always)]
    fn fraction(values: &[f32], test: impl Fn(f32) -> bool) -> f64 {
        values.iter().filter(|&&y| test(y)).count() as f64 / values.len() as f64 // 0/0 = NaN when empty
    }
    Some(match act {
        Act::Tanh => fraction(values, |y| y.abs() > 0.99),
        Act::Sigmoid => fraction(values, |y| y < 0.01 || y > 0.99),
        Act::Relu => fraction(values, |y| y == 0.0),
        Act::LeakyRelu => fraction(values, |y| y < 0.0),
        Act::Linear | Act::Selu | Act::Gelu => return None,
    })
}

/// tanh in f32 as a rational function of x (Eigen's `ptanh` for float: odd degree-13 numerator, even degree-6
/// denominator, argument clamped to ±7.905, where tanh rounds to ±1). Relative error ≈ 3e-7 over the whole line
/// (checked against f64 in the tests), and, unlike libm's `tanhf`, branch-free, so the activation loop vectorizes:
/// libm's version cost more than the GEMM it follows. NaN stays NaN (`clamp` keeps it).
#[inline(always)]
fn tanh_f32(x: f32) -> f32 {
    const A: [f32; 7] =
        [4.893_524_6e-3, 6.372_619_3e-4, 1.485_722_4e-5, 5.122_297e-8, -8.604_672e-11, 2.000_188e-13, -2.760_768_5e-16];
    const B: [f32; 4] = [4.893_525e-3, 2.268_434_6e-3, 1.185_347_1e-4, 1.198_258_4e-6];
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let p = A.iter().rev().fold(0.0, |acc, &c| acc * x2 + c) * x;
    let q = B.iter().rev().fold(0.0, |acc, &c| acc * x2 + c);
    p / q
}

/// The histogram range shared by all layers: the activation's image where it is bounded (tanh [−1, 1],
/// sigmoid [0, 1]); otherwise mean ± 4 std of the FIRST layer, cut at the activation's minimum (0 for ReLU,
/// −λα for SELU, −0.17 for GELU). Later layers that outgrow it show up in `Histogram::above`/`below`.
/// A first layer without spread (zeros init) or with overflow falls back to a unit range.
pub fn histogram_range(act: Act, first_mean: f64, first_std: f64) -> (f64, f64) {
    let floor = match act {
        Act::Tanh => return (-1.0, 1.0),
        Act::Sigmoid => return (0.0, 1.0),
        Act::Relu => 0.0,
        Act::Selu => -(SELU_LAMBDA as f64 * SELU_ALPHA as f64),
        Act::Gelu => GELU_MIN,
        Act::LeakyRelu | Act::Linear => f64::NEG_INFINITY,
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

/// Everything that defines a probe run; the fields are the URL parameters (`depth`, `width`, `batch`, `act`,
/// `init` with its own parameters, `seed`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeConfig {
    pub depth: usize,
    pub width: usize,
    pub batch: usize,
    pub act: Act,
    pub init: InitConfig,
    pub seed: u64,
}

impl Default for ProbeConfig {
    /// The panel's default: 10 tanh layers of width 500, batch 500, Xavier normal.
    fn default() -> Self {
        ProbeConfig {
            depth: 10,
            width: 500,
            batch: 500,
            act: Act::Tanh,
            init: InitConfig::new(Scheme::XavierNormal),
            seed: 0,
        }
    }
}

impl ProbeConfig {
    /// Checks every number; the error names the URL parameter and its limits.
    pub fn validate(&self) -> Result<()> {
        check_range("depth", self.depth as f64, 1.0, MAX_DEPTH as f64)?;
        check_range("width", self.width as f64, MIN_WIDTH as f64, MAX_WIDTH as f64)?;
        check_range("batch", self.batch as f64, 1.0, MAX_BATCH as f64)?;
        self.init_spec().map(|_| ())
    }

    /// The initializer resolved for a width × width dense layer (fan_in = fan_out = width).
    pub fn init_spec(&self) -> Result<InitSpec> {
        self.init.spec(Fans { fan_in: self.width, fan_out: self.width })
    }

    /// FLOPs of the forward pass: one batch × width × width GEMM per layer, 2·batch·width²·depth.
    pub fn forward_flops(&self) -> f64 {
        2.0 * self.batch as f64 * (self.width as f64).powi(2) * self.depth as f64
    }

    /// FLOPs of the backward pass: dL/dW and dL/dX per layer, twice the forward (GELU recomputes its
    /// pre-activations: three times).
    pub fn backward_flops(&self) -> f64 {
        let gemms = if self.act == Act::Gelu { 3.0 } else { 2.0 };
        gemms * self.forward_flops()
    }

    /// The memory the probe allocates: input, every layer's output and weights, and four gradient buffers.
    pub fn memory_bytes(&self) -> u64 {
        let (d, w, b) = (self.depth as u64, self.width as u64, self.batch as u64);
        4 * (b * w * (d + 1) + w * w * d + 3 * b * w + w * w)
    }
}

/// Forward statistics of one layer's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerForward {
    /// 1-based layer number.
    pub layer: usize,
    pub mean: f64,
    pub std: f64,
    /// Fraction saturated / dead / negative (see [`Act::saturation`]), `None` if the activation has no such notion.
    pub saturated: Option<f64>,
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

/// A probe run in progress. Buffers are allocated once in [`Probe::new`]; the layer steps do not allocate
/// (apart from each layer's small histogram).
pub struct Probe {
    cfg: ProbeConfig,
    spec: InitSpec,
    rng: Rng,
    gemm: Gemm,
    /// X, batch × width.
    input: Vec<f32>,
    /// W_1 … W_depth, each width × width (in × out).
    weights: Vec<f32>,
    /// Y_1 … Y_depth, each batch × width.
    outputs: Vec<f32>,
    /// dL/dY of the layer being processed (after its step: of its input); batch × width.
    grad_y: Vec<f32>,
    /// dL/dZ (pre-activation gradient) of the layer being processed; batch × width.
    grad_z: Vec<f32>,
    /// dL/dW of the last layer processed backward; width × width.
    grad_w: Vec<f32>,
    /// G, the upstream gradient dL/dY_depth; batch × width.
    upstream: Vec<f32>,
    range: Option<(f64, f64)>,
    /// Layers done forward (0..=depth).
    forward_done: usize,
    /// Layers done backward (0..=depth).
    backward_done: usize,
}

/// A zeroed buffer, or an error naming what to reduce if the memory is not there (a wasm tab has at most 4 GB).
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
    v.resize(len, 0.0);
    Ok(v)
}

impl Probe {
    /// Validates the config, allocates every buffer and draws the input. No layer is computed yet.
    pub fn new(cfg: ProbeConfig) -> Result<Probe> {
        cfg.validate()?;
        let spec = cfg.init_spec()?;
        let (d, w, b) = (cfg.depth, cfg.width, cfg.batch);
        let mut rng = seeded(cfg.seed);
        let mut input = buffer(b * w, &cfg)?;
        fill_standard_normal(&mut input, &mut rng);
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
        let weights = &mut self.weights[l * w * w..(l + 1) * w * w];
        self.spec.fill(weights, &mut self.rng);
        let (before, rest) = self.outputs.split_at_mut(l * b * w);
        let x = if l == 0 { &self.input[..] } else { &before[(l - 1) * b * w..] };
        let y = &mut rest[..b * w];
        self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, y);
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
            fill_standard_normal(&mut self.upstream, &mut self.rng);
            self.grad_y.copy_from_slice(&self.upstream);
        }
        let l = depth - 1 - self.backward_done; // 0-based layer index
        let grad_x_std = moments(&self.grad_y).std;
        let x = if l == 0 { &self.input[..] } else { &self.outputs[(l - 1) * b * w..l * b * w] };
        let y = &self.outputs[l * b * w..(l + 1) * b * w];
        let weights = &self.weights[l * w * w..(l + 1) * w * w];
        let act = self.cfg.act;
        // dL/dZ = dL/dY ⊙ f'(Z)
        if act == Act::Gelu {
            self.gemm.run(Transpose::No, Transpose::No, b, w, w, x, weights, &mut self.grad_z);
            for (gz, &gy) in self.grad_z.iter_mut().zip(&self.grad_y) {
                *gz = gy * Act::gelu_derivative(*gz);
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

    /// W_layer (1-based), width × width stored in × out (Y = X · W); zeros until that layer ran forward.
    pub fn weights(&self, layer: usize) -> &[f32] {
        let w = self.cfg.width;
        let l = layer.clamp(1, self.cfg.depth) - 1;
        &self.weights[l * w * w..(l + 1) * w * w]
    }

    /// Y_layer (1-based), batch × width; zeros until that layer ran forward.
    pub fn outputs(&self, layer: usize) -> &[f32] {
        let (w, b) = (self.cfg.width, self.cfg.batch);
        let l = layer.clamp(1, self.cfg.depth) - 1;
        &self.outputs[l * b * w..(l + 1) * b * w]
    }

    /// G = dL/dY_depth, batch × width; zeros before the first backward step.
    pub fn upstream(&self) -> &[f32] {
        &self.upstream
    }

    /// dL/dW of the layer the last `backward_layer` call returned, width × width (in × out).
    pub fn weight_grad(&self) -> &[f32] {
        &self.grad_w
    }

    /// dL/d(input) of the layer the last `backward_layer` call returned, batch × width;
    /// after layer 1 it is dL/dX.
    pub fn input_grad(&self) -> &[f32] {
        &self.grad_y
    }
}

fn fill_standard_normal(out: &mut [f32], rng: &mut Rng) {
    for v in out.iter_mut() {
        *v = StandardNormal.sample(rng);
    }
}
