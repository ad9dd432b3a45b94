// End-to-end: embedding in course notes (README "Embedding"). The Embed action's snippet, pasted into a plain page on
// another origin inside a sandboxed 700×500 iframe, shows the chart first, reports its height, and www/embed.js sizes
// the iframe; controls=0 and presets=1; bad embedding parameters are handled like any bad URL parameter; messages
// from other origins are ignored; a refused clipboard leaves the text selected in a read-only field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settled, setup } from './harness.mjs';
import { PANEL_NAMES } from '../../www/js/url/state.js';
import { startServer } from '../../tools/serve.mjs';

let h;
let host; // a plain static server on another origin (localhost, where the playground is 127.0.0.1)
let hostDir;
before(async () => {
  h = await setup();
  hostDir = await mkdtemp(join(tmpdir(), 'cnn-host-'));
  host = await startServer(hostDir, 0, 'localhost');
});
after(async () => {
  await h?.close();
  if (host) await new Promise((ok) => host.server.close(ok));
});

const PANELS = PANEL_NAMES; // every panel the page has
const FRAME = { width: 700, height: 500 };

// A host page: the author's text around the snippet, and a record of every message the page receives.
async function hostPage(name, body) {
  await writeFile(join(hostDir, name), `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course notes</title>
<link rel="icon" href="data:,">
<script>window.received = []; addEventListener('message', (e) => received.push({ origin: e.origin, data: e.data }));</script>
<body style="margin:0"><p>Notes before the view.</p>${body}<p>Notes after the view.</p></body></html>`);
  return host.url + name;
}

// A page in its own context that records errors from the host and from every frame in it.
async function openContext() {
  const context = await h.browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { context, page, problems };
}

const frameHeight = (page) => page.$eval('iframe', (f) => f.getBoundingClientRect().height);

test('the Embed action’s snippet in a sandboxed iframe on another origin: chart first, height message, sized by embed.js', async () => {
  for (const panel of PANELS) {
    // The author's side: the full page, the Embed action, the clipboard.
    const { page: full, problems: fullProblems, context: fullContext } = await h.open(`#panel=${panel}&lang=en&seed=7`);
    await settled(full, panel, 60_000);
    await full.click(`section[data-panel="${panel}"] button[data-action="embed"]`);
    await full.waitForFunction(() => document.querySelector('.panel-tools [role="status"]:not(:empty)'));
    const snippet = await full.evaluate(() => navigator.clipboard.readText());
    assert.equal(snippet, await full.inputValue('textarea[data-embed="snippet"]'), 'the field shows what was copied');
    const link = await full.inputValue('input[data-embed="link"]');
    assert.equal(link, full.url(), 'the plain link is this view in the full page');
    assert.match(snippet, /^<iframe src="[^"]+" title="CNN Playground: [^"]+" width="700" height="500" [^>]*loading="lazy" allow="clipboard-write"><\/iframe>\n<script src="[^"]+\/embed\.js" defer><\/script>$/);
    const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
    const params = new URLSearchParams(new URL(src).hash.slice(1));
    assert.equal(params.get('embed'), '1');
    assert.equal(params.get('seed'), '7', 'the view as it is now');
    assert.equal(params.get('panel'), panel);
    const id = params.get('embed_id');
    assert.ok(id, 'an id to tell the iframes apart');
    assert.deepEqual(fullProblems, []);
    await fullContext.close();

    // The reader's side: the snippet pasted as it is, with a sandbox added.
    const url = await hostPage(`${panel}.html`, snippet.replace('<iframe ', '<iframe sandbox="allow-scripts allow-same-origin" '));
    const { context, page, problems } = await openContext();
    await page.goto(url);
    const frame = page.frameLocator('iframe');
    await frame.locator(`section[data-panel="${panel}"][aria-busy="false"]`).waitFor({ timeout: 60_000 });
    assert.equal(await page.$eval('iframe', (f) => f.getAttribute('width')), String(FRAME.width));
    // The chart is in the frame's first 700×500 view: its top within, and at least 150 px of it visible; the form
    // comes after it.
    const layout = await frame.locator('body').evaluate(() => {
      const chart = document.querySelector('[data-chart]').getBoundingClientRect();
      const form = document.querySelector('form.controls');
      const chartNode = document.querySelector('[data-chart]');
      return {
        top: chart.top, height: chart.height, width: chart.width,
        formAfterChart: !!(chartNode.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING),
        formVisible: form.checkVisibility(),
        scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
        content: Math.ceil(document.documentElement.getBoundingClientRect().height),
      };
    });
    assert.ok(layout.top >= 0 && layout.top + Math.min(layout.height, 150) <= FRAME.height, `${panel}: chart at ${JSON.stringify(layout)}`);
    assert.ok(layout.width > 0, `${panel}: chart drawn`);
    assert.ok(layout.formAfterChart, `${panel}: the controls follow the chart`);
    assert.equal(layout.formVisible, false, `${panel}: the controls sit in a closed drawer`);
    assert.ok(layout.scrollWidth <= layout.clientWidth, `${panel}: nothing scrolls sideways in the frame`);
    // The height message, and embed.js acting on it.
    await page.waitForFunction(() => received.some((m) => m.data?.type === 'cnn-playground:height'));
    const message = (await page.evaluate(() => received.filter((m) => m.data?.type === 'cnn-playground:height'))).at(-1);
    assert.equal(message.origin, new URL(h.url).origin);
    assert.equal(message.data.id, id);
    assert.equal(message.data.panel, panel);
    await page.waitForFunction((want) => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - want) <= 2,
      (await page.evaluate(() => received.filter((m) => m.data?.type === 'cnn-playground:height').at(-1).data.height)) + 2);
    const sized = await frameHeight(page);
    const content = await frame.locator('body').evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    assert.ok(sized > FRAME.height && Math.abs(sized - 2 - content) <= 2, `${panel}: iframe ${sized} px for ${content} px of content (+2 px border)`);
    assert.equal(await frame.locator('body').evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1), true, `${panel}: no scrollbar inside`);
    // Opening the drawer shows the controls, and the iframe follows the new height.
    await frame.locator('details[data-drawer="controls"] > summary').click();
    assert.equal(await frame.locator('form.controls').isVisible(), true);
    await page.waitForFunction((before) => document.querySelector('iframe').getBoundingClientRect().height > before + 100, sized);
    assert.deepEqual(problems, [], panel);
    await context.close();
  }
});

