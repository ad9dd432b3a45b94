//! The signal panel's verdicts (src/signal.rs): every claim a sentence makes follows from the figures it was
//! decided from, checked on seeded random cases and on real probe runs.

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::nn::activation::Activation;
use cnn_playground::probe::{Probe, ProbeConfig, saturated_fraction};
use cnn_playground::rng::{Rng, seeded};
use cnn_playground::signal::{Comparison, Fit, SAME_SIZE_FACTOR, Size, compare, dead_fraction, first_last, reference};
use rand::RngExt;

const CASES: usize = 2000;

/// A positive ratio spread log-uniformly over 10⁻⁶…10⁶, or (one time in ten) a value near the band's edges, or
/// (one time in twenty) something that is not a positive finite number.
fn ratio(rng: &mut Rng) -> f64 {
    match rng.random_range(0..20) {
        0 => [0.0, -1.0, f64::INFINITY, f64::NAN][rng.random_range(0..4)],
        1 | 2 => [0.5, 2.0, 0.5 - 1e-12, 2.0 + 1e-12, 0.5 + 1e-12, 2.0 - 1e-12][rng.random_range(0..6)],
        _ => 10f64.powf(rng.random_range(-6.0..6.0)),
    }
}

#[test]
fn about_the_same_size_means_within_a_factor_of_two() {
    assert_eq!(SAME_SIZE_FACTOR, 2.0);
    let mut rng = seeded(19);
    for _ in 0..CASES {
        let (first, last) = (ratio(&mut rng), ratio(&mut rng));
        let v = first_last(first, last);
        let r = first / last;
        assert!(v.ratio == r || (v.ratio.is_nan() && r.is_nan()));
        match v.size {
            Some(Size::Similar) => assert!((0.5..=2.0).contains(&r), "{first} / {last} = {r} is not within ×2"),
            Some(Size::Smaller) => assert!(r > 0.0 && r < 0.5, "{r}"),
            Some(Size::Larger) => assert!(r.is_finite() && r > 2.0, "{r}"),
            None => assert!(!(r.is_finite() && r > 0.0), "{r} is a positive finite ratio"),
        }
    }
    // The example: 9.5 times is not "about the same size".
    assert_eq!(first_last(9.5, 1.0).size, Some(Size::Larger));
    assert_eq!(first_last(1.0, 9.5).size, Some(Size::Smaller));
    assert_eq!(first_last(1.9, 1.0).size, Some(Size::Similar));
}

#[test]
fn a_comparison_with_the_reference_claims_only_what_the_ratios_show() {
    let mut rng = seeded(7);
    let mut seen = [0usize; 4];
    for _ in 0..CASES {
        let n = rng.random_range(0..12);
        // Layers whose ratios cluster around a common factor with a spread of up to ×10 either way.
        let centre = 10f64.powf(rng.random_range(-4.0..4.0));
        let width = rng.random_range(0.0..1.0f64);
        let reference: Vec<f64> = (0..n).map(|_| 10f64.powf(rng.random_range(-5.0..5.0))).collect();
        let mut run: Vec<f64> =
            reference.iter().map(|r| r * centre * 10f64.powf(rng.random_range(-width..=width))).collect();
        if n > 0 && rng.random_range(0..15) == 0 {
            run[rng.random_range(0..n)] = [0.0, f64::INFINITY, f64::NAN][rng.random_range(0..3)];
        }
        let ratios: Vec<f64> = run.iter().zip(&reference).map(|(a, b)| a / b).collect();
        let defined = !ratios.is_empty() && ratios.iter().all(|r| r.is_finite() && *r > 0.0);
        let c = compare(&run, &reference);
        match c {
            Comparison::Undefined => assert!(!defined, "{ratios:?}"),
            Comparison::Close => {
                assert!(ratios.iter().all(|r| (0.5..=2.0).contains(r)), "close: {ratios:?}");
            }
            Comparison::Uniform { ratio } => {
                assert!(!ratios.iter().all(|r| (0.5..=2.0).contains(r)), "uniform but close: {ratios:?}");
                for r in &ratios {
                    let f = (r / ratio).max(ratio / r);
                    assert!(f <= 2.0 * (1.0 + 1e-12), "{r} is not within ×2 of {ratio}");
                }
            }
            Comparison::Spread { first, last } => {
                assert_eq!((first, last), (ratios[0], ratios[n - 1]));
                let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ratios.iter().copied().fold(0.0, f64::max);
                assert!(hi / lo > 4.0, "spread but within ×4: {ratios:?}");
            }
        }
        seen[["close", "uniform", "spread", "undefined"].iter().position(|k| *k == c.name()).unwrap()] += 1;
    }
    assert!(seen.iter().all(|&k| k > 20), "every verdict occurs: {seen:?}");
}

