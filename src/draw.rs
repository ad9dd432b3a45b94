//! A drawn digit, made the way the UCI digits were made, and what a model predicts for it.
//!
//! # From strokes to the 8×8 the net sees
//! The UCI optical digits (Alpaydin & Kaynak, 1998; `www/data/README.md`) were made with NIST's preprocessing
//! programs: each handwritten character was segmented from a scanned form and normalized into a **32×32 bitmap**,
//! which was then divided into non-overlapping **4×4 blocks** whose *on* pixels were counted, giving an 8×8 image
//! of values 0 … 16. This module does the same to a drawing:
//!
//! 1. **Normalize** (the "digit centred and scaled as in the data set"): the strokes' bounding box is scaled, aspect
//!    ratio preserved, so that its longer side spans the field (the pen's centre line runs from [`PEN_RADIUS`] to
//!    `32 − PEN_RADIUS`, so the ink touches both edges), and centred in the field. This is what the shipped 8×8
//!    digits show: all 1,797 of them have ink in the first and last row (their height always fills the field) and
//!    most are 5–7 blocks wide, centred (measured on `www/data/digits.bin`). MNIST's different recipe (a 20×20 box
//!    in a 28×28 field, placed by the centre of mass) is *not* what these digits show, so it is not used: a
//!    drawing normalized that way would be smaller and off-centre compared with every training image.
//! 2. **Rasterize** at 32×32: a pixel is on when its centre lies within [`PEN_RADIUS`] of a stroke's centre line
//!    (a round pen). The radius is fixed in the normalized field, as the scanned pen strokes scale with the
//!    character in NIST's normalization; 2 pixels (a 4-pixel-wide stroke) gives a drawn "0" about the ink of the data
//!    set's digits, which have 300 ± 40 on pixels of 1,024 for every class (measured on `www/data/digits.bin`).
//! 3. **Count** the on pixels of each 4×4 block: the 8×8 image, values 0 … 16 ([`count_blocks`]).
//! 4. The model's own **preprocessing**: the same code as the data set's, [`Upsample`] (bilinear to the model's
//!    input, divided by 16; `Digits::to_dataset` runs it on every image of the file).
//!
//! Because of step 1 the 8×8 does not depend on where the digit was drawn or how large: a shifted or scaled drawing
//! gives the same counts (tests/draw.rs).
//!
//! # Input from outside
//! A drawing arrives as a flat list of coordinates `x0, y0, x1, y1, …` and the number of points of each stroke.
//! Everything is checked before anything is drawn; errors have param `drawing` and the codes `not_finite`,
//! `out_of_range` (a coordinate beyond ±[`MAX_COORD`]), `too_large` (more than [`MAX_POINTS`] points or
//! [`MAX_STROKES`] strokes), `wrong_length` (the strokes' lengths do not add up to the points) and `empty_drawing`
//! (no point at all: the page shows "draw something" instead of a prediction).
//!
//! # Prediction
//! [`predict`] runs the model once on the drawing's input in evaluation mode and returns the ten class probabilities
//! (softmax of the logits, [`crate::nn::loss::softmax`]), the top class and every layer's output (the activation
//! maps, [`crate::run::train::layer_maps`], the same as the Train panel's). The shipped digits model
//! (`www/data/digits-model.safetensors`, `make digits-model`) is the Train panel's default net trained by the Train
//! panel's own run ([`digits_model_settings`]) on the whole training split.

use crate::data::digits::Upsample;
use crate::error::{Error, Result, brief};
use crate::nn::loss::{argmax, softmax};
use crate::nn::model::Model;
use crate::nn::safetensors::load_safetensors;
use crate::nn::spec::Shape;
use crate::run::train::{TrainConfig, layer_maps};
use crate::run::{Settings, Value};

/// The normalized bitmap's side (UCI: 32×32).
pub const FIELD: usize = 32;
/// The side of a counted block (UCI: 4×4, so counts 0 … 16).
pub const BLOCK: usize = 4;
/// The counted image's side, `FIELD / BLOCK`.
pub const SIDE: usize = FIELD / BLOCK;
/// The largest count of a block.
pub const MAX_COUNT: u8 = (BLOCK * BLOCK) as u8;
/// The pen's radius in pixels of the normalized 32×32 field (module docs).
pub const PEN_RADIUS: f64 = 2.0;
/// At most this many points in a drawing (a long scribble at 60 pointer events a second for two minutes).
pub const MAX_POINTS: usize = 8192;
/// At most this many strokes.
pub const MAX_STROKES: usize = 1024;
/// Coordinates must lie within ±this (pixels of any screen are far inside it).
pub const MAX_COORD: f64 = 1e6;

/// A checked drawing: points and the strokes that join them.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    points: Vec<[f64; 2]>,
    /// Points per stroke; they add up to `points.len()`.
    strokes: Vec<usize>,
}

fn drawing_error(code: &'static str, message: String) -> Error {
    Error::coded("drawing", code, message)
}

