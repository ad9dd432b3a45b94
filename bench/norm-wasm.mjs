// What the norm layers cost in a training step in the wasm builds (issue 20's goal: BatchNorm and GroupNorm forward +
// backward at most 15 % of a step of the default net with a norm layer after each conv). The native figures are
// bench/norm.rs; this is the same measurement through the page's wasm: the simd128 build in node, and both builds
// (simd128, relaxed) in headless Chromium, each in one run:
// - share: the norm layers' forward + backward over the whole pass, from Trainer.profile (per-layer times, one loop);
// - step: whole train_step of the net with and without the norm layers, interleaved round by round, best round kept.
// Usage: node bench/norm-wasm.mjs (after make build). Prints the load average beside the figures.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setup } from '../tests/e2e/harness.mjs';

// Runs inside node or the page: `mod` is an initialised wasm module; returns the figures per norm.
async function measure(mod) {
  const batch = 20;
  const x = new Float32Array(batch * 784).map((_, i) => ((i * 7919) % 1000) / 1000);
  const y = new Uint32Array(batch).map((_, i) => i % 10);
  const spec = (n) => `conv(8_k5_p2)${n}~relu~maxpool(2)~conv(16_k5_p2)${n}~relu~maxpool(3)~flatten~dense(10)`;
  const time = (f, reps) => { f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
  const out = {};
  for (const norm of ['bn', 'gn(4)']) {
    let share = Infinity;
    let withNorm = Infinity;
    let without = Infinity;
    for (let round = 0; round < 8; round++) {
      // Fresh weights each round: trained on one batch over and over, gradients sink into slow subnormal floats.
      const a = new mod.Trainer({ model: spec(`~${norm}`), seed: round });
      const b = new mod.Trainer({ model: spec(''), seed: round });
      const rows = a.profile(x, y, 10);
      const total = rows.reduce((s, r) => s + r.forward_ms + r.backward_ms, 0);
      const normMs = rows.filter((r) => r.layer.startsWith('bn') || r.layer.startsWith('gn'))
        .reduce((s, r) => s + r.forward_ms + r.backward_ms, 0);
      share = Math.min(share, normMs / total);
      withNorm = Math.min(withNorm, time(() => a.train_step(x, y), 10));
      without = Math.min(without, time(() => b.train_step(x, y), 10));
      a.free();
      b.free();
    }
    out[norm] = { share, withNorm, without };
  }
  return out;
}

function report(name, r) {
  for (const [norm, m] of Object.entries(r)) {
    console.log(`${name.padEnd(22)} ${norm.padEnd(6)} share ${(100 * m.share).toFixed(1)} %   train_step ${m.withNorm.toFixed(2)} vs ${m.without.toFixed(2)} ms without (${(100 * (m.withNorm / m.without - 1)).toFixed(1)} %)`);
  }
}

console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
const node = await import(new URL('../www/pkg/cnn_playground.js', import.meta.url));
node.initSync({ module: readFileSync(new URL('../www/pkg/cnn_playground_bg.wasm', import.meta.url)) });
report('node, simd128', await measure(node));

const { url, browser, close } = await setup();
try {
  const page = await browser.newPage();
  await page.goto(`${url}css/style.css`); // a page of the site's origin without the HTML pages' CSP (no eval there)
  for (const [name, dir] of [['chromium, simd128', 'pkg'], ['chromium, relaxed', 'pkg-relaxed']]) {
    const r = await page.evaluate(async ({ dir, source }) => {
      const mod = await import(`/${dir}/cnn_playground.js`);
      await mod.default();
      const measureIn = new Function(`return (${source})`)();
      return measureIn(mod);
    }, { dir, source: measure.toString() });
    report(name, r);
  }
} finally {
  await close();
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} after`);
