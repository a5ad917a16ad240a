// asyncio on the page's CPython as CPython runs it: asyncio.run in every spelling (debug=True,
// `from asyncio import run`, inside a function, asyncio.Runner), its errors (called from a
// coroutine, not given a coroutine, on a closed Runner), the tasks it leaves cancelled and async
// generators shut down at its end, top-level await refused; each program of fixtures/asyncio/
// prints what CPython 3.13 prints, or ends with its exception class. A task a run leaves behind
// prints nothing into the next run, nor does a patched module. Through the site's own CPython
// worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { BASE, PYTHON_LOAD_MS, launch } from "./lib.mjs";
import { cpython, runnerPage } from "./pool-corpus.mjs";

const FIXTURES = new URL("./fixtures/asyncio/", import.meta.url);
const RUN_MS = 30_000;

let browser, runner;
before(async () => {
  browser = await launch();
  runner = await runnerPage(browser, BASE, PYTHON_LOAD_MS);
});
after(async () => { await browser?.close(); });

const run = (code) => runner.run(code, RUN_MS);

const lastClass = (text) => (text ?? "").trim().split("\n").at(-1).split(":")[0];

for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort()) {
  test(`asyncio on CPython as CPython 3.13: ${name}`, async () => {
    const code = readFileSync(new URL(name, FIXTURES), "utf8");
    const expected = cpython(name, code);
    const r = await run(code);
    assert.ok(!r.timedOut, `${name} did not end; printed ${r.out}`);
    if (expected.error === null) {
      assert.equal(r.report?.status, "done", `${name}: ${r.report?.message ?? r.failed}\n${r.out}`);
      assert.equal(r.out, expected.out);
    } else {
      assert.equal(r.report?.status, "error", `${name}: ${JSON.stringify(r.report?.status)} ${r.out}`);
      assert.ok(r.out.startsWith(expected.out), `${name}: printed ${JSON.stringify(r.out)}`);
      assert.equal(lastClass(r.report.message), expected.error, r.report.message);
    }
  });
}

test("a task a run leaves running prints nothing into the next run", async () => {
  // Started outside asyncio.run, on the loop the page's CPython keeps: the run's end cancels it.
  const leave = "import asyncio\n\nasync def tick():\n    while True:\n        await asyncio.sleep(0.01)\n        print('tick')\n\nasync def main():\n    asyncio.get_running_loop().create_task(tick())\n    await asyncio.sleep(0.035)\n\nloop_task = asyncio.run(main())\n";
  const first = await run(leave);
  assert.equal(first.report?.status, "done", first.report?.message);
  const next = await run("import asyncio\n\nasync def main():\n    await asyncio.sleep(0.2)\n    print('next')\n\nasyncio.run(main())\n");
  assert.equal(next.report?.status, "done");
  assert.equal(next.out, "next\n");
});

test("what a run changes in the interpreter's modules does not reach the next run", async () => {
  const patch = [
    "import builtins, fractions, json, math, os, pickle, sys, time, warnings",
    "time.perf_counter = lambda: 0.0",
    "json.dumps = lambda *a, **k: 'patched'",
    "json.JSONEncoder.default = lambda self, o: 'patched'",
    "pickle.loads = None",
    "math.answer = 42",
    "fractions.Fraction.extra = 1",
    "builtins.left_behind = True",
    "sys.setswitchinterval(0.5)",
    "sys.path.append('/nowhere')",
    "warnings.simplefilter('error')",
    "os.environ['PLAYGROUND_LEFT'] = '1'",
    "print('patched', time.perf_counter(), json.dumps([1]))",
    "",
  ].join("\n");
  const first = await run(patch);
  assert.equal(first.report?.status, "done", first.report?.message);
  assert.equal(first.out, "patched 0.0 patched\n");
  // The page's own figures are not the patched clock's.
  assert.ok(first.report.wall_ms > 0 && first.report.wall_ms < 5000, `wall ${first.report.wall_ms} ms`);
  const look = [
    "import builtins, fractions, json, math, os, pickle, sys, time, warnings",
    "print(time.perf_counter() > 0, json.dumps([1]), json.dumps({'a': 1}))",
    "print(hasattr(math, 'answer'), hasattr(fractions.Fraction, 'extra'), hasattr(builtins, 'left_behind'))",
    "print(pickle.loads(pickle.dumps(3)), sys.getswitchinterval(), '/nowhere' in sys.path)",
    "print(any(f[0] == 'error' for f in warnings.filters), 'PLAYGROUND_LEFT' in os.environ)",
    "",
  ].join("\n");
  const expected = cpython("clean-slate.py", look);
  assert.equal(expected.error, null, "the checking program runs under python3");
  const next = await run(look);
  assert.equal(next.report?.status, "done", next.report?.message);
  assert.equal(next.out, expected.out);
});
