//! `make digits-model`: trains the drawing pad's shipped digits model (`cnn_playground::draw::digits_model_settings`:
//! the Train panel's default net and run on the whole training split) and writes it to
//! `www/data/digits-model.safetensors` (or the path given as the first argument). Deterministic: the same bytes on
//! every machine (the engine's arithmetic is IEEE, its `exp`/`ln` the `libm` crate's); tests/draw.rs checks them.

use cnn_playground::data::digits::DIGITS_BIN;
use cnn_playground::transfer::sha256::sha256_hex;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "www/data/digits-model.safetensors".into());
    let t0 = Instant::now();
    let made = cnn_playground::draw::train_digits_model(DIGITS_BIN, |step, total| {
        if step % 50 == 0 || step == total {
            eprint!("\rstep {step}/{total}");
        }
    });
    eprintln!();
    match made.and_then(|(weights, acc)| {
        std::fs::write(&path, &weights).map_err(|e| cnn_playground::error::Error::invalid("path", e.to_string()))?;
        println!(
            "validation accuracy {acc:.4}, {} bytes, sha256 {}, {:.1} s -> {path}",
            weights.len(),
            sha256_hex(&weights),
            t0.elapsed().as_secs_f64()
        );
        Ok(())
    }) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("digits-model: {e}");
            std::process::exit(1);
        }
    }
}
