//! A run as one self-contained PyTorch script that repeats it: the data and the playground's exact split (index
//! lists), the preprocessing, the model (`nn.Sequential` as [`crate::nn::export`] writes it), the initialization
//! (`torch.nn.init` as the init panel writes it), the optimizer and schedule, the augmentation
//! (`torchvision.transforms.v2` as the studio writes it), freezing, the batch size, the steps and the measurement
//! points, and a seeded loop that prints the columns of the page's `train-curves` table (step, train_loss,
//! train_acc, val_loss, val_acc), then saves the weights as safetensors with the state_dict names the playground
//! loads.
//!
//! # What must agree, what cannot
//! The model, the data split, the preprocessing, the measured subsets, the schedule (steps, batches per epoch,
//! measurement points) and the hyper-parameters are written into the script exactly. PyTorch's random numbers are
//! not the playground's (Xoshiro256++), so the initial weights, the batches' order, dropout masks and augmentation
//! draws differ: the curves agree statistically (`make test-torch` compares final validation accuracies over seeds
//! on both sides), not bit for bit. The script says so in its header, in English and Korean.
//!
//! # Data
//! The UCI digits come from `sklearn.datasets.load_digits()`: www/data/digits.bin holds the same 1,797 images in
//! the same order (tools/extract_digits.py checked that against the loader), so index i there is index i here; the
//! script checks the FNV-1a hash of the pixels and labels against the file's header before using them. A generated
//! symbol set cannot be regenerated in Python: its images and labels come as an `.npz` beside the script ([`Script::npz`],
//! arrays `x` N×C×H×W float32 in \[0, 1\] and `y` N int64).

use super::npz::{self, Array, Values};
use super::train::{MEASURE_N, TrainConfig, VAL_EVERY, measure_subset};
use super::{Settings, Value};
use crate::augment::export::torchvision;
use crate::data::Split;
use crate::error::{Error, Result};
use crate::init::{self, InitConfig};
use crate::nn::export::{Preprocess, Source, preprocess_code, sequential_code};
use crate::nn::model::StateValues;
use crate::nn::model::{Model, default_init};
use crate::nn::optim::{Method, OptimizerConfig, Schedule};
use crate::nn::spec::LayerSpec;
use crate::transfer::plan::Strategy;

/// The longest `link` a script quotes.
pub const MAX_LINK: usize = 4000;

/// A script and what goes beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The file name the page offers (`NAME.py`).
    pub file: String,
    pub text: String,
    /// The generated data, when the run has any: its file name (`NAME.npz`) and bytes.
    pub npz: Option<(String, Vec<u8>)>,
}

/// What the script is called and where it came from: `name` (1 … 100 of `a-z A-Z 0-9 . _ -`, param `name`, code
/// `bad_file_name`), the page's link for the header (printable ASCII without quotes or backslashes, at most
/// [`MAX_LINK`]; param `link`, code `bad_link`), empty for none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub name: String,
    pub link: String,
}

impl Naming {
    fn check(&self) -> Result<()> {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if self.name.is_empty() || self.name.len() > 100 || !self.name.chars().all(plain) {
            return Err(Error::coded(
                "name",
                "bad_file_name",
                format!(
                    "a script's name is 1 … 100 letters, digits, '.', '_' or '-', got {}",
                    crate::error::quote(&self.name)
                ),
            )
            .with("max", 100.0));
        }
        // The link goes into a comment: no line break, nothing that could end it or a string.
        let safe = |c: char| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\');
        if self.link.len() > MAX_LINK || !self.link.chars().all(safe) {
            return Err(Error::coded("link", "bad_link", "a link is printable ASCII without quotes or backslashes")
                .with("max", MAX_LINK as f64)
                .with("got", self.link.len() as f64));
        }
        Ok(())
    }
}

/// A number as a Python literal that reads back to the same f64.
fn py(x: f64) -> String {
    format!("{x:?}")
}

/// A list of indices as Python, wrapped at about 116 columns.
fn py_list(name: &str, values: &[usize]) -> String {
    let mut out = format!("{name} = [");
    let mut line = out.len();
    for (i, v) in values.iter().enumerate() {
        let item = if i + 1 == values.len() { v.to_string() } else { format!("{v}, ") };
        if line + item.len() > 116 {
            out += "\n    ";
            line = 4;
        }
        line += item.len();
        out += &item;
    }
    out + "]\n"
}

