//! Built-in sample images, drawn by code (no downloaded data), each chosen to teach one thing:
//! - `digit6`: a handwritten-looking 6, white on black like MNIST (1 channel). A vertical flip or a 180° rotation
//!   makes it a 9, so those augmentations change its label.
//! - `arrow`: the word RIGHT above an arrow pointing right (RGB). Mirroring changes what it says.
//! - `scene`: a house, a tree, the sun, sky and grass (RGB). Left–right flips are fine; upside down is unrealistic.
//! - `zoneplate`: rings whose frequency rises towards the corners (1 channel). Downsampling without antialiasing
//!   turns them into false rings (moiré).
//!
//! All are [`SIZE`]×[`SIZE`].

use super::Image;
use crate::error::{Error, Result};
use ndarray::Array3;

pub const SIZE: usize = 128;
pub const NAMES: [&str; 4] = ["digit6", "arrow", "scene", "zoneplate"];

pub fn by_name(name: &str) -> Result<Image> {
    match name {
        "digit6" => Ok(digit6()),
        "arrow" => Ok(arrow()),
        "scene" => Ok(scene()),
        "zoneplate" => Ok(zoneplate()),
        _ => Err(Error::invalid("sample", format!("unknown sample {name:?}; expected one of {}", NAMES.join(", ")))),
    }
}

/// Blends `color` over every pixel by the coverage (0..1) that `cover` gives at the pixel centre.
fn paint(img: &mut Image, color: &[f32], cover: impl Fn(f32, f32) -> f32) {
    for ((y, x, k), v) in img.indexed_iter_mut() {
        let a = cover(x as f32, y as f32).clamp(0.0, 1.0);
        *v += a * (color[k] - *v);
    }
}

/// The coverage of a shape given by an inside test, from 4×4 samples per pixel (smooth edges).
fn coverage(inside: impl Fn(f32, f32) -> bool) -> impl Fn(f32, f32) -> f32 {
    move |x, y| {
        let offsets = [-0.375, -0.125, 0.125, 0.375];
        let hits = offsets
            .iter()
            .flat_map(|dy| offsets.iter().map(move |dx| (dx, dy)))
            .filter(|(dx, dy)| inside(x + *dx, y + *dy));
        hits.count() as f32 / 16.0
    }
}

fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> impl Fn(f32, f32) -> f32 {
    coverage(move |x, y| (x0..x1).contains(&x) && (y0..y1).contains(&y))
}

fn disc(cx: f32, cy: f32, r: f32) -> impl Fn(f32, f32) -> f32 {
    move |x, y| r + 0.5 - ((x - cx).powi(2) + (y - cy).powi(2)).sqrt()
}

/// The triangle (a, b, c), any winding.
fn triangle(a: (f32, f32), b: (f32, f32), c: (f32, f32)) -> impl Fn(f32, f32) -> f32 {
    let side = |p: (f32, f32), q: (f32, f32), x: f32, y: f32| (q.0 - p.0) * (y - p.1) - (q.1 - p.1) * (x - p.0);
    coverage(move |x, y| {
        let s = [side(a, b, x, y), side(b, c, x, y), side(c, a, x, y)];
        s.iter().all(|v| *v >= 0.0) || s.iter().all(|v| *v <= 0.0)
    })
}

fn canvas(channels: usize, background: &[f32]) -> Image {
    Array3::from_shape_fn((SIZE, SIZE, channels), |(_, _, k)| background[k])
}

