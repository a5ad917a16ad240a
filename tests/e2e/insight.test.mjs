// What no other tool shows (issue 11): the GIL lane from the engine's real GIL events, and the
// runs as a Chrome trace that Perfetto opens.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    assert.ok(["X", "i", "M", "s", "f"].includes(e.ph), e.ph);
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

const VERB = { compute: "computes", io: "waits on io for", "gil-wait": "waits for the GIL for", stalled: "is late for", startup: "starts up for", copy: "copies for" };

/** What the status line must say of each lane at `at` ms, from the run's own spans. */
function expectedLanes(run, at, noun) {
  const lanes = [...new Set(run.spans.map((s) => s.lane))];
  return lanes.map((lane) => {
    const here = run.spans.filter((s) => s.lane === lane && s.start - run.started_at <= at && at < s.end - run.started_at);
    if (here.length === 0) return `${noun} ${lane} is idle`;
    if (here.length === 1) return `${noun} ${lane} ${VERB[here[0].state]} task ${here[0].task}`;
    return `${noun} ${lane} `;
  });
}

test("Replay: a 4-task threads run with the GIL on, stepped from the first event to the last and back by keyboard", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=25");
  await runOnce(page);
  const [run] = (await exportRuns(page)).slice(-1);
  const replay = page.locator('[data-testid="replay"]');
  const slider = replay.locator('input[type="range"]');
  const steps = Number(await slider.getAttribute("max")) + 1;
  const spanEvents = run.spans.length * 2, gilEvents = run.gil_events.length;
  assert.equal(steps, spanEvents + gilEvents, "a step per span start and end and per GIL event");
  assert.equal(await page.getAttribute('[data-testid="replay-status"]', "aria-live"), "polite");
  await slider.focus();
  await page.keyboard.press("Home");
  const read = () => page.evaluate(() => {
    const r = document.querySelector('[data-testid="replay"]');
    return { index: Number(r.dataset.index), at: Number(r.dataset.at), status: document.querySelector('[data-testid="replay-status"]').textContent };
  });
  let last = await read();
  assert.equal(last.index, 0);
  assert.match(last.status, /^Step 1 of \d+ at \d+\.\d\d ms: thread \d /);
  assert.equal(await page.locator('[data-testid="playhead"]').count(), 1);
  const check = (now) => {
    for (const phrase of expectedLanes(run, now.at, "thread")) assert.ok(now.status.includes(phrase), `at ${now.at} ms: "${phrase}" missing in "${now.status}"`);
  };
  check(last);
  for (let i = 1; i < steps; i++) {
    await page.keyboard.press("ArrowRight");
    const now = await read();
    assert.equal(now.index, i);
    assert.notEqual(now.status, last.status, `step ${i} changed nothing`);
    assert.ok(now.at >= last.at, "time never goes back while stepping forwards");
    check(now);
    last = now;
  }
  assert.match(last.status, new RegExp(`^Step ${steps} of ${steps} `));
  for (let i = steps - 2; i >= 0; i--) {
    await page.keyboard.press("ArrowLeft");
    const now = await read();
    assert.equal(now.index, i);
    assert.notEqual(now.status, last.status);
    last = now;
  }
  // End jumps to the last step; Space plays from the start and pauses.
  await page.keyboard.press("End");
  assert.equal((await read()).index, steps - 1);
  await page.keyboard.press("Space");
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="replay"]').dataset.index) > 0, null, { timeout: 10_000 });
  assert.equal(await page.getAttribute('[data-testid="replay-status"]', "aria-live"), "off", "no announcements while playing");
  await page.keyboard.press("Space");
  const paused = await read();
  await page.waitForTimeout(300);
  assert.equal((await read()).index, paused.index, "paused");
  assert.deepEqual(errors, []);
  await context.close();
});

test("Replay honours reduced motion: Play moves one step at a time", async () => {
  const { page, errors, context } = await open(browser, "?tool=async&kind=io&tasks=3&io_ms=30", { contextOptions: { reducedMotion: "reduce" } });
  await runOnce(page);
  const slider = page.locator('[data-testid="replay"] input[type="range"]');
  await slider.focus();
  await page.keyboard.press("Space");
  const seen = new Set();
  for (let i = 0; i < 8; i++) {
    seen.add(await page.getAttribute('[data-testid="replay"]', "data-index"));
    await page.waitForTimeout(250);
  }
  const indices = [...seen].map(Number).sort((a, b) => a - b);
  // 2 s at one step per 700 ms: the playhead visited consecutive steps only.
  assert.ok(indices.length >= 2 && indices.length <= 5, `visited ${indices}`);
  assert.deepEqual(indices, indices.map((_, k) => indices[0] + k), "no step skipped");
  assert.deepEqual(errors, []);
  await context.close();
});

