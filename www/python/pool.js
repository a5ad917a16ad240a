// The process pool of CPython's worker: the processes (each a CPython of its own in a worker of
// its own, process.js) and the shared memory the parent's CPython reaches them through. The
// harness's pool (playground/pool.py) calls `pool` as the module `_processes`; worker.js only
// registers it. Nothing is shared with a process but its box (a pickled job, then a pickled
// reply, after a header: protocol.js's `WORD`) and the pool's one reply counter.
import { BOX, HEAD, MAX_PROCESSES, PRINTS, WORD, now, read, start } from "./protocol.js";
import { arenaBytes, channels } from "./queues.js";

/** Counts every reply of every process: the parent blocks on it (Atomics.wait). Only an isolated
 * page has shared memory; elsewhere the pool says why it cannot start. */
const repliesDone = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
/** The queues and pipes between the processes (queues.js): one arena every process maps. */
const arena = repliesDone ? new SharedArrayBuffer(arenaBytes()) : null;
/** The arena's calls, as the page's CPython imports them (`_queues`); null without isolation. */
export const queueCalls = arena ? channels(arena) : null;
/** The pool's warm processes, by index: {worker, head, job, reply, prints, shown, stop}. */
const processes = [];

/** Starts process `index` and resolves with [index, spawned at, ready at] (shared-clock ms). */
function startProcess(index) {
  return new Promise((resolve, reject) => {
    const spawnedAt = now();
    const box = new SharedArrayBuffer(HEAD + 2 * BOX + PRINTS);
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
      const [name, fields] = read(data);
      if (name !== "ready") return failed(name === "failed" ? fields.message : `it said ${data}`);
      clearTimeout(timer);
      const head = new Int32Array(box, 0, HEAD / 4);
      processes[index] = {
        worker, head, stop, shown: 0,
        job: new Uint8Array(box, HEAD, BOX),
        reply: new Uint8Array(box, HEAD + BOX, BOX),
        prints: new Uint8Array(box, HEAD + 2 * BOX, PRINTS),
      };
      resolve([index, spawnedAt, fields.at]);
    };
    worker.postMessage([start(index), box, repliesDone.buffer, stop.buffer, arena]);
  });
}

const decoder = new TextDecoder();

const idle = (p) => Atomics.load(p.head, WORD.reply) === Atomics.load(p.head, WORD.job);

/** What the harness's pool calls. Everything but `start` is synchronous: the parent's CPython
 * calls it while the visitor's program runs. */
export const pool = {
  isolated: () => repliesDone !== null,
  cores: () => navigator.hardwareConcurrency || 1,
  max: MAX_PROCESSES,
  box: BOX,
  started: () => processes.filter(Boolean).length,
  /** Makes `n` processes ready: before a program runs (a blocked parent could start none), or
   * while it runs, once a pool's size is known (then `inUse` lists the processes its other pools
   * hold, which are left alone). Others still busy with a stopped run's task are interrupted,
   * and replaced if they do not stop. Resolves with the JSON of the start-ups this call paid
   * for. */
  async start(n, inUse = []) {
    n = Math.min(n, MAX_PROCESSES);
    const keep = new Set(inUse);
    for (const [i, p] of processes.entries()) {
      if (!p || idle(p) || keep.has(i)) continue;
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
    // The print area is the new job's (the process is idle: nobody writes it now).
    p.shown = 0;
    Atomics.store(p.head, WORD.printed, 0);
    p.job.set(bytes);
    Atomics.store(p.head, WORD.jobLength, bytes.length);
    Atomics.add(p.head, WORD.job, 1);
    Atomics.notify(p.head, WORD.job);
  },
  /** Blocks until a process among `busy` (indexes) has replied or printed, at most `ms`;
   * returns those that have replied. The caller waits again in slices, so that Stop
   * (KeyboardInterrupt) is read between, and shows what they printed. */
  wait(busy, ms) {
    const seen = Atomics.load(repliesDone, 0);
    const unshown = () => busy.some((i) => Atomics.load(processes[i].head, WORD.printed) > processes[i].shown);
    let ready = busy.filter((i) => idle(processes[i]));
    if (ready.length === 0 && !unshown()) {
      Atomics.wait(repliesDone, 0, seen, ms);
      ready = busy.filter((i) => idle(processes[i]));
    }
    return ready;
  },
  /** What process `i`'s job printed since the last call (text; "" when nothing). Only whole
   * writes are counted in the word, so a character is never cut. */
  printed(i) {
    const p = processes[i];
    const end = Atomics.load(p.head, WORD.printed);
    if (end <= p.shown) return "";
    const text = decoder.decode(p.prints.slice(p.shown, end));
    p.shown = end;
    return text;
  },
  /** Process `i`'s reply, copied out of its box. */
  take(i) {
    const p = processes[i];
    return p.reply.slice(0, Atomics.load(p.head, WORD.replyLength));
  },
  /** Stop for the processes: KeyboardInterrupt in the task each is running (signal 2, SIGINT),
   * or `Process.terminate`'s quiet end (15, SIGTERM). */
  interrupt(i, signal = 2) {
    if (processes[i]) Atomics.store(processes[i].stop, 0, signal);
  },
  /** Whether process `i` is started and has no job (a stopped run's may still be busy). */
  idle: (i) => Boolean(processes[i]) && idle(processes[i]),
};
