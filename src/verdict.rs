//! The one rule that turns two arms' numbers into "better", "worse" or "within the 95 % band" (every such word the
//! page prints comes from here: the transfer quadrants, the transfer init view and the Train comparisons), and the
//! small rules built on it ("learned", "still learning").
//!
//! # The rule
//! Arm a and arm b each give one accuracy per repeat (n_a, n_b repeats, different seeds), all measured on the same
//! validation set of `val_size` images. d = mean(a) − mean(b).
//! - **Seeds** (needs n ≥ 2 in both arms): Welch's t. SE = √(s_a²/n_a + s_b²/n_b) with sample variances, degrees of
//!   freedom by Welch–Satterthwaite ν = SE⁴ / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)), and the two-sided 95 %
//!   cut c = t(0.975, ν) of Student's t. Its margin is c·SE (when both arms repeat exactly, SE = 0 and ν is taken
//!   as n_a + n_b − 2: the seeds add nothing).
//! - **Floor** (the validation set's size): an accuracy measured on N images has the binomial standard error
//!   √(p(1−p)/N); the floor is its 95 % half-width 1.96·√(p̄(1−p̄)/N) at the arms' pooled mean p̄, and never less than
//!   1.5/N, so two runs one image apart never "differ" whatever their spread.
//!
//! The margin is the larger of the two; |d| > margin gives `Better` (d > 0) or `Worse`, else `Within`. With one run
//! in an arm there is no seed spread to measure: the margin is the floor alone, and the figures say so (`se` is
//! `None`), so the page's sentence names that rule.

use crate::error::{Error, Result};

/// The two-sided 95 % normal quantile (the floor's multiplier, and t's limit as ν → ∞).
pub const Z95: f64 = 1.959_963_984_540_054;

/// What a comparison found, a against b.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Better,
    Worse,
    Within,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Better => "better",
            Outcome::Worse => "worse",
            Outcome::Within => "within",
        }
    }
}

/// A comparison's outcome and the figures it follows from (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub mean_a: f64,
    pub mean_b: f64,
    /// mean_a − mean_b.
    pub diff: f64,
    pub n_a: usize,
    pub n_b: usize,
    /// Welch's standard error of the difference, `None` when an arm has one run.
    pub se: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom (with `se`).
    pub df: Option<f64>,
    /// t(0.975, df) (with `se`).
    pub cut: Option<f64>,
    /// diff / se (with `se`; infinite when se = 0 and diff ≠ 0).
    pub t: Option<f64>,
    /// The validation set's floor.
    pub floor: f64,
    /// max(cut·se, floor): |diff| must exceed it.
    pub margin: f64,
    pub val_size: usize,
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var)
}

/// The floor for accuracy `p` measured on `val_size` images (module docs).
pub fn floor(p: f64, val_size: usize) -> f64 {
    let n = val_size as f64;
    let p = p.clamp(0.0, 1.0);
    (Z95 * (p * (1.0 - p) / n).sqrt()).max(1.5 / n)
}

