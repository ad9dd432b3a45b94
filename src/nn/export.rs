//! A model as copyable PyTorch code: the equivalent `nn.Sequential` (its indices are the parameter names of
//! [`crate::nn::safetensors`], so the exported file loads with `load_state_dict`), and the input pipeline the
//! playground used, so `predict(raw)` on raw images gives the playground's classes.
//!
//! # What has to agree for the predictions to agree
//! - Layers: `conv` is `nn.Conv2d` (a cross-correlation, weights `OUT×IN×KH×KW`), `dense` is `nn.Linear`
//!   (`OUT×IN`), pools have no padding and floor their output size, `leaky_relu` has slope 0.01 and `gelu` is the
//!   tanh form; dropout is off in `model.eval()`, as in the playground's inference.
//! - Flatten order: both flatten `C×H×W` channel by channel (`nn.Flatten()` on NCHW), so a dense layer's input `i`
//!   is channel `i / (H·W)`, row `(i / W) mod H`, column `i mod W`. Code that flattens NHWC (Keras) must permute first.
//! - Input: NCHW float32 in the model's input size. [`Preprocess`] says how the raw images got there: the pixel
//!   values divided by their maximum (digits: 0 … 16), then bilinear resizing with `align_corners=False` when the
//!   raw size differs (digits: 8×8 → the model's size), which is `F.interpolate`'s, and the playground's, rule.

use crate::error::{Error, Result};
use crate::nn::Activation;
use crate::nn::model::Model;
use crate::nn::spec::{LayerSpec, Shape};

/// How raw images become the model's input: `x / max_value`, then bilinear resizing (`align_corners=False`) from
/// `raw` to the model's input size when they differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preprocess {
    /// One raw image, `C×H×W`.
    pub raw: Shape,
    /// The largest raw pixel value (1 when the images are already in `[0, 1]`).
    pub max_value: f64,
    /// What the raw images are (the code's comments and example say it).
    pub source: Source,
}

/// Where raw images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Images already scaled (generated symbols, uploaded pictures).
    Images,
    /// The UCI digits, as scikit-learn's `load_digits().images`.
    Digits,
}

impl Source {
    fn describe(self) -> &'static str {
        match self {
            Source::Images => "images",
            Source::Digits => "UCI digits",
        }
    }
}

impl Preprocess {
    /// Images already in the model's size and in `[0, 1]` (the generated symbols, an uploaded image after its
    /// resizing): nothing to do.
    pub fn none(input: Shape) -> Preprocess {
        Preprocess { raw: input, max_value: 1.0, source: Source::Images }
    }

    /// The UCI digits, as `sklearn.datasets.load_digits().images` gives them: `height×width` pixels (8×8) valued
    /// 0 … `max_value` (16). The engine knows no data set: the run layer reads these from the digits file
    /// (`crate::run::digits_preprocess`).
    pub fn digits(height: usize, width: usize, max_value: f64) -> Preprocess {
        Preprocess { raw: Shape::image(1, height, width), max_value, source: Source::Digits }
    }
}

/// PyTorch's module for an activation.
fn torch_activation(a: Activation) -> &'static str {
    match a {
        Activation::Relu => "nn.ReLU()",
        Activation::LeakyRelu => "nn.LeakyReLU(0.01)",
        Activation::Tanh => "nn.Tanh()",
        Activation::Sigmoid => "nn.Sigmoid()",
        Activation::Gelu => "nn.GELU(approximate=\"tanh\")",
        Activation::Selu => "nn.SELU()",
        Activation::Linear => "nn.Identity()",
    }
}

/// The PyTorch module of one layer whose input has shape `input`.
fn torch_layer(spec: &LayerSpec, input: Shape) -> String {
    match *spec {
        LayerSpec::Conv { out, kernel, stride, padding } => {
            format!("nn.Conv2d({}, {out}, kernel_size={kernel}, stride={stride}, padding={padding})", input.c)
        }
        LayerSpec::MaxPool { kernel, stride } => format!("nn.MaxPool2d(kernel_size={kernel}, stride={stride})"),
        LayerSpec::AvgPool { kernel, stride } => format!("nn.AvgPool2d(kernel_size={kernel}, stride={stride})"),
        LayerSpec::Flatten => "nn.Flatten()".into(),
        LayerSpec::Dense { out } => format!("nn.Linear({}, {out})", input.len()),
        LayerSpec::Act(a) => torch_activation(a).into(),
        LayerSpec::Dropout { p } => format!("nn.Dropout(p={p})"),
        LayerSpec::BatchNorm if input.flat => format!("nn.BatchNorm1d({})", input.c),
        LayerSpec::BatchNorm => format!("nn.BatchNorm2d({})", input.c),
        LayerSpec::GroupNorm { groups } => format!("nn.GroupNorm({groups}, {})", input.c),
    }
}

/// The longest weights file name [`pytorch_code`] writes into the code.
pub const MAX_FILE_NAME: usize = 100;

