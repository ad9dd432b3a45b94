// End-to-end: the vanishing/exploding-signals panel, its presets, and the worker plumbing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasInfo, settled, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// The signal-layers table (or the reference run's table) as numbers: one object per layer, keyed by data-col.
async function layers(page, id = 'signal-layers') {
  return page.$eval(`table[data-table="${id}"]`, (table) => {
    const cols = [...table.tHead.rows[0].cells].map((c) => c.dataset.col);
    const value = (s) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' || s === 'n/a' ? NaN : Number(s));
    return [...table.tBodies[0].rows].map((r) => Object.fromEntries([...r.cells].map((c, i) => [cols[i], value(c.textContent)])));
  });
}

async function openPreset(preset) {
  // A net of another shape and seed first: the preset must set them all (its note quotes its own run's numbers).
  const opened = await h.open('#panel=signal&depth=3&width=20&batch=7&seed=5');
  await settled(opened.page, 'signal');
  await opened.page.click(`a[data-preset="${preset}"]`);
  await opened.page.waitForFunction((p) => document.querySelector(`a[data-preset="${p}"]`).hasAttribute('aria-current'), preset);
  await settled(opened.page, 'signal');
  return opened;
}

const PRESETS = {
  // CS231n: activations collapse to zero by layer 10.
  tanh_small(rows) {
    assert.ok(rows[9].act_std < 1e-5, `layer 10 std ${rows[9].act_std}`);
    for (let i = 1; i < 10; i++) assert.ok(rows[i].act_std < rows[i - 1].act_std, 'shrinks at every layer');
  },
  // Saturated at ±1, and the gradients grow toward the input (large weights outweigh the small slopes).
  tanh_large(rows) {
    for (const r of rows) assert.ok(r.saturated > 0.8 && r.act_std > 0.95, `layer ${r.layer}: saturated ${r.saturated}, std ${r.act_std}`);
    assert.ok(rows[0].grad_x_std > 100 * rows[9].grad_x_std, `grad_x ${rows[0].grad_x_std} vs ${rows[9].grad_x_std}`);
  },
  // Xavier keeps tanh alive: every layer spread out, no saturation to speak of.
  tanh_xavier(rows) {
    for (const r of rows) assert.ok(r.act_std > 0.1 && r.act_std < 0.9 && r.saturated < 0.05, `layer ${r.layer}`);
  },
  // ReLU + Xavier halves the variance per layer: std ratio over 9 layers ≈ (1/√2)^9 ≈ 0.044.
  relu_xavier(rows) {
    const ratio = rows[9].act_std / rows[0].act_std;
    assert.ok(ratio > 0.044 / 2 && ratio < 0.044 * 2, `ratio ${ratio}`);
    for (const r of rows) assert.ok(Math.abs(r.saturated - 0.5) < 0.05, `inactive fraction ${r.saturated}`);
  },
  // ReLU + He keeps every layer's std within a factor 2 of the first. About half the values are 0 (inactive for that
  // sample) but no unit of layer 1 is dead, and about 8 % of layer 10's are (the preset's note quotes these).
  relu_he(rows) {
    for (const r of rows) assert.ok(r.act_std > rows[0].act_std / 2 && r.act_std < rows[0].act_std * 2, `layer ${r.layer}`);
    for (const r of rows) assert.ok(Math.abs(r.saturated - 0.5) < 0.05 && r.dead < r.saturated / 4, `layer ${r.layer}: ${r.saturated} ${r.dead}`);
    assert.equal(rows[0].dead, 0);
    assert.ok(rows[9].dead > 0.06 && rows[9].dead < 0.1, `layer 10 dead ${rows[9].dead}`);
  },
  // Sigmoid: weight gradients shrink by orders of magnitude toward the input.
  sigmoid_xavier(rows) {
    assert.ok(rows[0].grad_w_std < 1e-3 * rows[9].grad_w_std, `${rows[0].grad_w_std} vs ${rows[9].grad_w_std}`);
    // The note and the lecture page quote it: about 4·10⁻⁶, close to (1/4)⁹ ≈ 3.8·10⁻⁶ (a slope of at most 1/4 over nine layers).
    const r = rows[0].grad_w_std / rows[9].grad_w_std;
    assert.ok(r > 0.25 ** 9 && r < 5e-6, `first/last ${r}`);
  },
};

