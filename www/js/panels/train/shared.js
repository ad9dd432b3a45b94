// What the Train panel's single view (train.js) and its comparisons (compare.js) share: the settings that
// define a run, the digits' bytes, checking settings with the core, the curve table's columns and drawing the curves.
// Both import it; neither imports the other's module back.

import { t } from '../../i18n/index.js';
import { fitCanvas, plain } from '../../ui/dom.js';
import { TARGET_ACC, curveFacts, curveRows } from './facts.js';

export { TARGET_ACC, curveFacts, curveRows };

export const SETTINGS = ['data', 'per_class', 'model', 'init', 'mode', 'nonlinearity', 'slope', 'dist', 'std', 'a',
  'opt', 'lr', 'momentum', 'wd', 'bs', 'epochs', 'aug', 'seed', 'example'];

// The digits' bytes, fetched once per page and handed to every run (the worker copies them).
let digitsBytes = null;
export function digits() {
  digitsBytes ??= fetch(new URL('../../../data/digits.bin', import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`data/digits.bin: HTTP ${r.status}`);
    return r.arrayBuffer();
  }).then((b) => new Uint8Array(b));
  return digitsBytes;
}

export const settingsKey = (s) => SETTINGS.map((k) => s[k]).join('|');
export const runSettings = (s) => Object.fromEntries(SETTINGS.map((k) => [k, s[k]]));
export const runConfig = (s, bytes) => ({ ...runSettings(s), bytes });

// Checks the settings with the core on the main thread as opening the run would (the spec against its input, the
// optimizer, the data), without a run: throws the core's error, whose .param is the URL parameter at fault.
// Returns { trainLen, valLen, params, code } (code: the PyTorch code that loads WEIGHTS_FILE).
export function checkSettings(wasm, s, bytes) {
  return wasm.check_settings('train', runSettings(s), bytes);
}

// A run's state as the page shows it (data-run-state): a run paused before its first step is idle, a finished run
// that diverged is diverged.
export function runState(r) {
  if (r.state === 'paused') return r.steps === 0 ? 'idle' : 'paused';
  if (r.state === 'done') return r.result?.diverged ? 'diverged' : 'done';
  return r.state;
}

// How often the live curves measure, and on how many images per part (the core's run: src/run/train.rs).
// Read once: core_catalog() builds the whole catalog object, and the comparisons ask on every redraw.
let trainRun = null;
export const measuring = (wasm) => (trainRun ??= wasm.core_catalog().train_run);

// A fraction as a percentage with one decimal (accuracies in the Train panel's sentences).
export const pct = (x) => `${(100 * x).toFixed(1)} %`;
export const factsText = (f) => t('train.facts', {
  gap: (100 * f.gap).toFixed(1), best: pct(f.best), step: f.bestStep,
  target: f.toTarget === null ? t('train.facts.not_reached', { target: pct(TARGET_ACC) }) : t('train.facts.reached', { target: pct(TARGET_ACC), step: f.toTarget }),
});

export function curveColumns(withRun = false) {
  return [...(withRun ? [['run', 'train.col.run']] : []), ['step', 'train.col.step'], ['train_loss', 'train.col.train_loss'],
    ['train_acc', 'train.col.train_acc'], ['val_loss', 'train.col.val_loss'], ['val_acc', 'train.col.val_acc']];
}
export const rowCells = (r) => [String(r.step), plain(r.train_loss), plain(r.train_acc), plain(r.val_loss), plain(r.val_acc)];

// Draws one or more runs' curves on a canvas (series = [{ name, rows }]); `xWord` names the x axis (rows' `step`).
export function drawCurves(wasm, canvas, series, lastStep = 0, options = undefined, xWord = t('train.word.step')) {
  const all = series.flatMap((s) => s.rows);
  const col = (k) => Float64Array.from(all, (r) => r[k]);
  wasm.draw_train_curves(canvas, {
    lastStep, lengths: Uint32Array.from(series, (s) => s.rows.length), steps: col('step'), train_loss: col('train_loss'),
    train_acc: col('train_acc'), val_loss: col('val_loss'), val_acc: col('val_acc'), names: series.map((s) => s.name),
    words: [xWord, ...['loss', 'accuracy', 'training', 'validation'].map((w) => t(`train.word.${w}`))], ratio: fitCanvas(canvas), options,
  });
}

// RGBA tiles at their own pixel size, scaled up by CSS.
export function putImages(canvas, rgba, tiles, h, w, columns, zoom = 3) {
  const width = Math.min(columns, tiles) * (w + 1) - 1;
  const height = Math.ceil(tiles / columns) * (h + 1) - 1;
  if (!rgba.length || width <= 0) return;
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * zoom}px`;
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height), 0, 0);
}
