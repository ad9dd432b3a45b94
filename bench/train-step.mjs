// The training step of the default net (batch 20) in node, measured in CPU time so that a loaded machine can still
// compare builds: per build (pkg folders, e.g. a copy of main's build against this branch's www/pkg), one Trainer,
// `train_step` timed by `process.cpuUsage()` (user + system of the process: the wasm runs on the main thread, the
// other threads are idle once warm) and by the wall clock, over interleaved rounds; the best round of each is kept
// (other processes only ever add time). Then each build's per-layer profile (`Trainer.profile`, wall clock: its
// clock is `performance.now()`), the minimum per layer over the rounds. First, whether the builds compute the same
// bits: 20 losses of a fresh Trainer and the logits after them (compare builds of one kind: simd128 with simd128).
// With --no-layers only train_step runs (for `node --cpu-prof`: see bench/cpuprofile-top.mjs).
// Usage: node bench/train-step.mjs [--rounds R] [--steps N] [--no-layers] PKG_DIR ...
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { reportSameBits } from './same-bits.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const noLayers = args.includes('--no-layers') && args.splice(args.indexOf('--no-layers'), 1).length > 0;
const rounds = opt('--rounds', 7);
const steps = opt('--steps', 100);
const dirs = args.length ? args : [new URL('../www/pkg', import.meta.url).pathname];
const builds = [];
for (const dir of dirs) {
  const mod = await import(resolve(dir, 'cnn_playground.js') + `?${builds.length}`);
  mod.initSync({ module: readFileSync(resolve(dir, 'cnn_playground_bg.wasm')) });
  builds.push({ dir, mod, t: new mod.Trainer({ seed: 1 }), cpu: [], wall: [], layers: null });
}
const x = new Float32Array(20 * 784).map((_, i) => ((i * 7919) % 1000) / 1000);
const y = new Uint32Array(20).map((_, i) => i % 10);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`load average ${load()} on ${cpus().length} cores; ${rounds} rounds of ${steps} steps per build`);
reportSameBits(builds, x, y);
for (const b of builds) for (let i = 0; i < 20; i++) b.t.train_step(x, y); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < steps; i++) b.t.train_step(x, y);
    const w = (performance.now() - w0) / steps;
    const c = process.cpuUsage(c0);
    b.cpu.push((c.user + c.system) / 1e3 / steps);
    b.wall.push(w);
    if (noLayers) continue;
    const rows = b.t.profile(x, y, 20);
    b.layers = b.layers
      ? b.layers.map((l, i) => ({ ...l, f: Math.min(l.f, rows[i].forward_ms), b: Math.min(l.b, rows[i].backward_ms) }))
      : rows.map((r) => ({ layer: r.layer, f: r.forward_ms, b: r.backward_ms }));
  }
}
const min = (a) => Math.min(...a);
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const b of builds) {
  const cpu = min(b.cpu);
  console.log(`${b.dir}: train_step CPU ms per batch of 20: best ${cpu.toFixed(3)} (${(20e3 / cpu).toFixed(0)} ex/s), ` +
    `median ${med(b.cpu).toFixed(3)}; wall best ${min(b.wall).toFixed(3)}, median ${med(b.wall).toFixed(3)}`);
}
if (builds.length > 1) {
  for (const b of builds.slice(1)) {
    const ratios = b.cpu.map((c, i) => builds[0].cpu[i] / c);
    console.log(`${b.dir} vs ${builds[0].dir}: speed-up by CPU time, best-of ${(min(builds[0].cpu) / min(b.cpu)).toFixed(3)}×, ` +
      `median of the rounds' ratios ${med(ratios).toFixed(3)}×, ` +
      `per round ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  }
}
for (const b of builds.filter(() => !noLayers)) {
  const total = b.layers.reduce((s, l) => s + l.f + l.b, 0);
  console.log(`${b.dir}: per-layer profile, ms per batch of 20 (min over rounds of means of 20 passes), forward / backward, share`);
  for (const l of b.layers) {
    console.log(`  ${l.layer.padEnd(16)} ${l.f.toFixed(3)} / ${l.b.toFixed(3)}  ${((100 * (l.f + l.b)) / total).toFixed(1)} %`);
  }
  console.log(`  sum ${total.toFixed(3)} ms; the step's best wall time ${min(b.wall).toFixed(3)} ms (the rest: loss, optimizer, copies)`);
}
console.log(`load average ${load()}`);
