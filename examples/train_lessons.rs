//! The Train panel's lessons over several seeds, natively (issue 18: a lesson is designed, then verified with other
//! seeds; issue 20: the BatchNorm arms and the batch-size view). The arms repeat www/js/panels/train.lessons.js (the
//! page's settings of each comparison) and step the same core session as the page's worker (`run::train`).
//!
//! `cargo run --release --example train_lessons -- LESSON SEED… [key=value…]` with LESSON one of `init_race`,
//! `batch_norm`, `overfit`, `label_trap`; `key=value` overrides a setting of every arm (`per_class=20`, `epochs=30`,
//! `lr=0.01`, …; `depth=` is not a setting). Prints one JSON line per run: the best validation accuracy (the live
//! measurements on the subset and the final one on every image), the final train and validation accuracy, the
//! step-0 spread of every layer's output for the shown example, the first step at 90 % of the lesson's best run, the
//! still-learning suggestion and the 6 ↔ 9 confusions; then one line of the core's verdicts per seed.

use cnn_playground::run::train::{MEASURE_N, TrainEnd, TrainEvent, TrainSession, measure_every};
use cnn_playground::run::{Settings, Value};
use cnn_playground::verdict;
use std::time::Instant;

/// The race's net (train.lessons.js `deepNet`): six 3×3 convolutions in three stages, `norm` after each.
fn deep_net(act: &str, norm: &str) -> String {
    let n = if norm.is_empty() { String::new() } else { format!("~{norm}") };
    let stage = |c: usize| format!("conv({c}_k3_p1){n}~{act}~conv({c}_k3_p1){n}~{act}");
    format!("{}~maxpool(2)~{}~maxpool(2)~{}~maxpool(7)~flatten~dense(10)", stage(8), stage(16), stage(16))
}

/// The batch-size view's net (train.lessons.js `normNet`): the panel's default net with `norm` after each conv.
fn norm_net(norm: &str) -> String {
    format!("conv(8_k5_p2)~{norm}~relu~maxpool(2)~conv(16_k5_p2)~{norm}~relu~maxpool(3)~flatten~dense(10)")
}

const REALISTIC: &str = "translate~rotate(bilinear)";
const FLIPPING: &str = "vflip~rotate(deg180_bilinear)";

/// The batch sizes of the batch-size view (lessons.js `BATCH_SIZES`); every arm sees the same examples (the page
/// sets `epochs=20`: pass it on the command line) at the panel's learning rate.
const BATCHES: [usize; 6] = [2, 4, 8, 16, 32, 64];

