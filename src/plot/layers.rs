//! Charts of a deep net's layers: activation histograms as small multiples with shared axes (the CS231n picture),
//! and per-layer spreads on log axes where overflow (inf/NaN) is marked instead of silently dropped.

use super::{AXIS, BAR, GRID, Style, err, histogram::short};
use plotters::coord::Shift;
use plotters::prelude::*;

pub const GRAD_W: RGBColor = RGBColor(46, 140, 87);
pub const OVERFLOW: RGBColor = RGBColor(200, 30, 30);

/// One small histogram per layer over the same x range `[lo, hi]`, heights as the fraction of units per bin on one
/// shared y scale. `counts` holds `layers × bins` values, layer by layer; `outside[l]` and `overflow[l]` are the
/// fractions of layer l's units beyond the range and non-finite, written on the panel when non-zero.
pub struct LayerHistograms<'a> {
    pub lo: f64,
    pub hi: f64,
    pub bins: usize,
    pub counts: &'a [f64],
    pub totals: &'a [f64],
    pub outside: &'a [f64],
    pub overflow: &'a [f64],
    /// "layer" in the page's language; panels are titled "{layer_word} 1", …
    pub layer_word: &'a str,
    pub overflow_word: &'a str,
}

pub fn draw_layer_histograms<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerHistograms,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let bins = plot.bins.max(1);
    let layers = plot.counts.len() / bins;
    if layers == 0 {
        return area.present().map_err(err);
    }
    let cols = layers.min(10);
    let rows = layers.div_ceil(cols);
    let fraction = |l: usize, b: usize| {
        let t = plot.totals.get(l).copied().unwrap_or(0.0);
        if t > 0.0 { plot.counts[l * bins + b] / t } else { 0.0 }
    };
    let top = (0..layers).flat_map(|l| (0..bins).map(move |b| (l, b))).map(|(l, b)| fraction(l, b)).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.05 } else { 1.0 };
    let (lo, hi) = if plot.hi > plot.lo { (plot.lo, plot.hi) } else { (plot.lo - 1.0, plot.lo + 1.0) };
    let width = (hi - lo) / bins as f64;

    for (l, cell) in area.split_evenly((rows, cols)).iter().enumerate().take(layers) {
        let bottom_row = l / cols == rows - 1 || l + cols >= layers;
        let left_col = l % cols == 0;
        let mut chart = ChartBuilder::on(cell)
            .margin(style.px(3.0))
            .caption(format!("{} {}", plot.layer_word, l + 1), style.font(11.0))
            .x_label_area_size(if bottom_row { style.px(18.0) } else { 0 })
            .y_label_area_size(if left_col { style.px(34.0) } else { 0 })
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(AXIS)
            .label_style(style.font(9.0))
            .x_labels(3)
            .y_labels(3)
            .x_label_formatter(&|v| short(*v, hi - lo))
            .y_label_formatter(&|v| short(*v, top))
            .draw()
            .map_err(err)?;
        chart
            .draw_series((0..bins).filter(|&b| fraction(l, b) > 0.0).map(|b| {
                let x0 = lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, fraction(l, b))], BAR.filled())
            }))
            .map_err(err)?;
        let note = |v: f64| v.is_finite() && v > 0.0;
        let mut notes = Vec::new();
        if note(plot.outside.get(l).copied().unwrap_or(0.0)) {
            notes.push((format!("{}% ↔", fmt_pct(plot.outside[l])), AXIS));
        }
        if note(plot.overflow.get(l).copied().unwrap_or(0.0)) {
            notes.push((format!("{} {}%", plot.overflow_word, fmt_pct(plot.overflow[l])), OVERFLOW));
        }
        for (i, (text, color)) in notes.into_iter().enumerate() {
            let y = top * (0.9 - 0.14 * i as f64);
            chart
                .draw_series(std::iter::once(Text::new(text, (lo + 0.04 * (hi - lo), y), style.font(10.0).into_font().color(&color))))
                .map_err(err)?;
        }
    }
    area.present().map_err(err)
}

