//! Image data sets for training: the real UCI digits, generated symbol sets with controllable domain shift, fixed
//! train/validation splits, and a seeded batcher that augments on the fly.
//!
//! # Layout
//! A [`Dataset`] holds `N` images of `C×H×W` values in `[0, 1]` (N×C×H×W f32, row-major, the engine's input layout)
//! and `N` labels `0..classes` (u32). Batches are written in the same layout into buffers the caller owns.
//!
//! # Sources
//! - [`digits`]: the UCI optical handwritten digits (1,797 8×8 images, 10 classes), shipped as `www/data/digits.bin`,
//!   parsed with validation ([`Digits::parse`]) and upsampled bilinearly to the model's input size
//!   ([`Digits::to_dataset`]).
//! - [`symbols`]: a generator of procedurally drawn symbols, deterministic from a seed, with knobs for the class set,
//!   the stroke style and the domain ([`SymbolConfig`]).
//! - [`images`]: a person's own pictures in 2 … 10 buckets, with limits and a message per bad bucket.
//!
//! # Splits and batches
//! - [`split`]: stratified, seeded, disjoint train/validation splits with a training size per class down to one
//!   example ([`Split::stratified`]); [`DIGITS_SPLIT`] is the fixed split of the digits.
//! - [`batch`]: [`Batcher`] shuffles per epoch and applies an augmentation [`Pipeline`](crate::augment::Pipeline)
//!   per image and per epoch, all seeded, into the caller's buffers; [`Dataset::gather`] is the un-augmented view
//!   (for accuracy on the training images).
//!
//! # Determinism
//! Every random draw comes from [`crate::rng`] with an explicit seed, each image from its own keyed stream
//! ([`crate::rng::derive`]), and the only transcendental functions are the `libm` crate's (pure Rust, the same bits
//! on every machine and on wasm), so a seed gives the same bytes everywhere.

pub mod batch;
pub mod digits;
pub mod images;
pub mod split;
pub mod symbols;

pub use batch::{Batch, Batcher, BatcherState};
pub use digits::Digits;
pub use split::{DIGITS_SPLIT, Split, SplitSpec};
pub use symbols::{Background, Knob, Shapes, StrokeStyle, SymbolConfig};

use crate::error::{Error, Result};

/// At most this many values (N·C·H·W) in one data set: 128 MiB of f32, e.g. 40,000 images of 28×28.
pub const MAX_VALUES: usize = 1 << 25;

/// At most this many classes in a data set (the generator's own limit is lower, see [`symbols::MAX_CLASSES`]).
pub const MAX_DATASET_CLASSES: usize = 1000;

/// Images with their labels, N×C×H×W f32 in `[0, 1]`, labels `0..classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    channels: usize,
    height: usize,
    width: usize,
    classes: usize,
    images: Vec<f32>,
    labels: Vec<u32>,
}

impl Dataset {
    /// Checks the shape, that every value is finite and in `[0, 1]` and every label below `classes`
    /// (param `data`; codes `empty`, `too_large`, `wrong_length`, `value_out_of_range`, `label_out_of_range`; param
    /// `classes`, code `out_of_range` above [`MAX_DATASET_CLASSES`]).
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        classes: usize,
        images: Vec<f32>,
        labels: Vec<u32>,
    ) -> Result<Dataset> {
        let example = channels * height * width;
        if example == 0 || classes == 0 || labels.is_empty() {
            return Err(Error::coded("data", "empty", "a data set needs at least one image, pixel and class")
                .with("channels", channels as f64)
                .with("height", height as f64)
                .with("width", width as f64)
                .with("classes", classes as f64)
                .with("images", labels.len() as f64));
        }
        crate::error::check_range("classes", classes as f64, 1.0, MAX_DATASET_CLASSES as f64)?;
        let total = labels.len().checked_mul(example).filter(|&t| t <= MAX_VALUES);
        let Some(total) = total else {
            return Err(Error::coded("data", "too_large", format!("at most {MAX_VALUES} values in a data set"))
                .with("max", MAX_VALUES as f64)
                .with("got", labels.len() as f64 * example as f64));
        };
        if images.len() != total {
            return Err(Error::coded(
                "data",
                "wrong_length",
                format!(
                    "{} images of {channels}×{height}×{width} need {total} values, got {}",
                    labels.len(),
                    images.len()
                ),
            )
            .with("expected", total as f64)
            .with("got", images.len() as f64));
        }
        if let Some(i) = images.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(Error::coded("data", "value_out_of_range", "pixel values must lie in [0, 1]")
                .with("index", i as f64)
                .with("got", images[i] as f64));
        }
        if let Some(i) = labels.iter().position(|&l| l as usize >= classes) {
            return Err(Error::coded("data", "label_out_of_range", format!("labels must be below {classes}"))
                .with("index", i as f64)
                .with("got", labels[i] as f64)
                .with("classes", classes as f64));
        }
        Ok(Dataset { channels, height, width, classes, images, labels })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Values per image, C·H·W.
    pub fn example_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// All images, N×C×H×W.
    pub fn images(&self) -> &[f32] {
        &self.images
    }

    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// Image `i` (C×H×W). Panics when `i >= len()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.example_len();
        &self.images[i * n..(i + 1) * n]
    }

    pub fn label(&self, i: usize) -> u32 {
        self.labels[i]
    }

    /// How many images each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// The images at `indices`, in that order, as a new data set (e.g. a split's training part).
    pub fn subset(&self, indices: &[usize]) -> Result<Dataset> {
        let mut images = vec![0.0; indices.len() * self.example_len()];
        let mut labels = vec![0; indices.len()];
        self.gather(indices, &mut images, &mut labels)?;
        Dataset::new(self.channels, self.height, self.width, self.classes, images, labels)
    }

    /// Copies the images at `indices` into `x` (N×C×H×W, N = `indices.len()`) and their labels into `y`, without
    /// augmentation: the view for evaluation. `x` and `y` may be longer; only the first N entries are written
    /// (param `batch`; codes `buffer_too_small`, `index_out_of_range`).
    pub fn gather(&self, indices: &[usize], x: &mut [f32], y: &mut [u32]) -> Result<()> {
        self.check_buffers(indices.len(), x, y)?;
        self.check_indices(indices)?;
        let n = self.example_len();
        for ((&i, dst), label) in indices.iter().zip(x.chunks_exact_mut(n)).zip(y.iter_mut()) {
            dst.copy_from_slice(self.image(i));
            *label = self.labels[i];
        }
        Ok(())
    }

    pub(crate) fn check_buffers(&self, count: usize, x: &[f32], y: &[u32]) -> Result<()> {
        let need = count * self.example_len();
        if x.len() < need || y.len() < count {
            return Err(Error::coded(
                "batch",
                "buffer_too_small",
                format!("{count} images need {need} values and {count} labels; got {} and {}", x.len(), y.len()),
            )
            .with("values", need as f64)
            .with("labels", count as f64)
            .with("got_values", x.len() as f64)
            .with("got_labels", y.len() as f64));
        }
        Ok(())
    }

    pub(crate) fn check_indices(&self, indices: &[usize]) -> Result<()> {
        match indices.iter().find(|&&i| i >= self.len()) {
            Some(&i) => Err(Error::coded(
                "batch",
                "index_out_of_range",
                format!("image {i} does not exist; the data set has {}", self.len()),
            )
            .with("got", i as f64)
            .with("len", self.len() as f64)),
            None => Ok(()),
        }
    }
}
