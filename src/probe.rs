//! Per-layer activation and gradient statistics of a deep fully-connected net.
