// The measurements shared by run.mjs (node) and chromium.mjs (headless Chromium): GEMM GFLOP/s per shape with the
// kinds measured in alternation (round-robin), so that load from other processes hits them alike, and the probe's
// latency. `m` is the wasm module of bench/gemm (GemmBench, ProbeBench).

// The GEMMs of the peers' conv net at batch 20, as the engine runs them through im2col (TOOLCHAIN.md):
// forward W·cols (nn), weight gradient dY·colsᵀ (nt), input gradient Wᵀ·dY (tn), dense x·Wᵀ (nt).
export const CONV_SHAPES = [
  '8x25x15680nn', '8x15680x25nt', '25x8x15680tn',
  '16x200x3920nn', '16x3920x200nt', '200x16x3920tn',
  '20x400x10nt',
];

// "MxKxN" plus optional transposes ("nn" by default): { m, k, n, ops, label }.
export function parseShape(text) {
  const r = /^(\d+)x(\d+)x(\d+)([nt]{2})?$/.exec(text);
  if (!r) throw new Error(`bad shape ${text}: want MxKxN[nn|nt|tn|tt]`);
  const [m, k, n] = [r[1], r[2], r[3]].map(Number);
  const ops = r[4] ?? 'nn';
  return { m, k, n, ops, label: `${m}×${k}×${n} ${ops}` };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
export const stats = (xs) => ({ med: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
export const fmt = (s) => `${s.med.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

// GFLOP/s of each kind on one shape: a warm-up that also calibrates the calls per repetition, then `reps`
// rounds of about `seconds` each. Returns [{ kind, med, min, max }].
export function gemmRow(m, shape, kinds, { seconds = 1, reps = 5 } = {}) {
  const flop = 2 * shape.m * shape.k * shape.n;
  const now = () => performance.now();
  const benches = kinds.map((kind) => {
    const g = new m.GemmBench(kind, shape.ops, shape.m, shape.k, shape.n);
    const t0 = now();
    let calls = 0;
    while (now() - t0 < 200) { g.run(1); calls++; }
    return { kind, g, per: Math.max(1, Math.round((calls / 0.2) * seconds)), rates: [] };
  });
  for (let r = 0; r < reps; r++) {
    for (const b of benches) {
      const t = now();
      b.g.run(b.per);
      b.rates.push((flop * b.per) / ((now() - t) / 1e3) / 1e9);
    }
  }
  return benches.map((b) => { b.g.free(); return { kind: b.kind, ...stats(b.rates) }; });
}

// Wall time (ms) from Probe::new to the first layer's statistics, the last forward and the last backward layer,
// after one untimed warm-up run (tier-up, memory growth) when runs > 1.
export function probeRuns(m, [depth, width, batch, act, init], runs) {
  const once = (seed) => {
    const t0 = performance.now();
    const p = new m.ProbeBench(depth, width, batch, act, init, BigInt(seed));
    p.forward();
    const first = performance.now() - t0;
    while (!Number.isNaN(p.forward()));
    const fwd = performance.now() - t0;
    while (!Number.isNaN(p.backward()));
    const all = performance.now() - t0;
    p.free();
    return { first, fwd, all };
  };
  if (runs > 1) once(999);
  const out = Array.from({ length: runs }, (_, r) => once(r));
  const pick = (key) => stats(out.map((o) => o[key]));
  const gf = 2 * batch * width * width * depth;
  const r = { first: pick('first'), fwd: pick('fwd'), all: pick('all') };
  return `probe depth=${depth} width=${width} batch=${batch} ${act} ${init}, ${runs} runs, ms median (min–max): ` +
    `first layer ${fmt(r.first)}, forward ${fmt(r.fwd)}, forward+backward ${fmt(r.all)}; ` +
    `forward ${(gf / r.fwd.med / 1e6).toFixed(1)} GFLOP/s, all ${(3 * gf / r.all.med / 1e6).toFixed(1)} GFLOP/s`;
}

// The whole benchmark as lines of text, for either runner. `peak` is the result of the peers' runWasmPeak (or null).
export function report(m, o, peak) {
  const lines = [];
  const reps = o.quick ? 3 : 5;
  const seconds = o.quick ? 0.3 : 1.0;
  const build = m.build();
  lines.push(`build: ${build}`);
  // The ceiling for this build: f32x4 mul+add, or the fused multiply-add when the build uses relaxed_madd.
  const ceiling = peak?.[build === 'relaxed-simd' ? 'relaxed' : 'simd128']?.gflops?.med;
  if (peak) {
    const show = (k) => (peak[k].gflops ? fmt(peak[k].gflops) : 'n/a');
    lines.push(`wasm peak GFLOP/s (same run): scalar ${show('scalar')}, simd128 ${show('simd128')}, relaxed ${show('relaxed')}`);
  }
  if (!o.probeOnly) {
    lines.push(`GEMM GFLOP/s, median of ${reps} × ${seconds} s (min–max), kinds measured in alternation`);
    for (const shape of o.shapes.map(parseShape)) {
      const row = gemmRow(m, shape, o.kinds, { seconds, reps });
      const base = row.find((r) => r.kind === 'ndarray');
      const share = (r) => (ceiling ? ` ${Math.round((100 * r.med) / ceiling)}%pk` : '');
      const ratio = (r) => (base && r !== base ? ` [×${(r.med / base.med).toFixed(2)} ndarray]` : '') + share(r);
      const plan = m.plan(shape.ops, shape.m, shape.k, shape.n);
      lines.push(`${shape.label.padEnd(20)} (${plan})  ${row.map((r) => `${r.kind} ${fmt(r)}${ratio(r)}`).join('   ')}`);
    }
  }
  if (!o.gemmOnly) {
    lines.push(probeRuns(m, [10, 500, 500, 'tanh', 'xavier_normal'], o.quick ? 3 : 7));
    if (!o.quick) lines.push(probeRuns(m, [50, 1000, 2000, 'tanh', 'xavier_normal'], 1));
  }
  return lines;
}

// Command-line options, the same for both runners:
//   [--quick] [--sizes 128,256,500,1000] [--shapes 8x25x15680nn,…|conv] [--kinds ours,ndarray]
//   [--gemm-only|--probe-only] [--peak /tmp/peers/web/micro/wasm_peak.js]
export function options(args) {
  const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
  const shapes = opt('--shapes', null);
  const sizes = opt('--sizes', shapes ? '' : '128,256,500,1000').split(',').filter(Boolean).map((n) => `${n}x${n}x${n}`);
  const listed = shapes === 'conv' ? CONV_SHAPES : (shapes ?? '').split(',').filter(Boolean);
  return {
    quick: args.includes('--quick'),
    shapes: [...sizes, ...listed],
    kinds: opt('--kinds', 'ours,ndarray').split(','),
    gemmOnly: args.includes('--gemm-only'),
    probeOnly: args.includes('--probe-only'),
    peak: opt('--peak', null),
  };
}
