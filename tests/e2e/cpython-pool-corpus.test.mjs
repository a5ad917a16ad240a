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
  const code = "import multiprocessing\nfor name in ('Manager', 'Value', 'Lock', 'Array'):\n    try:\n        getattr(multiprocessing, name)()\n    except NotImplementedError as error:\n        print(name, 'share no semaphores' in str(error))\n";
  const r = await run(code);
  assert.equal(r.report?.status, "done", r.report?.message);
  assert.equal(r.out, "Manager True\nValue True\nLock True\nArray True\n");
});

test("a warm process starts each run as a fresh process would: what a task changed is gone", async () => {
  const program = (body) => `import math\nfrom concurrent.futures import ProcessPoolExecutor\n\ndef task(n):\n${body}\n\nif __name__ == "__main__":\n    with ProcessPoolExecutor(max_workers=2) as pool:\n        print(sorted(pool.map(task, range(4))))\n`;
  const first = await run(program("    math.answer = n\n    return n"));
  assert.equal(first.report?.status, "done", first.report?.message);
  assert.equal(first.out, "[0, 1, 2, 3]\n");
  const look = program("    return hasattr(math, 'answer')");
  const next = await run(look);
  assert.equal(next.report?.status, "done", next.report?.message);
  assert.equal(next.report.paid_startup, false, "the same warm processes ran it");
  assert.equal(next.out, cpython("warm-slate.py", look).out);
  assert.equal(next.out, "[False, False, False, False]\n");
});

test("what a process prints reaches the page while it runs, not when its result comes back", async () => {
  // Each process prints, then computes for 600 ms: CPython's child writes to the terminal at
  // once; the page shows the line while the parent waits.
  const code = [
    "import os, time",
    "from concurrent.futures import ProcessPoolExecutor",
    "",
    "def task(n):",
    "    print(f'task {n} started')",
    "    t = time.perf_counter()",
    "    while time.perf_counter() - t < 0.6:",
    "        pass",
    "    return n",
    "",
    "if __name__ == '__main__':",
    "    with ProcessPoolExecutor(max_workers=2) as pool:",
    "        print(sorted(pool.map(task, range(2))))",
    "",
  ].join("\n");
  const r = await run(code);
  assert.equal(r.report?.status, "done", r.report?.message);
  const started = r.pieces.filter((p) => /task \d started/.test(p.text));
  assert.equal(started.length, 2, JSON.stringify(r.pieces));
  for (const p of started) assert.ok(p.before >= 300, `"${p.text.trim()}" came ${p.before.toFixed(0)} ms before the run's end`);
  assert.match(r.out, /^task [01] started\ntask [01] started\n\[0, 1\]\n$/, "the tasks' lines first, as on a terminal");
  const expected = cpython("prints-as-they-happen.py", code);
  assert.deepEqual(r.out.split("\n").sort(), expected.out.split("\n").sort(), "the lines CPython prints");
});

const corpus = programs();
test("the corpus has at least 30 programs", () => { assert.ok(corpus.length >= 30, `${corpus.length}`); });

for (const [name, code] of corpus) {
  test(`the page's pool runs ${name} as CPython 3.13 does`, async () => {
    check(name, code, await run(code), cpython(name, code));
  });
}
