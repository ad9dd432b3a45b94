// Downloads (www/js/ui/figure-download.js, www/js/ui/script-download.js): a chart as SVG drawn by the same plotters
// code (real text, the view's link in its metadata, well-formed XML) and as PNG at 2× the chart's pixels;
// and the Train view's run as a PyTorch script with the run's exact settings. A chart that is a <div> laid out by the
// page (the activation maps under Train and under the drawing pad, the probability bars) downloads as the layout on
// screen: one <image> per canvas at its place with the canvas's own pixels, its labels as <text>, and as PNG at 2×.
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

// Clicks the div chart's SVG and PNG buttons and checks the files against the chart on the page: the SVG parses, has
// one <image> per canvas at the canvas's place and size holding exactly its pixels, the labels' words as <text> in
// the page's font size, the title and link; the PNG is twice the chart's size on screen.
async function checkDivChart(page, chart, labels) {
  await page.$eval(`div[data-chart="${chart}"]`, (d) => d.scrollIntoView({ block: 'center' }));
  const svg = await download(page, `button[data-action="download-svg"][data-download-chart="${chart}"]`);
  assert.match(svg.name, new RegExp(`^cnn-playground-${chart}(-.*)?\\.svg$`));
  const r = await page.evaluate(async ([s, chart, labels]) => {
    const box = document.querySelector(`div[data-chart="${chart}"]`);
    const outer = box.getBoundingClientRect();
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    const canvases = [...box.querySelectorAll('canvas')];
    const images = [...doc.querySelectorAll('image')];
    const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 0.01);
    const placed = canvases.map((c, i) => {
      const r = c.getBoundingClientRect();
      const st = getComputedStyle(c);
      const want = [r.left - outer.left + parseFloat(st.borderLeftWidth), r.top - outer.top + parseFloat(st.borderTopWidth), c.clientWidth, c.clientHeight];
      const got = images[i] && ['x', 'y', 'width', 'height'].map((k) => Number(images[i].getAttribute(k)));
      return got && near(got, want) ? null : { i, want, got };
    }).filter(Boolean);
    // Each image, brought back to its canvas's pixel size without smoothing, is the canvas's pixels exactly.
    const samePixels = [];
    for (const [i, c] of canvases.entries()) {
      const img = new Image();
      img.src = images[i].getAttribute('href');
      await img.decode();
      const back = document.createElement('canvas');
      [back.width, back.height] = [c.width, c.height];
      const ctx = back.getContext('2d');
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0, c.width, c.height);
      const a = ctx.getImageData(0, 0, c.width, c.height).data;
      const b = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      samePixels.push(img.naturalWidth % c.width === 0 && img.naturalWidth >= 2 * c.clientWidth && a.every((v, j) => v === b[j]));
    }
    const texts = [...doc.querySelectorAll('text')];
    const words = texts.map((t) => t.textContent).join(' ');
    const sizes = [...box.querySelectorAll(labels)].map((l) => getComputedStyle(l).fontSize);
    return {
      error: error && error.textContent,
      canvases: canvases.length,
      images: images.length,
      pixelated: images.every((i) => i.getAttribute('style') === 'image-rendering:pixelated'),
      placed,
      samePixels,
      labels: [...box.querySelectorAll(labels)].map((l) => l.textContent.replace(/\s+/g, ' ').trim()),
      words,
      sizes: [...new Set(sizes)],
      textSizes: [...new Set(texts.map((t) => t.getAttribute('font-size')))],
      title: doc.querySelector('title')?.textContent,
      source: doc.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'source')[0]?.textContent,
      viewBox: doc.documentElement.getAttribute('viewBox'),
      size: [Math.ceil(outer.width), Math.ceil(outer.height)],
    };
  }, [svg.bytes.toString('utf8'), chart, labels]);
  assert.equal(r.error, null);
  assert.ok(r.canvases > 0, `${chart} has canvases`);
  assert.equal(r.images, r.canvases, 'one <image> per canvas');
  assert.ok(r.pixelated);
  assert.deepEqual(r.placed, [], 'each image where its canvas is, at its size');
  assert.deepEqual(r.samePixels, r.samePixels.map(() => true), 'each image holds its canvas’s pixels, scaled up by a whole factor');
  assert.ok(r.labels.length > 0);
  for (const label of r.labels) assert.ok(r.words.includes(label), `the label ${label} in ${r.words}`);
  assert.ok(r.sizes.every((size) => r.textSizes.includes(size)), `font sizes ${r.sizes} among ${r.textSizes}`);
  assert.match(r.title, /^CNN Playground — /);
  assert.equal(r.source, page.url(), 'the view’s link in the metadata');
  assert.equal(r.viewBox, `0 0 ${r.size[0]} ${r.size[1]}`);
  const png = await download(page, `button[data-action="download-png"][data-download-chart="${chart}"]`);
  assert.match(png.name, new RegExp(`^cnn-playground-${chart}(-.*)?\\.png$`));
  assert.deepEqual(pngSize(png.bytes), [2 * r.size[0], 2 * r.size[1]]);
  return { svg, png };
}

