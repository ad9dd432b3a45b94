// The GEMM benchmark in headless Chromium (the browser the page runs in; node's V8 is older and gives other numbers):
// GFLOP/s of square GEMMs, ours vs ndarray's dot measured in alternation, and the probe's latency.
// Run through bench/gemm/chromium.sh, which builds pkg-web first.
import { chromium } from '../../tests/e2e/node_modules/playwright-core/index.mjs';
import { startServer } from '../../tools/serve.mjs';

const sizes = (process.argv[2] ?? '128,256,500,1000').split(',').map(Number);
const { server, url } = await startServer(new URL('.', import.meta.url).pathname, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(url + 'pkg-web/');
  const r = await page.evaluate(async (sizes) => {
    const m = await import('/pkg-web/gemm_bench.js');
    await m.default();
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const rows = [];
    for (const n of sizes) {
      const flop = 2 * n ** 3;
      const benches = ['ours', 'ndarray'].map((kind) => {
        const g = new m.GemmBench(kind, n, n, n);
        let t0 = performance.now(), calls = 0;
        while (performance.now() - t0 < 300) { g.run(1); calls++; } // warm-up and calibration: ~1 s per repetition
        return { kind, g, per: Math.max(1, Math.round(calls / 0.3)), rates: [] };
      });
      for (let rep = 0; rep < 5; rep++) {
        for (const b of benches) {
          const t = performance.now();
          b.g.run(b.per);
          b.rates.push((flop * b.per) / ((performance.now() - t) / 1e3) / 1e9);
        }
      }
      rows.push({ n, ...Object.fromEntries(benches.map((b) => [b.kind, [median(b.rates), Math.min(...b.rates), Math.max(...b.rates)]])) });
      for (const b of benches) b.g.free();
    }
    const probe = [];
    for (let rep = 0; rep < 6; rep++) {
      const t0 = performance.now();
      const p = new m.ProbeBench(10, 500, 500, 'tanh', 'xavier_normal', BigInt(rep));
      p.forward();
      const first = performance.now() - t0;
      while (!Number.isNaN(p.forward()));
      const fwd = performance.now() - t0;
      while (!Number.isNaN(p.backward()));
      probe.push([first, fwd, performance.now() - t0]);
      p.free();
    }
    const col = (i) => median(probe.slice(1).map((x) => x[i])); // the first run tiers the code up
    return { rows, probe: [col(0), col(1), col(2)] };
  }, sizes);
  const f = ([med, min, max]) => `${med.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)})`;
  console.log('GEMM GFLOP/s in headless Chromium, square n×n×n, median of 5 × ~1 s (min–max)');
  for (const row of r.rows) console.log(`n=${row.n}\tours ${f(row.ours)}\tndarray ${f(row.ndarray)}`);
  console.log(`probe depth=10 width=500 batch=500 tanh xavier_normal, median of 5 after a warm-up run: first layer ${r.probe[0].toFixed(1)} ms, forward ${r.probe[1].toFixed(1)} ms, forward+backward ${r.probe[2].toFixed(1)} ms`);
} finally {
  await browser.close();
  server.close();
}
