// The course page's side of the contract: listen for `run-finished` messages from the
// playground's iframes and list them. (A file of its own: the page's CSP allows no inline code.)
window.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.source !== "concurrency-playground" || data.type !== "run-finished") return;
  const r = data.run;
  const item = document.createElement("li");
  item.textContent = `${r.tool} · ${r.kind} × ${r.tasks} on ${r.workers} worker(s): ${r.wall_ms.toFixed(0)} ms (${r.status}, ${r.spans.length} spans)`;
  document.getElementById("results").append(item);
});
