//! Model specs: a network written in the step grammar of [`crate::spec`] (the `model=` parameter), its shapes, its
//! limits and its parameter and FLOP counts.
//!
//! # Syntax
//! A spec is the layers of a PyTorch `nn.Sequential`, in order, separated by `~`:
//!
//! ```text
//! conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)
//! ```
//!
//! | layer | arguments (default) | PyTorch |
//! | --- | --- | --- |
//! | `conv(OUT_kK_sS_pP)` | out channels (required, 1 … 1024), `k` kernel (3; 1 … 32), `s` stride (1; 1 … 32), `p` zero padding (0; 0 … 32) | `nn.Conv2d(in, OUT, K, stride=S, padding=P)` |
//! | `maxpool(K_sS)` | kernel (required, 1 … 32), `s` stride (the kernel) | `nn.MaxPool2d(K, stride=S)` |
//! | `avgpool(K_sS)` | kernel (required, 1 … 32), `s` stride (the kernel) | `nn.AvgPool2d(K, stride=S)` |
//! | `flatten` | | `nn.Flatten()` (C×H×W → C·H·W, in that order) |
//! | `dense(OUT)` | out features (required, 1 … 100000); the input must be flat | `nn.Linear(in, OUT)` |
//! | `relu`, `leaky_relu`, `tanh`, `sigmoid`, `gelu`, `selu`, `linear` | | `nn.ReLU()`, `nn.LeakyReLU(0.01)`, `nn.Tanh()`, `nn.Sigmoid()`, `nn.GELU(approximate='tanh')`, `nn.SELU()`, `nn.Identity()` |
//! | `dropout(P)` | drop probability (0.5; 0 … 0.99) | `nn.Dropout(P)` |
//! | `bn` | | `nn.BatchNorm2d(C)` on an image, `nn.BatchNorm1d(C)` on a flat input (per channel over N×H×W, per feature over N) |
//! | `gn(G)` | groups (required, 1 … 1024; must divide the channels) | `nn.GroupNorm(G, C)` (per example, over groups of C/G channels) |
//!
//! Output sizes are PyTorch's: `⌊(H + 2P − K) / S⌋ + 1` (pools: P = 0, no ceil mode). The last layer must give a flat
//! vector per example: the logits of the softmax cross-entropy, one per class.
//!
//! # Limits
//! At most [`MAX_LAYERS`] layers and [`MAX_SPEC_LEN`] characters; an input of at most [`MAX_INPUT_SIDE`] per side
//! and [`MAX_INPUT_CHANNELS`] channels; at most [`MAX_PARAMS`] parameters and [`MAX_ACTIVATIONS`] stored values per
//! example (every layer's output plus the convolutions' im2col buffers), so a batch of [`MAX_BATCH`] fits in a wasm
//! tab. A spec that does not fit its input is an error (param `model`) that names the layer by its 1-based position
//! and name: `layer 4 (conv): its 5×5 kernel does not fit the 3×3 input (padding 0)`. Codes: `empty_model`,
//! `not_an_image` (a conv or pool after flatten), `needs_flatten` (dense on an image), `kernel_too_large`,
//! `groups_not_dividing` (gn(G) on channels that G does not divide, with `groups` and `channels`),
//! `too_many_parameters`, `too_many_activations`, `output_not_flat`, `bad_input` (param `input`).

use crate::error::{Error, Result};
use crate::nn::Activation;
use crate::spec::{Grammar, Param, StepText, int, num, write_step};
use std::fmt;

pub const MAX_LAYERS: usize = 32;
pub const MAX_SPEC_LEN: usize = 1000;
/// Parameters of a whole model (16 MB of f32; with gradients and Adam's two moments, 64 MB).
pub const MAX_PARAMS: usize = 4_000_000;
/// Values stored per example for the backward pass: layer outputs and im2col buffers (16 MB of f32).
pub const MAX_ACTIVATIONS: usize = 4_000_000;
/// The largest batch one step takes.
pub const MAX_BATCH: usize = 1024;
pub const MAX_INPUT_SIDE: usize = 1024;
pub const MAX_INPUT_CHANNELS: usize = 64;
/// The peers' benchmark net (ConvNetJS's MNIST demo): 28×28×1 input, 5,994 parameters.
pub const DEFAULT_SPEC: &str = "conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)";

const GRAMMAR: Grammar = Grammar { param: "model", max_len: MAX_SPEC_LEN, max_steps: MAX_LAYERS };

