// Predict first and the compact view (issue 26): Run waits for a guess or a skip, a guess meets
// the measured speedup with the error and what the gap means, bad guesses are explained, a host's
// runs never wait, and a compact element shows one control, the timeline and a result line in at
// most half the full view's height.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { HOST, OWN_ROWS, emptyCoursePage, exportRuns, launch, open, runOnce, setExperiment, waitForRow } from "./lib.mjs";

const require = createRequire(import.meta.url);
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const RUN = '[data-testid="run-button"]';
const runDisabled = (page) => page.$eval(RUN, (b) => b.disabled);
const noticeText = (page) => page.textContent('[data-testid="notice"]');

test("predict=1: Run waits for a guess or a skip; a guess of 4 for threads with the GIL misses by ≥ 50 % and names the GIL lane", async () => {
  const { page, errors, context } = await open(browser, "?predict=1&kind=cpu&tasks=4&io_ms=60");
  // Sequential is its own baseline: nothing to guess.
  assert.equal(await runDisabled(page), false);
  const base = await runOnce(page);
  assert.equal(base.tool, "sequential");
  assert.equal(base.predictionGuess, undefined);
  await setExperiment(page, { tool: "threads", workers: 2, gil: "on" });
  assert.equal(await runDisabled(page), true, "threads wait for a guess");
  const box = page.locator('[data-testid="prediction"]');
  assert.equal(await box.locator("input").count(), 1);
  assert.equal(await box.locator("button", { hasText: "Skip" }).count(), 1);
  // Bad guesses are explained in the notice area and taken for nothing.
  for (const [typed, said] of [["text", 'A guess of "text"'], ["-3", 'A guess of "-3"']]) {
    await page.fill("#guess", typed);
    await page.locator("#guess").dispatchEvent("change");
    await page.waitForFunction((s) => document.querySelector('[data-testid="notice"]').textContent.includes(s), said);
    assert.equal(await runDisabled(page), true, typed);
  }
  assert.match(await noticeText(page), /is not a speedup: enter a number above 0/);
  // A skip opens Run; so does a guess. Keyboard only: type 4, Enter runs the form.
  await page.click('[data-testid="skip-prediction"]');
  assert.equal(await runDisabled(page), false, "skipped");
  await page.focus("#guess");
  await page.keyboard.type("4");
  assert.equal(await runDisabled(page), false, "guessed");
  const rows = await page.locator(OWN_ROWS).count();
  await page.keyboard.press("Enter");
  const row = await waitForRow(page, rows + 1);
  assert.deepEqual([row.tool, row.gil, row.workers, row.kind], ["threads", "on", "2", "cpu"]);
  assert.equal(row.baselineRun, base.runId, "against the sequential run");
  assert.equal(row.predictionGuess, "4");
  const error = Number(row.predictionError);
  console.log(`guess 4×, measured ${row.speedup}×, error ${(error * 100).toFixed(0)} %`);
  assert.ok(error >= 0.5, `error ${error}`);
  assert.ok(Math.abs(error - Math.abs(4 - Number(row.speedup)) / Number(row.speedup)) < 1e-3, "|guess − measured| / measured");
  // The result, announced, with the explanation linking to the GIL lane.
  const result = page.locator('[data-testid="prediction-result"]');
  assert.equal(await result.getAttribute("aria-live"), "polite");
  const text = await result.textContent();
  assert.match(text, /You guessed 4×\. Measured: [\d.]+× \(run \d+\)\. Error: \d+ %\./);
  assert.match(text, /The GIL lets one thread compute at a time — see the GIL lane\./);
  const link = result.locator("a");
  assert.equal(await link.getAttribute("href"), "#gil-lane");
  assert.equal(await page.locator("#gil-lane").count(), 1, "the link's target exists");
  // The next run is guessed anew; the record carries the prediction.
  assert.equal(await runDisabled(page), true);
  const runs = await exportRuns(page);
  const record = runs.find((r) => String(r.id) === row.runId);
  assert.deepEqual(Object.keys(record.prediction), ["guess", "measured", "error"]);
  assert.equal(record.prediction.guess, 4);
  assert.equal(record.prediction.measured, record.speedup);
  assert.ok(record.prediction.error >= 0.5);
  assert.equal(runs.find((r) => r.tool === "sequential").prediction, undefined, "only predicted runs carry one");
  assert.deepEqual(errors, []);
  await context.close();
});

