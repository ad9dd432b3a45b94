// The weight-initialization panel (panel=init): sample a layer's weights with a chosen scheme, show the histogram
// against the theoretical density, the formula, the statistics and the same initializer in PyTorch and Keras.
// Sampling a million weights takes a few milliseconds in wasm, so it runs here; the worker is for longer work.

import { t } from '../i18n/index.js';
import { controlSet, initControls } from '../url/controls.js';
import { codeBlock, dataTable, el, fitCanvas, perFrame, plain } from '../ui/dom.js';
import { PARAMS, defaults } from '../url/state.js';

const STAT_ROWS = ['fan_in', 'fan_out', 'gain', 'std', 'bound', 'sample_mean', 'sample_std', 'n'];
// The settings an initializer is made of: the signal panel reads them with the same names and meanings.
const INIT_SETTINGS = ['init', 'mode', 'nonlinearity', 'slope', 'dist', 'std', 'a'];

// The signal panel's 10-layer net with this initializer: the activation the gain was chosen for, else the one the
// scheme is meant for (ReLU for He, tanh otherwise).
export function signalState(s) {
  // The probe's activations are the core's list (a nonlinearity that is one of them is used as it is).
  const act = PARAMS.act.values.includes(s.nonlinearity) ? s.nonlinearity : s.init.startsWith('he_') ? 'relu' : 'tanh';
  const own = Object.fromEntries(INIT_SETTINGS.map((k) => [k, s[k]]));
  return { ...defaults('signal'), ...own, act, depth: 10, panel: 'signal', lang: s.lang, embed: s.embed };
}

export function mount(section, ctx) {
  const { wasm } = ctx;
  const controls = controlSet(ctx);
  const init = initControls(controls);
  const out = initOutputs(ctx);
  section.append(
    el('h2', {}, t('init.title')),
    el('p', { class: 'intro' }, t('init.intro')),
    el('div', { class: 'panel-body' }, initForm(ctx, controls, init), outputsColumn(out)));

  let view = null;
  let drawn = null;
  const draw = () => { if (view) drawCharts(view, out); };
  const redrawOnResize = perFrame(draw);
  new ResizeObserver(() => redrawOnResize()).observe(out.canvas);

  function showControls(s) {
    controls.sync(s);
    const { isNormal } = init.show(s);
    out.lecunNote.hidden = s.init !== 'lecun_uniform';
    out.truncNote.hidden = !(isNormal && s.dist === 'truncated');
    out.explain.textContent = t(`init.explain.${s.init}`);
  }

  function update(s) {
    section.setAttribute('aria-busy', 'true');
    showControls(s);
    const key = ['init', 'shape', 'mode', 'nonlinearity', 'slope', 'dist', 'std', 'a', 'samples', 'seed'].map((k) => s[k]).join('|');
    if (key === drawn) {
      section.setAttribute('aria-busy', 'false');
      return;
    }
    let next;
    try {
      next = new wasm.InitView({ init: s.init, shape: s.shape, mode: s.mode, nonlinearity: s.nonlinearity, slope: s.slope, dist: s.dist, std: s.std, a: s.a });
      next.sample(s.samples, s.seed);
    } catch (e) {
      next?.free();
      ctx.reject(e); // puts the default back and calls update again, or rethrows a real bug
      return;
    }
    view?.free();
    view = next;
    drawn = key;
    showView(ctx, out, view, s);
    draw();
    section.setAttribute('aria-busy', 'false');
    if (!performance.getEntriesByName('cnn:first-chart').length) performance.mark('cnn:first-chart');
  }

  return {
    update,
    dispose() {
      view?.free();
      view = null;
    },
  };
}

// The form: the scheme, the layer's shape (with a dense and a conv example), the scheme's parameters, the sample
// count and the seed (with a new random one a click away).
function initForm(ctx, controls, init) {
  const shape = controls.textField('shape', 'init.shape', 'init.shape.help', (raw) => raw.trim().replace(/[×X*, ]+/g, 'x'));
  const shapeExamples = el('div', { class: 'chips' },
    el('button', { type: 'button', onclick: () => ctx.set({ shape: '256x784' }) }, t('init.shape.dense')),
    el('button', { type: 'button', onclick: () => ctx.set({ shape: '64x3x3x3' }) }, t('init.shape.conv')));
  const samples = controls.numberField('samples', 'init.samples', 1);
  const seed = controls.numberField('seed', 'init.seed', 1);
  const reseed = el('button', { type: 'button', class: 'reseed', onclick: () => ctx.set({ seed: Math.floor(Math.random() * 1e9) }) }, t('init.reseed'));
  const [schemeWrap, ...initWraps] = init.wraps;
  return el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    schemeWrap, shape.wrap, shapeExamples, ...initWraps, samples.wrap, el('div', { class: 'seed-row' }, seed.wrap, reseed));
}

