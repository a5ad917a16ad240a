// Shared helpers of the end-to-end tests: launching Debian's Chromium through playwright-core
// and opening the page with every page error and console error collected.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const BASE = process.env.PLAYGROUND_URL ?? "http://127.0.0.1:8080/";
export const BARE = process.env.PLAYGROUND_BARE_URL ?? null;
export const HOST = process.env.PLAYGROUND_HOST_URL ?? null;
/** The test build (feature `test-hooks`), served with the page's headers. */
export const HOOKS = process.env.PLAYGROUND_HOOKS_URL ?? null;
export const ARTIFACTS = new URL("./artifacts/", import.meta.url);

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens the page at `query`, waits until it is ready, and records errors. */
export async function open(browser, query = "", { base = BASE, ready = true, contextOptions = {} } = {}) {
  const context = await browser.newContext(contextOptions);
  // Every wait on a page is bounded: one that outlives this fails, saying what it waited for.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(new URL(query, base).href);
  if (ready) {
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    // The threads build starts once the page is ready: the tests measure a settled page. A page
    // opened on CPython starts it once CPython has measured its loop (pythonReady waits for
    // that; a run waits for the threads build by itself), so the test sees CPython loading.
    if (!/[?&]engine=cpython/.test(query)) await page.waitForSelector('html:not([data-threads="starting"])', { timeout: 30_000 });
  }
  return { page, context, errors };
}

/** How the CPython workers `page` starts from now on began, in order, as worker.js says it
 * ("CPython started: snapshot", "kept" or "fresh"): the list fills as they start. */
export function cpythonStarts(page) {
  const starts = [];
  page.on("worker", (w) => w.on("console", (m) => /^CPython started/.test(m.text()) && starts.push(m.text())));
  return starts;
}

/** Waits until the build's cache (the service worker's, `playground-<build>`) holds every one
 * of `files` (paths from the page's folder); rejects after `timeout` ms. `page` may be a frame. */
export function cached(page, files, { timeout = 60_000 } = {}) {
  return page.waitForFunction(async (files) => {
    const name = (await caches.keys()).find((n) => n.startsWith("playground-"));
    if (!name) return false;
    const cache = await caches.open(name);
    for (const file of files) if (!(await cache.match(new URL(file, location.href).href))) return false;
    return true;
  }, files, { timeout, polling: 250 });
}

/** The visitor's runs: rows the page added as baselines for other runs are not counted. */
export const OWN_ROWS = '[data-testid="run"]:not([data-baseline-for])';

/** Clicks Run and waits for one more finished row; returns that row's data attributes. */
export async function runOnce(page, { timeout = 60_000 } = {}) {
  const before = await page.locator(OWN_ROWS).count();
  await page.click('[data-testid="run-button"]');
  return waitForRow(page, before + 1, timeout);
}

/**
 * Waits until the table has `count` rows of the visitor's and returns the newest one's
 * attributes. It waits inside the page on a MutationObserver rather than polling every animation
 * frame (Playwright's default): a frame-rate poll kept the main thread busy during runs and took
 * CPU from the workers whose speedup was being measured.
 */
export async function waitForRow(page, count, timeout = 60_000) {
  return page.evaluate(([sel, n, ms]) => new Promise((resolve, reject) => {
    const done = () => {
      if (document.querySelectorAll(sel).length < n) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(Object.fromEntries(Object.entries(document.querySelector(sel).dataset)));
    };
    const observer = new MutationObserver(done);
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`timed out after ${ms} ms waiting for ${n} rows`));
    }, ms);
    observer.observe(document.body, { subtree: true, childList: true });
    done();
  }), [OWN_ROWS, count, timeout]);
}

/** Every row's attributes, newest first (baseline rows included). */
export async function allRows(page) {
  return page.$$eval('[data-testid="run"]', (rows) => rows.map((r) => ({ ...r.dataset })));
}

