// The Train panel's comparisons (view=overfit, init_race, label_trap, batch_size): the same settings trained as runs
// that differ in one thing, side by side in the workers, their curves overlaid on one chart and the difference stated in
// numbers. Each run is a run of its own in the registry (owner train-compare-ARM), so a language switch finds both
// again; each run's element carries its own data-run-state.

import { t } from '../../i18n/index.js';
import { controlSet } from '../../url/controls.js';
import { dataTable, el, fitCanvas, perFrame, plain } from '../../ui/dom.js';
import { errorText, runs, speedText } from '../../compute/runs.js';
import { BATCH_EPOCHS, BATCH_SIZES, COMPARISONS, RACE_INITS, layerSpreads, sixNine, sixNineImages } from './lessons.js';
import { pausedRuns, unstarted } from './paused.js';
import {
  SETTINGS, TARGET_ACC, checkSettings, measuring, curveColumns, curveFacts, curveRows, digits, drawCurves, pct, putImages, rowCells,
  runConfig, runSettings, settingsKey,
} from './shared.js';
import { scriptButton } from '../../ui/script-download.js';


export function compareView(section, ctx, name) {
  const { wasm } = ctx;
  const comparison = COMPARISONS[name];
  const controls = controlSet(ctx);
  const data = controls.enumField('data', 'train.data', (v) => t(`train.data.${v}`));
  const perClass = controls.numberField('per_class', 'train.per_class', 1, 'train.per_class.help');
  const epochs = controls.numberField('epochs', 'train.epochs', 1);
  const bs = controls.numberField('bs', 'train.bs', 1);
  const lr = controls.numberField('lr', 'train.lr');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const aug = name === 'overfit' ? controls.textField('aug', 'train.aug', 'train.compare.aug.help') : null;
  const armName = (arm) => (arm.act ? `${t(`train.run.${arm.init}`)} · ${arm.act}`
    : arm.norm ? t('train.run.norm_batch', { norm: t(`train.run.${arm.norm}`), bs: arm.bs }) : t(`train.run.${arm.id}`));
  // The batch-size view sets the batch of each run and trains every run for the same epochs (equal examples).
  const batchView = name === 'batch_size';
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    data.wrap, perClass.wrap, aug?.wrap, batchView ? null : epochs.wrap, batchView ? null : bs.wrap, lr.wrap, seed.wrap,
    batchView ? el('p', { class: 'field-help' }, t('train.compare.batch_size.budget', { epochs: BATCH_EPOCHS })) : null,
    el('p', { class: 'field-help' }, t('train.compare.rest')));

  const buttons = {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => arms.forEach((a) => a.run?.resume()) }, t('train.action.start_all')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => arms.forEach((a) => a.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: resetAll }, t('train.action.reset-run')),
  };
  const status = el('div', { class: 'compare-runs' });
  const message = el('p', { class: 'field-error', role: 'alert' });
  const verdict = el('p', { class: 'summary', 'data-summary': 'compare' });
  const curves = el('canvas', { 'data-chart': 'train-curves', role: 'img', 'aria-label': t('train.curves') });
  // The measuring interval: the runs' own once they report it (batches below 16 measure less often, src/run/train.rs).
  const everyNote = el('span', { 'data-note': 'every' });
  const showEvery = () => {
    const n = [...new Set(arms.map((a) => a.every).filter(Boolean))].sort((x, y) => x - y);
    everyNote.textContent = t('train.every', { n: n.length ? n.join(' / ') : measuring(wasm).every, m: measuring(wasm).measure_n });
  };
  const curveTable = dataTable('train-curves', 'train.curves.table', curveColumns(true));
  const emptyNote = el('p', { class: 'empty-state', 'data-empty': 'train-curves' }, t('train.empty_chart'));
  const factColumns = [['run', 'train.col.run'], ['final_gap', 'train.col.final_gap'], ['best_val_acc', 'train.col.best_val_acc'],
    ['steps_to_target', 'train.col.steps_to_target'], ...(name === 'label_trap' ? [['six_nine', 'train.col.six_nine']] : [])];
  const factTable = dataTable('train-compare', 'train.compare.table', factColumns);
  // The race's step-0 signal: each layer's output spread for the shown example, per run (read from step 0). Not for
  // the BatchNorm runs: a measurement is in evaluation mode, where BatchNorm uses its running statistics (mean 0,
  // variance 1 at step 0: the identity), so their rows would repeat the tiny initialization's (the note says so).
  const isBn = (a) => a.init === 'small_bn';
  // The race's step-0 signal: each layer's output spread for the shown example, per run (read from step 0).
  const spreadTable = name === 'init_race'
    ? dataTable('train-init-stats', 'train.compare.init_race.stats', [['layer', 'train.col.layer'], ...comparison.arms.filter((a) => !isBn(a)).map((a) => [a.id, 'train.col.run'])])
    : null;
  const paused = pausedRuns(ctx, SETTINGS, () => arms.map((a) => a.run).filter(Boolean));
  // The label trap's point drawn: each run's 6 and 9 rows of its confusion matrix side by side, and the 6s and 9s it
  // took for each other as images.
  const trap = name === 'label_trap' ? labelTrapBox(comparison.arms.map((a) => a.id)) : null;
  const singleLink = el('a', { href: '#', 'data-view': 'single', onclick: (e) => { e.preventDefault(); ctx.set({ view: 'single' }); } }, t('train.view.single'));

  // The race's and the batch-size view's verdicts name every run: below the chart, which stays above the fold.
  const longVerdict = name === 'init_race' || batchView;
  section.append(
    el('h2', {}, t(`train.view.${name}`)),
    el('p', { class: 'intro' }, t(`train.compare.${name}.intro`)),
    el('p', { class: 'presets' }, singleLink),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset, scriptButton(wasm, async () => { const bytes = await digits(); return arms.map((arm) => ({ kind: 'train', settings: runSettings({ ...ctx.state, ...arm.patch(ctx.state) }), bytes, part: arm.id })); }, `train-${name}`)),
        message, longVerdict ? '' : verdict, paused.wrap,
        el('figure', { class: 'chart' }, emptyNote, curves, el('figcaption', {}, t('train.compare.curves'), ' ', everyNote)),
        longVerdict ? verdict : '',
        // What the race measured over seeds (BENCHMARKS.md), below its chart so the chart stays above the fold.
        name === 'init_race' || batchView ? el('p', { class: 'field-help', 'data-note': 'measured' }, t(`train.compare.${name}.measured`)) : '',
        status,
        trap?.box ?? '',
        factTable.table,
        spreadTable?.table ?? null,
        spreadTable ? el('p', { class: 'field-help' }, t('train.compare.init_race.stats_bn')) : '',
        name === 'init_race' ? el('p', { class: 'field-help' }, el('code', {}, comparison.arms[0].patch({}).model)) : '', // append() would write null
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), curveTable.table))));

  // One arm per run: its element (with its own data-run-state), its run and its rows.
  const arms = comparison.arms.map((arm) => {
    const progress = el('progress', { max: 1, value: 0, 'aria-label': armName(arm) });
    const text = el('span', { class: 'status' });
    const elem = el('div', { class: 'compare-run', 'data-run': arm.id, 'data-run-state': 'idle' },
      el('strong', {}, armName(arm)), ' ', el('code', { class: 'arm-aug' }), progress, text);
    status.append(elem);
    return { ...arm, elem, progress, text, run: null, rows: [], unsubscribe: () => {} };
  });

  // The race: colour by initializer, dash by activation (ReLU dashed), so the six lines read as a 3 × 2 table.
  // The batch-size view: colour by batch size, GroupNorm dashed, accuracy only, against epochs (the runs take
  // different numbers of steps for the same examples).
  const inits = Object.keys(RACE_INITS);
  const curveOptions = name === 'init_race'
    ? { colors: arms.map((a) => inits.indexOf(a.init)), dashed: arms.map((a) => (a.act === 'relu' ? 1 : 0)) }
    : batchView ? { colors: arms.map((a) => BATCH_SIZES.indexOf(a.bs)), dashed: arms.map((a) => (a.norm === 'gn' ? 1 : 0)), accuracy_only: true }
      : { gap: name === 'overfit' };
  const inEpochs = (a) => a.rows.map((r) => ({ ...r, step: (r.step * a.bs) / (a.trainLen || 1) }));
  const draw = perFrame(() => {
    // Before the first measurement: the empty axes with the runs' legend, and "Press Start".
    emptyNote.hidden = arms.some((a) => a.rows.length);
    if (batchView) drawCurves(wasm, curves, arms.map((a) => ({ name: armName(a), rows: inEpochs(a) })), BATCH_EPOCHS, curveOptions, t('train.word.epoch'));
    else drawCurves(wasm, curves, arms.map((a) => ({ name: armName(a), rows: a.rows })), Math.max(0, ...arms.map((a) => a.total ?? 0)), curveOptions);
  });
  new ResizeObserver(() => draw()).observe(curves);

  const stateOf = (r) => {
    if (r.state === 'paused') return r.steps === 0 ? 'idle' : 'paused';
    if (r.state === 'done') return r.result?.diverged ? 'diverged' : 'done';
    return r.state;
  };

  function refresh() {
    const states = arms.map((a) => (a.run ? stateOf(a.run) : 'idle'));
    for (const [i, a] of arms.entries()) {
      a.elem.dataset.runState = states[i];
      if (a.run?.work) a.progress.value = a.run.work.total ? a.run.work.done / a.run.work.total : 0;
      a.text.textContent = a.run?.result?.diverged ? t('train.diverged', a.run.result.diverged) : a.run?.error ? errorText(a.run.error)
        : states[i] === 'done' ? t('train.compare.finished', { steps: a.rows.at(-1)?.step ?? 0 }) : speedText(a.run ?? {});
    }
    // The section's state: running while any run runs; done once all are done; else the most telling state.
    const overall = ['error', 'running', 'diverged', 'paused', 'idle'].find((s) => states.includes(s)) ?? 'done';
    section.dataset.runState = overall;
    showEvery();
    section.setAttribute('aria-busy', 'false');
    buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
    buttons.pause.disabled = !states.includes('running');
    curveTable.setRows(arms.flatMap((a) => a.rows.map((r) => [a.id, ...rowCells(r)])));
    const facts = arms.map((a) => ({ arm: a, f: curveFacts(a.rows) }));
    factTable.setRows(facts.filter((x) => x.f).map(({ arm, f }) => [arm.id, plain(f.gap), plain(f.best), f.toTarget === null ? '—' : String(f.toTarget),
      ...(name === 'label_trap' ? [arm.run?.state === 'done' && !arm.run.result.diverged ? String(sixNine(arm.run.result)) : '—'] : [])]));
    verdict.textContent = overall === 'done' ? verdictText(facts) : '';
    if (spreadTable) fillSpreads();
    if (trap) trap.show(arms.map((a) => (a.run?.state === 'done' && !a.run.result.diverged ? { result: a.run.result, input: a.input } : null)));
    draw();
  }

  function fillSpreads() {
    const heads = spreadTable.table.tHead.rows[0].cells;
    const shown = arms.filter((a) => !isBn(a));
    shown.forEach((a, i) => { heads[i + 1].textContent = armName(a); heads[i + 1].removeAttribute('data-i18n'); });
    const first = shown.map((a) => a.run?.items.find((p) => p.before) ?? (a.run?.result?.before ? a.run.result : null));
    const info = first.find(Boolean)?.info;
    if (!info) { spreadTable.setRows([]); return; }
    const spreads = first.map((p) => (p ? layerSpreads(p.before.maps) : null));
    const layers = info.layers;
    // The runs share the net but not the activation: an activation layer is named for both.
    const layerName = (n) => (n === 'tanh' || n === 'relu' ? 'tanh | relu' : n);
    spreadTable.setRows(layers.map((layer, l) => [`${l}: ${layerName(layer.layer)}`, ...spreads.map((s) => (s ? s[l].toExponential(2) : '—'))]));
  }

  // The words come from the core's rules (src/verdict.rs): learned = at least 5 × chance and within 10 points of
  // the best run; better / worse / within the 95 % band of the validation subset's binomial error (one run each).
  function verdictText(facts) {
    const rules = wasm.verdict_rules();
    const classes = arms[0].run?.result?.classes ?? 10;
    // The floor's N: the images the compared figures were measured on — every validation image when a run's best
    // is its final measurement, else the live subset; the smaller of the two runs' (the wider floor).
    const size = (x) => (x.f.bestAll ? x.arm.valLen : x.arm.measuredVal) ?? measuring(wasm).measure_n;
    const cmpArms = (x, y) => wasm.verdict_compare(Float64Array.of(x.f.best), Float64Array.of(y.f.best), Math.min(size(x), size(y)));
    const outcome = (v) => t(`train.outcome.${v.outcome}`, { margin: (100 * v.margin).toFixed(1) });
    if (name === 'init_race') {
      const done = facts.filter((x) => x.f);
      const top = Math.max(...done.map((x) => x.f.best));
      const named = (x) => `${armName(x.arm)} ${pct(x.f.best)}`;
      const how = (x) => wasm.verdict_learned(x.f.best, classes, top);
      const [learned, behind, failed] = ['learned', 'behind', 'failed'].map((k) => done.filter((x) => how(x) === k));
      const by = (id) => done.find((x) => x.arm.id === id);
      const pair = (usual, other) => {
        const [a, b] = [by(usual), by(other)];
        return !a || !b ? '—' : `${pct(a.f.best)} vs ${pct(b.f.best)}: ${outcome(cmpArms(a, b))}`;
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
    if (batchView) return batchVerdict(facts, outcome, cmpArms);
    const [a, b] = facts;
    if (!a.f || !b.f) return '';
    if (name === 'overfit') {
      const text = t('train.compare.overfit.judge', { gap_a: (100 * a.f.gap).toFixed(1), gap_b: (100 * b.f.gap).toFixed(1), best_a: pct(a.f.best), best_b: pct(b.f.best),
        outcome: outcome(cmpArms(b, a)) });
      const rows = b.arm.rows;
      const more = wasm.verdict_still_learning(Float64Array.from(rows, (r) => r.step), Float64Array.from(rows, (r) => r.val_acc), size(b), b.arm.every ?? measuring(wasm).every);
      return more === undefined ? text : `${text} ${t('train.compare.overfit.still_learning', { steps: more })}`;
    }
    const [sa, sb] = [a.arm.run.result, b.arm.run.result].map((r) => (r && !r.diverged ? sixNine(r) : null));
    return t('train.compare.label_trap.verdict', { a: sa ?? '—', b: sb ?? '—', best_a: pct(a.f.best), best_b: pct(b.f.best) });
  }

  // Per batch size, GroupNorm against BatchNorm; and each norm at its smallest batch against its largest.
  function batchVerdict(facts, outcome, cmpArms) {
    const by = (norm, bs) => facts.find((x) => x.arm.norm === norm && x.arm.bs === bs && x.f);
    const per = BATCH_SIZES.map((bs) => {
      const [g, b] = [by('gn', bs), by('bn', bs)];
      return g && b ? t('train.compare.batch_size.pair', { bs, bn: pct(b.f.best), gn: pct(g.f.best), outcome: outcome(cmpArms(g, b)) }) : null;
    }).filter(Boolean).join('; ');
    const [lo, hi] = [BATCH_SIZES[0], BATCH_SIZES.at(-1)];
    const ends = (norm) => {
      const [a, b] = [by(norm, lo), by(norm, hi)];
      return a && b ? `${pct(a.f.best)} vs ${pct(b.f.best)}: ${outcome(cmpArms(a, b))}` : '—';
    };
    return t('train.compare.batch_size.judge', { per, lo, hi, bn: ends('bn'), gn: ends('gn') });
  }

  function labelTrapBox(ids) {
    const parts = ids.map((id) => {
      const matrix = el('canvas', { 'data-chart': `six-nine-${id}`, role: 'img', 'aria-label': t('train.compare.label_trap.rows', { run: t(`train.run.${id}`) }) });
      const images = el('canvas', { class: 'grid pixelated', 'data-chart': `six-nine-images-${id}`, role: 'img', 'aria-label': t('train.compare.label_trap.images', { run: t(`train.run.${id}`) }) });
      const note = el('p', { class: 'field-help' });
      const box = el('figure', { class: 'chart six-nine', 'data-run': id }, el('figcaption', {}, t(`train.run.${id}`)), matrix, images, note);
      return { id, matrix, images, note, box };
    });
    const box = el('div', { class: 'six-nine-pair', 'data-chart': 'six-nine' }, ...parts.map((p) => p.box));
    return {
      box,
      show(done) {
        done.forEach((d, i) => {
          const p = parts[i];
          if (!d?.input) return;
          const r = d.result;
          const k = r.classes;
          const rows = new Uint32Array(2 * k);
          rows.set(r.confusion.subarray(6 * k, 7 * k), 0);
          rows.set(r.confusion.subarray(9 * k, 10 * k), k);
          // Two true classes (6, 9) against every predicted class: drawn as a 2-row matrix.
          wasm.draw_confusion_rows(p.matrix, rows, Uint32Array.of(6, 9), Array.from({ length: k }, (_, j) => String(j)),
            [t('train.word.true'), t('train.word.predicted')], fitCanvas(p.matrix));
          const { values, count, h, w } = sixNineImages(r, d.input);
          p.images.hidden = !count;
          if (count) putImages(p.images, wasm.tiles_rgba(values, count, h, w, Math.min(count, 12), false), count, h, w, Math.min(count, 12));
          p.note.textContent = t('train.compare.label_trap.images_note', { n: count });
        });
      },
    };
  }

  function follow(arm, r) {
    arm.unsubscribe();
    arm.run = r;
    arm.rows = curveRows(r.items);
    arm.info = r.items.find((p) => p.info)?.info ?? r.result?.info;
    setInfo(arm);
    // The no-augmentation arm's name already says it; other arms name their pipeline, or its absence.
    arm.elem.querySelector('.arm-aug').textContent = r.config.aug !== '' ? `aug=${r.config.aug}` : arm.id === 'no_aug' ? '' : t('train.compare.no_aug');
    arm.unsubscribe = r.subscribe((_, event) => {
      if (event.type === 'progress') {
        arm.rows.push(...curveRows(event.items));
        arm.info ??= event.items.find((p) => p.info)?.info;
        setInfo(arm);
      }
      if (event.type === 'done' && r.result?.diverged) arm.rows.push(...curveRows([r.result]));
      refresh();
    });
  }

  // What a run's first step tells: its planned steps, input shape, training images, measuring interval and sizes.
  function setInfo(arm) {
    const i = arm.info;
    if (!i) return;
    Object.assign(arm, { total: i.total, input: i.input, trainLen: i.trainLen, every: i.every, valLen: i.valLen, measuredVal: i.measured.val });
  }

  function resetAll() {
    for (const a of arms) { a.run?.close(); a.run = null; }
    shownKey = null;
    update(ctx.state);
  }

  let shownKey = null;
  let token = 0;
  async function update(s) {
    controls.sync(s);
    const key = settingsKey(s);
    if (key === shownKey) return;
    const mine = ++token;
    const bytes = await digits();
    if (mine !== token) return;
    try {
      for (const arm of arms) checkSettings(wasm, { ...s, ...arm.patch(s) }, bytes);
    } catch (e) {
      if (e?.param && e.param in s) ctx.reject(e);
      else message.textContent = errorText(e);
      return;
    }
    message.textContent = '';
    shownKey = key;
    for (const arm of arms) {
      const armSettings = { ...s, ...arm.patch(s) };
      const owner = ctx.owner(`train-compare-${arm.id}`);
      const armKey = `${name}|${settingsKey(armSettings)}`;
      const old = runs.current(owner);
      if (old && old.key !== armKey && unstarted(old)) old.close();
      follow(arm, runs.show(owner, 'train', armKey, runConfig(armSettings, bytes), { paused: true, settings: s }));
    }
    refresh();
    paused.refresh();
  }

  return { update, dispose: () => { token++; for (const a of arms) a.unsubscribe(); paused.dispose(); } };
}
