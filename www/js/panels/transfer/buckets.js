// The own-classes view's buckets (experiment=own): 2–5 classes of the person's own, each filled by uploading or
// dropping image files or by drawing on a canvas; every image is cut to its centre square and kept small, then
// resized to the zoo model's input when training starts (bucketData). The images never enter the URL; they stay for
// as long as the page is open.

import { t } from '../../i18n/index.js';
import { el } from '../../ui/dom.js';
import { decodeImage } from '../../ui/image-file.js';

// The page's own limits: how many buckets, how many images a bucket takes (decoding stays bounded). The core checks
// the rest (Dataset source 'images': a class too small for a split, classes too unbalanced) and names the class.
export const LIMITS = { buckets: [2, 5], perBucket: 50 };
const STORE = 64; // images are kept as STORE×STORE RGBA and resized to the model's input when training starts
const DECODE_SIDE = 256;
const DRAW = 140;

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

// The editor of the buckets: their boxes (list), the Add button (add) and the message about all of them (message).
// buckets() and serial() are the current set and its version; check() shows what stops training and says whether
// nothing does.
export function bucketEditor() {
  buckets ??= [newBucket(t('transfer.own.default_name', { n: 1 })), newBucket(t('transfer.own.default_name', { n: 2 }))];
  const e = {
    list: el('div', { class: 'buckets' }),
    message: el('p', { class: 'field-error', role: 'alert', 'data-message': '' }),
  };
  e.add = el('button', { type: 'button', 'data-action': 'add-bucket', onclick: () => { buckets.push(newBucket(t('transfer.own.default_name', { n: buckets.length + 1 }))); changed(e); } }, t('transfer.own.add'));
  renderBuckets(e);
  return { list: e.list, add: e.add, message: e.message, buckets: () => buckets, serial: () => serial, check: () => showProblems(e) };
}

// A bucket's content changed: the run key's version moves on, the boxes are drawn again, the old message goes.
function changed(e) {
  serial++;
  renderBuckets(e);
  e.message.textContent = '';
}

function renderBuckets(e) {
  e.list.replaceChildren(...buckets.map((b, i) => bucketBox(e, b, i)));
  e.add.disabled = buckets.length >= LIMITS.buckets[1];
}

// One box per bucket: its name, its thumbnails, a file picker and drop zone, and a canvas to draw on.
function bucketBox(e, b, i) {
  const error = el('p', { class: 'field-error', role: 'alert', 'data-bucket-error': '' });
  const name = el('input', { type: 'text', value: b.name, maxlength: 40, 'aria-label': t('transfer.own.name', { n: i + 1 }), spellcheck: 'false' });
  name.addEventListener('change', () => { b.name = name.value.slice(0, 40); });
  const files = el('input', { type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/webp,image/gif,image/*', 'aria-label': t('transfer.own.files', { name: b.name }) });
  files.addEventListener('change', () => { addFiles(e, b, [...files.files], error); files.value = ''; });
  const thumbs = el('div', { class: 'thumbs' }, b.images.map((img) => {
    const c = el('canvas', { width: STORE, height: STORE, class: 'thumb' });
    c.getContext('2d').putImageData(img.rgba, 0, 0);
    return c;
  }));
  const pad = drawPad(e, b, error);
  const box = el('div', { class: 'bucket drop', 'data-bucket': i },
    el('div', { class: 'bucket-head' }, name, el('span', { class: 'count' }, t('transfer.own.count_images', { n: b.images.length, max: LIMITS.perBucket })),
      buckets.length > LIMITS.buckets[0] ? el('button', { type: 'button', 'data-action': 'remove-bucket', onclick: () => { buckets.splice(i, 1); changed(e); } }, t('transfer.own.remove')) : null,
      b.images.length ? el('button', { type: 'button', 'data-action': 'clear-bucket', onclick: () => { b.images = []; changed(e); } }, t('transfer.own.clear')) : null),
    el('span', {}, t('transfer.own.drop')), files, pad, thumbs, error);
  box.addEventListener('dragover', (ev) => { ev.preventDefault(); box.classList.add('over'); });
  box.addEventListener('dragleave', () => box.classList.remove('over'));
  box.addEventListener('drop', (ev) => { ev.preventDefault(); box.classList.remove('over'); addFiles(e, b, [...ev.dataTransfer.files], error); });
  return box;
}

// A canvas to draw a symbol with the pointer (light ink on black, like the zoo's source images), added as an image.
function drawPad(e, b, error) {
  const canvas = el('canvas', { width: DRAW, height: DRAW, class: 'pad', 'data-pad': '', 'aria-label': t('transfer.own.pad') });
  const g = canvas.getContext('2d');
  const clear = () => { g.fillStyle = '#000'; g.fillRect(0, 0, DRAW, DRAW); };
  clear();
  let last = null;
  const at = (ev) => {
    const r = canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) * DRAW) / r.width, ((ev.clientY - r.top) * DRAW) / r.height];
  };
  canvas.addEventListener('pointerdown', (ev) => { canvas.setPointerCapture(ev.pointerId); last = at(ev); });
  canvas.addEventListener('pointermove', (ev) => {
    if (!last) return;
    const p = at(ev);
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
    changed(e);
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
async function addFiles(e, b, list, error) {
  const refused = [];
  const room = LIMITS.perBucket - b.images.length;
  if (list.length > room) refused.push(t('transfer.own.full', { name: b.name, max: LIMITS.perBucket }));
  for (const file of list.slice(0, Math.max(0, room))) {
    try {
      const img = await decodeImage(file, DECODE_SIDE);
      const canvas = new OffscreenCanvas(img.width, img.height);
      canvas.getContext('2d').putImageData(new ImageData(img.rgba, img.width, img.height), 0, 0);
      b.images.push({ rgba: square(canvas, img.width, img.height) });
    } catch (err) {
      refused.push(err.message);
    }
  }
  changed(e);
  // The boxes were drawn again: the message goes to the bucket's new box (the old one is gone).
  const box = e.list.querySelector(`[data-bucket="${buckets.indexOf(b)}"] [data-bucket-error]`);
  if (box) box.textContent = refused.join(' ');
  else error.textContent = refused.join(' ');
}

// What stops training (bucketProblems) at each bucket and in the message; true when nothing does.
function showProblems(e) {
  e.message.textContent = '';
  const problems = bucketProblems(buckets);
  for (const box of e.list.querySelectorAll('[data-bucket-error]')) box.textContent = '';
  if (!problems.length) return true;
  for (const p of problems) {
    const box = p.bucket === null ? null : e.list.querySelector(`[data-bucket="${p.bucket}"] [data-bucket-error]`);
    if (box) box.textContent = t(p.key, p.args);
    else e.message.textContent = `${e.message.textContent} ${t(p.key, p.args)}`.trim();
  }
  e.message.dataset.message = 'buckets';
  return false;
}
