//! Messages between the page and its workers, as JSON. One module so that both sides agree;
//! `www/engine-worker.js` only forwards them. A message that carries the atomics build's shared
//! memory travels as `[json, memory.buffer]`; everything else as a JSON string. Variants are
//! externally tagged (`{"cancel":{"id":1}}`, `"calibrate"`), as serde wrote them before
//! [`crate::json`] replaced it: a message's name is its one key.

use crate::experiment::config::{Experiment, TaskWork};
use crate::json::{json_tagged, FromJson, Json, ToJson};
use crate::run::id::RunId;
use crate::run::timeline::{Build, RunReport, Span};

/// How CPython's worker (`www/python/worker.js`) ends the last piece of a run's output when it
/// cuts the rest. A piece of what a program prints is one line, so no printed piece holds it.
pub const OUTPUT_CUT: &str = "\n[output cut at 64 KB]\n";

/// What the page asks a worker to do.
#[derive(Clone, Debug, PartialEq)]
pub enum ToWorker {
    /// Warm up, then measure the kernel's cost per iteration in this build.
    Calibrate,
    /// Start the rayon pool of `threads` threads (atomics build), before calibration, which then
    /// runs on a lane of the pool. Answered by `Ready` with the threads that started.
    StartPool {
        /// Threads to start.
        threads: u32,
    },
    /// Run a whole experiment in this worker (sequential, async, threads).
    Run {
        /// The run's id, echoed in the reply.
        id: RunId,
        /// What to run.
        experiment: Experiment,
    },
    /// Run this Python program for a whole experiment (CPython's worker).
    RunCode {
        /// The run's id, echoed in the reply.
        id: RunId,
        /// What the program's constants say (echoed in the report).
        experiment: Experiment,
        /// The program.
        code: String,
    },
    /// One task of a processes run, sent to one process worker.
    Task {
        /// The run it belongs to.
        run: RunId,
        /// Its index in the run.
        task: u32,
        /// What it does.
        work: TaskWork,
        /// Its wait, ms.
        io_ms: u32,
        /// Its iterations.
        cpu_iters: u64,
        /// Shared-clock time at which the page posted it (start of the copy span).
        sent_at: f64,
    },
    /// Stop the run with this id as soon as possible.
    Cancel {
        /// The run's id.
        id: RunId,
    },
    /// Store a value in this worker's own memory (shows that processes do not share it).
    Poke {
        /// The value.
        value: u64,
    },
    /// Read back the value stored by `Poke` in this worker.
    Peek,
    /// Test builds only (feature `test-hooks`): make the engine trap, as a bug would, so that
    /// the crash path (the run ends with `error`, the worker is replaced, the next run works)
    /// can be exercised. The release build has no such message.
    #[cfg(feature = "test-hooks")]
    Trap,
}

/// What a worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum FromWorker {
    /// The worker's module is instantiated (and its pool started, for the atomics build).
    Ready {
        /// Which build the worker runs.
        build: Build,
        /// Threads in its pool that really started (1 when there is none).
        pool_threads: u32,
        /// Shared-clock time when the worker's script began.
        started_at: f64,
        /// Shared-clock time when it became ready.
        ready_at: f64,
        /// Index (in 32-bit words) of the cancel word in the shared memory sent beside this
        /// message, when the memory is shared (the atomics build's pool started).
        cancel_word: Option<u32>,
        /// CPython's worker: the interpreter's version (`sys.version`'s first word).
        python_version: Option<String>,
    },
    /// CPython's worker is loading its files: bytes so far of the total.
    Loading {
        /// Bytes received.
        loaded: f64,
        /// Bytes of every file it loads.
        total: f64,
    },
    /// What a running Python program printed (stdout and stderr, in order). CPython's worker
    /// sends at most 64 KB of it a run; the piece it cuts ends with [`OUTPUT_CUT`].
    Output {
        /// The run's id.
        id: RunId,
        /// The text.
        text: String,
    },
    /// The kernel's measured cost, where the build's work runs (a pool lane in the threads
    /// build, after the pool started).
    Calibrated {
        /// Nanoseconds per iteration after warm-up.
        ns_per_iter: f64,
        /// (max − min) / median of the samples the figure came from.
        spread: f64,
    },
    /// What a run in progress did since the last progress message.
    Progress {
        /// The run's id.
        id: RunId,
        /// Spans that ended.
        spans: Vec<Span>,
        /// Spans still open, cut at the time of this message.
        open: Vec<Span>,
    },
    /// A whole run ended.
    Finished {
        /// The run's id.
        id: RunId,
        /// What happened.
        report: RunReport,
    },
    /// A process worker finished (or gave up) one task.
    TaskDone {
        /// The run it belongs to.
        run: RunId,
        /// The task.
        task: u32,
        /// Its spans on the shared clock, the inbound copy included.
        spans: Vec<Span>,
        /// The task's result (0 for io).
        result: u64,
        /// False when it was cancelled.
        completed: bool,
        /// Shared-clock time at which the worker posted this reply.
        sent_at: f64,
    },
    /// The value read by `Peek`.
    Peeked {
        /// What this worker's memory holds.
        value: u64,
    },
    /// Something failed; `id` names the run when it was one.
    Failed {
        /// The run's id, if any.
        id: Option<RunId>,
        /// A sentence for the visitor.
        message: String,
    },
}

