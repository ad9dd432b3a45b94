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
//! by `_`. An argument is a parameter name immediately followed by its value (`deg30`, `p0.8`, `sigma0.05`), or an
//! option word (`bilinear`, `reflect`). Only letters, digits and `. _ ~ ( )` occur, which `encodeURIComponent`
//! leaves as they are, so the hash stays readable. Defaults are omitted when serialising.
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
        return Err(Error::invalid(
            "image",
            format!("the image is empty ({width}×{height} pixels)"),
        ));
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
            format!(
                "expected {} RGBA bytes for {width}×{height} pixels, got {}",
                width * height * 4,
                rgba.len()
            ),
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
    let c = img.dim().2;
    let data = contiguous(img);
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut out = Vec::with_capacity(data.len() / c.max(1) * 4);
    for px in data.chunks_exact(c.max(1)) {
        let rgb = if c == 3 { [px[0], px[1], px[2]] } else { [px[0]; 3] };
        out.extend(rgb.map(byte));
        out.push(255);
    }
    out
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
