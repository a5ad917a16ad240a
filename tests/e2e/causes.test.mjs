// Why every wait happened: each wait in the table view names its cause and who caused it, each
// lane accounts for its time under the timeline, the critical path is outlined on demand, and the
// trace links each GIL hand-over with a flow arrow; by keyboard, for screen readers, axe-clean,
// and with the first load still within its bar.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { BASE, exportRuns, launch, open, pythonReady, runOnce } from "./lib.mjs";

const require = createRequire(import.meta.url);
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Shows the table view of the run on screen and returns its span rows' attributes, once the
 * insight worker's rows (with causes) are there. */
async function spanRows(page) {
  await page.click("text=Show as a table");
  await page.waitForSelector('[data-testid="lane-summary"]');
  await page.waitForSelector('[data-testid="span-row"]');
  return page.$$eval('[data-testid="span-row"]', (rows) => rows.map((r) => ({ ...r.dataset })));
}

/** The lane summaries' attributes, as numbers. */
async function laneSummaries(page) {
  return page.$$eval('[data-testid="lane-summary"]', (entries) => entries.map((e) => ({
    lane: e.dataset.lane, compute: Number(e.dataset.computeMs), wait: Number(e.dataset.waitMs), idle: Number(e.dataset.idleMs), text: e.textContent,
  })));
}

const near = (a, b, share) => Math.abs(a - b) <= Math.max(Math.abs(b) * share, 1e-6);

/** How long a lane's rows cover, overlaps counted once (ms): what is not covered is idle. The
 * lane accounts are checked against it, not only against their own sum (which holds whatever
 * the parts are, as idle is what is left). */
