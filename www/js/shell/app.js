// One playground view mounted into a root element, with its state kept in a store. The page (main.js) is one app
// whose store is the location hash; each <cnn-playground> element (element.js) is one app whose store is its own
// attributes plus the state in memory. Everything else — loading the core, the edit model, notices, panel tools,
// mounting and disposing panels — is this one code path.
//
// Panels are modules with mount(section, ctx) → { update(state), dispose() }; a panel is listed here only once it
// really works.
//
// The edit model (README "URL parameters"): `state` holds only values in effect. A deliberate change (a control, a
// preset, Reset) makes a history entry, so Back undoes it; repeated changes of one setting within a second coalesce.
// A value the page or the core rejects never takes effect: the last good value stays, the message goes next to the
// field that caused it (or to a notice when it came from a link or an attribute), and the field keeps the person's
// text until they correct it. Whether a change makes a history entry is the store's business: the page's hash store
// pushes (replaces when embedded), an element's store keeps no history.

import { loadWasm } from '../compute/wasm.js';
import { appliesTo, configure, defaultOf, defaults, known, parse, parseValue } from '../url/state.js';
import { setLang, t } from '../i18n/index.js';
import { copyText, coreMessage, el, keepFocus } from '../ui/dom.js';
import { arrange, embedAction, layoutKey } from './embedding.js';
import { installDownloads, recordCharts } from '../ui/figure-download.js';

export const PANELS = {
  init: () => import('../panels/init.js'),
  signal: () => import('../panels/signal.js'),
  augment: () => import('../panels/augment.js'),
  train: () => import('../panels/train/train.js'),
  transfer: () => import('../panels/transfer/transfer.js'),
};

// The core, once per page however many apps it holds: the first app to start decides the build (its `simd`), and
// every app and worker shares the one download and compiled module (www/js/compute/wasm.js). Its lists and limits complete
// the URL table before the first real parse.
let core = null;
let coreReady = false;
export function loadCore(simd) {
  if (core) return core;
  core = loadWasm(simd).then((loaded) => {
    configure(loaded.module.core_catalog());
    coreReady = true;
    return loaded;
  });
  coreStarted(core.catch(() => {}));
  return core;
}

// Settles once a view of this page has loaded the core (never, if none starts): the offline copy waits for it.
let coreStarted;
export const coreLoaded = new Promise((resolve) => { coreStarted = resolve; });

// The raw exports of the page's wasm instance (for the memory hook), or null before it loaded.
let coreExports = null;
export function wasmMemoryBytes() {
  return coreExports?.memory.buffer.byteLength ?? 0;
}

// While the core loads, the URL table lacks the core's lists: only the shell's own settings are read, for the
// chrome and the language.
function chromeOf({ state: early, given }, lang) {
  return { ...defaults(early.panel), panel: early.panel, lang: given.has('lang') ? early.lang : lang, embed: early.embed };
}

// The wasm module as a panel sees it: every class that owns wasm memory is counted, so that after dispose() a
// panel that forgot to free something is reported (as a console error, which fails the end-to-end tests).
function trackedWasm(wasm, live) {
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
  return recordCharts(tracked);
}

// Reset puts the panel's own settings back to their defaults (language and embedding stay); Copy link copies the
// link to this exact view (or, where the clipboard is refused, shows it selected); Embed gives the iframe snippet.
function panelTools(name, app) {
  const { ctx, store } = app;
  const state = () => app.state;
  const status = el('span', { class: 'tools-status', role: 'status' });
  const linkField = el('input', { type: 'text', readonly: true, hidden: true, class: 'mono copy-fallback', 'aria-label': t('tools.link') });
  const reset = () => {
    const partial = {};
    for (const key of Object.keys(state())) {
      if (known(key) && !['panel', 'lang', 'embed'].includes(key) && appliesTo(key, name)) partial[key] = defaultOf(key, name);
    }
    ctx.set(partial);
  };
  const copy = async () => {
    status.textContent = (await copyText(store.link(state()), linkField)) ? t('tools.copied') : t('embed.copy_refused');
    setTimeout(() => { status.textContent = ''; }, 3000);
  };
  const embed = embedAction(state, store.link);
  return el('div', { class: 'panel-tools' },
    el('button', { type: 'button', 'data-action': 'reset', onclick: reset }, t('tools.reset')),
    el('button', { type: 'button', 'data-action': 'copy-link', onclick: copy }, t('tools.copy_link')),
    embed.button, status, embed.status, linkField, embed.box);
}


