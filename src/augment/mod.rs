//! Data augmentation: one module per family, and a seeded pipeline.
//!
//! # Image layout
//! An image is an [`Image`] = `ndarray::Array3<f32>` laid out `(height, width, channels)` (HWC, row-major, channels
//! interleaved like ImageData), with 1 (grey) or 3 (RGB) channels and values in `[0, 1]`. Every operation keeps values
//! in `[0, 1]`, accepts odd sizes (1×1, 1×N, N×1, non-square) without panicking and takes an explicit RNG.
//! [`from_rgba8`] and [`to_rgba8`] convert from and to the browser's RGBA bytes.
//!
//! # Families
//! - [`geometric`]: translate, crop with padding, random resized crop, flips, rotation, resize (zoom). Every point-
//!   sampling warp goes through one inverse-mapping routine, [`geometric::warp`]; resizing goes through one separable
//!   filter, [`geometric::resize`], because area and antialiased filters need a footprint, not a point.
//! - [`photometric`]: colour jitter with torchvision's functional formulas (brightness, contrast, saturation, hue).
//! - [`noise`]: Gaussian and salt-and-pepper noise, per channel or per pixel.
//!
//! # Output size
//! Every step keeps the canvas size of its input, so a whole pipeline returns an image of the source size and a grid
//! of tiles lines up. `resize` is shown as a zoom on a fixed canvas (scale by a random factor about the centre; a
//! smaller picture is padded with `fill`, a larger one is cropped): that is how scale jitter is used in training, and
//! the downsampled pixels land 1:1 on the canvas, so the moiré of naive downsampling is seen as the network sees it
//! rather than smeared by a second resampling on the way back up.
//!
//! # The `aug=` syntax
//! A pipeline is a `~`-separated list of steps; a step is a name with optional arguments in parentheses, separated
//! by `_`. An argument is a parameter name immediately followed by its value (`deg30`, `p0.8`, `sigma0.05`,
//! `sigma1e-5`), or an option word (`bilinear`, `reflect`). The grammar is shared with model specs and documented in
//! [`crate::spec`]: only letters, digits and `. _ ~ ( ) -` occur, which `encodeURIComponent` leaves as they are, so
//! the hash stays readable. Defaults are omitted when serialising, and numbers are written in their shortest form.
//!
//! ```text
//! hflip~rotate(deg30_bilinear_p0.8)~jitter(b0.4_c0.4)~noise(sigma0.05)
//! ```
//!
//! | step | parameters (default) | meaning |
//! | --- | --- | --- |
//! | `translate` | `x` (0.1), `y` (0.1), `fill` (0) | shift by a whole number of pixels drawn from [−x·W, x·W] and [−y·H, y·H] (torchvision `RandomAffine(translate=(x, y))`) |
//! | `crop` | `pad` (4), `constant`/`reflect`/`edge`, `fill` (0) | pad every side by `pad` pixels and crop a random window of the source size (torchvision `RandomCrop(size, padding)`) |
//! | `resizedcrop` | `smin` (0.08), `smax` (1), `rmin` (0.75), `rmax` (1.333…), `nearest`/`bilinear`/`area`, `aa` (1) | torchvision `RandomResizedCrop(size, scale, ratio)` back to the source size |
//! | `hflip`, `vflip` | (`p` 0.5) | mirror left–right / top–bottom |
//! | `rotate` | `deg` (15), `nearest`/`bilinear`, `fill` (0) | angle uniform in [−deg, deg], counter-clockwise, about the centre (torchvision `RandomRotation`) |
//! | `resize` | `min` (0.5), `max` (2), `nearest`/`bilinear`/`area`, `aa` (1), `fill` (0) | zoom by a factor uniform in [min, max] on the same canvas |
//! | `jitter` | `b`, `c`, `s`, `h` (all 0) | torchvision `ColorJitter(brightness, contrast, saturation, hue)` |
//! | `noise` | `sigma` (0.1), `pc` (1) | add N(0, σ²); `pc0` draws one value per pixel for all channels |
//! | `saltpepper` | `amount` (0.05), `pc` (0) | set that fraction of pixels (or of channel values, `pc1`) to 0 or 1, half each |
//!
//! Every step also takes `p`, the probability that it runs (default 1, flips 0.5). At most [`pipeline::MAX_STEPS`]
//! steps and [`pipeline::MAX_LEN`] characters; errors name the step (1-based), its name and the parameter:
//! `aug: step 2 (rotate): deg must be between 0 and 360, got 400`.

