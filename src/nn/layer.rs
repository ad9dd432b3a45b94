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
use crate::nn::kernels::{Bias, Epilogue, Gemm, Transpose};
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
struct ConvGeom {
    input: Shape,
    out: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    oh: usize,
    ow: usize,
}

impl ConvGeom {
    /// Rows of the im2col matrix: IN·K·K.
    fn taps(&self) -> usize {
        self.input.c * self.kernel * self.kernel
    }
    /// Output pixels per example.
    fn pixels(&self) -> usize {
        self.oh * self.ow
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
            // dW = Σₑ dYₑ · colsₑᵀ (OUT × IN·K·K): the first example starts from zero, the others continue the sums.
            k.calls += 1;
            for (e, (dye, block)) in dys().zip(cols.chunks_exact(taps * pixels)).enumerate() {
                let epi = Epilogue { accumulate: e > 0, ..Epilogue::default() };
                let grad = &mut self.weight.grad;
                k.gemm.run_with(Transpose::No, Transpose::Yes, g.out, pixels, taps, dye, block, grad, epi);
            }
            // db = the sums of dY over examples and pixels, in that order.
            for (o, gb) in self.bias.grad.iter_mut().enumerate() {
                *gb = dys().flat_map(|d| &d[o * pixels..(o + 1) * pixels]).sum();
            }
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

/// The im2col blocks of a batch: in example e's block (`IN·K·K × OH·OW`, at `e·IN·K·K·OH·OW`), row
/// `(c·K + ky)·K + kx`, column `oy·OW + ox` holds `x[e, c, oy·S + ky − P, ox·S + kx − P]`, or 0 in the padding.
fn im2col(g: &ConvGeom, x: &[f32], n: usize, cols: &mut [f32]) {
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

/// The adjoint of [`im2col`]: every column entry added back to the input position it was copied from.
fn col2im(g: &ConvGeom, cols: &[f32], n: usize, dx: &mut [f32]) {
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
                        for (s, d) in line_src[valid.clone()].iter().zip(line[ix0..].iter_mut().step_by(g.stride)) {
                            *d += *s;
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
        let planes = n * self.input.c;
        if !keep {
            self.max_planes(x, y, planes);
            return;
        }
        let (in_plane, out_plane) = self.planes();
        let (k, s, w, ow) = (self.kernel, self.stride, self.input.w, self.output.w);
        let mut argmax = std::mem::take(&mut self.argmax);
        let idx = workspace(&mut argmax, planes * out_plane);
        for ((src, dst), at) in x
            .chunks_exact(in_plane)
            .zip(y.chunks_exact_mut(out_plane))
            .zip(idx.chunks_exact_mut(out_plane))
            .take(planes)
        {
            // Output row by output row, each window visited row by row (as `max_planes`).
            for (oy, (out, at)) in dst.chunks_exact_mut(ow).zip(at.chunks_exact_mut(ow)).enumerate() {
                for row in 0..k {
                    let start = (oy * s + row) * w;
                    let line = &src[start..][..w];
                    for (ox, (o, a)) in out.iter_mut().zip(at.iter_mut()).enumerate() {
                        let window = &line[ox * s..ox * s + k];
                        let (mut best, mut best_at) =
                            if row == 0 { (window[0], start + ox * s) } else { (*o, *a as usize) };
                        for (i, &v) in window.iter().enumerate() {
                            // The first NaN is taken and kept, as PyTorch's max pooling propagates NaN.
                            if v > best || (v.is_nan() && !best.is_nan()) {
                                (best, best_at) = (v, start + ox * s + i);
                            }
                        }
                        (*o, *a) = (best, best_at as u32);
                    }
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
