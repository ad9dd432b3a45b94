//! The lists and limits the core owns, for the page's URL table (www/js/state.js): the page takes them from here
//! instead of re-typing them, and tests/e2e/state.test.mjs checks that the page's strings and presets agree.

use crate::augment::{pipeline, samples};
use crate::init::{self, Dist, Mode, Nonlinearity, Scheme};
use crate::nn::activation::Activation;
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

/// `{ lists: { init, mode, nonlinearity, dist, act, src }, limits: { name: { min, max } }, aug_length }`, keyed by
/// the URL parameter each list or limit belongs to (`src` lists the built-in samples; the page adds `own`).
#[wasm_bindgen]
pub fn core_catalog() -> JsValue {
    let lists = js_sys::Object::new();
    set(&lists, "init", &names(Scheme::ALL.map(Scheme::name)));
    set(&lists, "mode", &names(Mode::ALL.map(Mode::name)));
    set(&lists, "nonlinearity", &names(Nonlinearity::ALL.map(Nonlinearity::name)));
    set(&lists, "dist", &names(Dist::ALL.map(Dist::name)));
    set(&lists, "act", &names(Activation::ALL.map(Activation::name)));
    set(&lists, "src", &names(samples::NAMES));
    let limits = js_sys::Object::new();
    set(&limits, "samples", &range(1.0, super::init::MAX_SAMPLES as f64));
    set(&limits, "slope", &range(0.0, init::MAX_SLOPE));
    set(&limits, "std", &range(0.0, init::MAX_STD));
    set(&limits, "a", &range(0.0, init::MAX_A));
    set(&limits, "depth", &range(1.0, probe::MAX_DEPTH as f64));
    set(&limits, "width", &range(probe::MIN_WIDTH as f64, probe::MAX_WIDTH as f64));
    set(&limits, "batch", &range(1.0, probe::MAX_BATCH as f64));
    set(&limits, "n", &range(1.0, pipeline::MAX_TILES as f64));
    let o = js_sys::Object::new();
    set(&o, "lists", &lists);
    set(&o, "limits", &limits);
    set(&o, "aug_length", &(pipeline::MAX_LEN as f64).into());
    o.into()
}
