#!/bin/sh
# Builds the wasm benchmark for the web and runs it in headless Chromium (needs tests/e2e's node_modules: make test
# or tools/install.sh test installs them). Usage: [BUILD=relaxed] bench/gemm/chromium.sh [options of measure.mjs]
set -e
cd "$(dirname "$0")"
. ./build.sh
build web pkg-web
echo '<!doctype html><meta charset="utf-8"><title>gemm bench</title><link rel="icon" href="data:,">' > pkg-web/index.html
exec node chromium.mjs "$@"