function covered(rows, lane) {
  const spans = rows.filter((r) => r.lane === lane).map((r) => [Number(r.startMs), Number(r.endMs)]).sort((a, b) => a[0] - b[0]);
  let total = 0, end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
const WAITS = ["io", "gil-wait", "stalled", "startup", "copy", "queued"];

for (const engine of ["model", "cpython"]) {
test(`threads, cpu, GIL on, 2 workers, ${engine}: every GIL wait names how it came and the holder's lane; gil-forced rows number the forced hand-overs; lanes account for the wall; the GIL lane draws the holders`, async () => {
  const { page, errors, context } = await open(browser, `?engine=${engine}&tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=100`);
  if (engine === "cpython") await pythonReady(page);
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  const rows = await spanRows(page);
  const [record] = (await exportRuns(page)).slice(-1);
  assert.equal(rows.length, record.spans.length, "a row per span");
  const gilWaits = rows.filter((r) => r.state === "gil-wait");
  assert.ok(gilWaits.length > 0, "the threads waited for the GIL");
  for (const r of gilWaits) {
    assert.ok(["gil-forced", "gil-voluntary"].includes(r.cause), JSON.stringify(r));
    assert.match(r.causeLane ?? "", /^\d+$/, JSON.stringify(r));
    assert.notEqual(r.causeLane, r.lane, "another lane held the GIL");
  }
  for (const r of rows.filter((r) => WAITS.includes(r.state))) assert.ok(r.cause, `a wait without a cause: ${JSON.stringify(r)}`);
  const forcedRows = gilWaits.filter((r) => r.cause === "gil-forced").length;
  const forced = Number(row.gilForced), voluntary = Number(row.gilVoluntary);
  console.log(`forced hand-overs ${forced}, gil-forced rows ${forcedRows}; voluntary ${voluntary}, gil-voluntary rows ${gilWaits.length - forcedRows}`);
  assert.ok(Math.abs(forcedRows - forced) <= 2, `${forcedRows} gil-forced rows for ${forced} forced hand-overs`);
  // An acquire that found the GIL free is no wait: every wait is a counted hand-over.
  assert.ok(Math.abs(gilWaits.length - (forced + voluntary)) <= 2, `${gilWaits.length} waits for ${forced + voluntary} hand-overs`);

  const wall = Number(row.wallMs);
  const lanes = await laneSummaries(page);
  assert.deepEqual(lanes.map((l) => l.lane).sort(), [...new Set(rows.map((r) => r.lane))].sort(), "an entry per lane");
  for (const l of lanes) {
    const computing = rows.filter((r) => r.lane === l.lane && r.state === "compute")
      .reduce((sum, r) => sum + Number(r.endMs) - Number(r.startMs), 0);
    assert.ok(near(l.compute, computing, 0.01), `lane ${l.lane}: compute ${l.compute} ms, its spans ${computing} ms`);
    assert.ok(near(l.compute + l.wait + l.idle, wall, 0.01), `lane ${l.lane}: ${l.compute} + ${l.wait} + ${l.idle} ≠ ${wall}`);
    assert.ok(Math.abs(l.compute + l.wait - covered(rows, l.lane)) <= Math.max(0.01 * wall, 0.5), `lane ${l.lane}: computing ${l.compute} + waiting ${l.wait}, its spans cover ${covered(rows, l.lane)}`);
    assert.match(l.text, /^(thread \d+|main thread): computing [\d.]+ ms, waiting [\d.]+ ms.*idle [\d.]+ ms$/);
  }
  // The GIL lane: one holder at a time, from the run's own events.
  const held = Number(await page.getAttribute('[data-testid="gil-lane"]', "data-holdings"));
  assert.ok(held >= forced, `${held} holds drawn for ${forced} forced hand-overs`);
  assert.deepEqual(errors, []);
  await context.close();
});
}

for (const engine of ["model", "cpython"]) {
test(`async, mixed, ${engine}: every stall names the task that kept the event loop busy, which computed then; late_ms is the longest`, async () => {
  const { page, errors, context } = await open(browser, `?engine=${engine}&tool=async&kind=mixed&tasks=6&io_ms=60`);
  if (engine === "cpython") await pythonReady(page);
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  assert.ok(Number(row.lateMs) > 0, `late_ms ${row.lateMs}`);
  const rows = await spanRows(page);
  const stalls = rows.filter((r) => r.state === "stalled");
  assert.ok(stalls.length > 0, "io timers fired late behind the cpu tasks");
  for (const s of stalls) {
    assert.equal(s.cause, "stalled");
    assert.match(s.causeTask ?? "", /^\d+$/, JSON.stringify(s));
    const blocker = rows.filter((r) => r.state === "compute" && r.lane === s.lane
      && Number(r.startMs) < Number(s.endMs) && Number(r.endMs) > Number(s.startMs));
    assert.ok(blocker.length > 0, `something computed during ${JSON.stringify(s)}`);
    // The named task computed during the stall (its compute span overlaps it).
    const tasks = await page.$$eval('[data-testid="span-row"]', (trs, at) => trs
      .filter((r) => r.dataset.state === "compute" && Number(r.dataset.startMs) < at.end && Number(r.dataset.endMs) > at.start)
      .map((r) => r.cells[0].textContent), { start: Number(s.startMs), end: Number(s.endMs) });
    assert.ok(tasks.includes(s.causeTask), `stall names task ${s.causeTask}; computing then: ${tasks}`);
  }
  // One event loop: its overlapping waits count once, and its parts add up to the wall.
  const [loop] = await laneSummaries(page);
  assert.ok(near(loop.compute + loop.wait + loop.idle, Number(row.wallMs), 0.01), JSON.stringify(loop));
  assert.ok(Math.abs(loop.compute + loop.wait - covered(rows, loop.lane)) <= Math.max(0.01 * Number(row.wallMs), 0.5), `${JSON.stringify(loop)}; its spans cover ${covered(rows, loop.lane)}`);
  assert.ok(loop.wait <= Number(row.wallMs) + 0.01, "overlapping waits are not added up");
  const longest = Math.max(...stalls.map((s) => Number(s.endMs) - Number(s.startMs)));
  assert.ok(Math.abs(longest - Number(row.lateMs)) < 0.01, `late_ms ${row.lateMs}, longest stall ${longest}`);
  console.log(`${engine}: ${stalls.length} stalls, the longest ${longest.toFixed(1)} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});
}

test("processes, more tasks than processes: queued spans name the busy processes", async () => {
  const { page, errors, context } = await open(browser, "?tool=processes&kind=io&tasks=6&workers=2&io_ms=80");
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  const rows = await spanRows(page);
  const queued = rows.filter((r) => r.state === "queued");
  assert.ok(queued.length >= 4, `${queued.length} queued spans: tasks 2 to 5 waited for a free process`);
  for (const q of queued) {
    assert.equal(q.cause, "queued");
    const busy = (q.causeLane ?? "").split(" ").filter(Boolean);
    assert.ok(busy.length > 0, JSON.stringify(q));
    for (const lane of busy) {
      const working = rows.some((r) => r.lane === lane && r.state !== "queued"
        && Number(r.startMs) < Number(q.endMs) && Number(r.endMs) > Number(q.startMs));
      assert.ok(working, `process ${lane} named busy during ${JSON.stringify(q)}`);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("the trace has one flow pair per counted hand-over, ids matching, with the fields Perfetto's importer reads, for the model's threads and CPython's", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=100");
  await runOnce(page);
  await page.selectOption("#engine", "cpython");
  await pythonReady(page);
  await runOnce(page);
  const runs = await exportRuns(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download-trace"]')]);
  const trace = JSON.parse(await readFile(await download.path(), "utf8"));
  for (const run of runs) {
    const flows = trace.traceEvents.filter((e) => e.pid === run.id && (e.ph === "s" || e.ph === "f"));
    const starts = flows.filter((e) => e.ph === "s"), ends = flows.filter((e) => e.ph === "f");
    const counted = run.gil_switches.forced + run.gil_switches.voluntary;
    console.log(`run ${run.id}: ${counted} counted hand-overs, ${starts.length} flow starts, ${ends.length} flow ends`);
    assert.ok(counted > 0);
    assert.equal(starts.length, counted, "a flow per counted hand-over");
    assert.deepEqual(ends.map((e) => e.id).sort(), starts.map((e) => e.id).sort(), "ids in pairs");
    assert.equal(new Set(starts.map((e) => e.id)).size, starts.length, "one id per pair");
    for (const e of flows) {
      for (const key of ["ph", "id", "cat", "name", "pid", "tid", "ts"]) assert.ok(key in e, `${key} missing in ${JSON.stringify(e)}`);
      if (e.ph === "f") assert.equal(e.bp, "e");
    }
    for (const s of starts) {
      const f = ends.find((e) => e.id === s.id);
      assert.deepEqual([f.cat, f.name], [s.cat, s.name]);
      assert.notEqual(f.tid, s.tid, "from the releasing thread to the acquiring one");
      assert.ok(f.ts >= s.ts);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard and screen readers reach every cause; the critical path toggles; replay names causes; axe finds nothing serious", async () => {
  // Two cpu tasks on two threads: the thread that starts second asks for the GIL while the
  // first computes, and they hand it over at each switch interval (a few dozen spans, each one
  // focusable). Mixed work (one io task beside one cpu task as long as it) had a GIL wait only
  // when the io's timer fired before the compute ended: not always, on a loaded machine.
  const { page, errors, context } = await open(browser, "?tool=threads&kind=cpu&tasks=2&workers=2&gil=on&io_ms=40", { contextOptions: { bypassCSP: true } });
  const row = await runOnce(page);
  await page.waitForSelector('[data-testid="lane-summary"]');
  // Each span is focusable (a few dozen), and focus shows its cause, as hover does.
  const labels = await page.$$eval('rect.span[tabindex="0"]', (rects) => rects.map((r) => r.getAttribute("aria-label")));
  const waits = labels.filter((l) => /waiting/.test(l));
  assert.ok(waits.length > 0, "waits to reach");
  for (const l of waits) assert.match(l, /: (thread \d+ \(task \d+\) held the GIL|the task's own io)/, l);
  const gilWait = page.locator('rect.span.gil-wait[tabindex="0"]').first();
  assert.ok(await gilWait.count() > 0, "a GIL wait to focus");
  await gilWait.focus();
  assert.match(await page.textContent('[data-testid="span-details"]'), /held the GIL .*\((forced|voluntary)\)/);
  await gilWait.hover();
  assert.match(await gilWait.locator("title").textContent(), /held the GIL/);
  // The critical path, by keyboard.
  const toggle = page.locator('[data-testid="critical-path"]');
  assert.equal(await toggle.getAttribute("aria-pressed"), "false");
  await toggle.focus();
  await page.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  assert.equal(await page.locator("path.critical-path").count(), 1);
  const rows = await spanRows(page);
  const onPath = rows.filter((r) => r.critical === "true");
  const covered = onPath.reduce((sum, r) => sum + Number(r.endMs) - Number(r.startMs), 0);
  console.log(`critical path: ${onPath.length} spans, ${covered.toFixed(1)} ms of a ${row.wallMs} ms wall`);
  assert.ok(onPath.length > 0 && covered <= Number(row.wallMs) + 1 && covered >= Number(row.wallMs) * 0.5, `${covered} ms of ${row.wallMs}`);
  // A chain: each span on the path starts where the one before it ended (or later), and the
  // last is the run's last to end, or, when that one is a wait, the span on the lane that ended
  // the wait (the path follows a wait to its cause); a path that held the longest span and
  // nothing else is neither.
  const path = onPath.map((r) => ({ ...r, start: Number(r.startMs), end: Number(r.endMs) })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < path.length; i++) assert.ok(path[i].start >= path[i - 1].end - 0.06, `overlap on the path: ${JSON.stringify(path.map((p) => [p.start, p.end]))}`);
  const lastEnd = Math.max(...rows.map((r) => Number(r.endMs)));
  const last = rows.find((r) => Number(r.endMs) === lastEnd);
  const pathLast = path.at(-1);
  const endsTheRun = Math.abs(pathLast.end - lastEnd) < 0.06;
  const endedTheLastWait = Boolean(last.cause) && (last.causeLane ?? "").split(" ").includes(pathLast.lane) && pathLast.end <= lastEnd + 0.06 && lastEnd - pathLast.end < 1;
  assert.ok(endsTheRun || endedTheLastWait, `the path ends at ${pathLast.end} on lane ${pathLast.lane}, the run at ${lastEnd} (${last.state} on lane ${last.lane}, cause ${last.cause} from lane ${last.causeLane})`);
  // In the table, every wait's cause is text a screen reader reads.
  const reasons = await page.$$eval('[data-testid="span-row"][data-cause]', (trs) => trs.map((r) => r.cells[5].textContent));
  assert.ok(reasons.length > 0 && reasons.every((t) => t.length > 10), JSON.stringify(reasons));
  // Replay: stepping by keyboard reaches a wait's end, whose cause the status line says.
  const slider = page.locator('[data-testid="replay"] input[type="range"]');
  await slider.focus();
  await page.keyboard.press("Home");
  let said = false;
  for (let i = 0; i < 200 && !said; i++) {
    said = /stops waiting (for the GIL|on io) \(task \d+\): .{10,}/.test(await page.textContent('[data-testid="replay-status"]'));
    if (!said) await page.keyboard.press("ArrowRight");
  }
  assert.ok(said, "the replay's status line names a wait's cause");
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the first load stays within its bar: wasm + js + css until ready and the service worker's script ≤ 250 KB gzip, the insight module not among them", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on("response", (r) => {
    const type = r.headers()["content-type"] ?? "";
    const at = Date.now();
    if (/javascript|wasm|css/.test(type)) bodies.push(r.body().then((b) => ({ url: r.url(), at, gz: gzipSync(b, { level: 9 }).length })).catch(() => null));
  });
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready="true"]');
  const readyAt = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByName("playground-ready")[0].startTime);
  const seen = new Set();
  const files = (await Promise.all(bodies)).filter((f) => f && f.at <= readyAt && !seen.has(f.url) && seen.add(f.url));
  // The service worker's script counts too: the browser fetches it for the page.
  const sw = Buffer.from(await (await fetch(new URL("coi-sw.js", BASE))).arrayBuffer());
  files.push({ url: new URL("coi-sw.js", BASE).href, gz: gzipSync(sw, { level: 9 }).length });
  const kb = files.reduce((a, f) => a + f.gz, 0) / 1024;
  console.log(`first load: ${kb.toFixed(1)} KB gzip in ${files.length} files: ${files.map((f) => `${f.url.split("/").pop()} ${f.gz}`).join(", ")}`);
  assert.ok(kb <= 250, `${kb.toFixed(1)} KB`);
  assert.ok(!files.some((f) => /insight/.test(f.url)), "the insight module loads after the first run");
  await context.close();
});
