// The vanishing/exploding-signals panel (panel=signal): a deep fully-connected probe runs as a run in a worker
// (runs.js) and streams its layers here; this module only draws (charts at most once per frame) and fills the
// tables. The run belongs to the page: a re-render (a language switch) or a visit to another panel finds it again,
// still running or finished, instead of starting over; a new setting replaces it.

import { t } from '../i18n/index.js';
import { controlSet, initControls } from '../url/controls.js';
import { dataTable, el, fitCanvas, perFrame, plain } from '../ui/dom.js';
import { errorText, runs, speedText } from '../compute/runs.js';
import { saturationOf } from '../url/state.js';

// Each preset is a URL that sets everything its note depends on: the net's shape and the seed too, so the numbers
// its note quotes are those of its own run.
const RESET = { init: 'xavier_normal', mode: 'fan_in', nonlinearity: 'auto', dist: 'normal', depth: 10, width: 500, batch: 500, seed: 42, norm: 'none' };
export const PRESETS = {
  tanh_small: { ...RESET, act: 'tanh', init: 'normal', std: 0.01 },
  tanh_large: { ...RESET, act: 'tanh', init: 'normal', std: 1 },
  tanh_xavier: { ...RESET, act: 'tanh' },
  relu_xavier: { ...RESET, act: 'relu' },
  relu_he: { ...RESET, act: 'relu', init: 'he_normal' },
  sigmoid_xavier: { ...RESET, act: 'sigmoid' },
};
// The reference run for an activation (the faint curves) is the same net with the usual initializer for it, which
// the core names (wasm.signal_reference: Xavier for tanh-like units, He for the ReLU family, LeCun for SELU), at
// torch's default gain for that scheme.
const referenceOf = (s, init) => ({ ...s, init, mode: 'fan_in', nonlinearity: 'auto', dist: 'normal' });
// Reference runs' spreads by settings key, for the page's lifetime: a preset click, a seed change back and forth or a
// re-render does not recompute them.
const references = new Map();
const SETTINGS = ['act', 'init', 'mode', 'nonlinearity', 'slope', 'dist', 'std', 'a', 'depth', 'width', 'batch', 'seed', 'norm'];

