//! Initializers side by side: the theoretical density of every scheme for one layer shape, as small multiples on one
//! shared x range and one shared density scale, so a scheme ten times wider looks ten times wider and ten times
//! lower (the single histogram of the init panel rescales its axes and every bell curve looks alike).

use super::{AXIS, BAR, CURVE, GRID, Style, err, histogram::short};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct ComparePanel<'a> {
    /// "He (Kaiming) normal", in the page's language.
    pub title: &'a str,
    /// "std 0.0505"
    pub detail: String,
    /// (x, density) over the shared range; empty for a point mass (zeros).
    pub curve: Vec<(f64, f64)>,
    /// The scheme shown in the main chart: outlined and in the main colour.
    pub current: bool,
}

pub struct Comparison<'a> {
    pub panels: &'a [ComparePanel<'a>],
    pub lo: f64,
    pub hi: f64,
    /// The shared density scale's top: densities above it are clipped and marked with ↑.
    pub top: f64,
    /// Written on a point mass at 0 ("all weights 0").
    pub point_mass: &'a str,
    /// Written where a curve is clipped at the top ("peak higher").
    pub clipped: &'a str,
}

/// An upper bound of a label's width in pixels, never measured (no DOM): Latin letters and digits take at most about
/// 0.6 em in a sans-serif font, other characters (Hangul, arrows) about 1 em.
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum::<f64>() * font_px
}

/// Narrower than this (CSS pixels), two columns instead of three.
const THREE_COLUMNS_MIN: f64 = 480.0;

/// Drawn in pixel coordinates without a chart builder, so no label is measured through the DOM.
pub fn draw_comparison<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Comparison,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let n = plot.panels.len();
    if n == 0 {
        return area.present().map_err(err);
    }
    let (w, h) = area.dim_in_pixel();
    let cols = if w as f64 / style.scale >= THREE_COLUMNS_MIN { 3 } else { 2 }.min(n);
    let rows = n.div_ceil(cols);
    let px = |v: f64| style.px(v) as i32;
    let (bottom, gap, head) = (px(18.0), px(10.0), px(30.0));
    let cell_w = w as i32 / cols as i32;
    let cell_h = (h as i32 - bottom) / rows as i32;
    let (lo, hi) = if plot.hi > plot.lo { (plot.lo, plot.hi) } else { (-1.0, 1.0) };
    let top = if plot.top > 0.0 && plot.top.is_finite() { plot.top } else { 1.0 };
    let font = |size: f64, color: &RGBColor, h: HPos, v: VPos| {
        ("sans-serif", style.scale * size).into_font().color(color).pos(Pos::new(h, v))
    };
    for (i, panel) in plot.panels.iter().enumerate() {
        let (r, c) = ((i / cols) as i32, (i % cols) as i32);
        let x0 = c * cell_w + gap;
        let x1 = (c + 1) * cell_w - gap;
        let y0 = r * cell_h + head;
        let y1 = (r + 1) * cell_h - gap;
        let (pw, ph) = (f64::from((x1 - x0).max(1)), f64::from((y1 - y0).max(1)));
        let x_of = |v: f64| x0 + ((v - lo) / (hi - lo) * pw).round() as i32;
        let y_of = |d: f64| y1 - (d.min(top) / top * ph).round() as i32;
        let color = if panel.current { CURVE } else { BAR };
        let title_color = if panel.current { CURVE } else { AXIS };
        area.draw(&Text::new(panel.title, (x0, r * cell_h + px(4.0)), font(11.0, &title_color, HPos::Left, VPos::Top)))
            .map_err(err)?;
        area.draw(&Text::new(
            panel.detail.as_str(),
            (x0, r * cell_h + px(17.0)),
            font(10.0, &AXIS, HPos::Left, VPos::Top),
        ))
        .map_err(err)?;
        area.draw(&PathElement::new(vec![(x0, y1), (x1, y1)], AXIS.stroke_width(1))).map_err(err)?;
        let mid = x_of(0.0f64.clamp(lo, hi));
        area.draw(&PathElement::new(vec![(mid, y0), (mid, y1)], GRID.stroke_width(1))).map_err(err)?;
        if panel.current {
            area.draw(&Rectangle::new(
                [(x0 - px(4.0), y0 - px(2.0)), (x1 + px(4.0), y1 + px(2.0))],
                CURVE.stroke_width(style.px(2.0)),
            ))
            .map_err(err)?;
        }
        if panel.curve.is_empty() {
            // A point mass: every weight is exactly 0.
            area.draw(&PathElement::new(vec![(mid, y0), (mid, y1)], color.stroke_width(style.px(3.0)))).map_err(err)?;
            area.draw(&Text::new(
                plot.point_mass,
                (mid + px(5.0), y0 + px(2.0)),
                font(10.0, &AXIS, HPos::Left, VPos::Top),
            ))
            .map_err(err)?;
            continue;
        }
        let points: Vec<(i32, i32)> = panel.curve.iter().map(|&(x, d)| (x_of(x), y_of(d))).collect();
        let mut fill = points.clone();
        if let (Some(first), Some(last)) = (points.first(), points.last()) {
            fill.push((last.0, y1));
            fill.push((first.0, y1));
        }
        area.draw(&Polygon::new(fill, color.mix(0.25).filled())).map_err(err)?;
        area.draw(&PathElement::new(points, color.stroke_width(style.px(2.0)))).map_err(err)?;
        if let Some(peak_right) = panel.curve.iter().filter(|p| p.1 > top).map(|p| x_of(p.0)).max() {
            // Right of the clipped top: the words where they fit before the cell's edge, else the arrow alone (a
            // phone's narrow cells; the chart's caption says what the arrow means).
            let x = peak_right + px(4.0);
            let words = format!("↑ {}", plot.clipped);
            let fits = text_width(&words, 10.0 * style.scale) <= f64::from(x1 - x);
            let mark = if fits { words } else { "↑".to_string() };
            area.draw(&Text::new(mark, (x, y0 + px(2.0)), font(10.0, &AXIS, HPos::Left, VPos::Top))).map_err(err)?;
        }
        if r == rows as i32 - 1 || i + cols >= n {
            for (x, v, hp) in [(x0, lo, HPos::Left), (mid, 0.0, HPos::Center), (x1, hi, HPos::Right)] {
                area.draw(&Text::new(short(v, hi - lo), (x, y1 + px(3.0)), font(10.0, &AXIS, hp, VPos::Top)))
                    .map_err(err)?;
            }
        }
    }
    area.present().map_err(err)
}