test("predict: without a baseline the page runs sequential first and says so; a story's Run this asks first", async () => {
  const { page, errors, context } = await open(browser, "?predict=1&tool=async&kind=io&tasks=3&io_ms=60");
  await page.fill("#guess", "1");
  await page.click(RUN);
  await page.waitForFunction(() => /Running sequential with the same work first/.test(document.querySelector('[data-testid="notice"]').textContent));
  // The baseline the page ran first is marked as such (data-baseline-for): one run of the
  // visitor's own.
  const row = await waitForRow(page, 1);
  assert.equal(row.tool, "async");
  const rows = await page.$$eval('[data-testid="run"]', (rs) => rs.map((r) => [r.dataset.tool, r.dataset.predictionGuess ?? null, r.dataset.baselineFor ?? null]));
  // Newest first: the guessed run, after the baseline the page ran first for it.
  assert.deepEqual(rows, [["async", "1", null], ["sequential", null, row.runId]], "the baseline first, then the guessed run");
  assert.ok(Number(row.predictionError) > 0.5, row.predictionError);
  assert.match(await page.textContent('[data-testid="prediction-result"]'), /Waits overlap/);
  assert.equal(await page.getAttribute('[data-testid="prediction-result"] a', "href"), "#timeline");
  // A story's button sets its experiment and asks for the guess instead of running.
  const button = page.locator('[data-testid="run-this"][data-query="tool=async&kind=cpu&tasks=4"]');
  await button.click();
  await page.waitForFunction(() => document.activeElement?.id === "guess");
  await page.waitForTimeout(300);
  assert.equal(await page.locator(OWN_ROWS).count(), 1, "nothing ran");
  assert.equal(await page.inputValue("#tool"), "async");
  assert.equal(await page.inputValue("#kind"), "cpu");
  assert.equal(await runDisabled(page), true);
  // The toggle turns it off: Run runs at once.
  await page.uncheck(".predict-toggle input");
  assert.equal(await page.locator('[data-testid="prediction"]').count(), 0);
  assert.equal(await runDisabled(page), false);
  assert.doesNotMatch(page.url(), /predict=/, "the address follows the toggle");
  assert.deepEqual(errors, []);
  await context.close();
});