// One history entry per deliberate change; a run of changes to the same single setting within a second is one entry.
// Returns mode(partial) → 'push' | 'replace'.
function historyModes() {
  let lastPush = { name: null, time: 0 };
  return (partial) => {
    const names = Object.keys(partial);
    const name = names.length === 1 ? names[0] : null;
    const now = performance.now();
    const coalesce = name !== null && name === lastPush.name && now - lastPush.time < 1000;
    lastPush = { name, time: now };
    return coalesce ? 'replace' : 'push';
  };
}

// The notices of an app (store.notices): a dismissable line each; `problems` are what parse() found in the store,
// said in the store's words (store.noticeKey), with the value each setting falls back to (`fallback(param)`).
function notices(store, fallback) {
  function notice(text, kind = 'warning') {
    const item = el('div', { class: `notice notice-${kind}` },
      el('span', {}, text),
      el('button', { type: 'button', class: 'dismiss', 'aria-label': t('notice.dismiss'), onclick: () => item.remove() }, '×'));
    store.notices.append(item);
  }
  function reportProblems(problems) {
    const k = store.noticeKey;
    for (const p of problems) {
      if (p.key === 'unknown') notice(t(`${k}.unknown`, { param: p.param }));
      else if (p.key === 'duplicate') notice(t(`${k}.duplicate`, { param: p.param, ...p.args }));
      else if (p.key === 'hash_too_long') notice(t(`${k}.hash_too_long`, p.args));
      else notice(t(`${k}.invalid`, { param: p.param, value: p.value, reason: t(`reason.${p.key}`, p.args), fallback: fallback(p.param) }));
    }
  }
  return { notice, reportProblems };
}

// store: {
//   read()              → { state, problems, given } as parse() returns them (the hash, or the attributes)
//   write(state, mode)  keeps the store in step with the state in effect; mode 'push' (a deliberate change) or 'replace'
//   link(state)         the full playground link to this view (Copy link, "open in the playground")
//   href(state)         the href of a link inside a panel to another view (a preset, the signal link)
//   owner(name)         the name of the app's runs in the page's registry (runs.js), unique per app
//   defaultLang()       the language when the store names none
//   chrome(state)       shows the state outside the panel (the page's nav and language buttons; an element's lang)
//   notices             the element notices go into;  noticeKey: the i18n prefix of their sentences
// }
// The functions below share one object `app`: the store, the state in effect and what the edit model needs, the
// panel mounted (`current`), the panels' ctx, the notices.
export function createApp(root, store) {
  const app = {
    root, store,
    state: null,
    before: null, // the state in effect before the last deliberate change: what a rejected value goes back to
    refused: new Map(), // `${panel}|${param}` → the values the core refused for it (never a fallback)
    lastEdit: null, // { name, text } of the field whose edit made the last change
    current: null, // { name, section, view, fields, live, wasm }
    historyMode: historyModes(),
    renderCount: 0,
    wasm: null, // the core's JS module
    disposed: false,
  };
  const fallbackText = (name) => (known(name) ? String(defaultOf(name, app.state?.panel)) : '');
  Object.assign(app, notices(store, fallbackText));
  app.ctx = panelContext(app);
  return {
    ctx: app.ctx,
    get state() { return app.state; },
    start: () => start(app).catch((e) => showFatal(app, e)),
    storeChanged: (names) => storeChanged(app, names),
    showFatal: (error) => showFatal(app, error),
    // Frees the panel's wasm objects; the app's runs stay in the registry (README "Runs and workers").
    dispose() {
      app.disposed = true;
      disposeCurrent(app);
    },
  };
}

