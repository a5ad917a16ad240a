// The page's side of the service worker (coi-sw.js) once the worker serves it, loaded by coi.js
// once the page is ready: the page says when it came from the browser's copy, asks the worker
// to keep what it loaded before the worker served it (a first visit), and lets a newer build take
// over when this is its only page, reloading once under it.

/** Attaches this page to `registration`; `address` is the page's URL as loaded. */
export function attach(registration, address) {
  const sw = navigator.serviceWorker;
  const root = document.documentElement;
  sw.addEventListener("message", ({ data }) => {
    if (!data) return;
    if (data.build) root.dataset.build = data.build;
    if (data.kept !== undefined) root.dataset.offlineReady = data.kept;
    if (data.from === "cache") fromCache(data.build);
  });
  sw.startMessages();
  sw.controller?.postMessage("how");
  // A few seconds later, when idle: copying files the page just used is not the visitor's time.
  setTimeout(() => (self.requestIdleCallback ?? setTimeout)(() => sw.controller?.postMessage({
    keep: [location.href, ...performance.getEntriesByType("resource").map((e) => e.name)],
  }), { timeout: 5000 }), 3000);
  const offer = (worker) => worker && worker.postMessage("take-over");
  const watch = (next) => next?.addEventListener("statechange", () => next.state === "installed" && offer(next));
  sw.addEventListener("controllerchange", () => location.replace(address), { once: true });
  offer(registration.waiting);
  watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
}

/** Says, above the app, that the page came from the browser's copy of build `build`. */
function fromCache(build) {
  document.documentElement.dataset.fromCache = build;
  const p = document.createElement("p");
  p.className = "from-cache";
  p.dataset.testid = "from-cache";
  p.setAttribute("role", "status");
  p.textContent = `Loaded from this browser's copy of the playground (build ${build}): it runs without the network too.`;
  // The page is ready (coi.js loads this only then): the app has mounted, and clears its host,
  // the body, no more.
  document.body.prepend(p);
}