/// The settings as a Python comment, one `key=value` a line, in the given order.
fn settings_comment(s: &Settings) -> String {
    let mut out = String::new();
    for key in s.keys() {
        let value = match s.get(key) {
            Some(Value::Number(x)) => crate::error::brief(*x),
            Some(Value::Text(t)) => t.chars().filter(|c| !c.is_control()).collect(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Bytes(b)) => format!("({} bytes)", b.len()),
            None => continue,
        };
        out += &format!("#   {key}={value}\n");
    }
    out
}

/// `torch.nn.init` for every weight layer (the init panel's code with `w` the layer's weight), zero biases, and
/// norm layers at γ = 1, β = 0, as [`Model::new`] draws them.
fn init_code(model: &Model, init: &InitConfig) -> Result<String> {
    let mut out = String::from(
        "@torch.no_grad()\ndef initialize(model):\n    \
         \"\"\"The playground's initialization / 플레이그라운드의 초기화: weights by the scheme, biases 0.\"\"\"\n",
    );
    for (i, plan) in model.plans().iter().enumerate() {
        match plan.spec {
            LayerSpec::Conv { .. } | LayerSpec::Dense { .. } => {
                let Some(weight) = model.param(&format!("{i}.weight")) else { continue };
                let spec = init.resolve(init::fans(&weight.shape)?)?;
                out += &format!("    w = model[{i}].weight  # {}\n", init::shape_text(&weight.shape));
                out += &format!("    {}\n", init::pytorch_code(init, &spec));
                out += &format!("    torch.nn.init.zeros_(model[{i}].bias)\n");
            }
            LayerSpec::BatchNorm | LayerSpec::GroupNorm { .. } => {
                out +=
                    &format!("    torch.nn.init.ones_(model[{i}].weight)\n    torch.nn.init.zeros_(model[{i}].bias)\n");
            }
            _ => {}
        }
    }
    Ok(out + "\n\ninitialize(model)\n")
}

/// `torch.optim` with the same hyper-parameters, and the schedule as `torch.optim.lr_scheduler` (stepped once per
/// optimizer step, as the playground counts).
fn optimizer_code(o: &OptimizerConfig) -> String {
    let mut out = match o.method {
        Method::Sgd { momentum, nesterov } => format!(
            "optimizer = torch.optim.SGD(model.parameters(), lr={}, momentum={}, nesterov={}, weight_decay={})\n",
            py(o.lr),
            py(momentum),
            if nesterov { "True" } else { "False" },
            py(o.weight_decay)
        ),
        Method::Adam { beta1, beta2, eps } => format!(
            "optimizer = torch.optim.Adam(model.parameters(), lr={}, betas=({}, {}), eps={}, weight_decay={})  \
             # L2 as the playground (not AdamW)\n",
            py(o.lr),
            py(beta1),
            py(beta2),
            py(eps),
            py(o.weight_decay)
        ),
    };
    out += &match o.schedule {
        Schedule::Constant => "scheduler = None  # constant learning rate / 학습률 고정\n".to_string(),
        Schedule::Step { step_size, gamma } => format!(
            "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size={step_size}, gamma={})\n",
            py(gamma)
        ),
        Schedule::Cosine { t_max, eta_min } => format!(
            "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={t_max}, eta_min={})\n",
            py(eta_min)
        ),
    };
    out
}

/// The strategy's start: the pretrained body from the `.npz`, Mean Var's re-draw.
fn backbone_code(b: &Backbone) -> String {
    let mut out = format!("\n\n# --- Strategy / 전략: {name} ---\n", name = b.strategy.name());
    if !b.strategy.uses_pretrained() {
        return out + "# From scratch: no pretrained weights / 처음부터 학습: 사전학습 가중치 없음.\n";
    }
    out += &format!(
        "# The zoo model's pretrained body (every layer but the head, layer {head}) from the .npz; the head is new.\n\
         # 사전학습된 몸체(헤드 {head}번 층 제외)를 불러오고 헤드는 새로 초기화.\n\
         body = {{k[len(\"backbone.\"):]: torch.from_numpy(arrays[k]) for k in arrays.files if k.startswith(\"backbone.\")}}\n\
         missing, unexpected = model.load_state_dict(body, strict=False)\n\
         assert not unexpected and all(k.startswith(\"{head}.\") or k.endswith(\"num_batches_tracked\") for k in missing), (missing, unexpected)\n",
        head = b.head
    );
    if b.strategy == Strategy::MeanVar {
        out += "# Mean Var (Raghu et al. 2019): every parameter re-drawn i.i.d. from N(mean, std²) of its own values:\n\
                # the pretrained scale stays, the learned structure goes. / 평균·분산만 남기고 다시 뽑기.\n\
                with torch.no_grad():\n    \
                for p in model.parameters():\n        \
                mean, std = p.mean(), p.std(unbiased=False)\n        \
                p.copy_(torch.randn_like(p) * std + mean)\n";
    }
    out
}

