//! Weight initializers as torch.nn.init and Keras define them: fans, gains, the theoretical spread, and sampling.
//!
//! Shapes are laid out as PyTorch does: dense `[out, in]`, conv `[out, in, kh, kw]` (1-d and 3-d convs too).
//! Fans follow `torch.nn.init._calculate_fan_in_and_fan_out`: `fan_in = in · receptive field`,
//! `fan_out = out · receptive field`, where the receptive field is the product of the kernel dimensions.
//! LeCun follows Keras (`VarianceScaling(scale=gain², mode)`), Xavier and He follow torch.nn.init; all three reduce
//! to `std = gain / √fan` (LeCun, He) or `gain · √(2 / (fan_in + fan_out))` (Xavier), and a uniform variant with the
//! same variance has bound `√3 · std`, because U(−a, a) has variance a²/3.

use crate::error::{Error, Result, brief, check_range, quote};
use crate::number::readable;
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// Keras divides the target std by this so that a normal truncated at ±2σ still has the target std:
/// the std of N(0, 1) truncated to [−2, 2].
pub const TRUNCATED_STD_FACTOR: f64 = 0.879_625_661_034_239_8;

/// The largest dimension and element count a shape may have. Only the fans are derived from the shape (the sample
/// count is separate), so the limits just keep the numbers those of a layer that fits in memory.
pub const MAX_DIM: usize = 100_000;
pub const MAX_ELEMENTS: u64 = 1_000_000_000;
pub const MAX_RANK: usize = 5;
/// Upper limits of the leaky-ReLU slope, of `std` (scheme `normal`) and of `a` (scheme `uniform`).
pub const MAX_SLOPE: f64 = 1e3;
pub const MAX_STD: f64 = 1e6;
pub const MAX_A: f64 = 1e6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    LecunNormal,
    LecunUniform,
    XavierNormal,
    XavierUniform,
    HeNormal,
    HeUniform,
    Normal,
    Uniform,
    Zeros,
}

impl Scheme {
    pub const ALL: [Scheme; 9] = [
        Scheme::LecunNormal,
        Scheme::LecunUniform,
        Scheme::XavierNormal,
        Scheme::XavierUniform,
        Scheme::HeNormal,
        Scheme::HeUniform,
        Scheme::Normal,
        Scheme::Uniform,
        Scheme::Zeros,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::LecunNormal => "lecun_normal",
            Scheme::LecunUniform => "lecun_uniform",
            Scheme::XavierNormal => "xavier_normal",
            Scheme::XavierUniform => "xavier_uniform",
            Scheme::HeNormal => "he_normal",
            Scheme::HeUniform => "he_uniform",
            Scheme::Normal => "normal",
            Scheme::Uniform => "uniform",
            Scheme::Zeros => "zeros",
        }
    }

    pub fn parse(s: &str) -> Result<Scheme> {
        Scheme::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Scheme::ALL.iter().map(|k| k.name()).collect();
            Error::coded(
                "init",
                "unknown_choice",
                format!("unknown scheme {}; expected one of {}", quote(s), names.join(", ")),
            )
        })
    }

    /// The nonlinearity whose gain the scheme uses when none is given: He assumes ReLU, the others a linear unit.
    pub fn default_nonlinearity(self) -> Nonlinearity {
        match self {
            Scheme::HeNormal | Scheme::HeUniform => Nonlinearity::Relu,
            _ => Nonlinearity::Linear,
        }
    }

    /// Whether `mode=` (fan_in / fan_out) changes this scheme.
    pub fn uses_mode(self) -> bool {
        matches!(self, Scheme::LecunNormal | Scheme::LecunUniform | Scheme::HeNormal | Scheme::HeUniform)
    }

    /// Whether the gain of `nonlinearity=` scales this scheme.
    pub fn uses_gain(self) -> bool {
        !matches!(self, Scheme::Normal | Scheme::Uniform | Scheme::Zeros)
    }

    /// Whether the samples come from a normal distribution (so `dist=truncated` applies).
    pub fn is_normal(self) -> bool {
        matches!(self, Scheme::LecunNormal | Scheme::XavierNormal | Scheme::HeNormal | Scheme::Normal)
    }

    /// Whether `std=` sets this scheme's spread (only the plain normal takes it as given).
    pub fn uses_std(self) -> bool {
        self == Scheme::Normal
    }

    /// Whether `a=` sets this scheme's bound (only the plain uniform takes it as given).
    pub fn uses_a(self) -> bool {
        self == Scheme::Uniform
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    FanIn,
    FanOut,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::FanIn, Mode::FanOut];

    pub fn name(self) -> &'static str {
        match self {
            Mode::FanIn => "fan_in",
            Mode::FanOut => "fan_out",
        }
    }

    pub fn parse(s: &str) -> Result<Mode> {
        match s {
            "fan_in" => Ok(Mode::FanIn),
            "fan_out" => Ok(Mode::FanOut),
            _ => Err(Error::coded(
                "mode",
                "unknown_choice",
                format!("unknown mode {}; expected fan_in or fan_out", quote(s)),
            )),
        }
    }
}

