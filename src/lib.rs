//! CNN Playground core: everything numeric, nothing about browsers. The `web` module is the only place that talks
//! to JavaScript, and it is compiled for wasm32 only.

pub mod augment;
pub mod data;
pub mod error;
pub mod feed;
pub mod init;
pub mod nn;
pub mod number;
pub mod plot;
pub mod probe;
pub mod rng;
pub mod run;
pub mod signal;
pub mod spec;
pub mod stats;
pub mod transfer;
pub mod verdict;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
