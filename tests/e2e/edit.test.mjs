// End-to-end: edits you cannot lose. A rejected value keeps the last good one in effect, with the message next to
// the field and the person's text left in it; deliberate changes are history entries (Back undoes them); Reset and
// Copy link; no render before the wasm is ready; every wasm object freed when a panel goes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasInfo, keyedRows, settled, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const notices = (page) => page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
const hashParam = (page, name) => new URLSearchParams(new URL(page.url()).hash.slice(1)).get(name);

async function typeInto(page, selector, text) {
  await page.fill(selector, text);
  await page.press(selector, 'Tab');
}

test('a shape the core rejects keeps the last good shape, with the message next to the field', async () => {
  const { page, problems, context } = await h.open('#panel=init&shape=256x784&samples=1000&seed=1');
  await settled(page, 'init');
  await typeInto(page, 'input[name="shape"]', '64x3x3x3');
  await settled(page, 'init');
  assert.equal(hashParam(page, 'shape'), '64x3x3x3');
  const good = await keyedRows(page, 'init-stats');
  await typeInto(page, 'input[name="shape"]', '100000x100000');
  await settled(page, 'init');
  assert.equal(hashParam(page, 'shape'), '64x3x3x3', 'the last good shape, not the default 256x784');
  assert.equal(await page.inputValue('input[name="shape"]'), '100000x100000', 'the person’s text stays');
  assert.match(await page.textContent('input[name="shape"] ~ .field-error'), /shape: .*10000000000 weights is more than the limit/);
  assert.deepEqual(await keyedRows(page, 'init-stats'), good);
  assert.deepEqual(await notices(page), [], 'the message is at the field, not in a banner');
  // Correcting it clears the message.
  await typeInto(page, 'input[name="shape"]', '32x32');
  await settled(page, 'init');
  assert.equal(hashParam(page, 'shape'), '32x32');
  assert.equal(await page.textContent('input[name="shape"] ~ .field-error'), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('text a number field cannot hold stays on screen with the message, and the URL keeps the last good value', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&seed=3');
  await settled(page, 'init');
  await page.click('input[name="samples"]');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('12e');
  await page.press('input[name="samples"]', 'Tab');
  assert.match(await page.textContent('input[name="samples"] ~ .field-error'), /samples/);
  // What the person sees is still what they typed (a number input's .value is '' for it).
  const shown = await page.$eval('input[name="samples"]', (i) => i.validity.badInput || i.value === '12e');
  assert.ok(shown, 'the typed text is still in the field');
  assert.equal(hashParam(page, 'samples'), '1000');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad pipeline keeps the last good grid and shows the message at the field', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=hflip(p1)&n=4&seed=3');
  await settled(page, 'augment');
  await typeInto(page, 'input[name="aug"]', 'vflip');
  await settled(page, 'augment');
  const grid = await canvasInfo(page, 'augment-grid');
  await typeInto(page, 'input[name="aug"]', 'vflip~rotate(deg400)');
  await settled(page, 'augment');
  assert.equal(hashParam(page, 'aug'), 'vflip', 'the last good pipeline, not the default');
  assert.equal(await page.inputValue('input[name="aug"]'), 'vflip~rotate(deg400)');
  assert.match(await page.textContent('input[name="aug"] ~ .field-error'), /aug: .*step 2.*360/);
  assert.deepEqual(await canvasInfo(page, 'augment-grid'), grid, 'the grid stays');
  assert.deepEqual(await notices(page), []);
  // Another setting changes while the typo stands: the field keeps the person's text.
  await typeInto(page, 'input[name="seed"]', '4');
  await settled(page, 'augment');
  assert.equal(await page.inputValue('input[name="aug"]'), 'vflip~rotate(deg400)');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Korean page shows a Korean sentence for a core error', async () => {
  const { page, context } = await h.open('#panel=augment&src=digit6&aug=hflip&n=4&lang=ko');
  await settled(page, 'augment');
  await typeInto(page, 'input[name="aug"]', 'rotate(deg400)');
  await settled(page, 'augment');
  assert.equal(await page.textContent('input[name="aug"] ~ .field-error'), 'aug: 1단계: 0~360 범위여야 합니다 (입력: 400)');
  await context.close();
});

test('Back undoes a preset click, Forward redoes it, and the page stays', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=translate&n=4&seed=2');
  await settled(page, 'augment');
  const start = page.url();
  await page.click('a[data-preset="six_to_nine"]');
  await settled(page, 'augment');
  assert.equal(hashParam(page, 'aug'), 'vflip~rotate(deg180_bilinear)');
  await page.goBack();
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('aug') === 'translate');
  await settled(page, 'augment');
  assert.equal(page.url(), start);
  assert.equal(await page.inputValue('input[name="aug"]'), 'translate');
  assert.equal(await page.$$eval('[data-risk="vflip_digit_6_9"]', (r) => r.length), 0);
  await page.goForward();
  await page.waitForFunction(() => location.hash.includes('vflip'));
  await settled(page, 'augment');
  assert.ok(await page.isVisible('[data-risk="vflip_digit_6_9"]'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('Back undoes a signal preset and a typed setting; embed=1 adds no history', async () => {
  const { page, problems, context } = await h.open('#panel=signal&depth=3&width=20&batch=8&act=tanh&init=xavier_normal');
  await settled(page, 'signal');
  await page.click('a[data-preset="relu_he"]');
  await page.waitForFunction(() => location.hash.includes('act=relu'));
  await settled(page, 'signal');
  await page.goBack();
  await page.waitForFunction(() => location.hash.includes('act=tanh'));
  await settled(page, 'signal');
  assert.equal(await page.inputValue('select[name="act"]'), 'tanh');
  assert.equal(await page.inputValue('select[name="init"]'), 'xavier_normal');
  assert.deepEqual(problems, []);
  await context.close();

  const embed = await h.open('#panel=init&embed=1&samples=1000');
  await settled(embed.page, 'init');
  const length = await embed.page.evaluate(() => history.length);
  await embed.page.click('details[data-drawer="controls"] > summary'); // an embed's controls sit in a closed drawer
  await typeInto(embed.page, 'input[name="seed"]', '9');
  await settled(embed.page, 'init');
  assert.equal(hashParam(embed.page, 'seed'), '9');
  assert.equal(await embed.page.evaluate(() => history.length), length, 'replaceState in an embed');
  await embed.context.close();
});

test('Reset puts the panel’s defaults back and keeps the language; Copy link copies this view', async () => {
  const { page, problems, context } = await h.open('#panel=init&init=normal&std=0.5&samples=1000&seed=7&lang=ko');
  await settled(page, 'init');
  await page.click('button[data-action="copy-link"]');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, page.url());
  await page.click('button[data-action="reset"]');
  await settled(page, 'init');
  for (const [name, value] of [['init', 'he_normal'], ['std', '0.01'], ['samples', '100000'], ['seed', '42'], ['lang', 'ko']]) {
    assert.equal(hashParam(page, name), value, name);
  }
  assert.equal(await page.textContent('button[data-action="reset"]'), '기본값으로');
  await page.goBack();
  await page.waitForFunction(() => location.hash.includes('std=0.5'));
  await settled(page, 'init');
  assert.equal(await page.inputValue('select[name="init"]'), 'normal');
  // In an embed, the copied link opens the full page.
  const embed = await h.open('#panel=signal&embed=1&depth=2&width=10&batch=4');
  await settled(embed.page, 'signal');
  await embed.page.click('button[data-action="copy-link"]');
  const link = await embed.page.evaluate(() => navigator.clipboard.readText());
  assert.ok(link.includes('panel=signal') && !link.includes('embed=1'), link);
  assert.deepEqual(problems, []);
  await context.close();
  await embed.context.close();
});

test('a nav click while the wasm is still loading waits for it instead of failing', async () => {
  // The wasm takes 1.5 s to arrive, and the person clicks the nav meanwhile.
  const { page, problems, context } = await h.open('#panel=init&samples=1000');
  await settled(page, 'init'); // a reload during the first load would abort its wasm request
  await context.route('**/*.wasm', async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue(); });
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.click('.site-nav a[data-panel="augment"]');
  await settled(page, 'augment', 30_000);
  assert.equal(hashParam(page, 'panel'), 'augment');
  assert.deepEqual(await page.$$eval('#notices .notice-error', (n) => n.length), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('wasm memory stays flat across many navigations, and every panel frees its wasm objects', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000000&seed=1');
  await settled(page, 'init');
  const bytes = () => page.evaluate(() => globalThis.cnnPlayground.wasmMemoryBytes());
  const go = async (hash, panel) => {
    await page.evaluate((x) => { location.hash = x; }, hash);
    await settled(page, panel);
  };
  // Warm up (the allocator settles), then 40 navigations between the panels must not grow the memory.
  for (let i = 0; i < 3; i++) {
    await go(`#panel=augment&n=4&seed=${i}`, 'augment');
    await go(`#panel=init&samples=1000000&seed=${i}`, 'init');
  }
  const start = await bytes();
  for (let i = 0; i < 20; i++) {
    await go(`#panel=signal&depth=2&width=10&batch=4&seed=${i}`, 'signal');
    await go(`#panel=init&samples=1000000&seed=${100 + i}`, 'init');
  }
  const end = await bytes();
  // Before init.js had a dispose(), each navigation kept a 1,000,000-sample InitView: about 3.9 MB each.
  assert.ok(end - start < 4 * 2 ** 20, `wasm memory grew from ${start} to ${end} bytes over 40 navigations`);
  assert.deepEqual(problems, [], 'no panel left wasm objects allocated (main.js logs an error if one does)');
  await context.close();
});
