//! The layers of a network and their forward and backward passes on batches.
//!
//! # Layout
//! Every activation is a batch in NCHW order: `n` examples, each `C×H×W` f32 values, row-major (a flat vector is
//! `C×1×1`). Weights are stored in PyTorch's layout: conv `OUT×IN×KH×KW`, dense `OUT×IN`, biases `OUT`.
//!
//! # Passes
//! [`Layer::forward`] maps the layer's input `x` (n × in) to its output `y` (n × out); [`Layer::backward`] takes the
//! gradient of the loss with respect to `y` and writes the weight and bias gradients (when asked: a frozen layer's
//! are never computed) and the gradient with respect to `x` (when asked: nothing below needs it for the lowest
//! trainable layer). Gradients are overwritten, not accumulated. Each layer owns its workspaces (im2col buffers,
//! pooling indices, dropout masks), sized for the largest batch seen; a step at that size or smaller allocates
//! nothing.

use crate::nn::Activation;
use crate::nn::kernels::{Bias, Epilogue, Gemm, Transpose, relu};
use crate::nn::norm::{BatchNorm, GroupNorm};
use crate::nn::spec::{LayerPlan, LayerSpec, Shape};
use crate::rng::Rng;
use rand::RngExt;

/// A weight or bias tensor with its gradient, side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name in PyTorch's `nn.Sequential` state dict: `{layer index}.weight` / `.bias` (0-based).
    pub name: String,
    /// PyTorch's layout: conv `[OUT, IN, KH, KW]`, dense `[OUT, IN]`, bias `[OUT]`.
    pub shape: Vec<usize>,
    pub value: Vec<f32>,
    /// dLoss/dvalue of the last training step (zeros until one ran; never written while frozen).
    pub grad: Vec<f32>,
    /// Whether training updates it (and computes its gradient).
    pub trainable: bool,
}

impl Parameter {
    pub(crate) fn zeros(name: String, shape: Vec<usize>) -> Parameter {
        let len = shape.iter().product();
        Parameter { name, shape, value: vec![0.0; len], grad: vec![0.0; len], trainable: true }
    }

    pub fn len(&self) -> usize {
        self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

/// The GEMM workspace shared by a model's layers, with a count of the products run (tests check that frozen
/// layers cost none).
#[derive(Debug, Default)]
pub struct Kernels {
    gemm: Gemm,
    /// GEMM calls so far.
    pub calls: u64,
}

impl Kernels {
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        &mut self,
        ta: Transpose,
        tb: Transpose,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
    ) {
        self.gemm_with(ta, tb, m, k, n, a, b, c, Epilogue::default());
    }

    /// With the kernel's epilogue (a bias added after the last product).
    #[allow(clippy::too_many_arguments)]
    fn gemm_with(
        &mut self,
        ta: Transpose,
        tb: Transpose,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        epi: Epilogue,
    ) {
        self.calls += 1;
        self.gemm.run_with(ta, tb, m, k, n, a, b, c, epi);
    }
}

/// What a backward pass is asked to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    /// The weight and bias gradients (the layer is trainable).
    pub params: bool,
    /// The gradient with respect to the input (some layer below is trainable).
    pub input: bool,
}

/// Convolution geometry (one example).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeom {
    pub input: Shape,
    pub out: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeom {
    /// The geometry of a `kernel × kernel` convolution with `out` channels on `input` (for tests and benchmarks of
    /// [`im2col`] and [`col2im`]; a layer takes it from its plan). The kernel must fit the padded input.
    pub fn new(input: Shape, out: usize, kernel: usize, stride: usize, padding: usize) -> ConvGeom {
        let side = |len: usize| (len + 2 * padding - kernel) / stride + 1;
        ConvGeom { input, out, kernel, stride, padding, oh: side(input.h), ow: side(input.w) }
    }
    /// Rows of the im2col matrix: IN·K·K.
    pub fn taps(&self) -> usize {
        self.input.c * self.kernel * self.kernel
    }
    /// Output pixels per example.
    pub fn pixels(&self) -> usize {
        self.oh * self.ow
    }
    /// Whether im2col rows are shifted spans of the input plane: stride 1 and the output as wide as the input (then
    /// as high too, since 2P = K − 1).
    fn spans(&self) -> bool {
        self.stride == 1 && self.ow == self.input.w && self.oh == self.input.h
    }
    /// The output rows `oy` whose input row `oy + ky − P` lies inside `0..H` (stride 1), as `(start, end)`.
    fn valid_rows(&self, ky: usize) -> (usize, usize) {
        let (p, h) = (self.padding, self.input.h);
        let hi = if h + p > ky { (h + p - ky).min(self.oh) } else { 0 };
        (p.saturating_sub(ky).min(hi), hi)
    }
    /// `P·W + P`: the span path's shift of tap (ky, kx) is `ky·W + kx − lead`.
    fn lead(&self) -> usize {
        self.padding * self.input.w + self.padding
    }
    /// On the span path, tap (ky, kx)'s span of a block row, `first..last` (from the first valid output to the last),
    /// and `shift + lead()`, where `shift` is what takes a column index to its input index; `None` when the tap sees
    /// only padding.
    fn span(
        &self,
        oy0: usize,
        oy1: usize,
        valid: &std::ops::Range<usize>,
        ky: usize,
        kx: usize,
    ) -> Option<(usize, usize, usize)> {
        if oy0 >= oy1 || valid.is_empty() {
            return None;
        }
        let w = self.input.w;
        Some((oy0 * w + valid.start, (oy1 - 1) * w + valid.end, ky * w + kx))
    }
    /// The output columns `ox` whose input column `ox·S + kx − P` lies inside `0..W`, as a range.
    fn valid_cols(&self, kx: usize) -> std::ops::Range<usize> {
        let (s, p, w) = (self.stride, self.padding, self.input.w);
        let lo = p.saturating_sub(kx).div_ceil(s);
        let hi = if w + p > kx { ((w + p - kx - 1) / s + 1).min(self.ow) } else { 0 };
        lo.min(hi)..hi
    }
}

