// End-to-end: runs (www/js/compute/runs.js) — sessions in a pool of workers, owned by the page rather than by a panel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { settled, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const PROBE = { act: 'tanh', init: 'xavier_normal', mode: 'fan_in', nonlinearity: 'auto', slope: 0.01, dist: 'normal', std: 0.01, a: 0.05 };

// The numbers a probe produced, without the timing fields (rates differ from run to run; the statistics may not).
function statsOf(items) {
  return items.map(({ work, ...rest }) => rest);
}

async function layerRows(page) {
  return page.$$eval('table[data-table="signal-layers"] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

test('a language switch mid-probe neither restarts nor stops the run', async () => {
  const { page, problems, context } = await h.open('#panel=signal&depth=40&width=1000&batch=400&lang=en');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="signal-layers"] tbody tr').length >= 3, null, { timeout: 60_000 });
  const before = await page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    const run = runs.current('signal');
    window.__events = [];
    run.subscribe((r, e) => window.__events.push(e.type === 'progress' ? e.items.map((i) => `${i.phase}${i.layer}`) : e.type));
    return { id: run.id, opened: runs.opened, state: run.state, items: run.items.length };
  });
  assert.equal(before.state, 'running');
  assert.ok(before.items < 80, 'still running when the language changes');
  await page.click('[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko' && document.querySelector('section[data-panel="signal"] h2'));
  // The re-rendered panel shows the layers computed so far at once, and keeps following the same run.
  const rowsRightAfter = (await layerRows(page)).length;
  assert.ok(rowsRightAfter >= 3, `${rowsRightAfter} rows shown again`);
  await settled(page, 'signal', 120_000);
  const after = await page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    const run = runs.current('signal');
    return {
      id: run.id, opened: runs.opened, state: run.state,
      sequence: run.items.map((i) => `${i.phase}${i.layer}`),
      runState: document.querySelector('section[data-panel="signal"]').dataset.runState,
      workers: performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('/js/compute/worker.js')).length,
    };
  });
  assert.equal(after.id, before.id, 'the same run');
  assert.equal(after.opened, before.opened, 'no run was opened by the re-render');
  assert.equal(after.state, 'done');
  assert.equal(after.runState, 'done');
  assert.equal(after.workers, 1, 'the worker was not replaced');
  // Each layer exactly once, in order: forward 1…40, then backward 40…1.
  const expected = [...Array.from({ length: 40 }, (_, i) => `forward${i + 1}`), ...Array.from({ length: 40 }, (_, i) => `backward${40 - i}`)];
  assert.deepEqual(after.sequence, expected);
  const rows = await layerRows(page);
  assert.equal(rows.length, 40);
  for (const r of rows) assert.ok(r.slice(1, 5).every((c) => c !== '' && Number.isFinite(Number(c))), `row ${r[0]}: ${r}`);
  assert.match(await page.textContent('.status'), /순전파/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a panel switch keeps the run going, and coming back shows it without recomputing', async () => {
  const { page, problems, context } = await h.open('#panel=signal');
  await page.waitForSelector('table[data-table="signal-layers"] tbody tr'); // under way
  const first = await page.evaluate(async () => (await import('/js/compute/runs.js')).runs.current('signal').id);
  await page.click('.site-nav a[data-panel="init"]');
  await settled(page, 'init');
  await page.click('.site-nav a[data-panel="signal"]');
  await settled(page, 'signal', 60_000);
  const again = await page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    return { id: runs.current('signal').id, opened: runs.opened, items: runs.current('signal').items.length };
  });
  assert.equal(again.id, first);
  assert.equal(again.opened, 1);
  assert.equal(again.items, 20, 'ten layers forward and ten backward, each once');
  assert.equal((await layerRows(page)).length, 10);
  assert.deepEqual(problems, []);
  await context.close();
});

