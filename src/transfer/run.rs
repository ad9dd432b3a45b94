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
//! The recommended strategy is compared with the best of the others by the difference of their mean final
//! accuracies d, against the noise margin m = 2·√(s₁²/n + s₂²/n) (two standard errors of the difference, sample
//! standard deviations over the n repeats): d > m → `yes`, d < −m → `no`, otherwise `within noise`.

use crate::data::{Dataset, Split};
use crate::error::Result;
use crate::feed::{Feed, Part};
use crate::nn::model::{Model, ModelConfig};
use crate::nn::optim::OptimizerConfig;
use crate::nn::spec::{ModelSpec, Shape};
use crate::rng;
use crate::transfer::plan::{self, Quadrant, Strategy};
use crate::transfer::{load_backbone, reinit_mean_var, with_head};
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

/// Whether a run agreed with the lecture's advice (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agrees {
    Yes,
    No,
    WithinNoise,
}

impl Agrees {
    pub fn name(self) -> &'static str {
        match self {
            Agrees::Yes => "yes",
            Agrees::No => "no",
            Agrees::WithinNoise => "within noise",
        }
    }
}

/// The verdict for one task: `recommended`'s final accuracies against each other strategy's (same number of
/// repeats each; module docs). Returns the verdict, the best other strategy's index in `others`, d and m.
pub fn agrees(recommended: &[f64], others: &[&[f64]]) -> (Agrees, usize, f64, f64) {
    let (mr, sr) = mean_std(recommended);
    let best = (0..others.len()).max_by(|&a, &b| mean_std(others[a]).0.total_cmp(&mean_std(others[b]).0)).unwrap_or(0);
    let Some(other) = others.get(best) else { return (Agrees::Yes, 0, 0.0, 0.0) };
    let (mo, so) = mean_std(other);
    let n = recommended.len().min(other.len()).max(1) as f64;
    let d = mr - mo;
    let margin = 2.0 * (sr * sr / n + so * so / n).sqrt();
    let verdict = if d > margin {
        Agrees::Yes
    } else if d < -margin {
        Agrees::No
    } else {
        Agrees::WithinNoise
    };
    (verdict, best, d, margin)
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
pub struct Verdict {
    pub size: plan::Size,
    pub sim: plan::Similarity,
    pub recommended: Strategy,
    pub agrees: Agrees,
    /// The best of the other strategies by mean final accuracy.
    pub best_other: Strategy,
    pub diff: f64,
    pub margin: f64,
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
) -> Result<(Vec<Row>, Vec<Verdict>)> {
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
        let task = &rows[first..];
        let rec = task.iter().find(|r| r.strategy == q.recommended).map(|r| r.finals.clone()).unwrap_or_default();
        let others: Vec<&Row> = task.iter().filter(|r| r.strategy != q.recommended).collect();
        let finals: Vec<&[f64]> = others.iter().map(|r| r.finals.as_slice()).collect();
        let (agrees, best, diff, margin) = agrees(&rec, &finals);
        verdicts.push(Verdict {
            size: q.size,
            sim: q.sim,
            recommended: q.recommended,
            agrees,
            best_other: others.get(best).map_or(q.recommended, |r| r.strategy),
            diff,
            margin,
        });
    }
    Ok((rows, verdicts))
}
