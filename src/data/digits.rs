//! The UCI optical handwritten digits (Alpaydin & Kaynak), as scikit-learn ships them: 1,797 images of 8×8 pixels
//! with values 0..=16, 10 classes. Source, licence (CC BY 4.0) and the caveat about writers: `www/data/README.md`.
//!
//! # File format (`www/data/digits.bin`, written by `tools/extract_digits.py`, all integers little-endian)
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 4 | magic `DIGT` |
//! | 4 | 1 | format version, 1 |
//! | 5 | 1 | image height H (8) |
//! | 6 | 1 | image width W (8) |
//! | 7 | 1 | largest pixel value (16) |
//! | 8 | 2 | number of images N (1797), u16 |
//! | 10 | 1 | number of classes (10) |
//! | 11 | 1 | reserved, 0 |
//! | 12 | 4 | FNV-1a 32-bit hash of every byte after the header, u32 |
//! | 16 | N·H·W | pixels, one byte each, image after image, rows top to bottom, 0 = background |
//! | 16 + N·H·W | N | labels, one byte each |
//!
//! # Upsampling
//! [`Digits::to_dataset`] maps output pixel (i, j) of an `height×width` image to the source point
//! `y = (i + ½)·8/height − ½`, `x = (j + ½)·8/width − ½` (pixel centres aligned, clamped to the image) and
//! interpolates bilinearly between the four nearest source pixels, then divides by 16 so values lie in `[0, 1]`.
//! That is PyTorch's `F.interpolate(x / 16, size=(height, width), mode="bilinear", align_corners=False)` on the
//! 8×8 image (no antialiasing; upsampling needs none). 8×8 → 28×28 by default ([`DEFAULT_SIDE`]).

use super::Dataset;
use crate::error::{Error, Result};

/// The shipped file, compiled in for native tests and tools. The page fetches `data/digits.bin` and hands the
/// bytes to [`Digits::parse`] instead, so the wasm module does not carry them (unused, this is dropped at link time).
pub const DIGITS_BIN: &[u8] = include_bytes!("../../www/data/digits.bin");

/// The input side the digits are upsampled to by default (the default net's input, 28×28).
pub const DEFAULT_SIDE: usize = 28;

/// The largest output side [`Digits::to_dataset`] accepts.
pub const MAX_SIDE: usize = 256;

const MAGIC: &[u8; 4] = b"DIGT";
const VERSION: u8 = 1;
const HEADER: usize = 16;

/// Parsed digits: `pixels` holds N·H·W bytes in `0..=max_value`, `labels` N bytes in `0..classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    height: usize,
    width: usize,
    max_value: u8,
    classes: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

/// FNV-1a, 32 bits (the file's checksum).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811C_9DC5u32, |h, &b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

fn corrupt(code: &'static str, message: String) -> Error {
    Error::coded("data", code, format!("the digits file is not valid: {message}"))
}

impl Digits {
    /// Parses and validates the file format above; never panics. Errors have param `data` and the codes
    /// `truncated`, `bad_magic`, `unsupported_version`, `bad_header`, `wrong_length`, `checksum`,
    /// `pixel_out_of_range`, `label_out_of_range`.
    pub fn parse(bytes: &[u8]) -> Result<Digits> {
        let Some(header) = bytes.get(..HEADER) else {
            return Err(corrupt("truncated", format!("{} bytes, shorter than the {HEADER}-byte header", bytes.len()))
                .with("got", bytes.len() as f64)
                .with("min", HEADER as f64));
        };
        if &header[..4] != MAGIC {
            return Err(corrupt("bad_magic", "it does not start with DIGT".into()));
        }
        if header[4] != VERSION {
            return Err(corrupt("unsupported_version", format!("version {}, expected {VERSION}", header[4]))
                .with("got", header[4] as f64)
                .with("expected", VERSION as f64));
        }
        let (height, width, max_value) = (header[5] as usize, header[6] as usize, header[7]);
        let count = u16::from_le_bytes([header[8], header[9]]) as usize;
        let classes = header[10] as usize;
        if height == 0 || width == 0 || max_value == 0 || count == 0 || classes == 0 || header[11] != 0 {
            return Err(corrupt(
                "bad_header",
                format!(
                    "{count} images of {height}×{width}, values up to {max_value}, {classes} classes, reserved byte {}",
                    header[11]
                ),
            ));
        }
        let expected = HEADER + count * (height * width + 1);
        if bytes.len() != expected {
            let code = if bytes.len() < expected { "truncated" } else { "wrong_length" };
            return Err(corrupt(code, format!("{} bytes, expected {expected}", bytes.len()))
                .with("got", bytes.len() as f64)
                .with("expected", expected as f64));
        }
        let body = &bytes[HEADER..];
        let stored = u32::from_le_bytes([header[12], header[13], header[14], header[15]]);
        let actual = fnv1a32(body);
        if stored != actual {
            return Err(corrupt("checksum", format!("checksum {actual:08x}, the header says {stored:08x}"))
                .with("got", actual as f64)
                .with("expected", stored as f64));
        }
        let (pixels, labels) = body.split_at(count * height * width);
        if let Some(i) = pixels.iter().position(|&p| p > max_value) {
            return Err(corrupt("pixel_out_of_range", format!("pixel {i} is {}, above {max_value}", pixels[i]))
                .with("index", i as f64)
                .with("got", pixels[i] as f64)
                .with("max", max_value as f64));
        }
        if let Some(i) = labels.iter().position(|&l| l as usize >= classes) {
            return Err(corrupt("label_out_of_range", format!("label {i} is {}, not below {classes}", labels[i]))
                .with("index", i as f64)
                .with("got", labels[i] as f64)
                .with("classes", classes as f64));
        }
        Ok(Digits { height, width, max_value, classes, pixels: pixels.to_vec(), labels: labels.to_vec() })
    }

