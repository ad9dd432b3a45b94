//! The transfer lab's functions for JavaScript: the experiment's plan (the one place for its numbers) and the check
//! of a downloaded zoo file. The Trainer's transfer methods (`load_backbone`, `reinit_mean_var`, `layer_change`)
//! live with the Trainer (train.rs).

use super::config::{Config, MAX_BYTES};
use super::{args, js_error, object};
use crate::data::MAX_DATASET_CLASSES;
use crate::data::{Knob, SymbolConfig};
use crate::error::Error;
use crate::nn::spec::{ModelSpec, Shape};
use crate::transfer::plan::{self, Quadrant, Strategy};
use crate::transfer::zoo::{self, ZooCheck};
use wasm_bindgen::prelude::*;

/// Repeats per strategy and strategies `transfer_agrees` takes at most.
const MAX_REPEATS: usize = 1000;
const MAX_STRATEGIES: usize = 64;

fn knob_value(k: Knob) -> JsValue {
    match k {
        Knob::Whole(v) => (v as f64).into(),
        Knob::Number(v) => v.into(),
        Knob::Pair(lo, hi) => [lo, hi].iter().map(|&v| JsValue::from(v)).collect::<js_sys::Array>().into(),
        Knob::Name(n) => n.into(),
        Knob::Bool(b) => b.into(),
    }
}

/// A symbol set's knobs as a `Dataset` config (`source: 'symbols'` first), plus extra entries (the split).
fn symbols_config(s: &SymbolConfig, extra: &[(&str, JsValue)]) -> JsValue {
    let mut entries: Vec<(&str, JsValue)> = vec![("source", "symbols".into())];
    entries.extend(s.knobs().into_iter().map(|(k, v)| (k, knob_value(v))));
    entries.extend(extra.iter().cloned());
    object(&entries)
}

fn quadrant_object(q: &Quadrant) -> JsValue {
    let mut split: Vec<(&str, JsValue)> =
        vec![("val", q.split.val_fraction.into()), ("split_seed", (q.split.seed as f64).into())];
    if let Some(k) = q.split.train_per_class {
        split.push(("train_per_class", k.into()));
    }
    object(&[
        ("size", q.size.name().into()),
        ("sim", q.sim.name().into()),
        ("words", q.words().into()),
        ("data", symbols_config(&q.data, &split)),
        ("recommended", q.recommended.name().into()),
        ("steps", q.steps.into()),
        ("classes", q.data.classes.into()),
        ("val_size", q.val_size().into()),
    ])
}

fn strategy_object(s: Strategy) -> JsValue {
    object(&[
        ("name", s.name().into()),
        ("words", format!("transfer.strategy.{}", s.name()).into()),
        ("opt", s.opt().into()),
        ("lr", s.optimizer(plan::finetune_lr()).map_or(f64::NAN, |o| o.lr).into()),
        ("uses_ft_lr", (s.opt() == plan::FINETUNE_OPT).into()),
        ("pretrained", s.uses_pretrained().into()),
        ("mean_var", (s == Strategy::MeanVar).into()),
        ("freeze", s.freeze().into()),
    ])
}

/// The zoo's recipes: `{ name, file, model, target_model, target_model_gn, weight_layers, default_k }`
/// (`target_model` with the targets' head; `target_model_gn` that with a GroupNorm after each conv, the init view's
/// random-init-with-GroupNorm arm).
fn models_array() -> js_sys::Array {
    zoo::RECIPES
        .iter()
        .map(|r| {
            let spec = ModelSpec::parse(r.spec).unwrap_or_default(); // the zoo's specs parse (a test checks)
            let layers = spec.layers.iter().filter(|l| l.has_params()).count();
            let target = crate::transfer::with_head(&spec, plan::TARGET_CLASSES);
            let gn = target
                .as_ref()
                .ok()
                .map(|s| crate::transfer::with_group_norm(s, crate::transfer::GN_GROUPS).to_string());
            let target = target.map(|s| s.to_string());
            object(&[
                ("name", r.name.into()),
                ("file", format!("{}.safetensors", r.name).into()),
                ("model", r.spec.into()),
                ("target_model", target.unwrap_or_default().into()),
                ("target_model_gn", gn.unwrap_or_default().into()),
                ("weight_layers", layers.into()),
                ("default_k", plan::default_k(layers).into()),
            ])
        })
        .collect()
}

/// The experiment's numbers (README, "Transfer lab"): `{ quadrants: [{ size, sim, words, data, recommended, steps,
/// classes, val_size }], strategies: [{ name, words, opt, lr, uses_ft_lr, pretrained, mean_var, freeze }], models: [{ name, file, model, target_model,
/// target_model_gn, weight_layers, default_k }],
/// default_model, batch, eval_every, quadrant_every, repeats, init_view: { size, sim, steps, long_steps }, source, classes }`.
/// `data` is a ready `Dataset` config; a strategy's `opt` is its optimizer in the `opt=` syntax (`lr` its learning
/// rate, `uses_ft_lr` whether `ft_lr` replaces it), `freeze` what it
/// freezes: `none`, `first_k` (`freeze_first(k)`, k counting the layers with weights) or `all_but_head`.
#[wasm_bindgen]
pub fn transfer_plan() -> JsValue {
    let quadrants: js_sys::Array = plan::quadrants().iter().map(quadrant_object).collect();
    let strategies: js_sys::Array = Strategy::ALL.iter().map(|&s| strategy_object(s)).collect();
    let init_view = object(&[
        ("size", plan::INIT_VIEW_SIZE.name().into()),
        ("sim", plan::INIT_VIEW_SIM.name().into()),
        ("steps", plan::INIT_VIEW_STEPS.into()),
        ("long_steps", plan::INIT_VIEW_LONG_STEPS.into()),
    ]);
    let split = zoo::SOURCE_SPLIT;
    object(&[
        ("quadrants", quadrants.into()),
        ("strategies", strategies.into()),
        ("models", models_array().into()),
        ("default_model", plan::DEFAULT_MODEL.into()),
        ("batch", plan::BATCH.into()),
        ("eval_every", plan::EVAL_EVERY.into()),
        ("quadrant_every", plan::QUADRANT_EVERY.into()),
        ("repeats", plan::REPEATS.into()),
        ("init_view", init_view),
        ("source", symbols_config(&zoo::source(), &[("val", split.val_fraction.into())])),
        ("classes", plan::TARGET_CLASSES.into()),
    ])
}

