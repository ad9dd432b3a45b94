//! Browser unit tests of the wasm facade (`wasm-pack test --headless --chrome`): the typed arrays JavaScript
//! receives, and bad arguments arriving as thrown errors with a message and the parameter's name.
#![cfg(target_arch = "wasm32")]

use cnn_playground::web::InitView;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The JS value a page would pass: every facade argument is a `JsValue` read through the checked path.
trait Js {
    fn js(&self) -> JsValue;
}
impl Js for str {
    fn js(&self) -> JsValue {
        self.into()
    }
}
impl Js for f64 {
    fn js(&self) -> JsValue {
        (*self).into()
    }
}
impl Js for [f32] {
    fn js(&self) -> JsValue {
        js_sys::Float32Array::from(self).into()
    }
}
impl Js for [u32] {
    fn js(&self) -> JsValue {
        js_sys::Uint32Array::from(self).into()
    }
}
impl Js for [u8] {
    fn js(&self) -> JsValue {
        js_sys::Uint8Array::from(self).into()
    }
}
impl Js for [f64] {
    fn js(&self) -> JsValue {
        js_sys::Float64Array::from(self).into()
    }
}

/// A JS value from an expression (the test's own code, evaluated in the test page).
fn eval_js(expression: &str) -> JsValue {
    js_sys::Function::new_no_args(&format!("return ({expression});")).call0(&JsValue::NULL).expect(expression)
}

fn view(scheme: &str, shape: &str) -> Result<InitView, JsValue> {
    InitView::new(eval_js(&format!("{{ init: '{scheme}', shape: '{shape}' }}")))
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
    v.sample(10_000.0.js(), 42.0.js()).unwrap();
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
    a.sample(1000.0.js(), 7.0.js()).unwrap();
    b.sample(1000.0.js(), 7.0.js()).unwrap();
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

    let (_, param) = error_parts(InitView::new(eval_js("{ init: 'normal', shape: '4x4', std: NaN }")).err().unwrap());
    assert_eq!(param, "std");

    let mut v = view("he_normal", "4x4").unwrap();
    let (msg, param) = error_parts(v.sample(-5.0.js(), 1.0.js()).unwrap_err());
    assert_eq!(param, "samples");
    assert!(msg.contains("between 1 and 1000000"), "{msg}");
    let (_, param) = error_parts(v.sample(2_000_000.0.js(), 1.0.js()).unwrap_err());
    assert_eq!(param, "samples");
    let (_, param) = error_parts(v.sample(10.0.js(), 1.5.js()).unwrap_err());
    assert_eq!(param, "seed");
    let (_, param) = error_parts(v.sample(10.0.js(), f64::NAN.js()).unwrap_err());
    assert_eq!(param, "seed");
}

#[wasm_bindgen_test]
fn draws_on_a_canvas() {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(400);
    canvas.set_height(300);
    let mut v = view("he_normal", "256x784").unwrap();
    v.sample(5000.0.js(), 1.0.js()).unwrap();
    v.draw(canvas.clone().into(), "weight".js(), "density".js(), 1.0.js()).unwrap();
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
    cnn_playground::web::ProbeRun::new(eval_js(&format!(
        "{{ depth: {depth}, width: {width}, batch: {batch}, act: '{act}', init: 'xavier_normal', seed: 1 }}"
    )))
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
    v.set_sample("digit6".js()).unwrap();
    v.set_pipeline("rotate(deg30_bilinear)~noise(sigma0.05)".js()).unwrap();
    v.generate(5.0.js(), 9.0.js()).unwrap();
    assert_eq!(v.columns(), 3); // the source and 5 tiles: 3 columns, 2 rows
    assert_eq!((v.tile_width(), v.tile_height()), (128, 128));
    let gap = v.gap();
    assert!(gap > 0);
    assert_eq!((v.grid_width(), v.grid_height()), (3 * 128 + 2 * gap, 2 * 128 + gap));
    let a = v.grid_rgba();
    assert_eq!(a.len(), v.grid_width() * v.grid_height() * 4);
    // Between tiles 0 and 1 a white column `gap` wide, where the page leaves room between its tile buttons.
    for y in 0..128 {
        let row = (y * v.grid_width() + 128) * 4;
        assert!(a[row..row + gap * 4].iter().all(|&b| b == 255), "row {y} of the gap");
    }
    assert_eq!(v.fired().length(), 5);
    assert_eq!(v.tile_risks().length(), 5);
    // Tile 0 is the untouched source, byte for byte.
    let source = cnn_playground::augment::to_rgba8(&cnn_playground::augment::samples::by_name("digit6").unwrap());
    let gw = v.grid_width();
    for y in 0..128 {
        assert_eq!(&a[y * gw * 4..(y * gw + 128) * 4], &source[y * 128 * 4..(y + 1) * 128 * 4], "row {y} of tile 0");
    }
    v.generate(5.0.js(), 9.0.js()).unwrap();
    assert_eq!(v.grid_rgba(), a, "same seed, same bytes");
    v.generate(5.0.js(), 10.0.js()).unwrap();
    assert_ne!(v.grid_rgba(), a);
}

#[wasm_bindgen_test]
fn augment_view_keeps_its_pipeline_and_image_on_bad_input() {
    use cnn_playground::web::AugmentView;
    let mut v = AugmentView::new();
    v.set_sample("digit6".js()).unwrap();
    v.set_pipeline("hflip(p1)".js()).unwrap();
    let (msg, param) = error_parts(v.set_pipeline("rotate(deg400)".js()).unwrap_err());
    assert_eq!(param, "aug");
    assert!(msg.contains("step 1 (rotate)"), "{msg}");
    assert_eq!(v.pipeline(), "hflip(p1)");
    let (_, param) = error_parts(v.set_image([0u8; 10][..].js(), 2.0.js(), 2.0.js()).unwrap_err());
    assert_eq!(param, "image");
    let (_, param) = error_parts(v.set_image([0u8; 0][..].js(), 0.0.js(), 0.0.js()).unwrap_err());
    assert_eq!(param, "width");
    assert_eq!((v.source_width(), v.source_height()), (128, 128), "the sample stays");
    let (_, param) = error_parts(v.generate(65.0.js(), 1.0.js()).unwrap_err());
    assert_eq!(param, "n");
    let (_, param) = error_parts(v.set_sample("../etc/passwd".js()).unwrap_err());
    assert!(!param.is_empty());
    // The vertical flip of the 6 is flagged.
    v.set_pipeline("vflip".js()).unwrap();
    v.set_sample("digit6".js()).unwrap();
    let risks = v.risks("en".js()).unwrap();
    assert_eq!(get(&risks.get(0), "key").as_string().as_deref(), Some("vflip_digit_6_9"));
}

