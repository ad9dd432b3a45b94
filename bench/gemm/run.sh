#!/bin/sh
# Builds the wasm benchmark and runs it in node. Usage: [BUILD=relaxed] bench/gemm/run.sh [options of measure.mjs]
# BUILD=relaxed builds with +relaxed-simd into target-relaxed/ (node 20 runs it only with a V8 flag).
set -e
cd "$(dirname "$0")"
. ./build.sh
build nodejs pkg
if [ "$BUILD" = relaxed ]; then exec node --experimental-wasm-relaxed-simd run.mjs "$@"; fi
exec node run.mjs "$@"
