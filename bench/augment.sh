#!/usr/bin/env bash
# Native augmentation pipeline vs Albumentations 2.0.8, 224×224 RGB, one thread each. Prints both and the ratio.
# The Python side runs the Albumentations code our exporter writes for the same pipeline (see bench/augment.rs).
# Usage: bench/augment.sh   (AUG_VENV picks the virtualenv; default /tmp/augment-venv, outside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${AUG_VENV:-/tmp/augment-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import albumentations' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet albumentations==2.0.8
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/target-augment}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
AUG_EXPORT="$work/pipeline.py" cargo bench --quiet --bench augment | tee "$work/native.txt"
"$venv/bin/python" bench/augment_albumentations.py "$work/pipeline.py" | tee "$work/python.txt"
result() { awk -v k="$1" '$1 == "RESULT" && $2 == k { print $3 }' "$work"/*.txt; }
native=$(result native)
native_into=$(result native_into)
u8=$(result albumentations_uint8)
f32=$(result albumentations_float32)
awk -v n="$native" -v ni="$native_into" -v u="$u8" -v f="$f32" 'BEGIN {
    printf "\nratio native apply / Albumentations uint8:        %.2f\n", n / u
    printf "ratio native apply / Albumentations float32:      %.2f\n", n / f
    printf "ratio native apply_into / Albumentations uint8:   %.2f\n", ni / u
}'
