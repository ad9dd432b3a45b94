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
export function createApp(root, store) {
  let state = null;
  let before = null; // the state in effect before the last deliberate change: what a rejected value goes back to
  const refused = new Map(); // `${panel}|${param}` → the values the core refused for it (never a fallback)
  const refusedValues = (param) => {
    const k = `${state?.panel}|${param}`;
    if (!refused.has(k)) refused.set(k, new Set());
    return refused.get(k);
  };
  let lastEdit = null; // { name, text } of the field whose edit made the last change
  let current = null; // { name, section, view, fields, live, wasm }
  const historyMode = historyModes();
  let renderCount = 0;
  let wasm = null; // the core's JS module
  let disposed = false;

  const fallbackText = (name) => (known(name) ? String(defaultOf(name, state?.panel)) : '');
  const { notice, reportProblems } = notices(store, fallbackText);

  // Shows any error visibly: a Rust panic arrives as a RuntimeError ("unreachable"), a bug in a panel as an exception.
  function showFatal(error) {
    console.error(error);
    const panicked = error instanceof WebAssembly.RuntimeError;
    notice(panicked ? t('error.panic') : t('error.fatal', { message: String(error?.message ?? error).slice(0, 300) }), 'error');
    if (current?.section) current.section.setAttribute('aria-busy', 'false');
  }

  function write(mode = 'replace') {
    store.write(state, mode);
    const open = current?.section.querySelector('.open-full');
    if (open) open.href = store.link(state);
  }

  // What panels call. set() takes already-validated values: { history: 'replace' } for a rewrite that is not a
  // person's change (a pipeline written in its canonical form), { field, text } when a control's edit made it.
  // reject() takes a value the core refused (an Error with .param, .code, .values from the wasm facade).
  const ctx = {
    get wasm() { return current?.wasm ?? wasm; },
    get state() { return state; },
    set(partial, { history: mode, field, text } = {}) {
      if (!coreReady) { // still loading (a language click): the store is read once the core is ready
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
      write(mode ?? historyMode(partial));
      if (langChanged) render().catch(showFatal);
      else if (!current) renderChrome();
      else current.view.update(state);
    },
    reject(error) {
      const param = error?.param;
      if (!known(param)) throw error;
      // A value the core refused is never a fallback again (a refused model in a link must not become what the next
      // refused model falls back to).
      refusedValues(param).add(String(state[param]));
      // The last good value: the one before the change that brought this value, unless refused, else the default.
      const undo = before && before.panel === state.panel && before[param] !== state[param]
        && !refusedValues(param).has(String(before[param]));
      const fallback = undo ? before[param] : defaultOf(param, state.panel);
      if (state[param] === fallback) throw error;
      const message = coreMessage(error);
      const field = current?.fields[param];
      if (field && lastEdit?.name === param) field.hold(lastEdit.text, `${param}: ${message}`);
      else notice(t('notice.rejected', { param, message, fallback: String(fallback) }));
      state = { ...state, [param]: fallback };
      write('replace');
      current.view.update(state);
    },
    validate: parseValue,
    // Controls register here, so a rejection from the core can reach the field that caused it.
    registerField(name, field) {
      if (current) current.fields[name] = field;
    },
    // The href of a link to another view, and the registry name of this app's runs (README "Runs and workers").
    href: (s) => store.href(s),
    owner: (name) => store.owner(name),
  };

  function disposeCurrent() {
    if (!current) return;
    current.view.dispose?.();
    const leaked = [...current.live].filter((o) => o.__wbg_ptr !== 0);
    if (leaked.length) {
      console.error(`panel ${current.name} left ${leaked.length} wasm object(s) allocated after dispose(): ${leaked.map((o) => o.constructor.name).join(', ')}`);
    }
    current = null;
  }

  function renderChrome() {
    setLang(state.lang);
    store.chrome(state);
    if (coreReady) write();
  }

  async function render() {
    const token = ++renderCount;
    renderChrome();
    const name = state.panel;
    const [module] = await Promise.all([PANELS[name](), core]);
    if (token !== renderCount || disposed) return; // a newer render took over while this one waited
    root.querySelector('.loading')?.remove();
    const section = el('section', { class: 'panel', 'data-panel': name, 'aria-busy': 'true' });
    keepFocus(section);
    if (state.embed) {
      section.append(el('a', { class: 'open-full', href: '#', target: '_blank', rel: 'noopener', 'data-i18n': 'app.open_full' }, t('app.open_full')));
    }
    // An embedded view without controls (controls=0) is read only: no Reset, Copy link or Embed either.
    if (!(state.embed && !state.controls)) section.append(panelTools(name, { ctx, store, get state() { return state; } }));
    root.replaceChildren(section);
    disposeCurrent();
    const live = new Set();
    current = { name, section, view: null, fields: {}, live, wasm: trackedWasm(wasm, live) };
    current.view = module.mount(section, ctx);
    installDownloads(section, () => wasm);
    arrange(section, state);
    write();
    current.view.update(state);
  }

  function read() {
    const parsed = store.read();
    if (!parsed.given.has('lang')) parsed.state.lang = state?.lang ?? store.defaultLang();
    return parsed;
  }

  // The store changed from outside: Back, Forward or a link edited by hand (the page), attributes set by the host
  // page (an element; `names` are the ones that changed, every other setting stays as it is). Within the same panel
  // and language the panel stays mounted and only updates (a running job or a person's half-typed text survives);
  // otherwise it is mounted afresh.
  function storeChanged(names = null) {
    if (disposed) return;
    if (!coreReady) { // still loading: only the chrome follows; the first render reads the store again
      if (state) {
        state = { ...state, ...chromeOf(store.read(), state.lang) };
        renderChrome();
      }
      return;
    }
    store.notices.replaceChildren();
    const previous = state;
    const { state: parsed, problems } = read();
    setLang(names && !names.includes('lang') ? state.lang : parsed.lang); // notices in the language the view shows next
    if (names && !names.includes('panel')) {
      state = { ...state };
      for (const name of names) if (known(name)) state[name] = parsed[name];
      reportProblems(problems.filter((p) => names.includes(p.param)));
    } else {
      state = parsed;
      reportProblems(problems);
    }
    before = previous;
    lastEdit = null;
    const same = current && previous && current.name === state.panel && previous.lang === state.lang && layoutKey(previous) === layoutKey(state);
    if (same) {
      for (const field of Object.values(current.fields)) field.clear();
      write();
      current.view.update(state);
    } else {
      render().catch(showFatal);
    }
  }

  async function start() {
    state = chromeOf(store.read(), store.defaultLang());
    renderChrome();
    PANELS[state.panel]().catch(() => {}); // load the panel's code while the wasm compiles (render awaits it again)
    try {
      const loaded = await loadCore(store.read().state.simd);
      wasm = loaded.module;
      coreExports = loaded.exports;
      document.documentElement.dataset.wasmBuild = loaded.build;
    } catch (e) {
      root.querySelector('.loading')?.remove();
      notice(t('error.wasm', { message: String(e?.message ?? e) }), 'error');
      return;
    }
    if (disposed) return;
    const { state: parsed, problems } = read();
    state = parsed;
    setLang(state.lang); // the notices below are in the language of the view that shows them
    reportProblems(problems);
    await render();
  }

  return {
    ctx,
    get state() { return state; },
    start: () => start().catch(showFatal),
    storeChanged,
    showFatal,
    // Frees the panel's wasm objects; the app's runs stay in the registry (README "Runs and workers").
    dispose() {
      disposed = true;
      disposeCurrent();
    },
  };
}
