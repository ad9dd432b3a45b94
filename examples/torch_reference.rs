//! The playground's side of `make test-torch` (tests/python/test_torch.py): the cases' PyTorch scripts, the engine's
//! final validation accuracies over seeds, and loading a weights file a script saved.
//!
//! `cargo run --example torch_reference -- write DIR REPEATS` writes DIR/CASE.py (and CASE.npz) for every case and
//! DIR/engine.json: per case the seeds' final validation accuracies (all validation images, the last step), the
//! validation set's size and the steps. `… -- load CASE SEED WEIGHTS` opens the case's run as its script was written
//! (the script's data: a script's `--seed` reseeds PyTorch only, while the engine generates symbols from the run's
//! seed, so SEED only names the file's run), loads the safetensors file (all or nothing) and prints the validation
//! accuracy it gives; a file the engine refuses
//! prints `param: code: message` on stderr and exits 1. The transfer cases (the
//! quadrant small & similar with two strategies) are cells of the lab: the engine's repeats 0 … R−1 are its seeds.

use cnn_playground::data::digits::DIGITS_BIN;
use cnn_playground::data::{Dataset, Split};
use cnn_playground::feed::{Feed, Part};
use cnn_playground::nn::export::Preprocess;
use cnn_playground::run::Settings;
use cnn_playground::run::script::{Naming, cell_script, train_script};
use cnn_playground::run::train::{TrainEnd, TrainEvent, TrainSession};
use cnn_playground::run::transfer::{Cell, CellConfig, CellEvent, strategy_model_with, task_data};
use cnn_playground::transfer::plan::{self, Similarity, Size, Strategy};
use cnn_playground::transfer::zoo;
use std::rc::Rc;

/// The views' runs on a short schedule: the Train panel's defaults (fewer epochs), Adam with augmentation,
/// BatchNorm with dropout, and the generated symbols.
fn cases() -> Vec<(&'static str, Settings)> {
    vec![
        ("train-default", Settings::new().with("epochs", 10.0)),
        (
            "train-adam-aug",
            Settings::new()
                .with("epochs", 10.0)
                .with("opt", "adam")
                .with("lr", 0.002)
                .with("aug", "translate(x0.1_y0.1)"),
        ),
        (
            "train-bn-dropout",
            Settings::new()
                .with("epochs", 6.0)
                .with("model", "conv(8_k5_p2)~bn~relu~maxpool(2)~flatten~dropout(0.25)~dense(10)"),
        ),
        ("train-symbols", Settings::new().with("data", "symbols").with("epochs", 4.0).with("per_class", 20.0)),
    ]
}

/// The transfer lab's cells: the small & similar quadrant with the zoo's small model, fine-tuned, its head alone, and
/// the init view's other two arms: from scratch (He) and Mean Var (the pretrained values re-drawn from their moments).
const CELLS: [&str; 4] = ["transfer-finetune", "transfer-head", "transfer-scratch", "transfer-mean_var"];

fn cell(case: &str, repeats: u64) -> (Settings, Rc<Dataset>, Rc<Split>) {
    let q = plan::quadrant(Size::Small, Similarity::Similar);
    let (data, split) = task_data(&q).expect("the task");
    let weights = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/zoo/small.safetensors")).expect("the zoo");
    let s = Settings::new()
        .with("model", zoo::RECIPES[0].spec)
        .with("weights", weights)
        .with("strategy", case.trim_start_matches("transfer-"))
        .with("steps", q.steps as f64)
        .with("repeats", repeats as f64);
    (s, data, split)
}

fn settings(case: &str, seed: u64) -> Settings {
    let (_, s) = cases().into_iter().find(|(n, _)| *n == case).unwrap_or_else(|| panic!("no case {case}"));
    s.with("seed", seed as f64)
}

/// The final validation accuracy (every validation image, last step), the validation size and the steps.
fn engine_final(s: &Settings) -> (f64, usize, usize) {
    let mut session = TrainSession::open(s, Some(DIGITS_BIN)).expect("the case opens");
    let mut last = None;
    loop {
        match session.step().expect("a step") {
            TrainEvent::Step(r) => {
                if let Some(look) = r.look.filter(|l| l.all) {
                    last = Some((look.val.accuracy, look.val.n));
                }
            }
            TrainEvent::End(end) => {
                assert!(matches!(*end, TrainEnd::Finished(_)), "the case diverged");
                break;
            }
        }
    }
    let (acc, n) = last.expect("the last step measures everything");
    (acc, n, session.total())
}

/// The weights file's bytes, or exit 1 with the reason (a file a person names is input, not a bug).
fn read_weights(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("weights: cannot read {path}: {e}");
        std::process::exit(1)
    })
}

