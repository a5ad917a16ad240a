// What CPython's worker (worker.js), its pool (pool.js) and its processes (process.js) share with
// Rust, which declares it: the shared clock, the numbers, and every JSON message they write or
// read, one function each. Rust's declarations: crates/model/src/wire/worker.rs (the page's
// protocol) and crates/model/src/wire/cpython.rs (a process of the pool). This file is repeated
// by hand; crates/model/tests/cpython_contract.rs runs it in Node.js, holds each number equal to
// Rust's, and reads what each function writes with Rust's decoder against the fixtures
// (crates/model/tests/fixtures/cpython-messages.json). It imports nothing.

/** The clock every worker shares, ms: timestamps of all workers compare. */
export const now = () => performance.timeOrigin + performance.now();

/** The most a run may print, in characters, before the rest is left out (the page keeps as
 * much): `model::wire::worker::MAX_OUTPUT_CHARS`. */
export const MAX_OUTPUT = 64 * 1024;
/** The most processes a pool has here: `model::wire::cpython::MAX_PROCESSES`. */
export const MAX_PROCESSES = 8;
/** Bytes of one pickled job or reply (a process's box holds one of each after its header):
 * `model::wire::cpython::BOX_BYTES`. */
export const BOX = 4 * 1024 * 1024;
/** The box header's Int32 words, by name: `model::wire::cpython::HEAD_WORDS`. */
export const WORD = { job: 0, jobLength: 1, reply: 2, replyLength: 3, printed: 4 };
/** Bytes of the header (the job starts there): `model::wire::cpython::HEAD_BYTES`. */
export const HEAD = 4 * Object.keys(WORD).length;
/** Bytes of a box's print area, after the reply: `model::wire::cpython::PRINT_BYTES`. */
export const PRINTS = 64 * 1024;
/** The words CPython's worker shares with its GIL timer (gil-timer.js), by index: Int32 words
 * (Pyodide's interrupt buffer first), then `due`, a Float64 word; `GIL_BYTES` in all. Only the
 * two workers read them: the page's side of Stop stays its own one-word buffer. */
export const WORDS = { interrupt: 0, generation: 1, stopTaken: 2, due: 2 };
export const GIL_BYTES = 24;

const text = (message) => JSON.stringify(message);

// To the page (`FromWorker`).

/** Bytes of CPython's files received so far, of `total`. */
export const loading = (loaded, total) => text({ loading: { loaded, total } });

/** CPython is ready: its worker's script began at `startedAt`, it was ready at `readyAt`. */
export const ready = (startedAt, readyAt, pythonVersion) =>
  text({
    ready: {
      build: "cpython",
      pool_threads: 1,
      started_at: startedAt,
      ready_at: readyAt,
      cancel_word: null,
      python_version: pythonVersion,
    },
  });

/** What run `id`'s program printed. */
export const output = (id, printed) => text({ output: { id, text: printed } });

/** What ends the printing of a run that reached `MAX_OUTPUT`. */
export const OUTPUT_CUT = `\n[output cut at ${MAX_OUTPUT / 1024} KB]\n`;

/** Run `id` waits for the learner's pick (`schedule=you`): its threads as `state` (JSON text,
 * written by playground/stepping.py). */
export const paused = (id, state) => text({ paused: { id, state: JSON.parse(state) } });

/** Something failed: run `id`'s, or (`id` null) the interpreter's. */
export const failed = (id, message) => text({ failed: { id, message } });

// Between CPython's worker and a process of its pool (`ToProcess`, `FromProcess`).

/** Become process `index` of the pool (posted beside its shared buffers). */
export const start = (index) => text({ start: { index } });

/** The process waits for jobs since `at`. */
export const processReady = (at) => text({ ready: { at } });

/** The process could not start. */
export const processFailed = (message) => text({ failed: { message } });

/**
 * Any of these messages as `[name, fields]`: `"calibrate"` is `["calibrate", {}]`,
 * `{"run-code": {...}}` is `["run-code", {...}]`. Whatever is not a message is `["", {}]`.
 */
export function read(message) {
  let value;
  try {
    value = JSON.parse(message);
  } catch {
    return ["", {}];
  }
  if (typeof value === "string") return [value, {}];
  const entries = value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
  return entries.length === 1 && entries[0][1] && typeof entries[0][1] === "object" ? entries[0] : ["", {}];
}
