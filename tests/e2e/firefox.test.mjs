// The core claims again in headless Firefox (Debian's firefox-esr through geckodriver): threads
// when isolated, degraded mode otherwise. Skipped, with the reason printed, when xtask could not
// provide Firefox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, BASE, HOST } from "./lib.mjs";
import { badUrlExplained, coldPoolsReported, cpythonCore, errorsShown as errorsShownOn, ioOverlaps, plainHostDegrades, ready as readyOn, stopAnswers, threadsBeatOneThread } from "./webdriver-claims.mjs";
import { WebDriverBrowser } from "./webdriver.mjs";
import { PROGRAM_MS, check, cpython, installRunner, programs } from "./pool-corpus.mjs";

const { FIREFOX, GECKODRIVER } = process.env;
const skip = !(FIREFOX && GECKODRIVER) && "Firefox or geckodriver unavailable (see the SKIP line above)";
if (skip) console.log(`# SKIP Firefox: ${skip}`);
let ff;
before(async () => {
  if (skip) return;
  ff = await WebDriverBrowser.firefox({ geckodriver: GECKODRIVER, binary: FIREFOX });
  console.log(`Firefox ${ff.version}`);
});
after(async () => { await ff?.quit(); });

const ready = () => readyOn(ff);
const errorsShown = () => errorsShownOn(ff);

test("Firefox: isolated page, io waits overlap with async", { skip }, () => ioOverlaps(ff, "Firefox"));

test("Firefox: threads beat one thread on cpu work", { skip }, () => threadsBeatOneThread(ff, "Firefox"));

test("Firefox: the first processes and threads runs after load, measured and reported", { skip }, () => coldPoolsReported(ff, "Firefox"));

test("Firefox: Stop answers within 100 ms for every tool, on an isolated page", { skip }, () => stopAnswers(ff, "Firefox"));

test("Firefox: a bad URL is explained and runs the defaults", { skip }, () => badUrlExplained(ff));

test("Firefox: real CPython loads, overlaps asyncio waits and reports a traceback", { skip }, () => cpythonCore(ff, "Firefox"));

test("Firefox: the process pool corpus prints what CPython 3.13 prints", { skip }, async () => {
  await ff.goto(new URL("?engine=model", BASE).href);
  await ready();
  await ff.exec(installRunner);
  await ff.waitFor(() => window.corpus.ready || window.corpus.failed, [], 90_000);
  assert.equal(await ff.exec(() => window.corpus.failed), null);
  const failed = [];
  const corpus = programs();
  for (const [name, code] of corpus) {
    const id = await ff.exec((c, ms) => window.corpus.run(c, ms), code, PROGRAM_MS);
    const r = await ff.waitFor((i) => window.corpus.answers[i], [id], PROGRAM_MS + 10_000);
    try {
      check(name, code, r, cpython(name, code));
    } catch (e) {
      failed.push(`${name}: ${e.message.slice(0, 800)}`);
    }
  }
  console.log(`Firefox: the pool corpus: ${corpus.length - failed.length} of ${corpus.length} as CPython 3.13${failed.length ? `; not: ${failed.join("; ")}` : ""}`);
  assert.deepEqual(failed, []);
});

test("Firefox: a plain host runs everything but threads, which explain themselves", { skip: skip || (!BARE && "no bare host") }, () => plainHostDegrades(ff));

