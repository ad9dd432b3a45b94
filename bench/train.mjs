// Browser benchmark of the Train panel (`make bench-train`): the default net on all digits (1,346 training images,
// no augmentation, batch 32, 10 epochs), trained through the panel (a run in a worker, measured every 10 steps on
// the fixed subsets of 200 training and 200 validation images and at the end on all, progress drawn on the main
// thread) against the bare engine in the same page (Trainer.train on the main thread, no measurements in between, same settings and seed, same wasm build). Reports examples/s of both (and their ratio),
// the wall time from Start to the first measurement at ≥ 90 % validation accuracy, and the main thread's long tasks
// (> 50 ms) while the run trains.
import { setup } from '../tests/e2e/harness.mjs';

const HASH = '#panel=train&data=digits&per_class=1000&aug=&bs=32&epochs=10&lr=0.01&opt=sgd&momentum=0.9&seed=42';
const BARE_STEPS = 200;

const h = await setup();
try {
  const { page, context } = await h.open(HASH);
  await page.waitForSelector('section[data-panel="train"][data-run-state="idle"]', { timeout: 60_000 });
  // The bare engine first, on the main thread of the same page (one warm-up call, then BARE_STEPS steps).
  const bare = await page.evaluate(async (steps) => {
    const { loadWasm } = await import('/js/compute/wasm.js');
    const { module: wasm, build } = await loadWasm(); // the build the page's workers pick (relaxed SIMD where supported)
    const bytes = new Uint8Array(await (await fetch('/data/digits.bin')).arrayBuffer());
    const d = new wasm.Dataset({ source: 'digits', bytes });
    const t = new wasm.Trainer({ init: 'he_normal', opt: 'sgd(lr0.01_m0.9_wd0)', seed: 42 });
    t.set_data(d, { batch: 32, aug: '', seed: 42 });
    t.train(5);
    const t0 = performance.now();
    t.train(steps);
    const ms = performance.now() - t0;
    t.free(); d.free();
    return { rate: (steps * 32) / (ms / 1000), ms, build };
  }, BARE_STEPS);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  const t0 = Date.now();
  await page.click('button[data-action="start"]');
  await page.waitForFunction(() => [...document.querySelectorAll('table[data-table="train-curves"] tbody tr')].some((r) => Number(r.cells[4].textContent) >= 0.9), null, { timeout: 900_000, polling: 50 });
  const to90 = (Date.now() - t0) / 1000;
  const step90 = await page.$$eval('table[data-table="train-curves"] tbody tr', (rows) => rows.map((r) => [Number(r.cells[0].textContent), Number(r.cells[4].textContent)]).find((r) => r[1] >= 0.9)[0]);
  await page.waitForSelector('section[data-panel="train"][data-run-state="done"]', { timeout: 900_000 });
  const panel = await page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js');
    const r = runs.current('train');
    const valAcc = [...document.querySelectorAll('table[data-table="train-curves"] tbody tr')].map((row) => Number(row.cells[4].textContent));
    return { rate: r.work.rate, long: window.__long, best: Math.max(...valAcc), final: valAcc.at(-1) };
  });
  await context.close();
  const longest = Math.max(0, ...panel.long);
  console.log(`bare engine (main thread, ${bare.build} build, ${BARE_STEPS} steps of 32): ${bare.rate.toFixed(0)} examples/s`);
  console.log(`panel (worker, the measurements included): ${panel.rate.toFixed(0)} examples/s = ${(panel.rate / bare.rate).toFixed(2)}× the bare engine`);
  console.log(`to 90 % validation accuracy: ${to90.toFixed(1)} s from Start (measured at step ${step90}); best ${panel.best}; final (all 451) ${panel.final}`);
  console.log(`main-thread long tasks (> 50 ms) while training: ${panel.long.length}, longest ${longest.toFixed(0)} ms`);
} finally {
  await h.close();
}
