// The playground's own service worker, registered by every visit (coi.js), in the full page and
// in a course page's frame. It keeps the site's files, and CPython's once a visit loads them, in a
// cache named for the build, and answers from there first: a return visit downloads nothing, and
// with the network gone the page, its engines and CPython still load. It also adds the page's
// headers (cross-origin isolation, its Content-Security-Policy) to the responses it serves, for
// hosts that cannot set headers. A new build is a new script (the build writes its id into
// BUILD): it installs beside the old one and takes over only when a single page is left to reload
// under it (coi.js asks), so that no page mixes the files of two builds.
const BUILD = "dev";
const CACHE = `playground-${BUILD}`;
// How each page (client id) was served: "cache" or "network", for the note coi.js shows.
const served = new Map();
self.addEventListener("install", () => {
  // The first install takes the page at once (isolation needs it); an update waits.
  if (!self.registration.active) self.skipWaiting();
});
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith("playground-") && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));
self.addEventListener("message", (event) => {
  const source = event.source;
  if (event.data === "take-over") {
    event.waitUntil(self.clients.matchAll({ type: "window" }).then((pages) => {
      if (pages.length <= 1) return self.skipWaiting();
    }));
  } else if (event.data === "how" && source) {
    source.postMessage({ build: BUILD, from: served.get(source.id) ?? "network" });
  } else if (Array.isArray(event.data?.keep)) {
    // What a page loaded before this worker served it (its first visit): kept too, so that the
    // next visit finds every file it needs here.
    event.waitUntil(keep(event.data.keep).then((n) => source?.postMessage({ build: BUILD, kept: n })));
  }
});
// A file's key in the cache: a page is one file whatever its query (the experiment is in the
// query, not the file); every other file is its whole URL.
function keyOf(url) {
  const at = new URL(url, self.location.href);
  return at.pathname.endsWith("/") || at.pathname.endsWith(".html") ? at.pathname : at.href;
}
async function keep(urls) {
  const cache = await caches.open(CACHE);
  let kept = 0;
  for (const url of urls) {
    const at = new URL(url, self.location.href);
    if (at.origin !== self.location.origin) continue;
    const key = keyOf(at.href);
    if (!(await cache.match(key))) {
      const response = await fetch(at.href).catch(() => null);
      if (!response || !response.ok) continue;
      await cache.put(key, withHeaders(response));
    }
    kept++;
  }
  return kept;
}
// The page's headers, as the server's list has them (xtask/src/headers.rs, `PAGE`; a test holds
// the two equal): isolation, and the same Content-Security-Policy.
function withHeaders(response) {
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  headers.set("Document-Isolation-Policy", "isolate-and-require-corp");
  headers.set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors *");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  if (request.headers.has("range")) return;
  const page = request.mode === "navigate";
  const key = keyOf(request.url);
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(key);
    if (kept) {
      if (page) served.set(event.resultingClientId, "cache");
      return kept;
    }
    const response = await fetch(request);
    if (response.status === 0) return response;
    const ours = withHeaders(response);
    if (response.ok && !response.redirected) event.waitUntil(cache.put(key, ours.clone()));
    if (page) served.set(event.resultingClientId, "network");
    return ours;
  })());
});
