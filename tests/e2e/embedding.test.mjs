// Hosting anywhere and embedding: a plain host without headers, a header-less host where our
// service worker gives isolation, a cross-origin course page that embeds the playground and talks
// to it, the CSP, and no request leaving the page's origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, BASE, HOST, launch, open, runOnce, setExperiment, waitForRow } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const skip = !BARE && "no bare host";

test("plain host, no service worker: degraded but working", { skip }, async () => {
  const { page, errors, context } = await open(browser, "?kind=io&tasks=4&io_ms=100", { base: BARE, contextOptions: { serviceWorkers: "block" } });
  assert.equal(await page.getAttribute("html", "data-isolated"), "false");
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  assert.match(await page.textContent('[data-testid="notice"]'), /Threads are off/);
  await setExperiment(page, { tool: "async" });
  assert.equal((await runOnce(page)).status, "done");
  await setExperiment(page, { tool: "processes", kind: "cpu", io_ms: 50 });
  const proc = await runOnce(page);
  assert.equal(proc.status, "done");
  assert.equal(proc.build, "plain");
  // Threads explain themselves instead of running on one thread.
  const rows = await page.locator('[data-testid="run"]').count();
  await setExperiment(page, { tool: "threads" });
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => /cross-origin isolated page/.test(document.querySelector('[data-testid="notice"]').textContent));
  assert.equal(await page.locator('[data-testid="run"]').count(), rows, "no fake threads run");
  assert.deepEqual(errors, []);
  await context.close();
});

test("header-less host: our service worker isolates the page after one reload", { skip }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Count the page's document requests, not load events: the service worker's reload can come
  // before the first document fired `load` (then only one load event is seen; failed 1 round in
  // 15). History updates (replaceState) request nothing.
  let loads = 0;
  page.on("request", (r) => { if (r.isNavigationRequest() && r.frame() === page.mainFrame()) loads++; });
  await page.goto(new URL("?tool=threads&kind=cpu&tasks=4&gil=off&io_ms=60&run=1", BARE).href);
  await page.waitForSelector('html[data-isolated="true"][data-ready="true"]', { timeout: 30_000 });
  const row = await waitForRow(page, 1);
  assert.equal(row.tool, "threads");
  assert.equal(row.status, "done");
  assert.ok(Number(row.poolThreads) >= 2);
  await page.waitForTimeout(1000);
  console.log(`header-less host: ${loads} page loads`);
  assert.equal(loads, 2, "one reload, no loop");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("concurrency-playground-coi-reloads")), "1");
  assert.deepEqual(errors, []);
  await context.close();
});

/** The course page of tests/e2e/fixtures (another origin) embedding `src`. */
async function coursePage(src) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(new URL(`course.html?src=${encodeURIComponent(src)}`, HOST).href);
  const frame = await (await page.waitForSelector("#pg")).contentFrame();
  return { page, frame, context };
}