/// Checks a downloaded zoo file against its manifest entry (the whole entry object of `www/zoo/manifest.json`):
/// length, that it is a safetensors file with exactly the tensors of `entry.model` on `entry.input` with
/// `entry.classes` outputs, and its SHA-256. Throws (param `zoo`) `zoo_truncated`, `zoo_corrupt`,
/// `zoo_architecture`, `zoo_checksum`, or `zoo_bad_entry` for a malformed entry (or the entry's own key errors).
#[wasm_bindgen]
pub fn zoo_verify(entry: JsValue, bytes: JsValue) -> Result<(), JsValue> {
    let bytes = args::bytes("zoo", &bytes, MAX_BYTES).map_err(js_error)?;
    let check = (|| {
        let c = Config::read(&entry, "zoo", &zoo::ENTRY_KEYS)?;
        let missing = |key: &str| Error::coded(key, "missing", format!("the zoo entry has no {key}"));
        let model = ModelSpec::parse(&c.string("model")?.ok_or_else(|| missing("model"))?)?;
        let input = c.wholes("input", 1.0, 1e9, 3)?.ok_or_else(|| missing("input"))?;
        if input.len() != 3 {
            return Err(Error::coded("input", "wrong_type", "must be [channels, height, width]"));
        }
        let input = Shape::image(input[0] as usize, input[1] as usize, input[2] as usize);
        // Compared with their limits as JS numbers: 2³² + 32 classes is refused, not wrapped to 32.
        let classes = c.whole("classes", 1.0, MAX_DATASET_CLASSES as f64)?.ok_or_else(|| missing("classes"))? as usize;
        let sha256 = c.string("sha256")?.ok_or_else(|| missing("sha256"))?;
        let bytes = c.whole("bytes", 0.0, MAX_BYTES as f64)?.ok_or_else(|| missing("bytes"))? as usize;
        Ok(ZooCheck { model, input, classes, sha256, bytes })
    })()
    .map_err(js_error)?;
    zoo::verify(&check, &bytes).map_err(js_error)
}

/// The spec with its head (the last layer, dense) giving `classes` outputs: a zoo model's body for a new task
/// (param `model`, code `head_not_dense`; `classes` 1 … 1000).
#[wasm_bindgen]
pub fn transfer_model(spec: JsValue, classes: JsValue) -> Result<String, JsValue> {
    let spec = args::text("model", &spec).map_err(js_error)?;
    let classes = args::count("classes", &classes, 1, MAX_DATASET_CLASSES).map_err(js_error)?;
    let spec = ModelSpec::parse(&spec).map_err(js_error)?;
    crate::transfer::with_head(&spec, classes).map(|s| s.to_string()).map_err(js_error)
}

/// Whether a task's runs agreed with the lecture's advice (src/run/transfer.rs, `judge`): `recommended` the advised
/// strategy's name, `strategies` the names and `finals` (Float64Arrays, one accuracy per repeat) of every strategy run
/// on the task, `val_size` the validation images. Returns `{ agrees: 'yes' | 'no' | 'undecided', against: [{
/// strategy, outcome, mean_a, mean_b, diff, n_a, n_b, se, df, cut, t, floor, margin, val_size }] }` — the advised
/// strategy (arm a) against from-scratch first, then each other strategy. Throws (param `strategy`) `unknown_value`
/// / `missing`, (param `repeats`) `too_few_repeats` / `not_finite`, (param `val_size`) the range codes.
#[wasm_bindgen]
pub fn transfer_verdict(
    recommended: JsValue,
    strategies: JsValue,
    finals: JsValue,
    val_size: JsValue,
) -> Result<JsValue, JsValue> {
    let judged = || -> crate::Result<JsValue> {
        let val = args::count("val_size", &val_size, 1, 1_000_000)?;
        let recommended = Strategy::parse(&args::text("strategy", &recommended)?)?;
        let strategies = args::texts("strategy", &strategies, MAX_STRATEGIES)?;
        let finals = args::list("repeats", &finals, MAX_STRATEGIES)?;
        if strategies.len() != finals.len() {
            return Err(Error::coded("strategy", "invalid", "one array of accuracies per strategy"));
        }
        let mut arms = Vec::new();
        for (name, v) in strategies.iter().zip(&finals) {
            arms.push((Strategy::parse(name)?, args::f64s("repeats", v, MAX_REPEATS)?));
        }
        let refs: Vec<(Strategy, &[f64])> = arms.iter().map(|(s, v)| (*s, v.as_slice())).collect();
        let j = crate::run::transfer::judge(recommended, &refs, val)?;
        let against: js_sys::Array = j
            .against
            .iter()
            .map(|(s, v)| {
                let o = super::verdict::verdict_object(v);
                let _ = js_sys::Reflect::set(&o, &"strategy".into(), &s.name().into());
                o
            })
            .collect();
        Ok(object(&[("agrees", j.agrees.name().into()), ("against", against.into())]))
    };
    judged().map_err(js_error)
}
