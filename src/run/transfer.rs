//! The transfer lab's runs: a cell (one strategy on one target, over repeats), the quadrant experiment over every
//! task and strategy with its verdict (did the lecture's advice hold?), and a zoo model's pretraining in the page.
//! One strategy implementation ([`strategy_model`]) serves the page's cells, the native experiment, the tests and
//! the benchmarks.
//!
//! # Seeds
//! Repeat r of a cell with seed s uses s_r = `derive(s, [r])` for the new head's (or, from scratch, every layer's)
//! initialization and the batches' order, and `derive(s_r, [1])` for the Mean Var draws; the task's data are the
//! same in every repeat. The quadrant experiment's cells use s = [`plan::SEED`] ([`repeat_seed`]).
//!
//! # Agrees?
//! The recommended strategy's final accuracies are compared with each other strategy's by the one verdict rule
//! ([`crate::verdict::compare`]: Welch's t at 95 %, floored by the validation set's binomial error). The task agrees
//! with the lecture (`yes`) when the advised strategy beats training from scratch and no strategy beats it; `no` when
//! some strategy beats it; `undecided` otherwise (it ties with scratch and nothing beats it).

use super::{Kind, Settings, blame};
use crate::augment::Pipeline;
use crate::data::{Dataset, Split};
use crate::error::Error;
use crate::error::Result;
use crate::feed::{Feed, Part};
use crate::nn::export::{Preprocess, pytorch_code};
use crate::nn::model::{Model, ModelConfig};
use crate::nn::optim::OptimizerConfig;
use crate::nn::safetensors::to_safetensors;
use crate::nn::spec::{LayerSpec, MAX_BATCH, MAX_LAYERS};
use crate::nn::spec::{ModelSpec, Shape};
use crate::rng;
use crate::transfer::plan::{self, Quadrant, Strategy};
use crate::transfer::zoo::{self, Pretraining};
use crate::transfer::{LayerChange, layer_change};
use crate::transfer::{load_backbone, reinit_mean_var, with_head};

use crate::verdict::{self, Outcome};
use std::rc::Rc;

/// A target task's data and split, generated from its plan.
pub fn task_data(q: &Quadrant) -> Result<(Rc<Dataset>, Rc<Split>)> {
    let data = q.data.generate()?;
    let split = Split::stratified(data.labels(), data.classes(), &q.split)?;
    Ok((Rc::new(data), Rc::new(split)))
}

/// The seed of repeat `repeat`.
pub fn repeat_seed(repeat: usize) -> u64 {
    rng::derive(plan::SEED, &[repeat as u64])
}

/// A model ready to train with a strategy, at the plan's learning rates (see [`strategy_model_with`]).
pub fn strategy_model(
    spec: &ModelSpec,
    input: Shape,
    weights: &[u8],
    classes: usize,
    strategy: Strategy,
    k: usize,
    seed: u64,
) -> Result<Model> {
    let opt = strategy.optimizer(plan::finetune_lr())?;
    strategy_model_with(spec, input, weights, classes, strategy, k, opt, seed)
}

/// A model ready to train with a strategy: the zoo model's spec with a head for `classes`, He-initialized from
/// `seed`, then (unless from scratch) the pretrained body loaded from `weights`, Mean Var re-drawn from
/// `derive(seed, [1])`, and the layers frozen the strategy freezes (`k` for `freeze_k`; param `k`, code
/// `out_of_range` past the model's layers with weights).
#[allow(clippy::too_many_arguments)]
pub fn strategy_model_with(
    spec: &ModelSpec,
    input: Shape,
    weights: &[u8],
    classes: usize,
    strategy: Strategy,
    k: usize,
    optimizer: OptimizerConfig,
    seed: u64,
) -> Result<Model> {
    let mut model = Model::new(ModelConfig { spec: with_head(spec, classes)?, input, init: None, optimizer, seed })?;
    if strategy.uses_pretrained() {
        load_backbone(&mut model, weights)?;
    }
    match strategy {
        Strategy::MeanVar => reinit_mean_var(&mut model, rng::derive(seed, &[1]))?,
        Strategy::FreezeK => model.freeze_first(k)?,
        Strategy::Head => model.freeze_all_but_head()?,
        Strategy::Finetune | Strategy::Scratch => {}
    }
    Ok(model)
}

