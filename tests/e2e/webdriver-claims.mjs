// The page's core claims, driven through a W3C WebDriver browser (`webdriver.mjs`): Firefox and
// WebKit run the very same checks, each under its own name.
import assert from "node:assert/strict";
import { BARE, BASE, claim } from "./lib.mjs";

/** Waits until the page is ready and its threads build has settled (ready or off). */
export const ready = (b) => b.waitFor(() => document.documentElement.dataset.ready === "true" && document.documentElement.dataset.threads !== "starting");
/** How many fatal-error panels the page shows. */
export const errorsShown = (b) => b.exec(() => document.querySelectorAll(".fatal-error").length);
/** The text of `[data-testid=testid]`, or null. */
export const text = (b, testid) => b.exec((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent ?? null, testid);

/** Sequential io takes ~4 waits; async overlaps them (≤ 0.5 of sequential). */
export async function ioOverlaps(b, name) {
  await b.goto(new URL("?kind=io&tasks=4&io_ms=200&run=1", BASE).href);
  await ready(b);
  assert.equal(await b.exec(() => self.crossOriginIsolated), true);
  assert.equal(await b.exec(() => document.documentElement.dataset.isolated), "true");
  const seq = await b.newestRow(1);
  assert.ok(Number(seq.wallMs) >= 750, `sequential ${seq.wallMs}`);
  await claim(`${name} io: async / sequential`, async () => {
    await b.goto(new URL("?tool=async&kind=io&tasks=4&io_ms=200&run=1", BASE).href);
    await ready(b);
    const asy = await b.newestRow(1);
    return asy.wallMs / seq.wallMs;
  }, (r) => r <= 0.5, { show: (r) => r.toFixed(3) });
  assert.equal(await errorsShown(b), 0);
}

/** Threads without a GIL beat one thread on cpu work, with the same checksum and build. */
export async function threadsBeatOneThread(b, name) {
  await b.goto(new URL("?kind=cpu&tasks=4&io_ms=100&run=1", BASE).href);
  await ready(b);
  const pool = await b.waitFor(() => /^\d+ pool threads$/.test(document.querySelector('[data-testid="pool-threads"]').textContent)
    && document.querySelector('[data-testid="pool-threads"]').textContent);
  assert.match(pool, /^\d+ pool threads$/);
  const iters = (await b.newestRow(1)).cpuIters;
  const wall = async (query) => {
    await b.goto(new URL(`?${query}&kind=cpu&tasks=4&cpu_iters=${iters}&run=1`, BASE).href);
    await ready(b);
    await b.newestRow(1); // warm-up
    await b.click('[data-testid="run-button"]');
    return b.newestRow(2);
  };
  await claim(`${name} cpu: threads (GIL off) / sequential`, async () => {
    const seq = await wall("tool=sequential");
    const thr = await wall("tool=threads&gil=off");
    assert.equal(thr.checksum, seq.checksum);
    assert.deepEqual([seq.build, thr.build], ["atomics", "atomics"]);
    return thr.wallMs / seq.wallMs;
  }, (r) => r < 0.85, { show: (r) => r.toFixed(3) });
}

/** A bad URL is explained in the notice and the run uses the defaults. */
export async function badUrlExplained(b) {
  await b.goto(new URL("?tasks=-5&io_ms=abc&tool=nope&run=1", BASE).href);
  await ready(b);
  const row = await b.newestRow(1);
  assert.deepEqual([row.tool, row.tasks, row.ioMs, row.status], ["sequential", "1", "200", "done"]);
  const notice = await text(b, "notice");
  for (const p of ["tasks", "io_ms", "tool"]) assert.match(notice, new RegExp(p));
  assert.equal(await errorsShown(b), 0);
}

/** A host without isolation headers runs processes on the plain build; threads explain. */
export async function plainHostDegrades(b) {
  await b.goto(new URL("?tool=processes&kind=cpu&tasks=4&io_ms=50&coi=0&run=1", BARE).href);
  await ready(b);
  assert.equal(await b.exec(() => document.documentElement.dataset.isolated), "false");
  const row = await b.newestRow(1);
  assert.deepEqual([row.tool, row.status, row.build], ["processes", "done", "plain"]);
  assert.match(await text(b, "notice"), /Threads are off/);
}

/**
 * Stop answers within 100 ms on an isolated page, for every tool: a long cpu run starts, and
 * the page measures from the click on Stop to the row that reports `stopped`.
 */
export async function stopAnswers(b, name) {
  for (const [tool, gil] of [["sequential"], ["async"], ["threads", "off"], ["processes"]]) {
    await b.goto(new URL(`?tool=${tool}${gil ? `&gil=${gil}` : ""}&kind=cpu&tasks=4&workers=2&io_ms=1000`, BASE).href);
    await ready(b);
    await claim(`${name} stop ${tool}, ms`, async () => {
      const before = await b.exec(() => document.querySelectorAll('[data-testid="run"]:not([data-baseline-for])').length);
      await b.click('[data-testid="run-button"]');
      await b.waitFor(() => { const s = document.querySelector('[data-testid="stop-button"]'); return s && !s.disabled; }, [], 20_000);
      await new Promise((r) => setTimeout(r, 300));
      await b.exec((n) => {
        window.__stopped = null;
        const sel = '[data-testid="run"]:not([data-baseline-for])';
        const started = performance.now();
        const check = () => {
          const rows = document.querySelectorAll(sel);
          if (rows.length > n) {
            observer.disconnect();
            window.__stopped = { ms: performance.now() - started, status: rows[0].dataset.status, message: rows[0].dataset.message ?? "" };
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        document.querySelector('[data-testid="stop-button"]').click();
        check();
      }, before);
      const stopped = await b.waitFor(() => window.__stopped, [], 10_000);
      assert.equal(stopped.status, "stopped", `${tool}: ${JSON.stringify(stopped)}`);
      assert.doesNotMatch(stopped.message, /terminated/, "no worker was terminated on an isolated page");
      return stopped.ms;
    }, (ms) => ms <= 100, { show: (ms) => ms.toFixed(1) });
  }
  assert.equal(await errorsShown(b), 0);
}

/** Sets a select of the form as a visitor would. */
const choose = (b, id, value) => b.exec((i, v) => {
  const el = document.getElementById(i);
  el.value = v;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}, id, value);

/**
 * Cold pools, reported: on a fresh page, sequential cpu × 4 then the first run of `tool`
 * (processes on a plain host; threads on an isolated page) at W=2, their wall times and the
 * row's message. Asserted: both runs finish with the same checksum; the figures are printed
 * for the record (Chromium's are held to bounds in cold.test.mjs).
 */
export async function coldPoolsReported(b, name, { threads = true } = {}) {
  const figures = [];
  const cases = [["processes", new URL("?kind=cpu&tasks=4&workers=2&io_ms=200&coi=0&run=1", BARE ?? BASE).href]];
  if (threads) cases.push(["threads", new URL("?kind=cpu&tasks=4&workers=2&io_ms=200&gil=off&run=1", BASE).href]);
  for (const [tool, url] of cases) {
    await b.goto(url);
    await ready(b);
    const seq = await b.newestRow(1);
    await choose(b, "tool", tool);
    await b.click('[data-testid="run-button"]');
    const first = await b.newestRow(2);
    assert.equal(first.tool, tool);
    assert.equal(first.status, "done");
    assert.equal(first.checksum, seq.checksum, "the same work");
    const speedup = seq.wallMs / first.wallMs;
    console.log(`${name}, first ${tool} run after load (cpu ×4, W=2, ${first.build} build): ${speedup.toFixed(2)}× sequential (${Number(seq.wallMs).toFixed(0)} / ${Number(first.wallMs).toFixed(0)} ms)${first.message ? `; ${first.message}` : ""}`);
    figures.push({ tool, speedup, message: first.message ?? "" });
  }
  return figures;
}

/**
 * CPython in the page: it loads, four asyncio waits overlap (wall ≤ 1.15 × one wait), and a
 * program that raises ends `error` with its traceback in the output, no page error.
 */
export async function cpythonCore(b, name) {
  await b.goto(new URL("?engine=cpython&tool=async&kind=io&tasks=4&io_ms=200", BASE).href);
  await ready(b);
  await b.waitFor(() => document.querySelector('[data-testid="python-ready"]')
    && !/Loading CPython/.test(document.querySelector('[data-testid="estimate"]').textContent), [], 90_000);
  let runs = 0;
  await claim(`${name} cpython async io ×4 wall ≤ 1.15 × io_ms`, async () => {
    await b.click('[data-testid="run-button"]');
    const row = await b.newestRow(++runs);
    assert.deepEqual([row.engine, row.status, row.tool], ["cpython", "done", "async"]);
    assert.match(row.pythonVersion, /^3\.14\./);
    return Number(row.wallMs);
  }, (wall) => wall >= 190 && wall <= 230, { bound: "190 ms ≤ wall ≤ 230 ms (one wait of 200 ms, the four overlapped)" });
  await b.exec(() => {
    const editor = document.querySelector('[data-testid="python-editor"]');
    editor.value = "print('about to fail')\nraise ValueError('from the test')\n";
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await b.click('[data-testid="run-button"]');
  const failed = await b.newestRow(++runs);
  assert.equal(failed.status, "error");
  const output = await text(b, "python-output");
  assert.match(output, /about to fail[\s\S]*File "experiment\.py", line 2[\s\S]*ValueError: from the test/);
  // Threads on CPython: where the browser has JSPI they run, handed over as under the GIL (the
  // race without its lock keeps every update; cpu on 2 threads takes about as long as
  // sequentially); elsewhere CPython's own error and the page's explanation.
  const jspi = await b.exec(() => typeof WebAssembly.Suspending === "function");
  await b.exec(() => {
    const editor = document.querySelector('[data-testid="python-editor"]');
    editor.value = [
      "import threading, time",
      "counter = 0",
      "def increment():",
      "    global counter",
      "    for _ in range(200_000):",
      "        counter += 1",
      "def cpu():",
      "    t = 0",
      "    for i in range(300_000):",
      "        t += i * i",
      "ts = [threading.Thread(target=increment) for _ in range(4)]",
      "for t in ts: t.start()",
      "for t in ts: t.join()",
      "print('expected 800000 got', counter)",
      // Each measured three times, alternately, and the fastest kept: a busy machine only adds.
      "seqs, pars = [], []",
      "for _ in range(3):",
      "    t0 = time.perf_counter(); [cpu() for _ in range(4)]; seqs.append(time.perf_counter() - t0)",
      "    ts = [threading.Thread(target=cpu) for _ in range(4)]",
      "    t0 = time.perf_counter()",
      "    for t in ts: t.start()",
      "    for t in ts: t.join()",
      "    pars.append(time.perf_counter() - t0)",
      "print(f'threads/sequential {min(pars) / min(seqs):.2f}')",
    ].join("\n");
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await b.click('[data-testid="run-button"]');
  const threads = await b.newestRow(++runs);
  const printed = await text(b, "python-output");
  if (jspi) {
    assert.equal(threads.status, "done", printed);
    assert.match(printed, /expected 800000 got 800000/);
    const ratio = Number(printed.match(/threads\/sequential ([\d.]+)/)?.[1]);
    assert.ok(ratio >= 0.8 && ratio <= 1.6, `${name}: cpu on 4 threads ${ratio}x sequential`);
    // The GIL as CPython handed it over: counted from the interpreter, forced ones among them.
    const forced = Number(threads.gilForced), voluntary = Number(threads.gilVoluntary);
    assert.ok(forced > 0 && voluntary > 0, `${name}: hand-overs ${JSON.stringify(threads)}`);
    console.log(`${name}: CPython threads run (JSPI); cpu × 4 on 4 threads: ${ratio.toFixed(2)}× sequential; ${forced} forced and ${voluntary} voluntary hand-overs in ${Number(threads.wallMs).toFixed(0)} ms (${(forced * 1000 / Number(threads.wallMs)).toFixed(0)} forced a second)`);
  } else {
    assert.equal(threads.status, "error");
    assert.match(printed, /can't start new thread[\s\S]*JavaScript Promise Integration/);
    console.log(`${name}: no JSPI; CPython threads end with CPython's error and the page's explanation`);
  }
  assert.equal(await errorsShown(b), 0);
}
