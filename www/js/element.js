// <cnn-playground panel="signal" act="tanh" init="xavier_normal" …>: a live view of the playground inside another
// page served with the playground's files. Its attributes are the URL parameters — read with the same table, limits
// and notices as the hash (state.js), so a bad or unknown attribute gives a notice and the default, never an error —
// and its store is those attributes plus the state in memory: a person's edits inside the view stay in the element,
// and the host page's location.hash is never read or written. Changing an attribute updates the view (only that
// setting; `panel` mounts the view afresh from all attributes).
//
// All views on a page share one core: one wasm download and compiled module, one registry of runs and one pool of
// workers (app.js, wasm.js, runs.js). A view starts — and the first one loads the core — only when it comes near the
// viewport (IntersectionObserver). The strings are page-wide: all views on a page show one language.
//
//   <link rel="stylesheet" href="PLAYGROUND/css/style.css">   (added by the element when the page has none)
//   <script type="module" src="PLAYGROUND/js/element.js"></script>
//   <cnn-playground panel="signal" act="tanh" init="normal" std="0.01"></cnn-playground>

import { createApp } from './shell/app.js';
import { parse, serialize } from './url/state.js';
import { applyStatic, t } from './i18n/index.js';
import { el } from './ui/dom.js';

const PLAYGROUND = new URL('../index.html', import.meta.url);
const STYLESHEET = new URL('../css/style.css', import.meta.url).href;
// Attributes any HTML element may carry belong to the host page, not to the settings.
const HOST_ATTRIBUTE = /^(id|class|style|hidden|title|tabindex|slot|part|dir|role|inert|aria-.*|data-.*)$/;
// Starts a little before the view scrolls in, so it is drawn by the time it is seen.
const START_MARGIN = '200px';

let count = 0;

function ensureStylesheet() {
  if ([...document.styleSheets].some((s) => s.href === STYLESHEET) || document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  document.head.append(el('link', { rel: 'stylesheet', href: STYLESHEET }));
}

export class CnnPlayground extends HTMLElement {
  constructor() {
    super();
    this.uid = ++count; // names this view's runs in the page's registry (runs.js)
    this.app = null;
  }

  // The attributes as a hash for state.js: every attribute but the host's own, encoded, so parse() decodes them back
  // exactly and applies the hash's limits.
  settingsText() {
    return [...this.attributes]
      .filter((a) => !HOST_ATTRIBUTE.test(a.name))
      .map((a) => `${encodeURIComponent(a.name)}=${encodeURIComponent(a.value)}`)
      .join('&');
  }

  connectedCallback() {
    if (this.app) return;
    ensureStylesheet();
    const notices = el('div', { class: 'notices', role: 'alert', 'aria-live': 'assertive' });
    const view = el('div', { class: 'cnn-view' }, el('p', { class: 'loading', 'data-i18n': 'app.loading' }, t('app.loading')));
    this.replaceChildren(notices, view);
    const host = this;
    const store = {
      notices,
      noticeKey: 'element.notice',
      read: () => parse(host.settingsText()),
      write() {}, // the state in effect lives in the app; the attributes stay the host's
      link: (state) => PLAYGROUND.href + serialize({ ...state, embed: false }),
      href: (state) => PLAYGROUND.href + serialize({ ...state, embed: false }),
      owner: (name) => `${name}@element${host.uid}`,
      defaultLang: () => (host.parentElement?.closest('[lang]')?.lang.startsWith('ko') ? 'ko' : 'en'),
      chrome(state) {
        view.lang = state.lang;
        view.classList.toggle('embed', state.embed); // the compact presentation of embed=1, as the page's body has it
        applyStatic(host);
      },
    };
    const app = createApp(view, store);
    this.app = app;
    let started = false;
    this.visibility = new IntersectionObserver((entries) => {
      if (started || !entries.some((e) => e.isIntersecting)) return;
      started = true;
      this.visibility.disconnect();
      this.dataset.started = '';
      app.start();
    }, { rootMargin: START_MARGIN });
    this.visibility.observe(this);
    this.changes = new MutationObserver((records) => {
      if (!started) return; // read when it starts
      const names = [...new Set(records.map((r) => r.attributeName))].filter((n) => !HOST_ATTRIBUTE.test(n));
      if (names.length) app.storeChanged(names);
    });
    this.changes.observe(this, { attributes: true });
  }

  // Removed from the page: the view frees its wasm objects, and its runs are closed unless the element comes back in
  // the same task (a move in the DOM), when it starts again from its attributes.
  disconnectedCallback() {
    const started = 'started' in this.dataset;
    this.visibility?.disconnect();
    this.changes?.disconnect();
    this.app?.dispose();
    this.app = null;
    delete this.dataset.started;
    if (!started) return;
    const owner = `@element${this.uid}`;
    setTimeout(async () => {
      if (this.isConnected) return;
      const { runs } = await import('./compute/runs.js');
      for (const run of runs.list()) if (run.owner?.endsWith(owner) && run.live) run.close();
    });
  }
}

if (!customElements.get('cnn-playground')) customElements.define('cnn-playground', CnnPlayground);
