//! Training batches: a seeded shuffle per epoch, and an augmentation pipeline applied on the fly to every image.
//!
//! A [`Batcher`] draws from a pool of image indices (usually a split's training part). Epoch e visits the pool in
//! the order `rng::shuffle` gives on `seeded(derive(seed, [0, e]))`, `batch_size` images at a time; the last batch
//! of an epoch may be shorter (batches never straddle epochs). Image i in epoch e is augmented with its own stream,
//! `seeded(derive(seed, [1, e, i]))`, so its augmentation depends on the seed, the epoch and the image only, not on
//! the batch size or on what came before it. Restoring a [`BatcherState`] therefore continues exactly.
//!
//! Batches are written as N×C×H×W f32 and N u32 labels into buffers the caller owns; the batcher keeps its
//! working images between calls, so after the first batch it allocates nothing of its own (the augmentation steps
//! still allocate a few bytes to report what they drew, and the resize steps a new image). The un-augmented view,
//! for measuring accuracy on the training images, is [`Dataset::gather`](super::Dataset::gather).

use super::Dataset;
use crate::augment::{self, Image, Pipeline};
use crate::error::{Error, Result};
use crate::rng;

/// The largest batch.
pub const MAX_BATCH: usize = 4096;

/// Where a batcher is: the epoch and the position inside that epoch's order (a multiple of the batch size, or
/// the pool size when the epoch is finished).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatcherState {
    pub epoch: u64,
    pub position: usize,
}

/// What [`Batcher::next_batch`] wrote: `len` images (≤ the batch size) from `epoch`, starting at `position` of its
/// order; `epoch_end` when this batch finished the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub len: usize,
    pub epoch: u64,
    pub position: usize,
    pub epoch_end: bool,
}

/// Seeded, augmenting batches from a pool of images of one data set.
#[derive(Debug, Clone)]
pub struct Batcher {
    pool: Vec<usize>,
    batch_size: usize,
    pipeline: Pipeline,
    seed: u64,
    /// (images, channels, height, width) of the data set, checked on every call.
    shape: (usize, usize, usize, usize),
    state: BatcherState,
    order: Vec<usize>,
    order_epoch: Option<u64>,
    source: Image,
    out: Image,
    scratch: Image,
}

impl Batcher {
    /// A batcher over `pool` (indices into `data`; repeats allowed) in batches of `batch_size` (1 …
    /// [`MAX_BATCH`]) with `pipeline` (empty: no augmentation). Errors: param `batch` (`out_of_range`,
    /// `index_out_of_range`), `data` (`empty`: an empty pool).
    pub fn new(data: &Dataset, pool: &[usize], batch_size: usize, pipeline: Pipeline, seed: u64) -> Result<Batcher> {
        crate::error::check_range("batch", batch_size as f64, 1.0, MAX_BATCH as f64)?;
        if pool.is_empty() {
            return Err(Error::coded("data", "empty", "there are no images to draw batches from").with("images", 0.0));
        }
        data.check_indices(pool)?;
        let (c, h, w) = (data.channels(), data.height(), data.width());
        Ok(Batcher {
            pool: pool.to_vec(),
            batch_size,
            pipeline,
            seed,
            shape: (data.len(), c, h, w),
            state: BatcherState::default(),
            order: Vec::with_capacity(pool.len()),
            order_epoch: None,
            source: Image::zeros((h, w, c)),
            out: Image::zeros((h, w, c)),
            scratch: Image::zeros((h, w, c)),
        })
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Images per epoch.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }

