//! Browser unit tests of the wasm facade (`wasm-pack test --headless --chrome`): the typed arrays JavaScript
//! receives, and bad arguments arriving as thrown errors with a message and the parameter's name.
#![cfg(target_arch = "wasm32")]

use cnn_playground::web::InitView;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn view(scheme: &str, shape: &str) -> Result<InitView, JsValue> {
    InitView::new(scheme, shape, "fan_in", "auto", 0.01, "normal", 0.01, 0.05)
}

/// The message and `param` of a thrown JS error.
fn error_parts(e: JsValue) -> (String, String) {
    let err: js_sys::Error = e.dyn_into().expect("a JS Error object");
    let param = js_sys::Reflect::get(&err, &"param".into()).unwrap().as_string().unwrap_or_default();
    (String::from(err.message()), param)
}

#[wasm_bindgen_test]
fn init_view_returns_samples_and_statistics() {
    let mut v = view("he_normal", "256x784").unwrap();
    v.sample(10_000.0, 42.0).unwrap();
    let samples = v.samples();
    assert_eq!(samples.len(), 10_000);
    assert_eq!(v.n(), 10_000.0);
    assert_eq!(v.fan_in(), 784.0);
    assert_eq!(v.fan_out(), 256.0);
    let std = (2.0f64 / 784.0).sqrt();
    assert!((v.std() - std).abs() < 1e-12);
    assert!(v.bound().is_nan(), "a plain normal has no bound");
    // Sample std within 5 standard errors (σ/√(2n)).
    assert!((v.sample_std() - std).abs() < 5.0 * std / (20_000f64).sqrt());
    // 80 bins of 5 numbers; counts add up to the samples inside the range (±4σ holds all but ~0.006 %).
    let rows = v.histogram_rows();
    assert_eq!(rows.len(), 80 * 5);
    let counted: f64 = rows.chunks(5).map(|r| r[2]).sum();
    assert!(counted <= 10_000.0 && counted >= 9_990.0, "{counted}");
}

#[wasm_bindgen_test]
fn same_seed_same_samples_across_calls() {
    let mut a = view("xavier_uniform", "64x3x3x3").unwrap();
    let mut b = view("xavier_uniform", "64x3x3x3").unwrap();
    a.sample(1000.0, 7.0).unwrap();
    b.sample(1000.0, 7.0).unwrap();
    assert_eq!(a.samples(), b.samples());
    assert!(a.is_uniform());
    let bound = (6.0f64 / (27.0 + 576.0)).sqrt();
    assert!((a.bound() - bound).abs() < 1e-12);
    assert!(a.samples().iter().all(|&x| (x.abs() as f64) <= bound * (1.0 + 1e-6)));
}

#[wasm_bindgen_test]
fn bad_arguments_throw_errors_with_a_message() {
    let (msg, param) = error_parts(view("<script>", "256x784").err().unwrap());
    assert_eq!(param, "init");
    assert!(msg.contains("unknown scheme"), "{msg}");

    let (msg, param) = error_parts(view("he_normal", "0x0").err().unwrap());
    assert_eq!(param, "shape");
    assert!(msg.contains("between 1 and 100000"), "{msg}");

    let (_, param) = error_parts(InitView::new("normal", "4x4", "fan_in", "auto", 0.01, "normal", f64::NAN, 0.05).err().unwrap());
    assert_eq!(param, "std");

    let mut v = view("he_normal", "4x4").unwrap();
    let (msg, param) = error_parts(v.sample(-5.0, 1.0).unwrap_err());
    assert_eq!(param, "samples");
    assert!(msg.contains("between 1 and 1000000"), "{msg}");
    let (_, param) = error_parts(v.sample(2_000_000.0, 1.0).unwrap_err());
    assert_eq!(param, "samples");
    let (_, param) = error_parts(v.sample(10.0, 1.5).unwrap_err());
    assert_eq!(param, "seed");
    let (_, param) = error_parts(v.sample(10.0, f64::NAN).unwrap_err());
    assert_eq!(param, "seed");
}

#[wasm_bindgen_test]
fn draws_on_a_canvas() {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(400);
    canvas.set_height(300);
    let mut v = view("he_normal", "256x784").unwrap();
    v.sample(5000.0, 1.0).unwrap();
    v.draw(canvas.clone(), "weight", "density", 1.0).unwrap();
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let pixels = ctx.get_image_data(0.0, 0.0, 400.0, 300.0).unwrap().data().0;
    let non_white = pixels.chunks(4).filter(|p| p[0] < 250 || p[1] < 250 || p[2] < 250).count();
    // Bars and curve cover a visible part of the plot, far more than axes alone (a few thousand pixels).
    assert!(non_white > 5_000, "only {non_white} drawn pixels");
}
