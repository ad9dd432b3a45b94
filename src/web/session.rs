//! A run for JavaScript: `new Session(kind, settings[, bytes])` hosts one core session (`crate::run`) — a training
//! run (`train`), a transfer-lab cell (`transfer`) or a zoo model's pretraining (`pretrain`) — and `step()` returns
//! `{ value, done }` in the shape of a JS iterator, so the worker (www/js/compute/jobs.js) only forwards. `check_settings`
//! checks a run's settings and returns what the page shows before a run opens, without a run. Shapes of the
//! progress items and results: README, "JavaScript API".

use super::args;
use super::config::{Config, MAX_BYTES};
use super::data::Dataset;
use super::train::{evaluation_object, layers_array, now_ms};
use super::{js_error, object};
use crate::error::{Error, Result as CoreResult};
use crate::run::train::{self as train_run, Info, Look, TrainEnd, TrainEvent, TrainSession};
use crate::run::transfer::{self as transfer_run, Cell, CellEvent, PretrainEvent, PretrainSession};
use crate::run::{Kind, Settings, Value};
use wasm_bindgen::prelude::*;

/// The file name the Train panel's PyTorch code loads.
const WEIGHTS_FILE: &str = "model.safetensors";
/// The kinds of run, by name.
pub const KINDS: [&str; 3] = ["train", "transfer", "pretrain"];

enum Inner {
    Train(Box<TrainSession>),
    Transfer(Box<Cell>),
    Pretrain(Box<PretrainSession>),
}

#[wasm_bindgen]
pub struct Session {
    inner: Inner,
}

/// The optional bytes argument (the digits file of a training run on the digits): absent when undefined or null.
fn optional_bytes(bytes: &JsValue) -> CoreResult<Option<Vec<u8>>> {
    if bytes.is_undefined() || bytes.is_null() {
        return Ok(None);
    }
    args::bytes("bytes", bytes, MAX_BYTES).map(Some)
}

fn unknown_kind(kind: &str) -> Error {
    Error::coded(
        "kind",
        "unknown_kind",
        format!("no kind of run {}; use {}", crate::error::quote(kind), KINDS.join(", ")),
    )
}

