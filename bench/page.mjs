// Browser benchmark of the page (run by `make bench-page` after `make build`; needs the e2e packages):
// time from navigation to the first drawn chart, time to resample 10⁶ weights and redraw, and the wasm size.
// Prints medians over several runs with min–max. Not a test: numbers go to BENCHMARKS.md with the command.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { setup, settled } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs) => `${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;

const h = await setup();
const firstChart = [];
const resample = [];
const resampleFrame = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const { page, context } = await h.open('#panel=init&init=he_normal&shape=256x784&samples=100000&seed=1&lang=en');
    await settled(page, 'init');
    firstChart.push(await page.evaluate(() => performance.getEntriesByName('cnn:first-chart')[0].startTime));
    // Resample 10⁶ weights: set the sample count, then time "New seed" clicks (sample + stats + histogram + table + draw).
    await page.fill('input[name="samples"]', '1000000');
    await page.press('input[name="samples"]', 'Tab');
    await settled(page, 'init');
    const times = await page.evaluate(async () => {
      const button = document.querySelector('.reseed');
      const out = [];
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        button.click(); // the update is synchronous: when click() returns, the chart and tables are current
        const t1 = performance.now();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push([t1 - t0, performance.now() - t0]);
      }
      return out;
    });
    for (const [sync, frame] of times.slice(1)) { resample.push(sync); resampleFrame.push(frame); }
    await context.close();
  }
} finally {
  await h.close();
}

const wasm = readFileSync(new URL('../www/pkg/cnn_playground_bg.wasm', import.meta.url));
console.log(`navigation → first drawn chart:            ${summary(firstChart)}`);
console.log(`resample 10^6 weights + redraw (sync task): ${summary(resample)}`);
console.log(`resample 10^6 + redraw, to next frame:      ${summary(resampleFrame)}`);
console.log(`wasm size: ${(wasm.length / 1024).toFixed(1)} KiB raw, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped`);