// Numbers for the layer table: plain decimals where readable, exponents for very small or large values.
function num(x) {
  if (!Number.isFinite(x)) return plain(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(4).replace(/\.?0+e/, 'e') : plain(x);
}

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const powerOfTen = (k) => `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c])}`;
// A ratio as a person reads it: two digits between 0.01 and 100 (one below 1), beyond that one digit times a power of
// ten (3·10⁻⁵; 10⁻⁵ when the digit is 1), so the number shown is the core's to one digit.
export function ratioText(r) {
  if (r >= 0.01 && r < 100) return plain(Number(r.toPrecision(r < 1 ? 1 : 2)));
  const [m, k] = r.toExponential(0).split('e').map(Number);
  return m === 1 ? powerOfTen(k) : `${m}·${powerOfTen(k)}`;
}

// "The first layer's weight gradients are about 10⁻⁵ of the last layer's." The core decides the size
// (wasm.signal_first_last: "about the same size" only within its stated band, ×2).
export function ratioSentence(wasm, first, last) {
  const { size, ratio } = wasm.signal_first_last(first, last);
  return t(`signal.ratio.${size}`, { ratio: ratioText(ratio), band: plain(wasm.signal_band()) });
}

// The headline: this run against the reference run for its activation, layer by layer (wasm.signal_compare), so a
// run whose every gradient is 10⁻⁵ of the reference one never reads as "about the same size".
export function referenceSentences(wasm, run, ref, refName, depth) {
  const c = wasm.signal_compare(Float64Array.from(run.gradW), Float64Array.from(ref.gradW));
  const band = plain(wasm.signal_band());
  const grads = t(`signal.vs.${c.kind}`, {
    ref: refName, band, depth, ratio: ratioText(c.ratio), first: ratioText(c.first), last: ratioText(c.last),
  });
  const a = run.act[depth - 1] / ref.act[depth - 1];
  const acts = Number.isFinite(a) && a > 0 ? t('signal.vs.act', { ratio: ratioText(a), depth, ref: refName }) : '';
  return [grads, acts].filter(Boolean);
}

// With BatchNorm before each activation: whether the activations keep one scale from the first layer to the last
// (wasm.signal_first_last on the activations' spreads: "the same scale" only within its band), and what BatchNorm
// does not change (it undoes a scale of the weights in the forward pass, not in dL/dW, which scales as 1/scale).
export function normSentence(wasm, act, depth) {
  const { size, ratio } = wasm.signal_first_last(act[depth - 1], act[0]);
  return t(`signal.bn.${size}`, { ratio: ratioText(ratio), band: plain(wasm.signal_band()), depth });
}

function matchPreset(s) {
  return Object.keys(PRESETS).find((name) => Object.entries(PRESETS[name]).every(([k, v]) => s[k] === v)) ?? null;
}

// The panel's two charts and three tables, drawn and filled from the run being shown (`shown()`: its forward and
// backward results by layer, index 0 = layer 1, and once known the reference run's spreads).
function signalCharts(wasm, shown, refName) {
  const histCanvas = el('canvas', { class: 'tall', 'data-chart': 'signal-hist', role: 'img', 'aria-label': t('signal.hist') });
  // The y ranges are fixed (the same for every run); the canvas states them for readers and tests.
  const layersCanvas = el('canvas', {
    'data-chart': 'signal-layers', role: 'img', 'aria-label': t('signal.layers'),
    'data-y-ranges': Array.from(wasm.signal_axis_ranges(), (v) => v.toExponential()).join(' '),
  });
  // One row per layer (the bins' fractions in one cell): a row per bin would be thousands of rows at depth 50.
  const histTable = dataTable('signal-hist', 'signal.hist.table', [
    ['layer', 'signal.col.layer'], ['range_lo', 'signal.col.range_lo'], ['range_hi', 'signal.col.range_hi'],
    ['fractions', 'signal.col.fractions'], ['outside', 'signal.col.outside'], ['overflow', 'signal.col.overflow'],
  ]);
  const layerTable = dataTable('signal-layers', 'signal.layers.table', [
    ['layer', 'signal.col.layer'], ['act_mean', 'signal.col.act_mean'], ['act_std', 'signal.col.act_std'],
    ['grad_x_std', 'signal.col.grad_x_std'], ['grad_w_std', 'signal.col.grad_w_std'], ['saturated', 'signal.col.saturated'],
    ['dead', 'signal.col.dead'],
  ]);

  // The faint curves' numbers: the same net with the usual initialization for this activation.
  const referenceTable = dataTable('signal-reference', 'signal.reference.table', [
    ['layer', 'signal.col.layer'], ['act_std', 'signal.col.act_std'],
    ['grad_x_std', 'signal.col.grad_x_std'], ['grad_w_std', 'signal.col.grad_w_std'],
  ]);
  const referenceCaption = referenceTable.table.caption;
  referenceCaption.removeAttribute('data-i18n'); // it names the reference: set in update()

  const draw = perFrame(() => {
    const { fwd, bwd } = shown();
    if (!fwd.length) return;
    const bins = fwd[0].counts.length;
    const counts = new Float64Array(fwd.length * bins);
    fwd.forEach((f, i) => counts.set(f.counts, i * bins));
    wasm.draw_layer_histograms(histCanvas, fwd[0].lo, fwd[0].hi, bins, counts,
      Float64Array.from(fwd, (f) => f.total),
      Float64Array.from(fwd, (f) => (f.below + f.above) / f.total),
      Float64Array.from(fwd, (f) => f.non_finite / f.total),
      [t('signal.word.layer'), t('signal.word.overflow'), t('signal.word.outside')], fitCanvas(histCanvas));
    const depthNow = shown().depth;
    const grads = (key) => Float64Array.from({ length: depthNow }, (_, i) => bwd[i]?.[key] ?? Number.NaN);
    // Layers not computed yet are left out rather than drawn as NaN ("overflow").
    const haveBwd = bwd.filter(Boolean).length === depthNow;
    const none = new Float64Array(0);
    const ref = shown().reference;
    wasm.draw_signal_layers(layersCanvas, Float64Array.from(fwd, (f) => f.std),
      haveBwd ? grads('grad_x_std') : none, haveBwd ? grads('grad_w_std') : none,
      ref ? Float64Array.from(ref.act) : none, ref ? Float64Array.from(ref.gradX) : none, ref ? Float64Array.from(ref.gradW) : none,
      [...['x', 'act_title', 'std', 'act_std', 'grad_title', 'std', 'grad_x', 'grad_w', 'overflow', 'zero', 'off_scale'].map((w) => t(`signal.word.${w}`)),
        t('signal.word.reference', { ref: refName(shown().act) })],
      fitCanvas(layersCanvas));
  });
  new ResizeObserver(() => draw()).observe(histCanvas);

  // The layer table grows by a row per forward layer; backward results fill that row's gradient cells. Only what
  // changed is touched, so the main thread does little per message while the worker computes.
  function addLayerRow(f) {
    const sat = saturationOf(shown().act) ? num(f.saturated) : 'n/a';
    const dead = Number.isNaN(f.dead) ? 'n/a' : num(f.dead); // ReLU only: units 0 for the whole batch
    layerTable.table.tBodies[0].append(el('tr', { 'data-layer': f.layer },
      el('td', {}, String(f.layer)), el('td', {}, num(f.mean)), el('td', {}, num(f.std)), el('td'), el('td'), el('td', {}, sat),
      el('td', {}, dead)));
  }
  function fillGradCells(b) {
    const row = layerTable.table.tBodies[0].rows[b.layer - 1];
    row.cells[3].textContent = num(b.grad_x_std);
    row.cells[4].textContent = num(b.grad_w_std);
  }

  function fillHistTable() {
    histTable.setRows(shown().fwd.map((f, i) => [String(i + 1), plain(f.lo), plain(f.hi),
      Array.from(f.counts, (c) => plain(c / f.total)).join(' '), plain((f.below + f.above) / f.total), plain(f.non_finite / f.total)]));
  }

  const figures = [
    el('figure', { class: 'chart' }, histCanvas, el('figcaption', {}, t('signal.hist'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), histTable.table),
    el('figure', { class: 'chart' }, layersCanvas, el('figcaption', {}, t('signal.layers'))),
  ];
  return { figures, histCanvas, layerTable, referenceTable, referenceCaption, draw, addLayerRow, fillGradCells, fillHistTable };
}

const spreads = ({ fwd, bwd }) => ({
  act: fwd.map((f) => f.std), gradX: bwd.map((b) => b.grad_x_std), gradW: bwd.map((b) => b.grad_w_std),
});

// The headline under the charts for a finished run (and, compared with it, the reference run), from the core's
// decisions (signal_reference, signal_first_last, the ratio sentences).
function outcomeText(wasm, shown, isReference, name) {
  const { fwd, bwd } = shown;
  const own = ratioSentence(wasm, bwd[0].grad_w_std, bwd[fwd.length - 1].grad_w_std);
  // The reference run itself: the usual initializer, and (sigmoid) why its gradients still vanish.
  const fit = wasm.signal_reference(shown.act);
  const isRef = fit.fit === 'still_vanishes'
    ? t('signal.vs.still_vanishes', { ref: name, act: shown.act, slope: plain(fit.slope), assumed: plain(fit.assumed) })
    : t('signal.vs.is_reference', { ref: name });
  // A run compared with a reference that itself still vanishes says so, so the faint curves are not read as healthy.
  const refVanishes = fit.fit === 'still_vanishes'
    ? t('signal.vs.reference_vanishes', { ref: name, act: shown.act, slope: plain(fit.slope), assumed: plain(fit.assumed) }) : '';
  const normed = shown.norm === 'bn' ? normSentence(wasm, fwd.map((f) => f.std), fwd.length) : '';
  return isReference
    ? [normed, isRef, own].filter(Boolean).join(' ')
    : [normed, ...referenceSentences(wasm, spreads(shown), shown.reference, name, fwd.length), refVanishes].filter(Boolean).join(' ');
}

// The panel's settings as a form bound to the URL.
function signalForm(ctx) {
  const controls = controlSet(ctx);
  const act = controls.enumField('act', 'signal.act');
  const norm = controls.enumField('norm', 'signal.norm', (v) => t(`signal.norm.${v}`));
  const init = initControls(controls);
  const depth = controls.numberField('depth', 'signal.depth', 1);
  const width = controls.numberField('width', 'signal.width', 1);
  const batch = controls.numberField('batch', 'signal.batch', 1);
  const seed = controls.numberField('seed', 'init.seed', 1);
  const reseed = el('button', { type: 'button', class: 'reseed', onclick: () => ctx.set({ seed: Math.floor(Math.random() * 1e9) }) }, t('init.reseed'));
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    act.wrap, norm.wrap, ...init.wraps, depth.wrap, width.wrap, batch.wrap, el('div', { class: 'seed-row' }, seed.wrap, reseed));
  return { controls, init, form };
}

function presetChips(ctx) {
  return Object.keys(PRESETS).map((name) => el('a', {
    class: 'preset', 'data-preset': name, href: '#',
    onclick: (e) => { e.preventDefault(); ctx.set(PRESETS[name]); },
  }, t(`signal.preset.${name}`)));
}

// The reference run for these settings (same net, seed and activation; the usual initialization), computed once
// per page: a run of its own, which a re-rendered panel finds again like the main one.
async function referenceRun(ctx, args) {
  const key = SETTINGS.map((k) => args[k]).join('|');
  if (!references.has(key)) {
    const r = runs.show(ctx.owner('signal-reference'), 'probe', key, args);
    await r.finished;
    const spread = { fwd: [], bwd: [] };
    for (const p of r.items) (p.phase === 'forward' ? spread.fwd : spread.bwd)[p.layer - 1] = p;
    references.set(key, spreads(spread));
    r.close();
  }
  return references.get(key);
}

// The panel's page: the presets, the form and the outputs around the charts. Returns the elements the panel writes.
function signalPage(section, form, presetLinks, charts) {
  const parts = {
    presetNote: el('p', { class: 'note preset-note' }),
    status: el('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    summary: el('p', { class: 'summary', 'data-summary': 'ratio' }),
    overflowNote: el('p', { class: 'note overflow-note', 'data-note': 'overflow' }),
    saturatedNote: el('p', { class: 'field-help' }),
    errorBox: el('p', { class: 'field-error', role: 'alert' }),
  };
  section.append(
    el('h2', {}, t('signal.title')),
    el('p', { class: 'intro' }, t('signal.intro')),
    el('div', { class: 'presets' }, el('span', { class: 'label' }, t('signal.presets'), ': '), el('span', { class: 'chips' }, presetLinks)),
    parts.presetNote,
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        parts.status, parts.errorBox, parts.summary, parts.overflowNote,
        ...charts.figures,
        el('p', { class: 'field-help' }, t('signal.upstream')),
        parts.saturatedNote,
        charts.layerTable.table,
        el('details', { class: 'chart-data' }, el('summary', {}, t('signal.reference.show')), charts.referenceTable.table))));
  return parts;
}

