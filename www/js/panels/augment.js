// The data augmentation studio (panel=augment): a seeded grid of a whole pipeline applied to one source image,
// with each tile's drawn parameters, label-risk warnings, per-family notes and the pipeline as torchvision and
// Albumentations code. Pipelines are `aug=` text (syntax in src/augment/mod.rs); the step editor below writes it.
// The grid is computed as a run in a worker (runs.js; 64 tiles of a 512-pixel image take over a second); the main
// thread keeps a view of its own only to check and normalise pipelines for the editor and the URL.

import { lang, t } from '../i18n/index.js';
import { controlSet } from '../url/controls.js';
import { codeBlock, coreMessage, dataTable, el, short } from '../ui/dom.js';
import { errorText, runs } from '../compute/runs.js';
import { decodeImage } from '../ui/image-file.js';

export const PRESETS = {
  gentle_digit: { src: 'digit6', aug: 'translate~rotate(deg10_bilinear)~jitter(b0.2_c0.2)~noise(sigma0.02)' },
  six_to_nine: { src: 'digit6', aug: 'vflip~rotate(deg180_bilinear)' },
  mirror_text: { src: 'arrow', aug: 'hflip(p1)' },
  aliasing: { src: 'zoneplate', aug: 'resize(min0.25_max0.5_nearest)' },
  antialiased: { src: 'zoneplate', aug: 'resize(min0.25_max0.5_area)' },
  photo: { src: 'scene', aug: 'resizedcrop~hflip~jitter(b0.4_c0.4_s0.4_h0.05)' },
};

const LONG_SIDE = 512;

// The person's own image survives re-mounts (a language switch) for as long as the page is open.
let ownImage = null; // { rgba: Uint8ClampedArray, width, height, name, serial }
let imageSerial = 0; // tells two uploads of files with the same name apart in a run's key

// A parameter's name spelled out with its key ("brightness (b)"); the key alone where there is no name.
const paramName = (key) => { const s = t(`augment.param.${key}`); return s === `augment.param.${key}` ? key : s; };
// A drawn step spelled out: "rotate (angle −12.35)".
function stepCaption(f) {
  const params = Object.entries(f.params).map(([k, raw]) => {
    const v = Number(raw.toPrecision(4));
    const s = t(`augment.drawn.${k}`, { v });
    return s === `augment.drawn.${k}` ? `${k} ${v}` : s;
  });
  return params.length ? `${f.name} (${params.join(', ')})` : f.name;
}

// Builds `aug=` text from the editor's steps: name(args) with option words bare and defaults left out.
function stepText(catalog, step) {
  const kind = catalog.find((k) => k.name === step.name);
  const args = [];
  for (const p of kind.params) {
    const v = step.values[p.key];
    if (v === undefined || v === p.default) continue;
    args.push(p.type === 'word' ? p.words[v] : `${p.key}${short(v)}`);
  }
  if (step.p !== kind.p) args.push(`p${short(step.p)}`);
  return args.length ? `${step.name}(${args.join('_')})` : step.name;
}