/// 2-d convolution by im2col onto the GEMM, one product per example: example e's im2col block is `IN·K·K × OH·OW`,
/// and `W (OUT × IN·K·K) · block` is that example's output, `OUT × OH·OW`, already in the batch's NCHW layout (no
/// transpose). The backward pass accumulates the weight gradient over the examples in the same k order as one
/// product over the whole batch would (so the bits do not depend on the split).
#[derive(Debug, Clone)]
pub struct Conv2d {
    geom: ConvGeom,
    pub weight: Parameter,
    pub bias: Parameter,
    /// im2col of the last forward input, example by example; the backward pass reuses it for the column gradient
    /// once dW is done.
    cols: Vec<f32>,
    /// The weight gradient transposed (`IN·K·K × OUT`), as the backward pass sums it.
    dwt: Vec<f32>,
}

/// Max or average pooling without padding.
#[derive(Debug, Clone)]
pub struct Pool {
    input: Shape,
    output: Shape,
    kernel: usize,
    stride: usize,
    /// Max pooling: the index (within its channel plane) of each output's maximum.
    argmax: Vec<u32>,
}

/// A fully connected layer on flat inputs: `y = x · Wᵀ + b`.
#[derive(Debug, Clone)]
pub struct Dense {
    inputs: usize,
    outputs: usize,
    pub weight: Parameter,
    pub bias: Parameter,
}

/// Inverted dropout: in training each value is zeroed with probability `p` and the rest scaled by 1/(1 − p);
/// in evaluation it passes unchanged (PyTorch's `nn.Dropout`).
#[derive(Debug, Clone)]
pub struct Dropout {
    p: f64,
    /// 0 or 1/(1 − p) per value of the last training forward pass.
    mask: Vec<f32>,
}

#[derive(Debug, Clone)]
pub enum Layer {
    Conv(Conv2d),
    MaxPool(Pool),
    AvgPool(Pool),
    Flatten,
    Dense(Dense),
    Act(Activation),
    Dropout(Dropout),
    BatchNorm(BatchNorm),
    GroupNorm(GroupNorm),
}

impl Layer {
    /// The layer of a plan, parameters zero (the model initializes them); `index` names them (`3.weight`).
    pub fn new(plan: &LayerPlan, index: usize) -> Layer {
        let param = |suffix: &str, shape: Vec<usize>| Parameter::zeros(format!("{index}.{suffix}"), shape);
        match plan.spec {
            LayerSpec::Conv { out, kernel, stride, padding } => Layer::Conv(Conv2d {
                geom: ConvGeom {
                    input: plan.input,
                    out,
                    kernel,
                    stride,
                    padding,
                    oh: plan.output.h,
                    ow: plan.output.w,
                },
                weight: param("weight", vec![out, plan.input.c, kernel, kernel]),
                bias: param("bias", vec![out]),
                cols: Vec::new(),
                dwt: Vec::new(),
            }),
            LayerSpec::MaxPool { kernel, stride } | LayerSpec::AvgPool { kernel, stride } => {
                let pool = Pool { input: plan.input, output: plan.output, kernel, stride, argmax: Vec::new() };
                if matches!(plan.spec, LayerSpec::MaxPool { .. }) { Layer::MaxPool(pool) } else { Layer::AvgPool(pool) }
            }
            LayerSpec::Flatten => Layer::Flatten,
            LayerSpec::Dense { out } => Layer::Dense(Dense {
                inputs: plan.input.len(),
                outputs: out,
                weight: param("weight", vec![out, plan.input.len()]),
                bias: param("bias", vec![out]),
            }),
            LayerSpec::Act(a) => Layer::Act(a),
            LayerSpec::Dropout { p } => Layer::Dropout(Dropout { p, mask: Vec::new() }),
            LayerSpec::BatchNorm => Layer::BatchNorm(BatchNorm::new(plan.input.c, plan.input.h * plan.input.w, index)),
            LayerSpec::GroupNorm { groups } => {
                Layer::GroupNorm(GroupNorm::new(plan.input.c, groups, plan.input.h * plan.input.w, index))
            }
        }
    }