test("Open a run: an exported run file shows in the timeline and replays", async () => {
  const first = await open(browser, "?tool=threads&kind=mixed&tasks=4&gil=on&io_ms=30");
  await runOnce(first.page);
  const [download] = await Promise.all([first.page.waitForEvent("download"), first.page.click('[data-testid="export-json"]')]);
  // Saved: the download itself goes with its browser context.
  const file = join(tmpdir(), `run-${process.pid}.json`);
  await download.saveAs(file);
  const [run] = JSON.parse(await readFile(file, "utf8"));
  await first.context.close();
  // A teacher's file, opened on a fresh page with no runs of its own.
  const { page, errors, context } = await open(browser, "");
  await page.setInputFiles('[data-testid="open-run"]', file);
  await page.waitForSelector('[data-testid="opened-run"]');
  assert.match(await page.textContent("#timeline-caption"), /from .*\.json: threads mixed × 4/);
  const slider = page.locator('[data-testid="replay"] input[type="range"]');
  assert.equal(Number(await slider.getAttribute("max")) + 1, run.spans.length * 2 + run.gil_events.length);
  await slider.focus();
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowRight");
  assert.match(await page.textContent('[data-testid="replay-status"]'), /^Step 2 of/);
  assert.equal(await page.locator('[data-testid="gil-lane"]').count(), 1);
  assert.equal(await page.locator(`[data-testid="run"]`).count(), 0, "the file's runs are not this page's");
  // A file that is not a run says why, and nothing breaks.
  await page.setInputFiles('[data-testid="open-run"]', { name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
  await page.waitForFunction(() => /notes\.json: This is not a run/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""));
  assert.deepEqual(errors, []);
  await context.close();
});

test("Open a run: hostile files are refused, each saying why, and the page keeps working", async () => {
  const first = await open(browser, "?tool=async&kind=io&tasks=2&io_ms=20");
  await runOnce(first.page);
  const [run] = await exportRuns(first.page);
  await first.context.close();
  const { page, errors, context } = await open(browser, "?tool=async&kind=io&tasks=2&io_ms=20");
  const openFile = async (name, buffer, why) => {
    // Through a file on disk: Playwright sends no buffer over 50 MB itself. The page's File is
    // that file, read when the page reads it: it is removed only once the page has answered
    // (removed at once, a page slower to read it said "could not be read").
    const path = join(tmpdir(), `${process.pid}-${name}`);
    await writeFile(path, buffer);
    try {
      await page.setInputFiles('[data-testid="open-run"]', path);
      await page.waitForFunction(([n, w]) => new RegExp(`${n}: ${w}`).test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""), [name.replace(".", "\\."), why], { timeout: 30_000 });
    } finally {
      await unlink(path);
    }
    assert.equal(await page.locator('[data-testid="opened-run"]').count(), 0, `${name} opened nothing`);
  };
  // A span that ends before it starts.
  const backwards = { ...run, spans: run.spans.map((s, i) => (i === 0 ? { ...s, start: s.end + 5 } : s)) };
  await openFile("backwards.json", Buffer.from(JSON.stringify([backwards])), "Run \\d+ has a span that ends before it starts");
  // Nesting far deeper than any run file: refused, not a stack overflow.
  await openFile("deep.json", Buffer.from("[".repeat(100_000) + "]".repeat(100_000)), ".+");
  // Over the size cap: refused before it is read.
  await openFile("huge.json", Buffer.alloc(65 * 1024 * 1024, 0x20), "The file is \\d+ MB; a run file is at most \\d+ MB");
  // Not JSON at all.
  await openFile("binary.json", Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]), ".+");
  // The page still runs.
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  assert.deepEqual(errors, []);
  await context.close();
});