/// Everything a script is made of (one renderer for every kind of run).
struct Plan<'a> {
    title: String,
    settings: &'a Settings,
    naming: &'a Naming,
    model: &'a Model,
    init: InitConfig,
    preprocess: Preprocess,
    /// The digits file's FNV-1a hash of pixels and labels, or None for the `.npz`.
    digits_hash: Option<u32>,
    npz_file: Option<String>,
    split: &'a Split,
    measured: Option<(Vec<usize>, Vec<usize>)>,
    augmentation: Option<String>,
    batch: usize,
    steps: usize,
    every: usize,
    seed: u64,
    /// The playground's divergence limit on the training loss (None: the run is never stopped).
    limit: Option<f64>,
    /// A pretrained body loaded from the `.npz` (the transfer lab).
    backbone: Option<Backbone>,
}

/// How a transfer cell starts from the zoo model.
struct Backbone {
    strategy: Strategy,
    /// The head's layer index (not loaded: a new head for the target's classes).
    head: usize,
}

const HEADER_NOTES: &str = "\
# What agrees exactly with the page / 페이지와 정확히 같은 것:
#   the model, the data split (index lists below), the preprocessing, the measured subsets, the hyper-parameters,
#   the batch size, the number of steps and the measurement points.
#   모델, 데이터 분할(아래 인덱스 목록), 전처리, 측정에 쓰는 부분집합, 하이퍼파라미터, 배치 크기, 스텝 수, 측정 시점.
# What cannot be bit-identical / 비트 단위로 같을 수 없는 것:
#   PyTorch's random numbers differ from the playground's (Xoshiro256++): initial weights, the batches' order,
#   dropout masks and augmentation draws differ, so the curves agree within the spread of seeds, not exactly
#   (`make test-torch` checks the final validation accuracy against the page's runs over several seeds).
#   PyTorch의 난수는 플레이그라운드의 난수(Xoshiro256++)와 다르므로 초기 가중치, 배치 순서, 드롭아웃 마스크,
#   증강 값이 달라집니다. 곡선은 정확히가 아니라 시드에 따른 편차 안에서 일치합니다.
# Run / 실행: python3 SCRIPT.py [--seed N] [--steps N] [--save model.safetensors]
";