    /// The weight and bias, for layers that have them.
    pub fn params(&self) -> Option<[&Parameter; 2]> {
        match self {
            Layer::Conv(c) => Some([&c.weight, &c.bias]),
            Layer::Dense(d) => Some([&d.weight, &d.bias]),
            Layer::BatchNorm(b) => Some([&b.weight, &b.bias]),
            Layer::GroupNorm(g) => Some([&g.weight, &g.bias]),
            _ => None,
        }
    }

    pub fn params_mut(&mut self) -> Option<[&mut Parameter; 2]> {
        match self {
            Layer::Conv(c) => Some([&mut c.weight, &mut c.bias]),
            Layer::Dense(d) => Some([&mut d.weight, &mut d.bias]),
            Layer::BatchNorm(b) => Some([&mut b.weight, &mut b.bias]),
            Layer::GroupNorm(g) => Some([&mut g.weight, &mut g.bias]),
            _ => None,
        }
    }

    /// `y` (n × out) from `x` (n × in). `train` selects dropout's training behaviour, which draws from `rng`, and
    /// BatchNorm's (batch statistics, unless the layer is frozen); a BatchNorm in training needs a batch that
    /// [`Layer::check_batch`] accepts.
    pub fn forward(&mut self, k: &mut Kernels, x: &[f32], y: &mut [f32], n: usize, train: bool, rng: &mut Rng) {
        match self {
            Layer::Conv(c) => c.forward(k, x, y, n, false),
            Layer::MaxPool(p) => p.forward_max(x, y, n, train),
            Layer::AvgPool(p) => p.forward_avg(x, y),
            Layer::Flatten => y.copy_from_slice(x),
            Layer::Dense(d) => d.forward(k, x, y, n, false),
            Layer::Act(a) => a.forward(x, y),
            Layer::Dropout(d) => d.forward(x, y, train, rng),
            Layer::BatchNorm(b) => b.forward(x, y, n, train),
            Layer::GroupNorm(g) => g.forward(x, y, n),
        }
    }

    /// The evaluation-mode forward pass of [`Layer::forward`] (the same bits), built for inference: a convolution or
    /// dense layer applies a following ReLU in its GEMM's epilogue (`relu`), and a convolution followed by max
    /// pooling (`pool`, with ReLU between or not) writes only the pooled maxima to `y`, using `scratch` (one
    /// example's convolution output) on the way. Max pooling keeps no indices; dropout is the identity.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn infer(
        &mut self,
        k: &mut Kernels,
        x: &[f32],
        y: &mut [f32],
        n: usize,
        relu: bool,
        pool: Option<&Layer>,
        scratch: &mut [f32],
        rng: &mut Rng,
    ) {
        match (self, pool) {
            (Layer::Conv(c), Some(Layer::MaxPool(p))) => c.forward_pooled(k, x, y, n, relu, p, scratch),
            (Layer::Conv(c), _) => c.forward(k, x, y, n, relu),
            (Layer::Dense(d), _) => d.forward(k, x, y, n, relu),
            (Layer::MaxPool(p), _) => p.max_planes(x, y, n * p.input.c),
            (layer, _) => layer.forward(k, x, y, n, false, rng),
        }
    }

    /// Whether a forward pass of `n` examples in this mode is possible (BatchNorm in training needs two values per
    /// channel: param `batch`, code `one_value_per_channel`); `index` is the layer's position, for the message.
    pub fn check_batch(&self, n: usize, train: bool, index: usize) -> crate::error::Result<()> {
        match self {
            Layer::BatchNorm(b) => b.check_batch(n, train, index),
            _ => Ok(()),
        }
    }

    /// Gradients from `dy` (n × out): the parameters' (`wants.params`, into their `grad`) and the input's
    /// (`wants.input`, into `dx`, n × in). `x` is the input of the last forward pass.
    pub fn backward(&mut self, k: &mut Kernels, x: &[f32], dy: &[f32], dx: &mut [f32], n: usize, wants: Wants) {
        match self {
            Layer::Conv(c) => c.backward(k, dy, dx, n, wants),
            Layer::Dense(d) => d.backward(k, x, dy, dx, n, wants),
            Layer::BatchNorm(b) => b.backward(x, dy, dx, n, wants),
            Layer::GroupNorm(g) => g.backward(x, dy, dx, n, wants),
            _ if !wants.input => {}
            Layer::MaxPool(p) => p.backward_max(dy, dx, n),
            Layer::AvgPool(p) => p.backward_avg(dy, dx),
            Layer::Flatten => dx.copy_from_slice(dy),
            Layer::Act(a) => a.backward(x, dy, dx),
            Layer::Dropout(d) => d.backward(dy, dx),
        }
    }
}

