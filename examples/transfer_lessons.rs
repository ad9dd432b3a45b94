//! The transfer lab's lessons over several seeds (issue 18: a lesson is designed, then verified with other seeds):
//! `cargo run --release --example transfer_lessons -- REPEATS [quadrants|init] [ZOO_MODEL] [frozen|updated]` trains the plan's quadrant
//! experiment (every task × strategy) and the init view's three arms (both budgets) with repeats 0 … REPEATS−1
//! (seeds `run::transfer::repeat_seed(r)`), and prints one JSON line per run: its final accuracy and its validation curve. The
//! verdicts over the first repeats and over the held-out ones are computed from these lines (BENCHMARKS.md).

use cnn_playground::nn::spec::ModelSpec;
use cnn_playground::run::transfer as run;
use cnn_playground::transfer::plan::{self, Strategy};
use cnn_playground::transfer::zoo;
use std::time::Instant;

/// One printed run read back: (view, size, sim, strategy, steps, repeat, final, val, curve).
type Line = (String, String, String, String, usize, usize, f64, usize, Vec<(usize, f64)>);

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let at = line.find(&format!("\"{key}\":")).map(|i| i + key.len() + 3).unwrap_or(line.len());
    let rest = &line[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim_matches('"')
}

fn parse(line: &str) -> Line {
    let curve_text = line.split("\"curve\":[").nth(1).and_then(|r| r.split("]]").next()).unwrap_or("");
    let curve = curve_text
        .split("],[")
        .filter_map(|p| {
            let mut it = p.trim_matches(['[', ']']).split(',');
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .collect();
    let n = |k: &str| field(line, k).parse::<f64>().unwrap_or(f64::NAN);
    (
        field(line, "view").into(),
        field(line, "size").into(),
        field(line, "sim").into(),
        field(line, "strategy").into(),
        n("steps") as usize,
        n("repeat") as usize,
        n("final"),
        n("val") as usize,
        curve,
    )
}

/// `judge FILE FROM TO`: the verdicts over repeats FROM … TO−1 of the printed runs.
fn judge(file: &str, from: usize, to: usize) {
    use cnn_playground::transfer::plan::{Similarity, Size};
    use cnn_playground::verdict;
    let lines: Vec<Line> =
        std::fs::read_to_string(file).expect("file").lines().map(parse).filter(|l| (from..to).contains(&l.5)).collect();
    let finals = |view: &str, size: &str, sim: &str, steps: Option<usize>, s: &str| -> Vec<f64> {
        lines
            .iter()
            .filter(|l| l.0 == view && l.1 == size && l.2 == sim && l.3 == s && steps.is_none_or(|n| n == l.4))
            .map(|l| l.6)
            .collect()
    };
    println!("repeats {from}..{to}");
    for size in Size::ALL {
        for sim in Similarity::ALL {
            let q = plan::quadrant(size, sim);
            let all: Vec<(Strategy, Vec<f64>)> = Strategy::ALL
                .iter()
                .map(|&s| (s, finals("quadrants", size.name(), sim.name(), None, s.name())))
                .collect();
            if all.iter().any(|a| a.1.len() < 2) {
                continue;
            }
            let refs: Vec<(Strategy, &[f64])> = all.iter().map(|(s, v)| (*s, v.as_slice())).collect();
            let j = run::judge(q.recommended, &refs, 200).expect("judge");
            let means: Vec<String> = all
                .iter()
                .map(|(s, v)| format!("{} {:.3}±{:.3}", s.name(), run::mean_std(v).0, run::mean_std(v).1))
                .collect();
            println!(
                "{} {} advised {}: {} | {}",
                size.name(),
                sim.name(),
                q.recommended.name(),
                j.agrees.name(),
                means.join(", ")
            );
            for (s, v) in &j.against {
                println!(
                    "    vs {:9} {:+.3} margin {:.3} (welch {:.3}, df {:.1}, floor {:.3}) {}",
                    s.name(),
                    v.diff,
                    v.margin,
                    v.cut.unwrap_or(0.0) * v.se.unwrap_or(0.0),
                    v.df.unwrap_or(0.0),
                    v.floor,
                    v.outcome.name()
                );
            }
        }
    }
    let q = plan::quadrant(plan::INIT_VIEW_SIZE, plan::INIT_VIEW_SIM);
    for steps in [plan::INIT_VIEW_STEPS, plan::INIT_VIEW_LONG_STEPS] {
        let arm = |s: &str| finals("init", q.size.name(), q.sim.name(), Some(steps), s);
        let (pre, rnd, mv) = (arm("finetune"), arm("scratch"), arm("mean_var"));
        if pre.len() < 2 || rnd.len() < 2 || mv.len() < 2 {
            continue;
        }
        let a = verdict::compare(&pre, &rnd, 200).expect("compare");
        let b = verdict::compare(&pre, &mv, 200).expect("compare");
        let c = verdict::compare(&mv, &rnd, 200).expect("compare");
        println!(
            "init {steps} steps: pretrained {:.3} random {:.3} mean_var {:.3}; pre vs random {:+.3}/{:.3} {}, pre vs mv {:+.3}/{:.3} {}, mv vs random {:+.3}/{:.3} {}",
            a.mean_a,
            a.mean_b,
            b.mean_b,
            a.diff,
            a.margin,
            a.outcome.name(),
            b.diff,
            b.margin,
            b.outcome.name(),
            c.diff,
            c.margin,
            c.outcome.name()
        );
        let best = a.mean_a.max(a.mean_b).max(b.mean_b);
        for s in ["finetune", "scratch", "mean_var", "scratch_gn"] {
            let reach: Vec<String> = lines
                .iter()
                .filter(|l| l.0 == "init" && l.4 == steps && l.3 == s)
                .map(|l| verdict::steps_to_reach(&l.8, 0.9, best).map_or("—".into(), |n| n.to_string()))
                .collect();
            println!("    {s}: steps to 90 % of the best final mean ({:.3}): {}", 0.9 * best, reach.join(" "));
        }
    }
    let long = plan::INIT_VIEW_LONG_STEPS;
    let pre_long = finals("init", q.size.name(), q.sim.name(), Some(long), "finetune");
    let gn_final = finals("init", q.size.name(), q.sim.name(), Some(long), "scratch_gn");
    if gn_final.len() >= 2 && pre_long.len() >= 2 {
        let g = verdict::compare(&gn_final, &pre_long, 200).expect("compare");
        println!(
            "random+GN at {long} steps {:.3} ± {:.3} vs pretrained at {long} {:.3} ± {:.3}: {:+.3}/{:.3} {} (df {:.1})",
            g.mean_a,
            run::mean_std(&gn_final).1,
            g.mean_b,
            run::mean_std(&pre_long).1,
            g.diff,
            g.margin,
            g.outcome.name(),
            g.df.unwrap_or(0.0),
        );
        let best = g.mean_a.max(g.mean_b);
        for s in ["finetune", "scratch_gn"] {
            let reach: Vec<String> = lines
                .iter()
                .filter(|l| l.0 == "init" && l.4 == long && l.3 == s)
                .map(|l| verdict::steps_to_reach(&l.8, 0.9, best).map_or("—".into(), |n| n.to_string()))
                .collect();
            println!("    {s}: steps to 90 % of the best final mean ({:.3}): {}", 0.9 * best, reach.join(" "));
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    if std::env::args().nth(1).as_deref() == Some("judge") {
        let a: Vec<String> = std::env::args().skip(2).collect();
        judge(&a[0], a[1].parse().unwrap_or(0), a[2].parse().unwrap_or(usize::MAX));
        return;
    }
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let part = args.next().unwrap_or_else(|| "all".into());
    let name = args.next().unwrap_or_else(|| plan::DEFAULT_MODEL.into());
    let bn_stats = plan::BnStats::parse(&args.next().unwrap_or_else(|| "frozen".into())).expect("bn_stats");
    let name = name.as_str();
    let weights =
        std::fs::read(format!("{}/www/zoo/{name}.safetensors", env!("CARGO_MANIFEST_DIR"))).expect("zoo file");
    let spec = ModelSpec::parse(zoo::recipe(name).expect("recipe").spec).expect("spec");
    let k = plan::default_k(spec.layers.iter().filter(|l| l.has_params()).count());
    let t0 = Instant::now();
    let gn_spec = cnn_playground::transfer::with_group_norm(&spec, cnn_playground::transfer::GN_GROUPS);
    let one = |view: &str, q: &plan::Quadrant, strategy: Strategy, steps: usize, r: usize| {
        let (data, split) = run::task_data(q).expect("task");
        let seed = run::repeat_seed(r);
        // The init view's random-init-with-GroupNorm arm is printed as strategy "scratch_gn".
        let (spec, name) = match view {
            "init_gn" => (&gn_spec, "scratch_gn"),
            _ => (&spec, strategy.name()),
        };
        let view = if view == "init_gn" { "init" } else { view };
        let mut model =
            run::strategy_model(spec, zoo::INPUT, &weights, data.classes(), strategy, k, seed).expect("model");
        run::set_bn_stats(&mut model, bn_stats).expect("bn_stats");
        let result = run::train_run(&mut model, &data, &split, steps, seed).expect("run");
        let curve: Vec<String> = result.curve.iter().map(|(s, a)| format!("[{s},{a}]")).collect();
        println!(
            "{{\"view\":\"{view}\",\"size\":\"{}\",\"sim\":\"{}\",\"strategy\":\"{}\",\"steps\":{steps},\"repeat\":{r},\"final\":{},\"val\":{},\"curve\":[{}],\"t\":{:.1}}}",
            q.size.name(),
            q.sim.name(),
            name,
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
        for r in 0..repeats {
            one("init_gn", &q, Strategy::Scratch, plan::INIT_VIEW_LONG_STEPS, r);
        }
    }
    if part == "bn" {
        // The strategies a frozen BatchNorm affects, in every quadrant (run once per bn_stats).
        for q in plan::quadrants() {
            for r in 0..repeats {
                for s in [Strategy::Head, Strategy::FreezeK] {
                    one("quadrants", &q, s, q.steps, r);
                }
            }
        }
    }
    if part == "gn" {
        // The GroupNorm arm and pretrained at the longer schedule only.
        let q = plan::quadrant(plan::INIT_VIEW_SIZE, plan::INIT_VIEW_SIM);
        for r in 0..repeats {
            one("init", &q, Strategy::Finetune, plan::INIT_VIEW_LONG_STEPS, r);
            one("init_gn", &q, Strategy::Scratch, plan::INIT_VIEW_LONG_STEPS, r);
        }
    }
}
