//! The model zoo: small CNNs pretrained on a large generated source set, shipped as `www/zoo/NAME.safetensors` with
//! `www/zoo/manifest.json`, and the checks a downloaded file must pass before the page uses it.
//!
//! # Reproducible
//! `make zoo` (`cargo run --release --example zoo`) generates the source set ([`source`]), trains each
//! [`RECIPES`] entry from its seed and writes the files. Everything on the way is deterministic: the data
//! generator and the loss use the `libm` crate (pure Rust) for their transcendental functions, the weights are
//! drawn from the project's seeded RNG, SGD uses only IEEE arithmetic, and every GEMM plan adds in the same order,
//! so the command gives the same bytes on every machine (a test regenerates them and compares the checksums).
//!
//! # Manifest (`www/zoo/manifest.json`)
//! `{ "version": 1, "models": [entry, …] }`; an entry has `name`, `file`, `model` (the spec), `input` ([C, H, W]),
//! `classes`, `source` (the generator's knobs, [`SymbolConfig::knobs`]), `source_split` (`val`, `split_seed`),
//! `seed`, `steps`, `batch`, `opt`, `source_acc` (accuracy on the source's held-out split), `sha256` and `bytes`.

use crate::data::{Dataset, Split, SplitSpec, SymbolConfig};
use crate::error::{Error, Result};
use crate::feed::{Feed, Part};
use crate::nn::model::{Model, ModelConfig};
use crate::nn::optim::OptimizerConfig;
use crate::nn::safetensors::{json_string, read_weights, to_safetensors};
use crate::nn::spec::{ModelSpec, Shape};
use crate::transfer::sha256::sha256_hex;
use std::rc::Rc;

/// One example's shape for every zoo model (the Train panel's and the digits' 28×28 greyscale).
pub const INPUT: Shape = Shape { c: 1, h: 28, w: 28, flat: false };

/// The source set: 32 classes of the generator's family 0, 200 images each, drawn with much variation (rotation
/// ±30°, scale, shift, warp, stroke width, ink contrast, noise), so that a handful of target images per class is
/// not enough to learn that invariance from scratch: what pretraining has to offer.
pub fn source() -> SymbolConfig {
    SymbolConfig {
        classes: 32,
        per_class: 200,
        height: INPUT.h,
        width: INPUT.w,
        seed: 1,
        rotation: 30.0,
        scale: (0.45, 0.85),
        shift: 0.1,
        jitter: 0.15,
        thickness: (0.04, 0.14),
        contrast: (0.5, 1.0),
        noise: 0.1,
        ..SymbolConfig::default()
    }
}

/// The source's split: a fifth of each class held out to measure `source_acc`.
pub const SOURCE_SPLIT: SplitSpec = SplitSpec { val_fraction: 0.2, train_per_class: None, seed: 0 };

/// How one zoo model is pretrained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recipe {
    pub name: &'static str,
    /// The spec, its head giving the source's classes.
    pub spec: &'static str,
    pub steps: usize,
    pub batch: usize,
    pub opt: &'static str,
    /// The weights' and the batches' seed.
    pub seed: u64,
}

/// `small`: the Train panel's default net with a 32-class head (three layers with weights). `deep`: four 3×3 convs
/// and the head, so "freeze the first k" has six meaningful values (0 … 5). `small_bn`: `small` with a BatchNorm
/// after each conv (the transfer lab's BN-statistics setting: frozen running statistics, or updated on the target).
/// 400 steps of 32 (two and a half epochs of the source's 5,120 training images); their held-out accuracies are in
/// the manifest (about 0.9).
pub const RECIPES: [Recipe; 3] = [
    Recipe {
        name: "small",
        spec: "conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(32)",
        steps: 400,
        batch: 32,
        opt: "sgd(lr0.02_m0.9)",
        seed: 1,
    },
    Recipe {
        name: "deep",
        spec: "conv(8_k3_p1)~relu~maxpool(2)~conv(16_k3_p1)~relu~maxpool(2)~conv(16_k3_p1)~relu~conv(32_k3_p1)~relu~\
               maxpool(2)~flatten~dense(32)",
        steps: 400,
        batch: 32,
        opt: "sgd(lr0.02_m0.9)",
        seed: 2,
    },
    Recipe {
        name: "small_bn",
        spec: "conv(8_k5_p2)~bn~relu~maxpool(2)~conv(16_k5_p2)~bn~relu~maxpool(3)~flatten~dense(32)",
        steps: 400,
        batch: 32,
        opt: "sgd(lr0.02_m0.9)",
        seed: 3,
    },
];

