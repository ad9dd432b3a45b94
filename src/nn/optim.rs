//! Optimizers and learning-rate schedules with PyTorch's update rules (`torch.optim.SGD`, `torch.optim.Adam`,
//! `torch.optim.lr_scheduler.StepLR` / `CosineAnnealingLR` in their closed forms).
//!
//! # Update rules (per parameter tensor, g its gradient, θ its value, λ the weight decay)
//! - SGD: `g ← g + λθ`; with momentum μ > 0, `b ← g` on the first step and `b ← μb + g` after (dampening 0), then
//!   `g ← g + μb` (Nesterov) or `g ← b`; finally `θ ← θ − lr·g`.
//! - Adam: `t ← t + 1`, `g ← g + λθ` (L2, as `torch.optim.Adam`, not AdamW), `m ← m + (1 − β₁)(g − m)`,
//!   `v ← β₂v + (1 − β₂)g²`, `θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`.
//!
//! Frozen parameters are skipped entirely (no decay, no state change), as PyTorch skips parameters without a
//! gradient; each tensor keeps its own step count, so a layer unfrozen later starts Adam's bias correction afresh.
//!
//! # Schedules (t = optimizer steps taken so far; the lr of step t + 1)
//! - constant: `lr`;
//! - step: `lr · γ^⌊t / step_size⌋`;
//! - cosine: `η_min + (lr − η_min)(1 + cos(π t / T_max)) / 2` (periodic beyond T_max, like torch's closed form).
//!
//! # Syntax (the step grammar of [`crate::spec`]; URL parameters `opt` and `schedule`)
//! `sgd(lr0.01_m0.9_nesterov_wd5e-4)` (defaults: lr 0.01, m 0, not Nesterov, wd 0),
//! `adam(lr1e-3_b10.9_b20.999_eps1e-8_wd0)` (those are the defaults); `constant`, `step(size10_gamma0.1)`
//! (size required, gamma 0.1 by default), `cosine(tmax100_min0)` (tmax required, min 0).

use crate::error::{Error, Result};
use crate::nn::layer::Parameter;
use crate::spec::{Grammar, StepText, write_step};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Sgd { momentum: f64, nesterov: bool },
    Adam { beta1: f64, beta2: f64, eps: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    Constant,
    Step { step_size: u64, gamma: f64 },
    Cosine { t_max: u64, eta_min: f64 },
}

/// Everything that defines an optimizer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizerConfig {
    pub method: Method,
    pub lr: f64,
    pub weight_decay: f64,
    pub schedule: Schedule,
}

impl Default for OptimizerConfig {
    /// The peers' benchmark: SGD, lr 0.01, momentum 0.9, constant.
    fn default() -> Self {
        OptimizerConfig {
            method: Method::Sgd { momentum: 0.9, nesterov: false },
            lr: 0.01,
            weight_decay: 0.0,
            schedule: Schedule::Constant,
        }
    }
}

/// The optimizers of `opt=`, by name (the page's list comes from here).
pub const METHODS: [&str; 2] = ["sgd", "adam"];

const OPT: Grammar = Grammar { param: "opt", max_len: 200, max_steps: 1 };
const SCHEDULE: Grammar = Grammar { param: "schedule", max_len: 200, max_steps: 1 };

mod tables {
    use crate::spec::{Param, int, num, word};
    pub const SGD: &[Param] = &[
        num("lr", 0.0, 10.0, 0.01),
        num("m", 0.0, 0.999, 0.0),
        word("nesterov", &["classic", "nesterov"], 0),
        num("wd", 0.0, 1.0, 0.0),
    ];
    pub const ADAM: &[Param] = &[
        num("lr", 0.0, 10.0, 1e-3),
        num("b1", 0.0, 0.9999, 0.9),
        num("b2", 0.0, 0.99999, 0.999),
        num("eps", 1e-12, 1.0, 1e-8),
        num("wd", 0.0, 1.0, 0.0),
    ];
    pub const STEP: &[Param] = &[int("size", 1.0, 1e9, f64::NAN), num("gamma", 0.0, 1.0, 0.1)];
    pub const COSINE: &[Param] = &[int("tmax", 1.0, 1e9, f64::NAN), num("min", 0.0, 10.0, 0.0)];
}

