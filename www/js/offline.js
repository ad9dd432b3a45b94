// Registers the service worker (www/sw.js) that keeps a copy of the playground's own files, so that after one visit
// the page and the lecture page work without a network. Pages of the playground import this; the <cnn-playground>
// element does not (a host page decides about its own service workers). Registered after the page loaded, so the
// copy never competes with the first view's downloads.
const SW = new URL('../sw.js', import.meta.url);

if ('serviceWorker' in navigator) {
  const register = () => navigator.serviceWorker.register(SW).catch((e) => console.warn(`offline copy unavailable: ${e?.message ?? e}`));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
