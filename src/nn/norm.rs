//! Normalization layers with PyTorch's semantics: BatchNorm (`nn.BatchNorm2d` after a conv, `nn.BatchNorm1d` after
//! flatten or dense) and GroupNorm (`nn.GroupNorm`).
//!
//! # BatchNorm
//! Per channel `c`, over the `m = N·H·W` values of the batch (a flat input is `C×1×1`, so per feature over N):
//! `y = (x − μ) / √(σ² + ε) · γ + β`, ε = 1e-5, γ = 1 and β = 0 at the start. In training `μ` and `σ²` are the
//! batch's mean and *biased* variance (divided by m), and the running statistics move towards the batch's with
//! momentum 0.1 using the *unbiased* variance (divided by m − 1): `running = 0.9 · running + 0.1 · batch`, computed
//! in f64 as PyTorch's CPU kernel does; `num_batches_tracked` counts those steps. Running mean starts at 0, running
//! variance at 1. In evaluation, and whenever the layer is frozen (its weight not trainable: `model.eval()` on a
//! frozen backbone), μ and σ² are the running statistics and nothing is updated. A channel with a single value in
//! training (a flat BatchNorm on a batch of 1) has no variance; [`BatchNorm::check_batch`] refuses it as PyTorch does.
//!
//! # GroupNorm
//! Per example, the C channels split into G groups of C/G consecutive channels; each group's `C/G·H·W` values are
//! normalized by their own mean and biased variance, then scaled and shifted per channel (γ = 1, β = 0 at the
//! start). No running statistics: training and evaluation compute the same.
//!
//! # Kernels
//! The reductions and the elementwise passes run on contiguous planes through [`lanes`]: eight f32 accumulators
//! (two `f32x4` on wasm SIMD), summed in a fixed order, mul then add with two roundings. The wasm SIMD versions are
//! bit-identical to their scalar twins (`*_scalar`), which the native build runs (tests/kernels_wasm.rs).

use crate::error::{Error, Result};
use crate::nn::layer::{Parameter, Wants};

/// ε added to the variance.
pub const EPS: f32 = 1e-5;
/// How far one training step moves the running statistics towards the batch's.
pub const MOMENTUM: f64 = 0.1;

/// BatchNorm over `channels` channels of `plane` values each (`H·W`; 1 for a flat input).
#[derive(Debug, Clone)]
pub struct BatchNorm {
    channels: usize,
    plane: usize,
    /// γ, `[C]`.
    pub weight: Parameter,
    /// β, `[C]`.
    pub bias: Parameter,
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
    /// Training steps that updated the running statistics (PyTorch's int64 buffer).
    pub num_batches_tracked: u64,
    /// μ and 1/√(σ² + ε) per channel of the last forward pass (batch or running statistics).
    mean: Vec<f32>,
    invstd: Vec<f32>,
    /// Whether the last forward pass normalized by the batch's statistics (training, not frozen).
    batch_stats: bool,
    /// Frozen but in training mode all the same: normalizes by the batch and updates the running statistics in
    /// training while γ and β stay fixed (PyTorch: `requires_grad_(False)` without `.eval()`; the transfer lab's
    /// "BN statistics updated on the target"). Off by default: a frozen layer uses its running statistics.
    pub batch_stats_when_frozen: bool,
}

/// GroupNorm: `groups` groups of consecutive channels among `channels`, `plane` values per channel.
#[derive(Debug, Clone)]
pub struct GroupNorm {
    channels: usize,
    groups: usize,
    plane: usize,
    /// γ, `[C]`.
    pub weight: Parameter,
    /// β, `[C]`.
    pub bias: Parameter,
    /// μ and 1/√(σ² + ε) per example and group of the last forward pass.
    mean: Vec<f32>,
    invstd: Vec<f32>,
}

fn ones(name: String, len: usize) -> Parameter {
    let mut p = zeros(name, len);
    p.value.fill(1.0);
    p
}

fn zeros(name: String, len: usize) -> Parameter {
    Parameter::zeros(name, vec![len])
}

fn invstd(var: f32) -> f32 {
    1.0 / (var + EPS).sqrt()
}

impl BatchNorm {
    /// γ = 1, β = 0, running mean 0, running variance 1; `index` names the parameters (`3.weight`).
    pub fn new(channels: usize, plane: usize, index: usize) -> BatchNorm {
        BatchNorm {
            channels,
            plane,
            weight: ones(format!("{index}.weight"), channels),
            bias: zeros(format!("{index}.bias"), channels),
            running_mean: vec![0.0; channels],
            running_var: vec![1.0; channels],
            num_batches_tracked: 0,
            mean: vec![0.0; channels],
            invstd: vec![0.0; channels],
            batch_stats: false,
            batch_stats_when_frozen: false,
        }
    }