test('controls=0 hides the controls, presets=1 shows the presets, and the embedded view replaces its URL', async () => {
  const { page, problems, context } = await h.open('#panel=signal&embed=1&controls=0&depth=3&width=20&batch=8', { viewport: FRAME });
  await settled(page, 'signal');
  assert.equal(await page.isVisible('form.controls'), false);
  assert.equal(await page.$('details[data-drawer="controls"]'), null, 'no drawer either');
  // Read only: no edit actions either (Reset, Copy link, Embed).
  assert.equal(await page.$('.panel-tools, [data-action="reset"], [data-action="copy-link"], [data-action="embed"]'), null);
  // The chart and its headline in view; the tables, code and notes one click away, in one closed drawer.
  assert.equal(await page.isVisible('[data-summary="ratio"]'), true);
  assert.equal(await page.$eval('details[data-drawer="more"]', (d) => d.open), false);
  assert.equal(await page.$eval('table[data-table="signal-layers"]', (t) => Boolean(t.closest('details[data-drawer="more"]'))), true);
  assert.equal(await page.isVisible('[data-chart="signal-hist"]'), true);
  assert.equal(await page.isVisible('.presets'), false, 'presets only with presets=1');
  assert.match(page.url(), /embed=1&controls=0/, 'the URL keeps the embedding parameters');
  await page.goto(`${h.url}#panel=signal&embed=1&presets=1&depth=3&width=20&batch=8`);
  await settled(page, 'signal');
  assert.equal(await page.isVisible('a[data-preset="relu_he"]'), true);
  const length = await page.evaluate(() => history.length);
  await page.click('a[data-preset="relu_he"]');
  await page.waitForFunction(() => location.hash.includes('act=relu'));
  await settled(page, 'signal');
  assert.equal(await page.evaluate(() => history.length), length, 'a preset in an embed adds no history entry');
  assert.match(page.url(), /presets=1/);
  // The link to the full page drops every embedding parameter.
  const open = await page.getAttribute('.open-full', 'href');
  assert.ok(!/embed|controls|presets/.test(open), open);
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad embedding parameters: a notice each, the defaults, no crash, nothing injected', async () => {
  const { page, problems, context } = await h.open(
    '#panel=init&embed=1&controls=maybe&presets=2&embed_id=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&samples=1000', { viewport: FRAME });
  await settled(page, 'init');
  const notices = await page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
  for (const param of ['controls', 'presets', 'embed_id']) assert.ok(notices.some((n) => n.includes(`“${param}”`)), `${param}: ${notices}`);
  assert.equal(await page.$('#notices img, section img'), null, 'the value is shown as text only');
  assert.equal(await page.isVisible('details[data-drawer="controls"] > summary'), true, 'controls default: in the drawer');
  assert.equal(await page.isVisible('.presets'), false);
  assert.ok(!page.url().includes('embed_id'), 'the rejected id is gone from the URL');
  // embed itself wrong: not embedded, a notice, the full page.
  await page.goto(`${h.url}#panel=init&embed=yes&controls=0&samples=1000`);
  await page.waitForFunction(() => document.querySelectorAll('#notices .notice').length > 0);
  await settled(page, 'init');
  assert.equal(await page.isVisible('.site-header'), true);
  assert.equal(await page.isVisible('form.controls'), true, 'controls=0 is read only in an embedded view');
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed.js ignores height messages from other origins and from windows that are not its iframes', async () => {
  const src = `${h.url}#panel=init&embed=1&samples=1000&embed_id=real`;
  await writeFile(join(hostDir, 'evil.html'), `<!doctype html><meta charset="utf-8"><title>Not the playground</title>
<script>parent.postMessage({ type: 'cnn-playground:height', id: 'real', panel: 'init', height: 1234 }, '*');</script>`);
  const url = await hostPage('spoof.html', `<iframe src="${src}" title="view" width="700" height="500" sandbox="allow-scripts allow-same-origin"></iframe>
<script src="${h.url}embed.js"></script>`);
  const { context, page, problems } = await openContext();
  await page.goto(url);
  await page.frameLocator('iframe').locator('section[data-panel="init"][aria-busy="false"]').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('iframe').dataset.cnnPlaygroundHeight);
  const sized = await frameHeight(page);
  assert.notEqual(sized, 500, 'the real view resized its iframe');
  // The host page itself, and the same iframe once navigated to another origin, claim a height: nothing moves.
  await page.evaluate(() => postMessage({ type: 'cnn-playground:height', id: 'real', height: 777 }, '*'));
  await page.evaluate((evil) => { document.querySelector('iframe').contentWindow.location = evil; }, `${host.url}evil.html`);
  await page.waitForFunction(() => received.some((m) => m.data?.height === 1234));
  await page.waitForFunction(() => received.some((m) => m.data?.height === 777));
  await page.waitForTimeout(100);
  assert.equal(await frameHeight(page), sized, 'still the real view’s height');
  // Loaded twice, it is installed once.
  await page.addScriptTag({ url: `${h.url}embed.js` });
  assert.equal(await page.evaluate(() => window.cnnPlaygroundEmbed.version), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a refused clipboard leaves the snippet and the link selected in read-only fields', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=ko');
  await settled(page, 'init'); // a reload during the first load would abort its wasm request
  await page.addInitScript(() => {
    Object.defineProperty(navigator.clipboard, 'writeText', { value: () => Promise.reject(new DOMException('refused', 'NotAllowedError')) });
  });
  await page.reload();
  await settled(page, 'init');
  await page.click('button[data-action="embed"]');
  await page.waitForFunction(() => document.activeElement?.dataset.embed === 'snippet');
  const selection = await page.evaluate(() => {
    const f = document.activeElement;
    return { start: f.selectionStart, end: f.selectionEnd, length: f.value.length, readOnly: f.readOnly, value: f.value };
  });
  assert.ok(selection.readOnly && selection.start === 0 && selection.end === selection.length && selection.length > 100, JSON.stringify(selection));
  assert.match(selection.value, /title="CNN 플레이그라운드: 가중치 초기화"/);
  assert.match(await page.textContent('.panel-tools'), /Ctrl\+C/);
  await page.click('button[data-action="copy-link"]');
  await page.waitForFunction(() => document.activeElement?.classList.contains('copy-fallback'));
  assert.equal(await page.evaluate(() => document.activeElement.value), page.url());
  assert.deepEqual(problems, []);
  await context.close();
});
