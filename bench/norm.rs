//! What the norm layers cost in a training step: the default net with a norm layer after each conv
//! (`conv(8_k5_p2)~NORM~relu~maxpool(2)~conv(16_k5_p2)~NORM~relu~maxpool(3)~flatten~dense(10)`, 28×28×1, batch 20),
//! NORM = `bn` or `gn(4)`, natively. Two same-run measures, both against the goal of at most 15 %:
//! - the per-layer profile (`profile_step`): the norm layers' forward + backward time over the whole pass's;
//! - whole training steps (`train_step`, with the optimizer) of the net with and without the norm layers,
//!   interleaved: (with − without) / with.
//!
//! `cargo bench --bench norm`. The machine may be loaded: every ratio comes from one run whose measurements are
//! interleaved round by round, the best round of each kept (other processes only ever slow a run down).

use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::profile::profile_step;
use cnn_playground::nn::spec::ModelSpec;
use std::hint::black_box;
use std::time::Instant;

const BATCH: usize = 20;
const ROUNDS: usize = 10;

fn net(norm: Option<&str>) -> Model {
    let n = norm.map_or(String::new(), |n| format!("~{n}"));
    let spec = format!("conv(8_k5_p2){n}~relu~maxpool(2)~conv(16_k5_p2){n}~relu~maxpool(3)~flatten~dense(10)");
    Model::new(ModelConfig { spec: ModelSpec::parse(&spec).expect("spec"), ..ModelConfig::default() }).expect("model")
}

fn main() {
    let x: Vec<f32> = (0..BATCH * 784).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
    let y: Vec<u32> = (0..BATCH as u32).map(|i| i % 10).collect();
    let start = Instant::now();
    let mut clock = move || start.elapsed().as_secs_f64() * 1e3;
    println!("batch {BATCH}, native, best of {ROUNDS} interleaved rounds");
    for norm in ["bn", "gn(4)"] {
        let (mut plain, mut normed) = (net(None), net(Some(norm)));
        // Every round starts from the initial weights: trained on and on on one batch, a net's loss goes to 0 and its
        // gradients into subnormal floats, which the host CPU handles slowly (a BatchNorm net gets there sooner).
        let (s_plain, s_norm) = (plain.snapshot(), normed.snapshot());
        // Per-layer profile: the round with the smallest total.
        let mut best: Option<(f64, f64)> = None;
        // Whole steps: the fastest round of each.
        let (mut t_plain, mut t_norm) = (f64::INFINITY, f64::INFINITY);
        const STEPS: usize = 20;
        for _ in 0..ROUNDS {
            let times = profile_step(&mut normed, &x, &y, BATCH, 20, &mut clock).expect("profile");
            let total: f64 = times.iter().map(|t| t.forward + t.backward).sum();
            let norms: f64 = times
                .iter()
                .filter(|t| t.layer.starts_with("bn") || t.layer.starts_with("gn"))
                .map(|t| t.forward + t.backward)
                .sum();
            if best.is_none_or(|(b, _)| total < b) {
                best = Some((total, norms));
            }
            for (model, snap, t) in [(&mut plain, &s_plain, &mut t_plain), (&mut normed, &s_norm, &mut t_norm)] {
                model.restore(snap).expect("same model");
                let t0 = clock();
                for _ in 0..STEPS {
                    black_box(model.train_step(black_box(&x), &y, BATCH).expect("step"));
                }
                *t = t.min((clock() - t0) / STEPS as f64);
            }
        }
        let (total, norms) = best.expect("rounds ran");
        println!(
            "{norm:6} profile: norm layers {norms:.3} of {total:.3} ms per pass = {:.1} %; \
             train_step {t_norm:.3} ms with vs {t_plain:.3} ms without = {:.1} % more",
            100.0 * norms / total,
            100.0 * (t_norm - t_plain) / t_norm
        );
    }
}
