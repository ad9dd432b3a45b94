//! The Train panel's drawing on the main thread: training curves (one or several runs), the confusion matrix, and
//! grids of small images (filters, activation maps, misclassified examples) as RGBA bytes.

use super::config::Config;
use super::{canvas_backend, chart_error};
use crate::plot::{self, CurveOptions, CurveRun, CurveWords, Style, TileGrid};
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;

/// Curves of `lengths.len()` runs: `steps`, `train_loss`, `train_acc`, `val_loss`, `val_acc` hold every run's rows
/// one run after another (`lengths[i]` rows for run i); `names` one per run; `words` = [step, loss, accuracy,
/// training, validation] in the page's language; the step axis ends at `last_step` (a run's planned total) when that
/// is positive, else at the last measured step. `options` (optional): `{ colors: [palette index per run], dashed:
/// [0 | 1 per run], legend: bool, gap: bool, accuracy_only: bool }` (src/plot/curves.rs, `CurveOptions`); a wrong
/// key or type throws with that key as `.param`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn draw_train_curves(
    canvas: web_sys::HtmlCanvasElement,
    last_step: f64,
    lengths: &[u32],
    steps: &[f64],
    train_loss: &[f64],
    train_acc: &[f64],
    val_loss: &[f64],
    val_acc: &[f64],
    names: Vec<String>,
    words: Vec<String>,
    pixel_ratio: f64,
    options: JsValue,
) -> Result<(), JsValue> {
    let options = curve_options(&options).map_err(super::js_error)?;
    let total: usize = lengths.iter().map(|&n| n as usize).sum();
    let columns = [steps, train_loss, train_acc, val_loss, val_acc];
    if columns.iter().any(|c| c.len() != total) {
        return Err(chart_error(format!("every column needs {total} values")));
    }
    let mut runs = Vec::with_capacity(lengths.len());
    let mut start = 0;
    for (i, &n) in lengths.iter().enumerate() {
        let r = start..start + n as usize;
        runs.push(CurveRun {
            name: names.get(i).map(String::as_str).unwrap_or(""),
            steps: &steps[r.clone()],
            train_loss: &train_loss[r.clone()],
            train_acc: &train_acc[r.clone()],
            val_loss: &val_loss[r.clone()],
            val_acc: &val_acc[r],
        });
        start += n as usize;
    }
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let words = CurveWords { step: word(0), loss: word(1), accuracy: word(2), training: word(3), validation: word(4) };
    let area = canvas_backend(canvas)?.into_drawing_area();
    plot::draw_curves_with(&area, &runs, last_step, &words, Style::new(pixel_ratio), &options).map_err(chart_error)
}

fn curve_options(value: &JsValue) -> crate::Result<CurveOptions> {
    const MAX_RUNS: usize = 64;
    let c = Config::read(value, "options", &["colors", "dashed", "legend", "gap", "accuracy_only"])?;
    let max = (plot::RUN_COLORS.len() - 1) as f64;
    let defaults = CurveOptions::default();
    Ok(CurveOptions {
        colors: c.wholes("colors", 0.0, max, MAX_RUNS)?.unwrap_or_default().into_iter().map(|v| v as usize).collect(),
        dashed: c.wholes("dashed", 0.0, 1.0, MAX_RUNS)?.unwrap_or_default().into_iter().map(|v| v == 1).collect(),
        legend: c.bool("legend")?.unwrap_or(defaults.legend),
        gap: c.bool("gap")?.unwrap_or(defaults.gap),
        accuracy_only: c.bool("accuracy_only")?.unwrap_or(defaults.accuracy_only),
    })
}

/// The confusion matrix of `labels.len()` classes (`counts` row = true class); `words` = [true, predicted].
#[wasm_bindgen]
pub fn draw_confusion(
    canvas: web_sys::HtmlCanvasElement,
    counts: &[u32],
    labels: Vec<String>,
    words: Vec<String>,
    pixel_ratio: f64,
) -> Result<(), JsValue> {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let area = canvas_backend(canvas)?.into_drawing_area();
    plot::draw_confusion(&area, counts, &labels, word(0), word(1), Style::new(pixel_ratio)).map_err(chart_error)
}

/// Some rows of a confusion matrix (`counts` = `rows.len() × labels.len()`, row i the true class `rows[i]`);
/// `words` = [true, predicted].
#[wasm_bindgen]
pub fn draw_confusion_rows(
    canvas: web_sys::HtmlCanvasElement,
    counts: &[u32],
    rows: &[u32],
    labels: Vec<String>,
    words: Vec<String>,
    pixel_ratio: f64,
) -> Result<(), JsValue> {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let rows: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
    let area = canvas_backend(canvas)?.into_drawing_area();
    plot::draw_confusion_rows(&area, counts, &rows, &labels, word(0), word(1), Style::new(pixel_ratio))
        .map_err(chart_error)
}

/// RGBA bytes of `tiles` images of `height × width` values laid out in `columns` columns with one-pixel gaps:
/// `[(columns·(width+1)−1) × (rows·(height+1)−1)]` pixels; `signed` values on a blue–white–red scale, others grey.
#[wasm_bindgen]
pub fn tiles_rgba(values: &[f32], tiles: usize, height: usize, width: usize, columns: usize, signed: bool) -> Vec<u8> {
    plot::tiles_rgba(values, TileGrid { tiles, height, width, columns }, signed)
}

/// The runs' colours of the curve charts as CSS hex (`#d55e00`, …), so a legend the page draws matches them.
#[wasm_bindgen]
pub fn run_colors() -> Vec<String> {
    plot::RUN_COLORS.iter().map(|c| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)).collect()
}
