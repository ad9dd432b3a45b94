//! A person's own images as a data set: 2 … [`MAX_CLASSES`] buckets of pictures (uploaded, dropped or drawn, already
//! resized by the page to one C×H×W size and scaled to `[0, 1]`), checked so that a bad bucket gets a message of its
//! own instead of a failed run.
//!
//! # Limits (each error names the bucket; param `images`)
//! | what | limit | code |
//! | --- | --- | --- |
//! | classes | 2 … [`MAX_CLASSES`] | `out_of_range` (param `classes`) |
//! | images in all | at most [`MAX_IMAGES`] | `too_many_images` |
//! | images per class | at least [`MIN_PER_CLASS`] (one to train on, one to validate) | `empty_class`, `too_few_images` |
//! | balance | the largest class at most [`MAX_IMBALANCE`] × the smallest | `unbalanced` |
//! | size | channels 1 … 4, sides [`MIN_SIDE`] … [`MAX_SIDE`] | `out_of_range` (params `channels`, `height`, `width`) |
//! | values | finite, in `[0, 1]`; labels below `classes` | `value_out_of_range`, `label_out_of_range` (param `data`) |

use super::Dataset;
use crate::error::{Error, Result, check_range};

pub const MAX_CLASSES: usize = 10;
pub const MAX_IMAGES: usize = 500;
pub const MIN_PER_CLASS: usize = 2;
pub const MAX_IMBALANCE: usize = 4;
pub const MIN_SIDE: usize = 8;
pub const MAX_SIDE: usize = 128;
pub const MAX_CHANNELS: usize = 4;

const PARAM: &str = "images";

/// The images (N×C×H×W) with their labels as a data set, after the checks of the module docs.
pub fn from_images(
    channels: usize,
    height: usize,
    width: usize,
    classes: usize,
    images: Vec<f32>,
    labels: Vec<u32>,
) -> Result<Dataset> {
    check_range("classes", classes as f64, 2.0, MAX_CLASSES as f64)?;
    check_range("channels", channels as f64, 1.0, MAX_CHANNELS as f64)?;
    check_range("height", height as f64, MIN_SIDE as f64, MAX_SIDE as f64)?;
    check_range("width", width as f64, MIN_SIDE as f64, MAX_SIDE as f64)?;
    if labels.len() > MAX_IMAGES {
        return Err(Error::coded(
            PARAM,
            "too_many_images",
            format!("at most {MAX_IMAGES} images, got {}", labels.len()),
        )
        .with("max", MAX_IMAGES as f64)
        .with("got", labels.len() as f64));
    }
    if let Some(i) = labels.iter().position(|&l| l as usize >= classes) {
        return Err(Error::coded("data", "label_out_of_range", format!("labels must be below {classes}"))
            .with("index", i as f64)
            .with("got", labels[i] as f64)
            .with("classes", classes as f64));
    }
    let mut counts = vec![0usize; classes];
    for &l in &labels {
        counts[l as usize] += 1;
    }
    for (class, &count) in counts.iter().enumerate() {
        if count == 0 {
            return Err(Error::coded(PARAM, "empty_class", format!("class {} has no images", class + 1))
                .with("class", class as f64)
                .with("min", MIN_PER_CLASS as f64));
        }
        if count < MIN_PER_CLASS {
            return Err(Error::coded(
                PARAM,
                "too_few_images",
                format!("class {} has {count} image; each needs at least {MIN_PER_CLASS}", class + 1),
            )
            .with("class", class as f64)
            .with("got", count as f64)
            .with("min", MIN_PER_CLASS as f64));
        }
    }
    let (small, large) = (counts.iter().min().copied().unwrap_or(0), counts.iter().max().copied().unwrap_or(0));
    if large > MAX_IMBALANCE * small {
        let smallest = counts.iter().position(|&c| c == small).unwrap_or(0);
        let largest = counts.iter().position(|&c| c == large).unwrap_or(0);
        return Err(Error::coded(
            PARAM,
            "unbalanced",
            format!(
                "class {} has {large} images and class {} only {small}; the largest may have at most {MAX_IMBALANCE}× \
                 the smallest",
                largest + 1,
                smallest + 1
            ),
        )
        .with("class", smallest as f64)
        .with("got", small as f64)
        .with("largest", large as f64)
        .with("max_ratio", MAX_IMBALANCE as f64));
    }
    Dataset::new(channels, height, width, classes, images, labels)
}