    /// Whether a forward pass in training mode normalizes by the batch (the layer is not frozen, or frozen with
    /// `batch_stats_when_frozen`).
    pub fn uses_batch_stats(&self, train: bool) -> bool {
        train && (self.weight.trainable || self.batch_stats_when_frozen)
    }

    /// A training pass on a batch of `n` needs more than one value per channel (param `batch`, code
    /// `one_value_per_channel`, with `layer` 0-based and `batch`), as PyTorch refuses it.
    pub fn check_batch(&self, n: usize, train: bool, layer: usize) -> Result<()> {
        if self.uses_batch_stats(train) && n * self.plane < 2 {
            return Err(Error::coded(
                "batch",
                "one_value_per_channel",
                format!(
                    "layer {layer} (bn) normalizes each of its {} channels over the batch in training, but a batch of \
                     {n} gives each channel {} value (no variance); PyTorch refuses it too: train with a batch of 2 or \
                     more, or freeze the layer (it then uses its running statistics)",
                    self.channels,
                    n * self.plane
                ),
            )
            .with("layer", layer as f64)
            .with("batch", n as f64));
        }
        Ok(())
    }

    /// `y` from `x` (both `n × C × plane`). In training (not frozen) the batch's statistics, which also update the
    /// running ones; otherwise the running statistics. A batch with one value per channel must have been refused by
    /// [`BatchNorm::check_batch`]; were it not, the running variance would be left as it is.
    pub fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, train: bool) {
        let (c, p) = (self.channels, self.plane);
        self.batch_stats = self.uses_batch_stats(train);
        if self.batch_stats {
            let m = n * p;
            for ch in 0..c {
                let planes = || (0..n).map(|e| &x[(e * c + ch) * p..][..p]);
                let sum: f32 = planes().fold(0.0, |s, plane| s + lanes::sum(plane));
                let mean = sum / m as f32;
                let sq: f32 = planes().fold(0.0, |s, plane| s + lanes::sum_sq_dev(plane, mean));
                let var = sq / m as f32;
                self.mean[ch] = mean;
                self.invstd[ch] = invstd(var);
                let rm = &mut self.running_mean[ch];
                *rm = (MOMENTUM * mean as f64 + (1.0 - MOMENTUM) * *rm as f64) as f32;
                if m > 1 {
                    let unbiased = sq as f64 / (m - 1) as f64;
                    let rv = &mut self.running_var[ch];
                    *rv = (MOMENTUM * unbiased + (1.0 - MOMENTUM) * *rv as f64) as f32;
                }
            }
            self.num_batches_tracked += 1;
        } else {
            for ch in 0..c {
                self.mean[ch] = self.running_mean[ch];
                self.invstd[ch] = invstd(self.running_var[ch]);
            }
        }
        for (i, (src, dst)) in x.chunks_exact(p).zip(y.chunks_exact_mut(p)).take(n * c).enumerate() {
            let ch = i % c;
            let a = self.weight.value[ch] * self.invstd[ch];
            lanes::normalize(src, self.mean[ch], a, self.bias.value[ch], dst);
        }
    }

    /// The gradients from `dy` for the input `x` of the last forward pass, in the mode of that pass.
    pub fn backward(&mut self, x: &[f32], dy: &[f32], dx: &mut [f32], n: usize, wants: Wants) {
        let (c, p) = (self.channels, self.plane);
        let m = (n * p) as f32;
        for ch in 0..c {
            let (mean, inv, gamma) = (self.mean[ch], self.invstd[ch], self.weight.value[ch]);
            let at = |e: usize| (e * c + ch) * p;
            let s1: f32 = (0..n).fold(0.0, |s, e| s + lanes::sum(&dy[at(e)..][..p]));
            let s2: f32 = (0..n).fold(0.0, |s, e| s + lanes::dot_dev(&dy[at(e)..][..p], &x[at(e)..][..p], mean));
            if wants.params {
                self.weight.grad[ch] = s2 * inv;
                self.bias.grad[ch] = s1;
            }
            if wants.input {
                let a = gamma * inv;
                // Training: μ and σ² depend on every x of the channel, which adds the two mean terms.
                let (k1, k0) = if self.batch_stats { (-a * inv * inv * s2 / m, -a * s1 / m) } else { (0.0, 0.0) };
                for e in 0..n {
                    let i = at(e);
                    lanes::backward(&dy[i..][..p], &x[i..][..p], mean, a, k1, k0, &mut dx[i..][..p]);
                }
            }
        }
    }
}

