//! The charts drawn natively on plotters' SVG backend: they draw what they are given, including the overflow and
//! zero values a deep net produces, without failing.

use cnn_playground::plot::{self, DensityPlot, LayerHistograms, LogPane, LogWords, Series, Style};
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
            outside: &[0.003, 0.0, 0.0],
            overflow: &[0.0, 0.0, 1.0],
            layer_word: "layer",
            overflow_word: "overflow",
            outside_word: "outside",
        };
        plot::draw_layer_histograms(area, &plot, Style::new(1.0)).unwrap();
    });
    for l in 1..=3 {
        assert!(has_text(&out, &format!("layer {l}")), "panel {l}");
    }
    assert!(has_text(&out, "overflow 100%"), "the overflowed layer says so");
    assert!(has_text(&out, "0.3% outside"), "units beyond the shared x range are counted in words");
}

/// The (x, y) anchor of every text element whose content starts with `prefix`, as plotters writes them.
fn text_anchors(svg: &str, prefix: &str) -> Vec<(f64, f64)> {
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    svg.split("<text")
        .skip(1)
        .filter(|t| t.split_once(">\n").is_some_and(|(_, body)| body.starts_with(prefix)))
        .map(|t| (attr(t, "x"), attr(t, "y")))
        .collect()
}

#[test]
fn layer_histograms_on_a_phone_keep_titles_apart() {
    // Ten layers on a 330-pixel canvas (a 360-pixel phone) were ten panels in a row, 29 pixels each, and their titles
    // ran together ("layer 9layer 10"). A title of 8 characters in a 10-pixel sans-serif font is at most about
    // 8 × 0.6 × 10 = 48 pixels wide, so centred titles in one row need at least that much between them.
    let bins = 4;
    let counts: Vec<f64> = (0..10 * bins).map(|i| (i % 3) as f64).collect();
    let totals = [3.0; 10];
    for (width, scale) in [(330u32, 1.0), (990, 3.0), (1100, 1.0)] {
        let out = svg((width, 460), |area| {
            let plot = LayerHistograms {
                lo: -1.0,
                hi: 1.0,
                bins,
                counts: &counts,
                totals: &totals,
                outside: &[0.0; 10],
                overflow: &[0.0; 10],
                layer_word: "layer",
                overflow_word: "overflow",
                outside_word: "outside",
            };
            plot::draw_layer_histograms(area, &plot, Style::new(scale)).unwrap();
        });
        let titles = text_anchors(&out, "layer ");
        assert_eq!(titles.len(), 10, "{width} px: a title per layer");
        for pair in titles.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            if y0 == y1 {
                assert!(x1 - x0 >= 48.0 * scale, "{width} px: titles {} px apart", x1 - x0);
            }
        }
        if width == 1100 {
            assert!(titles.iter().all(|t| t.1 == titles[0].1), "a wide canvas keeps one row of ten");
        }
    }
}

const WORDS: LogWords = LogWords {
    x_label: "layer",
    overflow: "overflow",
    zero: "exactly 0",
    off_scale: "beyond the axis",
    reference: "faint: Xavier",
};

fn pane<'a>(title: &'a str, range: (f64, f64), values: &'a [f64], reference: &'a [f64]) -> LogPane<'a> {
    LogPane {
        title,
        y_label: "std",
        range,
        series: vec![Series { name: "std of x", values, color: plot::CURVE }],
        reference: if reference.is_empty() {
            vec![]
        } else {
            vec![Series { name: "", values: reference, color: plot::CURVE }]
        },
    }
}

/// The y of a text element with exactly this content (plotters writes `<text x=".." y=".." …>\ncontent\n</text>`).
fn text_y(svg: &str, text: &str) -> Option<f64> {
    let end = svg.find(&format!(">\n{text}\n</text>"))?;
    let start = svg[..end].rfind("<text")?;
    let tag = &svg[start..end];
    let y = tag.split(" y=\"").nth(1)?.split('"').next()?;
    y.parse().ok()
}

/// Every text element's content.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("</text>").filter_map(|t| t.rsplit_once(">\n").map(|(_, s)| s.trim_end_matches('\n'))).collect()
}