/// The nonlinearities of `torch.nn.init.calculate_gain` that matter for weight layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonlinearity {
    Linear,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu,
    Selu,
}

impl Nonlinearity {
    pub const ALL: [Nonlinearity; 6] = [
        Nonlinearity::Linear,
        Nonlinearity::Sigmoid,
        Nonlinearity::Tanh,
        Nonlinearity::Relu,
        Nonlinearity::LeakyRelu,
        Nonlinearity::Selu,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Nonlinearity::Linear => "linear",
            Nonlinearity::Sigmoid => "sigmoid",
            Nonlinearity::Tanh => "tanh",
            Nonlinearity::Relu => "relu",
            Nonlinearity::LeakyRelu => "leaky_relu",
            Nonlinearity::Selu => "selu",
        }
    }

    pub fn parse(s: &str) -> Result<Nonlinearity> {
        Nonlinearity::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Nonlinearity::ALL.iter().map(|k| k.name()).collect();
            Error::coded(
                "nonlinearity",
                "unknown_choice",
                format!("unknown nonlinearity {}; expected one of {}", quote(s), names.join(", ")),
            )
        })
    }

    /// Exactly `torch.nn.init.calculate_gain(name, slope)`: `slope` is the negative slope of leaky_relu.
    pub fn gain(self, slope: f64) -> f64 {
        match self {
            Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
            Nonlinearity::Tanh => 5.0 / 3.0,
            Nonlinearity::Relu => 2f64.sqrt(),
            Nonlinearity::LeakyRelu => (2.0 / (1.0 + slope * slope)).sqrt(),
            Nonlinearity::Selu => 0.75,
        }
    }
}

/// Plain or truncated normal (Keras' `truncated_normal`: cut at ±2σ, σ raised so the std stays the target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dist {
    Normal,
    Truncated,
}

impl Dist {
    pub const ALL: [Dist; 2] = [Dist::Normal, Dist::Truncated];

    pub fn name(self) -> &'static str {
        match self {
            Dist::Normal => "normal",
            Dist::Truncated => "truncated",
        }
    }

    pub fn parse(s: &str) -> Result<Dist> {
        match s {
            "normal" => Ok(Dist::Normal),
            "truncated" => Ok(Dist::Truncated),
            _ => Err(Error::coded(
                "dist",
                "unknown_choice",
                format!("unknown distribution {}; expected normal or truncated", quote(s)),
            )),
        }
    }
}

