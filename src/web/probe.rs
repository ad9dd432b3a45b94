//! The vanishing/exploding-signals panel. `ProbeRun` lives in the worker and hands out one layer at a time;
//! the chart functions run on the main thread with the numbers the worker posted.

use super::config::Config;
use super::init::INIT_KEYS;
use super::init::required_init;
use super::{args, js_error};
use crate::plot::{self, LayerHistograms, LogPane, Series, Style};
use crate::probe::{Activation, Probe, ProbeConfig, ProbeNorm};
use crate::signal::{self, Comparison, Fit, Size};
use wasm_bindgen::prelude::*;

/// Bins of one layer's histogram, and words of one chart, that the charts take at most.
const MAX_BINS: usize = 1000;
const WORDS: usize = 64;
use crate::probe::MAX_DEPTH;

#[wasm_bindgen]
pub struct ProbeRun {
    inner: Probe,
}

#[wasm_bindgen]
impl ProbeRun {
    /// One settings object, named as in the URL: `{ depth, width, batch, act, seed, norm }` and the initializer's
    /// (`init`, `mode`, `nonlinearity`, `slope`, `dist`, `std`, `a`: as `InitView`). `init` is required; the others
    /// default as on the signal panel (depth 10, width 500, batch 500, tanh, seed 42). `norm`: `'none'` or `'bn'`,
    /// BatchNorm per feature over the batch before each activation (batch ≥ 2).
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<ProbeRun, JsValue> {
        use crate::probe::{MAX_BATCH, MAX_WIDTH, MIN_WIDTH};
        let config = || -> crate::Result<ProbeConfig> {
            let mut keys = vec!["depth", "width", "batch", "act", "seed", "norm"];
            keys.extend(INIT_KEYS);
            let c = Config::read(&settings, "settings", &keys)?;
            let count = |key: &str, min: usize, max: usize, default: usize| -> crate::Result<usize> {
                Ok(c.whole(key, min as f64, max as f64)?.map_or(default, |v| v as usize))
            };
            Ok(ProbeConfig {
                depth: count("depth", 1, MAX_DEPTH, 10)?,
                width: count("width", MIN_WIDTH, MAX_WIDTH, 500)?,
                batch: count("batch", 1, MAX_BATCH, 500)?,
                act: Activation::parse(&c.string("act")?.unwrap_or_else(|| "tanh".into()))?,
                init: required_init(&c)?,
                seed: c.whole("seed", 0.0, args::MAX_SAFE)?.unwrap_or(42),
                norm: ProbeNorm::parse(&c.string("norm")?.unwrap_or_else(|| "none".into()))?,
            })
        };
        let cfg = config().map_err(js_error)?;
        Ok(ProbeRun { inner: Probe::new(cfg).map_err(js_error)? })
    }

    #[wasm_bindgen(getter)]
    pub fn forward_flops(&self) -> f64 {
        self.inner.config().forward_flops()
    }
    #[wasm_bindgen(getter)]
    pub fn backward_flops(&self) -> f64 {
        self.inner.config().backward_flops()
    }

    /// The next layer forward, or `undefined` when all are done:
    /// `{ layer, mean, std, saturated (NaN if the activation has no such notion), dead (ReLU: the fraction of units 0
    /// for the whole batch; NaN for the others), lo, hi, counts: Float64Array, below, above, non_finite, total }`.
    pub fn forward_layer(&mut self) -> Option<js_sys::Object> {
        let f = self.inner.forward_layer()?;
        let h = &f.histogram;
        let counts: Vec<f64> = h.counts.iter().map(|&c| c as f64).collect();
        let total = h.counts.iter().map(|&c| c as f64).sum::<f64>() + (h.below + h.above + h.non_finite) as f64;
        Some(object(&[
            ("layer", (f.layer as f64).into()),
            ("mean", f.mean.into()),
            ("std", f.std.into()),
            ("saturated", f.saturated.unwrap_or(f64::NAN).into()),
            ("dead", f.dead.unwrap_or(f64::NAN).into()),
            ("lo", h.lo.into()),
            ("hi", h.hi.into()),
            ("counts", js_sys::Float64Array::from(counts.as_slice()).into()),
            ("below", (h.below as f64).into()),
            ("above", (h.above as f64).into()),
            ("non_finite", (h.non_finite as f64).into()),
            ("total", total.into()),
        ]))
    }