/// Sets what the model's frozen BatchNorm layers do in training ([`plan::BnStats`]); nothing for a model without
/// BatchNorm.
pub fn set_bn_stats(model: &mut Model, bn_stats: plan::BnStats) -> Result<()> {
    let bn: Vec<usize> =
        (0..model.plans().len()).filter(|&i| matches!(model.plans()[i].spec, LayerSpec::BatchNorm)).collect();
    for i in bn {
        model.set_bn_batch_stats_when_frozen(i, bn_stats == plan::BnStats::Updated)?;
    }
    Ok(())
}

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// (step, validation accuracy) at step 0 and every [`plan::EVAL_EVERY`] steps, and at the end.
    pub curve: Vec<(usize, f64)>,
    pub final_acc: f64,
    pub trainable_params: usize,
    pub steps: usize,
}

/// One repeat's feed: batches of `batch` from the training part, no augmentation, shuffled from the repeat's seed.
struct Repeat {
    feed: Feed,
    done: usize,
}

impl Repeat {
    fn new(model: &Model, data: &Rc<Dataset>, split: &Rc<Split>, batch: usize, seed: u64) -> Result<Repeat> {
        let feed = Feed::new(data.clone(), split.clone(), batch, Pipeline::default(), seed)?;
        feed.check_model(model)?;
        Ok(Repeat { feed, done: 0 })
    }

    fn train(&mut self, model: &mut Model, n: usize) -> Result<()> {
        self.feed.train_steps(model, n)?;
        self.done += n;
        Ok(())
    }

    fn measure(&mut self, model: &mut Model) -> Result<crate::nn::model::Evaluation> {
        self.feed.evaluate(model, Part::Val)
    }
}

/// Trains `model` for `steps` on the task's training part (batches of [`plan::BATCH`], no augmentation, shuffled
/// from `seed`), measuring validation accuracy at step 0 and every [`plan::EVAL_EVERY`] steps.
pub fn train_run(
    model: &mut Model,
    data: &Rc<Dataset>,
    split: &Rc<Split>,
    steps: usize,
    seed: u64,
) -> Result<RunResult> {
    let mut run = Repeat::new(model, data, split, plan::BATCH, seed)?;
    let mut curve = vec![(0, run.measure(model)?.accuracy)];
    while run.done < steps {
        run.train(model, plan::EVAL_EVERY.min(steps - run.done))?;
        curve.push((run.done, run.measure(model)?.accuracy));
    }
    let final_acc = curve.last().map_or(0.0, |c| c.1);
    Ok(RunResult { curve, final_acc, trainable_params: model.trainable_param_count(), steps })
}

/// Mean and sample standard deviation (0 for one value).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var.sqrt())
}

/// Whether a task's runs agreed with the lecture's advice (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agrees {
    Yes,
    No,
    Undecided,
}

impl Agrees {
    pub fn name(self) -> &'static str {
        match self {
            Agrees::Yes => "yes",
            Agrees::No => "no",
            Agrees::Undecided => "undecided",
        }
    }
}

/// The advised strategy against every other on one task: whether it agreed, and each comparison (advised = arm a),
/// from scratch first, then the others in [`Strategy::ALL`]'s order.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub agrees: Agrees,
    pub against: Vec<(Strategy, verdict::Verdict)>,
}

