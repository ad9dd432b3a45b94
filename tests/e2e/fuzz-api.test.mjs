// Fuzz suite, JS API half (seeded, bounded by case count): every function and method the wasm module exports — found
// by enumerating the module, so a new export is covered without touching this file — called in Chromium with hostile
// arguments (throwing getters, Proxies with throwing traps, numbers past 2³², fractions, numbers where text is
// expected, objects posing as arrays, huge and lying typed arrays, freed objects, other classes' objects). Each call
// either returns or throws an Error with a string `.param` and `.code`; never a panic, `unreachable` or an
// out-of-bounds access, and each object keeps working after every refusal (no "recursive use of an object").
// Then the Train panel's `model` parameter: heads too small for the classes and other refused models are named by a
// notice, and the page keeps working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { settled, setup } from './harness.mjs';

const SEED = 23;
const CALLS_PER_METHOD = 60;
const MODEL_CASES = 12;

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// Runs in the page: a separate instance of the page's module (its own wasm memory, the page's untouched).
async function fuzzApi([seed, callsPerMethod]) {
  const mod = await import(`/pkg/cnn_playground.js?fuzz=${seed}`);
  await mod.default();
  let a = seed >>> 0;
  const next = () => { // mulberry32, as tests/e2e/fuzz-gen.mjs
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(next() * list.length)];
  const boom = () => { throw new Error('hostile'); };

  // Known-good values, so a call can get past its first argument and meet a hostile second.
  const symbols = () => ({ source: 'symbols', classes: 3, per_class: 4, height: 8, width: 8 });
  const good = () => [
    0, 1, 2, 3, 10, 'all', 'val', 'train', 'hflip', 'digit6', 'en', '1.weight', 'flatten~dense(3)', 'he_normal', 'fan_in',
    'auto', 'normal', '4x4', 'tanh', {}, { batch: 4 }, symbols(), Float32Array.of(0, 1), Uint32Array.of(0, 1),
    new Uint8Array(64).fill(255), [0, 1], ['a', 'b'], document.createElement('canvas'),
  ];
  const hostile = () => {
    const detached = new ArrayBuffer(16);
    structuredClone(detached, { transfer: [detached] });
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    return [
      undefined, null, true, -1, 4.5, NaN, Infinity, -Infinity, 2 ** 32 + 1, 2 ** 32 + 4, 2 ** 53, -0, 1e308, '', 'abc',
      '42', '<img src=x onerror=alert(1)>', 'x'.repeat(100_000), Symbol('s'), 10n, [], [0.5], [-1], ['a'], [2 ** 32],
      { length: 1e9 }, { length: -1 }, { length: 2 ** 32 + 1, 0: 1 }, new Uint32Array(1e7), new Float32Array(2 ** 26 + 1),
      new Float64Array(3), new BigInt64Array(2), new Int8Array(3), new ArrayBuffer(8), detached, new DataView(new ArrayBuffer(4)),
      Object.defineProperty(new Float32Array(8), 'length', { get: boom }),
      Object.defineProperty(new Uint32Array(8), 'length', { value: 1e9 }),
      Object.defineProperty([1, 2, 3], 1, { get: boom }),
      { get seed() { return boom(); }, get model() { return boom(); }, get batch() { return boom(); }, get opt() { return boom(); } },
      new Proxy({}, { get: boom }), new Proxy({}, { ownKeys: boom }), new Proxy([1, 2], { get: boom }),
      new Proxy(new Float32Array(4), {}), new Proxy({}, { getPrototypeOf: boom }), revocable.proxy,
      Object.create(null), function f() {}, new Date(0), { valueOf: boom, toString: boom }, { handle: 1 },
      { handle: 2 ** 32 + 1 }, new Proxy(document.createElement('canvas'), { get: boom }),
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
      document.createElement('div'), Object.create(mod.Dataset.prototype), Object.create(mod.TrainerSnapshot.prototype),
    ];
  };
  const hostiles = hostile(); // made once: some are large (a 256 MB typed array)
  const arg = () => (next() < 0.3 ? pick(good()) : pick(hostiles));

  // One live object per exported class (each class's known-good construction), rebuilt when a method frees it.
  const digitsLike = () => new mod.Dataset(symbols());
  const makers = {
    Trainer: () => {
      const t = new mod.Trainer({ model: 'flatten~dense(3)', input: [8, 8, 1], seed: 1 });
      t.set_data(digitsLike(), { batch: 4 });
      return t;
    },
    Dataset: digitsLike,
    AugmentView: () => { const v = new mod.AugmentView(); v.set_sample('digit6'); return v; },
    InitView: () => new mod.InitView({ init: 'he_normal', shape: '4x4' }),
    ProbeRun: () => new mod.ProbeRun({ depth: 2, width: 10, batch: 4, act: 'tanh', init: 'xavier_normal', seed: 1 }),
    TrainerSnapshot: () => makers.Trainer().snapshot(),
    // A training run on a small generated set: a few steps long, so stepping it to its end is part of the fuzz.
    Session: () => new mod.Session('train', { data: 'symbols', model: 'flatten~dense(10)', per_class: 2, epochs: 2, bs: 4 }),
  };
  // A call that must still work on each object after any refusal (a `&mut self` method where there is one, so a
  // borrow left behind by an escaped exception shows up).
  const health = {
    Trainer: (t) => { t.set_optimizer({ opt: 'sgd(lr0.01)' }); return t.train(1).length === 1; },
    Dataset: (d) => d.indices('all').length === d.len,
    AugmentView: (v) => { v.set_pipeline('hflip'); v.generate(1, 1); return v.columns > 0; },
    InitView: (v) => { v.sample(10, 1); return v.n === 10; },
    ProbeRun: (p) => p.forward_flops > 0,
    TrainerSnapshot: (s) => s.handle > 0,
    Session: (s) => s.steps >= 0 && typeof s.pytorch_code() === 'string',
  };
  const skip = new Set(['default', 'initSync', 'self_test_panic', 'start']);
  const classes = Object.entries(mod).filter(([, v]) => typeof v === 'function' && typeof v.prototype?.free === 'function');
  const functions = Object.entries(mod).filter(([k, v]) => typeof v === 'function' && !classes.some(([c]) => c === k) && !skip.has(k));
  const missing = classes.map(([c]) => c).filter((c) => !makers[c]);
  if (missing.length) return { failures: [`no known-good construction for the new class(es) ${missing.join(', ')}: add them to makers and health`] };

  const failures = [];
  let calls = 0;
  let refusals = 0;
  const check = (where, run) => {
    calls += 1;
    try {
      run();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) failures.push(`${where}: ${e.message} (a panic or a wasm trap)`);
      else if (!(e instanceof Error)) failures.push(`${where}: threw a non-Error ${String(e).slice(0, 80)}`);
      else if (typeof e.param !== 'string' || !e.param || typeof e.code !== 'string' || !e.code) failures.push(`${where}: ${e.message.slice(0, 160)} (no .param/.code)`);
      else refusals += 1;
    }
  };
  const argsOf = (n) => Array.from({ length: n + (next() < 0.1 ? 1 : 0) - (next() < 0.1 && n > 0 ? 1 : 0) }, arg);
  const show = (args) => args.map((x) => {
    try { return typeof x === 'string' ? JSON.stringify(x.slice(0, 20)) : typeof x === 'object' && x ? (x.constructor?.name ?? 'Object') : String(x); } catch { return '?'; }
  }).join(', ');

  for (const [name, f] of functions) {
    for (let i = 0; i < callsPerMethod; i++) {
      const args = argsOf(f.length);
      check(`${name}(${show(args)})`, () => f(...args));
    }
  }
  for (const [cname, C] of classes) {
    // The constructor itself (where the class has one), then every method and getter of a live object.
    const constructible = /\bconstructor\s*\(/.test(C.toString());
    for (let i = 0; constructible && i < callsPerMethod; i++) {
      const args = argsOf(C.length || 1);
      check(`new ${cname}(${show(args)})`, () => { const o = new C(...args); o.free(); });
    }
    const proto = C.prototype;
    const members = Object.getOwnPropertyNames(proto).filter((k) => !['constructor', 'free', '__destroy_into_raw'].includes(k));
    let obj = makers[cname]();
    for (const m of members) {
      const d = Object.getOwnPropertyDescriptor(proto, m);
      for (let i = 0; i < (d.get ? 1 : callsPerMethod); i++) {
        const args = d.get ? [] : argsOf(d.value.length);
        const where = `${cname}.${m}(${show(args)})`;
        check(where, () => {
          const r = d.get ? obj[m] : obj[m](...args);
          if (r && typeof r.free === 'function' && r !== obj) r.free();
        });
        // Still usable after the call, whatever it did.
        try {
          if (!health[cname](obj)) failures.push(`${where}: the object answers wrongly afterwards`);
        } catch (e) {
          failures.push(`${where}: the object is broken afterwards: ${String(e?.message ?? e).slice(0, 160)}`);
          obj = makers[cname]();
        }
      }
    }
    // Freed objects and the objects of another class where this class is expected.
    const freed = makers[cname]();
    freed.free();
    for (const [other] of classes) {
      for (const m of members.filter((k) => typeof Object.getOwnPropertyDescriptor(proto, k).value === 'function')) {
        const n = proto[m].length;
        if (n === 0) continue;
        const stranger = other === cname ? freed : makers[other]();
        const args = Array.from({ length: n }, (_, j) => (j === 0 ? stranger : arg()));
        check(`${cname}.${m}(a ${other}, …)`, () => obj[m](...args));
        if (stranger !== freed) stranger.free();
      }
    }
    obj.free();
  }
  return { failures, calls, refusals, functions: functions.map(([k]) => k), classes: classes.map(([k]) => k) };
}

