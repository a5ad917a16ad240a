// Registers the playground's service worker (coi-sw.js) on every visit, in the full page and in a
// course page's frame: it keeps this build's files for return visits and for when the network is
// gone, and isolates the page on hosts that cannot send the headers. Isolation by the worker
// needs one reload of a top-level page (a frame cannot be isolated by it: its parent is not), at
// most one per tab session, so a browser that still refuses cannot loop. The rest (what the
// worker says of this page, keeping what it loaded, a newer build's take-over) is coi-page.js,
// loaded once the page is ready: it is no part of the first load. `?coi=0` opts out of it all.
(() => {
  const query = location.search;
  // Threads stepped by the learner or searched by the page (`schedule=you|search`; any other
  // value but `gil` goes there too, where the page explains it) have a page of their own.
  if (/[?&]schedule=[^g&]/.test(query) && !/stepping/.test(location.pathname)) return location.replace(`stepping.html${query}`);
  if (!window.isSecureContext || !("serviceWorker" in navigator)) return;
  if (new URLSearchParams(query).get("coi") === "0") return;
  const KEY = "playground-coi-reloads";
  // The address as loaded: the page rewrites its URL (run=1 is dropped once it ran), and a
  // reload must bring back the experiment that was asked for.
  const address = location.href;
  let reloads = 1;
  try {
    reloads = Number(sessionStorage.getItem(KEY) || 0);
  } catch {}
  const reload = () => {
    try {
      sessionStorage.setItem(KEY, String(reloads + 1));
    } catch {}
    location.replace(address);
  };
  const base = document.currentScript?.src || location.href;
  const sw = navigator.serviceWorker;
  // Once the page is ready (`html[data-ready]`, set by the app).
  const rest = (registration) => {
    const root = document.documentElement;
    const go = () => import(new URL("./coi-page.js", base).href).then((m) => m.attach(registration, address));
    if (root.dataset.ready) return go();
    const seen = new MutationObserver(() => root.dataset.ready && (seen.disconnect(), go()));
    seen.observe(root, { attributes: true, attributeFilter: ["data-ready"] });
  };
  sw.register(new URL("./coi-sw.js", base), { scope: "./" }).then((registration) => {
    if (sw.controller) return rest(registration);
    if (self.crossOriginIsolated || window.top !== window || reloads >= 1) {
      sw.addEventListener("controllerchange", () => rest(registration), { once: true });
      return;
    }
    sw.addEventListener("controllerchange", reload, { once: true });
    if (registration.active && !registration.installing && !registration.waiting) reload();
  }).catch((err) => console.warn("Concurrency Playground: no service worker:", err.message));
})();
