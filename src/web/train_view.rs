//! The Train panel's drawing on the main thread: training curves (one or several runs), the confusion matrix, and
//! grids of small images (filters, activation maps, misclassified examples) as RGBA bytes.

use super::config::Config;
use super::{args, js_error, pixel_ratio};
use crate::error::Error;
use crate::plot::{self, CurveOptions, CurveRun, CurveWords, Style, TileGrid};
use wasm_bindgen::prelude::*;

/// Rows of one curves chart (all runs together), entries of a confusion matrix, and pixels of a tile grid.
const MAX_ROWS: usize = 1 << 20;
const MAX_PIXELS: usize = 1 << 24;
/// Runs in one curves chart, classes of a confusion matrix.
const MAX_NAMES: usize = 1000;
const MAX_SAFE_STEP: f64 = args::MAX_SAFE;

/// The keys of one curves chart (see [`draw_train_curves`]).
const CHART_KEYS: [&str; 11] = [
    "lastStep",
    "lengths",
    "steps",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "names",
    "words",
    "ratio",
    "options",
];

/// One curves chart as the page describes it, read and checked (every error's param is the key at fault).
struct CurveChart {
    last_step: f64,
    lengths: Vec<u32>,
    /// steps, train_loss, train_acc, val_loss, val_acc: every run's rows one run after another.
    columns: [Vec<f64>; 5],
    names: Vec<String>,
    words: Vec<String>,
    ratio: f64,
    options: CurveOptions,
}

impl CurveChart {
    fn read(value: &JsValue) -> crate::Result<CurveChart> {
        let c = Config::read(value, "chart", &CHART_KEYS)?;
        let last_step = c.number("lastStep")?.unwrap_or(0.0);
        crate::error::check_range("lastStep", last_step, -MAX_SAFE_STEP, MAX_SAFE_STEP)?;
        let lengths = c.uints("lengths", MAX_NAMES)?.unwrap_or_default();
        let column = |key| c.f64s(key, MAX_ROWS).map(Option::unwrap_or_default);
        let columns =
            [column("steps")?, column("train_loss")?, column("train_acc")?, column("val_loss")?, column("val_acc")?];
        let texts = |key| -> crate::Result<Vec<String>> {
            Ok(match args::get(key, value, key)? {
                v if v.is_undefined() || v.is_null() => Vec::new(),
                v => args::texts(key, &v, MAX_NAMES)?,
            })
        };
        let (names, words) = (texts("names")?, texts("words")?);
        let ratio = c.number("ratio")?.unwrap_or(1.0);
        crate::error::check_range("ratio", ratio, 0.01, 16.0)?;
        let options = match args::get("options", value, "options")? {
            v if v.is_undefined() || v.is_null() => CurveOptions::default(),
            v => curve_options(&v)?,
        };
        // Summed as f64: the lengths are below 2³² each, so the sum cannot wrap.
        let total: f64 = lengths.iter().map(|&n| n as f64).sum();
        if let Some(i) = columns.iter().position(|col| col.len() as f64 != total) {
            let key = ["steps", "train_loss", "train_acc", "val_loss", "val_acc"][i];
            return Err(Error::coded(key, "length_mismatch", format!("every column needs {total} values"))
                .with("expected", total)
                .with("got", columns[i].len() as f64));
        }
        Ok(CurveChart { last_step, lengths, columns, names, words, ratio, options })
    }
}

/// Curves of one or more runs on `canvas` (a canvas element, or an SVG target: src/web/mod.rs, `chart_target`;
/// returns the SVG then). `chart` = `{ lastStep, lengths, steps, train_loss, train_acc, val_loss, val_acc, names,
/// words, ratio, options }`: the columns hold every run's rows one run after another (`lengths[i]` rows for run
/// i); `names` one per run; `words` = [step, loss, accuracy, training, validation] in the page's language; the step
/// axis ends at `lastStep` (a run's planned total) when that is positive, else at the last measured step; `ratio`
/// the device pixel ratio; `options` `{ colors: [palette index per run], dashed: [0 | 1 per run], legend, gap,
/// accuracy_only }` (src/plot/curves.rs, `CurveOptions`). A wrong key or type throws with that key as `.param`.
#[wasm_bindgen]
pub fn draw_train_curves(canvas: JsValue, chart: JsValue) -> Result<JsValue, JsValue> {
    let chart = CurveChart::read(&chart).map_err(js_error)?;
    let [steps, train_loss, train_acc, val_loss, val_acc] = &chart.columns;
    let mut runs = Vec::with_capacity(chart.lengths.len());
    let mut start = 0;
    for (i, &n) in chart.lengths.iter().enumerate() {
        let r = start..start + n as usize;
        runs.push(CurveRun {
            name: chart.names.get(i).map(String::as_str).unwrap_or(""),
            steps: &steps[r.clone()],
            train_loss: &train_loss[r.clone()],
            train_acc: &train_acc[r.clone()],
            val_loss: &val_loss[r.clone()],
            val_acc: &val_acc[r],
        });
        start += n as usize;
    }
    let word = |i: usize| chart.words.get(i).map(String::as_str).unwrap_or("");
    let words = CurveWords { step: word(0), loss: word(1), accuracy: word(2), training: word(3), validation: word(4) };
    let style = Style::new(chart.ratio);
    draw_chart!(canvas, |area| plot::draw_curves_with(&area, &runs, chart.last_step, &words, style, &chart.options))
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
) -> Result<JsValue, JsValue> {
    let counts = args::u32s("counts", &counts, MAX_NAMES * MAX_NAMES).map_err(js_error)?;
    let labels = args::texts("labels", &labels, MAX_NAMES).map_err(js_error)?;
    let words = args::texts("words", &words, MAX_NAMES).map_err(js_error)?;
    let pixel_ratio = pixel_ratio(&ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    draw_chart!(canvas, |area| plot::draw_confusion(&area, &counts, &labels, word(0), word(1), Style::new(pixel_ratio)))
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
) -> Result<JsValue, JsValue> {
    let counts = args::u32s("counts", &counts, MAX_NAMES * MAX_NAMES).map_err(js_error)?;
    let rows = args::u32s("rows", &rows, MAX_NAMES).map_err(js_error)?;
    let labels = args::texts("labels", &labels, MAX_NAMES).map_err(js_error)?;
    let words = args::texts("words", &words, MAX_NAMES).map_err(js_error)?;
    let pixel_ratio = pixel_ratio(&ratio)?;
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let rows: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
    draw_chart!(canvas, |area| {
        plot::draw_confusion_rows(&area, &counts, &rows, &labels, word(0), word(1), Style::new(pixel_ratio))
    })
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