impl Plan<'_> {
    fn render(&self) -> Result<String> {
        let input = self.model.input_shape();
        let file = format!("{}.py", self.naming.name);
        let mut out = format!(
            "#!/usr/bin/env python3\n\
             # {title}\n\
             # CNN Playground: this run as a PyTorch script / 이 실행을 PyTorch 스크립트로 ({file})\n",
            title = self.title
        );
        if !self.naming.link.is_empty() {
            out += &format!("# The page's link / 페이지 링크: {}\n", self.naming.link);
        }
        out += "# The page's settings / 페이지 설정:\n";
        out += &settings_comment(self.settings);
        out += &HEADER_NOTES.replace("SCRIPT", &self.naming.name);
        out += "\nimport argparse\n\nimport numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n";
        out += &format!(
            "SEED = {seed}\nBATCH_SIZE = {batch}\nSTEPS = {steps}  # training steps (batches) / 학습 스텝 수\n\
             VAL_EVERY = {every}  # measured at step 0, every VAL_EVERY steps and at the last step / 측정 시점\n\
             DIVERGED = {limit}  # a training loss above this (or not finite) ends the run, as on the page\n\n",
            seed = self.seed,
            batch = self.batch,
            steps = self.steps,
            every = self.every,
            limit = self.limit.map_or_else(|| "float(\"inf\")  # never stopped in this view".into(), py),
        );
        out += "parser = argparse.ArgumentParser(description=__doc__)\n\
                parser.add_argument(\"--seed\", type=int, default=SEED)\n\
                parser.add_argument(\"--steps\", type=int, default=STEPS, help=\"a shorter schedule for a quick check\")\n\
                parser.add_argument(\"--save\", default=\"model.safetensors\", help=\"the weights, for the playground\")\n\
                args = parser.parse_args()\n\
                torch.manual_seed(args.seed)\n\n\n";
        // Data.
        out += "# --- Data / 데이터 ---\n";
        match (self.digits_hash, &self.npz_file) {
            (Some(hash), _) => {
                out += &format!(
                    "# The UCI optical digits (CC BY 4.0), the same 1,797 images in the same order as the playground's\n\
                     # www/data/digits.bin: index i here is image i there. / 플레이그라운드의 digits.bin과 같은 순서.\n\
                     from sklearn.datasets import load_digits\n\n\
                     digits = load_digits()\n\
                     RAW = digits.images  # N×8×8, values 0 … 16\n\
                     LABELS = torch.as_tensor(digits.target, dtype=torch.int64)\n\n\n\
                     def fnv1a32(data):\n    \
                     h = 0x811C9DC5\n    \
                     for b in data:\n        \
                     h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF\n    \
                     return h\n\n\n\
                     # The same bytes as the playground's file (pixels, then labels) / 같은 데이터인지 확인\n\
                     assert fnv1a32(digits.data.astype(np.uint8).tobytes() + digits.target.astype(np.uint8).tobytes()) == {hash:#010x}, \\\n    \
                     \"scikit-learn's digits differ from the playground's\"\n\n"
                );
            }
            (None, Some(npz)) => {
                out += &format!(
                    "# Generated by the playground, saved beside this script / 플레이그라운드가 만든 데이터: {npz}\n\
                     # x: N×C×H×W float32 in [0, 1], y: N labels.\n\
                     arrays = np.load({npz:?})\n\
                     RAW = arrays[\"x\"]\n\
                     LABELS = torch.as_tensor(arrays[\"y\"], dtype=torch.int64)\n\n"
                );
            }
            (None, None) => return Err(Error::coded("data", "missing", "a script needs its data")),
        }
        out += &preprocess_code(&self.preprocess, input);
        out += "\n\nX = preprocess(RAW)  # every image once, as the playground's data set holds them\n\n";
        out += "# The playground's split: per class, the indices shuffled by its seeded RNG, a quarter for validation,\n\
                # then at most per_class for training (src/data/split.rs). Written out, as PyTorch's RNG differs.\n\
                # 플레이그라운드의 분할(클래스별, 시드 고정): 인덱스 목록 그대로.\n";
        out += &py_list("TRAIN", &self.split.train);
        out += &py_list("VAL", &self.split.val);
        match &self.measured {
            Some((t, v)) => {
                out += &format!(
                    "# Between the steps the page measures fixed subsets of at most {MEASURE_N} images per part, and\n\
                     # every image at the last step. / 중간 측정은 고정된 부분집합, 마지막 스텝은 전체.\n"
                );
                out += &py_list("MEASURE_TRAIN", t);
                out += &py_list("MEASURE_VAL", v);
            }
            None => out += "MEASURE_TRAIN, MEASURE_VAL = TRAIN, VAL  # every image at every measurement\n",
        }
        // Model.
        out += "\n\n# --- Model / 모델 ---\n# The indices are the state_dict names the playground loads (0.weight, …).\nmodel = ";
        out += &sequential_code(self.model);
        out += "\n\n\n";
        out += &init_code(self.model, &self.init)?;
        if let Some(b) = &self.backbone {
            out += &backbone_code(b);
        }
        let frozen: Vec<usize> = (0..self.model.plans().len())
            .filter(|&i| self.model.param(&format!("{i}.weight")).is_some_and(|p| !p.trainable))
            .collect();
        if frozen.is_empty() {
            out += "FROZEN = []  # every layer trains / 모든 층을 학습\n";
        } else {
            out += &format!(
                "# Frozen layers keep their weights: requires_grad_(False), and a frozen BatchNorm stays in eval mode.\n\
                 # 고정된 층: 가중치를 학습하지 않음.\nFROZEN = {frozen:?}\n\
                 for i in FROZEN:\n    model[i].requires_grad_(False)\n"
            );
        }
        out += "\n\n# --- Optimizer / 옵티마이저 ---\n";
        out += &optimizer_code(&self.model.config().optimizer);
        // Augmentation.
        out += "\n\n# --- Augmentation / 증강 ---\n";
        match &self.augmentation {
            Some(code) => {
                out += "# Applied to each training image of a batch, never to the measured images.\n\
                        # 학습 배치의 각 이미지에만 적용 (측정에는 적용하지 않음).\n";
                out += code;
            }
            None => out += "transform = None  # no augmentation / 증강 없음\n",
        }
        out += LOOP;
        let _ = input;
        Ok(out)
    }
}

