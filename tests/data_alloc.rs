//! The batcher allocates nothing per batch after the first: counted by a global allocator that only this test
//! binary installs (one test, so no other thread allocates while it counts).

use cnn_playground::augment::Pipeline;
use cnn_playground::data::{Batcher, Digits};
mod counting_alloc;
use counting_alloc::allocations;

/// Allocations made by `batches` calls of `next_batch` after one warm-up batch.
fn allocations_per_batches(pipeline: &str, batches: usize) -> usize {
    let data = Digits::embedded().to_dataset(28, 28).unwrap();
    let pool: Vec<usize> = (0..1000).collect();
    let mut b = Batcher::new(&data, &pool, 50, Pipeline::parse(pipeline).unwrap(), 1).unwrap();
    let (mut x, mut y) = (vec![0.0; 50 * 784], vec![0; 50]);
    b.next_batch(&data, &mut x, &mut y).unwrap();
    let before = allocations();
    for _ in 0..batches {
        b.next_batch(&data, &mut x, &mut y).unwrap();
    }
    allocations() - before
}

#[test]
fn batches_after_the_first_allocate_nothing_of_the_batchers_own() {
    // 40 batches of 50 cross an epoch boundary (20 batches per epoch): the new order reuses its buffer.
    assert_eq!(allocations_per_batches("", 40), 0);
    // Warps and noise reuse the batcher's images; what remains is the pipeline's report of the steps it ran
    // (a list per image, and the drawn values per step that draws any): at most 1 + steps per image.
    let steps = 3;
    let counted = allocations_per_batches("translate~hflip~noise(sigma0.05)", 40);
    eprintln!("augmented: {counted} allocations for 2000 images");
    assert!(counted <= 2000 * (1 + steps), "{counted}");
}
