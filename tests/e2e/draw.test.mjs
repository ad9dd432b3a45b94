// End-to-end: the drawing pad in the Train panel (www/js/panels/draw/draw.js, src/draw.rs). A "1" drawn as a
// vertical line with the mouse gives the 8×8 computed by hand in tests/draw.rs and is read as a 1; a ring drawn with
// touch pointer events is read as a 0; Undo (button and Ctrl+Z) and Clear; the keyboard path (a validation image
// picked from the list); a hostile drawing (more strokes than the core takes) is refused with a message, and the pad
// keeps working. The probabilities are shown, in a table that sums to 1. Before the first stroke (and after Clear) the
// pad shows its empty state: the guide on the pad, the ten classes with empty bars, the 8×8 as an empty grid.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const PAD = 'canvas[data-chart="draw-pad"]';
const updates = (page) => page.$eval('[data-draw]', (w) => Number(w.dataset.updates ?? 0));
const drawState = (page) => page.$eval('[data-draw]', (w) => w.dataset.drawState);
// Waits for a prediction newer than `n` to be shown, with nothing left in flight.
async function shownAfter(page, n) {
  await page.waitForFunction((n) => {
    const w = document.querySelector('[data-draw]');
    return Number(w.dataset.updates ?? 0) > n && w.getAttribute('aria-busy') === 'false' && w.dataset.drawState === 'shown';
  }, n, { timeout: 30_000 });
  await page.waitForTimeout(100); // a last frame's request, if any, settles
  await page.waitForFunction(() => document.querySelector('[data-draw]').getAttribute('aria-busy') === 'false');
}
const digitTable = (page) => page.$$eval('table[data-table="draw-digit"] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => Number(c.textContent))));
const probs = (page) => page.$$eval('table[data-table="draw-probs"] tbody tr', (rows) => rows.map((r) => Number(r.cells[1].textContent)));
const top = (page) => page.$eval('[data-top]', (o) => o.textContent);

// The empty state, as a student sees it before the first stroke: the guide on the pad (in the page's language), ten
// rows 0…9 with empty bars and a dash, the 8×8 as an empty 8 × 12 px grid (light cells, darker lines), no top class, and
// the tables with their columns and no rows.
async function assertEmptyState(page, guide) {
  const seen = await page.evaluate(() => {
    const g = document.querySelector('[data-guide="draw"]');
    const pad = document.querySelector('canvas[data-chart="draw-pad"]').getBoundingClientRect();
    const gr = g.getBoundingClientRect();
    const digit = document.querySelector('canvas[data-chart="draw-digit"]');
    const px = (x, y) => Array.from(digit.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
    return {
      guide: g.hidden ? null : g.textContent,
      guideInside: gr.width > 0 && gr.left >= pad.left && gr.right <= pad.right && gr.top >= pad.top && gr.bottom <= pad.bottom,
      rows: [...document.querySelectorAll('[data-chart="draw-probs"] .draw-prob-row')].map((r) => [r.firstChild.textContent, r.querySelector('.draw-bar').getBoundingClientRect().width, r.querySelector('.draw-prob').textContent]),
      outputs: document.querySelector('.draw-outputs').dataset.state,
      probsShown: document.querySelector('[data-chart="draw-probs"]').getClientRects().length > 0,
      digit: { w: digit.width, h: digit.height, shown: digit.getClientRects().length > 0, line: px(12, 40), cell: px(6, 6) },
      top: document.querySelector('[data-top]').hidden,
      tables: ['draw-probs', 'draw-digit'].map((t) => {
        const table = document.querySelector(`table[data-table="${t}"]`);
        return [table.tHead.rows[0].cells.length, table.tBodies[0].rows.length];
      }),
    };
  });
  assert.equal(seen.guide, guide);
  assert.ok(seen.guideInside, 'the guide sits on the pad');
  assert.equal(seen.outputs, 'empty');
  assert.ok(seen.probsShown);
  assert.deepEqual(seen.rows, Array.from({ length: 10 }, (_, k) => [String(k), 0, '–']));
  assert.deepEqual(seen.digit, { w: 97, h: 97, shown: true, line: [154, 154, 154], cell: [242, 242, 242] });
  assert.equal(seen.top, true);
  assert.deepEqual(seen.tables, [[2, 0], [8, 0]]);
}

async function padBox(page) {
  await page.$eval(PAD, (c) => c.scrollIntoView({ block: 'center' }));
  return page.$eval(PAD, (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
}

// A vertical line with the mouse, in steps (each a pointermove).
async function mouseLine(page, box, [x0, y0], [x1, y1], steps = 12) {
  await page.mouse.move(box.x + x0, box.y + y0);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(box.x + x0 + ((x1 - x0) * i) / steps, box.y + y0 + ((y1 - y0) * i) / steps);
  await page.mouse.up();
}

// A stroke of touch pointer events dispatched on the pad (points in pad pixels).
function touchStroke(page, points, id = 7) {
  return page.$eval(PAD, (pad, { points, id }) => {
    const r = pad.getBoundingClientRect();
    const ev = (type, [x, y]) => pad.dispatchEvent(new PointerEvent(type, {
      pointerId: id, pointerType: 'touch', isPrimary: true, bubbles: true, cancelable: true, button: 0, buttons: 1,
      clientX: r.left + x, clientY: r.top + y,
    }));
    ev('pointerdown', points[0]);
    for (const p of points.slice(1)) ev('pointermove', p);
    ev('pointerup', points.at(-1));
  }, { points, id });
}

// The hand-computed counts of a vertical line (tests/draw.rs): columns 3 and 4 hold 7, 8, 8, 8, 8, 8, 8, 7.
const LINE = [7, 8, 8, 8, 8, 8, 8, 7];
const ONE = LINE.map((v) => [0, 0, 0, v, v, 0, 0, 0]);

function assertProbabilities(p) {
  assert.equal(p.length, 10);
  // Each shown to 4 decimals: the ten roundings move the sum by at most 10 × 0.00005.
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= 5e-4 + 1e-12, `sum ${p}`);
  assert.ok(p.every((q) => q >= 0 && q <= 1));
}

test('a "1" drawn with the mouse: the 8×8 computed by hand, ten probabilities summing to 1, the top class, the maps', async () => {
  const { page, problems, context } = await h.open('#panel=train');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('select[data-control="draw-example"]')?.options.length > 100, null, { timeout: 30_000 });
  assert.match(await page.$eval('[data-draw-source]', (p) => p.textContent), /shipped digits model/);
  await assertEmptyState(page, 'Draw a digit here');
  const box = await padBox(page);
  const n = await updates(page);
  await mouseLine(page, box, [box.w / 2, box.h * 0.15], [box.w / 2, box.h * 0.85]);
  await shownAfter(page, n);
  assert.equal(await page.$eval('[data-guide="draw"]', (g) => g.hidden), true, 'the guide leaves at the first stroke');
  assert.equal(await page.$eval('.draw-outputs', (o) => o.dataset.state), 'shown');
  assert.deepEqual(await digitTable(page), ONE);
  const p = await probs(page);
  assertProbabilities(p);
  assert.equal(await top(page), '1');
  assert.equal(p.indexOf(Math.max(...p)), 1);
  // The bars show the same numbers.
  const bars = await page.$$eval('[data-chart="draw-probs"] .draw-prob', (s) => s.map((x) => x.textContent));
  assert.equal(bars.length, 10);
  assert.match(bars[1], /%$/);
  // The input and one row per layer of the default net (8 layers).
  assert.equal(await page.$$eval('[data-chart="draw-maps"] canvas', (c) => c.length), 9);
  assert.deepEqual(problems, []);
  await context.close();
});

test('touch strokes, Undo (button and Ctrl+Z) and Clear', async () => {
  const { page, problems, context } = await h.open('#panel=train');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 30_000 });
  const box = await padBox(page);
  // A ring ("0"), taller than wide, by touch.
  const ring = Array.from({ length: 49 }, (_, i) => {
    const a = (i / 48) * 2 * Math.PI;
    return [box.w / 2 + box.w * 0.25 * Math.cos(a), box.h / 2 + box.h * 0.35 * Math.sin(a)];
  });
  let n = await updates(page);
  await touchStroke(page, ring);
  await shownAfter(page, n);
  const ringTable = await digitTable(page);
  assert.equal(await top(page), '0');
  assertProbabilities(await probs(page));
  // Tall ring: ink in the first and last rows, none in the outer columns; symmetric left to right.
  assert.ok(ringTable[0].some((v) => v > 0) && ringTable[7].some((v) => v > 0));
  for (const row of ringTable) assert.deepEqual(row, [...row].reverse());
  // A second stroke (a bar across) changes the 8×8; Undo brings the ring back, Ctrl+Z then clears it to "empty".
  n = await updates(page);
  await touchStroke(page, [[box.w * 0.1, box.h / 2], [box.w * 0.9, box.h / 2]], 8);
  await shownAfter(page, n);
  assert.notDeepEqual(await digitTable(page), ringTable);
  n = await updates(page);
  await page.click('button[data-action="draw-undo"]');
  await shownAfter(page, n);
  assert.deepEqual(await digitTable(page), ringTable);
  await page.focus(PAD);
  await page.keyboard.press('Control+z');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]');
  assert.equal(await page.$eval('[data-empty="draw"]', (p) => p.hidden), false);
  // Clear after drawing again.
  n = await updates(page);
  await touchStroke(page, ring);
  await shownAfter(page, n);
  await page.click('button[data-action="draw-clear"]');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]');
  await assertEmptyState(page, 'Draw a digit here');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the keyboard path: a validation image picked from the list gets the same outputs, with its label', async () => {
  const { page, problems, context } = await h.open('#panel=train&lang=ko');
  await page.waitForFunction(() => document.querySelector('select[data-control="draw-example"]')?.options.length > 100, null, { timeout: 30_000 });
  await assertEmptyState(page, '여기에 숫자를 그리세요');
  // 451 validation images, each with its label, plus "none".
  assert.equal(await page.$eval('select[data-control="draw-example"]', (s) => s.options.length), 452);
  await page.focus('select[data-control="draw-example"]');
  const n = await updates(page);
  await page.selectOption('select[data-control="draw-example"]', '3');
  await shownAfter(page, n);
  const label = await page.$eval('select[data-control="draw-example"]', (s) => s.selectedOptions[0].textContent.match(/(\d)\)$/)[1]);
  const summary = await page.$eval('[data-summary="draw"]', (p) => p.textContent);
  assert.ok(summary.endsWith(`레이블: ${label}`), summary);
  const table = await digitTable(page);
  // The picked image shows on the pad (the guide gone): ink where its 8×8 has counts, none where it has none.
  assert.equal(await page.$eval('[data-guide="draw"]', (g) => g.hidden), true);
  const ink = await page.$eval(PAD, (c) => {
    const g = c.getContext('2d');
    return Array.from({ length: 64 }, (_, k) => g.getImageData(Math.floor(((k % 8) + 0.5) * c.width / 8), Math.floor((Math.floor(k / 8) + 0.5) * c.height / 8), 1, 1).data[3]);
  });
  assert.deepEqual(ink.map((a) => a > 0), table.flat().map((v) => v > 0));
  assert.equal(table.length, 8);
  assert.ok(table.flat().every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  // Every shipped digit fills the field's height: ink in the first and last row.
  assert.ok(table[0].some((v) => v > 0) && table[7].some((v) => v > 0));
  assertProbabilities(await probs(page));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile drawing (more strokes than the core takes) is refused with a message; the pad keeps working', async () => {
  const { page, problems, context } = await h.open('#panel=train');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 30_000 });
  await padBox(page);
  // 1,100 taps, each a stroke of one point (the core takes at most 1,024 strokes).
  await page.$eval(PAD, (pad) => {
    const r = pad.getBoundingClientRect();
    for (let i = 0; i < 1100; i++) {
      const o = { pointerId: 9, pointerType: 'pen', isPrimary: true, bubbles: true, button: 0, buttons: 1, clientX: r.left + 10 + (i % 200), clientY: r.top + 10 + Math.floor(i / 200) * 30 };
      pad.dispatchEvent(new PointerEvent('pointerdown', o));
      pad.dispatchEvent(new PointerEvent('pointerup', o));
    }
  });
  await page.waitForSelector('[data-draw][data-draw-state="error"]', { timeout: 30_000 });
  const message = await page.$eval('[data-error="drawing"]', (p) => p.textContent);
  assert.match(message, /1100 strokes; at most 1024/);
  assert.doesNotMatch(message, /panic|unreachable/i);
  // Clear, then a real drawing works again.
  await page.click('button[data-action="draw-clear"]');
  await page.waitForSelector('[data-draw][data-draw-state="empty"]');
  const box = await padBox(page);
  const n = await updates(page);
  await mouseLine(page, box, [box.w / 2, box.h * 0.2], [box.w / 2, box.h * 0.8]);
  await shownAfter(page, n);
  assert.deepEqual(await digitTable(page), ONE);
  assert.deepEqual(problems, []);
  await context.close();
});

test('once the run has trained on the digits, the pad predicts with the run’s model', async () => {
  const { page, problems, context } = await h.open('#panel=train&data=digits&per_class=5&bs=16&epochs=4&seed=3');
  await page.waitForSelector('section[data-panel="train"][data-run-state="idle"]', { timeout: 30_000 });
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 30_000 });
  await page.click('button[data-action="step"]');
  await page.waitForSelector('section[data-panel="train"][data-run-state="paused"]', { timeout: 30_000 });
  const box = await padBox(page);
  const n = await updates(page);
  await mouseLine(page, box, [box.w / 2, box.h * 0.2], [box.w / 2, box.h * 0.8]);
  await shownAfter(page, n);
  assert.equal(await page.$eval('[data-draw-source]', (p) => p.textContent), 'Predicting with the run above, after step 1.');
  assert.deepEqual(await digitTable(page), ONE); // the 8×8 does not depend on the model
  assertProbabilities(await probs(page));
  assert.deepEqual(problems, []);
  await context.close();
});