test('every exported function and method refuses hostile arguments by name and stays usable', async (t) => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000');
  await settled(page, 'init');
  const r = await page.evaluate(fuzzApi, [SEED, CALLS_PER_METHOD]);
  t.diagnostic(`${r.calls} calls over ${r.functions?.length} functions and ${r.classes?.length} classes (${r.classes?.join(', ')}), ${r.refusals} refusals`);
  assert.deepEqual(r.failures.slice(0, 30), [], `${r.failures.length} failures`);
  assert.ok(r.classes.includes('Trainer') && r.functions.includes('zoo_verify'), 'the module was enumerated');
  // The fuzzing ran in its own instance; the page is untouched.
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Train panel names a refused model and keeps working', async (t) => {
  let a = SEED;
  const next = () => { a = (a * 1103515245 + 12345) % 2 ** 31; return a / 2 ** 31; };
  const heads = [
    'flatten~dense(9)', 'flatten~dense(1)', 'conv(8_k5_p2)~relu~flatten~dense(2)', 'conv(8_k5_p2)~relu~maxpool(2)~flatten~dense(5)',
    'flatten~dense(10)~dense(3)', 'conv(4_k99)~flatten~dense(10)', 'conv(8_k5_p2)~relu~flatten~dense(2)~relu',
  ];
  const { page, problems, context } = await h.open('#panel=train&model=flatten~dense(9)');
  await settled(page, 'train', 60_000);
  const notices = async () => page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
  const model = () => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('model'));
  assert.ok((await notices()).some((n) => n.includes('“model”')), `the link's head too small is named: ${await notices()}`);
  assert.notEqual(await model(), 'flatten~dense(9)', 'the refused model left the URL');
  for (let i = 0; i < MODEL_CASES; i++) {
    const head = heads[Math.floor(next() * heads.length)];
    await page.evaluate(() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove()));
    await page.evaluate(([m, seed]) => { location.hash = `#panel=train&model=${encodeURIComponent(m)}&seed=${seed}`; }, [head, i]);
    await settled(page, 'train', 60_000);
    const texts = await notices();
    assert.ok(texts.some((n) => n.includes('“model”')), `case ${i} (${head}): no notice names “model”: ${JSON.stringify(texts)}`);
    assert.notEqual(await model(), head, `case ${i}: the refused model ${head} stayed in the URL`);
    assert.ok(!texts.some((n) => /Something went wrong/.test(n)), `case ${i}: ${texts}`);
    // A later change that has nothing to do with the model goes through.
    await page.evaluate(() => { const p = new URLSearchParams(location.hash.slice(1)); p.set('seed', '8'); location.hash = p.toString(); });
    await settled(page, 'train', 60_000);
    assert.notEqual(await model(), head, `case ${i}: a later change brought ${head} back`);
  }
  t.diagnostic(`${MODEL_CASES} refused models named`);
  assert.deepEqual(problems, []);
  await context.close();
});
