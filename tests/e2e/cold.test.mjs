// A fresh process computes at the calibrated speed: the first processes run of a page pays for
// its start-up (spawn, load, kernel warm-up: drawn as start-up spans) and nothing else, as
// CPython's process pool does. Each attempt is a fresh page, so every pool measured is cold.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, allRows, claim, exportRuns, launch, open, runOnce, setExperiment } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const IO_MS = 200;

/** On a fresh page of the plain build: sequential cpu × 4, then the first processes run, W=2. */
async function coldPool() {
  const { page, errors, context } = await open(browser, `?kind=cpu&tasks=4&workers=2&io_ms=${IO_MS}`, { base: BARE, contextOptions: { serviceWorkers: "block" } });
  const seq = await runOnce(page);
  await setExperiment(page, { tool: "processes" });
  const cold = await runOnce(page);
  assert.equal(cold.status, "done");
  assert.equal(cold.paidStartup, "true", "the pool was cold");
  assert.deepEqual([seq.build, cold.build], ["plain", "plain"], "the same build");
  assert.equal(cold.checksum, seq.checksum, "the same work");
  const run = (await exportRuns(page)).find((r) => String(r.id) === cold.runId);
  const computing = run.spans.filter((s) => s.state === "compute").reduce((a, s) => a + s.end - s.start, 0);
  const startups = run.spans.filter((s) => s.state === "startup").map((s) => s.end - s.start);
  assert.equal(startups.length, 2, "each process's start-up is drawn");
  assert.match(cold.message ?? "", /this run paid for starting its processes: 2 started in \d+ ms on average \(at most \d+ ms: spawn, load and kernel warm-up\)/);
  assert.deepEqual(errors, []);
  await context.close();
  return { speedup: seq.wallMs / cold.wallMs, task: computing / (4 * IO_MS), startup: Math.max(...startups) };
}

test("a cold process pool computes at the calibrated speed: cpu × 4 on 2 fresh processes, ≥ 1.5× sequential", { skip: !BARE && "no bare host" }, async () => {
  const r = await claim("cold processes, cpu ×4, W=2: speedup ≥ 1.5, task time within 20 % of 4 calibrated tasks, start-up ≤ 150 ms", coldPool,
    ({ speedup, task, startup }) => speedup >= 1.5 && Math.abs(task - 1) <= 0.2 && startup <= 150,
    { show: ({ speedup, task, startup }) => `speedup ${speedup.toFixed(2)}×, task time ${task.toFixed(2)}× calibrated, start-up ${startup.toFixed(0)} ms at most` });
  console.log(`cold pool (Chromium): ${r.speedup.toFixed(2)}× sequential; task time ${(r.task * 100).toFixed(0)} % of 4 × ${IO_MS} ms; start-up ≤ ${r.startup.toFixed(0)} ms per process`);
});

test("on a fresh page, the story's processes \"Run this\" is faster than sequential", async () => {
  await claim("fresh page: the story's processes run, speedup > 1.3", async () => {
    // As the story goes: "4 computations in a row", then "4 computations on a process pool",
    // the page's first processes run (on an isolated page the page adds the plain build's
    // sequential run the speedup divides).
    const { page, errors, context } = await open(browser, "");
    await page.click('[data-testid="run-this"][data-query="tool=sequential&kind=cpu&tasks=4"]');
    await page.waitForSelector('[data-testid="run"][data-tool="sequential"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="run-button"]:not([disabled])');
    await page.click('[data-testid="run-this"][data-query="tool=processes&kind=cpu&tasks=4"]');
    const id = await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="run"][data-tool="processes"]');
      return row && row.dataset.speedup && row.dataset.runId;
    }, null, { timeout: 60_000 }).then((h) => h.jsonValue());
    const row = (await allRows(page)).find((r) => r.runId === id);
    assert.equal(row.paidStartup, "true", "its pool was cold");
    assert.deepEqual(errors, []);
    await context.close();
    return Number(row.speedup);
  }, (s) => s > 1.3, { show: (s) => `${s.toFixed(2)}×` });
});

test("on a fresh page, the sweep's processes point at 2 workers is faster than sequential", async () => {
  await claim("fresh page: the sweep's processes point at W=2, speedup > 1.3", async () => {
    const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&io_ms=100");
    await page.click('[data-testid="sweep-button"]');
    await page.waitForFunction(() => {
      const b = document.querySelector('[data-testid="sweep-button"]');
      return b && !b.disabled && document.querySelectorAll('[data-testid="speedup-point"]').length > 0;
    }, null, { timeout: 70_000 });
    const point = await page.$eval('[data-testid="speedup-point"][data-series="processes"][data-workers="2"]', (p) => Number(p.dataset.speedup));
    assert.deepEqual(errors, []);
    await context.close();
    return point;
  }, (s) => s > 1.3, { show: (s) => `${s.toFixed(2)}×` });
});
