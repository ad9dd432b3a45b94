// The lecture page (www/notes/): Korean by default, English with the switch (or #lang=en). The page's own prose
// carries both languages (.t[lang]) and CSS shows the one of <html lang>; the live views follow: each
// <cnn-playground> gets the language as its attribute, each iframe (an embedded playground page) as its lang=.
import './element.js';
import './offline.js';

const TITLES = {
  ko: 'CNN 학습 강의 노트 · CNN 플레이그라운드',
  en: 'Training CNNs: lecture notes · CNN Playground',
};

function langOfHash() {
  return /(?:^#|&)lang=en(?:&|$)/.test(location.hash) ? 'en' : 'ko';
}

// An iframe is a page of its own (its own wasm download), so like the elements it loads only when it comes near the
// viewport: loading="lazy" alone starts frames far below (Chromium's threshold is over a thousand pixels), where they
// compete with the first view.
const near = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting) continue;
    near.unobserve(e.target);
    e.target.src = frameSrc(e.target, document.documentElement.lang);
  }
}, { rootMargin: '200px' });

function frameSrc(frame, lang) {
  return new URL(`${frame.dataset.src}&lang=${lang}`, location.href).href;
}

function apply(lang) {
  document.documentElement.lang = lang;
  document.title = TITLES[lang];
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  for (const view of document.querySelectorAll('cnn-playground')) view.setAttribute('lang', lang);
  for (const frame of document.querySelectorAll('iframe[data-src]')) {
    frame.title = frame.dataset[lang === 'ko' ? 'titleKo' : 'titleEn'];
    const src = frameSrc(frame, lang);
    if (!frame.getAttribute('src')) near.observe(frame);
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