/// Whether layer `i` is a ReLU that a training pass runs fused with the max pooling above it
/// ([`Pool::relu_max_forward`], [`Pool::relu_max_backward`]): one pass over the ReLU's input, its output not written.
pub(crate) fn relu_fuses_with_pool(layers: &[Layer], i: usize) -> bool {
    matches!(layers.get(i), Some(Layer::Act(Activation::Relu)))
        && matches!(layers.get(i + 1), Some(Layer::MaxPool(p)) if p.fuses_relu())
}

/// `v` grown to at least `len` values (a workspace: only the first `len` are used).
fn workspace<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> &mut [T] {
    if v.len() < len {
        v.resize(len, T::default());
    }
    &mut v[..len]
}

impl Conv2d {
    /// `y = act(W · im2col(x) + b)` per example, NCHW; `relu` fuses a following ReLU into the GEMM's epilogue.
    fn forward(&mut self, k: &mut Kernels, x: &[f32], y: &mut [f32], n: usize, relu: bool) {
        let g = self.geom;
        let (taps, pixels) = (g.taps(), g.pixels());
        let cols = workspace(&mut self.cols, taps * n * pixels);
        im2col(&g, x, n, cols);
        let activation = relu.then_some(Activation::Relu);
        let epi = Epilogue { bias: Bias::PerRow(&self.bias.value), activation, ..Epilogue::default() };
        k.calls += 1;
        for (block, out) in cols.chunks_exact(taps * pixels).zip(y.chunks_exact_mut(g.out * pixels)) {
            k.gemm.run_with(Transpose::No, Transpose::No, g.out, taps, pixels, &self.weight.value, block, out, epi);
        }
    }

    /// [`Conv2d::forward`] followed by max pooling, example by example: each example's output goes to `scratch`
    /// (`OUT × OH·OW`, small enough to stay in cache) and only its maxima to `y` (n × the pool's output).
    #[allow(clippy::too_many_arguments)]
    fn forward_pooled(
        &mut self,
        k: &mut Kernels,
        x: &[f32],
        y: &mut [f32],
        n: usize,
        relu: bool,
        pool: &Pool,
        scratch: &mut [f32],
    ) {
        let g = self.geom;
        let (taps, pixels) = (g.taps(), g.pixels());
        let cols = workspace(&mut self.cols, taps * n * pixels);
        im2col(&g, x, n, cols);
        let activation = relu.then_some(Activation::Relu);
        let epi = Epilogue { bias: Bias::PerRow(&self.bias.value), activation, ..Epilogue::default() };
        let scratch = &mut scratch[..g.out * pixels];
        k.calls += 1;
        for (block, out) in cols.chunks_exact(taps * pixels).zip(y.chunks_exact_mut(pool.output.len())) {
            k.gemm.run_with(Transpose::No, Transpose::No, g.out, taps, pixels, &self.weight.value, block, scratch, epi);
            pool.max_planes(scratch, out, g.out);
        }
    }

    fn backward(&mut self, k: &mut Kernels, dy: &[f32], dx: &mut [f32], n: usize, wants: Wants) {
        let g = self.geom;
        let (taps, pixels) = (g.taps(), g.pixels());
        let cols = &mut self.cols[..taps * n * pixels];
        let dys = || dy.chunks_exact(g.out * pixels).take(n);
        if wants.params {
            // dWᵀ = Σₑ colsₑ · dYₑᵀ (IN·K·K × OUT): the first example starts from zero, the others continue the sums.
            // Computed transposed, the GEMM stores its tiles straight into dWᵀ (dW itself would be written tile by
            // tile through a transposing copy, per example); the same products in the same order as dW = Σₑ dYₑ ·
            // colsₑᵀ, so the same bits. One transpose at the end.
            k.calls += 1;
            let dwt = workspace(&mut self.dwt, taps * g.out);
            for (e, (dye, block)) in dys().zip(cols.chunks_exact(taps * pixels)).enumerate() {
                let epi = Epilogue { accumulate: e > 0, ..Epilogue::default() };
                k.gemm.run_with(Transpose::No, Transpose::Yes, taps, pixels, g.out, block, dye, dwt, epi);
            }
            for (tap, row) in dwt.chunks_exact(g.out).enumerate() {
                for (o, &v) in row.iter().enumerate() {
                    self.weight.grad[o * taps + tap] = v;
                }
            }
            channel_sums(dy, n, g.out, pixels, &mut self.bias.grad);
        }
        if wants.input {
            // dcolsₑ = Wᵀ · dYₑ (IN·K·K × OH·OW), written over colsₑ (no longer needed), then folded back.
            k.calls += 1;
            for (dye, block) in dys().zip(cols.chunks_exact_mut(taps * pixels)) {
                k.gemm.run(Transpose::Yes, Transpose::No, taps, g.out, pixels, &self.weight.value, dye, block);
            }
            col2im(&g, cols, n, dx);
        }
    }
}

