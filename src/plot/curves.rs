//! Training curves: loss and accuracy against steps, one colour per run, training thin and faint, validation thick,
//! so overlaid runs (a comparison) read at a glance: where the thick line of a colour sits below its thin line is
//! that run's train–validation gap.

use super::{AXIS, GRID, Style, err, histogram::short};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours of runs 1, 2, … (a comparison has at most a handful): the Okabe–Ito palette, told apart with every
/// common colour-vision deficiency (Okabe & Ito, "Color Universal Design", 2008), without its yellow (too light on
/// white) and black (the axes' colour); none is grey like the legend's line samples.
pub const RUN_COLORS: [RGBColor; 6] = [
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 114, 178),   // blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
];

/// One run's measurements. `steps` and `train_*`/`val_*` have the same length (one row of the data table each);
/// a loss that is not finite is left out of the line (a diverged run ends where its loss left the numbers).
pub struct CurveRun<'a> {
    pub name: &'a str,
    pub steps: &'a [f64],
    pub train_loss: &'a [f64],
    pub train_acc: &'a [f64],
    pub val_loss: &'a [f64],
    pub val_acc: &'a [f64],
}

/// Axis and legend words in the page's language.
pub struct CurveWords<'a> {
    pub step: &'a str,
    pub loss: &'a str,
    pub accuracy: &'a str,
    pub training: &'a str,
    pub validation: &'a str,
}

/// How a chart is drawn beyond its data. The default: both panes, a legend, every run in its own colour, solid.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveOptions {
    /// Each run's colour as an index into [`RUN_COLORS`] (default: its position), so runs that share a setting share
    /// a colour (the initialization race: colour by initializer).
    pub colors: Vec<usize>,
    /// Runs whose lines are dashed (the race: dash by activation).
    pub dashed: Vec<bool>,
    /// Draw the legend (off when the page draws one legend for several charts).
    pub legend: bool,
    /// Shade the train–validation accuracy gap of each run (the overfitting lesson, drawn and not only stated).
    pub gap: bool,
    /// Only the accuracy pane (small multiples: the quadrants).
    pub accuracy_only: bool,
}

impl Default for CurveOptions {
    fn default() -> Self {
        CurveOptions { colors: Vec::new(), dashed: Vec::new(), legend: true, gap: false, accuracy_only: false }
    }
}

impl CurveOptions {
    pub fn color(&self, run: usize) -> RGBColor {
        RUN_COLORS[self.colors.get(run).copied().unwrap_or(run) % RUN_COLORS.len()]
    }
    fn is_dashed(&self, run: usize) -> bool {
        self.dashed.get(run).copied().unwrap_or(false)
    }
}

/// Narrower than this (CSS pixels), the two panes are stacked instead of side by side.
const SIDE_BY_SIDE_MIN: f64 = 560.0;

/// A "nice" upper end for an axis: 1, 2 or 5 times a power of ten at or above `v`.
pub fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|&x| x >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

/// Drawn in pixel coordinates without a chart builder, so no label is measured through the DOM and a redraw per
/// progress message stays cheap.
pub fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[CurveRun],
    last_step: f64,
    words: &CurveWords,
    style: Style,
) -> Result<(), String> {
    draw_curves_with(area, runs, last_step, words, style, &CurveOptions::default())
}