impl Drawing {
    /// Checks a drawing from outside (module docs, "Input from outside"): `coords` holds `x, y` pairs, `lengths`
    /// the number of points of each stroke (a stroke of one point is a dot; zero-point strokes are allowed and
    /// draw nothing).
    pub fn new(coords: &[f64], lengths: &[u32]) -> Result<Drawing> {
        if lengths.len() > MAX_STROKES {
            return Err(drawing_error("too_large", format!("{} strokes; at most {MAX_STROKES}", lengths.len()))
                .with("got", lengths.len() as f64)
                .with("max", MAX_STROKES as f64));
        }
        if coords.len() > 2 * MAX_POINTS {
            return Err(drawing_error("too_large", format!("{} points; at most {MAX_POINTS}", coords.len() / 2))
                .with("got", (coords.len() / 2) as f64)
                .with("max", MAX_POINTS as f64));
        }
        let total: u64 = lengths.iter().map(|&n| n as u64).sum();
        if !coords.len().is_multiple_of(2) || total != (coords.len() / 2) as u64 {
            return Err(drawing_error(
                "wrong_length",
                format!("{} coordinates for strokes of {total} points in all (two per point)", coords.len()),
            )
            .with("expected", 2.0 * total as f64)
            .with("got", coords.len() as f64));
        }
        if let Some(i) = coords.iter().position(|v| !v.is_finite()) {
            return Err(
                drawing_error("not_finite", format!("coordinate {i} is {}", brief(coords[i]))).with("index", i as f64)
            );
        }
        if let Some(i) = coords.iter().position(|v| v.abs() > MAX_COORD) {
            return Err(drawing_error(
                "out_of_range",
                format!("coordinate {i} is {}; they must lie within ±{}", brief(coords[i]), brief(MAX_COORD)),
            )
            .with("index", i as f64)
            .with("min", -MAX_COORD)
            .with("max", MAX_COORD)
            .with("got", coords[i]));
        }
        let points = coords.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
        Ok(Drawing { points, strokes: lengths.iter().map(|&n| n as usize).collect() })
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn points(&self) -> usize {
        self.points.len()
    }

    /// The normalized 32×32 bitmap (module docs, steps 1 and 2): `FIELD·FIELD` values 0 or 1, rows top to bottom.
    /// An empty drawing is refused (code `empty_drawing`).
    pub fn bitmap(&self) -> Result<Vec<u8>> {
        if self.is_empty() {
            return Err(drawing_error("empty_drawing", "draw a digit first".into()));
        }
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in &self.points {
            for a in 0..2 {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]);
        let span = FIELD as f64 - 2.0 * PEN_RADIUS;
        // A single dot (no extent) is drawn at the centre.
        let scale = if extent > 0.0 { span / extent } else { 0.0 };
        let half = FIELD as f64 / 2.0;
        let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let at = |p: &[f64; 2]| [half + (p[0] - centre[0]) * scale, half + (p[1] - centre[1]) * scale];
        let mut bits = vec![0u8; FIELD * FIELD];
        let mut start = 0;
        for &n in &self.strokes {
            let stroke = &self.points[start..start + n];
            start += n;
            if let [only] = stroke {
                pen(&mut bits, at(only), at(only));
            }
            for pair in stroke.windows(2) {
                pen(&mut bits, at(&pair[0]), at(&pair[1]));
            }
        }
        Ok(bits)
    }

    /// The 8×8 image of counts 0 … 16 (module docs, steps 1–3).
    pub fn digit(&self) -> Result<[u8; SIDE * SIDE]> {
        Ok(count_blocks(&self.bitmap()?))
    }
}

/// Turns on every pixel whose centre lies within [`PEN_RADIUS`] of the segment `a`–`b` (field coordinates).
fn pen(bits: &mut [u8], a: [f64; 2], b: [f64; 2]) {
    let r = PEN_RADIUS;
    let (d0, d1) = (b[0] - a[0], b[1] - a[1]);
    let len2 = d0 * d0 + d1 * d1;
    let range = |lo: f64, hi: f64| {
        let first = (lo - r - 0.5).floor().max(0.0) as usize;
        let last = ((hi + r - 0.5).ceil().max(0.0) as usize).min(FIELD - 1);
        first..=last
    };
    for y in range(a[1].min(b[1]), a[1].max(b[1])) {
        for x in range(a[0].min(b[0]), a[0].max(b[0])) {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let t = if len2 > 0.0 { (((px - a[0]) * d0 + (py - a[1]) * d1) / len2).clamp(0.0, 1.0) } else { 0.0 };
            let (ex, ey) = (px - (a[0] + t * d0), py - (a[1] + t * d1));
            if ex * ex + ey * ey <= r * r {
                bits[y * FIELD + x] = 1;
            }
        }
    }
}

/// The on pixels (non-zero values) of each non-overlapping 4×4 block of a 32×32 bitmap, rows top to bottom: an 8×8
/// image of values 0 … 16. Panics unless `bitmap` has `FIELD·FIELD` values.
pub fn count_blocks(bitmap: &[u8]) -> [u8; SIDE * SIDE] {
    assert_eq!(bitmap.len(), FIELD * FIELD, "a {FIELD}×{FIELD} bitmap");
    let mut counts = [0u8; SIDE * SIDE];
    for (i, &v) in bitmap.iter().enumerate() {
        if v != 0 {
            counts[(i / FIELD / BLOCK) * SIDE + (i % FIELD) / BLOCK] += 1;
        }
    }
    counts
}

/// A digit's 8×8 counts as the model's input (`c = 1`, any `h×w`): the data set's own preprocessing, [`Upsample`].
/// A model of more than one channel is refused (param `model`, code `wrong_input`).
pub fn model_input(digit: &[u8; SIDE * SIDE], input: Shape) -> Result<Vec<f32>> {
    if input.c != 1 || input.h == 0 || input.w == 0 {
        return Err(Error::coded(
            "model",
            "wrong_input",
            format!("a drawn digit is one channel; the model takes {input}"),
        )
        .with("channels", input.c as f64));
    }
    let mut x = Vec::with_capacity(input.h * input.w);
    Upsample::new(SIDE, SIDE, MAX_COUNT, input.h, input.w).push(digit, &mut x);
    Ok(x)
}

/// What the model makes of a digit.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The 8×8 counts the model's input was made from.
    pub digit: [u8; SIDE * SIDE],
    /// The model's input (`h×w`, after the preprocessing).
    pub input: Vec<f32>,
    /// One probability per class (softmax of the logits), summing to 1 within rounding.
    pub probs: Vec<f64>,
    /// The class of the largest probability (the first on a tie).
    pub top: usize,
    /// Every layer's output for the digit (the last one is the logits).
    pub maps: Vec<Vec<f32>>,
}