// The step editor: one row per step with its probability and parameters; every change checks the pipeline with the
// core and writes `aug=`. `show(aug)` rebuilds the rows from a pipeline the URL holds.
function stepEditor(catalog, view, ctx) {
  const box = el('ol', { class: 'steps' });
  const addStep = el('select', { name: 'add-step', 'aria-label': t('augment.add') },
    el('option', { value: '' }, t('augment.add')), catalog.map((k) => el('option', { value: k.name }, k.name)));
  const error = el('p', { class: 'field-error', role: 'alert', 'data-error': 'aug' });
  let steps = [];
  // Where focus goes once the list is rebuilt after a move or a removal: { index, action } of the button to focus.
  let focusAfter = null;
  function commit(next) {
    const text = next.map((s) => stepText(catalog, s)).join('~');
    try {
      view.set_pipeline(text);
    } catch (e) {
      error.textContent = coreMessage(e);
      focusAfter = null;
      return;
    }
    error.textContent = '';
    ctx.set({ aug: view.pipeline() });
    focusAfter = null; // used by the re-render this caused, or moot when the pipeline came out the same
  }
  function numberInput(label, value, min, max, step, onValue) {
    const input = el('input', { type: 'number', value, min, max, step, 'aria-label': label, class: 'small' });
    input.addEventListener('change', () => {
      const x = Number(input.value);
      if (input.value.trim() === '' || !Number.isFinite(x) || x < min || x > max) {
        error.textContent = t('augment.param.range', { name: label, min, max });
        input.setAttribute('aria-invalid', 'true'); // the person's text stays until corrected
        return;
      }
      input.removeAttribute('aria-invalid');
      onValue(x);
    });
    return input;
  }
  function paramControl(step, p, change) {
    const label = `${step.name} ${p.key}`;
    if (p.type === 'word') {
      const s = el('select', { 'aria-label': label }, p.words.map((w, wi) => el('option', { value: wi }, w)));
      s.value = String(step.values[p.key]);
      s.addEventListener('change', () => change((st) => { st.values[p.key] = Number(s.value); }));
      return el('label', { class: 'param' }, paramName(p.key), ' ', s);
    }
    if (p.type === 'flag') {
      const c = el('input', { type: 'checkbox', 'aria-label': label });
      c.checked = step.values[p.key] === 1;
      c.addEventListener('change', () => change((st) => { st.values[p.key] = c.checked ? 1 : 0; }));
      return el('label', { class: 'param' }, c, ' ', paramName(p.key));
    }
    const input = numberInput(label, step.values[p.key], p.min, p.max, p.type === 'integer' ? 1 : 'any', (x) => change((st) => { st.values[p.key] = x; }));
    return el('label', { class: 'param' }, paramName(p.key), ' ', input);
  }
  function stepRow(step, i) {
    const kind = catalog.find((k) => k.name === step.name);
    const change = (fn) => { const next = structuredClone(steps); fn(next[i]); commit(next); };
    const pInput = numberInput(`${step.name} p`, step.p, 0, 1, 0.05, (x) => change((st) => { st.p = x; }));
    const move = (d) => {
      const next = structuredClone(steps);
      [next[i], next[i + d]] = [next[i + d], next[i]];
      focusAfter = { index: i + d, action: d < 0 ? 'up' : 'down' };
      commit(next);
    };
    const remove = () => {
      focusAfter = { index: i, action: 'remove' };
      commit(steps.filter((_, j) => j !== i));
    };
    return el('li', { 'data-step': step.name },
      el('div', { class: 'step-head' }, el('strong', {}, `${i + 1}. ${step.name}`),
        el('span', { class: 'step-buttons' },
          el('button', { type: 'button', 'data-step-action': 'up', 'aria-label': t('augment.up'), disabled: i === 0, onclick: () => move(-1) }, '↑'),
          el('button', { type: 'button', 'data-step-action': 'down', 'aria-label': t('augment.down'), disabled: i === steps.length - 1, onclick: () => move(1) }, '↓'),
          el('button', { type: 'button', 'data-step-action': 'remove', 'aria-label': t('augment.remove'), onclick: remove }, '×'))),
      el('div', { class: 'step-params' }, el('label', { class: 'param' }, paramName('p'), ' ', pInput), kind.params.map((p) => paramControl(step, p, change))));
  }
  // Keeps the keyboard where the person was: on the moved step's same button (the other arrow once it reaches an
  // end), or after a removal on the step that took the removed one's place (else the one before, else "Add a step").
  function restoreFocus() {
    if (!focusAfter) return;
    const { index, action } = focusAfter;
    focusAfter = null;
    const rows = box.children;
    const row = rows[Math.min(index, rows.length - 1)];
    const order = action === 'up' ? ['up', 'down', 'remove'] : action === 'down' ? ['down', 'up', 'remove'] : ['remove'];
    const target = row && order.map((a) => row.querySelector(`[data-step-action="${a}"]`)).find((b) => b && !b.disabled);
    (target ?? addStep).focus();
  }
  addStep.addEventListener('change', () => {
    const kind = catalog.find((k) => k.name === addStep.value);
    addStep.value = '';
    if (!kind) return;
    commit([...steps, { name: kind.name, p: kind.p, values: Object.fromEntries(kind.params.map((p) => [p.key, p.default])) }]);
  });
  const field = el('div', { class: 'field' }, el('span', { class: 'label' }, t('augment.steps')), box, addStep, error);
  // The steps of the pipeline the view holds now (checked by the caller).
  function show() {
    steps = view.steps();
    box.replaceChildren(...steps.map(stepRow));
    restoreFocus();
  }
  return { field, show };
}

