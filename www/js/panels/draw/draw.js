// The drawing pad inside the Train panel: a person draws a digit (mouse, touch, pen; Undo, Clear, Ctrl+Z) and a model
// predicts it at every change, at most once per animation frame, in a worker (compute/jobs.js kind 'draw', the core's
// DrawModel: src/draw.rs turns the strokes into the 8×8 counts the UCI digits are made of, then the model's own
// preprocessing). The model is the Train panel's run once it has trained on the digits (its weights, refreshed when
// it moves on), else the shipped digits model (www/data/digits-model.safetensors, `make digits-model`). Keyboard and
// screen-reader users pick a validation image instead and get the same outputs: the ten probabilities (bars and a
// table), the top class, the 8×8 the net sees (and its table) and every layer's activation maps.

import { t } from '../../i18n/index.js';
import { coreMessage, dataTable, el, perFrame } from '../../ui/dom.js';
import { errorText, runs } from '../../compute/runs.js';
import { digits, pct, putImages } from '../train/shared.js';
import { mapRows } from './maps.js';

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

// getRun() → the Train panel's run (or null). Returns { wrap, refresh(), dispose() }.
export function drawPad(ctx, getRun) {
  const { wasm } = ctx;
  const owner = ctx.owner('draw');
  let strokes = []; // each a plain array x0, y0, x1, y1, … in CSS pixels
  let drawing = null; // the stroke under the pointer
  let example = null; // the picked validation image (an index into the validation list), when not drawing
  let disposed = false;
  const id = `draw-${++pads}`;

  const pad = el('canvas', {
    class: 'draw-pad', tabindex: '0', role: 'img', 'data-chart': 'draw-pad', 'aria-label': t('draw.pad.label'),
  });
  Object.assign(pad.style, {
    width: `${PAD_SIDE}px`, height: `${PAD_SIDE}px`, maxWidth: '100%', aspectRatio: '1', touchAction: 'none',
    border: '2px solid currentColor', borderRadius: '6px', background: '#fff', cursor: 'crosshair',
  });
  const undo = el('button', { type: 'button', 'data-action': 'draw-undo', onclick: () => undoStroke() }, t('draw.undo'));
  const clear = el('button', { type: 'button', 'data-action': 'draw-clear', onclick: () => clearAll() }, t('draw.clear'));
  const picker = el('select', { 'data-control': 'draw-example', 'aria-describedby': `${id}-help` },
    el('option', { value: '' }, t('draw.example.none')));
  picker.addEventListener('change', () => {
    example = picker.value === '' ? null : Number(picker.value);
    if (example !== null) {
      strokes = [];
      paint();
    }
    request();
  });
  const pickerField = el('div', { class: 'field' },
    el('label', {}, t('draw.example'), ' ', picker),
    el('p', { class: 'field-help', id: `${id}-help` }, t('draw.example.help')));

  const source = el('p', { class: 'field-help', 'data-draw-source': '' });
  const empty = el('p', { class: 'empty-state', 'data-empty': 'draw' }, t('draw.empty'));
  const error = el('p', { class: 'field-error', role: 'alert', 'data-error': 'drawing' });
  const top = el('output', { class: 'draw-top', 'data-top': '', 'aria-live': 'polite' });
  Object.assign(top.style, { display: 'block', fontSize: '3rem', fontWeight: '700', lineHeight: '1.1' });
  const topText = el('p', { class: 'summary', 'data-summary': 'draw' });

  // Ten bars: the class, a bar as wide as its probability, the number.
  const barRows = Array.from({ length: 10 }, (_, k) => {
    const bar = el('span', { class: 'draw-bar' });
    Object.assign(bar.style, { display: 'inline-block', height: '0.9em', background: '#0072b2', verticalAlign: 'middle', width: '0' });
    const track = el('span', {});
    Object.assign(track.style, { display: 'inline-block', width: '10em', maxWidth: '50vw', background: '#e8e8e8', margin: '0 0.5em' });
    track.append(bar);
    const value = el('span', { class: 'draw-prob' });
    const row = el('div', { class: 'draw-prob-row', 'data-class': k }, el('span', {}, String(k)), track, value);
    return { row, bar, value };
  });
  const bars = el('div', { class: 'draw-probs', 'data-chart': 'draw-probs', role: 'group', 'aria-label': t('draw.probs') }, barRows.map((r) => r.row));
  const probTable = dataTable('draw-probs', 'draw.probs.table', [['class', 'draw.col.class'], ['probability', 'draw.col.probability']]);

  const digitCanvas = el('canvas', { class: 'grid pixelated', 'data-chart': 'draw-digit', role: 'img', 'aria-label': t('draw.digit') });
  const digitTable = dataTable('draw-digit', 'draw.digit.table', Array.from({ length: 8 }, (_, x) => [`c${x}`, 'draw.col.column']));
  digitTable.table.tHead.rows[0].replaceChildren(...Array.from({ length: 8 }, (_, x) => el('th', { scope: 'col', 'data-col': `c${x}` }, t('draw.col.column', { x }))));
  const inputCanvas = el('canvas', { class: 'grid pixelated', 'data-layer': 'input' });
  const maps = el('div', { class: 'maps', 'data-chart': 'draw-maps' });

  const outputs = el('div', { class: 'draw-outputs', hidden: true },
    top, topText,
    el('figure', { class: 'chart' }, bars, el('figcaption', {}, t('draw.probs'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), probTable.table),
    el('figure', { class: 'chart' }, digitCanvas, el('figcaption', {}, t('draw.digit'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), digitTable.table),
    el('figure', { class: 'chart' }, maps, el('figcaption', {}, t('draw.maps'))));

  const wrap = el('section', { class: 'draw', 'data-draw': '', 'aria-labelledby': `${id}-title`, 'aria-busy': 'false' },
    el('h3', { id: `${id}-title` }, t('draw.title')),
    el('p', { class: 'intro' }, t('draw.intro')),
    pad,
    el('div', { class: 'run-buttons' }, undo, clear),
    pickerField, source, empty, error, outputs);
  wrap.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && e.target.tagName !== 'SELECT') {
      e.preventDefault();
      undoStroke();
    }
  });

  // ---------------------------------------------------------------- drawing
  const ctx2d = pad.getContext('2d');
  function paint() {
    const ratio = window.devicePixelRatio || 1;
    const side = Math.round(PAD_SIDE * ratio);
    if (pad.width !== side) { pad.width = side; pad.height = side; }
    const scale = side / (pad.getBoundingClientRect().width || PAD_SIDE);
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
    undo.disabled = !strokes.length;
    clear.disabled = !strokes.length && example === null;
  }

  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  pad.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.preventDefault();
    try {
      pad.setPointerCapture(e.pointerId);
    } catch {
      // a pointer the browser does not know (a synthetic event): the pad still follows it while it stays inside
    }
    drawing = at(e);
    example = null;
    picker.value = '';
    paint();
    request();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const events = e.getCoalescedEvents?.() ?? [e];
    for (const ev of events.length ? events : [e]) drawing.push(...at(ev));
    paint();
    request();
  });
  const finish = () => {
    if (!drawing) return;
    strokes.push(drawing);
    drawing = null;
    paint();
    request();
  };
  pad.addEventListener('pointerup', finish);
  pad.addEventListener('pointercancel', finish);

  function undoStroke() {
    if (!strokes.length) return;
    strokes.pop();
    paint();
    request();
  }

  function clearAll() {
    strokes = [];
    drawing = null;
    example = null;
    picker.value = '';
    paint();
    request();
  }

  // ---------------------------------------------------------------- the model
  // Which model predicts: the run's once it has trained on the digits, else the shipped one.
  function modelSource() {
    const r = getRun();
    const s = ctx.state;
    if (r && s.data === 'digits') {
      if (r.state === 'done' && r.result?.weights) return { key: `run-${r.id}-done`, model: s.model, steps: null, weights: async () => r.result.weights };
      const step = r.items.at(-1)?.step ?? 0;
      if (r.live && step > 0) return { key: `run-${r.id}`, model: s.model, steps: step, weights: async () => (await r.snapshot()).weights };
    }
    return { key: 'shipped', model: undefined, steps: null, weights: shipped };
  }

  let model = null; // { key, run, steps, about }
  async function ensureModel() {
    const want = modelSource();
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
    model = { key: want.key, run, steps: want.steps, about };
    fillPicker(about.labels);
    source.textContent = want.key === 'shipped' ? t('draw.source.shipped') : want.steps === null ? t('draw.source.run_done') : t('draw.source.run', { step: want.steps });
    return model;
  }

  function fillPicker(labels) {
    if (picker.options.length === labels.length + 1) return;
    const keep = picker.value;
    picker.replaceChildren(el('option', { value: '' }, t('draw.example.none')),
      ...Array.from(labels, (label, k) => el('option', { value: String(k) }, t('draw.example.option', { n: k + 1, label }))));
    picker.value = keep;
  }

  function query() {
    if (example !== null) return { example };
    const all = drawing ? [...strokes, drawing] : strokes;
    if (!all.length) return null;
    return { coords: Float64Array.from(all.flat()), lengths: Uint32Array.from(all, (s) => s.length / 2) };
  }

  // ---------------------------------------------------------------- predicting: one request in flight, the latest wins
  let busy = false;
  let again = false;
  let updates = 0; // predictions shown so far
  let stamp = 0; // changes with every drawing change, so a late answer for an older drawing is not shown over a newer
  const request = perFrame(() => predict());
  async function predict() {
    if (disposed) return;
    if (busy) { again = true; return; }
    const mine = ++stamp;
    const q = query();
    if (!q) {
      showEmpty();
      // The model is still made ready, so the validation images can be listed.
      ensureModel().catch(showError);
      return;
    }
    busy = true;
    wrap.setAttribute('aria-busy', 'true');
    const started = performance.now();
    try {
      const m = await ensureModel();
      const p = await m.run.predict(q);
      if (mine === stamp && !disposed) {
        show(p, m.about);
        // The page path of one update (bench/draw.mjs, the e2e test): the request to the worker, the core's
        // drawing → 8×8 → prediction → maps, and drawing it all here.
        wrap.dataset.updateMs = (performance.now() - started).toFixed(3);
        wrap.dataset.updates = String(++updates);
      }
    } catch (e) {
      if (mine === stamp && !disposed) showError(e);
    } finally {
      busy = false;
      wrap.setAttribute('aria-busy', 'false');
      if (again) { again = false; request(); }
    }
  }

  function showEmpty() {
    empty.hidden = false;
    outputs.hidden = true;
    error.textContent = '';
    wrap.dataset.drawState = 'empty';
  }

  function showError(e) {
    error.textContent = e?.code === 'empty_drawing' ? t('draw.empty') : e?.param === 'drawing' ? t('draw.error', { message: coreMessage(e) }) : errorText(e);
    wrap.dataset.drawState = 'error';
    model = null; // the session may be gone (a replaced worker): made again next time
  }

  function show(p, about) {
    empty.hidden = true;
    outputs.hidden = false;
    error.textContent = '';
    top.textContent = String(p.top);
    top.dataset.top = String(p.top);
    topText.textContent = p.label === null || p.label === undefined
      ? t('draw.top', { top: p.top, p: pct(p.probs[p.top]) })
      : t('draw.top.example', { top: p.top, p: pct(p.probs[p.top]), label: p.label });
    barRows.forEach(({ bar, value }, k) => {
      bar.style.width = `${(100 * (p.probs[k] ?? 0)).toFixed(2)}%`;
      value.textContent = pct(p.probs[k] ?? 0);
    });
    probTable.setRows(Array.from(p.probs, (q, k) => [String(k), q.toFixed(4)]));
    putImages(digitCanvas, wasm.tiles_rgba(Float32Array.from(p.digit), 1, 8, 8, 1, false), 1, 8, 8, 1, 12);
    digitTable.setRows(Array.from({ length: 8 }, (_, y) => Array.from(p.digit.subarray(y * 8, y * 8 + 8), String)));
    const [h, w] = about.input;
    putImages(inputCanvas, wasm.tiles_rgba(p.input, 1, h, w, 1, false), 1, h, w, 1, 3);
    maps.replaceChildren(el('div', { class: 'map-row' }, el('span', { class: 'map-label' }, t('draw.maps.input', { h, w })), inputCanvas),
      ...mapRows(wasm, about.layers, p.maps));
    wrap.dataset.drawState = 'shown';
  }

  paint();
  showEmpty();
  ensureModel().catch(showError);

  return {
    wrap,
    // Predicts again (the run moved on), unless nothing is drawn or picked.
    refresh() {
      if (query()) request();
    },
    // The 'draw' session stays in the registry, so a re-mounted pad (a language switch) finds it again; another
    // model's replaces it (runs.show), and an element's are closed with the element.
    dispose() {
      disposed = true;
    },
  };
}
