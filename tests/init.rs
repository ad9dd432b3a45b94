//! Initializers against the published formulas of torch.nn.init and Keras, written out here independently of the
//! code under test, and sample statistics against tolerances derived from the sample size.

use cnn_playground::init::*;
use cnn_playground::rng::seeded;
use cnn_playground::stats::moments;

const N: usize = 200_000;

fn cfg(scheme: Scheme, mode: Mode, nl: Option<Nonlinearity>, dist: Dist) -> InitConfig {
    InitConfig { mode, nonlinearity: nl, dist, ..InitConfig::new(scheme) }
}

/// torch.nn.init.calculate_gain, from its documentation table.
fn torch_gain(nl: Nonlinearity) -> f64 {
    match nl {
        Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
        Nonlinearity::Tanh => 5.0 / 3.0,
        Nonlinearity::Relu => 2f64.sqrt(),
        Nonlinearity::LeakyRelu => (2.0 / (1.0 + 0.01f64.powi(2))).sqrt(),
        Nonlinearity::Selu => 3.0 / 4.0,
    }
}

/// The std each scheme should give, from torch's and Keras' documentation.
fn expected_std(scheme: Scheme, fan_in: f64, fan_out: f64, mode: Mode, gain: f64) -> f64 {
    let fan = if mode == Mode::FanIn { fan_in } else { fan_out };
    match scheme {
        // Keras VarianceScaling(scale=gain², mode): std = sqrt(scale / fan).
        Scheme::LecunNormal | Scheme::LecunUniform => (gain * gain / fan).sqrt(),
        // torch kaiming_*: std = gain / sqrt(fan).
        Scheme::HeNormal | Scheme::HeUniform => gain / fan.sqrt(),
        // torch xavier_*: std = gain * sqrt(2 / (fan_in + fan_out)).
        Scheme::XavierNormal | Scheme::XavierUniform => gain * (2.0 / (fan_in + fan_out)).sqrt(),
        Scheme::Normal => 0.01,
        Scheme::Uniform => 0.05 / 3f64.sqrt(),
        Scheme::Zeros => 0.0,
    }
}

/// Checks mean and std of `samples` against a target std. The mean of n samples has standard error σ/√n; the
/// std estimate has standard error σ·√((κ − 1) / 4n) with kurtosis κ ≤ 3 for the normal, truncated normal and
/// uniform, so ≤ σ/√(2n). Five standard errors: a false alarm about once in 10⁶ checks.
fn assert_moments(samples: &[f32], std: f64, what: &str) {
    let m = moments(samples);
    let n = samples.len() as f64;
    let mean_tol = 5.0 * std / n.sqrt();
    let std_tol = 5.0 * std / (2.0 * n).sqrt();
    assert!(m.mean.abs() <= mean_tol, "{what}: mean {} beyond ±{mean_tol}", m.mean);
    assert!((m.std - std).abs() <= std_tol, "{what}: std {} vs {std} (tolerance {std_tol})", m.std);
}

#[test]
fn fans_follow_torch_for_dense_and_conv_shapes() {
    // torch: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field.
    for (shape, fi, fo) in [
        ("256x784", 784, 256),
        ("64x3x3x3", 27, 576),
        ("128x64x3x3", 576, 1152),
        ("16x8x5", 40, 80),
        ("8x4x3x3x3", 108, 216),
        ("1x1", 1, 1),
    ] {
        let f = fans(&parse_shape(shape).unwrap()).unwrap();
        assert_eq!((f.fan_in, f.fan_out), (fi, fo), "{shape}");
    }
}

