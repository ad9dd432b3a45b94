// Every UI string in Korean and English, kept per panel in www/js/i18n/ and assembled here into one table.
// t(key, args) fills {name} placeholders; a missing key shows the key itself (and the end-to-end suite checks that
// both languages have every key, and that no key is defined by two panels).

import common from './common.js';
import init from './init.js';
import signal from './signal.js';
import augment from './augment.js';
import train from './train.js';
import element from './element.js';
import embed from './embed.js';
import transfer from './transfer.js';
import draw from './draw.js';
import download from './download.js';

export const PARTS = { common, init, signal, augment, train, element, embed, transfer, draw, download };

export const STRINGS = {
  en: Object.assign({}, ...Object.values(PARTS).map((part) => part.en)),
  ko: Object.assign({}, ...Object.values(PARTS).map((part) => part.ko)),
};

let current = 'en';

// The strings are page-wide: every view on a page shows one language (the page's, or the one an element last set).
// Where the language is marked (<html lang>, an element's own lang) is up to the view.
export function setLang(lang) {
  current = STRINGS[lang] ? lang : 'en';
}

export function lang() {
  return current;
}

export function t(key, args = {}) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in args ? String(args[name]) : m));
}

// Fills elements marked data-i18n (text) and data-i18n-aria-label under root.
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}
