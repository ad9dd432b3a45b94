// Runs the wasm benchmark in node (same V8 as Chromium): GFLOP/s of square GEMMs (ours vs ndarray's dot)
// and the probe's latency. Usage: node run.mjs [--quick] [--sizes 128,256,500,1000] [--kinds ours,ndarray]
//   [--gemm-only|--probe-only] [--peak /tmp/peers/web/micro/wasm_peak.js]  (the f32x4 peak, measured in the same run)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { GemmBench, ProbeBench } = require('./pkg/gemm_bench.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const quick = args.includes('--quick');
const sizes = opt('--sizes', '128,256,500,1000').split(',').map(Number);
const kinds = opt('--kinds', 'ours,ndarray').split(',');
const seconds = quick ? 0.3 : 1.0;   // per repetition
const reps = quick ? 3 : 5;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const now = () => performance.now();

// The kinds are measured in alternation (round-robin) so that load from other processes hits them alike.
function gemmRow(n) {
  const flop = 2 * n * n * n;
  const benches = kinds.map((k) => {
    const g = new GemmBench(k, n, n, n);
    // warm-up: tier up to TurboFan, and calibrate the calls per repetition
    let t0 = now(), calls = 0;
    while (now() - t0 < 200) { g.run(1); calls++; }
    return { g, per: Math.max(1, Math.round((calls / 0.2) * seconds)), rates: [] };
  });
  for (let r = 0; r < reps; r++) {
    for (const b of benches) {
      const t = now(); b.g.run(b.per); b.rates.push((flop * b.per) / ((now() - t) / 1e3) / 1e9);
    }
  }
  return benches.map((b) => { b.g.free(); return { med: median(b.rates), min: Math.min(...b.rates), max: Math.max(...b.rates) }; });
}

function probe(depth, width, batch, act, init, runs) {
  const out = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    const p = new ProbeBench(depth, width, batch, act, init, BigInt(r));
    p.forward();
    const first = now() - t0;
    while (!Number.isNaN(p.forward()));
    const fwd = now() - t0;
    while (!Number.isNaN(p.backward()));
    const all = now() - t0;
    p.free();
    out.push({ first, fwd, all });
  }
  const pick = (k) => { const v = out.map((o) => o[k]); return { med: median(v), min: Math.min(...v), max: Math.max(...v) }; };
  return { first: pick('first'), fwd: pick('fwd'), all: pick('all') };
}

const f1 = (x) => x.toFixed(1);
const peakPath = opt('--peak', null);
if (peakPath) {
  const { runWasmPeak } = await import(peakPath);
  const summarize = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  const r = await runWasmPeak({ seconds: quick ? 0.3 : 1.0, reps: 3, summarize });
  const show = (k) => (r[k].gflops ? `${f1(r[k].gflops.median)} (${f1(r[k].gflops.min)}–${f1(r[k].gflops.max)})` : 'n/a');
  console.log(`wasm peak GFLOP/s: scalar ${show('scalar')}, simd128 ${show('simd128')}, relaxed ${show('relaxed')}`);
}
const fmt = (s) => `${f1(s.med)} (${f1(s.min)}–${f1(s.max)})`;
if (!args.includes('--probe-only')) {
  console.log(`GEMM GFLOP/s, square n×n×n, median of ${reps} × ${seconds} s (min–max)`);
  for (const n of sizes) {
    const stats = gemmRow(n);
    const row = kinds.map((k, i) => `${k} ${fmt(stats[i])}`).join('   ');
    console.log(`n=${n}   ${row}`);
  }
}
if (!args.includes('--gemm-only')) {
  const cfgs = [[10, 500, 500, 'tanh', 'xavier_normal', quick ? 3 : 7]];
  if (!quick) cfgs.push([50, 1000, 2000, 'tanh', 'xavier_normal', 1]);
  for (const [d, w, b, act, init, runs] of cfgs) {
    if (runs > 1) probe(d, w, b, act, init, 1); // warm-up (tier-up and memory growth); too long for the largest
    const r = probe(d, w, b, act, init, runs);
    const gf = 2 * b * w * w * d;
    console.log(`probe depth=${d} width=${w} batch=${b} ${act} ${init}, ${runs} runs, ms median (min–max): ` +
      `first layer ${fmt(r.first)}, forward ${fmt(r.fwd)}, forward+backward ${fmt(r.all)}; ` +
      `forward ${f1(gf / r.fwd.med / 1e6)} GFLOP/s, all ${f1(3 * gf / r.all.med / 1e6)} GFLOP/s`);
  }
}
