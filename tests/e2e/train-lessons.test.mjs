// The Train panel's lessons, checked with the panel's own defaults and the worker's own session code (jobs.js
// 'train', run here in node on the page's wasm build), seeded: they are what the comparison views show.
// - Overfitting vs augmentation: on the default small digits set, the final train–validation gap is larger without
//   augmentation, and augmentation improves the best validation accuracy.
// - The label trap: a pipeline that flips digits upside down confuses 6 and 9 more often than a realistic one.
// These are full training runs (188 steps each with the defaults): about 20 s for both at load ~12 since the live
// measurements use 200 + 200 images (BENCHMARKS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as wasm from '../../www/pkg/cnn_playground.js';
import './core.mjs'; // instantiates the wasm and configures the URL table with the core's lists
import { defaults } from '../../www/js/url/state.js';
import { KINDS } from '../../www/js/compute/jobs.js';
import { COMPARISONS, sixNine } from '../../www/js/panels/train/lessons.js';
import { curveFacts, curveRows } from '../../www/js/panels/train/facts.js';

const bytes = new Uint8Array(readFileSync(new URL('../../www/data/digits.bin', import.meta.url)));

// Runs a session to its end, as the worker does; returns its curve rows and result.
function train(settings) {
  const session = KINDS.train.open(wasm, { ...settings, bytes });
  const items = [];
  for (;;) {
    const r = session.next();
    if (r.done) return { rows: curveRows(items), result: r.value };
    items.push(r.value);
  }
}

function compare(name, settings) {
  return Object.fromEntries(COMPARISONS[name].arms.map((arm) => [arm.id, train({ ...settings, ...arm.patch(settings) })]));
}

test('overfitting vs augmentation, with the panel defaults: a larger gap without, a better best validation accuracy with', (t) => {
  const s = defaults('train');
  const { no_aug: plain, aug } = compare('overfit', s);
  const [a, b] = [curveFacts(plain.rows), curveFacts(aug.rows)];
  t.diagnostic(JSON.stringify({ no_aug: { gap: a.gap, best: a.best, last: a.last }, aug: { gap: b.gap, best: b.best, last: b.last } }));
  assert.ok(!plain.result.diverged && !aug.result.diverged);
  assert.ok(a.gap > b.gap, `gap without augmentation ${a.gap} > with ${b.gap}`);
  assert.ok(b.best > a.best, `best validation accuracy with augmentation ${b.best} > without ${a.best}`);
});

test('the label trap: more 6 ↔ 9 confusions with the flipping pipeline than with the realistic one', (t) => {
  const s = { ...defaults('train'), per_class: 40, epochs: 15 };
  const { realistic, flipping } = compare('label_trap', s);
  const [r, f] = [sixNine(realistic.result), sixNine(flipping.result)];
  t.diagnostic(JSON.stringify({ six_nine: { realistic: r, flipping: f } }));
  assert.ok(f > r, `6 ↔ 9 confusions: flipping ${f} > realistic ${r}`);
});
