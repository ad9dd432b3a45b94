// The drawing pad's update per stroke (issue 21: ≤ 16 ms for the default net), measured two ways in one run:
//   direct — node, the simd128 build (www/pkg, `make build`): DrawModel.predict on a drawing (the shipped digits
//            model: strokes → 32×32 → 8×8 → the model's input → forward → probabilities and every layer's maps);
//   page   — headless Chromium, the Train panel's pad: a ring drawn with pointer events, one move per update, each
//            update timed by the pad itself from its request to the worker until the probabilities, the 8×8 and every
//            layer's maps are drawn (data-update-ms; the wait for the next animation frame is not included).
// Usage: make bench-draw  (or node bench/draw.mjs [updates]). Not a test: the numbers go to BENCHMARKS.md with the
// load average printed beside them.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { initSync, DrawModel } from '../www/pkg/cnn_playground.js';
import { setup } from '../tests/e2e/harness.mjs';

const N = Number(process.argv[2] ?? 200);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p95 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]; };
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average at start: ${load()} (2 cores)`);

// ---------------------------------------------------------------- direct
initSync({ module: readFileSync(new URL('../www/pkg/cnn_playground_bg.wasm', import.meta.url)) });
const weights = readFileSync(new URL('../www/data/digits-model.safetensors', import.meta.url));
const model = new DrawModel({ weights });
const ring = Array.from({ length: 49 }, (_, i) => {
  const a = (i / 48) * 2 * Math.PI;
  return [120 + 60 * Math.cos(a), 120 + 85 * Math.sin(a)];
});
const times = [];
for (let i = 0; i < N + 20; i++) {
  const k = 2 + (i % 47); // a growing stroke, as while drawing
  const coords = Float64Array.from(ring.slice(0, k).flat());
  const t0 = performance.now();
  const p = model.predict(coords, Uint32Array.of(k));
  const ms = performance.now() - t0;
  if (p.probs.length !== 10) throw new Error('no prediction');
  if (i >= 20) times.push(ms); // the first calls warm the engine up
}
console.log(`direct (node, simd128): median ${median(times).toFixed(3)} ms, p95 ${p95(times).toFixed(3)} ms over ${N} predictions`);

// ---------------------------------------------------------------- page
const h = await setup();
try {
  const { page, problems, context } = await h.open('#panel=train');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 60_000 });
  const result = await page.$eval('canvas[data-chart="draw-pad"]', async (pad, n) => {
    pad.scrollIntoView({ block: 'center' });
    const wrap = document.querySelector('[data-draw]');
    const r = pad.getBoundingClientRect();
    const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {
      pointerId: 3, pointerType: 'mouse', isPrimary: true, bubbles: true, button: 0, buttons: 1, clientX: r.left + x, clientY: r.top + y,
    }));
    const next = (before) => new Promise((resolve) => {
      const check = () => (Number(wrap.dataset.updates ?? 0) > before && wrap.getAttribute('aria-busy') === 'false' ? resolve() : requestAnimationFrame(check));
      check();
    });
    const ms = [];
    const t0 = performance.now();
    for (let i = 0; i < n + 20; i++) {
      const a = (i / 48) * 2 * Math.PI;
      const [x, y] = [r.width / 2 + r.width * 0.25 * Math.cos(a), r.height / 2 + r.height * 0.35 * Math.sin(a)];
      const before = Number(wrap.dataset.updates ?? 0);
      if (i % 49 === 0) { if (i) ev('pointerup', x, y); ev('pointerdown', x, y); } else ev('pointermove', x, y);
      await next(before);
      if (i >= 20) ms.push(Number(wrap.dataset.updateMs));
    }
    return { ms, wall: performance.now() - t0 };
  }, N);
  console.log(`page (Chromium, worker + drawing): median ${median(result.ms).toFixed(3)} ms, p95 ${p95(result.ms).toFixed(3)} ms over ${N} updates; ` +
    `${(result.wall / (N + 20)).toFixed(1)} ms per update including the wait for the next frame`);
  if (problems.length) console.log('page problems:', problems);
  await context.close();
} finally {
  await h.close();
}
console.log(`load average at end: ${load()}`);
