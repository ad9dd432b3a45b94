//! Charts of a deep net's layers: activation histograms as small multiples with shared axes (the CS231n picture),
//! and per-layer spreads on log axes where overflow (inf/NaN) is marked instead of silently dropped.

use super::{AXIS, BAR, GRID, Style, err, histogram::short};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Drawn in pixel coordinates without plotters' ChartBuilder: a chart builder measures every label through the
/// DOM in the browser, which made 50 small panels cost tens of milliseconds per frame. Text here is only drawn,
/// never measured (the canvas aligns it).
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
    let top =
        (0..layers).flat_map(|l| (0..bins).map(move |b| (l, b))).map(|(l, b)| fraction(l, b)).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.05 } else { 1.0 };
    let (lo, hi) = if plot.hi > plot.lo { (plot.lo, plot.hi) } else { (plot.lo - 1.0, plot.lo + 1.0) };

    let (w, h) = area.dim_in_pixel();
    let px = |v: f64| style.px(v) as i32;
    // Room for the y tick labels on the left and the x tick labels at the bottom.
    let (left, bottom, gap, title) = (px(34.0), px(16.0), px(6.0), px(14.0));
    let cell_w = (w as i32 - left) / cols as i32;
    let cell_h = (h as i32 - bottom) / rows as i32;
    let label = |size: f64, color: &RGBColor, h: HPos, v: VPos| {
        ("sans-serif", style.scale * size).into_font().color(color).pos(Pos::new(h, v))
    };
    for l in 0..layers {
        let (r, c) = ((l / cols) as i32, (l % cols) as i32);
        let x0 = left + c * cell_w + gap / 2;
        let x1 = left + (c + 1) * cell_w - gap / 2;
        let y0 = r * cell_h + title;
        let y1 = (r + 1) * cell_h - gap / 2;
        let (pw, ph) = ((x1 - x0).max(1) as f64, (y1 - y0).max(1) as f64);
        let x_of = |v: f64| x0 + ((v - lo) / (hi - lo) * pw).round() as i32;
        let y_of = |f: f64| y1 - (f / top * ph).round() as i32;
        area.draw(&Text::new(
            format!("{} {}", plot.layer_word, l + 1),
            ((x0 + x1) / 2, y0 - px(2.0)),
            label(10.0, &AXIS, HPos::Center, VPos::Bottom),
        ))
        .map_err(err)?;
        for b in 0..bins {
            let f = fraction(l, b);
            if f > 0.0 {
                let bx0 = x_of(lo + b as f64 * (hi - lo) / bins as f64);
                let bx1 = x_of(lo + (b + 1) as f64 * (hi - lo) / bins as f64).max(bx0 + 1);
                area.draw(&Rectangle::new([(bx0, y_of(f).min(y1 - 1)), (bx1, y1)], BAR.filled())).map_err(err)?;
            }
        }
        area.draw(&PathElement::new(vec![(x0, y0), (x0, y1), (x1, y1)], AXIS.stroke_width(1))).map_err(err)?;
        let mid = x_of(0.0f64.clamp(lo, hi));
        area.draw(&PathElement::new(vec![(mid, y1), (mid, y1 + px(3.0))], AXIS.stroke_width(1))).map_err(err)?;
        if r == rows as i32 - 1 || l + cols >= layers {
            // Ends aligned inward so neighbouring panels' labels do not run into each other.
            for (x, v, h) in [(x0, lo, HPos::Left), (mid, 0.0f64.clamp(lo, hi), HPos::Center), (x1, hi, HPos::Right)] {
                let t = label(9.0, &AXIS, h, VPos::Top);
                area.draw(&Text::new(short(v, hi - lo), (x, y1 + px(3.0)), t)).map_err(err)?;
            }
        }
        if c == 0 {
            let t = label(9.0, &AXIS, HPos::Right, VPos::Center);
            area.draw(&Text::new(short(top, top), (x0 - px(3.0), y0), t.clone())).map_err(err)?;
            area.draw(&Text::new("0".to_string(), (x0 - px(3.0), y1), t)).map_err(err)?;
        }
        let note = |v: Option<&f64>| v.copied().filter(|v| v.is_finite() && *v > 0.0);
        let mut y = y0 + px(2.0);
        if let Some(v) = note(plot.outside.get(l)) {
            area.draw(&Text::new(
                format!("{}% ↔", fmt_pct(v)),
                (x0 + px(3.0), y),
                label(9.0, &AXIS, HPos::Left, VPos::Top),
            ))
            .map_err(err)?;
            y += px(12.0);
        }
        if let Some(v) = note(plot.overflow.get(l)) {
            let text = format!("{} {}%", plot.overflow_word, fmt_pct(v));
            area.draw(&Text::new(text, (x0 + px(3.0), y), label(9.0, &OVERFLOW, HPos::Left, VPos::Top)))
                .map_err(err)?;
        }
    }
    area.present().map_err(err)
}

fn fmt_pct(fraction: f64) -> String {
    let p = 100.0 * fraction;
    if p >= 10.0 {
        format!("{p:.0}")
    } else if p >= 0.1 {
        format!("{p:.1}")
    } else {
        "<0.1".into()
    }
}

/// A named series of one value per layer (layer 1 first); non-finite or non-positive values are not drawable on a
/// log axis: infinities and NaN are marked as overflow at the top, exact zeros at the bottom.
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
    zero_word: &str,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    if panes.is_empty() {
        return area.present().map_err(err);
    }
    for (cell, pane) in area.split_evenly((1, panes.len())).iter().zip(panes) {
        draw_log_pane(cell, pane, x_label, overflow_word, zero_word, style)?;
    }
    area.present().map_err(err)
}

fn draw_log_pane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pane: &LogPane,
    x_label: &str,
    overflow_word: &str,
    zero_word: &str,
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
            chart
                .draw_series(LineSeries::new(seg.iter().copied(), s.color.stroke_width(style.px(2.0))))
                .map_err(err)?;
            chart.draw_series(seg.iter().map(|&p| Circle::new(p, style.px(3.0), s.color.filled()))).map_err(err)?;
        }
    }
    // Values a log axis cannot show: overflow (inf/NaN) as red crosses at the top, exact zeros as grey crosses at
    // the bottom (a gradient of exactly 0 is not an overflow: ReLU passes nothing back through NaN or negative units).
    let undrawable = |zero: bool| -> Vec<(f64, f64)> {
        pane.series
            .iter()
            .flat_map(|s| s.values.iter().enumerate())
            .filter(|(_, v)| if zero { **v == 0.0 } else { !v.is_finite() })
            .map(|(i, _)| ((i + 1) as f64, if zero { ylo * 1.5 } else { yhi / 1.5 }))
            .collect()
    };
    for (zero, color, word) in [(false, OVERFLOW, overflow_word), (true, AXIS, zero_word)] {
        let points = undrawable(zero);
        if points.is_empty() {
            continue;
        }
        let size = style.px(5.0) as i32;
        chart
            .draw_series(points.into_iter().map(|p| Cross::new(p, size, color.stroke_width(style.px(2.0)))))
            .map_err(err)?
            .label(word)
            .legend(move |(x, y)| Cross::new((x + 8, y), 4, color.stroke_width(2)));
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