/// Judges a task (module docs): `finals` holds every strategy's final accuracies (one per repeat), `val_size` the
/// validation images they were measured on. Errors as [`verdict::compare`] does, and (param `strategy`, code
/// `missing`) when the advised strategy or from-scratch has no runs.
pub fn judge(recommended: Strategy, finals: &[(Strategy, &[f64])], val_size: usize) -> Result<Judgement> {
    let of = |s: Strategy| finals.iter().find(|f| f.0 == s).map(|f| f.1);
    let missing = |s: Strategy| Error::coded("strategy", "missing", format!("no runs of {}", s.name()));
    let advised = of(recommended).ok_or_else(|| missing(recommended))?;
    of(Strategy::Scratch).ok_or_else(|| missing(Strategy::Scratch))?;
    let mut order: Vec<Strategy> = vec![Strategy::Scratch];
    order.extend(
        Strategy::ALL.iter().copied().filter(|&s| s != Strategy::Scratch && s != recommended && of(s).is_some()),
    );
    let mut against = Vec::new();
    for s in order.into_iter().filter(|&s| s != recommended) {
        against.push((s, verdict::compare(advised, of(s).unwrap_or_default(), val_size)?));
    }
    let beaten = against.iter().any(|(_, v)| v.outcome == Outcome::Worse);
    let beats_scratch = against.iter().any(|(s, v)| *s == Strategy::Scratch && v.outcome == Outcome::Better);
    let agrees = if beaten {
        Agrees::No
    } else if beats_scratch {
        Agrees::Yes
    } else {
        Agrees::Undecided
    };
    Ok(Judgement { agrees, against })
}

/// One strategy on one task over the repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub size: plan::Size,
    pub sim: plan::Similarity,
    pub strategy: Strategy,
    /// Final validation accuracy of each repeat.
    pub finals: Vec<f64>,
    pub trainable_params: usize,
    pub steps: usize,
    /// Time of all its repeats by the caller's clock (seconds).
    pub seconds: f64,
}

/// One task's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskVerdict {
    pub size: plan::Size,
    pub sim: plan::Similarity,
    pub recommended: Strategy,
    pub judgement: Judgement,
}

/// The whole quadrant experiment from a zoo model (`spec` with its source head, `weights` its file): every task of
/// the plan × every strategy × `repeats`, `k` for `freeze_k`, validation `every` so many steps (the page's
/// [`plan::QUADRANT_EVERY`]), `bn_stats` for the frozen BatchNorm layers, each strategy a [`Cell`] of the plan's
/// settings.
/// `clock()` gives seconds (for the rows' times); `progress(done, total)` is called after every repeat.
#[allow(clippy::too_many_arguments)]
pub fn experiment(
    spec: &ModelSpec,
    weights: &[u8],
    k: usize,
    repeats: usize,
    every: usize,
    bn_stats: plan::BnStats,
    clock: &mut dyn FnMut() -> f64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<Row>, Vec<TaskVerdict>)> {
    let quadrants = plan::quadrants();
    let total = quadrants.len() * Strategy::ALL.len() * repeats;
    let (mut rows, mut verdicts, mut done) = (Vec::new(), Vec::new(), 0);
    for q in &quadrants {
        let (data, split) = task_data(q)?;
        let first = rows.len();
        for &strategy in &Strategy::ALL {
            let t0 = clock();
            let config = CellConfig {
                spec: with_head(spec, data.classes())?,
                weights: Some(weights.to_vec()),
                strategy,
                k,
                optimizer: strategy.optimizer(plan::finetune_lr())?,
                steps: q.steps,
                every,
                batch: plan::BATCH,
                repeats,
                seed: plan::SEED,
                layer_change: false,
                keep: None,
                bn_stats,
            };
            let mut cell = Cell::new(config, data.clone(), split.clone(), Preprocess::none(zoo::INPUT))?;
            let result = loop {
                match cell.step(clock)? {
                    CellEvent::Point(p, _) if p.step == q.steps => {
                        done += 1;
                        progress(done, total);
                    }
                    CellEvent::Point(..) => {}
                    CellEvent::End(result) => break result,
                }
            };
            let seconds = clock() - t0;
            rows.push(Row {
                size: q.size,
                sim: q.sim,
                strategy,
                finals: result.finals,
                trainable_params: result.trainable,
                steps: q.steps,
                seconds,
            });
        }
        let finals: Vec<(Strategy, &[f64])> = rows[first..].iter().map(|r| (r.strategy, r.finals.as_slice())).collect();
        let judgement = judge(q.recommended, &finals, split.val.len())?;
        verdicts.push(TaskVerdict { size: q.size, sim: q.sim, recommended: q.recommended, judgement });
    }
    Ok((rows, verdicts))
}