// ------------------------------------------------------------------ the engine through the facade

mod engine {
    use super::Js;
    use cnn_playground::data::digits::DIGITS_BIN;
    use cnn_playground::web::{Dataset, Trainer};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    fn json(text: &str) -> JsValue {
        js_sys::JSON::parse(text).expect("test JSON")
    }

    fn trainer(config: &str) -> Trainer {
        Trainer::new(json(config)).expect("trainer")
    }

    /// `param` and `code` of a thrown JS error.
    fn param_code(e: JsValue) -> (String, String) {
        let err: js_sys::Error = e.dyn_into().expect("a JS Error object");
        let get = |k: &str| js_sys::Reflect::get(&err, &k.into()).unwrap().as_string().unwrap_or_default();
        (get("param"), get("code"))
    }

    fn num(o: &JsValue, key: &str) -> f64 {
        js_sys::Reflect::get(o, &key.into()).unwrap().as_f64().unwrap()
    }

    /// A fixed batch of 20 images of 10 classes: class k is a bright 6×6 square at its own place, on faint noise.
    fn squares(n: usize) -> (Vec<f32>, Vec<u32>) {
        let mut x = vec![0.0f32; n * 784];
        let mut state = 12345u32;
        for v in x.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (state >> 8) as f32 / (1u32 << 24) as f32 * 0.1;
        }
        let y: Vec<u32> = (0..n as u32).map(|i| i % 10).collect();
        for (i, &k) in y.iter().enumerate() {
            let (r0, c0) = (2 + (k as usize / 5) * 12, 2 + (k as usize % 5) * 5);
            for r in r0..r0 + 6 {
                for c in c0..c0 + 4 {
                    x[i * 784 + r * 28 + c] = 1.0;
                }
            }
        }
        (x, y)
    }

    #[wasm_bindgen_test]
    fn the_default_trainer_learns_a_fixed_batch() {
        let mut t = trainer(r#"{"seed": 3}"#);
        assert_eq!(t.param_count(), 5_994);
        assert_eq!(t.classes(), 10);
        assert_eq!(num(&t.flops(), "forward"), 2.0 * 786_560.0);
        let (x, y) = squares(20);
        let losses: Vec<f32> = (0..30).map(|_| t.train_step(x.js(), y.js()).unwrap()).collect();
        // Ten classes from random weights start near ln 10 ≈ 2.30; thirty steps on one batch must fit it well.
        assert!((1.5..3.5).contains(&losses[0]), "{losses:?}");
        assert!(losses[29] < 0.25 * losses[0], "{losses:?}");
        let logits = t.forward(x.js()).unwrap();
        assert_eq!(logits.len(), 20 * 10);
        let e = t.evaluate(x.js(), y.js()).unwrap();
        assert_eq!(num(&e, "accuracy"), 1.0);
        assert_eq!(num(&e, "n"), 20.0);
        assert_eq!(t.steps(), 30.0);
    }

    #[wasm_bindgen_test]
    fn same_seed_same_losses_and_snapshots_continue_exactly() {
        let (x, y) = squares(20);
        let run = |t: &mut Trainer| (0..5).map(|_| t.train_step(x.js(), y.js()).unwrap()).collect::<Vec<f32>>();
        let mut a = trainer(r#"{"seed": 9, "opt": "adam(lr1e-3)"}"#);
        let mut b = trainer(r#"{"seed": 9, "opt": "adam(lr1e-3)"}"#);
        assert_eq!(run(&mut a), run(&mut b));
        let snap = a.snapshot();
        let after = run(&mut a);
        a.restore(snap.into()).unwrap();
        assert_eq!(run(&mut a), after);
    }

    #[wasm_bindgen_test]
    fn frozen_layers_stay_bit_identical_and_get_no_gradient() {
        let mut t = trainer(r#"{"seed": 1}"#);
        t.freeze_first(2.0.js()).unwrap(); // both convs: layers 0 and 3
        let frozen = ["0.weight", "0.bias", "3.weight", "3.bias"];
        let before: Vec<Vec<f32>> = frozen.iter().map(|n| t.param(n.js()).unwrap()).collect();
        let head = t.param("7.weight".js()).unwrap();
        let (x, y) = squares(20);
        for _ in 0..10 {
            t.train_step(x.js(), y.js()).unwrap();
        }
        for (name, old) in frozen.iter().zip(&before) {
            let now = t.param(name.js()).unwrap();
            assert!(now.iter().zip(old).all(|(a, b)| a.to_bits() == b.to_bits()), "{name} changed");
            assert!(t.grad(name.js()).unwrap().iter().all(|&g| g == 0.0), "{name} got a gradient");
        }
        assert_ne!(t.param("7.weight".js()).unwrap(), head, "the head trains");
        assert_eq!(t.trainable_param_count(), 2_570);
        // Frozen convs cost no weight or input gradients: training FLOPs are the forward plus the head's products.
        let f = t.flops();
        assert_eq!(num(&f, "training"), num(&f, "forward") + 2.0 * 2_560.0);
        let layers = t.layers();
        let trainable = |i: u32| js_sys::Reflect::get(&layers.get(i), &"trainable".into()).unwrap();
        assert_eq!(trainable(0).as_bool(), Some(false));
        assert_eq!(trainable(7).as_bool(), Some(true));
        assert!(trainable(1).is_null(), "relu has no parameters");
        t.unfreeze_all().unwrap();
        t.train_step(x.js(), y.js()).unwrap();
        assert_ne!(t.param("0.weight".js()).unwrap(), before[0]);
    }

    #[wasm_bindgen_test]
    fn bad_arguments_throw_errors_with_param_and_code() {
        let e = |r: Result<Trainer, JsValue>| param_code(r.err().expect("an error"));
        assert_eq!(
            e(Trainer::new(json(r#"{"model": "conv(8_k9)~flatten~dense(10)", "input": [4, 4, 1]}"#))).0,
            "model"
        );
        assert_eq!(e(Trainer::new(json(r#"{"modle": "flatten~dense(2)"}"#))), ("modle".into(), "unknown_key".into()));
        assert_eq!(e(Trainer::new(json(r#"{"input": [28, 28]}"#))).0, "input");
        assert_eq!(e(Trainer::new(json(r#"{"seed": -1}"#))), ("seed".into(), "out_of_range".into()));
        assert_eq!(e(Trainer::new(json(r#"{"opt": "sgd(lr99)"}"#))).0, "opt");
        assert_eq!(e(Trainer::new(json(r#"{"std": 0.1}"#))), ("std".into(), "needs_init".into()));
        assert_eq!(e(Trainer::new(json(r#"{"init": "bogus"}"#))).0, "init");
        assert_eq!(e(Trainer::new(JsValue::from(7))), ("trainer".into(), "not_an_object".into()));

        let mut t = trainer("{}");
        let (x, y) = squares(2);
        let pc = param_code;
        assert_eq!(
            pc(t.train_step(x.js(), [3u32, 10][..].js()).unwrap_err()),
            ("labels".into(), "label_out_of_range".into())
        );
        assert_eq!(pc(t.train_step(x.js(), [3u32][..].js()).unwrap_err()).0, "x");
        let mut nan = x.clone();
        nan[5] = f32::NAN;
        assert_eq!(pc(t.train_step(nan.js(), y.js()).unwrap_err()), ("x".into(), "not_finite".into()));
        assert_eq!(pc(t.forward(x[..100].js()).unwrap_err()), ("x".into(), "wrong_length".into()));
        assert_eq!(pc(t.forward([0f32; 0][..].js()).unwrap_err()).0, "batch");
        assert_eq!(
            pc(t.set_param("0.weight".js(), [1.0f32][..].js()).unwrap_err()),
            ("param".into(), "wrong_length".into())
        );
        assert_eq!(pc(t.param("9.weight".js()).unwrap_err()), ("param".into(), "unknown_parameter".into()));
        assert_eq!(pc(t.freeze_first(4.0.js()).unwrap_err()), ("k".into(), "out_of_range".into()));
        assert_eq!(pc(t.freeze([1u32][..].js()).unwrap_err()), ("freeze".into(), "no_parameters".into()));
        assert_eq!(pc(t.train(5.0.js()).unwrap_err()), ("data".into(), "no_data".into()));
        assert_eq!(pc(t.train(0.5.js()).unwrap_err()), ("steps".into(), "out_of_range".into()));
        let symbols =
            Dataset::new(json(r#"{"source": "symbols", "classes": 3, "per_class": 4, "height": 16, "width": 16}"#))
                .unwrap();
        assert_eq!(
            pc(t.set_data(symbols.into(), JsValue::UNDEFINED).unwrap_err()),
            ("data".into(), "shape_mismatch".into())
        );
        let d = |c: &str| param_code(Dataset::new(json(c)).err().expect("an error"));
        assert_eq!(d(r#"{"source": "digits"}"#), ("bytes".into(), "missing".into()));
        assert_eq!(d(r#"{"source": "mnist"}"#), ("source".into(), "unknown_source".into()));
        assert_eq!(d(r#"{"source": "symbols", "classes": 0}"#).0, "classes");
        assert_eq!(
            d(r#"{"source": "symbols", "thickness": [0.2, 0.1]}"#),
            ("thickness".into(), "min_above_max".into())
        );
        let config = js_sys::Object::new();
        js_sys::Reflect::set(&config, &"bytes".into(), &js_sys::Uint8Array::from(&[1u8, 2, 3][..])).unwrap();
        assert_eq!(param_code(Dataset::new(config.into()).err().unwrap()).0, "data");
    }

    fn digits(extra: &[(&str, JsValue)]) -> Dataset {
        let config = js_sys::Object::new();
        js_sys::Reflect::set(&config, &"source".into(), &"digits".into()).unwrap();
        js_sys::Reflect::set(&config, &"bytes".into(), &js_sys::Uint8Array::from(DIGITS_BIN)).unwrap();
        for (k, v) in extra {
            js_sys::Reflect::set(&config, &(*k).into(), v).unwrap();
        }
        Dataset::new(config.into()).expect("digits")
    }

    #[wasm_bindgen_test]
    fn weights_round_trip_as_safetensors_and_bad_files_change_nothing() {
        let (x, y) = squares(4);
        let mut a = trainer(r#"{"seed": 1}"#);
        for _ in 0..3 {
            a.train_step(x.js(), y.js()).unwrap();
        }
        let bytes = a.save_safetensors();
        let mut b = trainer(r#"{"seed": 2}"#);
        assert_ne!(b.forward(x.js()).unwrap(), a.forward(x.js()).unwrap());
        b.load_safetensors(bytes.js()).unwrap();
        assert_eq!(b.forward(x.js()).unwrap(), a.forward(x.js()).unwrap());

        let mut c = trainer(r#"{"seed": 5}"#);
        let before: Vec<Vec<f32>> = ["0.weight", "7.bias"].iter().map(|n| c.param(n.js()).unwrap()).collect();
        let cut = &bytes[..bytes.len() - 1];
        assert_eq!(param_code(c.load_safetensors(cut.js()).unwrap_err()), ("weights".into(), "truncated".into()));
        let other =
            trainer(r#"{"model": "conv(4_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)"}"#);
        let other = other.save_safetensors();
        assert_eq!(param_code(c.load_safetensors(other.js()).unwrap_err()), ("weights".into(), "wrong_shape".into()));
        assert_eq!(param_code(c.load_safetensors([0u8; 0][..].js()).unwrap_err()).0, "weights");
        let after: Vec<Vec<f32>> = ["0.weight", "7.bias"].iter().map(|n| c.param(n.js()).unwrap()).collect();
        assert_eq!(after, before);

        let code = a.pytorch_code(JsValue::UNDEFINED).unwrap();
        assert!(code.contains("model.load_state_dict(load_file(\"model.safetensors\"))"), "{code}");
        assert!(!code.contains("interpolate"), "no data attached: no preprocessing\n{code}");
        let mut d = trainer(r#"{"seed": 0}"#);
        d.set_data(digits(&[]).into(), JsValue::UNDEFINED).unwrap();
        let code = d.pytorch_code("digits.safetensors".js()).unwrap();
        assert!(code.contains("x = x / 16"), "{code}");
        assert!(code.contains("size=(28, 28), mode=\"bilinear\", align_corners=False"), "{code}");
        let bad = d.pytorch_code("../x".js()).unwrap_err();
        assert_eq!(param_code(bad), ("file".into(), "bad_file_name".into()));
    }

    #[wasm_bindgen_test]
    fn the_default_net_learns_the_digits() {
        let data = digits(&[]);
        assert_eq!((data.len(), data.classes(), data.train_len(), data.val_len()), (1797, 10, 1346, 451));
        assert_eq!(data.input(), vec![28, 28, 1]);
        let mut t = trainer(r#"{"seed": 0}"#);
        t.set_data(data.into(), json(r#"{"batch": 32, "seed": 0}"#)).unwrap();
        let losses = t.train(200.0.js()).unwrap();
        assert_eq!(losses.len(), 200);
        let val = t.evaluate_data("val".js()).unwrap();
        assert_eq!(num(&val, "n"), 451.0);
        assert!(num(&val, "accuracy") >= 0.90, "validation accuracy {}", num(&val, "accuracy"));
        let state = t.data_state();
        assert_eq!(num(&state, "epoch"), 4.0); // 200 batches of 32 from 1,346 images: 43 per epoch
    }
}

// ------------------------------------------------------------------ the transfer lab's facade

mod transfer {
    use super::Js;
    use cnn_playground::transfer::sha256::sha256_hex;
    use cnn_playground::web::{
        Dataset, Trainer, transfer_model, transfer_plan, transfer_verdict, verdict_compare, verdict_learned,
        verdict_still_learning, zoo_verify,
    };
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    const SMALL: &[u8] = include_bytes!("../www/zoo/small.safetensors");

    fn get(o: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(o, &key.into()).unwrap()
    }

    fn param_code(e: JsValue) -> (String, String) {
        let err: js_sys::Error = e.dyn_into().expect("a JS Error object");
        (get(&err, "param").as_string().unwrap_or_default(), get(&err, "code").as_string().unwrap_or_default())
    }

    fn entry(sha256: &str, bytes: usize) -> JsValue {
        let text = format!(
            r#"{{"name": "small", "file": "small.safetensors", "model": "conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(32)", "input": [1, 28, 28], "classes": 32, "source": {{}}, "seed": 1, "steps": 300, "source_acc": 0.99, "sha256": "{sha256}", "bytes": {bytes}}}"#
        );
        js_sys::JSON::parse(&text).unwrap()
    }

    #[wasm_bindgen_test]
    fn the_plan_gives_ready_data_configs_and_the_zoo_models() {
        let plan = transfer_plan();
        let quadrants: js_sys::Array = get(&plan, "quadrants").dyn_into().unwrap();
        assert_eq!(quadrants.length(), 4);
        let first = quadrants.get(0);
        assert_eq!(get(&first, "recommended").as_string().as_deref(), Some("head"));
        // The data config builds a Dataset as is: 10 classes, 5 training and 20 validation images per class.
        let data = Dataset::new(get(&first, "data")).unwrap();
        assert_eq!((data.classes(), data.train_len(), data.val_len()), (10, 50, 200));
        let models: js_sys::Array = get(&plan, "models").dyn_into().unwrap();
        let small = models.get(0);
        let spec = get(&small, "target_model").as_string().unwrap();
        assert!(spec.ends_with("dense(10)"), "{spec}");
        assert_eq!(transfer_model(get(&small, "model"), 10.0.js()).unwrap(), spec);
        let strategies: js_sys::Array = get(&plan, "strategies").dyn_into().unwrap();
        assert_eq!(strategies.length(), 5);
    }

    #[wasm_bindgen_test]
    fn zoo_files_are_verified_and_load_as_a_backbone() {
        zoo_verify(entry(&sha256_hex(SMALL), SMALL.len()), SMALL.js()).unwrap();
        let bad = zoo_verify(entry(&sha256_hex(SMALL), SMALL.len()), SMALL[..100].js()).unwrap_err();
        assert_eq!(param_code(bad), ("zoo".into(), "zoo_truncated".into()));
        let bad = zoo_verify(entry(&sha256_hex(b"x"), SMALL.len()), SMALL.js()).unwrap_err();
        assert_eq!(param_code(bad), ("zoo".into(), "zoo_checksum".into()));
        let plan = transfer_plan();
        let models: js_sys::Array = get(&plan, "models").dyn_into().unwrap();
        let spec = get(&models.get(0), "target_model").as_string().unwrap();
        let config = js_sys::JSON::parse(&format!(r#"{{"model": "{spec}", "seed": 3}}"#)).unwrap();
        let mut t = Trainer::new(config).unwrap();
        t.load_backbone(SMALL.js()).unwrap();
        let start = t.save_safetensors();
        t.reinit_mean_var(5.0.js()).unwrap();
        let rows = t.layer_change(start.js()).unwrap();
        assert_eq!(rows.length(), 3);
        assert_eq!(get(&rows.get(0), "name").as_string().as_deref(), Some("conv1"));
        let moved = get(&rows.get(0), "rel_change").as_f64().unwrap();
        assert!(moved > 0.5, "Mean Var re-draws every weight: {moved}");
        assert_eq!(param_code(t.freeze_first(4.0.js()).unwrap_err()), ("k".into(), "out_of_range".into()));
        assert_eq!(param_code(t.load_backbone(SMALL[..50].js()).unwrap_err()).0, "weights");
    }

    #[wasm_bindgen_test]
    fn own_images_make_a_dataset_and_bad_buckets_are_named() {
        let make = |n: usize, labels: &[u32]| {
            let o = js_sys::Object::new();
            let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v).unwrap();
            set("source", "images".into());
            set("images", js_sys::Float32Array::from(&vec![0.5f32; n * 3 * 28 * 28][..]).into());
            set("labels", js_sys::Uint32Array::from(labels).into());
            for (k, v) in [("channels", 3.0), ("height", 28.0), ("width", 28.0), ("classes", 2.0)] {
                set(k, v.into());
            }
            Dataset::new(o.into())
        };
        let d = make(6, &[0, 1, 0, 1, 0, 1]).unwrap();
        assert_eq!((d.len(), d.classes(), d.input()), (6, 2, vec![28, 28, 3]));
        assert_eq!(param_code(make(3, &[0, 0, 0]).err().unwrap()), ("images".into(), "empty_class".into()));
        // Too many labels is refused before the arrays are copied.
        let labels: Vec<u32> = (0..1000).map(|i| i % 2).collect();
        assert_eq!(param_code(make(1, &labels).err().unwrap()), ("labels".into(), "too_large".into()));
        let f64s = |v: &[f64]| JsValue::from(js_sys::Float64Array::from(v));
        let texts = |v: &[&str]| -> JsValue { v.iter().map(|&t| JsValue::from(t)).collect::<js_sys::Array>().into() };
        let names = texts(&["head", "scratch", "finetune"]);
        let finals: JsValue = [f64s(&[0.9, 0.91, 0.89]), f64s(&[0.5, 0.5, 0.5]), f64s(&[0.9, 0.9, 0.9])]
            .into_iter()
            .collect::<js_sys::Array>()
            .into();
        let verdict = transfer_verdict("head".js(), names.clone(), finals.clone(), 200.0.js()).unwrap();
        assert_eq!(get(&verdict, "agrees").as_string().as_deref(), Some("yes"));
        let against: js_sys::Array = get(&verdict, "against").dyn_into().unwrap();
        let first = against.get(0);
        assert_eq!(get(&first, "strategy").as_string().as_deref(), Some("scratch"));
        assert_eq!(get(&first, "outcome").as_string().as_deref(), Some("better"));
        assert_eq!(get(&against.get(1), "outcome").as_string().as_deref(), Some("within"));
        // A wrong name, a missing array and a non-array are coded errors, never a panic.
        let e = transfer_verdict("best".js(), names.clone(), finals.clone(), 200.0.js()).unwrap_err();
        assert_eq!(param_code(e), ("strategy".into(), "unknown_value".into()));
        let e = transfer_verdict("head".js(), texts(&["head", "scratch"]), finals.clone(), 200.0.js()).unwrap_err();
        assert_eq!(param_code(e).1, "invalid");
        let bad: JsValue =
            [JsValue::from(1.0), f64s(&[0.5]), f64s(&[0.5])].into_iter().collect::<js_sys::Array>().into();
        assert_eq!(param_code(transfer_verdict("head".js(), names, bad, 200.0.js()).unwrap_err()).1, "wrong_type");
        // One run each: only the floor (one image of 10 is within it); df and se are null.
        let v = verdict_compare([0.6][..].js(), [0.5][..].js(), 10.0.js()).unwrap();
        assert_eq!(get(&v, "outcome").as_string().as_deref(), Some("within"));
        assert!(get(&v, "df").is_null());
        let e = verdict_compare(<[f64]>::js(&[]), [0.5][..].js(), 10.0.js()).unwrap_err();
        assert_eq!(param_code(e).1, "too_few_repeats");
        assert_eq!(param_code(verdict_compare([0.5][..].js(), [0.5][..].js(), 0.5.js()).unwrap_err()).0, "val_size");
        assert_eq!(verdict_learned(0.3.js(), 10.0.js(), 0.3.js()).unwrap(), "failed");
        assert_eq!(verdict_learned(0.9.js(), 10.0.js(), 0.95.js()).unwrap(), "learned");
        assert_eq!(verdict_learned(0.84.js(), 10.0.js(), 0.96.js()).unwrap(), "behind");
        let steps = [0.0, 10.0, 20.0, 30.0, 40.0];
        let learning =
            verdict_still_learning(steps[..].js(), [0.1, 0.3, 0.5, 0.6, 0.8][..].js(), 200.0.js(), 10.0.js());
        assert_eq!(learning.unwrap(), Some(40.0));
        assert!(verdict_still_learning(steps[..].js(), [0.5][..].js(), 200.0.js(), 10.0.js()).is_err());
    }
}

// ------------------------------------------------------------------ hostile arguments (issue 23)

/// Every value a hostile caller can pass is refused with `param` and `code` by the checked path (src/web/args.rs):
/// getters and Proxy traps that throw, numbers past 2³², fractions, numbers where text is expected, objects posing
/// as arrays, huge typed arrays; and the object keeps working after each refusal.
mod hostile {
    use super::Js;
    use cnn_playground::web::{AugmentView, Dataset, InitView, Trainer, tiles_rgba, transfer_model, zoo_verify};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    /// A JS value from an expression (the test's own code, evaluated in the test page).
    fn js(expression: &str) -> JsValue {
        js_sys::Function::new_no_args(&format!("return ({expression});")).call0(&JsValue::NULL).expect(expression)
    }

    fn param_code(e: JsValue) -> (String, String) {
        let err: js_sys::Error = e.dyn_into().expect("a JS Error object");
        let get = |k: &str| js_sys::Reflect::get(&err, &k.into()).unwrap().as_string().unwrap_or_default();
        (get("param"), get("code"))
    }

    fn pc(param: &str, code: &str) -> (String, String) {
        (param.into(), code.into())
    }

    #[track_caller]
    fn refused<T>(r: Result<T, JsValue>) -> (String, String) {
        param_code(r.err().expect("refused"))
    }

    fn symbols() -> Dataset {
        Dataset::new(js("{ source: 'symbols', classes: 3, per_class: 4, height: 16, width: 16 }")).unwrap()
    }

    fn small_trainer() -> Trainer {
        Trainer::new(js("{ model: 'flatten~dense(3)', input: [16, 16, 1], seed: 1 }")).unwrap()
    }

    #[wasm_bindgen_test]
    fn throwing_getters_and_proxies_are_that_settings_error() {
        let thrower = "{ get seed() { throw new Error('boom'); } }";
        assert_eq!(refused(Trainer::new(js(thrower))), pc("seed", "unreadable"));
        assert_eq!(refused(Trainer::new(js("{ get model() { throw 1; } }"))), pc("model", "unreadable"));
        let get_trap = "new Proxy({}, { get() { throw new Error('trap'); } })";
        assert_eq!(refused(Trainer::new(js(get_trap))).1, "unreadable");
        let keys_trap = "new Proxy({}, { ownKeys() { throw new Error('keys'); } })";
        assert_eq!(refused(Trainer::new(js(keys_trap))), pc("trainer", "unreadable"));
        let revoked = "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()";
        assert_eq!(refused(Trainer::new(js(revoked))).1, "unreadable");
        let bad_index = "{ input: Object.defineProperty([16, 16, 1], 0, { get() { throw new Error('index'); } }) }";
        assert_eq!(refused(Trainer::new(js(bad_index))), pc("input", "unreadable"));

        let mut t = small_trainer();
        let data = JsValue::from(symbols());
        assert_eq!(refused(t.set_data(data.clone(), js("{ get batch() { throw 1; } }"))), pc("batch", "unreadable"));
        assert_eq!(refused(t.set_data(data.clone(), js(keys_trap))), pc("data", "unreadable"));
        assert_eq!(refused(t.set_optimizer(js("{ get opt() { throw 1; } }"))), pc("opt", "unreadable"));
        assert_eq!(refused(t.set_optimizer(js(get_trap))).1, "unreadable");
        // A head with fewer outputs than the classes is the model's fault, with the classes named (issue 23).
        let mut narrow = Trainer::new(js("{ model: 'flatten~dense(2)', input: [16, 16, 1] }")).unwrap();
        let e = narrow.set_data(JsValue::from(symbols()), JsValue::UNDEFINED).unwrap_err();
        let values = js_sys::Reflect::get(&e, &"values".into()).unwrap();
        let number = |k: &str| js_sys::Reflect::get(&values, &k.into()).unwrap().as_f64();
        assert_eq!(param_code(e), pc("model", "head_too_small"));
        assert_eq!((number("classes"), number("outputs")), (Some(3.0), Some(2.0)));
        // The trainer still works: the same calls with plain settings succeed and it trains.
        t.set_optimizer(js("{ opt: 'sgd(lr0.1)' }")).unwrap();
        t.set_data(data, js("{ batch: 4 }")).unwrap();
        assert_eq!(t.train(3.0.js()).unwrap().len(), 3);
    }

    #[wasm_bindgen_test]
    fn whole_numbers_are_compared_before_they_are_converted() {
        let images = |extra: &str| {
            Dataset::new(js(&format!(
                "{{ source: 'images', images: new Float32Array(4 * 8 * 8), labels: Uint32Array.of(0, 1, 0, 1), \
                 channels: 1, height: 8, width: 8, classes: 2, {extra} }}"
            )))
        };
        assert_eq!(refused(images("channels: 2 ** 32 + 1")), pc("channels", "out_of_range"));
        assert_eq!(refused(images("height: 2 ** 32 + 8")), pc("height", "out_of_range"));
        assert_eq!(refused(images("width: 2 ** 32 + 8")), pc("width", "out_of_range"));
        assert_eq!(refused(images("classes: 2 ** 32 + 2")), pc("classes", "out_of_range"));
        assert_eq!(refused(images("classes: 2.5")), pc("classes", "not_whole"));
        assert_eq!(refused(images("classes: '2'")), pc("classes", "wrong_type"));
        let entry = "{ name: 'small', file: 'small.safetensors', model: 'flatten~dense(32)', input: [1, 28, 28], \
                     classes: 2 ** 32 + 32, source: {}, seed: 1, steps: 1, source_acc: 1, sha256: 'x', bytes: 1 }";
        assert_eq!(refused(zoo_verify(js(entry), [0u8; 1][..].js())), pc("classes", "out_of_range"));

        let mut v = AugmentView::new();
        let rgba = [255u8; 4 * 4 * 4][..].js();
        assert_eq!(refused(v.set_image(rgba.clone(), js("2 ** 32 + 4"), 4.0.js())), pc("width", "out_of_range"));
        assert_eq!(refused(v.set_image(rgba.clone(), 4.5.js(), 4.0.js())), pc("width", "not_whole"));
        assert_eq!(refused(v.set_image(rgba.clone(), "4".js(), 4.0.js())), pc("width", "wrong_type"));
        v.set_image(rgba, 4.0.js(), 4.0.js()).unwrap();
        assert_eq!((v.source_width(), v.source_height()), (4, 4));
        let mut t = small_trainer();
        assert_eq!(refused(t.train(js("2 ** 32 + 1"))), pc("steps", "out_of_range"));
        assert_eq!(refused(t.freeze_first(0.5.js())), pc("k", "not_whole"));
        assert_eq!(refused(t.reinit_mean_var(js("2 ** 53"))), pc("seed", "out_of_range"));
        assert_eq!(refused(t.freeze(js("[2 ** 32]"))), pc("layers", "out_of_range"));
    }

    #[wasm_bindgen_test]
    fn wrong_types_and_huge_lengths_are_refused_before_allocating() {
        let data = symbols();
        assert_eq!(refused(data.images(js("new Uint32Array(1e7)"))), pc("batch", "too_large"));
        assert_eq!(refused(data.images(js("{ length: 1e9 }"))), pc("batch", "wrong_type"));
        // A Proxy of an array is read through its traps: one that throws is refused, a quiet one is an array.
        let trap = "new Proxy([1, 2], { get(t, k) { if (k === '1') throw new Error('trap'); return t[k]; } })";
        assert_eq!(refused(data.labels(js(trap))), pc("batch", "unreadable"));
        assert_eq!(data.labels(js("new Proxy([1, 2], {})")).unwrap().len(), 2);
        assert_eq!(refused(data.indices(42.0.js())), pc("part", "wrong_type"));
        assert_eq!(data.images(js("[0, 1]")).unwrap().len(), 2 * 16 * 16);
        assert_eq!(data.indices("val".js()).unwrap().len(), data.val_len());

        let mut t = small_trainer();
        assert_eq!(refused(t.freeze(js("{ length: 1e9 }"))), pc("layers", "wrong_type"));
        assert_eq!(refused(t.freeze("abc".js())), pc("layers", "wrong_type"));
        assert_eq!(refused(t.freeze(js("[0.5]"))), pc("layers", "not_whole"));
        assert_eq!(refused(t.param(42.0.js())), pc("param", "wrong_type"));
        assert_eq!(refused(t.evaluate_data(0.0.js())), pc("part", "wrong_type"));
        assert_eq!(refused(t.set_data(42.0.js(), JsValue::UNDEFINED)), pc("data", "wrong_type"));
        assert_eq!(refused(t.set_data(js("{ handle: 12345 }"), JsValue::UNDEFINED)), pc("data", "wrong_type"));
        assert_eq!(refused(t.restore(js("{}"))), pc("snapshot", "wrong_type"));
        assert_eq!(refused(t.load_safetensors("abc".js())), pc("weights", "wrong_type"));
        assert_eq!(refused(t.pytorch_code(7.0.js())), pc("file", "wrong_type"));
        assert_eq!(refused(t.forward(js("new Float32Array(2 ** 27)"))), pc("x", "too_large"));
        assert_eq!(refused(t.forward(js("new BigInt64Array(256)"))), pc("x", "wrong_type"));
        assert_eq!(refused(t.forward(js("new Proxy(new Float32Array(256), {})"))), pc("x", "wrong_type"));
        // A typed array's own `length` that throws or lies is not what is read: the true length is.
        let liar = "Object.defineProperty(new Float32Array(256), 'length', { get() { throw new Error('length'); } })";
        assert_eq!(t.forward(js(liar)).unwrap().len(), 3);
        let liar = "Object.defineProperty(new Float32Array(512), 'length', { value: 1 })";
        assert_eq!(t.forward(js(liar)).unwrap().len(), 6);
        assert_eq!(refused(t.set_param("0.weight".js(), js("['a']"))), pc("values", "wrong_type"));
        // Plain arrays are read value by value, and the trainer still works.
        assert_eq!(t.param("1.weight".js()).unwrap().len(), 3 * 256);
        t.freeze(js("[1]")).unwrap();
        assert_eq!(t.trainable_param_count(), 0);

        let mut v = AugmentView::new();
        assert_eq!(refused(v.set_pipeline(42.0.js())), pc("aug", "wrong_type"));
        assert_eq!(refused(v.set_pipeline(js("'x'.repeat(1e6)"))), pc("aug", "too_long"));
        assert_eq!(refused(v.set_sample(js("{ toString() { return 'digit6'; } }"))), pc("src", "wrong_type"));
        v.set_pipeline("hflip".js()).unwrap();
        assert_eq!(refused(transfer_model(42.0.js(), 10.0.js())), pc("model", "wrong_type"));
        assert_eq!(refused(transfer_model("flatten~dense(3)".js(), js("2 ** 32 + 10"))), pc("classes", "out_of_range"));
        let huge = tiles_rgba(js("new Float32Array(4)"), 1e6.js(), 4096.0.js(), 4096.0.js(), 1.0.js(), false.into());
        assert_eq!(refused(huge), pc("tiles", "too_large"));

        // A number, an object and a Proxy of a canvas are not a canvas; the view still draws on a real one.
        let mut view = InitView::new(js("({ init: 'he_normal', shape: '4x4' })")).unwrap();
        view.sample(100.0.js(), 1.0.js()).unwrap();
        let words = ("x".js(), "y".js());
        assert_eq!(
            refused(view.draw(42.0.js(), words.0.clone(), words.1.clone(), 1.0.js())),
            pc("canvas", "wrong_type")
        );
        let proxy = js("new Proxy(document.createElement('canvas'), { get() { throw new Error('trap'); } })");
        assert_eq!(refused(view.draw(proxy, words.0.clone(), words.1.clone(), 1.0.js())), pc("canvas", "wrong_type"));
        let canvas = js("document.createElement('canvas')");
        assert_eq!(
            refused(view.draw(canvas.clone(), words.0.clone(), words.1.clone(), f64::NAN.js())).0,
            "pixel_ratio"
        );
        view.draw(canvas, words.0, words.1, 1.0.js()).unwrap();
    }
}

/// A property test of every config reader (src/web/config.rs over src/web/args.rs), seeded and bounded by case count:
/// each key of the constructors' settings gets random JS values of every kind. A value of a kind the key does not take
/// is refused as `wrong_type` naming that key; a getter that throws is `unreadable` naming it; `undefined` and `null`
/// are absent; any other refusal names that key too (its range, its grammar). Nothing escapes as a bare exception.
mod readers {
    use cnn_playground::web::{Dataset, Trainer};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    const CASES: usize = 400;

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Kind {
        Absent,
        Number,
        Text,
        Flag,
        Numbers,
        Object,
        Throwing,
    }

    /// What each reader takes: (constructor, base settings, key, the kinds it accepts).
    const READERS: [(&str, &str, &str, &[Kind]); 12] = [
        ("trainer", "{ input: [8, 8, 1], model: 'flatten~dense(3)' }", "seed", &[Kind::Number]),
        ("trainer", "{ input: [8, 8, 1] }", "model", &[Kind::Text]),
        ("trainer", "{ model: 'flatten~dense(3)' }", "input", &[Kind::Numbers]),
        ("trainer", "{ input: [8, 8, 1], model: 'flatten~dense(3)' }", "opt", &[Kind::Text]),
        ("trainer", "{ input: [8, 8, 1], model: 'flatten~dense(3)', init: 'normal' }", "std", &[Kind::Number]),
        ("data", "{ source: 'symbols', classes: 2, per_class: 2, height: 8, width: 8 }", "classes", &[Kind::Number]),
        ("data", "{ source: 'symbols', classes: 2, per_class: 2, height: 8, width: 8 }", "thickness", &[Kind::Numbers]),
        ("data", "{ source: 'symbols', classes: 2, per_class: 2, height: 8, width: 8 }", "invert", &[Kind::Flag]),
        ("data", "{ source: 'symbols', classes: 2, per_class: 2, height: 8, width: 8 }", "shapes", &[Kind::Text]),
        ("data", "{ source: 'symbols', classes: 2, per_class: 2, height: 8, width: 8 }", "val", &[Kind::Number]),
        (
            "data",
            "{ source: 'images', images: new Float32Array(4 * 64), channels: 1, height: 8, width: 8, classes: 2 }",
            "labels",
            &[Kind::Numbers],
        ),
        ("data", "{ source: 'digits', height: 8, width: 8 }", "bytes", &[Kind::Numbers]),
    ];

    const VALUES: [(&str, Kind); 30] = [
        ("undefined", Kind::Absent),
        ("null", Kind::Absent),
        ("0", Kind::Number),
        ("1", Kind::Number),
        ("3", Kind::Number),
        ("-1", Kind::Number),
        ("4.5", Kind::Number),
        ("NaN", Kind::Number),
        ("Infinity", Kind::Number),
        ("2 ** 32 + 1", Kind::Number),
        ("2 ** 53 + 2", Kind::Number),
        ("0.25", Kind::Number),
        ("''", Kind::Text),
        ("'3'", Kind::Text),
        ("'flatten~dense(3)'", Kind::Text),
        ("'sgd(lr0.1)'", Kind::Text),
        ("'x'.repeat(5000)", Kind::Text),
        ("true", Kind::Flag),
        ("false", Kind::Flag),
        ("[8, 8, 1]", Kind::Numbers),
        ("[0.1, 0.2]", Kind::Numbers),
        ("[0, 1, 0, 1]", Kind::Numbers),
        ("Uint32Array.of(0, 1, 1, 0)", Kind::Numbers),
        ("new Float32Array(3)", Kind::Numbers),
        ("new Uint8Array(16)", Kind::Numbers),
        ("['a', 'b']", Kind::Object),
        ("{}", Kind::Object),
        ("{ length: 1e9 }", Kind::Object),
        ("new Proxy({}, {})", Kind::Object),
        ("(() => { throw new Error('getter'); })", Kind::Throwing),
    ];

    fn js(expression: &str) -> JsValue {
        js_sys::Function::new_no_args(&format!("return ({expression});")).call0(&JsValue::NULL).expect(expression)
    }

    #[wasm_bindgen_test]
    fn every_reader_names_its_key_and_refuses_other_kinds_as_wrong_type() {
        let mut state = 23u64;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % n as u64) as usize
        };
        let mut counts = [0usize; 3];
        for case in 0..CASES {
            let (what, base, key, accepts) = READERS[next(READERS.len())];
            let (text, kind) = VALUES[next(VALUES.len())];
            let settings = if kind == Kind::Throwing {
                js(&format!("Object.defineProperty({base}, '{key}', {{ get: {text}, enumerable: true }})"))
            } else {
                let settings = js(base);
                js_sys::Reflect::set(&settings, &key.into(), &js(text)).unwrap();
                settings
            };
            let result =
                if what == "trainer" { Trainer::new(settings).map(drop) } else { Dataset::new(settings).map(drop) };
            let where_ = format!("case {case}: {what} {key} = {text}");
            let Err(e) = result else {
                assert!(kind == Kind::Absent || accepts.contains(&kind), "{where_}: accepted");
                counts[0] += 1;
                continue;
            };
            let err: js_sys::Error = e.dyn_into().unwrap_or_else(|_| panic!("{where_}: not an Error"));
            let get = |k: &str| js_sys::Reflect::get(&err, &k.into()).unwrap().as_string().unwrap_or_default();
            let (param, code) = (get("param"), get("code"));
            match kind {
                Kind::Throwing => assert_eq!((param.as_str(), code.as_str()), (key, "unreadable"), "{where_}"),
                // Absent: the default applies, so an error (the digits without bytes) names another key or none of this.
                Kind::Absent => assert_ne!(code, "wrong_type", "{where_}: {param} {code}"),
                k if !accepts.contains(&k) => {
                    assert_eq!((param.as_str(), code.as_str()), (key, "wrong_type"), "{where_}")
                }
                _ => assert!(!code.is_empty() && !param.is_empty(), "{where_}: {param} {code}"),
            }
            counts[if kind != Kind::Absent && accepts.contains(&kind) { 1 } else { 2 }] += 1;
        }
        assert!(counts.iter().all(|&c| c > 20), "every outcome is exercised: {counts:?}");
    }
}
