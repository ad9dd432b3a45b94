// Browser benchmark of the signal panel (`make bench-signal`): probe latency as the page sees it — request to the
// first layer's chart data, to all forward layers, to forward + backward — for the default and the largest
// configuration, plus the longest main-thread task while the probe runs (the worker must keep the page responsive).
// Each configuration runs on both wasm builds (README "Two wasm builds"): `simd=auto` (relaxed SIMD here) and
// `simd=128`. Environment: RUNS (default 5), SIMD=auto|128 (one build only), ONLY=default|largest|small (one configuration),
// WWW (serve another copy of www/, e.g. an older commit's, for a before/after in one session).
//
// CPU=1: no browser; the probe in node, CPU time (`process.cpuUsage`) of `new ProbeRun(…)` and of all forward layers of
// the default configuration, for each wasm build listed in PKGS (comma-separated www/pkg-like directories, default
// www/pkg), alternated within each of RUNS rounds (default 9): a same-run before/after on a loaded machine.
import { setup, settled } from '../tests/e2e/harness.mjs';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

if (process.env.CPU) {
  const fmt1 = (xs) => `${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
  const dirs = (process.env.PKGS ?? 'www/pkg').split(',');
  const rounds = Number(process.env.RUNS ?? 9);
  const mods = [];
  for (const dir of dirs) {
    const mod = await import(pathToFileURL(resolve(dir, 'cnn_playground.js')).href);
    mod.initSync({ module: readFileSync(resolve(dir, 'cnn_playground_bg.wasm')) });
    mods.push(mod);
  }
  const settings = { depth: 10, width: 500, batch: 500, act: 'tanh', init: 'xavier_normal', seed: 42 };
  const cpu = (t0) => { const u = process.cpuUsage(t0); return (u.user + u.system) / 1000; };
  const once = (mod) => {
    const t0 = process.cpuUsage();
    const run = new mod.ProbeRun(settings);
    const made = cpu(t0);
    while (run.forward_layer() !== undefined);
    const forward = cpu(t0);
    run.free();
    return { made, forward };
  };
  const m = dirs.map(() => ({ made: [], forward: [] }));
  const first = [];
  const load = [loadavg()[0]];
  for (let r = 0; r < rounds + 1; r++) {
    const order = r % 2 ? [...dirs.keys()].reverse() : [...dirs.keys()];
    for (const i of order) {
      const t = once(mods[i]);
      if (r > 0) { m[i].made.push(t.made); m[i].forward.push(t.forward); } else first[i] = t; // round 0: fresh memory
    }
  }
  load.push(loadavg()[0]);
  console.log(`load average ${load.map((l) => l.toFixed(1)).join(' → ')}; ${rounds} rounds, medians (min, max), CPU time`);
  dirs.forEach((dir, i) => {
    console.log(`${dir}: new ProbeRun ${fmt1(m[i].made)}; new ProbeRun + all forward layers ${fmt1(m[i].forward)}`);
    console.log(`  the first run (the wasm memory never touched before; not in the medians): ${first[i].made.toFixed(1)} ms, ${first[i].forward.toFixed(1)} ms`);
    if (i > 0) {
      const ratio = m[i].forward.map((f, r) => f / m[0].forward[r]);
      console.log(`  ÷ ${dirs[0]}, per round: median ${median(ratio).toFixed(3)} (min ${Math.min(...ratio).toFixed(3)}, max ${Math.max(...ratio).toFixed(3)})`);
    }
  });
  process.exit(0);
}

const RUNS = Number(process.env.RUNS ?? 5);
const CONFIGS = {
  'default (depth 10, width 500, batch 500, tanh, xavier)': '#panel=signal&depth=10&width=500&batch=500&act=tanh&init=xavier_normal',
  'largest (depth 50, width 1000, batch 2000, tanh, xavier)': '#panel=signal&depth=50&width=1000&batch=2000&act=tanh&init=xavier_normal',
  // Layers far shorter than a frame, so that the worker's progress messages are throttled (one per 16 ms): shows how
  // late the last forward layer reaches the page (`ONLY=small`; not run by default).
  'small (depth 10, width 200, batch 200, tanh, xavier)': '#panel=signal&depth=10&width=200&batch=200&act=tanh&init=xavier_normal',
};
const BUILDS = process.env.SIMD ? [process.env.SIMD] : ['auto', '128'];

const h = await setup(process.env.WWW ? { root: process.env.WWW } : {}); // WWW: serve another copy of www/
try {
  for (const [name, base] of Object.entries(CONFIGS)) {
    if (process.env.ONLY ? !name.startsWith(process.env.ONLY) : name.startsWith('small')) continue;
    for (const simd of BUILDS) {
      const hash = `${base}&simd=${simd}`;
      const runs = name.startsWith('largest') ? Math.min(RUNS, 3) : RUNS;
      const m = { first: [], forward: [], total: [], gflops: [], longest: [], wForward: [], wTotal: [], ratio: [] };
      const { page, context } = await h.open(hash);
      await settled(page, 'signal', 300_000); // warm-up run: worker start and wasm compilation are not part of the probe
      await page.evaluate(() => {
        window.__long = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
      });
      for (let i = 0; i < runs; i++) {
        await page.evaluate(() => { window.__long.length = 0; });
        const runsBefore = await page.evaluate(() => performance.getEntriesByName('signal:done').length);
        await page.click('.reseed');
        // This run's end (a small probe may be over before a busy state could be seen), then the panel settled.
        await page.waitForFunction((n) => performance.getEntriesByName('signal:done').length > n, runsBefore, { timeout: 300_000 });
        await settled(page, 'signal', 300_000);
        const r = await page.evaluate(async () => {
          const last = (n) => performance.getEntriesByName(n).at(-1).startTime;
          const t0 = last('signal:start');
          // The worker's own times: its forward layers and its backward layers, from the first layer's start.
          const { runs } = await import('/js/compute/runs.js');
          const { forward_ms: wForward, backward_ms: wBackward } = runs.current('signal').result;
          return { first: last('signal:first-layer') - t0, forward: last('signal:forward') - t0, total: last('signal:done') - t0, longest: Math.max(0, ...window.__long), status: document.querySelector('.status').textContent, wForward, wTotal: wForward + wBackward };
        });
        m.first.push(r.first); m.forward.push(r.forward); m.total.push(r.total); m.longest.push(r.longest);
        m.wForward.push(r.wForward); m.wTotal.push(r.wTotal); m.ratio.push(r.forward / r.wForward);
        m.gflops.push(Number(/\(([\d.]+) GFLOP\/s/.exec(r.status)?.[1] ?? NaN));
      }
      const build = await page.evaluate(() => document.documentElement.dataset.wasmBuild);
      await context.close();
      console.log(`${name}, simd=${simd}: the ${build} build`);
      console.log(`  first layer:        ${fmt(m.first)}`);
      console.log(`  all forward layers: ${fmt(m.forward)}`);
      console.log(`  forward + backward: ${fmt(m.total)}  (${median(m.gflops)} GFLOP/s overall in the worker)`);
      console.log(`  longest main-thread task during the run: ${fmt(m.longest)}`);
      console.log(`  in the worker (from its first layer's start): all forward ${fmt(m.wForward)}, forward + backward ${fmt(m.wTotal)}`);
      console.log(`  all forward, page ÷ worker: ${median(m.ratio).toFixed(2)} (median of the runs' ratios; min ${Math.min(...m.ratio).toFixed(2)}, max ${Math.max(...m.ratio).toFixed(2)}); page − worker: ${fmt(m.forward.map((f, i) => f - m.wForward[i]))}`);
    }
  }
} finally {
  await h.close();
}
