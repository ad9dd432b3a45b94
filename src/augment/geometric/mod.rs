//! Shift, crop, flip, rotation and resize. As in imageproc: `Interpolation` and `Border` enums, arguments in the order
//! image → geometry → policy, and every point-sampling warp goes through [`warp`], which maps each output pixel back to
//! a source position (inverse mapping, so every output pixel gets exactly one value and no holes appear).
//!
//! Coordinates are pixel indices: the centre of pixel (row y, column x) is at (x, y), so the image centre is
//! ((W − 1)/2, (H − 1)/2) and a 90° rotation of a square maps pixels exactly onto pixels.
//!
//! Four ideas, one file each: this module's vocabulary (interpolation, border, the affine map) and the operations
//! built from it; [`warp`] (the inverse-mapping routine and its SIMD kernel); [`resize`] (separable filters: taps,
//! antialiasing, area); [`draws`] (torchvision's random parameter draws).

use super::noise::clamp01;
use super::{Image, MAX_SIDE, contiguous, image, pixels_mut};
use crate::error::{Error, Result};
use crate::rng::Rng;
use rand::RngExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// The nearest source pixel (torchvision `NEAREST_EXACT`: pixel centres aligned).
    Nearest,
    /// Linear in x and y between the four nearest pixels.
    Bilinear,
    /// Each output pixel is the average of the source area it covers (OpenCV `INTER_AREA`); only [`resize`] uses a
    /// footprint, [`warp`] treats it as bilinear.
    Area,
}

impl Interpolation {
    pub const ALL: [Interpolation; 3] = [Interpolation::Nearest, Interpolation::Bilinear, Interpolation::Area];

    pub fn name(self) -> &'static str {
        match self {
            Interpolation::Nearest => "nearest",
            Interpolation::Bilinear => "bilinear",
            Interpolation::Area => "area",
        }
    }

    pub fn parse(s: &str) -> Result<Interpolation> {
        Interpolation::ALL.into_iter().find(|i| i.name() == s).ok_or_else(|| {
            Error::invalid("interp", format!("unknown interpolation {s:?}; expected nearest, bilinear or area"))
        })
    }
}

/// What a source position outside the image reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Border {
    /// A constant grey level in `[0, 1]` for every channel.
    Constant(f32),
    /// Mirror without repeating the edge pixel (torchvision `reflect`, OpenCV `BORDER_REFLECT_101`): …c b | a b c | b a…
    Reflect,
    /// Repeat the edge pixel (torchvision `edge`, OpenCV `BORDER_REPLICATE`).
    Edge,
}

impl Border {
    pub const NAMES: [&'static str; 3] = ["constant", "reflect", "edge"];

    pub fn name(self) -> &'static str {
        match self {
            Border::Constant(_) => "constant",
            Border::Reflect => "reflect",
            Border::Edge => "edge",
        }
    }

    /// `fill` is used by `constant` only.
    pub fn parse(s: &str, fill: f32) -> Result<Border> {
        match s {
            "constant" => Ok(Border::Constant(fill)),
            "reflect" => Ok(Border::Reflect),
            "edge" => Ok(Border::Edge),
            _ => Err(Error::invalid("border", format!("unknown border {s:?}; expected constant, reflect or edge"))),
        }
    }

    /// The in-range index that position `i` reads on an axis of length `n ≥ 1`, or `None` for the constant.
    #[inline]
    fn index(self, i: i64, n: usize) -> Option<usize> {
        let n = n as i64;
        if (0..n).contains(&i) {
            return Some(i as usize);
        }
        match self {
            Border::Constant(_) => None,
            Border::Edge => Some(i.clamp(0, n - 1) as usize),
            Border::Reflect if n == 1 => Some(0),
            Border::Reflect => {
                let period = 2 * (n - 1);
                let m = i.rem_euclid(period);
                Some((if m < n { m } else { period - m }) as usize)
            }
        }
    }

    fn fill(self) -> f32 {
        match self {
            Border::Constant(v) => v,
            _ => 0.0,
        }
    }
}

/// An inverse map from output pixel (x, y) to source position: `sx = m[0]·x + m[1]·y + m[2]`,
/// `sy = m[3]·x + m[4]·y + m[5]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub m: [f64; 6],
}

