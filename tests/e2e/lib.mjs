// Shared helpers of the end-to-end tests: launching Debian's Chromium through playwright-core
// and opening the page with every page error and console error collected.
import { chromium } from "playwright-core";

export const BASE = process.env.PLAYGROUND_URL ?? "http://127.0.0.1:8080/";
export const BARE = process.env.PLAYGROUND_BARE_URL ?? null;
export const HOST = process.env.PLAYGROUND_HOST_URL ?? null;
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
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(new URL(query, base).href);
  if (ready) await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return { page, context, errors };
}

/** Clicks Run and waits for one more finished row; returns that row's data attributes. */
export async function runOnce(page, { timeout = 60_000 } = {}) {
  const before = await page.locator('[data-testid="run"]').count();
  await page.click('[data-testid="run-button"]');
  return waitForRow(page, before + 1, timeout);
}

/** Waits until the table has `count` rows and returns the newest row's attributes. */
export async function waitForRow(page, count, timeout = 60_000) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="run"]').length >= n,
    count,
    { timeout },
  );
  return page.evaluate(() => {
    const row = document.querySelector('[data-testid="run"]');
    return Object.fromEntries(Object.entries(row.dataset));
  });
}

/** Sets the experiment through the form, as a visitor would. */
export async function setExperiment(page, { tool, kind, tasks, workers, gil, io_ms, cpu_iters } = {}) {
  if (tool) await page.selectOption("#tool", tool);
  if (kind) await page.selectOption("#kind", kind);
  if (gil) await page.selectOption("#gil", gil);
  for (const [id, v] of Object.entries({ tasks, workers, io_ms, cpu_iters })) {
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
export async function stopLatency(page, afterMs = 300) {
  const before = await page.locator('[data-testid="run"]').count();
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="stop-button"]:not([disabled])');
  await page.waitForTimeout(afterMs);
  return page.evaluate((n) => new Promise((resolve) => {
    const started = performance.now();
    const check = () => {
      const rows = document.querySelectorAll('[data-testid="run"]');
      if (rows.length > n) {
        observer.disconnect();
        resolve({ ms: performance.now() - started, status: rows[0].dataset.status });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    document.querySelector('[data-testid="stop-button"]').click();
    check();
  }), before);
}
