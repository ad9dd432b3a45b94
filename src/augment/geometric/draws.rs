//! torchvision's random parameter draws for the geometric transforms, with its exact rules.

use super::*;

/// Uniform in `[lo, hi]`; never panics (unlike `random_range` on an empty or non-finite range).
pub(crate) fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// torchvision `RandomAffine(translate=(fx, fy))`: a shift of `round(U(−fx·W, fx·W))` by `round(U(−fy·H, fy·H))`
/// whole pixels. Returns (tx, ty).
pub fn translate_params(height: usize, width: usize, fx: f64, fy: f64, rng: &mut Rng) -> (i64, i64) {
    let (mx, my) = (fx * width as f64, fy * height as f64);
    (uniform(rng, -mx, mx).round() as i64, uniform(rng, -my, my).round() as i64)
}

/// torchvision `RandomCrop(size=(H, W), padding=pad)`: the top-left corner of the window in the padded image,
/// as (top, left) each uniform in `0..=2·pad`.
pub fn crop_params(pad: usize, rng: &mut Rng) -> (usize, usize) {
    (rng.random_range(0..=2 * pad), rng.random_range(0..=2 * pad))
}

/// torchvision `RandomResizedCrop.get_params`: up to 10 tries to draw an area fraction from `scale` and a log-uniform
/// aspect ratio from `ratio` that fit, then a centre crop clamped to the ratio range. Returns (top, left, h, w).
pub fn resized_crop_params(
    height: usize,
    width: usize,
    scale: (f64, f64),
    ratio: (f64, f64),
    rng: &mut Rng,
) -> (usize, usize, usize, usize) {
    let area = (height * width) as f64;
    let (log_lo, log_hi) = (ratio.0.ln(), ratio.1.ln());
    for _ in 0..10 {
        let target = area * uniform(rng, scale.0, scale.1);
        let aspect = uniform(rng, log_lo, log_hi).exp();
        let w = (target * aspect).sqrt().round() as usize;
        let h = (target / aspect).sqrt().round() as usize;
        if 0 < w && w <= width && 0 < h && h <= height {
            let top = rng.random_range(0..=height - h);
            let left = rng.random_range(0..=width - w);
            return (top, left, h, w);
        }
    }
    let in_ratio = width as f64 / height as f64;
    let (h, w) = if in_ratio < ratio.0 {
        ((width as f64 / ratio.0).round() as usize, width)
    } else if in_ratio > ratio.1 {
        (height, (height as f64 * ratio.1).round() as usize)
    } else {
        (height, width)
    };
    let (h, w) = (h.clamp(1, height), w.clamp(1, width));
    ((height - h) / 2, (width - w) / 2, h, w)
}
