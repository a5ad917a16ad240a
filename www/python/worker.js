// CPython's worker (a module worker: Pyodide's loader is an ES module). It loads Pyodide from
// this site's own pyodide/ folder, never from a CDN, saying how many bytes of how many it has,
// then speaks the page's protocol (crates/model/src/protocol.rs) as JSON text: `calibrate` and
// `run-code` are answered by the harness (playground.py), which measures and reports; this file
// only loads, forwards and caps what a program prints.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const now = () => performance.timeOrigin + performance.now();
const startedAt = now();
const post = (message) => postMessage(JSON.stringify(message));
/** The most a run may print before the rest is left out (the page keeps as much). */
const MAX_OUTPUT = 64 * 1024;
/**
 * The most memory an interpreter may keep after a run. WebAssembly memory never shrinks: a
 * program that built a huge list leaves the worker holding it, so the page replaces it.
 */
const MAX_MEMORY = 1024 * 1024 * 1024;

let interrupt = null;
let pyodide = null;
let harness = null;
let runId = null;
let printed = 0;
const waiting = [];

function output(text) {
  if (runId === null) return;
  if (printed >= MAX_OUTPUT) return;
  const room = MAX_OUTPUT - printed;
  printed += text.length;
  post({ output: { id: runId, text: text.length > room ? `${text.slice(0, room)}\n[output cut at 64 KB]\n` : text } });
}

/** Counts the bytes of every file Pyodide fetches, against the total the build wrote down. */
function countingFetch(total) {
  const realFetch = globalThis.fetch;
  let loaded = 0;
  let lastReport = 0;
  const report = (force) => {
    const t = performance.now();
    if (force || t - lastReport > 100) {
      lastReport = t;
      post({ loading: { loaded, total } });
    }
  };
  return async (input, init) => {
    const response = await realFetch(input, init);
    if (!response.ok || !response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          loaded += chunk.byteLength;
          report(false);
          controller.enqueue(chunk);
        },
        flush() {
          report(true);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

async function start() {
  const files = await (await fetch(new URL("./files.json", import.meta.url))).json();
  const total = Object.values(files).reduce((a, b) => a + b, 0);
  post({ loading: { loaded: 0, total } });
  globalThis.fetch = countingFetch(total);
  pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href });
  pyodide.setStdout({ batched: (line) => output(`${line}\n`) });
  pyodide.setStderr({ batched: (line) => output(`${line}\n`) });
  const source = await (await fetch(new URL("./playground.py", import.meta.url))).text();
  pyodide.FS.writeFile("/home/pyodide/playground.py", source);
  harness = pyodide.pyimport("playground");
  // A warm interpreter: the first run's wall time is the program's, not asyncio's first timer.
  await harness._warm_up();
  if (interrupt) pyodide.setInterruptBuffer(interrupt);
  const version = pyodide.runPython("import sys; sys.version.split()[0]");
  post({
    ready: { build: "cpython", pool_threads: 1, started_at: startedAt, ready_at: now(), cancel_word: null, python_version: version },
  });
  for (const message of waiting.splice(0)) await handle(message);
}

async function handle(text) {
  const message = JSON.parse(text);
  if (message === "calibrate") {
    post({ calibrated: JSON.parse(harness._calibrate()) });
  } else if (message["run-code"]) {
    const { id, experiment, code } = message["run-code"];
    if (interrupt) Atomics.store(interrupt, 0, 0); // a late Stop of an earlier run
    runId = id;
    printed = 0;
    try {
      postMessage(await harness._run(id, code, JSON.stringify(experiment)));
    } catch (error) {
      post({ failed: { id, message: `the harness failed: ${error?.message ?? error}` } });
    } finally {
      runId = null;
    }
    // `_module` is Pyodide's Emscripten module: its heap is the interpreter's whole memory.
    const memory = pyodide._module?.HEAP8?.buffer?.byteLength ?? 0;
    if (memory > MAX_MEMORY) {
      const mb = Math.round(memory / 1048576);
      post({ failed: { id: null, message: `CPython's memory grew to ${mb} MB, above the 1024 MB an interpreter may keep here` } });
    }
  }
  // `cancel` needs nothing here: Stop sets the interrupt buffer, which CPython itself reads.
}

onmessage = (event) => {
  // Only an isolated page has SharedArrayBuffer at all (elsewhere the name is not defined).
  if (typeof SharedArrayBuffer === "function" && event.data instanceof SharedArrayBuffer) {
    // Stop writes 2 (SIGINT) here; CPython raises KeyboardInterrupt at its next check.
    interrupt = new Int32Array(event.data);
    pyodide?.setInterruptBuffer(interrupt);
    return;
  }
  if (!harness) waiting.push(event.data);
  else handle(event.data).catch((error) => post({ failed: { id: null, message: String(error?.message ?? error) } }));
};

start().catch((error) => post({ failed: { id: null, message: `CPython did not load: ${error?.message ?? error}` } }));
