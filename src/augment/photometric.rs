//! Colour jitter with torchvision's functional formulas for float images (`torchvision.transforms.v2.functional`):
//! - brightness: `clamp(f · x)`;
//! - contrast: `clamp(f · x + (1 − f) · mean(gray(img)))`, one mean over the whole image;
//! - saturation: `clamp(f · x + (1 − f) · gray(pixel))`, per pixel;
//! - hue: rotate the HSV hue by `f` turns.
//!
//! `gray = 0.2989 R + 0.587 G + 0.114 B`, torchvision's weights (ITU-R 601 rounded as torchvision does). A grey (1-channel)
//! image is its own gray; saturation and hue leave it unchanged, as torchvision does.

use super::geometric::uniform;
use super::noise::clamp01;
use super::{Image, pixels_mut};
use crate::rng::Rng;
use rand::RngExt;

const GRAY: [f32; 3] = [0.2989, 0.587, 0.114];

#[inline]
fn gray(px: &[f32]) -> f32 {
    if px.len() == 3 { GRAY[0] * px[0] + GRAY[1] * px[1] + GRAY[2] * px[2] } else { px[0] }
}

pub fn adjust_brightness(img: &mut Image, factor: f32) {
    apply_levels(pixels_mut(img), [(factor, 0.0), IDENTITY]);
}

/// The mean of the grayscale image, the level contrast blends towards.
pub fn gray_mean(img: &Image) -> f32 {
    gray_mean_after(img, [IDENTITY; 2])
}

pub fn adjust_contrast(img: &mut Image, factor: f32) {
    let offset = (1.0 - factor) * gray_mean(img);
    apply_levels(pixels_mut(img), [(factor, offset), IDENTITY]);
}

/// A level change `v ↦ clamp(f·v + o)`: brightness is (f, 0), contrast (f, (1 − f)·mean). (1, 0) is the identity
/// on [0, 1], so a chain of one or two is always run as two and the loops stay branch-free.
pub type Level = (f32, f32);
const IDENTITY: Level = (1.0, 0.0);

#[inline(always)]
fn level2(v: f32, [(f1, o1), (f2, o2)]: [Level; 2]) -> f32 {
    clamp01(f2 * clamp01(f1 * v + o1) + o2)
}

/// Applies two chained levels to every value in one pass (wasm SIMD when available; the same values either way).
fn apply_levels(data: &mut [f32], levels: [Level; 2]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::apply_levels(data, levels);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    data[done..].iter_mut().for_each(|v| *v = level2(*v, levels));
}

/// Lanes of the gray-mean sums (four RGB pixels) and the values per block summed in f32.
pub const LANES: usize = 12;
pub const SUM_BLOCK: usize = 20 * LANES;

/// The lane sums of one block of [`SUM_BLOCK`] values after `levels`: lane l adds values l, l + 12, l + 24, …
pub fn block_sums_scalar(block: &[f32], levels: [Level; 2]) -> [f32; LANES] {
    let mut acc = [0f32; LANES];
    for chunk in block.chunks_exact(LANES) {
        for l in 0..LANES {
            acc[l] += level2(chunk[l], levels);
        }
    }
    acc
}

/// [`block_sums_scalar`] with wasm SIMD when available; the same values either way.
#[inline]
pub fn block_sums(block: &[f32], levels: [Level; 2]) -> [f32; LANES] {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::block_sums(block, levels)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        block_sums_scalar(block, levels)
    }
}

/// The mean gray level of the image as it would be after `levels`, without writing it. The sums are per channel
/// (gray is linear), in f32 over blocks of 80 pixels held in 12 lanes (4 RGB pixels), then in f64: an order fixed by
/// the code, so native and wasm builds agree, and one the compiler can vectorise.
fn gray_mean_after(img: &Image, levels: [Level; 2]) -> f32 {
    let c = img.dim().2;
    let data = super::contiguous(img);
    if c == 0 || data.is_empty() {
        return 0.0;
    }
    let pixels = (data.len() / c) as f64;
    if c != 1 && c != 3 {
        let sum: f64 = data.chunks_exact(c).map(|px| level2(px[0], levels) as f64).sum();
        return (sum / pixels) as f32;
    }
    let mut total = [0f64; LANES];
    let mut blocks = data.chunks_exact(SUM_BLOCK);
    for block in &mut blocks {
        let acc = block_sums(block, levels);
        for l in 0..LANES {
            total[l] += acc[l] as f64;
        }
    }
    // The rest (whole pixels, fewer than 80) value by value into a lane of its channel.
    for (l, v) in blocks.remainder().iter().enumerate() {
        total[l % LANES] += level2(*v, levels) as f64;
    }
    let sum = if c == 3 {
        let ch = |k: usize| total[k] + total[k + 3] + total[k + 6] + total[k + 9];
        GRAY[0] as f64 * ch(0) + GRAY[1] as f64 * ch(1) + GRAY[2] as f64 * ch(2)
    } else {
        total.iter().sum()
    };
    (sum / pixels) as f32
}

