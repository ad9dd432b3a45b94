// The drawing pad inside the Train panel: a person draws a digit (mouse, touch, pen; Undo, Clear, Ctrl+Z) and a model
// predicts it at every change, at most once per animation frame, in a worker (compute/jobs.js kind 'draw', the core's
// DrawModel: src/draw.rs turns the strokes into the 8×8 counts the UCI digits are made of, then the model's own
// preprocessing). The model is the Train panel's run once it has trained on the digits (its weights, refreshed when
// it moves on), else the shipped digits model (www/data/digits-model.safetensors, `make digits-model`). Keyboard and
// screen-reader users pick a validation image instead and get the same outputs: the ten probabilities (bars and a
// table), the top class, the 8×8 the net sees (and its table) and every layer's activation maps; the picked image
// shows on the pad as its 8×8. Before anything is drawn or picked the pad shows its guide ("Draw a digit here") and the
// outputs their empty state (outputs.js).

import { t } from '../../i18n/index.js';
import { coreMessage, el, perFrame } from '../../ui/dom.js';
import { errorText, runs } from '../../compute/runs.js';
import { digits } from '../train/shared.js';
import { predictionOutputs } from './outputs.js';

const SHIPPED_URL = new URL('../../../data/digits-model.safetensors', import.meta.url);
let shippedBytes = null;
function shipped() {
  shippedBytes ??= fetch(SHIPPED_URL).then((r) => {
    if (!r.ok) throw new Error(`data/digits-model.safetensors: HTTP ${r.status}`);
    return r.arrayBuffer();
  }).then((b) => new Uint8Array(b));
  return shippedBytes;
}

let pads = 0; // element ids unique per page (a page may hold several apps)
const PAD_SIDE = 240; // CSS pixels; the strokes' units do not matter (the core normalizes the drawing)
const INK = 16; // the pen's width on screen, CSS pixels

// getRun() → the Train panel's run (or null). Returns { wrap, refresh(), dispose() }. The pad's parts share one object
// `pad`: its elements (padElements), the drawing (strokes, drawing, example), the model in use and the prediction in
// flight.
export function drawPad(ctx, getRun) {
  const pad = {
    ctx, wasm: ctx.wasm, owner: ctx.owner('draw'), getRun, id: `draw-${++pads}`,
    strokes: [], // each a plain array x0, y0, x1, y1, … in CSS pixels
    drawing: null, // the stroke under the pointer
    example: null, // the picked validation image (an index into the validation list), when not drawing
    pickedDigit: null, // that image's 8×8, shown on the pad once predicted
    disposed: false,
    model: null, // { key, run, steps, about }
    // Predicting: one request in flight, the latest wins.
    busy: false,
    again: false,
    updates: 0, // predictions shown so far
    stamp: 0, // changes with every drawing change, so a late answer for an older drawing is not shown over a newer
  };
  pad.request = perFrame(() => predict(pad));
  Object.assign(pad, padElements(pad));
  listen(pad);
  paint(pad);
  showEmpty(pad);
  ensureModel(pad).catch((e) => showError(pad, e));

  return {
    wrap: pad.wrap,
    // Predicts again (the run moved on), unless nothing is drawn or picked.
    refresh() {
      if (query(pad)) pad.request();
    },
    // The 'draw' session stays in the registry, so a re-mounted pad (a language switch) finds it again; another
    // model's replaces it (runs.show), and an element's are closed with the element.
    dispose() {
      pad.disposed = true;
    },
  };
}

// The pad's elements: the canvas, Undo and Clear, the validation-image picker, the lines about the model and the
// state, the prediction's outputs, and the section holding them.
function padElements(pad) {
  const { id } = pad;
  const canvas = el('canvas', {
    class: 'draw-pad', tabindex: '0', role: 'img', 'data-chart': 'draw-pad', 'aria-label': t('draw.pad.label'),
  });
  Object.assign(canvas.style, {
    width: `${PAD_SIDE}px`, height: `${PAD_SIDE}px`, maxWidth: '100%', aspectRatio: '1', touchAction: 'none',
    border: '2px solid currentColor', borderRadius: '6px', background: '#fff', cursor: 'crosshair',
  });
  // The guide on the empty pad, above the canvas (the pointer passes through it); hidden at the first stroke. The
  // canvas's label says the same to a screen reader.
  const guide = el('span', { class: 'draw-guide', 'data-guide': 'draw', 'aria-hidden': 'true' }, t('draw.pad.guide'));
  const padBox = el('div', { class: 'draw-pad-box' }, canvas, guide);
  const undo = el('button', { type: 'button', 'data-action': 'draw-undo', onclick: () => undoStroke(pad) }, t('draw.undo'));
  const clear = el('button', { type: 'button', 'data-action': 'draw-clear', onclick: () => clearAll(pad) }, t('draw.clear'));
  const picker = el('select', { 'data-control': 'draw-example', 'aria-describedby': `${id}-help` },
    el('option', { value: '' }, t('draw.example.none')));
  const pickerField = el('div', { class: 'field' },
    el('label', {}, t('draw.example'), ' ', picker),
    el('p', { class: 'field-help', id: `${id}-help` }, t('draw.example.help')));
  const source = el('p', { class: 'field-help', 'data-draw-source': '' });
  const empty = el('p', { class: 'empty-state', 'data-empty': 'draw' }, t('draw.empty'));
  const error = el('p', { class: 'field-error', role: 'alert', 'data-error': 'drawing' });
  const out = predictionOutputs(pad.wasm);
  const wrap = el('section', { class: 'draw', 'data-draw': '', 'aria-labelledby': `${id}-title`, 'aria-busy': 'false' },
    el('h3', { id: `${id}-title` }, t('draw.title')),
    el('p', { class: 'intro' }, t('draw.intro')),
    // The pad and its controls beside the prediction (below it where the two do not fit side by side), so the
    // bars change in sight of the hand that draws.
    el('div', { class: 'draw-stage' },
      el('div', { class: 'draw-input' }, padBox, el('div', { class: 'run-buttons' }, undo, clear), empty, error, pickerField, source),
      out.element));
  return { canvas, guide, ctx2d: canvas.getContext('2d'), undo, clear, picker, source, empty, error, out, wrap };
}

