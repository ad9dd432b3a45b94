// The transfer lab (panel=transfer): fine-tune a pretrained model from the zoo instead of starting from scratch.
// Three experiments (experiment=): the four quadrants (data set size × similarity to the source, every strategy,
// repeated), the initializations (pretrained vs random vs mean-var on one target, with a longer schedule), and the
// person's own classes. Every training is a cell (jobs.js kind 'transfer', src/run/transfer.rs) run in the
// workers; the experiment's numbers come from the core's transfer_plan(), the weights from www/zoo (zoo.js), checked
// by the core before use. This module holds what the three views share (transfer.js mounts them; each view is its
// own module), so no view imports the module that imports it.

import { t } from '../../i18n/index.js';
import { dataTable, el, fitCanvas, plain } from '../../ui/dom.js';
import { errorText, runs } from '../../compute/runs.js';
import { live, sha256Hex, useLive, zooEntry, zooVersion, zooWeights } from '../../compute/zoo.js';

// How often a view of many runs redraws (charts and tables) while they report.
export const REFRESH_MS = 250;

let plan = null;
export const planOf = (wasm) => (plan ??= wasm.transfer_plan());

export const strategyOf = (p, name) => p.strategies.find((s) => s.name === name);
// The strategies, in the plan's order.
export const strategies = (wasm) => planOf(wasm).strategies.map((s) => s.name);

// The zoo model and its verified weights; errors name the zoo parameter.
async function loadZoo(wasm, name) {
  const entry = await zooEntry(name);
  const weights = await zooWeights(wasm, entry);
  return { entry, weights };
}

// The zoo model a view's settings name, shown alike in every view: a file that fails gets its sentence next to the
// menu and in the view's message (run state error); a good one, the manifest's facts under the menu. Resolves to
// { entry, weights }, or null when it failed or a newer update took over meanwhile (current() is false).
export async function showZoo(wasm, name, { zoo, zooInfo, message, section }, current) {
  let model;
  try {
    model = await loadZoo(wasm, name);
  } catch (e) {
    if (!current()) return null;
    const text = zooErrorText(e);
    zoo.setError(text);
    showMessage(section, message, 'zoo', text);
    return null;
  }
  if (!current()) return null;
  message.dataset.message = '';
  message.textContent = '';
  zoo.clear();
  zooInfo.textContent = t('transfer.zoo.info', zooFacts(model.entry));
  return model;
}

// A sentence in a view's message that stops it (run state error); kind (data-message) says what it is about: 'zoo'
// (the file, kept while runs report) or 'error' (settings the core refused).
export function showMessage(section, message, kind, text) {
  message.dataset.message = kind;
  message.textContent = text;
  section.dataset.runState = 'error';
  section.setAttribute('aria-busy', 'false');
}

// A failed run's sentence in the view's message; with none failed, a zoo file's sentence stays, anything else goes.
export function showRunError(message, failedRun) {
  message.textContent = failedRun ? errorText(failedRun.error) : message.dataset.message === 'zoo' ? message.textContent : '';
}

// The settings' identity in a view: their values and the zoo file's version (a model pretrained here is a new one).
const settingsKey = (names, s) => `${names.map((n) => s[n]).join('|')}|${zooVersion(s.zoo)}`;

// Latest-wins loading of a view's zoo model (shown by showZoo): a file that answers after a newer choice is dropped.
// load(name) resolves to { model, latest }: model null when the file failed or a newer load took over (latest false).
export function zooLoader(wasm, parts) {
  let token = 0;
  return {
    async load(name) {
      const mine = ++token;
      const model = await showZoo(wasm, name, parts, () => mine === token);
      return { model, latest: mine === token };
    },
    dispose: () => { token++; },
  };
}

// The start of an update in the views that pretrain (quadrants, init): the controls show the settings; the settings
// already shown change nothing; else their zoo model is loaded and shown, with its pretraining box. begin() resolves
// to { key, model }, or null when there is nothing to run (the same settings, a file that failed, a newer update).
export function zooUpdates(wasm, { controls, names, parts, pretrain }) {
  const loader = zooLoader(wasm, parts);
  return {
    async begin(s, shownKey) {
      controls.sync(s);
      const key = settingsKey(names, s);
      if (key === shownKey) return null;
      const { model } = await loader.load(s.zoo);
      if (!model) return null;
      pretrain.show(model.entry);
      return { key, model };
    },
    dispose: loader.dispose,
  };
}

// Whether a refused value is one of the view's settings: then ctx.reject(e) shows it at its field and puts the
// setting back; anything else is the view's own message.
export const namesSetting = (e, s) => Boolean(e?.param && e.param in s);