impl Affine {
    pub const IDENTITY: Affine = Affine { m: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0] };

    /// Content moves by (tx, ty) pixels: output (x, y) reads source (x − tx, y − ty).
    pub fn translate(tx: f64, ty: f64) -> Affine {
        Affine { m: [1.0, 0.0, -tx, 0.0, 1.0, -ty] }
    }

    /// Mirror left–right on a canvas `width` wide.
    pub fn hflip(width: usize) -> Affine {
        Affine { m: [-1.0, 0.0, width as f64 - 1.0, 0.0, 1.0, 0.0] }
    }

    /// Mirror top–bottom on a canvas `height` high.
    pub fn vflip(height: usize) -> Affine {
        Affine { m: [1.0, 0.0, 0.0, 0.0, -1.0, height as f64 - 1.0] }
    }

    /// Rotation by `deg` counter-clockwise (as torchvision, with y pointing down) about the centre of an
    /// `height`×`width` canvas. Multiples of 90° use exact sines so that pixels map exactly onto pixels.
    pub fn rotate(deg: f64, height: usize, width: usize) -> Affine {
        let quarter = deg / 90.0;
        let (sin, cos) = if quarter == quarter.round() {
            [(0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0)][(quarter as i64).rem_euclid(4) as usize]
        } else {
            deg.to_radians().sin_cos()
        };
        let (cx, cy) = ((width as f64 - 1.0) / 2.0, (height as f64 - 1.0) / 2.0);
        // Output offset (u, v) from the centre reads source offset (cos·u − sin·v, sin·u + cos·v).
        Affine { m: [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy] }
    }
}

mod draws;
mod resize;
mod warp;

pub(crate) use draws::uniform;
pub use draws::{crop_params, resized_crop_params, translate_params};
use resize::resize_window;
pub use resize::{resize, resized_crop};
pub use warp::{warp, warp_into, warp_into_scalar};

/// Same-size warp, the common case.
fn warp_same(img: &Image, map: &Affine, interp: Interpolation, border: Border) -> Image {
    let (h, w, _) = img.dim();
    warp(img, map, h, w, interp, border)
}

pub fn hflip(img: &Image) -> Image {
    warp_same(img, &Affine::hflip(img.dim().1), Interpolation::Nearest, Border::Edge)
}

pub fn vflip(img: &Image) -> Image {
    warp_same(img, &Affine::vflip(img.dim().0), Interpolation::Nearest, Border::Edge)
}

/// Moves the content by (tx, ty) pixels; uncovered pixels come from `border`.
pub fn translate(img: &Image, tx: f64, ty: f64, interp: Interpolation, border: Border) -> Image {
    warp_same(img, &Affine::translate(tx, ty), interp, border)
}

/// Rotates counter-clockwise by `deg` about the centre, keeping the canvas (torchvision `expand=False`).
pub fn rotate(img: &Image, deg: f64, interp: Interpolation, border: Border) -> Image {
    let (h, w, _) = img.dim();
    warp_same(img, &Affine::rotate(deg, h, w), interp, border)
}

/// The `out_h`×`out_w` window whose top-left corner is at source (top, left), which may lie outside the image.
pub fn crop(img: &Image, top: i64, left: i64, out_h: usize, out_w: usize, border: Border) -> Image {
    warp(img, &Affine::translate(-left as f64, -top as f64), out_h, out_w, Interpolation::Nearest, border)
}

/// Scales the content by `factor` about the centre on the same canvas: a larger picture is cropped to its centre,
/// a smaller one is padded with `fill`. The output size of the intermediate picture is clamped like [`resize`].
pub fn zoom(img: &Image, factor: f64, interp: Interpolation, antialias: bool, fill: f32) -> Image {
    let (h, w, _) = img.dim();
    if factor >= 1.0 {
        // Only the central window of size (h, w)/factor is visible: resample just that.
        let (wh, ww) = (h as f64 / factor, w as f64 / factor);
        let window = ((h as f64 - wh) / 2.0, (w as f64 - ww) / 2.0, wh, ww);
        return resize_window(img, window, h, w, interp, antialias);
    }
    let sh = ((h as f64 * factor).round() as usize).max(1);
    let sw = ((w as f64 * factor).round() as usize).max(1);
    let small = resize(img, sh, sw, interp, antialias);
    let top = -((h as i64 - sh as i64).div_euclid(2));
    let left = -((w as i64 - sw as i64).div_euclid(2));
    crop(&small, top, left, h, w, Border::Constant(fill))
}
