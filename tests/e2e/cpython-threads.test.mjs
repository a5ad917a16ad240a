// Threads on the page's CPython (playground/threads.py): programs that use `threading`, `queue`
// and `ThreadPoolExecutor` print what CPython 3.13 prints running them; a lock-order deadlock ends
// "Deadlock" with every thread's stack; Stop ends two spinning non-daemon threads and the next
// run works. Each program runs in the site's own CPython worker (www/python/worker.js), spoken to
// as the page speaks to it, on the page's isolated origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { BARE, BASE, PYTHON_LOAD_MS, claim, launch } from "./lib.mjs";

const FIXTURES = new URL("./fixtures/threads/", import.meta.url);
/** The newest CPython on the machine: pyenv's 3.13 where it is there, else python3. */
const PYENV_313 = `${homedir()}/.pyenv/versions/3.13.0/bin/python3`;
const PYTHON = existsSync(PYENV_313) ? PYENV_313 : "python3";

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
    /** Runs `code`; resolves with what it printed, its report and, after a Stop at `stopAfter`
     * ms, how long the run took to end from it. */
    window.runThreads = (code, { stopAfter = null, timeout = 60_000 } = {}) => new Promise((done) => {
      const id = next++;
      const out = [];
      let stoppedAt = null;
      const l = (m) => {
        if (m.output?.id === id) out.push(m.output.text);
        if (m.finished?.id === id || m.failed?.id === id) {
          listeners.delete(l);
          clearTimeout(t);
          done({ out: out.join(""), report: m.finished?.report ?? null, failed: m.failed?.message ?? null, stopMs: stoppedAt === null ? null : performance.now() - stoppedAt });
        }
      };
      listeners.add(l);
      const t = setTimeout(() => { listeners.delete(l); done({ out: out.join(""), timedOut: true }); }, timeout);
      if (stopAfter !== null) setTimeout(() => { stoppedAt = performance.now(); Atomics.store(stop, 0, 2); }, stopAfter);
      const experiment = { tool: "threads", kind: "cpu", tasks: 4, workers: 2, gil: "on", io_ms: 200, cpu_iters: 1000, serial: 0, lock: "off", engine: "cpython" };
      worker.postMessage(JSON.stringify({ "run-code": { id, experiment, code } }));
    });
  }), PYTHON_LOAD_MS);
});
after(async () => { await browser?.close(); });

const run = (code, options) => page.evaluate(([c, o]) => window.runThreads(c, o), [code, options ?? {}]);

for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort()) {
  test(`threads on CPython print what ${PYTHON.includes("3.13") ? "CPython 3.13" : "python3"} prints: ${name}`, async () => {
    const code = readFileSync(new URL(name, FIXTURES), "utf8");
    const expected = execFileSync(PYTHON, ["-c", code], { encoding: "utf8", timeout: 30_000 });
    const r = await run(code);
    assert.ok(!r.timedOut, `${name} did not end in 60 s; printed: ${r.out}`);
    assert.equal(r.report?.status, "done", `${name}: ${r.report?.message ?? r.failed}`);
    assert.equal(r.out, expected);
  });
}

