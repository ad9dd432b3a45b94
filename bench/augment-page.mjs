// Browser benchmark of the augmentation studio (`make bench-augment`): the wasm build's throughput on the same
// 224×224 RGB pipeline as bench/augment.sh, the time to regenerate a 16-tile 224×224 grid with the wasm called
// directly (pipeline + RGBA grid + putImageData), and the same through the page itself (a 224×224 PNG uploaded,
// "New seed" clicked; the panel's worker computes, the main thread draws), all in headless Chromium. Environment:
// REPS (pairs of a direct call and a page regeneration, default 15), TRACE=1 (thread CPU times from a Chrome trace),
// WWW (serve another copy of www/, e.g. an older commit's with the same marks, for a before/after).
import { setup, settled } from '../tests/e2e/harness.mjs';

const PIPELINE = 'translate~hflip~rotate(bilinear)~jitter(b0.4_c0.4)~noise(sigma0.05)';
const h = await setup(process.env.WWW ? { root: process.env.WWW } : {}); // WWW: serve another copy of www/
try {
  const { page, context } = await h.open('#panel=augment&src=scene');
  await settled(page, 'augment');
  const r = await page.evaluate(async (pipeline) => {
    const { loadWasm } = await import('/js/compute/wasm.js');
    const { module: wasm, build } = await loadWasm(); // the build the page and its workers picked
    // A 224×224 RGB source: the built-in scene drawn at 224 px by the browser.
    const probe = new wasm.AugmentView();
    probe.set_sample('scene');
    probe.set_pipeline('');
    probe.generate(1, 0);
    const src = new OffscreenCanvas(probe.grid_width, probe.grid_height);
    src.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(probe.grid_rgba()), probe.grid_width, probe.grid_height), 0, 0);
    const c224 = new OffscreenCanvas(224, 224);
    c224.getContext('2d').drawImage(src, 0, 0, 224, 224);
    const rgba = c224.getContext('2d').getImageData(0, 0, 224, 224).data;
    probe.free();

    const view = new wasm.AugmentView();
    view.set_image(rgba, 224, 224);
    view.set_pipeline(pipeline);
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d');
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Throughput: 64 samples per call (the pipeline only), repeated.
    view.generate(64, 1);
    const per = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      view.generate(64, i);
      per.push((performance.now() - t0) / 64);
    }
    // The page's regeneration of a 16-tile grid: pipeline, grid bytes, ImageData, putImageData.
    const grid = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      view.generate(16, 100 + i);
      canvas.width = view.grid_width;
      canvas.height = view.grid_height;
      const bytes = view.grid_rgba(); // as www/js/panels/augment.js does: one copy out of wasm, a clamped view of it
      g.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length), view.grid_width, view.grid_height), 0, 0);
      grid.push(performance.now() - t0);
    }
    // Where the time goes: each step alone (p = 1, 64 tiles per call, per image), the empty pipeline (copying the
    // source per tile), grid_rgba alone, and ImageData + putImageData alone.
    const steps = {};
    const time = (f, reps) => { const ts = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(i); ts.push(performance.now() - t0); } return median(ts); };
    for (const step of ['', ...pipeline.split('~')]) {
      const one = step === '' ? '' : step.includes('(') ? step.replace(')', '_p1)') : `${step}(p1)`;
      view.set_pipeline(one);
      view.generate(64, 1);
      steps[step || '(empty)'] = time((i) => view.generate(64, i), 7) / 64;
    }
    view.set_pipeline(pipeline);
    view.generate(16, 7);
    const rgbaMs = time(() => view.grid_rgba(), 15);
    const bytes = view.grid_rgba();
    const putMs = time(() => {
      canvas.width = view.grid_width;
      canvas.height = view.grid_height;
      g.putImageData(new ImageData(new Uint8ClampedArray(bytes), view.grid_width, view.grid_height), 0, 0);
    }, 15);
    // A checksum of one grid, to compare pixels across builds (FNV-1a over the RGBA bytes).
    let hash = 0x811c9dc5;
    for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
    view.free();
    return { build, steps, rgbaMs, putMs, hash: hash.toString(16), perImage: median(per), perMin: Math.min(...per), perMax: Math.max(...per), grid: median(grid), gridMin: Math.min(...grid), gridMax: Math.max(...grid) };
  }, PIPELINE);
  console.log(`pipeline ${PIPELINE} at 224×224 RGB, wasm (${r.build} build) in headless Chromium`);
  console.log(`  throughput: ${(1000 / r.perImage).toFixed(0)} images/s (median of 9 × 64; ${r.perImage.toFixed(2)} ms/image, min ${r.perMin.toFixed(2)}, max ${r.perMax.toFixed(2)})`);
  console.log(`  16-tile grid regenerated: ${r.grid.toFixed(1)} ms median of 15 (min ${r.gridMin.toFixed(1)}, max ${r.gridMax.toFixed(1)})`);
  console.log('  breakdown (wasm, ms per 224×224 image, each step alone with p = 1, includes the per-tile copy of the source):');
  for (const [k, v] of Object.entries(r.steps)) console.log(`    ${k.padEnd(24)} ${v.toFixed(3)}`);
  console.log(`    grid_rgba (16 tiles)     ${r.rgbaMs.toFixed(2)} ms; ImageData + putImageData ${r.putMs.toFixed(2)} ms`);
  console.log(`  grid checksum (seed 7, 16 tiles): ${r.hash}`);

  // The page's own path: upload a 224×224 PNG, then time "New seed" → the panel showing the new grid. Each page
  // regeneration is paired with a direct one (the same pipeline and source, the wasm of the page's main thread) just
  // before it, so that the ratio page ÷ direct is taken under the same load.
  await page.goto(h.url + `#panel=augment&src=digit6&n=16&aug=${PIPELINE}`);
  await settled(page, 'augment');
  const png = await page.evaluate(async () => {
    const c = new OffscreenCanvas(224, 224);
    const g = c.getContext('2d');
    for (let y = 0; y < 224; y += 16) for (let x = 0; x < 224; x += 16) { g.fillStyle = `rgb(${x}, ${y}, ${(x * y) % 255})`; g.fillRect(x, y, 16, 16); }
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  });
  await page.setInputFiles('input[type="file"]', { name: 'bench.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await page.waitForFunction(() => location.hash.includes('src=own'));
  await settled(page, 'augment');
  // TRACE=1: a Chrome trace of the pairs gives each thread's CPU time (tts), which other processes' load barely
  // changes, unlike the wall-clock times.
  const trace = process.env.TRACE ? await startTrace(context, page) : null;
  const pairs = await page.evaluate(async ({ pipeline, png, reps }) => {
    const { loadWasm } = await import('/js/compute/wasm.js');
    const { runs } = await import('/js/compute/runs.js');
    const { module: wasm } = await loadWasm();
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(png)], { type: 'image/png' }));
    const c = new OffscreenCanvas(224, 224);
    c.getContext('2d').drawImage(bitmap, 0, 0);
    const view = new wasm.AugmentView();
    view.set_image(c.getContext('2d').getImageData(0, 0, 224, 224).data, 224, 224);
    view.set_pipeline(pipeline);
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d');
    const direct = (seed) => {
      performance.mark('bench:direct');
      const t0 = performance.now();
      view.generate(16, seed);
      canvas.width = view.grid_width;
      canvas.height = view.grid_height;
      const bytes = view.grid_rgba();
      g.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length), view.grid_width, view.grid_height), 0, 0);
      const ms = performance.now() - t0;
      performance.mark('bench:direct-end');
      return ms;
    };
    const section = document.querySelector('section[data-panel="augment"]');
    const shown = () => new Promise((resolve) => {
      const o = new MutationObserver(() => { if (section.getAttribute('aria-busy') === 'false') { o.disconnect(); resolve(); } });
      o.observe(section, { attributes: true, attributeFilter: ['aria-busy'] });
    });
    // Times since the epoch, comparable between the page and its worker (whose clock starts elsewhere).
    const now = () => performance.timeOrigin + performance.now();
    // The first mark of that name since `since` (a page time): a click may update the panel twice (the grid is posted
    // before the URL is written, and the update that follows finds it under way).
    const mark = (name, since) => { const e = performance.getEntriesByName(name).find((x) => x.startTime >= since); return e ? performance.timeOrigin + e.startTime : NaN; };
    const out = [];
    for (let i = 0; i <= reps; i++) { // the first pair warms the worker's code up and is left out
      const d = direct(1000 + i);
      await new Promise((r) => setTimeout(r, 20));
      const done = shown();
      const since = performance.now();
      const t0 = performance.timeOrigin + since;
      performance.mark('bench:click');
      document.querySelector('.reseed').click();
      await done;
      const t1 = now();
      performance.mark('bench:shown');
      // Where the page's time went, when the page and its worker mark their steps (www/js/panels/augment.js,
      // the augment job in www/js/compute/jobs.js).
      const w = runs.current('augment')?.result?.timing;
      const [update, post, result, drawn] = ['update', 'post', 'result', 'shown'].map((m) => mark(`augment:${m}`, since));
      const parts = w && {
        'click → panel update': update - t0,
        'panel update → run posted': post - update,
        'posted → worker starts': w.start - post,
        'worker: image + pipeline': w.ready - w.start,
        'worker: generate': w.generated - w.ready,
        'worker: grid_rgba': w.drawn - w.generated,
        'worker: captions, risks, code': w.end - w.drawn,
        'worker → result on the page': result - w.end,
        'drawing the grid, tiles, tables': drawn - result,
      };
      if (i > 0) out.push({ direct: d, page: t1 - t0, parts });
      await new Promise((r) => setTimeout(r, 20));
    }
    view.free();
    return out;
  }, { pipeline: PIPELINE, png, reps: Number(process.env.REPS ?? 15) });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const stat = (xs) => `${median(xs).toFixed(1)} ms median of ${xs.length} (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
  const direct = pairs.map((p) => p.direct);
  const through = pairs.map((p) => p.page);
  const ratios = pairs.map((p) => p.page / p.direct);
  console.log(`  16-tile grid, pairs of a direct call and "New seed" through the page (worker + transfer + draw + tables), own 224×224 image:`);
  console.log(`    direct:     ${stat(direct)}`);
  console.log(`    page:       ${stat(through)}`);
  console.log(`    page ÷ direct: ${(median(through) / median(direct)).toFixed(2)} (ratio of the medians); median of the pairs' ratios ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`);
  if (pairs[0].parts) {
    console.log('    where the page\'s time goes (medians; the parts add up to the page time only roughly):');
    for (const k of Object.keys(pairs[0].parts)) console.log(`      ${k.padEnd(34)} ${median(pairs.map((p) => p.parts[k])).toFixed(2)} ms`);
  }
  if (trace) cpuReport(await trace.stop(), median);
  await context.close();
} finally {
  await h.close();
}

