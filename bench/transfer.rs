//! The transfer lab natively (`make bench-transfer`, i.e. `cargo bench --bench transfer`): what a fine-tuning step
//! costs with the conv base trainable, frozen without the feature cache, and frozen with it; then the whole quadrant
//! experiment of the plan (4 tasks × 5 strategies × the default repeats) with its table, verdicts and time
//! (`cargo bench --bench transfer -- --every`: instead, the experiment's time with validation every 10 steps against
//! every `QUADRANT_EVERY`, same run, alternating, by CPU time). The
//! page runs the same experiment in two workers of the wasm build (bench/ in the browser measures that).

use cnn_playground::feed::Feed;
use cnn_playground::nn::model::Model;
use cnn_playground::nn::spec::ModelSpec;
use cnn_playground::run::transfer as run;
use cnn_playground::transfer::plan::{self, Similarity, Size, Strategy};
use cnn_playground::transfer::zoo;
use std::time::Instant;

fn load(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/www/zoo/{name}.safetensors", env!("CARGO_MANIFEST_DIR"))).expect("a shipped zoo file")
}

/// This process's CPU seconds (user + system, from /proc/self/stat at 100 ticks a second): the experiment runs on
/// one thread, so its CPU time is its work whatever the other processes on the machine do to its wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the command's closing parenthesis.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Steps per second of each variant: 7 interleaved rounds of about 0.5 s each, best round kept (other processes
/// only ever slow a run down).
fn step_rates(variants: &mut [(&str, Model, Feed)]) -> Vec<f64> {
    let mut best = vec![0.0f64; variants.len()];
    for (_, model, feed) in variants.iter_mut() {
        feed.train_steps(model, 60).expect("warm-up"); // fills the cache: a steady state
    }
    for _ in 0..7 {
        for ((_, model, feed), b) in variants.iter_mut().zip(best.iter_mut()) {
            let t = Instant::now();
            let mut steps = 0;
            while t.elapsed().as_secs_f64() < 0.5 {
                feed.train_steps(model, 10).expect("steps");
                steps += 10;
            }
            *b = b.max(steps as f64 / t.elapsed().as_secs_f64());
        }
    }
    best
}

fn main() {
    println!("load average before: {}", loadavg());
    let q = plan::quadrant(Size::Large, Similarity::Similar);
    let (data, split) = run::task_data(&q).expect("task");
    let every_mode = std::env::args().any(|a| a == "--every");
    for name in ["small", "deep"].into_iter().filter(|_| !every_mode) {
        let weights = load(name);
        let spec = ModelSpec::parse(zoo::recipe(name).unwrap().spec).unwrap();
        let make = |strategy: Strategy, caching: bool| {
            let model =
                run::strategy_model(&spec, zoo::INPUT, &weights, plan::TARGET_CLASSES, strategy, 0, 1).expect("model");
            let mut feed = Feed::new(data.clone(), split.clone(), plan::BATCH, Default::default(), 1).expect("feed");
            feed.caching = caching;
            (model, feed)
        };
        let mut variants: Vec<(&str, Model, Feed)> = [
            ("fine-tune everything", Strategy::Finetune, true),
            ("conv base frozen, no cache", Strategy::Head, false),
            ("conv base frozen, cached", Strategy::Head, true),
        ]
        .into_iter()
        .map(|(label, s, c)| {
            let (m, f) = make(s, c);
            (label, m, f)
        })
        .collect();
        let rates = step_rates(&mut variants);
        println!("\n{name}: fine-tuning steps of {} images", plan::BATCH);
        println!("| what | steps/s | ms/step | vs fine-tune everything |");
        println!("| --- | --- | --- | --- |");
        for ((label, _, _), r) in variants.iter().zip(&rates) {
            println!("| {label} | {r:.0} | {:.3} | {:.2}× |", 1000.0 / r, r / rates[0]);
        }
    }

    let name = plan::DEFAULT_MODEL;
    let spec = ModelSpec::parse(zoo::recipe(name).unwrap().spec).unwrap();
    let k = plan::default_k(spec.layers.iter().filter(|l| l.has_params()).count());
    let weights = load(name);
    // The quadrant experiment's work by how often it measures validation: one repeat at every 10 and every
    // QUADRANT_EVERY steps, alternating, by CPU time (one thread: its work, whatever the load does to the wall time).
    if every_mode {
        println!(
            "\nquadrant experiment, 1 repeat, validation every 10 vs every {} steps (ABAB); load {}",
            plan::QUADRANT_EVERY,
            loadavg()
        );
        let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(2);
        let mut cpu = [Vec::new(), Vec::new()];
        for round in 0..rounds {
            let every = [10, plan::QUADRANT_EVERY][round % 2];
            let (t0, c0) = (Instant::now(), cpu_seconds());
            run::experiment(&spec, &weights, k, 1, every, plan::BnStats::Frozen, &mut || 0.0, &mut |_, _| {})
                .expect("experiment");
            let c = cpu_seconds() - c0;
            cpu[round % 2].push(c);
            println!("every {every}: {c:.2} CPU s, {:.1} s wall; load {}", t0.elapsed().as_secs_f64(), loadavg());
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        println!("CPU time ratio every {} / every 10: {:.3}", plan::QUADRANT_EVERY, mean(&cpu[1]) / mean(&cpu[0]));
        return;
    }

    println!(
        "\nquadrant experiment (zoo model {}, k = default, {} repeats, validation every {} steps); load average {}",
        plan::DEFAULT_MODEL,
        plan::REPEATS,
        plan::QUADRANT_EVERY,
        loadavg()
    );
    let t0 = Instant::now();
    let (rows, verdicts) = run::experiment(
        &spec,
        &weights,
        k,
        plan::REPEATS,
        plan::QUADRANT_EVERY,
        plan::BnStats::Frozen,
        &mut || t0.elapsed().as_secs_f64(),
        &mut |done, total| eprint!("\r{done}/{total} runs"),
    )
    .expect("experiment");
    eprintln!();
    let total = t0.elapsed().as_secs_f64();
    println!(
        "| size | sim | strategy | trainable_params | final_acc_mean | final_acc_std | repeats | steps | seconds |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &rows {
        let (mean, std) = run::mean_std(&r.finals);
        println!(
            "| {} | {} | {} | {} | {mean:.3} | {std:.3} | {} | {} | {:.2} |",
            r.size.name(),
            r.sim.name(),
            r.strategy.name(),
            r.trainable_params,
            r.finals.len(),
            r.steps,
            r.seconds
        );
    }
    println!(
        "\n| size | sim | advised | against | advised mean | other mean | difference | df | 95 % margin | outcome | agrees |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for v in &verdicts {
        for (other, c) in &v.judgement.against {
            println!(
                "| {} | {} | {} | {} | {:.3} | {:.3} | {:+.3} | {} | {:.3} | {} | {} |",
                v.size.name(),
                v.sim.name(),
                v.recommended.name(),
                other.name(),
                c.mean_a,
                c.mean_b,
                c.diff,
                c.df.map_or("—".into(), |d| format!("{d:.1}")),
                c.margin,
                c.outcome.name(),
                v.judgement.agrees.name()
            );
        }
    }
    println!("\nwhole experiment: {total:.1} s on one core natively; load average after: {}", loadavg());
}