/// Runs `model` on a digit's 8×8 counts in evaluation mode (module docs, "Prediction").
pub fn predict(model: &mut Model, digit: &[u8; SIDE * SIDE]) -> Result<Prediction> {
    if let Some(i) = digit.iter().position(|&v| v > MAX_COUNT) {
        return Err(Error::coded("digit", "out_of_range", format!("count {i} is {}; at most {MAX_COUNT}", digit[i]))
            .with("index", i as f64)
            .with("got", digit[i] as f64)
            .with("max", MAX_COUNT as f64));
    }
    let input = model_input(digit, model.input_shape())?;
    let maps = layer_maps(model, &input)?;
    let logits = maps.last().map(Vec::as_slice).unwrap_or(&[]);
    let top = argmax(logits);
    let probs = softmax(logits);
    Ok(Prediction { digit: *digit, input, probs, top, maps })
}

/// The Train panel's settings that train the shipped digits model: the panel's default net, learning rate,
/// optimizer and augmentation on the whole training split of the digits (every training image of a class), 8
/// epochs, seed 0. `make digits-model` runs them through the panel's own run ([`crate::run::train::TrainSession`]).
pub fn digits_model_settings() -> Settings {
    Settings::new()
        .with("per_class", Value::Number(1000.0))
        .with("epochs", Value::Number(8.0))
        .with("seed", Value::Number(0.0))
        .with("aug", Value::Text(DIGITS_MODEL_AUG.into()))
}

/// The augmentation of the shipped digits model: the Train panel's default pipeline (www/js/panels/augment.params.js).
pub const DIGITS_MODEL_AUG: &str = "translate~rotate(bilinear)~jitter(b0.3_c0.3)~noise(sigma0.03)";

/// A model of a training run's settings (`model` and the initializer, as the Train panel reads them) with weights
/// from a safetensors file, all or nothing (param `weights`).
pub fn model_with_weights(settings: &Settings, weights: &[u8]) -> Result<Model> {
    let mut model = TrainConfig::from_settings(settings)?.build_model()?;
    load_safetensors(&mut model, weights)?;
    Ok(model)
}

/// Trains the shipped digits model ([`digits_model_settings`]) from the digits file's bytes and returns its
/// weights (safetensors) and its accuracy on the validation split. `progress` hears each step.
pub fn train_digits_model(digits: &[u8], mut progress: impl FnMut(usize, usize)) -> Result<(Vec<u8>, f64)> {
    use crate::run::train::{TrainEnd, TrainEvent, TrainSession};
    let mut session = TrainSession::open(&digits_model_settings(), Some(digits))?;
    let total = session.total();
    loop {
        match session.step()? {
            TrainEvent::Step(r) => progress(r.step, total),
            TrainEvent::End(end) => match *end {
                TrainEnd::Finished(f) => {
                    let n: u32 = f.confusion.iter().sum();
                    let correct: u32 = (0..f.classes).map(|k| f.confusion[k * f.classes + k]).sum();
                    return Ok((f.weights, correct as f64 / n.max(1) as f64));
                }
                TrainEnd::Diverged { step, loss, .. } => {
                    return Err(Error::coded("model", "diverged", format!("diverged at step {step}, loss {loss}")));
                }
            },
        }
    }
}
