//! Additive Gaussian noise and salt-and-pepper noise, clamped to [0, 1].

use super::{Image, pixels_mut};
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

/// Adds N(0, σ²) to every value (`per_channel`) or one draw per pixel to all its channels (a brightness speckle).
pub fn gaussian(img: &mut Image, sigma: f32, per_channel: bool, rng: &mut Rng) {
    let c = img.dim().2.max(1);
    let data = pixels_mut(img);
    if per_channel {
        for v in data.iter_mut() {
            let z: f32 = rng.sample(StandardNormal);
            *v = (*v + sigma * z).clamp(0.0, 1.0);
        }
    } else {
        for px in data.chunks_exact_mut(c) {
            let n = sigma * rng.sample::<f32, _>(StandardNormal);
            px.iter_mut().for_each(|v| *v = (*v + n).clamp(0.0, 1.0));
        }
    }
}

/// Each pixel (or each channel value, `per_channel`) independently becomes, with probability `amount`, salt (1) or
/// pepper (0) with equal odds. Returns how many pixels (or values) were hit.
pub fn salt_and_pepper(img: &mut Image, amount: f64, per_channel: bool, rng: &mut Rng) -> usize {
    let c = img.dim().2.max(1);
    let group = if per_channel { 1 } else { c };
    let mut hits = 0;
    for px in pixels_mut(img).chunks_exact_mut(group) {
        if rng.random::<f64>() < amount {
            hits += 1;
            let v = if rng.random::<bool>() { 1.0 } else { 0.0 };
            px.fill(v);
        }
    }
    hits
}
