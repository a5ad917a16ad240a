// Cross-origin isolation for hosts that cannot send headers (GitHub Pages and most static hosts):
// our own service worker (coi-sw.js, same origin) adds COOP/COEP to our responses, and one reload
// puts the page under it. Guards: nothing to do when the page is already isolated; skipped in
// iframes (a service worker cannot isolate a frame whose parent is not isolated); at most one
// reload per tab session, so a browser that still refuses cannot loop; `?coi=0` opts out.
(() => {
  if (self.crossOriginIsolated) return;
  if (window.top !== window) return;
  if (!window.isSecureContext || !("serviceWorker" in navigator)) return;
  if (new URL(location.href).searchParams.get("coi") === "0") return;
  const KEY = "concurrency-playground-coi-reloads";
  // The address as loaded: the page rewrites its URL (run=1 is dropped once it ran), and the
  // reload must bring back the experiment that was asked for.
  const address = location.href;
  const reloads = Number(sessionStorage.getItem(KEY) || 0);
  const script = document.currentScript && document.currentScript.src;
  const worker = new URL("./coi-sw.js", script || location.href);
  navigator.serviceWorker.register(worker, { scope: "./" }).then((registration) => {
    if (reloads >= 1) return;
    const reload = () => {
      sessionStorage.setItem(KEY, String(reloads + 1));
      location.replace(address);
    };
    if (navigator.serviceWorker.controller) return reload();
    navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
    if (registration.active && !registration.installing && !registration.waiting) reload();
  }).catch((err) => console.warn("Concurrency Playground: no service worker:", err.message));
})();
