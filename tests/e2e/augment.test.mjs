// End-to-end: the data augmentation studio.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { canvasInfo, settled, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const gridRows = (page) => page.$$eval('table[data-table="augment-grid"] tbody tr', (r) => r.map((x) => x.cells[1].textContent));
const notices = (page) => page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));

test('the grid renders for every built-in sample', async () => {
  for (const src of ['digit6', 'arrow', 'scene', 'zoneplate']) {
    const { page, problems, context } = await h.open(`#panel=augment&src=${src}&n=9&seed=3`);
    await settled(page, 'augment');
    const info = await canvasInfo(page, 'augment-grid');
    // The source (tile 0) and 9 tiles: 4 columns of 128 px with 4 px gaps.
    assert.equal(info.width, 4 * 128 + 3 * 4, src);
    assert.ok(info.colours > 20, `${src}: ${info.colours} colours`);
    assert.equal((await gridRows(page)).length, 10);
    const worker = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname.endsWith('/js/compute/worker.js')));
    assert.ok(worker, 'the grid is computed in the worker');
    assert.deepEqual(problems, [], src);
    await context.close();
  }
});

test('the same URL gives identical pixels, another seed other samples', async () => {
  const hash = '#panel=augment&src=scene&aug=resizedcrop~hflip~jitter(b0.4_c0.4_s0.4_h0.05)~noise(sigma0.05)&n=4&seed=11';
  const a = await h.open(hash);
  await settled(a.page, 'augment');
  const b = await h.open(hash);
  await settled(b.page, 'augment');
  assert.deepEqual(await canvasInfo(a.page, 'augment-grid'), await canvasInfo(b.page, 'augment-grid'));
  assert.deepEqual(await gridRows(a.page), await gridRows(b.page));
  const c = await h.open(hash.replace('seed=11', 'seed=12'));
  await settled(c.page, 'augment');
  assert.notEqual((await canvasInfo(c.page, 'augment-grid')).hash, (await canvasInfo(a.page, 'augment-grid')).hash);
  for (const x of [a, b, c]) await x.context.close();
});

test('each tile says which steps ran with the drawn parameters', async () => {
  const { page, context } = await h.open('#panel=augment&src=digit6&aug=rotate(deg30_bilinear)~hflip(p0)&n=4&seed=5');
  await settled(page, 'augment');
  const [source, ...rows] = await gridRows(page);
  assert.equal(source, 'the source, untouched');
  assert.equal(rows.length, 4, 'n counts the augmented tiles');
  for (const r of rows) {
    const angle = Number(/rotate \(angle (-?[\d.]+)°\)/.exec(r)?.[1]);
    assert.ok(Math.abs(angle) <= 30, r); // drawn from [−30°, 30°]
    assert.ok(!r.includes('hflip'), 'a step with p=0 never runs');
  }
  await context.close();
});

test('a vertical flip of the 6 warns that it becomes a mirrored 9, a 180° rotation that it becomes a 9', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=translate');
  await settled(page, 'augment');
  assert.equal(await page.$$eval('[data-risk]', (r) => r.length), 0, 'no warning for a small shift');
  await page.click('a[data-preset="six_to_nine"]');
  await settled(page, 'augment');
  assert.ok(await page.isVisible('[data-risk="vflip_digit_6_9"]'));
  assert.match(await page.textContent('[data-risk="vflip_digit_6_9"]'), /a mirrored 9/);
  assert.match(await page.textContent('[data-risk="rotation_digit_6_9"]'), /at 180°, a true 9/);
  assert.match(page.url(), /aug=vflip~rotate\(deg180_bilinear\)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the step editor writes the pipeline into the URL', async () => {
  const { page, context } = await h.open('#panel=augment&src=digit6&aug=translate&n=4');
  await settled(page, 'augment');
  await page.selectOption('select[name="add-step"]', 'vflip');
  await settled(page, 'augment');
  assert.match(page.url(), /aug=translate~vflip(&|$)/);
  await page.fill('li[data-step="vflip"] input[aria-label="vflip p"]', '0.9');
  await page.press('li[data-step="vflip"] input[aria-label="vflip p"]', 'Tab');
  await settled(page, 'augment');
  assert.match(page.url(), /aug=translate~vflip\(p0\.9\)/);
  await page.fill('li[data-step="vflip"] input[aria-label="vflip p"]', '7');
  await page.press('li[data-step="vflip"] input[aria-label="vflip p"]', 'Tab');
  assert.match(await page.textContent('[data-error="aug"]'), /between 0 and 1/);
  assert.match(page.url(), /aug=translate~vflip\(p0\.9\)/, 'a refused value keeps the pipeline');
  await page.click('li[data-step="translate"] button[aria-label="Remove"]');
  await settled(page, 'augment');
  assert.match(page.url(), /aug=vflip\(p0\.9\)(&|$)/);
  await context.close();
});

