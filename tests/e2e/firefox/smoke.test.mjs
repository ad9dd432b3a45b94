// End-to-end smoke suite in headless Firefox (Debian's firefox-esr through geckodriver): every panel loads with no
// page error, settles, draws and fills its tables; the worker path works; a hostile hash shows its notice; and the
// places where Firefox differs from Chromium (clipboard, image decoding, wasm features) degrade gracefully.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canvasInfo, settled as chromiumSettled, setup as chromiumSetup } from '../harness.mjs';
import { charts, notices, settled, setup, tables } from './harness.mjs';
import { canvasStats } from '../canvas-stats.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// What each known panel must show with its default settings (README, "Hooks for tests"); a panel not listed here
// still has to load cleanly, settle, and draw or fill whatever charts and tables it has. `idle` names the charts and
// tables of a panel that stay empty until a person starts something (a training run, say).
const EXPECTED = {
  init: { charts: ['init-hist'], rows: { 'init-hist': 80, 'init-stats': 7 } },
  signal: { charts: ['signal-hist', 'signal-layers'], rows: { 'signal-hist': 10, 'signal-layers': 10 } },
  augment: { charts: ['augment-grid'], rows: { 'augment-grid': 17 } }, // the source (tile 0) and 16 tiles
  // Nothing trains before Start; the drawing pad is blank until a stroke, and its 8×8 an empty grid (two colours: its
  // own test below), its tables without rows.
  train: {
    charts: [], rows: {},
    idle: ['train-curves', 'train-filters', 'train-confusion', 'train-misclassified', 'draw-pad', 'draw-probs', 'draw-digit'],
  },
  // The quadrant experiment waits for Start; what each strategy trains and costs is shown before.
  transfer: { charts: [], rows: { 'transfer-strategies': 5 }, idle: ['transfer-quadrants', 'transfer-curves'] },
};

// A drawn chart has more than a handful of colours and a luminance spread well above zero (a blank canvas has 0).
function assertDrawn(panel, name, c) {
  assert.ok(c.width > 20 && c.height > 20, `${panel}: canvas ${name} is ${c.width}×${c.height}`);
  assert.ok(c.colours > 5 && c.spread > 1, `${panel}: canvas ${name} looks blank (${c.colours} colours, spread ${c.spread})`);
}

// Classic WebDriver has no console log: the page hook is the suite's only eye, so check that it sees what it must
// (an error event, an unhandled rejection, console.error, a missing resource). Firefox runs WebDriver scripts in a
// sandbox whose own errors never reach the page, hence dispatched events rather than thrown ones.
test('the problem record sees page errors, rejections, console errors and failed loads', async () => {
  await h.open('#panel=init');
  await settled(h.ff, 'init');
  await h.ff.execute(() => new Promise((done) => {
    dispatchEvent(new ErrorEvent('error', { message: 'probe-error' }));
    dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: Promise.resolve(), reason: 'probe-rejection' }));
    console.error('probe-console');
    const img = new Image();
    img.onerror = done;
    img.src = '/probe-missing.png';
    document.body.append(img);
  }));
  const seen = (await h.problems()).join('\n');
  for (const what of ['pageerror: probe-error', 'unhandledrejection: probe-rejection', 'console.error: probe-console', 'resource: IMG', 'HTTP 404: /probe-missing.png']) {
    assert.ok(seen.includes(what), `${what} not recorded in:\n${seen}`);
  }
});