// ------------------------------------------------------------------ the cell

/// The most training steps and repeats a cell takes.
pub const MAX_CELL_STEPS: f64 = 100_000.0;
pub const MAX_REPEATS: f64 = 10.0;

/// A cell's settings (the page builds them from the transfer lab's URL parameters and the plan; the target's data
/// set comes beside them). `model` and `weights` are the zoo model's (errors about them name `zoo`).
pub const CELL_KEYS: [(&str, Kind); 13] = [
    ("model", Kind::Text),
    ("weights", Kind::Bytes),
    ("strategy", Kind::Text),
    ("k", Kind::Number),
    ("ft_lr", Kind::Number),
    ("steps", Kind::Number),
    ("every", Kind::Number),
    ("batch", Kind::Number),
    ("repeats", Kind::Number),
    ("seed", Kind::Number),
    ("layerChange", Kind::Bool),
    ("keep", Kind::Text),
    ("bn_stats", Kind::Text),
];

/// A cell, checked.
#[derive(Debug, Clone)]
pub struct CellConfig {
    /// The zoo model with the target's head.
    pub spec: ModelSpec,
    /// The zoo model's weights (`None` only for `scratch`).
    pub weights: Option<Vec<u8>>,
    pub strategy: Strategy,
    pub k: usize,
    pub optimizer: OptimizerConfig,
    pub steps: usize,
    /// Validation is measured at step 0 and every this many steps.
    pub every: usize,
    pub batch: usize,
    pub repeats: usize,
    pub seed: u64,
    /// Report ‖ΔW‖/‖W₀‖ per layer (mean over repeats).
    pub layer_change: bool,
    /// Keep the last repeat's weights and the PyTorch code that loads them from this file name.
    pub keep: Option<String>,
    /// What frozen BatchNorm layers do in training.
    pub bn_stats: plan::BnStats,
}

fn to_zoo(mut e: Error) -> Error {
    if e.param == "weights" || e.param == "model" {
        e.param = "zoo".into();
    }
    e
}

