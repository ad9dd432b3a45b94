// A cross-check of the peers run outside the harness page: one Trainer (the default net, simd128 build www/pkg, made
// by `make build`) in node, timing loops of train_step, forward and evaluate on one batch of 20, and its per-layer
// profile.  Usage: node bench/forward-vs-train.mjs
import { readFileSync } from 'node:fs';
import { initSync, Trainer } from '../www/pkg/cnn_playground.js';

initSync({ module: readFileSync(new URL('../www/pkg/cnn_playground_bg.wasm', import.meta.url)) });
const t = new Trainer({ seed: 1 });
const x = new Float32Array(20 * 784).map((_, i) => ((i * 7919) % 1000) / 1000);
const y = new Uint32Array(20).map((_, i) => i % 10);
const ms = (f, n) => { f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t0) / n; };
for (let r = 0; r < 3; r++) {
  console.log(`ms per batch of 20: train_step ${ms(() => t.train_step(x, y), 100).toFixed(2)}, ` +
    `forward ${ms(() => t.forward(x), 100).toFixed(2)}, evaluate ${ms(() => t.evaluate(x, y), 100).toFixed(2)}`);
}
for (const r of t.profile(x, y, 50)) console.log(`${r.layer.padEnd(16)} ${r.forward_ms.toFixed(3)} / ${r.backward_ms.toFixed(3)} ms`);