#[test]
fn every_scheme_shape_mode_and_dist_matches_the_formulas_and_samples_agree() {
    let shapes = ["256x784", "64x3x3x3"];
    let nls = [None, Some(Nonlinearity::Tanh), Some(Nonlinearity::LeakyRelu), Some(Nonlinearity::Selu)];
    let mut checked = 0;
    for (si, shape) in shapes.iter().enumerate() {
        let f = fans(&parse_shape(shape).unwrap()).unwrap();
        for scheme in Scheme::ALL {
            for mode in [Mode::FanIn, Mode::FanOut] {
                for dist in [Dist::Normal, Dist::Truncated] {
                    for nl in nls {
                        let c = cfg(scheme, mode, nl, dist);
                        let spec = c.resolve(f).unwrap();
                        let gain = if scheme.uses_gain() { torch_gain(c.nonlinearity()) } else { 1.0 };
                        let std = expected_std(scheme, f.fan_in as f64, f.fan_out as f64, mode, gain);
                        let what = format!("{} {shape} {:?} {:?} {:?}", scheme.name(), mode, dist, nl);
                        assert!((spec.gain - gain).abs() <= 1e-12 * gain, "{what}: gain {}", spec.gain);
                        assert!((spec.std - std).abs() <= 1e-12 * std.max(1e-300), "{what}: std {} vs {std}", spec.std);

                        let seed = (si * 1000 + checked) as u64;
                        let samples = spec.sample(N, &mut seeded(seed));
                        let uniform = matches!(
                            scheme,
                            Scheme::LecunUniform | Scheme::XavierUniform | Scheme::HeUniform | Scheme::Uniform
                        );
                        if uniform {
                            // U(−b, b) has variance b²/3: the bound is √3 · std.
                            let b = 3f64.sqrt() * std;
                            assert!((spec.bound().unwrap() - b).abs() <= 1e-12 * b, "{what}: bound");
                            assert!(
                                samples.iter().all(|&v| (v.abs() as f64) <= b * (1.0 + 1e-6)),
                                "{what}: outside bound"
                            );
                        }
                        if scheme.is_normal() && dist == Dist::Truncated {
                            // Keras: cut at ±2σ with σ = std / 0.87962566103423978.
                            #[allow(clippy::excessive_precision)] // Keras' constant as Keras writes it
                            let cut = 2.0 * std / 0.879_625_661_034_239_78;
                            assert!(
                                samples.iter().all(|&v| (v.abs() as f64) <= cut * (1.0 + 1e-6)),
                                "{what}: outside ±2σ"
                            );
                            assert!((spec.bound().unwrap() - cut).abs() <= 1e-9 * cut, "{what}: cut");
                        }
                        if scheme == Scheme::Zeros {
                            assert!(samples.iter().all(|&v| v == 0.0));
                        } else {
                            assert_moments(&samples, std, &what);
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 9 * 2 * 2 * 4);
}

#[test]
fn lecun_uniform_bound_is_sqrt_three_over_fan_in_not_sqrt_one_over_fan_in() {
    let f = Fans { fan_in: 300, fan_out: 100 };
    let spec = InitConfig::new(Scheme::LecunUniform).resolve(f).unwrap();
    assert!((spec.bound().unwrap() - (3.0f64 / 300.0).sqrt()).abs() < 1e-15);
    // The lecture's √(1/n) bound would give a variance of 1/(3n): a third of LeCun's 1/n.
    let lecture_var = (1.0f64 / 300.0) / 3.0;
    assert!((spec.std.powi(2) / lecture_var - 3.0).abs() < 1e-12);
}

#[test]
fn he_defaults_to_relu_and_the_others_to_linear() {
    let f = Fans { fan_in: 100, fan_out: 50 };
    assert!((InitConfig::new(Scheme::HeNormal).resolve(f).unwrap().std - (2.0f64 / 100.0).sqrt()).abs() < 1e-15);
    assert!((InitConfig::new(Scheme::LecunNormal).resolve(f).unwrap().std - 0.1).abs() < 1e-15);
    assert!((InitConfig::new(Scheme::XavierNormal).resolve(f).unwrap().std - (2.0f64 / 150.0).sqrt()).abs() < 1e-15);
}

#[test]
fn leaky_relu_gain_uses_the_slope() {
    for slope in [0.0, 0.01, 0.2, 1.0] {
        let g = Nonlinearity::LeakyRelu.gain(slope);
        assert!((g - (2.0 / (1.0 + slope * slope)).sqrt()).abs() < 1e-15, "slope {slope}");
    }
}

#[test]
fn the_same_seed_gives_the_same_samples_and_another_seed_others() {
    let spec = InitConfig::new(Scheme::XavierNormal).resolve(Fans { fan_in: 10, fan_out: 20 }).unwrap();
    let a = spec.sample(1000, &mut seeded(7));
    let b = spec.sample(1000, &mut seeded(7));
    let c = spec.sample(1000, &mut seeded(8));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn densities_integrate_to_one() {
    let f = Fans { fan_in: 64, fan_out: 32 };
    for scheme in [Scheme::HeNormal, Scheme::HeUniform, Scheme::XavierNormal, Scheme::Uniform] {
        for dist in [Dist::Normal, Dist::Truncated] {
            let spec = cfg(scheme, Mode::FanIn, None, dist).resolve(f).unwrap();
            let (lo, hi) = (-10.0 * spec.std, 10.0 * spec.std);
            let steps = 200_000;
            let h = (hi - lo) / steps as f64;
            let integral: f64 = (0..steps).map(|i| spec.density(lo + (i as f64 + 0.5) * h) * h).sum();
            // Midpoint rule; the jumps at the uniform bound or truncation cost at most one step's worth of density.
            let tol = 2.0 * h * spec.density(0.0);
            assert!((integral - 1.0).abs() <= tol, "{} {:?}: {integral}", scheme.name(), dist);
        }
    }
}

#[test]
fn bad_input_names_the_parameter() {
    for (shape, needle) in [
        ("0x0", "between 1 and 100000"),
        ("99999999x99999999", "between 1 and 100000"),
        ("100000x100000", "limit of 1000000000"),
        ("abc", "2 to 5 dimensions"),
        ("3xb", "not a whole number"),
        ("5", "2 to 5 dimensions"),
        ("", "2 to 5 dimensions"),
        ("1x2x3x4x5x6", "2 to 5 dimensions"),
        ("-3x4", "not a whole number"),
    ] {
        let e = parse_shape(shape).unwrap_err();
        assert_eq!(e.param, "shape", "{shape}");
        assert!(e.message.contains(needle), "{shape}: {}", e.message);
    }
    assert_eq!(Scheme::parse("<script>").unwrap_err().param, "init");
    assert_eq!(Mode::parse("fan_avg").unwrap_err().param, "mode");
    assert_eq!(Nonlinearity::parse("swish").unwrap_err().param, "nonlinearity");
    assert_eq!(Dist::parse("cauchy").unwrap_err().param, "dist");
    let f = Fans { fan_in: 1, fan_out: 1 };
    for std in [f64::NAN, -1.0, f64::INFINITY] {
        let c = InitConfig { std, ..InitConfig::new(Scheme::Normal) };
        assert_eq!(c.resolve(f).unwrap_err().param, "std", "std={std}");
    }
    let c = InitConfig { a: f64::NAN, ..InitConfig::new(Scheme::Uniform) };
    assert_eq!(c.resolve(f).unwrap_err().param, "a");
    let c = InitConfig { slope: -1.0, ..InitConfig::new(Scheme::HeNormal) };
    assert_eq!(c.resolve(f).unwrap_err().param, "slope");
}

#[test]
fn code_export_names_the_torch_and_keras_calls() {
    let f = Fans { fan_in: 784, fan_out: 256 };
    let check = |c: InitConfig, torch: &str, keras: &str| {
        let spec = c.resolve(f).unwrap();
        assert_eq!(pytorch_code(&c, &spec), torch);
        assert_eq!(keras_code(&c, &spec), keras);
    };
    check(
        InitConfig::new(Scheme::HeNormal),
        "torch.nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')",
        "keras.initializers.VarianceScaling(scale=2, mode='fan_in', distribution='untruncated_normal')",
    );
    check(
        InitConfig { dist: Dist::Truncated, ..InitConfig::new(Scheme::HeNormal) },
        // σ = √(2/784) / 0.87962566 = 0.0574195; cut at 2σ.
        "torch.nn.init.trunc_normal_(w, mean=0.0, std=0.0574195, a=-0.114839, b=0.114839)",
        "keras.initializers.HeNormal()",
    );
    check(
        InitConfig { nonlinearity: Some(Nonlinearity::Tanh), ..InitConfig::new(Scheme::XavierUniform) },
        "torch.nn.init.xavier_uniform_(w, gain=torch.nn.init.calculate_gain('tanh'))",
        "keras.initializers.VarianceScaling(scale=2.77778, mode='fan_avg', distribution='uniform')",
    );
    check(
        InitConfig::new(Scheme::LecunUniform),
        "torch.nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='linear')",
        "keras.initializers.LecunUniform()",
    );
    check(
        InitConfig::new(Scheme::Normal),
        "torch.nn.init.normal_(w, mean=0.0, std=0.01)",
        "keras.initializers.RandomNormal(mean=0.0, stddev=0.01)",
    );
    check(InitConfig::new(Scheme::Zeros), "torch.nn.init.zeros_(w)", "keras.initializers.Zeros()");
}

#[test]
fn formula_shows_the_numbers() {
    let c = InitConfig::new(Scheme::HeNormal);
    let spec = c.resolve(Fans { fan_in: 784, fan_out: 256 }).unwrap();
    assert_eq!(formula(&c, &spec), "std = gain / √fan_in = √(2 / fan_in) = 1.41421 / √784 = 0.0505076");
    // The lecture's form beside the general one, where it is a whole number over the fan: He uniform √(6 / fan_in),
    // LeCun √(1 / fan_in), Xavier uniform √(6 / (fan_in + fan_out)); none for tanh's gain 5/3 (k = 25/9).
    let line = |cfg: InitConfig| formula(&cfg, &cfg.resolve(Fans { fan_in: 784, fan_out: 256 }).unwrap());
    assert!(
        line(InitConfig::new(Scheme::HeUniform))
            .starts_with("bound = gain · √(3 / fan_in) = √(6 / fan_in) = 1.41421 · √(3 / 784) = 0.0874818")
    );
    assert!(line(InitConfig::new(Scheme::LecunNormal)).starts_with("std = gain / √fan_in = √(1 / fan_in) = 1 /"));
    assert!(
        line(InitConfig::new(Scheme::XavierUniform))
            .starts_with("bound = gain · √(6 / (fan_in + fan_out)) = √(6 / (fan_in + fan_out)) =")
    );
    let tanh = InitConfig { nonlinearity: Some(Nonlinearity::Tanh), ..InitConfig::new(Scheme::XavierNormal) };
    assert!(!line(tanh).contains("= √(2"), "{}", line(tanh));
    // The truncated normal's line is symbols only (it is shown as it is in Korean too).
    let trunc = InitConfig { dist: Dist::Truncated, ..InitConfig::new(Scheme::HeNormal) };
    assert!(line(trunc).ends_with("; |w| ≤ 2σ, σ = std / 0.87962566 = 0.0574195"), "{}", line(trunc));
    // Every number in the lecture's form agrees with the general one: k / fan = (gain · √(c / fan))².
    for scheme in [Scheme::LecunNormal, Scheme::LecunUniform, Scheme::HeNormal, Scheme::HeUniform] {
        let cfg = InitConfig::new(scheme);
        let spec = cfg.resolve(Fans { fan_in: 784, fan_out: 256 }).unwrap();
        let text = formula(&cfg, &spec);
        let k: f64 = text.split("= √(").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let value = spec.bound().unwrap_or(spec.std);
        assert!(((k / 784.0).sqrt() - value).abs() < 1e-12, "{text}");
    }
}

/// PyTorch's advice for SELU: nonlinearity='linear' (Var = 1/fan_in); calculate_gain('selu') = 3/4 gives 9/16 of it.
#[test]
fn selu_gain_comes_with_the_advice_to_use_the_linear_one() {
    use cnn_playground::init::{Advice, advice};
    let selu = InitConfig { nonlinearity: Some(Nonlinearity::Selu), ..InitConfig::new(Scheme::LecunNormal) };
    assert_eq!(advice(&selu), Some(Advice::SeluUseLinear { gain: 0.75, variance_factor: 0.5625 }));
    let spec = selu.resolve(Fans { fan_in: 100, fan_out: 100 }).unwrap();
    assert!((spec.std * spec.std * 100.0 - 0.5625).abs() < 1e-12);
    assert_eq!(advice(&InitConfig::new(Scheme::LecunNormal)), None, "auto: the linear gain, Var = 1/fan_in");
    assert_eq!(advice(&InitConfig { nonlinearity: Some(Nonlinearity::Selu), ..InitConfig::new(Scheme::Normal) }), None);
}

/// The init panel's comparison: every scheme for one layer with the others' settings, each std and bound from the
/// published formulas (written out here for 256×784: fan_in 784, fan_out 256).
#[test]
fn alternatives_give_every_scheme_with_the_published_std_and_bound() {
    let fans = fans(&parse_shape("256x784").unwrap()).unwrap();
    let cfg = InitConfig { std: 0.01, a: 0.05, ..InitConfig::new(Scheme::HeNormal) };
    let (fi, fo) = (784f64, 256f64);
    let want: [(Scheme, f64, Option<f64>); 9] = [
        (Scheme::LecunNormal, (1.0 / fi).sqrt(), None),
        (Scheme::LecunUniform, (1.0 / fi).sqrt(), Some((3.0 / fi).sqrt())),
        (Scheme::XavierNormal, (2.0 / (fi + fo)).sqrt(), None),
        (Scheme::XavierUniform, (2.0 / (fi + fo)).sqrt(), Some((6.0 / (fi + fo)).sqrt())),
        (Scheme::HeNormal, (2.0 / fi).sqrt(), None),
        (Scheme::HeUniform, (2.0 / fi).sqrt(), Some((6.0 / fi).sqrt())),
        (Scheme::Normal, 0.01, None),
        (Scheme::Uniform, 0.05 / 3f64.sqrt(), Some(0.05)),
        (Scheme::Zeros, 0.0, None),
    ];
    let got = cfg.alternatives(fans);
    assert_eq!(got.len(), 9);
    for ((scheme, spec), (w_scheme, w_std, w_bound)) in got.into_iter().zip(want) {
        let spec = spec.unwrap();
        assert_eq!(scheme, w_scheme);
        assert!((spec.std - w_std).abs() <= 1e-12 * w_std.max(1e-12), "{scheme:?}: {} vs {w_std}", spec.std);
        if let Some(b) = w_bound {
            assert!((spec.bound().unwrap() - b).abs() < 1e-12, "{scheme:?} bound");
        }
    }
    // The other settings carry over: truncated normals everywhere a normal is drawn.
    let trunc = InitConfig { dist: Dist::Truncated, ..cfg };
    for (scheme, spec) in trunc.alternatives(fans) {
        let spec = spec.unwrap();
        if matches!(scheme, Scheme::LecunNormal | Scheme::XavierNormal | Scheme::HeNormal | Scheme::Normal) {
            assert!(spec.bound().is_some(), "{scheme:?} truncated at ±2σ");
        }
    }
}

/// The page shows a control only for the schemes that read it (core_catalog's `init_uses`, from `uses_mode`,
/// `uses_gain`, `is_normal`, `uses_std`, `uses_a`): each claim is checked against what the spec actually does.
#[test]
fn a_scheme_uses_exactly_the_parameters_that_change_its_distribution() {
    let fans = fans(&parse_shape("256x784").unwrap()).unwrap(); // fan_in ≠ fan_out, so the mode matters where used
    for scheme in Scheme::ALL {
        let base = InitConfig::new(scheme);
        let spec = |c: InitConfig| {
            let s = c.resolve(fans).unwrap();
            (s.std, s.gain, s.distribution)
        };
        let changes = [
            ("mode", scheme.uses_mode(), InitConfig { mode: Mode::FanOut, ..base }),
            ("nonlinearity", scheme.uses_gain(), InitConfig { nonlinearity: Some(Nonlinearity::Tanh), ..base }),
            ("dist", scheme.is_normal(), InitConfig { dist: Dist::Truncated, ..base }),
            ("std", scheme.uses_std(), InitConfig { std: 0.5, ..base }),
            ("a", scheme.uses_a(), InitConfig { a: 0.5, ..base }),
        ];
        for (param, uses, changed) in changes {
            assert_eq!(spec(changed) != spec(base), uses, "{} and {param}", scheme.name());
        }
    }
}
