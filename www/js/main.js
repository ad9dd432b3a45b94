// The page shell: reads the URL, loads the wasm module, shows one panel, and keeps the URL in step with the controls.
// Panels are modules with mount(section, ctx) → { update(state), dispose() }; a panel is listed here only once it
// really works.
//
// The edit model (README "URL parameters"): `state` holds only values in effect. A deliberate change (a control, a
// preset, Reset) makes a history entry, so Back undoes it; repeated changes of one setting within a second coalesce.
// A value the page or the core rejects never takes effect: the last good value stays, the message goes next to the
// field that caused it (or to a notice when it came from a link), and the field keeps the person's text until they
// correct it. An embedded view (embed=1) replaces its URL instead of adding history (its history is the host's).

import { loadWasm } from './wasm.js';
import { appliesTo, configure, defaultOf, defaults, known, parse, parseValue, serialize } from './state.js';
import { applyStatic, setLang, t } from './i18n.js';
import { coreMessage, el } from './ui.js';

const PANELS = {
  init: () => import('./panels/init.js'),
  signal: () => import('./panels/signal.js'),
  augment: () => import('./panels/augment.js'),
  train: () => import('./panels/train.js'),
};

const notices = document.getElementById('notices');
const main = document.getElementById('main');
let state = null;
let before = null; // the state in effect before the last deliberate change: what a rejected value goes back to
let lastEdit = null; // { name, text } of the field whose edit made the last change
let current = null; // { name, section, view, fields, live }
let writtenHash = null;
let lastPush = { name: null, time: 0 };
let exportsOfWasm = null;

// The module starts compiling at once; nothing renders before it is ready (a nav click during loading waits).
// Its lists and limits (schemes, activations, …) complete the URL table before the first real parse.
let coreReady = false;
// Which build (www/js/wasm.js: relaxed SIMD or the portable simd128) is decided here, once, from the link's `simd`.
let wasm = null; // the module of that build
const ready = loadWasm(parse(location.hash).state.simd).then(({ module, exports, build }) => {
  wasm = module;
  exportsOfWasm = exports;
  document.documentElement.dataset.wasmBuild = build;
  configure(wasm.core_catalog());
  coreReady = true;
});

function notice(text, kind = 'warning') {
  const item = el('div', { class: `notice notice-${kind}` },
    el('span', {}, text),
    el('button', { type: 'button', class: 'dismiss', 'aria-label': t('notice.dismiss'), onclick: () => item.remove() }, '×'));
  notices.append(item);
}

function fallbackText(name) {
  return known(name) ? String(defaultOf(name, state?.panel)) : '';
}

function reportProblems(problems) {
  for (const p of problems) {
    if (p.key === 'unknown') notice(t('notice.unknown', { param: p.param }));
    else if (p.key === 'duplicate') notice(t('notice.duplicate', { param: p.param, ...p.args }));
    else if (p.key === 'hash_too_long') notice(t('notice.hash_too_long', p.args));
    else notice(t('notice.invalid', { param: p.param, value: p.value, reason: t(`reason.${p.key}`, p.args), fallback: fallbackText(p.param) }));
  }
}

