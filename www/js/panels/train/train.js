// The Train panel (panel=train): a small CNN trains in a worker as a run (runs.js, jobs.js 'train'), and this module
// only draws what the run reports: the curves (plotters, at most once per frame), the first layer's filters, one
// validation example's activation maps through every layer, and at the end the confusion matrix and the mistakes.
// The run belongs to the page: a language switch re-mounts the panel, which finds the run again and replays it.
// Settings that change while a run exists pause it (runs.show keeps it listed); Reset closes it and opens a fresh,
// idle one. Settings are checked on the main thread before a run opens, so a bad value never touches the run.

import { t } from '../../i18n/index.js';
import { controlSet, initControls } from '../../url/controls.js';
import { codeBlock, coreMessage, dataTable, downloadFile, el, fitCanvas, perFrame } from '../../ui/dom.js';
import { errorText, runs, speedText } from '../../compute/runs.js';
import { compareView } from './compare.js';
import { COMPARISONS } from './lessons.js';
import { pausedRuns, unstarted } from './paused.js';
import { mapRows } from '../draw/maps.js';
import { drawPad } from '../draw/draw.js';
import { scriptButton } from '../../ui/script-download.js';

import {
  SETTINGS, checkSettings, curveColumns, curveFacts, curveRows, digits, drawCurves, factsText, measuring, rowCells,
  pct, putImages, runConfig, runSettings, runState, settingsKey,
} from './shared.js';

export { SETTINGS };

const WEIGHTS_FILE = 'model.safetensors';
// What was imported into a run ({ name, val }), for a re-mounted panel (a language switch) to show it again.
const importedInto = new WeakMap();

// The PyTorch code that loads the downloaded weights and predicts from raw images (the model and the data's
// preprocessing; independent of the weights, so the main thread writes it from the settings).
const pytorchCode = (wasm, s, bytes) => checkSettings(wasm, s, bytes).code;

// Checks a weights file against the settings' model on the main thread (all or nothing, the core's error), so a
// wrong or corrupt file never reaches the run.
const checkWeights = (wasm, s, bytes) => wasm.check_weights(runSettings(s), bytes);

// Puts RGBA tiles on a canvas at their own pixel size (CSS scales them up without smoothing).
function putTiles(wasm, canvas, values, tiles, h, w, columns, signed, zoom = 3) {
  putImages(canvas, wasm.tiles_rgba(values, tiles, h, w, columns, signed), tiles, h, w, columns, zoom);
}

// The panel shows one view at a time (view=single or a comparison); a change of view re-mounts the view below the
// panel's tools, and the runs stay in the registry.
export function mount(section, ctx) {
  const keep = [...section.children]; // the panel's tools (Reset, Copy link), placed by main.js
  let view = null;
  let current = null;
  return {
    update(s) {
      if (s.view !== current) {
        view?.dispose();
        section.replaceChildren(...keep);
        current = s.view;
        view = current in COMPARISONS ? compareView(section, ctx, current) : singleView(section, ctx);
      }
      view.update(s);
    },
    dispose: () => view?.dispose(),
  };
}