pub mod export;
pub mod geometric;
pub mod noise;
pub mod photometric;
pub mod pipeline;
pub mod realism;
pub mod samples;

pub use geometric::{Affine, Border, Interpolation};
pub use pipeline::{FiredStep, Kind, Pipeline, Step};
pub use realism::{Lang, Risk};

use crate::error::{Error, Result};
use ndarray::Array3;
use std::borrow::Cow;

/// `(height, width, channels)`, channels 1 or 3, values in `[0, 1]`.
pub type Image = Array3<f32>;

/// The largest side an image may have, on input ([`from_rgba8`]) and as the output of [`geometric::resize`], whose
/// sizes are clamped to `1..=MAX_SIDE`. The page downscales its sources to 512 px, so this only stops runaway sizes.
pub const MAX_SIDE: usize = 4096;

/// RGBA bytes (ImageData order) to an RGB image. Alpha is composited onto white, `c' = a·c + (1 − a)`, so a
/// transparent PNG looks as it does on the page.
pub fn from_rgba8(rgba: &[u8], width: usize, height: usize) -> Result<Image> {
    if width == 0 || height == 0 {
        return Err(Error::invalid("image", format!("the image is empty ({width}×{height} pixels)")));
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Error::invalid(
            "image",
            format!("the image is {width}×{height} pixels; at most {MAX_SIDE} on each side"),
        ));
    }
    if rgba.len() != width * height * 4 {
        return Err(Error::invalid(
            "image",
            format!("expected {} RGBA bytes for {width}×{height} pixels, got {}", width * height * 4, rgba.len()),
        ));
    }
    let data = rgba
        .chunks_exact(4)
        .flat_map(|px| {
            let a = px[3] as f32 / 255.0;
            [0, 1, 2].map(|k| a * (px[k] as f32 / 255.0) + (1.0 - a))
        })
        .collect();
    Ok(Array3::from_shape_vec((height, width, 3), data).expect("length checked above"))
}

/// An image (1 or 3 channels; other counts use the first channel as grey) to opaque RGBA bytes.
pub fn to_rgba8(img: &Image) -> Vec<u8> {
    let (h, w, _) = img.dim();
    let mut out = vec![0u8; h * w * 4];
    to_rgba8_into(img, &mut out, w * 4);
    out
}

/// [`to_rgba8`] into rows of `out` that start `stride` bytes apart (a tile of a larger RGBA grid); `out` must hold
/// `(h − 1)·stride + 4·w` bytes. A value v becomes 255·clamp(v) rounded to nearest (ties to even), computed by adding
/// 1.5·2²³ so that the integer lands in the low mantissa bits: no float-to-integer conversion, which V8 compiles to
/// a slow checked sequence. The wasm SIMD kernel converts four RGB pixels per step and gives the same bytes.
pub fn to_rgba8_into(img: &Image, out: &mut [u8], stride: usize) {
    rgba_impl(img, out, stride, true)
}

/// [`to_rgba8_into`] without the SIMD kernel: its scalar twin, which native builds always run.
pub fn to_rgba8_into_scalar(img: &Image, out: &mut [u8], stride: usize) {
    rgba_impl(img, out, stride, false)
}

const ROUND_MAGIC: f32 = 12_582_912.0;

#[inline(always)]
fn byte(v: f32) -> u8 {
    (noise::clamp01(v) * 255.0 + ROUND_MAGIC).to_bits() as u8
}

