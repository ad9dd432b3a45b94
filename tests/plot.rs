//! The charts drawn natively on plotters' SVG backend: they draw what they are given, including the overflow and
//! zero values a deep net produces, without failing.

use cnn_playground::plot::{self, DensityPlot, LayerHistograms, LogPane, Series, Style};
use cnn_playground::stats::Histogram;
use plotters::prelude::*;

/// Whether the SVG has a text element with exactly this content (plotters writes it on a line of its own).
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

fn svg(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>)) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&area);
    }
    out
}

#[test]
fn density_chart_draws_one_bar_per_non_empty_bin_and_the_curve() {
    let values: Vec<f32> = (0..1000).map(|i| (i % 10) as f32 / 10.0 - 0.45).collect(); // 10 distinct values
    let hist = Histogram::new(&values, -1.0, 1.0, 40);
    let curve: Vec<(f64, f64)> = (0..=50).map(|i| (-1.0 + i as f64 / 25.0, 0.5)).collect();
    let out = svg((640, 360), |area| {
        let plot =
            DensityPlot { hist: &hist, total: values.len(), curve: &curve, x_label: "weight", y_label: "density" };
        plot::draw_density(area, &plot, Style::new(1.0)).unwrap();
    });
    let bars = out.matches(&format!("fill=\"#{:02X}{:02X}{:02X}\"", plot::BAR.0, plot::BAR.1, plot::BAR.2)).count();
    assert_eq!(bars, 10, "one bar per occupied bin");
    assert!(out.contains("<polyline"), "the theoretical curve");
    assert!(has_text(&out, "weight") && has_text(&out, "density"));
}

#[test]
fn layer_histograms_draw_every_layer_and_mark_overflow() {
    let bins = 4;
    // Three layers: spread out, all in one bin, and all overflowed.
    let counts = [1.0, 1.0, 1.0, 1.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    let out = svg((900, 300), |area| {
        let plot = LayerHistograms {
            lo: -1.0,
            hi: 1.0,
            bins,
            counts: &counts,
            totals: &[4.0, 4.0, 4.0],
            outside: &[0.0, 0.0, 0.0],
            overflow: &[0.0, 0.0, 1.0],
            layer_word: "layer",
            overflow_word: "overflow",
        };
        plot::draw_layer_histograms(area, &plot, Style::new(1.0)).unwrap();
    });
    for l in 1..=3 {
        assert!(has_text(&out, &format!("layer {l}")), "panel {l}");
    }
    assert!(has_text(&out, "overflow 100%"), "the overflowed layer says so");
}

#[test]
fn log_panes_survive_inf_nan_and_zero() {
    let act = [1.0, 1e10, f64::INFINITY, f64::NAN];
    let grads = [0.0, 1e-7, 1e-3, 1.0];
    let out = svg((900, 360), |area| {
        let panes = [
            LogPane {
                title: "activations",
                y_label: "std",
                series: vec![Series { name: "act", values: &act, color: plot::CURVE }],
            },
            LogPane {
                title: "gradients",
                y_label: "std",
                series: vec![Series { name: "grad", values: &grads, color: plot::BAR }],
            },
        ];
        plot::draw_log_panes(area, &panes, "layer", "overflow", "exactly 0", Style::new(2.0)).unwrap();
    });
    assert!(has_text(&out, "overflow"), "legend entry for the inf/NaN marks");
    assert!(has_text(&out, "exactly 0"), "legend entry for the zero mark");
    assert!(has_text(&out, "activations") && has_text(&out, "gradients"));
}