/// The recipe of that name (param `zoo`, code `unknown_model`).
pub fn recipe(name: &str) -> Result<&'static Recipe> {
    RECIPES.iter().find(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = RECIPES.iter().map(|r| r.name).collect();
        Error::coded(
            "zoo",
            "unknown_model",
            format!("no zoo model {}; the zoo has {}", crate::error::quote(name), names.join(", ")),
        )
    })
}

/// A manifest entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ZooEntry {
    pub name: String,
    pub file: String,
    pub model: String,
    pub input: Shape,
    pub classes: usize,
    pub source: SymbolConfig,
    pub split: SplitSpec,
    pub seed: u64,
    pub steps: usize,
    pub batch: usize,
    pub opt: String,
    pub source_acc: f64,
    pub sha256: String,
    pub bytes: usize,
}

/// The keys a manifest entry has (the page passes whole entries to `zoo_verify`).
pub const ENTRY_KEYS: [&str; 14] = [
    "name",
    "file",
    "model",
    "input",
    "classes",
    "source",
    "source_split",
    "seed",
    "steps",
    "batch",
    "opt",
    "source_acc",
    "sha256",
    "bytes",
];

/// A pretrained model: its file's bytes and its manifest entry.
pub struct Pretrained {
    pub entry: ZooEntry,
    pub weights: Vec<u8>,
}

/// The source data set with its split.
pub fn source_data() -> Result<(Rc<Dataset>, Rc<Split>)> {
    let data = source().generate()?;
    let split = Split::stratified(data.labels(), data.classes(), &SOURCE_SPLIT)?;
    Ok((Rc::new(data), Rc::new(split)))
}

/// A model of the recipe's architecture, freshly initialized from its seed, for `input`.
pub fn model_for(recipe: &Recipe, input: Shape) -> Result<Model> {
    Model::new(ModelConfig {
        spec: ModelSpec::parse(recipe.spec)?,
        input,
        init: None,
        optimizer: OptimizerConfig::parse(recipe.opt)?,
        seed: recipe.seed,
    })
}

/// A recipe's pretraining, stepped: `make zoo` ([`pretrain`]) and the page's pretraining session (`run::transfer`)
/// take the same steps, so the page reproduces the shipped file bit for bit (the simd128 build).
pub struct Pretraining {
    recipe: Recipe,
    model: Model,
    feed: Feed,
    done: usize,
}

impl Pretraining {
    /// The recipe's model, fresh from its seed, on the source's training part (no augmentation).
    pub fn new(recipe: &Recipe, data: &Rc<Dataset>, split: &Rc<Split>) -> Result<Pretraining> {
        let model = model_for(recipe, INPUT)?;
        let feed = Feed::new(data.clone(), split.clone(), recipe.batch, Default::default(), recipe.seed)?;
        feed.check_model(&model)?;
        Ok(Pretraining { recipe: *recipe, model, feed, done: 0 })
    }

    /// Steps taken.
    pub fn done(&self) -> usize {
        self.done
    }

    pub fn is_done(&self) -> bool {
        self.done >= self.recipe.steps
    }

    /// Up to `n` more steps (never past the recipe's); returns the steps taken so far.
    pub fn train(&mut self, n: usize) -> Result<usize> {
        let n = n.min(self.recipe.steps - self.done);
        self.feed.train_steps(&mut self.model, n)?;
        self.done += n;
        Ok(self.done)
    }

    /// The weights and the manifest entry, measured on the source's held-out part.
    pub fn finish(mut self) -> Result<Pretrained> {
        let source_acc = self.feed.evaluate(&mut self.model, Part::Val)?.accuracy;
        let (recipe, model) = (&self.recipe, &self.model);
        let weights = to_safetensors(model);
        let entry = ZooEntry {
            name: recipe.name.into(),
            file: format!("{}.safetensors", recipe.name),
            model: model.config().spec.to_string(),
            input: INPUT,
            classes: model.classes(),
            source: source(),
            split: SOURCE_SPLIT,
            seed: recipe.seed,
            steps: recipe.steps,
            batch: recipe.batch,
            opt: model.config().optimizer.to_string(),
            source_acc,
            sha256: sha256_hex(&weights),
            bytes: weights.len(),
        };
        Ok(Pretrained { entry, weights })
    }
}

/// Trains the recipe on the source's training part (no augmentation) and measures it on the held-out part.
/// `progress(step)` is called every 100 steps.
pub fn pretrain(
    recipe: &Recipe,
    data: &Rc<Dataset>,
    split: &Rc<Split>,
    mut progress: impl FnMut(usize),
) -> Result<Pretrained> {
    let mut run = Pretraining::new(recipe, data, split)?;
    while !run.is_done() {
        progress(run.train(100)?);
    }
    run.finish()
}