test("a lock-order deadlock ends the run \"Deadlock\" with each thread's name and stack, within 2 s of forming", async () => {
  const code = [
    "import threading, time",
    "a, b = threading.Lock(), threading.Lock()",
    "def one():",
    "    with a:",
    "        time.sleep(0.05)",
    "        with b:",
    "            pass",
    "def two():",
    "    with b:",
    "        time.sleep(0.05)",
    "        with a:",
    "            pass",
    "t1 = threading.Thread(target=one, name='first'); t2 = threading.Thread(target=two, name='second')",
    "t1.start(); t2.start(); t1.join(); t2.join()",
    "print('never')",
  ].join("\n");
  const r = await run(code);
  assert.equal(r.report?.status, "error");
  assert.match(r.report.message, /^Deadlock/);
  for (const [thread, line] of [["MainThread", 14], ["first", 6], ["second", 11]]) {
    assert.match(r.report.message, new RegExp(`\\[${thread}\\][^\\n]*\\n(?:  File [^\\n]*\\n)*?  File "experiment\\.py", line ${line}`), thread);
  }
  assert.doesNotMatch(r.out, /never/);
  // The locks are taken 50 ms in; the run ends when the last thread blocks.
  assert.ok(r.report.wall_ms < 2000 + 50, `ended ${r.report.wall_ms} ms after it started`);
  // A timed wait that got its lock early is no timeout pending: the same deadlock after a
  // 30 s `acquire(timeout=...)` that succeeded at once still ends within 2 s.
  const timed = await run(code.replace("t1.start();", "c = threading.Lock(); c.acquire(); threading.Timer(0.01, c.release).start(); c.acquire(timeout=30)\nt1.start();"));
  assert.equal(timed.report?.status, "error", JSON.stringify(timed));
  assert.match(timed.report.message, /^Deadlock/);
  assert.ok(timed.report.wall_ms < 2000 + 50, `ended ${timed.report.wall_ms} ms after it started`);
});

test("Stop ends two spinning non-daemon threads within 300 ms, names them, and the next run works", async () => {
  const spin = "import threading\ndef spin():\n    while True:\n        pass\nfor i in range(2):\n    threading.Thread(target=spin, name=f'spinner-{i}').start()\nprint('started')\n";
  await claim("Stop with two spinning threads ends the run within 300 ms", async () => {
    const r = await run(spin, { stopAfter: 400 });
    assert.equal(r.report?.status, "stopped", JSON.stringify(r));
    assert.match(r.report.message, /abandoned where they were: spinner-0, spinner-1/);
    return r.stopMs;
  }, (ms) => ms <= 300, { show: (ms) => `${ms.toFixed(0)} ms`, probe: false });
  const next = await run("import threading\nt = threading.Thread(target=print, args=('again',))\nt.start(); t.join()\n");
  assert.equal(next.report?.status, "done");
  assert.equal(next.out, "again\n");
});

// Generous bounds: the hand-overs cost (each suspends and resumes a stack, with Pyodide's state
// switch), and a thread's loop runs a few per cent slower than the main thread's; the measured
// figures are in docs/performance.md.
test("the experiment's threads program: cpu × 4 on 2 threads takes about as long as sequentially (the GIL), io × 4 on 4 threads about one wait", async () => {
  const loop = "def cpu(n):\n    t = 0\n    for i in range(n):\n        t += i * i\n    return t\n";
  const r = await claim("threads on CPython: cpu x4 W=2 within 0.9-1.35x sequential; io x4 W=4 within 1.15 x one wait; a lone thread within 1.2x", async () => {
    const out = (await run(`${loop}import time
from concurrent.futures import ThreadPoolExecutor
import threading
N = 500_000
# Each measured three times, alternately, and the fastest of each kept: a busy machine only
# ever adds time to a run.
seq, par = [], []
for _ in range(3):
    t = time.perf_counter(); [cpu(N) for _ in range(4)]; seq.append(time.perf_counter() - t)
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(cpu, [N] * 4))
    par.append(time.perf_counter() - t)
seq, par = min(seq), min(par)
t = time.perf_counter()
with ThreadPoolExecutor(max_workers=4) as pool:
    list(pool.map(time.sleep, [0.2] * 4))
io = time.perf_counter() - t
alone_main, alone = [], []
for _ in range(3):
    t = time.perf_counter(); cpu(N); alone_main.append(time.perf_counter() - t)
    th = threading.Thread(target=cpu, args=(N,))
    t = time.perf_counter(); th.start(); th.join(); alone.append(time.perf_counter() - t)
print(par / seq, io / 0.2, min(alone) / min(alone_main))
`)).out;
    const [cpu, io, alone] = out.split("\n")[0].trim().split(/\s+/).map(Number);
    return { cpu, io, alone };
  }, ({ cpu, io, alone }) => cpu >= 0.9 && cpu <= 1.35 && io <= 1.15 && alone <= 1.2,
  { show: ({ cpu, io, alone }) => `cpu ${cpu.toFixed(2)}×, io ${io.toFixed(2)}× one wait, lone thread ${alone.toFixed(2)}×` });
  console.log(`threads on CPython: cpu × 4, W=2: ${r.cpu.toFixed(2)}× sequential; io × 4, W=4: ${r.io.toFixed(2)}× one wait; a lone thread: ${r.alone.toFixed(2)}×`);
});