test('every panel loads without a page error, settles, draws its charts and fills its tables', async () => {
  await h.open('#panel=init');
  await settled(h.ff, 'init');
  const panels = await h.ff.execute(() => [...document.querySelectorAll('.site-nav a[data-panel]')].map((a) => a.dataset.panel));
  for (const name of Object.keys(EXPECTED)) assert.ok(panels.includes(name), `the nav lists ${name}: ${panels}`);
  for (const panel of panels) {
    await h.open(`#panel=${panel}`);
    await settled(h.ff, panel);
    const drawn = await charts(h.ff, panel);
    const rows = await tables(h.ff, panel);
    const expected = { charts: [], rows: {}, idle: [], ...EXPECTED[panel] };
    for (const name of expected.idle) { delete drawn[name]; delete rows[name]; }
    for (const name of expected.charts) assert.ok(name in drawn, `${panel}: canvas[data-chart="${name}"] missing`);
    for (const [name, c] of Object.entries(drawn)) assertDrawn(panel, name, c);
    for (const [name, n] of Object.entries(expected.rows)) assert.ok(rows[name] >= n, `${panel}: table ${name} has ${rows[name]} rows, expected ≥ ${n}`);
    for (const [name, n] of Object.entries(rows)) assert.ok(n > 0, `${panel}: table ${name} is empty`);
    assert.deepEqual(await h.problems(), [], panel);
  }
});

test('the drawing pad before a stroke: the guide on the pad, ten classes with empty bars, the 8×8 as an empty grid', async () => {
  await h.open('#panel=train&lang=ko');
  await settled(h.ff, 'train');
  await h.ff.waitFor('[data-draw]', () => document.querySelector('[data-draw]')?.dataset.drawState === 'empty', [], 30_000);
  const seen = await h.ff.execute(`() => {
    const stats = ${canvasStats};
    const g = document.querySelector('[data-guide="draw"]');
    const pad = document.querySelector('canvas[data-chart="draw-pad"]').getBoundingClientRect();
    const gr = g.getBoundingClientRect();
    return {
      guide: g.hidden ? null : g.textContent,
      guideInside: gr.width > 0 && gr.left >= pad.left && gr.right <= pad.right && gr.top >= pad.top && gr.bottom <= pad.bottom,
      rows: [...document.querySelectorAll('[data-chart="draw-probs"] .draw-prob-row')].map((r) => [r.firstChild.textContent, r.querySelector('.draw-bar').getBoundingClientRect().width, r.querySelector('.draw-prob').textContent]),
      digit: stats(document.querySelector('canvas[data-chart="draw-digit"]')),
    };
  }`);
  assert.equal(seen.guide, '여기에 숫자를 그리세요');
  assert.ok(seen.guideInside, 'the guide sits on the pad');
  assert.deepEqual(seen.rows, Array.from({ length: 10 }, (_, k) => [String(k), 0, '–']));
  // Light cells and the grid's lines: two colours, not blank.
  assert.equal(seen.digit.width, 97);
  assert.equal(seen.digit.colours, 2);
  assert.ok(seen.digit.spread > 10, `spread ${seen.digit.spread}`);
  assert.deepEqual(await h.problems(), []);
});

test('the worker path: a signal probe completes with one table row per layer', async () => {
  await h.open('#panel=signal&depth=7&width=60&batch=30&act=relu&init=he_normal&seed=5');
  await settled(h.ff, 'signal');
  const rows = await h.ff.execute(() => {
    const table = document.querySelector('table[data-table="signal-layers"]');
    const cols = [...table.tHead.rows[0].cells].map((c) => c.dataset.col);
    return [...table.tBodies[0].rows].map((r) => Object.fromEntries([...r.cells].map((c, i) => [cols[i], Number(c.textContent)])));
  });
  assert.equal(rows.length, 7);
  assert.deepEqual(rows.map((r) => r.layer), [1, 2, 3, 4, 5, 6, 7]);
  for (const r of rows) {
    for (const col of ['act_std', 'grad_x_std', 'grad_w_std']) assert.ok(Number.isFinite(r[col]) && r[col] > 0, `layer ${r.layer} ${col} = ${r[col]}`);
    // ReLU after He initialization: about half the units are off in every layer (30 × 60 of them: ±0.1 is > 10 σ).
    assert.ok(Math.abs(r.saturated - 0.5) < 0.1, `layer ${r.layer} dead fraction ${r.saturated}`);
  }
  assert.equal((await tables(h.ff, 'signal'))['signal-hist'], 7);
  for (const [name, c] of Object.entries(await charts(h.ff, 'signal'))) assertDrawn('signal', name, c);
  assert.deepEqual(await h.problems(), []);
});

