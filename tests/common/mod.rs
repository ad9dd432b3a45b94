//! Shared by tests/augment.rs (native, scalar paths) and tests/augment_wasm.rs (wasm, SIMD paths): the benchmark
//! pipeline's pixels, pinned, so both builds are checked against one constant. A deliberate change of the pixels
//! changes `BENCH_GRID_HASH` here, once.

use cnn_playground::augment::{self, Pipeline, samples};

pub const BENCH_PIPELINE: &str = "translate~hflip~rotate(bilinear)~jitter(b0.4_c0.4)~noise(sigma0.05)";
pub const BENCH_GRID_HASH: u32 = 333_480_558;

/// FNV-1a of the RGBA bytes of a 4-tile grid of `pipeline` on the built-in scene.
pub fn grid_hash(pipeline: &str, seed: u64) -> u32 {
    let img = samples::by_name("scene").unwrap();
    let tiles = Pipeline::parse(pipeline).unwrap().sample_grid(&img, 4, seed).unwrap();
    let mut hash = 0x811c_9dc5u32;
    for (tile, _) in &tiles {
        for b in augment::to_rgba8(tile) {
            hash = (hash ^ b as u32).wrapping_mul(0x0100_0193);
        }
    }
    hash
}
