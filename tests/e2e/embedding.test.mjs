// Hosting anywhere and embedding: a plain host without headers, a header-less host where our
// service worker gives isolation, a cross-origin course page that embeds the playground and talks
// to it, the CSP, and no request leaving the page's origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BARE, BASE, HOST, PYTHON_LOAD_MS, launch, open, runOnce, setExperiment, waitForRow } from "./lib.mjs";

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
  assert.equal(await page.evaluate(() => sessionStorage.getItem("playground-coi-reloads")), "1");
  // The responses the service worker serves carry the page's headers, its CSP among them, as
  // the server's own (the bare host sends none: these are the worker's).
  const served = await page.evaluate(async () => {
    const r = await fetch("./index.html");
    return { csp: r.headers.get("content-security-policy"), coop: r.headers.get("cross-origin-opener-policy"), sniff: r.headers.get("x-content-type-options") };
  });
  const direct = spawnSync("curl", ["-sI", new URL("index.html", BASE).href], { encoding: "utf8" }).stdout;
  const serverCsp = direct.match(/^content-security-policy: (.*)$/im)?.[1]?.trim();
  assert.ok(serverCsp, "the server sends a CSP");
  assert.deepEqual(served, { csp: serverCsp, coop: "same-origin", sniff: "nosniff" });
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
  // Hosts tell the messages apart by `type`: besides `run-finished` the frame sends `ready` and
  // `height` (for <concurrency-playground>).
  const finished = () => page.evaluate(() => window.messages.filter((m) => m?.type === "run-finished"));
  await page.waitForFunction(() => window.messages.filter((m) => m?.type === "run-finished").length >= 1, null, { timeout: 30_000 });
  const [first] = await finished();
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
  await page.waitForFunction(() => window.messages.filter((m) => m?.type === "run-finished").length >= 2, null, { timeout: 30_000 });
  const second = (await finished())[1].run;
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
  assert.equal((await finished()).length, 2);
  const types = await page.evaluate(() => window.messages.map((m) => m.type));
  assert.equal(types.filter((t) => t === "ready").length, 1, "ready once");
  assert.ok(types.includes("height"));
  assert.deepEqual([...new Set(types)].sort(), ["height", "ready", "run-finished"]);
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

/** The element's course page (tests/e2e/fixtures/element.html) on the host origin. */
async function elementPage() {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  const response = page.waitForResponse((r) => r.url().endsWith("/element.js"));
  await page.goto(new URL(`element.html?pg=${encodeURIComponent(BASE)}`, HOST).href);
  return { page, context, errors, requests, elementJs: await response };
}

const events = (page, type, id) => page.evaluate(([t, i]) => window.events.filter((e) => e.type === t && e.id === i).map((e) => e.detail), [type, id]);

/** The element's iframe height and its content's height. */
async function heights(page, frame, id) {
  const frameHeight = await page.evaluate((i) => document.getElementById(i).frame.getBoundingClientRect().height, id);
  const content = await frame.evaluate(() => document.documentElement.getBoundingClientRect().height);
  return { frameHeight, content };
}