// The single view's charts and tables: the curves (empty axes and "Press Start" before the first measurement), the
// first layer's filters, one example's activation maps, and at the end the confusion matrix and the misclassified
// images.
function trainOutputs(wasm) {
  const curves = el('canvas', { 'data-chart': 'train-curves', role: 'img', 'aria-label': t('train.curves') });
  const emptyNote = el('p', { class: 'empty-state', 'data-empty': 'train-curves' }, t('train.empty_chart'));
  // What the default shows: with augmentation on (the default pipeline) the shaded gap stays narrow.
  const augNote = el('span', { 'data-note': 'aug' });
  const curveTable = dataTable('train-curves', 'train.curves.table', curveColumns());
  const filters = el('canvas', { class: 'grid pixelated', 'data-chart': 'train-filters', role: 'img', 'aria-label': t('train.filters') });
  const maps = el('div', { class: 'maps', 'data-chart': 'train-maps' });
  const confusion = el('canvas', { 'data-chart': 'train-confusion', role: 'img', 'aria-label': t('train.confusion') });
  const confusionTable = dataTable('train-confusion', 'train.confusion.table', [['true', 'train.col.true']]);
  const mistakes = el('canvas', { class: 'grid pixelated', 'data-chart': 'train-misclassified', role: 'img', 'aria-label': t('train.misclassified') });
  const mistakeTable = dataTable('train-misclassified', 'train.misclassified.table', [['index', 'train.col.index'], ['true', 'train.col.true'], ['predicted', 'train.col.predicted']]);
  const end = el('div', { class: 'train-end', hidden: true },
    el('figure', { class: 'chart' }, confusion, el('figcaption', {}, t('train.confusion'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), confusionTable.table),
    el('figure', { class: 'chart' }, mistakes, el('figcaption', {}, t('train.misclassified'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), mistakeTable.table));

  const filtersFigure = el('figure', { class: 'chart' }, filters, el('figcaption', {}, t('train.filters')));
  return {
    curves, emptyNote, augNote, curveTable, filtersFigure, maps, end,
    // The run's latest look: the filters and one example's maps through every layer.
    showLook(info, look) {
      if (look.filters && info.filterShape) {
        const [out, inC, kh, kw] = info.filterShape;
        putTiles(wasm, filters, look.filters, out * inC, kh, kw, inC === 1 ? Math.min(out, 8) : inC, true, 10);
      }
      // One row of tiles per layer: its channels (a dense layer's units as one strip).
      const rows = mapRows(wasm, info.layers, look.maps);
      const input = el('canvas', { class: 'grid pixelated', 'data-layer': 'input' });
      putTiles(wasm, input, info.exampleImage, 1, info.input[0], info.input[1], 1, false);
      maps.replaceChildren(el('div', { class: 'map-row' }, el('span', { class: 'map-label' }, t('train.maps.input', { label: info.exampleLabel, index: info.example })), input), ...rows);
    },
    // The finished run: its confusion matrix and its misclassified validation images.
    showEnd(result, info) {
      const k = result.classes;
      end.hidden = false;
      const labels = Array.from({ length: k }, (_, i) => String(i));
      wasm.draw_confusion(confusion, result.confusion, labels, [t('train.word.true'), t('train.word.predicted')], fitCanvas(confusion));
      confusionTable.table.tHead.rows[0].replaceChildren(el('th', { scope: 'col', 'data-col': 'true' }, t('train.col.true')),
        ...labels.map((l) => el('th', { scope: 'col', 'data-col': `p${l}` }, t('train.col.predicted_n', { label: l }))));
      confusionTable.setRows(labels.map((l, r) => [l, ...Array.from(result.confusion.subarray(r * k, r * k + k), String)]));
      const [h, w] = info.input;
      if (result.misclassified.length) putTiles(wasm, mistakes, result.images, result.misclassified.length, h, w, Math.min(8, result.misclassified.length), false);
      mistakes.hidden = !result.misclassified.length;
      mistakeTable.setRows(result.misclassified.map((m) => [String(m.index), String(m.label), String(m.predicted)]));
    },
  };
}

// Export and import: the weights as safetensors, the PyTorch code that loads them, a file of the same spec back in.
// `view`: { run() → the run shown, resetRun() → a fresh idle run, bytes() → the digits' bytes once fetched }.
function weightsPanel(ctx, view) {
  const { wasm } = ctx;
  const download = el('button', { type: 'button', 'data-action': 'download-weights', onclick: () => downloadWeights() }, t('train.weights.download'));
  const weightsInput = el('input', { type: 'file', name: 'weights', accept: '.safetensors,application/octet-stream' });
  weightsInput.addEventListener('change', () => {
    const file = weightsInput.files?.[0];
    weightsInput.value = ''; // the same file can be chosen again
    if (file) importWeights(file);
  });
  const weightsField = el('div', { class: 'field' },
    el('label', {}, t('train.weights.import'), ' ', weightsInput),
    el('p', { class: 'field-help' }, t('train.weights.import.help')));
  const weightsError = el('p', { class: 'field-error', role: 'alert', 'data-error': 'weights' });
  const weightsSummary = el('p', { class: 'summary', role: 'status', 'data-summary': 'weights' });
  const code = codeBlock('PyTorch');
  code.wrap.dataset.code = 'pytorch';
  const codeDetails = el('details', { class: 'chart-data' }, el('summary', {}, t('train.weights.code')),
    el('p', { class: 'field-help' }, t('train.weights.code.help', { file: WEIGHTS_FILE })), code.wrap);
  codeDetails.addEventListener('toggle', () => { if (codeDetails.open) showCode(); });
  const weightsBox = el('div', { class: 'weights' }, el('h3', {}, t('train.weights')),
    el('div', { class: 'run-buttons' }, download, scriptButton(wasm, async () => ({ kind: 'train', settings: runSettings(ctx.state), bytes: await digits() }))),
    weightsField, weightsError, weightsSummary, codeDetails);

  const importedText = ({ name, val }) => t('train.weights.imported', { name, acc: pct(val.accuracy), correct: val.correct, n: val.n });

  // The weights of the run as shown: a finished run carries them in its result, a live one answers a snapshot.
  async function downloadWeights() {
    weightsError.textContent = '';
    try {
      const run = view.run();
      const weights = run.state === 'done' ? run.result.weights : (await run.snapshot()).weights;
      downloadFile(weights, WEIGHTS_FILE);
    } catch (e) {
      weightsError.textContent = t('train.weights.failed', { message: errorText(e) });
    }
  }

  function showCode() {
    try {
      const bytes = view.bytes();
      code.code.textContent = bytes ? pytorchCode(wasm, ctx.state, bytes) : '';
    } catch (e) {
      code.code.textContent = '';
      weightsError.textContent = t('train.weights.failed', { message: coreMessage(e) });
    }
  }

  // A file of the same spec replaces the weights of a fresh run (a run with steps is reset first: its curves belong
  // to other weights), which then shows its validation accuracy and can train on from there. A file that is not
  // this model's (or not safetensors) is refused with the core's reason and changes nothing.
  async function importWeights(file) {
    weightsError.textContent = '';
    const name = file.name.slice(0, 120);
    const fail = (message) => { weightsError.textContent = t('train.weights.error', { name, message }); };
    const max = wasm.core_catalog().weights_bytes; // larger files are refused unread
    if (file.size > max) {
      fail(t('train.weights.too_large', { got: file.size, max }));
      return;
    }
    const s = ctx.state;
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      checkWeights(wasm, s, bytes);
    } catch (e) {
      fail(coreMessage(e));
      return;
    }
    if (settingsKey(s) !== settingsKey(ctx.state) || !view.run()) return; // the file was checked against other settings
    if (!unstarted(view.run())) await view.resetRun();
    const target = view.run();
    try {
      const { val } = await target.load(bytes);
      importedInto.set(target, { name, val });
      target.keep = true; // its weights are the file's: a settings change pauses and lists it like a started run
      if (target === view.run()) weightsSummary.textContent = importedText(importedInto.get(target));
    } catch (e) {
      fail(errorText(e));
    }
  }

  return { box: weightsBox, download, error: weightsError, summary: weightsSummary, codeDetails, showCode, importedText };
}

// The single view: one run, its controls, its outputs, its weights and the drawing pad. Its parts share one object
// `v`: { ctx, wasm, section, controls, init and momentum (shown or hidden by the settings), buttons, progress, status,
// message, about, facts, everyNote, out (trainOutputs), weights, paused, pad, drawCurvesNow, run (the run shown),
// unsubscribe, shown (what the run has shown so far), checkedKey, token, bytesNow (the digits' bytes, once fetched) }.
function singleView(section, ctx) {
  const v = {
    ctx, wasm: ctx.wasm, section, run: null, unsubscribe: () => {}, shown: nothingShown(), checkedKey: null, token: 0, bytesNow: null,
  };
  Object.assign(v, runStatus(v));
  showEvery(v);
  const { controls, form, init, momentum } = singleForm(ctx);
  Object.assign(v, { controls, init, momentum });
  v.out = trainOutputs(v.wasm);
  v.weights = weightsPanel(ctx, { run: () => v.run, resetRun: () => resetRun(v), bytes: () => v.bytesNow });
  v.paused = pausedRuns(ctx, SETTINGS, () => (v.run ? [v.run] : []));
  v.pad = drawPad(ctx, () => v.run); // the drawing pad predicts with this run's model once it has trained
  layOutSingle(v, form);
  // Before the first measurement: empty axes and "Press Start" instead of a blank frame.
  v.drawCurvesNow = perFrame(() => {
    v.out.emptyNote.hidden = v.shown.rows.length > 0;
    drawCurves(v.wasm, v.out.curves, [{ name: '', rows: v.shown.rows }], v.shown.info?.total ?? 0, { gap: true });
  });
  new ResizeObserver(() => v.drawCurvesNow()).observe(v.out.curves);
  return { update: (s) => updateSingle(v, s), dispose: () => { v.token++; v.unsubscribe(); v.paused.dispose(); v.pad.dispose(); } };
}

// What a run has shown so far: its info, its curve rows, its latest look.
const nothingShown = () => ({ info: null, rows: [], look: null, losses: 0 });

// The settings of one run, each bound to its URL parameter.
function singleForm(ctx) {
  const controls = controlSet(ctx);
  const data = controls.enumField('data', 'train.data', (x) => t(`train.data.${x}`));
  const perClass = controls.numberField('per_class', 'train.per_class', 1, 'train.per_class.help');
  const model = controls.textField('model', 'train.model', 'train.model.help');
  const init = initControls(controls);
  const opt = controls.enumField('opt', 'train.opt');
  const lr = controls.numberField('lr', 'train.lr');
  const momentum = controls.numberField('momentum', 'train.momentum');
  const wd = controls.numberField('wd', 'train.wd');
  const bs = controls.numberField('bs', 'train.bs', 1);
  const epochs = controls.numberField('epochs', 'train.epochs', 1);
  const aug = controls.textField('aug', 'train.aug', 'train.aug.help');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const example = controls.numberField('example', 'train.example', 1, 'train.example.help');
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    data.wrap, perClass.wrap, model.wrap, ...init.wraps, opt.wrap, lr.wrap, momentum.wrap, wd.wrap, bs.wrap, epochs.wrap,
    aug.wrap, seed.wrap, example.wrap);
  return { controls, form, init, momentum };
}

