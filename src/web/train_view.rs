//! The Train panel's drawing on the main thread: training curves (one or several runs), the confusion matrix, and
//! grids of small images (filters, activation maps, misclassified examples) as RGBA bytes.

use super::config::Config;
use super::{args, canvas_backend, chart_error, js_error, pixel_ratio};
use crate::error::Error;
use crate::plot::{self, CurveOptions, CurveRun, CurveWords, Style, TileGrid};
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;

/// Rows of one curves chart (all runs together), entries of a confusion matrix, and pixels of a tile grid.
const MAX_ROWS: usize = 1 << 20;
const MAX_PIXELS: usize = 1 << 24;
/// Runs in one curves chart, classes of a confusion matrix.
const MAX_NAMES: usize = 1000;
const MAX_SAFE_STEP: f64 = args::MAX_SAFE;

/// Curves of `lengths.len()` runs: `steps`, `train_loss`, `train_acc`, `val_loss`, `val_acc` hold every run's rows
/// one run after another (`lengths[i]` rows for run i); `names` one per run; `words` = [step, loss, accuracy,
/// training, validation] in the page's language; the step axis ends at `last_step` (a run's planned total) when that
/// is positive, else at the last measured step. `options` (optional): `{ colors: [palette index per run], dashed:
/// [0 | 1 per run], legend: bool, gap: bool, accuracy_only: bool }` (src/plot/curves.rs, `CurveOptions`); a wrong
/// key or type throws with that key as `.param`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn draw_train_curves(
    canvas: JsValue,
    last_step: JsValue,
    lengths: JsValue,
    steps: JsValue,
    train_loss: JsValue,
    train_acc: JsValue,
    val_loss: JsValue,
    val_acc: JsValue,
    names: JsValue,
    words: JsValue,
    ratio: JsValue,
    options: JsValue,
) -> Result<(), JsValue> {
    let options = curve_options(&options).map_err(js_error)?;
    let last_step = args::number("last_step", &last_step)
        .and_then(|x| crate::error::check_range("last_step", x, -MAX_SAFE_STEP, MAX_SAFE_STEP))
        .map_err(js_error)?;
    let lengths = args::u32s("lengths", &lengths, MAX_NAMES).map_err(js_error)?;
    let column = |param, v: &JsValue| args::f64s(param, v, MAX_ROWS).map_err(js_error);
    let (steps, train_loss, train_acc) =
        (column("steps", &steps)?, column("train_loss", &train_loss)?, column("train_acc", &train_acc)?);
    let (val_loss, val_acc) = (column("val_loss", &val_loss)?, column("val_acc", &val_acc)?);
    let names = args::texts("names", &names, MAX_NAMES).map_err(js_error)?;
    let words = args::texts("words", &words, MAX_NAMES).map_err(js_error)?;
    let pixel_ratio = pixel_ratio(&ratio)?;
    // Summed as f64: the lengths are below 2³² each, so the sum cannot wrap.
    let total: f64 = lengths.iter().map(|&n| n as f64).sum();
    let columns = [&steps, &train_loss, &train_acc, &val_loss, &val_acc];
    if columns.iter().any(|c| c.len() as f64 != total) {
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
    canvas: JsValue,
    counts: JsValue,
    labels: JsValue,
    words: JsValue,
    ratio: JsValue,
) -> Result<(), JsValue> {
    let counts = args::u32s("counts", &counts, MAX_NAMES * MAX_NAMES).map_err(js_error)?;
    let labels = args::texts("labels", &labels, MAX_NAMES).map_err(js_error)?;
    let words = args::texts("words", &words, MAX_NAMES).map_err(js_error)?;
    let pixel_ratio = pixel_ratio(&ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let area = canvas_backend(canvas)?.into_drawing_area();
    plot::draw_confusion(&area, &counts, &labels, word(0), word(1), Style::new(pixel_ratio)).map_err(chart_error)
}

/// Some rows of a confusion matrix (`counts` = `rows.len() × labels.len()`, row i the true class `rows[i]`);
/// `words` = [true, predicted].
#[wasm_bindgen]
pub fn draw_confusion_rows(
    canvas: JsValue,
    counts: JsValue,
    rows: JsValue,
    labels: JsValue,
    words: JsValue,
    ratio: JsValue,
) -> Result<(), JsValue> {
    let counts = args::u32s("counts", &counts, MAX_NAMES * MAX_NAMES).map_err(js_error)?;
    let rows = args::u32s("rows", &rows, MAX_NAMES).map_err(js_error)?;
    let labels = args::texts("labels", &labels, MAX_NAMES).map_err(js_error)?;
    let words = args::texts("words", &words, MAX_NAMES).map_err(js_error)?;
    let pixel_ratio = pixel_ratio(&ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let rows: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
    let area = canvas_backend(canvas)?.into_drawing_area();
    plot::draw_confusion_rows(&area, &counts, &rows, &labels, word(0), word(1), Style::new(pixel_ratio))
        .map_err(chart_error)
}

/// RGBA bytes of `tiles` images of `height × width` values laid out in `columns` columns with one-pixel gaps:
/// `[(columns·(width+1)−1) × (rows·(height+1)−1)]` pixels; `signed` values on a blue–white–red scale, others grey.
/// At most 2²⁴ pixels (param `tiles`, code `too_large`, checked before anything is allocated).
#[wasm_bindgen]
pub fn tiles_rgba(
    values: JsValue,
    tiles: JsValue,
    height: JsValue,
    width: JsValue,
    columns: JsValue,
    signed: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let read = || -> crate::Result<(Vec<f32>, TileGrid, bool)> {
        let values = args::f32s("values", &values, MAX_PIXELS)?;
        let side = crate::augment::MAX_SIDE;
        let grid = TileGrid {
            tiles: args::count("tiles", &tiles, 0, MAX_PIXELS)?,
            height: args::count("height", &height, 0, side)?,
            width: args::count("width", &width, 0, side)?,
            columns: args::count("columns", &columns, 0, MAX_PIXELS)?,
        };
        let (gw, gh) = (grid.columns.max(1).min(grid.tiles) as f64, grid.tiles.div_ceil(grid.columns.max(1)) as f64);
        let pixels = gw * (grid.width as f64 + 1.0) * gh * (grid.height as f64 + 1.0);
        if pixels > MAX_PIXELS as f64 {
            return Err(Error::coded("tiles", "too_large", format!("{pixels} pixels; at most {MAX_PIXELS}"))
                .with("got", pixels)
                .with("max", MAX_PIXELS as f64));
        }
        Ok((values, grid, args::boolean("signed", &signed)?))
    };
    let (values, grid, signed) = read().map_err(js_error)?;
    Ok(plot::tiles_rgba(&values, grid, signed))
}

/// The runs' colours of the curve charts as CSS hex (`#d55e00`, …), so a legend the page draws matches them.
#[wasm_bindgen]
pub fn run_colors() -> Vec<String> {
    plot::RUN_COLORS.iter().map(|c| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)).collect()
}