// Shows any error visibly: a Rust panic arrives as a RuntimeError ("unreachable"), a bug in a panel as an exception.
function showFatal(error) {
  console.error(error);
  const panicked = error instanceof WebAssembly.RuntimeError;
  notice(panicked ? t('error.panic') : t('error.fatal', { message: String(error?.message ?? error).slice(0, 300) }), 'error');
  if (current?.section) current.section.setAttribute('aria-busy', 'false');
}
window.addEventListener('error', (e) => showFatal(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showFatal(e.reason));

// Writes the state into the URL: 'push' makes a history entry (Back undoes it), 'replace' rewrites the current one.
function writeHash(mode = 'replace') {
  writtenHash = serialize(state);
  if (location.hash !== writtenHash) {
    if (mode === 'push' && !state.embed) history.pushState(null, '', writtenHash);
    else history.replaceState(null, '', writtenHash);
  }
  updateLinks();
}

function updateLinks() {
  for (const a of document.querySelectorAll('.site-nav a')) {
    // Another panel opens on its own defaults (the signal panel's are a preset with its note), not on this one's
    // settings: tanh + He from the init panel would be a view without a lesson.
    const other = a.dataset.panel !== state.panel;
    a.href = serialize(other ? { ...defaults(a.dataset.panel), panel: a.dataset.panel, lang: state.lang, embed: state.embed } : state);
    if (a.dataset.panel === state.panel) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const open = document.querySelector('.open-full');
  if (open) open.href = location.pathname + serialize({ ...state, embed: false });
}

// One entry per deliberate change; a run of changes to the same single setting within a second is one entry.
function historyMode(partial) {
  const names = Object.keys(partial);
  const name = names.length === 1 ? names[0] : null;
  const now = performance.now();
  const coalesce = name !== null && name === lastPush.name && now - lastPush.time < 1000;
  lastPush = { name, time: now };
  return coalesce ? 'replace' : 'push';
}

// What panels call. set() takes already-validated values: { history: 'replace' } for a rewrite that is not a
// person's change (a pipeline written in its canonical form), { field, text } when a control's edit made it.
// reject() takes a value the core refused (an Error with .param, .code, .values from the wasm facade).
const ctx = {
  get wasm() { return current?.wasm ?? wasm; },
  get state() { return state; },
  set(partial, { history: mode, field, text } = {}) {
    if (!coreReady) { // still loading (a language click): the link is read once the core is ready
      state = { ...state, ...partial };
      renderChrome();
      return;
    }
    const langChanged = partial.lang && partial.lang !== state.lang;
    if (mode !== 'replace') {
      before = state;
      lastEdit = field ? { name: field, text } : null;
      for (const name of Object.keys(partial)) current?.fields[name]?.clear();
    }
    state = { ...state, ...partial };
    writeHash(mode ?? historyMode(partial));
    if (langChanged) render().catch(showFatal);
    else if (!current) renderChrome();
    else current.view.update(state);
  },
  reject(error) {
    const param = error?.param;
    if (!known(param)) throw error;
    // The last good value: the one before the change that brought this value, else the default.
    const undo = before && before.panel === state.panel && before[param] !== state[param];
    const fallback = undo ? before[param] : defaultOf(param, state.panel);
    if (state[param] === fallback) throw error;
    const message = coreMessage(error);
    const field = current?.fields[param];
    if (field && lastEdit?.name === param) field.hold(lastEdit.text, `${param}: ${message}`);
    else notice(t('notice.rejected', { param, message, fallback: String(fallback) }));
    state = { ...state, [param]: fallback };
    writeHash('replace');
    current.view.update(state);
  },
  validate: parseValue,
  // Controls register here, so a rejection from the core can reach the field that caused it.
  registerField(name, field) {
    if (current) current.fields[name] = field;
  },
};

// The wasm module as a panel sees it: every class that owns wasm memory is counted, so that after dispose() a
// panel that forgot to free something is reported (as a console error, which fails the end-to-end tests).
function trackedWasm(live) {
  const tracked = { ...wasm };
  for (const [name, value] of Object.entries(wasm)) {
    if (typeof value !== 'function' || typeof value.prototype?.free !== 'function') continue;
    const Tracked = class extends value {
      constructor(...args) {
        super(...args);
        live.add(this);
      }
    };
    Object.defineProperty(Tracked, 'name', { value: name });
    tracked[name] = Tracked;
  }
  return tracked;
}

function disposeCurrent() {
  if (!current) return;
  current.view.dispose?.();
  const leaked = [...current.live].filter((o) => o.__wbg_ptr !== 0);
  if (leaked.length) {
    console.error(`panel ${current.name} left ${leaked.length} wasm object(s) allocated after dispose(): ${leaked.map((o) => o.constructor.name).join(', ')}`);
  }
  current = null;
}

// Hooks for tests and embedding (README): the size of the main thread's wasm memory.
globalThis.cnnPlayground = Object.freeze({
  wasmMemoryBytes: () => exportsOfWasm?.memory.buffer.byteLength ?? 0,
});

function renderChrome() {
  setLang(state.lang);
  document.body.classList.toggle('embed', state.embed);
  applyStatic();
  const nav = document.querySelector('.site-nav');
  nav.replaceChildren(...Object.keys(PANELS).map((name) => el('a', { 'data-panel': name, href: '#' }, t(`panel.${name}`))));
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
  if (coreReady) writeHash(); else updateLinks(); // before that, the hash is the person's link, unread
}

// Reset puts the panel's own settings back to their defaults (language and embedding stay); Copy link copies the
// link to this exact view.
function panelTools(name) {
  const status = el('span', { class: 'tools-status', role: 'status' });
  const reset = () => {
    const partial = {};
    for (const key of Object.keys(state)) {
      if (known(key) && !['panel', 'lang', 'embed'].includes(key) && appliesTo(key, name)) partial[key] = defaultOf(key, name);
    }
    ctx.set(partial);
  };
  const copy = async () => {
    const link = location.href.split('#')[0] + serialize({ ...state, embed: false });
    try {
      await navigator.clipboard.writeText(link);
      status.textContent = t('tools.copied');
    } catch {
      status.textContent = t('tools.copy_failed', { link });
    }
    setTimeout(() => { status.textContent = ''; }, 3000);
  };
  return el('div', { class: 'panel-tools' },
    el('button', { type: 'button', 'data-action': 'reset', onclick: reset }, t('tools.reset')),
    el('button', { type: 'button', 'data-action': 'copy-link', onclick: copy }, t('tools.copy_link')),
    status);
}

let renderCount = 0;
async function render() {
  const token = ++renderCount;
  renderChrome();
  const name = state.panel;
  const [module] = await Promise.all([PANELS[name](), ready]);
  if (token !== renderCount) return; // a newer render took over while this one waited
  document.getElementById('loading')?.remove();
  const section = el('section', { class: 'panel', 'data-panel': name, 'aria-busy': 'true' });
  if (state.embed) {
    section.append(el('a', { class: 'open-full', href: '#', target: '_blank', rel: 'noopener', 'data-i18n': 'app.open_full' }, t('app.open_full')));
  }
  section.append(panelTools(name));
  main.replaceChildren(section);
  disposeCurrent();
  const live = new Set();
  current = { name, section, view: null, fields: {}, live, wasm: trackedWasm(live) };
  current.view = module.mount(section, ctx);
  writeHash();
  current.view.update(state);
}

function readHash() {
  const { state: parsed, problems, given } = parse(location.hash);
  if (!given.has('lang')) parsed.lang = state?.lang ?? (navigator.language?.startsWith('ko') ? 'ko' : 'en');
  state = parsed;
  setLang(state.lang);
  reportProblems(problems);
}

// Back, Forward, or a link edited by hand. Within the same panel and language the panel stays mounted and only
// updates (a running job or a person's half-typed text survives); otherwise it is mounted afresh.
window.addEventListener('hashchange', () => {
  if (location.hash === writtenHash) return;
  if (!coreReady) { // still loading: only the chrome follows; the first render reads the hash again
    state = { ...state, ...chromeOf(location.hash) };
    renderChrome();
    return;
  }
  notices.replaceChildren();
  const previous = state;
  readHash();
  before = previous;
  lastEdit = null;
  const same = current && previous && current.name === state.panel && previous.lang === state.lang && previous.embed === state.embed;
  if (same) {
    for (const field of Object.values(current.fields)) field.clear();
    writeHash();
    current.view.update(state);
  } else {
    render().catch(showFatal);
  }
});

for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => ctx.set({ lang: b.dataset.lang }));

// While the core loads, the URL table lacks the core's lists: only the shell's own settings are read, for the nav and
// the language.
function chromeOf(hash) {
  const { state: early, given } = parse(hash);
  const lang = given.has('lang') ? early.lang : state?.lang ?? (navigator.language?.startsWith('ko') ? 'ko' : 'en');
  return { ...defaults(early.panel), panel: early.panel, lang, embed: early.embed };
}

async function start() {
  state = chromeOf(location.hash);
  renderChrome();
  PANELS[state.panel]().catch(() => {}); // load the panel's code while the wasm compiles (render awaits it again)
  try {
    await ready;
  } catch (e) {
    document.getElementById('loading')?.remove();
    notice(t('error.wasm', { message: String(e?.message ?? e) }), 'error');
    return;
  }
  readHash();
  await render();
}

start().catch(showFatal);
