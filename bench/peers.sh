#!/usr/bin/env bash
# The peers harness (../shared/peers) with our contenders beside the JavaScript libraries, in one run.
# Builds the wasm (www/pkg, and www/pkg-relaxed when the build makes it), copies the harness to a temporary folder
# (it is read-only), installs its pinned packages there (npm ci; skipped when the copy already has node_modules),
# and runs `node run.mjs` with this repository's www/ mounted at /ext/www/ and bench/peers/ at /ext/ours/.
# Our contenders: ours-simd128 (with a per-layer profile in its notes), ours-simd128-frozen (conv layers frozen after
# the checked steps), and the same two for the relaxed build when it exists.
# Usage: bench/peers.sh [run.mjs options, e.g. --quick, --only ours-simd128,tfjs-wasm-simd]
#   PEERS=DIR        the harness to copy (default: ../shared/peers beside the checkout, else /work/shared/peers)
#   PEERS_OUT=FILE   where run.mjs writes its JSON (default bench/results/peers.json)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
peers=${PEERS:-}
if [ -z "$peers" ]; then
    for d in "$repo/../shared/peers" /work/shared/peers; do [ -f "$d/run.mjs" ] && peers=$d && break; done
fi
[ -n "$peers" ] && [ -f "$peers/run.mjs" ] || { echo "peers harness not found; set PEERS=DIR" >&2; exit 2; }
[ "${SKIP_BUILD:-0}" = 1 ] || make build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$peers" "$work/peers"
chmod -R u+w "$work/peers"
# The batch-1 latency phase (bench/peers/batch1-patch.mjs) is added to the copy, never to the harness itself.
node bench/peers/batch1-patch.mjs "$work/peers"
[ -d "$work/peers/node_modules" ] || (cd "$work/peers" && npm ci --no-audit --no-fund)
builds=(simd128)
[ -f www/pkg-relaxed/cnn_playground.js ] && builds+=(relaxed)
spec="$work/ours.json"
node -e '
  const builds = process.argv.slice(1);
  const entries = builds.flatMap((b) => [
    { id: `ours-${b}`, module: "/ext/ours/contender.js", params: { build: b, profile: true } },
    { id: `ours-${b}-frozen`, module: "/ext/ours/contender.js", params: { build: b, freeze: true } },
  ]);
  process.stdout.write(JSON.stringify(entries));' "${builds[@]}" > "$spec"
out=${PEERS_OUT:-$repo/bench/results/peers.json}
echo "load before the run: $(uptime)"
(cd "$work/peers" && node run.mjs --mount "/ext/www/=$repo/www" --mount "/ext/ours/=$repo/bench/peers" \
    --spec "$spec" --out "$out" "$@")