test('runs in parallel, on separate workers and sharing one, do not disturb each other', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const out = await page.evaluate(async (base) => {
    const { runs, POOL_MAX } = await import('/js/compute/runs.js');
    const configs = Array.from({ length: POOL_MAX + 1 }, (_, i) => ({ ...base, depth: 6, width: 200, batch: 100, seed: 100 + i, act: i % 2 ? 'relu' : 'tanh' }));
    const together = configs.map((c) => runs.open('probe', c));
    const placement = runs.workers().map((w) => w.runs.length);
    await Promise.all(together.map((r) => r.finished));
    const alone = [];
    for (const c of configs) {
      const r = runs.open('probe', c);
      await r.finished;
      alone.push(r.items);
      r.close();
    }
    const result = { poolMax: POOL_MAX, placement, together: together.map((r) => r.items), alone };
    for (const r of together) r.close();
    return result;
  }, PROBE);
  assert.ok(out.poolMax >= 1 && out.poolMax <= 4);
  assert.equal(out.placement.length, out.poolMax, 'the pool grew to its size and no further');
  assert.ok(Math.max(...out.placement) >= 2, `some worker held two sessions at once: ${out.placement}`);
  for (let i = 0; i < out.alone.length; i++) {
    assert.equal(out.together[i].length, 12);
    assert.deepEqual(statsOf(out.together[i]), statsOf(out.alone[i]), `run ${i}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('pause, step, snapshot and resume continue a run exactly where it stopped', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const out = await page.evaluate(async (base) => {
    const { runs } = await import('/js/compute/runs.js');
    const waitState = (run, state) => new Promise((resolve) => {
      if (run.state === state) { resolve(); return; }
      const stop = run.subscribe(() => { if (run.state === state) { stop(); resolve(); } });
    });
    const config = { ...base, depth: 8, width: 300, batch: 200, seed: 7 };

    // The probe opened paused, stepped 3 layers, snapshotted, then resumed.
    const stepped = runs.open('probe', config, { paused: true });
    stepped.step(3);
    await waitState(stepped, 'paused');
    const afterStep = { steps: stepped.steps, items: stepped.items.length, snapshot: await stepped.snapshot() };
    stepped.step(2);
    await waitState(stepped, 'paused');
    const afterStep2 = stepped.items.length;
    stepped.resume();
    await stepped.finished;
    const straight = runs.open('probe', config);
    await straight.finished;

    // A stateful session (the shape of a training run) paused mid-stream by time, resumed; and one restored from a
    // snapshot in a new run.
    const N = 5000;
    const walk = runs.open('self_test_walk', { seed: 11, steps: N });
    let progressMessages = 0;
    walk.subscribe((_, e) => { if (e.type === 'progress') progressMessages++; });
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 40));
    walk.pause();
    await waitState(walk, 'paused');
    const pausedAt = walk.steps;
    const itemsAtPause = walk.items.length;
    const snap = await walk.snapshot();
    await new Promise((r) => setTimeout(r, 50));
    const stillPaused = walk.steps === pausedAt && walk.items.length === itemsAtPause;
    walk.resume();
    const resumed = await walk.finished;
    const elapsed = performance.now() - t0;
    const restored = runs.open('self_test_walk', { seed: 11, steps: N, from: snap });
    const fromSnapshot = await restored.finished;
    const uninterrupted = await runs.open('self_test_walk', { seed: 11, steps: N }).finished;
    const steps = walk.items.map((i) => i.step);

    // Closing a running run: the worker acknowledges it after the step under way, and then counts as idle again;
    // a close that crosses the run's last message is acknowledged too.
    const endless = runs.open('self_test_walk', { seed: 5, steps: 1e9 });
    await new Promise((r) => setTimeout(r, 20));
    endless.close();
    const closingRightAfter = runs.workers().reduce((a, w) => a + w.closing, 0);
    const quick = runs.open('self_test_walk', { seed: 6, steps: 1 });
    quick.worker.closing.add(quick.id); // as if close() had been sent while its result was on the way
    await quick.finished;
    quick.worker.post({ op: 'close', run: quick.id });
    await new Promise((r) => setTimeout(r, 100));
    const closingLater = runs.workers().reduce((a, w) => a + w.closing, 0);
    return {
      afterStep, afterStep2, stepped: stepped.items, straight: straight.items, pausedAt, itemsAtPause, snap, stillPaused,
      resumed, fromSnapshot, uninterrupted, walkItems: walk.items.length, inOrder: steps.every((s, i) => s === i + 1),
      progressMessages, elapsed, work: walk.work, closingRightAfter, closingLater,
    };
  }, PROBE);
  assert.deepEqual(out.afterStep.steps, 3);
  assert.equal(out.afterStep.items, 3, 'three layers, delivered when the run paused');
  assert.equal(out.afterStep.snapshot.steps, 3);
  assert.equal(out.afterStep2, 5);
  assert.equal(out.stepped.length, 16);
  assert.deepEqual(statsOf(out.stepped), statsOf(out.straight), 'the stepped probe equals the uninterrupted one');

  assert.ok(out.pausedAt > 0 && out.pausedAt < 5000, `paused at step ${out.pausedAt}`);
  assert.equal(out.itemsAtPause, out.pausedAt, 'every step up to the pause was delivered');
  assert.equal(out.snap.step, out.pausedAt);
  assert.ok(out.stillPaused, 'a paused run takes no steps');
  assert.deepEqual(out.resumed, out.uninterrupted, 'resumed = uninterrupted');
  assert.deepEqual(out.fromSnapshot, out.uninterrupted, 'restored from the snapshot = uninterrupted');
  assert.equal(out.walkItems, 5000);
  assert.ok(out.inOrder);
  // Progress is throttled by time: at most one message per 16 ms of the run (plus the pause's and the end's).
  assert.ok(out.progressMessages <= out.elapsed / 16 + 3, `${out.progressMessages} messages in ${out.elapsed.toFixed(0)} ms`);
  assert.equal(out.work.done, 5000);
  assert.ok(out.work.rate > 0 && out.work.eta === 0);
  assert.equal(out.closingRightAfter, 1);
  assert.equal(out.closingLater, 0, 'every close was acknowledged');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a new setting closes a stateless run, but pauses a stateful one and keeps it for Back', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const out = await page.evaluate(async (base) => {
    const { runs } = await import('/js/compute/runs.js');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const waitState = (run, state) => new Promise((resolve) => {
      if (run.state === state) { resolve(); return; }
      const stop = run.subscribe(() => { if (run.state === state) { stop(); resolve(); } });
    });
    const probeA = runs.show('lab-probe', 'probe', 'a', { ...base, depth: 2, width: 10, batch: 4, seed: 1 });
    const probeB = runs.show('lab-probe', 'probe', 'b', { ...base, depth: 2, width: 10, batch: 4, seed: 2 });
    const stateless = { a: probeA.state, current: runs.current('lab-probe') === probeB };
    await probeB.finished;

    const a = runs.show('lab', 'self_test_walk', 'a', { seed: 1, steps: 1e9 });
    await sleep(30);
    const b = runs.show('lab', 'self_test_walk', 'b', { seed: 2, steps: 1e9 });
    await waitState(a, 'paused');
    const aItems = a.items.length;
    await sleep(50);
    const aHeld = a.state === 'paused' && a.items.length === aItems;
    const listed = runs.list().filter((r) => r.owner === 'lab').map((r) => `${r.key}:${r.state}`);
    const back = runs.show('lab', 'self_test_walk', 'a', { seed: 1, steps: 1e9 }); // Back to the first settings
    await waitState(b, 'paused');
    const afterBack = { same: back === a, aState: a.state, current: runs.current('lab') === a, opened: runs.opened };
    a.resume();
    await new Promise((resolve) => { const stop = a.subscribe((_, e) => { if (e.type === 'progress') { stop(); resolve(); } }); });
    const resumed = a.state === 'running' && a.items.length > aItems && a.items.every((it, i) => it.step === i + 1);
    a.close();
    b.close();
    return { stateless, aHeld, listed, afterBack, resumed, left: runs.list().filter((r) => r.owner === 'lab').length };
  }, PROBE);
  assert.deepEqual(out.stateless, { a: 'closed', current: true });
  assert.ok(out.aHeld, 'the replaced stateful run took no more steps');
  assert.deepEqual(out.listed, ['a:paused', 'b:running']);
  assert.deepEqual(out.afterBack, { same: true, aState: 'paused', current: true, opened: 4 });
  assert.ok(out.resumed, 'resumed where it stopped');
  assert.equal(out.left, 0, 'discarded runs leave the registry');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a worker panic is reported in the person\'s terms and the worker is replaced', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const out = await page.evaluate(async (base) => {
    const { runs, errorText } = await import('/js/compute/runs.js');
    const { POOL_MAX } = await import('/js/compute/runs.js');
    // Live runs on every worker of the pool, so the panicking run shares a worker with one of them.
    const bystanders = Array.from({ length: POOL_MAX }, (_, i) => runs.open('self_test_walk', { seed: 3 + i, steps: 1e9 }));
    const panic = runs.open('self_test_panic', {});
    const crashed = panic.worker.index;
    let error;
    try {
      await panic.finished;
    } catch (e) {
      error = e;
    }
    const lost = bystanders.find((b) => b.worker === panic.worker);
    const others = bystanders.filter((b) => b !== lost);
    await lost.finished.catch(() => {});
    const othersRunning = others.every((b) => b.state === 'running');
    for (const b of others) b.close();
    const after = runs.workers().map((w) => w.index);
    const probe = runs.open('probe', { ...base, depth: 2, width: 10, batch: 4, seed: 1 });
    const result = await probe.finished;
    return {
      code: error?.code, detail: error?.detail, text: errorText(error), crashed, after, othersRunning,
      lost: { state: lost.state, code: lost.error?.code, text: errorText(lost.error) },
      newWorker: probe.worker.index, ok: result.flops.forward === 2 * 4 * 10 * 10 * 2,
    };
  }, PROBE);
  assert.equal(out.code, 'worker_panic');
  assert.match(out.detail, /self-test panic/);
  assert.match(out.text, /bug in the playground/);
  assert.doesNotMatch(out.text, /^The computation failed: unreachable/);
  assert.ok(!out.after.includes(out.crashed), 'the crashed worker left the pool');
  assert.equal(out.lost.state, 'error');
  assert.equal(out.lost.code, 'worker_lost', 'the run that shared the crashed worker ends, saying why');
  assert.match(out.lost.text, /another computation/);
  assert.ok(out.othersRunning, 'runs on other workers went on');
  assert.notEqual(out.newWorker, out.crashed, 'a fresh worker');
  assert.equal(out.ok, true);
  // The only errors logged are the panic's own (the worker's panic hook writes it to the console).
  assert.ok(problems.every((p) => /panic|unreachable/i.test(p)), JSON.stringify(problems));
  await context.close();
});

test('memory is given back after the largest probe: its worker is replaced once the run ends', async () => {
  const { page, problems, context } = await h.open('#panel=signal&depth=50&width=1000&batch=2000');
  const { RETIRE_BYTES, bigWorker } = await page.evaluate(async () => {
    const { runs, RETIRE_BYTES } = await import('/js/compute/runs.js');
    window.__runs = runs;
    while (!runs.current('signal')) await new Promise((r) => setTimeout(r, 20));
    return { RETIRE_BYTES, bigWorker: runs.current('signal').worker.index };
  });
  // The largest probe holds every layer's 2000×1000 activations: well past the limit after a quarter of the layers.
  await page.waitForFunction((limit) => window.__runs.workers().some((w) => w.memory > limit + 64 * 2 ** 20), RETIRE_BYTES, { timeout: 120_000, polling: 250 });
  const peak = await page.evaluate(async () => Math.max(...(await import('/js/compute/runs.js')).runs.workers().map((w) => w.memory)));
  // A new setting ends the large run; the small one that follows runs in a fresh instance.
  await page.fill('input[name="depth"]', '3');
  await page.press('input[name="depth"]', 'Tab');
  await page.waitForSelector('section[data-panel="signal"][data-run-state="done"]', { timeout: 60_000 });
  // Idle for RETIRE_IDLE_MS, the large worker goes, and its replacement reports its (small) memory.
  await page.waitForFunction((big) => !window.__runs.workers().some((w) => w.index === big) && window.__runs.workers().every((w) => w.memory > 0), bigWorker, { timeout: 30_000 });
  const after = await page.evaluate(() => window.__runs.workers());
  assert.ok(peak > RETIRE_BYTES, `peak ${peak}`);
  assert.ok(!after.some((w) => w.index === bigWorker), 'the large worker was retired');
  const total = after.reduce((a, w) => a + w.memory, 0);
  // A depth-3 probe of 1000×2000 needs 3 layers' activations (8 MB each) plus weights and workspaces; a fresh
  // instance after its warm-up needs a few MB: every worker far below the limit, all of them far below the peak.
  for (const w of after) assert.ok(w.memory < RETIRE_BYTES / 2, `worker ${w.index}: ${(w.memory / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(total < peak / 3, `wasm memory after the small run: ${(total / 2 ** 20).toFixed(0)} MiB (peak ${(peak / 2 ** 20).toFixed(0)} MiB)`);
  assert.equal((await layerRows(page)).length, 3);
  console.log(`# wasm memory: ${(peak / 2 ** 20).toFixed(0)} MiB during the largest probe, ${(total / 2 ** 20).toFixed(0)} MiB after the next run`);
  assert.deepEqual(problems, []);
  await context.close();
});