// Each headline compares with the run of the usual initializer for the activation (Xavier for tanh and sigmoid, He
// for ReLU), with the numbers of the run: tanh + N(0, 0.01²) has dL/dW ≈ 3·10⁻⁵ in every layer against ≈ 5 with
// Xavier. The words come from the core's rules (src/signal.rs): "about the same size" only within ×2, and sigmoid
// with Xavier, its usual initializer, still vanishes.
const HEADLINES = {
  tanh_small: /^Every layer’s dL\/dW is about (\d·)?10⁻⁶ × the Xavier run’s \(each layer within a factor of 2 of that; the faint curves\)\. At layer 10 the activations spread (\d·)?10⁻⁶ × as widely as with Xavier\.$/,
  tanh_large: /^dL\/dW is about (\d·)?10[⁴⁵] × the Xavier run’s at layer 1 and 0\.\d × at layer 10/,
  tanh_xavier: /^This is the usual initializer for this activation \(Xavier\): the reference other runs are compared with\. The first layer’s weight gradients are /,
  relu_xavier: /^Every layer’s dL\/dW is about 0\.0\d × the He run’s .* At layer 10 the activations spread 0\.0\d × as widely as with He\.$/,
  relu_he: /^This is the usual initializer for this activation \(He\)/,
  sigmoid_xavier: /^This is the usual initializer for this activation \(Xavier\), and the gradients still vanish: Xavier assumes a slope of 1 at 0, but sigmoid’s slope there is 0\.25.* The first layer’s weight gradients are about 4·10⁻⁶ of the last layer’s\.$/,
};
const seen = {};

for (const [preset, check] of Object.entries(PRESETS)) {
  test(`preset ${preset} reproduces the CS231n behaviour`, async () => {
    const { page, problems, context } = await openPreset(preset);
    const rows = await layers(page);
    assert.equal(rows.length, 10);
    for (const r of rows) for (const col of ['act_mean', 'act_std', 'grad_x_std', 'grad_w_std']) assert.ok(Number.isFinite(r[col]), `${col} of layer ${r.layer}`);
    check(rows);
    assert.ok((await canvasInfo(page, 'signal-hist')).colours > 5, 'histograms drawn');
    assert.ok((await canvasInfo(page, 'signal-layers')).colours > 5, 'layer chart drawn');
    assert.match(page.url(), /depth=10&width=500&batch=500/);
    assert.match(page.url(), /seed=42/);
    const headline = await page.textContent('[data-summary="ratio"]');
    assert.match(headline, HEADLINES[preset], headline);
    seen[preset] = { rows, reference: await layers(page, 'signal-reference'), ranges: await page.getAttribute('canvas[data-chart="signal-layers"]', 'data-y-ranges') };
    assert.ok((await page.textContent('.preset-note')).length > 50, 'the preset explains itself');
    const again = await h.open(page.url().slice(page.url().indexOf('#')));
    await settled(again.page, 'signal');
    assert.deepEqual(await layers(again.page), rows, 'the preset URL reproduces the table');
    await again.context.close();
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the header cells carry the contract columns', async () => {
  const { page, context } = await h.open('#panel=signal&depth=2&width=10&batch=4');
  await settled(page, 'signal');
  const cols = await page.$$eval('table[data-table="signal-layers"] thead th', (th) => th.map((c) => c.dataset.col));
  assert.deepEqual(cols, ['layer', 'act_mean', 'act_std', 'grad_x_std', 'grad_w_std', 'saturated', 'dead']);
  await context.close();
});

test('the histogram table accounts for every unit of every layer', async () => {
  const { page, context } = await h.open('#panel=signal&act=relu&init=normal&std=1&depth=50&width=20&batch=8');
  await settled(page, 'signal');
  const rows = await page.$$eval('table[data-table="signal-hist"] tbody tr', (r) => r.map((x) => [...x.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 50);
  for (const [layer, lo, hi, fractions, outside, overflow] of rows) {
    const f = fractions.split(' ').map((x) => (x === 'nan' ? NaN : Number(x)));
    assert.equal(f.length, 40);
    assert.ok(Number(hi) > Number(lo));
    // Every unit is in a bin, outside the shared range, or overflowed: the fractions add up to 1 (6 digits each).
    const total = f.reduce((a, b) => a + b, 0) + Number(outside) + Number(overflow);
    assert.ok(Math.abs(total - 1) < 42 * 5e-6, `layer ${layer}: ${total}`);
  }
  await context.close();
});

test('ReLU + N(0, 1) at depth 50 overflows float32 and says so without crashing', async () => {
  const { page, problems, context } = await h.open('#panel=signal&act=relu&init=normal&std=1&depth=50');
  // Depth 50 with its reference run: a few seconds on a quiet machine; the bound only detects a hang.
  await settled(page, 'signal', 90_000);
  const rows = await layers(page);
  assert.equal(rows.length, 50);
  assert.ok(rows.some((r) => !Number.isFinite(r.act_std)), 'some layer overflowed');
  const text = await page.$$eval('table[data-table="signal-layers"] td', (tds) => tds.map((t) => t.textContent).join(' '));
  assert.match(text, /\b(inf|nan)\b/);
  assert.equal(await page.isVisible('[data-note="overflow"]'), true);
  assert.ok((await canvasInfo(page, 'signal-layers')).colours > 5);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the probe runs in a worker: the page answers while a large probe computes', async () => {
  const { page, context } = await h.open('#panel=signal&depth=50&width=1000&batch=2000');
  await page.waitForSelector('section[data-panel="signal"][aria-busy="true"]');
  // These round trips need the main thread; they complete while the probe is still busy in the worker.
  const during = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(document.querySelector('section[data-panel="signal"]').getAttribute('aria-busy')))));
  assert.equal(during, 'true');
  const workers = await page.evaluate(async () => (await import('/js/compute/runs.js')).runs.workers().map((w) => w.runs.length));
  assert.deepEqual(workers, [1], 'one worker, holding the run');
  await context.close();
});