/// A pen stroke along a polyline: coverage falls off over one pixel at distance `radius`.
fn stroke(points: Vec<(f32, f32)>, radius: f32) -> impl Fn(f32, f32) -> f32 {
    move |x, y| {
        let d = points
            .windows(2)
            .map(|s| {
                let ((ax, ay), (bx, by)) = (s[0], s[1]);
                let (dx, dy) = (bx - ax, by - ay);
                let t = (((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy).max(1e-6)).clamp(0.0, 1.0);
                ((x - ax - t * dx).powi(2) + (y - ay - t * dy).powi(2)).sqrt()
            })
            .fold(f32::INFINITY, f32::min);
        radius + 0.5 - d
    }
}

fn digit6() -> Image {
    let mut img = canvas(1, &[0.0]);
    // The stem: a curve from the top right down to the left of the loop, then the loop around the bottom,
    // up the right side and back to the stem. A slight slant makes it look written.
    let mut path: Vec<(f32, f32)> = (0..=40)
        .map(|i| {
            let t = i as f32 / 40.0;
            let (p0, p1, p2) = ((86.0, 18.0), (46.0, 24.0), (40.0, 84.0));
            let u = 1.0 - t;
            (u * u * p0.0 + 2.0 * u * t * p1.0 + t * t * p2.0, u * u * p0.1 + 2.0 * u * t * p1.1 + t * t * p2.1)
        })
        .collect();
    let (cx, cy, rx, ry) = (63.0f32, 85.0f32, 23.0f32, 24.0f32);
    path.extend((0..=60).map(|i| {
        let theta = std::f32::consts::PI * (1.0 - 1.8 * i as f32 / 60.0);
        (cx + rx * theta.cos(), cy + ry * theta.sin())
    }));
    let slanted = path.into_iter().map(|(x, y)| (x + 0.12 * (85.0 - y), y)).collect();
    paint(&mut img, &[1.0], stroke(slanted, 5.0));
    img
}

/// 5×7 glyphs for the letters of RIGHT, one row per byte, bit 4 the leftmost column.
const GLYPHS: [[u8; 7]; 5] = [
    [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001], // R
    [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b11111], // I
    [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01110], // G
    [0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001], // H
    [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100], // T
];

fn arrow() -> Image {
    let mut img = canvas(3, &[1.0, 1.0, 1.0]);
    let (scale, left, top) = (3.0, 20.0, 20.0);
    let ink = [0.1, 0.15, 0.45];
    for (g, glyph) in GLYPHS.iter().enumerate() {
        let x0 = left + g as f32 * 6.0 * scale;
        paint(
            &mut img,
            &ink,
            coverage(move |x, y| {
                let (col, row) = (((x - x0) / scale).floor(), ((y - top) / scale).floor());
                (0.0..5.0).contains(&col)
                    && (0.0..7.0).contains(&row)
                    && glyph[row as usize] & (0b10000 >> col as u32) != 0
            }),
        );
    }
    let red = [0.85, 0.1, 0.1];
    paint(&mut img, &red, rect(20.0, 76.0, 86.0, 92.0));
    paint(&mut img, &red, triangle((86.0, 62.0), (86.0, 106.0), (110.0, 84.0)));
    img
}

fn scene() -> Image {
    let mut img = Array3::from_shape_fn((SIZE, SIZE, 3), |(y, _, k)| {
        let t = (y as f32 / 84.0).min(1.0);
        [0.35, 0.6, 0.95][k] + t * ([0.78, 0.9, 1.0][k] - [0.35, 0.6, 0.95][k])
    });
    paint(&mut img, &[1.0, 0.85, 0.2], disc(24.0, 22.0, 11.0));
    for (cx, cy, r) in [(86.0, 20.0, 7.0), (95.0, 17.0, 9.0), (105.0, 21.0, 7.0)] {
        paint(&mut img, &[1.0, 1.0, 1.0], disc(cx, cy, r));
    }
    paint(&mut img, &[0.25, 0.62, 0.2], rect(0.0, 84.0, 128.0, 128.0));
    paint(&mut img, &[0.18, 0.5, 0.15], rect(0.0, 112.0, 128.0, 128.0));
    paint(&mut img, &[0.45, 0.3, 0.15], rect(21.0, 66.0, 28.0, 96.0));
    paint(&mut img, &[0.15, 0.48, 0.15], disc(24.5, 58.0, 14.0));
    paint(&mut img, &[0.8, 0.32, 0.22], rect(58.0, 60.0, 102.0, 98.0));
    paint(&mut img, &[0.35, 0.2, 0.15], triangle((52.0, 61.0), (108.0, 61.0), (80.0, 36.0)));
    paint(&mut img, &[0.4, 0.25, 0.1], rect(74.0, 78.0, 86.0, 98.0));
    paint(&mut img, &[0.88, 0.94, 1.0], rect(63.0, 68.0, 71.0, 76.0));
    paint(&mut img, &[0.88, 0.94, 1.0], rect(90.0, 68.0, 98.0, 76.0));
    img
}

fn zoneplate() -> Image {
    // Phase k·r², local frequency k·r/π cycles per pixel: k puts the Nyquist limit (0.5) at the corners.
    let c = (SIZE as f32 - 1.0) / 2.0;
    let k = std::f32::consts::PI / (2.0 * c * std::f32::consts::SQRT_2);
    Array3::from_shape_fn((SIZE, SIZE, 1), |(y, x, _)| {
        let r2 = (x as f32 - c).powi(2) + (y as f32 - c).powi(2);
        0.5 + 0.5 * (k * r2).cos()
    })
}
