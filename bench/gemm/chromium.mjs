// The wasm benchmark in headless Chromium (the browser the page runs in): the same measurements as run.mjs
// (measure.mjs), with the same options. Run through bench/gemm/chromium.sh, which builds pkg-web first.
import { copyFileSync } from 'node:fs';
import { chromium } from '../../tests/e2e/node_modules/playwright-core/index.mjs';
import { startServer } from '../../tools/serve.mjs';
import { options } from './measure.mjs';

const here = new URL('.', import.meta.url).pathname;
const o = options(process.argv.slice(2));
if (o.peak) copyFileSync(o.peak, `${here}pkg-web/wasm_peak.js`); // served beside the module
const { server, url } = await startServer(here, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('console', (msg) => console.log(msg.text())); // progress, line by line
  await page.goto(url + 'pkg-web/');
  await page.evaluate(async (o) => {
    const m = await import('/pkg-web/gemm_bench.js');
    await m.default();
    const { report, stats } = await import('/measure.mjs');
    let peak = null;
    if (o.peak) {
      const { runWasmPeak } = await import('/pkg-web/wasm_peak.js');
      peak = await runWasmPeak({ seconds: o.quick ? 0.3 : 1.0, reps: 3, summarize: stats });
    }
    console.log(`${navigator.userAgent.match(/Chrom\S+/)?.[0] ?? 'Chromium'}`);
    for (const line of report(m, o, peak)) console.log(line);
  }, o);
} finally {
  await browser.close();
  server.close();
}