// The run's buttons and the lines that say how it is going.
function runStatus(v) {
  const button = (action) => el('button', { type: 'button', 'data-action': action, onclick: () => act(v, action) }, t(`train.action.${action}`));
  return {
    buttons: { start: button('start'), pause: button('pause'), step: button('step'), reset: button('reset-run') },
    progress: el('progress', { max: 1, value: 0, 'aria-label': t('train.progress') }),
    status: el('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    message: el('p', { class: 'field-error', role: 'alert', 'data-message': '' }),
    about: el('p', { class: 'field-help' }),
    facts: el('p', { class: 'summary', 'data-summary': 'train' }),
    // The measuring interval: the run's own once it reports it (batches below 16 measure less often).
    everyNote: el('span', { 'data-note': 'every' }),
  };
}

function showEvery(v, n) {
  v.everyNote.textContent = t('train.every', { n: n ?? measuring(v.wasm).every, m: measuring(v.wasm).measure_n });
}

// The section: title, intro, the links to the comparisons, the run buttons (Tab: presets, then Start), the form and
// the outputs.
function layOutSingle(v, form) {
  const { ctx, out } = v;
  const viewLinks = Object.keys(COMPARISONS).map((name) => el('a', {
    href: '#', 'data-view': name, onclick: (e) => { e.preventDefault(); ctx.set({ view: name }); },
  }, t(`train.view.${name}`)));
  v.section.append(
    el('h2', {}, t('train.title')),
    el('p', { class: 'intro' }, t('train.intro')),
    el('div', { class: 'presets' }, el('span', { class: 'label' }, t('train.compare'), ': '), el('span', { class: 'chips' }, viewLinks)),
    el('div', { class: 'run-buttons' }, v.buttons.start, v.buttons.pause, v.buttons.step, v.buttons.reset),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        v.progress, v.status, v.message, v.about, v.facts, v.paused.wrap,
        el('figure', { class: 'chart' }, out.emptyNote, out.curves, el('figcaption', {}, t('train.curves'), ' ', out.augNote, ' ', v.everyNote)),
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), out.curveTable.table),
        out.filtersFigure,
        el('figure', { class: 'chart' }, out.maps, el('figcaption', {}, t('train.maps'))),
        v.pad.wrap, out.end, v.weights.box)));
}