    /// The next layer backward (last layer first), or `undefined`: `{ layer, grad_x_std, grad_w_std }`.
    pub fn backward_layer(&mut self) -> Option<js_sys::Object> {
        let b = self.inner.backward_layer()?;
        Some(object(&[
            ("layer", (b.layer as f64).into()),
            ("grad_x_std", b.grad_x_std.into()),
            ("grad_w_std", b.grad_w_std.into()),
        ]))
    }
}

/// The usual initializer for an activation and whether the signal still vanishes with it ([`signal::reference`]):
/// `{ init: scheme name, fit: 'holds' | 'still_vanishes', slope, assumed (NaN when it holds), band }`; `band` is
/// the factor within which two spreads are "about the same size".
#[wasm_bindgen]
pub fn signal_reference(act: JsValue) -> Result<js_sys::Object, JsValue> {
    let act = args::text("act", &act).and_then(|a| Activation::parse(&a)).map_err(js_error)?;
    let r = signal::reference(act);
    let (fit, slope, assumed) = match r.fit {
        Fit::Holds => ("holds", f64::NAN, f64::NAN),
        Fit::StillVanishes { slope, assumed } => ("still_vanishes", slope, assumed),
    };
    Ok(object(&[
        ("init", r.scheme.name().into()),
        ("fit", fit.into()),
        ("slope", slope.into()),
        ("assumed", assumed.into()),
        ("band", signal::SAME_SIZE_FACTOR.into()),
    ]))
}

/// The factor within which two spreads are "about the same size" ([`signal::SAME_SIZE_FACTOR`]), for the page to state.
#[wasm_bindgen]
pub fn signal_band() -> f64 {
    signal::SAME_SIZE_FACTOR
}

/// The first layer's dL/dW spread against the last's ([`signal::first_last`]): `{ size: 'smaller' | 'similar' |
/// 'larger' | 'undefined', ratio }`.
#[wasm_bindgen]
pub fn signal_first_last(first: JsValue, last: JsValue) -> Result<js_sys::Object, JsValue> {
    let first = args::number("first", &first).map_err(js_error)?;
    let last = args::number("last", &last).map_err(js_error)?;
    let v = signal::first_last(first, last);
    Ok(object(&[("size", v.size.map_or("undefined", Size::name).into()), ("ratio", v.ratio.into())]))
}

/// A run's per-layer spreads against the reference run's ([`signal::compare`]): `{ kind: 'close' | 'uniform' |
/// 'spread' | 'undefined', ratio (uniform), first, last (spread); NaN where not used }`.
#[wasm_bindgen]
pub fn signal_compare(run: JsValue, reference: JsValue) -> Result<js_sys::Object, JsValue> {
    let run = args::f64s("run", &run, MAX_DEPTH).map_err(js_error)?;
    let reference = args::f64s("reference", &reference, MAX_DEPTH).map_err(js_error)?;
    let c = signal::compare(&run, &reference);
    let (ratio, first, last) = match c {
        Comparison::Uniform { ratio } => (ratio, f64::NAN, f64::NAN),
        Comparison::Spread { first, last } => (f64::NAN, first, last),
        _ => (f64::NAN, f64::NAN, f64::NAN),
    };
    Ok(object(&[("kind", c.name().into()), ("ratio", ratio.into()), ("first", first.into()), ("last", last.into())]))
}

fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        // Defining a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