// Follows one run at a time and shows it in the charts and the page's elements (`page`, from signalPage): its layers
// as they come, then the outcome against the reference run. `view.shown` is the run being shown: forward and backward results by layer (index 0 = layer 1), and once known the
// reference run's spreads ({ act, gradX, gradW }, null while it computes or when this run is the reference).
function runView(section, ctx, { wasm, charts, page, refName, referenceSettings }) {
  const view = { shown: { key: null, fwd: [], bwd: [], reference: null }, attach, detach };
  const { draw } = charts;
  let run = null;
  let unsubscribe = () => {};

  function explainOutcome(isReference) {
    const { shown } = view;
    const overflowAt = shown.fwd.findIndex((f) => !Number.isFinite(f.std));
    page.overflowNote.hidden = overflowAt < 0;
    page.overflowNote.textContent = overflowAt < 0 ? '' : t('signal.overflow', { layer: overflowAt + 1 });
    const ref = isReference ? spreads(shown) : shown.reference;
    charts.referenceTable.setRows(ref.act.map((a, i) => [String(i + 1), num(a), num(ref.gradX[i]), num(ref.gradW[i])]));
    page.summary.textContent = outcomeText(wasm, shown, isReference, refName(shown.act));
  }

  // data-run-state says what the run is doing; aria-busy is "true" until the panel shows the run's current state.
  function setRunState(state, busy = state === 'running') {
    section.dataset.runState = state;
    section.setAttribute('aria-busy', String(busy));
  }

  // What a run's progress items do to the view; replayed in full when the view attaches to a run already under way.
  function showItems(items) {
    const { shown } = view;
    for (const p of items) {
      if (p.phase === 'forward') {
        if (p.layer === 1) performance.mark('signal:first-layer');
        if (p.layer === shown.depth) performance.mark('signal:forward');
        shown.fwd[p.layer - 1] = p;
        charts.addLayerRow(p);
      } else {
        shown.bwd[p.layer - 1] = p;
        charts.fillGradCells(p);
      }
    }
    const last = items.at(-1);
    if (!last) return;
    const where = last.phase === 'forward'
      ? t('signal.progress.forward', { layer: last.layer, depth: shown.depth })
      : t('signal.progress.backward', { layer: last.layer });
    const speed = speedText(run);
    page.status.textContent = speed ? `${where} ${speed}` : where;
    if (items.some((p) => p.phase === 'forward')) draw(); // the charts change only going forward
  }

  async function showDone(result) {
    performance.mark('signal:done');
    const mine = view.shown;
    const ms = result.forward_ms + result.backward_ms;
    const done = t('signal.done', {
      forward: result.forward_ms.toFixed(0), backward: result.backward_ms.toFixed(0),
      gflops: ((result.flops.forward + result.flops.backward) / ms / 1e6).toFixed(1),
    });
    charts.fillHistTable();
    const s = { ...run.config };
    const isReference = SETTINGS.every((k) => referenceSettings(s)[k] === s[k]);
    if (!isReference) {
      page.status.textContent = t('signal.progress.reference', { ref: refName(s.act) });
      try {
        mine.reference = await referenceRun(ctx, Object.fromEntries(SETTINGS.map((k) => [k, referenceSettings(s)[k]])));
      } catch (e) {
        if (view.shown === mine && e.name !== 'AbortError') showError(e);
        return;
      }
      if (view.shown !== mine) return; // another run is shown by now
    }
    page.status.textContent = done;
    explainOutcome(isReference);
    draw();
    // The chart is drawn at the next frame; the panel is current once that has happened.
    requestAnimationFrame(() => { if (view.shown === mine) setRunState('done'); });
  }

  function showError(e) {
    if (e.param && !e.fatal && e.param !== 'kind') {
      ctx.reject(e); // the default comes back, and update opens a run for it
      return;
    }
    page.errorBox.textContent = errorText(e);
    page.status.textContent = '';
    setRunState('error');
  }

  // Shows a run from its beginning and follows it.
  function attach(r) {
    unsubscribe();
    run = r;
    view.shown = { key: r.key, fwd: [], bwd: [], depth: r.config.depth, act: r.config.act, norm: r.config.norm, reference: null };
    charts.layerTable.setRows([]);
    charts.referenceTable.setRows([]);
    page.errorBox.textContent = '';
    page.status.textContent = '';
    setRunState(r.state, r.state !== 'error' && r.state !== 'paused'); // a finished run is current once drawn
    showItems(r.items);
    if (r.state === 'done') showDone(r.result);
    else if (r.state === 'error') showError(r.error);
    unsubscribe = r.subscribe((_, event) => {
      if (event.type === 'progress') showItems(event.items);
      else if (event.type === 'done') showDone(r.result);
      else if (event.type === 'error') showError(r.error);
      else if (event.type === 'state') setRunState(r.state);
    });
  }

  // Stops listening (the run goes on: it belongs to the page).
  function detach() {
    unsubscribe();
    view.shown = { key: null, fwd: [], bwd: [] };
  }

  return view;
}