function setRunState(v, state) {
  const { section, buttons } = v;
  section.dataset.runState = state;
  section.setAttribute('aria-busy', 'false'); // the panel shows the run's current state after every message
  const live = state === 'idle' || state === 'paused' || state === 'running';
  buttons.start.disabled = !live || state === 'running';
  buttons.pause.disabled = state !== 'running';
  buttons.step.disabled = !live || state === 'running';
  buttons.start.textContent = t(state === 'paused' ? 'train.action.resume' : 'train.action.start');
  v.weights.download.disabled = !(live || state === 'done'); // a diverged or failed run has no usable weights
}

function showLook(v, look) {
  v.shown.look = look;
  v.out.showLook(v.shown.info, look);
  v.pad.refresh(); // the run's model moved on: the drawing is predicted again
}

// A run's new items: its info, curve rows (the chart and its table), its latest look, progress, facts and status.
function showItems(v, items) {
  const { shown, out, run } = v;
  let drew = false;
  for (const p of items) {
    if (p.info) {
      shown.info = p.info;
      v.about.textContent = t('train.about', { train: p.info.trainLen, val: p.info.valLen, params: p.info.params, steps: p.info.total });
      showEvery(v, p.info.every);
    }
    if (Number.isFinite(p.loss)) shown.losses++;
    for (const row of curveRows([p])) {
      shown.rows.push(row);
      out.curveTable.table.tBodies[0].append(el('tr', {}, rowCells(row).map((c) => el('td', {}, c))));
      drew = true;
    }
  }
  const lastLook = items.flatMap((p) => [p.before, p.look]).filter(Boolean).at(-1);
  if (lastLook) showLook(v, lastLook);
  if (drew) v.drawCurvesNow();
  const work = run.work;
  if (!items.length) return;
  if (work) v.progress.value = work.total ? work.done / work.total : 0;
  const f = curveFacts(shown.rows);
  v.facts.textContent = f ? factsText(f) : '';
  v.status.textContent = [work ? t('train.at', { step: Math.round(work.done / run.config.bs), total: shown.info?.total ?? '?' }) : '', speedText(run)].filter(Boolean).join(' · ');
}

