//! The lists and limits the core owns, for the page's URL table (www/js/state.js): the page takes them from here
//! instead of re-typing them, and tests/e2e/state.test.mjs checks that the page's strings and presets agree.

use crate::augment::{pipeline, samples};
use crate::init::{self, Dist, Mode, Nonlinearity, Scheme};
use crate::nn::activation::Activation;
use crate::nn::optim::{self, OptimizerConfig};
use crate::nn::spec as model_spec;
use crate::probe;
use wasm_bindgen::prelude::*;

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

fn names(list: impl IntoIterator<Item = &'static str>) -> JsValue {
    list.into_iter().map(JsValue::from).collect::<js_sys::Array>().into()
}

fn range(min: f64, max: f64) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "min", &min.into());
    set(&o, "max", &max.into());
    o.into()
}

/// The schemes whose samples each initializer parameter changes (the others ignore it), so the page shows a control
/// only where it does something: `{ mode, nonlinearity, dist, std, a }` (`slope` goes with `nonlinearity`).
fn init_uses() -> JsValue {
    let o = js_sys::Object::new();
    let uses = [
        ("mode", Scheme::uses_mode as fn(Scheme) -> bool),
        ("nonlinearity", Scheme::uses_gain),
        ("dist", Scheme::is_normal),
        ("std", Scheme::uses_std),
        ("a", Scheme::uses_a),
    ];
    for (param, uses) in uses {
        set(&o, param, &names(Scheme::ALL.into_iter().filter(|&s| uses(s)).map(Scheme::name)));
    }
    o.into()
}

/// `{ act: what its `saturated` column counts }` for the activations that have such a column (the probe's
/// `saturated` is NaN for the others): `saturated`, `inactive` (ReLU: 0 for that sample; a unit 0 for the whole batch
/// is dead, the probe's `dead` column) or `negative`.
fn saturation() -> JsValue {
    use crate::nn::activation::Saturation;
    let o = js_sys::Object::new();
    for act in Activation::ALL {
        if let Some(s) = act.saturation() {
            // The engine's name for ReLU's zeros predates the dead column: per sample they are inactive, not dead.
            let kind = if s == Saturation::Dead { "inactive" } else { s.name() };
            set(&o, act.name(), &kind.into());
        }
    }
    o.into()
}

/// `{ lists: { init, mode, nonlinearity, dist, act, src, opt }, limits: { name: { min, max } }, aug_length,
/// model_length, init_uses, saturation }`: lists and limits keyed by the URL parameter they belong to (`src` lists the built-in samples; the
/// page adds `own`), which initializer parameters each scheme reads, and which activations saturate.
#[wasm_bindgen]
pub fn core_catalog() -> JsValue {
    let lists = js_sys::Object::new();
    set(&lists, "init", &names(Scheme::ALL.map(Scheme::name)));
    set(&lists, "mode", &names(Mode::ALL.map(Mode::name)));
    set(&lists, "nonlinearity", &names(Nonlinearity::ALL.map(Nonlinearity::name)));
    set(&lists, "dist", &names(Dist::ALL.map(Dist::name)));
    set(&lists, "act", &names(Activation::ALL.map(Activation::name)));
    set(&lists, "src", &names(samples::NAMES));
    set(&lists, "opt", &names(optim::METHODS));
    let limits = js_sys::Object::new();
    set(&limits, "samples", &range(1.0, super::init::MAX_SAMPLES as f64));
    set(&limits, "slope", &range(0.0, init::MAX_SLOPE));
    set(&limits, "std", &range(0.0, init::MAX_STD));
    set(&limits, "a", &range(0.0, init::MAX_A));
    set(&limits, "depth", &range(1.0, probe::MAX_DEPTH as f64));
    set(&limits, "width", &range(probe::MIN_WIDTH as f64, probe::MAX_WIDTH as f64));
    set(&limits, "batch", &range(1.0, probe::MAX_BATCH as f64));
    set(&limits, "n", &range(1.0, pipeline::MAX_TILES as f64));
    // The Train panel's: SGD's momentum `m` and the weight decay both optimizers take, and the batch size.
    let opt_range = |method, key| OptimizerConfig::range(method, key).map_or(JsValue::NULL, |(lo, hi)| range(lo, hi));
    set(&limits, "momentum", &opt_range("sgd", "m"));
    set(&limits, "wd", &opt_range("sgd", "wd"));
    set(&limits, "bs", &range(1.0, model_spec::MAX_BATCH as f64));
    let o = js_sys::Object::new();
    set(&o, "lists", &lists);
    set(&o, "limits", &limits);
    set(&o, "aug_length", &(pipeline::MAX_LEN as f64).into());
    set(&o, "model_length", &(model_spec::MAX_SPEC_LEN as f64).into());
    set(&o, "init_uses", &init_uses());
    set(&o, "saturation", &saturation());
    o.into()
}