impl GroupNorm {
    /// γ = 1, β = 0; `channels` must be a multiple of `groups` (the spec checks it).
    pub fn new(channels: usize, groups: usize, plane: usize, index: usize) -> GroupNorm {
        GroupNorm {
            channels,
            groups,
            plane,
            weight: ones(format!("{index}.weight"), channels),
            bias: zeros(format!("{index}.bias"), channels),
            mean: Vec::new(),
            invstd: Vec::new(),
        }
    }

    /// Values per group of one example.
    fn group_len(&self) -> usize {
        self.channels / self.groups * self.plane
    }

    pub fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize) {
        let (p, per, cg) = (self.plane, self.group_len(), self.channels / self.groups);
        self.mean.resize(n * self.groups, 0.0);
        self.invstd.resize(n * self.groups, 0.0);
        for (eg, (src, dst)) in x.chunks_exact(per).zip(y.chunks_exact_mut(per)).take(n * self.groups).enumerate() {
            let mean = lanes::sum(src) / per as f32;
            let inv = invstd(lanes::sum_sq_dev(src, mean) / per as f32);
            (self.mean[eg], self.invstd[eg]) = (mean, inv);
            let first = (eg % self.groups) * cg;
            for (j, (s, d)) in src.chunks_exact(p).zip(dst.chunks_exact_mut(p)).enumerate() {
                let ch = first + j;
                lanes::normalize(s, mean, self.weight.value[ch] * inv, self.bias.value[ch], d);
            }
        }
    }

    pub fn backward(&mut self, x: &[f32], dy: &[f32], dx: &mut [f32], n: usize, wants: Wants) {
        let (p, per, cg) = (self.plane, self.group_len(), self.channels / self.groups);
        if wants.params {
            self.weight.grad.fill(0.0);
            self.bias.grad.fill(0.0);
        }
        for eg in 0..n * self.groups {
            let (mean, inv) = (self.mean[eg], self.invstd[eg]);
            let first = (eg % self.groups) * cg;
            let (xs, gs) = (&x[eg * per..][..per], &dy[eg * per..][..per]);
            // Per channel Σ dy and Σ dy·(x − μ); A = Σ γ·Σdy and B = Σ γ·Σdy·(x − μ) over the group.
            let (mut a_sum, mut b_sum) = (0.0f32, 0.0f32);
            for (j, (xc, gc)) in xs.chunks_exact(p).zip(gs.chunks_exact(p)).enumerate() {
                let (s1, s2) = (lanes::sum(gc), lanes::dot_dev(gc, xc, mean));
                let gamma = self.weight.value[first + j];
                a_sum += gamma * s1;
                b_sum += gamma * s2;
                if wants.params {
                    self.weight.grad[first + j] += s2 * inv;
                    self.bias.grad[first + j] += s1;
                }
            }
            if wants.input {
                let m = per as f32;
                let (k1, k0) = (-inv * inv * inv * b_sum / m, -inv * a_sum / m);
                let dxs = &mut dx[eg * per..][..per];
                for (j, ((xc, gc), dc)) in
                    xs.chunks_exact(p).zip(gs.chunks_exact(p)).zip(dxs.chunks_exact_mut(p)).enumerate()
                {
                    let a = self.weight.value[first + j] * inv;
                    lanes::backward(gc, xc, mean, a, k1, k0, dc);
                }
            }
        }
    }
}

/// The passes over one contiguous run of values. Each reduction keeps eight partial sums (element `i` of the
/// first `8·⌊len/8⌋` goes to sum `i mod 8`), adds them as `((s0+s4) + (s1+s5)) + ((s2+s6) + (s3+s7))`, then the
/// remaining elements in order. Elementwise passes multiply, then add, rounding each time.
pub mod lanes {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use simd::*;

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use self::{
        backward_scalar as backward, dot_dev_scalar as dot_dev, normalize_scalar as normalize, sum_scalar as sum,
        sum_sq_dev_scalar as sum_sq_dev,
    };

    /// Eight partial sums of `f(i)` over `len` elements, then the tail (see the module docs).
    #[inline(always)]
    fn reduce_scalar(len: usize, f: impl Fn(usize) -> f32) -> f32 {
        let mut acc = [0.0f32; 8];
        let full = len / 8 * 8;
        for base in (0..full).step_by(8) {
            for (j, a) in acc.iter_mut().enumerate() {
                *a += f(base + j);
            }
        }
        let mut total = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for i in full..len {
            total += f(i);
        }
        total
    }

    /// Σ x.
    pub fn sum_scalar(x: &[f32]) -> f32 {
        reduce_scalar(x.len(), |i| x[i])
    }

    /// Σ (x − m)².
    pub fn sum_sq_dev_scalar(x: &[f32], m: f32) -> f32 {
        reduce_scalar(x.len(), |i| {
            let d = x[i] - m;
            d * d
        })
    }