/// db of a convolution: per channel, the sum of `dy` (n × channels × pixels) over the examples and the pixels, in
/// that order, as `Iterator::sum` adds them (from its starting value), four channels at a time so that their four
/// chains of additions overlap.
fn channel_sums(dy: &[f32], n: usize, channels: usize, pixels: usize, out: &mut [f32]) {
    let start: f32 = std::iter::empty::<f32>().sum();
    let examples = || dy.chunks_exact(channels * pixels).take(n);
    let mut o = 0;
    while o + 4 <= channels {
        let mut acc = [start; 4];
        for d in examples() {
            let rows: [&[f32]; 4] = std::array::from_fn(|j| &d[(o + j) * pixels..][..pixels]);
            for p in 0..pixels {
                for (a, row) in acc.iter_mut().zip(&rows) {
                    *a += row[p];
                }
            }
        }
        out[o..o + 4].copy_from_slice(&acc);
        o += 4;
    }
    for (o, gb) in out.iter_mut().enumerate().take(channels).skip(o) {
        *gb = examples().flat_map(|d| &d[o * pixels..(o + 1) * pixels]).sum();
    }
}

/// The im2col blocks of a batch: in example e's block (`IN·K·K × OH·OW`, at `e·IN·K·K·OH·OW`), row
/// `(c·K + ky)·K + kx`, column `oy·OW + ox` holds `x[e, c, oy·S + ky − P, ox·S + kx − P]`, or 0 in the padding.
/// Stride 1 with the output as wide as the input ("same" padding, as in the default net) takes the span path: a
/// row of the block is then the input plane shifted by `(ky − P)·W + kx − P`, so it is one copy, with the columns
/// that wrapped around from the neighbouring input row zeroed after; the same values as [`im2col_plain`].
pub fn im2col(g: &ConvGeom, x: &[f32], n: usize, cols: &mut [f32]) {
    if !g.spans() {
        return im2col_plain(g, x, n, cols);
    }
    let (w, kk, plane) = (g.input.w, g.kernel, g.input.h * g.input.w);
    let mut rows = cols.chunks_exact_mut(g.pixels());
    for e in 0..n {
        for c in 0..g.input.c {
            let src = &x[(e * g.input.c + c) * plane..][..plane];
            for ky in 0..kk {
                let (oy0, oy1) = g.valid_rows(ky);
                for kx in 0..kk {
                    let out = rows.next().expect("n·IN·K·K rows");
                    let valid = g.valid_cols(kx);
                    let Some((first, last, shift)) = g.span(oy0, oy1, &valid, ky, kx) else {
                        out.fill(0.0);
                        continue;
                    };
                    out[..first].fill(0.0);
                    out[first..last].copy_from_slice(&src[first + shift - g.lead()..][..last - first]);
                    out[last..].fill(0.0);
                    for oy in oy0..oy1 - 1 {
                        zero_small(&mut out[oy * w + valid.end..(oy + 1) * w + valid.start]);
                    }
                }
            }
        }
    }
}