/// Compares arm a with arm b (module docs). Errors (param `repeats`, code `too_few_repeats`) on an empty arm, (param
/// `val_size`, code `out_of_range`) on an empty validation set, (code `not_finite`) on a value that is not finite.
pub fn compare(a: &[f64], b: &[f64], val_size: usize) -> Result<Verdict> {
    if a.is_empty() || b.is_empty() {
        return Err(Error::coded("repeats", "too_few_repeats", "each arm needs at least one run"));
    }
    if val_size == 0 {
        return Err(Error::coded("val_size", "out_of_range", "the validation set is empty"));
    }
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        return Err(Error::coded("repeats", "not_finite", "an accuracy is not a finite number"));
    }
    let (ma, va) = mean_var(a);
    let (mb, vb) = mean_var(b);
    let (na, nb) = (a.len(), b.len());
    let diff = ma - mb;
    let floor = floor((ma + mb) / 2.0, val_size);
    let (mut se, mut df, mut cut, mut t) = (None, None, None, None);
    let mut margin = floor;
    if na >= 2 && nb >= 2 {
        let (qa, qb) = (va / na as f64, vb / nb as f64);
        let s = (qa + qb).sqrt();
        let nu = if s > 0.0 {
            (qa + qb).powi(2) / (qa * qa / (na as f64 - 1.0) + qb * qb / (nb as f64 - 1.0))
        } else {
            (na + nb - 2) as f64
        };
        let c = t_quantile(0.975, nu);
        margin = margin.max(c * s);
        se = Some(s);
        df = Some(nu);
        cut = Some(c);
        t = Some(if s > 0.0 {
            diff / s
        } else if diff == 0.0 {
            0.0
        } else {
            diff.signum() * f64::INFINITY
        });
    }
    let outcome = if diff > margin {
        Outcome::Better
    } else if diff < -margin {
        Outcome::Worse
    } else {
        Outcome::Within
    };
    Ok(Verdict { outcome, mean_a: ma, mean_b: mb, diff, n_a: na, n_b: nb, se, df, cut, t, floor, margin, val_size })
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The continued fraction of the regularized incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=20_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b).
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) { front * beta_cf(a, b, x) / a } else { 1.0 - front * beta_cf(b, a, 1.0 - x) / b }
}

/// P(T ≤ x) for Student's t with `df` > 0 degrees of freedom (any real df; the continued fraction needs about
/// √df terms, so df up to ~10⁷ — Welch's ν here is at most n_a + n_b − 2).
pub fn t_cdf(x: f64, df: f64) -> f64 {
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, df / (df + x * x));
    if x >= 0.0 { 1.0 - tail } else { tail }
}

/// The quantile of Student's t: the x with P(T ≤ x) = p, for 0 < p < 1 and df > 0 (bisection on the CDF to the
/// last bit).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_cdf(hi, df) < p && hi < 1e300 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid == lo || mid == hi {
            break;
        }
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// How far a run got (the Train comparisons' rule, [`learning`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learning {
    /// At least [`LEARNED_TIMES_CHANCE`] × chance and within [`LEARNED_WITHIN`] of the best run.
    Learned,
    /// At least [`LEARNED_TIMES_CHANCE`] × chance, but more than [`LEARNED_WITHIN`] behind the best run.
    Behind,
    /// Below [`LEARNED_TIMES_CHANCE`] × chance.
    Failed,
}

impl Learning {
    pub fn name(self) -> &'static str {
        match self {
            Learning::Learned => "learned",
            Learning::Behind => "behind",
            Learning::Failed => "failed",
        }
    }
}

/// A run's [`Learning`] from its best validation accuracy, the number of classes (chance = 1/classes) and the best
/// run's best.
pub fn learning(best: f64, classes: usize, best_of_all: f64) -> Learning {
    let chance = 1.0 / classes.max(1) as f64;
    if best < LEARNED_TIMES_CHANCE * chance {
        Learning::Failed
    } else if best < best_of_all - LEARNED_WITHIN {
        Learning::Behind
    } else {
        Learning::Learned
    }
}

/// Whether a run learned: [`Learning::Learned`].
pub fn learned(best: f64, classes: usize, best_of_all: f64) -> bool {
    learning(best, classes, best_of_all) == Learning::Learned
}
pub const LEARNED_TIMES_CHANCE: f64 = 5.0;
pub const LEARNED_WITHIN: f64 = 0.10;

