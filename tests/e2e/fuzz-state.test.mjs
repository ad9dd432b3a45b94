// Fuzz suite, node half (seeded, bounded by case count): thousands of hostile hashes through the URL table, and
// every accepted state through the wasm core's own checks. The page half is fuzz.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AugmentView, InitView, ProbeRun, Session, check_settings } from '../../www/pkg/cnn_playground.js';
import { catalog } from './core.mjs'; // the core loaded and the URL table configured, as in the page
import { PARAMS, appliesTo, known, parse, serialize } from '../../www/js/url/state.js';
import { hash, rng } from './fuzz-gen.mjs';

const CASES = 4000;

test('hostile hashes: parse never throws, names every rejected parameter, and its state is a fixed point', () => {
  const r = rng(20261129);
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const h = r.chance(0.01) ? `#panel=init&seed=${'9'.repeat(5000 + r.int(300_000))}x` : hash(r);
    const t0 = performance.now();
    const { state, problems, given } = parse(h);
    slowest = Math.max(slowest, performance.now() - t0);
    const where = `case ${i}: ${h.slice(0, 200)}`;
    // Every known key that was given either took a value the table accepts or has a problem naming it.
    for (const name of given) {
      if (!known(name) || problems.some((p) => p.param === name)) continue;
      const back = parse(`#${name}=${encodeURIComponent(String(state[name] === true ? 1 : state[name] === false ? 0 : state[name]))}`);
      assert.deepEqual(back.problems, [], where);
    }
    for (const p of problems) assert.ok(typeof p.param === 'string' && p.param.length <= 40 && typeof p.key === 'string', where);
    // What the page would write back reads as the same state (the panel's own parameters), with no problem.
    const again = parse(serialize(state));
    assert.deepEqual(again.problems, [], where);
    for (const name of Object.keys(PARAMS)) {
      if (name === 'panel' || (PARAMS[name].panels && appliesTo(name, state.panel))) assert.equal(again.state[name], state[name], `${where}: ${name}`);
    }
  }
  // A freeze detector, not a speed goal: the quadratic number check once took 8 s on one 100,000-digit value.
  assert.ok(slowest < 250, `slowest parse ${slowest.toFixed(1)} ms`);
});

// The core is the last word on a value: whatever the table accepts, the core either takes or refuses with an Error
// naming a URL parameter and a code, never a panic (a WebAssembly.RuntimeError).
function refusedCleanly(e, where) {
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${where}: panic ${e}`);
  assert.ok(known(e.param) || e.param === 'aug', `${where}: param ${e.param}`);
  assert.equal(typeof e.code, 'string', where);
  assert.ok(e.message.length < 400, `${where}: ${e.message.length}-character message`);
}

test('every state the table accepts is taken or refused cleanly by the core', () => {
  const r = rng(7);
  const view = new AugmentView();
  let taken = 0;
  try {
    for (let i = 0; i < 600; i++) {
      const { state: s } = parse(hash(r, { plausible: 0.8 }));
      const where = `case ${i}: ${serialize(s)}`;
      try {
        view.set_pipeline(s.aug);
        taken++;
      } catch (e) {
        refusedCleanly(e, where);
      }
      let init;
      try {
        init = new InitView({ init: s.init, shape: s.shape, mode: s.mode, nonlinearity: s.nonlinearity, slope: s.slope, dist: s.dist, std: s.std, a: s.a });
        init.sample(Math.min(s.samples, 20_000), s.seed);
      } catch (e) {
        refusedCleanly(e, where);
      } finally {
        init?.free();
      }
      // The probe's constructor allocates depth × width² weights: bounded here, its limits are checked all the same.
      let probe;
      try {
        probe = new ProbeRun({ depth: Math.min(s.depth, 3), width: s.width, batch: Math.min(s.batch, 8), act: s.act, init: s.init, mode: s.mode, nonlinearity: s.nonlinearity, slope: s.slope, dist: s.dist, std: s.std, a: s.a, seed: s.seed });
        probe.forward_layer();
      } catch (e) {
        refusedCleanly(e, where);
      } finally {
        probe?.free();
      }
    }
  } finally {
    view.free();
  }
  assert.ok(taken > 50, `only ${taken} pipelines accepted: the generator tests too little`);
});

// The runs (src/run/ behind Session and check_settings): every Train state the table accepts is checked as opening the
// run would, and hostile settings objects for every kind of run (wrong types, foreign keys, huge and odd values) are
// refused with an Error naming a setting, never a panic. Opening is cheap (a run trains only when stepped).
test('run settings: accepted states and hostile objects for every kind are taken or refused cleanly', () => {
  const r = rng(12);
  const bytes = new Uint8Array(readFileSync(new URL('../../www/data/digits.bin', import.meta.url)));
  const keys = catalog.run_settings; // each kind's setting names, from the core
  const SETTINGS = keys.train;
  const odd = () => r.pick([NaN, -1, 1e308, Infinity, 0, 0.5, 3, 'x', '', '((', true, null, undefined, [], {}, new Uint8Array(3), 'sgd', 'head', 'small']);
  const cleanly = (f, where, names) => {
    try {
      f()?.free?.();
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `${where}: panic ${e}`);
      assert.ok(names.includes(e.param) || e.param === 'kind', `${where}: param ${e.param} (${e.message})`);
      assert.equal(typeof e.code, 'string', where);
    }
  };
  let taken = 0;
  for (let i = 0; i < 150; i++) {
    const { state: s } = parse(`${hash(r, { plausible: 0.8 })}&panel=train`);
    const settings = Object.fromEntries(SETTINGS.map((k) => [k, s[k]]));
    try {
      check_settings('train', settings, bytes);
      taken++;
    } catch (e) {
      refusedCleanly(e, `train case ${i}: ${JSON.stringify(settings)}`);
      assert.ok(SETTINGS.includes(e.param), `train case ${i}: ${e.param} is not a Train setting`);
    }
  }
  assert.ok(taken > 20, `only ${taken} Train states taken: the generator tests too little`);
  for (let i = 0; i < 300; i++) {
    const kind = r.pick(['train', 'transfer', 'pretrain']);
    const settings = {};
    for (const k of keys[kind]) if (r.chance(0.3)) settings[k] = odd();
    const foreign = r.chance(0.2) ? r.pick(['__proto__x', 'constructor', 'lr ', 'opt2']) : null;
    if (foreign) settings[foreign] = 1;
    const names = [...keys[kind], 'zoo', ...(foreign ? [foreign] : [])];
    const where = `${kind} case ${i}: ${Object.keys(settings).join(',')}`;
    cleanly(() => check_settings(kind, settings, bytes), where, names);
    // Opening a pretraining generates the source set (seconds): only its refusals are opened here.
    if (kind !== 'pretrain' || settings.zoo !== 'small') cleanly(() => new Session(kind, settings, bytes), where, names);
  }
  cleanly(() => new Session('nonsense', {}), 'kind', ['kind']);
  cleanly(() => check_settings('train', 'not an object'), 'not an object', ['train']);
});
