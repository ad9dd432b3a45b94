// Browser benchmark of the transfer lab (`make bench-transfer-page`): the whole default quadrant experiment (4 quadrants ×
// 5 strategies × the default repeats, every cell a run in the worker pool) from Start to the filled table, in headless
// Chromium, with how steadily progress arrived (the longest gap between two updates of the progress bar) and the
// main thread's long tasks (> 50 ms). The budget is 60 s; the ratio to it is printed beside the absolute time. Then
// what a step costs per strategy (the panel's measured ms per step and the FLOPs the freezing runs), as the ratio of
// each to fine-tuning everything. The load average is printed first and last: other work on the machine slows this.
import os from 'node:os';
import { setup } from '../tests/e2e/harness.mjs';

const BUDGET_S = 60;
const HASH = process.argv[2] ?? '#panel=transfer&experiment=quadrants';

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`load average before: ${load()} (${os.cpus().length} cores)`);
const h = await setup();
try {
  const { page, context, problems } = await h.open(HASH);
  await page.waitForSelector('section[data-panel="transfer"][data-run-state="idle"]', { timeout: 120_000 });
  const build = await page.evaluate(() => document.documentElement.dataset.wasmBuild);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
    window.__progress = [];
    const bar = document.querySelector('section[data-panel="transfer"] progress[data-progress="experiment"]');
    new MutationObserver(() => window.__progress.push([performance.now(), bar.value])).observe(bar, { attributes: true });
    window.__t0 = performance.now();
  });
  const t0 = Date.now();
  await page.click('button[data-action="start"]');
  await page.waitForSelector('section[data-panel="transfer"][data-run-state="done"]', { timeout: 1_800_000, polling: 100 });
  const seconds = (Date.now() - t0) / 1000;
  const out = await page.evaluate(() => {
    const times = [window.__t0, ...window.__progress.map((p) => p[0])];
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const rows = (id) => [...document.querySelectorAll(`table[data-table="${id}"] tbody tr`)].map((r) => [...r.cells].map((c) => c.textContent));
    return { long: window.__long, updates: window.__progress.length, maxGap: Math.max(0, ...gaps), quadrants: rows('transfer-quadrants'), strategies: rows('transfer-strategies') };
  });
  await context.close();
  console.log(`${HASH} (${build} build): ${seconds.toFixed(1)} s from Start to done = ${(seconds / BUDGET_S).toFixed(2)}× the ${BUDGET_S}-s budget`);
  console.log(`progress: ${out.updates} updates of the bar, longest gap ${(out.maxGap / 1000).toFixed(2)} s`);
  console.log(`main-thread long tasks (> 50 ms): ${out.long.length}, longest ${Math.max(0, ...out.long).toFixed(0)} ms`);
  const finetune = out.strategies.find((r) => r[0] === 'finetune');
  for (const r of out.strategies) {
    console.log(`  ${r[0].padEnd(9)} trainable ${r[3].padStart(7)}  ${Number(r[4]).toExponential(2)} FLOP/step (${(Number(r[4]) / Number(finetune[4])).toFixed(2)}× finetune)  ${r[5]} ms/step (${(Number(r[5]) / Number(finetune[5])).toFixed(2)}× finetune)`);
  }
  for (const r of out.quadrants) console.log(`  ${r.join('  ')}`);
  if (problems.length) console.log('page problems:', problems);
} finally {
  await h.close();
  console.log(`load average after: ${load()}`);
}
