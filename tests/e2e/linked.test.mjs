// A course's link, or a course page's element with `run`, starts a run nobody on the page asked
// for. It waits for the page's own start-up work (the threads build's start and calibration, a
// warm pool), so that its first figures are the lesson's and not the page's start-up: processes
// beat a sequential run of the same work on the same kind of fresh page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { HOST, emptyCoursePage, launch, open, waitForRow } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The lesson must show on every kind of machine the suite runs on: the median page beats
// sequential by 1.3× (a pool started by the run itself, as before the page warmed it, gave
// 1.0-1.25×). The issue's figure, ≥ 1.5× on 9 of 10 pages, is the bench's "linked first
// processes run": on a busy 2-core machine single pages measured 0.92-2.28×.
const PAGES = 5;
const MEDIAN = 1.3;
const LINK = "tool=processes&kind=cpu&tasks=4&workers=2";

/** The first run of a fresh isolated page opened with `query&run=1`: its row's attributes. */
async function linkedRun(query) {
  const { page, errors, context } = await open(browser, `?${query}&run=1`, { ready: false });
  await page.waitForSelector('html[data-isolated="true"]', { timeout: 30_000 });
  const row = await waitForRow(page, 1);
  assert.equal(row.status, "done");
  assert.deepEqual(errors, []);
  await context.close();
  return row;
}

/** The median of `PAGES` ratios, each printed. */
function report(what, ratios) {
  ratios.forEach((r, i) => console.log(`${what}: page ${i + 1}/${PAGES}: ${r.toFixed(2)}× sequential`));
  const median = [...ratios].sort((a, b) => a - b)[PAGES >> 1];
  console.log(`${what}: median ${median.toFixed(2)}× over ${PAGES} pages`);
  return median;
}

test(`a course link's first processes run is ≥ ${MEDIAN}× sequential on the median of ${PAGES} fresh pages`, async () => {
  const ratios = [];
  for (let i = 0; i < PAGES; i++) {
    const proc = await linkedRun(LINK);
    assert.equal(proc.tool, "processes");
    assert.equal(proc.paidStartup, "false", "its pool was warmed before it");
    const seq = await linkedRun(`tool=sequential&kind=cpu&tasks=4&cpu_iters=${proc.cpuIters}`);
    assert.equal(seq.checksum, proc.checksum, "the same work");
    ratios.push(Number(seq.wallMs) / Number(proc.wallMs));
  }
  assert.ok(report("linked processes", ratios) >= MEDIAN, ratios.map((r) => r.toFixed(2)).join(", "));
});

/** A fresh course page on another origin with one `<concurrency-playground … run>`: its record. */
async function elementRun(attributes) {
  const { page, context, errors } = await emptyCoursePage(browser);
  const run = await page.evaluate((attributes) => new Promise((resolve, reject) => {
    const el = document.createElement("concurrency-playground");
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    el.setAttribute("run", "");
    el.addEventListener("run-finished", (e) => resolve(e.detail));
    el.addEventListener("run-rejected", (e) => reject(new Error(e.detail.message)));
    setTimeout(() => reject(new Error("no run-finished within 60 s")), 60_000);
    document.body.append(el);
  }), attributes);
  assert.equal(run.status, "done");
  assert.deepEqual(errors, []);
  await context.close();
  return run;
}

test(`an element's first processes run is ≥ ${MEDIAN}× sequential on the median of ${PAGES} fresh course pages`, { skip: !HOST && "no host page" }, async () => {
  const ratios = [];
  for (let i = 0; i < PAGES; i++) {
    const proc = await elementRun({ tool: "processes", kind: "cpu", tasks: "4", workers: "2" });
    assert.equal(proc.paid_startup, false, "its pool was warmed before it");
    const seq = await elementRun({ tool: "sequential", kind: "cpu", tasks: "4", "cpu-iters": String(proc.cpu_iters) });
    assert.equal(seq.checksum, proc.checksum, "the same work");
    ratios.push(seq.wall_ms / proc.wall_ms);
  }
  assert.ok(report("element processes", ratios) >= MEDIAN, ratios.map((r) => r.toFixed(2)).join(", "));
});

test("a compact lesson's one click runs its baseline first and its result line shows the measured speedup", async () => {
  const { page, errors, context } = await open(browser, "?view=compact&controls=workers&tool=threads&kind=cpu&tasks=4&workers=2&gil=off");
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => /Running sequential with the same work first/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""));
  const line = await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid="result-line"]')?.textContent ?? "";
    return /threads took/.test(text) && text;
  }, null, { timeout: 60_000 }).then((h) => h.jsonValue());
  const m = line.match(/: ([\d.]+)× the speed of run (\d+) \(sequential, same work\)/);
  assert.ok(m, `a speedup in: ${line}`);
  console.log(`compact lesson: ${line}`);
  // A generous bound (the bench holds first threads runs after load to 1.5×); that the figure
  // is the ratio of the two runs' walls is `result_line`'s native test.
  assert.equal(Number(m[2]) + 1, Number(line.match(/^Run (\d+):/)[1]), "the baseline ran just before");
  assert.ok(Number(m[1]) >= 1.2, line);
  assert.deepEqual(errors, []);
  await context.close();
});