// The grid's tiles: numbered buttons over the image (a tap, a click or the keyboard selects one), the readout of the
// selected tile beside it (what was drawn for it, spelled out, and what it did to the label) and the data table.
function tileGrid() {
  const canvas = el('canvas', { class: 'grid', 'data-chart': 'augment-grid', role: 'img', 'aria-label': t('augment.grid') });
  const buttons = el('div', { class: 'tile-buttons' });
  const hint = () => el('p', { class: 'field-help' }, t('augment.readout.hint'));
  const readout = el('div', { class: 'tile-readout', 'data-readout': '', 'aria-live': 'polite' }, hint());
  const table = dataTable('augment-grid', 'augment.grid.table', [['tile', 'augment.col.tile'], ['steps', 'augment.col.steps']]);
  let fired = [];
  let tileRisks = [];
  const caption = (steps) => (steps.length ? steps.map(stepCaption).join(' → ') : t('augment.none_fired'));
  const riskText = (i) => (i > 0 && tileRisks[i - 1] ? t(`augment.badge.${tileRisks[i - 1]}`) : '');
  function tileText(i) {
    if (i === 0) return t('augment.tile.source');
    const risk = riskText(i);
    return risk ? `${caption(fired[i - 1])} — ⚠ ${risk}` : caption(fired[i - 1]);
  }
  let hintShown = true; // the readout shows the hint, not a tile
  function select(i) {
    for (const b of buttons.children) b.setAttribute('aria-pressed', String(Number(b.dataset.tile) === i));
    const risk = riskText(i);
    hintShown = false;
    readout.replaceChildren(
      el('h4', {}, t('augment.readout.title', { tile: i })),
      i === 0 ? el('p', {}, t('augment.tile.source'))
        : fired[i - 1].length ? el('ol', {}, fired[i - 1].map((f) => el('li', {}, stepCaption(f)))) : el('p', {}, t('augment.none_fired')),
      risk ? el('p', { class: 'warning', 'data-tile-risk': tileRisks[i - 1] }, '⚠ ', risk) : null);
  }
  // The tile buttons are made again only when the grid's shape changes; a new seed relabels them.
  let shape = '';
  function tileButtons(r, slots) {
    const pct = (v, total) => `${(100 * v) / total}%`;
    buttons.replaceChildren(...Array.from({ length: slots }, (_, i) => {
      const [col, row] = [i % r.columns, Math.floor(i / r.columns)];
      const b = el('button', {
        type: 'button', class: 'tile', 'data-tile': i, 'aria-pressed': 'false',
        onclick: () => select(i), onfocus: () => select(i), onmouseenter: () => select(i),
      }, el('span', { class: 'tile-number' }, String(i)));
      // CSSOM, not a style attribute: the page's CSP allows no inline styles.
      Object.assign(b.style, {
        left: pct(col * (r.tileWidth + r.gap), r.width), top: pct(row * (r.tileHeight + r.gap), r.height),
        width: pct(r.tileWidth, r.width), height: pct(r.tileHeight, r.height),
      });
      return b;
    }));
  }
  function placeTiles(r, texts) {
    const next = [texts.length, r.columns, r.tileWidth, r.tileHeight, r.gap, r.width, r.height].join(' ');
    if (next !== shape) tileButtons(r, texts.length);
    shape = next;
    for (const [i, b] of [...buttons.children].entries()) {
      const label = `${t('augment.readout.title', { tile: i })}: ${texts[i]}`;
      if (b.getAttribute('aria-label') !== label) b.setAttribute('aria-label', label);
      if (b.getAttribute('aria-pressed') !== 'false') b.setAttribute('aria-pressed', 'false');
      const risk = i > 0 ? tileRisks[i - 1] : null;
      const badge = b.querySelector('.tile-badge');
      if ((badge?.dataset.badge ?? null) === risk) continue;
      badge?.remove();
      if (risk) b.append(el('span', { class: 'tile-badge', 'data-badge': risk, title: riskText(i) }, '⚠'));
    }
  }
  // The table's rows are kept while the number of tiles stays; only texts that changed are written.
  function fillTable(texts) {
    const body = table.table.tBodies[0];
    if (body.rows.length !== texts.length) {
      body.replaceChildren(...texts.map((text, i) => el('tr', { 'data-tile': i }, el('td', {}, String(i)), el('td', {}, text))));
      return;
    }
    texts.forEach((text, i) => { const cell = body.rows[i].cells[1]; if (cell.textContent !== text) cell.textContent = text; });
  }
  // A finished grid run's result: the pixels, the tiles and their table. The canvas is resized only when the grid's
  // size changed (resizing clears it and its context; the image covers it whole either way).
  function show(r) {
    if (canvas.width !== r.width) canvas.width = r.width;
    if (canvas.height !== r.height) canvas.height = r.height;
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(r.grid.buffer, r.grid.byteOffset, r.grid.length), r.width, r.height), 0, 0);
    canvas.classList.toggle('pixelated', r.tileWidth <= 256);
    fired = r.fired;
    tileRisks = r.tileRisks;
    const texts = Array.from({ length: fired.length + 1 }, (_, i) => tileText(i)); // once each, for buttons and rows
    placeTiles(r, texts);
    fillTable(texts);
    if (!hintShown) readout.replaceChildren(hint());
    hintShown = true;
  }
  const figure = el('div', { class: 'grid-and-readout' },
    el('figure', { class: 'chart' }, el('div', { class: 'grid-wrap' }, canvas, buttons), el('figcaption', {}, t('augment.grid'))),
    readout);
  return { canvas, figure, table: table.table, show };
}