/// Parses `256x784` or `64x3x3x3` (PyTorch order). Rejects empty, zero and oversized shapes with the limit stated.
pub fn parse_shape(s: &str) -> Result<Vec<usize>> {
    let parts: Vec<&str> = s.split(['x', 'X', '×']).map(str::trim).collect();
    if parts.len() < 2 || parts.len() > MAX_RANK {
        return Err(Error::coded(
            "shape",
            "shape_rank",
            format!(
                "{} is not a layer shape; write OUTxIN (dense) or OUTxINxKHxKW (conv), 2 to {MAX_RANK} dimensions",
                quote(s)
            ),
        )
        .with("got", parts.len() as f64)
        .with("max", MAX_RANK as f64));
    }
    let mut dims = Vec::with_capacity(parts.len());
    for p in parts {
        // Digits only: `+5` or `5.0` are not dimensions (str::parse would take the first).
        let d = match p.parse::<usize>() {
            Ok(d) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => d,
            _ if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => usize::MAX, // too many digits: too large
            _ => {
                return Err(Error::coded(
                    "shape",
                    "shape_dim_form",
                    format!("{} in {} is not a whole number", quote(p), quote(s)),
                ));
            }
        };
        if d == 0 || d > MAX_DIM {
            return Err(Error::coded(
                "shape",
                "shape_dim_range",
                format!("every dimension must be between 1 and {MAX_DIM}, got {}", brief(d as f64)),
            )
            .with("min", 1.0)
            .with("max", MAX_DIM as f64)
            .with("got", d as f64));
        }
        dims.push(d);
    }
    // Five dimensions of up to 10⁵ overflow u64, so the product saturates instead of wrapping below the limit.
    let elements = dims.iter().fold(1u64, |n, &d| n.saturating_mul(d as u64));
    if elements > MAX_ELEMENTS {
        return Err(Error::coded(
            "shape",
            "shape_too_large",
            format!(
                "{} weights is more than the limit of {} (a layer that fits in memory)",
                brief(elements as f64),
                brief(MAX_ELEMENTS as f64)
            ),
        )
        .with("got", elements as f64)
        .with("max", MAX_ELEMENTS as f64));
    }
    Ok(dims)
}

/// The shape as `parse_shape` reads it: dimensions joined by `x` (`parse_shape(&shape_text(d)) == Ok(d)`).
pub fn shape_text(dims: &[usize]) -> String {
    dims.iter().map(usize::to_string).collect::<Vec<_>>().join("x")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fans {
    pub fan_in: usize,
    pub fan_out: usize,
}

/// `torch.nn.init._calculate_fan_in_and_fan_out` for a tensor of at least two dimensions.
pub fn fans(shape: &[usize]) -> Result<Fans> {
    if shape.len() < 2 {
        return Err(Error::invalid("shape", "fans need at least two dimensions (OUTxIN)"));
    }
    let receptive: usize = shape[2..].iter().product();
    Ok(Fans { fan_in: shape[1] * receptive, fan_out: shape[0] * receptive })
}

/// Everything a person chooses about an initializer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InitConfig {
    pub scheme: Scheme,
    pub mode: Mode,
    /// `None` means the scheme's default (ReLU for He, linear otherwise).
    pub nonlinearity: Option<Nonlinearity>,
    /// Negative slope of leaky_relu, as torch's `a` / `param`.
    pub slope: f64,
    pub dist: Dist,
    /// Standard deviation for `Scheme::Normal`.
    pub std: f64,
    /// Half-width for `Scheme::Uniform`: U(−a, a).
    pub a: f64,
}

impl InitConfig {
    pub fn new(scheme: Scheme) -> InitConfig {
        InitConfig {
            scheme,
            mode: Mode::FanIn,
            nonlinearity: None,
            slope: 0.01,
            dist: Dist::Normal,
            std: 0.01,
            a: 0.05,
        }
    }

    /// From the URL's names and numbers (`nonlinearity` may be `auto`: the scheme's default). Every panel that
    /// draws weights takes these same parameters.
    pub fn from_params(
        scheme: &str,
        mode: &str,
        nonlinearity: &str,
        slope: f64,
        dist: &str,
        std: f64,
        a: f64,
    ) -> Result<InitConfig> {
        Ok(InitConfig {
            scheme: Scheme::parse(scheme)?,
            mode: Mode::parse(mode)?,
            nonlinearity: if nonlinearity == "auto" { None } else { Some(Nonlinearity::parse(nonlinearity)?) },
            slope,
            dist: Dist::parse(dist)?,
            std,
            a,
        })
    }

