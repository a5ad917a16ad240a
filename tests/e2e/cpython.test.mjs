// Real CPython in the page (engine=cpython): loaded only when picked, from the page's origin;
// the notebook's experiments run for real and are drawn from the harness's spans; errors,
// threads and Stop end runs as CPython ends them; edited code travels in the URL and never runs
// by itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BARE, BASE, OWN_ROWS, claim, exportRuns, launch, open, runOnce, setExperiment, stopLatency, EDITOR, pythonReady, typeCode } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const editorText = (page) => page.evaluate((sel) => document.querySelector(sel).value, EDITOR);

/** The newest run's full record (spans included). */
async function lastRecord(page) {
  return (await exportRuns(page)).at(-1);
}

test("a page that never picks CPython fetches none of it; picking it loads CPython from this origin with a progress line", async () => {
  const { page, context, errors } = await open(browser, "");
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  await runOnce(page);
  await page.waitForTimeout(500);
  const python = requests.filter((u) => /\/(pyodide|python)\//.test(u));
  assert.deepEqual(python, [], "no CPython file before it is picked");
  await page.selectOption("#engine", "cpython");
  const progress = await page.waitForSelector('[data-testid="python-loading"]', { timeout: 10_000 });
  assert.match(await progress.textContent(), /Loading CPython 3\.14 \(Pyodide\) from this site: [\d.]+ of 1[0-9]\.\d MB/);
  await pythonReady(page);
  const ready = await page.textContent('[data-testid="python-ready"]');
  assert.match(ready, /CPython 3\.14\.\d+ \(Pyodide\) loaded in \d+\.\d\d s/);
  const fetched = requests.filter((u) => /\/(pyodide|python)\//.test(u));
  const files = ["pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "worker.js", "pool.js", "protocol.js", "interpreter.js", "editor.js"];
  const harness = ["__init__.py", "harness.py", "pool.py", "process.py"].map((name) => `playground/${name}`);
  for (const name of [...files, ...harness]) {
    assert.ok(fetched.some((u) => u.endsWith(`/${name}`)), `${name} was fetched`);
  }
  // The page's link to the harness opens its source, as text.
  const link = page.getByRole("link", { name: /the harness/ });
  const href = new URL(await link.getAttribute("href"), page.url()).href;
  const [tab] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), href);
  const source = await tab.textContent("body");
  assert.match(source, /^"""The timing harness/);
  assert.match(source, /\ndef timed\(kind\):/);
  await tab.close();
  const origin = new URL(BASE).origin;
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith("blob:") && !u.startsWith("data:")), [], "nothing from another origin");
  assert.deepEqual(errors, []);
  await context.close();
});

test("CPython runs the notebook's experiments for real: waits overlap under asyncio, add up in a row, and a cpu task lasts about one wait", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=async&kind=io&tasks=4&io_ms=200");
  await pythonReady(page);
  const io = 200;
  let asyncHash = null;
  const overlapped = await claim("cpython async io ×4 wall ≤ 1.15 × io_ms", async () => {
    const row = await runOnce(page);
    asyncHash = row.codeHash;
    assert.equal(row.status, "done");
    assert.equal(row.engine, "cpython");
    assert.match(row.pythonVersion, /^3\.14\./);
    assert.match(row.codeHash, /^[0-9a-f]{16}$/);
    const record = await lastRecord(page);
    assert.equal(record.spans.length, 4, "one span per task, from @timed");
    assert.ok(record.spans.every((s) => s.state === "io"));
    assert.ok(record.load_ms > 0, "the record says how long CPython took to load");
    return Number(row.wallMs);
  }, (wall) => wall <= 1.15 * io, { bound: `wall ≤ ${1.15 * io} ms` });
  assert.ok(overlapped >= io * 0.95, `a wait takes its time: ${overlapped}`);

  await setExperiment(page, { tool: "sequential" });
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  const record = await lastRecord(page);
  assert.equal(record.spans.length, 4);
  const spans = [...record.spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i].start >= spans[i - 1].end - 0.01, "one after another");
  assert.ok(Number(row.wallMs) >= 3.8 * io, `four waits in a row: ${row.wallMs} ms`);
  // The same program (one hash: its constants aside), sequential: async's speedup is against it.
  assert.match(asyncHash ?? "", /^[0-9a-f]{16}$/);
  assert.equal(row.codeHash, asyncHash, "the sequential run ran the async run's program");
  assert.equal(record.code_hash, row.codeHash, "the record and the row agree");

  await setExperiment(page, { tool: "sequential", kind: "cpu", tasks: 1 });
  await claim("cpython cpu ×1 wall within ±30 % of io_ms", async () => {
    const cpu = await runOnce(page);
    assert.equal(cpu.status, "done");
    assert.equal(cpu.engine, "cpython");
    return Number(cpu.wallMs);
  }, (wall) => Math.abs(wall - io) <= 0.3 * io, { bound: `${0.7 * io}–${1.3 * io} ms` });
  assert.deepEqual(errors, []);
  await context.close();
});

test("CPython's errors are the run's: a traceback ends it with error, the experiment's threads run, Stop interrupts a loop", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=sequential&kind=io&tasks=2&io_ms=50");
  await pythonReady(page);
  await typeCode(page, "def broken(n):\n    return 1 / n\n\nprint('before')\nbroken(0)\n");
  const failed = await runOnce(page);
  assert.equal(failed.status, "error");
  const output = await page.textContent('[data-testid="python-output"]');
  assert.match(output, /before/);
  assert.match(output, /Traceback \(most recent call last\):[\s\S]*File "experiment\.py", line 5[\s\S]*ZeroDivisionError: division by zero/);
  assert.doesNotMatch(output, /playground\.py/, "the harness's frames are not shown");
  assert.match(failed.message, /ZeroDivisionError/);

  await typeCode(page, "print('unclosed'\n");
  const syntax = await runOnce(page);
  assert.equal(syntax.status, "error");
  assert.match(await page.textContent('[data-testid="python-output"]'), /SyntaxError/);

  await page.click('text=Reset to the experiment\'s code');
  await setExperiment(page, { tool: "threads", kind: "cpu", tasks: 2, workers: 2 });
  const threads = await runOnce(page);
  assert.equal(threads.status, "done", threads.message);
  assert.equal(threads.tasksDone, "2");
  assert.match(await page.textContent('[data-testid="python-output"]'), /threads: 2 cpu tasks done/);

  await setExperiment(page, { tool: "sequential" });
  await typeCode(page, "while True:\n    pass\n");
  const isolated = (await page.getAttribute("html", "data-isolated")) === "true";
  assert.ok(isolated, "the suite's page is isolated: Stop uses the interrupt buffer");
  const stopped = await claim("cpython Stop of while True ends the run within 200 ms", async () => {
    const s = await stopLatency(page, 300);
    assert.equal(s.status, "stopped");
    assert.equal(s.row.engine, "cpython");
    return s.ms;
  }, (ms) => ms <= 200, { bound: "≤ 200 ms", show: (ms) => `${ms.toFixed(0)} ms` });
  assert.ok(stopped >= 0);
  assert.match(await page.textContent('[data-testid="python-output"]'), /^(?![\s\S]*Traceback)/, "a stop is no traceback");
  // CPython is still there: the next run works.
  await page.click('text=Reset to the experiment\'s code');
  await setExperiment(page, { kind: "io" });
  assert.equal((await runOnce(page)).status, "done");

  // A program that keeps more than 1 GB: its run finishes, then a fresh interpreter replaces it.
  await typeCode(page, "data = bytearray(1100 * 1024 * 1024)\nprint('kept', len(data) // 2**20, 'MB')\n");
  assert.equal((await runOnce(page)).status, "done");
  await page.waitForFunction(() => /CPython's memory grew to \d+ MB, above the 1024 MB/.test(document.querySelector('[data-testid="notice"]').textContent));
  await pythonReady(page);
  await page.click('text=Reset to the experiment\'s code');
  assert.equal((await runOnce(page)).status, "done", "the new interpreter runs");
  assert.deepEqual(errors, []);
  await context.close();
});

test("edited code travels in the link, never runs by itself, Reset brings the experiment's code back, and a link too long is explained", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&kind=io&tasks=2&io_ms=40");
  await pythonReady(page);
  const generated = await editorText(page);
  assert.match(generated, /^TASKS = 2 {2}#/m);
  const edited = generated.replace("    print(f\"{TOOL}", "    print(\"edited by a test\")\n    print(f\"{TOOL}");
  await typeCode(page, edited);
  await page.waitForFunction(() => new URLSearchParams(location.search).has("code"));
  const firstLink = new URL(page.url()).searchParams.get("code");
  // A form change changes only the constants of the edited program, and the link follows.
  await setExperiment(page, { tasks: 3 });
  await page.waitForFunction((sel) => /^TASKS = 3 {2}#/m.test(document.querySelector(sel).value), EDITOR);
  assert.match(await editorText(page), /edited by a test/);
  await page.waitForFunction((before) => {
    const q = new URLSearchParams(location.search);
    return q.get("tasks") === "3" && q.get("code") !== before;
  }, firstLink);
  const link = new URL(page.url());

  // The link, with run=1 added, opens the edited code and runs nothing.
  link.searchParams.set("run", "1");
  const other = await open(browser, link.search);
  await pythonReady(other.page);
  assert.match(await editorText(other.page), /edited by a test/);
  assert.match(await editorText(other.page), /^TASKS = 3 {2}#/m);
  await other.page.waitForTimeout(1000);
  assert.equal(await other.page.locator(OWN_ROWS).count(), 0, "code from a link runs only on Run");
  assert.match(await other.page.textContent('[data-testid="notice"]'), /runs only when you press Run/);
  const ran = await runOnce(other.page);
  assert.equal(ran.status, "done");
  assert.match(await other.page.textContent('[data-testid="python-output"]'), /edited by a test/);
  assert.deepEqual(other.errors, []);
  await other.context.close();

  // Reset: the generated program, and the link no longer carries code.
  await page.click('text=Reset to the experiment\'s code');
  await page.waitForFunction((sel) => !/edited by a test/.test(document.querySelector(sel).value), EDITOR);
  assert.match(await editorText(page), /^TASKS = 3 {2}#/m);
  await page.waitForFunction(() => !new URLSearchParams(location.search).has("code"));

  // Random text does not compress: past the limit the page says why the link lacks it.
  let seed = 12345;
  const noise = Array.from({ length: 9000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return String.fromCharCode(35 + ((seed >> 16) % 56)); // no quote, no backslash
  }).join("");
  await typeCode(page, `x = """${noise}"""\n`);
  await page.waitForFunction(() => /more than the 6000 a link carries/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""));
  assert.equal(new URLSearchParams(new URL(page.url()).search).has("code"), false);
  // A link whose code is not ours is explained and the experiment's code is shown.
  const junk = await open(browser, "?engine=cpython&code=not*base64!");
  assert.match(await junk.page.textContent('[data-testid="notice"]'), /not code this page can read/);
  await junk.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test("without isolation CPython runs too, and Stop replaces a busy interpreter", { skip: !BARE && "no bare host" }, async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=async&kind=io&tasks=4&io_ms=100&coi=0", { base: BARE, contextOptions: { serviceWorkers: "block" } });
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  await pythonReady(page);
  const row = await runOnce(page);
  assert.deepEqual([row.status, row.engine], ["done", "cpython"]);
  // No interrupt buffer here: Stop terminates the worker after its grace and loads another.
  await typeCode(page, "while True:\n    pass\n");
  const stopped = await stopLatency(page, 300);
  assert.equal(stopped.status, "stopped");
  assert.ok(stopped.ms < 1000, `stopped after ${stopped.ms} ms`);
  assert.match(stopped.row.message, /terminated and replaced/);
  await pythonReady(page);
  await page.click('text=Reset to the experiment\'s code');
  assert.equal((await runOnce(page)).status, "done", "the new interpreter runs");
  assert.deepEqual(errors, []);
  await context.close();
});
