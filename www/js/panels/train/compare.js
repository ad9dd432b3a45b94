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
  SETTINGS, checkSettings, measuring, curveColumns, curveFacts, curveRows, digits, drawCurves, putImages, rowCells,
  runConfig, runSettings, runState, settingsKey,
} from './shared.js';
import { armName, verdictText } from './compare-words.js';
import { scriptButton } from '../../ui/script-download.js';

// One comparison view. Its parts share one object `v`: { ctx, wasm, name, comparison, batchView, section, controls,
// out (the elements: compareOutputs), paused, arms (one per run: its element, run and rows), draw, shownKey, token }.
export function compareView(section, ctx, name) {
  const v = {
    ctx, wasm: ctx.wasm, name, section, comparison: COMPARISONS[name], batchView: name === 'batch_size',
    arms: [], shownKey: null, token: 0,
  };
  const { controls, form } = compareForm(ctx, name);
  v.controls = controls;
  v.out = compareOutputs(v);
  v.paused = pausedRuns(ctx, SETTINGS, () => v.arms.map((a) => a.run).filter(Boolean));
  layOut(v, form);
  v.arms = armElements(v.comparison, v.out.status);
  v.draw = curvesDrawer(v);
  return {
    update: (s) => update(v, s),
    dispose: () => { v.token++; for (const a of v.arms) a.unsubscribe(); v.paused.dispose(); },
  };
}

// The settings every run shares; the batch-size view sets each run's batch and trains every run for the same epochs
// (equal examples), so it has no epochs or batch field.
function compareForm(ctx, name) {
  const batchView = name === 'batch_size';
  const controls = controlSet(ctx);
  const data = controls.enumField('data', 'train.data', (x) => t(`train.data.${x}`));
  const perClass = controls.numberField('per_class', 'train.per_class', 1, 'train.per_class.help');
  const epochs = controls.numberField('epochs', 'train.epochs', 1);
  const bs = controls.numberField('bs', 'train.bs', 1);
  const lr = controls.numberField('lr', 'train.lr');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const aug = name === 'overfit' ? controls.textField('aug', 'train.aug', 'train.compare.aug.help') : null;
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    data.wrap, perClass.wrap, aug?.wrap, batchView ? null : epochs.wrap, batchView ? null : bs.wrap, lr.wrap, seed.wrap,
    batchView ? el('p', { class: 'field-help' }, t('train.compare.batch_size.budget', { epochs: BATCH_EPOCHS })) : null,
    el('p', { class: 'field-help' }, t('train.compare.rest')));
  return { controls, form };
}

// The race's step-0 spreads leave out the BatchNorm runs: a measurement is in evaluation mode, where BatchNorm uses
// its running statistics (mean 0, variance 1 at step 0: the identity), so their rows would repeat the tiny
// initialization's (the note says so).
const isBn = (a) => a.init === 'small_bn';

// The view's outputs: the run buttons, the runs' list, the chart with its note and table, the facts table, the
// race's step-0 spreads and the label trap's 6s and 9s.
function compareOutputs(v) {
  const { name, comparison } = v;
  const buttons = {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => v.arms.forEach((a) => a.run?.resume()) }, t('train.action.start_all')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => v.arms.forEach((a) => a.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: () => resetAll(v) }, t('train.action.reset-run')),
  };
  const factColumns = [['run', 'train.col.run'], ['final_gap', 'train.col.final_gap'], ['best_val_acc', 'train.col.best_val_acc'],
    ['steps_to_target', 'train.col.steps_to_target'], ...(name === 'label_trap' ? [['six_nine', 'train.col.six_nine']] : [])];
  return {
    buttons,
    status: el('div', { class: 'compare-runs' }),
    message: el('p', { class: 'field-error', role: 'alert' }),
    verdict: el('p', { class: 'summary', 'data-summary': 'compare' }),
    curves: el('canvas', { 'data-chart': 'train-curves', role: 'img', 'aria-label': t('train.curves') }),
    // The measuring interval: the runs' own once they report it (batches below 16 measure less often, src/run/train.rs).
    everyNote: el('span', { 'data-note': 'every' }),
    curveTable: dataTable('train-curves', 'train.curves.table', curveColumns(true)),
    emptyNote: el('p', { class: 'empty-state', 'data-empty': 'train-curves' }, t('train.empty_chart')),
    factTable: dataTable('train-compare', 'train.compare.table', factColumns),
    // The race's step-0 signal: each layer's output spread for the shown example, per run (read from step 0).
    spreadTable: name === 'init_race'
      ? dataTable('train-init-stats', 'train.compare.init_race.stats', [['layer', 'train.col.layer'], ...comparison.arms.filter((a) => !isBn(a)).map((a) => [a.id, 'train.col.run'])])
      : null,
    // The label trap's point drawn: each run's 6 and 9 rows of its confusion matrix side by side, and the 6s and 9s
    // it took for each other as images.
    trap: name === 'label_trap' ? labelTrapBox(v.wasm, comparison.arms.map((a) => a.id)) : null,
  };
}

