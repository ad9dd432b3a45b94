// End-to-end: the Train panel (panel=train). Small sets and few steps, so each test takes seconds: the panel trains
// in a worker and the curves fill; pause, step and reset; a language switch mid-run keeps the run; an absurd learning
// rate ends in the divergence message; bad settings are refused with the parameter named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasInfo, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const SMALL = 'panel=train&data=digits&per_class=5&bs=16&seed=3';
const state = (page) => page.$eval('section[data-panel="train"]', (s) => s.dataset.runState);
const waitState = (page, wanted, timeout = 120_000) =>
  page.waitForSelector(`section[data-panel="train"][data-run-state="${wanted}"]`, { timeout });
const curveRows = (page) => page.$$eval('table[data-table="train-curves"] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => Number(c.textContent))));
// Waits until fn(arg) holds in the page, where fn reads the run registry as globalThis.__runs. (waitForFunction does
// not await a promise: a predicate that returns one — import(...).then(...) — is truthy at once, so the registry is
// fetched beforehand.)
async function untilRuns(page, fn, arg, options = {}) {
  await page.evaluate(async () => { globalThis.__runs ??= (await import('/js/compute/runs.js')).runs; });
  await page.waitForFunction(fn, arg, options);
}
const runInfo = (page) => page.evaluate(async () => {
  const { runs } = await import('/js/compute/runs.js');
  const r = runs.current('train');
  return r && { id: r.id, state: r.state, steps: r.steps, items: r.items.length, opened: runs.opened };
});

test('the panel trains in a worker: the curves, filters, maps, confusion matrix and mistakes fill', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=10`);
  await waitState(page, 'idle', 30_000);
  const headers = await page.$$eval('table[data-table="train-curves"] th', (ths) => ths.map((th) => th.dataset.col));
  assert.deepEqual(headers, ['step', 'train_loss', 'train_acc', 'val_loss', 'val_acc']);
  assert.equal((await curveRows(page)).length, 0, 'nothing is computed before Start');
  await page.click('button[data-action="start"]');
  await waitState(page, 'done');
  const rows = await curveRows(page);
  // 50 training images, batches of 16, 10 epochs: 32 steps, measured at 0, 10, 20, 30 and 32.
  assert.deepEqual(rows.map((r) => r[0]), [0, 10, 20, 30, 32]);
  for (const r of rows) for (const v of r.slice(1)) assert.ok(Number.isFinite(v), `finite: ${r}`);
  assert.ok(rows.at(-1)[1] < rows[0][1], `training loss falls: ${rows[0][1]} → ${rows.at(-1)[1]}`);
  assert.ok(rows.at(-1)[4] > rows[0][4] + 0.1, `validation accuracy ${rows[0][4]} → ${rows.at(-1)[4]} after 32 steps on 50 images`);
  const curves = await canvasInfo(page, 'train-curves');
  assert.ok(curves.colours > 10 && curves.spread > 5, JSON.stringify(curves));
  assert.ok((await canvasInfo(page, 'train-filters')).colours > 10, 'filters drawn');
  assert.ok(await page.$$eval('[data-chart="train-maps"] canvas', (c) => c.length) >= 9, 'input + one row per layer');
  const confusion = await page.$$eval('table[data-table="train-confusion"] tbody tr', (rows) => rows.map((r) => [...r.cells].slice(1).map((c) => Number(c.textContent))));
  assert.equal(confusion.length, 10);
  assert.equal(confusion.flat().reduce((a, b) => a + b, 0), 451, 'every validation image counted once');
  const wrong = confusion.flat().reduce((a, b) => a + b, 0) - confusion.reduce((a, r, i) => a + r[i], 0);
  const mistakeRows = await page.$$eval('table[data-table="train-misclassified"] tbody tr', (r) => r.length);
  assert.equal(mistakeRows, Math.min(32, wrong));
  assert.deepEqual(problems, []);
  await context.close();
});

test('pause, step one batch, reset', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=200`);
  await waitState(page, 'idle', 30_000);
  await page.click('button[data-action="step"]');
  await waitState(page, 'paused');
  assert.equal((await runInfo(page)).steps, 1);
  assert.deepEqual((await curveRows(page)).map((r) => r[0]), [0], 'the first step shows the measurement before training');
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="train-curves"] tbody tr').length >= 3, null, { timeout: 60_000 });
  await page.click('button[data-action="pause"]');
  await waitState(page, 'paused');
  const paused = await runInfo(page);
  await page.waitForTimeout(500);
  assert.equal((await runInfo(page)).steps, paused.steps, 'a paused run takes no steps');
  await page.click('button[data-action="step"]');
  await untilRuns(page, (n) => __runs.current('train').steps === n + 1, paused.steps, { timeout: 30_000 });
  await waitState(page, 'paused');
  await page.click('button[data-action="reset-run"]');
  await waitState(page, 'idle');
  const fresh = await runInfo(page);
  assert.notEqual(fresh.id, paused.id);
  assert.equal(fresh.steps, 0);
  assert.equal((await curveRows(page)).length, 0, 'the table is empty again');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a language switch mid-run keeps the run going', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=30&lang=en`);
  await waitState(page, 'idle', 30_000);
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="train-curves"] tbody tr').length >= 2, null, { timeout: 60_000 });
  const before = await runInfo(page);
  assert.equal(before.state, 'running');
  await page.click('[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko' && document.querySelector('section[data-panel="train"] h2'));
  assert.ok((await curveRows(page)).length >= 2, 'the rows so far are shown again at once');
  await waitState(page, 'done');
  const after = await runInfo(page);
  assert.equal(after.id, before.id, 'the same run');
  assert.equal(after.opened, before.opened, 'no run was opened by the switch');
  assert.equal((await curveRows(page)).at(-1)[0], 94, '50 images × 30 epochs / 16 = 94 steps');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an absurd learning rate ends in the divergence message naming the step', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=50&lr=10`);
  await waitState(page, 'idle', 30_000);
  await page.click('button[data-action="start"]');
  await waitState(page, 'diverged');
  const text = await page.$eval('[data-message="diverged"]', (p) => p.textContent);
  assert.match(text, /step \d+/);
  assert.match(text, /lr=/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad settings are refused with the parameter named; the run and the other settings stay', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=10&model=conv(8_k99)~flatten~dense(10)`);
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /model/);
  await waitState(page, 'idle', 30_000);
  assert.match(await page.evaluate(() => location.hash), /model=conv\(8_k5_p2\)/);
  const run = await runInfo(page);
  await page.fill('input[name="lr"]', '-1');
  await page.dispatchEvent('input[name="lr"]', 'change');
  assert.match(await page.textContent('input[name="lr"] ~ .field-error'), /lr/);
  await page.fill('input[name="model"]', 'conv(8_k5)~dense(10)~nonsense');
  await page.dispatchEvent('input[name="model"]', 'change');
  await page.waitForFunction(() => /model/.test(document.querySelector('input[name="model"] ~ .field-error')?.textContent ?? ''));
  assert.equal((await runInfo(page)).id, run.id, 'the run stays');
  assert.match(await page.evaluate(() => location.hash), /lr=0\.01/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the overfitting view: two runs side by side, the gap larger without augmentation', async () => {
  const { page, problems, context } = await h.open('#panel=train&view=overfit&data=digits&per_class=5&epochs=40&bs=16&seed=42');
  await waitState(page, 'idle', 30_000);
  const headers = await page.$$eval('table[data-table="train-curves"] th', (ths) => ths.map((th) => th.dataset.col));
  assert.deepEqual(headers, ['run', 'step', 'train_loss', 'train_acc', 'val_loss', 'val_acc']);
  await page.click('button[data-action="start"]');
  await page.waitForSelector('[data-run="no_aug"][data-run-state="running"]', { timeout: 30_000 });
  assert.equal(await page.$eval('[data-run="aug"]', (e) => e.dataset.runState), 'running', 'both run at once');
  await waitState(page, 'done', 300_000);
  const facts = Object.fromEntries(await page.$$eval('table[data-table="train-compare"] tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent, [...r.cells].slice(1).map((c) => Number(c.textContent))])));
  const [gapPlain, gapAug] = [facts.no_aug[0], facts.aug[0]];
  assert.ok(gapPlain > gapAug, `gap without augmentation ${gapPlain} > with ${gapAug}`);
  const runsInTable = new Set(await page.$$eval('table[data-table="train-curves"] tbody tr', (rows) => rows.map((r) => r.cells[0].textContent)));
  assert.deepEqual([...runsInTable].sort(), ['aug', 'no_aug']);
  assert.match(await page.textContent('[data-summary="compare"]'), /\d/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('export then import restores the same validation accuracy; a corrupt or other-spec file changes nothing', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=10`);
  await waitState(page, 'idle', 30_000);
  await page.click('button[data-action="start"]');
  await waitState(page, 'done');
  // The last row measures all 451 validation images.
  const finalAcc = (await curveRows(page)).at(-1)[4];
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="download-weights"]')]);
  assert.equal(download.suggestedFilename(), 'model.safetensors');
  const { readFile } = await import('node:fs/promises');
  const weights = await readFile(await download.path());
  // safetensors: an 8-byte little-endian header length, a JSON header naming the default net's tensors.
  const headerLength = Number(weights.readBigUInt64LE(0));
  const header = JSON.parse(weights.subarray(8, 8 + headerLength).toString('utf8'));
  assert.deepEqual(header['0.weight'].shape, [8, 1, 5, 5]);
  await page.$eval('details:has([data-code="pytorch"])', (d) => { d.open = true; });
  await page.waitForFunction(() => /load_state_dict\(load_file\("model\.safetensors"\)\)/.test(document.querySelector('[data-code="pytorch"] code').textContent));

  const before = await runInfo(page);
  const hash = await page.evaluate(() => location.hash);
  const offer = (name, buffer) => page.setInputFiles('input[name="weights"]', { name, mimeType: 'application/octet-stream', buffer });
  const errorText = () => page.textContent('[data-error="weights"]');
  // A corrupt file (cut short) and the file of another model (4 filters instead of 8): the message names the
  // problem, and the finished run, its rows and the settings stay.
  await offer('cut.safetensors', weights.subarray(0, weights.length - 10));
  await page.waitForFunction(() => document.querySelector('[data-error="weights"]').textContent !== '');
  assert.match(await errorText(), /^Weights file cut\.safetensors: .*cut short/);
  const other = await page.evaluate(async () => {
    const { loadWasm } = await import('/js/compute/wasm.js');
    const { module: wasm } = await loadWasm();
    const t = new wasm.Trainer({ model: 'conv(4_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)' });
    const bytes = Array.from(t.save_safetensors());
    t.free();
    return bytes;
  });
  await page.$eval('[data-error="weights"]', (p) => { p.textContent = ''; });
  await offer('other.safetensors', Buffer.from(other));
  await page.waitForFunction(() => document.querySelector('[data-error="weights"]').textContent !== '');
  assert.match(await errorText(), /^Weights file other\.safetensors: 0\.weight has shape \[4, 1, 5, 5\].*\[8, 1, 5, 5\]/);
  assert.deepEqual(await runInfo(page), before, 'the run is unchanged');
  assert.equal(await state(page), 'done');
  assert.equal((await curveRows(page)).at(-1)[4], finalAcc);
  assert.equal(await page.evaluate(() => location.hash), hash);
  assert.equal(await page.textContent('[data-summary="weights"]'), '');

  // The exported file: a fresh run from its weights, showing the same validation accuracy.
  await offer('model.safetensors', weights);
  await page.waitForFunction(() => document.querySelector('[data-summary="weights"]').textContent !== '', null, { timeout: 30_000 });
  const summary = await page.textContent('[data-summary="weights"]');
  const [, correct, n] = summary.match(/\((\d+) of (\d+) images\)/).map(Number);
  assert.equal(n, 451);
  assert.equal(correct, Math.round(finalAcc * n), `${summary} vs the run's final ${finalAcc}`);
  assert.equal(await errorText(), '');
  assert.equal(await state(page), 'idle');
  assert.notEqual((await runInfo(page)).id, before.id);
  // Korean: the same refusal as a Korean sentence from the core's code.
  await page.click('[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko' && document.querySelector('input[name="weights"]'));
  assert.match(await page.textContent('[data-summary="weights"]'), /451장 중 \d+장/, 'the import is shown again after the switch');
  await offer('other.safetensors', Buffer.from(other));
  await page.waitForFunction(() => document.querySelector('[data-error="weights"]').textContent !== '');
  assert.match(await errorText(), /^가중치 파일 other\.safetensors: .*다른 모델의 파일입니다/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a settings change pauses the running run and lists it; Back, Resume and Discard (keyboard) work on the list', async () => {
  const { page, problems, context } = await h.open(`#${SMALL}&epochs=200`);
  await waitState(page, 'idle', 30_000);
  const trainRuns = () => page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    return runs.list().filter((r) => r.owner === 'train').map((r) => ({ id: r.id, state: r.state, steps: r.steps, lr: r.settings.lr }));
  });
  const listed = () => page.$$eval('[data-paused-runs] li', (lis) => lis.map((li) => ({ ids: li.dataset.runIds, what: li.querySelector('.paused-what').textContent })));
  const setField = async (name, v) => { await page.fill(`input[name="${name}"]`, v); await page.dispatchEvent(`input[name="${name}"]`, 'change'); };
  // A run never started is closed, not listed, when its settings change.
  const idle = await runInfo(page);
  await setField('epochs', '199');
  await untilRuns(page, (id) => __runs.current('train')?.id !== id, idle.id);
  assert.deepEqual((await trainRuns()).map((r) => r.lr), [0.01]);
  assert.equal(await page.$eval('[data-paused-runs]', (d) => d.hidden), true);

  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="train-curves"] tbody tr').length >= 2, null, { timeout: 60_000 });
  const first = await runInfo(page);
  await setField('lr', '0.05');
  await waitState(page, 'idle');
  await page.waitForSelector('[data-paused-runs]:not([hidden]) li');
  assert.deepEqual(await listed(), [{ ids: String(first.id), what: 'lr=0.01' }]);
  // The pause takes effect after the step under way (the worker says so).
  await untilRuns(page, (id) => __runs.list().find((r) => r.id === id)?.state === 'paused', first.id);
  const runsNow = await trainRuns();
  const pausedSteps = runsNow.find((r) => r.id === first.id).steps;
  await page.waitForTimeout(300);
  assert.equal((await trainRuns()).find((r) => r.id === first.id).steps, pausedSteps, 'and takes no steps');
  assert.match(await page.getAttribute('[data-paused-runs] button[data-action="resume-paused"]', 'aria-label'), /lr=0\.01/);

  // Step the new run once, then Back: the first run is shown again (paused), the new one is listed.
  await page.click('button[data-action="step"]');
  await waitState(page, 'paused');
  const second = await runInfo(page);
  await page.goBack();
  await untilRuns(page, (id) => __runs.current('train')?.id === id, first.id);
  await waitState(page, 'paused');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /lr=0\.05/, 'the earlier lr again');
  await page.waitForFunction((id) => document.querySelector('[data-paused-runs] li')?.dataset.runIds === String(id), second.id);
  assert.deepEqual(await listed(), [{ ids: String(second.id), what: 'lr=0.05' }]);

  // Resume from the list with the keyboard: its settings come back and it trains on; the first is listed instead.
  await page.focus('[data-paused-runs] button[data-action="resume-paused"]');
  await page.keyboard.press('Enter');
  await untilRuns(page, (id) => __runs.current('train')?.id === id && __runs.current('train').items.length > 1, second.id, { timeout: 60_000 });
  assert.match(await page.evaluate(() => location.hash), /lr=0\.05/);
  await page.waitForFunction((id) => document.querySelector('[data-paused-runs] li')?.dataset.runIds === String(id), first.id);
  // Discard with the keyboard: the first run leaves the registry and the list empties.
  await page.focus('[data-paused-runs] button[data-action="discard-paused"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-paused-runs][hidden]', { state: 'attached' });
  assert.deepEqual((await trainRuns()).map((r) => r.id), [second.id]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the initialization race: ReLU from N(0, 0.01²) stays at chance where ReLU from He learns', async (t) => {
  // Two of the view's six runs, started through the registry the panel shows them from (the other four stay idle).
  // The panel's defaults: 20 images per class, 30 epochs of batches of 32 = 188 steps, seed 42.
  const { page, problems, context } = await h.open('#panel=train&view=init_race');
  await page.waitForSelector('[data-run="he_relu"][data-run-state="idle"]', { timeout: 60_000 });
  const arms = ['small_relu', 'he_relu'];
  await page.evaluate(async (ids) => {
    const { runs } = await import('/js/compute/runs.js');
    for (const id of ids) runs.current(`train-compare-${id}`).resume();
  }, arms);
  for (const id of arms) await page.waitForSelector(`[data-run="${id}"][data-run-state="done"]`, { timeout: 600_000 });
  const facts = Object.fromEntries(await page.$$eval('table[data-table="train-compare"] tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent, Number(r.cells[2].textContent)])));
  // Chance is 0.1 on ten classes; the live measurements use 200 validation images, where a guess's accuracy has a
  // standard deviation of √(0.1 · 0.9 / 200) ≈ 0.021, and a net stuck on one class scores that class's share (about
  // 0.1). Five standard deviations above chance bound "did not learn"; "learned" is well clear of both.
  const stuck = 0.1 + 5 * Math.sqrt((0.1 * 0.9) / 200);
  assert.ok(facts.small_relu < stuck, `N(0, 0.01²) + ReLU best validation accuracy ${facts.small_relu} < ${stuck.toFixed(3)}`);
  assert.ok(facts.he_relu > 0.5, `He + ReLU best validation accuracy ${facts.he_relu} > 0.5`);
  // The step-0 signal: from N(0, 0.01²) the last layer's output spread is orders of magnitude below He's.
  const spreads = await page.$$eval('table[data-table="train-init-stats"] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const head = await page.$$eval('table[data-table="train-init-stats"] th', (ths) => ths.map((th) => th.dataset.col));
  const [small, he] = ['small_relu', 'he_relu'].map((id) => Number(spreads.at(-1)[head.indexOf(id)]));
  t.diagnostic(JSON.stringify({ best: facts, logitSpread: { small, he } }));
  assert.ok(small < 1e-3 * he, `logit spread at step 0: ${small} (N(0, 0.01²)) vs ${he} (He)`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a comparison whose settings change pauses both runs and lists them as one entry', async () => {
  const { page, problems, context } = await h.open('#panel=train&view=overfit&data=digits&per_class=5&epochs=200&bs=16&seed=42');
  await waitState(page, 'idle', 30_000);
  await page.click('button[data-action="start"]');
  // (run.steps is reported on pause and at the end; the items are the steps' progress as it comes.)
  await untilRuns(page, () => ['no_aug', 'aug'].every((id) => __runs.current(`train-compare-${id}`)?.items.length > 3), null, { timeout: 60_000 });
  const before = await page.evaluate(() => ['no_aug', 'aug'].map((id) => __runs.current(`train-compare-${id}`).id));
  await page.fill('input[name="epochs"]', '150');
  await page.dispatchEvent('input[name="epochs"]', 'change');
  await page.waitForSelector('[data-paused-runs]:not([hidden]) li');
  const entries = await page.$$eval('[data-paused-runs] li', (lis) => lis.map((li) => [li.dataset.runIds, li.querySelector('.paused-what').textContent]));
  assert.deepEqual(entries, [[before.join(' '), 'epochs=200']]);
  await untilRuns(page, (ids) => ids.every((id) => __runs.list().find((r) => r.id === id)?.state === 'paused'), before);
  await page.click('[data-paused-runs] button[data-action="discard-paused"]');
  await page.waitForSelector('[data-paused-runs][hidden]', { state: 'attached' });
  assert.deepEqual(await page.evaluate((ids) => ids.filter((id) => __runs.list().some((r) => r.id === id)), before), []);
  assert.deepEqual(problems, []);
  await context.close();
});
