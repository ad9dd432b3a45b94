//! Charts, generic over plotters' `DrawingBackend`: the page draws them on a canvas (plotters-canvas), the native
//! tests on an SVG string. Each chart takes the numbers it shows (the same numbers the page's data table lists) and
//! the axis labels in the page's language. Errors become a `String` here, once.

mod compare;
mod confusion;
mod curves;
mod document;
mod histogram;
mod layers;
mod tiles;

pub use compare::{ComparePanel, Comparison, draw_comparison, text_width};
pub use confusion::{draw_confusion, draw_confusion_rows};
pub use curves::{CurveOptions, CurveRun, CurveWords, RUN_COLORS, draw_curves, draw_curves_with, nice_ceiling};
pub use document::{rgba_svg, svg_document, xml_escape};
pub use histogram::{DensityPlot, draw_density};
pub use layers::{
    ACT_RANGE, GRAD_RANGE, GRAD_W, LayerHistograms, LogPane, LogWords, OVERFLOW, Series, draw_layer_histograms,
    draw_log_panes, layer_ticks, power_of_ten, three_digits,
};
pub use tiles::{TileGrid, tiles_rgba};

use plotters::style::RGBColor;

/// Colours and sizes shared by every chart. `scale` is the device pixel ratio: the canvas has `scale` times as many
/// pixels as CSS pixels, so text and lines grow with it and stay readable on high-density screens.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub scale: f64,
}

impl Style {
    pub fn new(scale: f64) -> Style {
        let scale = if scale.is_finite() { scale.clamp(0.5, 4.0) } else { 1.0 };
        Style { scale }
    }
    pub fn px(&self, css_px: f64) -> u32 {
        (css_px * self.scale).round().max(1.0) as u32
    }
    pub fn font(&self, css_px: f64) -> (&'static str, f64) {
        ("sans-serif", css_px * self.scale)
    }
}

pub const BAR: RGBColor = RGBColor(96, 142, 204);
pub const CURVE: RGBColor = RGBColor(214, 84, 38);
pub const AXIS: RGBColor = RGBColor(60, 60, 60);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    format!("chart: {e}")
}