/// One layer as the spec describes it (sizes that depend on the input are worked out by [`ModelSpec::plan`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LayerSpec {
    Conv {
        out: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    MaxPool {
        kernel: usize,
        stride: usize,
    },
    AvgPool {
        kernel: usize,
        stride: usize,
    },
    Flatten,
    Dense {
        out: usize,
    },
    Act(Activation),
    Dropout {
        p: f64,
    },
    /// BatchNorm over the input's channels (see [`crate::nn::norm`]).
    BatchNorm,
    /// GroupNorm with this many groups.
    GroupNorm {
        groups: usize,
    },
}

/// The names of the layers that are not activations.
const LAYER_NAMES: [&str; 8] = ["conv", "maxpool", "avgpool", "flatten", "dense", "dropout", "bn", "gn"];

impl LayerSpec {
    /// The spec name (`conv`, `relu`, …).
    pub fn name(&self) -> &'static str {
        match self {
            LayerSpec::Conv { .. } => "conv",
            LayerSpec::MaxPool { .. } => "maxpool",
            LayerSpec::AvgPool { .. } => "avgpool",
            LayerSpec::Flatten => "flatten",
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Act(a) => a.name(),
            LayerSpec::Dropout { .. } => "dropout",
            LayerSpec::BatchNorm => "bn",
            LayerSpec::GroupNorm { .. } => "gn",
        }
    }

    /// Every layer name the syntax knows.
    pub fn names() -> Vec<&'static str> {
        LAYER_NAMES.iter().copied().chain(Activation::ALL.iter().map(|a| a.name())).collect()
    }

    /// The parameter table of a layer name (see the module docs); `None` for an unknown name.
    pub fn params(name: &str) -> Option<&'static [Param]> {
        const POOL: &[Param] = &[int("", 1.0, 32.0, f64::NAN), int("s", 1.0, 32.0, 0.0)];
        Some(match name {
            "conv" => {
                const {
                    &[
                        int("", 1.0, 1024.0, f64::NAN),
                        int("k", 1.0, 32.0, 3.0),
                        int("s", 1.0, 32.0, 1.0),
                        int("p", 0.0, 32.0, 0.0),
                    ]
                }
            }
            "maxpool" | "avgpool" => POOL,
            "dense" => const { &[int("", 1.0, 100_000.0, f64::NAN)] },
            "dropout" => const { &[num("", 0.0, 0.99, 0.5)] },
            "gn" => const { &[int("", 1.0, 1024.0, f64::NAN)] },
            "flatten" | "bn" => &[],
            _ => {
                Activation::from_name(name)?;
                &[]
            }
        })
    }

    fn from_values(name: &str, v: &[f64]) -> Option<LayerSpec> {
        let u = |i: usize| v[i] as usize;
        // A pool's stride 0 (the default) means "the kernel", as in PyTorch.
        let pool = || (u(0), if v[1] == 0.0 { u(0) } else { u(1) });
        Some(match name {
            "conv" => LayerSpec::Conv { out: u(0), kernel: u(1), stride: u(2), padding: u(3) },
            "maxpool" => {
                let (kernel, stride) = pool();
                LayerSpec::MaxPool { kernel, stride }
            }
            "avgpool" => {
                let (kernel, stride) = pool();
                LayerSpec::AvgPool { kernel, stride }
            }
            "dense" => LayerSpec::Dense { out: u(0) },
            "dropout" => LayerSpec::Dropout { p: v[0] },
            "flatten" => LayerSpec::Flatten,
            "bn" => LayerSpec::BatchNorm,
            "gn" => LayerSpec::GroupNorm { groups: u(0) },
            _ => LayerSpec::Act(Activation::from_name(name)?),
        })
    }

    fn values(&self) -> Vec<f64> {
        let f = |x: usize| x as f64;
        match *self {
            LayerSpec::Conv { out, kernel, stride, padding } => vec![f(out), f(kernel), f(stride), f(padding)],
            LayerSpec::MaxPool { kernel, stride } | LayerSpec::AvgPool { kernel, stride } => {
                vec![f(kernel), if stride == kernel { 0.0 } else { f(stride) }]
            }
            LayerSpec::Dense { out } => vec![f(out)],
            LayerSpec::Dropout { p } => vec![p],
            LayerSpec::GroupNorm { groups } => vec![f(groups)],
            LayerSpec::Flatten | LayerSpec::Act(_) | LayerSpec::BatchNorm => vec![],
        }
    }

    /// Whether the layer has weights and biases (the norm layers' are their scale γ and shift β).
    pub fn has_params(&self) -> bool {
        matches!(
            self,
            LayerSpec::Conv { .. } | LayerSpec::Dense { .. } | LayerSpec::BatchNorm | LayerSpec::GroupNorm { .. }
        )
    }

    /// Whether the layer is BatchNorm or GroupNorm.
    pub fn is_norm(&self) -> bool {
        matches!(self, LayerSpec::BatchNorm | LayerSpec::GroupNorm { .. })
    }
}

