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

test('every arm of every comparison is a run the core opens, and the views vary only what they say they vary', () => {
  const s = defaults('train');
  for (const [name, { arms }] of Object.entries(COMPARISONS)) {
    for (const arm of arms) {
      // Opening checks every setting against the data and builds the model (it throws on a bad spec or batch).
      assert.doesNotThrow(() => KINDS.train.open(wasm, { ...s, ...arm.patch(s), bytes }), `${name}/${arm.id}`);
    }
  }
  // The race: the BatchNorm arms are the tiny initialization's net with bn after each of its six convolutions.
  const race = Object.fromEntries(COMPARISONS.init_race.arms.map((a) => [a.id, a.patch(s)]));
  for (const act of ['tanh', 'relu']) {
    const [plain, bn] = [race[`small_${act}`], race[`small_bn_${act}`]];
    assert.equal(bn.model.split('~').filter((l) => l === 'bn').length, 6);
    assert.equal(bn.model.replaceAll('~bn', ''), plain.model);
    assert.deepEqual({ ...bn, model: '' }, { ...plain, model: '' });
  }
  // The batch-size view: the same net but for its norm layer, the same epochs, batch sizes 2 … 64 for each norm.
  const batch = COMPARISONS.batch_size.arms.map((a) => ({ ...a, s: a.patch(s) }));
  assert.deepEqual([...new Set(batch.map((a) => a.s.epochs))].length, 1);
  for (const norm of ['bn', 'gn']) assert.deepEqual(batch.filter((a) => a.norm === norm).map((a) => a.s.bs), [2, 4, 8, 16, 32, 64]);
  assert.equal(new Set(batch.map((a) => a.s.model.replaceAll('gn(4)', 'bn'))).size, 1);
});