#[test]
fn the_usual_initializer_per_activation_and_when_the_signal_still_vanishes() {
    for act in Activation::ALL {
        let r = reference(act);
        match r.fit {
            Fit::StillVanishes { slope, assumed } => {
                assert_eq!(r.scheme, Scheme::XavierNormal);
                assert_eq!(slope, act.derivative_f64(0.0));
                assert!(slope < assumed / SAME_SIZE_FACTOR, "{act:?}: slope {slope}");
            }
            Fit::Holds => {
                if r.scheme == Scheme::XavierNormal {
                    assert!(act.derivative_f64(0.0) >= 0.5, "{act:?}");
                }
            }
        }
    }
    assert_eq!(
        reference(Activation::Tanh),
        cnn_playground::signal::Reference { scheme: Scheme::XavierNormal, fit: Fit::Holds }
    );
    assert_eq!(reference(Activation::Relu).scheme, Scheme::HeNormal);
    assert_eq!(reference(Activation::Selu).scheme, Scheme::LecunNormal);
    assert_eq!(reference(Activation::Sigmoid).fit, Fit::StillVanishes { slope: 0.25, assumed: 1.0 });
}

/// The claim on a real run: sigmoid with Xavier, its reference, still vanishes — each layer shrinks the weight
/// gradients by at least a factor of 2 toward the input (about its slope 1/4), while tanh with Xavier does not.
#[test]
fn sigmoid_with_xavier_still_vanishes_in_the_probe() {
    let ratio = |act| {
        let cfg = ProbeConfig {
            depth: 6,
            width: 100,
            batch: 100,
            act,
            init: InitConfig::new(reference(act).scheme),
            ..Default::default()
        };
        let (_, bwd) = Probe::new(cfg).unwrap().run_to_end();
        // Backward comes last layer first.
        first_last(bwd[5].grad_w_std, bwd[0].grad_w_std)
    };
    let sigmoid = ratio(Activation::Sigmoid);
    assert_eq!(sigmoid.size, Some(Size::Smaller));
    assert!(sigmoid.ratio < 0.5f64.powi(5), "sigmoid + Xavier: first/last = {}", sigmoid.ratio);
    let tanh = ratio(Activation::Tanh);
    assert!(tanh.ratio > 0.1, "tanh + Xavier: first/last = {}", tanh.ratio);
}

/// A dead unit is 0 for every sample; a unit that is 0 for one sample is only inactive there.
#[test]
fn dead_units_are_zero_for_every_sample_and_never_outnumber_inactive_ones() {
    let mut rng = seeded(11);
    for _ in 0..300 {
        let (batch, width) = (rng.random_range(1..9), rng.random_range(1..9));
        let p_zero = rng.random_range(0.0..1.0);
        let values: Vec<f32> = (0..batch * width)
            .map(|_| if rng.random_range(0.0..1.0) < p_zero { 0.0 } else { rng.random_range(0.01..3.0f32) })
            .collect();
        let naive = (0..width).filter(|&u| (0..batch).all(|s| values[s * width + u] == 0.0)).count();
        let dead = dead_fraction(&values, batch, width);
        assert_eq!(dead, naive as f64 / width as f64);
        assert!(dead <= saturated_fraction(Activation::Relu, &values).unwrap());
    }
    assert!(dead_fraction(&[], 0, 3).is_nan());
}

/// ReLU + He: about half the values are 0 (inactive for that sample), yet few units are dead.
#[test]
fn relu_with_he_is_half_inactive_and_not_dead() {
    let cfg = ProbeConfig {
        act: Activation::Relu,
        init: InitConfig::new(Scheme::HeNormal),
        width: 200,
        batch: 200,
        depth: 6,
        ..Default::default() // seed 0 (and whatever else a config grows)
    };
    let (fwd, _) = Probe::new(cfg).unwrap().run_to_end();
    // Layer 1 sees independent N(0, 1) inputs: a unit is 0 for all 200 samples with probability 2⁻²⁰⁰. Deeper
    // layers' inputs are all positive and correlated, so a few units can die (the preset relu_he, 10 layers of 500:
    // 0 % at layer 1, 1 % at layer 5, 8 % at layer 10), but far fewer than are inactive.
    assert_eq!(fwd[0].dead, Some(0.0));
    for f in &fwd {
        let (inactive, dead) = (f.saturated.unwrap(), f.dead.unwrap());
        assert!((inactive - 0.5).abs() < 0.05, "layer {}: inactive {inactive}", f.layer);
        assert!(dead < 0.1, "layer {}: dead {dead}", f.layer);
    }
    let tanh = ProbeConfig { depth: 2, width: 20, batch: 5, ..Default::default() };
    assert!(Probe::new(tanh).unwrap().run_to_end().0.iter().all(|f| f.dead.is_none()));
}