#[test]
fn log_panes_survive_inf_nan_and_zero() {
    let act = [1.0, 1e10, f64::INFINITY, f64::NAN];
    let grads = [0.0, 1e-7, 1e-3, 1.0];
    let out = svg((900, 360), |area| {
        let panes = [pane("activations", plot::ACT_RANGE, &act, &[]), pane("gradients", plot::GRAD_RANGE, &grads, &[])];
        plot::draw_log_panes(area, &panes, &WORDS, Style::new(2.0)).unwrap();
    });
    assert!(has_text(&out, "overflow"), "legend entry for the inf/NaN marks");
    assert!(has_text(&out, "exactly 0"), "legend entry for the zero mark");
    assert!(has_text(&out, "beyond the axis"), "legend entry for 1e10, above the fixed range");
    assert!(has_text(&out, "activations") && has_text(&out, "gradients"));
}

#[test]
fn log_panes_use_fixed_decade_ranges_whatever_the_data() {
    let draw = |values: &[f64]| {
        svg((1000, 360), |area| {
            plot::draw_log_panes(area, &[pane("a", plot::ACT_RANGE, values, &[])], &WORDS, Style::new(1.0)).unwrap();
        })
    };
    let ticks =
        |svg: &str| texts(svg).into_iter().filter(|t| t.starts_with("10")).map(String::from).collect::<Vec<_>>();
    let small = draw(&[1e-3, 1e-4, 1e-5, 1e-6, 1e-7]);
    let healthy = draw(&[0.6, 0.5, 0.4, 0.35, 0.3]);
    assert_eq!(ticks(&small), ticks(&healthy), "the same axis for both runs");
    // Legend slots are fixed: a run with markers (beyond the range, overflow, zero) has its plot in the same place.
    let marked = draw(&[1e5, f64::INFINITY, 0.0, 1e-12, 0.5]);
    for k in [-8, 2] {
        let tick = plot::power_of_ten(k);
        assert_eq!(text_y(&marked, &tick), text_y(&healthy, &tick), "{tick} at the same height");
    }
    assert!(has_text(&marked, "beyond the axis") && !has_text(&healthy, "beyond the axis"));
    // Superscript powers of ten, each decade once, from 10⁻⁸ to 10².
    let want: Vec<String> = (-8..=2).map(plot::power_of_ten).collect();
    assert_eq!(ticks(&small), want);
    assert_eq!(plot::power_of_ten(-6), "10⁻⁶");
    assert_eq!(plot::power_of_ten(0), "10⁰");
    assert_eq!(plot::power_of_ten(12), "10¹²");
}