    pub fn nonlinearity(&self) -> Nonlinearity {
        self.nonlinearity.unwrap_or(self.scheme.default_nonlinearity())
    }

    /// Every scheme with this configuration's other settings (mode, nonlinearity, distribution, std, a) for the same
    /// fans, in [`Scheme::ALL`] order: what the init panel compares the chosen scheme with.
    pub fn alternatives(&self, fans: Fans) -> Vec<(Scheme, Result<ResolvedInit>)> {
        Scheme::ALL.into_iter().map(|scheme| (scheme, InitConfig { scheme, ..*self }.resolve(fans))).collect()
    }

    /// The theoretical distribution for a layer with these fans, after checking every number.
    pub fn resolve(&self, fans: Fans) -> Result<ResolvedInit> {
        check_range("slope", self.slope, 0.0, MAX_SLOPE)?;
        if self.scheme.uses_std() {
            check_range("std", self.std, 0.0, MAX_STD)?;
        }
        if self.scheme.uses_a() {
            check_range("a", self.a, 0.0, MAX_A)?;
        }
        let gain = if self.scheme.uses_gain() { self.nonlinearity().gain(self.slope) } else { 1.0 };
        let mode_fan = match self.mode {
            Mode::FanIn => fans.fan_in,
            Mode::FanOut => fans.fan_out,
        } as f64;
        let avg_fan = (fans.fan_in + fans.fan_out) as f64 / 2.0;
        let std = match self.scheme {
            Scheme::LecunNormal | Scheme::LecunUniform | Scheme::HeNormal | Scheme::HeUniform => gain / mode_fan.sqrt(),
            Scheme::XavierNormal | Scheme::XavierUniform => gain / avg_fan.sqrt(),
            Scheme::Normal => self.std,
            Scheme::Uniform => self.a / 3f64.sqrt(),
            Scheme::Zeros => 0.0,
        };
        let distribution = match self.scheme {
            Scheme::Zeros => InitDistribution::Zeros,
            Scheme::Uniform => InitDistribution::Uniform { bound: self.a },
            Scheme::LecunUniform | Scheme::XavierUniform | Scheme::HeUniform => {
                InitDistribution::Uniform { bound: 3f64.sqrt() * std }
            }
            _ => match self.dist {
                Dist::Normal => InitDistribution::Normal { sigma: std },
                Dist::Truncated => InitDistribution::TruncatedNormal { sigma: std / TRUNCATED_STD_FACTOR },
            },
        };
        Ok(ResolvedInit { fans, gain, std, distribution })
    }
}

/// The distribution the samples are drawn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InitDistribution {
    Normal {
        sigma: f64,
    },
    /// N(0, σ²) cut to [−2σ, 2σ]; its std is 0.8796 σ.
    TruncatedNormal {
        sigma: f64,
    },
    Uniform {
        bound: f64,
    },
    Zeros,
}

/// A resolved initializer: fans, gain, the theoretical std of the samples and the distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResolvedInit {
    pub fans: Fans,
    pub gain: f64,
    /// The standard deviation the samples have in theory (after truncation, where there is one).
    pub std: f64,
    pub distribution: InitDistribution,
}

impl ResolvedInit {
    /// The bound of a uniform distribution, the cut of a truncated normal; `None` for an unbounded normal.
    pub fn bound(&self) -> Option<f64> {
        match self.distribution {
            InitDistribution::Uniform { bound } => Some(bound),
            InitDistribution::TruncatedNormal { sigma } => Some(2.0 * sigma),
            InitDistribution::Zeros => Some(0.0),
            InitDistribution::Normal { .. } => None,
        }
    }

