//! `make zoo`: pretrains the model zoo on the generated source set and writes `www/zoo/NAME.safetensors` and
//! `www/zoo/manifest.json` (or into the folder given as the first argument). Deterministic: the same bytes on every
//! machine (see `cnn_playground::transfer::zoo`).

use cnn_playground::transfer::zoo::{self, RECIPES};
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("zoo: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "www/zoo".into());
    std::fs::create_dir_all(&dir)?;
    let t0 = Instant::now();
    let (data, split) = zoo::source_data()?;
    println!(
        "source: {} images of {} classes ({} to train, {} held out), {:.1} s",
        data.len(),
        data.classes(),
        split.train.len(),
        split.val.len(),
        t0.elapsed().as_secs_f64()
    );
    let mut entries = Vec::new();
    for recipe in &RECIPES {
        let t = Instant::now();
        let model = zoo::pretrain(recipe, &data, &split, |step| {
            eprint!("\r{}: step {step}/{}", recipe.name, recipe.steps);
        })?;
        eprintln!();
        let path = format!("{dir}/{}", model.entry.file);
        std::fs::write(&path, &model.weights)?;
        println!(
            "{}: source accuracy {:.4}, {} bytes, sha256 {}, {:.1} s -> {path}",
            recipe.name,
            model.entry.source_acc,
            model.entry.bytes,
            model.entry.sha256,
            t.elapsed().as_secs_f64()
        );
        entries.push(model.entry);
    }
    std::fs::write(format!("{dir}/manifest.json"), zoo::manifest_json(&entries))?;
    println!("total {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