// The label-risk warnings and the pipeline as torchvision and Albumentations code. They follow the pipeline and the
// source, not the seed: a grid's result rewrites them only when they changed.
function pipelineAdvice() {
  const risksBox = el('div', { class: 'risks', 'aria-live': 'polite' });
  const torch = codeBlock('torchvision.transforms.v2');
  const album = codeBlock('Albumentations');
  let shownRisks = null; // the warnings shown, as JSON
  function show(r) {
    const risks = JSON.stringify(r.risks);
    if (risks !== shownRisks) risksBox.replaceChildren(...r.risks.map((k) => el('p', { class: 'warning', 'data-risk': k.key },
      el('strong', {}, t('augment.risk', { step: k.step })), ' ', k.message)));
    shownRisks = risks;
    if (torch.code.textContent !== r.torch) torch.code.textContent = r.torch;
    if (album.code.textContent !== r.album) album.code.textContent = r.album;
  }
  return { risksBox, code: [torch.wrap, album.wrap], show };
}

// The person's own image: the file picker and drag and drop (onto the zone or the grid). A failure says why and keeps
// the current image; `onImage(img)` gets a decoded one.
function imageDrop(section, dropTargets, onImage) {
  const input = el('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif,image/*', name: 'file' });
  const error = el('p', { class: 'field-error', role: 'alert', 'data-error': 'file' });
  // The label wraps the input, so the file picker is named by the text that explains it (no id to keep unique).
  const zone = el('div', { class: 'drop', tabindex: '-1' }, el('label', {}, el('span', {}, t('augment.drop')), input), error);
  async function useFile(file) {
    if (!file) return;
    error.textContent = '';
    section.setAttribute('aria-busy', 'true');
    try {
      onImage(await decodeImage(file, LONG_SIDE));
    } catch (e) {
      error.textContent = e.message;
      section.setAttribute('aria-busy', 'false');
    }
  }
  input.addEventListener('change', () => { useFile(input.files[0]); input.value = ''; });
  for (const target of [zone, ...dropTargets]) {
    target.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    target.addEventListener('dragleave', () => zone.classList.remove('over'));
    target.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); useFile(e.dataTransfer.files[0]); });
  }
  return zone;
}

function presetChips(ctx) {
  return Object.keys(PRESETS).map((name) => el('a', {
    class: 'preset', 'data-preset': name, href: '#',
    onclick: (e) => { e.preventDefault(); ctx.set(PRESETS[name]); },
  }, t(`augment.preset.${name}`)));
}