/// The manifest's text (two-space indentation, one key per line, a final newline).
pub fn manifest_json(entries: &[ZooEntry]) -> String {
    let mut out = String::from("{\n  \"version\": 1,\n  \"models\": [\n");
    for (i, e) in entries.iter().enumerate() {
        let source: Vec<String> =
            e.source.knobs().iter().map(|(k, v)| format!("{}: {}", json_string(k), v.json())).collect();
        let fields = [
            ("name", json_string(&e.name)),
            ("file", json_string(&e.file)),
            ("model", json_string(&e.model)),
            ("input", format!("[{}, {}, {}]", e.input.c, e.input.h, e.input.w)),
            ("classes", e.classes.to_string()),
            ("source", format!("{{{}}}", source.join(", "))),
            ("source_split", format!("{{\"val\": {}, \"split_seed\": {}}}", e.split.val_fraction, e.split.seed)),
            ("seed", e.seed.to_string()),
            ("steps", e.steps.to_string()),
            ("batch", e.batch.to_string()),
            ("opt", json_string(&e.opt)),
            ("source_acc", e.source_acc.to_string()),
            ("sha256", json_string(&e.sha256)),
            ("bytes", e.bytes.to_string()),
        ];
        debug_assert!(fields.iter().map(|f| f.0).eq(ENTRY_KEYS));
        out += "    {\n";
        let lines: Vec<String> = fields.iter().map(|(k, v)| format!("      {}: {v}", json_string(k))).collect();
        out += &lines.join(",\n");
        out += if i + 1 < entries.len() { "\n    },\n" } else { "\n    }\n" };
    }
    out += "  ]\n}\n";
    out
}

/// What a downloaded zoo file is checked against (from its manifest entry).
#[derive(Debug, Clone, PartialEq)]
pub struct ZooCheck {
    pub model: ModelSpec,
    pub input: Shape,
    pub classes: usize,
    /// 64 lowercase hex digits.
    pub sha256: String,
    pub bytes: usize,
}

const PARAM: &str = "zoo";

/// Checks a zoo file against its entry, most specific problem first (param `zoo`):
/// shorter than the entry says → `zoo_truncated`; not a safetensors file → `zoo_corrupt`; not exactly the tensors
/// of the entry's model (names, shapes, F32) → `zoo_architecture`; another length or checksum → `zoo_checksum`.
/// An entry whose own fields are malformed (checksum not 64 hex digits, a model that does not fit its input or
/// classes) → `zoo_bad_entry`.
pub fn verify(check: &ZooCheck, bytes: &[u8]) -> Result<()> {
    let sha_ok =
        check.sha256.len() == 64 && check.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !sha_ok {
        return Err(Error::coded(PARAM, "zoo_bad_entry", "the manifest's sha256 must be 64 lowercase hex digits"));
    }
    let model = Model::new(ModelConfig {
        spec: check.model.clone(),
        input: check.input,
        init: None,
        optimizer: OptimizerConfig::default(),
        seed: 0,
    })
    .map_err(|e| Error::coded(PARAM, "zoo_bad_entry", format!("the manifest's model does not build: {}", e.message)))?;
    if model.classes() != check.classes {
        return Err(Error::coded(
            PARAM,
            "zoo_bad_entry",
            format!("the manifest's model has {} outputs but says {} classes", model.classes(), check.classes),
        )
        .with("expected", check.classes as f64)
        .with("got", model.classes() as f64));
    }
    if bytes.len() < check.bytes {
        return Err(Error::coded(
            PARAM,
            "zoo_truncated",
            format!("the file has {} bytes; the manifest says {}", bytes.len(), check.bytes),
        )
        .with("expected", check.bytes as f64)
        .with("got", bytes.len() as f64));
    }
    if let Err(e) = read_weights(&model, bytes, |_| true) {
        let (code, what) = match e.code {
            "missing_tensor" | "unexpected_tensor" | "wrong_shape" | "wrong_dtype" => {
                ("zoo_architecture", "not the manifest's model")
            }
            _ => ("zoo_corrupt", "damaged"),
        };
        return Err(Error::coded(PARAM, code, format!("the file is {what}: {}", e.message)));
    }
    let sha = sha256_hex(bytes);
    if bytes.len() != check.bytes || sha != check.sha256 {
        return Err(Error::coded(
            PARAM,
            "zoo_checksum",
            format!(
                "the file's checksum {sha} ({} bytes) differs from the manifest's {} ({} bytes)",
                bytes.len(),
                check.sha256,
                check.bytes
            ),
        )
        .with("expected", check.bytes as f64)
        .with("got", bytes.len() as f64));
    }
    Ok(())
}