// The values the core refused for `param` in the current panel.
function refusedValues(app, param) {
  const k = `${app.state?.panel}|${param}`;
  if (!app.refused.has(k)) app.refused.set(k, new Set());
  return app.refused.get(k);
}

// Shows any error visibly: a Rust panic arrives as a RuntimeError ("unreachable"), a bug in a panel as an exception.
function showFatal(app, error) {
  console.error(error);
  const panicked = error instanceof WebAssembly.RuntimeError;
  app.notice(panicked ? t('error.panic') : t('error.fatal', { message: String(error?.message ?? error).slice(0, 300) }), 'error');
  if (app.current?.section) app.current.section.setAttribute('aria-busy', 'false');
}

// Mounts the panel again (a language change, another panel), any failure shown.
function rerender(app) {
  render(app).catch((e) => showFatal(app, e));
}

function write(app, mode = 'replace') {
  app.store.write(app.state, mode);
  const open = app.current?.section.querySelector('.open-full');
  if (open) open.href = app.store.link(app.state);
}

// What panels call. set() takes already-validated values: { history: 'replace' } for a rewrite that is not a
// person's change (a pipeline written in its canonical form), { field, text } when a control's edit made it.
// reject() takes a value the core refused (an Error with .param, .code, .values from the wasm facade).
function panelContext(app) {
  return {
    get wasm() { return app.current?.wasm ?? app.wasm; },
    get state() { return app.state; },
    set: (partial, options) => setState(app, partial, options),
    reject: (error) => rejectValue(app, error),
    validate: parseValue,
    // Controls register here, so a rejection from the core can reach the field that caused it.
    registerField(name, field) {
      if (app.current) app.current.fields[name] = field;
    },
    // The href of a link to another view, and the registry name of this app's runs (README "Runs and workers").
    href: (s) => app.store.href(s),
    owner: (name) => app.store.owner(name),
  };
}

function setState(app, partial, { history: mode, field, text } = {}) {
  if (!coreReady) { // still loading (a language click): the store is read once the core is ready
    app.state = { ...app.state, ...partial };
    renderChrome(app);
    return;
  }
  const langChanged = partial.lang && partial.lang !== app.state.lang;
  if (mode !== 'replace') {
    app.before = app.state;
    app.lastEdit = field ? { name: field, text } : null;
    for (const name of Object.keys(partial)) app.current?.fields[name]?.clear();
  }
  app.state = { ...app.state, ...partial };
  write(app, mode ?? app.historyMode(partial));
  if (langChanged) rerender(app);
  else if (!app.current) renderChrome(app);
  else app.current.view.update(app.state);
}

// A value the core refused goes back to the last good one; the message goes to the field whose edit brought it, else
// to a notice.
function rejectValue(app, error) {
  const { state, before, lastEdit, current } = app;
  const param = error?.param;
  if (!known(param)) throw error;
  // A value the core refused is never a fallback again (a refused model in a link must not become what the next
  // refused model falls back to).
  refusedValues(app, param).add(String(state[param]));
  // The last good value: the one before the change that brought this value, unless refused, else the default.
  const undo = before && before.panel === state.panel && before[param] !== state[param]
    && !refusedValues(app, param).has(String(before[param]));
  const fallback = undo ? before[param] : defaultOf(param, state.panel);
  if (state[param] === fallback) throw error;
  const message = coreMessage(error);
  const field = current?.fields[param];
  if (field && lastEdit?.name === param) field.hold(lastEdit.text, `${param}: ${message}`);
  else app.notice(t('notice.rejected', { param, message, fallback: String(fallback) }));
  app.state = { ...state, [param]: fallback };
  write(app, 'replace');
  current.view.update(app.state);
}

function disposeCurrent(app) {
  const { current } = app;
  if (!current) return;
  current.view.dispose?.();
  const leaked = [...current.live].filter((o) => o.__wbg_ptr !== 0);
  if (leaked.length) {
    console.error(`panel ${current.name} left ${leaked.length} wasm object(s) allocated after dispose(): ${leaked.map((o) => o.constructor.name).join(', ')}`);
  }
  app.current = null;
}

