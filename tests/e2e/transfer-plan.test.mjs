// The transfer lab's page and core agree (plain node, the page's own wasm build): the URL table's defaults are the
// plan's (transfer_plan), its zoo models are the manifest's, every quadrant and strategy has its words in both
// languages, and the lab's numbers (the lessons module) are the mean and spread the page says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { transfer_plan } from '../../www/pkg/cnn_playground.js';
import './core.mjs'; // initializes the wasm and configures the URL table as the page does
import { PARAMS } from '../../www/js/url/state.js';
import { STRINGS } from '../../www/js/i18n/index.js';
import { meanCurve, meanStd } from '../../www/js/panels/transfer/lessons.js';

const plan = transfer_plan();
const manifest = JSON.parse(readFileSync(new URL('../../www/zoo/manifest.json', import.meta.url), 'utf8'));
const lrOf = (opt) => Number(/lr([0-9.e-]+)/.exec(opt)[1]);

test('the URL table’s transfer defaults are the plan’s, and its zoo models are the manifest’s', () => {
  assert.deepEqual(PARAMS.zoo.values, manifest.models.map((m) => m.name));
  assert.deepEqual(PARAMS.zoo.values, plan.models.map((m) => m.name));
  assert.equal(PARAMS.zoo.default, plan.default_model);
  assert.equal(PARAMS.k.default, plan.models.find((m) => m.name === plan.default_model).default_k);
  assert.ok(PARAMS.k.max >= Math.max(...plan.models.map((m) => m.weight_layers)));
  assert.equal(PARAMS.repeats.default, plan.repeats);
  assert.equal(PARAMS.ft_lr.default, lrOf(plan.strategies.find((s) => s.name === 'finetune').opt));
  assert.equal(PARAMS.size.default, plan.init_view.size);
  assert.equal(PARAMS.similarity.default, plan.init_view.sim);
  assert.deepEqual(PARAMS.strategy.values, plan.strategies.map((s) => s.name));
  assert.deepEqual([...new Set(plan.quadrants.map((q) => q.size))], PARAMS.size.values);
  assert.deepEqual([...new Set(plan.quadrants.map((q) => q.sim))], PARAMS.similarity.values);
});

test('every quadrant, strategy and zoo model has its words in both languages', () => {
  for (const lang of ['en', 'ko']) {
    for (const q of plan.quadrants) {
      assert.ok(STRINGS[lang][q.words], `${lang}: ${q.words}`);
      assert.ok(STRINGS[lang][`transfer.quadrant.${q.size}_${q.sim}`], `${lang}: ${q.size}_${q.sim}`);
    }
    for (const s of plan.strategies) assert.ok(STRINGS[lang][s.words], `${lang}: ${s.words}`);
    for (const m of plan.models) assert.ok(STRINGS[lang][`transfer.zoo.${m.name}`], `${lang}: ${m.name}`);
  }
});

test('mean and spread over repeats, and the mean curve over repeats', () => {
  const s = meanStd([0.5, 0.7, 0.6]);
  assert.ok(Math.abs(s.mean - 0.6) < 1e-12 && Math.abs(s.std - 0.1) < 1e-12 && s.n === 3);
  assert.deepEqual(meanStd([0.4]), { mean: 0.4, std: 0, n: 1 });
  const curve = meanCurve([[{ step: 0, val_acc: 0.1, val_loss: 2 }, { step: 10, val_acc: 0.5, val_loss: 1 }], [{ step: 0, val_acc: 0.3, val_loss: 2 }]]);
  assert.deepEqual(curve.map((p) => [p.step, Number(p.val_acc.toFixed(12))]), [[0, 0.2], [10, 0.5]]);
});