/// The one step of a one-step spec (the empty spec is `default`).
fn single<'a>(grammar: &Grammar, text: &'a str) -> Result<Option<StepText<'a>>> {
    Ok(grammar.split(text)?.into_iter().next())
}

impl OptimizerConfig {
    /// The accepted `(min, max)` of one setting (`lr`, `m`, `wd`, …) of an optimizer named in [`METHODS`], from
    /// the same table `parse` reads; `None` for a name or key it does not have.
    pub fn range(method: &str, key: &str) -> Option<(f64, f64)> {
        let table = match method {
            "sgd" => tables::SGD,
            "adam" => tables::ADAM,
            _ => return None,
        };
        table.iter().find(|p| p.key == key).map(|p| (p.min, p.max))
    }

    /// `sgd(…)` or `adam(…)` (see the module docs); the schedule is left constant.
    pub fn parse(text: &str) -> Result<OptimizerConfig> {
        let Some(step) = single(&OPT, text)? else { return Ok(OptimizerConfig::default()) };
        let (method, lr, wd) = match step.name {
            "sgd" => {
                let v = step.read(tables::SGD)?;
                (Method::Sgd { momentum: v[1], nesterov: v[2] == 1.0 }, v[0], v[3])
            }
            "adam" => {
                let v = step.read(tables::ADAM)?;
                (Method::Adam { beta1: v[1], beta2: v[2], eps: v[3] }, v[0], v[4])
            }
            _ => return Err(step.unknown(&METHODS)),
        };
        if let Method::Sgd { momentum, nesterov: true } = method
            && momentum == 0.0
        {
            return Err(step.error(Error::coded(
                "nesterov",
                "nesterov_needs_momentum",
                "Nesterov needs a momentum m > 0",
            )));
        }
        Ok(OptimizerConfig { method, lr, weight_decay: wd, schedule: Schedule::Constant })
    }

    /// The learning rate of the step after `t` steps.
    pub fn lr_at(&self, t: u64) -> f64 {
        self.schedule.lr(self.lr, t)
    }
}

impl fmt::Display for OptimizerConfig {
    /// The optimizer part (the schedule has its own parameter).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self.method {
            Method::Sgd { momentum, nesterov } => {
                write_step("sgd", tables::SGD, &[self.lr, momentum, nesterov as u8 as f64, self.weight_decay])
            }
            Method::Adam { beta1, beta2, eps } => {
                write_step("adam", tables::ADAM, &[self.lr, beta1, beta2, eps, self.weight_decay])
            }
        };
        f.write_str(&s)
    }
}

impl Schedule {
    /// `constant`, `step(…)` or `cosine(…)` (see the module docs); the empty spec is constant.
    pub fn parse(text: &str) -> Result<Schedule> {
        let Some(step) = single(&SCHEDULE, text)? else { return Ok(Schedule::Constant) };
        Ok(match step.name {
            "constant" => {
                step.read(&[])?;
                Schedule::Constant
            }
            "step" => {
                let v = step.read(tables::STEP)?;
                Schedule::Step { step_size: v[0] as u64, gamma: v[1] }
            }
            "cosine" => {
                let v = step.read(tables::COSINE)?;
                Schedule::Cosine { t_max: v[0] as u64, eta_min: v[1] }
            }
            _ => return Err(step.unknown(&["constant", "step", "cosine"])),
        })
    }

