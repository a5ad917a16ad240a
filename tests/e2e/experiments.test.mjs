// The notebook's claims, each measured for real in headless Chromium. Timings are asserted as
// ratios with generous bounds; the benchmark holds the precise figures.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, exportRuns, launch, maxConcurrent, open, runOnce, setExperiment, stopLatency } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WAIT = 200;

test("io, 4 tasks: sequential ~4 waits; async, threads (GIL on) and warm processes ~1", async () => {
  const { page, errors, context } = await open(browser, `?kind=io&tasks=4&io_ms=${WAIT}&workers=4`);
  const seq = await runOnce(page);
  assert.ok(Number(seq.wallMs) >= 3.5 * WAIT, `sequential ${seq.wallMs}`);
  const walls = {};
  for (const [tool, gil] of [["async"], ["threads", "on"], ["processes"], ["processes"]]) {
    await setExperiment(page, { tool, gil });
    const row = await runOnce(page);
    assert.equal(row.status, "done");
    walls[tool] = Number(row.wallMs);
    if (tool === "processes" && walls.processesCold === undefined) {
      walls.processesCold = walls[tool];
      continue;
    }
    assert.equal(row.tool, tool);
    if (tool === "processes") assert.equal(row.paidStartup, "false", "the second run reuses the pool");
    assert.ok(walls[tool] <= 1.5 * WAIT, `${tool}: ${walls[tool]} ms`);
  }
  console.log(`io ×4 / one wait: sequential ${(seq.wallMs / WAIT).toFixed(2)}, async ${(walls.async / WAIT).toFixed(2)}, threads ${(walls.threads / WAIT).toFixed(2)}, processes warm ${(walls.processes / WAIT).toFixed(2)} (cold ${(walls.processesCold / WAIT).toFixed(2)})`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("cpu, 4 tasks, 2 threads: the GIL prevents a speedup; free-threaded threads get one", async () => {
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&workers=2&io_ms=150");
  const wall = async (tool, gil) => {
    await setExperiment(page, { tool, gil });
    const row = await runOnce(page);
    assert.equal(row.status, "done");
    return row;
  };
  await wall("threads", "off"); // warm-up
  const seq = await wall("sequential");
  const gilOn = await wall("threads", "on");
  const gilOff = await wall("threads", "off");
  assert.equal(gilOn.checksum, seq.checksum);
  assert.equal(gilOff.checksum, seq.checksum);
  const on = gilOn.wallMs / seq.wallMs, off = gilOff.wallMs / seq.wallMs;
  console.log(`cpu ×4, 2 threads / sequential: GIL on ${on.toFixed(3)}, GIL off ${off.toFixed(3)}`);
  assert.ok(on >= 0.8, `GIL on ${on}`);
  assert.ok(off <= 0.8, `GIL off ${off}`);
  const gilOnRun = (await exportRuns(page)).find((r) => r.tool === "threads" && r.gil === "on");
  const lanes = new Set(gilOnRun.spans.filter((s) => s.state === "compute").map((s) => s.lane));
  assert.ok(lanes.size >= 2, "both threads computed");
  assert.equal(maxConcurrent(gilOnRun.spans, "compute", 1), 1, "no two threads compute at once under the GIL");
  assert.ok(gilOnRun.spans.some((s) => s.state === "gil-wait"), "threads waited for the GIL");
  assert.deepEqual(errors, []);
  await context.close();
});

test("cpu, 4 tasks, 2 processes: warm processes get a speedup; async does not", { skip: !BARE && "no bare host" }, async () => {
  // On a page without isolation every tool runs the plain build, so all share one kernel build.
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&workers=2&io_ms=150", { base: BARE, contextOptions: { serviceWorkers: "block" } });
  assert.equal(await page.getAttribute("html", "data-isolated"), "false");
  const wall = async (tool) => {
    await setExperiment(page, { tool });
    const row = await runOnce(page);
    assert.equal(row.status, "done");
    assert.equal(row.build, "plain");
    return row;
  };
  // Warm-ups: the pool starts, and each worker's kernel reaches its optimised tier.
  await wall("processes");
  await wall("sequential");
  await wall("async");
  const seq = await wall("sequential");
  const proc = await wall("processes");
  const asy = await wall("async");
  assert.equal(proc.paidStartup, "false");
  assert.equal(proc.checksum, seq.checksum);
  const p = proc.wallMs / seq.wallMs, a = asy.wallMs / seq.wallMs;
  console.log(`cpu ×4 / sequential: processes (warm, 2) ${p.toFixed(3)}, async ${a.toFixed(3)}`);
  assert.ok(p <= 0.8, `processes ${p}`);
  assert.ok(a >= 0.9, `async ${a}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("1000 io tasks with async finish in about one wait", async () => {
  const { page, errors, context } = await open(browser, `?tool=async&kind=io&tasks=1000&io_ms=${WAIT}`);
  await runOnce(page);
  const row = await runOnce(page);
  const ratio = row.wallMs / WAIT;
  console.log(`1000 io async / one wait: ${ratio.toFixed(3)}`);
  assert.equal(row.status, "done");
  assert.ok(ratio <= 2, `ratio ${ratio}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("mixed work with async: a wait finishes late behind a cpu task", async () => {
  const { page, errors, context } = await open(browser, `?tool=async&kind=mixed&tasks=4&io_ms=${WAIT}`);
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  const [run] = await exportRuns(page);
  const stalled = run.spans.filter((s) => s.state === "stalled");
  const computes = run.spans.filter((s) => s.state === "compute");
  const cpuTask = Math.min(...computes.map((c) => c.end - c.start));
  console.log(`mixed async: a wait finished ${Number(row.lateMs).toFixed(0)} ms late (one cpu task: ${cpuTask.toFixed(0)} ms)`);
  // gather(io, cpu, io, cpu): the first wait is due after one wait but the loop is busy with
  // both cpu tasks, so it finishes late by about (2 cpu tasks - 1 wait), at least half a task.
  assert.ok(Number(row.lateMs) >= cpuTask / 2, `late by ${row.lateMs} ms`);
  assert.ok(stalled.length > 0);
  // The stall overlaps a cpu task of another task: the loop was busy computing.
  assert.ok(stalled.some((s) => computes.some((c) => c.task !== s.task && c.start < s.end && c.end > s.start)));
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [tool, gil] of [["sequential"], ["async"], ["threads", "on"], ["threads", "off"], ["processes"]]) {
  test(`Stop answers within 100 ms: ${tool}${gil ? ` (GIL ${gil})` : ""}`, async () => {
    const { page, errors, context } = await open(browser, `?kind=cpu&tasks=4&io_ms=1000&workers=2`);
    await setExperiment(page, { tool, gil });
    const { ms, status } = await stopLatency(page);
    console.log(`stop ${tool}${gil ? ` GIL ${gil}` : ""}: ${ms.toFixed(1)} ms`);
    assert.equal(status, "stopped");
    assert.ok(ms <= 100, `stop took ${ms} ms`);
    await setExperiment(page, { kind: "io", io_ms: 50 });
    const after = await runOnce(page);
    assert.equal(after.status, "done", "the next run works");
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("processes share no memory", async () => {
  const { page, errors, context } = await open(browser, "?tool=processes");
  await page.click('[data-testid="isolation-demo"] button');
  await page.waitForSelector('[data-testid="isolation-result"][data-read-same][data-read-other]');
  const d = await page.$eval('[data-testid="isolation-result"]', (e) => ({ ...e.dataset }));
  assert.equal(d.readSame, d.wrote, "a process reads its own write");
  assert.notEqual(d.readOther, d.wrote, "another process does not see it");
  assert.equal(d.readOther, "0");
  assert.deepEqual(errors, []);
  await context.close();
});

test("processes on an isolated page compare with the threads build's baseline, normalised", async () => {
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&workers=2&io_ms=100");
  await setExperiment(page, { tool: "processes" });
  await runOnce(page); // warms the pool
  await setExperiment(page, { tool: "sequential" });
  const seq = await runOnce(page);
  assert.equal(seq.build, "atomics");
  await setExperiment(page, { tool: "processes" });
  const proc = await runOnce(page);
  assert.equal(proc.build, "plain");
  assert.equal(proc.speedupBasis, "normalized");
  console.log(`processes vs sequential from the other build, normalised: ${Number(proc.speedup).toFixed(2)}×`);
  assert.ok(Number(proc.speedup) > 1.25, `speedup ${proc.speedup}`);
  assert.match(await page.locator('[data-testid="run"]').first().textContent(), /≈\d/);
  assert.deepEqual(errors, []);
  await context.close();
});
