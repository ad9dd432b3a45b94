//! The rules behind the signal panel's sentences: which initializer is the usual one for an activation (and when the
//! signal still vanishes with it), when two spreads are "about the same size", how a run compares with its reference
//! run, and which ReLU units are dead. Each rule returns an enum and the figures it was decided from; the page only
//! turns the enum into words (www/js/i18n/signal.js). tests/signal.rs holds every claim to its figures.

use crate::init::Scheme;
use crate::nn::activation::Activation;

/// Two positive numbers are "about the same size" when their ratio lies in [1/2, 2]: the band the page states.
pub const SAME_SIZE_FACTOR: f64 = 2.0;

/// Where a ratio a/b lies against the band [1/FACTOR, FACTOR].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// a < b / 2.
    Smaller,
    /// b / 2 ≤ a ≤ 2 b.
    Similar,
    /// a > 2 b.
    Larger,
}

impl Size {
    pub fn name(self) -> &'static str {
        match self {
            Size::Smaller => "smaller",
            Size::Similar => "similar",
            Size::Larger => "larger",
        }
    }

    /// The size of a ratio; `None` when it is not a positive finite number (a zero, inf or NaN spread).
    pub fn of(ratio: f64) -> Option<Size> {
        if !(ratio.is_finite() && ratio > 0.0) {
            None
        } else if ratio < 1.0 / SAME_SIZE_FACTOR {
            Some(Size::Smaller)
        } else if ratio > SAME_SIZE_FACTOR {
            Some(Size::Larger)
        } else {
            Some(Size::Similar)
        }
    }
}

/// The first layer's weight-gradient spread against the last layer's: the ratio and where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstLast {
    /// first / last.
    pub ratio: f64,
    /// `None`: the ratio is undefined (a zero, inf or NaN spread).
    pub size: Option<Size>,
}

pub fn first_last(first: f64, last: f64) -> FirstLast {
    let ratio = first / last;
    FirstLast { ratio, size: Size::of(ratio) }
}

/// Why the usual initializer fits an activation, or why the signal still vanishes with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit {
    /// The initializer's assumption holds for this activation.
    Holds,
    /// The initializer assumes a slope of `assumed` at 0 (Xavier: the unit is linear near 0), but the activation's
    /// slope there is only `slope` (sigmoid: 1/4): each layer scales the backward signal by about `slope`, so the
    /// gradients still shrink toward the input.
    StillVanishes { slope: f64, assumed: f64 },
}

/// The usual initializer for an activation: the one the reference run (the faint curves) uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference {
    pub scheme: Scheme,
    pub fit: Fit,
}

/// The usual initializer for `act`, with torch's default gain for its scheme (Xavier and LeCun: 1, He: √2):
/// Xavier for the tanh-like units and the linear one (it assumes slope 1 at 0), He for the ReLU family (GELU behaves
/// like ReLU away from 0), LeCun for SELU (Var = 1/fan_in, the self-normalizing setting; PyTorch's own advice is
/// `nonlinearity='linear'` for SELU, i.e. gain 1, not `calculate_gain('selu')` = 3/4).
pub fn reference(act: Activation) -> Reference {
    let scheme = match act {
        Activation::Tanh | Activation::Sigmoid | Activation::Linear => Scheme::XavierNormal,
        Activation::Relu | Activation::LeakyRelu | Activation::Gelu => Scheme::HeNormal,
        Activation::Selu => Scheme::LecunNormal,
    };
    let fit = if scheme == Scheme::XavierNormal {
        let (slope, assumed) = (act.derivative_f64(0.0), 1.0);
        if slope < assumed / SAME_SIZE_FACTOR { Fit::StillVanishes { slope, assumed } } else { Fit::Holds }
    } else {
        Fit::Holds
    };
    Reference { scheme, fit }
}

/// A run's per-layer spreads against the reference run's (same net, seed and activation; the usual initializer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Comparison {
    /// Every layer's ratio lies in [1/2, 2].
    Close,
    /// Not close, but every layer's ratio lies within a factor of 2 of `ratio` (the geometric middle of the smallest
    /// and the largest ratio).
    Uniform { ratio: f64 },
    /// The ratios differ by more than a factor of 4 across layers: the first and the last layer's.
    Spread { first: f64, last: f64 },
    /// A ratio is not a positive finite number (a spread overflowed or is exactly 0), or there are no layers.
    Undefined,
}

impl Comparison {
    pub fn name(&self) -> &'static str {
        match self {
            Comparison::Close => "close",
            Comparison::Uniform { .. } => "uniform",
            Comparison::Spread { .. } => "spread",
            Comparison::Undefined => "undefined",
        }
    }
}

/// Compares `run[i] / reference[i]` layer by layer (the shorter length counts).
pub fn compare(run: &[f64], reference: &[f64]) -> Comparison {
    let ratios: Vec<f64> = run.iter().zip(reference).map(|(a, b)| a / b).collect();
    if ratios.is_empty() || !ratios.iter().all(|r| r.is_finite() && *r > 0.0) {
        return Comparison::Undefined;
    }
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(0.0, f64::max);
    if lo >= 1.0 / SAME_SIZE_FACTOR && hi <= SAME_SIZE_FACTOR {
        Comparison::Close
    } else if hi / lo <= SAME_SIZE_FACTOR * SAME_SIZE_FACTOR {
        Comparison::Uniform { ratio: (lo * hi).sqrt() }
    } else {
        Comparison::Spread { first: ratios[0], last: ratios[ratios.len() - 1] }
    }
}

/// The fraction of units (columns of a batch × width output) that are exactly 0 for every sample of the batch: dead
/// ReLU units, which pass no gradient for any input. A unit that is 0 for one sample only is inactive for that
/// sample (about half of them in a healthy ReLU net), which `saturated_fraction` counts. NaN when empty.
pub fn dead_fraction(values: &[f32], batch: usize, width: usize) -> f64 {
    if batch == 0 || width == 0 || values.len() < batch * width {
        return f64::NAN;
    }
    let mut alive = vec![false; width];
    for row in values[..batch * width].chunks_exact(width) {
        for (a, &y) in alive.iter_mut().zip(row) {
            *a |= y != 0.0;
        }
    }
    alive.iter().filter(|&&a| !a).count() as f64 / width as f64
}