// The outputs: the scheme's explanation, formula and notes, the histogram with its table, the statistics, the
// comparison of every scheme, the link to the signal panel and the code.
function initOutputs(ctx) {
  // The core's advice beside a choice (wasm InitView.advice): SELU's gain, with PyTorch's own advice one click away.
  const seluText = el('span');
  return {
    explain: el('p', { class: 'explain' }),
    formula: el('p', { class: 'formula' }, el('span', { class: 'label' }, t('init.formula'), ': '), el('code')),
    lecunNote: el('p', { class: 'note', 'data-note': 'lecun_uniform' }, t('init.note.lecun_uniform')),
    truncNote: el('p', { class: 'note', 'data-note': 'truncated' }, t('init.note.truncated')),
    seluText,
    seluNote: el('p', { class: 'note', 'data-note': 'selu', hidden: true }, seluText, ' ',
      el('button', { type: 'button', 'data-action': 'linear-gain', onclick: () => ctx.set({ nonlinearity: 'linear' }) }, t('init.note.selu.use'))),
    notationNote: el('p', { class: 'field-help', 'data-note': 'notation' }, t('init.note.notation')),
    modernNote: el('p', { class: 'field-help', 'data-note': 'modern' }, t('init.note.modern')),
    canvas: el('canvas', { 'data-chart': 'init-hist', role: 'img', 'aria-label': t('init.chart') }),
    hist: dataTable('init-hist', 'init.chart', [
      ['bin_start', 'init.col.bin_start'], ['bin_end', 'init.col.bin_end'], ['count', 'init.col.count'],
      ['density', 'init.col.density'], ['theory', 'init.col.theory'],
    ]),
    stats: dataTable('init-stats', 'init.stats', [['key', 'init.key'], ['value', 'init.value']]),
    torch: codeBlock('PyTorch'),
    // The course's own pattern: an init_weights(m) function that model.apply calls on every layer.
    torchModel: codeBlock(t('init.code.apply')),
    compareCanvas: el('canvas', { class: 'tall', 'data-chart': 'init-compare', role: 'img', 'aria-label': t('init.compare') }),
    compare: dataTable('init-compare', 'init.compare.table', [
      ['scheme', 'init.col.scheme'], ['std', 'init.row.std'], ['bound', 'init.row.bound'],
    ]),
    signal: el('a', { class: 'signal-link', 'data-link': 'signal', href: '#' }, t('init.to_signal')),
    keras: codeBlock('Keras'),
  };
}

function outputsColumn(out) {
  return el('div', { class: 'outputs' },
    out.explain, out.formula, out.notationNote, out.lecunNote, out.truncNote, out.seluNote,
    el('figure', { class: 'chart' }, out.canvas, el('figcaption', {}, t('init.chart'))),
    el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), out.hist.table),
    out.stats.table,
    el('p', {}, out.signal),
    out.modernNote,
    el('h3', {}, t('init.compare')),
    el('p', { class: 'field-help' }, t('init.compare.help')),
    el('figure', { class: 'chart' }, out.compareCanvas, el('figcaption', {}, t('init.compare.caption'))),
    out.compare.table,
    el('h3', {}, t('init.code')), out.torch.wrap, out.torchModel.wrap, out.keras.wrap);
}

const schemeNames = () => PARAMS.init.values.map((v) => t(`init.name.${v}`)); // in the core's order

// The histogram against the density, and every scheme's spread, at the canvases' current size.
function drawCharts(view, { canvas, compareCanvas }) {
  const ratio = fitCanvas(canvas);
  view.draw(canvas, t('init.x'), t('init.y'), ratio);
  view.draw_comparison(compareCanvas, schemeNames(), [t('init.compare.point_mass'), t('init.compare.clipped')], fitCanvas(compareCanvas));
}

// A newly sampled view's words and numbers: formula, advice, code, the link to the signal panel and the tables.
function showView(ctx, out, view, s) {
  out.formula.querySelector('code').textContent = view.formula();
  const advice = view.advice();
  out.seluNote.hidden = advice?.key !== 'selu_use_linear';
  out.seluText.textContent = advice ? t('init.note.selu', { variance: plain(advice.variance_factor) }) : '';
  showCode(out, view, s.shape);
  out.signal.href = ctx.href(signalState(s));
  out.compare.table.tBodies[0].replaceChildren(...Array.from(view.comparison(), (r) => el('tr', { 'data-scheme': r.scheme, class: r.scheme === s.init ? 'current' : null },
    el('th', { scope: 'row' }, t(`init.name.${r.scheme}`)), el('td', {}, plain(r.std)), el('td', {}, Number.isNaN(r.bound) ? 'n/a' : plain(r.bound)))));
  const values = {
    fan_in: view.fan_in, fan_out: view.fan_out, gain: view.gain, std: view.std, bound: view.bound,
    sample_mean: view.sample_mean, sample_std: view.sample_std, n: view.n,
  };
  const rows = STAT_ROWS.filter((k) => k !== 'bound' || view.is_uniform);
  out.stats.table.tBodies[0].replaceChildren(...rows.map((k) => el('tr', { 'data-key': k },
    el('th', { scope: 'row' }, t(`init.row.${k}`)), el('td', {}, plain(values[k])))));
  const h = view.histogram_rows();
  const histRows = [];
  for (let i = 0; i < h.length; i += 5) histRows.push([plain(h[i]), plain(h[i + 1]), plain(h[i + 2]), plain(h[i + 3]), plain(h[i + 4])]);
  out.hist.setRows(histRows);
}

// The same initializer in PyTorch (on a tensor of the shape, and as init_weights for model.apply) and in Keras.
function showCode({ torch, torchModel, keras }, view, shape) {
  torch.code.textContent = `import torch\n\nw = torch.empty(${shape.split('x').join(', ')})\n${view.pytorch_code()}`;
  const layer = shape.split('x').length > 2 ? 'nn.Conv2d' : 'nn.Linear';
  torchModel.code.textContent = 'import torch\nfrom torch import nn\n\n\ndef init_weights(m):\n'
    + `    if isinstance(m, (nn.Linear, nn.Conv2d)):  # ${layer} here\n`
    + `        ${view.pytorch_code().replace('(w', '(m.weight')}\n`
    + '        m.bias.data.fill_(0.01)\n\n\n'
    + 'model.apply(init_weights)  # calls init_weights on every submodule\n';
  keras.code.textContent = `import keras\n\ninitializer = ${view.keras_code()}`;
}