impl CellConfig {
    /// Reads and checks a cell's settings: every error names the setting at fault (`zoo` for the model and its
    /// weights, `k` for a freeze count past the model's layers).
    pub fn from_settings(s: &Settings) -> Result<CellConfig> {
        s.check_keys("the transfer cell", &CELL_KEYS)?;
        let at = |e: Error, key: &str| Error { param: key.into(), ..e };
        let spec = ModelSpec::parse(s.text("model")?.unwrap_or(zoo::RECIPES[0].spec)).map_err(|e| at(e, "zoo"))?;
        let strategy = Strategy::parse(s.text("strategy")?.unwrap_or("finetune"))?;
        let weights = s.bytes("weights").map_err(to_zoo)?.map(<[u8]>::to_vec);
        if strategy.uses_pretrained() && weights.is_none() {
            return Err(Error::coded("zoo", "missing", "this strategy starts from the zoo model's weights"));
        }
        let k = s.whole("k", 0.0, MAX_LAYERS as f64)?.unwrap_or(1) as usize;
        let optimizer = strategy.optimizer(s.number("ft_lr")?.unwrap_or_else(plan::finetune_lr))?;
        let steps = s.whole("steps", 1.0, MAX_CELL_STEPS)?.unwrap_or(plan::steps(plan::Size::Small) as u64) as usize;
        let every = s.whole("every", 1.0, MAX_CELL_STEPS)?.unwrap_or(plan::EVAL_EVERY as u64) as usize;
        let batch = s.whole("batch", 1.0, MAX_BATCH as f64)?.unwrap_or(plan::BATCH as u64) as usize;
        let repeats = s.whole("repeats", 1.0, MAX_REPEATS)?.unwrap_or(plan::REPEATS as u64) as usize;
        let seed = s.whole("seed", 0.0, super::MAX_SEED)?.unwrap_or(plan::SEED);
        let layer_change = s.flag("layerChange")?.unwrap_or(false);
        let keep = s.text("keep")?.map(str::to_string);
        let bn_stats = s.text("bn_stats")?.map(plan::BnStats::parse).transpose()?.unwrap_or_default();
        Ok(CellConfig {
            spec,
            weights,
            strategy,
            k,
            optimizer,
            steps,
            every,
            batch,
            repeats,
            seed,
            layer_change,
            keep,
            bn_stats,
        })
    }

    /// The model of repeat `seed` for `classes` (errors put at the setting at fault).
    fn model(&self, classes: usize, seed: u64) -> Result<Model> {
        let weights = self.weights.as_deref().unwrap_or(&[]);
        let mut model =
            strategy_model_with(&self.spec, zoo::INPUT, weights, classes, self.strategy, self.k, self.optimizer, seed)
                .map_err(|e| blame(to_zoo(e), &CELL_KEYS, "zoo"))?;
        set_bn_stats(&mut model, self.bn_stats)?;
        Ok(model)
    }
}

/// The output count of a spec's head (its last layer, if dense).
fn head_classes(spec: &ModelSpec) -> Option<usize> {
    match spec.layers.last() {
        Some(LayerSpec::Dense { out }) => Some(*out),
        _ => None,
    }
}

/// What a step of a cell costs: trainable and all parameters, training FLOPs per step of a batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub trainable: usize,
    pub params: usize,
    pub flops: f64,
}

/// Checks a cell's settings as opening it would (the freeze count against the depth, the weights against the
/// spec) and returns what a step of it costs.
pub fn check_cell(s: &Settings) -> Result<Cost> {
    let c = CellConfig::from_settings(s)?;
    let classes = head_classes(&c.spec).unwrap_or(0);
    let model = c.model(classes, rng::derive(c.seed, &[0]))?;
    Ok(cost(&model, c.batch))
}

fn cost(model: &Model, batch: usize) -> Cost {
    Cost {
        trainable: model.trainable_param_count(),
        params: model.param_count(),
        flops: model.flops().training * batch as f64,
    }
}

/// A validation measurement of a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub repeat: usize,
    pub step: usize,
    pub val_acc: f64,
    pub val_loss: f64,
}

/// What a cell hands back at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    pub strategy: Strategy,
    /// Every repeat's measurements.
    pub curves: Vec<Vec<Point>>,
    /// Every repeat's last validation accuracy.
    pub finals: Vec<f64>,
    pub trainable: usize,
    pub params: usize,
    pub flops: f64,
    /// Training time per step by the caller's clock (seconds; measurements left out).
    pub seconds_per_step: f64,
    pub steps: usize,
    pub repeats: usize,
    /// Each layer's mean relative change over the repeats (with `layer_change`).
    pub layer_change: Option<Vec<LayerChange>>,
    /// The last repeat's weights and their PyTorch code (with `keep`).
    pub weights: Option<Vec<u8>>,
    pub code: Option<String>,
}

/// What a step of a cell returns: a measurement with (training steps done, in all), or the result.
#[derive(Debug, Clone, PartialEq)]
pub enum CellEvent {
    Point(Point, (usize, usize)),
    End(Box<CellResult>),
}