test("<concurrency-playground>: one script on another origin, ready once, run() as a Promise, auto height, two elements apart", { skip: !HOST && "no host page" }, async () => {
  const { page, context, errors, requests, elementJs } = await elementPage();
  assert.equal(elementJs.headers()["access-control-allow-origin"], "*", "element.js is loadable cross-origin");
  await page.waitForFunction(() => window.events.filter((e) => e.type === "ready").length >= 2, null, { timeout: 30_000 });
  const frameOf = async (id) => (await page.$(`#${id}`)).evaluateHandle((el) => el.frame).then((h) => h.asElement().contentFrame());
  const [frameA, frameB] = [await frameOf("a"), await frameOf("b")];
  // The iframe the element made.
  const made = await page.evaluate(() => {
    const f = document.getElementById("a").frame;
    return { allow: f.allow, title: f.title, loading: f.loading, src: f.src };
  });
  assert.equal(made.allow, "cross-origin-isolated");
  assert.equal(made.loading, "lazy");
  assert.match(made.title, /Concurrency Playground/);
  const src = new URL(made.src);
  assert.equal(src.origin, new URL(BASE).origin, "src defaults to the script's own folder");
  assert.deepEqual(Object.fromEntries(src.searchParams), { embed: "1", tool: "async", kind: "io", tasks: "4", io_ms: "80", run: "1" });
  // `ready` once per element, with the frame's real isolation state.
  const readyA = await events(page, "ready", "a");
  assert.equal(readyA.length, 1);
  assert.equal(readyA[0].isolated, await frameA.evaluate(() => self.crossOriginIsolated));
  assert.equal(readyA[0].isolated, true, "Document-Isolation-Policy isolates the frame in Chromium");
  assert.equal(readyA[0].threads, true);
  assert.equal(readyA[0].build, "atomics");
  assert.match(readyA[0].popout, /^http:\/\/127\.0\.0\.1:\d+\/\?tool=async/);
  assert.equal((await events(page, "ready", "b")).length, 1);
  // `run` ran the attributes' experiment; b heard nothing of it.
  await page.waitForFunction(() => window.events.some((e) => e.type === "run-finished" && e.id === "a"), null, { timeout: 30_000 });
  const [first] = await events(page, "run-finished", "a");
  assert.deepEqual([first.tool, first.kind, first.tasks, first.io_ms, first.status], ["async", "io", 4, 80, "done"]);
  // run() resolves with that run's record.
  const run = await page.evaluate(() => document.getElementById("a").run({ tool: "async", kind: "io", tasks: 4 }));
  assert.equal(run.status, "done");
  assert.equal(run.tool, "async");
  assert.equal(run.spans.length, 4);
  assert.equal(run.spans.filter((s) => s.state === "io").length, 4);
  // Issue 11's experiments through the element, their fields in the run record.
  const race = await page.evaluate(() => document.getElementById("a").run({ tool: "threads", kind: "race", tasks: 2, workers: 2, gil: "off", lock: "on", cpu_iters: 1000 }));
  assert.deepEqual([race.kind, race.lock, race.counts.expected, race.counts.final_count], ["race", "on", 2000, 2000]);
  const amdahl = await page.evaluate(() => document.getElementById("a").run({ tool: "threads", kind: "cpu", tasks: 2, workers: 2, gil: "on", serial: 50, cpu_iters: 200000 }));
  assert.equal(amdahl.serial, 50);
  assert.equal(amdahl.spans.filter((s) => s.state === "serial").length, 1);
  assert.ok(amdahl.gil_events.length > 0 && amdahl.gil_switches !== null);
  // A bad parameter rejects with the page's notice and runs nothing.
  const rowsA = await frameA.locator('[data-testid="run"]').count();
  const bad = await page.evaluate(() => document.getElementById("a").run({ tasks: "many" }).then(() => "resolved", (e) => ({ message: e.message, notices: e.notices })));
  assert.notEqual(bad, "resolved");
  assert.equal(bad.message, 'Not run: tasks="many" is not a number. Allowed: 1 to 10000.');
  assert.equal(bad.notices[0].param, "tasks");
  await page.waitForTimeout(300);
  assert.equal(await frameA.locator('[data-testid="run"]').count(), rowsA, "nothing ran");
  assert.match(await frameA.textContent('[data-testid="notice"]'), /invalid values/);
  // b's own run resolves with b's record, and a hears none of it.
  const finishedA = (await events(page, "run-finished", "a")).length;
  const runB = await page.evaluate(() => document.getElementById("b").run({ tool: "sequential", io_ms: 30 }));
  assert.deepEqual([runB.tool, runB.tasks, runB.io_ms], ["sequential", 2, 30], "the attributes fill in what run() leaves out");
  assert.equal((await events(page, "run-finished", "a")).length, finishedA);
  assert.equal((await events(page, "run-finished", "b")).length, 1);
  assert.equal(await frameB.locator('[data-testid="run"]').count(), 1);
  // Attribute changes start a new experiment when `run` is set.
  await page.evaluate(() => { const a = document.getElementById("a"); a.setAttribute("tasks", "3"); a.setAttribute("io-ms", "30"); });
  await page.waitForFunction((n) => window.events.filter((e) => e.type === "run-finished" && e.id === "a").length > n, finishedA, { timeout: 30_000 });
  const changed = (await events(page, "run-finished", "a")).at(-1);
  assert.deepEqual([changed.tasks, changed.io_ms], [3, 30]);
  assert.equal((await events(page, "run-finished", "a")).length, finishedA + 1, "two attributes, one run");
  // The frame follows its content's height within 20 px as runs add rows.
  const before = await heights(page, frameA, "a");
  for (let i = 0; i < 3; i++) await page.evaluate(() => document.getElementById("a").run({ tool: "sequential", kind: "io", tasks: 1, io_ms: 10 }));
  let after;
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(100);
    after = await heights(page, frameA, "a");
    // Wait for the frame to settle (a height message is debounced 100 ms, the resize eases).
    if (Math.abs(after.frameHeight - after.content) <= 1 && after.content > before.content) break;
  }
  console.log(`element height: frame ${before.frameHeight} → ${after.frameHeight} px, content ${before.content} → ${after.content} px`);
  assert.ok(after.content > before.content, "the rows made the content taller");
  assert.ok(Math.abs(after.frameHeight - after.content) <= 20, `frame ${after.frameHeight} px for content ${after.content} px`);
  // A `height` attribute wins.
  await page.evaluate(() => document.getElementById("b").setAttribute("height", "300"));
  await page.waitForFunction(() => document.getElementById("b").frame.getBoundingClientRect().height === 300, null, { timeout: 2000 });
  await page.evaluate(() => document.getElementById("b").run({ tasks: 3 }));
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => document.getElementById("b").frame.getBoundingClientRect().height), 300, "after a run too");
  // Only the two origins, and the page's CSP unchanged.
  const origins = new Set(requests.map((u) => new URL(u)).filter((u) => !["blob:", "data:"].includes(u.protocol)).map((u) => u.origin));
  assert.deepEqual([...origins].sort(), [new URL(BASE).origin, new URL(HOST).origin].sort());
  assert.deepEqual(errors, []);
  await context.close();
});