    /// Fills `out` with independent samples.
    pub fn fill(&self, out: &mut [f32], rng: &mut Rng) {
        match self.distribution {
            InitDistribution::Zeros => out.fill(0.0),
            InitDistribution::Normal { sigma } => {
                let s = sigma as f32;
                for v in out.iter_mut() {
                    let z: f32 = StandardNormal.sample(rng);
                    *v = s * z;
                }
            }
            InitDistribution::TruncatedNormal { sigma } => {
                // Rejection keeps 95.4 % of draws, so this costs about 5 % more than the plain normal.
                let s = sigma as f32;
                for v in out.iter_mut() {
                    *v = loop {
                        let z: f32 = StandardNormal.sample(rng);
                        if z.abs() <= 2.0 {
                            break s * z;
                        }
                    };
                }
            }
            InitDistribution::Uniform { bound } => {
                let b = bound as f32;
                if b > 0.0 {
                    // Uniform::new fails only for an empty or non-finite range, excluded above.
                    if let Ok(u) = Uniform::new_inclusive(-b, b) {
                        for v in out.iter_mut() {
                            *v = rng.sample(u);
                        }
                    }
                } else {
                    out.fill(0.0);
                }
            }
        }
    }

    pub fn sample(&self, n: usize, rng: &mut Rng) -> Vec<f32> {
        let mut out = vec![0.0; n];
        self.fill(&mut out, rng);
        out
    }

    /// The probability density at `x` (0 for zeros, which is a point mass).
    pub fn density(&self, x: f64) -> f64 {
        match self.distribution {
            InitDistribution::Zeros => 0.0,
            InitDistribution::Normal { sigma } => {
                if sigma > 0.0 {
                    crate::stats::normal_pdf(x / sigma) / sigma
                } else {
                    0.0
                }
            }
            InitDistribution::TruncatedNormal { sigma } => {
                // Mass of N(0, 1) inside [−2, 2]: erf(√2).
                const MASS: f64 = 0.954_499_736_103_641_6;
                if sigma > 0.0 && x.abs() <= 2.0 * sigma {
                    crate::stats::normal_pdf(x / sigma) / sigma / MASS
                } else {
                    0.0
                }
            }
            InitDistribution::Uniform { bound } => {
                if bound > 0.0 && x.abs() <= bound {
                    0.5 / bound
                } else {
                    0.0
                }
            }
        }
    }

    /// A range that shows the whole distribution: ±4 std, or a little beyond the bound.
    pub fn display_range(&self) -> (f64, f64) {
        let half = match self.distribution {
            InitDistribution::Uniform { bound } => 1.25 * bound,
            InitDistribution::TruncatedNormal { sigma } => 2.5 * sigma,
            InitDistribution::Normal { sigma } => 4.0 * sigma,
            InitDistribution::Zeros => 0.0,
        };
        if half > 0.0 && half.is_finite() { (-half, half) } else { (-1.0, 1.0) }
    }
}