/// A JS settings object as core [`Settings`]: only `keys` (and `extra`, read by the caller), each of its type.
fn settings_of(
    value: &JsValue,
    what: &str,
    keys: &[(&'static str, Kind)],
    extra: &[&'static str],
) -> CoreResult<Settings> {
    let names: Vec<&'static str> = keys.iter().map(|(k, _)| *k).chain(extra.iter().copied()).collect();
    let c = Config::read(value, what, &names)?;
    let mut s = Settings::new();
    for &(key, kind) in keys {
        let v = match kind {
            Kind::Number => c.number(key)?.map(Value::Number),
            Kind::Text => c.string(key)?.map(Value::Text),
            Kind::Bool => c.bool(key)?.map(Value::Bool),
            Kind::Bytes => c.bytes(key)?.map(Value::Bytes),
        };
        if let Some(v) = v {
            s.set(key, v);
        }
    }
    Ok(s)
}

/// A cell's settings and its target data set (the `data` entry: a `Dataset` config).
fn cell_of(value: &JsValue) -> CoreResult<(Settings, Dataset)> {
    let s = settings_of(value, "transfer", &transfer_run::CELL_KEYS, &["data"])?;
    let data = super::args::get("data", value, "data")?;
    if data.is_undefined() || data.is_null() {
        return Err(Error::coded("data", "missing", "a cell needs its target's data set"));
    }
    // The data set is the cell's setting `data`, whichever of its entries is wrong.
    let data = Dataset::build(&data).map_err(|e| Error { param: "data".into(), ..e })?;
    Ok((s, data))
}

fn open(kind: &str, settings: &JsValue, bytes: Option<Vec<u8>>) -> CoreResult<Inner> {
    Ok(match kind {
        "train" => {
            let s = settings_of(settings, "train", &train_run::KEYS, &[])?;
            Inner::Train(Box::new(TrainSession::open(&s, bytes.as_deref())?))
        }
        "transfer" => {
            let (s, data) = cell_of(settings)?;
            let shared = data.shared.clone();
            Inner::Transfer(Box::new(Cell::open(&s, shared.data, shared.split, shared.preprocess)?))
        }
        "pretrain" => {
            let s = settings_of(settings, "pretrain", &transfer_run::PRETRAIN_KEYS, &[])?;
            Inner::Pretrain(Box::new(PretrainSession::open(&s)?))
        }
        _ => return Err(unknown_kind(kind)),
    })
}

fn floats(v: &[f32]) -> JsValue {
    js_sys::Float32Array::from(v).into()
}

fn work(done: usize, total: usize) -> JsValue {
    object(&[("done", done.into()), ("total", total.into())])
}

fn info_object(info: &Info, session: &TrainSession) -> JsValue {
    let input = info.input;
    let input = js_sys::Uint32Array::from(&[input.h as u32, input.w as u32, input.c as u32][..]);
    let filter_shape = info
        .filter_shape
        .as_ref()
        .map_or(JsValue::NULL, |shape| shape.iter().map(|&d| JsValue::from(d)).collect::<js_sys::Array>().into());
    object(&[
        ("total", info.total.into()),
        ("layers", layers_array(session.model()).into()),
        ("classes", info.classes.into()),
        ("trainLen", info.train_len.into()),
        ("valLen", info.val_len.into()),
        ("example", info.example.into()),
        ("exampleLabel", info.example_label.into()),
        ("exampleImage", floats(&info.example_image)),
        ("input", input.into()),
        ("filterShape", filter_shape),
        ("params", info.params.into()),
        ("every", info.every.into()),
        ("measured", object(&[("train", info.measured.0.into()), ("val", info.measured.1.into())])),
    ])
}

fn look_object(look: &Look) -> JsValue {
    let maps: js_sys::Array = look.maps.iter().map(|m| floats(m)).collect();
    object(&[
        ("train", evaluation_object(look.train)),
        ("val", evaluation_object(look.val)),
        ("all", look.all.into()),
        ("filters", look.filters.as_deref().map_or(JsValue::NULL, floats)),
        ("maps", maps.into()),
        ("step", look.step.into()),
    ])
}

/// `info` and `before` of a first step, added to `entries`.
fn first_entries(entries: &mut Vec<(&str, JsValue)>, first: &Option<(Info, Look)>, session: &TrainSession) {
    if let Some((info, before)) = first {
        entries.push(("info", info_object(info, session)));
        entries.push(("before", look_object(before)));
    }
}

/// A number as JS's `toPrecision(3)` writes it (the page's sentence quotes it).
fn precision3(x: f64) -> JsValue {
    js_sys::Number::from(x).to_precision(3).map_or_else(|_| JsValue::from(x), JsValue::from)
}

fn iteration(value: JsValue, done: bool) -> JsValue {
    object(&[("value", value), ("done", done.into())])
}

fn train_step(session: &mut TrainSession) -> CoreResult<JsValue> {
    Ok(match session.step()? {
        TrainEvent::Step(r) => {
            let (done, total) = r.work;
            let mut entries: Vec<(&str, JsValue)> = Vec::new();
            first_entries(&mut entries, &r.first, session);
            entries.push(("step", r.step.into()));
            entries.push(("loss", r.loss.into()));
            entries.push(("work", work(done, total)));
            if let Some(look) = &r.look {
                entries.push(("look", look_object(look)));
            }
            iteration(object(&entries), false)
        }
        TrainEvent::End(end) => match *end {
            TrainEnd::Diverged { step, loss, limit, first } => {
                let diverged =
                    object(&[("step", step.into()), ("loss", precision3(loss.into())), ("limit", precision3(limit))]);
                let mut entries: Vec<(&str, JsValue)> = vec![("diverged", diverged), ("weights", JsValue::NULL)];
                first_entries(&mut entries, &first, session);
                iteration(object(&entries), true)
            }
            TrainEnd::Finished(f) => {
                let wrong: js_sys::Array = f
                    .misclassified
                    .iter()
                    .map(|m| {
                        object(&[
                            ("index", m.index.into()),
                            ("label", m.label.into()),
                            ("predicted", m.predicted.into()),
                        ])
                    })
                    .collect();
                let result = object(&[
                    ("confusion", js_sys::Uint32Array::from(&f.confusion[..]).into()),
                    ("classes", f.classes.into()),
                    ("misclassified", wrong.into()),
                    ("wrongCount", f.wrong_count.into()),
                    ("images", floats(&f.images)),
                    ("weights", js_sys::Uint8Array::from(&f.weights[..]).into()),
                ]);
                iteration(result, true)
            }
        },
    })
}

fn point_object(p: &transfer_run::Point) -> Vec<(&'static str, JsValue)> {
    vec![
        ("repeat", p.repeat.into()),
        ("step", p.step.into()),
        ("val_acc", p.val_acc.into()),
        ("val_loss", p.val_loss.into()),
    ]
}

fn cell_step(cell: &mut Cell) -> CoreResult<JsValue> {
    let event = cell.step(&mut || now_ms() / 1000.0)?;
    Ok(match event {
        CellEvent::Point(p, (done, total)) => {
            let mut entries = point_object(&p);
            entries.push(("work", work(done, total)));
            iteration(object(&entries), false)
        }
        CellEvent::End(r) => {
            let curves: js_sys::Array = r
                .curves
                .iter()
                .map(|curve| JsValue::from(curve.iter().map(|p| object(&point_object(p))).collect::<js_sys::Array>()))
                .collect();
            let finals: js_sys::Array = r.finals.iter().map(|&f| JsValue::from(f)).collect();
            let change = r.layer_change.as_ref().map_or(JsValue::NULL, |rows| {
                rows.iter()
                    .map(|l| {
                        object(&[
                            ("layer", l.layer.into()),
                            ("name", l.name.as_str().into()),
                            ("param", l.param.as_str().into()),
                            ("rel_change", l.rel_change.into()),
                        ])
                    })
                    .collect::<js_sys::Array>()
                    .into()
            });
            let result = object(&[
                ("strategy", r.strategy.name().into()),
                ("curves", curves.into()),
                ("finals", finals.into()),
                ("trainable", r.trainable.into()),
                ("params", r.params.into()),
                ("flops", r.flops.into()),
                ("msPerStep", (r.seconds_per_step * 1000.0).into()),
                ("steps", r.steps.into()),
                ("repeats", r.repeats.into()),
                ("layerChange", change),
                ("weights", r.weights.as_deref().map_or(JsValue::NULL, |w| js_sys::Uint8Array::from(w).into())),
                ("code", r.code.as_deref().map_or(JsValue::NULL, JsValue::from)),
            ]);
            iteration(result, true)
        }
    })
}

fn pretrain_step(session: &mut PretrainSession) -> CoreResult<JsValue> {
    Ok(match session.step()? {
        PretrainEvent::Progress(step, total) => {
            iteration(object(&[("step", step.into()), ("work", work(step, total))]), false)
        }
        PretrainEvent::End { weights, acc } => {
            iteration(object(&[("weights", js_sys::Uint8Array::from(&weights[..]).into()), ("acc", acc.into())]), true)
        }
    })
}

fn not_supported(what: &str) -> JsValue {
    js_error(Error::coded("kind", "not_supported", format!("this kind of run has no {what}")))
}

#[wasm_bindgen]
impl Session {
    /// Opens a run: `kind` `train` (settings: the Train panel's URL parameters; `bytes`: www/data/digits.bin),
    /// `transfer` (a cell: `{ model, weights, data, strategy, k, ft_lr, steps, every, batch, repeats, seed,
    /// layerChange, keep, bn_stats }`, `data` a `Dataset` config) or `pretrain` (`{ zoo }`). Every error's `param` is the
    /// setting at fault.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: JsValue, settings: JsValue, bytes: JsValue) -> Result<Session, JsValue> {
        let opened = || open(&args::text("kind", &kind)?, &settings, optional_bytes(&bytes)?);
        let inner = opened().map_err(js_error)?;
        Ok(Session { inner })
    }

    /// One step: `{ value: progress, done: false }` or `{ value: result, done: true }` (README).
    pub fn step(&mut self) -> Result<JsValue, JsValue> {
        match &mut self.inner {
            Inner::Train(s) => train_step(s),
            Inner::Transfer(c) => cell_step(c),
            Inner::Pretrain(p) => pretrain_step(p),
        }
        .map_err(js_error)
    }

    /// Steps taken (training steps of a training run, of a transfer cell over its repeats, or of a pretraining).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        match &self.inner {
            Inner::Train(s) => s.steps() as f64,
            Inner::Transfer(c) => c.steps() as f64,
            Inner::Pretrain(p) => p.steps() as f64,
        }
    }

    /// A training run's `{ steps, weights }` (safetensors), between two steps.
    pub fn snapshot(&self) -> Result<JsValue, JsValue> {
        match &self.inner {
            Inner::Train(s) => Ok(object(&[
                ("steps", s.steps().into()),
                ("weights", js_sys::Uint8Array::from(&s.weights()[..]).into()),
            ])),
            _ => Err(not_supported("snapshot")),
        }
    }

    /// A training run: replaces the weights by a safetensors file of its model (all or nothing, param `weights`)
    /// and returns `{ val }`, the validation set's `{ loss, accuracy, correct, n }` with them.
    pub fn load(&mut self, bytes: JsValue) -> Result<JsValue, JsValue> {
        match &mut self.inner {
            Inner::Train(s) => {
                let bytes = args::bytes("weights", &bytes, MAX_BYTES).map_err(js_error)?;
                let val = s.load(&bytes).map_err(js_error)?;
                Ok(object(&[("val", evaluation_object(val))]))
            }
            _ => Err(not_supported("weights to load")),
        }
    }

    /// The PyTorch code that loads a training run's weights from `model.safetensors`.
    pub fn pytorch_code(&self) -> Result<String, JsValue> {
        match &self.inner {
            Inner::Train(s) => s.pytorch_code(WEIGHTS_FILE).map_err(js_error),
            _ => Err(not_supported("PyTorch code")),
        }
    }
}

