// Real CPython processes (engine=cpython, tool=processes): every process is another CPython in
// a worker of its own, started as CPython's spawn starts one (the program imported as
// __mp_main__); the parent blocks on shared memory, so only an isolated page runs them, and a
// page without isolation says why. The model is then held against CPython in the fidelity table.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, EDITOR, claim, exportRuns, launch, open, runOnce, setExperiment, pythonReady, typeCode } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A run whose processes start cold: each loads a CPython of its own. */
const COLD_RUN_MS = 150_000;

const output = (page) => page.textContent('[data-testid="python-output"]');

test("CPython's processes compute in parallel: cpu × 4 on a warm pool of 2 is ≥ 1.5× the same program run sequentially, each task in another interpreter", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=processes&kind=cpu&tasks=4&workers=2");
  await pythonReady(page);
  // The first run starts the pool: each process is drawn starting up on its own lane.
  const cold = await runOnce(page, { timeout: COLD_RUN_MS });
  assert.equal(cold.status, "done");
  assert.equal(cold.paidStartup, "true");
  const first = (await exportRuns(page)).at(-1);
  const startups = first.spans.filter((s) => s.state === "startup" && s.end - s.start > 100);
  assert.deepEqual(startups.map((s) => s.lane).sort(), [0, 1], "two interpreters started, one per lane");
  console.log(`# start-up per interpreter: ${startups.map((s) => (s.end - s.start).toFixed(0)).join(", ")} ms`);
  const speedup = await claim("cpython processes cpu ×4 W=2 warm ≥ 1.5× sequential", async () => {
    await setExperiment(page, { tool: "processes" });
    const pool = await runOnce(page, { timeout: 60_000 });
    assert.equal(pool.status, "done");
    assert.equal(pool.paidStartup, "false", "a warm pool starts nothing");
    const record = (await exportRuns(page)).at(-1);
    const compute = record.spans.filter((s) => s.state === "compute");
    assert.equal(compute.length, 4);
    assert.deepEqual([...new Set(compute.map((s) => s.lane))].sort(), [0, 1], "the tasks ran on both processes");
    assert.ok(record.spans.some((s) => s.state === "copy"), "the copies are drawn");
    await setExperiment(page, { tool: "sequential" });
    const seq = await runOnce(page, { timeout: 60_000 });
    assert.equal(seq.status, "done");
    assert.equal(seq.codeHash, pool.codeHash, "the same program");
    assert.equal(seq.cpuIters, pool.cpuIters);
    return Number(seq.wallMs) / Number(pool.wallMs);
  }, (s) => s >= 1.5, { show: (s) => `${s.toFixed(2)}×`, bound: "speedup ≥ 1.5" });
  assert.ok(speedup > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("each task runs in a process of its own memory: two process ids, and a global a task changes is unchanged in the parent", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=processes&kind=cpu&tasks=4&workers=2");
  await pythonReady(page);
  await typeCode(page, `import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool
from playground import timed

counter = 0

@timed("cpu")
def task(n):
    global counter
    counter += 100
    total = 0
    for i in range(300_000):
        total += i * i
    return os.getpid(), counter, __name__

if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(task, range(4)))
    with Pool(2) as pool:
        squares = pool.map(abs, [-1, -2, -3])
    print("pids", sorted({pid for pid, _, _ in results}), "parent", os.getpid())
    print("module", sorted({name for _, _, name in results}))
    print("counter", counter, "children saw", sorted(c for _, c, _ in results))
    print("each process saw", sorted(sorted(c for p, c, _ in results if p == pid) for pid in {p for p, _, _ in results}))
    print("squares", squares)
`);
  const row = await runOnce(page, { timeout: COLD_RUN_MS });
  const text = await output(page);
  assert.equal(row.status, "done", text);
  const pids = JSON.parse(text.match(/^pids (\[.*\]) parent/m)[1]);
  const parent = Number(text.match(/parent (\d+)/)[1]);
  console.log(`# process ids: ${pids.join(", ")}; the parent's: ${parent}`);
  assert.equal(pids.length, 2, text);
  assert.ok(!pids.includes(parent));
  assert.match(text, /^module \['__mp_main__'\]$/m, "each process imported the program as __mp_main__");
  assert.match(text, /^counter 0 children saw/m, "the parent's global never moved");
  // Each process counts in its own copy: 100 more per task it ran, from 100 (how the pool shares
  // the four tasks between its two processes is its own business).
  const seen = JSON.parse(text.match(/^each process saw (\[.*\])$/m)[1]);
  assert.equal(seen.flat().length, 4, text);
  for (const counts of seen) assert.deepEqual(counts, counts.map((_, i) => 100 * (i + 1)), `each process counted in its own copy: ${text}`);
  assert.match(text, /^squares \[1, 2, 3\]$/m, "multiprocessing.Pool.map too");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a program that starts a pool without the __main__ guard is reported as CPython reports it, not hung", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=processes&kind=cpu&tasks=4&workers=2");
  await pythonReady(page);
  await typeCode(page, `from concurrent.futures import ProcessPoolExecutor

def square(n):
    return n * n

with ProcessPoolExecutor(max_workers=2) as pool:
    print(list(pool.map(square, range(4))))
`);
  const started = Date.now();
  const row = await runOnce(page, { timeout: COLD_RUN_MS });
  const text = await output(page);
  assert.equal(row.status, "error", text);
  assert.match(text, /RuntimeError: \s*An attempt has been made to start a new process before the\s+current process has finished its bootstrapping phase/);
  assert.match(text, /if __name__ == '__main__':/);
  assert.match(text, /BrokenProcessPool/);
  console.log(`# reported in ${Date.now() - started} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("without cross-origin isolation, processes on CPython end with a notice that says why", { skip: !BARE && "no bare host" }, async () => {
  const { page, context } = await open(browser, "?engine=cpython&tool=processes&kind=cpu&tasks=4&workers=2", { base: BARE, contextOptions: { serviceWorkers: "block" } });
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  // Said at once: the run does not wait for CPython to load.
  await page.waitForSelector('[data-testid="run-button"]:not([disabled])');
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => /Processes on CPython need a cross-origin isolated page/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""), null, { timeout: 10_000 });
  assert.equal(await page.locator('[data-testid="run"]').count(), 0, "nothing ran");
  assert.match(await page.textContent('[data-testid="notice"]'), /Atomics\.wait/);
  await context.close();
});

test("the fidelity table holds each claim from one pair of matching runs per engine, threads included, names them, and leaves an edited program out", async () => {
  const { page, context, errors } = await open(browser, "?engine=model&tool=sequential&kind=io&tasks=4&workers=2&io_ms=200");
  const runs = async () => {
    // Processes twice: the claim is about a warm pool's computing, not its start-up.
    for (const [tool, kind, workers] of [["sequential", "io", 2], ["async", "io", 2], ["sequential", "cpu", 2], ["processes", "cpu", 2],
      ["processes", "cpu", 2], ["threads", "cpu", 2], ["threads", "io", 4]]) {
      await setExperiment(page, { tool, kind });
      // The pool's size and the GIL are fields of the tools that have them.
      if (tool !== "sequential" && tool !== "async") await setExperiment(page, { workers, gil: tool === "threads" ? "on" : undefined });
      const row = await runOnce(page, { timeout: COLD_RUN_MS });
      assert.equal(row.status, "done", `${tool} ${kind}`);
    }
  };
  await runs();
  await page.selectOption("#engine", "cpython");
  await pythonReady(page);
  await runs();
  const count = () => page.locator('[data-testid="run"]').count();
  // The insight module writes the table once the page is idle after a run: this one has seen
  // every run when it says how many it was written from.
  const tableOf = async (n) => {
    await page.waitForFunction((want) => Number(document.querySelector('[data-testid="fidelity"]')?.dataset.considered) === want, n, { timeout: 30_000 });
    return page.$$eval('[data-testid="fidelity"] tr[data-claim]', (trs) => trs.map((tr) => ({ ...tr.dataset, text: tr.textContent })));
  };
  const rows = await tableOf(await count());
  assert.deepEqual(rows.map((r) => r.claim), ["waits", "processes", "cpu-vs-io", "threads-cpu", "threads-io", "forced-per-second"]);
  const records = await exportRuns(page);
  const byId = new Map(records.map((r) => [String(r.id), r]));
  for (const r of rows) {
    assert.ok(Number(r.model) > 0 && Number(r.cpython) > 0, `both figures: ${JSON.stringify(r)}`);
    console.log(`# ${r.claim}: model ${Number(r.model).toFixed(2)} (runs ${r.modelRuns}), CPython ${Number(r.cpython).toFixed(2)} (runs ${r.cpythonRuns}) ${r.text}`);
    for (const [engine, ids] of [["model", r.modelRuns], ["cpython", r.cpythonRuns]]) {
      const pair = ids.split(" ").map((id) => byId.get(id));
      assert.equal(pair.length, r.claim === "forced-per-second" ? 1 : 2, `${r.claim}: ${ids}`);
      assert.ok(pair.every((run) => run && (run.build === "cpython") === (engine === "cpython") && run.status === "done"), `${r.claim} ${engine}: ${ids}`);
      // One pair of the same work: tasks, and io_ms for waits or N for computing, agree.
      const keys = ["waits", "threads-io", "cpu-vs-io"].includes(r.claim) ? ["tasks", "io_ms"] : ["tasks", "cpu_iters"];
      for (const key of keys) assert.equal(new Set(pair.map((run) => run[key])).size, 1, `${r.claim} ${engine}: ${key}`);
    }
    // The figure is the pair's own ratio.
    const [a, b] = r.cpythonRuns.split(" ").map((id) => byId.get(id));
    if (["waits", "processes", "threads-io"].includes(r.claim)) {
      const [seq, other] = a.tool === "sequential" ? [a, b] : [b, a];
      assert.ok(Math.abs(Number(r.cpython) - seq.wall_ms / other.wall_ms) < 1e-6 * Number(r.cpython), `${r.claim}: ${r.cpython}`);
    }
  }
  assert.ok(Number(rows[0].model) > 2.5 && Number(rows[0].cpython) > 2.5, "asyncio overlaps the waits on both");
  const table = await page.$('[data-testid="fidelity"]');
  assert.match(await table.textContent(), /Model vs real CPython/);

  // An edited program is the visitor's, not the notebook's claim: its run enters no figure.
  await setExperiment(page, { tool: "async", kind: "io" });
  const own = await page.evaluate((sel) => document.querySelector(sel).value, EDITOR);
  await typeCode(page, `${own}\nprint("edited")\n`);
  const edited = await runOnce(page);
  assert.equal(edited.status, "done");
  const after = await tableOf(await count());
  assert.equal(after[0].cpythonRuns, rows[0].cpythonRuns, "the edited async run does not replace the pair");
  assert.ok(after.every((r) => !(r.cpythonRuns ?? "").split(" ").includes(edited.runId)), JSON.stringify(after));
  assert.deepEqual(errors, []);
  await context.close();
});