fn fmt_pct(fraction: f64) -> String {
    let p = 100.0 * fraction;
    if p >= 10.0 { format!("{p:.0}") } else if p >= 0.1 { format!("{p:.1}") } else { "<0.1".into() }
}

/// A named series of one value per layer (layer 1 first); non-finite or non-positive values are not drawable on a
/// log axis: infinities and NaN are marked as overflow at the top, zeros as a cross at the bottom.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
    pub color: RGBColor,
}

pub struct LogPane<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub series: Vec<Series<'a>>,
}

/// Panes side by side, each a log-y line chart over the layers 1…n.
pub fn draw_log_panes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panes: &[LogPane],
    x_label: &str,
    overflow_word: &str,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    if panes.is_empty() {
        return area.present().map_err(err);
    }
    for (cell, pane) in area.split_evenly((1, panes.len())).iter().zip(panes) {
        draw_log_pane(cell, pane, x_label, overflow_word, style)?;
    }
    area.present().map_err(err)
}

fn draw_log_pane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pane: &LogPane,
    x_label: &str,
    overflow_word: &str,
    style: Style,
) -> Result<(), String> {
    let layers = pane.series.iter().map(|s| s.values.len()).max().unwrap_or(0).max(1);
    let finite = pane.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite() && *v > 0.0);
    let (mut ymin, mut ymax) = finite.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if !(ymin.is_finite() && ymax > 0.0) {
        (ymin, ymax) = (1e-3, 1e3);
    }
    // A decade of room on each side, so markers at the edges do not sit on data.
    let (ylo, yhi) = (ymin / 10.0, ymax * 10.0);
    let mut chart = ChartBuilder::on(area)
        .margin(style.px(8.0))
        .caption(pane.title, style.font(13.0))
        .x_label_area_size(style.px(34.0))
        .y_label_area_size(style.px(58.0))
        .build_cartesian_2d(0.5..layers as f64 + 0.5, (ylo..yhi).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(style.font(11.0))
        .axis_desc_style(style.font(12.0))
        .x_desc(x_label)
        .y_desc(pane.y_label)
        .x_labels(layers.min(10))
        .x_label_formatter(&|v| format!("{}", v.round()))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(err)?;

    for s in &pane.series {
        let points = s.values.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v));
        // Lines connect only consecutive drawable points.
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (x, v) in points {
            if v.is_finite() && v > 0.0 {
                segment.push((x, v));
            } else if !segment.is_empty() {
                segments.push(std::mem::take(&mut segment));
            }
        }
        segments.push(segment);
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            chart.draw_series(LineSeries::new(seg.iter().copied(), s.color.stroke_width(style.px(2.0)))).map_err(err)?;
            chart
                .draw_series(seg.iter().map(|&p| Circle::new(p, style.px(3.0), s.color.filled())))
                .map_err(err)?;
        }
    }
    // Values a log axis cannot show: overflow (inf/NaN) as crosses at the top, exact zeros at the bottom.
    let undrawable: Vec<(f64, f64)> = pane
        .series
        .iter()
        .flat_map(|s| s.values.iter().enumerate())
        .filter(|(_, v)| !(v.is_finite() && **v > 0.0))
        .map(|(i, &v)| ((i + 1) as f64, if v == 0.0 { ylo * 1.5 } else { yhi / 1.5 }))
        .collect();
    if !undrawable.is_empty() {
        let size = style.px(5.0) as i32;
        chart
            .draw_series(undrawable.into_iter().map(|p| Cross::new(p, size, OVERFLOW.stroke_width(style.px(2.0)))))
            .map_err(err)?
            .label(overflow_word)
            .legend(move |(x, y)| Cross::new((x + 8, y), 4, OVERFLOW.stroke_width(2)));
    }
    for s in &pane.series {
        let color = s.color;
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), u32>>())
            .map_err(err)?
            .label(s.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font(style.font(11.0))
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .draw()
        .map_err(err)
}