// The person's input: picking a validation image, Ctrl+Z, and drawing with a pointer (mouse, touch, pen).
function listen(pad) {
  const { canvas, picker, wrap } = pad;
  picker.addEventListener('change', () => {
    pad.example = picker.value === '' ? null : Number(picker.value);
    pad.pickedDigit = null; // until this image is predicted
    if (pad.example !== null) pad.strokes = [];
    paint(pad);
    pad.request();
  });
  wrap.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && e.target.tagName !== 'SELECT') {
      e.preventDefault();
      undoStroke(pad);
    }
  });
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.preventDefault();
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // a pointer the browser does not know (a synthetic event): the pad still follows it while it stays inside
    }
    pad.drawing = at(e);
    pad.example = null;
    picker.value = '';
    paint(pad);
    pad.request();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!pad.drawing) return;
    const events = e.getCoalescedEvents?.() ?? [e];
    for (const ev of events.length ? events : [e]) pad.drawing.push(...at(ev));
    paint(pad);
    pad.request();
  });
  const finish = () => {
    if (!pad.drawing) return;
    pad.strokes.push(pad.drawing);
    pad.drawing = null;
    paint(pad);
    pad.request();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
}

// ---------------------------------------------------------------- drawing
// The strokes (and the one under the pointer) at the screen's pixel density; Undo and Clear enabled when they can act.
function paint(pad) {
  const { canvas, ctx2d, strokes, drawing } = pad;
  const ratio = window.devicePixelRatio || 1;
  const side = Math.round(PAD_SIDE * ratio);
  if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
  const scale = side / (canvas.getBoundingClientRect().width || PAD_SIDE);
  ctx2d.setTransform(scale, 0, 0, scale, 0, 0);
  ctx2d.clearRect(0, 0, side, side);
  ctx2d.strokeStyle = '#111';
  ctx2d.fillStyle = '#111';
  ctx2d.lineWidth = INK;
  ctx2d.lineCap = 'round';
  ctx2d.lineJoin = 'round';
  for (const s of drawing ? [...strokes, drawing] : strokes) {
    if (s.length === 2) {
      ctx2d.beginPath();
      ctx2d.arc(s[0], s[1], INK / 2, 0, 2 * Math.PI);
      ctx2d.fill();
      continue;
    }
    ctx2d.beginPath();
    ctx2d.moveTo(s[0], s[1]);
    for (let i = 2; i < s.length; i += 2) ctx2d.lineTo(s[i], s[i + 1]);
    ctx2d.stroke();
  }
  // A picked validation image shows on the pad as its 8×8 (ink per block as the count, 0 … 16), so the pad never
  // offers "draw here" beside another image's prediction.
  const picked = pad.example !== null ? pad.pickedDigit : null;
  if (picked) {
    const cell = (canvas.getBoundingClientRect().width || PAD_SIDE) / 8;
    for (let k = 0; k < 64; k++) {
      if (!picked[k]) continue;
      ctx2d.fillStyle = `rgba(17, 17, 17, ${(picked[k] / 16).toFixed(3)})`;
      ctx2d.fillRect((k % 8) * cell, Math.floor(k / 8) * cell, cell, cell);
    }
  }
  pad.guide.hidden = Boolean(strokes.length || drawing || pad.example !== null);
  pad.undo.disabled = !strokes.length;
  pad.clear.disabled = !strokes.length && pad.example === null;
}

function undoStroke(pad) {
  if (!pad.strokes.length) return;
  pad.strokes.pop();
  paint(pad);
  pad.request();
}

function clearAll(pad) {
  pad.strokes = [];
  pad.drawing = null;
  pad.example = null;
  pad.picker.value = '';
  paint(pad);
  pad.request();
}

