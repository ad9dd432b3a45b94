// The own-classes view (experiment=own): 2–5 buckets, each a class of the person's own, filled by uploading or
// dropping image files or by drawing on a canvas; every image is cut to its centre square and resized to the zoo
// model's input, then a cell (the chosen strategy, one run) trains on them in a worker. The images never enter the
// URL; they stay for as long as the page is open. Afterwards: the validation curve, which layers moved, and the
// fine-tuned model as safetensors with its PyTorch code.

import { t } from '../../i18n/index.js';
import { scriptButton } from '../../ui/script-download.js';
import { controlSet } from '../../url/controls.js';
import { codeBlock, dataTable, downloadFile, el, perFrame, plain } from '../../ui/dom.js';
import { errorText, runs, speedText } from '../../compute/runs.js';
import { decodeImage } from '../../ui/image-file.js';
import {
  cellConfig, checkCell, costText, usesFtLr, drawLayerChange, drawValCurves, showZoo, pct, planOf, showCells, stateOf, viewLinks,
} from './shared.js';

export const SETTINGS = ['zoo', 'strategy', 'k', 'ft_lr', 'seed', 'bn_stats'];
// The page's own limits: how many buckets, how many images a bucket takes (decoding stays bounded). The core checks
// the rest (Dataset source 'images': a class too small for a split, classes too unbalanced) and names the class.
export const LIMITS = { buckets: [2, 5], perBucket: 50 };
const STORE = 64; // images are kept as STORE×STORE RGBA and resized to the model's input when training starts
const DECODE_SIDE = 256;
const DRAW = 140;
const WEIGHTS_FILE = 'model.safetensors';
// A person's few images train for the plan's budget of a small target.
const smallSteps = (plan) => plan.quadrants.find((q) => q.size === 'small').steps;

// The buckets outlive re-mounts (a language switch): { id, name, images: [{ rgba, thumb }] }.
let buckets = null;
let serial = 0; // changes whenever a bucket's content does, so a run's key tells two sets apart
let nextId = 0;
const newBucket = (name) => ({ id: ++nextId, name, images: [] });

// The centre square of any drawable, as STORE×STORE RGBA.
function square(source, width, height) {
  const side = Math.min(width, height);
  const canvas = new OffscreenCanvas(STORE, STORE);
  const g = canvas.getContext('2d');
  g.drawImage(source, (width - side) / 2, (height - side) / 2, side, side, 0, 0, STORE, STORE);
  return g.getImageData(0, 0, STORE, STORE);
}

// The buckets' images at the model's input [C, H, W] as a Dataset config (N×C×H×W in [0, 1]; one channel is the
// luminance).
export function bucketData(list, [channels, height, width]) {
  const n = list.reduce((a, b) => a + b.images.length, 0);
  const images = new Float32Array(n * channels * height * width);
  const labels = new Uint32Array(n);
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d');
  const from = new OffscreenCanvas(STORE, STORE);
  const plane = height * width;
  let i = 0;
  list.forEach((b, label) => {
    for (const img of b.images) {
      from.getContext('2d').putImageData(img.rgba, 0, 0);
      g.clearRect(0, 0, width, height);
      g.drawImage(from, 0, 0, STORE, STORE, 0, 0, width, height);
      const px = g.getImageData(0, 0, width, height).data;
      const base = i * channels * plane;
      for (let p = 0; p < plane; p++) {
        const [r, gg, bb] = [px[4 * p] / 255, px[4 * p + 1] / 255, px[4 * p + 2] / 255];
        if (channels === 1) images[base + p] = 0.299 * r + 0.587 * gg + 0.114 * bb;
        else [r, gg, bb].slice(0, channels).forEach((v, c) => { images[base + c * plane + p] = v; });
      }
      labels[i++] = label;
    }
  });
  return { source: 'images', images, labels, channels, height, width, classes: list.length };
}

// What is wrong with the buckets before training, as [{ bucket (index or null), key, args }]; empty when fine.
export function bucketProblems(list) {
  const problems = [];
  const [minB, maxB] = LIMITS.buckets;
  if (list.length < minB || list.length > maxB) problems.push({ bucket: null, key: 'transfer.own.count', args: { min: minB, max: maxB, n: list.length } });
  list.forEach((b, i) => {
    if (!b.images.length) problems.push({ bucket: i, key: 'transfer.own.empty', args: { name: b.name } });
  });
  return problems;
}

