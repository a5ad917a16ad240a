// The process pool that learners use: programs nobody here wrote (the documentation's examples
// for concurrent.futures and multiprocessing, and the shapes courses and answers use: an
// initializer, a dataclass result, the program's own exception class, as_completed, wait,
// polling done(), chunksize, the *_async calls, max_tasks_per_child, common mistakes) run in the
// page's CPython and print what CPython 3.13 prints running them from a file with the spawn start
// method; a program that raises ends with the same exception class. Each is bounded: a hang fails.
// firefox.test.mjs runs the same corpus in Firefox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, PYTHON_LOAD_MS, launch } from "./lib.mjs";
import { PROGRAM_MS, check, cpython, programs, runnerPage } from "./pool-corpus.mjs";

let browser, runner;
before(async () => {
  browser = await launch();
  runner = await runnerPage(browser, BASE, PYTHON_LOAD_MS);
});
after(async () => { await browser?.close(); });

const run = (code) => runner.run(code, PROGRAM_MS);

test("a pool sized by an expression starts its processes when it is created, on a cold page", async () => {
  // The first program this worker runs: no process is warm, and the code names no size.
  const code = "import os\nfrom concurrent.futures import ProcessPoolExecutor\n\ndef square(n):\n    return n * n\n\nif __name__ == '__main__':\n    workers = len('abc')\n    with ProcessPoolExecutor(max_workers=workers) as pool:\n        print(list(pool.map(square, range(6))))\n";
  const r = await run(code);
  assert.equal(r.report?.status, "done", `${r.report?.message ?? r.failed} ${r.out}`);
  assert.equal(r.out, "[0, 1, 4, 9, 16, 25]\n");
  const startups = r.report.spans.filter((s) => s.state === "startup" && s.end - s.start > 100);
  assert.deepEqual([...new Set(startups.map((s) => s.lane))].sort(), [0, 1, 2], "three interpreters started while the program ran");
  assert.equal(r.report.paid_startup, true);
});

test("what the page's processes cannot share fails at once, with the page's reason", async () => {
  const code = "import multiprocessing\nfor name in ('Queue', 'Pipe', 'Manager', 'Value'):\n    try:\n        getattr(multiprocessing, name)()\n    except NotImplementedError as error:\n        print(name, 'share no pipes' in str(error))\n";
  const r = await run(code);
  assert.equal(r.report?.status, "done", r.report?.message);
  assert.equal(r.out, "Queue True\nPipe True\nManager True\nValue True\n");
});

const corpus = programs();
test("the corpus has at least 30 programs", () => { assert.ok(corpus.length >= 30, `${corpus.length}`); });

for (const [name, code] of corpus) {
  test(`the page's pool runs ${name} as CPython 3.13 does`, async () => {
    check(name, code, await run(code), cpython(name, code));
  });
}
