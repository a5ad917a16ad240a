//! Messages between the page and its workers, as JSON. One module so that both sides agree;
//! `www/engine-worker.js` only forwards them. A message that carries the atomics build's shared
//! memory travels as `[json, memory.buffer]`; everything else as a JSON string. Variants are
//! externally tagged (`{"cancel":{"id":1}}`, `"calibrate"`), as serde wrote them before
//! [`crate::json`] replaced it: a message's name is its one key.

use crate::config::{Experiment, TaskWork};
use crate::json::{Fields, FromJson, Json, ToJson};
use crate::timeline::{Build, RunReport, Span};

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
    /// Tests only: make the engine trap, as a bug would, so that the crash path (the run ends
    /// with `error`, the worker is replaced, the next run works) can be exercised. The page
    /// sends it only on a same-page `concurrency-playground-test-trap` event, never from a URL
    /// or a parent message.
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

/// The value of the cancel word that asks run `id` to stop (0 means none). The page writes it
/// into the atomics build's shared memory; the engine's threads read it between kernel chunks.
pub fn cancel_word(id: u32) -> u32 {
    id.wrapping_add(1)
}

/// `{"name": {fields}}`: a variant with fields, externally tagged.
fn tagged<const N: usize>(name: &str, fields: [(&str, Json); N]) -> Json {
    Json::obj([(name, Json::obj(fields))])
}

/// A message's variant name and its fields (`None` for a variant without any).
fn variant<'a>(value: &'a Json) -> Result<(&'a str, Option<Fields<'a>>), String> {
    match value {
        Json::Str(name) => Ok((name, None)),
        Json::Obj(fields) if fields.len() == 1 => {
            let (name, body) = &fields[0];
            Ok((name, Some(Fields::of(body, name)?)))
        }
        _ => Err("expected a message (a name, or an object with one key)".into()),
    }
}

/// The fields of variant `name`, which must have some.
fn body<'a>(name: &str, fields: Option<Fields<'a>>) -> Result<Fields<'a>, String> {
    fields.ok_or_else(|| format!("`{name}` needs its fields"))
}

impl ToJson for ToWorker {
    fn to_json(&self) -> Json {
        match self {
            ToWorker::Calibrate => "calibrate".to_json(),
            ToWorker::StartPool { threads } => {
                tagged("start-pool", [("threads", threads.to_json())])
            }
            ToWorker::Run { id, experiment } => tagged(
                "run",
                [("id", id.to_json()), ("experiment", experiment.to_json())],
            ),
            ToWorker::Task {
                run,
                task,
                work,
                io_ms,
                cpu_iters,
                sent_at,
            } => tagged(
                "task",
                [
                    ("run", run.to_json()),
                    ("task", task.to_json()),
                    ("work", work.to_json()),
                    ("io_ms", io_ms.to_json()),
                    ("cpu_iters", cpu_iters.to_json()),
                    ("sent_at", sent_at.to_json()),
                ],
            ),
            ToWorker::Cancel { id } => tagged("cancel", [("id", id.to_json())]),
            ToWorker::Poke { value } => tagged("poke", [("value", value.to_json())]),
            ToWorker::Peek => "peek".to_json(),
            ToWorker::Trap => "trap".to_json(),
        }
    }
}

impl FromJson for ToWorker {
    fn from_json(value: &Json) -> Result<Self, String> {
        let (name, fields) = variant(value)?;
        Ok(match name {
            "calibrate" => ToWorker::Calibrate,
            "peek" => ToWorker::Peek,
            "trap" => ToWorker::Trap,
            "start-pool" => ToWorker::StartPool {
                threads: body(name, fields)?.req("threads")?,
            },
            "run" => {
                let f = body(name, fields)?;
                ToWorker::Run {
                    id: f.req("id")?,
                    experiment: f.req("experiment")?,
                }
            }
            "task" => {
                let f = body(name, fields)?;
                ToWorker::Task {
                    run: f.req("run")?,
                    task: f.req("task")?,
                    work: f.req("work")?,
                    io_ms: f.req("io_ms")?,
                    cpu_iters: f.req("cpu_iters")?,
                    sent_at: f.req("sent_at")?,
                }
            }
            "cancel" => ToWorker::Cancel {
                id: body(name, fields)?.req("id")?,
            },
            "poke" => ToWorker::Poke {
                value: body(name, fields)?.req("value")?,
            },
            _ => return Err(format!("unknown message `{name}`")),
        })
    }
}