// ---------------------------------------------------------------- the model
// Which model predicts: the run's once it has trained on the digits, else the shipped one.
function modelSource(ctx, getRun) {
  const r = getRun();
  const s = ctx.state;
  if (r && s.data === 'digits') {
    if (r.state === 'done' && r.result?.weights) return { key: `run-${r.id}-done`, model: s.model, steps: null, weights: async () => r.result.weights };
    const step = r.items.at(-1)?.step ?? 0;
    if (r.live && step > 0) return { key: `run-${r.id}`, model: s.model, steps: step, weights: async () => (await r.snapshot()).weights };
  }
  return { key: 'shipped', model: undefined, steps: null, weights: shipped };
}

// The model in use as a 'draw' session: kept while its source stays (loaded with newer weights when the run moved
// on), else opened (or found again, by a re-mounted pad) for the new source.
async function ensureModel(pad) {
  const { owner } = pad;
  const want = modelSource(pad.ctx, pad.getRun);
  const model = pad.model;
  if (model && model.key === want.key && model.run.live) {
    if (want.steps !== null && want.steps !== model.steps) {
      model.steps = want.steps;
      await model.run.load(await want.weights());
    }
    return model;
  }
  const [weights, bytes] = await Promise.all([want.weights(), digits()]);
  const config = { weights, digits: bytes, ...(want.model ? { model: want.model } : {}) };
  const existed = runs.current(owner)?.key === want.key && runs.current(owner).live; // a re-mounted pad finds it
  const run = runs.show(owner, 'draw', want.key, config, { paused: true });
  if (existed && want.steps !== null) await run.load(weights); // the run has moved on since
  const about = await run.snapshot();
  pad.model = { key: want.key, run, steps: want.steps, about };
  fillPicker(pad.picker, about.labels);
  pad.source.textContent = want.key === 'shipped' ? t('draw.source.shipped') : want.steps === null ? t('draw.source.run_done') : t('draw.source.run', { step: want.steps });
  return pad.model;
}

// The validation images to pick from, listed once the model's data is known (the choice kept).
function fillPicker(picker, labels) {
  if (picker.options.length === labels.length + 1) return;
  const keep = picker.value;
  picker.replaceChildren(el('option', { value: '' }, t('draw.example.none')),
    ...Array.from(labels, (label, k) => el('option', { value: String(k) }, t('draw.example.option', { n: k + 1, label }))));
  picker.value = keep;
}

// What to predict: the picked image, else the strokes (null when nothing is drawn).
function query(pad) {
  const { example, strokes, drawing } = pad;
  if (example !== null) return { example };
  const all = drawing ? [...strokes, drawing] : strokes;
  if (!all.length) return null;
  return { coords: Float64Array.from(all.flat()), lengths: Uint32Array.from(all, (s) => s.length / 2) };
}

// ---------------------------------------------------------------- predicting: one request in flight, the latest wins
async function predict(pad) {
  const { wrap } = pad;
  if (pad.disposed) return;
  if (pad.busy) { pad.again = true; return; }
  const mine = ++pad.stamp;
  const q = query(pad);
  if (!q) {
    showEmpty(pad);
    // The model is still made ready, so the validation images can be listed.
    ensureModel(pad).catch((e) => showError(pad, e));
    return;
  }
  pad.busy = true;
  wrap.setAttribute('aria-busy', 'true');
  const started = performance.now();
  try {
    const m = await ensureModel(pad);
    const p = await m.run.predict(q);
    if (mine === pad.stamp && !pad.disposed) {
      pad.pickedDigit = q.example === undefined ? null : Float32Array.from(p.digit);
      if (q.example !== undefined) paint(pad);
      show(pad, p, m.about);
      // The page path of one update (bench/draw.mjs, the e2e test): the request to the worker, the core's
      // drawing → 8×8 → prediction → maps, and drawing it all here.
      wrap.dataset.updateMs = (performance.now() - started).toFixed(3);
      wrap.dataset.updates = String(++pad.updates);
    }
  } catch (e) {
    if (mine === pad.stamp && !pad.disposed) showError(pad, e);
  } finally {
    pad.busy = false;
    wrap.setAttribute('aria-busy', 'false');
    if (pad.again) { pad.again = false; pad.request(); }
  }
}

function showEmpty(pad) {
  pad.empty.hidden = false;
  pad.out.clear();
  pad.error.textContent = '';
  pad.wrap.dataset.drawState = 'empty';
}

function showError(pad, e) {
  pad.error.textContent = e?.code === 'empty_drawing' ? t('draw.empty') : e?.param === 'drawing' ? t('draw.error', { message: coreMessage(e) }) : errorText(e);
  pad.wrap.dataset.drawState = 'error';
  pad.model = null; // the session may be gone (a replaced worker): made again next time
}

function show(pad, p, about) {
  pad.empty.hidden = true;
  pad.error.textContent = '';
  pad.out.show(p, about);
  pad.wrap.dataset.drawState = 'shown';
}
