//! The playground's side of `make test-torch` (tests/python/test_torch.py): the cases' PyTorch scripts, the engine's
//! final validation accuracies over seeds, and loading a weights file a script saved.
//!
//! `cargo run --example torch_reference -- write DIR REPEATS` writes DIR/CASE.py (and CASE.npz) for every case and
//! DIR/engine.json: per case the seeds' final validation accuracies (all validation images, the last step), the
//! validation set's size and the steps. `… -- load CASE SEED WEIGHTS` opens the case's run with that seed, loads
//! the safetensors file (all or nothing) and prints the validation accuracy it gives.

use cnn_playground::data::digits::DIGITS_BIN;
use cnn_playground::run::Settings;
use cnn_playground::run::script::{Naming, train_script};
use cnn_playground::run::train::{TrainEnd, TrainEvent, TrainSession};

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
            std::fs::write(dir.join("engine.json"), format!("{{{}}}\n", entries.join(",\n"))).unwrap();
        }
        Some("load") => {
            let seed: u64 = args[2].parse().expect("SEED");
            let bytes = std::fs::read(&args[3]).expect("the weights file");
            let mut session = TrainSession::open(&settings(&args[1], seed), Some(DIGITS_BIN)).expect("the case opens");
            let val = session.load(&bytes).expect("the weights load");
            println!("{} {} {}", val.accuracy, val.correct, val.n);
        }
        _ => {
            eprintln!("usage: torch_reference write DIR REPEATS | load CASE SEED WEIGHTS");
            std::process::exit(2);
        }
    }
}
