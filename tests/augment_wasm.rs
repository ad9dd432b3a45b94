//! The augmentation core's wasm SIMD kernels (built with +simd128 by .cargo/config.toml) against their scalar twins,
//! bit for bit, in node:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test augment_wasm`
#![cfg(target_arch = "wasm32")]

mod common;

use cnn_playground::augment::geometric::{self, Affine, Border, Interpolation};
use cnn_playground::augment::photometric::{self, SUM_BLOCK};
use cnn_playground::augment::{self, Image, noise};
use cnn_playground::rng::{Rng, seeded};
use ndarray::Array3;
use rand::RngExt;
use wasm_bindgen_test::wasm_bindgen_test;

// This file is only meaningful for the SIMD paths: refuse to build without +simd128.
#[cfg(not(target_feature = "simd128"))]
compile_error!("the wasm tests must be built with -C target-feature=+simd128");

fn random_image(h: usize, w: usize, c: usize, rng: &mut Rng) -> Image {
    Array3::from_shape_fn((h, w, c), |_| rng.random::<f32>())
}

/// Bit patterns, so that −0 and +0 (or two NaNs) are told apart.
fn bits(img: &Image) -> Vec<u32> {
    img.iter().map(|v| v.to_bits()).collect()
}

#[wasm_bindgen_test]
fn simd_normals_match_the_scalar_twin() {
    for (seed, len) in
        [(1, 0), (2, 1), (3, 7), (4, 8), (5, 9), (8, 16), (9, 23), (10, 24), (11, 31), (6, 1000), (7, 150_528)]
    {
        let base = noise::Normals::new(&mut seeded(seed));
        let (mut g1, mut g2) = (base.clone(), base.clone());
        let (mut fast, mut slow) = (vec![f32::NAN; len], vec![f32::NAN; len]);
        noise::standard_normals(&mut g1, &mut fast);
        noise::standard_normals_scalar(&mut g2, &mut slow);
        assert_eq!(
            fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            slow.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "len {len}"
        );
        assert_eq!(g1, g2, "the generators end in the same state");
        // Adding σ·z and clamping.
        let mut rng = seeded(seed + 100);
        let data: Vec<f32> = (0..len).map(|_| rng.random::<f32>()).collect();
        let (mut fast, mut slow) = (data.clone(), data);
        let (mut g1, mut g2) = (base.clone(), base.clone());
        noise::add_normals(&mut g1, 0.3, &mut fast);
        noise::add_normals_scalar(&mut g2, 0.3, &mut slow);
        assert_eq!(
            fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            slow.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "len {len}"
        );
        assert_eq!(g1, g2, "the generators end in the same state after add_normals");
    }
}

#[wasm_bindgen_test]
fn simd_bilinear_warp_matches_the_scalar_twin() {
    let mut rng = seeded(11);
    let sizes = [(1, 1), (1, 7), (7, 1), (2, 3), (5, 2), (13, 8), (8, 13), (64, 64), (224, 224)];
    let borders = [Border::Constant(0.0), Border::Constant(0.7), Border::Reflect, Border::Edge];
    for (h, w) in sizes {
        for c in [1, 3] {
            let img = random_image(h, w, c, &mut rng);
            for k in 0..6 {
                let deg = rng.random::<f64>() * 720.0 - 360.0;
                let map = match k {
                    0 => Affine::rotate(deg, h, w),
                    1 => Affine::translate(rng.random::<f64>() * 10.0 - 5.0, rng.random::<f64>() * 10.0 - 5.0),
                    // A zoom with a shear: steps that are not ±1.
                    2 => Affine { m: [0.7, 0.2, 1.3, -0.15, 1.4, -2.1] },
                    _ => Affine::rotate(deg.rem_euclid(30.0) - 15.0, h, w),
                };
                let border = borders[k % borders.len()];
                for (oh, ow) in [(h, w), (h + 3, w.max(2) - 1)] {
                    let (mut fast, mut slow) = (Image::zeros((oh, ow, c)), Image::zeros((oh, ow, c)));
                    geometric::warp_into(&img, &map, Interpolation::Bilinear, border, &mut fast);
                    geometric::warp_into_scalar(&img, &map, Interpolation::Bilinear, border, &mut slow);
                    assert_eq!(bits(&fast), bits(&slow), "{h}×{w}×{c} → {oh}×{ow}, map {map:?}, {border:?}");
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn simd_rgba_matches_the_scalar_twin() {
    let mut rng = seeded(12);
    for (h, w, c) in [(1, 1, 3), (1, 5, 3), (3, 4, 3), (7, 9, 3), (224, 224, 3), (5, 6, 1)] {
        let mut img = random_image(h, w, c, &mut rng);
        // Values outside [0, 1], exact halves and the ends.
        let specials = [-0.5, -0.0, 0.0, 1.0, 1.5, 0.5 / 255.0, 1.5 / 255.0, 127.5 / 255.0];
        for (v, s) in img.iter_mut().zip(specials.iter().cycle()).step_by(3) {
            *v = *s;
        }
        let stride = 4 * w + 8;
        let (mut fast, mut slow) = (vec![9u8; stride * h], vec![9u8; stride * h]);
        augment::to_rgba8_into(&img, &mut fast, stride);
        augment::to_rgba8_into_scalar(&img, &mut slow, stride);
        assert_eq!(fast, slow, "{h}×{w}×{c}");
    }
}

#[wasm_bindgen_test]
fn simd_level_sums_match_the_scalar_twin() {
    let mut rng = seeded(13);
    for levels in [[(1.0, 0.0), (1.0, 0.0)], [(1.3, 0.0), (0.7, 0.12)], [(0.6, 0.2), (1.4, -0.3)]] {
        let block: Vec<f32> = (0..SUM_BLOCK).map(|_| rng.random::<f32>()).collect();
        let fast = photometric::block_sums(&block, levels);
        let slow = photometric::block_sums_scalar(&block, levels);
        assert_eq!(fast.map(f32::to_bits), slow.map(f32::to_bits), "{levels:?}");
    }
    // Brightness (the SIMD level pass) against its formula, on a length that is not a multiple of 4.
    let img = random_image(3, 7, 3, &mut rng);
    let mut out = img.clone();
    photometric::adjust_brightness(&mut out, 1.37);
    for (o, v) in out.iter().zip(img.iter()) {
        assert_eq!(o.to_bits(), (1.37 * v + 0.0).clamp(0.0, 1.0).to_bits());
    }
}

/// The benchmark pipeline gives the same pixels in wasm as natively: the constant is what the native build prints
/// for the same call (tests/augment.rs, `native_grid_hash_matches_wasm`).
#[wasm_bindgen_test]
fn wasm_pixels_equal_native_pixels() {
    assert_eq!(common::grid_hash(common::BENCH_PIPELINE, 7), common::BENCH_GRID_HASH);
}
