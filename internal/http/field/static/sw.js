// 社管通 service worker (a module worker, scope /field/). It keeps the app
// shell and the vendored Leaflet in a versioned cache, answers them cache
// first, and never caches the API: registry and case answers (which may
// carry personal data, and whose URLs may carry ID numbers) stay out of
// the Cache Storage. Background Sync sends the outbox when the network
// returns, even with the app closed.
import { syncOutbox } from "./js/outbox.js";

const CACHE = "gridgov-field-__VERSION__";
const SHELL = ["__SHELL__"];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("gridgov-field-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // the network only: API calls are never cached here
  }
  if (req.mode === "navigate" && url.pathname.startsWith("/field/")) {
    e.respondWith(fetch(req).catch(() => caches.open(CACHE).then((c) => c.match("/field/"))));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    e.respondWith(caches.open(CACHE).then((c) => c.match(url.pathname)).then((r) => r || fetch(req)));
  }
});

self.addEventListener("sync", (e) => {
  if (e.tag === "outbox") {
    e.waitUntil(syncOutbox());
  }
});

self.addEventListener("message", (e) => {
  if (e.data === "sync") {
    e.waitUntil(syncOutbox());
  }
});
