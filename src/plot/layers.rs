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
    /// Written after the percentage of units beyond the x range ("0.3% outside"), so the mark explains itself.
    pub outside_word: &'a str,
}

/// The narrowest small multiple (CSS pixels): its title ("layer 10", "층 10") in a 10-pixel font fits with room to
/// spare, so neighbouring titles never run together.
const MIN_CELL_WIDTH: f64 = 58.0;

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
    let (w, h) = area.dim_in_pixel();
    // At most ten panels a row, fewer on a narrow canvas (a phone) so that each keeps room for its title.
    let fit = ((w as f64 / style.scale - 34.0) / MIN_CELL_WIDTH).floor().max(1.0) as usize;
    let cols = layers.min(10).min(fit);
    let rows = layers.div_ceil(cols);
    let fraction = |l: usize, b: usize| {
        let t = plot.totals.get(l).copied().unwrap_or(0.0);
        if t > 0.0 { plot.counts[l * bins + b] / t } else { 0.0 }
    };
    let top =
        (0..layers).flat_map(|l| (0..bins).map(move |b| (l, b))).map(|(l, b)| fraction(l, b)).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.05 } else { 1.0 };
    let (lo, hi) = if plot.hi > plot.lo { (plot.lo, plot.hi) } else { (plot.lo - 1.0, plot.lo + 1.0) };

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
            // The middle tick marks 0 only where 0 is inside the range (ReLU's range starts at 0: one "0", not "00").
            let zero_inside = lo < 0.0 && hi > 0.0;
            let ticks = [(x0, lo, HPos::Left), (mid, 0.0, HPos::Center), (x1, hi, HPos::Right)];
            for (x, v, h) in ticks.into_iter().enumerate().filter(|(i, _)| zero_inside || *i != 1).map(|(_, t)| t) {
                let t = label(9.0, &AXIS, h, VPos::Top);
                area.draw(&Text::new(three_digits(v, hi - lo), (x, y1 + px(3.0)), t)).map_err(err)?;
            }
        }
        if c == 0 {
            let t = label(9.0, &AXIS, HPos::Right, VPos::Center);
            area.draw(&Text::new(three_digits(top, top), (x0 - px(3.0), y0), t.clone())).map_err(err)?;
            area.draw(&Text::new("0".to_string(), (x0 - px(3.0), y1), t)).map_err(err)?;
        }
        let note = |v: Option<&f64>| v.copied().filter(|v| v.is_finite() && *v > 0.0);
        let mut y = y0 + px(2.0);
        if let Some(v) = note(plot.outside.get(l)) {
            area.draw(&Text::new(
                format!("{}% {}", fmt_pct(v), plot.outside_word),
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

/// A tick label with at most three significant digits ("2.73", not "2.7342"); [`short`] for the rest.
pub fn three_digits(v: f64, span: f64) -> String {
    if v == 0.0 || !v.is_finite() || !(1e-3..1e4).contains(&v.abs()) {
        return short(v, span);
    }
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
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

/// The fixed y range of the activation-spread pane: 10⁻⁸ … 10². Fixed, not fitted to the run, so two runs compare
/// by eye: tanh + N(0, 0.01²) reaches about 3·10⁻⁷ by layer 10 and no bounded activation passes 1.
pub const ACT_RANGE: (f64, f64) = (1e-8, 1e2);
/// The fixed y range of the gradient pane: 10⁻⁸ … 10⁶ (tanh + N(0, 1) reaches about 3·10⁵ at layer 1).
pub const GRAD_RANGE: (f64, f64) = (1e-8, 1e6);

pub struct LogPane<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    /// The y range, in whole decades; values beyond it are drawn as triangles on the edge they passed.
    pub range: (f64, f64),
    pub series: Vec<Series<'a>>,
    /// Faint curves of a reference run (same colours), drawn under the series; empty for none.
    pub reference: Vec<Series<'a>>,
}

/// The words of the log panes, in the page's language.
pub struct LogWords<'a> {
    pub x_label: &'a str,
    /// Legend of the red crosses (inf or NaN).
    pub overflow: &'a str,
    /// Legend of the grey crosses (exactly 0).
    pub zero: &'a str,
    /// Legend of the triangles on an edge (finite, but beyond the fixed range).
    pub off_scale: &'a str,
    /// Legend of the faint curves ("faint: the same net with Xavier").
    pub reference: &'a str,
}

/// Narrower than this (CSS pixels), the panes stack instead of standing side by side.
const SIDE_BY_SIDE_MIN: f64 = 560.0;

/// Panes side by side (stacked on a narrow canvas), each a log-y line chart over the layers 1…n with its legend
/// above the plot, never on the data.
pub fn draw_log_panes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panes: &[LogPane],
    words: &LogWords,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    if panes.is_empty() {
        return area.present().map_err(err);
    }
    let wide = area.dim_in_pixel().0 as f64 / style.scale >= SIDE_BY_SIDE_MIN;
    let grid = if wide { (1, panes.len()) } else { (panes.len(), 1) };
    let slots = panes.iter().map(|p| p.series.len()).max().unwrap_or(0) + MARKER_SLOTS;
    for (cell, pane) in area.split_evenly(grid).iter().zip(panes) {
        draw_log_pane(cell, pane, words, slots, style)?;
    }
    area.present().map_err(err)
}

/// "10⁻⁶": a power of ten with a superscript exponent.
pub fn power_of_ten(k: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits: String = k.unsigned_abs().to_string().chars().map(|c| SUP[c as usize - '0' as usize]).collect();
    format!("10{}{digits}", if k < 0 { "⁻" } else { "" })
}

/// Whole-layer ticks: every layer up to 12, then 1 and the multiples of 2, 5 or 10, at most about 11 ticks.
pub fn layer_ticks(layers: usize) -> Vec<usize> {
    let step = [1, 2, 5, 10].into_iter().find(|s| layers / s <= 11).unwrap_or(10);
    if step == 1 {
        return (1..=layers).collect();
    }
    std::iter::once(1).chain((step..=layers).step_by(step)).collect()
}

/// What a value is on a log axis over `range`.
enum Mark {
    Point(f64),
    Above,
    Below,
    Overflow,
    Zero,
}

fn mark(v: f64, (lo, hi): (f64, f64)) -> Mark {
    if !v.is_finite() {
        Mark::Overflow
    } else if v == 0.0 {
        Mark::Zero
    } else if v > hi {
        Mark::Above
    } else if v < lo {
        Mark::Below
    } else {
        Mark::Point(v)
    }
}

/// Legend slots after the series: the reference, beyond the range, overflow, exactly 0.
const MARKER_SLOTS: usize = 4;
/// The width of a legend column (CSS pixels).
const LEGEND_COLUMN: f64 = 230.0;

/// `slots`: legend slots of every pane (the most series of any pane plus [`MARKER_SLOTS`]), so side-by-side panes
/// start their plots at the same height.
fn draw_log_pane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pane: &LogPane,
    words: &LogWords,
    slots: usize,
    style: Style,
) -> Result<(), String> {
    let layers = pane.series.iter().chain(&pane.reference).map(|s| s.values.len()).max().unwrap_or(0).max(1);
    let (ylo, yhi) = if pane.range.0 > 0.0 && pane.range.1 > pane.range.0 { pane.range } else { (1e-3, 1e3) };
    let marks: Vec<Mark> = pane.series.iter().flat_map(|s| s.values.iter()).map(|&v| mark(v, (ylo, yhi))).collect();
    let any = |f: fn(&Mark) -> bool| marks.iter().any(f);
    let (overflow, zero) = (any(|m| matches!(m, Mark::Overflow)), any(|m| matches!(m, Mark::Zero)));
    let off_scale = any(|m| matches!(m, Mark::Above | Mark::Below));

    // Title and legend above the plot, in fixed slots (the series, the reference, then one per kind of marker) that
    // are left blank when unused: the plot area is the same for every run, so runs compare by eye. Columns of a
    // fixed width, so nothing needs measuring.
    enum Key {
        Line(RGBColor),
        Faint(RGBColor),
        Cross(RGBColor),
        Triangle(RGBColor),
    }
    let mut legend: Vec<Option<(Key, &str)>> = pane.series.iter().map(|s| Some((Key::Line(s.color), s.name))).collect();
    legend.resize_with(slots - MARKER_SLOTS, || None);
    // One entry for the faint curves: in their colour when there is one, grey for several.
    legend.push(match pane.reference.as_slice() {
        [] => None,
        [one] => Some((Key::Faint(one.color), words.reference)),
        _ => Some((Key::Faint(AXIS), words.reference)),
    });
    legend.push(off_scale.then_some((Key::Triangle(AXIS), words.off_scale)));
    legend.push(overflow.then_some((Key::Cross(OVERFLOW), words.overflow)));
    legend.push(zero.then_some((Key::Cross(AXIS), words.zero)));
    let px = |v: f64| style.px(v) as i32;
    let line_h = px(14.0);
    let pane_w = area.dim_in_pixel().0 as f64 / style.scale;
    let cols: usize = if pane_w >= LEGEND_COLUMN * 2.0 + 64.0 { 2 } else { 1 };
    let head = px(18.0) + line_h * legend.len().div_ceil(cols) as i32 + px(4.0);
    let (top, plot_area) = area.split_vertically(head as u32);
    let text =
        |size: f64, h: HPos| ("sans-serif", style.scale * size).into_font().color(&AXIS).pos(Pos::new(h, VPos::Top));
    top.draw(&Text::new(pane.title, (top.dim_in_pixel().0 as i32 / 2, px(3.0)), text(13.0, HPos::Center)))
        .map_err(err)?;
    for (i, entry) in legend.iter().enumerate() {
        let Some((key, label)) = entry else { continue };
        let (x, y) = (px(64.0 + (i % cols) as f64 * LEGEND_COLUMN), px(20.0) + (i / cols) as i32 * line_h);
        let mid = y + line_h / 2 - px(1.0);
        let sample: (i32, i32) = (x, x + px(22.0));
        match key {
            Key::Line(c) => {
                top.draw(&PathElement::new(vec![(sample.0, mid), (sample.1, mid)], c.stroke_width(style.px(2.0))))
            }
            Key::Faint(c) => top.draw(&PathElement::new(
                vec![(sample.0, mid), (sample.1, mid)],
                c.mix(FAINT).stroke_width(style.px(4.0)),
            )),
            Key::Cross(c) => {
                top.draw(&Cross::new(((sample.0 + sample.1) / 2, mid), px(4.0), c.stroke_width(style.px(2.0))))
            }
            Key::Triangle(c) => {
                // ▲ and ▼, as on the top and bottom edges.
                let (a, b, r) = (sample.0 + px(5.0), sample.1 - px(5.0), px(5.0));
                top.draw(&Polygon::new(vec![(a - r, mid + r), (a + r, mid + r), (a, mid - r)], c.filled())).and_then(
                    |_| top.draw(&Polygon::new(vec![(b - r, mid - r), (b + r, mid - r), (b, mid + r)], c.filled())),
                )
            }
        }
        .map_err(err)?;
        top.draw(&Text::new(*label, (sample.1 + px(6.0), y + px(1.0)), text(11.0, HPos::Left))).map_err(err)?;
    }

    let (klo, khi) = (ylo.log10().round() as i32, yhi.log10().round() as i32);
    let plot_h = plot_area.dim_in_pixel().1 as f64 / style.scale;
    // Every decade gets a grid line; labels every decade when there is room, else every second one.
    let label_every = if plot_h / f64::from((khi - klo).max(1)) >= 22.0 { 1 } else { 2 };
    let decades: Vec<f64> = (klo..=khi).map(|k| 10f64.powi(k)).collect();
    let ticks: Vec<f64> = layer_ticks(layers).into_iter().map(|l| l as f64).collect();
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_left(style.px(4.0))
        .margin_right(style.px(12.0))
        .margin_top(style.px(6.0))
        .x_label_area_size(style.px(34.0))
        .y_label_area_size(style.px(58.0))
        .build_cartesian_2d(0.5..layers as f64 + 0.5, (ylo..yhi).log_scale().with_key_points(decades))
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(style.font(11.0))
        .axis_desc_style(style.font(12.0))
        .x_desc(words.x_label)
        .y_desc(pane.y_label)
        // Whole-layer x ticks are drawn below (a fitted f64 axis would label 2.7342).
        .x_labels(0)
        .y_label_formatter(&|v| {
            let k = v.log10().round() as i32;
            if (k - klo) % label_every == 0 { power_of_ten(k) } else { String::new() }
        })
        .draw()
        .map_err(err)?;

    let base = plot_area.get_base_pixel();
    // Pixel positions in `plot_area` (the mapping plotters uses: linear in x, in log10 y, y growing downwards).
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let at = move |x: f64, y: f64| {
        let fx = (x - 0.5) / layers as f64;
        let fy = (y.log10() - ylo.log10()) / (yhi.log10() - ylo.log10());
        let bx = xr.start + (fx * f64::from(xr.end - xr.start - 1)).round() as i32;
        let by = yr.end - 1 - (fy * f64::from(yr.end - yr.start - 1)).round() as i32;
        (bx - base.0, by - base.1)
    };
    for &x in &ticks {
        let (tx, ty) = at(x, ylo);
        plot_area.draw(&PathElement::new(vec![(tx, ty), (tx, ty + px(4.0))], AXIS.stroke_width(1))).map_err(err)?;
        plot_area.draw(&Text::new(format!("{x}"), (tx, ty + px(6.0)), text(11.0, HPos::Center))).map_err(err)?;
    }
    // The reference first, faint and wide, so the run's own lines stay on top.
    let width = style.px(2.0);
    for (s, faint) in pane.reference.iter().map(|s| (s, true)).chain(pane.series.iter().map(|s| (s, false))) {
        let color = if faint { s.color.mix(FAINT) } else { s.color.to_rgba() };
        // Lines connect only consecutive points inside the range.
        let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, &v) in s.values.iter().enumerate() {
            match mark(v, (ylo, yhi)) {
                Mark::Point(v) => segments.last_mut().expect("never empty").push(((i + 1) as f64, v)),
                _ => segments.push(Vec::new()),
            }
        }
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            let stroke = color.stroke_width(if faint { 2 * width } else { width });
            chart.draw_series(LineSeries::new(seg.iter().copied(), stroke)).map_err(err)?;
            if !faint {
                chart.draw_series(seg.iter().map(|&p| Circle::new(p, style.px(3.0), color.filled()))).map_err(err)?;
            }
        }
        if faint {
            continue;
        }
        // Values the axis cannot show: beyond the range as triangles on that edge (in the series' colour), overflow
        // (inf/NaN) as red crosses at the top, exact zeros as grey crosses at the bottom (a gradient of exactly 0 is
        // not an overflow: ReLU passes nothing back through NaN or negative units).
        let (top_y, bottom_y) = (yhi / 10f64.powf(0.15), ylo * 10f64.powf(0.15));
        for (i, &v) in s.values.iter().enumerate() {
            let x = (i + 1) as f64;
            let size = style.px(5.0) as i32;
            let stroke = style.px(2.0);
            match mark(v, (ylo, yhi)) {
                Mark::Point(_) => Ok(()),
                Mark::Above => chart.draw_series([TriangleMarker::new((x, top_y), size, color.filled())]).map(|_| ()),
                Mark::Below => {
                    // Pointing down: a triangle drawn as a path.
                    let (cx, cy) = at(x, bottom_y);
                    plot_area
                        .draw(&Polygon::new(
                            vec![(cx - size, cy - size), (cx + size, cy - size), (cx, cy + size)],
                            color.filled(),
                        ))
                        .map(|_| ())
                }
                Mark::Overflow => {
                    chart.draw_series([Cross::new((x, top_y), size, OVERFLOW.stroke_width(stroke))]).map(|_| ())
                }
                Mark::Zero => {
                    chart.draw_series([Cross::new((x, bottom_y), size, AXIS.stroke_width(stroke))]).map(|_| ())
                }
            }
            .map_err(err)?;
        }
    }
    Ok(())
}

/// How strongly the reference curves show (opacity).
const FAINT: f64 = 0.3;