test("Firefox: <concurrency-playground> on another origin: ready, run() resolves or rejects, auto height", { skip: skip || (!HOST && "no host page") }, async () => {
  await ff.goto(new URL(`element.html?pg=${encodeURIComponent(BASE)}`, HOST).href);
  const ready = await ff.waitFor(() => {
    const r = window.events.filter((e) => e.type === "ready");
    return r.length >= 2 && r;
  });
  assert.equal(ready.length, 2, "ready once per element");
  // Firefox has no Document-Isolation-Policy: the frame in a header-less page is not isolated,
  // and says so; the element forwards where to open it with threads.
  const a = ready.find((e) => e.id === "a").detail;
  assert.equal(a.isolated, false);
  assert.equal(a.threads, false);
  assert.equal(a.build, "plain");
  assert.match(a.popout, /^http:\/\/127\.0\.0\.1:\d+\/\?tool=async/);
  await ff.exec(() => {
    const a = document.getElementById("a");
    window.results = {};
    a.run({ tool: "async", kind: "io", tasks: 4, io_ms: 50 }).then((r) => (window.results.ok = r));
    a.run({ tool: "async", kind: "io", tasks: -3 }).catch((e) => (window.results.bad = e.message));
  });
  const results = await ff.waitFor(() => window.results.ok && window.results.bad && window.results);
  assert.equal(results.ok.status, "done");
  assert.equal(results.ok.spans.filter((s) => s.state === "io").length, 4);
  assert.equal(results.bad, 'Not run: tasks="-3" is outside 1 to 10000.');
  // Threads are rejected by name, not run on one thread.
  await ff.exec(() => document.getElementById("b").run({ tool: "threads", kind: "cpu" }).catch((e) => (window.results.threads = e.message)));
  assert.match(await ff.waitFor(() => window.results.threads), /cross-origin isolated/);
  assert.equal(await ff.exec(() => window.events.filter((e) => e.type === "run-finished" && e.id === "b").length), 0);
  // The frame follows its content (read inside the frame through WebDriver's frame switch).
  const frameRef = await ff.exec(() => document.getElementById("a").frame);
  await ff.cmd("POST", "/frame", { id: frameRef });
  const content = await ff.exec(() => document.documentElement.getBoundingClientRect().height);
  await ff.cmd("POST", "/frame/parent", {});
  const frame = await ff.waitFor((c) => {
    const h = document.getElementById("a").frame.getBoundingClientRect().height;
    return Math.abs(h - c) <= 20 && h;
  }, [content], 5000);
  console.log(`Firefox element: frame ${frame} px for content ${content} px`);
});

test("Firefox: replay steps event by event with the keyboard", { skip }, async () => {
  await ff.goto(new URL("?tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=25&run=1", BASE).href);
  await ready();
  await ff.newestRow(1);
  const slider = '[data-testid="replay"] input[type="range"]';
  const read = () => ff.exec(() => ({
    index: Number(document.querySelector('[data-testid="replay"]').dataset.index),
    status: document.querySelector('[data-testid="replay-status"]').textContent,
  }));
  await ff.keys(slider, "\uE011"); // Home
  let last = await read();
  assert.equal(last.index, 0);
  assert.match(last.status, /^Step 1 of \d+ at /);
  for (let i = 1; i <= 6; i++) {
    await ff.keys(slider, "\uE014"); // →
    const now = await read();
    assert.equal(now.index, i);
    assert.notEqual(now.status, last.status);
    last = now;
  }
  await ff.keys(slider, "\uE012"); // ←
  assert.equal((await read()).index, 5);
  const steps = await ff.exec(() => Number(document.querySelector('[data-testid="replay"] input[type="range"]').max) + 1);
  await ff.keys(slider, "\uE010"); // End
  assert.match((await read()).status, new RegExp(`^Step ${steps} of ${steps} `));
  assert.equal(await errorsShown(), 0);
});

test("Firefox: the race loses updates without a lock, none with one; processes keep their own", { skip }, async () => {
  const lost = [];
  for (let i = 0; i < 3; i++) {
    await ff.goto(new URL("?tool=threads&kind=race&tasks=4&workers=4&gil=off&lock=off&run=1", BASE).href);
    await ready();
    const row = await ff.newestRow(1);
    assert.equal(row.expectedCount, "4000000");
    lost.push(4_000_000 - Number(row.finalCount));
  }
  console.log(`Firefox race without a lock: lost ${lost.join(", ")}`);
  assert.ok(lost.some((n) => n > 0), "no update lost in 3 runs");
  await ff.goto(new URL("?tool=threads&kind=race&tasks=4&workers=4&gil=off&lock=on&run=1", BASE).href);
  await ready();
  assert.equal((await ff.newestRow(1)).finalCount, "4000000");
  await ff.goto(new URL("?tool=processes&kind=race&tasks=4&workers=4&run=1", BASE).href);
  await ready();
  const proc = await ff.newestRow(1);
  assert.equal(proc.finalCount, "0");
  assert.equal(proc.ownCounts.split(" ").map(Number).reduce((a, b) => a + b, 0), 4_000_000);
  assert.equal(await errorsShown(), 0);
});
