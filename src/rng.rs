//! The one random number generator of the core. Xoshiro256++ gives the same stream on 32-bit wasm and on 64-bit
//! native builds (rand's `SmallRng` does not), so a seed in a URL reproduces the same numbers everywhere.

use rand::SeedableRng;

pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijection of u64 that spreads every input bit over the output.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a keyed sub-stream: `seed` followed by `keys` (an epoch, a class, an example index, …), so that each
/// item of a data set or batch gets its own independent generator and depends on nothing drawn before it.
/// h ← seed; for each key k: h ← mix64(h ⊕ mix64(k + γ)) + γ, with γ = 0x9E3779B97F4A7C15 and mix64 SplitMix64's
/// output function (bench/digits_baselines.py reproduces it).
pub fn derive(seed: u64, keys: &[u64]) -> u64 {
    keys.iter().fold(seed, |h, &k| mix64(h ^ mix64(k.wrapping_add(GOLDEN))).wrapping_add(GOLDEN))
}

/// A uniform integer in `0..n` (n ≥ 1): the high 64 bits of `next_u64() · n` (Lemire's multiply, without rejection;
/// the bias is below n/2⁶⁴). One draw per call, so the stream is easy to reproduce elsewhere.
pub fn below(rng: &mut Rng, n: u64) -> u64 {
    use rand::Rng as _;
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// Fisher–Yates from the last element down: position i swaps with `below(i + 1)`.
pub fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, below(rng, i as u64 + 1) as usize);
    }
}
