//! A histogram shown as a density, with a theoretical density curve drawn over it.

use super::{AXIS, BAR, CURVE, GRID, Style, err};
use crate::stats::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct DensityPlot<'a> {
    pub hist: &'a Histogram,
    /// The number of samples the histogram counts, including those outside its range.
    pub total: usize,
    /// (x, density) points of the theoretical curve; empty for none.
    pub curve: &'a [(f64, f64)],
    pub x_label: &'a str,
    pub y_label: &'a str,
}

pub fn draw_density<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &DensityPlot,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let density = plot.hist.density(plot.total);
    let top =
        density.iter().copied().chain(plot.curve.iter().map(|p| p.1)).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.08 } else { 1.0 };
    let (lo, hi) = (plot.hist.lo, plot.hist.hi);

    let mut chart = ChartBuilder::on(area)
        .margin(style.px(10.0))
        .x_label_area_size(style.px(40.0))
        .y_label_area_size(style.px(56.0))
        .build_cartesian_2d(lo..hi, 0.0..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(style.font(12.0))
        .axis_desc_style(style.font(13.0))
        .x_desc(plot.x_label)
        .y_desc(plot.y_label)
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|v| short(*v, hi - lo))
        .y_label_formatter(&|v| short(*v, top))
        .draw()
        .map_err(err)?;

    let width = plot.hist.bin_width();
    chart
        .draw_series(density.iter().enumerate().filter(|(_, d)| **d > 0.0).map(|(i, &d)| {
            let x0 = lo + i as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, d.min(top))], BAR.mix(0.75).filled())
        }))
        .map_err(err)?;
    if !plot.curve.is_empty() {
        chart
            .draw_series(LineSeries::new(plot.curve.iter().copied(), CURVE.stroke_width(style.px(2.0))))
            .map_err(err)?;
    }
    area.present().map_err(err)
}

/// Tick labels: few digits, exponent only for very small or large values. A tick that is zero up to rounding
/// (−2.8e-17 from summing steps) is written 0; `span` is the axis length that sets what "rounding" means.
pub(crate) fn short(v: f64, span: f64) -> String {
    let a = v.abs();
    if a <= span.abs() * 1e-9 {
        "0".into()
    } else if !(1e-3..1e4).contains(&a) {
        format!("{v:.1e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
