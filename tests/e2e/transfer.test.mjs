// End-to-end: the transfer lab (panel=transfer). The quadrant view runs with two repeats of the small zoo model to stay
// within make test's budget (the default experiment is bench/transfer.mjs); the init view fills its table and the
// layer-change table; the person's own buckets (images generated here) train and export; bad buckets, a k beyond the
// depth and a corrupt, truncated or foreign zoo file are refused with a message and nothing else is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasInfo, setup } from './harness.mjs';
import { canvasStats } from './canvas-stats.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const section = 'section[data-panel="transfer"]';
const waitState = (page, wanted, timeout = 600_000) => page.waitForSelector(`${section}[data-run-state="${wanted}"]`, { timeout });
const tableRows = (page, id) => page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const headers = (page, id) => page.$$eval(`table[data-table="${id}"] thead th`, (ths) => ths.map((th) => th.dataset.col));

test('the quadrant view runs every strategy in every quadrant and fills its table', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=quadrants&zoo=small&repeats=2&seed=7');
  await waitState(page, 'idle', 60_000);
  assert.deepEqual(await headers(page, 'transfer-quadrants'),
    ['size', 'sim', 'strategy', 'trainable_params', 'final_acc_mean', 'final_acc_std', 'repeats', 'steps', 'agrees', 'advised_vs']);
  const strategies = await tableRows(page, 'transfer-strategies');
  assert.deepEqual(strategies.map((r) => r[0]), ['finetune', 'freeze_k', 'head', 'scratch', 'mean_var']);
  const trainable = Object.fromEntries(strategies.map((r) => [r[0], Number(r[3])]));
  assert.ok(trainable.head < trainable.freeze_k && trainable.freeze_k < trainable.finetune, JSON.stringify(trainable));
  assert.equal(trainable.scratch, trainable.finetune);
  const flops = Object.fromEntries(strategies.map((r) => [r[0], Number(r[4])]));
  assert.ok(flops.head < flops.finetune, `freezing the base trains fewer FLOPs: ${JSON.stringify(flops)}`);
  await page.click('button[data-action="start"]');
  await page.waitForSelector(`${section}[data-run-state="running"]`, { timeout: 30_000 });
  await waitState(page, 'done');
  const rows = await tableRows(page, 'transfer-quadrants');
  assert.equal(rows.length, 20, '4 quadrants × 5 strategies');
  const quadrants = new Set(rows.map((r) => `${r[0]}_${r[1]}`));
  assert.deepEqual([...quadrants].sort(), ['large_different', 'large_similar', 'small_different', 'small_similar']);
  for (const r of rows) {
    const acc = Number(r[4]);
    assert.ok(acc >= 0 && acc <= 1, `accuracy in [0, 1]: ${r}`);
    assert.ok(Number(r[5]) >= 0 && Number(r[5]) <= Math.SQRT1_2, `spread of two accuracies in [0, 1]: ${r}`);
    assert.equal(r[6], '2');
    assert.ok(Number(r[7]) > 0);
    assert.ok(['yes', 'no', 'undecided'].includes(r[8]), r[8]);
    // The advised strategy's own row has no comparison; every other row has the core's outcome against it.
    assert.ok(['better', 'worse', 'within', '—'].includes(r[9]), r[9]);
  }
  // Better than a guess somewhere: the pretrained strategies learn the similar targets.
  const best = Math.max(...rows.filter((r) => r[1] === 'similar').map((r) => Number(r[4])));
  assert.ok(best > 0.5, `best similar-target accuracy ${best}`);
  for (const q of quadrants) {
    const chart = await page.$eval(`canvas[data-quadrant="${q}"]`, canvasStats);
    assert.ok(chart.colours > 10, `${q}: ${JSON.stringify(chart)}`);
    assert.ok((await page.$eval(`[data-verdict="${q}"]`, (p) => p.textContent)).length > 10, `verdict of ${q}`);
    // The advised strategy against each of the other four, from-scratch first.
    assert.deepEqual(await page.$$eval(`[data-verdict="${q}"] li[data-against]`, (li) => li.map((x) => x.dataset.against))
      .then((a) => [a.length, a[0]]), [4, 'scratch']);
  }
  assert.ok((await tableRows(page, 'transfer-curves')).length >= 20 * 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the init view compares pretrained, random and mean-var and shows which layers moved', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=init&zoo=small&repeats=1&size=small&similarity=similar&seed=3');
  await waitState(page, 'idle', 60_000);
  assert.deepEqual(await headers(page, 'transfer-init'), ['step', 'pretrained', 'random', 'mean_var']);
  await page.click('button[data-action="start"]');
  await waitState(page, 'done');
  const rows = await tableRows(page, 'transfer-init');
  assert.ok(rows.length >= 3, `rows: ${rows.length}`);
  assert.equal(rows[0][0], '0');
  for (const r of rows) for (const v of r.slice(1)) assert.ok(Number(v) >= 0 && Number(v) <= 1, `accuracy: ${r}`);
  assert.deepEqual(await headers(page, 'transfer-layer-change'), ['layer', 'rel_change']);
  const change = await tableRows(page, 'transfer-layer-change');
  assert.equal(change.length, 3, 'the small net has three layers with weights');
  for (const r of change) assert.ok(Number(r[1]) > 0, `every layer moved a little when fine-tuning everything: ${r}`);
  const chart = await canvasInfo(page, 'transfer-layer-change');
  assert.ok(chart.colours > 2, JSON.stringify(chart));
  assert.ok((await canvasInfo(page, 'transfer-init')).colours > 10);
  // The papers are described in words, with their source.
  const published = await page.$$eval('[data-published]', (ps) => ps.map((p) => p.textContent));
  assert.ok(published.some((p) => p.includes('Raghu') && p.includes('2019')) && published.some((p) => p.includes('He') && p.includes('1811.08883')));
  assert.deepEqual(problems, []);
  await context.close();
});

