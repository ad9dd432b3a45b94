// Fuzz suite, page half (seeded, bounded by case count): hostile links navigated in one page, random edits through
// the controls, and crafted files. After each: no page or console error, no off-origin request (the harness), a
// notice naming the parameter of every rejected value, the panel settles, nothing injected, the last good state kept
// after a refused edit, no main-thread task longer than a freeze bound, and wasm memory that does not keep growing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import './core.mjs'; // the URL table configured with the core's lists, so parse() here predicts the page's notices
import { parse, parseValue } from '../../www/js/url/state.js';
import { boundedProbe, hash, rng } from './fuzz-gen.mjs';
import { settled, setup } from './harness.mjs';

const LINKS = 45;
const EDITS = 30;
const FREEZE_MS = 3000; // a freeze detector, not a speed goal

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// Records the longest main-thread task from the first script on.
const LONG_TASKS = () => {
  globalThis.__longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) globalThis.__longest = Math.max(globalThis.__longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
};

async function injected(page) {
  return page.evaluate(() => ({
    scripts: document.scripts.length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
    markup: [...document.querySelectorAll('#notices *, .field-error *')].filter((e) => !['DIV', 'SPAN', 'BUTTON'].includes(e.tagName)).length,
  }));
}

test('hostile links: every rejected value is named, the panel settles, nothing is injected', async (t) => {
  const r = rng(11);
  const { page, problems, context } = await h.open('#panel=init&samples=1000');
  await settled(page, 'init'); // a reload during the first load would abort its wasm request
  await page.addInitScript(LONG_TASKS);
  await page.reload();
  await settled(page, 'init');
  const memory = [];
  let named = 0;
  for (let i = 0; i < LINKS; i++) {
    let link;
    do link = hash(r); while (!boundedProbe(link));
    const where = `case ${i}: ${link.slice(0, 300)}`;
    const expected = parse(link);
    await page.evaluate((x) => { location.hash = x; }, link);
    await settled(page, expected.state.panel, 60_000).catch(() => assert.fail(`${where}: the panel did not settle`));
    const notices = await page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
    for (const p of expected.problems) {
      named += 1;
      assert.ok(notices.some((n) => p.key === 'hash_too_long' ? n.includes(String(p.args.length)) : n.includes(`“${p.param}”`)), `${where}: no notice names “${p.param}” (${p.key}); notices ${JSON.stringify(notices)}`);
    }
    assert.deepEqual(await injected(page), { scripts: 1, handlers: 0, markup: 0 }, where);
    assert.deepEqual(problems, [], where);
    memory.push(await page.evaluate(() => globalThis.cnnPlayground.wasmMemoryBytes()));
  }
  const longest = await page.evaluate(() => globalThis.__longest);
  t.diagnostic(`${LINKS} links, ${named} rejected values named, longest main-thread task ${longest.toFixed(0)} ms, wasm memory ${(memory.at(-1) / 2 ** 20).toFixed(0)} MB`);
  assert.ok(longest < FREEZE_MS, `a main-thread task took ${longest} ms`);
  // Memory may grow to the largest case's need, then must stop growing: the last third adds at most 16 MB.
  const third = memory[Math.floor(LINKS * 2 / 3)];
  assert.ok(memory.at(-1) - third <= 16 * 2 ** 20, `wasm memory ${memory.map((m) => (m / 2 ** 20).toFixed(0)).join(' ')} MB`);
  await context.close();
});

