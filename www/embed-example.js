// The course page's side: list every finished run, and drive one experiment from a button.
// (A file of its own: the playground's CSP allows no inline code.)
const results = document.getElementById("results");
document.addEventListener("run-finished", ({ detail: r }) => {
  const item = document.createElement("li");
  item.textContent = `${r.tool} · ${r.kind} × ${r.tasks} on ${r.workers} worker(s): ${r.wall_ms.toFixed(0)} ms (${r.status})`;
  results.append(item);
});

const cpu = document.getElementById("cpu");
const compare = document.getElementById("compare");
cpu.ready.then(() => (compare.disabled = false));
compare.addEventListener("click", async () => {
  compare.disabled = true;
  try {
    for (const workers of [1, 2, 4]) await cpu.run({ workers });
  } catch (e) {
    results.append(Object.assign(document.createElement("li"), { textContent: e.message }));
  } finally {
    compare.disabled = false;
  }
});