/// The formula of the current choice with the numbers filled in, e.g.
/// `std = gain / √fan_in = √(2 / fan_in) = 1.41421 / √784 = 0.0505076`. Where gain² (times 3 for a uniform bound) is a
/// whole number k, the lecture's own form `√(k / fan)` stands beside the general one: He uniform's bound is
/// `gain · √(3 / fan_in) = √(6 / fan_in)`. A truncated normal adds its cut and the raised σ in symbols only (no
/// words: the line is shown as it is in every language).
pub fn formula(cfg: &InitConfig, spec: &ResolvedInit) -> String {
    let g = readable(spec.gain);
    let fi = spec.fans.fan_in;
    let fo = spec.fans.fan_out;
    let fan_name = cfg.mode.name();
    let fan = match cfg.mode {
        Mode::FanIn => fi,
        Mode::FanOut => fo,
    };
    let std = readable(spec.std);
    // The lecture's form √(k / fan) when k = gain² · c is a whole number (c = 3 for a uniform bound, 1 for a std).
    let lecture = |c: f64, fan: &str| {
        let k = spec.gain * spec.gain * c;
        let whole = k.round();
        if (k - whole).abs() < 1e-9 && whole >= 1.0 {
            format!(" = √({} / {fan})", whole as u64)
        } else {
            String::new()
        }
    };
    let core = match cfg.scheme {
        Scheme::LecunNormal | Scheme::HeNormal => {
            format!("std = gain / √{fan_name}{} = {g} / √{fan} = {std}", lecture(1.0, fan_name))
        }
        Scheme::LecunUniform | Scheme::HeUniform => format!(
            "bound = gain · √(3 / {fan_name}){} = {g} · √(3 / {fan}) = {}",
            lecture(3.0, fan_name),
            readable(spec.bound().unwrap_or(0.0))
        ),
        Scheme::XavierNormal => format!(
            "std = gain · √(2 / (fan_in + fan_out)){} = {g} · √(2 / ({fi} + {fo})) = {std}",
            lecture(2.0, "(fan_in + fan_out)")
        ),
        Scheme::XavierUniform => format!(
            "bound = gain · √(6 / (fan_in + fan_out)){} = {g} · √(6 / ({fi} + {fo})) = {}",
            lecture(6.0, "(fan_in + fan_out)"),
            readable(spec.bound().unwrap_or(0.0))
        ),
        Scheme::Normal => format!("w ~ N(0, {}²)", readable(cfg.std)),
        Scheme::Uniform => format!("w ~ U(−{a}, {a}), std = a / √3 = {std}", a = readable(cfg.a)),
        Scheme::Zeros => "w = 0".to_string(),
    };
    match spec.distribution {
        InitDistribution::TruncatedNormal { sigma } => {
            format!("{core}; |w| ≤ 2σ, σ = std / 0.87962566 = {}", readable(sigma))
        }
        _ => core,
    }
}

/// Advice the init panel gives beside a choice, as a key the page translates with the figures it names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Advice {
    /// `nonlinearity=selu` takes torch's `calculate_gain('selu')` = 3/4, so Var(w) = (9/16)/fan, not the 1/fan_in of
    /// a self-normalizing net; PyTorch's docs advise `nonlinearity='linear'` for SELU (LeCun normal with gain 1).
    SeluUseLinear { gain: f64, variance_factor: f64 },
}

impl Advice {
    pub fn name(&self) -> &'static str {
        match self {
            Advice::SeluUseLinear { .. } => "selu_use_linear",
        }
    }
}

/// The advice for a configuration, if any (see [`Advice`]).
pub fn advice(cfg: &InitConfig) -> Option<Advice> {
    (cfg.scheme.uses_gain() && cfg.nonlinearity() == Nonlinearity::Selu).then(|| {
        let gain = Nonlinearity::Selu.gain(cfg.slope);
        Advice::SeluUseLinear { gain, variance_factor: gain * gain }
    })
}