test('random edits through the controls: the URL takes what the table accepts, a refused text stays at its field', async () => {
  const r = rng(5);
  const { page, problems, context } = await h.open('#panel=init&samples=1000&seed=1');
  await settled(page, 'init');
  const texts = ['0', '-1', '1e-5', '1e400', 'abc', '<b>x</b>', '0.5', '1000000', '1000001', '12.5', '', ' 7 ', '9007199254740993', '64x3x3x3', '0x0', '100000x100000', '2e3'];
  for (let i = 0; i < EDITS; i++) {
    const name = r.pick(['std', 'a', 'slope', 'samples', 'seed', 'shape']);
    if (name !== 'shape' && name !== 'samples' && name !== 'seed') await page.selectOption('select[name="init"]', name === 'a' ? 'uniform' : name === 'std' ? 'normal' : 'he_normal');
    if (name === 'slope') await page.selectOption('select[name="nonlinearity"]', 'leaky_relu');
    await settled(page, 'init');
    const text = r.pick(texts);
    const url = (p) => new URLSearchParams(new URL(page.url()).hash.slice(1)).get(p);
    const before = url(name);
    const field = `[name="${name}"]`;
    const where = `edit ${i}: ${name} = ${JSON.stringify(text)}`;
    const typed = await page.$eval(field, (input, t) => { input.value = t; return input.value; }, text); // a number input drops what it cannot hold
    await page.$eval(field, (input) => input.dispatchEvent(new Event('change', { bubbles: true })));
    await settled(page, 'init');
    const normalized = name === 'shape' ? typed.trim() : typed;
    const accepted = 'value' in parseValue(name, normalized);
    const error = await page.$eval(`${field} ~ .field-error`, (e) => e.textContent);
    if (!accepted) {
      assert.equal(url(name), before, `${where}: the last good value stays`);
      assert.ok(error.startsWith(`${name}:`), `${where}: message at the field: ${JSON.stringify(error)}`);
    } else if (!error) {
      assert.equal(String(parseValue(name, normalized).value), url(name), where);
    } else {
      // Accepted by the table, refused by the core (a shape too large): the last good value stays.
      assert.equal(url(name), before, where);
    }
    assert.deepEqual(problems, [], where);
  }
  await context.close();
});

function png({ width, height, depth = 8, colour = 6, frames = 0 }) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = depth; ihdr[9] = colour;
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour];
  const row = 1 + (width * channels * depth) / 8;
  const raw = Buffer.alloc(row * Math.min(height, 64));
  for (let i = 0; i < raw.length; i++) raw[i] = i % row === 0 ? 0 : (i * 37) & 0xff;
  const actl = frames ? [chunk('acTL', Buffer.from([0, 0, 0, frames, 0, 0, 0, 0]))] : [];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...actl,
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('crafted files: each becomes the source or is refused by name, and a refusal keeps the last image', async (t) => {
  const gif = Buffer.from('R0lGODlhAgACAIAAAP///wAAACH/C05FVFNDQVBFMi4wAwEAAAAh+QQACgAAACwAAAAAAgACAAACAoRRADs=', 'base64'); // animated
  const files = [
    ['notes.txt', 'text/plain', Buffer.from('not an image'), 'refused'],
    ['cut.png', 'image/png', png({ width: 32, height: 32 }).subarray(0, 50), 'refused'],
    ['huge.png', 'image/png', png({ width: 100000, height: 100000, depth: 1, colour: 0 }), 'refused'],
    ['huge.gif', 'image/gif', Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(20)]), 'refused'],
    ['script.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10"/></svg>'), 'either'],
    ['deep.png', 'image/png', png({ width: 32, height: 32, depth: 16, colour: 2 }), 'accepted'],
    ['alpha.png', 'image/png', png({ width: 32, height: 24, colour: 6 }), 'accepted'],
    ['frames.png', 'image/png', png({ width: 16, height: 16, frames: 2 }), 'either'],
    ['anim.gif', 'image/gif', gif, 'either'],
  ];
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=hflip&n=1');
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await settled(page, 'augment');
  for (const [name, mimeType, buffer, outcome] of files) {
    const grid = await page.$eval('canvas[data-chart="augment-grid"]', (c) => c.toDataURL());
    await page.evaluate(() => { document.querySelector('[data-error="file"]').textContent = ''; });
    await page.setInputFiles('input[type="file"]', { name, mimeType, buffer });
    // Either the file's name appears in the file error, or a new grid is drawn from it.
    await page.waitForFunction(([n, old]) => document.querySelector('[data-error="file"]').textContent.includes(n)
      || (document.querySelector('section[data-panel="augment"]').getAttribute('aria-busy') === 'false'
        && document.querySelector('canvas[data-chart="augment-grid"]').toDataURL() !== old), [name, grid], { timeout: 20_000, polling: 100 });
    const error = await page.textContent('[data-error="file"]');
    t.diagnostic(`${name}: ${error || "accepted"}`);
    if (error) {
      assert.ok(outcome !== 'accepted', `${name} was refused: ${error}`);
      assert.ok(error.includes(name), `${name}: ${error}`);
      assert.equal(await page.$eval('canvas[data-chart="augment-grid"]', (c) => c.toDataURL()), grid, `${name}: the last image stays`);
    } else {
      assert.ok(outcome !== 'refused', `${name} was accepted`);
      await settled(page, 'augment');
    }
    if (name === 'huge.png' || name === 'huge.gif') assert.match(error, /too large|100000×100000|65535×65535/, name);
    assert.deepEqual(await injected(page), { scripts: 1, handlers: 0, markup: 0 }, name);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
