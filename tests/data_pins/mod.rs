//! Pinned values of the data module, shared by tests/data.rs (native) and tests/data_wasm.rs (wasm in node), so
//! both builds are checked against one constant. A deliberate change of the generator or of the digits split
//! changes the number here, once (and the split's also in bench/digits_baselines.py).

use cnn_playground::data::digits::fnv1a32;
use cnn_playground::data::{Dataset, SymbolConfig};

/// `Split::fingerprint` of `DIGITS_SPLIT` on the shipped digits.
pub const DIGITS_SPLIT_FINGERPRINT: u32 = 918_377_332;

/// [`dataset_hash`] of [`small_config`]'s set: the generator's math is IEEE operations and the libm crate only, so
/// the same bits come out natively and in wasm.
pub const SMALL_SET_HASH: u32 = 4_010_914_613;

/// Five classes, three images each, every other knob at its default.
pub fn small_config() -> SymbolConfig {
    SymbolConfig { classes: 5, per_class: 3, ..SymbolConfig::default() }
}

/// FNV-1a over the f32 bit patterns (little-endian), then the labels as u32.
pub fn dataset_hash(ds: &Dataset) -> u32 {
    let bytes: Vec<u8> = ds
        .images()
        .iter()
        .flat_map(|v| v.to_bits().to_le_bytes())
        .chain(ds.labels().iter().flat_map(|l| l.to_le_bytes()))
        .collect();
    fnv1a32(&bytes)
}
