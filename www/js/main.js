// The page: one app (app.js) whose store is the location hash. What is the page's own lives here: the hash and its
// history entries, the nav and the language buttons, the page-wide error handlers and the test hooks. An embedded
// view (embed=1) replaces its URL instead of adding history (its history is the host's).

import { createApp, PANELS, wasmMemoryBytes } from './shell/app.js';
import { defaults, parse, serialize } from './url/state.js';
import { applyStatic, t } from './i18n/index.js';
import { el, skipLink } from './ui/dom.js';
import { reportHeight } from './shell/embedding.js';
import './offline.js';

let writtenHash = null;

function updateLinks(state) {
  for (const a of document.querySelectorAll('.site-nav a[data-panel]')) {
    // Another panel opens on its own defaults (the signal panel's are a preset with its note), not on this one's
    // settings: tanh + He from the init panel would be a view without a lesson.
    const other = a.dataset.panel !== state.panel;
    a.href = serialize(other ? { ...defaults(a.dataset.panel), panel: a.dataset.panel, lang: state.lang, embed: state.embed } : state);
    if (a.dataset.panel === state.panel) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// The panel's name, and a short one that phones show instead (www/css/style.css) to keep the nav on one line.
function navLabel(name) {
  const short = t(`panel.short.${name}`);
  if (short === `panel.short.${name}`) return t(`panel.${name}`);
  return [el('span', { class: 'long' }, t(`panel.${name}`)), el('span', { class: 'short' }, short)];
}

const hashStore = {
  notices: document.getElementById('notices'),
  noticeKey: 'notice',
  read: () => parse(location.hash),
  // 'push' makes a history entry (Back undoes it), 'replace' rewrites the current one.
  write(state, mode) {
    writtenHash = serialize(state);
    if (location.hash !== writtenHash) {
      if (mode === 'push' && !state.embed) history.pushState(null, '', writtenHash);
      else history.replaceState(null, '', writtenHash);
    }
    updateLinks(state);
  },
  link: (state) => location.href.split('#')[0] + serialize({ ...state, embed: false }),
  href: (state) => serialize(state),
  owner: (name) => name,
  defaultLang: () => (navigator.language?.startsWith('ko') ? 'ko' : 'en'),
  chrome(state) {
    document.documentElement.lang = state.lang;
    document.body.classList.toggle('embed', state.embed);
    applyStatic();
    const nav = document.querySelector('.site-nav');
    // The panels, then the lecture notes (www/notes/) in the page's language.
    nav.replaceChildren(...Object.keys(PANELS).map((name) => el('a', { 'data-panel': name, href: '#' }, navLabel(name))),
      el('a', { class: 'notes-link', 'data-link': 'notes', href: `notes/#lang=${state.lang}` }, navLabel('notes')));
    for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
    updateLinks(state); // before the core is ready, the hash is the person's link, unread: only the links follow
  },
};

const main = document.getElementById('main');
const app = createApp(main, hashStore);
skipLink(document.querySelector('.skip-link'), main);
reportHeight(() => app.state); // only in an iframe, only with embed=1

window.addEventListener('error', (e) => app.showFatal(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => app.showFatal(e.reason));

// Back, Forward, or a link edited by hand.
window.addEventListener('hashchange', () => {
  if (location.hash !== writtenHash) app.storeChanged();
});

for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => app.ctx.set({ lang: b.dataset.lang }));

// Hooks for tests and embedding (README): the size of the main thread's wasm memory.
globalThis.cnnPlayground = Object.freeze({ wasmMemoryBytes });

app.start();