const LOOP: &str = r##"

# --- Training / 학습 ---
def train_mode():
    """Training mode (dropout on, BatchNorm on the batch), frozen BatchNorm layers on their running statistics."""
    model.train()
    for i in FROZEN:
        if isinstance(model[i], (nn.BatchNorm1d, nn.BatchNorm2d)):
            model[i].eval()


@torch.no_grad()
def measure(indices):
    """Mean loss and accuracy in eval mode, without augmentation / 평가 모드의 평균 손실과 정확도."""
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(indices), 500):
        idx = torch.as_tensor(indices[start:start + 500])
        out = model(X[idx])
        loss += F.cross_entropy(out, LABELS[idx], reduction="sum").item()
        correct += (out.argmax(dim=1) == LABELS[idx]).sum().item()
    return loss / len(indices), correct / len(indices)


def batches():
    """Each epoch visits TRAIN in a new shuffled order, BATCH_SIZE at a time; the last batch of an epoch may be
    shorter (batches never straddle epochs), as the playground's batcher."""
    generator = torch.Generator().manual_seed(args.seed)
    while True:
        order = torch.randperm(len(TRAIN), generator=generator).tolist()
        for start in range(0, len(order), BATCH_SIZE):
            yield [TRAIN[k] for k in order[start:start + BATCH_SIZE]]


def row(step, last):
    train_loss, train_acc = measure(TRAIN if last else MEASURE_TRAIN)
    val_loss, val_acc = measure(VAL if last else MEASURE_VAL)
    print(f"{step}\t{train_loss:.6f}\t{train_acc:.6f}\t{val_loss:.6f}\t{val_acc:.6f}", flush=True)