// What the manifest says about a zoo model, for the sentence under the menu.
const zooFacts = (entry) => ({
  classes: entry.classes, acc: pct(entry.source_acc), steps: entry.steps, seed: entry.seed,
  input: entry.input.join('×'), kb: (entry.bytes / 1024).toFixed(0),
});

// A zoo file that failed: its code's sentence (transfer.zoo_error.CODE), the core's message after it.
function zooErrorText(e) {
  const key = `transfer.zoo_error.${e?.code}`;
  const known = t(key) !== key;
  return known ? t(key, { detail: String(e?.message ?? '').slice(0, 200) }) : errorText(e);
}

// The field of each setting a view reads (its SETTINGS), built alike in every view.
const FIELDS = {
  zoo: (c) => c.enumField('zoo', 'transfer.zoo', (v) => t(`transfer.zoo.${v}`)),
  strategy: (c) => c.enumField('strategy', 'transfer.strategy', (v) => t(`transfer.strategy.${v}`)),
  size: (c) => c.enumField('size', 'transfer.size', (v) => t(`transfer.size.${v}`)),
  similarity: (c) => c.enumField('similarity', 'transfer.similarity', (v) => t(`transfer.similarity.${v}`)),
  k: (c) => c.numberField('k', 'transfer.k', 1, 'transfer.k.help'),
  ft_lr: (c) => c.numberField('ft_lr', 'transfer.ft_lr', 'any', 'transfer.ft_lr.help'),
  repeats: (c) => c.numberField('repeats', 'transfer.repeats', 1, 'transfer.repeats.help'),
  budget: (c) => c.enumField('budget', 'transfer.budget', (v) => t(`transfer.budget.${v}`)),
  seed: (c) => c.numberField('seed', 'init.seed', 1),
  bn_stats: (c) => c.enumField('bn_stats', 'transfer.bn_stats', (v) => t(`transfer.bn_stats.${v}`)),
};

// A view's form: one field per setting in the order of `names`, the zoo model's facts (zooInfo) and `afterZoo` right
// under the zoo menu, `end` last. Returns { form, fields (by setting), zooInfo }.
export function settingsForm(controls, names, { afterZoo = [], end = [] } = {}) {
  const fields = Object.fromEntries(names.map((n) => [n, FIELDS[n](controls)]));
  const zooInfo = el('p', { class: 'field-help', 'data-zoo-info': '' });
  const wraps = names.flatMap((n) => (n === 'zoo' ? [fields.zoo.wrap, zooInfo, ...afterZoo] : [fields[n].wrap]));
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() }, ...wraps, ...end);
  return { form, fields, zooInfo };
}

// Start, Pause and Reset for a view of several runs: items() are its cells (each with .run, null before it opens).
export function runButtons(items, reset) {
  return {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => items().forEach((c) => c.run?.resume()) }, t('transfer.action.start')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => items().forEach((c) => c.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: reset }, t('train.action.reset-run')),
  };
}

// The view's run state from its runs' states (the panel is no longer busy), and which of Start and Pause apply.
export function showRunState(section, buttons, states) {
  section.dataset.runState = overallState(states);
  section.setAttribute('aria-busy', 'false');
  buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
  buttons.pause.disabled = !states.includes('running');
}

// The curves of a run, one per repeat: the finished result's, else what its progress has reported so far.
export function runCurves(run) {
  if (run?.state === 'done') return run.result.curves;
  const byRepeat = [];
  for (const p of run?.items ?? []) (byRepeat[p.repeat] ??= []).push(p);
  return byRepeat.filter(Boolean);
}

// A difference in accuracy as signed percentage points: "+1.2", "−0.4".
export const points = (x) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;

// Whether a strategy trains at ft_lr (the plan fine-tunes it at the lower rate), and the rate a cell trains at.
export const usesFtLr = (p, strategy) => strategyOf(p, strategy).uses_ft_lr;
export const cellLr = (p, config) => (usesFtLr(p, config.strategy) ? config.ft_lr : strategyOf(p, config.strategy).lr);

// A cell's settings (src/run/transfer.rs, CELL_KEYS): the plan's batch and validation interval, ft_lr for the
// strategies that fine-tune at the lower rate.
// `model` replaces the zoo model's target spec (the init view's GroupNorm arm), `every` the plan's validation
// interval (the quadrants measure every plan.quadrant_every steps).
export function cellConfig(wasm, s, zoo, { strategy, data, steps, classes, layerChange = false, keep = null, model = null, every = null }) {
  const p = planOf(wasm);
  return {
    // The zoo model's body with a head for the target's classes.
    model: model ?? wasm.transfer_model(zoo.entry.model, classes ?? p.classes), weights: strategyOf(p, strategy).pretrained ? zoo.weights : null, data, strategy,
    k: s.k, ft_lr: s.ft_lr, steps, every: every ?? p.eval_every, batch: p.batch, repeats: s.repeats, seed: s.seed,
    layerChange, keep: keep || null, bn_stats: s.bn_stats ?? 'frozen',
  };
}

