// The walking skeleton's claims: the served page is cross-origin isolated, the notebook's first
// experiments run for real, and bad URLs are explained instead of crashing the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { claim, launch, open, runOnce, setExperiment, waitForRow } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the served page is cross-origin isolated", async () => {
  const { page, errors, context } = await open(browser, "");
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(await page.getAttribute("html", "data-isolated"), "true");
  // The pool starts after the kernel is calibrated, so it may still be starting at ready.
  await page.waitForFunction(() => /^\d+ pool threads$/.test(document.querySelector('[data-testid="pool-threads"]').textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test("4 io tasks: sequential takes ~4 waits, async overlaps them", async () => {
  const { page, errors, context } = await open(browser, "?kind=io&tasks=4&io_ms=200");
  const seq = await runOnce(page);
  assert.equal(seq.tool, "sequential");
  assert.equal(seq.status, "done");
  const seqWall = Number(seq.wallMs);
  assert.ok(seqWall >= 750, `sequential wall ${seqWall} ms`);
  await setExperiment(page, { tool: "async" });
  await claim("io: async / sequential", async () => {
    const asy = await runOnce(page);
    assert.equal(asy.tool, "async");
    return Number(asy.wallMs) / seqWall;
  }, (r) => r <= 0.5, { show: (r) => r.toFixed(3) });
  assert.deepEqual(errors, []);
  await context.close();
});

test("4 cpu tasks: threads beat one thread after a warm-up", async () => {
  const { page, errors, context } = await open(browser, "?kind=cpu&tasks=4&io_ms=100");
  // Warm-up runs so that neither measured run pays for tiering.
  await setExperiment(page, { tool: "sequential" });
  await runOnce(page);
  await setExperiment(page, { tool: "threads", gil: "off" });
  await runOnce(page);
  await claim("cpu: threads (GIL off) / sequential", async () => {
    await setExperiment(page, { tool: "sequential" });
    const seq = await runOnce(page);
    await setExperiment(page, { tool: "threads", gil: "off" });
    const thr = await runOnce(page);
    assert.equal(thr.build, seq.build, "compared within one build");
    assert.equal(thr.cpuIters, seq.cpuIters);
    assert.equal(thr.checksum, seq.checksum, "same work, same result");
    assert.ok(Number(thr.poolThreads) >= 2, `pool threads ${thr.poolThreads}`);
    return Number(thr.wallMs) / Number(seq.wallMs);
  }, (r) => r < 0.85, { show: (r) => r.toFixed(3) });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a bad URL is explained and the run uses the defaults", async () => {
  const { page, errors, context } = await open(browser, "?tasks=-5&io_ms=abc&tool=nope&run=1");
  const row = await waitForRow(page, 1);
  assert.equal(row.status, "done");
  assert.equal(row.tool, "sequential");
  assert.equal(row.tasks, "1", "tasks clamped to the minimum");
  assert.equal(row.ioMs, "200", "io_ms replaced by its default");
  const notice = await page.textContent('[data-testid="notice"]');
  for (const param of ["tasks", "io_ms", "tool"]) assert.match(notice, new RegExp(param));
  assert.deepEqual(errors, []);
  await context.close();
});

test("garbage in every parameter never breaks the page", async () => {
  const junk = encodeURIComponent("%%<script>alert(1)</script>");
  const query = `?tool=${junk}&kind=${junk}&tasks=1e400&workers=-1&gil=maybe&io_ms=NaN&cpu_iters=${"9".repeat(40)}&run=yes&embed=2`;
  const { page, errors, context } = await open(browser, query);
  assert.equal(await page.locator(".fatal-error").count(), 0);
  const notice = await page.textContent('[data-testid="notice"]');
  assert.ok(notice.length > 0);
  assert.doesNotMatch(await page.content(), /<script>alert/);
  assert.deepEqual(errors, []);
  await context.close();
});
