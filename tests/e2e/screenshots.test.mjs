// Takes screenshots of the real page (light, dark, narrow) after real runs and checks that
// nothing sticks out sideways. In a test run they go to target/screenshots (SCREENSHOTS_DIR);
// `cargo xtask screenshots` writes the README's own into docs/screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { BASE, launch, open, runOnce, setExperiment } from "./lib.mjs";

import { pathToFileURL } from "node:url";

const OUT = process.env.SCREENSHOTS_DIR
  ? pathToFileURL(`${process.env.SCREENSHOTS_DIR}/`)
  : new URL("../../target/screenshots/", import.meta.url);
/** The screenshot was written and holds a picture (a PNG of some size). */
function written(name) {
  const bytes = statSync(new URL(`${name}.png`, OUT)).size;
  assert.ok(bytes > 5_000, `${name}.png is ${bytes} bytes`);
}

let browser;
before(async () => { browser = await launch(); mkdirSync(OUT, { recursive: true }); });
after(async () => { await browser?.close(); });

for (const [name, options] of [
  ["light", { viewport: { width: 1280, height: 900 }, colorScheme: "light" }],
  ["dark", { viewport: { width: 1280, height: 900 }, colorScheme: "dark" }],
  ["narrow", { viewport: { width: 360, height: 800 }, colorScheme: "light" }],
]) {
  test(`screenshot: ${name}`, async () => {
    const { page, errors, context } = await open(browser, "?kind=io&tasks=4", { contextOptions: options });
    await runOnce(page);
    await setExperiment(page, { tool: "async" });
    await runOnce(page);
    // Nothing may stick out sideways, even at 360 px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
    await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname, fullPage: true });
    written(name);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("screenshot: a course page with two <concurrency-playground> elements", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("embed-example.html", BASE).href);
  await page.waitForFunction(() => document.querySelectorAll("#results li").length >= 1, null, { timeout: 30_000 });
  await page.waitForTimeout(400); // the frames' last height change
  // Two elements, each with a frame tall enough to show the playground, and a real result.
  const frames = await page.$$eval("concurrency-playground", (els) => els.map((e) => e.frame.getBoundingClientRect().height));
  assert.equal(frames.length, 2);
  assert.ok(frames.every((h) => h > 200), `frame heights ${frames}`);
  assert.match(await page.textContent("#results li"), /\d+ ms \(done\)/);
  await page.screenshot({ path: new URL("embed-example.png", OUT).pathname, fullPage: true });
  written("embed-example");
  assert.deepEqual(errors, []);
  await context.close();
});

test("screenshot: the GIL lane of 4 cpu tasks on 2 threads", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=cpu&tasks=4&workers=2&gil=on&io_ms=60", { contextOptions: { viewport: { width: 1100, height: 900 } } });
  await runOnce(page);
  assert.ok((await page.locator('[data-testid="gil-lane"], .gil-lane').count()) > 0, "the GIL lane is drawn");
  await page.locator("figure.timeline").screenshot({ path: new URL("gil-lane.png", OUT).pathname });
  written("gil-lane");
  assert.deepEqual(errors, []);
  await context.close();
});

test("screenshot: replaying a threads run step by step", async () => {
  const { page, errors, context } = await open(browser, "?tool=threads&kind=mixed&tasks=4&workers=2&gil=on&io_ms=40", { contextOptions: { viewport: { width: 1100, height: 900 } } });
  await runOnce(page);
  await page.locator('[data-testid="replay"] input[type="range"]').focus();
  await page.keyboard.press("Home");
  for (let i = 0; i < 14; i++) await page.keyboard.press("ArrowRight");
  const box = await page.locator("figure.timeline").boundingBox();
  const replay = await page.locator('[data-testid="replay"]').boundingBox();
  assert.ok(box && replay, "the timeline and the replay controls are on the page");
  await page.screenshot({ path: new URL("replay.png", OUT).pathname, clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: replay.y + replay.height - box.y + 16 } });
  written("replay");
  assert.deepEqual(errors, []);
  await context.close();
});