#[cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(unused_variables))]
fn rgba_impl(img: &Image, out: &mut [u8], stride: usize, simd: bool) {
    let (h, w, c) = img.dim();
    if h == 0 || w == 0 {
        return;
    }
    assert!(stride >= 4 * w && out.len() >= (h - 1) * stride + 4 * w, "to_rgba8_into: output too small");
    let data = contiguous(img);
    let c = c.max(1);
    for (y, src) in data.chunks_exact(w * c).enumerate() {
        let dst = &mut out[y * stride..y * stride + 4 * w];
        if c == 3 {
            #[allow(unused_mut)]
            let mut done = 0;
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            if simd {
                done = simd_rgba::row3(src, dst);
            }
            for (o, px) in dst[4 * done..].chunks_exact_mut(4).zip(src[3 * done..].chunks_exact(3)) {
                o.copy_from_slice(&[byte(px[0]), byte(px[1]), byte(px[2]), 255]);
            }
        } else {
            for (o, px) in dst.chunks_exact_mut(4).zip(src.chunks_exact(c)) {
                let g = byte(px[0]);
                o.copy_from_slice(&[g, g, g, 255]);
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd_rgba {
    use super::ROUND_MAGIC;
    use core::arch::wasm32::*;

    /// Four RGB pixels (three `f32x4`) to four RGBA pixels (one `u8x16`) per step; returns how many pixels it did.
    #[inline]
    pub(super) fn row3(src: &[f32], dst: &mut [u8]) -> usize {
        let n = (src.len() / 3).min(dst.len() / 4) / 4 * 4;
        let (zero, one, scale, magic) =
            (f32x4_splat(0.0), f32x4_splat(1.0), f32x4_splat(255.0), f32x4_splat(ROUND_MAGIC));
        let alpha = u32x4_splat(0xFF00_0000);
        let conv = |v: v128| f32x4_add(f32x4_mul(f32x4_pmin(f32x4_pmax(v, zero), one), scale), magic);
        for (s, d) in src[..3 * n].chunks_exact(12).zip(dst[..4 * n].chunks_exact_mut(16)) {
            // SAFETY: `s` holds 12 f32 and `d` 16 bytes; unaligned v128 loads and stores are allowed.
            unsafe {
                let p = s.as_ptr();
                let a = conv(v128_load(p as *const v128));
                let b = conv(v128_load(p.add(4) as *const v128));
                let c = conv(v128_load(p.add(8) as *const v128));
                // Byte 0 of each lane is the value: a0 a1 a2 | a3 b0 b1 | b2 b3 c0 | c1 c2 c3.
                let ab = i8x16_shuffle::<0, 4, 8, 0, 12, 16, 20, 0, 24, 28, 0, 0, 0, 0, 0, 0>(a, b);
                let abc = i8x16_shuffle::<0, 1, 2, 0, 4, 5, 6, 0, 8, 9, 16, 0, 20, 24, 28, 0>(ab, c);
                v128_store(d.as_mut_ptr() as *mut v128, v128_or(abc, alpha));
            }
        }
        n
    }
}

/// The pixels in HWC order without copying when the array is already standard-layout.
pub(crate) fn contiguous(img: &Image) -> Cow<'_, [f32]> {
    match img.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(img.iter().copied().collect()),
    }
}

/// Wraps a buffer of `h·w·c` values as an image.
pub(crate) fn image(h: usize, w: usize, c: usize, data: Vec<f32>) -> Image {
    Array3::from_shape_vec((h, w, c), data).expect("buffer length is h·w·c")
}

/// The pixels as one mutable HWC slice, converting a non-standard layout first (images made here never are).
pub(crate) fn pixels_mut(img: &mut Image) -> &mut [f32] {
    if !img.is_standard_layout() {
        *img = img.as_standard_layout().into_owned();
    }
    img.as_slice_mut().unwrap_or(&mut [])
}
