// A cross-check of the peers run outside the harness page: per build (the simd128 build www/pkg from `make build` by
// default; give other pkg folders, e.g. a copy of an older build, to compare in the same run), one Trainer of the
// default net in node, timing train_step, forward (the inference path) and evaluate on one batch of 20 (and forward
// on one example), interleaved over rounds (best round kept), then each build's per-layer profile.
// Usage: node bench/forward-vs-train.mjs [PKG_DIR ...]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { reportSameBits } from './same-bits.mjs';

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [new URL('../www/pkg', import.meta.url).pathname];
const builds = [];
for (const dir of dirs) {
  const mod = await import(resolve(dir, 'cnn_playground.js') + `?${builds.length}`);
  mod.initSync({ module: readFileSync(resolve(dir, 'cnn_playground_bg.wasm')) });
  builds.push({ dir, mod, t: new mod.Trainer({ seed: 1 }), best: {} });
}
const x = new Float32Array(20 * 784).map((_, i) => ((i * 7919) % 1000) / 1000);
const x1 = x.subarray(0, 784);
const y = new Uint32Array(20).map((_, i) => i % 10);
const ms = (f, n) => { f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t0) / n; };
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
reportSameBits(builds, x, y);
for (let r = 0; r < 5; r++) {
  for (const b of builds) {
    const m = {
      train_step: ms(() => b.t.train_step(x, y), 40),
      forward: ms(() => b.t.forward(x), 80),
      evaluate: ms(() => b.t.evaluate(x, y), 80),
      forward1: ms(() => b.t.forward(x1), 400),
    };
    for (const [k, v] of Object.entries(m)) b.best[k] = Math.min(b.best[k] ?? Infinity, v);
  }
}
for (const b of builds) {
  const { train_step, forward, evaluate, forward1 } = b.best;
  console.log(`${b.dir}: ms per batch of 20 (best of 5 rounds): train_step ${train_step.toFixed(3)} (${(20e3 / train_step).toFixed(0)} ex/s), ` +
    `forward ${forward.toFixed(3)} (${(20e3 / forward).toFixed(0)} ex/s, ${(train_step / forward).toFixed(2)}× the step's rate), ` +
    `evaluate ${evaluate.toFixed(3)}; batch 1 forward ${(1e3 * forward1).toFixed(1)} µs`);
}
for (const b of builds) {
  console.log(`${b.dir}: per-layer profile, ms (forward / backward)`);
  for (const r of b.t.profile(x, y, 50)) console.log(`  ${r.layer.padEnd(16)} ${r.forward_ms.toFixed(3)} / ${r.backward_ms.toFixed(3)}`);
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