/** Sets the experiment through the form, as a visitor would. */
export async function setExperiment(page, { tool, kind, tasks, workers, gil, io_ms, cpu_iters, serial } = {}) {
  if (tool) await page.selectOption("#tool", tool);
  if (kind) await page.selectOption("#kind", kind);
  if (gil) await page.selectOption("#gil", gil);
  for (const [id, v] of Object.entries({ tasks, workers, io_ms, cpu_iters, serial })) {
    if (v !== undefined) {
      await page.fill(`#${id}`, String(v));
      await page.locator(`#${id}`).dispatchEvent("change");
    }
  }
}

/** Clicks "Export JSON" and returns the parsed download. */
export async function exportRuns(page) {
  const { readFile } = await import("node:fs/promises");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="export-json"]'),
  ]);
  return JSON.parse(await readFile(await download.path(), "utf8"));
}

/** The largest number of lanes in `state` at one instant, ignoring overlaps under `slack` ms. */
export function maxConcurrent(spans, state, slack = 1) {
  const edges = [];
  for (const s of spans.filter((s) => s.state === state)) {
    const a = s.start + slack / 2, b = s.end - slack / 2;
    if (b > a) edges.push([a, 1], [b, -1]);
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0, most = 0;
  for (const [, d] of edges) { now += d; most = Math.max(most, now); }
  return most;
}

/**
 * Starts a run, lets it compute for `afterMs`, clicks Stop and measures in the page the time
 * from the click to the row that reports the run's status.
 */
export async function stopLatency(page, afterMs = 300, { timeout = 10_000 } = {}) {
  const before = await page.locator(OWN_ROWS).count();
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="stop-button"]:not([disabled])', { timeout: 10_000 });
  await page.waitForTimeout(afterMs);
  return page.evaluate(([sel, n, ms]) => new Promise((resolve, reject) => {
    const started = performance.now();
    const check = () => {
      const rows = document.querySelectorAll(sel);
      if (rows.length > n) {
        observer.disconnect();
        clearTimeout(timer);
        resolve({ ms: performance.now() - started, status: rows[0].dataset.status, row: { ...rows[0].dataset } });
      }
    };
    const observer = new MutationObserver(check);
    // A Stop that is never answered fails here, saying so, instead of hanging the suite.
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`timed out after ${ms} ms waiting for the stopped run's row after Stop`));
    }, ms);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    document.querySelector('[data-testid="stop-button"]').click();
    check();
  }), [OWN_ROWS, before, timeout]);
}

/**
 * Whether this machine had a second core free just now: one busy worker thread, then two at
 * once, doing the same fixed work. On a free 2-core machine the pair takes about as long as one
 * (ratio ≈ 1); when a neighbour holds a core they share one and take about twice as long.
 */
export async function coreProbe() {
  const { Worker } = await import("node:worker_threads");
  const spin = (n) => new Promise((resolve, reject) => {
    const code = `
      const { parentPort } = require("node:worker_threads");
      const t0 = performance.now();
      let x = 0;
      for (let i = 0; i < ${n}; i++) x = (x + Math.imul(i, i)) | 0;
      parentPort.postMessage({ ms: performance.now() - t0, x });`;
    const w = new Worker(code, { eval: true });
    w.once("message", (m) => { resolve(m.ms); w.terminate(); });
    w.once("error", reject);
  });
  const N = 10_000_000; // ≈ 50 ms on this project's machine kind
  await spin(N / 10); // start-up and tier-up of the worker code path
  const alone = await spin(N);
  const pair = await Promise.all([spin(N), spin(N)]);
  const ratio = Math.max(...pair) / alone;
  const free = ratio < 1.5;
  return {
    ratio,
    free,
    text: `core probe: two busy threads took ${ratio.toFixed(2)}× one (${free ? "a second core was free" : "NO second core was free"})`,
  };
}

/**
 * What the page may call the machine's measured parallelism from a sweep's points (their
 * datasets), as `model::lab::view::SweepPoint::best_parallel` rules: the points without a GIL,
 * less those faster than their workers allow and every point of a series whose one-worker point
 * is not within 10 % of 1×. Returns the speedups kept and how many were left out.
 */