impl ToJson for FromWorker {
    fn to_json(&self) -> Json {
        match self {
            FromWorker::Ready {
                build,
                pool_threads,
                started_at,
                ready_at,
                cancel_word,
            } => tagged(
                "ready",
                [
                    ("build", build.to_json()),
                    ("pool_threads", pool_threads.to_json()),
                    ("started_at", started_at.to_json()),
                    ("ready_at", ready_at.to_json()),
                    ("cancel_word", cancel_word.to_json()),
                ],
            ),
            FromWorker::Calibrated {
                ns_per_iter,
                spread,
            } => tagged(
                "calibrated",
                [
                    ("ns_per_iter", ns_per_iter.to_json()),
                    ("spread", spread.to_json()),
                ],
            ),
            FromWorker::Progress { id, spans, open } => tagged(
                "progress",
                [
                    ("id", id.to_json()),
                    ("spans", spans.to_json()),
                    ("open", open.to_json()),
                ],
            ),
            FromWorker::Finished { id, report } => tagged(
                "finished",
                [("id", id.to_json()), ("report", report.to_json())],
            ),
            FromWorker::TaskDone {
                run,
                task,
                spans,
                result,
                completed,
                sent_at,
            } => tagged(
                "task-done",
                [
                    ("run", run.to_json()),
                    ("task", task.to_json()),
                    ("spans", spans.to_json()),
                    ("result", result.to_json()),
                    ("completed", completed.to_json()),
                    ("sent_at", sent_at.to_json()),
                ],
            ),
            FromWorker::Peeked { value } => tagged("peeked", [("value", value.to_json())]),
            FromWorker::Failed { id, message } => tagged(
                "failed",
                [("id", id.to_json()), ("message", message.to_json())],
            ),
        }
    }
}

impl FromJson for FromWorker {
    fn from_json(value: &Json) -> Result<Self, String> {
        let (name, fields) = variant(value)?;
        let f = body(name, fields)?;
        Ok(match name {
            "ready" => FromWorker::Ready {
                build: f.req("build")?,
                pool_threads: f.req("pool_threads")?,
                started_at: f.req("started_at")?,
                ready_at: f.req("ready_at")?,
                cancel_word: f.req("cancel_word")?,
            },
            "calibrated" => FromWorker::Calibrated {
                ns_per_iter: f.req("ns_per_iter")?,
                spread: f.or_default("spread")?,
            },
            "progress" => FromWorker::Progress {
                id: f.req("id")?,
                spans: f.req("spans")?,
                open: f.req("open")?,
            },
            "finished" => FromWorker::Finished {
                id: f.req("id")?,
                report: f.req("report")?,
            },
            "task-done" => FromWorker::TaskDone {
                run: f.req("run")?,
                task: f.req("task")?,
                spans: f.req("spans")?,
                result: f.req("result")?,
                completed: f.req("completed")?,
                sent_at: f.req("sent_at")?,
            },
            "peeked" => FromWorker::Peeked {
                value: f.req("value")?,
            },
            "failed" => FromWorker::Failed {
                id: f.req("id")?,
                message: f.req("message")?,
            },
            _ => return Err(format!("unknown message `{name}`")),
        })
    }
}

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
        assert_eq!(ToWorker::decode(&m.encode()), Ok(m));
        assert!(ToWorker::decode("{\"type\":\"nope\"}").is_err());
        assert!(ToWorker::decode("{\"nope\":{}}").is_err());
        assert!(FromWorker::decode("null").is_err());
        let j = ToWorker::Cancel { id: 1 }.encode();
        assert_eq!(j, r#"{"cancel":{"id":1}}"#);
        assert_eq!(ToWorker::Calibrate.encode(), r#""calibrate""#);
    }
}