impl fmt::Display for LayerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params = LayerSpec::params(self.name()).unwrap_or(&[]);
        f.write_str(&write_step(self.name(), params, &self.values()))
    }
}

/// The size of one example as it flows through the net: `C×H×W`, or a flat vector of `c` values (`h = w = 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub flat: bool,
}

impl Shape {
    /// An image input, `channels × height × width`.
    pub fn image(c: usize, h: usize, w: usize) -> Shape {
        Shape { c, h, w, flat: false }
    }

    pub fn flat(n: usize) -> Shape {
        Shape { c: n, h: 1, w: 1, flat: true }
    }

    /// Values per example.
    pub fn len(&self) -> usize {
        self.c * self.h * self.w
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks an input shape against the limits (param `input`, code `bad_input`).
    pub fn check_input(&self) -> Result<()> {
        let ok = (1..=MAX_INPUT_CHANNELS).contains(&self.c)
            && (1..=MAX_INPUT_SIDE).contains(&self.h)
            && (1..=MAX_INPUT_SIDE).contains(&self.w);
        if !ok {
            return Err(Error::coded(
                "input",
                "bad_input",
                format!(
                    "the input is {}×{}×{} (C×H×W); channels must be 1 … {MAX_INPUT_CHANNELS} and each side 1 … {MAX_INPUT_SIDE}",
                    self.c, self.h, self.w
                ),
            )
            .with("channels", self.c as f64)
            .with("height", self.h as f64)
            .with("width", self.w as f64));
        }
        Ok(())
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flat { write!(f, "{}", self.c) } else { write!(f, "{}×{}×{}", self.c, self.h, self.w) }
    }
}

/// One layer placed in a net: its spec, input and output shapes, parameter count and costs per example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerPlan {
    pub spec: LayerSpec,
    pub input: Shape,
    pub output: Shape,
    /// Weights and biases.
    pub params: usize,
    /// Multiply-adds of the forward pass per example (conv and dense: the GEMM, padded taps included).
    pub macs: u64,
    /// Values stored per example besides the output (the im2col buffer of a conv).
    pub scratch: usize,
}

/// A network: its layers in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub layers: Vec<LayerSpec>,
}

impl Default for ModelSpec {
    /// [`DEFAULT_SPEC`].
    fn default() -> Self {
        ModelSpec::parse(DEFAULT_SPEC).expect("the default spec parses")
    }
}

impl ModelSpec {
    /// Parses the syntax of the module docs (errors: param `model`, the step named).
    pub fn parse(text: &str) -> Result<ModelSpec> {
        let steps = GRAMMAR.split(text)?;
        if steps.is_empty() {
            return Err(Error::coded(
                "model",
                "empty_model",
                "a model needs at least one layer, e.g. flatten~dense(10)",
            ));
        }
        let layers = steps.iter().map(parse_layer).collect::<Result<_>>()?;
        Ok(ModelSpec { layers })
    }

