// A classroom loads it once: after one visit, the page, its engines and CPython load and run from
// the service worker's cache with the server gone, in the full page and in a course page's
// element; a new build replaces the kept one at the next visit. Each test serves a copy of the
// built site from a server of its own (tests/e2e/static-server.mjs), which it stops.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON_LOAD_MS, cached, cpythonStarts, launch, pythonReady, runOnce } from "./lib.mjs";
import { serve } from "./static-server.mjs";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A fresh context whose page errors are recorded (a failed fetch while offline is not one). */
async function context() {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(60_000);
  return ctx;
}

/** Waits until the worker kept what the page loaded, and CPython's files if it loaded CPython,
 * with the snapshot of its started interpreter where it asks (a CPython that started before the
 * service worker made the build's cache keeps none: the next visit makes it). */
async function kept(page, { cpython = false, snapshot = cpython } = {}) {
  await page.waitForSelector("html[data-offline-ready]", { timeout: 60_000 });
  if (cpython) await cached(page, snapshot ? ["pyodide/pyodide.asm.wasm", "python/cpython.snapshot"] : ["pyodide/pyodide.asm.wasm"]);
}

/** From the engine's switch to CPython ready, ms. */
async function cpythonReadyMs(page) {
  const start = Date.now();
  await page.selectOption("#engine", "cpython");
  await pythonReady(page);
  return Date.now() - start;
}

test("after one visit with CPython, the full page loads and runs the model and CPython with the server gone, and says it came from the cache", async () => {
  const server = await serve(DIST);
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}?tool=async&kind=io&tasks=4&io_ms=100`);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal((await runOnce(page)).status, "done");
  const cold = await cpythonReadyMs(page);
  assert.equal((await runOnce(page, { timeout: PYTHON_LOAD_MS })).status, "done");
  await kept(page, { cpython: true });
  await page.close();
  await server.close();

  const again = await ctx.newPage();
  const errors = [];
  again.on("pageerror", (e) => errors.push(e.message));
  const starts = cpythonStarts(again);
  await again.goto(`${server.url}?tool=async&kind=io&tasks=4&io_ms=100`);
  await again.waitForSelector('html[data-ready="true"]');
  const note = await again.waitForSelector('[data-testid="from-cache"]');
  assert.match(await note.textContent(), /browser's copy of the playground \(build [0-9a-f]{12}\)/);
  const model = await runOnce(again);
  assert.deepEqual([model.status, model.tool], ["done", "async"]);
  const warm = await cpythonReadyMs(again);
  const python = await runOnce(again, { timeout: PYTHON_LOAD_MS });
  assert.deepEqual([python.status, python.engine], ["done", "cpython"]);
  // The interpreter came from the snapshot the first visit kept, and runs threads (JSPI stacks
  // and the GIL timer, which a snapshot cannot hold) and processes as a fresh one does.
  assert.deepEqual(starts, ["CPython started: snapshot"]);
  for (const tool of ["threads", "processes"]) {
    await again.selectOption("#tool", tool);
    const row = await runOnce(again, { timeout: PYTHON_LOAD_MS });
    assert.deepEqual([row.status, row.engine, row.tool], ["done", "cpython", tool]);
  }
  console.log(`CPython ready: first visit ${cold} ms, again with the server gone ${warm} ms`);
  // Generous: a restored snapshot starts in about a third of a fresh start's time.
  assert.ok(warm < cold * 0.85, `return visit ${warm} ms against ${cold} ms`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a course page's elements run the model and CPython from the cache once the playground's server is gone", async () => {
  const ours = await serve(DIST, { elementMaxAge: 3600 });
  // The course page: another origin, which stays up.
  const course = await serve(null, {
    pages: {
      "/": `<!doctype html><meta charset="utf-8"><title>Course</title>
<script type="module" src="${ours.url}element.js"></script>
<script>
  window.finished = {};
  document.addEventListener("run-finished", (e) => { window.finished[e.target.id] = e.detail; });
</script>
<body>
<concurrency-playground id="model" tool="async" kind="io" tasks="4" io-ms="80" run></concurrency-playground>
<concurrency-playground id="py" engine="cpython" tool="sequential" kind="io" run>
<script type="text/x-python">
import time
from playground import timed

@timed("io")
def wait(n):
    time.sleep(0.05)

for n in range(2):
    wait(n)
print("kept for offline")
</script>
</concurrency-playground>
</body>`,
    },
  });
  const ctx = await context();
  const visit = async () => {
    const page = await ctx.newPage();
    await page.goto(course.url);
    await page.waitForFunction(() => window.finished.model && window.finished.py, null, { timeout: PYTHON_LOAD_MS });
    return page;
  };
  const first = await visit();
  assert.deepEqual(await first.evaluate(() => [window.finished.model.status, window.finished.py.status]), ["done", "done"]);
  for (const frame of first.frames().filter((f) => f.url().startsWith(ours.url))) await kept(frame);
  // Both frames share the playground's cache (partitioned under the course's site): the CPython
  // frame kept CPython's files.
  await kept(first.frames().find((f) => f.url().includes("engine=cpython")), { cpython: true, snapshot: false });
  await first.close();
  await ours.close();

  const again = await visit();
  const [model, py] = await again.evaluate(() => [window.finished.model, window.finished.py]);
  assert.deepEqual([model.status, model.tool], ["done", "async"]);
  assert.deepEqual([py.status, py.engine], ["done", "cpython"]);
  for (const frame of again.frames().filter((f) => f.url().startsWith(ours.url))) {
    assert.match(await frame.getAttribute("html", "data-from-cache"), /^[0-9a-f]{12}$/);
  }
  await ctx.close();
  await course.close();
});

test("a new build replaces the kept one at the next visit, and the page never mixes the two", async () => {
  const dir = mkdtempSync(join(tmpdir(), "playground-build-"));
  cpSync(DIST, dir, { recursive: true });
  const server = await serve(dir);
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}?tool=async&kind=io&tasks=2&io_ms=50`);
  await page.waitForSelector('html[data-ready="true"]');
  await kept(page);
  const before = await page.evaluate(() => document.documentElement.dataset.build);
  assert.match(before, /^[0-9a-f]{12}$/);

  // The next build: another worker script (its id) and another page.
  const sw = join(dir, "coi-sw.js");
  const script = readFileSync(sw, "utf8");
  assert.ok(script.includes(before), "the worker's script carries its build's id");
  writeFileSync(sw, script.replaceAll(before, "0000000000bb"));
  const index = join(dir, "index.html");
  writeFileSync(index, readFileSync(index, "utf8").replace("<title>", '<meta name="build-mark" content="next"><title>'));

  // The visit after it: served by the kept build, which finds the new one; that one takes over
  // (this is its only page) and the page reloads once, all of it from the new build.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.build === "0000000000bb", null, { timeout: 60_000 });
  await page.waitForSelector('meta[name="build-mark"]', { state: "attached" });
  await page.waitForSelector('html[data-ready="true"]');
  assert.deepEqual(await page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith("playground-"))), ["playground-0000000000bb"]);
  assert.equal((await runOnce(page)).status, "done");
  await ctx.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
