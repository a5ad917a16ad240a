// What no other tool shows (issue 11): the GIL lane from the engine's real GIL events, and the
// runs as a Chrome trace that Perfetto opens.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { claim, exportRuns, launch, open, runOnce, setExperiment } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("GIL lane: cpu work hands the GIL over about every 5 ms (forced); io work only voluntarily", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=150");
  await claim("forced hand-overs / (wall / 5 ms), cpu ×4 on 2 threads (0.5 to 1.5)", async () => {
    const row = await runOnce(page);
    const [record] = (await exportRuns(page)).slice(-1);
    assert.equal(record.id, Number(row.runId));
    // The row, the record and the engine's own events agree.
    assert.equal(Number(row.gilForced), record.gil_switches.forced);
    assert.equal(Number(row.gilVoluntary), record.gil_switches.voluntary);
    const drops = record.gil_events.filter((e) => e.kind === "forced-drop").length;
    assert.equal(drops, record.gil_switches.forced, "every forced drop is an event");
    const acquires = record.gil_events.filter((e) => e.kind === "acquire").length;
    assert.equal(acquires, record.gil_events.length - acquires, "every acquire has its release");
    // At most one holder at a time: events alternate acquire / release.
    let holder = null;
    for (const [i, e] of record.gil_events.entries()) {
      if (e.kind === "acquire" && holder !== null) console.log(JSON.stringify(record.gil_events.slice(Math.max(0, i - 3), i + 3).map((x) => [x.at - record.started_at, x.lane, x.kind])));
      if (e.kind === "acquire") { assert.equal(holder, null, `two holders at ${e.at}`); holder = e.lane; }
      else { assert.equal(e.lane, holder); holder = null; }
    }
    return record.gil_switches.forced / (record.wall_ms / 5);
  }, (r) => r >= 0.5 && r <= 1.5, { show: (r) => r.toFixed(2) });
  const lane = page.locator('[data-testid="gil-lane"]');
  assert.equal(await lane.count(), 1);
  assert.ok(Number(await lane.getAttribute("data-holdings")) > 10);
  assert.match(await page.textContent('[data-testid="gil-summary"]'), /\d+ forced .* \d+ voluntary/);

  await setExperiment(page, { kind: "io", tasks: 4, io_ms: 60 });
  const io = await runOnce(page);
  assert.equal(io.gilForced, "0", "nobody computes long enough to be asked");
  const [ioRecord] = (await exportRuns(page)).slice(-1);
  assert.equal(ioRecord.gil_events.filter((e) => e.kind === "forced-drop").length, 0);
  assert.ok(ioRecord.gil_events.filter((e) => e.kind === "release").length >= 8, "released around every wait");
  // No GIL, no lane, and the row says 0.
  await setExperiment(page, { kind: "cpu", gil: "off" });
  const off = await runOnce(page);
  assert.deepEqual([off.gilForced, off.gilVoluntary], ["0", "0"]);
  assert.equal(await page.locator('[data-testid="gil-lane"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Download trace: Chrome trace-event JSON, one process per run, a complete event per span", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=mixed&tasks=4&gil=on&io_ms=40");
  await runOnce(page);
  await setExperiment(page, { tool: "async", kind: "io" });
  await runOnce(page);
  const runs = await exportRuns(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download-trace"]')]);
  assert.match(download.suggestedFilename(), /\.trace\.json$/);
  const trace = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.ok(Array.isArray(trace.traceEvents));
  for (const e of trace.traceEvents) {
    for (const key of ["ph", "ts", "pid", "tid", "name"]) assert.ok(key in e, `${key} missing in ${JSON.stringify(e)}`);
    assert.ok(["X", "i", "M"].includes(e.ph), e.ph);
    assert.ok(Number.isFinite(e.ts) && e.ts >= 0);
    if (e.ph === "X") assert.ok(Number.isFinite(e.dur) && e.dur >= 0 && typeof e.cat === "string");
    if (e.ph === "i") assert.equal(e.s, "t");
  }
  for (const run of runs) {
    const mine = trace.traceEvents.filter((e) => e.pid === run.id);
    assert.equal(mine.filter((e) => e.ph === "X").length, run.spans.length, `run ${run.id}: a complete event per span`);
    assert.equal(mine.filter((e) => e.ph === "i").length, run.gil_events.length, `run ${run.id}: an instant per GIL event`);
    assert.equal(mine.filter((e) => e.name === "process_name").length, 1);
    const lanes = new Set(run.spans.map((s) => s.lane));
    assert.equal(mine.filter((e) => e.name === "thread_name").length, lanes.size, "a track per lane");
  }
  assert.ok(runs[0].gil_events.length > 0, "the threads run's GIL events are in the trace");
  assert.deepEqual(errors, []);
  await context.close();
});