// Tracing with the categories that carry thread times: task slices (toplevel) and performance marks (user timing).
async function startTrace(context, page) {
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  await cdp.send('Tracing.start', { categories: 'toplevel,blink.user_timing', transferMode: 'ReportEvents' });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      return events;
    },
  };
}

// Thread CPU time per pair: the direct call (main thread), and the page's critical path: the main thread from the
// click to the run's post, the worker's tasks until the grid is shown, the main thread from the result to the shown
// grid. The first pair (warm-up) is left out, as in the wall-clock figures.
function cpuReport(events, median) {
  const threads = {};
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads[`${e.pid}:${e.tid}`] = e.args.name;
  const marks = (name) => events.filter((e) => e.name === name).sort((a, b) => a.ts - b.ts);
  const worker = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && threads[`${e.pid}:${e.tid}`] === 'DedicatedWorker thread');
  const [ds, de, clicks, shown] = ['bench:direct', 'bench:direct-end', 'bench:click', 'bench:shown'].map(marks);
  const rows = clicks.slice(1).map((c, j) => {
    const i = j + 1;
    const end = shown[i];
    const first = (name) => events.find((e) => e.name === name && e.ts >= c.ts && e.ts <= end.ts);
    const [post, result, drawn] = ['augment:post', 'augment:result', 'augment:shown'].map(first);
    const pre = (post.tts - c.tts) / 1000;
    const work = worker.filter((e) => e.ts >= c.ts && e.ts < end.ts).reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000;
    const after = (drawn.tts - result.tts) / 1000;
    return { direct: (de[i].tts - ds[i].tts) / 1000, pre, work, after, page: pre + work + after };
  });
  const m = (k) => median(rows.map((r) => r[k])).toFixed(1);
  console.log('  thread CPU time (TRACE=1; medians, ms):');
  console.log(`    direct call (main thread): ${m('direct')}`);
  console.log(`    page: click → run posted (main) ${m('pre')} + worker ${m('work')} + result → grid shown (main) ${m('after')} = ${m('page')}`);
  console.log(`    page ÷ direct in CPU time: ${median(rows.map((r) => r.page / r.direct)).toFixed(2)} (median of the pairs' ratios)`);
}