#[test]
fn log_panes_tick_whole_layers_and_keep_the_legend_off_the_data() {
    let values: Vec<f64> = (0..10).map(|i| 10f64.powi(-i)).collect();
    let reference = vec![0.5; 10];
    let out = svg((1000, 360), |area| {
        plot::draw_log_panes(area, &[pane("a", plot::ACT_RANGE, &values, &reference)], &WORDS, Style::new(1.0))
            .unwrap();
    });
    let all = texts(&out);
    // x ticks 1…10, each once; no fractional layer.
    for l in 1..=10 {
        assert_eq!(all.iter().filter(|t| **t == l.to_string()).count(), 1, "tick {l}: {all:?}");
    }
    assert!(!all.iter().any(|t| t.contains('.')), "{all:?}");
    // The legend (series and reference) sits above the top of the plot (the 10² tick).
    let top = text_y(&out, &plot::power_of_ten(2)).unwrap();
    for label in ["std of x", "faint: Xavier"] {
        assert!(text_y(&out, label).unwrap() < top, "{label} above the plot");
    }
    // The reference is drawn faint: a polyline with opacity.
    assert!(out.contains("opacity=\"0.3\""), "faint reference curve");
    assert_eq!(plot::layer_ticks(50), [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    assert_eq!(plot::layer_ticks(20), [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert_eq!(plot::layer_ticks(3), [1, 2, 3]);
}

#[test]
fn comparison_draws_every_scheme_on_one_scale_and_outlines_the_current_one() {
    let normal = |s: f64| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| -0.2 + 0.4 * i as f64 / 40.0)
            .map(|x| (x, (-(x * x) / (2.0 * s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())))
            .collect()
    };
    let panels = [
        plot::ComparePanel { title: "He", detail: "std 0.05".into(), curve: normal(0.05), current: true },
        plot::ComparePanel { title: "N(0, 0.01²)", detail: "std 0.01".into(), curve: normal(0.01), current: false },
        plot::ComparePanel { title: "Zeros", detail: "std 0".into(), curve: vec![], current: false },
    ];
    // The current scheme's peak sets the scale: std 0.01 peaks 5× higher and is marked as clipped.
    let top = 1.15 / (0.05 * (2.0 * std::f64::consts::PI).sqrt());
    let out = svg((900, 460), |area| {
        let plot = plot::Comparison { panels: &panels, lo: -0.2, hi: 0.2, top, point_mass: "all 0", clipped: "higher" };
        plot::draw_comparison(area, &plot, Style::new(1.0)).unwrap();
    });
    for t in ["He", "N(0, 0.01²)", "Zeros", "std 0.05", "all 0", "↑ higher"] {
        assert!(has_text(&out, t), "{t}");
    }
    assert_eq!(out.matches("↑ higher").count(), 1, "only the narrow one is clipped");
    let outline = format!("stroke=\"#{:02X}{:02X}{:02X}\"", plot::CURVE.0, plot::CURVE.1, plot::CURVE.2);
    assert!(out.contains("<rect") && out.contains(&outline), "the current scheme is outlined");
}

#[test]
fn comparison_on_a_phone_keeps_the_clipped_mark_inside_its_cell() {
    // Two columns on a 330-pixel canvas: "↑ peak above the scale" written right of the peak ran into the next cell
    // and off the canvas; there the arrow stands alone, and on a wide canvas the words stay.
    let normal = |s: f64| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| -0.2 + 0.4 * i as f64 / 40.0)
            .map(|x| (x, (-(x * x) / (2.0 * s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())))
            .collect()
    };
    let panels: Vec<_> = (0..4)
        .map(|i| plot::ComparePanel { title: "N", detail: "std".into(), curve: normal(0.01), current: i == 0 })
        .collect();
    let words = "peak above the scale";
    for (width, words_fit) in [(330u32, false), (1100, true)] {
        let out = svg((width, 400), |area| {
            let plot =
                plot::Comparison { panels: &panels, lo: -0.2, hi: 0.2, top: 1.0, point_mass: "0", clipped: words };
            plot::draw_comparison(area, &plot, Style::new(1.0)).unwrap();
        });
        let cols = if width < 480 { 2.0 } else { 3.0 };
        let cell = f64::from(width) / cols;
        let marks = text_anchors(&out, "↑");
        assert_eq!(marks.len(), 4, "{width} px: every clipped curve is marked");
        assert_eq!(has_text(&out, &format!("↑ {words}")), words_fit, "{width} px");
        for &(x, _) in &marks {
            let text = if words_fit { format!("↑ {words}") } else { "↑".to_string() };
            let right = ((x / cell).floor() + 1.0) * cell;
            assert!(
                x + plot::text_width(&text, 10.0) <= right,
                "{width} px: a mark at {x} runs past its cell's edge {right}"
            );
        }
    }
}

#[test]
fn histogram_ticks_have_three_digits_and_no_doubled_zero() {
    assert_eq!(plot::three_digits(2.7342, 2.7342), "2.73");
    assert_eq!(plot::three_digits(0.98114, 0.98114), "0.981");
    assert_eq!(plot::three_digits(-1.0, 2.0), "-1");
    assert_eq!(plot::three_digits(12.5, 20.0), "12.5");
    assert_eq!(plot::three_digits(0.0, 1.0), "0");
    // A ReLU layer's range starts at 0: the 0 tick is written once per panel, not "0" twice on top of itself.
    let counts = [1.0, 2.0, 3.0, 4.0];
    let out = svg((300, 200), |area| {
        let plot = LayerHistograms {
            lo: 0.0,
            hi: 2.7342,
            bins: 4,
            counts: &counts,
            totals: &[10.0],
            outside: &[0.0],
            overflow: &[0.0],
            layer_word: "layer",
            overflow_word: "overflow",
            outside_word: "outside",
        };
        plot::draw_layer_histograms(area, &plot, Style::new(1.0)).unwrap();
    });
    assert!(has_text(&out, "2.73") && !has_text(&out, "2.7342"));
    // One "0" under the x axis and one at the foot of the y axis.
    assert_eq!(texts(&out).iter().filter(|t| **t == "0").count(), 2, "{:?}", texts(&out));
}

#[test]
fn run_colours_are_distinct_and_none_is_grey_like_the_legend_samples() {
    let rgb = |c: &RGBColor| [c.0 as f64, c.1 as f64, c.2 as f64];
    for c in plot::RUN_COLORS.iter().map(rgb) {
        // HSV saturation, (max − min) / max: 0 for the grey of the axes and the legend's line samples (and for the
        // old sixth colour, 90, 90, 90); at least 0.3 reads as a hue.
        let max = c.iter().cloned().fold(f64::MIN, f64::max);
        let min = c.iter().cloned().fold(f64::MAX, f64::min);
        assert!((max - min) / max >= 0.3, "{c:?} is too close to grey");
    }
    for (i, a) in plot::RUN_COLORS.iter().map(rgb).enumerate() {
        for b in plot::RUN_COLORS.iter().map(rgb).skip(i + 1) {
            let d = a.iter().zip(&b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
            assert!(d >= 60.0, "{a:?} and {b:?} are too alike ({d:.0})");
        }
    }
}

/// Two runs' curves as the comparisons draw them (steps 0, 10, 20).
fn two_runs<'a>(train: &'a [f64], val: &'a [f64], none: &'a [f64]) -> [plot::CurveRun<'a>; 2] {
    let steps: &'a [f64] = &[0.0, 10.0, 20.0];
    [
        plot::CurveRun { name: "a", steps, train_loss: none, train_acc: train, val_loss: val, val_acc: val },
        plot::CurveRun { name: "b", steps, train_loss: none, train_acc: train, val_loss: val, val_acc: val },
    ]
}

const CURVE_WORDS: plot::CurveWords = plot::CurveWords {
    step: "step",
    loss: "loss",
    accuracy: "accuracy",
    training: "training",
    validation: "validation",
};

#[test]
fn curves_name_training_only_when_a_training_line_is_drawn_and_can_leave_the_legend_out() {
    let (acc, nan) = ([0.1, 0.5, 0.8], [f64::NAN; 3]);
    let draw = |train: &[f64], options: plot::CurveOptions| {
        svg((800, 300), |area| {
            plot::draw_curves_with(area, &two_runs(train, &acc, &nan), 20.0, &CURVE_WORDS, Style::new(1.0), &options)
                .unwrap();
        })
    };
    let with_train = draw(&acc, Default::default());
    assert!(has_text(&with_train, "training") && has_text(&with_train, "validation") && has_text(&with_train, "a"));
    // The transfer charts: validation only, so no "training" entry (it would name a line that is never drawn).
    let val_only = draw(&nan, Default::default());
    assert!(!has_text(&val_only, "training") && has_text(&val_only, "validation"));
    // Small multiples with one legend on the page: none in the chart, and only the accuracy pane.
    let bare = draw(&nan, plot::CurveOptions { legend: false, accuracy_only: true, ..Default::default() });
    assert!(!has_text(&bare, "validation") && !has_text(&bare, "a") && !has_text(&bare, "loss"));
    assert!(has_text(&bare, "accuracy"));
}

#[test]
fn the_gap_is_a_shaded_band_and_dashed_runs_are_dashed() {
    let (train, val, nan) = ([0.2, 0.9, 1.0], [0.2, 0.6, 0.7], [f64::NAN; 3]);
    let plain = svg((800, 300), |area| {
        plot::draw_curves(area, &two_runs(&train, &val, &nan), 20.0, &CURVE_WORDS, Style::new(1.0)).unwrap();
    });
    let gap = svg((800, 300), |area| {
        let o = plot::CurveOptions { gap: true, ..Default::default() };
        plot::draw_curves_with(area, &two_runs(&train, &val, &nan), 20.0, &CURVE_WORDS, Style::new(1.0), &o).unwrap();
    });
    assert_eq!(plain.matches("<polygon").count(), 0);
    assert_eq!(gap.matches("<polygon").count(), 2, "one band per run");
    // Dashes: plotters draws a dashed path as many short lines, so the SVG has more line elements.
    let dashed = svg((800, 300), |area| {
        let o = plot::CurveOptions { dashed: vec![false, true], colors: vec![2, 2], ..Default::default() };
        plot::draw_curves_with(area, &two_runs(&train, &val, &nan), 20.0, &CURVE_WORDS, Style::new(1.0), &o).unwrap();
    });
    let lines = |s: &str| s.matches("<line").count() + s.matches("<polyline").count();
    assert!(lines(&dashed) > lines(&plain) + 4, "{} vs {}", lines(&dashed), lines(&plain));
}

#[test]
fn confusion_rows_draw_only_the_rows_asked_for() {
    let labels: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    // The 6 row: 30 right, 10 taken for 9; the 9 row: 5 taken for 6, 35 right.
    let mut counts = vec![0u32; 20];
    counts[6] = 30;
    counts[9] = 10;
    counts[10 + 6] = 5;
    counts[10 + 9] = 35;
    let out = svg((600, 140), |area| {
        plot::draw_confusion_rows(area, &counts, &[6, 9], &labels, "true", "predicted", Style::new(1.0)).unwrap();
    });
    for n in ["30", "10", "5", "35"] {
        assert!(has_text(&out, n), "{n}");
    }
    // Row labels 6 and 9 plus the column labels 0 … 9: "6" and "9" twice, "3" once.
    assert_eq!(texts(&out).iter().filter(|t| **t == "6").count(), 2);
    assert_eq!(texts(&out).iter().filter(|t| **t == "3").count(), 1);
    // A row past the classes draws nothing (and does not panic).
    let empty = svg((600, 140), |area| {
        plot::draw_confusion_rows(area, &counts, &[6, 10], &labels, "true", "predicted", Style::new(1.0)).unwrap();
    });
    assert!(!has_text(&empty, "30"));
}

/// Checks that `xml` is well-formed enough for an SVG viewer: one root, every element closed in order, attribute
/// values quoted, no raw `<` or `&` in text (entities only), no control characters. Returns the elements' names.
fn well_formed(xml: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").expect("an XML declaration");
    let mut roots = 0;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.chars().any(|c| c.is_control() && !"\n\r\t".contains(c)), "control character in {text:?}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map(|e| i + e + 1).expect("an entity ends with ;")];
            assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity), "entity {entity}");
        }
        let close = open + rest[open..].find('>').expect("a tag ends");
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing tag order");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().expect("a name").to_string();
            // Attributes: name="value" pairs, values without '<' or an unescaped quote.
            let mut attrs = tag[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs.find("=\"").unwrap_or_else(|| panic!("unquoted attribute in <{tag}>"));
                let end = eq + 2 + attrs[eq + 2..].find('"').expect("attribute closes");
                assert!(!attrs[eq + 2..end].contains('<'));
                attrs = attrs[end + 1..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            names.push(name.clone());
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(roots, 1, "one root element");
    names
}

#[test]
fn a_downloaded_chart_is_a_well_formed_svg_with_its_text_title_and_link() {
    let (train, val, none) = ([0.5, 0.8, 0.9], [0.4, 0.7, 0.85], [f64::NAN; 3]);
    let runs = two_runs(&train, &val, &none);
    let words = plot::CurveWords {
        step: "스텝",
        loss: "손실",
        accuracy: "정확도",
        training: "학습 <train>",
        validation: "검증 & val",
    };
    let body = svg((800, 320), |area| {
        plot::draw_curves_with(area, &runs, 30.0, &words, Style::new(1.0), &plot::CurveOptions::default()).unwrap();
    });
    let link = "http://localhost:8080/#view=train&lr=0.05&aug=rotate(deg10)";
    let doc = plot::svg_document(&body, "CNN Playground — train \"curves\"", link);
    let names = well_formed(&doc);
    assert_eq!(names[0], "svg");
    assert!(names.iter().any(|n| n == "text"), "real text, not pixels");
    assert!(doc.contains("<title>CNN Playground — train &quot;curves&quot;</title>"));
    assert!(doc.contains("http://localhost:8080/#view=train&amp;lr=0.05&amp;aug=rotate(deg10)</dc:source>"));
    assert!(doc.contains("xmlns=\"http://www.w3.org/2000/svg\""), "a standalone file needs the namespace");
    for word in ["스텝", "손실", "정확도"] {
        assert!(has_text(&doc, word), "the chart's word {word}");
    }
    // The check can fail: a raw ampersand or an unclosed element is refused.
    assert!(std::panic::catch_unwind(|| well_formed(&plot::svg_document("<svg><g></svg>", "", ""))).is_err());
    assert!(std::panic::catch_unwind(|| well_formed(&plot::svg_document("<svg>a & b</svg>", "", ""))).is_err());
}

#[test]
fn pixel_charts_become_one_rect_per_run_of_equal_pixels() {
    // 3×2 pixels: a red run of two and a blue one in row 0; row 1 transparent but for one white pixel.
    let rgba = [255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0];
    let doc = plot::rgba_svg(&rgba, (3, 2), (30, 20), "tiles", "link");
    well_formed(&doc);
    assert!(doc.contains("width=\"30\" height=\"20\" viewBox=\"0 0 3 2\""));
    assert!(doc.contains("<rect x=\"0\" y=\"0\" width=\"2\" height=\"1\" fill=\"#FF0000\"/>"));
    assert!(doc.contains("<rect x=\"2\" y=\"0\" width=\"1\" height=\"1\" fill=\"#0000FF\"/>"));
    assert!(doc.contains("<rect x=\"1\" y=\"1\" width=\"1\" height=\"1\" fill=\"#FFFFFF\"/>"));
    assert_eq!(doc.matches("<rect").count(), 3, "transparent pixels are left out");
}
