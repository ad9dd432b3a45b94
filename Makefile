# The two commands of the README: `make serve` and `make test`. Everything they need is installed on first use.
PORT ?= 8080
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM := target/wasm32-unknown-unknown/release/cnn_playground.wasm
# The relaxed-SIMD build (f32x4.relaxed_madd) lives in its own target directory; an environment RUSTFLAGS replaces the
# simd128 flags of .cargo/config.toml for that build only.
RELAXED := RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed
WASM_RELAXED := target/relaxed/wasm32-unknown-unknown/release/cnn_playground.wasm

.PHONY: serve build pack test lint zoo test-native test-python export-venv test-wasm test-e2e test-e2e-firefox bench-page bench-norm-wasm bench-notes bench-signal bench-train bench-transfer bench-transfer-page bench-augment bench-peers bench-digits data-digits digits-model bench-draw clean test-torch

serve: build
	node tools/serve.mjs www $(PORT)

# Release wasm with SIMD (rustflags in .cargo/config.toml), then the JS bindings into www/pkg; the same with relaxed
# SIMD into www/pkg-relaxed. The page picks one at load time (www/js/compute/wasm.js). Last, www/build.js: the build's id and
# files for the service worker's offline copy (tools/sw-manifest.mjs). The name and producers sections are left out of
# the served wasm (the function names alone were 27 KB of the gzipped download; a panic's message stays).
BINDGEN := wasm-bindgen --target web --remove-name-section --remove-producers-section
build:
	@tools/install.sh build
	cargo build --release --target wasm32-unknown-unknown --lib
	$(BINDGEN) --out-dir www/pkg $(WASM)
	$(RELAXED) cargo build --release --target wasm32-unknown-unknown --lib
	$(BINDGEN) --out-dir www/pkg-relaxed $(WASM_RELAXED)
	node tools/sw-manifest.mjs www

# The npm package (JS API and the <cnn-playground> element) as target/cnn-playground-VERSION.tgz (tools/pack.mjs).
pack: build
	node tools/pack.mjs

# Each part's wall time is printed after it (the suite's budget is about 15 minutes on a 2-core machine).
TEST_PARTS := build lint test-native test-python test-wasm test-e2e test-e2e-firefox
test:
	@tools/install.sh test
	@for part in $(TEST_PARTS); do start=$$(date +%s); $(MAKE) $$part || exit 1; \
	  echo "make test: $$part took $$(( $$(date +%s) - start )) s"; done

# Formatting (rustfmt.toml) and clippy with warnings as errors, for the native and the wasm32 build; the page's import
# graph without circles and without a panel importing worker-side code (tools/check-imports.mjs); no function in the
# page over 120 lines (tools/check-functions.mjs). The relaxed build's clippy checks only what differs in it: the
# library (its kernels) and the relaxed kernel's test.
lint:
	node tools/check-imports.mjs www/js
	node tools/check-functions.mjs www/js
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	$(RELAXED) cargo clippy --target wasm32-unknown-unknown --lib --test kernels_relaxed -- -D warnings

# `make zoo`'s reproduction (a minute of training on one core) runs beside the other native tests: the machines have
# two cores, and cargo holds no lock while tests run. Its output follows the others'.
test-native:
	cargo test --no-run
	cargo test --test transfer -- the_zoo_command_reproduces > target/zoo-test.log 2>&1 & zoo=$$!; \
	  cargo test -- --skip the_zoo_command_reproduces; rest=$$?; wait $$zoo; zoo=$$?; cat target/zoo-test.log; \
	  test $$rest = 0 && test $$zoo = 0
	grep -q '^test the_zoo_command_reproduces_the_shipped_files ... ok' target/zoo-test.log

# The independent check of the safetensors export: tests/export.rs writes weights, PyTorch code, raw digits and the
# engine's logits to target/export-check/, and tests/python/test_export.py recomputes the logits with numpy and the
# safetensors package (pinned, in their own venv; no torch).
EXPORT_VENV ?= target/venv-export
EXPORT_PINS := numpy==2.4.6 safetensors==0.8.0

export-venv:
	@grep -qxF "$(EXPORT_PINS)" $(EXPORT_VENV)/pins.txt 2>/dev/null || { \
	  python3 -m venv $(EXPORT_VENV) && $(EXPORT_VENV)/bin/pip install --quiet $(EXPORT_PINS) && \
	  echo "$(EXPORT_PINS)" > $(EXPORT_VENV)/pins.txt; }

test-python: export-venv
	cargo test --test export python_fixture
	$(EXPORT_VENV)/bin/python tests/python/test_export.py
	$(EXPORT_VENV)/bin/python tests/python/test_scripts.py

# Real PyTorch (optional, NOT part of `make test`: a ~5 GB venv, several minutes to install once): the run scripts
# (src/run/script.rs) run in PyTorch for a short schedule and land within the seeds' spread of the engine's runs of
# the same settings, and the weights they save load back into the engine (tests/python/test_torch.py says how).
TORCH_VENV ?= target/venv-torch
TORCH_PINS := torch==2.15.0 torchvision==0.29.2 scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1 safetensors==0.8.0

