//! The only place that talks to JavaScript. Typed arrays in, typed arrays out; every core `Error` becomes a JS
//! `Error` whose `param` property names the setting at fault, so the page can show the message next to it.

mod args;
mod augment;
mod catalog;
mod config;
mod data;
mod draw;
mod init;
mod probe;
mod session;
mod train;
mod train_view;
mod transfer;
mod verdict;

pub use augment::{AugmentView, augment_catalog, augment_notes};
pub use catalog::core_catalog;
pub use data::Dataset;
pub use draw::DrawModel;
pub use init::InitView;
pub use probe::{ProbeRun, draw_layer_histograms, draw_signal_layers};
pub use session::{Session, check_settings, check_weights};
pub use train::{Trainer, TrainerSnapshot};
pub use train_view::{draw_confusion, draw_confusion_rows, draw_train_curves, run_colors, tiles_rgba};
pub use transfer::{transfer_model, transfer_plan, transfer_verdict, zoo_verify};
pub use verdict::{verdict_compare, verdict_learned, verdict_rules, verdict_steps_to_reach, verdict_still_learning};

use crate::error::Error;
use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: a Rust panic then reaches the console with its message, and the
/// page (which also catches the resulting `RuntimeError`) shows it instead of going dead.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Panics on purpose. It exists so the end-to-end tests can check that a panic inside the worker reaches the page
/// as an error and the worker is replaced; nothing else calls it.
#[wasm_bindgen]
pub fn self_test_panic() {
    panic!("self-test panic requested by the page");
}

/// A JS `Error` with the message and the properties `param`, `code` and `values` (an object of the numbers the
/// message quotes), so the page can translate it and put it next to the control at fault.
pub(crate) fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let values = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail; if it somehow did, the message still carries it all.
    for (name, value) in &e.values {
        let _ = js_sys::Reflect::set(&values, &(*name).into(), &(*value).into());
    }
    let _ = js_sys::Reflect::set(&err, &"param".into(), &e.param.as_str().into());
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code.into());
    let _ = js_sys::Reflect::set(&err, &"values".into(), &values);
    err.into()
}

/// A plain JS object with these properties (setting a property on a fresh object cannot fail).
pub(crate) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&o, &(*key).into(), value);
    }
    o.into()
}

/// A plotters drawing area on a canvas, sized in device pixels (param `canvas`, code `wrong_type` for anything but a
/// canvas element).
pub(crate) fn canvas_backend(canvas: JsValue) -> Result<plotters_canvas::CanvasBackend, JsValue> {
    let canvas = args::canvas("canvas", &canvas).map_err(js_error)?;
    plotters_canvas::CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| js_error(Error::invalid("canvas", "the canvas has no 2D context")))
}

/// The canvas's device pixels per CSS pixel: a number in [0.01, 16] (param `pixel_ratio`).
pub(crate) fn pixel_ratio(value: &JsValue) -> Result<f64, JsValue> {
    args::number("pixel_ratio", value)
        .and_then(|x| crate::error::check_range("pixel_ratio", x, 0.01, 16.0))
        .map_err(js_error)
}

pub(crate) fn chart_error(message: String) -> JsValue {
    js_error(Error::invalid("chart", message))
}