/// [`im2col`] row by row, for any stride and padding: the plain twin of the span path.
pub fn im2col_plain(g: &ConvGeom, x: &[f32], n: usize, cols: &mut [f32]) {
    let (h, w, kk) = (g.input.h, g.input.w, g.kernel);
    let (pixels, plane) = (g.pixels(), h * w);
    let mut rows = cols.chunks_exact_mut(pixels);
    for e in 0..n {
        for c in 0..g.input.c {
            let src = &x[(e * g.input.c + c) * plane..][..plane];
            for ky in 0..kk {
                for kx in 0..kk {
                    let out = rows.next().expect("n·IN·K·K rows");
                    let valid = g.valid_cols(kx);
                    for (oy, dst) in out.chunks_exact_mut(g.ow).enumerate() {
                        let iy = (oy * g.stride + ky) as isize - g.padding as isize;
                        if iy < 0 || iy >= h as isize || valid.is_empty() {
                            dst.fill(0.0);
                            continue;
                        }
                        let line = &src[iy as usize * w..][..w];
                        dst[..valid.start].fill(0.0);
                        dst[valid.end..].fill(0.0);
                        let ix0 = valid.start * g.stride + kx - g.padding;
                        if g.stride == 1 {
                            dst[valid.clone()].copy_from_slice(&line[ix0..ix0 + valid.len()]);
                        } else {
                            for (d, s) in dst[valid.clone()].iter_mut().zip(line[ix0..].iter().step_by(g.stride)) {
                                *d = *s;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Zeroes a slice that is usually a few values long (the wrapped columns of a span) with plain stores, not a call.
#[inline(always)]
fn zero_small(s: &mut [f32]) {
    match s {
        [] => {}
        [a] => *a = 0.0,
        [a, b] => (*a, *b) = (0.0, 0.0),
        [a, b, c] => (*a, *b, *c) = (0.0, 0.0, 0.0),
        [a, b, c, d] => (*a, *b, *c, *d) = (0.0, 0.0, 0.0, 0.0),
        _ => s.fill(0.0),
    }
}

/// The adjoint of [`im2col`]: every column entry added back to the input position it was copied from, into `dx`
/// (overwritten). `cols` is a workspace: on the span path (see [`im2col`]) its entries in the padding are zeroed
/// and each row is added as one shifted span, so every input position receives the same terms in the same order
/// as in [`col2im_plain`], with zeros between them: the same values (a sum that starts at +0 is never −0, so adding
/// +0 changes nothing).
pub fn col2im(g: &ConvGeom, cols: &mut [f32], n: usize, dx: &mut [f32]) {
    if !g.spans() {
        return col2im_plain(g, cols, n, dx);
    }
    let (w, kk, plane) = (g.input.w, g.kernel, g.input.h * g.input.w);
    dx[..n * g.input.len()].fill(0.0);
    let mut rows = cols.chunks_exact_mut(g.pixels());
    for e in 0..n {
        for c in 0..g.input.c {
            let dst = &mut dx[(e * g.input.c + c) * plane..][..plane];
            for ky in 0..kk {
                let (oy0, oy1) = g.valid_rows(ky);
                for kx in 0..kk {
                    let src = rows.next().expect("n·IN·K·K rows");
                    let valid = g.valid_cols(kx);
                    let Some((first, last, shift)) = g.span(oy0, oy1, &valid, ky, kx) else { continue };
                    for oy in oy0..oy1 - 1 {
                        zero_small(&mut src[oy * w + valid.end..(oy + 1) * w + valid.start]);
                    }
                    let to = &mut dst[first + shift - g.lead()..][..last - first];
                    for (d, s) in to.iter_mut().zip(&src[first..last]) {
                        *d += *s;
                    }
                }
            }
        }
    }
}

/// [`col2im`] row by row, for any stride and padding (`cols` is only read): the plain twin of the span path.
pub fn col2im_plain(g: &ConvGeom, cols: &[f32], n: usize, dx: &mut [f32]) {
    let (h, w, kk) = (g.input.h, g.input.w, g.kernel);
    let (pixels, plane) = (g.pixels(), h * w);
    dx[..n * g.input.len()].fill(0.0);
    let mut rows = cols.chunks_exact(pixels);
    for e in 0..n {
        for c in 0..g.input.c {
            let dst = &mut dx[(e * g.input.c + c) * plane..][..plane];
            for ky in 0..kk {
                for kx in 0..kk {
                    let src = rows.next().expect("n·IN·K·K rows");
                    let valid = g.valid_cols(kx);
                    if valid.is_empty() {
                        continue;
                    }
                    for (oy, line_src) in src.chunks_exact(g.ow).enumerate() {
                        let iy = (oy * g.stride + ky) as isize - g.padding as isize;
                        if iy < 0 || iy >= h as isize {
                            continue;
                        }
                        let line = &mut dst[iy as usize * w..][..w];
                        let ix0 = valid.start * g.stride + kx - g.padding;
                        if g.stride == 1 {
                            for (s, d) in line_src[valid.clone()].iter().zip(&mut line[ix0..]) {
                                *d += *s;
                            }
                        } else {
                            for (s, d) in line_src[valid.clone()].iter().zip(line[ix0..].iter_mut().step_by(g.stride)) {
                                *d += *s;
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Pool {
    /// Values per channel plane of the input and of the output.
    fn planes(&self) -> (usize, usize) {
        (self.input.h * self.input.w, self.output.h * self.output.w)
    }

    /// Calls `f(output index within the plane, input index of the window's top-left corner)` for every output
    /// of one plane; the window's rows then start `input.w` apart.
    #[inline(always)]
    fn each_window(&self, mut f: impl FnMut(usize, usize)) {
        for oy in 0..self.output.h {
            for ox in 0..self.output.w {
                f(oy * self.output.w + ox, oy * self.stride * self.input.w + ox * self.stride);
            }
        }
    }

    /// Max pooling of `n` examples; in training (`keep`) each output's input index is kept for the backward pass.
    fn forward_max(&mut self, x: &[f32], y: &mut [f32], n: usize, keep: bool) {
        if !keep {
            self.max_planes(x, y, n * self.input.c);
            return;
        }
        self.max_with_indices::<false>(x, y, n);
    }

    /// Whether a ReLU below can be fused into this max pooling in training ([`Pool::relu_max_forward`]): the
    /// windows do not overlap (stride = kernel), so each input receives at most one output's gradient.
    pub(crate) fn fuses_relu(&self) -> bool {
        self.stride == self.kernel
    }

    /// ReLU then max pooling in training, in one pass over the ReLU's input `z`: `y` and the kept indices are what
    /// [`Layer::forward`] of the ReLU and then of the pooling give (each value goes through `relu` before the same
    /// comparisons), without writing the ReLU's output.
    pub(crate) fn relu_max_forward(&mut self, z: &[f32], y: &mut [f32], n: usize) {
        self.max_with_indices::<true>(z, y, n);
    }

    /// The backward pass of [`Pool::relu_max_forward`]: `dz` (n × the pooling's input) from `dy`, the same bits as
    /// max pooling's backward pass (zeros, plus each output's gradient at its index) followed by ReLU's
    /// (`dz = t · relu'(z)`): `(0 + dy) · relu'(z)` at the indices, `0 · relu'(z) = +0` elsewhere. Windows must not
    /// overlap ([`Pool::fuses_relu`]).
    pub(crate) fn relu_max_backward(&self, z: &[f32], dy: &[f32], dz: &mut [f32], n: usize) {
        debug_assert!(self.fuses_relu());
        let (in_plane, out_plane) = self.planes();
        let planes = n * self.input.c;
        dz[..planes * in_plane].fill(0.0);
        let relu_grad = |v: f32| Activation::Relu.derivative(v);
        for (((dst, zp), g), at) in dz
            .chunks_exact_mut(in_plane)
            .zip(z.chunks_exact(in_plane))
            .zip(dy.chunks_exact(out_plane))
            .zip(self.argmax.chunks_exact(out_plane))
            .take(planes)
        {
            for (&gi, &a) in g.iter().zip(at) {
                let a = a as usize;
                dst[a] = (0.0 + gi) * relu_grad(zp[a]);
            }
        }
    }

    /// Max pooling with the index of each maximum kept (of `relu(x)` when `RELU`), output row by output row, each
    /// window visited row by row. The first maximum is kept, and the first NaN (PyTorch's max pooling propagates
    /// NaN); the comparisons pick by selects, not branches (the data decide them at random).
    fn max_with_indices<const RELU: bool>(&mut self, x: &[f32], y: &mut [f32], n: usize) {
        match self.kernel {
            2 => return self.max_windows::<2, RELU>(x, y, n),
            3 => return self.max_windows::<3, RELU>(x, y, n),
            _ => {}
        }
        let planes = n * self.input.c;
        let (in_plane, out_plane) = self.planes();
        let (k, s, w, ow) = (self.kernel, self.stride, self.input.w, self.output.w);
        let mut argmax = std::mem::take(&mut self.argmax);
        let idx = workspace(&mut argmax, planes * out_plane);
        let value = |v: f32| if RELU { relu(v) } else { v };
        for ((src, dst), at) in x
            .chunks_exact(in_plane)
            .zip(y.chunks_exact_mut(out_plane))
            .zip(idx.chunks_exact_mut(out_plane))
            .take(planes)
        {
            for (oy, (out, at)) in dst.chunks_exact_mut(ow).zip(at.chunks_exact_mut(ow)).enumerate() {
                for row in 0..k {
                    let start = (oy * s + row) * w;
                    let line = &src[start..][..w];
                    for (ox, (o, a)) in out.iter_mut().zip(at.iter_mut()).enumerate() {
                        let window = &line[ox * s..ox * s + k];
                        let first = (start + ox * s) as u32;
                        let (mut best, mut best_at) = if row == 0 { (value(window[0]), first) } else { (*o, *a) };
                        for (i, &v) in window.iter().enumerate() {
                            let v = value(v);
                            let take = (v > best) | (v.is_nan() & !best.is_nan());
                            best = if take { v } else { best };
                            best_at = if take { first + i as u32 } else { best_at };
                        }
                        (*o, *a) = (best, best_at);
                    }
                }
            }
        }
        self.argmax = argmax;
    }

    /// [`Pool::max_with_indices`] for a `K × K` window known at compile time: each window's values visited in the
    /// same order (row by row) with its maximum and index kept in registers, one store per output.
    fn max_windows<const K: usize, const RELU: bool>(&mut self, x: &[f32], y: &mut [f32], n: usize) {
        let planes = n * self.input.c;
        let (in_plane, out_plane) = self.planes();
        let (s, w, ow) = (self.stride, self.input.w, self.output.w);
        let mut argmax = std::mem::take(&mut self.argmax);
        let idx = workspace(&mut argmax, planes * out_plane);
        let value = |v: f32| if RELU { relu(v) } else { v };
        for ((src, dst), at) in x
            .chunks_exact(in_plane)
            .zip(y.chunks_exact_mut(out_plane))
            .zip(idx.chunks_exact_mut(out_plane))
            .take(planes)
        {
            for (oy, (out, at)) in dst.chunks_exact_mut(ow).zip(at.chunks_exact_mut(ow)).enumerate() {
                let top = oy * s * w;
                let rows: [&[f32]; K] = std::array::from_fn(|r| &src[top + r * w..][..w]);
                for (ox, (o, a)) in out.iter_mut().zip(at.iter_mut()).enumerate() {
                    let x0 = ox * s;
                    let (mut best, mut best_at) = (value(rows[0][x0]), (top + x0) as u32);
                    for (r, row) in rows.iter().enumerate() {
                        for i in (r == 0) as usize..K {
                            let v = value(row[x0 + i]);
                            let take = (v > best) | (v.is_nan() & !best.is_nan());
                            best = if take { v } else { best };
                            best_at = if take { (top + r * w + x0 + i) as u32 } else { best_at };
                        }
                    }
                    (*o, *a) = (best, best_at);
                }
            }
        }
        self.argmax = argmax;
    }

    /// The maxima of `planes` planes, without indices (evaluation): the same values as [`Pool::forward_max`], each
    /// window visited in the same order (row by row), but output row by output row, so the inner loop runs along
    /// contiguous input rows.
    fn max_planes(&self, x: &[f32], y: &mut [f32], planes: usize) {
        let (in_plane, out_plane) = self.planes();
        let (k, s, w, ow) = (self.kernel, self.stride, self.input.w, self.output.w);
        for (src, dst) in x.chunks_exact(in_plane).zip(y.chunks_exact_mut(out_plane)).take(planes) {
            for (oy, out) in dst.chunks_exact_mut(ow).enumerate() {
                for row in 0..k {
                    let line = &src[(oy * s + row) * w..][..w];
                    for (ox, o) in out.iter_mut().enumerate() {
                        let window = &line[ox * s..ox * s + k];
                        let mut best = if row == 0 { window[0] } else { *o };
                        for &v in window {
                            // The first NaN is taken and kept (as in `forward_max`).
                            if v > best || (v.is_nan() && !best.is_nan()) {
                                best = v;
                            }
                        }
                        *o = best;
                    }
                }
            }
        }
    }

    fn backward_max(&self, dy: &[f32], dx: &mut [f32], n: usize) {
        let (in_plane, out_plane) = self.planes();
        let planes = n * self.input.c;
        dx[..planes * in_plane].fill(0.0);
        for ((dst, g), at) in dx
            .chunks_exact_mut(in_plane)
            .zip(dy.chunks_exact(out_plane))
            .zip(self.argmax.chunks_exact(out_plane))
            .take(planes)
        {
            for (&gi, &a) in g.iter().zip(at) {
                dst[a as usize] += gi;
            }
        }
    }

    fn forward_avg(&self, x: &[f32], y: &mut [f32]) {
        let (in_plane, out_plane) = self.planes();
        let (k, w) = (self.kernel, self.input.w);
        let scale = 1.0 / (k * k) as f32;
        for (src, dst) in x.chunks_exact(in_plane).zip(y.chunks_exact_mut(out_plane)) {
            self.each_window(|o, corner| {
                let sum: f32 = (0..k).map(|row| src[corner + row * w..][..k].iter().sum::<f32>()).sum();
                dst[o] = sum * scale;
            });
        }
    }

    fn backward_avg(&self, dy: &[f32], dx: &mut [f32]) {
        let (in_plane, out_plane) = self.planes();
        let (k, w) = (self.kernel, self.input.w);
        let scale = 1.0 / (k * k) as f32;
        let planes = dy.len() / out_plane;
        dx[..planes * in_plane].fill(0.0);
        for (dst, g) in dx.chunks_exact_mut(in_plane).zip(dy.chunks_exact(out_plane)) {
            self.each_window(|o, corner| {
                let gi = g[o] * scale;
                for row in 0..k {
                    dst[corner + row * w..][..k].iter_mut().for_each(|d| *d += gi);
                }
            });
        }
    }
}

impl Dense {
    fn forward(&mut self, k: &mut Kernels, x: &[f32], y: &mut [f32], n: usize, relu: bool) {
        let (i, o) = (self.inputs, self.outputs);
        let activation = relu.then_some(Activation::Relu);
        let bias = Epilogue { bias: Bias::PerCol(&self.bias.value), activation, ..Epilogue::default() };
        k.gemm_with(Transpose::No, Transpose::Yes, n, i, o, x, &self.weight.value, y, bias);
    }

    fn backward(&mut self, k: &mut Kernels, x: &[f32], dy: &[f32], dx: &mut [f32], n: usize, wants: Wants) {
        let (i, o) = (self.inputs, self.outputs);
        if wants.params {
            // dW = dYᵀ · X (OUT × IN), db = column sums of dY.
            k.gemm(Transpose::Yes, Transpose::No, o, n, i, dy, x, &mut self.weight.grad);
            self.bias.grad.fill(0.0);
            for row in dy.chunks_exact(o) {
                for (g, &d) in self.bias.grad.iter_mut().zip(row) {
                    *g += d;
                }
            }
        }
        if wants.input {
            // dX = dY · W (n × IN).
            k.gemm(Transpose::No, Transpose::No, n, o, i, dy, &self.weight.value, dx);
        }
    }
}

impl Dropout {
    fn forward(&mut self, x: &[f32], y: &mut [f32], train: bool, rng: &mut Rng) {
        if !train || self.p == 0.0 {
            y.copy_from_slice(x);
            let mask = workspace(&mut self.mask, x.len());
            mask.fill(1.0);
            return;
        }
        let keep = 1.0 / (1.0 - self.p) as f32;
        let mask = workspace(&mut self.mask, x.len());
        for ((m, v), &xi) in mask.iter_mut().zip(y.iter_mut()).zip(x) {
            *m = if rng.random::<f64>() < self.p { 0.0 } else { keep };
            *v = xi * *m;
        }
    }

    fn backward(&self, dy: &[f32], dx: &mut [f32]) {
        for ((d, &g), &m) in dx.iter_mut().zip(dy).zip(&self.mask) {
            *d = g * m;
        }
    }
}