test("Amdahl: half the work serial caps 2 free-threaded threads near 1.33×; none serial stays ≥ 1.3×", async () => {
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&workers=2&io_ms=100&serial=50");
  assert.equal(await page.getAttribute('[data-testid="amdahl-curve"]', "data-serial"), "50");
  const speedup = async (serial) => {
    await setExperiment(page, { tool: "sequential", serial });
    const seq = await runOnce(page);
    await setExperiment(page, { tool: "threads", gil: "off" });
    const thr = await runOnce(page);
    assert.equal(thr.serial, String(serial));
    assert.equal(thr.checksum, seq.checksum, "the same work");
    assert.equal(thr.baselineRun, seq.runId, "the speedup divides that sequential run");
    return Number(thr.speedup);
  };
  await setExperiment(page, { tool: "threads", gil: "off" });
  await runOnce(page); // warm-up
  const predicted = 1 / (0.5 + 0.5 / 2);
  await claim("speedup with a 50 % serial part on 2 threads (≤ 1.45, within 15 % of 1.33)", () => speedup(50),
    (s) => s <= 1.45 && Math.abs(s - predicted) / predicted <= 0.15, { show: (s) => s.toFixed(3) });
  // The serial phase ran alone, on one lane, before any task.
  const [run] = (await exportRuns(page)).filter((r) => r.tool === "threads").slice(-1);
  const serial = run.spans.filter((s) => s.state === "serial");
  assert.equal(serial.length, 1);
  assert.ok(run.spans.filter((s) => s.state === "compute").every((s) => s.start >= serial[0].end - 0.05), "nothing computed beside the serial part");
  assert.ok(await page.locator('[data-testid="timeline-task"][data-task="serial"]').count() === 1);
  await claim("speedup with no serial part on 2 threads (≥ 1.3)", () => speedup(0), (s) => s >= 1.3, { show: (s) => s.toFixed(3) });
  // Processes have their serial part too, on one process.
  await setExperiment(page, { tool: "processes", serial: 50 });
  const proc = await runOnce(page);
  assert.deepEqual([proc.status, proc.tasksDone, proc.serial], ["done", "4", "50"]);
  const [procRun] = (await exportRuns(page)).slice(-1);
  assert.equal(procRun.spans.filter((s) => s.state === "serial").length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Race: unlocked threads lose updates, a lock loses none, processes each keep their own counter", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=race&tasks=4&workers=4&gil=off&lock=off&cpu_iters=1000000");
  const expected = 4_000_000;
  const lost = [];
  for (let i = 0; i < 3; i++) {
    const row = await runOnce(page);
    assert.equal(row.status, "done");
    assert.equal(Number(row.expectedCount), expected);
    const final = Number(row.finalCount);
    assert.ok(final > 0 && final <= expected, `final ${final}`);
    lost.push(expected - final);
  }
  console.log(`race, 4 threads × 1e6 without a lock: updates lost in 3 runs: ${lost.join(", ")}`);
  assert.ok(lost.some((n) => n > 0), "no update was lost in 3 runs");
  assert.match(await page.textContent('[data-testid="race-result"]'), /expected/);
  // With the lock: exactly every update.
  await page.selectOption("#lock", "on");
  const locked = await runOnce(page);
  assert.deepEqual([locked.lock, locked.finalCount, locked.expectedCount], ["on", String(expected), String(expected)]);
  assert.equal(locked.speedup, undefined, "a race is counted, not timed against a baseline");
  // One thread cannot race.
  await setExperiment(page, { tool: "sequential" });
  assert.equal((await runOnce(page)).finalCount, String(expected));
  // Processes: each process its own counter; the parent's untouched.
  await setExperiment(page, { tool: "processes", workers: 4 });
  // A cold pool hands a second task to the first process up (as ProcessPoolExecutor would);
  // the counts still add up. The warm pool gives each process one task.
  const cold = await runOnce(page);
  assert.equal(cold.ownCounts.split(" ").map(Number).reduce((a, b) => a + b, 0), expected);
  // A race task lasts a few ms: processes still starting (each warms its kernel up) may miss a
  // whole run. The pool is warm once a run waited for no start-up.
  let proc = cold;
  for (let i = 0; i < 5 && proc.paidStartup !== "false"; i++) {
    await page.waitForTimeout(200);
    proc = await runOnce(page);
  }
  assert.equal(proc.paidStartup, "false", "the pool warmed up");
  assert.deepEqual([proc.status, proc.finalCount, proc.ownCounts], ["done", "0", "1000000 1000000 1000000 1000000"]);
  assert.match(await page.textContent('[data-testid="race-result"]'), /own memory/);
  const [record] = (await exportRuns(page)).slice(-1);
  assert.deepEqual(record.counts, { expected, final_count: 0, own: [1e6, 1e6, 1e6, 1e6] });
  // The page's Python is the same experiment: processes, the race, the lock.
  const python = await page.textContent('[data-testid="python-code"]');
  assert.match(python, /^TOOL = "processes" {2}#/m);
  assert.match(python, /^KIND = "race" {2}#/m);
  assert.match(python, /the counter here says \{counter\}/);
  assert.deepEqual(errors, []);
  await context.close();
});