test("without cross-origin isolation a sys.monitoring hook hands over: the race keeps every update, and the run says how much slower the hook made Python", { skip: !BARE && "no bare host" }, async () => {
  // The bare page's service worker would reload it isolated: blocked, as a host without it.
  const bareContext = await browser.newContext({ serviceWorkers: "block" });
  const bare = await bareContext.newPage();
  await bare.goto(new URL("?engine=model", BARE).href);
  assert.equal(await bare.evaluate(() => self.crossOriginIsolated), false);
  const code = readFileSync(new URL("race.py", FIXTURES), "utf8");
  const r = await bare.evaluate(([source, loadMs]) => new Promise((resolve, reject) => {
    const worker = new Worker("./python/worker.js", { type: "module" });
    const out = [];
    const timer = setTimeout(() => reject(new Error("no answer")), loadMs + 60_000);
    worker.onmessage = ({ data }) => {
      const m = JSON.parse(data);
      if (m.ready) {
        const experiment = { tool: "threads", kind: "race", tasks: 4, workers: 4, gil: "on", io_ms: 200, cpu_iters: 1000, serial: 0, lock: "off", engine: "cpython" };
        worker.postMessage(JSON.stringify({ "run-code": { id: 1, experiment, code: source } }));
      }
      if (m.output) out.push(m.output.text);
      if (m.finished || m.failed) { clearTimeout(timer); worker.terminate(); resolve({ out: out.join(""), report: m.finished?.report, failed: m.failed?.message }); }
    };
  }), [code, PYTHON_LOAD_MS]);
  await bareContext.close();
  assert.equal(r.report?.status, "done", JSON.stringify(r));
  assert.equal(r.out, "expected 800000 got 800000\n");
  const slower = Number(r.report.message.match(/a short Python loop ran ([\d.]+)x slower in a thread \(measured here/)?.[1]);
  assert.ok(slower > 1, r.report.message);
  console.log(`threads without isolation: the sys.monitoring hook's measured cost ${slower}x`);
});

/** The experiment's threads program, `tasks` tasks on `workers` threads (the form's constants in the
 * generated program's shape), with the switch interval set to `interval` s when given. */
const threadsProgram = ({ kind = "cpu", tasks = 4, workers = 2, iters = 300_000, interval = null } = {}) => `import sys, time
from concurrent.futures import ThreadPoolExecutor
from playground import timed
${interval === null ? "" : `sys.setswitchinterval(${interval})\n`}
@timed("cpu")
def cpu_task(n):
    total = 0
    for i in range(${iters}):
        total += i * i
    return total

@timed("io")
def io_task(n):
    time.sleep(0.1)

if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=${workers}) as pool:
        list(pool.map(${kind}_task, range(${tasks})))
`;

/** The 5 ms and 1 ms runs' figures: forced hand-overs per second of each run (at 1 ms the run
 * is longer by its hand-overs' own cost, so counts alone would credit the interval with that). */
function measured(five, one) {
  const rate = (r) => r.gil_switches.forced / r.wall_ms;
  return { five, one, expected: five.wall_ms / 5, ratio: rate(one) / rate(five) };
}

test("the GIL's hand-overs are counted from CPython: forced ones about wall ÷ switch interval, 3-7× as many a second at 1 ms, none for waits, one at a lone thread's start", async () => {
  const r = await claim("cpu x4, W=2: forced hand-overs within ±30% of wall / 5 ms; at 1 ms 3-7x as many a second", async () => {
    // Tasks of ~150 ms each, as the experiment's are (sized to a wait): the hand-overs' steady
    // rate, not the threads' start and end, decide the count.
    const five = await run(threadsProgram({ iters: 1_200_000 }));
    const one = await run(threadsProgram({ iters: 1_200_000, interval: 0.001 }));
    for (const r of [five, one]) assert.ok(r.report, `the run ended: ${JSON.stringify({ ...r, out: r.out?.slice(0, 300) })}`);
    return measured(five.report, one.report);
  }, ({ five, expected, ratio }) => Math.abs(five.gil_switches.forced - expected) <= 0.3 * expected && ratio >= 3 && ratio <= 7,
  { show: ({ five, one, expected, ratio }) => `${five.gil_switches.forced} forced in ${five.wall_ms.toFixed(0)} ms (wall/5 ms = ${expected.toFixed(0)}); at 1 ms ${one.gil_switches.forced} in ${one.wall_ms.toFixed(0)} ms (${ratio.toFixed(1)}x as many a second)` });
  for (const report of [r.five, r.one]) {
    assert.equal(report.status, "done", report.message);
    const waits = report.spans.filter((s) => s.state === "gil-wait");
    const { forced, voluntary } = report.gil_switches;
    assert.equal(waits.length, forced + voluntary, "each hand-over ends one wait");
    const acquires = report.gil_events.filter((e) => e.kind === "acquire").length;
    const drops = report.gil_events.filter((e) => e.kind === "forced-drop").length;
    assert.equal(drops, forced, "a forced drop per forced hand-over");
    assert.ok(acquires >= forced + voluntary, `${acquires} acquires`);
    const times = report.gil_events.map((e) => e.at);
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]), "events in the GIL's order");
  }
  assert.ok(r.five.gil_events.every((e) => [0, 1, 2].includes(e.lane)), "threads on lanes 0 and 1, the main thread on 2");
  assert.equal(r.five.pool_threads, 3);
  // Waits only: every hand-over is voluntary.
  const io = (await run(threadsProgram({ kind: "io", workers: 4 }))).report;
  assert.equal(io?.status, "done");
  assert.equal(io.gil_switches.forced, 0, JSON.stringify(io.gil_switches));
  // A lone thread computing: `Thread.start()` waits for the thread to say it started, and the
  // main thread then wants the GIL back from a thread that computes, so it takes it by force
  // once, one switch interval in, as in CPython; nothing else is forced while it computes.
  const lone = (await run(threadsProgram({ tasks: 1, workers: 1 }))).report;
  assert.equal(lone?.status, "done");
  const drops = lone.gil_events.filter((e) => e.kind === "forced-drop").map((e) => e.at - lone.started_at);
  // The task is drawn in pieces around its waits for the GIL.
  const pieces = lone.spans.filter((s) => s.state === "compute");
  const began = Math.min(...pieces.map((s) => s.start)) - lone.started_at;
  const computing = pieces.reduce((sum, s) => sum + s.end - s.start, 0);
  console.log(`a lone thread: ${JSON.stringify(lone.gil_switches)}, forced drops at ${drops.map((d) => d.toFixed(1))} ms; the task computed ${computing.toFixed(0)} ms from ${began.toFixed(1)} ms`);
  assert.ok(lone.gil_switches.forced <= 1, JSON.stringify(lone.gil_switches));
  for (const at of drops) assert.ok(at - began <= 5 * 2, `forced at ${at} ms, while the thread computed`);
  // A program that starts no thread has no GIL to hand over, as a sequential model run.
  const seq = (await run("print('alone')")).report;
  assert.equal(seq.gil_switches, null);
  assert.deepEqual(seq.gil_events, []);
});
