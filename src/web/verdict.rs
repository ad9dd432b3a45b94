//! The verdict rules for JavaScript (src/verdict.rs): every "better / worse / within the 95 % band", "learned" and
//! "still learning" the page prints comes from these, never from a threshold in JS.

use super::{js_error, object, whole};
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

/// Arm a's accuracies (one per run) against arm b's, measured on `val_size` validation images: the one rule
/// (src/verdict.rs). Throws (param `repeats`) `too_few_repeats` / `not_finite`, (param `val_size`) the range codes.
#[wasm_bindgen]
pub fn verdict_compare(a: &[f64], b: &[f64], val_size: f64) -> Result<JsValue, JsValue> {
    let n = whole("val_size", val_size, 1, MAX_VAL)?;
    verdict::compare(a, b, n).map(|v| verdict_object(&v)).map_err(js_error)
}

/// How far a run got: `'learned'` (best ≥ 5 × chance (1/`classes`) and within 10 points of `best_of_all`),
/// `'behind'` (≥ 5 × chance, more than 10 points behind) or `'failed'` (below 5 × chance).
#[wasm_bindgen]
pub fn verdict_learned(best: f64, classes: f64, best_of_all: f64) -> Result<String, JsValue> {
    let classes = whole("classes", classes, 1, crate::data::MAX_DATASET_CLASSES)?;
    Ok(verdict::learning(best, classes, best_of_all).name().into())
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

fn curve(steps: &[f64], acc: &[f64]) -> Result<Vec<(usize, f64)>, JsValue> {
    if steps.len() != acc.len() {
        return Err(js_error(crate::Error::coded("curve", "invalid", "steps and accuracies differ in length")));
    }
    let mut out = Vec::with_capacity(steps.len());
    for (&s, &a) in steps.iter().zip(acc) {
        out.push((whole("curve", s, 0, usize::MAX >> 11)?, a));
    }
    Ok(out)
}

/// A run's validation curve (`steps`, `acc`, same length, steps ascending) still rising in its last quarter beyond
/// the floor of `val_size` images: the suggested extra steps (rounded up to `every`), else undefined.
#[wasm_bindgen]
pub fn verdict_still_learning(steps: &[f64], acc: &[f64], val_size: f64, every: f64) -> Result<Option<f64>, JsValue> {
    let val = whole("val_size", val_size, 1, MAX_VAL)?;
    let every = whole("every", every, 1, MAX_VAL)?;
    Ok(verdict::still_learning(&curve(steps, acc)?, val, every).map(|n| n as f64))
}

/// The first step at which the curve reaches `fraction` × `reference`, else undefined.
#[wasm_bindgen]
pub fn verdict_steps_to_reach(
    steps: &[f64],
    acc: &[f64],
    fraction: f64,
    reference: f64,
) -> Result<Option<f64>, JsValue> {
    Ok(verdict::steps_to_reach(&curve(steps, acc)?, fraction, reference).map(|n| n as f64))
}