test('changing a setting while a big probe runs cancels it', async () => {
  const { page, problems, context } = await h.open('#panel=signal&depth=50&width=1000&batch=2000');
  await page.waitForSelector('table[data-table="signal-layers"] tbody tr'); // the big run has started streaming
  await page.fill('input[name="depth"]', '3');
  await page.press('input[name="depth"]', 'Tab');
  // The big run is closed at once (a stateless probe is recomputed, never kept), not left to finish its 50 layers
  // of 1000×1000×2000; checked in the registry rather than by a clock, which a loaded machine would fool.
  const live = await page.evaluate(async () => (await import('/js/compute/runs.js')).runs.list()
    .filter((r) => r.owner === 'signal' && r.live).map((r) => r.config.depth));
  assert.deepEqual(live, [3]);
  await settled(page, 'signal', 90_000);
  const rows = await layers(page);
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => Number.isFinite(r.grad_w_std)));
  assert.match(page.url(), /depth=3/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile settings give a notice with the limits and the page keeps working', async () => {
  for (const [hash, param, limit] of [['depth=100000', 'depth', '50'], ['width=-1', 'width', '1000'], ['batch=abc', 'batch', '2000'], ['act=<svg onload=alert(1)>', 'act', 'tanh']]) {
    const { page, problems, context } = await h.open(`#panel=signal&${hash}`);
    await settled(page, 'signal');
    const notices = await page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
    assert.ok(notices.some((n) => n.includes(`“${param}”`) && n.includes(limit)), `${hash}: ${JSON.stringify(notices)}`);
    assert.equal((await layers(page)).length, 10, `${hash}: the default depth runs`);
    assert.equal(await page.$$eval('svg, #notices *[onload]', (x) => x.length), 0);
    assert.deepEqual(problems, [], hash);
    await context.close();
  }
});

test('the faint reference curves are the healthy preset of the same activation, on the same fixed axes', () => {
  const pick = (rows) => rows.map((r) => [r.act_std, r.grad_x_std, r.grad_w_std]);
  // tanh runs are compared with tanh + Xavier, ReLU runs with ReLU + He (same seed and net: the same numbers).
  for (const [preset, reference] of [['tanh_small', 'tanh_xavier'], ['tanh_large', 'tanh_xavier'], ['relu_xavier', 'relu_he']]) {
    assert.deepEqual(pick(seen[preset].reference), pick(seen[reference].rows), `${preset} against ${reference}`);
  }
  for (const preset of ['tanh_xavier', 'relu_he', 'sigmoid_xavier']) {
    assert.deepEqual(pick(seen[preset].reference), pick(seen[preset].rows), `${preset} is its own reference`);
  }
  // The numbers tanh + N(0, 0.01²)'s note quotes: dL/dW about 3·10⁻⁵ in every layer, about 5 with Xavier.
  for (const r of seen.tanh_small.rows) assert.ok(r.grad_w_std > 2.5e-5 && r.grad_w_std < 3.5e-5, `layer ${r.layer}`);
  for (const r of seen.tanh_xavier.rows) assert.ok(r.grad_w_std > 4.5 && r.grad_w_std < 6.5, `layer ${r.layer}`);
  // One fixed pair of ranges for every preset, and every preset's values inside them (nothing drawn off the scale).
  const ranges = new Set(Object.values(seen).map((s) => s.ranges));
  assert.deepEqual([...ranges], ['1e-8 1e+2 1e-8 1e+6']);
  for (const [preset, { rows }] of Object.entries(seen)) {
    for (const r of rows) {
      assert.ok(r.act_std >= 1e-8 && r.act_std <= 1e2, `${preset} layer ${r.layer} act ${r.act_std}`);
      for (const g of [r.grad_x_std, r.grad_w_std]) assert.ok(g >= 1e-8 && g <= 1e6, `${preset} layer ${r.layer} grad ${g}`);
    }
  }
});