test("screenshot: the speedup curve beside Amdahl's prediction for a 50 % serial part", async () => {
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&io_ms=40&serial=50", { contextOptions: { viewport: { width: 1100, height: 900 } } });
  await page.click('[data-testid="sweep-button"]');
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="sweep-button"]');
    return b && !b.disabled && document.querySelectorAll('[data-testid="speedup-point"]').length > 0;
  }, null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('[data-testid="amdahl-curve"]', "data-serial"), "50");
  const serials = await page.$$eval('[data-testid="run"]', (rows) => rows.map((r) => r.dataset.serial));
  assert.ok(serials.length > 0 && serials.every((v) => v === "50"), `the sweep measured the serial work: ${serials}`);
  await page.locator("figure.speedup").screenshot({ path: new URL("amdahl.png", OUT).pathname });
  written("amdahl");
  assert.deepEqual(errors, []);
  await context.close();
});

test("screenshot: the editor and a CPython run beside the model's", async () => {
  const { page, errors, context } = await open(browser, "?tool=async&kind=mixed&tasks=4&io_ms=200", { contextOptions: { viewport: { width: 1280, height: 900 } } });
  await runOnce(page);
  await page.selectOption("#engine", "cpython");
  await page.waitForSelector('[data-testid="python-ready"]', { timeout: 90_000 });
  await page.waitForFunction(() => !/Loading CPython/.test(document.querySelector('[data-testid="estimate"]').textContent), null, { timeout: 90_000 });
  const cpython = await runOnce(page);
  assert.equal(cpython.engine, "cpython");
  const lab = await page.locator("#lab").boundingBox();
  await page.screenshot({ path: new URL("cpython.png", OUT).pathname, clip: { x: lab.x - 8, y: lab.y - 8, width: lab.width + 16, height: Math.min(lab.height + 16, 1500) }, fullPage: true });
  written("cpython");
  // Both runs picked in the table: side by side.
  for (const row of await page.locator('[data-testid="run"] input[type="checkbox"]').all()) await row.check();
  const compare = page.locator('[data-testid="compare"]');
  await compare.waitFor();
  await compare.scrollIntoViewIfNeeded();
  await compare.screenshot({ path: new URL("cpython-vs-model.png", OUT).pathname });
  written("cpython-vs-model");
  assert.deepEqual(errors, []);
  await context.close();
});

/** A schedule of the stepping page's example race (2 threads × 3 `counter += 1`) at instruction
 * steps that loses two updates: its link replays it without a pick. */
const LOSING_STEPS = "abababaca2bcabcabcabcabcacbcbcbcbcbcbcacac";

test("screenshot: a stepped run that lost updates, on the playground's timeline (the stepping page)", async () => {
  const { page, errors, context } = await open(browser, `stepping.html?schedule=you&step=instruction&steps=${LOSING_STEPS}`, { contextOptions: { viewport: { width: 1280, height: 900 } } });
  await page.waitForSelector('[data-testid="python-ready"]', { timeout: 90_000 });
  await page.click('[data-testid="run-button"]:not([disabled])');
  await page.waitForSelector('[data-testid="run"]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid="python-output"]'), "counter 4\n", "the recorded picks lose two updates");
  // The hand-over summary and the lanes' accounts come with the insight worker's explanation.
  await page.waitForSelector('[data-testid="run-view"] [data-testid="gil-summary"]', { timeout: 30_000 });
  assert.match(await page.textContent('[data-testid="gil-summary"]'), /\d+ forced \(the learner picked another thread\)/);
  const view = page.locator('[data-testid="run-view"]');
  await view.scrollIntoViewIfNeeded();
  await view.screenshot({ path: new URL("stepping-run.png", OUT).pathname });
  written("stepping-run");
  assert.deepEqual(errors, []);
  await context.close();
});

test("screenshot: predict first, then the measured speedup and what the gap means", async () => {
  const { page, errors, context } = await open(browser, "?tool=sequential&kind=cpu&tasks=4&io_ms=100&predict=1", { contextOptions: { viewport: { width: 1100, height: 900 } } });
  // Sequential is its own baseline: nothing to guess.
  await runOnce(page);
  await setExperiment(page, { tool: "threads", workers: 2, gil: "on" });
  await page.fill("#guess", "2");
  await runOnce(page);
  await page.waitForSelector('[data-testid="prediction-result"] a');
  const panel = page.locator('[data-testid="experiment-panel"]');
  await panel.screenshot({ path: new URL("predict.png", OUT).pathname });
  written("predict");
  assert.deepEqual(errors, []);
  await context.close();
});
