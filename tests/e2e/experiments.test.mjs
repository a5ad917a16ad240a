// The notebook's claims, each measured for real in headless Chromium. Timings are asserted as
// ratios with generous bounds; the benchmark holds the precise figures.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, OWN_ROWS, allRows, claim, exportRuns, launch, maxConcurrent, open, runOnce, setExperiment, stopLatency, waitForRow } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WAIT = 200;

test("io, 4 tasks: sequential ~4 waits; async, threads (GIL on) and warm processes ~1", async () => {
  const { page, errors, context } = await open(browser, `?kind=io&tasks=4&io_ms=${WAIT}&workers=4`);
  const seq = await runOnce(page);
  assert.ok(Number(seq.wallMs) >= 3.5 * WAIT, `sequential ${seq.wallMs}`);
  // The first processes run starts the pool; the claim is about warm processes.
  await setExperiment(page, { tool: "processes" });
  const cold = await runOnce(page);
  assert.equal(cold.status, "done");
  console.log(`io ×4, processes cold (pool start-up included) / one wait: ${(cold.wallMs / WAIT).toFixed(2)}`);
  for (const [tool, gil] of [["async"], ["threads", "on"], ["processes"]]) {
    await claim(`io ×4 / one wait, ${tool}`, async () => {
      await setExperiment(page, { tool, gil });
      const row = await runOnce(page);
      assert.equal(row.status, "done");
      assert.equal(row.tool, tool);
      if (tool === "processes") assert.equal(row.paidStartup, "false", "the pool is reused");
      return row.wallMs / WAIT;
    }, (r) => r <= 1.5, { show: (r) => r.toFixed(3) });
  }
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
  await claim("cpu ×4, 2 threads / sequential (GIL on ≥ 0.8, GIL off ≤ 0.8)", async () => {
    const seq = await wall("sequential");
    const gilOn = await wall("threads", "on");
    const gilOff = await wall("threads", "off");
    assert.equal(gilOn.checksum, seq.checksum);
    assert.equal(gilOff.checksum, seq.checksum);
    return { on: gilOn.wallMs / seq.wallMs, off: gilOff.wallMs / seq.wallMs };
  }, ({ on, off }) => on >= 0.8 && off <= 0.8, { show: ({ on, off }) => `GIL on ${on.toFixed(3)}, GIL off ${off.toFixed(3)}` });
  const gilOnRun = (await exportRuns(page)).find((r) => r.tool === "threads" && r.gil === "on");
  const lanes = new Set(gilOnRun.spans.filter((s) => s.state === "compute").map((s) => s.lane));
  assert.ok(lanes.size >= 2, "both threads computed");
  assert.equal(maxConcurrent(gilOnRun.spans, "compute", 1), 1, "no two threads compute at once under the GIL");
  assert.ok(gilOnRun.spans.some((s) => s.state === "gil-wait"), "threads waited for the GIL");
  // Two cpu-bound threads hand the GIL over at the switch interval, on the waiter's request.
  const { forced, voluntary } = gilOnRun.gil_switches;
  console.log(`GIL hand-overs, cpu ×4 on 2 threads: ${forced} forced, ${voluntary} voluntary`);
  assert.ok(forced > 10, `forced hand-overs: ${forced}`);
  const gilOffRun = (await exportRuns(page)).find((r) => r.tool === "threads" && r.gil === "off");
  assert.equal(gilOffRun.gil_switches, null, "no GIL, no hand-overs");
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
  await claim("cpu ×4 / sequential (processes warm, 2 ≤ 0.8; async ≥ 0.9)", async () => {
    const seq = await wall("sequential");
    const proc = await wall("processes");
    const asy = await wall("async");
    assert.equal(proc.paidStartup, "false");
    assert.equal(proc.checksum, seq.checksum);
    return { p: proc.wallMs / seq.wallMs, a: asy.wallMs / seq.wallMs };
  }, ({ p, a }) => p <= 0.8 && a >= 0.9, { show: ({ p, a }) => `processes ${p.toFixed(3)}, async ${a.toFixed(3)}` });
  assert.deepEqual(errors, []);
  await context.close();
});