/// Whether a run is still learning at its end, and how many more steps that suggests: the best validation
/// accuracy of its last quarter (by steps) beats the best before it by more than the floor of `val_size` images.
/// Returns `Some(extra)` with extra = the steps run so far rounded up to `every` (double the budget: a quarter's
/// gain at the end says the curve has not flattened), else `None`. `curve` = (step, accuracy) in step order.
pub fn still_learning(curve: &[(usize, f64)], val_size: usize, every: usize) -> Option<usize> {
    let last = curve.last()?.0;
    if last == 0 || val_size == 0 {
        return None;
    }
    let cut = last - last / 4;
    let before = curve.iter().filter(|c| c.0 < cut).map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
    let after = curve.iter().filter(|c| c.0 >= cut).map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
    if !before.is_finite() || !after.is_finite() {
        return None;
    }
    let every = every.max(1);
    (after - before > floor(after, val_size)).then(|| last.div_ceil(every) * every)
}

/// The first step at which `curve` reaches `fraction` of `reference` (e.g. 0.9 of the best final accuracy), or
/// `None` if it never does.
pub fn steps_to_reach(curve: &[(usize, f64)], fraction: f64, reference: f64) -> Option<usize> {
    let level = fraction * reference;
    curve.iter().find(|c| c.1 >= level).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Rng};
    use rand::RngExt as _;

    fn uniform(rng: &mut Rng) -> f64 {
        rng.random::<f64>()
    }

    /// Published two-sided 95 % values (t(0.975, ν)), e.g. any statistics table: 4 significant digits.
    #[test]
    fn t_quantile_matches_the_tables() {
        let table = [
            (1.0, 12.706),
            (2.0, 4.303),
            (3.0, 3.182),
            (4.0, 2.776),
            (5.0, 2.571),
            (10.0, 2.228),
            (20.0, 2.086),
            (30.0, 2.042),
            (120.0, 1.980),
        ];
        for (df, want) in table {
            let got = t_quantile(0.975, df);
            assert!((got - want).abs() < 5e-4, "t(0.975, {df}) = {got}, table {want}");
        }
        // One-sided 0.95 and 0.995 rows of the same tables.
        assert!((t_quantile(0.95, 4.0) - 2.132).abs() < 5e-4);
        assert!((t_quantile(0.995, 10.0) - 3.169).abs() < 5e-4);
        // ν → ∞: the normal's 1.95996…, approached as the Cornish–Fisher expansion in 1/ν says (Abramowitz–Stegun
        // 26.7.5: t = z + (z³+z)/(4ν) + (5z⁵+16z³+3z)/(96ν²) + …), an independent reference.
        let z = Z95;
        for nu in [1e3, 1e4, 1e6] {
            let cf =
                z + (z.powi(3) + z) / (4.0 * nu) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * nu * nu);
            assert!((t_quantile(0.975, nu) - cf).abs() < 1e-8, "ν = {nu}: {} vs {cf}", t_quantile(0.975, nu));
        }
        assert!((t_quantile(0.975, 1e6) - 1.960).abs() < 5e-4);
        // t(ν = 1) is the Cauchy's tan(0.475π) exactly.
        assert!((t_quantile(0.975, 1.0) - (0.475 * std::f64::consts::PI).tan()).abs() < 1e-9);
        // ν = 2 has the closed form t = (2p − 1)·√(2 / (1 − (2p−1)²)).
        let q = 0.95f64;
        assert!((t_quantile(0.975, 2.0) - q * (2.0 / (1.0 - q * q)).sqrt()).abs() < 1e-9);
        // Symmetric, and monotone in ν (fewer degrees of freedom, heavier tails).
        assert_eq!(t_quantile(0.025, 7.0), -t_quantile(0.975, 7.0));
        assert!(t_quantile(0.975, 3.5) > t_quantile(0.975, 4.0) && t_quantile(0.975, 3.5) < t_quantile(0.975, 3.0));
    }

    #[test]
    fn welch_figures_match_a_hand_computation() {
        // a: mean 0.8, s² = 0.0004 (n 3); b: mean 0.7, s² = 0.0016 (n 5).
        let a = [0.78, 0.80, 0.82];
        let b = [0.65, 0.68, 0.70, 0.72, 0.75];
        let v = compare(&a, &b, 200).unwrap();
        let (qa, qb): (f64, f64) = (0.0004 / 3.0, 0.00145 / 5.0);
        let (_, vb) = mean_var(&b);
        assert!((vb - 0.00145).abs() < 1e-12);
        let se = (qa + qb).sqrt();
        let df = (qa + qb).powi(2) / (qa * qa / 2.0 + qb * qb / 4.0);
        assert!((v.se.unwrap() - se).abs() < 1e-12 && (v.df.unwrap() - df).abs() < 1e-9);
        assert!((v.diff - 0.1).abs() < 1e-12);
        assert_eq!(v.outcome, Outcome::Better);
    }

    #[test]
    fn one_image_apart_never_differs() {
        for n in [10usize, 50, 200, 451, 1000] {
            for k in 0..n {
                let (a, b) = ((k + 1) as f64 / n as f64, k as f64 / n as f64);
                // Identical repeats (se = 0) and single runs: only the floor decides.
                assert_eq!(compare(&[a, a, a], &[b, b, b], n).unwrap().outcome, Outcome::Within, "{k}/{n}");
                assert_eq!(compare(&[a], &[b], n).unwrap().outcome, Outcome::Within, "{k}/{n}");
            }
        }
    }

    #[test]
    fn bad_inputs_are_coded_errors() {
        assert_eq!(compare(&[], &[0.5], 10).unwrap_err().code, "too_few_repeats");
        assert_eq!(compare(&[0.5], &[0.5], 0).unwrap_err().code, "out_of_range");
        assert_eq!(compare(&[f64::NAN], &[0.5], 10).unwrap_err().code, "not_finite");
    }

    /// Random arms (seeded): every outcome follows from its own figures, which follow from the inputs.
    #[test]
    fn each_outcome_follows_from_its_figures() {
        let mut rng = rng::seeded(18);
        for case in 0..3000 {
            let na = 1 + rng::below(&mut rng, 8) as usize;
            let nb = 1 + rng::below(&mut rng, 8) as usize;
            let val = [20usize, 100, 200, 451][rng::below(&mut rng, 4) as usize];
            let (ca, cb) = (uniform(&mut rng), uniform(&mut rng));
            let spread = [0.0, 0.01, 0.05, 0.2][rng::below(&mut rng, 4) as usize];
            // Accuracies as whole images out of `val`, as a real validation set gives them.
            let draw = |rng: &mut Rng, c: f64| {
                ((c + spread * (uniform(rng) - 0.5)).clamp(0.0, 1.0) * val as f64).round() / val as f64
            };
            let a: Vec<f64> = (0..na).map(|_| draw(&mut rng, ca)).collect();
            let b: Vec<f64> = (0..nb).map(|_| draw(&mut rng, cb)).collect();
            let v = compare(&a, &b, val).unwrap();
            let (ma, va) = mean_var(&a);
            let (mb, vb) = mean_var(&b);
            assert!((v.diff - (ma - mb)).abs() < 1e-12, "case {case}");
            assert!(v.margin >= v.floor && v.floor >= 1.5 / val as f64 - 1e-15);
            match v.outcome {
                Outcome::Better => assert!(v.diff > v.margin && ma > mb),
                Outcome::Worse => assert!(-v.diff > v.margin && ma < mb),
                Outcome::Within => assert!(v.diff.abs() <= v.margin),
            }
            // Swapping the arms mirrors the outcome.
            let w = compare(&b, &a, val).unwrap();
            let mirror = match v.outcome {
                Outcome::Better => Outcome::Worse,
                Outcome::Worse => Outcome::Better,
                Outcome::Within => Outcome::Within,
            };
            assert_eq!(w.outcome, mirror, "case {case}");
            if na >= 2 && nb >= 2 {
                let se = (va / na as f64 + vb / nb as f64).sqrt();
                assert!((v.se.unwrap() - se).abs() < 1e-12);
                let (df, cut) = (v.df.unwrap(), v.cut.unwrap());
                // ν lies between the smaller arm's n − 1 and n_a + n_b − 2 (Welch–Satterthwaite's bounds).
                assert!(df >= (na.min(nb) - 1) as f64 - 1e-9 && df <= (na + nb - 2) as f64 + 1e-9, "df {df}");
                // The cut is t's 97.5 % point: the CDF there is 0.975.
                assert!((t_cdf(cut, df) - 0.975).abs() < 1e-9);
                assert!(v.margin >= cut * se - 1e-15);
                // Beyond the margin ⇒ |t| beyond the cut (the Welch test rejects too).
                if v.outcome != Outcome::Within && se > 0.0 {
                    assert!(v.t.unwrap().abs() > cut);
                }
            } else {
                assert!(v.se.is_none() && v.margin == v.floor);
            }
        }
    }

    #[test]
    fn learned_follows_its_rule() {
        let mut rng = rng::seeded(7);
        for _ in 0..2000 {
            let classes = 2 + rng::below(&mut rng, 30) as usize;
            let (best, top) = (uniform(&mut rng), uniform(&mut rng));
            let top = top.max(best);
            let l = learned(best, classes, top);
            assert_eq!(l, best * classes as f64 >= 5.0 - 1e-12 && top - best <= 0.10 + 1e-12);
            let expected = if best * (classes as f64) < 5.0 - 1e-12 {
                Learning::Failed
            } else if top - best > 0.10 + 1e-12 {
                Learning::Behind
            } else {
                Learning::Learned
            };
            assert_eq!(learning(best, classes, top), expected);
        }
        // Ten classes: chance 0.1, so 0.115 (the tiny init's flat line) never learned; 0.84 next to 0.96 did not
        // either (12 points behind), next to 0.9 it did.
        assert!(!learned(0.115, 10, 0.115));
        assert!(!learned(0.84, 10, 0.96));
        assert!(learned(0.84, 10, 0.9));
        assert_eq!(learning(0.84, 10, 0.96), Learning::Behind);
        assert_eq!(learning(0.115, 10, 0.96), Learning::Failed);
    }

    #[test]
    fn still_learning_needs_a_gain_beyond_the_floor_in_the_last_quarter() {
        let flat: Vec<(usize, f64)> = (0..=10).map(|i| (i * 10, (0.5 + 0.05 * i as f64).min(0.8))).collect();
        assert_eq!(still_learning(&flat, 200, 10), None);
        let rising: Vec<(usize, f64)> = (0..=10).map(|i| (i * 10, 0.3 + 0.05 * i as f64)).collect();
        assert_eq!(still_learning(&rising, 200, 10), Some(100));
        let mut rng = rng::seeded(3);
        for _ in 0..500 {
            let n = 2 + rng::below(&mut rng, 30) as usize;
            let curve: Vec<(usize, f64)> = (0..n).map(|i| (i * 7, uniform(&mut rng))).collect();
            let last = curve.last().unwrap().0;
            let cut = last - last / 4;
            let b = curve.iter().filter(|c| c.0 < cut).map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
            let a = curve.iter().filter(|c| c.0 >= cut).map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
            let got = still_learning(&curve, 100, 10);
            assert_eq!(got.is_some(), b.is_finite() && a - b > floor(a, 100));
            if let Some(extra) = got {
                assert!(extra >= last && extra % 10 == 0 && extra < last + 10);
            }
        }
    }

    #[test]
    fn steps_to_reach_is_the_first_step_at_the_level() {
        let c = [(0, 0.1), (10, 0.5), (20, 0.85), (30, 0.95), (40, 0.9)];
        assert_eq!(steps_to_reach(&c, 0.9, 0.95), Some(30)); // 0.855: 0.85 is not there yet
        assert_eq!(steps_to_reach(&c, 0.8, 0.95), Some(20));
        assert_eq!(steps_to_reach(&c, 1.0, 0.96), None);
    }
}
