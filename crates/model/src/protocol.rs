//! Messages between the page and its workers, as JSON. One module so that both sides agree.

use crate::config::{Experiment, TaskWork};
use crate::timeline::{Build, RunReport, Span};
use serde::{Deserialize, Serialize};

/// What the page asks a worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToWorker {
    /// Warm up, then measure the kernel's cost per iteration in this build.
    Calibrate,
    /// Start the rayon pool (atomics build; handled by the worker's script, after calibration).
    StartPool,
    /// Run a whole experiment in this worker (sequential, async, threads).
    Run {
        /// The run's id, echoed in the reply.
        id: u32,
        /// What to run.
        experiment: Experiment,
    },
    /// One task of a processes run, sent to one process worker.
    Task {
        /// The run it belongs to.
        run: u32,
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
        id: u32,
    },
    /// Store a value in this worker's own memory (shows that processes do not share it).
    Poke {
        /// The value.
        value: u64,
    },
    /// Read back the value stored by `Poke` in this worker.
    Peek,
}

/// What a worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
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
    },
    /// The kernel's measured cost.
    Calibrated {
        /// Nanoseconds per iteration after warm-up.
        ns_per_iter: f64,
    },
    /// What a run in progress did since the last progress message.
    Progress {
        /// The run's id.
        id: u32,
        /// Spans that ended.
        spans: Vec<Span>,
        /// Spans still open, cut at the time of this message.
        open: Vec<Span>,
    },
    /// A whole run ended.
    Finished {
        /// The run's id.
        id: u32,
        /// What happened.
        report: RunReport,
    },
    /// A process worker finished (or gave up) one task.
    TaskDone {
        /// The run it belongs to.
        run: u32,
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
        id: Option<u32>,
        /// A sentence for the visitor.
        message: String,
    },
}

impl ToWorker {
    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// From JSON; a readable error for anything else.
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("bad request to worker: {e}"))
    }
}

impl FromWorker {
    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// From JSON; a readable error for anything else.
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("bad reply from worker: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Machine, Params};

    #[test]
    fn round_trips_and_rejects_junk() {
        let e = Params::default().resolve(&Machine {
            cores: 2,
            calibrated_cpu_iters: 7,
        });
        let m = ToWorker::Run {
            id: 3,
            experiment: e,
        };
        assert_eq!(ToWorker::from_json(&m.to_json()), Ok(m));
        assert!(ToWorker::from_json("{\"type\":\"nope\"}").is_err());
        assert!(FromWorker::from_json("null").is_err());
        let j = ToWorker::Cancel { id: 1 }.to_json();
        assert_eq!(j, r#"{"type":"cancel","id":1}"#);
    }
}
