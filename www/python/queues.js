// Queues and pipes between CPython's processes (the harness's `multiprocessing.Queue`,
// `SimpleQueue`, `JoinableQueue` and `Pipe`, playground/queues.py): one arena of shared memory
// that CPython's worker makes (pool.js) and hands to every process it starts (process.js), cut
// into slots. A slot is one channel: a ring of pickled items, each after its length, with a
// header of Int32 words. Every side locks the slot, reads or writes, bumps `gen` and notifies
// it; a side that must wait waits on `gen` (a process's worker may block: it runs nothing else;
// the parent waits in short slices, so that its pool and Stop are served between). Only this
// file reads the layout: both sides import it.

/** Slots in the arena: the queues and pipe directions one run may have open at once. */
export const SLOTS = 32;
/** Bytes of one slot, its header included: the most its items may hold at once. */
export const SLOT_BYTES = 256 * 1024;
const HEADER = 64;
const CAPACITY = SLOT_BYTES - HEADER;
/** The header's words. `ends0`/`ends1`: the handles open on a pipe's two ends (for EOF). */
/** What an attempt answers when it must wait for a change and try again. */
const AGAIN = Symbol("again");
const W = { state: 0, lock: 1, count: 2, head: 3, used: 4, gen: 5, unfinished: 6, ends0: 7, ends1: 8 };

/** The arena's bytes, to share with a process. */
export const arenaBytes = () => SLOTS * SLOT_BYTES;

/** The channels over `arena` (a SharedArrayBuffer of `arenaBytes()`), as CPython's side calls
 * them (registered as the module `_queues`). Every call returns at once or after at most its
 * `ms`. */