/// The most output of one run the page keeps, in characters: a loop of prints must not fill the
/// page's memory. CPython's worker sends no more than this in a run's `output` messages, and says
/// where it cut (`www/python/protocol.js` repeats it as `MAX_OUTPUT`, held equal by
/// `tests/cpython_contract.rs`).
pub const MAX_OUTPUT_CHARS: usize = 64 * 1024;

/// The value of the cancel word that asks run `id` to stop (0 means none). The page writes it
/// into the atomics build's shared memory; the engine's threads read it between kernel chunks.
pub fn cancel_word(id: RunId) -> u32 {
    id.0.wrapping_add(1)
}

json_tagged!(ToWorker, "message", {
    Calibrate = "calibrate",
    StartPool = "start-pool" { threads },
    Run = "run" { id, experiment },
    RunCode = "run-code" { id, experiment, code },
    Task = "task" { run, task, work, io_ms, cpu_iters, sent_at },
    Cancel = "cancel" { id },
    Poke = "poke" { value },
    Peek = "peek",
    #[cfg(feature = "test-hooks")]
    Trap = "trap",
});

json_tagged!(FromWorker, "message", {
    Ready = "ready" { build, pool_threads, started_at, ready_at, cancel_word, python_version = default },
    Loading = "loading" { loaded, total },
    Output = "output" { id, text },
    Calibrated = "calibrated" { ns_per_iter, spread = default },
    Progress = "progress" { id, spans, open },
    Finished = "finished" { id, report },
    TaskDone = "task-done" { run, task, spans, result, completed, sent_at },
    Peeked = "peeked" { value },
    Failed = "failed" { id, message },
});

/// Reads a message of type `T` from its text.
fn read<T: FromJson>(text: &str) -> Result<T, String> {
    T::from_json(&Json::parse(text)?)
}

impl ToWorker {
    /// As the text posted to the other side.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// From the text posted by the other side; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        read(s).map_err(|e| format!("bad request to worker: {e}"))
    }
}

impl FromWorker {
    /// As the text posted to the other side.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// From the text posted by the other side; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        read(s).map_err(|e| format!("bad reply from worker: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Machine, Params};

    #[test]
    fn cpythons_worker_cuts_output_with_the_mark() {
        // protocol.js writes the mark from its own MAX_OUTPUT (held equal to MAX_OUTPUT_CHARS
        // by tests/cpython_contract.rs).
        let protocol = include_str!("../../../../www/python/protocol.js");
        assert!(
            protocol.contains(
                "export const OUTPUT_CUT = `\\n[output cut at ${MAX_OUTPUT / 1024} KB]\\n`;"
            ),
            "www/python/protocol.js cuts a run's output with another mark"
        );
        let kb = MAX_OUTPUT_CHARS / 1024;
        assert_eq!(OUTPUT_CUT, format!("\n[output cut at {kb} KB]\n"));
    }

    #[test]
    fn round_trips_and_rejects_junk() {
        let e = Params::default().resolve(&Machine {
            cores: 2,
            calibrated_cpu_iters: 7,
        });
        let m = ToWorker::Run {
            id: RunId(3),
            experiment: e,
        };
        assert_eq!(ToWorker::decode(&m.encode()), Ok(m));
        assert!(ToWorker::decode("{\"type\":\"nope\"}").is_err());
        assert!(ToWorker::decode("{\"nope\":{}}").is_err());
        assert!(FromWorker::decode("null").is_err());
        let j = ToWorker::Cancel { id: RunId(1) }.encode();
        assert_eq!(j, r#"{"cancel":{"id":1}}"#);
        assert_eq!(ToWorker::Calibrate.encode(), r#""calibrate""#);
    }
}
