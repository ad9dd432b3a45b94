//! The tiny CNN: layers, kernels.

pub mod kernels;
