// The Train panel's comparisons over several seeds (issue 18: a lesson is designed, then verified with other seeds),
// with the panel's own defaults and the worker's own session code (jobs.js 'train', in node on the page's wasm
// build, as tests/e2e/train-lessons.test.mjs runs them): `node bench/train-lessons.mjs overfit|label_trap|init_race
// SEED…` prints one JSON line per run (best and final validation accuracy on the live subset, the final gap, the
// 6 ↔ 9 confusions, the steps, and the core's verdicts). The numbers go to BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import * as wasm from '../www/pkg/cnn_playground.js';
import '../tests/e2e/core.mjs';
import { defaults } from '../www/js/url/state.js';
import { KINDS } from '../www/js/compute/jobs.js';
import { COMPARISONS, sixNine } from '../www/js/panels/train/lessons.js';
import { curveFacts, curveRows } from '../www/js/panels/train/facts.js';

// The measuring interval and subset size, as the core lists them (the panel's defaults use batch 32: no wider interval).
const { measure_n: MEASURE_N, every: VAL_EVERY } = wasm.core_catalog().train_run;
const bytes = new Uint8Array(readFileSync(new URL('../www/data/digits.bin', import.meta.url)));
const [name, ...seeds] = process.argv.slice(2);
// The panel's defaults, or the e2e test's setting of the label trap with `LABEL_TRAP_TEST=1` (40 per class, 15 epochs).
const extra = name === 'label_trap' && process.env.LABEL_TRAP_TEST ? { per_class: 40, epochs: 15 } : {};

function train(settings) {
  const session = KINDS.train.open(wasm, { ...settings, bytes });
  const items = [];
  for (;;) {
    const r = session.next();
    if (r.done) return { rows: curveRows(items), result: r.value };
    items.push(r.value);
  }
}

for (const seed of seeds.map(Number)) {
  const s = { ...defaults('train'), ...extra, seed };
  const out = { name, seed, arms: {} };
  const t0 = Date.now();
  for (const arm of COMPARISONS[name].arms) {
    const { rows, result } = train({ ...s, ...arm.patch(s) });
    const f = curveFacts(rows);
    const more = wasm.verdict_still_learning(Float64Array.from(rows, (r) => r.step), Float64Array.from(rows, (r) => r.val_acc), MEASURE_N, VAL_EVERY);
    out.arms[arm.id] = { best: f.best, final_val: f.last.val_acc, gap: f.last.train_acc - f.last.val_acc, steps: f.last.step,
      six_nine: result.diverged ? null : sixNine(result), still_learning: more ?? null, diverged: !!result.diverged };
  }
  const a = Object.values(out.arms);
  if (name !== 'init_race') out.verdict = wasm.verdict_compare(Float64Array.of(a[1].best), Float64Array.of(a[0].best), MEASURE_N).outcome;
  if (name === 'init_race') {
    const top = Math.max(...a.map((x) => x.best));
    out.learned = Object.fromEntries(Object.entries(out.arms).map(([id, x]) => [id, wasm.verdict_learned(x.best, 10, top)]));
    const cmp = (p, q) => wasm.verdict_compare(Float64Array.of(out.arms[p].best), Float64Array.of(out.arms[q].best), MEASURE_N).outcome;
    out.tanh_xavier_vs_he = cmp('xavier_tanh', 'he_tanh');
    out.relu_he_vs_xavier = cmp('he_relu', 'xavier_relu');
  }
  out.seconds = (Date.now() - t0) / 1000;
  console.log(JSON.stringify(out));
}
