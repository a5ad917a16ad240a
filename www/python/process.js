// One process of a CPython process pool (playground.py's `ProcessPoolExecutor`): a CPython of
// its own in a worker of its own, started by CPython's worker (worker.js). Nothing is shared with
// the parent but one box of shared memory: the parent writes a pickled job into it and this
// worker writes the pickled reply back. Messages cannot serve, because the parent's thread is
// blocked in Atomics.wait while its pool works, and a blocked worker delivers none.
import { loadPyodide } from "../pyodide/pyodide.mjs";

/** The box's header: Int32 job number, job length, reply number (= the job's), reply length. */
const HEAD = 16;
const now = () => performance.timeOrigin + performance.now();

onmessage = async ({ data }) => {
  onmessage = null;
  const { index, box, size, control, interrupt } = data;
  let harness;
  try {
    const pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href });
    const source = await (await fetch(new URL("./playground.py", import.meta.url))).text();
    pyodide.FS.writeFile("/home/pyodide/playground.py", source);
    harness = pyodide.pyimport("playground");
    harness._become_process(index);
    // Stop writes 2 here: KeyboardInterrupt in the task, as SIGINT would raise in a real child.
    pyodide.setInterruptBuffer(new Int32Array(interrupt));
  } catch (error) {
    postMessage({ failed: String(error?.message ?? error) });
    return;
  }
  postMessage({ ready: now() });
  const head = new Int32Array(box, 0, 4);
  const job = new Uint8Array(box, HEAD, size);
  const reply = new Uint8Array(box, HEAD + size, size);
  const done = new Int32Array(control);
  let seen = 0;
  for (;;) {
    // Bounded, and again: an idle process waits here for its next job as long as the pool lives.
    if (Atomics.wait(head, 0, seen, 1000) === "timed-out") continue;
    seen = Atomics.load(head, 0);
    let out;
    try {
      out = harness._process_job(job.slice(0, Atomics.load(head, 1)), size);
    } catch (error) {
      out = harness._process_failure(String(error?.message ?? error));
    }
    reply.set(out);
    Atomics.store(head, 3, out.length);
    Atomics.store(head, 2, seen);
    // One counter for the whole pool: the parent waits on it for whichever process ends first.
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  }
};