pub fn adjust_saturation(img: &mut Image, factor: f32) {
    if img.dim().2 != 3 {
        return;
    }
    for px in pixels_mut(img).chunks_exact_mut(3) {
        let g = (1.0 - factor) * gray(px);
        px.iter_mut().for_each(|v| *v = clamp01(factor * *v + g));
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
    // Brightness and contrast are level changes: consecutive ones run as one pass (contrast's mean is taken from the
    // image as the levels before it would leave it), which gives the same values as running them one by one.
    let mut pending: Vec<Level> = Vec::with_capacity(2);
    let flush = |img: &mut Image, pending: &mut Vec<Level>| {
        if !pending.is_empty() {
            let mut levels = [IDENTITY; 2];
            levels[..pending.len()].copy_from_slice(pending);
            apply_levels(pixels_mut(img), levels);
            pending.clear();
        }
    };
    for k in order {
        match (k, [brightness, contrast, saturation, hue][k]) {
            (0, Some(f)) => pending.push((f, 0.0)),
            (1, Some(f)) => {
                let mut levels = [IDENTITY; 2];
                levels[..pending.len()].copy_from_slice(&pending);
                let mean = gray_mean_after(img, levels);
                pending.push((f, (1.0 - f) * mean));
            }
            (2, Some(f)) => {
                flush(img, &mut pending);
                adjust_saturation(img, f);
            }
            (3, Some(f)) => {
                flush(img, &mut pending);
                adjust_hue(img, f);
            }
            _ => {}
        }
    }
    flush(img, &mut pending);
    Jitter { brightness, contrast, saturation, hue, order }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    //! The level passes on `f32x4`, lane by lane the same operations as the scalar code.
    use super::{LANES, Level};
    use core::arch::wasm32::*;

    #[inline(always)]
    fn level2(v: v128, l: &[(v128, v128); 2]) -> v128 {
        let (zero, one) = (f32x4_splat(0.0), f32x4_splat(1.0));
        let clamp = |x: v128| f32x4_pmin(f32x4_pmax(x, zero), one);
        let v = clamp(f32x4_add(f32x4_mul(l[0].0, v), l[0].1));
        clamp(f32x4_add(f32x4_mul(l[1].0, v), l[1].1))
    }

    fn splat(levels: [Level; 2]) -> [(v128, v128); 2] {
        levels.map(|(f, o)| (f32x4_splat(f), f32x4_splat(o)))
    }

    /// Whole groups of four values; returns how many it did.
    pub(super) fn apply_levels(data: &mut [f32], levels: [Level; 2]) -> usize {
        let l = splat(levels);
        let n = data.len() / 4 * 4;
        for chunk in data[..n].chunks_exact_mut(4) {
            // SAFETY: four f32; unaligned v128 access is allowed.
            unsafe {
                let p = chunk.as_mut_ptr() as *mut v128;
                v128_store(p, level2(v128_load(p), &l));
            }
        }
        n
    }

    pub(super) fn block_sums(block: &[f32], levels: [Level; 2]) -> [f32; LANES] {
        let l = splat(levels);
        let mut acc = [f32x4_splat(0.0); 3];
        for chunk in block.chunks_exact(LANES) {
            // SAFETY: twelve f32; unaligned v128 loads are allowed.
            unsafe {
                let p = chunk.as_ptr();
                for (k, a) in acc.iter_mut().enumerate() {
                    *a = f32x4_add(*a, level2(v128_load(p.add(4 * k) as *const v128), &l));
                }
            }
        }
        let mut out = [0f32; LANES];
        for (k, a) in acc.iter().enumerate() {
            // SAFETY: four f32 of `out`.
            unsafe { v128_store(out.as_mut_ptr().add(4 * k) as *mut v128, *a) };
        }
        out
    }
}
