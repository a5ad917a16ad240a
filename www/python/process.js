// One process of a CPython process pool (the harness's `ProcessPoolExecutor`, playground/pool.py):
// a CPython of its own in a worker of its own, started by CPython's worker (pool.js). Nothing is
// shared with the parent but one box of shared memory: the parent writes a pickled job into it
// and this worker writes the pickled reply back (playground/process.py makes one of the other).
// Messages cannot serve, because the parent's thread is blocked in Atomics.wait while its pool
// works, and a blocked worker delivers none; only the start-up is a message (protocol.js). What a
// job prints goes into the box's print area as it prints, and wakes the parent, which shows it.
import { BOX, HEAD, PRINTS, WORD, now, processFailed, processReady, read } from "./protocol.js";
import { startCpython } from "./interpreter.js";
import { channels } from "./queues.js";

onmessage = async ({ data }) => {
  onmessage = null;
  const [message, box, control, interrupt, arena] = data;
  const [name, { index }] = read(message);
  let side;
  try {
    if (name !== "start") throw new Error(`a process is started with "start", not ${message}`);
    const { pyodide } = await startCpython();
    // The queues and pipes the parent's program shares with this process (queues.js).
    pyodide.registerJsModule("_queues", channels(arena));
    side = pyodide.pyimport("playground.process");
    side.become(index);
    // Stop writes 2 here: KeyboardInterrupt in the task, as SIGINT would raise in a real child.
    pyodide.setInterruptBuffer(new Int32Array(interrupt));
  } catch (error) {
    postMessage(processFailed(String(error?.message ?? error)));
    return;
  }
  const head = new Int32Array(box, 0, HEAD / 4);
  const job = new Uint8Array(box, HEAD, BOX);
  const reply = new Uint8Array(box, HEAD + BOX, BOX);
  const prints = new Uint8Array(box, HEAD + 2 * BOX, PRINTS);
  const done = new Int32Array(control);
  const encoder = new TextEncoder();
  // The job's prints, as they happen: false once the area is full (the rest, in order, comes
  // with the reply). The counter is notified without a change: the parent wakes, shows them,
  // and waits again.
  side.stream((text) => {
    const bytes = encoder.encode(text);
    const at = Atomics.load(head, WORD.printed);
    if (at + bytes.length > PRINTS) return false;
    prints.set(bytes, at);
    Atomics.store(head, WORD.printed, at + bytes.length);
    // A change of the counter, not only a notify: a parent about to wait sees it and does not.
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
    return true;
  });
  postMessage(processReady(now()));
  let seen = 0;
  for (;;) {
    // Bounded, and again: an idle process waits here for its next job as long as the pool lives.
    if (Atomics.wait(head, WORD.job, seen, 1000) === "timed-out") continue;
    seen = Atomics.load(head, WORD.job);
    let out;
    try {
      out = side.answer(job.slice(0, Atomics.load(head, WORD.jobLength)), BOX);
    } catch (error) {
      out = side.failure(String(error?.message ?? error));
    }
    reply.set(out);
    Atomics.store(head, WORD.replyLength, out.length);
    Atomics.store(head, WORD.reply, seen);
    // One counter for the whole pool: the parent waits on it for whichever process ends first.
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  }
};