test("1000 io tasks with async finish in about one wait", async () => {
  const { page, errors, context } = await open(browser, `?tool=async&kind=io&tasks=1000&io_ms=${WAIT}`);
  await runOnce(page);
  await claim("1000 io async / one wait", async () => {
    const row = await runOnce(page);
    assert.equal(row.status, "done");
    return row.wallMs / WAIT;
  }, (r) => r <= 2, { show: (r) => r.toFixed(3) });
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

// On an isolated page every worker reads a cancel word between kernel chunks: the atomics
// build in its own shared memory, plain-build workers (async, processes) in a SharedArrayBuffer
// the page gave them. Nothing is killed, and the row keeps what the run did before Stop.
// Without isolation a plain worker computing reads nothing, and is terminated after 40 ms.
const stopCases = [["sequential"], ["async"], ["threads", "on"], ["threads", "off"], ["processes"]].map(([tool, gil]) => ({ tool, gil, host: "isolated" }));
stopCases.push({ tool: "async", host: "plain", base: BARE }, { tool: "processes", host: "plain", base: BARE });
for (const { tool, gil, host, base } of stopCases) {
  test(`Stop answers within 100 ms: ${tool}${gil ? ` (GIL ${gil})` : ""}, ${host} host`, { skip: host === "plain" && !BARE && "no bare host" }, async () => {
    const { page, errors, context } = await open(browser, `?kind=cpu&tasks=4&io_ms=1000&workers=2`, { base, contextOptions: base ? { serviceWorkers: "block" } : {} });
    await setExperiment(page, { tool, gil });
    await claim(`stop ${tool}${gil ? ` GIL ${gil}` : ""} (${host}), ms`, async () => {
      await setExperiment(page, { kind: "cpu", io_ms: 1000 });
      const { ms, status, row } = await stopLatency(page);
      assert.equal(status, "stopped");
      const [stopped] = (await exportRuns(page)).slice(-1);
      assert.equal(stopped.status, "stopped");
      if (host === "isolated") {
        assert.doesNotMatch(row.message ?? "", /terminated/, "no worker was terminated");
        assert.ok(stopped.spans.length > 0, "the stopped run keeps its spans");
      } else {
        assert.match(row.message ?? "", /terminated/, "a computing plain worker cannot be reached");
      }
      await setExperiment(page, { kind: "io", io_ms: 50 });
      const after = await runOnce(page);
      assert.equal(after.status, "done", "the next run works");
      return ms;
    }, (ms) => ms <= 100, { show: (ms) => ms.toFixed(1) });
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

for (const [host, base] of [["isolated", undefined], ["plain", BARE]]) {
  test(`every speedup names a real baseline run of the same work (${host} host)`, { skip: host === "plain" && !BARE && "no bare host" }, async () => {
    const options = base ? { base, contextOptions: { serviceWorkers: "block" } } : {};
    const { page, errors, context } = await open(browser, `?kind=io&tasks=4&io_ms=${WAIT}&workers=4`, options);
    const isolated = (await page.getAttribute("html", "data-isolated")) === "true";
    const named = async (row, atLeast) => {
      assert.ok(row.baselineRun, `run ${row.runId} (${row.tool}) names its baseline`);
      const rows = await allRows(page);
      const base = rows.find((r) => r.runId === row.baselineRun);
      assert.ok(base, `baseline row ${row.baselineRun} is in the table`);
      assert.equal(base.tool, "sequential");
      assert.deepEqual([base.kind, base.tasks, base.ioMs], [row.kind, row.tasks, row.ioMs], "same work");
      if (row.kind !== "io") assert.deepEqual([base.build, base.cpuIters], [row.build, row.cpuIters], "same build and iterations");
      const ratio = Number(base.wallMs) / Number(row.wallMs);
      assert.ok(Math.abs(ratio - Number(row.speedup)) <= 1e-3 * ratio, `data-speedup ${row.speedup} = ${base.wallMs} / ${row.wallMs}`);
      return Number(row.speedup);
    };
    await setExperiment(page, { tool: "sequential" });
    await runOnce(page);
    // Processes come last: their first run is cold, its pool's start-up counted in its wall.
    const tools = isolated ? [["async"], ["threads", "on"], ["processes"]] : [["async"], ["processes"]];
    for (const [tool, gil] of tools) {
      await claim(`io ×4 speedup, ${tool} (${host})`, async () => {
        await setExperiment(page, { tool, gil });
        return named(await runOnce(page));
      }, (x) => x >= (tool === "processes" ? 1.5 : 2.5), { show: (x) => `${x.toFixed(2)}×` });
    }
    // cpu work: threads (GIL off, 2 workers) against the same build's sequential run, and
    // processes against a plain-build sequential run (on an isolated page the page runs it).
    await setExperiment(page, { kind: "cpu", io_ms: 100, tool: "sequential" });
    await runOnce(page);
    if (isolated) {
      await claim(`cpu ×4 speedup, threads GIL off, 2 workers (${host})`, async () => {
        await setExperiment(page, { tool: "threads", gil: "off", workers: 2 });
        return named(await runOnce(page));
      }, (x) => x >= 1.3, { show: (x) => `${x.toFixed(2)}×` });
    }
    await setExperiment(page, { tool: "processes", workers: 2 });
    const proc = await runOnce(page);
    await page.waitForFunction((id) => {
      const row = document.querySelector(`[data-testid="run"][data-run-id="${id}"]`);
      return row && row.dataset.baselineRun;
    }, proc.runId, { timeout: 30_000 });
    const procRow = (await allRows(page)).find((r) => r.runId === proc.runId);
    console.log(`cpu ×4, processes (2) against run ${procRow.baselineRun}: ${Number(procRow.speedup).toFixed(2)}×`);
    assert.ok(Number.isFinite(await named(procRow)));
    const text = await page.textContent("body");
    assert.doesNotMatch(text, /≈/, "no derived figure on the page");
    const exported = JSON.stringify(await exportRuns(page));
    assert.doesNotMatch(exported, /≈|normali[sz]ed/, "nor in the export");
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// The bound is generous (a task run in the cold tier, or on a wrong calibration, lasts 2-4×
// io_ms): on a busy 2-core machine one fresh page measured 160 ms and another 272 ms. The
// precise target is the bench's "calibrated task time, threads build" (0.9-1.1×).
test("a calibrated cpu task lasts about io_ms (0.6-1.5×) in both builds", async () => {
  // Each attempt loads the page afresh: a calibration is measured once per load.
  const task = async (base, tool) => {
    const options = base ? { base, contextOptions: { serviceWorkers: "block" } } : {};
    const { page, errors, context } = await open(browser, `?tool=${tool}&kind=cpu&tasks=1&io_ms=200`, options);
    // In the first seconds after load the browser still compiles the page's modules in the
    // background (optimised tiers), on the same 2 cores: measured right after load, plain-build
    // tasks ran 155-263 ms against 200 calibrated; 3 s later, 195-196 ms. The claim is about the
    // calibration, so the task is measured once the page has settled.
    await page.waitForTimeout(3000);
    let row;
    for (let i = 0; i < 2; i++) row = await runOnce(page); // the first task after load warms the code up
    assert.equal(row.status, "done");
    const [run] = (await exportRuns(page)).filter((r) => String(r.id) === row.runId);
    const ms = run.spans.filter((s) => s.state === "compute").reduce((a, s) => a + s.end - s.start, 0);
    assert.deepEqual(errors, []);
    await context.close();
    return { build: row.build, ms };
  };
  const cases = [["threads build, isolated page (a pool lane)", undefined, "sequential"]];
  if (BARE) cases.push(["plain build, plain host", BARE, "sequential"]);
  // A calibration is measured once per page load, so each attempt is a fresh load.
  for (const [name, base, tool] of cases) {
    await claim(`one calibrated cpu task, ${name}`, () => task(base, tool),
      ({ ms }) => ms >= 120 && ms <= 300, { show: ({ build, ms }) => `${ms.toFixed(1)} ms (${build} build)` });
  }
  // Printed, not asserted: on an isolated page the plain build calibrates while the threads
  // build loads and starts its pool on the same cores, the least steady of the three cases.
  const plain = await task(undefined, "async");
  console.log(`one calibrated cpu task, plain build on an isolated page: ${plain.ms.toFixed(1)} ms (not asserted)`);
});
