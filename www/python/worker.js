// CPython's worker (a module worker: Pyodide's loader is an ES module). It loads Pyodide from
// this site's own pyodide/ folder, never from a CDN, saying how many bytes of how many it has,
// then speaks the page's protocol (crates/model/src/wire/worker.rs) as JSON text: `calibrate` and
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

/** The most processes a pool has here: each is a CPython of its own (~13 MB of wasm, 1–2 s to
 * start), and the pool is kept warm between runs. */
const MAX_PROCESSES = 8;
/** Bytes of one pickled job or reply (a process's box holds one of each). */
const BOX = 4 * 1024 * 1024;
/** Counts every reply of every process: the parent blocks on it (Atomics.wait). Only an isolated
 * page has shared memory; elsewhere the pool says why it cannot start. */
const repliesDone = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
/** The pool's warm processes, by index: {worker, head, job, reply, interrupt}. */
const processes = [];

/** Starts process `index` and resolves with [index, spawned at, ready at] (shared-clock ms). */
function startProcess(index) {
  return new Promise((resolve, reject) => {
    const spawnedAt = now();
    const box = new SharedArrayBuffer(16 + 2 * BOX);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./process.js", import.meta.url), { type: "module", name: `process ${index + 1}` });
    const failed = (why) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`process ${index + 1} did not start: ${why}`));
    };
    // Loading a second CPython on a busy machine takes seconds; a minute means it never will.
    const timer = setTimeout(() => failed("no answer in 60 s"), 60_000);
    worker.onerror = (event) => failed(event.message ?? "its worker failed");
    worker.onmessage = ({ data }) => {
      if (data.failed) return failed(data.failed);
      clearTimeout(timer);
      const head = new Int32Array(box, 0, 4);
      processes[index] = { worker, head, job: new Uint8Array(box, 16, BOX), reply: new Uint8Array(box, 16 + BOX, BOX), stop };
      resolve([index, spawnedAt, data.ready]);
    };
    worker.postMessage({ index, box, size: BOX, control: repliesDone.buffer, interrupt: stop.buffer });
  });
}

const idle = (p) => Atomics.load(p.head, 2) === Atomics.load(p.head, 0);

/** What playground.py's pool calls (module `_processes`). Everything but `start` is synchronous:
 * the parent's CPython calls it while the visitor's program runs. */
const pool = {
  isolated: () => repliesDone !== null,
  cores: () => navigator.hardwareConcurrency || 1,
  max: MAX_PROCESSES,
  box: BOX,
  started: () => processes.filter(Boolean).length,
  /** Makes `n` processes ready before a program runs (a blocked parent could start none): those
   * still busy with a stopped run's task are interrupted, and replaced if they do not stop.
   * Resolves with the JSON of the start-ups this call paid for. */
  async start(n) {
    n = Math.min(n, MAX_PROCESSES);
    for (const [i, p] of processes.entries()) {
      if (!p || idle(p)) continue;
      Atomics.store(p.stop, 0, 2);
      for (let t = 0; t < 20 && !idle(p); t++) await new Promise((r) => setTimeout(r, 100));
      if (!idle(p)) {
        p.worker.terminate();
        processes[i] = undefined;
      }
    }
    const missing = [];
    for (let i = 0; i < n; i++) if (!processes[i]) missing.push(startProcess(i));
    return JSON.stringify(await Promise.all(missing));
  },
  /** Writes job `bytes` (a Uint8Array) into process `i`'s box and wakes it. */
  send(i, bytes) {
    const p = processes[i];
    Atomics.store(p.stop, 0, 0);
    p.job.set(bytes);
    Atomics.store(p.head, 1, bytes.length);
    Atomics.add(p.head, 0, 1);
    Atomics.notify(p.head, 0);
  },
  /** Blocks until a process among `busy` (indexes) has replied, at most `ms`; returns those that
   * have. The caller waits again in slices, so that Stop (KeyboardInterrupt) is read between. */
  wait(busy, ms) {
    const seen = Atomics.load(repliesDone, 0);
    let ready = busy.filter((i) => idle(processes[i]));
    if (ready.length === 0) {
      Atomics.wait(repliesDone, 0, seen, ms);
      ready = busy.filter((i) => idle(processes[i]));
    }
    return ready;
  },
  /** Process `i`'s reply, copied out of its box. */
  take(i) {
    const p = processes[i];
    return p.reply.slice(0, Atomics.load(p.head, 3));
  },
  /** Stop for the processes: KeyboardInterrupt in the task each is running. */
  interrupt(i) {
    if (processes[i]) Atomics.store(processes[i].stop, 0, 2);
  },
};
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
  pyodide.registerJsModule("_processes", pool);
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
