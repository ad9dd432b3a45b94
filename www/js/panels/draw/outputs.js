// What the drawing pad shows for one prediction: the top class in large type and in a sentence, the ten
// probabilities (bars and a table), the 8×8 counts the net sees (and their table), and every layer's activation maps.

import { t } from '../../i18n/index.js';
import { dataTable, el } from '../../ui/dom.js';
import { pct, putImages } from '../train/shared.js';
import { mapRows } from './maps.js';

// Ten bars: the class, a bar as wide as its probability, the number.
function probabilityBars() {
  const rows = Array.from({ length: 10 }, (_, k) => {
    const bar = el('span', { class: 'draw-bar' });
    Object.assign(bar.style, { display: 'inline-block', height: '0.9em', background: '#0072b2', verticalAlign: 'middle', width: '0' });
    const track = el('span', {});
    Object.assign(track.style, { display: 'inline-block', width: '10em', maxWidth: '50vw', background: '#e8e8e8', margin: '0 0.5em' });
    track.append(bar);
    const value = el('span', { class: 'draw-prob' });
    const row = el('div', { class: 'draw-prob-row', 'data-class': k }, el('span', {}, String(k)), track, value);
    return { row, bar, value };
  });
  const box = el('div', { class: 'draw-probs', 'data-chart': 'draw-probs', role: 'group', 'aria-label': t('draw.probs') }, rows.map((r) => r.row));
  return { rows, box };
}

// The 8×8 before anything is drawn: empty cells on a light ground, the grid's lines between them (12 px a cell, as
// the prediction's 8×8 at zoom 12).
function emptyGrid(canvas) {
  const cell = 12;
  const side = 8 * cell + 1;
  canvas.width = side;
  canvas.height = side;
  canvas.style.width = `${side}px`;
  const g = canvas.getContext('2d');
  g.fillStyle = '#f2f2f2';
  g.fillRect(0, 0, side, side);
  g.fillStyle = '#9a9a9a';
  for (let i = 0; i <= 8; i++) {
    g.fillRect(i * cell, 0, 1, side);
    g.fillRect(0, i * cell, side, 1);
  }
}

// Returns { element, show(prediction, about), clear() } (about: the model's snapshot: its input size and layers).
// Until the first prediction (and after Clear) the outputs show their empty state: the ten classes with empty bars
// and a dash, the 8×8 as an empty grid; the top class, the tables' rows and the maps wait for a prediction.
export function predictionOutputs(wasm) {
  const top = el('output', { class: 'draw-top', 'data-top': '', 'aria-live': 'polite' });
  Object.assign(top.style, { display: 'block', fontSize: '3rem', fontWeight: '700', lineHeight: '1.1' });
  const topText = el('p', { class: 'summary', 'data-summary': 'draw' });
  const bars = probabilityBars();
  const probTable = dataTable('draw-probs', 'draw.probs.table', [['class', 'draw.col.class'], ['probability', 'draw.col.probability']]);
  const digitCanvas = el('canvas', { class: 'grid pixelated', 'data-chart': 'draw-digit', role: 'img', 'aria-label': t('draw.digit') });
  const digitTable = dataTable('draw-digit', 'draw.digit.table', Array.from({ length: 8 }, (_, x) => [`c${x}`, 'draw.col.column']));
  digitTable.table.tHead.rows[0].replaceChildren(...Array.from({ length: 8 }, (_, x) => el('th', { scope: 'col', 'data-col': `c${x}` }, t('draw.col.column', { x }))));
  const inputCanvas = el('canvas', { class: 'grid pixelated', 'data-layer': 'input' });
  const maps = el('div', { class: 'maps', 'data-chart': 'draw-maps' });

  const probData = el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), probTable.table);
  const digitData = el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), digitTable.table);
  const mapsFigure = el('figure', { class: 'chart' }, maps, el('figcaption', {}, t('draw.maps')));
  const element = el('div', { class: 'draw-outputs' },
    top, topText,
    el('figure', { class: 'chart' }, bars.box, el('figcaption', {}, t('draw.probs'))),
    probData,
    el('figure', { class: 'chart' }, digitCanvas, el('figcaption', {}, t('draw.digit'))),
    digitData,
    mapsFigure);
  const waiting = [top, topText, probData, digitData, mapsFigure]; // hidden in the empty state

  function clear() {
    for (const e of waiting) e.hidden = true;
    top.textContent = '';
    top.dataset.top = '';
    topText.textContent = '';
    bars.rows.forEach(({ bar, value }) => {
      bar.style.width = '0';
      value.textContent = '–';
    });
    probTable.setRows([]);
    digitTable.setRows([]);
    emptyGrid(digitCanvas);
    maps.replaceChildren();
    element.dataset.state = 'empty';
  }

  function show(p, about) {
    for (const e of waiting) e.hidden = false;
    element.dataset.state = 'shown';
    top.textContent = String(p.top);
    top.dataset.top = String(p.top);
    topText.textContent = p.label === null || p.label === undefined
      ? t('draw.top', { top: p.top, p: pct(p.probs[p.top]) })
      : t('draw.top.example', { top: p.top, p: pct(p.probs[p.top]), label: p.label });
    bars.rows.forEach(({ bar, value }, k) => {
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
  }
  clear();
  return { element, show, clear };
}