export function channels(arena) {
  const head = (i) => new Int32Array(arena, i * SLOT_BYTES, HEADER / 4);
  const ring = (i) => new Uint8Array(arena, i * SLOT_BYTES + HEADER, CAPACITY);
  const lock = (h) => {
    while (Atomics.compareExchange(h, W.lock, 0, 1) !== 0) Atomics.wait(h, W.lock, 1, 1);
  };
  const unlock = (h) => {
    Atomics.store(h, W.lock, 0);
    Atomics.notify(h, W.lock, 1);
  };
  const changed = (h) => {
    Atomics.add(h, W.gen, 1);
    Atomics.notify(h, W.gen);
  };
  /** Copies `bytes` into the ring at `at` (wrapping); returns the offset after them. */
  const write = (r, at, bytes) => {
    const first = Math.min(bytes.length, CAPACITY - at);
    r.set(bytes.subarray(0, first), at);
    r.set(bytes.subarray(first), 0);
    return (at + bytes.length) % CAPACITY;
  };
  const read = (r, at, n) => {
    const out = new Uint8Array(n);
    const first = Math.min(n, CAPACITY - at);
    out.set(r.subarray(at, at + first), 0);
    out.set(r.subarray(0, n - first), first);
    return out;
  };
  /** Runs `attempt` under the slot's lock until it gives an answer (not `AGAIN`), waiting
   * for a change between tries; `timedOut` after `ms`. */
  const until = (i, ms, attempt, timedOut) => {
    const h = head(i);
    const end = performance.now() + ms;
    for (;;) {
      lock(h);
      const seen = Atomics.load(h, W.gen);
      let answer;
      try {
        answer = attempt(h);
      } finally {
        unlock(h);
      }
      if (answer !== AGAIN) return answer;
      const left = end - performance.now();
      if (left <= 0) return timedOut;
      Atomics.wait(h, W.gen, seen, left);
    }
  };
  return {
    capacity: CAPACITY,
    slots: SLOTS,
    /** A free slot, made empty, for a new channel; -1 when all are open. */
    open() {
      for (let i = 0; i < SLOTS; i++) {
        const h = head(i);
        if (Atomics.compareExchange(h, W.state, 0, 1) === 0) {
          for (const w of [W.count, W.head, W.used, W.unfinished, W.ends0, W.ends1]) Atomics.store(h, w, 0);
          return i;
        }
      }
      return -1;
    },
    /** Every slot free again: a new run starts with no channel of the last. */
    reset() {
      for (let i = 0; i < SLOTS; i++) {
        Atomics.store(head(i), W.state, 0);
        Atomics.store(head(i), W.lock, 0);
        changed(head(i));
      }
    },
    /** Slot `i` free again (a channel that could not be made whole). */
    free(i) {
      Atomics.store(head(i), W.state, 0);
    },
    /** Wakes whoever waits on slot `i` (an end of its pipe was closed). */
    touch: (i) => changed(head(i)),
    /** Puts `bytes` (a Uint8Array) as one item when fewer than `max` are there and it fits:
     * 1 put, 0 still full after `ms`, -1 larger than the slot could ever hold. */
    put(i, bytes, max, ms) {
      if (4 + bytes.length > CAPACITY) return -1;
      return until(i, ms, (h) => {
        const used = Atomics.load(h, W.used);
        if (Atomics.load(h, W.count) >= max || used + 4 + bytes.length > CAPACITY) return AGAIN;
        const r = ring(i);
        const start = (Atomics.load(h, W.head) + used) % CAPACITY;
        const after = write(r, start, new Uint8Array(new Uint32Array([bytes.length]).buffer));
        write(r, after, bytes);
        Atomics.store(h, W.used, used + 4 + bytes.length);
        Atomics.add(h, W.count, 1);
        Atomics.add(h, W.unfinished, 1);
        changed(h);
        return 1;
      }, 0);
    },
    /** The oldest item (a Uint8Array), or undefined (Python's None) when none came within
     * `ms`. */
    get(i, ms) {
      return until(i, ms, (h) => {
        if (Atomics.load(h, W.count) === 0) return AGAIN;
        const r = ring(i);
        const at = Atomics.load(h, W.head);
        const n = new Uint32Array(read(r, at, 4).buffer)[0];
        const item = read(r, (at + 4) % CAPACITY, n);
        Atomics.store(h, W.head, (at + 4 + n) % CAPACITY);
        Atomics.sub(h, W.used, 4 + n);
        Atomics.sub(h, W.count, 1);
        changed(h);
        return item;
      }, undefined);
    },
    /** Items waiting. */
    size: (i) => Atomics.load(head(i), W.count),
    /** Whether an item is there, or comes within `ms`. */
    poll(i, ms) {
      return until(i, ms, (h) => (Atomics.load(h, W.count) > 0 ? true : AGAIN), false);
    },
    /** `JoinableQueue.task_done`: the unfinished count after it, -1 when it was already 0. */
    taskDone(i) {
      return until(i, 0, (h) => {
        const left = Atomics.load(h, W.unfinished);
        if (left === 0) return -1;
        Atomics.store(h, W.unfinished, left - 1);
        changed(h);
        return left - 1;
      }, -1);
    },
    /** Whether every item put was marked done, or is within `ms`. */
    joined(i, ms) {
      return until(i, ms, (h) => (Atomics.load(h, W.unfinished) === 0 ? true : AGAIN), false);
    },
    /** Adds `delta` to the handles open on end `end` (0 or 1) of a pipe; returns the count. */
    ends(i, end, delta) {
      const h = head(i);
      const word = end ? W.ends1 : W.ends0;
      const now = Atomics.add(h, word, delta) + delta;
      changed(h);
      return now;
    },
    /** Handles open on end `end`, now. */
    endsOpen: (i, end) => Atomics.load(head(i), end ? W.ends1 : W.ends0),
    /** Waits at most `ms` for any change of the slot (an item, a handle closed). */
    changes(i, ms) {
      const h = head(i);
      Atomics.wait(h, W.gen, Atomics.load(h, W.gen), ms);
    },
  };
}
