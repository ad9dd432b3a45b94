// The service worker: after one visit the page and the lecture page (notes/) work without a network.
// build.js (written by tools/sw-manifest.mjs at each `make build`) names the build — a hash of every file served —
// and lists those files. A new build is a new build.js, so the browser installs this worker again: it caches the new
// files under the new build's name and, once active, deletes the caches of older builds.
//
// Requests go to the network first (online, a person always gets the files the server has, and the cache follows
// them); only when the network fails does the cache answer. Query strings are ignored when matching (a worker's
// ?simd=relaxed, a page's ?lang=en).
importScripts('build.js');

const PREFIX = 'cnn-playground-';
const CACHE = PREFIX + self.BUILD.id;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(self.BUILD.files)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).then((response) => {
    if (response.ok && response.type === 'basic') {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
    }
    return response;
  }, async (error) => {
    const cached = await caches.match(request, { ignoreSearch: true, cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }));
});
