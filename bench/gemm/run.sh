#!/bin/sh
# Builds the wasm benchmark (simd128 comes from the root .cargo/config.toml) and runs it in node.
# Usage: bench/gemm/run.sh [run.mjs options]
set -e
cd "$(dirname "$0")"
cargo build --release --target wasm32-unknown-unknown
T=${CARGO_TARGET_DIR:-target}
wasm-bindgen --target nodejs --out-dir pkg $T/wasm32-unknown-unknown/release/gemm_bench.wasm
node run.mjs "$@"