// Checks a cell on the main thread before any run opens (k against the depth, the weights against the spec) and
// returns what a step of it costs: { trainable, params, flops } (training FLOPs per step of a batch). A refused
// value throws the core's error, whose .param is the URL parameter at fault.
export const checkCell = (wasm, config) => wasm.check_settings('transfer', config);

// A run's state as the page names it (README: idle = opened but not started).
export function stateOf(r) {
  if (!r) return 'idle';
  if (r.state === 'paused') return r.steps === 0 ? 'idle' : 'paused';
  return r.state;
}

// The state of several runs together: running while any runs, done once all are, else the most telling one.
export function overallState(states) {
  return ['error', 'running', 'paused', 'idle'].find((s) => states.includes(s)) ?? 'done';
}

// Opens (or finds again) one run per cell: owner transfer-ID (of this view: ctx.owner), key = the settings, paused
// until Start.
export function showCells(ctx, cells, key) {
  return cells.map((c) => runs.show(ctx.owner(`transfer-${c.id}`), 'transfer', key, c.config, { paused: true }));
}

// Validation accuracy (thick) and loss of one or more series [{ name, rows: [{ step, val_acc, val_loss }] }], drawn by
// the Train panel's curve chart with no training-set columns; options as draw_train_curves takes them.
export function drawValCurves(wasm, canvas, series, lastStep = 0, options = undefined) {
  const all = series.flatMap((s) => s.rows);
  const col = (k) => Float64Array.from(all, (r) => r[k] ?? NaN);
  wasm.draw_train_curves(canvas, {
    lastStep, lengths: Uint32Array.from(series, (s) => s.rows.length), steps: col('step'), train_loss: col('none'),
    train_acc: col('none'), val_loss: col('val_loss'), val_acc: col('val_acc'), names: series.map((s) => s.name),
    words: ['step', 'loss', 'accuracy', 'training', 'validation'].map((w) => t(`train.word.${w}`)), ratio: fitCanvas(canvas), options,
  });
}

// The layer-change chart and its table (init and own views): show(rows) fills both, [] empties them.
export function layerChangePart() {
  const canvas = el('canvas', { 'data-chart': 'transfer-layer-change', role: 'img', 'aria-label': t('transfer.layer_change') });
  const table = dataTable('transfer-layer-change', 'transfer.layer_change.table', [['layer', 'transfer.col.layer'], ['rel_change', 'transfer.col.rel_change']]);
  return {
    figure: el('figure', { class: 'chart' }, canvas, el('figcaption', {}, t('transfer.layer_change'))),
    table: table.table,
    show(rows) {
      table.setRows(rows.map((r) => [r.name, plain(r.rel_change)]));
      drawLayerChange(canvas, rows);
    },
  };
}

// Each layer's relative weight change ‖W − W₀‖ / ‖W₀‖ as bars, one per layer with weights, labelled by its name.
function drawLayerChange(canvas, rows) {
  const ratio = fitCanvas(canvas);
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  if (!rows.length) return;
  const top = Math.max(...rows.map((r) => r.rel_change), 1e-9);
  const pad = { left: 48 * ratio, right: 12 * ratio, top: 14 * ratio, bottom: 30 * ratio };
  const plotH = height - pad.top - pad.bottom;
  const slot = (width - pad.left - pad.right) / rows.length;
  g.font = `${12 * ratio}px sans-serif`;
  g.fillStyle = '#555';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const f of [0, 0.5, 1]) {
    const y = pad.top + plotH * (1 - f);
    g.fillText(plain(Number((top * f).toPrecision(2))), pad.left - 6 * ratio, y);
    g.fillRect(pad.left, y, width - pad.left - pad.right, 1);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  rows.forEach((r, i) => {
    const h = (plotH * r.rel_change) / top;
    const x = pad.left + slot * i + slot * 0.2;
    g.fillStyle = '#2f6fb0';
    g.fillRect(x, pad.top + plotH - h, slot * 0.6, h);
    g.fillStyle = '#333';
    g.fillText(r.name, pad.left + slot * (i + 0.5), height - pad.bottom + 6 * ratio);
  });
}

