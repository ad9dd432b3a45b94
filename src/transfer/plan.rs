//! The transfer lab's experiment in numbers, in one place: the four target tasks (data set size × similarity to the
//! source), the five strategies with their learning rates, the step budgets, the repeats, and the init view's
//! schedules. The page reads it through `transfer_plan()`; the native runner and the tests use it directly.
//!
//! # The lecture's advice (what `recommended` encodes)
//! | | similar to the source | different from the source |
//! | --- | --- | --- |
//! | small | freeze the convolutional base, train the head (`head`) | train some layers, freeze the rest (`freeze_k`) |
//! | large | train some layers, freeze the rest (`freeze_k`) | train everything (`finetune`) |
//!
//! # Targets
//! Every target has [`TARGET_CLASSES`] classes and [`PER_CLASS`] generated images per class, a fifth of each class
//! held out for validation (the same 20 images per class whatever the size); `small` trains on [`SMALL_PER_CLASS`]
//! images per class, `large` on the remaining 80. *Similar*: the source's family and style, new symbols
//! (`first_class` past the source's classes) and new examples (another seed). *Different*: another family (other
//! symbols) of straight lines only, inverted (dark strokes on a light ground): the source's low-level features
//! (bright strokes on black) fit it poorly. Harder variants (double strokes on a grid) left every strategy near
//! chance in the step budget, which teaches nothing.

use crate::data::{Shapes, SplitSpec, SymbolConfig};
use crate::error::{Error, Result};
use crate::nn::optim::OptimizerConfig;
use crate::transfer::zoo;

pub const TARGET_CLASSES: usize = 10;
pub const PER_CLASS: usize = 100;
pub const VAL_FRACTION: f64 = 0.2;
pub const SMALL_PER_CLASS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Small,
    Large,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Similarity {
    Similar,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every layer trains, from the pretrained weights (new head).
    Finetune,
    /// The first k layers with weights frozen at their pretrained values, the rest fine-tuned.
    FreezeK,
    /// The convolutional base frozen, only the (new) head trains.
    Head,
    /// Every layer trains from He initialization.
    Scratch,
    /// Every layer trains from Transfusion's Mean Var initialization of the pretrained weights.
    MeanVar,
}

impl Size {
    pub const ALL: [Size; 2] = [Size::Small, Size::Large];
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

impl Similarity {
    pub const ALL: [Similarity; 2] = [Similarity::Similar, Similarity::Different];
    pub fn name(self) -> &'static str {
        match self {
            Similarity::Similar => "similar",
            Similarity::Different => "different",
        }
    }
}

impl Strategy {
    pub const ALL: [Strategy; 5] =
        [Strategy::Finetune, Strategy::FreezeK, Strategy::Head, Strategy::Scratch, Strategy::MeanVar];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Finetune => "finetune",
            Strategy::FreezeK => "freeze_k",
            Strategy::Head => "head",
            Strategy::Scratch => "scratch",
            Strategy::MeanVar => "mean_var",
        }
    }

    /// The strategy of that name (param `strategy`, code `unknown_value`).
    pub fn parse(text: &str) -> Result<Strategy> {
        Strategy::ALL.iter().copied().find(|s| s.name() == text).ok_or_else(|| {
            let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
            Error::coded("strategy", "unknown_value", format!("{text:?} is not one of {}", names.join(", ")))
        })
    }

    /// Whether it starts from the zoo's weights (Mean Var starts from their statistics).
    pub fn uses_pretrained(self) -> bool {
        !matches!(self, Strategy::Scratch)
    }

    /// What it freezes: `none`, `first_k` (`freeze_first(k)`, k counting the layers with weights) or
    /// `all_but_head` (`freeze_all_but_head`).
    pub fn freeze(self) -> &'static str {
        match self {
            Strategy::FreezeK => "first_k",
            Strategy::Head => "all_but_head",
            Strategy::Finetune | Strategy::Scratch | Strategy::MeanVar => "none",
        }
    }

    /// The optimizer in the `opt=` syntax: fine-tuning pretrained weights uses a lower rate than training from
    /// scratch; the head alone (new weights, nothing below to disturb) trains at the scratch rate.
    pub fn opt(self) -> &'static str {
        match self {
            Strategy::Finetune | Strategy::FreezeK => FINETUNE_OPT,
            Strategy::Head | Strategy::Scratch | Strategy::MeanVar => SCRATCH_OPT,
        }
    }
}

impl Strategy {
    /// The strategy's optimizer ([`Strategy::opt`]) with `ft_lr` as the learning rate of the strategies that
    /// fine-tune pretrained weights at the lower rate (those with [`FINETUNE_OPT`]).
    pub fn optimizer(self, ft_lr: f64) -> Result<OptimizerConfig> {
        let mut opt = OptimizerConfig::parse(self.opt())?;
        if self.opt() == FINETUNE_OPT {
            opt.lr = crate::error::check_range("ft_lr", ft_lr, FT_LR.0, FT_LR.1)?;
        }
        Ok(opt)
    }
}

/// What a frozen BatchNorm layer does while the rest trains on the target (URL parameter `bn_stats`): `frozen` keeps
/// its running statistics and normalizes by them (evaluation behaviour, as `model.eval()` on a frozen backbone in
/// PyTorch, the default); `updated` normalizes by each batch's statistics and moves the running statistics towards
/// the target's (PyTorch's frozen `requires_grad` with the module left in `train()`), γ and β staying fixed. Only
/// zoo models with BatchNorm layers (`small_bn`) and strategies that freeze (`freeze_k`, `head`) are affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BnStats {
    #[default]
    Frozen,
    Updated,
}

impl BnStats {
    pub const ALL: [BnStats; 2] = [BnStats::Frozen, BnStats::Updated];