test("the embed example: two elements under the playground's own CSP, results listed, a button drives one", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(new URL("embed-example.html", BASE).href);
  await page.waitForFunction(() => document.querySelectorAll("#results li").length >= 1, null, { timeout: 30_000 });
  assert.match(await page.textContent("#results li"), /^async · io × 4 on 1 worker\(s\): \d+ ms \(done\)$/);
  await page.waitForSelector("#compare:not([disabled])");
  await page.click("#compare");
  await page.waitForFunction(() => document.querySelectorAll("#results li").length >= 4, null, { timeout: 60_000 });
  const items = await page.locator("#results li").allTextContents();
  assert.deepEqual(items.slice(1).map((t) => t.match(/on (\d+) worker/)[1]), ["1", "2", "4"]);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("<concurrency-playground>: run() refuses non-object params, rejects when the element is removed mid-run, and when its frame never answers", { skip: !HOST && "no host page" }, async () => {
  const { page, context, errors } = await elementPage();
  await page.waitForFunction(() => window.events.filter((e) => e.type === "ready").length >= 2, null, { timeout: 30_000 });
  // Parameters must be an object: a string or an array is refused, saying so, and runs nothing.
  for (const bad of ['"tool=async"', "[1, 2]", "42"]) {
    const message = await page.evaluate((b) => document.getElementById("b").run(JSON.parse(b)).then(() => "resolved", (e) => `${e.name}: ${e.message}`), bad);
    assert.match(message, /^TypeError: run\(\) takes an object of parameters/, `run(${bad})`);
  }
  // Removed mid-run: the waiting run() rejects at once.
  const removed = await page.evaluate(() => {
    const a = document.getElementById("a");
    const pending = a.run({ tool: "async", kind: "io", tasks: 2, io_ms: 2000 }).then(() => "resolved", (e) => e.message);
    setTimeout(() => a.remove(), 300);
    const t0 = performance.now();
    return pending.then((m) => ({ m, ms: performance.now() - t0 }));
  });
  assert.match(removed.m, /Not finished: the element was removed from the page/);
  assert.ok(removed.ms < 1500, `rejected after ${removed.ms} ms`);
  // A frame that never answers (it navigated to a blank page: no playground listens there):
  // run() fails after its timeout instead of waiting forever.
  const silent = await page.evaluate(() => {
    const b = document.getElementById("b");
    b.frame.src = "about:blank";
    const t0 = performance.now();
    return b.run({ tasks: 1 }, { timeout: 1500 }).then(() => "resolved", (e) => ({ m: e.message, ms: performance.now() - t0 }));
  });
  assert.match(silent.m, /Not finished: the playground did not answer the run within \d+ ms/);
  assert.ok(silent.ms >= 1400 && silent.ms < 5000, `rejected after ${silent.ms} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("<concurrency-playground engine=\"cpython\"> runs its inline Python and run() resolves with the record", { skip: !HOST && "no host page" }, async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL(`element-python.html?pg=${encodeURIComponent(BASE)}`, HOST).href);
  await page.waitForFunction(() => customElements.get("concurrency-playground"));
  const record = await page.evaluate(async () => {
    const el = document.getElementById("py");
    await el.ready;
    return el.run({}, { timeout: 120_000 });
  });
  assert.equal(record.engine, "cpython");
  assert.equal(record.status, "done");
  assert.match(record.python_version, /^3\.14\./);
  assert.match(record.code_hash, /^[0-9a-f]{16}$/);
  assert.equal(record.spans.length, 3, "the course's three timed waits");
  assert.ok(record.spans.every((s) => s.state === "io" && s.end - s.start >= 45));
  const frame = await (await page.$("#py")).evaluateHandle((el) => el.frame).then((h) => h.asElement().contentFrame());
  assert.match(await frame.evaluate(() => document.querySelector('[data-testid="python-editor"]').value), /^import time\nfrom playground import timed\n/);
  assert.match(await frame.textContent('[data-testid="python-output"]'), /the course's own code ran/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a course page of another origin checks a learner's answer: run() resolves with what the inline Python printed", { skip: !HOST && "no host page" }, async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL(`element-python-answer.html?pg=${encodeURIComponent(BASE)}`, HOST).href);
  await page.waitForFunction(() => customElements.get("concurrency-playground"));
  const record = await page.evaluate(async (ms) => {
    const el = document.getElementById("py");
    await el.ready;
    return el.run({}, { timeout: ms });
  }, PYTHON_LOAD_MS + 30_000);
  assert.equal(record.engine, "cpython");
  assert.equal(record.status, "done");
  // What this machine's CPython prints for the program the frame ran (its editor's text).
  const frame = await (await page.$("#py")).evaluateHandle((el) => el.frame).then((h) => h.asElement().contentFrame());
  const program = await frame.evaluate(() => document.querySelector('[data-testid="python-editor"]').value);
  assert.match(program, /^squares = \[n \* n for n in range\(10\)\]\n/);
  const expected = "squares: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\nsum: 285\n   waiting|\n    is not|\n computing|\né ≠ e, 😀\n";
  const home = spawnSync("python3", ["-"], { input: program, encoding: "utf8" });
  if (home.status === 0) assert.equal(home.stdout, expected, "python3 at home prints the same");
  else console.log(`no python3 here (${home.error?.message ?? home.stderr}): compared with the known output only`);
  assert.equal(record.output, expected);
  assert.equal(record.output_cut, false);
  // The page's own script read the same record from `run-finished`.
  assert.equal(await page.textContent("#verdict"), "Correct: 285.");
  assert.equal(await frame.textContent('[data-testid="python-output"]'), expected);
  assert.deepEqual(errors, []);
  await context.close();
});
