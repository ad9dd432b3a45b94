//! The activation functions, defined once for the whole core: the engine's activation layers and the signal probe
//! both use [`Activation`].
//!
//! Each function comes in f32 (the hot path, [`Activation::eval`] and [`Activation::apply`]) and in f64
//! ([`Activation::eval_f64`], the reference the tests hold the f32 path to), with its derivative in three forms:
//! from the input z ([`Activation::derivative`], what backprop through a layer uses), in f64
//! ([`Activation::derivative_f64`], for gradient checks), and from the output y = f(z)
//! ([`Activation::derivative_from_output`], which lets the probe keep only outputs; not for GELU, which is not
//! invertible).
//!
//! The f32 paths take `exp` from the `libm` crate (pure Rust), so they give the same bits natively as in wasm
//! (where the standard library uses that same code); the platform's libm may differ by an ulp between machines.

use crate::error::{Error, Result};
use crate::init::Nonlinearity;

/// Negative slope of leaky_relu (PyTorch's default).
pub const LEAKY_SLOPE: f32 = 0.01;
/// SELU constants (Klambauer et al. 2017, as in torch.nn.SELU).
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_LAMBDA: f32 = 1.050_701;
/// The minimum of GELU (tanh form), about −0.17 at z ≈ −0.75: the lower end of its histograms.
pub const GELU_MIN: f64 = -0.17;
/// √(2/π), of the tanh form of GELU.
const GELU_C: f32 = 0.797_884_6;
/// The cubic coefficient of the tanh form of GELU.
const GELU_K: f32 = 0.044_715;

/// An elementwise activation. The names are those of the URL and of model specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Sigmoid,
    Relu,
    /// max(z, 0.01·z), PyTorch's default slope ([`LEAKY_SLOPE`]).
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

impl Activation {
    pub const ALL: [Activation; 7] = [
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Linear,
        Activation::Selu,
        Activation::Gelu,
    ];

