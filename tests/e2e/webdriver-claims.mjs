// The page's core claims, driven through a W3C WebDriver browser (`webdriver.mjs`): Firefox and
// WebKit run the very same checks, each under its own name.
import assert from "node:assert/strict";
import { BARE, BASE, claim } from "./lib.mjs";

/** Waits until the page is ready and its threads build has settled (ready or off). */
export const ready = (b) => b.waitFor(() => document.documentElement.dataset.ready === "true" && document.documentElement.dataset.threads !== "starting");
/** How many fatal-error panels the page shows. */
export const errorsShown = (b) => b.exec(() => document.querySelectorAll(".fatal-error").length);
/** The text of `[data-testid=testid]`, or null. */
export const text = (b, testid) => b.exec((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent ?? null, testid);

/** Sequential io takes ~4 waits; async overlaps them (≤ 0.5 of sequential). */
export async function ioOverlaps(b, name) {
  await b.goto(new URL("?kind=io&tasks=4&io_ms=200&run=1", BASE).href);
  await ready(b);
  assert.equal(await b.exec(() => self.crossOriginIsolated), true);
  assert.equal(await b.exec(() => document.documentElement.dataset.isolated), "true");
  const seq = await b.newestRow(1);
  assert.ok(Number(seq.wallMs) >= 750, `sequential ${seq.wallMs}`);
  await claim(`${name} io: async / sequential`, async () => {
    await b.goto(new URL("?tool=async&kind=io&tasks=4&io_ms=200&run=1", BASE).href);
    await ready(b);
    const asy = await b.newestRow(1);
    return asy.wallMs / seq.wallMs;
  }, (r) => r <= 0.5, { show: (r) => r.toFixed(3) });
  assert.equal(await errorsShown(b), 0);
}

/** Threads without a GIL beat one thread on cpu work, with the same checksum and build. */
export async function threadsBeatOneThread(b, name) {
  await b.goto(new URL("?kind=cpu&tasks=4&io_ms=100&run=1", BASE).href);
  await ready(b);
  const pool = await b.waitFor(() => /^\d+ pool threads$/.test(document.querySelector('[data-testid="pool-threads"]').textContent)
    && document.querySelector('[data-testid="pool-threads"]').textContent);
  assert.match(pool, /^\d+ pool threads$/);
  const iters = (await b.newestRow(1)).cpuIters;
  const wall = async (query) => {
    await b.goto(new URL(`?${query}&kind=cpu&tasks=4&cpu_iters=${iters}&run=1`, BASE).href);
    await ready(b);
    await b.newestRow(1); // warm-up
    await b.click('[data-testid="run-button"]');
    return b.newestRow(2);
  };
  await claim(`${name} cpu: threads (GIL off) / sequential`, async () => {
    const seq = await wall("tool=sequential");
    const thr = await wall("tool=threads&gil=off");
    assert.equal(thr.checksum, seq.checksum);
    assert.deepEqual([seq.build, thr.build], ["atomics", "atomics"]);
    return thr.wallMs / seq.wallMs;
  }, (r) => r < 0.85, { show: (r) => r.toFixed(3) });
}

/** A bad URL is explained in the notice and the run uses the defaults. */
export async function badUrlExplained(b) {
  await b.goto(new URL("?tasks=-5&io_ms=abc&tool=nope&run=1", BASE).href);
  await ready(b);
  const row = await b.newestRow(1);
  assert.deepEqual([row.tool, row.tasks, row.ioMs, row.status], ["sequential", "1", "200", "done"]);
  const notice = await text(b, "notice");
  for (const p of ["tasks", "io_ms", "tool"]) assert.match(notice, new RegExp(p));
  assert.equal(await errorsShown(b), 0);
}

/** A host without isolation headers runs processes on the plain build; threads explain. */
export async function plainHostDegrades(b) {
  await b.goto(new URL("?tool=processes&kind=cpu&tasks=4&io_ms=50&coi=0&run=1", BARE).href);
  await ready(b);
  assert.equal(await b.exec(() => document.documentElement.dataset.isolated), "false");
  const row = await b.newestRow(1);
  assert.deepEqual([row.tool, row.status, row.build], ["processes", "done", "plain"]);
  assert.match(await text(b, "notice"), /Threads are off/);
}
