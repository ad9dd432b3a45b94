// Runs the wasm benchmark in node (same V8 as Chromium): GFLOP/s of GEMMs (ours vs ndarray's dot, square sizes or
// the conv net's shapes) and the probe's latency. Options: see options() in measure.mjs.
import { createRequire } from 'node:module';
import { options, report, stats } from './measure.mjs';

const require = createRequire(import.meta.url);
const m = require('./pkg/gemm_bench.js');
const o = options(process.argv.slice(2));
let peak = null;
if (o.peak) {
  const { runWasmPeak } = await import(o.peak);
  peak = await runWasmPeak({ seconds: o.quick ? 0.3 : 1.0, reps: 3, summarize: stats });
}
for (const line of report(m, o, peak)) console.log(line);