test('the lecture page: its <cnn-playground> views start when scrolled to and draw, sharing the one module', async () => {
  await h.ff.navigate('about:blank');
  await h.ff.navigate(`${h.url}notes/#lang=en`);
  for (const id of ['view-augment', 'view-vanishing', 'view-init', 'view-he']) {
    await h.ff.execute((i) => document.getElementById(i).scrollIntoView(), id);
    await h.ff.waitFor(`#${id} settled`, (i) => document.querySelector(`#${i} section[data-panel][aria-busy="false"]`) !== null, [id], 60_000);
    const drawn = await h.ff.execute(`(i) => {
      const stats = ${canvasStats};
      return [...document.querySelectorAll('#' + i + ' section canvas[data-chart]')].map((c) => stats(c)).filter((c) => c.colours > 5).length;
    }`, id);
    assert.ok(drawn >= 1, `${id}: a chart is drawn`);
  }
  const wasm = await h.ff.execute(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
  assert.equal(wasm, 1, 'one wasm download for the page and its workers');
  assert.deepEqual(await h.problems(), []);
});

test('a hostile hash shows a notice naming the parameter, and the panel works on the default', async () => {
  await h.open('#panel=init&seed=abc');
  await settled(h.ff, 'init');
  const texts = await notices(h.ff);
  assert.ok(texts.some((t) => t.includes('“seed”')), `notices: ${JSON.stringify(texts)}`);
  assert.match(await h.ff.execute(() => location.hash), /seed=42/);
  assertDrawn('init', 'init-hist', (await charts(h.ff, 'init'))['init-hist']);
  assert.deepEqual(await h.problems(), []);
});

test('copying code: Firefox either copies or says how to copy by hand, never fails silently', async (t) => {
  await h.open('#panel=init&lang=en');
  await settled(h.ff, 'init');
  await h.ff.click('section[data-panel="init"] button.copy');
  const status = await h.ff.waitFor('the copy status', () => document.querySelector('.copy-status').textContent);
  assert.ok(['Copied', 'Copy failed: select the text and copy it by hand.'].includes(status), status);
  t.diagnostic(`clipboard in Firefox: ${status}`);
  assert.deepEqual(await h.problems(), []);
});

// The JPEG is encoded by Firefox itself; an EXIF APP1 segment spliced in after SOI says Orientation = 6 ("rotate 90°
// clockwise to display"), which createImageBitmap(…, { imageOrientation: 'from-image' }) must apply.
test('your own image: Firefox decodes it with its EXIF orientation, and a non-image is refused by name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnn-firefox-'));
  try {
    await h.open('#panel=augment&src=digit6&aug=&n=1');
    await settled(h.ff, 'augment');
    const b64 = await h.ff.execute(async () => {
      const c = new OffscreenCanvas(64, 48);
      const g = c.getContext('2d');
      g.fillStyle = '#ff0000'; g.fillRect(0, 0, 64, 48);
      g.fillStyle = '#0000ff'; g.fillRect(8, 8, 16, 16);
      const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg', quality: 1 })).arrayBuffer());
      let s = '';
      for (const x of bytes) s += String.fromCharCode(x);
      return btoa(s);
    });
    const jpeg = Buffer.from(b64, 'base64');
    const app1 = Buffer.from([0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00,
      0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const photo = join(dir, 'phone.jpg');
    await writeFile(photo, Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]));
    await h.ff.sendKeys('input[type="file"]', photo);
    await h.ff.waitFor('src=own', () => location.hash.includes('src=own'));
    await settled(h.ff, 'augment');
    const grid = (await charts(h.ff, 'augment'))['augment-grid'];
    assert.deepEqual([grid.width, grid.height], [2 * 48 + 4, 64], 'the source (tile 0) and one tile, upright: 48 wide, 64 tall');
    // Rotated 90° clockwise, the blue square moves from the top left to the top right: x in [24, 40), y in [8, 24).
    const [r, , b] = await h.ff.execute(() => [...document.querySelector('canvas[data-chart="augment-grid"]').getContext('2d').getImageData(31, 15, 1, 1).data]);
    assert.ok(b > 150 && r < 100, `pixel (31, 15) = ${r}, ${b}`);

    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'not an image');
    await h.ff.sendKeys('input[type="file"]', notes);
    const error = await h.ff.waitFor('the file error', () => document.querySelector('[data-error="file"]').textContent);
    assert.match(error, /notes\.txt.*could not be read as an image/);
    assert.deepEqual((await charts(h.ff, 'augment'))['augment-grid'], grid, 'the previous image and grid stay');
    assert.deepEqual(await h.problems(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A link promises the same numbers in any browser: the tables come from the same wasm, and the augmentation grid is
// the wasm's own pixels (put on the canvas unchanged). Charts are not compared: their text is measured and drawn
// with each browser's fonts. The probe is left out: its GEMM may one day use relaxed SIMD, which is reproducible only
// within one browser (CLARIFICATIONS).
test('the same URL gives the same tables, and the same augmentation pixels, as in Chromium', async () => {
  const chromium = await chromiumSetup();
  const readTables = () => Object.fromEntries([...document.querySelectorAll('section[data-panel] table[data-table]')]
    .map((t) => [t.dataset.table, [...t.tBodies[0].rows].map((r) => r.textContent)]));
  try {
    for (const hash of ['#panel=init&init=xavier_uniform&shape=64x3x3x3&seed=7', '#panel=augment&src=scene&n=6&seed=3']) {
      const panel = hash.match(/panel=(\w+)/)[1];
      await h.open(hash);
      await settled(h.ff, panel);
      const { page, context } = await chromium.open(hash);
      await chromiumSettled(page, panel);
      const inFirefox = await h.ff.execute(readTables);
      assert.ok(Object.values(inFirefox).every((rows) => rows.length > 0) && Object.keys(inFirefox).length > 0, hash);
      assert.deepEqual(inFirefox, await page.evaluate(readTables), hash);
      if (panel === 'augment') {
        const { hash: pixels } = (await charts(h.ff, panel))['augment-grid'];
        assert.equal(pixels, (await canvasInfo(page, 'augment-grid')).hash, `${hash}: grid pixels`);
      }
      await context.close();
    }
  } finally {
    await chromium.close();
  }
  assert.deepEqual(await h.problems(), []);
});

// Not a requirement on Firefox, a record of it: the wasm features the kernels may use, as this Firefox reports them.
test('wasm features: simd128 validates (the build needs it); relaxed SIMD is reported', async (t) => {
  const features = await h.ff.execute(() => {
    // (func (result v128) v128.const 0 …) and the same with f32x4.relaxed_madd of three of them.
    const head = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0];
    const konst = [253, 12, ...new Array(16).fill(0)];
    const body = (ops) => [10, ops.length + 4, 1, ops.length + 2, 0, ...ops, 11];
    const simd = new Uint8Array([...head, ...body(konst)]);
    const relaxed = new Uint8Array([...head, ...body([...konst, ...konst, ...konst, 253, 133, 2])]);
    return { simd128: WebAssembly.validate(simd), relaxed: WebAssembly.validate(relaxed), ua: navigator.userAgent };
  });
  t.diagnostic(`${features.ua}: simd128 ${features.simd128}, relaxed SIMD ${features.relaxed}`);
  assert.equal(features.simd128, true);
});
