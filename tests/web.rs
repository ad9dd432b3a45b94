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
    assert!((9_990.0..=10_000.0).contains(&counted), "{counted}");
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

    let (_, param) =
        error_parts(InitView::new("normal", "4x4", "fan_in", "auto", 0.01, "normal", f64::NAN, 0.05).err().unwrap());
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

fn get(o: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(o, &key.into()).unwrap()
}

fn probe(depth: f64, width: f64, batch: f64, act: &str) -> Result<cnn_playground::web::ProbeRun, JsValue> {
    cnn_playground::web::ProbeRun::new(
        depth,
        width,
        batch,
        act,
        "xavier_normal",
        "fan_in",
        "auto",
        0.01,
        "normal",
        0.01,
        0.05,
        1.0,
    )
}

#[wasm_bindgen_test]
fn probe_run_streams_layer_objects_forward_then_backward() {
    let mut run = probe(3.0, 16.0, 8.0, "tanh").unwrap();
    assert_eq!(run.forward_flops(), 2.0 * 8.0 * 16.0 * 16.0 * 3.0);
    for layer in 1..=3 {
        let f: JsValue = run.forward_layer().expect("a forward layer").into();
        assert_eq!(get(&f, "layer").as_f64(), Some(layer as f64));
        let counts: js_sys::Float64Array = get(&f, "counts").dyn_into().expect("counts is a Float64Array");
        assert_eq!(counts.length(), 40);
        // Every activation is counted once: in a bin, outside the range or as non-finite.
        let inside: f64 = counts.to_vec().iter().sum();
        let outside = get(&f, "below").as_f64().unwrap()
            + get(&f, "above").as_f64().unwrap()
            + get(&f, "non_finite").as_f64().unwrap();
        assert_eq!(inside + outside, 8.0 * 16.0);
        assert_eq!(get(&f, "total").as_f64(), Some(8.0 * 16.0));
        let std = get(&f, "std").as_f64().unwrap();
        assert!(std > 0.0 && std < 1.0, "tanh output std {std}");
    }
    assert!(run.forward_layer().is_none());
    for layer in (1..=3).rev() {
        let b: JsValue = run.backward_layer().expect("a backward layer").into();
        assert_eq!(get(&b, "layer").as_f64(), Some(layer as f64));
        assert!(get(&b, "grad_w_std").as_f64().unwrap() > 0.0);
    }
    assert!(run.backward_layer().is_none());
}

#[wasm_bindgen_test]
fn probe_run_rejects_bad_settings_by_name() {
    for (depth, width, batch, act, param) in [
        (100_000.0, 500.0, 500.0, "tanh", "depth"),
        (10.0, -1.0, 500.0, "tanh", "width"),
        (10.0, 500.0, f64::NAN, "tanh", "batch"),
        (10.0, 500.0, 2.5, "tanh", "batch"),
        (10.0, 500.0, 500.0, "swish", "act"),
    ] {
        let (msg, p) = error_parts(probe(depth, width, batch, act).err().unwrap());
        assert_eq!(p, param, "{msg}");
    }
}

#[wasm_bindgen_test]
fn augment_view_grid_bytes_match_its_size_and_seed() {
    use cnn_playground::web::AugmentView;
    let mut v = AugmentView::new();
    v.set_sample("digit6").unwrap();
    v.set_pipeline("rotate(deg30_bilinear)~noise(sigma0.05)").unwrap();
    v.generate(5.0, 9.0).unwrap();
    assert_eq!(v.columns(), 3); // the source and 5 tiles: 3 columns, 2 rows
    assert_eq!((v.tile_width(), v.tile_height()), (128, 128));
    assert_eq!((v.grid_width(), v.grid_height()), (3 * 128 + 2 * 4, 2 * 128 + 4));
    let a = v.grid_rgba();
    assert_eq!(a.len(), v.grid_width() * v.grid_height() * 4);
    assert_eq!(v.fired().length(), 5);
    assert_eq!(v.tile_risks().length(), 5);
    // Tile 0 is the untouched source, byte for byte.
    let source = cnn_playground::augment::to_rgba8(&cnn_playground::augment::samples::by_name("digit6").unwrap());
    let gw = v.grid_width();
    for y in 0..128 {
        assert_eq!(&a[y * gw * 4..(y * gw + 128) * 4], &source[y * 128 * 4..(y + 1) * 128 * 4], "row {y} of tile 0");
    }
    v.generate(5.0, 9.0).unwrap();
    assert_eq!(v.grid_rgba(), a, "same seed, same bytes");
    v.generate(5.0, 10.0).unwrap();
    assert_ne!(v.grid_rgba(), a);
}

#[wasm_bindgen_test]
fn augment_view_keeps_its_pipeline_and_image_on_bad_input() {
    use cnn_playground::web::AugmentView;
    let mut v = AugmentView::new();
    v.set_sample("digit6").unwrap();
    v.set_pipeline("hflip(p1)").unwrap();
    let (msg, param) = error_parts(v.set_pipeline("rotate(deg400)").unwrap_err());
    assert_eq!(param, "aug");
    assert!(msg.contains("step 1 (rotate)"), "{msg}");
    assert_eq!(v.pipeline(), "hflip(p1)");
    let (_, param) = error_parts(v.set_image(&[0u8; 10], 2, 2).unwrap_err());
    assert_eq!(param, "image");
    let (_, param) = error_parts(v.set_image(&[], 0, 0).unwrap_err());
    assert_eq!(param, "image");
    assert_eq!((v.source_width(), v.source_height()), (128, 128), "the sample stays");
    let (_, param) = error_parts(v.generate(65.0, 1.0).unwrap_err());
    assert_eq!(param, "n");
    let (_, param) = error_parts(v.set_sample("../etc/passwd").unwrap_err());
    assert!(!param.is_empty());
    // The vertical flip of the 6 is flagged.
    v.set_pipeline("vflip").unwrap();
    v.set_sample("digit6").unwrap();
    let risks = v.risks("en");
    assert_eq!(get(&risks.get(0), "key").as_string().as_deref(), Some("vflip_digit_6_9"));
}
