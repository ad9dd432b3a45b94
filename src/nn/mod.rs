//! The tiny CNN: layers, kernels.

pub mod activation;
pub mod kernels;

pub use activation::Activation;
