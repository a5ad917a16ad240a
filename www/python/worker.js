// CPython's worker (a module worker: Pyodide's loader is an ES module), the protocol adapter. It
// loads CPython (interpreter.js), saying how many bytes of how many it has, then speaks the
// page's protocol (crates/model/src/wire/worker.rs) with the messages of protocol.js:
// `calibrate` and `run-code` are answered by the harness (playground/harness.py), which measures
// and writes the reply itself; this file only loads, forwards and caps what a program prints.
// The processes a program's pool uses are pool.js's.
import { startCpython } from "./interpreter.js";
import { pool, queueCalls } from "./pool.js";
import { GIL_BYTES, MAX_OUTPUT, OUTPUT_CUT, WORDS, failed, loading, now, output, paused, read, ready } from "./protocol.js";

const startedAt = now();
/**
 * The most memory an interpreter may keep after a run. WebAssembly memory never shrinks: a
 * program that built a huge list leaves the worker holding it, so the page replaces it.
 */
const MAX_MEMORY = 1024 * 1024 * 1024;

/** The page's Stop word (isolated pages): the page writes SIGINT (2) there. */
let interrupt = null;
/** The words shared with the GIL timer, where the program's threads can run (shared memory and
 * JSPI): the interrupt buffer CPython reads is then the first of them, and the timer carries the
 * page's Stop into it. */
let gil = null;
let pyodide = null;
let harness = null;
/** Writes the snapshot this start took into the build's cache (interpreter.js), or null. */
let keepSnapshot = null;
let runId = null;
let printed = 0;
const waiting = [];
/** Resolves the learner's pick while a stepped run waits for one (`schedule=you`). */
let pendingPick = null;

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
    // Counted on a copy: Pyodide gets the response itself, which keeps its URL, so that the
    // browser can reuse the code it compiled from it on a return visit (a Response made here
    // from a stream has no URL, and is compiled afresh every time).
    const reader = response.clone().body.getReader();
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        loaded += value.byteLength;
        report(false);
      }
      report(true);
    })().catch(() => {});
    return response;
  };
}

/** The stepped runs' module (`_stepping`). */
const stepping = {
  /** A stepped run's choice point: the page gets its state, the run waits for the pick. */
  ask(state) {
    postMessage(paused(runId, state));
    return new Promise((resolve) => { pendingPick = resolve; });
  },
};

async function start() {
  const files = await (await fetch(new URL("./files.json", import.meta.url))).json();
  const total = Object.values(files).reduce((a, b) => a + b, 0);
  postMessage(loading(0, total));
  const realFetch = globalThis.fetch;
  globalThis.fetch = countingFetch(total);
  const modules = { _processes: pool, _stepping: stepping };
  if (queueCalls) modules._queues = queueCalls;
  let from;
  ({ pyodide, from, keep: keepSnapshot } = await startCpython({ snapshot: { modules, imports: "playground.harness" } }));
  // Loaded: what is fetched from here on is no part of the progress the page shows.
  globalThis.fetch = realFetch;
  // How it started, for whoever reads the console (the offline test does).
  console.info(`CPython started: ${from}`);
  pyodide.setStdout({ batched: (line) => print(`${line}\n`) });
  pyodide.setStderr({ batched: (line) => print(`${line}\n`) });
  harness = pyodide.pyimport("playground.harness");
  connectInterrupts();
  // A warm interpreter: the first run's wall time is the program's, not asyncio's first timer.
  await harness.warm_up();
  const version = pyodide.runPython("import sys; sys.version.split()[0]");
  postMessage(ready(startedAt, now(), version));
  // A pool's process script, fetched once through the service worker (which keeps what it
  // serves), so that a pool starts with the network gone too.
  fetch(new URL("./process.js", import.meta.url)).catch(() => {});
  for (const message of waiting.splice(0)) serve(message);
}

/** Gives CPython its interrupt buffer once it is loaded and the page's Stop word has come: the GIL
 * timer's words where threads can run, else the page's word itself. */
function connectInterrupts() {
  if (!pyodide || !interrupt || gil) return;
  startGilTimer();
  if (!gil) pyodide.setInterruptBuffer(interrupt);
}

/** Starts the GIL timer where the browser has JSPI (`WebAssembly.Suspending`), which suspends a
 * thread's stack. */
function startGilTimer() {
  if (typeof WebAssembly.Suspending !== "function") return;
  const shared = new SharedArrayBuffer(GIL_BYTES);
  const words = new Int32Array(shared);
  const due = new Float64Array(shared);
  due[WORDS.due] = -1;
  const timer = new Worker(new URL("./gil-timer.js", import.meta.url), { type: "module", name: "GIL timer" });
  timer.postMessage({ shared, stop: interrupt.buffer });
  gil = { words, due, timer };
  pyodide.setInterruptBuffer(new Int32Array(shared, 0, 1));
  pyodide.registerJsModule("_gil_timer", {
    /** The running thread must be asked to let go at `at` (shared-clock ms; negative: never). */
    due(at) {
      due[WORDS.due] = at;
      Atomics.add(words, WORDS.generation, 1);
      Atomics.notify(words, WORDS.generation);
    },
    /** The program took Stop: the timer stops writing it. */
    stopTaken() {
      Atomics.store(words, WORDS.stopTaken, 1);
    },
  });
}

/** Clears the Stop of an earlier run, in every word that carries it. */
function clearStop() {
  if (interrupt) Atomics.store(interrupt, 0, 0);
  if (gil) {
    Atomics.store(gil.words, WORDS.stopTaken, 0);
    Atomics.store(gil.words, WORDS.interrupt, 0);
    gil.due[WORDS.due] = -1;
  }
}

async function handle(message) {
  const [name, fields] = read(message);
  if (name === "calibrate") {
    postMessage(harness.calibrate());
    // The snapshot this start took, written once the loop is measured (see interpreter.js).
    keepSnapshot?.();
    keepSnapshot = null;
  } else if (name === "run-code") {
    const { id, experiment, code, steps } = fields;
    clearStop(); // a late Stop of an earlier run
    runId = id;
    printed = 0;
    try {
      postMessage(await harness.run(id, code, JSON.stringify(experiment), typeof steps === "string" ? steps : ""));
    } catch (error) {
      postMessage(failed(id, `the harness failed: ${error?.message ?? error}`));
    } finally {
      runId = null;
      pendingPick = null;
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
    connectInterrupts();
    return;
  }
  // A pick, or a Stop, while a stepped run waits for one: answered at once (the run is the
  // message being served, so it cannot wait its turn).
  const [name, fields] = read(event.data);
  if (pendingPick && ((name === "pick" && fields.id === runId) || (name === "cancel" && fields.id === runId))) {
    const resolve = pendingPick;
    pendingPick = null;
    const thread = Number(fields.thread);
    resolve(name === "pick" && Number.isInteger(thread) && thread >= 0 ? thread : -1);
    return;
  }
  if (name === "pick") return; // a late pick of a run that has moved on
  if (!harness) waiting.push(event.data);
  else serve(event.data);
};

/** The messages being handled, one after another: while a program's threads wait, this worker's
 * loop runs, and a message that comes then waits its turn instead of starting a second run
 * inside the first. */
let served = Promise.resolve();
function serve(message) {
  served = served.then(() => handle(message)).catch((error) => postMessage(failed(null, String(error?.message ?? error))));
}

start().catch((error) => postMessage(failed(null, `CPython did not load: ${error?.message ?? error}`)));
