// The page shell: reads the URL, loads the wasm module, shows one panel, and keeps the URL in step with the controls.
// Panels are modules with mount(section, ctx) → { update(state), dispose?() }; a panel is listed here only once it
// really works.

import initWasm, * as wasm from '../pkg/cnn_playground.js';
import { defaultOf, defaults, known, parse, parseValue, serialize } from './state.js';
import { applyStatic, setLang, t } from './i18n.js';
import { el } from './ui.js';

const PANELS = {
  init: () => import('./panels/init.js'),
  signal: () => import('./panels/signal.js'),
  augment: () => import('./panels/augment.js'),
};

const notices = document.getElementById('notices');
const main = document.getElementById('main');
let state = null;
let current = null; // { name, section, view }
let writtenHash = null;

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

// Shows any error visibly: a Rust panic arrives as a RuntimeError, a bug in a panel as an exception.
function showFatal(error) {
  console.error(error);
  notice(t('error.fatal', { message: String(error?.message ?? error).slice(0, 300) }), 'error');
  if (current?.section) current.section.setAttribute('aria-busy', 'false');
}
window.addEventListener('error', (e) => showFatal(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showFatal(e.reason));

function writeHash() {
  writtenHash = serialize(state);
  if (location.hash !== writtenHash) history.replaceState(null, '', writtenHash);
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

// What panels call. set() takes already-validated values; reject() takes a value the core refused (an Error with
// .param from the wasm facade): it says so, puts the default back and redraws.
const ctx = {
  wasm,
  get state() { return state; },
  set(partial) {
    const langChanged = partial.lang && partial.lang !== state.lang;
    state = { ...state, ...partial };
    writeHash();
    if (langChanged) render(); else current.view.update(state);
  },
  reject(error) {
    const param = error?.param;
    const fallback = known(param) ? defaultOf(param, state.panel) : undefined;
    if (fallback === undefined || state[param] === fallback) throw error;
    notice(t('notice.rejected', { param, message: error.message, fallback: String(fallback) }));
    ctx.set({ [param]: fallback });
  },
  validate: parseValue,
};

function renderChrome() {
  setLang(state.lang);
  document.body.classList.toggle('embed', state.embed);
  applyStatic();
  const nav = document.querySelector('.site-nav');
  nav.replaceChildren(...Object.keys(PANELS).map((name) => el('a', { 'data-panel': name, href: '#' }, t(`panel.${name}`))));
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
}

async function render() {
  renderChrome();
  const name = state.panel;
  const module = await PANELS[name]();
  const section = el('section', { class: 'panel', 'data-panel': name, 'aria-busy': 'true' });
  if (state.embed) {
    section.append(el('a', { class: 'open-full', href: '#', target: '_blank', rel: 'noopener', 'data-i18n': 'app.open_full' }, t('app.open_full')));
  }
  main.replaceChildren(section);
  current?.view.dispose?.();
  current = { name, section, view: module.mount(section, ctx) };
  writeHash();
  current.view.update(state);
}

function readHash() {
  const { state: parsed, problems, given } = parse(location.hash);
  if (!given.has('lang')) parsed.lang = navigator.language?.startsWith('ko') ? 'ko' : 'en';
  state = parsed;
  setLang(state.lang);
  reportProblems(problems);
}

window.addEventListener('hashchange', () => {
  if (location.hash === writtenHash) return;
  notices.replaceChildren();
  readHash();
  render().catch(showFatal);
});

for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => ctx.set({ lang: b.dataset.lang }));

async function start() {
  readHash();
  renderChrome();
  PANELS[state.panel]().catch(() => {}); // load the panel's code while the wasm compiles (render awaits it again)
  try {
    await initWasm();
  } catch (e) {
    document.getElementById('loading')?.remove();
    notice(t('error.wasm', { message: String(e?.message ?? e) }), 'error');
    return;
  }
  await render();
}

start().catch(showFatal);
