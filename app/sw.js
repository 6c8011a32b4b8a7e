/*
 * Service worker: keeps both pages, their code and the models this browser can use, so that
 * after one visit the site works without a network. webpack.config.js writes dist/sw.js as
 * `const PRECACHE = {build, files: {path: revision}};` followed by this file; every build with
 * a changed file has a new `build`, so the browser installs the new worker, which fills a
 * new cache and deletes the old one.
 */
/* global PRECACHE */
const PREFIX = 'digits-';
const CACHE = PREFIX + PRECACHE.build;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // no-cache: revalidate with the server, so an HTTP cache never hands over an old file
    await cache.addAll(Object.keys(PRECACHE.files).map((path) => new Request(path, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(respond(event, url));
});

async function respond(event, url) {
  const { request } = event;
  const cache = await caches.open(CACHE);
  if (request.mode === 'navigate') {
    // A page is cached once, without its ?seed=...&digit=... state; "/" is index.html.
    const page = url.pathname.endsWith('/') ? new URL('index.html', url) : url;
    const hit = await cache.match(page.href, { ignoreSearch: true });
    if (hit) return hit;
  } else {
    const hit = await cache.match(request);
    if (hit) return hit;
  }
  const response = await fetch(request);
  // Model files of a backend not precached (WebGL): kept once used, until the next build.
  // (Not awaited: the page reads the body as it arrives, for its progress bar.)
  if (response.ok && url.pathname.includes('/models/')) {
    event.waitUntil(cache.put(request, response.clone()));
  }
  return response;
}