/// Small multiples of the layers' activation histograms. `counts` is layers × bins, layer by layer; `totals`,
/// `outside` (fraction beyond the range) and `overflow` (fraction non-finite) have one value per layer.
/// `words` = [layer, overflow, outside] in the page's language.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn draw_layer_histograms(
    canvas: JsValue,
    lo: JsValue,
    hi: JsValue,
    bins: JsValue,
    counts: JsValue,
    totals: JsValue,
    outside: JsValue,
    overflow: JsValue,
    words: JsValue,
    pixel_ratio: JsValue,
) -> Result<JsValue, JsValue> {
    let finite = |param, v: &JsValue| {
        args::number(param, v).and_then(|x| crate::error::check_range(param, x, -f64::MAX, f64::MAX)).map_err(js_error)
    };
    let (lo, hi) = (finite("lo", &lo)?, finite("hi", &hi)?);
    let bins = args::count("bins", &bins, 1, MAX_BINS).map_err(js_error)?;
    let series = |param, v: &JsValue| args::f64s(param, v, MAX_BINS * MAX_DEPTH).map_err(js_error);
    let (counts, totals) = (series("counts", &counts)?, series("totals", &totals)?);
    let (outside, overflow) = (series("outside", &outside)?, series("overflow", &overflow)?);
    let words = args::texts("words", &words, WORDS).map_err(js_error)?;
    let pixel_ratio = super::pixel_ratio(&pixel_ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let plot = LayerHistograms {
        lo,
        hi,
        bins,
        counts: &counts,
        totals: &totals,
        outside: &outside,
        overflow: &overflow,
        layer_word: word(0),
        overflow_word: word(1),
        outside_word: word(2),
    };
    draw_chart!(canvas, |area| plot::draw_layer_histograms(&area, &plot, Style::new(pixel_ratio)))
}

/// The fixed y ranges of the two panes of [`draw_signal_layers`]: [act lo, act hi, grad lo, grad hi].
#[wasm_bindgen]
pub fn signal_axis_ranges() -> Vec<f64> {
    vec![plot::ACT_RANGE.0, plot::ACT_RANGE.1, plot::GRAD_RANGE.0, plot::GRAD_RANGE.1]
}

/// Two log-scale panes over the layers on fixed ranges ([`plot::ACT_RANGE`], [`plot::GRAD_RANGE`]): activation
/// std, and the stds of dL/d(activations) and dL/dW. `reference` holds the same three series of the healthy run for
/// this activation, drawn faint (empty arrays for none). `words` = [x label, left title, left y label, act std, right
/// title, right y label, grad x, grad w, overflow, zero, off scale, reference].
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn draw_signal_layers(
    canvas: JsValue,
    act_std: JsValue,
    grad_x_std: JsValue,
    grad_w_std: JsValue,
    ref_act_std: JsValue,
    ref_grad_x_std: JsValue,
    ref_grad_w_std: JsValue,
    words: JsValue,
    pixel_ratio: JsValue,
) -> Result<JsValue, JsValue> {
    let series = |param, v: &JsValue| args::f64s(param, v, MAX_DEPTH + 1).map_err(js_error);
    let (act_std, grad_x_std, grad_w_std) =
        (series("act_std", &act_std)?, series("grad_x_std", &grad_x_std)?, series("grad_w_std", &grad_w_std)?);
    let (ref_act_std, ref_grad_x_std) =
        (series("ref_act_std", &ref_act_std)?, series("ref_grad_x_std", &ref_grad_x_std)?);
    let ref_grad_w_std = series("ref_grad_w_std", &ref_grad_w_std)?;
    let (act_std, grad_x_std, grad_w_std) = (&act_std[..], &grad_x_std[..], &grad_w_std[..]);
    let (ref_act_std, ref_grad_x_std, ref_grad_w_std) = (&ref_act_std[..], &ref_grad_x_std[..], &ref_grad_w_std[..]);
    let words = args::texts("words", &words, WORDS).map_err(js_error)?;
    let pixel_ratio = super::pixel_ratio(&pixel_ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let act = |name, values| Series { name, values, color: plot::CURVE };
    let gx = |name, values| Series { name, values, color: plot::BAR };
    let gw = |name, values| Series { name, values, color: plot::GRAD_W };
    let reference = |v: &[f64]| !v.is_empty();
    let panes = [
        LogPane {
            title: word(1),
            y_label: word(2),
            range: plot::ACT_RANGE,
            series: vec![act(word(3), act_std)],
            reference: reference(ref_act_std).then(|| act("", ref_act_std)).into_iter().collect(),
        },
        LogPane {
            title: word(4),
            y_label: word(5),
            range: plot::GRAD_RANGE,
            series: vec![gx(word(6), grad_x_std), gw(word(7), grad_w_std)],
            reference: [gx("", ref_grad_x_std), gw("", ref_grad_w_std)]
                .into_iter()
                .filter(|s| reference(s.values))
                .collect(),
        },
    ];
    let words =
        plot::LogWords { x_label: word(0), overflow: word(8), zero: word(9), off_scale: word(10), reference: word(11) };
    draw_chart!(canvas, |area| plot::draw_log_panes(&area, &panes, &words, Style::new(pixel_ratio)))
}