/// Checks a run's settings as opening it would, without the run: `train` → `{ trainLen, valLen, params, code }`
/// (`code` the PyTorch code that loads `model.safetensors`), `transfer` → `{ trainable, params, flops }` (what a step
/// of the cell costs; its `data` is not read), `pretrain` → `{}`. Throws the error of the setting at fault.
#[wasm_bindgen]
pub fn check_settings(kind: JsValue, settings: JsValue, bytes: JsValue) -> Result<JsValue, JsValue> {
    let checked = (|| -> CoreResult<JsValue> {
        let kind = args::text("kind", &kind)?;
        let bytes = optional_bytes(&bytes)?;
        Ok(match kind.as_str() {
            "train" => {
                let s = settings_of(&settings, "train", &train_run::KEYS, &[])?;
                let c = train_run::check(&s, bytes.as_deref(), WEIGHTS_FILE)?;
                object(&[
                    ("trainLen", c.train_len.into()),
                    ("valLen", c.val_len.into()),
                    ("params", c.params.into()),
                    ("code", c.code.into()),
                ])
            }
            "transfer" => {
                let s = settings_of(&settings, "transfer", &transfer_run::CELL_KEYS, &["data"])?;
                let c = transfer_run::check_cell(&s)?;
                object(&[("trainable", c.trainable.into()), ("params", c.params.into()), ("flops", c.flops.into())])
            }
            "pretrain" => {
                let s = settings_of(&settings, "pretrain", &transfer_run::PRETRAIN_KEYS, &[])?;
                s.check_keys("the pretraining", &transfer_run::PRETRAIN_KEYS)?;
                crate::transfer::zoo::recipe(s.text("zoo")?.unwrap_or_default())?;
                object(&[])
            }
            _ => return Err(unknown_kind(&kind)),
        })
    })();
    checked.map_err(js_error)
}

