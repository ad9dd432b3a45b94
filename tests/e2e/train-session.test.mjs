// The training run's session (jobs.js 'train' over the core's Session, the worker's own code, run here in node on the
// page's wasm build) and
// the engine under it: a run paused and resumed, or snapshotted and restored mid-run, continues with exactly the
// losses of an uninterrupted run of the same seed; two runs interleaved in one wasm instance (as sessions sharing a
// worker take turns) do not disturb each other; export and import of the weights round-trip. Small runs: seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as wasm from '../../www/pkg/cnn_playground.js';
import './core.mjs'; // instantiates the wasm
import { defaults } from '../../www/js/url/state.js';
import { KINDS } from '../../www/js/compute/jobs.js';
import { curveRows } from '../../www/js/panels/train/facts.js';

const bytes = new Uint8Array(readFileSync(new URL('../../www/data/digits.bin', import.meta.url)));
const settings = (patch = {}) => ({ ...defaults('train'), per_class: 5, bs: 16, epochs: 8, ...patch, bytes });

// Takes every step of a session; `between(i)` runs before step i.
function drain(session, between = () => {}) {
  const items = [];
  for (let i = 0; ; i++) {
    between(i);
    const r = session.next();
    if (r.done) return { items, result: r.value };
    items.push(r.value);
  }
}
const losses = (items) => items.map((p) => p.loss);

test('a training session paused, snapshotted and resumed gives exactly the uninterrupted losses and curves', () => {
  const straight = drain(KINDS.train.open(wasm, settings()));
  assert.equal(straight.items.length, 25, '50 images × 8 epochs / 16');
  // "Paused": the worker simply stops calling next(); snapshots (the weights as safetensors) are taken in between.
  const session = KINDS.train.open(wasm, settings());
  const snaps = [];
  const paused = drain(session, (i) => { if (i % 7 === 3) snaps.push(session.snapshot()); });
  assert.deepEqual(losses(paused.items), losses(straight.items));
  assert.deepEqual(curveRows(paused.items), curveRows(straight.items));
  assert.deepEqual(paused.result.confusion, straight.result.confusion);
  assert.deepEqual(paused.result.weights, straight.result.weights, 'the same final weights, byte for byte');
  assert.deepEqual(snaps.map((s) => s.steps), [3, 10, 17, 24]);
});

test('the engine: a Trainer snapshotted mid-run (batcher, augmentation, optimizer, RNG) continues exactly in a fresh one', () => {
  const s = settings({ aug: 'translate~rotate(bilinear)~noise(sigma0.05)', opt: 'adam', lr: 0.003, model: 'conv(6_k5_p2)~relu~maxpool(2)~dropout(0.3)~flatten~dense(10)' });
  const init = { init: s.init, mode: s.mode, nonlinearity: s.nonlinearity, slope: s.slope, dist: s.dist, std: s.std, a: s.a };
  const make = () => {
    const data = new wasm.Dataset({ source: 'digits', bytes, train_per_class: s.per_class });
    const trainer = new wasm.Trainer({ model: s.model, ...init, opt: 'adam(lr0.003_wd0)', seed: s.seed });
    trainer.set_data(data, { batch: s.bs, aug: s.aug, seed: s.seed });
    return { data, trainer };
  };
  const a = make();
  const uninterrupted = Array.from(a.trainer.train(20));
  const b = make();
  const first = Array.from(b.trainer.train(7)); // 7 batches of 16 from 50 images: mid-epoch (position 12 of epoch 2)
  const snap = b.trainer.snapshot();
  b.trainer.train(5); // goes on, then back to the snapshot
  b.trainer.restore(snap);
  const again = Array.from(b.trainer.train(13));
  const c = make();
  c.trainer.train(2); // a fresh trainer elsewhere in its run takes the snapshot over
  c.trainer.restore(snap);
  const elsewhere = Array.from(c.trainer.train(13));
  // float32 losses as JS numbers: deepStrictEqual compares them exactly.
  assert.equal(uninterrupted.length, 20);
  assert.deepEqual([...first, ...again], uninterrupted);
  assert.deepEqual([...first, ...elsewhere], uninterrupted);
  for (const { data, trainer } of [a, b, c]) { trainer.free(); data.free(); }
  snap.free();
});

test('two training sessions interleaved step by step in one wasm instance equal each alone', () => {
  const configs = [settings({ seed: 1 }), settings({ seed: 2, aug: '', lr: 0.05, bs: 10 })];
  const alone = configs.map((c) => drain(KINDS.train.open(wasm, c)));
  const sessions = configs.map((c) => KINDS.train.open(wasm, c));
  const together = configs.map(() => ({ items: [], result: null }));
  while (together.some((r) => !r.result)) {
    sessions.forEach((s, i) => {
      if (together[i].result) return;
      const r = s.next();
      if (r.done) together[i].result = r.value;
      else together[i].items.push(r.value);
    });
  }
  for (let i = 0; i < configs.length; i++) {
    assert.deepEqual(losses(together[i].items), losses(alone[i].items), `run ${i}`);
    assert.deepEqual(curveRows(together[i].items), curveRows(alone[i].items), `run ${i}`);
    assert.deepEqual(together[i].result.weights, alone[i].result.weights, `run ${i}`);
  }
  assert.notDeepEqual(losses(alone[0].items).slice(0, 5), losses(alone[1].items).slice(0, 5), 'the two runs differ');
});

test('load() takes a finished run\'s weights into a fresh session (same validation accuracy) and refuses others whole', () => {
  const done = drain(KINDS.train.open(wasm, settings()));
  const lastRow = curveRows(done.items).at(-1);
  const fresh = KINDS.train.open(wasm, settings());
  const { val } = fresh.load(done.result.weights);
  assert.equal(val.n, 451);
  assert.equal(val.accuracy, lastRow.val_acc, 'the final row measured all 451 validation images with the same weights');
  const other = KINDS.train.open(wasm, settings({ model: 'conv(4_k3)~relu~flatten~dense(10)' }));
  const before = other.snapshot().weights;
  assert.throws(() => other.load(done.result.weights), (e) => e.param === 'weights' && e.code === 'wrong_shape');
  assert.throws(() => other.load(done.result.weights.subarray(0, 100)), (e) => e.param === 'weights' && e.code === 'truncated');
  assert.deepEqual(other.snapshot().weights, before, 'unchanged');
  for (const s of [fresh, other]) s.return();
});

// The subsets themselves are drawn by the core (src/run/train.rs; tests/run.rs pins them); here: the session uses them.
test('the live measurements use a fixed, seeded subset of at most 200 images per part', () => {
  const { items } = drain(KINDS.train.open(wasm, settings({ per_class: 40 })));
  const info = items[0].info;
  assert.deepEqual(info.measured, { train: 200, val: 200 });
  const looks = items.flatMap((p) => [p.before, p.look]).filter(Boolean);
  assert.ok(looks.slice(0, -1).every((l) => !l.all && l.val.n === 200 && l.train.n === 200));
  assert.deepEqual([looks.at(-1).all, looks.at(-1).val.n, looks.at(-1).train.n], [true, 451, 400], 'the last on all of them');
});