export function ownView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  buckets ??= [newBucket(t('transfer.own.default_name', { n: 1 })), newBucket(t('transfer.own.default_name', { n: 2 }))];
  const controls = controlSet(ctx);
  const zoo = controls.enumField('zoo', 'transfer.zoo', (v) => t(`transfer.zoo.${v}`));
  const strategy = controls.enumField('strategy', 'transfer.strategy', (v) => t(`transfer.strategy.${v}`));
  const k = controls.numberField('k', 'transfer.k', 1, 'transfer.k.help');
  const ftLr = controls.numberField('ft_lr', 'transfer.ft_lr', 'any', 'transfer.ft_lr.help');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const bnStats = controls.enumField('bn_stats', 'transfer.bn_stats', (v) => t(`transfer.bn_stats.${v}`));
  const zooInfo = el('p', { class: 'field-help', 'data-zoo-info': '' });
  const costInfo = el('p', { class: 'field-help', 'data-cost': '' });
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() }, zoo.wrap, zooInfo, strategy.wrap, k.wrap, ftLr.wrap, seed.wrap, bnStats.wrap, costInfo);

  const bucketList = el('div', { class: 'buckets' });
  const addBucket = el('button', { type: 'button', 'data-action': 'add-bucket', onclick: () => { buckets.push(newBucket(t('transfer.own.default_name', { n: buckets.length + 1 }))); changed(); } }, t('transfer.own.add'));
  const bucketMessage = el('p', { class: 'field-error', role: 'alert', 'data-message': '' });
  const train = el('button', { type: 'button', 'data-action': 'start', onclick: start }, t('transfer.own.train'));
  const reset = el('button', { type: 'button', 'data-action': 'reset-run', onclick: () => { run?.close(); follow(null); refresh(); } }, t('train.action.reset-run'));
  const progress = el('progress', { max: 1, value: 0, 'aria-label': t('transfer.progress') });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const message = el('p', { class: 'field-error', role: 'alert', 'data-message': '' });
  const summary = el('p', { class: 'summary', 'data-summary': 'own' });
  const curves = el('canvas', { 'data-chart': 'transfer-own', role: 'img', 'aria-label': t('transfer.own.curves') });
  const table = dataTable('transfer-own', 'transfer.own.table', [['step', 'train.col.step'], ['val_acc', 'train.col.val_acc'], ['val_loss', 'train.col.val_loss']]);
  const changeCanvas = el('canvas', { 'data-chart': 'transfer-layer-change', role: 'img', 'aria-label': t('transfer.layer_change') });
  const changeTable = dataTable('transfer-layer-change', 'transfer.layer_change.table', [['layer', 'transfer.col.layer'], ['rel_change', 'transfer.col.rel_change']]);
  const exportBox = el('div', { class: 'export', 'data-export': '', hidden: true });
  // Shown once a run exists (before that the charts would be empty boxes).
  const results = el('div', { hidden: true }, summary,
    el('figure', { class: 'chart' }, curves, el('figcaption', {}, t('transfer.own.curves'), ' ', t('transfer.every', { n: plan.eval_every }))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), table.table),
    el('figure', { class: 'chart' }, changeCanvas, el('figcaption', {}, t('transfer.layer_change'))),
    changeTable.table,
    exportBox);

  section.append(
    el('h2', {}, t('transfer.experiment.own')),
    el('p', { class: 'intro' }, t('transfer.own.intro', { min: LIMITS.buckets[0], max: LIMITS.buckets[1], per: LIMITS.perBucket })),
    viewLinks(ctx, 'own'),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        bucketList, el('div', { class: 'run-buttons' }, addBucket, train, reset), bucketMessage,
        progress, status, message, results)));

  // One box per bucket: its name, its thumbnails, a file picker and drop zone, and a canvas to draw on.
  function renderBuckets() {
    bucketList.replaceChildren(...buckets.map((b, i) => {
      const error = el('p', { class: 'field-error', role: 'alert', 'data-bucket-error': '' });
      const name = el('input', { type: 'text', value: b.name, maxlength: 40, 'aria-label': t('transfer.own.name'), spellcheck: 'false' });
      name.addEventListener('change', () => { b.name = name.value.slice(0, 40); });
      const files = el('input', { type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/webp,image/gif,image/*', 'aria-label': t('transfer.own.files', { name: b.name }) });
      files.addEventListener('change', () => { addFiles(b, [...files.files], error); files.value = ''; });
      const thumbs = el('div', { class: 'thumbs' }, b.images.map((img) => {
        const c = el('canvas', { width: STORE, height: STORE, class: 'thumb' });
        c.getContext('2d').putImageData(img.rgba, 0, 0);
        return c;
      }));
      const pad = drawPad(b, error);
      const box = el('div', { class: 'bucket drop', 'data-bucket': i },
        el('div', { class: 'bucket-head' }, name, el('span', { class: 'count' }, t('transfer.own.count_images', { n: b.images.length, max: LIMITS.perBucket })),
          buckets.length > LIMITS.buckets[0] ? el('button', { type: 'button', 'data-action': 'remove-bucket', onclick: () => { buckets.splice(i, 1); changed(); } }, t('transfer.own.remove')) : null,
          b.images.length ? el('button', { type: 'button', 'data-action': 'clear-bucket', onclick: () => { b.images = []; changed(); } }, t('transfer.own.clear')) : null),
        el('span', {}, t('transfer.own.drop')), files, pad, thumbs, error);
      box.addEventListener('dragover', (e) => { e.preventDefault(); box.classList.add('over'); });
      box.addEventListener('dragleave', () => box.classList.remove('over'));
      box.addEventListener('drop', (e) => { e.preventDefault(); box.classList.remove('over'); addFiles(b, [...e.dataTransfer.files], error); });
      return box;
    }));
    addBucket.disabled = buckets.length >= LIMITS.buckets[1];
  }

  // A canvas to draw a symbol with the pointer (light ink on black, like the zoo's source images), added as an image.
  function drawPad(b, error) {
    const canvas = el('canvas', { width: DRAW, height: DRAW, class: 'pad', 'data-pad': '', 'aria-label': t('transfer.own.pad') });
    const g = canvas.getContext('2d');
    const clear = () => { g.fillStyle = '#000'; g.fillRect(0, 0, DRAW, DRAW); };
    clear();
    let last = null;
    const at = (e) => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * DRAW) / r.width, ((e.clientY - r.top) * DRAW) / r.height];
    };
    canvas.addEventListener('pointerdown', (e) => { canvas.setPointerCapture(e.pointerId); last = at(e); });
    canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      const p = at(e);
      Object.assign(g, { strokeStyle: '#fff', lineWidth: DRAW / 12, lineCap: 'round', lineJoin: 'round' });
      g.beginPath();
      g.moveTo(...last);
      g.lineTo(...p);
      g.stroke();
      last = p;
    });
    for (const type of ['pointerup', 'pointercancel']) canvas.addEventListener(type, () => { last = null; });
    const add = el('button', { type: 'button', 'data-action': 'add-drawing', onclick: () => {
      if (!roomFor(b, 1, error)) return;
      b.images.push({ rgba: square(canvas, DRAW, DRAW) });
      clear();
      changed();
    } }, t('transfer.own.add_drawing'));
    const wipe = el('button', { type: 'button', onclick: clear }, t('transfer.own.wipe'));
    return el('div', { class: 'pad-wrap' }, canvas, el('div', {}, add, wipe));
  }

  function roomFor(b, n, error) {
    if (b.images.length + n <= LIMITS.perBucket) return true;
    error.textContent = t('transfer.own.full', { name: b.name, max: LIMITS.perBucket });
    return false;
  }

  // Adds what can be read; every file that cannot (not an image, too large, beyond the limit) is named in the
  // bucket's message, and the images already there stay.
  async function addFiles(b, list, error) {
    const refused = [];
    const room = LIMITS.perBucket - b.images.length;
    if (list.length > room) refused.push(t('transfer.own.full', { name: b.name, max: LIMITS.perBucket }));
    for (const file of list.slice(0, Math.max(0, room))) {
      try {
        const img = await decodeImage(file, DECODE_SIDE);
        const canvas = new OffscreenCanvas(img.width, img.height);
        canvas.getContext('2d').putImageData(new ImageData(img.rgba, img.width, img.height), 0, 0);
        b.images.push({ rgba: square(canvas, img.width, img.height) });
      } catch (e) {
        refused.push(e.message);
      }
    }
    changed();
    const box = bucketList.querySelector(`[data-bucket="${buckets.indexOf(b)}"] [data-bucket-error]`);
    if (box) box.textContent = refused.join(' ');
    else error.textContent = refused.join(' ');
  }

  function changed() {
    serial++;
    renderBuckets();
    bucketMessage.textContent = '';
  }

  let run = null;
  let unsubscribe = () => {};
  let shown = null; // { s, zoo } the settings the view was updated with

  function follow(r) {
    unsubscribe();
    run = r;
    unsubscribe = r ? r.subscribe(() => refresh()) : () => {};
    exportBox.hidden = true;
    exportBox.replaceChildren();
  }

  const refresh = perFrame(() => {
    if (!shown) return; // the zoo model is not loaded yet: the panel is still busy (aria-busy stays true)
    const state = run ? stateOf(run) : 'idle';
    section.dataset.runState = state;
    section.setAttribute('aria-busy', 'false');
    train.disabled = state === 'running';
    results.hidden = !run;
    const curve = run?.state === 'done' ? run.result.curves[0] : (run?.items ?? []);
    table.setRows(curve.map((p) => [String(p.step), plain(p.val_acc), plain(p.val_loss)]));
    if (curve.length) drawValCurves(wasm, curves, [{ name: t(`transfer.strategy.${run.config.strategy}`), rows: curve }], run.config.steps);
    const w = run?.work;
    progress.value = run?.state === 'done' ? 1 : w?.total ? w.done / w.total : 0;
    status.textContent = run ? speedText(run) : '';
    message.textContent = run?.state === 'error' ? errorText(run.error) : message.dataset.message === 'zoo' ? message.textContent : '';
    const result = run?.state === 'done' ? run.result : null;
    summary.textContent = result ? t('transfer.own.done', { acc: pct(result.finals[0]), steps: result.steps, cost: costText(result, result.msPerStep) }) : '';
    const change = result?.layerChange ?? [];
    changeTable.setRows(change.map((r) => [r.name, plain(r.rel_change)]));
    drawLayerChange(changeCanvas, change);
    if (result?.weights && exportBox.hidden) showExport(result);
  });
  new ResizeObserver(() => refresh()).observe(curves);

  // The fine-tuned model as the Train panel offers it: the weights (safetensors, PyTorch's names) and the code that
  // loads them and repeats the input pipeline.
  function showExport(result) {
    const code = codeBlock('PyTorch');
    code.wrap.dataset.code = 'pytorch';
    code.code.textContent = result.code;
    exportBox.replaceChildren(
      el('h3', {}, t('transfer.own.export')),
      el('div', { class: 'run-buttons' },
        el('button', { type: 'button', 'data-action': 'download-weights', onclick: () => downloadFile(result.weights, WEIGHTS_FILE) }, t('transfer.own.download_weights')),
        el('button', { type: 'button', 'data-action': 'download-code', onclick: () => downloadFile(result.code, 'model.py', 'text/x-python') }, t('transfer.own.download_code')),
        scriptButton(wasm, () => ({ kind: 'transfer', settings: run.config }), 'transfer-own')),
      el('p', { class: 'field-help' }, t('transfer.own.code', { file: WEIGHTS_FILE })),
      code.wrap);
    exportBox.hidden = false;
  }

  // Checks the buckets and the settings, then opens the run and starts it.
  async function start() {
    bucketMessage.textContent = '';
    const problems = bucketProblems(buckets);
    for (const box of bucketList.querySelectorAll('[data-bucket-error]')) box.textContent = '';
    if (problems.length) {
      for (const p of problems) {
        const box = p.bucket === null ? null : bucketList.querySelector(`[data-bucket="${p.bucket}"] [data-bucket-error]`);
        if (box) box.textContent = t(p.key, p.args);
        else bucketMessage.textContent = `${bucketMessage.textContent} ${t(p.key, p.args)}`.trim();
      }
      bucketMessage.dataset.message = 'buckets';
      return;
    }
    if (!shown?.zoo) return;
    const { s, zoo: zooModel } = shown;
    let config;
    try {
      const data = bucketData(buckets, zooModel.entry.input);
      config = cellConfig(wasm, { ...s, repeats: 1 }, zooModel, { strategy: s.strategy, data, steps: smallSteps(plan), classes: buckets.length, layerChange: s.strategy !== 'scratch', keep: WEIGHTS_FILE });
      checkCell(wasm, config);
      new wasm.Dataset(data).free(); // the core's limits on the images (empty or small classes, too many images)
    } catch (e) {
      if (e?.param && e.param in s) ctx.reject(e);
      else { bucketMessage.dataset.message = 'buckets'; bucketMessage.textContent = errorText(e); }
      return;
    }
    const key = `own|${SETTINGS.map((n) => s[n]).join('|')}|${serial}`;
    const [r] = showCells(ctx, [{ id: 'own', config }], key);
    follow(r);
    r.resume();
    refresh();
  }

  let token = 0;
  async function update(s) {
    controls.sync(s);
    k.wrap.hidden = s.strategy !== 'freeze_k';
    ftLr.wrap.hidden = !usesFtLr(plan, s.strategy);
    const mine = ++token;
    const zooModel = await showZoo(wasm, s.zoo, { zoo, zooInfo, message, section }, () => mine === token);
    if (!zooModel) {
      if (mine === token) shown = null; // the file failed: nothing to train from
      return;
    }
    try {
      const cost = checkCell(wasm, cellConfig(wasm, { ...s, repeats: 1 }, zooModel, { strategy: s.strategy, data: null, steps: smallSteps(plan), classes: buckets.length }));
      costInfo.textContent = costText(cost);
    } catch (e) {
      if (e?.param && e.param in s) { ctx.reject(e); return; }
      message.textContent = errorText(e);
    }
    shown = { s, zoo: zooModel };
    refresh();
  }

  renderBuckets();
  follow(runs.current(ctx.owner('transfer-own')) ?? null); // a re-mount (a language switch) finds the run again
  return { update, dispose: () => { token++; unsubscribe(); } };
}
