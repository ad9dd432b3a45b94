// The own-classes view (experiment=own): 2–5 buckets, each a class of the person's own, filled by uploading or
// dropping image files or by drawing on a canvas (buckets.js); every image is cut to its centre square and resized to
// the zoo model's input, then a cell (the chosen strategy, one run) trains on them in a worker. The images never enter
// the URL; they stay for as long as the page is open. Afterwards: the validation curve, which layers moved, and the
// fine-tuned model as safetensors with its PyTorch code.

import { t } from '../../i18n/index.js';
import { scriptButton } from '../../ui/script-download.js';
import { controlSet } from '../../url/controls.js';
import { codeBlock, dataTable, downloadFile, el, perFrame, plain } from '../../ui/dom.js';
import { errorText, runs, speedText } from '../../compute/runs.js';
import { LIMITS, bucketData, bucketEditor } from './buckets.js';
import {
  cellConfig, checkCell, costText, usesFtLr, drawValCurves, layerChangePart, namesSetting, pct, planOf, settingsForm, showCells,
  showRunError, stateOf, viewHead, zooLoader,
} from './shared.js';

export const SETTINGS = ['zoo', 'strategy', 'k', 'ft_lr', 'seed', 'bn_stats'];
const WEIGHTS_FILE = 'model.safetensors';
// A person's few images train for the plan's budget of a small target.
const smallSteps = (plan) => plan.quadrants.find((q) => q.size === 'small').steps;

// The view's state lives in one object (v): its parts, the bucket editor, the run it shows and the settings (with
// their zoo model) it was last updated with.
export function ownView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  const controls = controlSet(ctx);
  const costInfo = el('p', { class: 'field-help', 'data-cost': '' });
  const { form, fields, zooInfo } = settingsForm(controls, SETTINGS, { end: [costInfo] });
  const v = { wasm, plan, ctx, section, ...ownOutputs(plan), editor: bucketEditor(), run: null, unsubscribe: () => {}, shown: null };
  v.train = el('button', { type: 'button', 'data-action': 'start', onclick: () => startRun(v) }, t('transfer.own.train'));
  const reset = el('button', { type: 'button', 'data-action': 'reset-run', onclick: () => { v.run?.close(); followRun(v, null); v.refresh(); } }, t('train.action.reset-run'));
  section.append(
    ...viewHead(ctx, 'own', t('transfer.experiment.own'), t('transfer.own.intro', { min: LIMITS.buckets[0], max: LIMITS.buckets[1], per: LIMITS.perBucket })),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        v.editor.list, el('div', { class: 'run-buttons' }, v.editor.add, v.train, reset), v.editor.message,
        v.progress, v.status, v.message, v.results)));
  v.refresh = perFrame(() => refreshOwn(v));
  new ResizeObserver(() => v.refresh()).observe(v.curves);
  const zoo = zooLoader(wasm, { zoo: fields.zoo, zooInfo, message: v.message, section });

  async function update(s) {
    controls.sync(s);
    fields.k.wrap.hidden = s.strategy !== 'freeze_k';
    fields.ft_lr.wrap.hidden = !usesFtLr(plan, s.strategy);
    const { model, latest } = await zoo.load(s.zoo);
    if (!model) {
      if (latest) v.shown = null; // the file failed: nothing to train from
      return;
    }
    try {
      const cost = checkCell(wasm, cellConfig(wasm, { ...s, repeats: 1 }, model, { strategy: s.strategy, data: null, steps: smallSteps(plan), classes: v.editor.buckets().length }));
      costInfo.textContent = costText(cost);
    } catch (e) {
      if (namesSetting(e, s)) { ctx.reject(e); return; }
      v.message.textContent = errorText(e);
    }
    v.shown = { s, zoo: model };
    v.refresh();
  }

  followRun(v, runs.current(ctx.owner('transfer-own')) ?? null); // a re-mount (a language switch) finds the run again
  return { update, dispose: () => { zoo.dispose(); v.unsubscribe(); } };
}

// The view's outputs: progress, status and message, and the results (shown once a run exists; before that the
// charts would be empty boxes): the summary, the curve and its table, the layer change, the export.
function ownOutputs(plan) {
  const summary = el('p', { class: 'summary', 'data-summary': 'own' });
  const curves = el('canvas', { 'data-chart': 'transfer-own', role: 'img', 'aria-label': t('transfer.own.curves') });
  const table = dataTable('transfer-own', 'transfer.own.table', [['step', 'train.col.step'], ['val_acc', 'train.col.val_acc'], ['val_loss', 'train.col.val_loss']]);
  const change = layerChangePart();
  const exportBox = el('div', { class: 'export', 'data-export': '', hidden: true });
  const results = el('div', { hidden: true }, summary,
    el('figure', { class: 'chart' }, curves, el('figcaption', {}, t('transfer.own.curves'), ' ', t('transfer.every', { n: plan.eval_every }))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), table.table),
    change.figure,
    change.table,
    exportBox);
  return {
    progress: el('progress', { max: 1, value: 0, 'aria-label': t('transfer.progress') }),
    status: el('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    message: el('p', { class: 'field-error', role: 'alert', 'data-message': '' }),
    summary, curves, table, change, exportBox, results,
  };
}