    /// The learning rate after `t` steps, from the base rate `lr` (torch's closed forms).
    pub fn lr(&self, lr: f64, t: u64) -> f64 {
        match *self {
            Schedule::Constant => lr,
            Schedule::Step { step_size, gamma } => lr * gamma.powi((t / step_size.max(1)).min(i32::MAX as u64) as i32),
            Schedule::Cosine { t_max, eta_min } => {
                let phase = std::f64::consts::PI * t as f64 / t_max.max(1) as f64;
                eta_min + (lr - eta_min) * (1.0 + phase.cos()) / 2.0
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match *self {
            Schedule::Constant => "constant".to_string(),
            Schedule::Step { step_size, gamma } => write_step("step", tables::STEP, &[step_size as f64, gamma]),
            Schedule::Cosine { t_max, eta_min } => write_step("cosine", tables::COSINE, &[t_max as f64, eta_min]),
        };
        f.write_str(&s)
    }
}

/// The state of one parameter tensor: its step count and buffers (momentum; or Adam's m and v), empty until its
/// first update.
#[derive(Debug, Clone, Default, PartialEq)]
struct State {
    steps: u64,
    first: Vec<f32>,
    second: Vec<f32>,
}

/// An optimizer with its state, for the parameters of one model in a fixed order.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimizer {
    config: OptimizerConfig,
    /// Steps taken (what the schedule counts).
    steps: u64,
    states: Vec<State>,
}

impl Optimizer {
    pub fn new(config: OptimizerConfig) -> Optimizer {
        Optimizer { config, steps: 0, states: Vec::new() }
    }

    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The learning rate the next step uses.
    pub fn lr(&self) -> f64 {
        self.config.lr_at(self.steps)
    }

    /// One update of every trainable parameter, `params` in the model's order (the same order every call).
    pub fn step<'a>(&mut self, params: impl Iterator<Item = &'a mut Parameter>) {
        let lr = self.lr();
        let cfg = self.config;
        for (i, p) in params.enumerate() {
            if self.states.len() <= i {
                self.states.resize_with(i + 1, State::default);
            }
            if p.trainable {
                update(&cfg, lr, &mut self.states[i], p);
            }
        }
        self.steps += 1;
    }
}

fn update(cfg: &OptimizerConfig, lr: f64, state: &mut State, p: &mut Parameter) {
    let wd = cfg.weight_decay as f32;
    // torch adds the decay only when it is non-zero (0·θ would turn an infinite θ into NaN).
    let grad = |theta: f32, g: f32| if wd != 0.0 { g + wd * theta } else { g };
    state.steps += 1;
    match cfg.method {
        Method::Sgd { momentum, nesterov } => {
            let (mu, lr) = (momentum as f32, lr as f32);
            if mu == 0.0 {
                for (theta, &g) in p.value.iter_mut().zip(&p.grad) {
                    *theta -= lr * grad(*theta, g);
                }
                return;
            }
            let first = state.first.is_empty();
            if first {
                state.first.resize(p.value.len(), 0.0);
            }
            for ((theta, &g), b) in p.value.iter_mut().zip(&p.grad).zip(state.first.iter_mut()) {
                let d = grad(*theta, g);
                *b = if first { d } else { mu * *b + d };
                let step = if nesterov { d + mu * *b } else { *b };
                *theta -= lr * step;
            }
        }
        Method::Adam { beta1, beta2, eps } => {
            if state.first.is_empty() {
                state.first.resize(p.value.len(), 0.0);
                state.second.resize(p.value.len(), 0.0);
            }
            let t = state.steps.min(i32::MAX as u64) as i32;
            let bias1 = 1.0 - beta1.powi(t);
            let bias2_sqrt = (1.0 - beta2.powi(t)).sqrt();
            let step_size = (lr / bias1) as f32;
            let (b1, b2, eps, bias2_sqrt) = (beta1 as f32, beta2 as f32, eps as f32, bias2_sqrt as f32);
            let iter = p.value.iter_mut().zip(&p.grad).zip(state.first.iter_mut().zip(state.second.iter_mut()));
            for ((theta, &g), (m, v)) in iter {
                let d = grad(*theta, g);
                *m += (1.0 - b1) * (d - *m);
                *v = b2 * *v + (1.0 - b2) * d * d;
                *theta -= step_size * *m / (v.sqrt() / bias2_sqrt + eps);
            }
        }
    }
}