/// The same initializer in PyTorch, one line (`w` is the weight tensor).
pub fn pytorch_code(cfg: &InitConfig, spec: &ResolvedInit) -> String {
    let nl = cfg.nonlinearity();
    let nl_args = match nl {
        Nonlinearity::LeakyRelu => format!("nonlinearity='leaky_relu', a={}", readable(cfg.slope)),
        _ => format!("nonlinearity='{}'", nl.name()),
    };
    let gain_arg = match nl {
        Nonlinearity::Linear => "gain=1.0".to_string(),
        Nonlinearity::LeakyRelu => format!("gain=torch.nn.init.calculate_gain('leaky_relu', {})", readable(cfg.slope)),
        _ => format!("gain=torch.nn.init.calculate_gain('{}')", nl.name()),
    };
    if let InitDistribution::TruncatedNormal { sigma } = spec.distribution {
        // torch's trunc_normal_ takes absolute cut points and does not rescale σ, so pass the raised σ.
        let s = readable(sigma);
        let c = readable(2.0 * sigma);
        return format!("torch.nn.init.trunc_normal_(w, mean=0.0, std={s}, a=-{c}, b={c})");
    }
    let mode = cfg.mode.name();
    match cfg.scheme {
        // LeCun is Kaiming with the linear gain: std = gain / √fan.
        Scheme::LecunNormal | Scheme::HeNormal => format!("torch.nn.init.kaiming_normal_(w, mode='{mode}', {nl_args})"),
        Scheme::LecunUniform | Scheme::HeUniform => {
            format!("torch.nn.init.kaiming_uniform_(w, mode='{mode}', {nl_args})")
        }
        Scheme::XavierNormal => format!("torch.nn.init.xavier_normal_(w, {gain_arg})"),
        Scheme::XavierUniform => format!("torch.nn.init.xavier_uniform_(w, {gain_arg})"),
        Scheme::Normal => format!("torch.nn.init.normal_(w, mean=0.0, std={})", readable(cfg.std)),
        Scheme::Uniform => format!("torch.nn.init.uniform_(w, a=-{a}, b={a})", a = readable(cfg.a)),
        Scheme::Zeros => "torch.nn.init.zeros_(w)".to_string(),
    }
}

/// The same initializer in Keras, as a `kernel_initializer` value. Keras lays kernels out as (in, out) and
/// (kh, kw, in, out), but computes the same fans, so the numbers agree.
pub fn keras_code(cfg: &InitConfig, spec: &ResolvedInit) -> String {
    let truncated = matches!(spec.distribution, InitDistribution::TruncatedNormal { .. });
    let scale = spec.gain * spec.gain;
    let unit_gain = (spec.gain - 1.0).abs() < 1e-12;
    let he_gain = (scale - 2.0).abs() < 1e-12;
    let variance_scaling = |mode: &str, distribution: &str| {
        format!(
            "keras.initializers.VarianceScaling(scale={}, mode='{mode}', distribution='{distribution}')",
            readable(scale)
        )
    };
    let normal_dist = if truncated { "truncated_normal" } else { "untruncated_normal" };
    let fan_in = cfg.mode == Mode::FanIn;
    match cfg.scheme {
        Scheme::LecunNormal if truncated && unit_gain && fan_in => "keras.initializers.LecunNormal()".into(),
        Scheme::LecunUniform if unit_gain && fan_in => "keras.initializers.LecunUniform()".into(),
        Scheme::HeNormal if truncated && he_gain && fan_in => "keras.initializers.HeNormal()".into(),
        Scheme::HeUniform if he_gain && fan_in => "keras.initializers.HeUniform()".into(),
        Scheme::XavierNormal if truncated && unit_gain => "keras.initializers.GlorotNormal()".into(),
        Scheme::XavierUniform if unit_gain => "keras.initializers.GlorotUniform()".into(),
        Scheme::LecunNormal | Scheme::HeNormal => variance_scaling(cfg.mode.name(), normal_dist),
        Scheme::LecunUniform | Scheme::HeUniform => variance_scaling(cfg.mode.name(), "uniform"),
        Scheme::XavierNormal => variance_scaling("fan_avg", normal_dist),
        Scheme::XavierUniform => variance_scaling("fan_avg", "uniform"),
        Scheme::Normal => match spec.distribution {
            // Keras' TruncatedNormal cuts at 2 stddev without rescaling, so pass the raised σ.
            InitDistribution::TruncatedNormal { sigma } => {
                format!("keras.initializers.TruncatedNormal(mean=0.0, stddev={})", readable(sigma))
            }
            _ => format!("keras.initializers.RandomNormal(mean=0.0, stddev={})", readable(cfg.std)),
        },
        Scheme::Uniform => format!("keras.initializers.RandomUniform(minval=-{a}, maxval={a})", a = readable(cfg.a)),
        Scheme::Zeros => "keras.initializers.Zeros()".into(),
    }
}
