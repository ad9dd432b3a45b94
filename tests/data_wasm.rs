//! The data module in wasm (node): the generator and the digits split give the same bits as natively (the pins of
//! tests/data_pins, which tests/data.rs checks too).
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test data_wasm`
#![cfg(target_arch = "wasm32")]

mod data_pins;

use cnn_playground::data::{DIGITS_SPLIT, Digits, Split};
use data_pins::{DIGITS_SPLIT_FINGERPRINT, SMALL_SET_HASH, dataset_hash, small_config};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn generated_set_matches_the_native_pin() {
    assert_eq!(dataset_hash(&small_config().generate().unwrap()), SMALL_SET_HASH);
}

#[wasm_bindgen_test]
fn digits_and_their_split_match_the_native_pins() {
    let digits = Digits::embedded();
    assert_eq!(digits.class_counts(), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    let labels: Vec<u32> = digits.labels().iter().map(|&l| l as u32).collect();
    assert_eq!(Split::stratified(&labels, 10, &DIGITS_SPLIT).unwrap().fingerprint(), DIGITS_SPLIT_FINGERPRINT);
}
