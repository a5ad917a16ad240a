// The paths that only a broken engine or a broken Stop takes, driven through the test build of
// the page (feature `test-hooks`: same-page events, absent from the release build, which the
// release-build test in this file checks).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { HOOKS, OWN_ROWS, exportRuns, launch, open, runOnce, setExperiment, stopLatency, waitForRow } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const skip = !HOOKS && "no test build served (PLAYGROUND_HOOKS_URL)";
const hook = (page, detail) => page.evaluate((d) => window.dispatchEvent(new CustomEvent("concurrency-playground-test-hook", { detail: d })), detail);
// The trap itself may be reported by the worker's console; nothing else may fail.
const unexpected = (errors) => errors.filter((e) => !/trap requested|unreachable|crashed|RuntimeError/.test(e));

for (const tool of ["async", "processes"]) {
  test(`a ${tool === "processes" ? "process" : "worker"} that traps mid-run: the row says error, the worker is replaced, the next run works (${tool})`, { skip }, async () => {
    const { page, errors, context } = await open(browser, `?tool=${tool}&kind=io&tasks=4&io_ms=400&workers=2`, { base: HOOKS });
    const before = await page.locator(OWN_ROWS).count();
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector('[data-testid="stop-button"]:not([disabled])');
    // Processes start first: the trap goes to a process that holds a task.
    await page.waitForTimeout(tool === "processes" ? 600 : 100);
    await hook(page, "trap");
    const crashed = await waitForRow(page, before + 1);
    assert.equal(crashed.status, "error");
    assert.match(crashed.message, tool === "processes" ? /process \d crashed/ : /crashed/);
    await setExperiment(page, { io_ms: 50 });
    const next = await runOnce(page);
    assert.equal(next.status, "done", "the replaced worker runs the next experiment");
    assert.deepEqual(unexpected(errors), []);
    await context.close();
  });
}

test("a broken Stop fails its test within the bound instead of hanging the suite", { skip }, async () => {
  const { page, errors, context } = await open(browser, "?tool=async&kind=cpu&tasks=4&io_ms=1000", { base: HOOKS });
  await hook(page, "break-stop");
  const started = Date.now();
  await assert.rejects(stopLatency(page, 100, { timeout: 2_000 }), /timed out after 2000 ms waiting for the stopped run's row after Stop/);
  const waited = Date.now() - started;
  console.log(`broken Stop: the wait gave up after ${waited} ms`);
  assert.ok(waited < 10_000, `gave up in ${waited} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the processes race reports the parent's own counter, read from the page's memory after the run", { skip }, async () => {
  const { page, errors, context } = await open(browser, "?tool=processes&kind=race&tasks=4&workers=2&cpu_iters=1000", { base: HOOKS });
  let row = await runOnce(page);
  assert.equal(row.status, "done");
  let [run] = (await exportRuns(page)).slice(-1);
  assert.equal(run.counts.final_count, 0, "processes never touch the parent's counter");
  assert.match(await page.textContent('[data-testid="race-result"]'), /parent's counter is still 0/);
  // A value written in the parent before the run is what the run reports after it.
  await hook(page, { parentCounter: 7 });
  row = await runOnce(page);
  assert.equal(row.status, "done");
  [run] = (await exportRuns(page)).slice(-1);
  assert.equal(run.counts.final_count, 7);
  assert.deepEqual(run.counts.own.length, 2, "each process reported its own counter");
  assert.match(await page.textContent('[data-testid="race-result"]'), /parent's counter is still 7/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the release build has no test hooks: neither module holds the hook's event name or the trap's panic message", async () => {
  const dist = new URL("../../dist/", import.meta.url);
  const modules = [];
  for (const name of await readdir(dist)) if (name.endsWith(".wasm")) modules.push(new URL(name, dist));
  for (const name of await readdir(new URL("engine-atomics/", dist))) if (name.endsWith(".wasm")) modules.push(new URL(`engine-atomics/${name}`, dist));
  assert.equal(modules.length, 2, `the page's module and the threads build's: ${modules.map(String)}`);
  for (const url of modules) {
    const bytes = await readFile(url);
    for (const needle of ["concurrency-playground-test-hook", "trap requested by a test"]) {
      assert.equal(bytes.includes(Buffer.from(needle)), false, `${url.pathname} holds "${needle}"`);
    }
  }
  // The test build does hold the hooks' event: the check above can fail. (The page's module
  // traps without a message in both builds: it is built with panic = immediate-abort.)
  if (HOOKS) {
    const hooksDist = new URL("../../target/dist-hooks/", import.meta.url);
    const name = (await readdir(hooksDist)).find((n) => n.endsWith(".wasm"));
    const bytes = await readFile(new URL(name, hooksDist));
    assert.ok(bytes.includes(Buffer.from("concurrency-playground-test-hook")), "the test build holds the hooks");
  }
});