test-torch:
	@grep -qxF "$(TORCH_PINS)" $(TORCH_VENV)/pins.txt 2>/dev/null || { \
	  python3 -m venv $(TORCH_VENV) && $(TORCH_VENV)/bin/pip install --quiet $(TORCH_PINS) && \
	  echo "$(TORCH_PINS)" > $(TORCH_VENV)/pins.txt; }
	$(TORCH_VENV)/bin/python tests/python/test_torch.py -v

# Browser tests (tests/web.rs) in headless Chrome and headless Firefox (geckodriver), then the wasm tests configured
# for node (SIMD kernels against their scalar twins); each run skips the other kind's files. The environment variable
# keeps Firefox off the network (README, "Firefox"). Then the relaxed-SIMD
# kernel against the scalar twin in Chrome (node 20 refuses the opcode); the grep makes sure that test really ran in
# the relaxed build. That one runs through cargo and wasm-bindgen's test runner rather than wasm-pack, whose `--tests`
# would compile every test file again with the relaxed flags for a run of one.
# A browser test that trains the digits takes seconds; the default 20 s per test only detects hangs on a quiet machine.
test-wasm: export WASM_BINDGEN_TEST_TIMEOUT = 180
test-wasm:
	wasm-pack test --headless --chrome
	MOZ_DISABLE_NONLOCAL_CONNECTIONS=1 wasm-pack test --headless --firefox
	wasm-pack test --node
	mkdir -p target/relaxed; set -o pipefail; $(RELAXED) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  CHROMEDRIVER=$$(command -v chromedriver) cargo test --target wasm32-unknown-unknown --test kernels_relaxed 2>&1 | tee target/relaxed/test.log
	grep -q '^test relaxed_gemm_stays_within_the_rounding_bound_of_the_scalar_twin ... ok' target/relaxed/test.log

test-e2e:
	cd tests/e2e && npm test

# The smoke suite in headless Firefox through geckodriver (tests/e2e/firefox).
test-e2e-firefox:
	cd tests/e2e && npm run test:firefox

# The model zoo of the transfer lab: pretrains every zoo model on the generated source set (a native release build,
# deterministic: the same bytes on every machine) and writes www/zoo/NAME.safetensors and www/zoo/manifest.json,
# which are committed; tests/transfer.rs regenerates them and compares the checksums.
zoo:
	cargo run --release --example zoo -- www/zoo

# The drawing pad's shipped digits model (src/draw.rs: the Train panel's default net and run on the digits' whole
# training split, 8 epochs): a native release build, deterministic; tests/draw.rs retrains it and compares the bytes.
digits-model:
	cargo run --release --example digits_model -- www/data/digits-model.safetensors

# Benchmarks (not tests): numbers and commands go to BENCHMARKS.md.
bench-page:
	@tools/install.sh test
	$(MAKE) build
	node bench/page.mjs

# The lecture page with five live views: first view drawn, wasm bytes fetched (one download), memory.
bench-notes:
	@tools/install.sh test
	$(MAKE) build
	node bench/notes.mjs

# The drawing pad's update per stroke: DrawModel.predict in node and the pad's whole update in the page (BENCHMARKS.md).
bench-draw:
	@tools/install.sh test
	$(MAKE) build
	node bench/draw.mjs

bench-signal:
	@tools/install.sh test
	$(MAKE) build
	node bench/signal.mjs

# The Train panel: examples/s through the worker vs the bare engine, time to 90 % validation accuracy, long tasks.
bench-train:
	@tools/install.sh test
	$(MAKE) build
	node bench/train.mjs

# The transfer lab natively: a fine-tuning step with the conv base trainable / frozen / frozen and cached, and the
# whole quadrant experiment of the plan (bench/transfer.rs).
# The norm layers' cost in a training step through the wasm (simd128 in node; simd128 and relaxed in Chromium).
bench-norm-wasm:
	@tools/install.sh test
	$(MAKE) build
	node bench/norm-wasm.mjs

bench-transfer:
	cargo bench --bench transfer

bench-transfer-page:
	@tools/install.sh test
	$(MAKE) build
	node bench/transfer.mjs

bench-augment:
	@tools/install.sh test
	$(MAKE) build
	node bench/augment-page.mjs
	bench/augment.sh

# The peers harness (../shared/peers, copied to a temporary folder) with our contenders, then the ratios to the goals.
bench-peers:
	@tools/install.sh test
	bench/peers.sh
	node bench/peers-summary.mjs

# The pinned scikit-learn for the digits: `make data-digits` re-extracts www/data/digits.bin (committed; only needed
# when the format changes), `make bench-digits` trains an RBF SVM and a linear model on the project's digits split.
SKLEARN_VENV ?= target/venv-sklearn
SKLEARN_PINS := scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1

$(SKLEARN_VENV)/pins.txt:
	python3 -m venv $(SKLEARN_VENV)
	$(SKLEARN_VENV)/bin/pip install --quiet $(SKLEARN_PINS)
	echo "$(SKLEARN_PINS)" > $@

data-digits: $(SKLEARN_VENV)/pins.txt
	$(SKLEARN_VENV)/bin/python tools/extract_digits.py www/data/digits.bin

bench-digits: $(SKLEARN_VENV)/pins.txt
	$(SKLEARN_VENV)/bin/python bench/digits_baselines.py www/data/digits.bin

clean:
	cargo clean
	rm -rf www/pkg www/pkg-relaxed