// The section: title, intro, the link back to the single view, the form and the outputs. The race's and the
// batch-size view's verdicts name every run: below the chart, which stays above the fold.
function layOut(v, form) {
  const { ctx, wasm, name, comparison, batchView, out } = v;
  const singleLink = el('a', { href: '#', 'data-view': 'single', onclick: (e) => { e.preventDefault(); ctx.set({ view: 'single' }); } }, t('train.view.single'));
  // The script download: one PyTorch script per run, each with its own settings.
  const scripts = async () => {
    const bytes = await digits();
    return v.arms.map((arm) => ({ kind: 'train', settings: runSettings({ ...ctx.state, ...arm.patch(ctx.state) }), bytes, part: arm.id }));
  };
  const longVerdict = name === 'init_race' || batchView;
  v.section.append(
    el('h2', {}, t(`train.view.${name}`)),
    el('p', { class: 'intro' }, t(`train.compare.${name}.intro`)),
    el('p', { class: 'presets' }, singleLink),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, out.buttons.start, out.buttons.pause, out.buttons.reset, scriptButton(wasm, scripts, `train-${name}`)),
        out.message, longVerdict ? '' : out.verdict, v.paused.wrap,
        el('figure', { class: 'chart' }, out.emptyNote, out.curves, el('figcaption', {}, t('train.compare.curves'), ' ', out.everyNote)),
        longVerdict ? out.verdict : '',
        // What the race measured over seeds (BENCHMARKS.md), below its chart so the chart stays above the fold.
        name === 'init_race' || batchView ? el('p', { class: 'field-help', 'data-note': 'measured' }, t(`train.compare.${name}.measured`)) : '',
        out.status,
        out.trap?.box ?? '',
        out.factTable.table,
        out.spreadTable?.table ?? null,
        out.spreadTable ? el('p', { class: 'field-help' }, t('train.compare.init_race.stats_bn')) : '',
        name === 'init_race' ? el('p', { class: 'field-help' }, el('code', {}, comparison.arms[0].patch({}).model)) : '', // append() would write null
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), out.curveTable.table))));
}

// One arm per run: its element (with its own data-run-state) in the runs' list, its run and its rows.
function armElements(comparison, status) {
  return comparison.arms.map((arm) => {
    const progress = el('progress', { max: 1, value: 0, 'aria-label': armName(arm) });
    const text = el('span', { class: 'status' });
    const elem = el('div', { class: 'compare-run', 'data-run': arm.id, 'data-run-state': 'idle' },
      el('strong', {}, armName(arm)), ' ', el('code', { class: 'arm-aug' }), progress, text);
    status.append(elem);
    return { ...arm, elem, progress, text, run: null, rows: [], unsubscribe: () => {} };
  });
}

// The race: colour by initializer, dash by activation (ReLU dashed), so the six lines read as a 3 × 2 table.
// The batch-size view: colour by batch size, GroupNorm dashed, accuracy only, against epochs (the runs take
// different numbers of steps for the same examples).
function curveOptions(name, arms) {
  if (name === 'init_race') {
    const inits = Object.keys(RACE_INITS);
    return { colors: arms.map((a) => inits.indexOf(a.init)), dashed: arms.map((a) => (a.act === 'relu' ? 1 : 0)) };
  }
  if (name === 'batch_size') return { colors: arms.map((a) => BATCH_SIZES.indexOf(a.bs)), dashed: arms.map((a) => (a.norm === 'gn' ? 1 : 0)), accuracy_only: true };
  return { gap: name === 'overfit' };
}

// The runs' curves on one chart, at most once per frame and again when the chart is resized.
function curvesDrawer(v) {
  const { wasm, arms, batchView, out } = v;
  const options = curveOptions(v.name, arms);
  const inEpochs = (a) => a.rows.map((r) => ({ ...r, step: (r.step * a.bs) / (a.trainLen || 1) }));
  const draw = perFrame(() => {
    // Before the first measurement: the empty axes with the runs' legend, and "Press Start".
    out.emptyNote.hidden = arms.some((a) => a.rows.length);
    if (batchView) drawCurves(wasm, out.curves, arms.map((a) => ({ name: armName(a), rows: inEpochs(a) })), BATCH_EPOCHS, options, t('train.word.epoch'));
    else drawCurves(wasm, out.curves, arms.map((a) => ({ name: armName(a), rows: a.rows })), Math.max(0, ...arms.map((a) => a.total ?? 0)), options);
  });
  new ResizeObserver(() => draw()).observe(out.curves);
  return draw;
}

// The measuring interval under the chart: the runs' own (all of them, when they differ) or the core's default.
function showEvery(v) {
  const n = [...new Set(v.arms.map((a) => a.every).filter(Boolean))].sort((x, y) => x - y);
  v.out.everyNote.textContent = t('train.every', { n: n.length ? n.join(' / ') : measuring(v.wasm).every, m: measuring(v.wasm).measure_n });
}