/// [`draw_curves`] with its [`CurveOptions`].
pub fn draw_curves_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[CurveRun],
    last_step: f64,
    words: &CurveWords,
    style: Style,
    options: &CurveOptions,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let (w, h) = area.dim_in_pixel();
    let px = |v: f64| style.px(v) as i32;
    let font = |size: f64, color: &RGBColor, hp: HPos, vp: VPos| {
        ("sans-serif", style.scale * size).into_font().color(color).pos(Pos::new(hp, vp))
    };
    let measured = runs.iter().flat_map(|r| r.steps.iter().copied()).fold(0.0f64, f64::max);
    // A planned end keeps the axis still while a run grows; past it (or without one) a round number is used.
    let x_hi = if last_step.is_finite() && last_step >= measured.max(1.0) {
        last_step
    } else {
        nice_ceiling(measured.max(1.0))
    };
    let loss_top = runs
        .iter()
        .flat_map(|r| r.train_loss.iter().chain(r.val_loss.iter()).copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let loss_hi = nice_ceiling(loss_top.max(0.1));

    // Legend: line styles, then the runs' names in their colours, wrapped onto more rows when the canvas is narrow.
    let mut legend_y = px(4.0);
    let mut x = px(8.0);
    let place = |width: i32, x: &mut i32, y: &mut i32| {
        if *x > px(8.0) && *x + width > w as i32 {
            *x = px(8.0);
            *y += px(16.0);
        }
    };
    // The training entry only when a training line is drawn (the transfer charts have validation only).
    let has_train = runs.iter().any(|r| r.train_acc.iter().chain(r.train_loss).any(|v| v.is_finite()));
    let entries: Vec<(&str, f64, f64)> = [(words.validation, 3.0, 1.0), (words.training, 1.5, 0.5)]
        .into_iter()
        .filter(|e| e.1 > 2.0 || has_train)
        .collect();
    for &(label, width, alpha) in entries.iter().filter(|_| options.legend) {
        let need = px(30.0 + label_width(label) + 14.0);
        place(need, &mut x, &mut legend_y);
        let c = AXIS.mix(alpha);
        area.draw(&PathElement::new(
            vec![(x, legend_y + px(7.0)), (x + px(22.0), legend_y + px(7.0))],
            c.stroke_width(style.px(width)),
        ))
        .map_err(err)?;
        area.draw(&Text::new(label, (x + px(26.0), legend_y), font(11.0, &AXIS, HPos::Left, VPos::Top)))
            .map_err(err)?;
        x += need;
    }
    if runs.len() > 1 && options.legend {
        for (i, r) in runs.iter().enumerate() {
            let color = options.color(i);
            let sample = if options.dashed.is_empty() { 14.0 } else { 26.0 };
            let need = px(sample + label_width(r.name) + 14.0);
            place(need, &mut x, &mut legend_y);
            if options.dashed.is_empty() {
                area.draw(&Rectangle::new(
                    [(x, legend_y + px(2.0)), (x + px(10.0), legend_y + px(12.0))],
                    color.filled(),
                ))
                .map_err(err)?;
            } else {
                let line = vec![(x, legend_y + px(7.0)), (x + px(22.0), legend_y + px(7.0))];
                draw_line(area, line, color.stroke_width(style.px(3.0)), options.is_dashed(i), px(5.0))?;
            }
            area.draw(&Text::new(r.name, (x + px(sample), legend_y), font(11.0, &color, HPos::Left, VPos::Top)))
                .map_err(err)?;
            x += need;
        }
    }
    let legend_y = if options.legend { legend_y } else { legend_y - px(22.0) + px(4.0) };

    let side_by_side = w as f64 / style.scale >= SIDE_BY_SIDE_MIN;
    let top = legend_y + px(22.0);
    let panes: Vec<(i32, i32, i32, i32)> = if options.accuracy_only {
        vec![(w as i32, top, w as i32, h as i32)] // x0 = w marks the accuracy pane (see below)
    } else if side_by_side {
        let half = w as i32 / 2;
        vec![(0, top, half, h as i32), (half, top, w as i32, h as i32)]
    } else {
        let half = top + (h as i32 - top) / 2;
        vec![(0, top, w as i32, half), (0, half, w as i32, h as i32)]
    };
    for (pane, (x0, y0, x1, y1)) in panes.into_iter().enumerate() {
        let is_loss = pane == 0 && !options.accuracy_only;
        let x0 = if options.accuracy_only { 0 } else { x0 };
        let y_hi = if is_loss { loss_hi } else { 1.0 };
        let (left, right, title, bottom) = (x0 + px(40.0), x1 - px(12.0), y0 + px(18.0), y1 - px(32.0));
        let (pw, ph) = (f64::from((right - left).max(1)), f64::from((bottom - title).max(1)));
        let x_of = |s: f64| left + (s / x_hi * pw).round() as i32;
        let y_of = |v: f64| bottom - (v.clamp(0.0, y_hi) / y_hi * ph).round() as i32;
        let name = if is_loss { words.loss } else { words.accuracy };
        area.draw(&Text::new(name, (left, y0 + px(2.0)), font(12.0, &AXIS, HPos::Left, VPos::Top))).map_err(err)?;
        for k in 0..=4 {
            let v = y_hi * k as f64 / 4.0;
            let y = y_of(v);
            area.draw(&PathElement::new(vec![(left, y), (right, y)], GRID.stroke_width(1))).map_err(err)?;
            area.draw(&Text::new(short(v, y_hi), (left - px(4.0), y), font(10.0, &AXIS, HPos::Right, VPos::Center)))
                .map_err(err)?;
        }
        area.draw(&PathElement::new(vec![(left, bottom), (right, bottom)], AXIS.stroke_width(1))).map_err(err)?;
        area.draw(&PathElement::new(vec![(left, title), (left, bottom)], AXIS.stroke_width(1))).map_err(err)?;
        let tick = nice_ceiling(x_hi / 5.0);
        for k in 0..=(x_hi / tick).floor() as usize {
            let s = tick * k as f64;
            let hp = if k == 0 {
                HPos::Left
            } else if s > x_hi - tick / 2.0 {
                HPos::Right
            } else {
                HPos::Center
            };
            area.draw(&Text::new(short(s, x_hi), (x_of(s), bottom + px(3.0)), font(10.0, &AXIS, hp, VPos::Top)))
                .map_err(err)?;
        }
        area.draw(&Text::new(
            words.step,
            ((left + right) / 2, y1 - px(2.0)),
            font(11.0, &AXIS, HPos::Center, VPos::Bottom),
        ))
        .map_err(err)?;
        for (i, r) in runs.iter().enumerate() {
            let color = options.color(i);
            let (train, val) = if is_loss { (r.train_loss, r.val_loss) } else { (r.train_acc, r.val_acc) };
            if options.gap && !is_loss {
                // The gap: the band between the training and the validation accuracy where both were measured.
                let both: Vec<(f64, f64, f64)> = (0..r.steps.len())
                    .filter(|&k| r.steps[k].is_finite() && train[k].is_finite() && val[k].is_finite())
                    .map(|k| (r.steps[k], train[k], val[k]))
                    .collect();
                if both.len() > 1 {
                    let mut band: Vec<(i32, i32)> = both.iter().map(|&(s, t, _)| (x_of(s), y_of(t))).collect();
                    band.extend(both.iter().rev().map(|&(s, _, v)| (x_of(s), y_of(v))));
                    area.draw(&Polygon::new(band, color.mix(0.18).filled())).map_err(err)?;
                }
            }
            for (values, width, alpha) in [(train, 1.5, 0.55), (val, 3.0, 1.0)] {
                for segment in finite_segments(r.steps, values) {
                    let points: Vec<(i32, i32)> = segment.iter().map(|&(s, v)| (x_of(s), y_of(v))).collect();
                    if points.len() == 1 {
                        area.draw(&Circle::new(points[0], px(width), color.mix(alpha).filled())).map_err(err)?;
                    } else {
                        let stroke = color.mix(alpha).stroke_width(style.px(width));
                        draw_line(area, points, stroke, options.is_dashed(i), px(6.0))?;
                    }
                }
            }
        }
    }
    area.present().map_err(err)
}

