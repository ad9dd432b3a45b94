//! Fixed train/validation splits: stratified per class, seeded, disjoint.
//!
//! For each class k (in order 0, 1, …) with n_k images: list its image indices in ascending order, shuffle them with
//! `rng::shuffle` on `seeded(derive(seed, [k]))`, put the first `v_k = floor(val_fraction·n_k + ½)` (clamped to
//! 1 … n_k − 1) into validation and the next `min(train_per_class, n_k − v_k)` into training. The validation part does
//! not depend on `train_per_class`, so runs with smaller training sets are measured on the same images. Both lists
//! come back sorted ascending. `bench/digits_baselines.py` reimplements this and checks it by [`Split::fingerprint`].
//!
//! The digits use [`DIGITS_SPLIT`]: a quarter per class for validation (451 images), the other 1,346 for training
//! (130 to 137 per class). The shipped digits are the UCI *test* set, 13 writers without writer ids, so any random
//! split puts most writers on both sides: validation accuracy measures new examples of known writers, not new writers.

use crate::error::{Error, Result};
use crate::rng;

/// How to split: the fraction of each class held out for validation (0.05 … 0.95), how many of the rest to train
/// on per class (`None`: all; `Some(n)`, n ≥ 1, down to a handful), and the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitSpec {
    pub val_fraction: f64,
    pub train_per_class: Option<usize>,
    pub seed: u64,
}

/// The digits' fixed split (see the module docs).
pub const DIGITS_SPLIT: SplitSpec = SplitSpec { val_fraction: 0.25, train_per_class: None, seed: 0 };

impl Default for SplitSpec {
    fn default() -> Self {
        DIGITS_SPLIT
    }
}

/// Indices into a data set, each list sorted ascending, disjoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
}

impl Split {
    /// Splits images with `labels` (each below `classes`) as the module docs say. Errors: param `val`
    /// (`out_of_range`), `per_class` (`out_of_range` for 0), `data` (`too_few_examples`: a class with fewer than
    /// two images cannot be on both sides; `label_out_of_range`), `classes` (`out_of_range`: 1 …
    /// [`MAX_DATASET_CLASSES`](super::MAX_DATASET_CLASSES)).
    pub fn stratified(labels: &[u32], classes: usize, spec: &SplitSpec) -> Result<Split> {
        crate::error::check_range("val", spec.val_fraction, 0.05, 0.95)?;
        if spec.train_per_class == Some(0) {
            return Err(Error::coded("per_class", "out_of_range", "train on at least one image per class")
                .with("min", 1.0)
                .with("got", 0.0));
        }
        crate::error::check_range("classes", classes as f64, 1.0, super::MAX_DATASET_CLASSES as f64)?;
        let mut by_class = vec![Vec::new(); classes];
        for (i, &l) in labels.iter().enumerate() {
            let Some(list) = by_class.get_mut(l as usize) else {
                return Err(Error::coded("data", "label_out_of_range", format!("labels must be below {classes}"))
                    .with("index", i as f64)
                    .with("got", l as f64)
                    .with("classes", classes as f64));
            };
            list.push(i);
        }
        let (mut train, mut val) = (Vec::new(), Vec::new());
        for (k, mut members) in by_class.into_iter().enumerate() {
            let n = members.len();
            if n < 2 {
                return Err(Error::coded(
                    "data",
                    "too_few_examples",
                    format!("class {k} has {n} images; a split needs at least 2 per class"),
                )
                .with("class", k as f64)
                .with("got", n as f64)
                .with("min", 2.0));
            }
            rng::shuffle(&mut rng::seeded(rng::derive(spec.seed, &[k as u64])), &mut members);
            let n_val = ((spec.val_fraction * n as f64 + 0.5).floor() as usize).clamp(1, n - 1);
            let n_train = spec.train_per_class.unwrap_or(usize::MAX).min(n - n_val);
            val.extend_from_slice(&members[..n_val]);
            train.extend_from_slice(&members[n_val..n_val + n_train]);
        }
        train.sort_unstable();
        val.sort_unstable();
        Ok(Split { train, val })
    }

    /// FNV-1a (32 bits) over the training indices as u32 little-endian, then 0xFFFFFFFF, then the validation
    /// indices: one number to compare a split with its reimplementation in another language.
    pub fn fingerprint(&self) -> u32 {
        let words = self.train.iter().map(|&i| i as u32).chain([u32::MAX]).chain(self.val.iter().map(|&i| i as u32));
        let bytes: Vec<u8> = words.flat_map(u32::to_le_bytes).collect();
        super::digits::fnv1a32(&bytes)
    }
}