// Pretraining the chosen zoo model here, from its manifest entry (jobs.js kind 'pretrain'): a button, a progress bar
// and what came out — the source accuracy and whether the weights are the shipped file's bits (sha256). The result
// becomes the session's copy of that model once the core has taken it as this spec's weights; onLive() then lets the
// view open its runs again with it. One run per model, in the registry, so a re-mount finds it.
export function pretrainBox(wasm, onLive) {
  const button = el('button', { type: 'button', 'data-action': 'pretrain' }, t('transfer.pretrain'));
  const progress = el('progress', { max: 1, value: 0, 'aria-label': t('transfer.pretrain') });
  const text = el('p', { class: 'field-help', role: 'status', 'data-summary': 'pretrain' });
  const box = el('div', { class: 'pretrain', 'data-run-state': 'idle' }, button, progress, text);
  let entry = null;
  let run = null;
  let stop = () => {};

  const doneText = (info) => [
    t('transfer.pretrain.done', { acc: pct(info.acc), seconds: info.seconds.toFixed(1), sha: info.sha256.slice(0, 12) }),
    t(info.identical ? 'transfer.pretrain.identical' : document.documentElement.dataset.wasmBuild === 'relaxed' ? 'transfer.pretrain.differs_relaxed' : 'transfer.pretrain.differs'),
  ].join(' ');

  async function finish(r) {
    const info = live(entry.name);
    if (info?.run === r.id) { text.textContent = doneText(info); return; }
    const bytes = r.result.weights;
    let trainer = null;
    try {
      trainer = new wasm.Trainer({ model: entry.model, seed: 0 });
      trainer.load_safetensors(bytes); // all or nothing: exactly this spec's tensors
    } catch (e) {
      text.textContent = errorText(e);
      return;
    } finally {
      trainer?.free();
    }
    const sha256 = await sha256Hex(bytes);
    const seconds = r.work?.rate > 0 ? r.work.done / r.work.rate : NaN;
    const next = { run: r.id, sha256, identical: sha256 === entry.sha256, acc: r.result.acc, seconds };
    useLive(entry, bytes, next);
    text.textContent = doneText(next);
    onLive();
  }

  function refresh(r) {
    const state = stateOf(r);
    box.dataset.runState = state;
    button.disabled = state === 'running' || state === 'done';
    progress.value = state === 'done' ? 1 : r.work?.total ? r.work.done / r.work.total : 0;
    if (state === 'running' || state === 'paused') text.textContent = t('transfer.pretrain.at', { step: r.work?.done ?? 0, steps: entry.steps });
    else if (state === 'error') text.textContent = errorText(r.error);
    else if (state === 'idle') text.textContent = t('transfer.pretrain.about', { steps: entry.steps, classes: entry.classes });
  }

  button.addEventListener('click', () => run?.resume());
  return {
    box,
    show(e) {
      if (entry?.name === e.name) return;
      entry = e;
      stop();
      run = runs.show(`transfer-pretrain-${e.name}`, 'pretrain', `pretrain|${e.name}`, { zoo: e.name }, { paused: true });
      stop = run.subscribe((r, event) => { refresh(r); if (event.type === 'done') finish(r); });
      refresh(run);
      if (run.state === 'done') finish(run);
    },
    dispose: () => stop(),
  };
}

// "12,345 trainable of 45,678 parameters · 1.2 MFLOP a step · 0.8 ms a step"
export function costText(cost, msPerStep) {
  const flops = cost.flops >= 1e9 ? t('transfer.gflop', { n: (cost.flops / 1e9).toFixed(2) }) : t('transfer.mflop', { n: (cost.flops / 1e6).toFixed(1) });
  const parts = [t('transfer.trainable', { n: cost.trainable.toLocaleString('en-US'), of: cost.params.toLocaleString('en-US') }), flops];
  if (Number.isFinite(msPerStep)) parts.push(t('transfer.ms', { n: msPerStep.toFixed(2) }));
  return parts.join(' · ');
}

// A no-break space before the sign, so a narrow column never leaves "%" alone on a line.
export const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}\u00a0%` : '—');

// A view's head: its title and introduction, then the links to the three experiments (the current one marked).
export function viewHead(ctx, current, title, intro) {
  return [el('h2', {}, title), el('p', { class: 'intro' }, intro), viewLinks(ctx, current)];
}

function viewLinks(ctx, current) {
  return el('p', { class: 'presets chips' }, ['quadrants', 'init', 'own'].map((name) => (name === current
    ? el('strong', { 'data-experiment': name, 'aria-current': 'page' }, t(`transfer.experiment.${name}`))
    : el('a', { href: '#', 'data-experiment': name, onclick: (e) => { e.preventDefault(); ctx.set({ experiment: name }); } }, t(`transfer.experiment.${name}`)))));
}
