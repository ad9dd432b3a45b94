//! The lists and limits the core owns, for the page's URL table (www/js/url/state.js): the page takes them from here
//! instead of re-typing them, and tests/e2e/state.test.mjs checks that the page's strings and presets agree.

use crate::augment::{pipeline, samples};
use crate::init::{self, Dist, Mode, Nonlinearity, Scheme};
use crate::nn::activation::Activation;
use crate::nn::optim::{self, OptimizerConfig};
use crate::nn::safetensors;
use crate::nn::spec as model_spec;
use crate::probe;
use crate::run;
use crate::transfer::plan::{self, Strategy};
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

/// `{ lists: { init, mode, nonlinearity, dist, act, src, opt, strategy, data, norm }, limits: { name: { min, max } },
/// aug_length, model_length, spec_alphabet, weights_bytes, train_run: { every, measure_n }, run_settings: { train,
/// transfer, pretrain }, init_uses, saturation }`: lists and limits keyed by the
/// URL parameter they belong to (`src` lists the built-in samples; the page adds `own`), the step grammar's
/// alphabet (a regular expression's character class), the largest weights file, how often a training run measures
/// and on how many images per part, which initializer parameters each
/// scheme reads, and which activations saturate.
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
    set(&lists, "strategy", &names(Strategy::ALL.map(Strategy::name)));
    set(&lists, "data", &names(run::train::SOURCES));
    set(&lists, "norm", &names(crate::probe::ProbeNorm::ALL.map(crate::probe::ProbeNorm::name)));
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
    let (lo, hi) = OptimizerConfig::range("sgd", "lr").unwrap_or((0.0, 0.0));
    set(&limits, "lr", &range(lo, hi));
    set(&limits, "epochs", &range(1.0, run::train::MAX_EPOCHS));
    set(&limits, "per_class", &range(1.0, run::train::MAX_PER_CLASS));
    set(&limits, "example", &range(0.0, run::train::MAX_EXAMPLE));
    // The transfer lab's: the freeze count (the core refuses a k past the model's layers with weights), the
    // fine-tuning rate and the repeats.
    set(&limits, "k", &range(0.0, model_spec::MAX_LAYERS as f64));
    set(&limits, "ft_lr", &range(plan::FT_LR.0, plan::FT_LR.1));
    set(&limits, "repeats", &range(1.0, run::transfer::MAX_REPEATS));
    let o = js_sys::Object::new();
    set(&o, "lists", &lists);
    set(&o, "limits", &limits);
    set(&o, "aug_length", &(pipeline::MAX_LEN as f64).into());
    set(&o, "model_length", &(model_spec::MAX_SPEC_LEN as f64).into());
    let runs = js_sys::Object::new();
    let keys = |list: &[(&'static str, run::Kind)]| names(list.iter().map(|(k, _)| *k));
    set(&runs, "train", &keys(&run::train::KEYS));
    let mut cell: Vec<(&'static str, run::Kind)> = run::transfer::CELL_KEYS.to_vec();
    cell.push(("data", run::Kind::Text)); // the target's Dataset config, beside the cell's own settings
    set(&runs, "transfer", &keys(&cell));
    set(&runs, "pretrain", &keys(&run::transfer::PRETRAIN_KEYS));
    set(&o, "run_settings", &runs.into());
    let train_run = js_sys::Object::new();
    set(&train_run, "every", &(run::train::VAL_EVERY as f64).into());
    set(&train_run, "measure_n", &(run::train::MEASURE_N as f64).into());
    set(&o, "train_run", &train_run.into());
    set(&o, "spec_alphabet", &crate::spec::ALPHABET_CLASS.into());
    set(&o, "weights_bytes", &(safetensors::MAX_FILE_BYTES as f64).into());
    set(&o, "init_uses", &init_uses());
    set(&o, "saturation", &saturation());
    o.into()
}