    /// The shipped file ([`DIGITS_BIN`]), parsed; its validity is checked by the tests.
    pub fn embedded() -> Digits {
        Digits::parse(DIGITS_BIN).expect("the shipped digits file is valid")
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn max_value(&self) -> u8 {
        self.max_value
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Image `i`'s raw pixels (H·W bytes, rows top to bottom). Panics when `i >= len()`.
    pub fn pixels(&self, i: usize) -> &[u8] {
        let n = self.height * self.width;
        &self.pixels[i * n..(i + 1) * n]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// One-channel images of `height×width` (each `1..=`[`MAX_SIDE`]), upsampled as the module docs say, values
    /// `pixel / max_value` in `[0, 1]` (param `size`, codes `out_of_range`, and `too_large` past
    /// [`MAX_VALUES`](super::MAX_VALUES) values in all).
    pub fn to_dataset(&self, height: usize, width: usize) -> Result<Dataset> {
        for side in [height, width] {
            if !(1..=MAX_SIDE).contains(&side) {
                return Err(Error::coded(
                    "size",
                    "out_of_range",
                    format!("the side must be 1 … {MAX_SIDE}, got {side}"),
                )
                .with("min", 1.0)
                .with("max", MAX_SIDE as f64)
                .with("got", side as f64));
            }
        }
        let values = self.len() as u64 * height as u64 * width as u64;
        if values > super::MAX_VALUES as u64 {
            return Err(Error::coded(
                "size",
                "too_large",
                format!("{} images of {height}×{width} are {values} values; at most {}", self.len(), super::MAX_VALUES),
            )
            .with("max", super::MAX_VALUES as f64)
            .with("got", values as f64));
        }
        let upsample = Upsample::new(self.height, self.width, self.max_value, height, width);
        let mut images = Vec::with_capacity(self.len() * height * width);
        for i in 0..self.len() {
            upsample.push(self.pixels(i), &mut images);
        }
        let labels = self.labels.iter().map(|&l| l as u32).collect();
        Dataset::new(1, height, width, self.classes, images, labels)
    }
}

/// The model's preprocessing of one raw digit: `src_h×src_w` pixels valued `0..=max_value` upsampled bilinearly to
/// `height×width` and divided by `max_value` (module docs, "Upsampling"). [`Digits::to_dataset`] runs it on every
/// image of the file, and a drawn digit (`crate::draw`) goes through the same code.
#[derive(Debug, Clone)]
pub struct Upsample {
    src_w: usize,
    rows: Vec<(usize, usize, f32)>,
    cols: Vec<(usize, usize, f32)>,
    scale: f32,
}

impl Upsample {
    /// Sides must be at least 1 and `max_value` positive (the callers check them).
    pub fn new(src_h: usize, src_w: usize, max_value: u8, height: usize, width: usize) -> Upsample {
        Upsample {
            src_w,
            rows: axis_taps(src_h, height),
            cols: axis_taps(src_w, width),
            scale: 1.0 / max_value.max(1) as f32,
        }
    }

    /// Appends the upsampled image of `src` (`src_h·src_w` bytes, rows top to bottom) to `out`, values in `[0, 1]`.
    pub fn push(&self, src: &[u8], out: &mut Vec<f32>) {
        let at = |y: usize, x: usize| src[y * self.src_w + x] as f32;
        for &(y0, y1, fy) in &self.rows {
            for &(x0, x1, fx) in &self.cols {
                let top = at(y0, x0) + fx * (at(y0, x1) - at(y0, x0));
                let bottom = at(y1, x0) + fx * (at(y1, x1) - at(y1, x0));
                out.push(((top + fy * (bottom - top)) * self.scale).clamp(0.0, 1.0));
            }
        }
    }
}

/// For each output index along one axis: the two source indices and the weight of the second (half-pixel centres,
/// clamped at the borders as PyTorch's `align_corners=False`).
fn axis_taps(src: usize, dst: usize) -> Vec<(usize, usize, f32)> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|i| {
            let pos = ((i as f64 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (pos.floor() as usize).min(src - 1);
            let i1 = (i0 + 1).min(src - 1);
            (i0, i1, (pos - i0 as f64) as f32)
        })
        .collect()
}