/// The repeat in training.
struct Live {
    model: Model,
    run: Repeat,
    /// The start's weights (safetensors), for the layer change.
    reference: Option<Vec<u8>>,
}

/// One strategy on one target over repeats (module docs, "Seeds"). A step builds a repeat's model and measures
/// step 0, or trains up to the next multiple of `every` and measures; the step after the last repeat ends it.
pub struct Cell {
    config: CellConfig,
    data: Rc<Dataset>,
    split: Rc<Split>,
    preprocess: Preprocess,
    repeat: usize,
    live: Option<Live>,
    curves: Vec<Vec<Point>>,
    changes: Vec<Vec<LayerChange>>,
    cost: Option<Cost>,
    train_seconds: f64,
    kept: Option<(Vec<u8>, String)>,
    ended: bool,
}

impl Cell {
    /// A cell from the page's settings on a target's data set (`preprocess`: how its images were made).
    pub fn open(s: &Settings, data: Rc<Dataset>, split: Rc<Split>, preprocess: Preprocess) -> Result<Cell> {
        Cell::new(CellConfig::from_settings(s)?, data, split, preprocess)
    }

    pub fn new(config: CellConfig, data: Rc<Dataset>, split: Rc<Split>, preprocess: Preprocess) -> Result<Cell> {
        let mut cell = Cell {
            config,
            data,
            split,
            preprocess,
            repeat: 0,
            live: None,
            curves: Vec::new(),
            changes: Vec::new(),
            cost: None,
            train_seconds: 0.0,
            kept: None,
            ended: false,
        };
        // The first repeat's model now: a setting that does not fit fails at the open, not at the first step.
        cell.live = Some(cell.start(0)?);
        Ok(cell)
    }

    pub fn config(&self) -> &CellConfig {
        &self.config
    }

    /// Training steps taken, over every repeat so far.
    pub fn steps(&self) -> usize {
        self.repeat.min(self.config.repeats) * self.config.steps + self.live.as_ref().map_or(0, |l| l.run.done)
    }

    fn start(&mut self, repeat: usize) -> Result<Live> {
        let seed = rng::derive(self.config.seed, &[repeat as u64]);
        let model = self.config.model(self.data.classes(), seed)?;
        let reference = self.config.layer_change.then(|| to_safetensors(&model));
        let run = Repeat::new(&model, &self.data, &self.split, self.config.batch, seed)
            .map_err(|e| blame(to_zoo(e), &CELL_KEYS, "zoo"))?;
        self.cost.get_or_insert(cost(&model, self.config.batch));
        Ok(Live { model, run, reference })
    }

    /// One step (struct docs); `clock()` in seconds times the training. After the end, an error (param `run`,
    /// code `run_ended`).
    pub fn step(&mut self, clock: &mut dyn FnMut() -> f64) -> Result<CellEvent> {
        if self.ended {
            return Err(Error::coded("run", "run_ended", "the run has ended"));
        }
        let (steps, every, repeats, repeat) = (self.config.steps, self.config.every, self.config.repeats, self.repeat);
        if repeat >= repeats {
            self.ended = true;
            return Ok(CellEvent::End(Box::new(self.result())));
        }
        let live = match self.live.take() {
            Some(live) => live,
            None => self.start(repeat)?,
        };
        let mut live = live;
        if self.curves.len() == repeat {
            self.curves.push(Vec::new());
        } else {
            let n = (every - live.run.done % every).min(steps - live.run.done);
            let t0 = clock();
            live.run.train(&mut live.model, n)?;
            self.train_seconds += clock() - t0;
        }
        let e = live.run.measure(&mut live.model)?;
        let point = Point { repeat, step: live.run.done, val_acc: e.accuracy, val_loss: e.loss };
        self.curves[repeat].push(point);
        let work = (repeat * steps + point.step, repeats * steps);
        if point.step < steps {
            self.live = Some(live);
        } else {
            self.finish_repeat(live)?;
        }
        Ok(CellEvent::Point(point, work))
    }