export function mount(section, ctx) {
  const { wasm } = ctx;
  const catalog = wasm.augment_catalog();
  const view = new wasm.AugmentView();
  let run = null;
  let disposed = false;

  const controls = controlSet(ctx);
  const src = controls.enumField('src', 'augment.src', (v) => t(`augment.src.${v}`));
  const n = controls.numberField('n', 'augment.n', 1);
  const seed = controls.numberField('seed', 'init.seed', 1);
  // New seed: when the settings shown are the ones in effect, the grid for the new seed is posted before the URL is
  // written (the history entry takes milliseconds the worker can use); the update that follows finds it under way.
  const reseed = el('button', { type: 'button', class: 'reseed', onclick: () => {
    const next = { ...ctx.state, seed: Math.floor(Math.random() * 1e9) };
    if (keyOf(ctx.state) === shownKey) update(next);
    ctx.set({ seed: next.seed });
  } }, t('init.reseed'));
  const augText = controls.textField('aug', 'augment.aug', 'augment.aug.help');
  augText.control.classList.add('mono');
  const editor = stepEditor(catalog, view, ctx);
  const tiles = tileGrid();
  const dropZone = imageDrop(section, [tiles.canvas], (img) => {
    view.set_image(img.rgba, img.width, img.height);
    ownImage = { ...img, serial: ++imageSerial };
    shownKey = null;
    if (ctx.state.src === 'own') update(ctx.state); else ctx.set({ src: 'own' });
  });

  const presetLinks = presetChips(ctx);

  const jobError = el('p', { class: 'field-error', role: 'alert', 'data-error': 'job' });
  const advice = pipelineAdvice();
  const notes = el('dl', { class: 'family-notes' }, wasm.augment_notes(lang()).flatMap(({ family, note }) => [
    el('dt', {}, t(`augment.family.${family}`)), el('dd', { 'data-family': family }, note)]));

  section.append(
    el('h2', {}, t('augment.title')),
    el('p', { class: 'intro' }, t('augment.intro')),
    el('div', { class: 'presets' }, el('span', { class: 'label' }, t('signal.presets'), ': '), el('span', { class: 'chips' }, presetLinks)),
    el('div', { class: 'panel-body' },
      el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
        src.wrap, dropZone, augText.wrap, editor.field, n.wrap, el('div', { class: 'seed-row' }, seed.wrap, reseed)),
      el('div', { class: 'outputs' },
        jobError, advice.risksBox, tiles.figure,
        el('details', { class: 'chart-data', open: true }, el('summary', {}, t('augment.grid.table')), tiles.table),
        el('h3', {}, t('augment.notes')), notes,
        el('h3', {}, t('augment.code')), ...advice.code)));

  let shownKey = null; // the settings whose grid is shown or under way
  const keyOf = (s) => [s.src, s.aug, s.n, s.seed, s.src === 'own' ? ownImage?.serial : '', lang()].join('|');
  let editorAug = null; // the pipeline the step editor shows
  // The controls and the preset links show the settings in effect.
  function showSettings(s) {
    controls.sync(s);
    for (const a of presetLinks) {
      const preset = PRESETS[a.dataset.preset];
      a.href = ctx.href({ ...s, ...preset });
      a.toggleAttribute('aria-current', preset.src === s.src && preset.aug === s.aug);
    }
  }
  // A new grid is posted to the worker first; the controls, the links and the editor follow while it computes.
  async function update(s) {
    performance.mark('augment:update');
    const key = keyOf(s);
    if (key === shownKey) { showSettings(s); return; }
    // Checked here first, so a bad value falls back at once: the pipeline, and an own image that is not there.
    try {
      if (s.src === 'own' && !ownImage) throw Object.assign(new Error(t('augment.own.missing')), { param: 'src' });
      view.set_pipeline(s.aug);
    } catch (e) {
      ctx.reject(e); // the default comes back and update runs again
      return;
    }
    if (view.pipeline() !== s.aug) { ctx.set({ aug: view.pipeline() }, { history: 'replace' }); return; } // canonical form in the URL
    shownKey = key;
    section.setAttribute('aria-busy', 'true');
    section.dataset.runState = 'running';
    jobError.textContent = '';
    // A grid computed before a re-render is shown again, not recomputed; a newer setting replaces the run.
    performance.mark('augment:post');
    run = runs.show(ctx.owner('augment'), 'augment', key, {
      aug: s.aug, src: s.src, n: s.n, seed: s.seed, lang: lang(),
      image: s.src === 'own' ? { rgba: ownImage.rgba, width: ownImage.width, height: ownImage.height, serial: ownImage.serial } : null,
    });
    showSettings(s);
    if (s.aug !== editorAug) { // a new seed or sample leaves the editor as it is
      editor.show();
      editorAug = s.aug;
    }
    const mine = run;
    let r;
    try {
      r = await mine.finished;
    } catch (e) {
      if (disposed || mine !== run) return; // closed for a newer setting, or the panel was re-rendered
      shownKey = null;
      if (e.param && !e.fatal && e.param !== 'kind') { ctx.reject(e); return; }
      jobError.textContent = errorText(e);
      section.dataset.runState = 'error';
      section.setAttribute('aria-busy', 'false');
      return;
    }
    if (disposed || mine !== run) return;
    performance.mark('augment:result');

    tiles.show(r);
    advice.show(r);
    section.dataset.runState = 'done';
    performance.mark('augment:shown');
    section.setAttribute('aria-busy', 'false');
    if (!performance.getEntriesByName('cnn:first-chart').length) performance.mark('cnn:first-chart');
  }

  // The run belongs to the page: a re-render keeps it (and its grid) for the next mount.
  return { update, dispose: () => { disposed = true; view.free(); } };
}
