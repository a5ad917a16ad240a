// CPython's worker (a module worker: Pyodide's loader is an ES module), the protocol adapter. It
// loads CPython (interpreter.js), saying how many bytes of how many it has, then speaks the
// page's protocol (crates/model/src/wire/worker.rs) with the messages of protocol.js:
// `calibrate` and `run-code` are answered by the harness (playground/harness.py), which measures
// and writes the reply itself; this file only loads, forwards and caps what a program prints.
// The processes a program's pool uses are pool.js's.
import { startCpython } from "./interpreter.js";
import { pool } from "./pool.js";
import { MAX_OUTPUT, OUTPUT_CUT, failed, loading, now, output, read, ready } from "./protocol.js";

const startedAt = now();
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

function print(text) {
  if (runId === null) return;
  if (printed >= MAX_OUTPUT) return;
  const room = MAX_OUTPUT - printed;
  printed += text.length;
  postMessage(output(runId, text.length > room ? `${text.slice(0, room)}${OUTPUT_CUT}` : text));
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
      postMessage(loading(loaded, total));
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
  postMessage(loading(0, total));
  globalThis.fetch = countingFetch(total);
  pyodide = await startCpython();
  pyodide.setStdout({ batched: (line) => print(`${line}\n`) });
  pyodide.setStderr({ batched: (line) => print(`${line}\n`) });
  pyodide.registerJsModule("_processes", pool);
  harness = pyodide.pyimport("playground.harness");
  // A warm interpreter: the first run's wall time is the program's, not asyncio's first timer.
  await harness.warm_up();
  if (interrupt) pyodide.setInterruptBuffer(interrupt);
  const version = pyodide.runPython("import sys; sys.version.split()[0]");
  postMessage(ready(startedAt, now(), version));
  for (const message of waiting.splice(0)) await handle(message);
}

async function handle(message) {
  const [name, fields] = read(message);
  if (name === "calibrate") {
    postMessage(harness.calibrate());
  } else if (name === "run-code") {
    const { id, experiment, code } = fields;
    if (interrupt) Atomics.store(interrupt, 0, 0); // a late Stop of an earlier run
    runId = id;
    printed = 0;
    try {
      postMessage(await harness.run(id, code, JSON.stringify(experiment)));
    } catch (error) {
      postMessage(failed(id, `the harness failed: ${error?.message ?? error}`));
    } finally {
      runId = null;
    }
    // `_module` is Pyodide's Emscripten module: its heap is the interpreter's whole memory.
    const memory = pyodide._module?.HEAP8?.buffer?.byteLength ?? 0;
    if (memory > MAX_MEMORY) {
      const mb = Math.round(memory / 1048576);
      postMessage(failed(null, `CPython's memory grew to ${mb} MB, above the ${MAX_MEMORY / 1048576} MB an interpreter may keep here`));
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
  else handle(event.data).catch((error) => postMessage(failed(null, String(error?.message ?? error))));
};

start().catch((error) => postMessage(failed(null, `CPython did not load: ${error?.message ?? error}`)));
