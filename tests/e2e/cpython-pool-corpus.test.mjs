// The process pool that learners use: programs nobody here wrote (the documentation's examples
// for concurrent.futures and multiprocessing, and the shapes courses and answers use: an
// initializer, a dataclass result, the program's own exception class, as_completed, wait,
// polling done(), chunksize, the *_async calls, max_tasks_per_child, common mistakes) run in the
// page's CPython and print what CPython 3.13 prints running them from a file with the spawn start
// method; a program that raises ends with the same exception class. Each is bounded: a hang fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { BASE, PYTHON_LOAD_MS, launch } from "./lib.mjs";

const FIXTURES = new URL("./fixtures/processes/", import.meta.url);
const PYENV_313 = `${homedir()}/.pyenv/versions/3.13.0/bin/python3`;
const PYTHON = existsSync(PYENV_313) ? PYENV_313 : "python3";
/** The most one program may take in the page, its pool's processes started cold included. */
const PROGRAM_MS = 90_000;

let browser, page;
before(async () => {
  browser = await launch();
  page = await browser.newPage();
  await page.goto(new URL("?engine=model", BASE).href);
  await page.evaluate((loadMs) => new Promise((resolve, reject) => {
    const worker = new Worker("./python/worker.js", { type: "module" });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    worker.postMessage(stop.buffer);
    const listeners = new Set();
    const timer = setTimeout(() => reject(new Error(`CPython did not load in ${loadMs} ms`)), loadMs);
    worker.onmessage = ({ data }) => {
      const m = JSON.parse(data);
      if (m.ready) { clearTimeout(timer); resolve(); }
      if (m.failed && m.failed.id === null) reject(new Error(m.failed.message));
      for (const l of listeners) l(m);
    };
    let next = 1;
    window.runProgram = (code, timeout) => new Promise((done) => {
      const id = next++;
      const out = [];
      const l = (m) => {
        if (m.output?.id === id) out.push(m.output.text);
        if (m.finished?.id === id || m.failed?.id === id) {
          listeners.delete(l);
          clearTimeout(t);
          done({ out: out.join(""), report: m.finished?.report ?? null, failed: m.failed?.message ?? null });
        }
      };
      listeners.add(l);
      // A hang is a failure: Stop, then the run's end is awaited a little longer.
      const t = setTimeout(() => { Atomics.store(stop, 0, 2); setTimeout(() => { listeners.delete(l); done({ out: out.join(""), timedOut: true }); }, 5_000); }, timeout);
      const experiment = { tool: "processes", kind: "cpu", tasks: 4, workers: 2, gil: "on", io_ms: 200, cpu_iters: 1000, serial: 0, lock: "off", engine: "cpython" };
      worker.postMessage(JSON.stringify({ "run-code": { id, experiment, code } }));
    });
  }), PYTHON_LOAD_MS);
});
after(async () => { await browser?.close(); });

const dir = mkdtempSync(join(tmpdir(), "pool-corpus-"));

/** CPython 3.13 running `code` from a file, with the spawn start method (the page's). */
function cpython(name, code) {
  const file = join(dir, name);
  // On the program's first line, so that tracebacks name the same lines.
  writeFileSync(file, `import multiprocessing as _mp; _mp.set_start_method("spawn", force=True); ${code}`);
  try {
    return { out: execFileSync(PYTHON, [file], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] }), error: null };
  } catch (e) {
    if (e.signal) throw new Error(`${name} hung under CPython`);
    return { out: e.stdout, error: e.stderr.trim().split("\n").at(-1).split(":")[0] };
  }
}

const exceptionClass = (message) => (message ?? "").trim().split("\n").at(-1).split(":")[0].replace(/^.*\./, "");

test("a pool sized by an expression starts its processes when it is created, on a cold page", async () => {
  // The first program this worker runs: no process is warm, and the code names no size.
  const code = "import os\nfrom concurrent.futures import ProcessPoolExecutor\n\ndef square(n):\n    return n * n\n\nif __name__ == '__main__':\n    workers = len('abc')\n    with ProcessPoolExecutor(max_workers=workers) as pool:\n        print(sorted(set(pool.map(os.getpid, [None] * 0))), list(pool.map(square, range(6))))\n";
  const r = await page.evaluate(([c, ms]) => window.runProgram(c, ms), [code, PROGRAM_MS]);
  assert.equal(r.report?.status, "done", `${r.report?.message ?? r.failed} ${r.out}`);
  assert.equal(r.out, "[] [0, 1, 4, 9, 16, 25]\n");
  const startups = r.report.spans.filter((s) => s.state === "startup" && s.end - s.start > 100);
  assert.deepEqual([...new Set(startups.map((s) => s.lane))].sort(), [0, 1, 2], "three interpreters started while the program ran");
  assert.equal(r.report.paid_startup, true);
});

const names = readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort();
test("the corpus has at least 30 programs", () => { assert.ok(names.length >= 30, `${names.length}`); });

for (const name of names) {
  test(`the page's pool runs ${name} as CPython 3.13 does`, async () => {
    const code = readFileSync(new URL(name, FIXTURES), "utf8");
    const expected = cpython(name, code);
    const r = await page.evaluate(([c, ms]) => window.runProgram(c, ms), [code, PROGRAM_MS]);
    assert.ok(!r.timedOut, `${name} did not end in ${PROGRAM_MS / 1000} s; printed: ${r.out}`);
    const sorted = code.startsWith("# sorted");
    const norm = (text) => (sorted ? text.split("\n").filter(Boolean).sort().join("\n") : text);
    if (expected.error === null) {
      assert.equal(r.report?.status, "done", `${name}: ${r.report?.message ?? r.failed}\n${r.out}`);
      assert.equal(norm(r.out), norm(expected.out));
    } else {
      assert.equal(r.report?.status, "error", `${name}: ${JSON.stringify(r.report?.status)}`);
      assert.ok(r.out.startsWith(expected.out), `${name}: printed ${JSON.stringify(r.out)}, CPython ${JSON.stringify(expected.out)}`);
      assert.equal(exceptionClass(r.report.message), expected.error.replace(/^.*\./, ""), r.report.message);
    }
  });
}
