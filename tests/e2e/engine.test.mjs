// End-to-end: the engine through the documented JavaScript API (README, "The engine: Trainer and Dataset"), in the
// served page's origin with the release build: the default net learns the real digits, and bad arguments arrive as
// exceptions carrying .param and .code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('the default net reaches at least 90 % validation accuracy on the digits in 200 seeded steps', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  const r = await page.evaluate(async () => {
    const { default: init, Trainer, Dataset } = await import('/pkg/cnn_playground.js');
    await init();
    const bytes = new Uint8Array(await (await fetch('data/digits.bin')).arrayBuffer());
    const digits = new Dataset({ source: 'digits', bytes, height: 28, width: 28 });
    const t = new Trainer({ input: digits.input, seed: 0 });
    t.set_data(digits, { batch: 32, seed: 0 });
    const before = t.evaluate_data('val');
    const losses = Array.from(t.train(200));
    const val = t.evaluate_data('val');
    const out = { before, val, first: losses.slice(0, 10), last: losses.slice(-10), params: t.param_count, split: [digits.train_len, digits.val_len] };
    t.free();
    digits.free();
    return out;
  });
  assert.deepEqual(r.split, [1346, 451]);
  assert.equal(r.params, 5994);
  assert.equal(r.val.n, 451);
  assert.ok(r.before.accuracy < 0.3, `untrained accuracy ${r.before.accuracy}`);
  assert.ok(r.val.accuracy >= 0.9, `validation accuracy ${r.val.accuracy}`);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(r.last) < 0.5 * mean(r.first), `losses ${r.first} … ${r.last}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad arguments are thrown as Errors with .param and .code', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  const errors = await page.evaluate(async () => {
    const { default: init, Trainer } = await import('/pkg/cnn_playground.js');
    await init();
    const caught = (f) => {
      try { f(); return null; } catch (e) { return { error: e instanceof Error, param: e.param, code: e.code, values: e.values }; }
    };
    const t = new Trainer({});
    return {
      spec: caught(() => new Trainer({ model: 'conv(8_k9)~flatten~dense(10)', input: [4, 4, 1] })),
      key: caught(() => new Trainer({ lr: 0.1 })),
      label: caught(() => t.train_step(new Float32Array(784), new Uint32Array([12]))),
      negative: caught(() => t.train_step(new Float32Array(784), new Int32Array([-1]))),
      length: caught(() => t.forward(new Float32Array(100))),
      freeze: caught(() => t.freeze_first(7)),
    };
  });
  for (const [name, e] of Object.entries(errors)) assert.ok(e && e.error, `${name}: ${JSON.stringify(e)}`);
  assert.equal(errors.spec.param, 'model');
  assert.deepEqual([errors.key.param, errors.key.code], ['lr', 'unknown_key']);
  assert.deepEqual([errors.label.param, errors.label.code, errors.label.values.got], ['labels', 'label_out_of_range', 12]);
  // A negative label is refused as the number it is (it used to wrap to 2³² − 1 on its way in).
  assert.deepEqual([errors.negative.param, errors.negative.code, errors.negative.values.got], ['labels', 'out_of_range', -1]);
  assert.deepEqual([errors.length.param, errors.length.code], ['x', 'wrong_length']);
  assert.deepEqual([errors.freeze.param, errors.freeze.code], ['k', 'out_of_range']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a net with BatchNorm and GroupNorm trains on the digits, round-trips its running statistics, and refuses a one-value BatchNorm batch', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  const r = await page.evaluate(async () => {
    const { default: init, Trainer, Dataset } = await import('/pkg/cnn_playground.js');
    await init();
    const bytes = new Uint8Array(await (await fetch('data/digits.bin')).arrayBuffer());
    const digits = new Dataset({ source: 'digits', bytes, height: 28, width: 28 });
    const model = 'conv(8_k5_p2)~bn~relu~maxpool(2)~conv(16_k5_p2)~gn(4)~relu~maxpool(3)~flatten~dense(10)';
    const t = new Trainer({ model, input: digits.input, seed: 0 });
    t.set_data(digits, { batch: 32, seed: 0 });
    const before = t.evaluate_data('val');
    t.train(200);
    const val = t.evaluate_data('val');
    const saved = t.save_safetensors();
    const x = digits.images(new Uint32Array([0, 1, 2]));
    const logits = Array.from(t.forward(x));
    const fresh = new Trainer({ model, input: digits.input, seed: 5 });
    fresh.load_safetensors(saved);
    const reloaded = Array.from(fresh.forward(x));
    const text = new TextDecoder().decode(saved.subarray(8, 8 + Number(new DataView(saved.buffer, saved.byteOffset).getBigUint64(0, true))));
    let refused = null;
    const flat = new Trainer({ model: 'flatten~dense(8)~bn~dense(3)', input: [3, 3, 1] });
    try { flat.train_step(new Float32Array(9), new Uint32Array([1])); } catch (e) { refused = { param: e.param, code: e.code }; }
    const out = { before, val, same: logits.every((v, i) => v === reloaded[i]), header: JSON.parse(text), refused, params: t.param_count };
    for (const o of [t, fresh, flat, digits]) o.free();
    return out;
  });
  assert.equal(r.params, 5994 + 2 * 8 + 2 * 16);
  assert.ok(r.before.accuracy < 0.3, `untrained accuracy ${r.before.accuracy}`);
  assert.ok(r.val.accuracy >= 0.85, `validation accuracy ${r.val.accuracy}`);
  assert.ok(r.same, 'the reloaded model gives the same logits (running statistics included)');
  assert.deepEqual(r.header['1.num_batches_tracked'].dtype, 'I64');
  assert.deepEqual(r.header['1.num_batches_tracked'].shape, []);
  assert.deepEqual(r.header['1.running_var'].shape, [8]);
  assert.ok(!('4.running_mean' in r.header), 'GroupNorm has no running statistics');
  assert.deepEqual(r.refused, { param: 'batch', code: 'one_value_per_channel' });
  assert.deepEqual(problems, []);
  await context.close();
});
