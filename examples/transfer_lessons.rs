//! The transfer lab's lessons over several seeds (issue 18: a lesson is designed, then verified with other seeds):
//! `cargo run --release --example transfer_lessons -- REPEATS [quadrants|init]` trains the plan's quadrant
//! experiment (every task × strategy) and the init view's three arms (both budgets) with repeats 0 … REPEATS−1
//! (seeds `run::repeat_seed(r)`), and prints one JSON line per run: its final accuracy and its validation curve. The
//! verdicts over the first repeats and over the held-out ones are computed from these lines (BENCHMARKS.md).

use cnn_playground::nn::spec::ModelSpec;
use cnn_playground::transfer::plan::{self, Strategy};
use cnn_playground::transfer::{run, zoo};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let part = args.next().unwrap_or_else(|| "all".into());
    let name = plan::DEFAULT_MODEL;
    let weights =
        std::fs::read(format!("{}/www/zoo/{name}.safetensors", env!("CARGO_MANIFEST_DIR"))).expect("zoo file");
    let spec = ModelSpec::parse(zoo::recipe(name).expect("recipe").spec).expect("spec");
    let k = plan::default_k(spec.layers.iter().filter(|l| l.has_params()).count());
    let t0 = Instant::now();
    let one = |view: &str, q: &plan::Quadrant, strategy: Strategy, steps: usize, r: usize| {
        let (data, split) = run::task_data(q).expect("task");
        let seed = run::repeat_seed(r);
        let mut model =
            run::strategy_model(&spec, zoo::INPUT, &weights, data.classes(), strategy, k, seed).expect("model");
        let result = run::train_run(&mut model, &data, &split, steps, seed).expect("run");
        let curve: Vec<String> = result.curve.iter().map(|(s, a)| format!("[{s},{a}]")).collect();
        println!(
            "{{\"view\":\"{view}\",\"size\":\"{}\",\"sim\":\"{}\",\"strategy\":\"{}\",\"steps\":{steps},\"repeat\":{r},\"final\":{},\"val\":{},\"curve\":[{}],\"t\":{:.1}}}",
            q.size.name(),
            q.sim.name(),
            strategy.name(),
            result.final_acc,
            split.val.len(),
            curve.join(","),
            t0.elapsed().as_secs_f64()
        );
    };
    if part == "all" || part == "quadrants" {
        for q in plan::quadrants() {
            for r in 0..repeats {
                for &s in &Strategy::ALL {
                    one("quadrants", &q, s, q.steps, r);
                }
            }
        }
    }
    if part == "all" || part == "init" {
        let q = plan::quadrant(plan::INIT_VIEW_SIZE, plan::INIT_VIEW_SIM);
        for steps in [plan::INIT_VIEW_STEPS, plan::INIT_VIEW_LONG_STEPS] {
            for r in 0..repeats {
                for s in [Strategy::Finetune, Strategy::Scratch, Strategy::MeanVar] {
                    one("init", &q, s, steps, r);
                }
            }
        }
    }
}