export function measuredPoints(points) {
  const free = points.filter((p) => p.series !== "threads, GIL on");
  const offBaseline = (series) => free.some((p) => p.series === series && Number(p.workers) === 1 && Math.abs(Number(p.speedup) - 1) > 0.1);
  const kept = free.filter((p) => Number(p.speedup) <= Number(p.workers) * 1.1 && !offBaseline(p.series)).map((p) => Number(p.speedup));
  return { kept, leftOut: free.length - kept.length };
}

/** The most attempts any timing claim may take: a claim that needs more is a finding. */
export const MAX_ATTEMPTS = 3;

/**
 * A timing claim on a shared, noisy machine. `measure(attempt)` takes one measurement (it may
 * assert anything that is not a timing: those failures end the test at once); `meets(value)`
 * holds the claim's bound, unchanged, and `bound` says it in words (by default the source of
 * `meets`). The claim is measured up to `attempts` (at most 3) times and holds when one attempt
 * meets the bound. Every attempt is data: it is printed as one `CLAIM ¦ …` line (name,
 * attempt, met, value, bound; the core probe's verdict follows on its own line), which `cargo xtask test` collects into
 * its line of retried claims and, over `--repeat N` rounds, each claim's first-attempt share.
 */
export async function claim(name, measure, meets, { attempts = MAX_ATTEMPTS, show = String, probe = true, bound } = {}) {
  if (!(attempts >= 1 && attempts <= MAX_ATTEMPTS)) throw new Error(`claim "${name}": ${attempts} attempts (at most ${MAX_ATTEMPTS})`);
  const boundText = bound ?? String(meets).replace(/\s+/g, " ");
  const tried = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const cores = probe ? await coreProbe() : null;
    const value = await measure(attempt);
    const met = Boolean(meets(value));
    const shown = show(value);
    // Fields apart by " ¦ " (node's TAP reporter escapes tabs in a test's output).
    const field = (x) => String(x).replace(/\s+/g, " ").replaceAll("¦", "|");
    console.log(["CLAIM", name, attempt, attempts, met ? "met" : "missed", shown, boundText].map(field).join(" ¦ "));
    const line = `${name}: attempt ${attempt}/${attempts}: ${shown} ${met ? "meets" : "misses"} the bound ${boundText}${cores ? `; ${cores.text}` : ""}`;
    console.log(line);
    tried.push(line);
    if (met) return value;
  }
  throw new assert.AssertionError({ message: `no attempt met the bound:\n${tried.join("\n")}` });
}

/** Loading CPython's 13 MB and starting an interpreter on a busy 2-core machine. */
export const PYTHON_LOAD_MS = 90_000;

/** The CPython editor (`<python-editor>`: its `value` property holds its text). */
export const EDITOR = '[data-testid="python-editor"]';

/** Waits until CPython is loaded and has measured its loop (Run then runs at once). */
export async function pythonReady(page) {
  await page.waitForSelector('[data-testid="python-ready"]', { timeout: PYTHON_LOAD_MS });
  await page.waitForSelector('[data-testid="run-button"]:not([disabled])');
  await page.waitForFunction(() => !/Loading CPython/.test(document.querySelector('[data-testid="estimate"]').textContent), null, { timeout: PYTHON_LOAD_MS });
}

/** Replaces the editor's text as a visitor would: select all, then type (one insertion). */
export async function typeCode(page, text) {
  await page.locator(`${EDITOR} .cm-content`).click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
  await page.waitForFunction(([sel, t]) => document.querySelector(sel).value === t, [EDITOR, text]);
}

/**
 * The course page of tests/e2e/fixtures/element.html on the host origin (another origin than the
 * playground's), its own two elements removed, in a fresh context whose page errors are
 * recorded: for tests that add the elements they need.
 */
export async function emptyCoursePage(browser) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL(`element.html?pg=${encodeURIComponent(BASE)}`, HOST).href);
  await page.evaluate(() => {
    for (const el of document.querySelectorAll("concurrency-playground")) el.remove();
  });
  return { page, context, errors };
}