    /// Batches per epoch (the last may be short).
    pub fn batches_per_epoch(&self) -> usize {
        self.pool.len().div_ceil(self.batch_size)
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    pub fn state(&self) -> BatcherState {
        self.state
    }

    /// Continues from a saved state (param `batch`, code `out_of_range` for a position past the pool).
    pub fn set_state(&mut self, state: BatcherState) -> Result<()> {
        crate::error::check_range("batch", state.position as f64, 0.0, self.pool.len() as f64)?;
        self.state = state;
        Ok(())
    }

    /// The order in which epoch `epoch` visits the pool (indices into the data set).
    pub fn epoch_order(&self, epoch: u64) -> Vec<usize> {
        let mut order = self.pool.clone();
        rng::shuffle(&mut rng::seeded(rng::derive(self.seed, &[0, epoch])), &mut order);
        order
    }

    /// Writes the next batch into `x` (at least batch size × C·H·W values) and `y` (at least batch size labels) and
    /// moves on. `data` must be the data set the batcher was made for (same size and shape). Errors: param `batch`
    /// (`buffer_too_small`), `data` (`wrong_dataset`).
    pub fn next_batch(&mut self, data: &Dataset, x: &mut [f32], y: &mut [u32]) -> Result<Batch> {
        let shape = (data.len(), data.channels(), data.height(), data.width());
        if shape != self.shape {
            return Err(Error::coded("data", "wrong_dataset", "the batcher was made for a data set of another shape")
                .with("images", shape.0 as f64)
                .with("expected_images", self.shape.0 as f64));
        }
        data.check_buffers(self.batch_size, x, y)?;
        let batch = self.advance();
        let (epoch, position, len) = (batch.epoch, batch.position, batch.len);
        let n = data.example_len();
        for slot in 0..len {
            let i = self.order[position + slot];
            let dst = &mut x[slot * n..(slot + 1) * n];
            if self.pipeline.steps.is_empty() {
                dst.copy_from_slice(data.image(i));
            } else {
                let mut rng = rng::seeded(rng::derive(self.seed, &[1, epoch, i as u64]));
                chw_to_hwc(data.image(i), data.channels(), augment::pixels_mut(&mut self.source));
                self.pipeline.apply_into(&self.source, &mut rng, &mut self.out, &mut self.scratch);
                if self.out.dim() != self.source.dim() {
                    return Err(Error::coded("aug", "changed_size", "the augmentation changed the image size"));
                }
                hwc_to_chw(&augment::contiguous(&self.out), data.channels(), dst);
            }
            y[slot] = data.label(i);
        }
        Ok(batch)
    }

    /// The indices of the next batch (into the data set), moving on exactly as [`Batcher::next_batch`] does,
    /// without writing images: for a caller that has the images' features already (a frozen prefix's cache; the
    /// augmentation, if any, is then not applied).
    pub fn next_indices(&mut self) -> (Batch, &[usize]) {
        let batch = self.advance();
        (batch, &self.order[batch.position..batch.position + batch.len])
    }

    /// Moves to the next batch: a new epoch's order when the last one is finished.
    fn advance(&mut self) -> Batch {
        if self.state.position >= self.pool.len() {
            self.state = BatcherState { epoch: self.state.epoch + 1, position: 0 };
        }
        let BatcherState { epoch, position } = self.state;
        if self.order_epoch != Some(epoch) {
            self.order.clear();
            self.order.extend_from_slice(&self.pool);
            rng::shuffle(&mut rng::seeded(rng::derive(self.seed, &[0, epoch])), &mut self.order);
            self.order_epoch = Some(epoch);
        }
        let len = self.batch_size.min(self.pool.len() - position);
        self.state.position = position + len;
        Batch { len, epoch, position, epoch_end: self.state.position == self.pool.len() }
    }
}

/// C×H×W → H×W×C (`dst` has the same length); one channel is a plain copy.
fn chw_to_hwc(src: &[f32], c: usize, dst: &mut [f32]) {
    if c == 1 {
        dst.copy_from_slice(src);
        return;
    }
    let plane = src.len() / c;
    for (p, px) in dst.chunks_exact_mut(c).enumerate() {
        for (k, v) in px.iter_mut().enumerate() {
            *v = src[k * plane + p];
        }
    }
}

/// H×W×C → C×H×W.
fn hwc_to_chw(src: &[f32], c: usize, dst: &mut [f32]) {
    if c == 1 {
        dst.copy_from_slice(src);
        return;
    }
    let plane = dst.len() / c;
    for (p, px) in src.chunks_exact(c).enumerate() {
        for (k, &v) in px.iter().enumerate() {
            dst[k * plane + p] = v;
        }
    }
}
