//! The one random number generator of the core. Xoshiro256++ gives the same stream on 32-bit wasm and on 64-bit
//! native builds (rand's `SmallRng` does not), so a seed in a URL reproduces the same numbers everywhere.

use rand::SeedableRng;

pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}