/// Checks a weights file against a training run's model (its settings), all or nothing (param `weights`).
#[wasm_bindgen]
pub fn check_weights(settings: JsValue, bytes: JsValue) -> Result<(), JsValue> {
    let checked = || -> CoreResult<()> {
        let s = settings_of(&settings, "train", &train_run::KEYS, &[])?;
        train_run::check_weights(&s, &args::bytes("weights", &bytes, MAX_BYTES)?)
    };
    checked().map_err(js_error)
}

/// A run as a PyTorch script that repeats it (src/run/script.rs), without the run: `kind` `train` (settings as
/// `check_settings`, `bytes` www/data/digits.bin for the digits) or `transfer` (a cell's settings as `new
/// Session('transfer', …)` takes them, its `data` included), `options` `{ name, link }` (`name` the files' base
/// name, `link` the page's link quoted in the header). Returns `{ file, text, npzFile, npz }`: the script's file name
/// and text, and for generated data the `.npz` to save beside it (`npzFile` and `npz` null otherwise).
#[wasm_bindgen]
pub fn pytorch_script(kind: JsValue, settings: JsValue, bytes: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let made = (|| -> CoreResult<JsValue> {
        let kind = args::text("kind", &kind)?;
        let bytes = optional_bytes(&bytes)?;
        let o = Config::read(&options, "options", &["name", "link"])?;
        let naming = crate::run::script::Naming {
            name: o.string("name")?.unwrap_or_else(|| "cnn-playground".into()),
            link: o.string("link")?.unwrap_or_default(),
        };
        let script = match kind.as_str() {
            "train" => {
                let s = settings_of(&settings, "train", &train_run::KEYS, &[])?;
                crate::run::script::train_script(&s, bytes.as_deref(), &naming)?
            }
            "transfer" => {
                let (s, data) = cell_of(&settings)?;
                let shared = data.shared.clone();
                crate::run::script::cell_script(&s, &shared.data, &shared.split, shared.preprocess, &naming)?
            }
            "pretrain" => {
                return Err(Error::coded("kind", "not_supported", "a zoo model's pretraining has no script"));
            }
            _ => return Err(unknown_kind(&kind)),
        };
        let (npz_file, npz) = match &script.npz {
            Some((file, bytes)) => (JsValue::from(file.as_str()), js_sys::Uint8Array::from(&bytes[..]).into()),
            None => (JsValue::NULL, JsValue::NULL),
        };
        Ok(object(&[
            ("file", script.file.as_str().into()),
            ("text", script.text.as_str().into()),
            ("npzFile", npz_file),
            ("npz", npz),
        ]))
    })();
    made.map_err(js_error)
}
