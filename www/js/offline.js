// Registers the service worker (www/sw.js) that keeps a copy of the playground's own files, so that after one visit
// the page and the lecture page work without a network. Pages of the playground import this; the <cnn-playground>
// element does not (a host page decides about its own service workers). The copy (both wasm builds, about 1.5 MB)
// is made once the first view has its wasm — or 10 s after the page loaded if no view starts — so it never competes
// with the first view's download.
import { coreLoaded } from './shell/app.js';

const SW = new URL('../sw.js', import.meta.url);
const LATEST_MS = 10_000;

function register() {
  navigator.serviceWorker.register(SW).catch((e) => console.warn(`offline copy unavailable: ${e?.message ?? e}`));
}

if ('serviceWorker' in navigator) {
  const loaded = document.readyState === 'complete' ? Promise.resolve() : new Promise((r) => window.addEventListener('load', r, { once: true }));
  loaded
    .then(() => Promise.race([coreLoaded, new Promise((r) => setTimeout(r, LATEST_MS))]))
    .then(register);
}
