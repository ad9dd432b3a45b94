// The Train panel's comparisons in words: each run's name and the verdict under the chart once every run is done.
// The words come from the core's rules (src/verdict.rs): learned = at least 5 × chance and within 10 points of the best
// run; better / worse / within the 95 % band of the validation subset's binomial error (one run each).

import { t } from '../../i18n/index.js';
import { BATCH_SIZES, sixNine } from './lessons.js';
import { measuring, pct } from './shared.js';

// A run's name: the race's by initializer and activation, the batch-size view's by norm and batch, else its own.
export function armName(arm) {
  if (arm.act) return `${t(`train.run.${arm.init}`)} · ${arm.act}`;
  if (arm.norm) return t('train.run.norm_batch', { norm: t(`train.run.${arm.norm}`), bs: arm.bs });
  return t(`train.run.${arm.id}`);
}

// Two runs' best validation accuracies compared by the core. Each `x` is { arm, f: curveFacts(arm.rows) }.
function judge(wasm) {
  // The floor's N: the images the compared figures were measured on — every validation image when a run's best is
  // its final measurement, else the live subset; the smaller of the two runs' (the wider floor).
  const size = (x) => (x.f.bestAll ? x.arm.valLen : x.arm.measuredVal) ?? measuring(wasm).measure_n;
  const compare = (x, y) => wasm.verdict_compare(Float64Array.of(x.f.best), Float64Array.of(y.f.best), Math.min(size(x), size(y)));
  const outcome = (v) => t(`train.outcome.${v.outcome}`, { margin: (100 * v.margin).toFixed(1) });
  const versus = (x, y) => `${pct(x.f.best)} vs ${pct(y.f.best)}: ${outcome(compare(x, y))}`;
  return { size, compare, outcome, versus };
}

// The verdict of comparison `name` over its runs' facts ([{ arm, f }], one per arm, f null before a measurement).
export function verdictText(wasm, name, arms, facts) {
  const j = judge(wasm);
  if (name === 'init_race') return raceVerdict(wasm, j, arms, facts);
  if (name === 'batch_size') return batchVerdict(j, facts);
  const [a, b] = facts;
  if (!a.f || !b.f) return '';
  if (name === 'overfit') return overfitVerdict(wasm, j, a, b);
  const [sa, sb] = [a.arm.run.result, b.arm.run.result].map((r) => (r && !r.diverged ? sixNine(r) : null));
  return t('train.compare.label_trap.verdict', { a: sa ?? '—', b: sb ?? '—', best_a: pct(a.f.best), best_b: pct(b.f.best) });
}

// The race: which runs learned, fell behind or failed; the usual initializer against the other per activation and
// BatchNorm's runs against their plain twins; the steps each run took to 90 % of the best run's best.
function raceVerdict(wasm, j, arms, facts) {
  const rules = wasm.verdict_rules();
  const classes = arms[0].run?.result?.classes ?? 10;
  const done = facts.filter((x) => x.f);
  const top = Math.max(...done.map((x) => x.f.best));
  const named = (x) => `${armName(x.arm)} ${pct(x.f.best)}`;
  const how = (x) => wasm.verdict_learned(x.f.best, classes, top);
  const [learned, behind, failed] = ['learned', 'behind', 'failed'].map((k) => done.filter((x) => how(x) === k));
  const by = (id) => done.find((x) => x.arm.id === id);
  const pair = (usual, other) => {
    const [a, b] = [by(usual), by(other)];
    return !a || !b ? '—' : j.versus(a, b);
  };
  // Steps to 90 % of the best run's best (the core's rule), per run: where the initializers differ in speed.
  const reach = done.map((x) => {
    const n = wasm.verdict_steps_to_reach(Float64Array.from(x.arm.rows, (r) => r.step), Float64Array.from(x.arm.rows, (r) => r.val_acc), 0.9, top);
    return `${armName(x.arm)} ${n === undefined ? t('train.compare.never') : n}`;
  }).join(', ');
  return t('train.compare.init_race.judge', {
    bn_tanh: pair('small_bn_tanh', 'small_tanh'), bn_relu: pair('small_bn_relu', 'small_relu'), reach, level90: pct(0.9 * top),
    times: rules.learned_times_chance, level: pct(rules.learned_times_chance / classes), within: (100 * rules.learned_within).toFixed(0),
    learned: learned.map(named).join(', ') || '—', behind: behind.map(named).join(', ') || '—', failed: failed.map(named).join(', ') || '—',
    tanh: pair('xavier_tanh', 'he_tanh'), relu: pair('he_relu', 'xavier_relu'),
  });
}

// Per batch size, GroupNorm against BatchNorm; and each norm at its smallest batch against its largest.
function batchVerdict(j, facts) {
  const by = (norm, bs) => facts.find((x) => x.arm.norm === norm && x.arm.bs === bs && x.f);
  const per = BATCH_SIZES.map((bs) => {
    const [g, b] = [by('gn', bs), by('bn', bs)];
    return g && b ? t('train.compare.batch_size.pair', { bs, bn: pct(b.f.best), gn: pct(g.f.best), outcome: j.outcome(j.compare(g, b)) }) : null;
  }).filter(Boolean).join('; ');
  const [lo, hi] = [BATCH_SIZES[0], BATCH_SIZES.at(-1)];
  const ends = (norm) => {
    const [a, b] = [by(norm, lo), by(norm, hi)];
    return a && b ? j.versus(a, b) : '—';
  };
  return t('train.compare.batch_size.judge', { per, lo, hi, bn: ends('bn'), gn: ends('gn') });
}

// Overfitting: both runs' final gaps and best accuracies, augmentation against none, and whether the augmented run
// was still learning when it stopped (more steps would have paid).
function overfitVerdict(wasm, j, a, b) {
  const text = t('train.compare.overfit.judge', { gap_a: (100 * a.f.gap).toFixed(1), gap_b: (100 * b.f.gap).toFixed(1), best_a: pct(a.f.best), best_b: pct(b.f.best),
    outcome: j.outcome(j.compare(b, a)) });
  const rows = b.arm.rows;
  const more = wasm.verdict_still_learning(Float64Array.from(rows, (r) => r.step), Float64Array.from(rows, (r) => r.val_acc), j.size(b), b.arm.every ?? measuring(wasm).every);
  return more === undefined ? text : `${text} ${t('train.compare.overfit.still_learning', { steps: more })}`;
}