fn arms(lesson: &str) -> Vec<(String, Vec<(&'static str, Value)>)> {
    let text = |s: &str| Value::Text(s.into());
    match lesson {
        "init_race" => {
            let mut out = Vec::new();
            for act in ["tanh", "relu"] {
                for (init, norm, scheme, std) in [
                    ("small", "", "normal", Some(0.01)),
                    ("xavier", "", "xavier_normal", None),
                    ("he", "", "he_normal", None),
                    ("small_bn", "bn", "normal", Some(0.01)),
                ] {
                    let mut s = vec![
                        ("model", text(&deep_net(act, norm))),
                        ("aug", text("")),
                        ("mode", text("fan_in")),
                        ("nonlinearity", text("auto")),
                        ("dist", text("normal")),
                        ("init", text(scheme)),
                    ];
                    if let Some(std) = std {
                        s.push(("std", Value::Number(std)));
                    }
                    out.push((format!("{init}_{act}"), s));
                }
            }
            out
        }
        "batch_norm" => {
            let mut out = Vec::new();
            for norm in ["bn", "gn(4)"] {
                for bs in BATCHES {
                    let id = format!("{}_{bs}", if norm == "bn" { "bn" } else { "gn" });
                    out.push((
                        id,
                        vec![("model", text(&norm_net(norm))), ("aug", text("")), ("bs", Value::Number(bs as f64))],
                    ));
                }
            }
            out
        }
        "overfit" => vec![("no_aug".into(), vec![("aug", text(""))]), ("aug".into(), vec![("aug", text(REALISTIC))])],
        "label_trap" => {
            vec![
                ("realistic".into(), vec![("aug", text(REALISTIC))]),
                ("flipping".into(), vec![("aug", text(FLIPPING))]),
            ]
        }
        other => panic!("no lesson {other}"),
    }
}

fn spread(v: &[f32]) -> f64 {
    let n = v.len().max(1) as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    (v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt()
}

struct Outcome {
    id: String,
    curve: Vec<(usize, f64)>,
    best: f64,
    best_all: bool,
    final_val: f64,
    final_train: f64,
    six_nine: Option<u32>,
    spreads: Vec<f64>,
    diverged: bool,
    val_len: usize,
    every: usize,
    seconds: f64,
}

fn train(settings: &Settings, digits: &[u8], id: &str) -> Outcome {
    let t0 = Instant::now();
    let mut session = TrainSession::open(settings, Some(digits)).expect("settings");
    let (mut curve, mut spreads, mut best, mut best_all) = (Vec::new(), Vec::new(), f64::NEG_INFINITY, false);
    let (mut final_val, mut final_train, mut six_nine, mut diverged, mut val_len) = (0.0, 0.0, None, false, 0);
    let mut every = measure_every(32);
    loop {
        match session.step().expect("step") {
            TrainEvent::Step(r) => {
                if let Some((info, look)) = &r.first {
                    spreads = look.maps.iter().map(|m| spread(m)).collect();
                    val_len = info.val_len;
                    every = info.every;
                    curve.push((0, look.val.accuracy));
                    best = look.val.accuracy;
                }
                if let Some(look) = &r.look {
                    curve.push((look.step, look.val.accuracy));
                    if look.val.accuracy > best {
                        best = look.val.accuracy;
                        best_all = look.all;
                    }
                    final_val = look.val.accuracy;
                    final_train = look.train.accuracy;
                }
            }
            TrainEvent::End(end) => {
                match *end {
                    TrainEnd::Diverged { .. } => diverged = true,
                    TrainEnd::Finished(f) => {
                        let k = f.classes;
                        six_nine = (k > 9).then(|| f.confusion[6 * k + 9] + f.confusion[9 * k + 6]);
                    }
                }
                break;
            }
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    Outcome {
        id: id.into(),
        curve,
        best,
        best_all,
        final_val,
        final_train,
        six_nine,
        spreads,
        diverged,
        val_len,
        every,
        seconds,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lesson = args.first().expect("LESSON SEED…").clone();
    let seeds: Vec<u64> = args[1..].iter().filter_map(|a| a.parse().ok()).collect();
    let overrides: Vec<(String, Value)> = args[1..]
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse::<f64>().map_or_else(|_| Value::Text(v.into()), Value::Number)))
        .collect();
    let digits = std::fs::read("www/data/digits.bin").expect("www/data/digits.bin (run from the repository)");
    for seed in seeds {
        let mut outs = Vec::new();
        for (id, patch) in arms(&lesson) {
            // The panel's defaults (train.params.js), then the arm's patch, then the command line.
            let mut s = Settings::new()
                .with("per_class", 20.0)
                .with("epochs", 30.0)
                .with("bs", 32.0)
                .with("lr", 0.01)
                .with("momentum", 0.9)
                .with("seed", seed as f64);
            for (k, v) in patch {
                s.set(k, v);
            }
            for (k, v) in &overrides {
                s.set(k, v.clone());
            }
            let o = train(&s, &digits, &id);
            outs.push(o);
        }
        let top = outs.iter().map(|o| o.best).fold(0.0, f64::max);
        for o in &outs {
            let to90 = verdict::steps_to_reach(&o.curve, 0.9, top);
            let more = verdict::still_learning(&o.curve, MEASURE_N, o.every);
            let spreads: Vec<String> = o.spreads.iter().map(|s| format!("{s:.2e}")).collect();
            println!(
                "{{\"lesson\":\"{lesson}\",\"seed\":{seed},\"arm\":\"{}\",\"best\":{:.4},\"best_all\":{},\"final_val\":{:.4},\"final_train\":{:.4},\"gap\":{:.4},\"steps\":{},\"to90\":{},\"still_learning\":{},\"six_nine\":{},\"learning\":\"{}\",\"diverged\":{},\"val_len\":{},\"seconds\":{:.1},\"spreads\":[{}]}}",
                o.id,
                o.best,
                o.best_all,
                o.final_val,
                o.final_train,
                o.final_train - o.final_val,
                o.curve.last().map_or(0, |c| c.0),
                to90.map_or("null".into(), |s| s.to_string()),
                more.map_or("null".into(), |s| s.to_string()),
                o.six_nine.map_or("null".into(), |s| s.to_string()),
                verdict::learning(o.best, 10, top).name(),
                o.diverged,
                o.val_len,
                o.seconds,
                spreads.join(",")
            );
        }
        let by = |id: &str| outs.iter().find(|o| o.id == id).map(|o| o.best);
        let cmp = |a: &str, b: &str| match (by(a), by(b)) {
            (Some(x), Some(y)) => {
                let v = verdict::compare(&[x], &[y], MEASURE_N).expect("verdict");
                format!(
                    "\"{a} vs {b}\":\"{} {:+.1} (margin {:.1})\"",
                    v.outcome.name(),
                    100.0 * v.diff,
                    100.0 * v.margin
                )
            }
            _ => String::new(),
        };
        let pairs: Vec<String> = match lesson.as_str() {
            "init_race" => vec![
                cmp("xavier_tanh", "he_tanh"),
                cmp("he_relu", "xavier_relu"),
                cmp("small_bn_tanh", "small_tanh"),
                cmp("small_bn_relu", "small_relu"),
            ],
            "batch_norm" => BATCHES.iter().map(|b| cmp(&format!("gn_{b}"), &format!("bn_{b}"))).collect(),
            "overfit" => vec![cmp("aug", "no_aug")],
            _ => vec![cmp("realistic", "flipping")],
        };
        println!("{{\"lesson\":\"{lesson}\",\"seed\":{seed},{}}}", pairs.join(","));
    }
}