    /// Σ dy · (x − m).
    pub fn dot_dev_scalar(dy: &[f32], x: &[f32], m: f32) -> f32 {
        let x = &x[..dy.len()];
        reduce_scalar(dy.len(), |i| dy[i] * (x[i] - m))
    }

    /// `y = (x − m)·a + b`.
    pub fn normalize_scalar(x: &[f32], m: f32, a: f32, b: f32, y: &mut [f32]) {
        for (d, &s) in y.iter_mut().zip(x) {
            *d = (s - m) * a + b;
        }
    }

    /// `dx = (dy·a + (x − m)·k1) + k0`.
    pub fn backward_scalar(dy: &[f32], x: &[f32], m: f32, a: f32, k1: f32, k0: f32, dx: &mut [f32]) {
        for ((d, &g), &s) in dx.iter_mut().zip(dy).zip(x) {
            *d = (g * a + (s - m) * k1) + k0;
        }
    }

    /// The wasm SIMD versions: the same operations in the same order, four lanes at a time.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod simd {
        use core::arch::wasm32::*;

        /// Loads 4 floats at `i` (bounds checked by the slice).
        #[inline(always)]
        fn load(x: &[f32], i: usize) -> v128 {
            let s: &[f32; 4] = x[i..i + 4].try_into().expect("4 floats");
            // SAFETY: s is 4 readable floats; wasm loads need no alignment.
            unsafe { v128_load(s.as_ptr() as *const v128) }
        }

        #[inline(always)]
        fn store(y: &mut [f32], i: usize, v: v128) {
            let s: &mut [f32; 4] = (&mut y[i..i + 4]).try_into().expect("4 floats");
            // SAFETY: s is 4 writable floats; wasm stores need no alignment.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, v) }
        }

        /// Eight partial sums (two vectors) of `f(i)`, `f(i + 4)` per 8 elements, then the scalar tail `g(i)`.
        #[inline(always)]
        fn reduce(len: usize, f: impl Fn(usize) -> v128, g: impl Fn(usize) -> f32) -> f32 {
            let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
            let full = len / 8 * 8;
            for base in (0..full).step_by(8) {
                lo = f32x4_add(lo, f(base));
                hi = f32x4_add(hi, f(base + 4));
            }
            let s = f32x4_add(lo, hi);
            let lane = |k: usize| match k {
                0 => f32x4_extract_lane::<0>(s),
                1 => f32x4_extract_lane::<1>(s),
                2 => f32x4_extract_lane::<2>(s),
                _ => f32x4_extract_lane::<3>(s),
            };
            let mut total = (lane(0) + lane(1)) + (lane(2) + lane(3));
            for i in full..len {
                total += g(i);
            }
            total
        }

        pub fn sum(x: &[f32]) -> f32 {
            reduce(x.len(), |i| load(x, i), |i| x[i])
        }

        pub fn sum_sq_dev(x: &[f32], m: f32) -> f32 {
            let mv = f32x4_splat(m);
            reduce(
                x.len(),
                |i| {
                    let d = f32x4_sub(load(x, i), mv);
                    f32x4_mul(d, d)
                },
                |i| {
                    let d = x[i] - m;
                    d * d
                },
            )
        }

        pub fn dot_dev(dy: &[f32], x: &[f32], m: f32) -> f32 {
            let x = &x[..dy.len()];
            let mv = f32x4_splat(m);
            reduce(dy.len(), |i| f32x4_mul(load(dy, i), f32x4_sub(load(x, i), mv)), |i| dy[i] * (x[i] - m))
        }

        pub fn normalize(x: &[f32], m: f32, a: f32, b: f32, y: &mut [f32]) {
            let len = x.len().min(y.len());
            let full = len / 4 * 4;
            let (mv, av, bv) = (f32x4_splat(m), f32x4_splat(a), f32x4_splat(b));
            for i in (0..full).step_by(4) {
                store(y, i, f32x4_add(f32x4_mul(f32x4_sub(load(x, i), mv), av), bv));
            }
            super::normalize_scalar(&x[full..len], m, a, b, &mut y[full..len]);
        }

        pub fn backward(dy: &[f32], x: &[f32], m: f32, a: f32, k1: f32, k0: f32, dx: &mut [f32]) {
            let len = dy.len().min(x.len()).min(dx.len());
            let full = len / 4 * 4;
            let (mv, av, k1v, k0v) = (f32x4_splat(m), f32x4_splat(a), f32x4_splat(k1), f32x4_splat(k0));
            for i in (0..full).step_by(4) {
                let t = f32x4_add(f32x4_mul(load(dy, i), av), f32x4_mul(f32x4_sub(load(x, i), mv), k1v));
                store(dx, i, f32x4_add(t, k0v));
            }
            super::backward_scalar(&dy[full..len], &x[full..len], m, a, k1, k0, &mut dx[full..len]);
        }
    }
}
