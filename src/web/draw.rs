//! The drawing pad for JavaScript: `new DrawModel({ model, weights, digits })` holds a model (a Train panel spec,
//! default the default net; weights from a safetensors file, else the spec's fresh initialization at seed 0) and
//! predicts a drawing (`predict(coords, lengths)`) or one of the digits' validation images (`predict_example(k)`)
//! as src/draw.rs says: the 8×8 counts, the model's input, ten probabilities, the top class and every layer's maps.
//! The page runs it in a worker (www/js/jobs.js, kind `draw`).

use super::config::Config;
use super::train::layers_array;
use super::{args, js_error, object};
use crate::data::{DIGITS_SPLIT, Digits, Split};
use crate::draw::{self, Drawing, MAX_POINTS, MAX_STROKES, Prediction, SIDE};
use crate::error::{Error, Result as CoreResult};
use crate::nn::model::Model;
use crate::nn::safetensors::load_safetensors;
use crate::run::{Settings, Value};
use wasm_bindgen::prelude::*;

/// The digits' validation images (by their index in the file) and the parsed file.
struct Examples {
    digits: Digits,
    val: Vec<usize>,
}

#[wasm_bindgen]
pub struct DrawModel {
    model: Model,
    examples: Option<Examples>,
}

fn model_of(spec: Option<String>, weights: Option<Vec<u8>>) -> CoreResult<Model> {
    let mut settings = Settings::new();
    if let Some(spec) = spec {
        settings.set("model", Value::Text(spec));
    }
    let mut model = crate::run::train::TrainConfig::from_settings(&settings)?.build_model()?;
    if let Some(weights) = weights {
        load_safetensors(&mut model, &weights)?;
    }
    Ok(model)
}

fn examples_of(bytes: &[u8]) -> CoreResult<Examples> {
    let digits = Digits::parse(bytes)?;
    let labels: Vec<u32> = digits.labels().iter().map(|&l| l as u32).collect();
    let val = Split::stratified(&labels, digits.classes(), &DIGITS_SPLIT)?.val;
    if digits.height() != SIDE || digits.width() != SIDE || digits.max_value() != draw::MAX_COUNT {
        return Err(Error::coded("digits", "wrong_input", "the digits must be 8×8 images of counts 0 … 16"));
    }
    Ok(Examples { digits, val })
}

fn prediction_object(p: &Prediction, label: Option<u8>) -> JsValue {
    let maps: js_sys::Array = p.maps.iter().map(|m| JsValue::from(js_sys::Float32Array::from(&m[..]))).collect();
    object(&[
        ("digit", js_sys::Uint8Array::from(&p.digit[..]).into()),
        ("input", js_sys::Float32Array::from(&p.input[..]).into()),
        ("probs", js_sys::Float64Array::from(&p.probs[..]).into()),
        ("top", p.top.into()),
        ("maps", maps.into()),
        ("label", label.map_or(JsValue::NULL, JsValue::from)),
    ])
}

#[wasm_bindgen]
impl DrawModel {
    /// `config`: `{ model?: spec text (the Train panel's `model=`), weights?: safetensors bytes of that model,
    /// digits?: the bytes of www/data/digits.bin (for the validation images) }`. Errors name the key at fault.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<DrawModel, JsValue> {
        let made = || -> CoreResult<DrawModel> {
            let c = Config::read(&config, "draw", &["model", "weights", "digits"])?;
            let model = model_of(c.string("model")?, c.bytes("weights")?)?;
            let examples = c.bytes("digits")?.map(|b| examples_of(&b)).transpose()?;
            Ok(DrawModel { model, examples })
        };
        made().map_err(js_error)
    }

    /// Replaces the weights by a safetensors file of this model, all or nothing (param `weights`).
    pub fn load(&mut self, weights: JsValue) -> Result<(), JsValue> {
        let bytes = args::bytes("weights", &weights, super::config::MAX_BYTES).map_err(js_error)?;
        load_safetensors(&mut self.model, &bytes).map_err(js_error)
    }

    /// A drawing's prediction: `coords` (`x0, y0, x1, y1, …`, any numbers array) and `lengths` (points per stroke)
    /// → `{ digit: Uint8Array(64), input: Float32Array, probs: Float64Array, top, maps: [Float32Array], label: null }`.
    /// Errors: param `drawing` (src/draw.rs: `empty_drawing`, `not_finite`, `out_of_range`, `too_large`,
    /// `wrong_length`).
    pub fn predict(&mut self, coords: JsValue, lengths: JsValue) -> Result<JsValue, JsValue> {
        let mut run = || -> CoreResult<JsValue> {
            let coords = args::f64s("drawing", &coords, 8 * MAX_POINTS)?;
            let lengths = args::u32s("drawing", &lengths, 4 * MAX_STROKES)?;
            let digit = Drawing::new(&coords, &lengths)?.digit()?;
            Ok(prediction_object(&draw::predict(&mut self.model, &digit)?, None))
        };
        run().map_err(js_error)
    }

    /// The prediction for validation image `k` (0 … `example_count − 1`), with its `label`.
    pub fn predict_example(&mut self, k: JsValue) -> Result<JsValue, JsValue> {
        let mut run = || -> CoreResult<JsValue> {
            let Some(ex) = &self.examples else {
                return Err(Error::coded("example", "missing", "no digits were given for the validation images"));
            };
            let k = args::count("example", &k, 0, ex.val.len().saturating_sub(1))?;
            let i = ex.val[k];
            let digit: [u8; SIDE * SIDE] =
                ex.digits.pixels(i).try_into().map_err(|_| {
                    Error::coded("digits", "wrong_input", "the digits must be 8×8 images of counts 0 … 16")
                })?;
            let label = ex.digits.labels()[i];
            Ok(prediction_object(&draw::predict(&mut self.model, &digit)?, Some(label)))
        };
        run().map_err(js_error)
    }

    /// The validation images' labels in order (empty without digits): the page's list of images to pick.
    pub fn example_labels(&self) -> Vec<u8> {
        self.examples.as_ref().map_or_else(Vec::new, |ex| ex.val.iter().map(|&i| ex.digits.labels()[i]).collect())
    }

    /// The model's layers (as a training run's info lists them: `{ index, layer, kind, input, output, … }`).
    #[wasm_bindgen(getter)]
    pub fn layers(&self) -> js_sys::Array {
        layers_array(&self.model)
    }

    /// The model's input as `[height, width, channels]`.
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Vec<u32> {
        let s = self.model.input_shape();
        vec![s.h as u32, s.w as u32, s.c as u32]
    }
}