/// A file the engine refused: its error's param, code and message on stderr, exit 1 (never a panic).
fn refused(e: &cnn_playground::error::Error) -> ! {
    eprintln!("{}: {}: {}", e.param, e.code, e.message);
    std::process::exit(1)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") => {
            let dir = std::path::Path::new(&args[1]);
            let repeats: u64 = args[2].parse().expect("REPEATS");
            std::fs::create_dir_all(dir).unwrap();
            let mut entries = Vec::new();
            for (name, s) in cases() {
                let naming = Naming { name: name.into(), link: String::new() };
                let script = train_script(&s, Some(DIGITS_BIN), &naming).expect("a script");
                std::fs::write(dir.join(&script.file), &script.text).unwrap();
                if let Some((file, bytes)) = &script.npz {
                    std::fs::write(dir.join(file), bytes).unwrap();
                }
                let runs: Vec<(f64, usize, usize)> =
                    (0..repeats).map(|seed| engine_final(&settings(name, seed))).collect();
                let accs: Vec<String> = runs.iter().map(|r| format!("{}", r.0)).collect();
                eprintln!("{name}: engine final val_acc over seeds {:?}", accs);
                entries.push(format!(
                    "\"{name}\":{{\"val_acc\":[{}],\"val_n\":{},\"steps\":{}}}",
                    accs.join(","),
                    runs[0].1,
                    runs[0].2
                ));
            }
            for name in CELLS {
                let (s, data, split) = cell(name, repeats);
                let naming = Naming { name: name.into(), link: String::new() };
                let script =
                    cell_script(&s, &data, &split, Preprocess::none(zoo::INPUT), &naming).expect("a cell's script");
                std::fs::write(dir.join(&script.file), &script.text).unwrap();
                let (file, bytes) = script.npz.as_ref().expect("the cell's data");
                std::fs::write(dir.join(file), bytes).unwrap();
                let mut c = Cell::open(&s, data, split.clone(), Preprocess::none(zoo::INPUT)).expect("the cell opens");
                let result = loop {
                    if let CellEvent::End(r) = c.step(&mut || 0.0).expect("a step") {
                        break r;
                    }
                };
                let accs: Vec<String> = result.finals.iter().map(|a| format!("{a}")).collect();
                eprintln!("{name}: engine final val_acc over repeats {accs:?}");
                entries.push(format!(
                    "\"{name}\":{{\"val_acc\":[{}],\"val_n\":{},\"steps\":{}}}",
                    accs.join(","),
                    split.val.len(),
                    result.steps
                ));
            }
            std::fs::write(dir.join("engine.json"), format!("{{{}}}\n", entries.join(",\n"))).unwrap();
        }
        Some("load") if CELLS.contains(&args[1].as_str()) => {
            let (s, data, split) = cell(&args[1], 1);
            let c = CellConfig::from_settings(&s).expect("the cell");
            let mut model = strategy_model_with(
                &c.spec,
                zoo::INPUT,
                c.weights.as_deref().unwrap_or(&[]),
                data.classes(),
                Strategy::Finetune,
                c.k,
                c.optimizer,
                0,
            )
            .expect("the model");
            let bytes = read_weights(&args[3]);
            if let Err(e) = cnn_playground::nn::safetensors::load_safetensors(&mut model, &bytes) {
                refused(&e);
            }
            let mut feed = Feed::new(data, split, c.batch, Default::default(), 0).expect("a feed");
            let val = feed.evaluate(&mut model, Part::Val).expect("evaluated");
            println!("{} {} {}", val.accuracy, val.correct, val.n);
        }
        Some("load") => {
            // The script's data are those of the run it was written from (`write`: the case's settings, seed 0):
            // its --seed reseeds PyTorch only, while the engine draws generated symbols from the run's seed. So the
            // weights of every seed are measured on the written run's validation set, as the script measured them.
            let _seed: u64 = args[2].parse().expect("SEED");
            let bytes = read_weights(&args[3]);
            let written = cases().into_iter().find(|(n, _)| *n == args[1]).map(|(_, s)| s);
            let written = written.unwrap_or_else(|| panic!("no case {}", args[1]));
            let mut session = TrainSession::open(&written, Some(DIGITS_BIN)).expect("the case opens");
            let val = session.load(&bytes).unwrap_or_else(|e| refused(&e));
            println!("{} {} {}", val.accuracy, val.correct, val.n);
        }
        _ => {
            eprintln!("usage: torch_reference write DIR REPEATS | load CASE SEED WEIGHTS");
            std::process::exit(2);
        }
    }
}