test('the pipeline is exported as torchvision and Albumentations code', async () => {
  const { page, context } = await h.open('#panel=augment&src=digit6&aug=hflip~rotate(deg30_bilinear)~noise(sigma0.05)');
  await settled(page, 'augment');
  const [torch, album] = await page.$$eval('.code pre code', (c) => c.map((x) => x.textContent));
  assert.match(torch, /v2\.RandomHorizontalFlip\(p=0\.5\)/);
  assert.match(torch, /v2\.RandomRotation\(degrees=30, interpolation=InterpolationMode\.BILINEAR/);
  assert.match(album, /A\.HorizontalFlip\(p=0\.5\)/);
  assert.match(album, /A\.Rotate\(limit=30/);
  await context.close();
});

// A picture encoded by the browser itself: 64 × 48, red with a blue 16 × 16 square at (8, 8).
async function encode(page, type) {
  const b64 = await page.evaluate(async (mime) => {
    const c = new OffscreenCanvas(64, 48);
    const g = c.getContext('2d');
    g.fillStyle = '#ff0000'; g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#0000ff'; g.fillRect(8, 8, 16, 16);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: mime, quality: 1 })).arrayBuffer());
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  }, type);
  return Buffer.from(b64, 'base64');
}
const makePng = (page) => encode(page, 'image/png');

test('your own PNG becomes the source; a file that is not an image is refused by name', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=hflip(p1)&n=4');
  await settled(page, 'augment');
  await page.setInputFiles('input[type="file"]', { name: 'red.png', mimeType: 'image/png', buffer: await makePng(page) });
  await page.waitForFunction(() => location.hash.includes('src=own'));
  await settled(page, 'augment');
  const info = await canvasInfo(page, 'augment-grid');
  // The source (tile 0) and 4 tiles: 3 columns, 2 rows of 64 × 48.
  assert.equal(info.width, 3 * 64 + 2 * 4);
  assert.equal(info.height, 2 * 48 + 4);
  // Tile 0 is the source: the blue square at x in [8, 24). Tile 1 (68 px to the right) is mirrored (hflip p=1): the
  // square sits at the right, x in [40, 56) of the tile.
  const px = (x, y) => page.$eval('canvas[data-chart="augment-grid"]', (c, [x, y]) => [...c.getContext('2d').getImageData(x, y, 1, 1).data].slice(0, 3), [x, y]);
  assert.deepEqual(await px(15, 15), [0, 0, 255]);
  assert.deepEqual(await px(68 + 47, 15), [0, 0, 255]);
  const before = await canvasInfo(page, 'augment-grid');

  await page.setInputFiles('input[type="file"]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await page.waitForFunction(() => document.querySelector('[data-error="file"]').textContent.length > 0);
  assert.match(await page.textContent('[data-error="file"]'), /notes\.txt.*could not be read as an image/);
  assert.deepEqual(await canvasInfo(page, 'augment-grid'), before, 'the previous image and grid stay');

  await page.setInputFiles('input[type="file"]', { name: 'broken.png', mimeType: 'image/png', buffer: (await makePng(page)).subarray(0, 60) });
  await page.waitForFunction(() => document.querySelector('[data-error="file"]').textContent.includes('broken.png'));
  assert.deepEqual(await canvasInfo(page, 'augment-grid'), before);
  assert.deepEqual(problems, []);

  // The own image survives a language switch (the panel is rebuilt).
  await page.click('button[data-lang="ko"]');
  await settled(page, 'augment');
  assert.deepEqual(await canvasInfo(page, 'augment-grid'), before);
  await context.close();
});

// "New seed" posts the grid before the URL is written, and the worker keeps an own image between grids instead of
// converting it again: the grid it shows must be the one a fresh upload gives at the seed in the URL, and a second
// upload (same size, other pixels) must replace the image the worker holds.
test('New seed on an own image: the same grid as a fresh upload at that seed; a new upload replaces the image', async () => {
  const aug = 'rotate(deg30_bilinear)~noise(sigma0.1)';
  const seedOf = (page) => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('seed'));
  const a = await h.open(`#panel=augment&src=digit6&aug=${aug}&n=4&seed=5`);
  await settled(a.page, 'augment');
  await a.page.setInputFiles('input[type="file"]', { name: 'red.png', mimeType: 'image/png', buffer: await makePng(a.page) });
  await a.page.waitForFunction(() => location.hash.includes('src=own'));
  await settled(a.page, 'augment');
  const first = await canvasInfo(a.page, 'augment-grid');
  for (let i = 0; i < 2; i++) {
    const before = await seedOf(a.page);
    await a.page.click('.reseed');
    await settled(a.page, 'augment');
    assert.notEqual(await seedOf(a.page), before);
  }
  const seed = await seedOf(a.page);
  const reseeded = await canvasInfo(a.page, 'augment-grid');
  assert.notEqual(reseeded.hash, first.hash, 'another seed, other samples');

  const b = await h.open(`#panel=augment&src=digit6&aug=${aug}&n=4&seed=${seed}`);
  await settled(b.page, 'augment');
  await b.page.setInputFiles('input[type="file"]', { name: 'red.png', mimeType: 'image/png', buffer: await makePng(b.page) });
  await b.page.waitForFunction(() => location.hash.includes('src=own'));
  await settled(b.page, 'augment');
  assert.deepEqual(await canvasInfo(b.page, 'augment-grid'), reseeded);
  assert.deepEqual(await gridRows(b.page), await gridRows(a.page));

  // The JPEG of the same picture: the same size, slightly other pixels.
  await a.page.setInputFiles('input[type="file"]', { name: 'red.jpg', mimeType: 'image/jpeg', buffer: await encode(a.page, 'image/jpeg') });
  await settled(a.page, 'augment'); // the change handler marks the panel busy at once
  assert.equal(await seedOf(a.page), seed);
  const replaced = await canvasInfo(a.page, 'augment-grid');
  assert.equal(replaced.width, reseeded.width);
  assert.notEqual(replaced.hash, reseeded.hash, 'the new image, not the one the worker held');
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
  for (const x of [a, b]) await x.context.close();
});

// The browser's JPEG with an EXIF APP1 segment spliced in after SOI: Orientation = 6, "rotate 90° clockwise to
// display".
async function exifJpeg(page) {
  const jpeg = await encode(page, 'image/jpeg');
  const app1 = Buffer.from([0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // APP1, length 34, "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, first IFD at 8
    0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, // 1 entry: Orientation = 6
    0x00, 0x00, 0x00, 0x00]); // no next IFD
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

// A valid grey PNG of 12000 × 9000 pixels (108 million, above the 100 million limit) that is only ~100 KB on disk.
function giganticPng() {
  const [w, h] = [12000, 9000];
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0; // 8-bit greyscale
  const raw = Buffer.alloc((w + 1) * h); // filter byte 0 and black pixels on every row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

test('EXIF orientation is respected, and a gigantic image is refused before it is decoded', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=&n=1');
  await settled(page, 'augment');
  await page.setInputFiles('input[type="file"]', { name: 'phone.jpg', mimeType: 'image/jpeg', buffer: await exifJpeg(page) });
  await page.waitForFunction(() => location.hash.includes('src=own'));
  await settled(page, 'augment');
  const info = await canvasInfo(page, 'augment-grid');
  assert.deepEqual([info.width, info.height], [2 * 48 + 4, 64], 'the source and one tile, shown upright: 48 wide, 64 tall');
  // Rotated 90° clockwise, the square moves from the top left to the top right: x in [24, 40), y in [8, 24).
  const [r, , b] = await page.$eval('canvas[data-chart="augment-grid"]', (c) => [...c.getContext('2d').getImageData(31, 15, 1, 1).data]);
  assert.ok(b > 150 && r < 100, `pixel (31, 15) = ${r}, ${b}`);
  const before = await canvasInfo(page, 'augment-grid');

  await page.setInputFiles('input[type="file"]', { name: 'huge.png', mimeType: 'image/png', buffer: giganticPng() });
  await page.waitForFunction(() => document.querySelector('[data-error="file"]').textContent.includes('huge.png'));
  assert.match(await page.textContent('[data-error="file"]'), /12000×9000/);
  assert.deepEqual(await canvasInfo(page, 'augment-grid'), before);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile settings give a notice naming the problem and keep a working grid', async () => {
  const cases = [
    ['aug=rotate(deg400)', 'aug', 'step 1 (rotate)'],
    ['aug=hflip(p2)', 'aug', 'step 1 (hflip)'],
    ['aug=jitter(bNaN)', 'aug', 'step 1 (jitter)'],
    ['aug=explode', 'aug', 'explode'],
    ['aug=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'aug', ''],
    ['n=65', 'n', '64'],
    ['n=0', 'n', '64'],
    ['src=own', 'src', ''],
    ['src=..%2F..%2Fetc%2Fpasswd', 'src', 'digit6'],
  ];
  for (const [hash, param, detail] of cases) {
    const { page, problems, context } = await h.open(`#panel=augment&${hash}`);
    await settled(page, 'augment');
    const n = await notices(page);
    assert.ok(n.some((x) => x.includes(`“${param}”`) && x.includes(detail)), `${hash}: ${JSON.stringify(n)}`);
    assert.ok((await canvasInfo(page, 'augment-grid')).colours > 20, `${hash}: the grid still draws`);
    assert.equal(await page.$$eval('script', (s) => s.length), 1);
    assert.deepEqual(problems, [], hash);
    await context.close();
  }
});

// The RGBA bytes of grid tile i (the canvas is the grid at its own resolution), as a string for comparing.
async function tilePixels(page, i) {
  return page.evaluate((i) => {
    const c = document.querySelector('canvas[data-chart="augment-grid"]');
    const b = document.querySelector(`button.tile[data-tile="${i}"]`);
    const [x, y, w, h] = ['left', 'top', 'width', 'height'].map((k, j) => Math.round((parseFloat(b.style[k]) / 100) * (j % 2 ? c.height : c.width)));
    return Array.from(c.getContext('2d').getImageData(x, y, w, h).data).join(',');
  }, i);
}

test('tile 0 is the untouched source, and n still counts the augmented tiles 1…n', async () => {
  // A step that never runs: every tile is the source, so tile 0 must equal tile 1.
  const quiet = await h.open('#panel=augment&src=arrow&aug=hflip(p0)&n=3&seed=4');
  await settled(quiet.page, 'augment');
  const source = await tilePixels(quiet.page, 0);
  assert.equal(await tilePixels(quiet.page, 1), source);
  assert.equal(await quiet.page.$$eval('button.tile', (b) => b.length), 4);
  // With a real pipeline, tile 0 stays the same picture and the others differ from it.
  const busy = await h.open('#panel=augment&src=arrow&aug=rotate(deg40_bilinear)~noise(sigma0.1)&n=3&seed=4');
  await settled(busy.page, 'augment');
  assert.equal(await tilePixels(busy.page, 0), source);
  assert.notEqual(await tilePixels(busy.page, 1), source);
  assert.equal(await busy.page.$eval('table[data-table="augment-grid"] tr[data-tile="0"] td:last-child', (td) => td.textContent), 'the source, untouched');
  for (const x of [quiet, busy]) await x.context.close();
});

test('tiles are numbered, badged when their drawn parameters can change the label, and read out by tap and keyboard', async () => {
  const { page, problems, context } = await h.open('#panel=augment&src=digit6&aug=vflip~rotate(deg180_bilinear)&n=16&seed=42');
  await settled(page, 'augment');
  const tiles = await page.$$eval('button.tile', (b) => b.map((x) => ({ n: x.querySelector('.tile-number').textContent, badge: x.querySelector('[data-badge]')?.dataset.badge ?? null })));
  assert.deepEqual(tiles.map((x) => x.n), Array.from({ length: 17 }, (_, i) => String(i)));
  const rows = await gridRows(page);
  // A badge exactly where the tile's row says why, and both kinds of tile occur with this seed.
  tiles.forEach((x, i) => assert.equal(x.badge !== null, rows[i].includes('⚠'), `tile ${i}: ${rows[i]}`));
  assert.ok(tiles.some((x) => x.badge === 'upside_down') && tiles.slice(1).some((x) => x.badge === null));
  assert.equal(tiles[0].badge, null, 'the source has no badge');
  // Tap (click) and keyboard (focus, then Tab to the next tile) both fill the readout beside the grid.
  await page.click('button.tile[data-tile="2"]');
  assert.match(await page.textContent('[data-readout]'), /^Tile 2/);
  await page.keyboard.press('Tab');
  assert.match(await page.textContent('[data-readout]'), /^Tile 3/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.tile), '3');
  const badged = tiles.findIndex((x) => x.badge === 'upside_down');
  await page.focus(`button.tile[data-tile="${badged}"]`);
  assert.match(await page.textContent('[data-readout]'), /upside down: can change the label/);
  // Beside the grid on a laptop screen: the readout's top is level with the grid's.
  const [grid, readout] = await Promise.all(['canvas[data-chart="augment-grid"]', '[data-readout]'].map((q) => page.$eval(q, (e) => e.getBoundingClientRect().toJSON())));
  assert.ok(readout.left >= grid.right && Math.abs(readout.top - grid.top) < 40, JSON.stringify({ grid, readout }));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the editor spells parameters out', async () => {
  const { page, context } = await h.open('#panel=augment&src=scene&aug=jitter(b0.4_c0.4)~resizedcrop(smin0.5)&n=2');
  await settled(page, 'augment');
  const labels = await page.$$eval('.steps .param', (l) => l.map((x) => x.textContent.trim()));
  for (const name of ['brightness (b)', 'contrast (c)', 'min scale (smin)', 'antialias (aa)', 'probability (p)']) {
    assert.ok(labels.some((l) => l.startsWith(name)), `${name} in ${JSON.stringify(labels)}`);
  }
  const rows = await gridRows(page);
  assert.match(rows[1], /brightness ×[\d.]+/);
  await context.close();
});