    fn finish_repeat(&mut self, live: Live) -> Result<()> {
        if let Some(reference) = &live.reference {
            self.changes.push(layer_change(&live.model, reference)?);
        }
        if let Some(file) = &self.config.keep
            && self.repeat + 1 == self.config.repeats
        {
            self.kept = Some((to_safetensors(&live.model), pytorch_code(&live.model, &self.preprocess, file)?));
        }
        self.repeat += 1;
        Ok(())
    }

    fn result(&mut self) -> CellResult {
        let c = &self.config;
        let cost = self.cost.unwrap_or(Cost { trainable: 0, params: 0, flops: 0.0 });
        let layer_change = (!self.changes.is_empty()).then(|| {
            let n = self.changes.len() as f64;
            let mut mean = self.changes[0].clone();
            for (i, layer) in mean.iter_mut().enumerate() {
                layer.rel_change = self.changes.iter().map(|c| c[i].rel_change).sum::<f64>() / n;
            }
            mean
        });
        let (weights, code) = self.kept.take().map_or((None, None), |(w, c)| (Some(w), Some(c)));
        CellResult {
            strategy: c.strategy,
            finals: self.curves.iter().map(|curve| curve.last().map_or(0.0, |p| p.val_acc)).collect(),
            curves: std::mem::take(&mut self.curves),
            trainable: cost.trainable,
            params: cost.params,
            flops: cost.flops,
            seconds_per_step: self.train_seconds / (c.repeats * c.steps) as f64,
            steps: c.steps,
            repeats: c.repeats,
            layer_change,
            weights,
            code,
        }
    }
}

// ------------------------------------------------------------------ pretraining in the page

/// A pretraining session's setting: the zoo model's name (its recipe, [`zoo::RECIPES`]).
pub const PRETRAIN_KEYS: [(&str, Kind); 1] = [("zoo", Kind::Text)];
/// Steps per report of a pretraining session.
pub const PRETRAIN_CHUNK: usize = 20;

/// What a pretraining step returns.
#[derive(Debug, Clone, PartialEq)]
pub enum PretrainEvent {
    /// Steps done, of all.
    Progress(usize, usize),
    /// The weights (safetensors) and the accuracy on the source's held-out part.
    End { weights: Vec<u8>, acc: f64 },
}

/// A zoo model pretrained as `make zoo` pretrains it ([`Pretraining`]), [`PRETRAIN_CHUNK`] steps per step.
pub struct PretrainSession {
    run: Option<Pretraining>,
    steps: usize,
}

impl PretrainSession {
    pub fn open(s: &Settings) -> Result<PretrainSession> {
        s.check_keys("the pretraining", &PRETRAIN_KEYS)?;
        let recipe = zoo::recipe(s.text("zoo")?.unwrap_or(zoo::RECIPES[0].name))?;
        let (data, split) = zoo::source_data()?;
        Ok(PretrainSession { run: Some(Pretraining::new(recipe, &data, &split)?), steps: recipe.steps })
    }

    pub fn step(&mut self) -> Result<PretrainEvent> {
        let Some(run) = self.run.as_mut() else {
            return Err(Error::coded("run", "run_ended", "the run has ended"));
        };
        if !run.is_done() {
            return Ok(PretrainEvent::Progress(run.train(PRETRAIN_CHUNK)?, self.steps));
        }
        let done = self.run.take().map(Pretraining::finish).transpose()?;
        let p = done.ok_or_else(|| Error::coded("run", "run_ended", "the run has ended"))?;
        Ok(PretrainEvent::End { weights: p.weights, acc: p.entry.source_acc })
    }

    pub fn steps(&self) -> usize {
        self.run.as_ref().map_or(self.steps, Pretraining::done)
    }
}