function renderChrome(app) {
  setLang(app.state.lang);
  app.store.chrome(app.state);
  if (coreReady) write(app);
}

// Mounts the state's panel afresh into the root (once its code and the core are loaded; a newer render wins).
async function render(app) {
  const { root, store, ctx } = app;
  const token = ++app.renderCount;
  renderChrome(app);
  const name = app.state.panel;
  const [module] = await Promise.all([PANELS[name](), core]);
  if (token !== app.renderCount || app.disposed) return; // a newer render took over while this one waited
  const { state, wasm } = app;
  root.querySelector('.loading')?.remove();
  const section = el('section', { class: 'panel', 'data-panel': name, 'aria-busy': 'true' });
  keepFocus(section);
  if (state.embed) {
    section.append(el('a', { class: 'open-full', href: '#', target: '_blank', rel: 'noopener', 'data-i18n': 'app.open_full' }, t('app.open_full')));
  }
  // An embedded view without controls (controls=0) is read only: no Reset, Copy link or Embed either.
  if (!(state.embed && !state.controls)) section.append(panelTools(name, { ctx, store, get state() { return app.state; } }));
  root.replaceChildren(section);
  disposeCurrent(app);
  const live = new Set();
  app.current = { name, section, view: null, fields: {}, live, wasm: trackedWasm(wasm, live) };
  app.current.view = module.mount(section, ctx);
  installDownloads(section, () => app.wasm);
  arrange(section, app.state);
  write(app);
  app.current.view.update(app.state);
}

function read(app) {
  const parsed = app.store.read();
  if (!parsed.given.has('lang')) parsed.state.lang = app.state?.lang ?? app.store.defaultLang();
  return parsed;
}

// The store changed from outside: Back, Forward or a link edited by hand (the page), attributes set by the host
// page (an element; `names` are the ones that changed, every other setting stays as it is). Within the same panel
// and language the panel stays mounted and only updates (a running job or a person's half-typed text survives);
// otherwise it is mounted afresh.
function storeChanged(app, names = null) {
  const { store } = app;
  if (app.disposed) return;
  if (!coreReady) { // still loading: only the chrome follows; the first render reads the store again
    if (app.state) {
      app.state = { ...app.state, ...chromeOf(store.read(), app.state.lang) };
      renderChrome(app);
    }
    return;
  }
  store.notices.replaceChildren();
  const previous = app.state;
  const { state: parsed, problems } = read(app);
  setLang(names && !names.includes('lang') ? app.state.lang : parsed.lang); // notices in the language the view shows next
  if (names && !names.includes('panel')) {
    app.state = { ...app.state };
    for (const name of names) if (known(name)) app.state[name] = parsed[name];
    app.reportProblems(problems.filter((p) => names.includes(p.param)));
  } else {
    app.state = parsed;
    app.reportProblems(problems);
  }
  app.before = previous;
  app.lastEdit = null;
  const { current, state } = app;
  const same = current && previous && current.name === state.panel && previous.lang === state.lang && layoutKey(previous) === layoutKey(state);
  if (same) {
    for (const field of Object.values(current.fields)) field.clear();
    write(app);
    current.view.update(state);
  } else {
    rerender(app);
  }
}

// Reads the chrome's settings, loads the core (the panel's code meanwhile), then reads the store and renders.
async function start(app) {
  const { root, store } = app;
  app.state = chromeOf(store.read(), store.defaultLang());
  renderChrome(app);
  PANELS[app.state.panel]().catch(() => {}); // load the panel's code while the wasm compiles (render awaits it again)
  try {
    const loaded = await loadCore(store.read().state.simd);
    app.wasm = loaded.module;
    coreExports = loaded.exports;
    document.documentElement.dataset.wasmBuild = loaded.build;
  } catch (e) {
    root.querySelector('.loading')?.remove();
    app.notice(t('error.wasm', { message: String(e?.message ?? e) }), 'error');
    return;
  }
  if (app.disposed) return;
  const { state: parsed, problems } = read(app);
  app.state = parsed;
  setLang(app.state.lang); // the notices below are in the language of the view that shows them
  app.reportProblems(problems);
  await render(app);
}
