//! Colour jitter with torchvision's functional formulas for float images (`torchvision.transforms.v2.functional`):
//! - brightness: `clamp(f · x)`;
//! - contrast: `clamp(f · x + (1 − f) · mean(gray(img)))`, one mean over the whole image;
//! - saturation: `clamp(f · x + (1 − f) · gray(pixel))`, per pixel;
//! - hue: rotate the HSV hue by `f` turns.
//!
//! `gray = 0.2989 R + 0.587 G + 0.114 B`, torchvision's weights (ITU-R 601 rounded as torchvision does). A grey (1-channel)
//! image is its own gray; saturation and hue leave it unchanged, as torchvision does.

use super::geometric::uniform;
use super::{Image, pixels_mut};
use crate::rng::Rng;
use rand::RngExt;

const GRAY: [f32; 3] = [0.2989, 0.587, 0.114];

#[inline]
fn gray(px: &[f32]) -> f32 {
    if px.len() == 3 {
        GRAY[0] * px[0] + GRAY[1] * px[1] + GRAY[2] * px[2]
    } else {
        px[0]
    }
}

pub fn adjust_brightness(img: &mut Image, factor: f32) {
    pixels_mut(img)
        .iter_mut()
        .for_each(|v| *v = (factor * *v).clamp(0.0, 1.0));
}

/// The mean of the grayscale image, the level contrast blends towards.
pub fn gray_mean(img: &Image) -> f32 {
    let c = img.dim().2;
    let data = super::contiguous(img);
    if c == 0 || data.is_empty() {
        return 0.0;
    }
    let sum: f64 = data.chunks_exact(c).map(|px| gray(px) as f64).sum();
    (sum / (data.len() / c) as f64) as f32
}

pub fn adjust_contrast(img: &mut Image, factor: f32) {
    let offset = (1.0 - factor) * gray_mean(img);
    pixels_mut(img)
        .iter_mut()
        .for_each(|v| *v = (factor * *v + offset).clamp(0.0, 1.0));
}

pub fn adjust_saturation(img: &mut Image, factor: f32) {
    if img.dim().2 != 3 {
        return;
    }
    for px in pixels_mut(img).chunks_exact_mut(3) {
        let g = (1.0 - factor) * gray(px);
        px.iter_mut().for_each(|v| *v = (factor * *v + g).clamp(0.0, 1.0));
    }
}

/// Shifts the hue by `shift` turns (torchvision: `hue_factor` in [−0.5, 0.5]).
pub fn adjust_hue(img: &mut Image, shift: f32) {
    if img.dim().2 != 3 {
        return;
    }
    for px in pixels_mut(img).chunks_exact_mut(3) {
        let [h, s, v] = rgb_to_hsv([px[0], px[1], px[2]]);
        px.copy_from_slice(&hsv_to_rgb([(h + shift).rem_euclid(1.0), s, v]));
    }
}

/// torchvision `_rgb_to_hsv`: hue in turns [0, 1).
pub fn rgb_to_hsv([r, g, b]: [f32; 3]) -> [f32; 3] {
    let (maxc, minc) = (r.max(g).max(b), r.min(g).min(b));
    if maxc == minc {
        return [0.0, 0.0, maxc];
    }
    let range = maxc - minc;
    let (rc, gc, bc) = ((maxc - r) / range, (maxc - g) / range, (maxc - b) / range);
    let h = if maxc == r {
        bc - gc
    } else if maxc == g {
        2.0 + rc - bc
    } else {
        4.0 + gc - rc
    };
    [(h / 6.0 + 1.0) % 1.0, range / maxc, maxc]
}

/// torchvision `_hsv_to_rgb`.
pub fn hsv_to_rgb([h, s, v]: [f32; 3]) -> [f32; 3] {
    let h6 = h * 6.0;
    let i = h6.floor();
    let f = h6 - i;
    let p = (v * (1.0 - s)).clamp(0.0, 1.0);
    let q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
    let t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
    match (i as i64).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// The drawn jitter: a factor per active adjustment (`None` when its strength is 0) and the order they ran in.
#[derive(Debug, Clone, PartialEq)]
pub struct Jitter {
    pub brightness: Option<f32>,
    pub contrast: Option<f32>,
    pub saturation: Option<f32>,
    pub hue: Option<f32>,
    /// 0 brightness, 1 contrast, 2 saturation, 3 hue; a random permutation, as torchvision's `ColorJitter`.
    pub order: [usize; 4],
}

/// torchvision `ColorJitter(brightness=b, contrast=c, saturation=s, hue=h)`: factors from [max(0, 1 − x), 1 + x]
/// (hue from [−h, h]), applied in a random order.
pub fn color_jitter(img: &mut Image, b: f64, c: f64, s: f64, h: f64, rng: &mut Rng) -> Jitter {
    let mut order = [0, 1, 2, 3];
    for i in (1..4).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let mut factor = |x: f64| (x > 0.0).then(|| uniform(rng, (1.0 - x).max(0.0), 1.0 + x) as f32);
    let (brightness, contrast, saturation) = (factor(b), factor(c), factor(s));
    let hue = (h > 0.0).then(|| uniform(rng, -h, h) as f32);
    for k in order {
        match (k, [brightness, contrast, saturation, hue][k]) {
            (0, Some(f)) => adjust_brightness(img, f),
            (1, Some(f)) => adjust_contrast(img, f),
            (2, Some(f)) => adjust_saturation(img, f),
            (3, Some(f)) => adjust_hue(img, f),
            _ => {}
        }
    }
    Jitter {
        brightness,
        contrast,
        saturation,
        hue,
        order,
    }
}
