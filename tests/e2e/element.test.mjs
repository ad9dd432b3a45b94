// End-to-end: the <cnn-playground> element (www/js/element.js) in a host page served with the playground's files:
// attributes are the URL parameters (same parsing, notices and defaults), views share one wasm download, start when
// scrolled into view, follow attribute changes, and never touch the host page's location.hash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { canvasStats } from './canvas-stats.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// The page's own CSP (www/index.html), so the element is tested under it.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

// A host page at /host-test/page.html (served by a route on the playground's origin) with `body` as its markup.
async function host(body, { lang = 'en' } = {}) {
  const wasm = [];
  const opened = await h.open('host-test/page.html', {
    async prepare(context) {
      context.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
      await context.route('**/host-test/page.html', (route) => route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
          <meta http-equiv="Content-Security-Policy" content="${CSP}"><link rel="icon" href="data:,">
          <script type="module" src="/js/element.js"></script></head><body>${body}</body></html>`,
      }));
    },
  });
  return { ...opened, wasm };
}

const settledIn = (page, id, panel, timeout = 30_000) =>
  page.waitForSelector(`#${id} section[data-panel="${panel}"][aria-busy="false"]`, { timeout });

const layerCount = (page, id) => page.$eval(`#${id} table[data-table="signal-layers"]`, (t) => t.tBodies[0].rows.length);

test('attributes are the URL parameters: the view draws with them and the host hash stays untouched', async () => {
  const { page, problems, context } = await host('<cnn-playground id="a" panel="signal" act="relu" init="he_normal" depth="4" width="50" batch="20"></cnn-playground>');
  await settledIn(page, 'a', 'signal');
  assert.equal(await layerCount(page, 'a'), 4);
  assert.equal(await page.$eval('#a select[name="act"]', (s) => s.value), 'relu');
  assert.equal(await page.$eval('#a select[name="init"]', (s) => s.value), 'he_normal');
  const stats = (await page.$eval('#a canvas[data-chart="signal-layers"]', canvasStats)).colours;
  assert.ok(stats > 3, `the chart is drawn (${stats} colours)`);
  // A control edit stays in the element: no hash, no history entry.
  const entries = await page.evaluate(() => history.length);
  await page.selectOption('#a select[name="act"]', 'tanh');
  await settledIn(page, 'a', 'signal');
  assert.equal(await page.evaluate(() => location.hash), '');
  assert.equal(await page.evaluate(() => history.length), entries);
  assert.equal(await page.$eval('#a .notices', (n) => n.textContent), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad and unknown attributes give notices and defaults, and nothing is injected', async () => {
  const { page, problems, context } = await host(`<cnn-playground id="b" panel="init" init="bogus" seed="1e3" samples="-5"
      x-evil="&lt;img src=x onerror=alert(1)&gt;" shape="&lt;b&gt;hi&lt;/b&gt;"></cnn-playground>`);
  await settledIn(page, 'b', 'init');
  const notices = await page.$$eval('#b .notice span', (s) => s.map((x) => x.textContent));
  for (const name of ['init', 'seed', 'samples', 'x-evil', 'shape']) {
    assert.ok(notices.some((n) => n.includes(`“${name}”`)), `a notice names ${name}: ${notices.join(' | ')}`);
  }
  assert.ok(notices.every((n) => n.startsWith('Attribute') || n.startsWith('Unknown attribute')), notices.join(' | '));
  assert.equal(await page.$eval('#b select[name="init"]', (s) => s.value), 'he_normal');
  assert.equal(await page.$eval('#b input[name="seed"]', (s) => s.value), '42');
  assert.equal(await page.$$eval('#b img, #b b', (x) => x.length), 0, 'no markup from attributes');
  assert.deepEqual(problems, []);
  await context.close();
});

test('two views share one wasm download, and each keeps its own run', async () => {
  const { page, problems, context, wasm } = await host(`
    <cnn-playground id="c1" panel="signal" act="tanh" init="xavier_normal" depth="3" width="40" batch="20"></cnn-playground>
    <cnn-playground id="c2" panel="signal" act="relu" init="he_normal" depth="6" width="40" batch="20"></cnn-playground>`);
  await settledIn(page, 'c1', 'signal');
  await settledIn(page, 'c2', 'signal');
  assert.equal(await layerCount(page, 'c1'), 3);
  assert.equal(await layerCount(page, 'c2'), 6);
  const workers = await page.evaluate(async () => (await import('/js/compute/runs.js')).runs.workers().length);
  assert.ok(workers >= 1, `the probes ran in workers (${workers})`);
  assert.equal(wasm.length, 1, `one wasm download for the page and its workers: ${wasm.join(', ')}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a view starts only when scrolled into view', async () => {
  const { page, problems, context, wasm } = await host(`<div style="height: 4000px">spacer</div>
    <cnn-playground id="d" panel="init" samples="1000"></cnn-playground>`);
  await page.waitForTimeout(1500);
  assert.equal(await page.$('#d section'), null, 'no view before it is near');
  assert.equal(await page.$eval('#d', (e) => e.hasAttribute('data-started')), false);
  assert.equal(wasm.length, 0, 'no wasm before a view starts');
  await page.$eval('#d', (e) => e.scrollIntoView());
  await settledIn(page, 'd', 'init');
  assert.equal(wasm.length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing an attribute updates the view; a bad new value gives a notice', async () => {
  const { page, problems, context } = await host('<cnn-playground id="e" panel="signal" depth="3" width="40" batch="20"></cnn-playground>');
  await settledIn(page, 'e', 'signal');
  const section = await page.$('#e section[data-panel="signal"]');
  await page.$eval('#e', (e) => e.setAttribute('depth', '5'));
  await page.waitForFunction(() => document.querySelector('#e table[data-table="signal-layers"]').tBodies[0].rows.length === 5);
  await settledIn(page, 'e', 'signal');
  assert.ok(await section.evaluate((s) => s.isConnected), 'the same view updated, not mounted afresh');
  // The person's edit inside the view stays when another attribute changes.
  await page.selectOption('#e select[name="act"]', 'relu');
  await settledIn(page, 'e', 'signal');
  await page.$eval('#e', (e) => e.setAttribute('width', '30'));
  await page.waitForFunction(() => document.querySelector('#e input[name="width"]').value === '30');
  assert.equal(await page.$eval('#e select[name="act"]', (s) => s.value), 'relu');
  await page.$eval('#e', (e) => e.setAttribute('depth', 'many'));
  await page.waitForSelector('#e .notice');
  assert.match(await page.$eval('#e .notice span', (s) => s.textContent), /“depth”.*“many”.*default “10”/);
  await settledIn(page, 'e', 'signal');
  assert.equal(await layerCount(page, 'e'), 10);
  // Another panel and another language: mounted afresh from all the attributes.
  await page.$eval('#e', (e) => { e.setAttribute('lang', 'ko'); e.setAttribute('panel', 'init'); });
  await settledIn(page, 'e', 'init');
  assert.equal(await page.$eval('#e [data-action="reset"]', (b) => b.textContent), '기본값으로');
  assert.equal(await page.$eval('#e .cnn-view', (v) => v.lang), 'ko');
  assert.equal(await page.evaluate(() => location.hash), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a view removed from the page frees its panel and closes its runs', async () => {
  const { page, problems, context } = await host('<cnn-playground id="f" panel="signal" depth="40" width="1000" batch="2000"></cnn-playground>');
  await page.waitForSelector('#f section[data-panel="signal"][data-run-state="running"]');
  const live = () => page.evaluate(async () => (await import('/js/compute/runs.js')).runs.list().filter((r) => r.live && r.owner?.includes('@element')).length);
  assert.ok(await live() >= 1, 'the probe runs');
  await page.$eval('#f', (e) => e.remove());
  // Polled from node: waitForFunction would take the predicate's promise itself as a truthy answer.
  for (const until = Date.now() + 10_000; (await live()) > 0 && Date.now() < until; ) await page.waitForTimeout(50);
  assert.equal(await live(), 0);
  assert.deepEqual(problems, [], 'no wasm object left allocated, no error');
  await context.close();
});
