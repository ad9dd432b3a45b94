// Small DOM helpers shared by the panels. Text goes in through textContent only: nothing from a URL, a file or the
// core is ever parsed as HTML.

import { lang, t } from '../i18n/index.js';

// el('p', { class: 'x', dataset: { key: 'a' } }, 'text', child) — strings become text nodes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// Plain decimal numbers for tables: up to 6 significant digits, no exponent, no grouping; inf and nan spelled out.
const plainFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6, useGrouping: false });
export function plain(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return plainFormat.format(x);
}

// A number as a sentence quotes it: plain decimals where readable (whole numbers up to 2⁵³ exactly), an exponent
// for very small or large values (1e308, never 309 digits); as error::brief does in the core.
export function brief(x) {
  if (!Number.isFinite(x)) return plain(x);
  const a = Math.abs(x);
  if (Number.isInteger(x) && a <= 2 ** 53) return String(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(5).replace(/\.?0+e/, 'e').replace('e+', 'e') : plain(x);
}

// A core error (a JS Error with .code and .values from the wasm facade) as a sentence in the page's language. The
// core's own message is English and names what it quotes (the step, the parameter, the unknown word), so an English
// page shows it; any other language gets the string core.CODE filled with the numbers, prefixed by the pipeline step
// when there is one. A code without a sentence falls back to the core's message.
export function coreMessage(error) {
  const message = String(error?.message ?? error).slice(0, 300);
  const key = `core.${error?.code}`;
  if (lang() === 'en' || !error?.code || t(key) === key) return message.replace(/^[\w.]+: /, '');
  const values = Object.fromEntries(Object.entries(error.values ?? {}).map(([k, v]) => [k, brief(v)]));
  const text = t(key, values);
  return 'step' in values ? t('core.in_step', { step: values.step, text }) : text;
}

// A number as the shortest text that reads back to the same value (JS's own shortest round-trip form), with the
// exponent's `+` left out because `+` in a URL reads as a space: 1e-300, 1e21, 0.1.
export function short(x) {
  return String(x).replace('e+', 'e');
}

let fieldCount = 0;

// A labelled control with a place for its error message right under it (aria-describedby links the two).
export function field(labelKey, control, helpKey) {
  const id = `f${++fieldCount}`;
  control.id = id;
  const error = el('p', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  control.setAttribute('aria-describedby', `${id}-err`);
  const wrap = el('div', { class: 'field' },
    el('label', { for: id, 'data-i18n': labelKey }, t(labelKey)),
    control,
    helpKey ? el('p', { class: 'field-help', 'data-i18n': helpKey }, t(helpKey)) : null,
    error);
  return { wrap, control, setError(message) { error.textContent = message ?? ''; control.toggleAttribute('aria-invalid', !!message); } };
}

export function select(name, options) {
  return el('select', { name }, options.map(([value, label]) => el('option', { value }, label)));
}

// A table whose rows are replaced as a whole; columns carry data-col so tests and readers can find them. It is a
// chart's text alternative and may scroll inside its own box (a phone, a long table), so it takes keyboard focus
// (tabindex 0; its caption names it) for the arrow keys to scroll it.
export function dataTable(id, captionKey, columns) {
  const table = el('table', { class: 'data-table', 'data-table': id, tabindex: '0' },
    el('caption', { 'data-i18n': captionKey }, t(captionKey)),
    el('thead', {}, el('tr', {}, columns.map(([col, key]) => el('th', { scope: 'col', 'data-col': col, 'data-i18n': key }, t(key))))),
    el('tbody'));
  return {
    table,
    setRows(rows) {
      table.tBodies[0].replaceChildren(...rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c)))));
    },
  };
}

// Copies text to the clipboard and says whether it could. Where the browser refuses (a cross-origin iframe without
// allow="clipboard-write", a page not served over HTTPS), `field` — a read-only input or textarea holding the text —
// is shown, focused and its text selected, so Ctrl+C (or a long press) copies it by hand.
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (field) {
      field.value = text;
      field.hidden = false;
      field.focus();
      field.select();
    }
    return false;
  }
}

// A block of code with a copy button.
export function codeBlock(label) {
  const code = el('code');
  const status = el('span', { class: 'copy-status', role: 'status' });
  const button = el('button', {
    type: 'button', class: 'copy', 'data-i18n': 'copy',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(code.textContent);
        status.textContent = t('copied');
      } catch {
        status.textContent = t('copy.failed');
      }
      setTimeout(() => { status.textContent = ''; }, 2000);
    },
  }, t('copy'));
  const wrap = el('div', { class: 'code' }, el('div', { class: 'code-head' }, el('span', {}, label), button, status), 
    // It scrolls sideways inside its box, so the keyboard can reach it; the region is named after the code's kind.
    el('pre', { tabindex: '0', role: 'region', 'aria-label': label }, code));
  return { wrap, code };
}

// Sizes a canvas to its CSS box in device pixels and returns the ratio, so charts stay sharp on dense screens.
export function fitCanvas(canvas) {
  const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
  const width = Math.round((canvas.clientWidth || 640) * ratio);
  const height = Math.round((canvas.clientHeight || 360) * ratio);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return ratio;
}

// The skip link (index.html) moves focus to the panel without touching the hash, which holds the settings.
export function skipLink(link, target) {
  link?.addEventListener('click', (e) => {
    e.preventDefault();
    target.setAttribute('tabindex', '-1');
    target.focus();
  });
}

// Runs fn at most once every `ms` milliseconds, with the latest arguments (the last call always runs): for views that
// many runs report to at once, so the main thread leaves the cores to the workers.
export function atMost(ms, fn) {
  let pending = null;
  let timer = null;
  let last = -Infinity;
  return (...args) => {
    pending = args;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      last = performance.now();
      const a = pending;
      pending = null;
      fn(...a);
    }, Math.max(0, last + ms - performance.now()));
  };
}

// Runs fn at most once per animation frame, with the latest arguments.
export function perFrame(fn) {
  let pending = null;
  return (...args) => {
    const first = pending === null;
    pending = args;
    if (first) requestAnimationFrame(() => { const a = pending; pending = null; fn(...a); });
  };
}

// Offers bytes or text as a file to save: a temporary object URL, revoked once the click has been handled.
export function downloadFile(data, name, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([data], { type }));
  el('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Keeps the keyboard's place when the pressed button becomes disabled (Start while its run runs): focus moves to the
// next enabled button of its group (Pause) instead of falling to the page's body.
export function keepFocus(root) {
  let last = null;
  root.addEventListener('focusin', (e) => { last = e.target; });
  new MutationObserver((records) => {
    for (const { target } of records) {
      if (target !== last || !target.disabled) continue;
      const active = document.activeElement;
      if (active && active !== document.body && active !== target) continue;
      const group = [...(target.closest('.run-buttons') ?? target.parentElement).querySelectorAll('button')];
      const i = group.indexOf(target);
      const next = [...group.slice(i + 1), ...group.slice(0, i).reverse()].find((b) => !b.disabled);
      next?.focus();
    }
  }).observe(root, { subtree: true, attributes: true, attributeFilter: ['disabled'] });
}
