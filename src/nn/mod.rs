//! The tiny CNN: layers, kernels.