    pub fn name(self) -> &'static str {
        match self {
            BnStats::Frozen => "frozen",
            BnStats::Updated => "updated",
        }
    }

    /// The setting of that name (param `bn_stats`, code `unknown_value`).
    pub fn parse(text: &str) -> Result<BnStats> {
        BnStats::ALL
            .iter()
            .copied()
            .find(|s| s.name() == text)
            .ok_or_else(|| Error::coded("bn_stats", "unknown_value", format!("{text:?} is not one of frozen, updated")))
    }
}

/// The accepted range of the fine-tuning learning rate (URL parameter `ft_lr`).
pub const FT_LR: (f64, f64) = (1e-6, 1.0);

/// The fine-tuning learning rate of the plan ([`FINETUNE_OPT`]'s).
pub fn finetune_lr() -> f64 {
    OptimizerConfig::parse(FINETUNE_OPT).map_or(0.0, |o| o.lr)
}

pub const SCRATCH_OPT: &str = "sgd(lr0.02_m0.9)";
pub const FINETUNE_OPT: &str = "sgd(lr0.005_m0.9)";

/// One target task.
#[derive(Debug, Clone, PartialEq)]
pub struct Quadrant {
    pub size: Size,
    pub sim: Similarity,
    pub data: SymbolConfig,
    pub split: SplitSpec,
    pub recommended: Strategy,
    /// Steps every strategy trains on this task.
    pub steps: usize,
}

impl Quadrant {
    /// The key of the page's words for this task (`transfer.task.small_similar`).
    pub fn words(&self) -> String {
        format!("transfer.task.{}_{}", self.size.name(), self.sim.name())
    }

    /// How many images its validation set holds (the verdicts' floor): the split of its labels, without drawing
    /// the images.
    pub fn val_size(&self) -> usize {
        let labels: Vec<u32> =
            (0..self.data.classes).flat_map(|c| std::iter::repeat_n(c as u32, self.data.per_class)).collect();
        crate::data::Split::stratified(&labels, self.data.classes, &self.split).map_or(0, |s| s.val.len())
    }
}

/// The target's generator settings.
pub fn target_data(sim: Similarity) -> SymbolConfig {
    let source = zoo::source();
    let base = SymbolConfig { classes: TARGET_CLASSES, per_class: PER_CLASS, seed: 2, ..source };
    match sim {
        Similarity::Similar => SymbolConfig { first_class: source.first_class + source.classes, ..base },
        Similarity::Different => SymbolConfig { family: 1, shapes: Shapes::Lines, invert: true, ..base },
    }
}

/// The lecture's advice for a task (module docs).
pub fn recommended(size: Size, sim: Similarity) -> Strategy {
    match (size, sim) {
        (Size::Small, Similarity::Similar) => Strategy::Head,
        (Size::Large, Similarity::Different) => Strategy::Finetune,
        _ => Strategy::FreezeK,
    }
}

/// The training steps per run: about 10 epochs of the small sets, 2 of the large.
pub fn steps(size: Size) -> usize {
    match size {
        Size::Small => 50,
        Size::Large => 100,
    }
}

pub const BATCH: usize = 16;
/// Validation accuracy is measured at step 0 and every this many steps (the init view and the own-classes view).
pub const EVAL_EVERY: usize = 10;
/// The quadrant experiment measures less often: a validation pass over 200 images costs as much as about 4 training
/// steps of the full net, so at every 10 steps it was a third of the experiment's work; the verdicts read only the
/// final accuracies, which do not depend on it (evaluation draws nothing). BENCHMARKS.md, "Quadrants in 60 s".
pub const QUADRANT_EVERY: usize = 25;
/// Eight repeats, chosen by measurement (BENCHMARKS.md, "Lessons over seeds" and "Eight repeats"): by the 95 % rule
/// the native seeds' repeats 0–2 decided one quadrant, 0–4 three, 0–7 all four; in the page eight decided all four
/// for seeds 42 and 7 and three for seeds 1 and 2026 (small & different's from-scratch runs spread widely), in
/// 40.8 s on a quiet machine (0.68× the 60-s budget).
pub const REPEATS: usize = 8;
/// Repeat r's seed is `rng::derive(SEED, [r])` (see `run::transfer`).
pub const SEED: u64 = 2019;
/// The zoo model the quadrants use unless the person picks another.
pub const DEFAULT_MODEL: &str = "small";
/// The init view: the large similar task, its usual budget and a longer one (does random init catch up?).
pub const INIT_VIEW_STEPS: usize = 100;
pub const INIT_VIEW_LONG_STEPS: usize = 500;
pub const INIT_VIEW_SIZE: Size = Size::Large;
pub const INIT_VIEW_SIM: Similarity = Similarity::Similar;

/// A quadrant's task.
pub fn quadrant(size: Size, sim: Similarity) -> Quadrant {
    let train_per_class = match size {
        Size::Small => Some(SMALL_PER_CLASS),
        Size::Large => None,
    };
    Quadrant {
        size,
        sim,
        data: target_data(sim),
        split: SplitSpec { val_fraction: VAL_FRACTION, train_per_class, seed: 0 },
        recommended: recommended(size, sim),
        steps: steps(size),
    }
}

/// The four tasks, small similar first, row by row.
pub fn quadrants() -> Vec<Quadrant> {
    Size::ALL.iter().flat_map(|&size| Similarity::ALL.iter().map(move |&sim| quadrant(size, sim))).collect()
}

/// The default k of `freeze_k` for a model with `weight_layers` layers with weights: half of them (rounded down,
/// at least 1), so the lower half stays at its pretrained values.
pub fn default_k(weight_layers: usize) -> usize {
    (weight_layers / 2).max(1)
}