// The view follows run r (or none): redraws when it reports; the export of an earlier run goes.
function followRun(v, r) {
  v.unsubscribe();
  v.run = r;
  v.unsubscribe = r ? r.subscribe(() => v.refresh()) : () => {};
  v.exportBox.hidden = true;
  v.exportBox.replaceChildren();
}

// The whole view from its run: state, progress, the curve, the summary, the layer change, the export once done.
function refreshOwn(v) {
  const { wasm, run } = v;
  if (!v.shown) return; // the zoo model is not loaded yet: the panel is still busy (aria-busy stays true)
  const state = run ? stateOf(run) : 'idle';
  v.section.dataset.runState = state;
  v.section.setAttribute('aria-busy', 'false');
  v.train.disabled = state === 'running';
  v.results.hidden = !run;
  const curve = run?.state === 'done' ? run.result.curves[0] : (run?.items ?? []);
  v.table.setRows(curve.map((p) => [String(p.step), plain(p.val_acc), plain(p.val_loss)]));
  if (curve.length) drawValCurves(wasm, v.curves, [{ name: t(`transfer.strategy.${run.config.strategy}`), rows: curve }], run.config.steps);
  const w = run?.work;
  v.progress.value = run?.state === 'done' ? 1 : w?.total ? w.done / w.total : 0;
  v.status.textContent = run && run.state !== 'done' ? speedText(run) : ''; // once done, the summary says it all (no "time left")
  showRunError(v.message, run?.state === 'error' ? run : null);
  const result = run?.state === 'done' ? run.result : null;
  v.summary.textContent = result ? t('transfer.own.done', { acc: pct(result.finals[0]), steps: result.steps, cost: costText(result, result.msPerStep) }) : '';
  v.change.show(result?.layerChange ?? []);
  if (result?.weights && v.exportBox.hidden) showExport(v, result);
}

// The fine-tuned model as the Train panel offers it: the weights (safetensors, PyTorch's names) and the code that
// loads them and repeats the input pipeline.
function showExport(v, result) {
  const code = codeBlock('PyTorch');
  code.wrap.dataset.code = 'pytorch';
  code.code.textContent = result.code;
  v.exportBox.replaceChildren(
    el('h3', {}, t('transfer.own.export')),
    el('div', { class: 'run-buttons' },
      el('button', { type: 'button', 'data-action': 'download-weights', onclick: () => downloadFile(result.weights, WEIGHTS_FILE) }, t('transfer.own.download_weights')),
      el('button', { type: 'button', 'data-action': 'download-code', onclick: () => downloadFile(result.code, 'model.py', 'text/x-python') }, t('transfer.own.download_code')),
      scriptButton(v.wasm, () => ({ kind: 'transfer', settings: v.run.config }), 'transfer-own')),
    el('p', { class: 'field-help' }, t('transfer.own.code', { file: WEIGHTS_FILE })),
    code.wrap);
  v.exportBox.hidden = false;
}

// Checks the buckets and the settings, then opens the run and starts it.
function startRun(v) {
  const { wasm, plan, ctx, editor } = v;
  if (!editor.check()) return;
  if (!v.shown?.zoo) return;
  const { s, zoo: zooModel } = v.shown;
  const buckets = editor.buckets();
  let config;
  try {
    const data = bucketData(buckets, zooModel.entry.input);
    config = cellConfig(wasm, { ...s, repeats: 1 }, zooModel, { strategy: s.strategy, data, steps: smallSteps(plan), classes: buckets.length, layerChange: s.strategy !== 'scratch', keep: WEIGHTS_FILE });
    checkCell(wasm, config);
    new wasm.Dataset(data).free(); // the core's limits on the images (empty or small classes, too many images)
  } catch (e) {
    if (namesSetting(e, s)) ctx.reject(e);
    else { editor.message.dataset.message = 'buckets'; editor.message.textContent = errorText(e); }
    return;
  }
  const key = `own|${SETTINGS.map((n) => s[n]).join('|')}|${editor.serial()}`;
  const [r] = showCells(ctx, [{ id: 'own', config }], key);
  followRun(v, r);
  r.resume();
  v.refresh();
}