/// Python for the model (see the module docs). `weights_file` is the name the safetensors file is saved under:
/// 1 … [`MAX_FILE_NAME`] letters, digits, `.`, `_` or `-` (param `file`, code `bad_file_name`), so it is a plain
/// Python string and no path. The preprocessing's channels must be the model's (param `input`, code
/// `channels_mismatch`).
pub fn pytorch_code(model: &Model, pre: &Preprocess, weights_file: &str) -> Result<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if weights_file.is_empty() || weights_file.len() > MAX_FILE_NAME || !weights_file.chars().all(plain) {
        return Err(Error::coded(
            "file",
            "bad_file_name",
            format!(
                "the weights file name must be 1 … {MAX_FILE_NAME} letters, digits, '.', '_' or '-', got {}",
                crate::error::quote(weights_file)
            ),
        )
        .with("max", MAX_FILE_NAME as f64));
    }
    let input = model.input_shape();
    if pre.raw.c != input.c {
        return Err(Error::coded(
            "input",
            "channels_mismatch",
            format!("the raw images have {} channels, the model takes {}", pre.raw.c, input.c),
        )
        .with("expected", input.c as f64)
        .with("got", pre.raw.c as f64));
    }
    let spec = &model.config().spec;
    let mut out = format!(
        "# CNN Playground model `{spec}` on {input} inputs (C×H×W), as a PyTorch nn.Sequential.\n\
         # The weights file has this model's state_dict names and shapes ({count} parameters, float32).\n\
         import torch\n\
         import torch.nn.functional as F\n\
         from torch import nn\n\
         from safetensors.torch import load_file\n\n\
         model = ",
        count = model.param_count()
    );
    out += &sequential_code(model);
    out += &format!(
        "\nmodel.load_state_dict(load_file({weights_file:?}))\n\
         model.eval()  # dropout off and BatchNorm on its running statistics, as the playground's inference\n\n\n"
    );
    out += &preprocess_code(pre, input);
    out += "\n\n@torch.no_grad()\n\
            def logits(raw):\n    \
            \"\"\"The model's outputs for raw images: N × classes.\"\"\"\n    \
            return model(preprocess(raw))\n\n\n\
            def predict(raw):\n    \
            \"\"\"The predicted class of each raw image.\"\"\"\n    \
            return logits(raw).argmax(dim=1)\n";
    if pre.source == Source::Digits {
        out += "\n\n# from sklearn.datasets import load_digits\n\
                # digits = load_digits()\n\
                # print(predict(digits.images[:10]), digits.target[:10])\n";
    }
    Ok(out)
}

/// The model as a PyTorch `nn.Sequential(…)` expression (no trailing newline), one layer a line with its shapes in a
/// comment; its indices are the state_dict names of [`crate::nn::safetensors`].
pub fn sequential_code(model: &Model) -> String {
    let mut out = String::from("nn.Sequential(\n");
    let plans = model.plans();
    for (i, plan) in plans.iter().enumerate() {
        let shapes = format!("{} → {}", plan.input, plan.output);
        let why = match plan.spec {
            LayerSpec::Flatten => format!("{shapes}, channel by channel (C, then H, then W)"),
            LayerSpec::Dropout { .. } => "off in eval mode".into(),
            LayerSpec::BatchNorm => "the running statistics in eval mode".into(),
            _ if plan.input != plan.output => shapes,
            _ => String::new(),
        };
        let why = if why.is_empty() { String::new() } else { format!(": {why}") };
        out += &format!("    {},  # {i} {}{why}\n", torch_layer(&plan.spec, plan.input), plan.spec);
    }
    if plans.last().is_some_and(|p| !p.output.flat) {
        // A conv or pool ending in 1×1 gives N×C×1×1 in PyTorch; the playground reads it as N×C logits.
        out += &format!("    nn.Flatten(),  # {}: N×C×1×1 → N×C logits (no parameters)\n", plans.len());
    }
    out + ")"
}

/// `def preprocess(raw)`: the playground's input pipeline from raw images to the model's `input` (see the module
/// docs), as Python.
pub fn preprocess_code(pre: &Preprocess, input: Shape) -> String {
    let raw = pre.raw;
    let max =
        if pre.max_value.fract() == 0.0 { format!("{}", pre.max_value as u64) } else { format!("{}", pre.max_value) };
    let mut doc = format!(
        "raw: {} as N×C×H×W = N×{}×{}×{} (NCHW; an N×H×W×C array needs .permute(0, 3, 1, 2) first), values 0 … {max}.",
        pre.source.describe(),
        raw.c,
        raw.h,
        raw.w
    );
    if raw.c == 1 {
        doc += "\n    N×H×W works too (one channel).";
    }
    let mut body = "    x = torch.as_tensor(raw, dtype=torch.float32)\n".to_string();
    if raw.c == 1 {
        body += "    if x.dim() == 3:\n        x = x.unsqueeze(1)  # N×H×W → N×1×H×W\n";
    }
    if pre.max_value != 1.0 {
        body += &format!("    x = x / {max}  # 0 … {max} → [0, 1]\n");
    }
    if (raw.h, raw.w) != (input.h, input.w) {
        body += &format!(
            "    # {}×{} → {}×{}: bilinear, pixel centres aligned (align_corners=False), as the playground\n    \
             x = F.interpolate(x, size=({}, {}), mode=\"bilinear\", align_corners=False)\n",
            raw.h, raw.w, input.h, input.w, input.h, input.w
        );
    }
    format!(
        "def preprocess(raw):\n    \"\"\"The playground's input pipeline. {doc}\n    \
         Returns the model's input: N×{input} float32 in [0, 1].\"\"\"\n{body}    return x\n"
    )
}
