// Our rows of a peers run against the goals, from its JSON (bench/peers.sh writes bench/results/peers.json):
// training vs the best TensorFlow.js contender of the same run, inference vs tfjs-wasm-simd, GFLOP/s (the harness's
// nominal count: 3× the forward FLOPs per training example) and their share of the same run's wasm peak, and what
// freezing the conv layers saves per step.  Usage: node bench/peers-summary.mjs [bench/results/peers.json]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('results/peers.json', import.meta.url).pathname;
const run = JSON.parse(readFileSync(file, 'utf8'));
const ok = run.results.filter((r) => r.status === 'ok');
const tfjs = ok.filter((r) => r.id.startsWith('tfjs'));
const bestTrain = tfjs.reduce((a, r) => (!a || r.train.median > a.train.median ? r : a), null);
const wasmSimd = ok.find((r) => r.id === 'tfjs-wasm-simd');
const peak = run.micro?.wasmPeak ?? {};
const batch = run.info?.train?.batchSize ?? 20;
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const ms = (r) => (1000 * batch) / r.train.median;

console.log(`best TF.js training: ${bestTrain ? `${bestTrain.id} ${f(bestTrain.train.median)} ex/s` : 'none'}; ` +
  `tfjs-wasm-simd inference: ${wasmSimd ? `${f(wasmSimd.infer.median)} ex/s` : 'none'}`);
console.log(`same-run wasm peak GFLOP/s: simd128 ${f(peak.simd128?.gflops?.median, 1)}, relaxed ${f(peak.relaxed?.gflops?.median, 1)}`);
console.log('\n| contender | train ex/s | × best TF.js (goal ≥ 8) | train GFLOP/s | share of peak | infer ex/s | × tfjs-wasm-simd (goal ≥ 1.5) | infer GFLOP/s | share of peak | ms per step |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of ok.filter((x) => x.id.startsWith('ours'))) {
  const p = (r.id.includes('relaxed') ? peak.relaxed : peak.simd128)?.gflops?.median;
  console.log(`| ${r.id} | ${f(r.train.median)} | ${bestTrain ? f(r.train.median / bestTrain.train.median, 2) : '-'} | ` +
    `${f(r.gflops.train.median, 2)} | ${f((100 * r.gflops.train.median) / p, 0)} % | ${f(r.infer.median)} | ` +
    `${wasmSimd ? f(r.infer.median / wasmSimd.infer.median, 2) : '-'} | ${f(r.gflops.infer.median, 2)} | ` +
    `${f((100 * r.gflops.infer.median) / p, 0)} % | ${f(ms(r), 2)} |`);
}
for (const r of ok.filter((x) => x.id.startsWith('ours') && x.id.endsWith('-frozen'))) {
  const full = ok.find((x) => x.id === r.id.replace(/-frozen$/, ''));
  if (full) console.log(`\n${r.id}: ${f(ms(full), 2)} → ${f(ms(r), 2)} ms per step of ${batch} ` +
    `(saves ${f(ms(full) - ms(r), 2)} ms, ${f(100 * (1 - ms(r) / ms(full)), 0)} %)`);
}

// Batch-1 latency (the phase bench/peers/batch1-patch.mjs adds to the harness copy): median of 200 awaited calls.
const withBatch1 = ok.filter((r) => r.batch1);
if (withBatch1.length) {
  const ref = ok.find((r) => r.id === 'tfjs-wasm-simd')?.batch1;
  console.log('\n| contender | batch-1 median ms | p95 ms | × tfjs-wasm-simd\'s median (lower is faster) | goal ≤ 1 ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of withBatch1) {
    const b = r.batch1;
    console.log(`| ${r.id} | ${f(b.medianMs, 3)} | ${f(b.p95Ms, 3)} | ${ref ? f(b.medianMs / ref.medianMs, 2) : '-'} | ` +
      `${r.id.startsWith('ours') ? (b.medianMs <= 1 ? 'met' : 'missed') : ''} |`);
  }
}
