//! The verdict rules for JavaScript (src/verdict.rs): every "better / worse / within the 95 % band", "learned" and
//! "still learning" the page prints comes from these, never from a threshold in JS.

use super::{args, js_error, object};
use crate::verdict::{self, Verdict};
use wasm_bindgen::prelude::*;

const MAX_VAL: usize = 1_000_000;

fn opt(x: Option<f64>) -> JsValue {
    x.map_or(JsValue::NULL, JsValue::from)
}

/// A verdict as `{ outcome: 'better' | 'worse' | 'within', mean_a, mean_b, diff, n_a, n_b, se, df, cut, t, floor,
/// margin, val_size }` (`se`, `df`, `cut`, `t` null when an arm has one run).
pub(crate) fn verdict_object(v: &Verdict) -> JsValue {
    object(&[
        ("outcome", v.outcome.name().into()),
        ("mean_a", v.mean_a.into()),
        ("mean_b", v.mean_b.into()),
        ("diff", v.diff.into()),
        ("n_a", v.n_a.into()),
        ("n_b", v.n_b.into()),
        ("se", opt(v.se)),
        ("df", opt(v.df)),
        ("cut", opt(v.cut)),
        ("t", opt(v.t)),
        ("floor", v.floor.into()),
        ("margin", v.margin.into()),
        ("val_size", v.val_size.into()),
    ])
}

/// The most runs per arm, and the most points of a curve, a caller may pass.
const MAX_RUNS: usize = 1_000;
const MAX_POINTS: usize = 1_000_000;

/// Arm a's accuracies (one per run) against arm b's, measured on `val_size` validation images: the one rule
/// (src/verdict.rs). Throws (param `repeats`) `too_few_repeats` / `not_finite`, (param `val_size`) the range codes.
#[wasm_bindgen]
pub fn verdict_compare(a: JsValue, b: JsValue, val_size: JsValue) -> Result<JsValue, JsValue> {
    let compared = || {
        let (a, b) = (args::f64s("repeats", &a, MAX_RUNS)?, args::f64s("repeats", &b, MAX_RUNS)?);
        verdict::compare(&a, &b, args::count("val_size", &val_size, 1, MAX_VAL)?)
    };
    compared().map(|v| verdict_object(&v)).map_err(js_error)
}

/// How far a run got: `'learned'` (best ≥ 5 × chance (1/`classes`) and within 10 points of `best_of_all`),
/// `'behind'` (≥ 5 × chance, more than 10 points behind) or `'failed'` (below 5 × chance).
#[wasm_bindgen]
pub fn verdict_learned(best: JsValue, classes: JsValue, best_of_all: JsValue) -> Result<String, JsValue> {
    let judged = || -> crate::Result<String> {
        let classes = args::count("classes", &classes, 1, crate::data::MAX_DATASET_CLASSES)?;
        let (best, best_of_all) = (args::number("best", &best)?, args::number("best_of_all", &best_of_all)?);
        Ok(verdict::learning(best, classes, best_of_all).name().into())
    };
    judged().map_err(js_error)
}

/// The rules' constants for the page's sentences: `{ learned_times_chance, learned_within, z95 }`.
#[wasm_bindgen]
pub fn verdict_rules() -> JsValue {
    object(&[
        ("learned_times_chance", verdict::LEARNED_TIMES_CHANCE.into()),
        ("learned_within", verdict::LEARNED_WITHIN.into()),
        ("z95", verdict::Z95.into()),
    ])
}

/// A curve from JS: `steps` (whole, ascending as the caller measured them) and `acc`, the same length.
fn curve(steps: &JsValue, acc: &JsValue) -> crate::Result<Vec<(usize, f64)>> {
    let (steps, acc) = (args::f64s("curve", steps, MAX_POINTS)?, args::f64s("curve", acc, MAX_POINTS)?);
    if steps.len() != acc.len() {
        return Err(crate::Error::coded("curve", "invalid", "steps and accuracies differ in length"));
    }
    let mut out = Vec::with_capacity(steps.len());
    for (&s, &a) in steps.iter().zip(&acc) {
        out.push((crate::error::check_whole("curve", s, 0.0, args::MAX_SAFE)? as usize, a));
    }
    Ok(out)
}

/// A run's validation curve (`steps`, `acc`, same length, steps ascending) still rising in its last quarter beyond
/// the floor of `val_size` images: the suggested extra steps (rounded up to `every`), else undefined.
#[wasm_bindgen]
pub fn verdict_still_learning(
    steps: JsValue,
    acc: JsValue,
    val_size: JsValue,
    every: JsValue,
) -> Result<Option<f64>, JsValue> {
    let judged = || -> crate::Result<Option<f64>> {
        let val = args::count("val_size", &val_size, 1, MAX_VAL)?;
        let every = args::count("every", &every, 1, MAX_VAL)?;
        Ok(verdict::still_learning(&curve(&steps, &acc)?, val, every).map(|n| n as f64))
    };
    judged().map_err(js_error)
}

/// The first step at which the curve reaches `fraction` × `reference`, else undefined.
#[wasm_bindgen]
pub fn verdict_steps_to_reach(
    steps: JsValue,
    acc: JsValue,
    fraction: JsValue,
    reference: JsValue,
) -> Result<Option<f64>, JsValue> {
    let judged = || -> crate::Result<Option<f64>> {
        let (fraction, reference) = (args::number("fraction", &fraction)?, args::number("reference", &reference)?);
        Ok(verdict::steps_to_reach(&curve(&steps, &acc)?, fraction, reference).map(|n| n as f64))
    };
    judged().map_err(js_error)
}
