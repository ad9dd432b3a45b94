// Adds a batch-1 latency phase to a *copy* of the peers harness (bench/peers.sh runs it on its temporary copy; the
// harness itself is read-only): after the harness's inference phase, every contender predicts one example at a
// time, 20 warm-up calls, then 200 timed calls on examples 0…199, each awaited to its output; the median and the
// 95th percentile go to the result as `batch1` ({ medianMs, p95Ms, n }). TF.js's forward reads the tensors it made
// per batch of 20 in setup, so the copy gets a `forward1(x)` that makes the [1, h, w, c] tensor per call (as a page
// that predicts a drawing must); our contender's `forward` takes any number of examples.
// Usage: node bench/peers/batch1-patch.mjs HARNESS_COPY_DIR. Fails loudly when the harness changed under it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: batch1-patch.mjs HARNESS_COPY_DIR');

function patch(file, edits) {
  const full = path.join(dir, file);
  let text = readFileSync(full, 'utf8');
  for (const [anchor, replacement] of edits) {
    if (text.split(anchor).length !== 2) throw new Error(`${file}: the anchor ${JSON.stringify(anchor)} is not there exactly once`);
    text = text.replace(anchor, replacement);
  }
  writeFileSync(full, text);
}

const N = 200;
const WARMUP = 20;

patch('web/bench.js', [[
  '    res.infer = { ...summarize(inf.map((m) => m.exPerSec)), steps: inf.map((m) => m.steps) };\n',
  `    res.infer = { ...summarize(inf.map((m) => m.exPerSec)), steps: inf.map((m) => m.steps) };

    // Added by bench/peers/batch1-patch.mjs: batch-1 latency, one awaited call per example.
    res.phase = 'batch1';
    const px1 = data.h * data.w * data.c;
    const one = (i) => data.x.subarray(i * px1, (i + 1) * px1);
    const f1 = c.forward1 ? (x) => c.forward1(x) : (x) => c.forward({ index: -1, start: 0, size: 1, x, y: data.y.subarray(0, 1) });
    for (let i = 0; i < ${WARMUP}; i++) await f1(one(i % data.n));
    const lat = [];
    for (let i = 0; i < ${N}; i++) {
      const t1 = now();
      const out1 = await f1(one(i % data.n));
      lat.push(now() - t1);
      checkOutput(out1, 1, data.classes, 'batch-1 forward');
    }
    lat.sort((a, b) => a - b);
    res.batch1 = { medianMs: (lat[${N / 2 - 1}] + lat[${N / 2}]) / 2, p95Ms: lat[${Math.ceil(0.95 * N) - 1}], n: ${N} };
    log(\`\${entry.id}: batch 1: median \${res.batch1.medianMs.toFixed(3)} ms, p95 \${res.batch1.p95Ms.toFixed(3)} ms\`);
`,
]]);

patch('web/contenders/tfjs.js', [
  ['  let threadsWanted = 1;\n', '  let threadsWanted = 1;\n  let shape1;\n'],
  ['      classes = data.classes;\n', '      classes = data.classes;\n      shape1 = [1, data.h, data.w, data.c];\n'],
  ['    dispose() {\n', `    async forward1(x) {
      const p = tf.tidy(() => tf.softmax(model(tf.tensor4d(x, shape1))));
      const v = await p.data();
      p.dispose();
      return v;
    },
    dispose() {
`],
]);
