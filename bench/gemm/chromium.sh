#!/bin/sh
# Builds the wasm benchmark for the web and runs it in headless Chromium (needs tests/e2e's node_modules: make test
# or tools/install.sh test installs them). Usage: bench/gemm/chromium.sh [sizes, e.g. 128,256,500,1000]
set -e
cd "$(dirname "$0")"
cargo build --release --target wasm32-unknown-unknown
T=${CARGO_TARGET_DIR:-target}
wasm-bindgen --target web --out-dir pkg-web $T/wasm32-unknown-unknown/release/gemm_bench.wasm
echo '<!doctype html><meta charset="utf-8"><title>gemm bench</title>' > pkg-web/index.html
node chromium.mjs "$@"