    /// Shapes, parameter counts and costs of every layer for `input`, checking that the net fits it and the limits
    /// (see the module docs). A net whose output is not flat is planned too (for tests of single layers);
    /// [`check_output`] is the model's further condition.
    pub fn plan(&self, input: Shape) -> Result<Vec<LayerPlan>> {
        input.check_input()?;
        if self.layers.is_empty() {
            return Err(Error::coded(
                "model",
                "empty_model",
                "a model needs at least one layer, e.g. flatten~dense(10)",
            ));
        }
        let mut plans = Vec::with_capacity(self.layers.len());
        let (mut shape, mut params, mut stored) = (input, 0usize, input.len());
        for (i, &spec) in self.layers.iter().enumerate() {
            let fail = |code: &'static str, message: String| {
                Error::coded("model", code, format!("layer {} ({}): {message}", i + 1, spec.name()))
                    .with("layer", (i + 1) as f64)
            };
            let image_only = |what: &str| -> Result<()> {
                if shape.flat {
                    Err(fail(
                        "not_an_image",
                        format!("{what} needs an image (C×H×W) input, but it comes after flatten"),
                    ))
                } else {
                    Ok(())
                }
            };
            let (output, layer_params, macs, scratch) = match spec {
                LayerSpec::Conv { out, kernel, stride, padding } => {
                    image_only("a convolution")?;
                    let (oh, ow) = window_output(shape, kernel, stride, padding).ok_or_else(|| {
                        fail(
                            "kernel_too_large",
                            format!(
                                "its {kernel}×{kernel} kernel does not fit the {}×{} input (padding {padding})",
                                shape.h, shape.w
                            ),
                        )
                        .with("kernel", kernel as f64)
                        .with("height", shape.h as f64)
                        .with("width", shape.w as f64)
                    })?;
                    let taps = shape.c * kernel * kernel;
                    let p = out.saturating_mul(taps).saturating_add(out);
                    let macs = (out * oh * ow) as u64 * taps as u64;
                    (Shape::image(out, oh, ow), p, macs, taps.saturating_mul(oh * ow))
                }
                LayerSpec::MaxPool { kernel, stride } | LayerSpec::AvgPool { kernel, stride } => {
                    image_only("a pooling layer")?;
                    let (oh, ow) = window_output(shape, kernel, stride, 0).ok_or_else(|| {
                        fail(
                            "kernel_too_large",
                            format!("its {kernel}×{kernel} window does not fit the {}×{} input", shape.h, shape.w),
                        )
                        .with("kernel", kernel as f64)
                        .with("height", shape.h as f64)
                        .with("width", shape.w as f64)
                    })?;
                    (Shape::image(shape.c, oh, ow), 0, 0, 0)
                }
                LayerSpec::Flatten => (Shape::flat(shape.len()), 0, 0, 0),
                LayerSpec::Dense { out } => {
                    if !shape.flat {
                        return Err(fail(
                            "needs_flatten",
                            format!("a dense layer needs a flat input, but it gets {shape}; put flatten before it"),
                        ));
                    }
                    let p = out.saturating_mul(shape.c).saturating_add(out);
                    (Shape::flat(out), p, (out as u64) * shape.c as u64, 0)
                }
                LayerSpec::Act(_) | LayerSpec::Dropout { .. } => (shape, 0, 0, 0),
                // Elementwise, like the activations: no multiply-adds counted; γ and β per channel.
                LayerSpec::BatchNorm => (shape, 2 * shape.c, 0, 0),
                LayerSpec::GroupNorm { groups } => {
                    if shape.c % groups != 0 {
                        return Err(fail(
                            "groups_not_dividing",
                            format!(
                                "its {groups} groups do not divide the {} channels of its input {shape}; use a divisor \
                                 of {}",
                                shape.c, shape.c
                            ),
                        )
                        .with("groups", groups as f64)
                        .with("channels", shape.c as f64));
                    }
                    (shape, 2 * shape.c, 0, 0)
                }
            };
            params = params.saturating_add(layer_params);
            if params > MAX_PARAMS {
                return Err(fail(
                    "too_many_parameters",
                    format!("the model would have {params} parameters up to here; at most {MAX_PARAMS}"),
                )
                .with("got", params as f64)
                .with("max", MAX_PARAMS as f64));
            }
            stored = stored.saturating_add(output.len()).saturating_add(scratch);
            if stored > MAX_ACTIVATIONS {
                return Err(fail(
                    "too_many_activations",
                    format!("the model would store {stored} values per example up to here; at most {MAX_ACTIVATIONS}"),
                )
                .with("got", stored as f64)
                .with("max", MAX_ACTIVATIONS as f64));
            }
            plans.push(LayerPlan { spec, input: shape, output, params: layer_params, macs, scratch });
            shape = output;
        }
        Ok(plans)
    }
}

/// A model's last layer must give flat logits (code `output_not_flat`, naming the last layer).
pub fn check_output(plans: &[LayerPlan]) -> Result<()> {
    let Some(last) = plans.last() else {
        return Err(Error::coded("model", "empty_model", "a model needs at least one layer, e.g. flatten~dense(10)"));
    };
    let shape = last.output;
    if !shape.flat && (shape.h, shape.w) != (1, 1) {
        return Err(Error::coded(
            "model",
            "output_not_flat",
            format!(
                "layer {} ({}) gives {shape} values per example; a model ends with flat logits, e.g. flatten~dense(10)",
                plans.len(),
                last.spec.name()
            ),
        )
        .with("layer", plans.len() as f64));
    }
    Ok(())
}

/// `(⌊(H + 2P − K)/S⌋ + 1, ⌊(W + 2P − K)/S⌋ + 1)`, or `None` when the window does not fit.
fn window_output(shape: Shape, kernel: usize, stride: usize, padding: usize) -> Option<(usize, usize)> {
    let side = |n: usize| (n + 2 * padding).checked_sub(kernel).map(|d| d / stride + 1);
    Some((side(shape.h)?, side(shape.w)?))
}

fn parse_layer(text: &StepText) -> Result<LayerSpec> {
    let params = LayerSpec::params(text.name).ok_or_else(|| text.unknown(&LayerSpec::names()))?;
    let values = text.read(params)?;
    LayerSpec::from_values(text.name, &values).ok_or_else(|| text.unknown(&LayerSpec::names()))
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layers: Vec<String> = self.layers.iter().map(LayerSpec::to_string).collect();
        f.write_str(&layers.join("~"))
    }
}
