// Benchmark of the lecture page (www/notes/; `make bench-notes` after `make build`; needs the e2e packages), with its
// five <cnn-playground> views, then its two iframes: time from navigation to the first view drawn, to each of the
// five settled as they are scrolled to, the wasm bytes fetched (one download for the five), and memory (main-thread JS
// heap from the DevTools protocol, the page's and its workers' wasm memory). A fresh browser context per run (cold
// caches). Prints medians with min–max. Not a test: numbers go to BENCHMARKS.md with the command.
import { setup } from '../tests/e2e/harness.mjs';
import { VIEWS } from '../tests/e2e/notes-views.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs, f = (x) => x.toFixed(0)) => `${f(median(xs))} (min ${f(Math.min(...xs))}, max ${f(Math.max(...xs))}, n=${xs.length})`;
const MiB = (x) => (x / 2 ** 20).toFixed(1);

// Records, in page time, when each view's section first shows its settings (aria-busy="false").
function recordSettled() {
  window.__settled = {};
  const seen = () => {
    for (const s of document.querySelectorAll('section[data-panel][aria-busy="false"]')) {
      const host = s.closest('cnn-playground');
      const id = host?.id ?? `page:${s.dataset.panel}`;
      if (!(id in window.__settled)) window.__settled[id] = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
}

const elements = VIEWS.filter((v) => v.element);
const frames = VIEWS.filter((v) => v.frame);
const results = { baseline: [], first: [], five: [], wasmFive: [], downloadsFive: [], wasmFrames: [], downloadsFrames: [], wasmOffline: [], downloadsOffline: [], heap: [], wasmMemory: [], workerMemory: [], workers: [] };
const total = (list, by) => list.filter((w) => w.by === by).reduce((a, w) => a + w.bytes, 0);
const count = (list, by) => list.filter((w) => w.by === by).length;

const h = await setup();
try {
  for (let run = 0; run < RUNS; run++) {
    const wasm = [];
    const { page, context } = await h.open('notes/#lang=en', {
      async prepare(ctx) {
        await ctx.addInitScript(recordSettled);
        ctx.on('requestfinished', async (r) => {
          if (!r.url().endsWith('.wasm')) return;
          // Who fetched it: the service worker's offline copy (both builds, after load), the page (its elements and
          // their workers), or an iframe (a page of its own).
          // A frame's fetch that the service worker answered is counted once, as the worker's own network request.
          let by = 'service worker';
          if (!r.serviceWorker()) {
            if ((await r.response())?.fromServiceWorker()) return;
            try { by = r.frame().parentFrame() ? 'iframe' : 'page'; } catch { by = 'page'; }
          }
          wasm.push({ by, bytes: (await r.sizes()).responseBodySize });
        });
      },
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.waitForFunction((id) => id in (window.__settled ?? {}), elements[0].element, { timeout: 120_000 });
    results.first.push(await page.evaluate((id) => window.__settled[id], elements[0].element));
    for (const v of elements) {
      await page.$eval(`#${v.element}`, (e) => e.scrollIntoView());
      await page.waitForFunction((id) => id in window.__settled, v.element, { timeout: 120_000 });
    }
    results.five.push(await page.evaluate((ids) => Math.max(...ids.map((id) => window.__settled[id])), elements.map((v) => v.element)));
    await page.waitForTimeout(500); // late responses' sizes
    results.wasmFive.push(total(wasm, 'page'));
    results.downloadsFive.push(count(wasm, 'page'));
    const { JSHeapUsedSize } = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    results.heap.push(JSHeapUsedSize);
    const memory = await page.evaluate(async () => {
      const { wasmMemoryBytes } = await import('/js/shell/app.js');
      const { runs } = await import('/js/compute/runs.js');
      const workers = runs.workers();
      return { page: wasmMemoryBytes(), workers: workers.reduce((a, w) => a + w.memory, 0), count: workers.length };
    });
    results.wasmMemory.push(memory.page);
    results.workerMemory.push(memory.workers);
    results.workers.push(memory.count);
    for (const v of frames) {
      await page.$eval(`iframe[data-view="${v.frame}"]`, (e) => e.scrollIntoView());
      const frame = await (await page.$(`iframe[data-view="${v.frame}"]`)).contentFrame();
      await frame.waitForSelector(`section[data-panel="${v.panel}"][aria-busy="false"]`, { timeout: 120_000 });
    }
    await page.waitForTimeout(500);
    results.wasmFrames.push(total(wasm, 'iframe'));
    results.downloadsFrames.push(count(wasm, 'iframe'));
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForTimeout(500);
    results.wasmOffline.push(total(wasm, 'service worker'));
    results.downloadsOffline.push(count(wasm, 'service worker'));
    await context.close();
    // Same-run baseline: the playground page alone with the first view's settings, cold.
    const alone = await h.open('#panel=augment&src=digit6&aug=vflip~rotate(deg180_bilinear)&n=8&embed=1&lang=en', {
      prepare: (ctx) => ctx.addInitScript(recordSettled),
    });
    await alone.page.waitForFunction(() => 'page:augment' in (window.__settled ?? {}), null, { timeout: 120_000 });
    results.baseline.push(await alone.page.evaluate(() => window.__settled['page:augment']));
    await alone.context.close();
  }
} finally {
  await h.close();
}

console.log(`lecture page, ${RUNS} cold runs (fresh context each), 1200×900, English`);
console.log(`navigation → first view drawn (#${elements[0].element}):   ${range(results.first)} ms`);
console.log(`baseline, the playground page alone with that view:        ${range(results.baseline)} ms; ratio of medians ${(median(results.first) / median(results.baseline)).toFixed(2)}×`);
console.log(`navigation → all five elements settled (scrolled to in turn): ${range(results.five)} ms`);
const kib = (x) => (x / 1024).toFixed(1);
console.log(`wasm fetched by the page (five elements and their workers): ${range(results.downloadsFive)} download(s), ${range(results.wasmFive, kib)} KiB`);
console.log(`wasm fetched by the two iframes directly (pages of their own): ${range(results.downloadsFrames)} download(s), ${range(results.wasmFrames, kib)} KiB`);
console.log(`wasm fetched by the service worker (the offline copy: both builds once; and an iframe's fetch once the worker controls it): ${range(results.downloadsOffline)} download(s), ${range(results.wasmOffline, kib)} KiB`);
console.log(`main-thread JS heap after the five (CDP JSHeapUsedSize): ${range(results.heap, MiB)} MiB`);
console.log(`wasm memory after the five: page ${range(results.wasmMemory, MiB)} MiB; workers ${range(results.workerMemory, MiB)} MiB in ${range(results.workers)} worker(s)`);