// PNG files drawn in the page: class 0 a vertical bar, class 1 a ring, each a little shifted per image.
async function makeImages(page, n) {
  const urls = await page.evaluate((count) => {
    const out = [[], []];
    for (let cls = 0; cls < 2; cls++) {
      for (let i = 0; i < count; i++) {
        const c = document.createElement('canvas');
        c.width = 48; c.height = 48;
        const g = c.getContext('2d');
        g.fillStyle = '#000'; g.fillRect(0, 0, 48, 48);
        g.strokeStyle = '#fff'; g.lineWidth = 5;
        g.beginPath();
        if (cls === 0) { g.moveTo(20 + (i % 5), 8); g.lineTo(20 + (i % 5), 40); } else g.arc(24 + (i % 3) - 1, 24, 12 + (i % 4), 0, 2 * Math.PI);
        g.stroke();
        out[cls].push(c.toDataURL('image/png'));
      }
    }
    return out;
  }, n);
  return urls.map((list, cls) => list.map((u, i) => ({ name: `c${cls}_${i}.png`, mimeType: 'image/png', buffer: Buffer.from(u.split(',')[1], 'base64') })));
}

test('the person’s own buckets train with a chosen strategy, and the model can be downloaded', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=own&zoo=small&strategy=head&seed=5');
  await waitState(page, 'idle', 60_000);
  // An empty bucket is refused next to it.
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelector('[data-bucket="0"] [data-bucket-error]').textContent.length > 0);
  const [a, b] = await makeImages(page, 12);
  const inputs = await page.$$('[data-bucket] input[type="file"]');
  await inputs[0].setInputFiles(a);
  await page.waitForFunction(() => document.querySelectorAll('[data-bucket="0"] canvas.thumb').length === 12);
  // A file that is not an image is named, and the images already there stay.
  await (await page.$$('[data-bucket] input[type="file"]'))[1].setInputFiles([...b, { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') }]);
  await page.waitForFunction(() => document.querySelectorAll('[data-bucket="1"] canvas.thumb').length === 12);
  assert.match(await page.$eval('[data-bucket="1"] [data-bucket-error]', (p) => p.textContent), /notes\.png/);
  // A drawing adds an image too.
  const pad = await page.$('[data-bucket="1"] canvas[data-pad]');
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 30, box.y + 30);
  await page.mouse.down();
  await page.mouse.move(box.x + 100, box.y + 110, { steps: 8 });
  await page.mouse.up();
  await page.click('[data-bucket="1"] button[data-action="add-drawing"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-bucket="1"] canvas.thumb').length === 13);
  await page.click('button[data-action="start"]');
  await waitState(page, 'done');
  const rows = await tableRows(page, 'transfer-own');
  assert.ok(rows.length >= 2);
  for (const r of rows) assert.ok(Number(r[1]) >= 0 && Number(r[1]) <= 1, `accuracy: ${r}`);
  assert.ok(Number(rows.at(-1)[1]) >= 0.5, `two easy classes: ${rows.at(-1)[1]}`);
  const change = await tableRows(page, 'transfer-layer-change');
  assert.ok(change.length === 3 && Number(change[0][1]) === 0 && Number(change.at(-1)[1]) > 0, `only the head moved: ${JSON.stringify(change)}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="download-weights"]')]);
  assert.equal(download.suggestedFilename(), 'model.safetensors');
  const bytes = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const head = Object.keys(header).filter((k) => k.endsWith('.bias')).sort((x, y) => parseInt(x, 10) - parseInt(y, 10)).at(-1);
  assert.deepEqual(header[head].shape, [2], `the head (${head}) has the two classes`);
  const code = await page.$eval('[data-export] [data-code="pytorch"] code', (c) => c.textContent);
  assert.match(code, /nn\.Sequential/);
  assert.match(code, /nn\.Linear\(\d+, 2\)/, 'the head has the two classes');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a corrupt, truncated or foreign zoo file is refused with a message, and the other model still works', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=quadrants&zoo=deep');
  await waitState(page, 'idle', 60_000);
  await context.close();
  const good = await (await fetch(`${h.url}zoo/small.safetensors`)).arrayBuffer();
  const deep = await (await fetch(`${h.url}zoo/deep.safetensors`)).arrayBuffer();
  const cases = [
    ['truncated', Buffer.from(good).subarray(0, 100)],
    ['flipped byte', (() => { const b = Buffer.from(good); b[b.length - 5] ^= 0xff; return b; })()],
    ['garbage', Buffer.from('this is not a safetensors file')],
    ['another model', Buffer.from(deep)],
  ];
  for (const [label, body] of cases) {
    const c = await h.open('#panel=transfer&experiment=quadrants&zoo=small');
    await c.page.route('**/zoo/small.safetensors', (route) => route.fulfill({ status: 200, body, contentType: 'application/octet-stream' }));
    await c.page.reload();
    await c.page.waitForSelector(`${section}[data-run-state="error"]`, { timeout: 60_000 });
    const message = await c.page.$eval(`${section} [data-message="zoo"]`, (p) => p.textContent);
    assert.match(message, /zoo|safetensors|checksum/i, `${label}: ${message}`);
    assert.ok(await c.page.$eval('select[name="zoo"] ~ .field-error, .field-error', (p) => p.textContent.length > 0));
    // Nothing else is lost: the other model loads and its experiment is ready.
    await c.page.selectOption('select[name="zoo"]', 'deep');
    await c.page.waitForSelector(`${section}[data-run-state="idle"]`, { timeout: 60_000 });
    assert.equal(await c.page.$eval(`${section} [data-message]`, (p) => p.textContent), '', label);
    await c.context.close();
  }
  assert.deepEqual(problems, []);
});

test('a k beyond the model’s depth is refused with a notice naming k; the last good k stays', async () => {
  const { page, context } = await h.open('#panel=transfer&experiment=quadrants&zoo=small&k=9');
  await waitState(page, 'idle', 60_000);
  const notices = await page.$$eval('#notices .notice', (ns) => ns.map((n) => n.textContent));
  assert.ok(notices.some((n) => n.includes('k')), JSON.stringify(notices));
  assert.match(await page.evaluate(() => location.hash), /&k=1(&|$)/);
  // Typed into the field: the reason next to it, the value in effect unchanged.
  await page.fill('input[name="k"]', '7');
  await page.press('input[name="k"]', 'Enter');
  await page.waitForFunction(() => document.querySelector('input[name="k"]').closest('.field').querySelector('.field-error').textContent.length > 0);
  assert.match(await page.evaluate(() => location.hash), /&k=1(&|$)/);
  await context.close();
});

test('unbalanced or overfull buckets are refused with the limit stated, and the images stay', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=own&zoo=small&strategy=head');
  await waitState(page, 'idle', 60_000);
  const [a, b] = await makeImages(page, 26);
  const inputs = await page.$$('[data-bucket] input[type="file"]');
  // 51 files into a bucket of at most 50: 50 are taken, the message states the limit.
  await inputs[0].setInputFiles([...a, ...b.slice(0, 25)]);
  await page.waitForFunction(() => document.querySelectorAll('[data-bucket="0"] canvas.thumb').length === 50);
  assert.match(await page.$eval('[data-bucket="0"] [data-bucket-error]', (p) => p.textContent), /50/);
  await (await page.$$('[data-bucket] input[type="file"]'))[1].setInputFiles(b.slice(0, 2));
  await page.waitForFunction(() => document.querySelectorAll('[data-bucket="1"] canvas.thumb').length === 2);
  // 50 against 2: the core refuses the imbalance; nothing trains, nothing is lost.
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelector('[data-message="buckets"]')?.textContent.length > 0);
  assert.equal(await page.$eval(section, (s) => s.dataset.runState), 'idle');
  assert.equal(await page.$$eval('[data-bucket] canvas.thumb', (c) => c.length), 52);
  assert.deepEqual(problems, []);
  await context.close();
});

test('pretraining the zoo model in the page reproduces the shipped file bit for bit (simd=128) and the runs use it', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=init&zoo=small&repeats=1&simd=128');
  await waitState(page, 'idle', 60_000);
  const before = await page.evaluate(async () => (await import('/js/compute/runs.js')).runs.current('transfer-init_pretrained').id);
  await page.click('button[data-action="pretrain"]');
  await page.waitForSelector('.pretrain[data-run-state="done"]', { timeout: 600_000 });
  await page.waitForFunction(() => /same bits/.test(document.querySelector('[data-summary="pretrain"]').textContent), null, { timeout: 10_000 });
  // The session's copy replaced the fetched file: the view opened new runs with it.
  // Polled from node: waitForFunction would take a returned promise itself as a truthy answer.
  const current = () => page.evaluate(async () => (await import('/js/compute/runs.js')).runs.current('transfer-init_pretrained')?.id);
  for (const until = Date.now() + 30_000; (await current()) === before && Date.now() < until; ) await page.waitForTimeout(100);
  assert.notEqual(await current(), before, 'the view opened new runs with the session copy');
  await waitState(page, 'idle');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a language switch mid-experiment keeps the runs going', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=init&zoo=small&repeats=2&lang=en');
  await waitState(page, 'idle', 60_000);
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="transfer-init"] tbody tr').length >= 3, null, { timeout: 120_000 });
  const ids = () => page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    return ['pretrained', 'random', 'mean_var'].map((a) => runs.current(`transfer-init_${a}`).id);
  });
  const before = await ids();
  assert.equal(await page.$eval(section, (s) => s.dataset.runState), 'running');
  await page.click('[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko' && document.querySelector('section[data-panel="transfer"] h2'));
  // The re-mounted view finds the runs and shows their rows so far.
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="transfer-init"] tbody tr').length >= 3, null, { timeout: 10_000 });
  await waitState(page, 'done');
  assert.deepEqual(await ids(), before, 'the same runs');
  assert.equal(await page.$$eval('table[data-table="transfer-init"] tbody tr', (r) => r.length), 11, 'steps 0, 10, …, 100');
  assert.deepEqual(problems, []);
  await context.close();
});