test('the nav opens the signal panel on a preset with its note, not on the init panel\'s scheme', async () => {
  const { page, problems, context } = await h.open('#panel=init&init=he_normal&seed=7');
  await settled(page, 'init');
  await page.click('.site-nav a[data-panel="signal"]');
  await settled(page, 'signal');
  assert.equal(await page.getAttribute('a[data-preset="tanh_xavier"]', 'aria-current'), '');
  assert.ok((await page.textContent('.preset-note')).length > 50);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a sigmoid run compared with Xavier says that the Xavier run itself still vanishes', async () => {
  const { page, problems, context } = await h.open('#panel=signal&act=sigmoid&init=he_normal&depth=3&width=20&batch=8&seed=2');
  await settled(page, 'signal');
  await page.waitForFunction(() => document.querySelector('[data-summary="ratio"]').textContent !== '');
  const headline = await page.textContent('[data-summary="ratio"]');
  assert.match(headline, /the Xavier run’s .* The Xavier run itself still vanishes: Xavier assumes a slope of 1 at 0, sigmoid’s is 0\.25\.$/, headline);
  assert.deepEqual(problems, []);
  await context.close();
});

// BatchNorm before each activation (norm=bn): the activations keep one scale at every depth whatever the
// initialization, and the weight gradients still carry the initialization's scale. With BN, y = BN(cWx) = BN(Wx), so
// dL/dW at weights c·W is dL/dW at W divided by c: N(0, 0.01²) against Xavier's σ = √(2 / (500 + 500)) = 0.0447 gives
// weight gradients 4.47 times the reference's (eps 1e-5 against pre-activation variances of 0.02 or more moves that
// by well under 1 %).
test('norm=bn: one activation scale at every depth, weight gradients still scaled by the initialization', async () => {
  const xavier = Math.sqrt(2 / 1000);
  for (const [init, std] of [['normal', 0.01], ['normal', 1]]) {
    const { page, problems, context } = await h.open(`#panel=signal&act=tanh&init=${init}&std=${std}&norm=bn`);
    await settled(page, 'signal', 60_000);
    const rows = await layers(page);
    for (const r of rows) {
      assert.ok(r.act_std > rows[0].act_std / 2 && r.act_std < rows[0].act_std * 2, `std ${std}, layer ${r.layer}: ${r.act_std} vs ${rows[0].act_std}`);
    }
    const ref = await layers(page, 'signal-reference');
    const expected = xavier / std;
    for (const i of [0, 9]) {
      const ratio = rows[i].grad_w_std / ref[i].grad_w_std;
      assert.ok(Math.abs(ratio / expected - 1) < 0.05, `std ${std}, layer ${i + 1}: dL/dW ratio ${ratio}, expected ${expected}`);
    }
    const summary = await page.textContent('[data-summary="ratio"]');
    assert.match(summary, /With BatchNorm before each activation, layer 10’s activations spread .* one scale at every depth/);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// The worker sends progress at most once per frame, holding items in between; the last forward layer is the end of
// the phase the page waits for (the charts complete, bench/signal.mjs's "all forward"), so it must not wait for the
// first backward step's message. Layers of a tiny probe take microseconds: without the flush, the last forward layer
// would travel in one message with backward layers.
test('the last forward layer reaches the page in a message of its own, before any backward layer', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const messages = await page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    const run = runs.open('probe', { act: 'tanh', init: 'xavier_normal', depth: 6, width: 10, batch: 4, seed: 3 });
    const seen = [];
    run.subscribe((_, event) => { if (event.type === 'progress') seen.push(event.items.map((p) => `${p.phase[0]}${p.layer}`)); });
    await run.finished;
    return seen;
  });
  const flat = messages.flat();
  assert.deepEqual(flat, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'b6', 'b5', 'b4', 'b3', 'b2', 'b1'], 'every layer, in order');
  const last = messages.find((m) => m.includes('f6'));
  assert.ok(!last.some((x) => x.startsWith('b')), `the message with the last forward layer: ${last.join(' ')}`);
  assert.ok(messages.length <= 4, `still throttled: ${messages.length} messages (${JSON.stringify(messages)})`);
  assert.deepEqual(problems, []);
  await context.close();
});