/// A polyline, solid or dashed (dashes and gaps of `dash` pixels).
fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    stroke: ShapeStyle,
    dashed: bool,
    dash: i32,
) -> Result<(), String> {
    if dashed {
        area.draw(&plotters::element::DashedPathElement::new(points, dash, dash, stroke)).map_err(err)
    } else {
        area.draw(&PathElement::new(points, stroke)).map_err(err)
    }
}

/// The runs of consecutive finite points of a curve.
fn finite_segments(steps: &[f64], values: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (&s, &v) in steps.iter().zip(values) {
        if s.is_finite() && v.is_finite() {
            if let Some(seg) = out.last_mut() {
                seg.push((s, v));
            }
        } else if out.last().is_some_and(|seg| !seg.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A legend label's width at 11 px: about 7 px per Latin character, a full em for Hangul and other wide characters
/// (counting 7 px for every character made Korean labels run into the next entry on a phone).
fn label_width(label: &str) -> f64 {
    label.chars().map(|c| if c.is_ascii() { 7.0 } else { 11.0 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceiling_rounds_up_to_1_2_2_5_5() {
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(2.3), 2.5);
        assert_eq!(nice_ceiling(260.0), 500.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
    }

    #[test]
    fn non_finite_values_split_a_curve() {
        let s = [0.0, 1.0, 2.0, 3.0];
        let v = [1.0, f64::NAN, 2.0, 3.0];
        assert_eq!(finite_segments(&s, &v), vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
    }
}
