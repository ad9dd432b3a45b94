// Downloads (www/js/ui/figure-download.js, www/js/ui/script-download.js): a chart as SVG drawn by the same plotters
// code (real text, the view's link in its metadata, well-formed XML) and as PNG at 2× the chart's pixels;
// and the Train view's run as a PyTorch script with the run's exact settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup, settled } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

// Width and height from a PNG's IHDR chunk.
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG signature');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('a chart downloads as SVG with its text and link, and as PNG at twice its pixels', async () => {
  const { page, problems, context } = await h.open('#panel=signal&act=relu&depth=5&width=20');
  await settled(page, 'signal');
  const svg = await download(page, 'button[data-action="download-svg"][data-download-chart="signal-layers"]');
  assert.match(svg.name, /^cnn-playground-signal-layers-.*relu.*\.svg$/);
  const text = svg.bytes.toString('utf8');
  // Well-formed: the browser's own XML parser accepts it, and it has real <text> elements with the chart's words.
  const parsed = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    return {
      error: error ? error.textContent : null,
      root: doc.documentElement.localName,
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()).filter(Boolean),
      source: doc.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'source')[0]?.textContent,
    };
  }, text);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.ok(parsed.texts.length >= 5, `real text: ${parsed.texts.join(' | ')}`);
  assert.equal(parsed.source, page.url(), 'the view’s link in the metadata');
  const size = await page.$eval('canvas[data-chart="signal-layers"]', (c) => [c.width, c.height]);
  assert.ok(text.includes(`viewBox="0 0 ${size[0]} ${size[1]}"`), 'the layout of the canvas on screen');
  const png = await download(page, 'button[data-action="download-png"][data-download-chart="signal-layers"]');
  assert.match(png.name, /^cnn-playground-signal-layers-.*\.png$/);
  assert.deepEqual(pngSize(png.bytes), [2 * size[0], 2 * size[1]]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Train view downloads its run as a PyTorch script with the run’s settings and split', async () => {
  const { page, problems, context } = await h.open('#panel=train&lr=0.05&bs=16&epochs=2&per_class=10&seed=3');
  await settled(page, 'train');
  const script = await download(page, 'button[data-action="download-script"]');
  assert.match(script.name, /^cnn-playground-train.*\.py$/);
  const text = script.bytes.toString('utf8');
  for (const needle of ['BATCH_SIZE = 16\n', 'SEED = 3\n', 'lr=0.05', 'STEPS = 13 ', 'from sklearn.datasets import load_digits', 'TRAIN = [']) {
    assert.ok(text.includes(needle), `the script has ${needle}`);
  }
  assert.ok(text.includes(`# The page's link / 페이지 링크: ${page.url()}`), 'the link in the header');
  assert.deepEqual(problems, []);
  await context.close();
});