test('the activation maps under Train and under the drawing pad download as SVG and PNG of their layout', async () => {
  const { page, problems, context } = await h.open('#panel=train&data=digits&per_class=5&bs=16&seed=3&epochs=2');
  await page.waitForSelector('section[data-panel="train"][data-run-state="idle"]', { timeout: 30_000 });
  await page.click('button[data-action="start"]');
  await page.waitForSelector('section[data-panel="train"][data-run-state="done"]', { timeout: 120_000 });
  await checkDivChart(page, 'train-maps', '.map-label');
  // A stroke on the pad: its maps, and the bars of the ten probabilities (a div chart without canvases).
  await page.waitForSelector('[data-draw][data-draw-state="empty"]', { timeout: 30_000 });
  const pad = 'canvas[data-chart="draw-pad"]';
  await page.$eval(pad, (c) => c.scrollIntoView({ block: 'center' }));
  const b = await page.$eval(pad, (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  await page.mouse.move(b.x + b.w / 2, b.y + b.h * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(b.x + b.w / 2, b.y + b.h * (0.15 + (0.7 * i) / 12));
  await page.mouse.up();
  await page.waitForSelector('[data-draw][data-draw-state="shown"][aria-busy="false"]', { timeout: 30_000 });
  await checkDivChart(page, 'draw-maps', '.map-label');
  const bars = await download(page, 'button[data-action="download-svg"][data-download-chart="draw-probs"]');
  const parsed = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      fills: [...doc.querySelectorAll('rect')].map((r) => r.getAttribute('fill')) };
  }, bars.bytes.toString('utf8'));
  const shown = await page.$$eval('[data-chart="draw-probs"] .draw-prob', (v) => v.map((x) => x.textContent));
  assert.equal(parsed.error, null);
  assert.deepEqual(parsed.texts.filter((t) => /^\d$/.test(t)), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(parsed.texts.filter((t) => t.endsWith('%')), shown);
  assert.ok(parsed.fills.includes('#0072b2'), 'the bars');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the augmentation grid downloads as SVG and as PNG at twice its size on screen', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&n=9&seed=3');
  await settled(page, 'augment');
  const svg = await download(page, 'button[data-action="download-svg"][data-download-chart="augment-grid"]');
  assert.match(svg.name, /^cnn-playground-augment-grid.*\.svg$/);
  const parsed = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, rects: doc.querySelectorAll('rect').length,
      source: doc.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'source')[0]?.textContent };
  }, svg.bytes.toString('utf8'));
  assert.equal(parsed.error, null);
  assert.ok(parsed.rects > 1000, `the grid's pixels as rects: ${parsed.rects}`);
  assert.equal(parsed.source, page.url());
  const size = await page.$eval('canvas[data-chart="augment-grid"]', (c) => [c.clientWidth, c.clientHeight]);
  const png = await download(page, 'button[data-action="download-png"][data-download-chart="augment-grid"]');
  assert.deepEqual(pngSize(png.bytes), [2 * size[0], 2 * size[1]]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a div chart of plotters charts (the transfer lab’s quadrants) nests each as vector SVG with its text', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=quadrants&zoo=small&repeats=2&seed=7');
  await page.waitForSelector('section[data-panel="transfer"][data-run-state="idle"]', { timeout: 60_000 });
  await page.$eval('div[data-chart="transfer-curves"]', (d) => d.scrollIntoView({ block: 'start' }));
  const svg = await download(page, 'button[data-action="download-svg"][data-download-chart="transfer-curves"]');
  const r = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    const box = document.querySelector('div[data-chart="transfer-curves"]').getBoundingClientRect();
    const nested = [...doc.documentElement.querySelectorAll('svg')];
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      images: doc.querySelectorAll('image').length,
      nested: nested.map((n) => ({ texts: [...n.querySelectorAll('text')].map((t) => t.textContent.trim()), metadata: n.querySelectorAll('metadata').length })),
      places: nested.map((n) => ['x', 'y', 'width', 'height'].map((k) => Number(n.getAttribute(k)))),
      canvases: [...document.querySelectorAll('div[data-chart="transfer-curves"] canvas')].map((c) => {
        const r = c.getBoundingClientRect();
        const st = getComputedStyle(c);
        return [r.left - box.left + parseFloat(st.borderLeftWidth), r.top - box.top + parseFloat(st.borderTopWidth), c.clientWidth, c.clientHeight];
      }),
      headings: [...document.querySelectorAll('div[data-chart="transfer-curves"] h3')].map((x) => x.textContent),
      texts: [...doc.querySelectorAll(':root > text')].map((t) => t.textContent),
    };
  }, svg.bytes.toString('utf8'));
  assert.equal(r.error, null);
  assert.equal(r.images, 0, 'no pixels: every chart is vector');
  assert.equal(r.nested.length, 4, 'the four quadrants');
  for (const n of r.nested) {
    assert.ok(n.texts.includes('step') && n.texts.includes('accuracy'), `the chart's own text: ${n.texts}`);
    assert.equal(n.metadata, 0, 'one metadata, the document’s');
  }
  r.places.forEach((p, i) => assert.ok(p.every((v, j) => Math.abs(v - r.canvases[i][j]) <= 0.01), `${p} vs ${r.canvases[i]}`));
  for (const heading of r.headings) assert.ok(r.texts.includes(heading), `${heading} in ${r.texts}`);
  assert.deepEqual(problems, []);
  await context.close();
});
