//! One run of the experiment (a strategy on a target task from a zoo model, one repeat) and the summary over
//! repeats: mean and spread of the final accuracy, and whether the lecture's advice held. The page does the same
//! steps through the JS API in its workers; this is the native twin the tests and the benchmark use.
//!
//! # Seeds
//! Repeat r of a run uses seed s = `derive(plan::SEED, [r])` for the new head's (or, from scratch, every layer's)
//! He initialization and the batches' order, and `derive(s, [1])` for the Mean Var draws; the task's data are the
//! same in every repeat.
//!
//! # Agrees?
//! The recommended strategy's final accuracies are compared with each other strategy's by the one verdict rule
//! ([`crate::verdict::compare`]: Welch's t at 95 %, floored by the validation set's binomial error). The task agrees
//! with the lecture (`yes`) when the advised strategy beats training from scratch and no strategy beats it; `no` when
//! some strategy beats it; `undecided` otherwise (it ties with scratch and nothing beats it).

use crate::data::{Dataset, Split};
use crate::error::{Error, Result};
use crate::feed::{Feed, Part};
use crate::nn::model::{Model, ModelConfig};
use crate::nn::optim::OptimizerConfig;
use crate::nn::spec::{ModelSpec, Shape};
use crate::rng;
use crate::transfer::plan::{self, Quadrant, Strategy};
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

/// A model ready to train with a strategy: the zoo model's spec with a head for `classes`, He-initialized from
/// `seed`, then (unless from scratch) the pretrained body loaded from `weights`, Mean Var re-drawn, and the layers
/// frozen the strategy freezes (`k` for `freeze_k`; param `k`, code `out_of_range` past the model's layers).
pub fn strategy_model(
    spec: &ModelSpec,
    input: Shape,
    weights: &[u8],
    classes: usize,
    strategy: Strategy,
    k: usize,
    seed: u64,
) -> Result<Model> {
    let mut model = Model::new(ModelConfig {
        spec: with_head(spec, classes)?,
        input,
        init: None,
        optimizer: OptimizerConfig::parse(strategy.opt())?,
        seed,
    })?;
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

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// (step, validation accuracy) at step 0 and every [`plan::EVAL_EVERY`] steps, and at the end.
    pub curve: Vec<(usize, f64)>,
    pub final_acc: f64,
    pub trainable_params: usize,
    pub steps: usize,
}

/// Trains `model` for `steps` on the task's training part (batches of [`plan::BATCH`], no augmentation, shuffled
/// from `seed`), measuring validation accuracy along the way.
pub fn train_run(
    model: &mut Model,
    data: &Rc<Dataset>,
    split: &Rc<Split>,
    steps: usize,
    seed: u64,
) -> Result<RunResult> {
    let mut feed = Feed::new(data.clone(), split.clone(), plan::BATCH, Default::default(), seed)?;
    feed.check_model(model)?;
    let mut curve = vec![(0, feed.evaluate(model, Part::Val)?.accuracy)];
    let mut done = 0;
    while done < steps {
        let n = plan::EVAL_EVERY.min(steps - done);
        feed.train_steps(model, n)?;
        done += n;
        curve.push((done, feed.evaluate(model, Part::Val)?.accuracy));
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
/// the plan × every strategy × `repeats`, `k` for `freeze_k`. `clock()` gives seconds (for the rows' times);
/// `progress(done, total)` is called after every run.
pub fn experiment(
    spec: &ModelSpec,
    weights: &[u8],
    k: usize,
    repeats: usize,
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
            let (mut finals, mut trainable_params) = (Vec::new(), 0);
            for r in 0..repeats {
                let seed = repeat_seed(r);
                let mut model =
                    strategy_model(spec, crate::transfer::zoo::INPUT, weights, data.classes(), strategy, k, seed)?;
                let result = train_run(&mut model, &data, &split, q.steps, seed)?;
                finals.push(result.final_acc);
                trainable_params = result.trainable_params;
                done += 1;
                progress(done, total);
            }
            let seconds = clock() - t0;
            rows.push(Row { size: q.size, sim: q.sim, strategy, finals, trainable_params, steps: q.steps, seconds });
        }
        let finals: Vec<(Strategy, &[f64])> = rows[first..].iter().map(|r| (r.strategy, r.finals.as_slice())).collect();
        let judgement = judge(q.recommended, &finals, split.val.len())?;
        verdicts.push(TaskVerdict { size: q.size, sim: q.sim, recommended: q.recommended, judgement });
    }
    Ok((rows, verdicts))
}
