// The GIL's clock for CPython's worker: a worker of its own, because CPython's worker cannot run
// a timer while a thread of the program computes. It sleeps on shared memory until the moment
// the harness's threads (playground/threads.py) publish, then writes the hand-over signal into
// Pyodide's interrupt buffer, which CPython reads at its eval breaker; it also carries the
// page's Stop into that buffer until the program has taken it.
//
// The shared words (worker.js makes them; `WORDS` names them): the interrupt buffer, a
// generation bumped at each change, the Stop taken by the program, and the due time (shared-
// clock ms; negative: no thread needs asking). CPython zeroes the interrupt buffer without
// atomics after reading it, so a signal written between its read and its reset can vanish:
// both signals are written again until they are answered (a new due time, Stop taken).
import { WORDS } from "./protocol.js";

const SIGINT = 2;
const SWITCH = 10;
/** How often the page's Stop word is read while nothing else is due (ms). */
const STOP_POLL_MS = 20;

const clock = () => performance.timeOrigin + performance.now();

onmessage = ({ data: { shared, stop } }) => {
  const words = new Int32Array(shared);
  const due = new Float64Array(shared);
  const page = new Int32Array(stop);
  for (;;) {
    const generation = Atomics.load(words, WORDS.generation);
    if (Atomics.load(page, 0) !== 0 && Atomics.load(words, WORDS.stopTaken) === 0) {
      // Stop outranks a pending hand-over.
      if (Atomics.compareExchange(words, WORDS.interrupt, 0, SIGINT) !== 0) {
        Atomics.compareExchange(words, WORDS.interrupt, SWITCH, SIGINT);
      }
      Atomics.wait(words, WORDS.generation, generation, STOP_POLL_MS);
      continue;
    }
    const at = due[WORDS.due];
    const left = at - clock();
    if (at >= 0 && left <= 0) {
      Atomics.compareExchange(words, WORDS.interrupt, 0, SWITCH);
      // Written again after 1 ms unless the handler published a new due time.
      Atomics.wait(words, WORDS.generation, generation, 1);
      continue;
    }
    Atomics.wait(words, WORDS.generation, generation, at >= 0 ? Math.min(left, STOP_POLL_MS) : STOP_POLL_MS);
  }
};