// The finished run's result, unless it diverged (the label trap's figures and column need one).
const finished = (arm) => (arm.run?.state === 'done' && !arm.run.result.diverged ? arm.run.result : null);

// Everything the runs' progress changes: each run's line, the section's state and buttons, the tables, the verdict,
// the race's spreads, the label trap's figures and the chart.
function refresh(v) {
  const { arms, out, section, name } = v;
  const states = arms.map((a) => (a.run ? runState(a.run) : 'idle'));
  for (const [i, a] of arms.entries()) {
    a.elem.dataset.runState = states[i];
    if (a.run?.work) a.progress.value = a.run.work.total ? a.run.work.done / a.run.work.total : 0;
    a.text.textContent = a.run?.result?.diverged ? t('train.diverged', a.run.result.diverged) : a.run?.error ? errorText(a.run.error)
      : states[i] === 'done' ? t('train.compare.finished', { steps: a.rows.at(-1)?.step ?? 0 }) : speedText(a.run ?? {});
  }
  // The section's state: running while any run runs; done once all are done; else the most telling state.
  const overall = ['error', 'running', 'diverged', 'paused', 'idle'].find((s) => states.includes(s)) ?? 'done';
  section.dataset.runState = overall;
  showEvery(v);
  section.setAttribute('aria-busy', 'false');
  out.buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
  out.buttons.pause.disabled = !states.includes('running');
  out.curveTable.setRows(arms.flatMap((a) => a.rows.map((r) => [a.id, ...rowCells(r)])));
  const facts = arms.map((a) => ({ arm: a, f: curveFacts(a.rows) }));
  out.factTable.setRows(facts.filter((x) => x.f).map(({ arm, f }) => [arm.id, plain(f.gap), plain(f.best), f.toTarget === null ? '—' : String(f.toTarget),
    ...(name === 'label_trap' ? [finished(arm) ? String(sixNine(finished(arm))) : '—'] : [])]));
  out.verdict.textContent = overall === 'done' ? verdictText(v.wasm, name, arms, facts) : '';
  if (out.spreadTable) fillSpreads(v);
  if (out.trap) out.trap.show(arms.map((a) => (finished(a) ? { result: finished(a), input: a.input } : null)));
  v.draw();
}

// The race's step-0 table: each layer's output spread per run (not the BatchNorm runs: see isBn).
function fillSpreads(v) {
  const { spreadTable } = v.out;
  const heads = spreadTable.table.tHead.rows[0].cells;
  const shown = v.arms.filter((a) => !isBn(a));
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

// The label trap's figures per run: its 6 and 9 rows of the confusion matrix, and the 6s and 9s it took for each
// other. Returns { box, show(done) } (done: per run { result, input } once finished, else null).
function labelTrapBox(wasm, ids) {
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

// Shows run `r` in `arm` and follows its progress (rows, first-step info) until another run replaces it.
function follow(v, arm, r) {
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
    refresh(v);
  });
}

// What a run's first step tells: its planned steps, input shape, training images, measuring interval and sizes.
function setInfo(arm) {
  const i = arm.info;
  if (!i) return;
  Object.assign(arm, { total: i.total, input: i.input, trainLen: i.trainLen, every: i.every, valLen: i.valLen, measuredVal: i.measured.val });
}

// Reset: closes every run and opens fresh, idle ones with the same settings.
function resetAll(v) {
  for (const a of v.arms) { a.run?.close(); a.run = null; }
  v.shownKey = null;
  update(v, v.ctx.state);
}

// New settings: checked with the core for every arm (a value at fault goes back to the app, which names its field),
// then each arm shows its run for them (an unstarted run for other settings is closed, a started one paused and listed).
async function update(v, s) {
  const { ctx, out, name } = v;
  v.controls.sync(s);
  const key = settingsKey(s);
  if (key === v.shownKey) return;
  const mine = ++v.token;
  const bytes = await digits();
  if (mine !== v.token) return;
  try {
    for (const arm of v.arms) checkSettings(v.wasm, { ...s, ...arm.patch(s) }, bytes);
  } catch (e) {
    if (e?.param && e.param in s) ctx.reject(e);
    else out.message.textContent = errorText(e);
    return;
  }
  out.message.textContent = '';
  v.shownKey = key;
  for (const arm of v.arms) {
    const armSettings = { ...s, ...arm.patch(s) };
    const owner = ctx.owner(`train-compare-${arm.id}`);
    const armKey = `${name}|${settingsKey(armSettings)}`;
    const old = runs.current(owner);
    if (old && old.key !== armKey && unstarted(old)) old.close();
    follow(v, arm, runs.show(owner, 'train', armKey, runConfig(armSettings, bytes), { paused: true, settings: s }));
  }
  refresh(v);
  v.paused.refresh();
}
