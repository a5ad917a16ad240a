// The pool corpus, shared by the Chromium and Firefox tests: its programs, what CPython 3.13
// prints running each from a file with the spawn start method, and a runner that a page installs
// to run programs in the site's own CPython worker (spoken to as the page speaks to it). The
// runner keeps its answers in the page, so that a test polls them (WebDriver cannot await).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const FIXTURES = new URL("./fixtures/processes/", import.meta.url);
const PYENV_313 = `${homedir()}/.pyenv/versions/3.13.0/bin/python3`;
/** The newest CPython on the machine: pyenv's 3.13 where it is there, else python3. */
export const PYTHON = existsSync(PYENV_313) ? PYENV_313 : "python3";
/** The most one program may take in the page, its pool's processes started cold included. */
export const PROGRAM_MS = 90_000;

/** The corpus: [name, code], in name order. */
export const programs = () => readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort()
  .map((name) => [name, readFileSync(new URL(name, FIXTURES), "utf8")]);

const dir = mkdtempSync(join(tmpdir(), "pool-corpus-"));

/** CPython running `code` from a file, with the spawn start method (the page's): what it
 * printed, and the class of the exception it ended with (null when it did not). */
export function cpython(name, code) {
  const file = join(dir, name);
  // On the program's first line, so that tracebacks name the same lines.
  writeFileSync(file, `import multiprocessing as _mp; _mp.set_start_method("spawn", force=True); ${code}`);
  try {
    const run = spawnSync(PYTHON, [file], { encoding: "utf8", timeout: 60_000 });
    if (run.signal) throw new Error(`${name} hung under CPython`);
    if (run.status === 0) return { out: run.stdout, errors: run.stderr, error: null };
    return { out: run.stdout, error: exceptionClass(run.stderr) };
  } catch (e) {
    if (e.signal) throw new Error(`${name} hung under CPython`);
    return { out: e.stdout, error: exceptionClass(e.stderr) };
  }
}

/** `text` with each traceback's frames left out: its header's line before and its last line stay. */
const withoutFrames = (text) => text.replace(/Traceback \(most recent call last\):\n(?:[ \t].*\n)*/g, "");

/** The class a traceback ends with, without its module. */
export const exceptionClass = (text) => (text ?? "").trim().split("\n").at(-1).split(":")[0].replace(/^.*\./, "");

/** Holds the page's run `r` of program `name` against CPython's `expected`. */
export function check(name, code, r, expected) {
  assert.ok(!r.timedOut, `${name} did not end in ${PROGRAM_MS / 1000} s; printed: ${r.out}`);
  const sorted = code.startsWith("# sorted");
  const norm = (text) => (sorted ? text.split("\n").filter(Boolean).sort().join("\n") : text);
  if (expected.error === null) {
    assert.equal(r.report?.status, "done", `${name}: ${r.report?.message ?? r.failed}\n${r.out}`);
    // What processes print to stderr (an exception under "Process Process-2:") comes before the
    // parent's last prints in both; tracebacks are held by their first and last lines (their
    // frames are CPython's multiprocessing's there, the program's here).
    assert.equal(norm(withoutFrames(r.out)), norm(withoutFrames(expected.errors + expected.out)));
  } else {
    assert.equal(r.report?.status, "error", `${name}: ${JSON.stringify(r.report?.status)}`);
    assert.ok(r.out.startsWith(expected.out), `${name}: printed ${JSON.stringify(r.out)}, CPython ${JSON.stringify(expected.out)}`);
    assert.equal(exceptionClass(r.report.message), expected.error, r.report.message);
  }
}

/** A page of `base` in `browser` with the runner installed and CPython loaded (within
 * `loadMs`); returns the page and `run(code, ms)`, which resolves with the program's answer. */
export async function runnerPage(browser, base, loadMs) {
  const page = await browser.newPage();
  await page.goto(new URL("?engine=model", base).href);
  await page.evaluate(installRunner);
  await page.waitForFunction(() => window.corpus.ready || window.corpus.failed, null, { timeout: loadMs });
  assert.equal(await page.evaluate(() => window.corpus.failed), null);
  const run = async (code, ms) => {
    const id = await page.evaluate(([c, bound]) => window.corpus.run(c, bound), [code, ms]);
    await page.waitForFunction((i) => window.corpus.answers[i], id, { timeout: ms + 10_000, polling: 100 });
    return page.evaluate((i) => window.corpus.answers[i], id);
  };
  return { page, run };
}

/** Installed in the page (a function of no closure): starts CPython's worker; `window.corpus`
 * then says `ready` (or `failed`), and `run(code, ms)` returns an id whose answer appears in
 * `answers[id]`: what the program printed, its report, or `timedOut` after Stop. */
export function installRunner() {
  const worker = new Worker("./python/worker.js", { type: "module" });
  const stop = new Int32Array(new SharedArrayBuffer(4));
  worker.postMessage(stop.buffer);
  const corpus = { ready: false, failed: null, answers: {}, out: {}, at: {}, next: 1 };
  window.corpus = corpus;
  worker.onmessage = ({ data }) => {
    const m = JSON.parse(data);
    if (m.ready) corpus.ready = true;
    if (m.failed && m.failed.id === null) corpus.failed = m.failed.message;
    if (m.output) {
      (corpus.out[m.output.id] ??= []).push(m.output.text);
      (corpus.at[m.output.id] ??= []).push(performance.now());
    }
    const id = m.finished?.id ?? m.failed?.id;
    if (id && !corpus.answers[id]) {
      clearTimeout(corpus[`timer${id}`]);
      // Each piece of output with how long before the run's end it came, ms.
      const end = performance.now();
      const pieces = (corpus.out[id] ?? []).map((text, i) => ({ text, before: end - corpus.at[id][i] }));
      corpus.answers[id] = { out: (corpus.out[id] ?? []).join(""), pieces, report: m.finished?.report ?? null, failed: m.failed?.message ?? null };
    }
  };
  corpus.run = (code, ms) => {
    const id = corpus.next++;
    // A hang is a failure: Stop at the bound, and the answer says so 5 s later if none came.
    corpus[`timer${id}`] = setTimeout(() => {
      Atomics.store(stop, 0, 2);
      setTimeout(() => { corpus.answers[id] ??= { out: (corpus.out[id] ?? []).join(""), timedOut: true }; }, 5_000);
    }, ms);
    const experiment = { tool: "processes", kind: "cpu", tasks: 4, workers: 2, gil: "on", io_ms: 200, cpu_iters: 1000, serial: 0, lock: "off", engine: "cpython" };
    worker.postMessage(JSON.stringify({ "run-code": { id, experiment, code } }));
    return id;
  };
  return true;
}
