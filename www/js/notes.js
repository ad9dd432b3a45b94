// The lecture page (www/notes/): Korean by default, English with the switch (or #lang=en). The page's own prose
// carries both languages (.t[lang]) and CSS shows the one of <html lang>; the live views follow: each
// <cnn-playground> gets the language as its attribute, each iframe (an embedded playground page) as its lang=.
import './element.js';
import './offline.js';

const TITLES = {
  ko: 'CNN 학습 강의 노트 · CNN Playground',
  en: 'Training CNNs: lecture notes · CNN Playground',
};

function langOfHash() {
  return /(?:^#|&)lang=en(?:&|$)/.test(location.hash) ? 'en' : 'ko';
}

function apply(lang) {
  document.documentElement.lang = lang;
  document.title = TITLES[lang];
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  for (const view of document.querySelectorAll('cnn-playground')) view.setAttribute('lang', lang);
  for (const frame of document.querySelectorAll('iframe[data-src]')) {
    const src = new URL(`${frame.dataset.src}&lang=${lang}`, location.href).href;
    if (!frame.getAttribute('src')) frame.src = src;
    else if (frame.src !== src) frame.contentWindow?.location.replace(src); // a hash change inside it, no history here
  }
}

for (const b of document.querySelectorAll('[data-lang]')) {
  b.addEventListener('click', () => {
    history.replaceState(null, '', `#lang=${b.dataset.lang}`);
    apply(b.dataset.lang);
  });
}
window.addEventListener('hashchange', () => apply(langOfHash()));
apply(langOfHash());
