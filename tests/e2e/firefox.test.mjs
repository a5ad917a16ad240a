// The core claims again in headless Firefox (Debian's firefox-esr through geckodriver): threads
// when isolated, degraded mode otherwise. Skipped, with the reason printed, when xtask could not
// provide Firefox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, BASE, claim } from "./lib.mjs";
import { Firefox } from "./webdriver.mjs";

const { FIREFOX, GECKODRIVER } = process.env;
const skip = !(FIREFOX && GECKODRIVER) && "Firefox or geckodriver unavailable (see the SKIP line above)";
if (skip) console.log(`# SKIP Firefox: ${skip}`);
let ff;
before(async () => {
  if (skip) return;
  ff = await Firefox.start({ geckodriver: GECKODRIVER, binary: FIREFOX });
  console.log(`Firefox ${ff.version}`);
});
after(async () => { await ff?.quit(); });

const ready = () => ff.waitFor(() => document.documentElement.dataset.ready === "true");
const errorsShown = () => ff.exec(() => document.querySelectorAll(".fatal-error").length);

test("Firefox: isolated page, io waits overlap with async", { skip }, async () => {
  await ff.goto(new URL("?kind=io&tasks=4&io_ms=200&run=1", BASE).href);
  await ready();
  assert.equal(await ff.exec(() => self.crossOriginIsolated), true);
  assert.equal(await ff.exec(() => document.documentElement.dataset.isolated), "true");
  const seq = await ff.newestRow(1);
  assert.ok(Number(seq.wallMs) >= 750, `sequential ${seq.wallMs}`);
  await claim("Firefox io: async / sequential", async () => {
    await ff.goto(new URL("?tool=async&kind=io&tasks=4&io_ms=200&run=1", BASE).href);
    await ready();
    const asy = await ff.newestRow(1);
    return asy.wallMs / seq.wallMs;
  }, (r) => r <= 0.5, { show: (r) => r.toFixed(3) });
  assert.equal(await errorsShown(), 0);
});

test("Firefox: threads beat one thread on cpu work", { skip }, async () => {
  await ff.goto(new URL("?kind=cpu&tasks=4&io_ms=100&run=1", BASE).href);
  await ready();
  const pool = await ff.waitFor(() => /^\d+ pool threads$/.test(document.querySelector('[data-testid="pool-threads"]').textContent)
    && document.querySelector('[data-testid="pool-threads"]').textContent);
  assert.match(pool, /^\d+ pool threads$/);
  const first = await ff.newestRow(1);
  const iters = first.cpuIters;
  const wall = async (query) => {
    await ff.goto(new URL(`?${query}&kind=cpu&tasks=4&cpu_iters=${iters}&run=1`, BASE).href);
    await ready();
    await ff.newestRow(1); // warm-up
    await ff.click('[data-testid="run-button"]');
    return ff.newestRow(2);
  };
  await claim("Firefox cpu: threads (GIL off) / sequential", async () => {
    const seq = await wall("tool=sequential");
    const thr = await wall("tool=threads&gil=off");
    assert.equal(thr.checksum, seq.checksum);
    return thr.wallMs / seq.wallMs;
  }, (r) => r < 0.85, { show: (r) => r.toFixed(3) });
});

test("Firefox: a bad URL is explained and runs the defaults", { skip }, async () => {
  await ff.goto(new URL("?tasks=-5&io_ms=abc&tool=nope&run=1", BASE).href);
  await ready();
  const row = await ff.newestRow(1);
  assert.deepEqual([row.tool, row.tasks, row.ioMs, row.status], ["sequential", "1", "200", "done"]);
  const notice = await ff.exec(() => document.querySelector('[data-testid="notice"]').textContent);
  for (const p of ["tasks", "io_ms", "tool"]) assert.match(notice, new RegExp(p));
  assert.equal(await errorsShown(), 0);
});

test("Firefox: a plain host runs everything but threads, which explain themselves", { skip: skip || (!BARE && "no bare host") }, async () => {
  await ff.goto(new URL("?tool=processes&kind=cpu&tasks=4&io_ms=50&coi=0&run=1", BARE).href);
  await ready();
  assert.equal(await ff.exec(() => document.documentElement.dataset.isolated), "false");
  const row = await ff.newestRow(1);
  assert.deepEqual([row.tool, row.status, row.build], ["processes", "done", "plain"]);
  assert.match(await ff.exec(() => document.querySelector('[data-testid="notice"]').textContent), /Threads are off/);
});
