#!/usr/bin/env bash
# Installs what is missing, and only that: `tools/install.sh build` for building and serving,
# `tools/install.sh test` for the test suites too. Idempotent; fast when everything is there.
# Versions are pinned to the ones that go together (see README "Toolchain").
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1     # drives Firefox for `wasm-pack test --firefox` and tests/e2e/firefox
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[install] %s\n' "$*" >&2; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"
}

# rust-toolchain.toml pins the exact version. Where that version is installed only as `stable` (as on the project's
# machines), link it under its number instead of letting rustup try to download it.
ensure_pinned_toolchain() {
  local pinned stable_dir
  pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
  if (cd / && rustup toolchain list) | grep -q "^$pinned-"; then return 0; fi
  stable_dir=$(cd / && rustup run stable rustc --print sysroot 2>/dev/null || true)
  if [ -n "$stable_dir" ] && [ "$(cd / && rustup run stable rustc --version | awk '{print $2}')" = "$pinned" ]; then
    say "linking the installed stable toolchain as $pinned (rust-toolchain.toml)"
    (cd / && rustup toolchain link "$pinned" "$stable_dir")
  else
    say "installing Rust $pinned (rust-toolchain.toml)"
    (cd / && rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown)
  fi
}

ensure_build_tools() {
  need_cmd cargo "Install Rust with rustup (stable 1.95 or newer), then run this again."
  need_cmd rustup "Install Rust with rustup so the wasm32 target can be added."
  need_cmd node "Install Node.js 20 or newer (it serves the page and runs the end-to-end tests)."
  ensure_pinned_toolchain
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
    # --locked fails for this version (its lockfile wants a crate version the registry no longer has).
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --locked \
      || cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
  fi
}

ensure_debian_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v firefox >/dev/null 2>&1 || command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
  # `make test-python` makes a venv for the export check.
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} from Debian"
    # Waits for another apt run (a second checkout installing at the same time) instead of failing on its lock.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing ${missing[*]}. Install by hand so that these are on PATH: Chromium and a matching ChromeDriver ('chromium', 'chromedriver'), Firefox ('firefox' or 'firefox-esr'), and Python 3 with venv. Debian/Ubuntu as root: apt-get install chromium chromium-driver firefox-esr python3-venv."
  fi
}

# geckodriver speaks WebDriver to Firefox. Built from source: wasm-pack would otherwise download a binary.
ensure_geckodriver() {
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1{print $2}')" != "$GECKODRIVER_VERSION" ]; then
    say "installing geckodriver $GECKODRIVER_VERSION (about 3 minutes, once)"
    cargo install geckodriver --version "=$GECKODRIVER_VERSION" --locked
  fi
}

ensure_test_tools() {
  ensure_build_tools
  if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
    say "installing wasm-pack $WASM_PACK_VERSION (about 4 minutes, once; the npm package cannot work offline)"
    cargo install wasm-pack --version "=$WASM_PACK_VERSION" --locked
  fi
  ensure_debian_packages
  ensure_geckodriver
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
    say "installing the end-to-end test packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

case "${1:-}" in
  build) ensure_build_tools ;;
  test) ensure_test_tools ;;
  *) die "usage: tools/install.sh build|test" ;;
esac