export function mount(section, ctx) {
  const { wasm } = ctx;
  const referenceInit = (act) => wasm.signal_reference(act).init;
  const refName = (act) => t(`signal.ref.${referenceInit(act)}`);
  const referenceSettings = (s) => referenceOf(s, referenceInit(s.act));

  const { controls, init, form } = signalForm(ctx);
  const presetLinks = presetChips(ctx);
  let view = null;
  const charts = signalCharts(wasm, () => view.shown, refName);
  const page = signalPage(section, form, presetLinks, charts);
  const { presetNote, saturatedNote } = page;
  view = runView(section, ctx, { wasm, charts, page, refName, referenceSettings });

  function update(s) {
    controls.sync(s);
    init.show(s);
    const preset = matchPreset(s);
    for (const a of presetLinks) {
      a.href = ctx.href({ ...s, ...PRESETS[a.dataset.preset] });
      a.toggleAttribute('aria-current', a.dataset.preset === preset);
    }
    presetNote.hidden = !preset;
    presetNote.textContent = preset ? t(`signal.note.${preset}`) : '';
    charts.referenceCaption.textContent = t('signal.reference.table', { ref: refName(s.act) });
    saturatedNote.textContent = t(saturationOf(s.act) ? `signal.saturated.${s.act}` : 'signal.saturated.none');

    const key = SETTINGS.map((k) => s[k]).join('|');
    if (key === view.shown.key) return;
    // The run of these settings, found again after a re-render or a panel switch; a new setting replaces it (the
    // probe is stateless: the old run is closed, and so is a reference run of other settings).
    const fresh = runs.current(ctx.owner('signal'))?.key !== key;
    if (fresh) {
      const reference = runs.current(ctx.owner('signal-reference'));
      if (reference && reference.key !== SETTINGS.map((k) => referenceSettings(s)[k]).join('|')) reference.close();
      performance.mark('signal:start'); // marks for bench/signal.mjs: request, first layer, all layers, done
    }
    view.attach(runs.show(ctx.owner('signal'), 'probe', key, Object.fromEntries(SETTINGS.map((k) => [k, s[k]]))));
  }

  // Leaving the panel (or re-rendering it) only stops listening: the runs belong to the page.
  return { update, dispose: () => view.detach() };
}