test("cross-origin embed: results reach the course page, its run requests work, junk is ignored", { skip: !HOST && "no host page" }, async () => {
  const { page, frame, context } = await coursePage(new URL("?embed=1&tool=async&kind=io&tasks=4&io_ms=80&run=1", BASE).href);
  const frameErrors = [];
  page.on("pageerror", (e) => frameErrors.push(e.message));
  await page.waitForFunction(() => window.messages.length >= 1, null, { timeout: 30_000 });
  const [first] = await page.evaluate(() => window.messages);
  assert.equal(first.source, "concurrency-playground");
  assert.equal(first.type, "run-finished");
  for (const [k, v] of Object.entries({ tool: "async", kind: "io", tasks: 4, workers: 1, gil: "on", io_ms: 80, status: "done" })) {
    assert.equal(first.run[k], v, k);
  }
  assert.ok(first.run.wall_ms > 0 && Number.isFinite(first.run.cpu_iters));
  assert.equal(first.run.spans.filter((s) => s.state === "io").length, 4);
  // Embed mode: compact, no story, a link to the full page.
  assert.equal(await frame.locator('[data-testid="section"]').count(), 0);
  assert.equal(await frame.locator("a.full-page").count(), 1);
  // The course page starts an experiment.
  await page.evaluate(() => document.querySelector("#pg").contentWindow.postMessage(
    { source: "concurrency-playground", type: "run", params: { tool: "sequential", kind: "io", tasks: 2, io_ms: 30 } }, "*"));
  await page.waitForFunction(() => window.messages.length >= 2, null, { timeout: 30_000 });
  const second = (await page.evaluate(() => window.messages))[1].run;
  assert.deepEqual([second.tool, second.tasks, second.io_ms], ["sequential", 2, 30]);
  // 50 junk messages change nothing.
  await page.evaluate(() => {
    const w = document.querySelector("#pg").contentWindow;
    const huge = {};
    for (let i = 0; i < 100000; i++) huge["k" + i] = i;
    const junk = [null, undefined, 0, 1e308, "run", "", [], [1, 2], true, huge, { source: "concurrency-playground" },
      { type: "run" }, { source: "other", type: "run", params: { tool: "threads" } },
      { source: "concurrency-playground", type: "run", params: "tool=threads" },
      { source: "concurrency-playground", type: "run", params: [1] },
      { source: "concurrency-playground", type: "run-finished", run: {} },
      { source: "Concurrency-Playground", type: "run", params: {} }, "x".repeat(1 << 20)];
    for (let i = 0; i < 50; i++) w.postMessage(junk[i % junk.length], "*");
  });
  await page.waitForTimeout(1500);
  assert.equal(await frame.locator('[data-testid="run"]').count(), 2, "no run started by junk");
  assert.equal(await page.evaluate(() => window.messages.length), 2);
  assert.equal(await frame.locator(".fatal-error").count(), 0);
  assert.deepEqual(frameErrors, []);
  await context.close();
});

test("Document-Isolation-Policy isolates the embedded frame in a page without headers", { skip: !HOST && "no host page" }, async () => {
  const { page, frame, context } = await coursePage(new URL("?embed=1", BASE).href);
  await frame.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  const hostIsolated = await page.evaluate(() => self.crossOriginIsolated);
  const frameIsolated = await frame.evaluate(() => self.crossOriginIsolated);
  const version = browser.version();
  console.log(`Chromium ${version}: host isolated ${hostIsolated}, embedded frame isolated ${frameIsolated}`);
  assert.equal(hostIsolated, false);
  assert.equal(frameIsolated, true, "the browser refused Document-Isolation-Policy");
  assert.equal(await frame.getAttribute("html", "data-isolated"), "true");
  await context.close();
});

test("the CSP is sent and the page runs under it with no violation", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(new URL("?kind=mixed&tasks=4&io_ms=40", BASE).href);
  const csp = response.headers()["content-security-policy"];
  assert.ok(csp, "CSP header present");
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  assert.match(csp, /'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors \*/);
  await page.waitForSelector('html[data-ready="true"]');
  for (const tool of ["sequential", "async", "threads", "processes"]) {
    await setExperiment(page, { tool });
    assert.equal((await runOnce(page)).status, "done", tool);
  }
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await context.close();
});

test("no request leaves the page's origin, during load and a run of every tool", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const foreign = [];
  const origin = new URL(BASE).origin;
  context.on("request", (r) => {
    const u = new URL(r.url());
    if (!["blob:", "data:"].includes(u.protocol) && u.origin !== origin) foreign.push(r.url());
  });
  await page.goto(new URL("?kind=mixed&tasks=4&io_ms=40", BASE).href);
  await page.waitForSelector('html[data-ready="true"]');
  for (const tool of ["sequential", "async", "threads", "processes"]) {
    await setExperiment(page, { tool });
    await runOnce(page);
  }
  assert.deepEqual(foreign, []);
  await context.close();
});