test("predict and compact: no serious or critical accessibility violations (axe-core)", async () => {
  for (const query of ["?predict=1&tool=async&kind=io&tasks=2&io_ms=40", "?embed=1&view=compact&controls=workers,gil&predict=1&tool=async&kind=io&tasks=2&io_ms=40"]) {
    const { page, errors, context } = await open(browser, query, { contextOptions: { bypassCSP: true } });
    await page.fill("#guess", "2");
    await page.press("#guess", "Enter");
    await page.waitForSelector('[data-testid="prediction-result"] a');
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`), [], query);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("controls=bogus and a bad view are explained; the compact view never panics", async () => {
  const { page, errors, context } = await open(browser, "?view=compact&controls=bogus,tasks&tool=async&io_ms=30");
  const notice = await noticeText(page);
  assert.match(notice, /controls="bogus" names no control \(the form's URL keys, such as workers\); ignored\./);
  assert.deepEqual(await page.$$eval(".experiment-panel .field input, .experiment-panel .field select", (els) => els.map((e) => e.id)), ["tasks"]);
  assert.equal(await page.textContent('[data-testid="result-line"]'), "No run yet.");
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => /took \d+ ms/.test(document.querySelector('[data-testid="result-line"]').textContent));
  assert.equal(await page.locator('[data-testid="runs"]').count(), 0, "no runs table");
  const { page: other, context: c2 } = await open(browser, "?view=tiny");
  assert.match(await noticeText(other), /view="tiny" is not a known value; using the default \(full\)\./);
  await c2.close();
  assert.deepEqual(errors, []);
  await context.close();
});

/** The course page of tests/e2e/fixtures/element.html, its own two elements removed. */
async function coursePage() {
  const { page, context, errors } = await emptyCoursePage(browser);
  await page.evaluate(() => {
    window.predictions = [];
    document.addEventListener("prediction", (e) => window.predictions.push({ id: e.target.id, detail: e.detail }));
  });
  return { page, context, errors };
}

/** Adds `<concurrency-playground id=… …attributes>` and waits until it is ready. */
async function addElement(page, id, attributes) {
  await page.evaluate(([id, attributes]) => {
    const el = document.createElement("concurrency-playground");
    el.id = id;
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    document.body.append(el);
    return el.ready;
  }, [id, attributes]);
}

const frameHeight = (page, id) => page.evaluate((i) => document.getElementById(i).frame.getBoundingClientRect().height, id);

/** The frame's height once it follows its content (the height message is debounced). */
async function settledHeight(page, id) {
  const frame = await (await page.$(`#${id}`)).evaluateHandle((el) => el.frame).then((h) => h.asElement().contentFrame());
  let last = -1;
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(150);
    const h = await frameHeight(page, id);
    const content = await frame.evaluate(() => document.documentElement.getBoundingClientRect().height);
    if (h === last && Math.abs(h - content) <= 2) return { height: h, frame };
    last = h;
  }
  return { height: last, frame };
}

test("<concurrency-playground predict>: a host's run() never waits, may carry a guess, and the element dispatches `prediction`", { skip: !HOST && "no host page" }, async () => {
  const { page, context, errors } = await coursePage();
  await addElement(page, "p", { predict: "", tool: "async", kind: "io", tasks: "3", "io-ms": "60" });
  // No guess: it runs at once, with no prediction.
  const plain = await page.evaluate(() => document.getElementById("p").run({}, { timeout: 20_000 }));
  assert.equal(plain.status, "done");
  assert.equal(plain.prediction, undefined);
  // A guess rides on the params: the record and the event carry it, measured against the
  // sequential run the page ran first.
  const run = await page.evaluate(() => document.getElementById("p").run({ prediction: 2 }, { timeout: 20_000 }));
  assert.equal(run.tool, "async");
  assert.equal(run.prediction.guess, 2);
  assert.equal(run.prediction.measured, run.speedup);
  assert.ok(run.prediction.measured > 1.5, `async io overlaps: ${run.prediction.measured}`);
  assert.equal(run.prediction.error, Math.round(Math.abs(2 - run.speedup) / run.speedup * 1e4) / 1e4);
  const events = await page.evaluate(() => window.predictions);
  assert.deepEqual(events, [{ id: "p", detail: run.prediction }]);
  // A bad guess is refused with the page's words, as any bad parameter.
  const bad = await page.evaluate(() => document.getElementById("p").run({ prediction: -3 }).then(() => "resolved", (e) => e.message));
  assert.match(bad, /A guess of "-3" is not a speedup/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("<concurrency-playground view=compact controls=workers>: one control, the timeline and a result line, at most half the full view's height", { skip: !HOST && "no host page" }, async () => {
  const { page, context, errors } = await coursePage();
  const same = { tool: "threads", kind: "cpu", tasks: "4", workers: "2", gil: "on", "io-ms": "60" };
  const heights = {};
  for (const [id, extra] of [["full", {}], ["compact", { view: "compact", controls: "workers" }]]) {
    await addElement(page, id, { ...same, ...extra });
    const run = await page.evaluate((i) => document.getElementById(i).run({}, { timeout: 30_000 }), id);
    assert.equal(run.status, "done");
    const { height, frame } = await settledHeight(page, id);
    heights[id] = height;
    if (id === "compact") {
      assert.deepEqual(await frame.$$eval(".experiment-panel .field input, .experiment-panel .field select", (els) => els.map((e) => e.id)), ["workers"]);
      assert.equal(await frame.locator('[data-testid="timeline"]').count(), 1);
      assert.equal(await frame.locator('[data-testid="run-button"]').count(), 1);
      assert.equal(await frame.locator('[data-testid="stop-button"]').count(), 1);
      const line = await frame.textContent('[data-testid="result-line"]');
      assert.match(line, new RegExp(`^Run ${run.id}: threads took \\d+ ms`));
      assert.equal(await frame.locator("text=Open the full playground").count(), 1);
      assert.equal(await frame.locator('[data-testid="runs"], [data-testid="machine-info"]').count(), 0);
    }
    // One frame at a time: the two pools never share the cores.
    await page.evaluate((i) => document.getElementById(i).setAttribute("hidden", ""), id);
  }
  console.log(`element heights: full ${heights.full} px, compact ${heights.compact} px`);
  assert.ok(heights.compact <= heights.full / 2, `compact ${heights.compact} px, full ${heights.full} px`);
  assert.deepEqual(errors, []);
  await context.close();
});