    /// The URL and model-spec name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Linear => "linear",
            Activation::Selu => "selu",
            Activation::Gelu => "gelu",
        }
    }

    /// From the name; the error names the URL parameter `act`.
    pub fn parse(s: &str) -> Result<Activation> {
        Activation::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
            Error::coded(
                "act",
                "unknown_activation",
                format!("unknown activation {s:?}; expected one of {}", names.join(", ")),
            )
        })
    }

    pub fn from_name(s: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The nonlinearity whose `torch.nn.init.calculate_gain` an initializer uses for a layer followed by this
    /// activation. GELU has no gain of its own in torch; it is ReLU-like, so it takes ReLU's.
    pub fn nonlinearity(self) -> Nonlinearity {
        match self {
            Activation::Tanh => Nonlinearity::Tanh,
            Activation::Sigmoid => Nonlinearity::Sigmoid,
            Activation::Relu | Activation::Gelu => Nonlinearity::Relu,
            Activation::LeakyRelu => Nonlinearity::LeakyRelu,
            Activation::Linear => Nonlinearity::Linear,
            Activation::Selu => Nonlinearity::Selu,
        }
    }

    /// What the saturation fraction means for this activation; `None` where nothing saturates or dies.
    pub fn saturation(self) -> Option<Saturation> {
        match self {
            Activation::Tanh | Activation::Sigmoid => Some(Saturation::Saturated),
            Activation::Relu => Some(Saturation::Dead),
            Activation::LeakyRelu => Some(Saturation::Negative),
            Activation::Linear | Activation::Selu | Activation::Gelu => None,
        }
    }

    /// f(z) in f64: the reference the tests hold the f32 path to.
    pub fn eval_f64(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_SLOPE as f64 * z
                }
            }
            Activation::Linear => z,
            Activation::Selu => {
                let (a, l) = (SELU_ALPHA as f64, SELU_LAMBDA as f64);
                if z > 0.0 { l * z } else { l * a * z.exp_m1() }
            }
            Activation::Gelu => {
                let c = GELU_C as f64;
                0.5 * z * (1.0 + (c * (z + GELU_K as f64 * z * z * z)).tanh())
            }
        }
    }

    /// f'(z) in f64, for gradient checks. At the kinks (z = 0 for the ReLU family) the right-hand side is not taken:
    /// these return the derivative of the z ≤ 0 side, as PyTorch does.
    pub fn derivative_f64(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - z.tanh().powi(2),
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + (-z).exp());
                s * (1.0 - s)
            }
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE as f64
                }
            }
            Activation::Linear => 1.0,
            Activation::Selu => {
                let (a, l) = (SELU_ALPHA as f64, SELU_LAMBDA as f64);
                if z > 0.0 { l } else { l * a * z.exp() }
            }
            Activation::Gelu => {
                let (c, k) = (GELU_C as f64, GELU_K as f64);
                let t = (c * (z + k * z * z * z)).tanh();
                0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3.0 * k * z * z)
            }
        }
    }

    /// f(z) in f32. NaN stays NaN (so overflow is never hidden as a clean 0).
    #[inline]
    pub fn eval(self, z: f32) -> f32 {
        match self {
            Activation::Tanh => tanh_f32(z),
            Activation::Sigmoid => 1.0 / (1.0 + libm::expf(-z)),
            Activation::Relu => {
                if z < 0.0 {
                    0.0
                } else {
                    z
                }
            }
            Activation::LeakyRelu => {
                if z < 0.0 {
                    LEAKY_SLOPE * z
                } else {
                    z
                }
            }
            Activation::Linear => z,
            Activation::Selu => {
                if z > 0.0 {
                    SELU_LAMBDA * z
                } else {
                    SELU_LAMBDA * SELU_ALPHA * libm::expm1f(z)
                }
            }
            // 0.5·(1 + tanh(u)) = σ(2u): this form keeps the tiny negative tail that 1 + tanh(u) rounds away.
            Activation::Gelu => z / (1.0 + libm::expf(-2.0 * GELU_C * (z + GELU_K * z * z * z))),
        }
    }

    /// y = f(y) in place. The match is outside the loop so each loop is a straight map LLVM can vectorize.
    pub fn apply(self, y: &mut [f32]) {
        #[inline(always)]
        fn map(y: &mut [f32], f: impl Fn(f32) -> f32) {
            y.iter_mut().for_each(|v| *v = f(*v));
        }
        match self {
            Activation::Tanh => map(y, |z| Activation::Tanh.eval(z)),
            Activation::Sigmoid => map(y, |z| Activation::Sigmoid.eval(z)),
            Activation::Relu => map(y, |z| Activation::Relu.eval(z)),
            Activation::LeakyRelu => map(y, |z| Activation::LeakyRelu.eval(z)),
            Activation::Linear => {}
            Activation::Selu => map(y, |z| Activation::Selu.eval(z)),
            Activation::Gelu => map(y, |z| Activation::Gelu.eval(z)),
        }
    }

    /// `out[i] = f(z[i])`; `out` and `z` have the same length.
    pub fn forward(self, z: &[f32], out: &mut [f32]) {
        debug_assert_eq!(z.len(), out.len());
        #[inline(always)]
        fn map(z: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
            out.iter_mut().zip(z).for_each(|(o, &v)| *o = f(v));
        }
        match self {
            Activation::Tanh => map(z, out, |v| Activation::Tanh.eval(v)),
            Activation::Sigmoid => map(z, out, |v| Activation::Sigmoid.eval(v)),
            Activation::Relu => map(z, out, |v| Activation::Relu.eval(v)),
            Activation::LeakyRelu => map(z, out, |v| Activation::LeakyRelu.eval(v)),
            Activation::Linear => out.copy_from_slice(z),
            Activation::Selu => map(z, out, |v| Activation::Selu.eval(v)),
            Activation::Gelu => map(z, out, |v| Activation::Gelu.eval(v)),
        }
    }

    /// dL/dz = dL/dy ⊙ f'(z), from the input z: `dz[i] = dy[i] · f'(z[i])`.
    pub fn backward(self, z: &[f32], dy: &[f32], dz: &mut [f32]) {
        debug_assert!(z.len() == dy.len() && dy.len() == dz.len());
        #[inline(always)]
        fn map(z: &[f32], dy: &[f32], dz: &mut [f32], d: impl Fn(f32) -> f32) {
            for ((g, &zi), &gy) in dz.iter_mut().zip(z).zip(dy) {
                *g = gy * d(zi);
            }
        }
        match self {
            Activation::Linear => dz.copy_from_slice(dy),
            Activation::Tanh => map(z, dy, dz, |z| Activation::Tanh.derivative(z)),
            Activation::Sigmoid => map(z, dy, dz, |z| Activation::Sigmoid.derivative(z)),
            Activation::Relu => map(z, dy, dz, |z| Activation::Relu.derivative(z)),
            Activation::LeakyRelu => map(z, dy, dz, |z| Activation::LeakyRelu.derivative(z)),
            Activation::Selu => map(z, dy, dz, |z| Activation::Selu.derivative(z)),
            Activation::Gelu => map(z, dy, dz, |z| Activation::Gelu.derivative(z)),
        }
    }

    /// f'(z) in f32, from the input z (the ReLU family takes the z ≤ 0 side at 0, as PyTorch does).
    #[inline]
    pub fn derivative(self, z: f32) -> f32 {
        match self {
            Activation::Tanh => {
                let y = tanh_f32(z);
                1.0 - y * y
            }
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + libm::expf(-z));
                s * (1.0 - s)
            }
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Linear => 1.0,
            Activation::Selu => {
                if z > 0.0 {
                    SELU_LAMBDA
                } else {
                    SELU_LAMBDA * SELU_ALPHA * libm::expf(z)
                }
            }
            // With s = σ(2u) = 0.5·(1 + tanh u): f' = s + z·2s(1 − s)·u'(z), u' = c·(1 + 3·0.044715·z²).
            Activation::Gelu => {
                let s = 1.0 / (1.0 + libm::expf(-2.0 * GELU_C * (z + GELU_K * z * z * z)));
                s + 2.0 * z * s * (1.0 - s) * GELU_C * (1.0 + 3.0 * GELU_K * z * z)
            }
        }
    }

    /// f'(z) written in terms of the output y = f(z), for every activation but GELU (which is not invertible:
    /// NaN). The probe keeps outputs, not pre-activations, and uses this.
    #[inline]
    pub fn derivative_from_output(self, y: f32) -> f32 {
        match self {
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Relu => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if y > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Linear => 1.0,
            // For z ≤ 0, y = λα(eᶻ − 1), so f'(z) = λα eᶻ = y + λα.
            Activation::Selu => {
                if y > 0.0 {
                    SELU_LAMBDA
                } else {
                    y + SELU_LAMBDA * SELU_ALPHA
                }
            }
            Activation::Gelu => f32::NAN,
        }
    }
}

/// The fraction of `values` that count as saturated / dead / negative for `act` (see [`Saturation`]);
/// `None` for activations without such a notion. NaN counts as neither.
#[allow(clippy::manual_range_contains)] // `!(0.01..=0.99).contains(&y)` would count NaN as saturated
pub fn saturated_fraction(act: Activation, values: &[f32]) -> Option<f64> {
    #[inline(always)]
    fn fraction(values: &[f32], test: impl Fn(f32) -> bool) -> f64 {
        values.iter().filter(|&&y| test(y)).count() as f64 / values.len() as f64 // 0/0 = NaN when empty
    }
    Some(match act {
        Activation::Tanh => fraction(values, |y| y.abs() > 0.99),
        Activation::Sigmoid => fraction(values, |y| y < 0.01 || y > 0.99),
        Activation::Relu => fraction(values, |y| y == 0.0),
        Activation::LeakyRelu => fraction(values, |y| y < 0.0),
        Activation::Linear | Activation::Selu | Activation::Gelu => return None,
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
