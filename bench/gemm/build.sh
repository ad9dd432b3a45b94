# Sourced by run.sh and chromium.sh: build TARGET OUT builds the benchmark crate for wasm and runs wasm-bindgen.
# The simd128 build takes its flags from the root .cargo/config.toml; BUILD=relaxed replaces them (an environment
# RUSTFLAGS replaces config rustflags) and uses its own target directory, so the two builds never overwrite each other.
build() {
  if [ "$BUILD" = relaxed ]; then
    export RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd"
    dir=target-relaxed
  else
    dir=${CARGO_TARGET_DIR:-target}
  fi
  cargo build --release --target wasm32-unknown-unknown --target-dir "$dir"
  wasm-bindgen --target "$1" --out-dir "$2" "$dir/wasm32-unknown-unknown/release/gemm_bench.wasm"
}