print("step\ttrain_loss\ttrain_acc\tval_loss\tval_acc")
row(0, args.steps == 0)
feed = batches()
for step in range(1, args.steps + 1):
    train_mode()
    idx = next(feed)
    x = X[torch.as_tensor(idx)]
    if transform is not None:
        x = torch.stack([transform(img) for img in x])
    loss = F.cross_entropy(model(x), LABELS[torch.as_tensor(idx)])
    if not loss.item() <= DIVERGED:
        print(f"# diverged at step {step}: loss {loss.item():.3g} > {DIVERGED:.3g} / 발산")
        raise SystemExit(1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    if step == args.steps or step % VAL_EVERY == 0:
        row(step, step == args.steps)

# The weights with the playground's names (the whole state_dict: BatchNorm's running statistics and batch counter
# included), to load on the page. / 플레이그라운드에서 불러올 수 있는 가중치.
from safetensors.torch import save_file  # noqa: E402

state = {k: v.contiguous() for k, v in model.state_dict().items()}
save_file(state, args.save)
"##;

/// The script of a Train panel run (its settings, module docs); `digits` is www/data/digits.bin for `data=digits`.
pub fn train_script(s: &Settings, digits: Option<&[u8]>, naming: &Naming) -> Result<Script> {
    naming.check()?;
    let c = TrainConfig::from_settings(s)?;
    let (data, split, preprocess) = c.data(digits)?;
    let model = c.build_model()?;
    let total = (c.epochs * split.train.len()).div_ceil(c.batch).max(1);
    let (digits_hash, npz) = match (preprocess.source, digits) {
        (Source::Digits, Some(bytes)) => (Some(crate::data::digits::fnv1a32(&bytes[16..])), None),
        _ => {
            let shape = vec![data.len(), data.channels(), data.height(), data.width()];
            let labels = data.labels().iter().map(|&l| l as i64).collect();
            let bytes = npz::npz(&[
                Array { name: "x".into(), shape, values: Values::F32(data.images().to_vec()) },
                Array { name: "y".into(), shape: vec![data.len()], values: Values::I64(labels) },
            ])?;
            (None, Some((format!("{}.npz", naming.name), bytes)))
        }
    };
    let measured =
        Some((measure_subset(&split.train, MEASURE_N, c.seed, 1), measure_subset(&split.val, MEASURE_N, c.seed, 2)));
    let augmentation = (!c.pipeline.steps.is_empty()).then(|| torchvision(&c.pipeline, (data.height(), data.width())));
    let plan = Plan {
        title: format!("Train: model {} on {}", c.model.spec, if c.digits { "the UCI digits" } else { "symbols" }),
        settings: s,
        naming,
        init: c.model.init.unwrap_or_else(|| default_init(&c.model.spec)),
        model: &model,
        preprocess,
        digits_hash,
        npz_file: npz.as_ref().map(|(f, _)| f.clone()),
        split: &split,
        measured,
        augmentation,
        batch: c.batch,
        steps: total,
        every: VAL_EVERY,
        seed: c.seed,
        limit: Some(super::train::DIVERGED_FACTOR * (model.classes() as f64).ln()),
        backbone: None,
    };
    Ok(Script { file: format!("{}.py", naming.name), text: plan.render()?, npz })
}

/// The script of one transfer-lab cell (its settings as `Cell::open` reads them, on its target's data set and
/// split): the target's images and labels and the zoo model's pretrained body go into the `.npz`; the strategy's
/// freezing, Mean Var re-draw and optimizer are written out. One call of the script is one repeat: repeat r of the
/// page is `--seed r` here in spirit (the seeds themselves cannot match, module docs).
pub fn cell_script(
    s: &Settings,
    data: &crate::data::Dataset,
    split: &Split,
    preprocess: Preprocess,
    naming: &Naming,
) -> Result<Script> {
    naming.check()?;
    let c = super::transfer::CellConfig::from_settings(s)?;
    let classes = data.classes();
    let seed = crate::rng::derive(c.seed, &[0]);
    let model = super::transfer::strategy_model_with(
        &c.spec,
        crate::transfer::zoo::INPUT,
        c.weights.as_deref().unwrap_or(&[]),
        classes,
        c.strategy,
        c.k,
        c.optimizer,
        seed,
    )?;
    let head = model.weight_layers().last().copied().unwrap_or(0);
    let shape = vec![data.len(), data.channels(), data.height(), data.width()];
    let labels = data.labels().iter().map(|&l| l as i64).collect();
    let mut arrays = vec![
        Array { name: "x".into(), shape, values: Values::F32(data.images().to_vec()) },
        Array { name: "y".into(), shape: vec![data.len()], values: Values::I64(labels) },
    ];
    if c.strategy.uses_pretrained() {
        // The body as loaded (before Mean Var's re-draw, which the script repeats): a fine-tuning model's state.
        let body = super::transfer::strategy_model_with(
            &c.spec,
            crate::transfer::zoo::INPUT,
            c.weights.as_deref().unwrap_or(&[]),
            classes,
            Strategy::Finetune,
            c.k,
            c.optimizer,
            seed,
        )?;
        for t in body.state_dict() {
            if let (StateValues::F32(v), false) = (t.values, t.name.starts_with(&format!("{head}."))) {
                arrays.push(Array {
                    name: format!("backbone.{}", t.name),
                    shape: t.shape.clone(),
                    values: Values::F32(v.to_vec()),
                });
            }
        }
    }
    let npz_file = format!("{}.npz", naming.name);
    let bytes = npz::npz(&arrays)?;
    let plan = Plan {
        title: format!("Transfer: strategy {} on model {}", c.strategy.name(), c.spec),
        settings: s,
        naming,
        init: default_init(&model.config().spec),
        model: &model,
        preprocess,
        digits_hash: None,
        npz_file: Some(npz_file.clone()),
        split,
        measured: None,
        augmentation: None,
        batch: c.batch,
        steps: c.steps,
        every: c.every,
        seed: c.seed,
        limit: None,
        backbone: Some(Backbone { strategy: c.strategy, head }),
    };
    Ok(Script { file: format!("{}.py", naming.name), text: plan.render()?, npz: Some((npz_file, bytes)) })
}
