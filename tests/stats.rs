//! Summary statistics on hand-made inputs whose answers are known exactly.

use cnn_playground::stats::{Histogram, moments, normal_pdf};

#[test]
fn moments_of_a_known_sample() {
    let m = moments(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(m.mean, 3.0);
    assert!((m.std - 2f64.sqrt()).abs() < 1e-15); // population variance (4+1+0+1+4)/5 = 2
    assert!(moments(&[]).mean.is_nan());
    assert_eq!(moments(&[7.0]).std, 0.0);
    // A tail that does not fill a chunk of four still counts.
    let m = moments(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 8.0]);
    assert!((m.mean - 2.0).abs() < 1e-15);
}

#[test]
fn moments_report_overflow_as_non_finite() {
    assert!(moments(&[1.0, f32::INFINITY]).mean.is_infinite());
    assert!(moments(&[1.0, f32::NAN]).std.is_nan());
}

#[test]
fn histogram_bins_edges_and_outsiders() {
    let values = [0.0, 0.24, 0.25, 0.5, 0.99, 1.0, -0.1, 1.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
    let h = Histogram::new(&values, 0.0, 1.0, 4);
    // [0, .25): 0, .24   [.25, .5): .25   [.5, .75): .5   [.75, 1]: .99 and 1.0 (the last bin includes hi)
    assert_eq!(h.counts, vec![2, 1, 1, 2]);
    assert_eq!((h.below, h.above, h.non_finite), (1, 1, 3)); // NaN and ±inf are overflow, not "outside"
    assert_eq!(h.bin_width(), 0.25);
    let d = h.density(values.len());
    assert!((d.iter().sum::<f64>() * 0.25 - 6.0 / 11.0).abs() < 1e-15);
}

#[test]
fn normal_pdf_matches_the_formula() {
    assert!((normal_pdf(0.0) - 0.398_942_280_401_432_7).abs() < 1e-15);
    assert!((normal_pdf(1.0) - 0.241_970_724_519_143_37).abs() < 1e-15);
    assert_eq!(normal_pdf(2.0), normal_pdf(-2.0));
}