function showDone(v, result) {
  if (result.diverged) {
    if (result.info) showItems(v, [result]); // diverged at the first step: what the run is, and step 0
    v.message.dataset.message = 'diverged';
    v.message.textContent = t('train.diverged', result.diverged);
    setRunState(v, 'diverged');
    return;
  }
  v.out.showEnd(result, v.shown.info);
  v.status.textContent = t('train.done', { wrong: result.wrongCount, n: v.shown.info.valLen }); // finished: no time left to state
  setRunState(v, 'done');
}

function showError(v, e) {
  v.message.dataset.message = 'error';
  v.message.textContent = errorText(e);
  setRunState(v, 'error');
}

// Shows run `r` from a clean slate (replaying what it reported so far) and follows it until another replaces it.
function attach(v, r) {
  const { out, message, weights } = v;
  v.unsubscribe();
  v.run = r;
  v.shown = nothingShown();
  out.curveTable.setRows([]);
  out.maps.replaceChildren();
  out.end.hidden = true;
  message.textContent = '';
  message.dataset.message = '';
  v.facts.textContent = '';
  v.progress.value = 0;
  v.drawCurvesNow();
  v.status.textContent = t('train.idle');
  weights.error.textContent = '';
  const imported = importedInto.get(r);
  weights.summary.textContent = imported ? weights.importedText(imported) : '';
  showItems(v, r.items);
  if (r.state === 'done') showDone(v, r.result);
  else if (r.state === 'error') showError(v, r.error);
  else setRunState(v, runState(r));
  v.unsubscribe = r.subscribe((_, event) => {
    if (event.type === 'progress') showItems(v, event.items);
    else if (event.type === 'done') showDone(v, r.result);
    else if (event.type === 'error') showError(v, r.error);
    else if (event.type === 'state') setRunState(v, runState(r));
  });
}

function act(v, action) {
  const { run } = v;
  if (!run) return;
  if (action === 'start') run.resume();
  else if (action === 'pause') run.pause();
  else if (action === 'step') run.step(1);
  else if (action === 'reset-run') resetRun(v);
}

// Closes the run and opens a fresh, idle one with the same settings (resolves once it is shown).
function resetRun(v) {
  v.run?.close();
  v.run = null;
  v.checkedKey = null;
  return updateSingle(v, v.ctx.state);
}

// New settings: the fields follow them; settings that change the run are checked with the core (a value at fault
// goes back to the app, which names its field) before the run for them is shown (an unstarted run for other settings
// is closed, a started one paused and listed).
async function updateSingle(v, s) {
  const { ctx, wasm } = v;
  v.controls.sync(s);
  v.out.augNote.textContent = t(s.aug ? 'train.single.aug_note' : 'train.single.no_aug_note');
  v.init.show(s);
  v.momentum.wrap.hidden = s.opt !== 'sgd';
  const key = settingsKey(s);
  if (key === v.checkedKey && v.run?.state !== 'closed') return;
  const mine = ++v.token;
  const bytes = await digits();
  if (mine !== v.token) return;
  v.bytesNow = bytes;
  try {
    checkSettings(wasm, s, bytes);
  } catch (e) {
    if (e?.param && e.param in s) ctx.reject(e);
    else showError(v, e);
    return;
  }
  v.checkedKey = key;
  const old = runs.current(ctx.owner('train'));
  if (old && old.key !== key && unstarted(old)) old.close();
  attach(v, runs.show(ctx.owner('train'), 'train', key, runConfig(s, bytes), { paused: true, settings: s }));
  v.paused.refresh();
  if (v.weights.codeDetails.open) v.weights.showCode();
}
