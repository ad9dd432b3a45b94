//! The batcher allocates nothing per batch after the first: counted by a global allocator that only this test
//! binary installs (one test, so no other thread allocates while it counts).

use cnn_playground::augment::Pipeline;
use cnn_playground::data::{Batcher, Digits};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `batches` calls of `next_batch` after one warm-up batch.
fn allocations_per_batches(pipeline: &str, batches: usize) -> usize {
    let data = Digits::embedded().to_dataset(28, 28).unwrap();
    let pool: Vec<usize> = (0..1000).collect();
    let mut b = Batcher::new(&data, &pool, 50, Pipeline::parse(pipeline).unwrap(), 1).unwrap();
    let (mut x, mut y) = (vec![0.0; 50 * 784], vec![0; 50]);
    b.next_batch(&data, &mut x, &mut y).unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..batches {
        b.next_batch(&data, &mut x, &mut y).unwrap();
    }
    ALLOCATIONS.load(Ordering::Relaxed) - before
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
