//! What a run did, as spans on one shared clock: for each task, which lane ran it and when it
//! computed, waited on io, waited for the GIL or the event loop, started up or copied messages.

use crate::experiment::config::Experiment;
use crate::json::{json_by_name, json_struct};

/// What a lane was doing during a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanState {
    /// Running the kernel.
    Compute,
    /// Waiting on (simulated) io.
    Io,
    /// Ready to compute but waiting for the GIL.
    GilWait,
    /// The wait was over but the event loop was busy with a task that does not yield.
    Stalled,
    /// A process worker starting up (spawn, wasm instantiation).
    Startup,
    /// Arguments or results being copied between processes (the pickling analogue).
    Copy,
    /// The batch's serial part (Amdahl): one lane computes, the others have nothing to do.
    Serial,
    /// A processes task submitted but not yet sent: every process of the pool was busy. Drawn on
    /// the process that took it next.
    Queued,
}

impl SpanState {
    /// Every state, in the legend's order.
    pub const ALL: [SpanState; 8] = [
        SpanState::Compute,
        SpanState::Io,
        SpanState::GilWait,
        SpanState::Stalled,
        SpanState::Startup,
        SpanState::Copy,
        SpanState::Serial,
        SpanState::Queued,
    ];

    /// The name used in CSS classes, exports and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanState::Compute => "compute",
            SpanState::Io => "io",
            SpanState::GilWait => "gil-wait",
            SpanState::Stalled => "stalled",
            SpanState::Startup => "startup",
            SpanState::Copy => "copy",
            SpanState::Serial => "serial",
            SpanState::Queued => "queued",
        }
    }

    /// A label for legends and tooltips.
    pub fn label(self) -> &'static str {
        match self {
            SpanState::Compute => "computing",
            SpanState::Io => "waiting on io",
            SpanState::GilWait => "waiting for the GIL",
            SpanState::Stalled => "ready, but the loop was busy",
            SpanState::Startup => "process start-up",
            SpanState::Copy => "copying (pickling)",
            SpanState::Serial => "serial part (the others idle)",
            SpanState::Queued => "queued for a free process",
        }
    }
}

/// One interval of one task on one lane. Times are milliseconds on the shared clock
/// `performance.timeOrigin + performance.now()`, the same in every worker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// The task's number: its index in the experiment, or what else the span belongs to
    /// ([`TaskRef`] reads it).
    pub task: u32,
    /// The lane (event loop, thread or process) that ran it.
    pub lane: u32,
    /// What the lane was doing.
    pub state: SpanState,
    /// Start, ms on the shared clock.
    pub start: f64,
    /// End, ms on the shared clock.
    pub end: f64,
}

/// How late a timer may fire before the wait counts as stalled behind a busy event loop.
/// Timers are routinely a few ms late when the machine is busy (two iframes loading, say): that
/// is scheduling noise, not the lesson (a task that never yields), so small delays are ignored.
pub fn stall_threshold_ms(io_ms: u32) -> f64 {
    (f64::from(io_ms) * 0.05).max(5.0)
}

/// What a span's (or a GIL event's, or a task message's) task number stands for. On the wire and
/// in exports it is one number: a task's index, or one of the two largest `u32`s for what is no
/// task of the run. This is Rust's one place for those two numbers; CPython's harness writes
/// them too (`SERIAL_TASK`, `TASK_LANE` in `www/python/playground/harness.py`), held equal to
/// these by `tests/cpython_contract.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskRef {
    /// Task `n` of the run (0-based).
    Task(u32),
    /// The batch's serial phase (Amdahl's serial part): work, but no task's.
    Serial,
    /// The lane itself rather than a task: a process starting up.
    Lane,
}

impl TaskRef {
    /// The number that stands for it.
    pub const fn index(self) -> u32 {
        match self {
            TaskRef::Task(n) => n,
            TaskRef::Serial => u32::MAX - 1,
            TaskRef::Lane => u32::MAX,
        }
    }

    /// What the number `index` stands for.
    pub const fn of(index: u32) -> Self {
        match index {
            u32::MAX => TaskRef::Lane,
            n if n == u32::MAX - 1 => TaskRef::Serial,
            n => TaskRef::Task(n),
        }
    }

    /// Whether it is a task of the run (not the serial part, not the lane).
    pub const fn is_task(self) -> bool {
        matches!(self, TaskRef::Task(_))
    }

    /// In words, as descriptions of a timeline say it: "task 3", "the serial part", "the worker
    /// itself".
    pub fn describe(self) -> String {
        match self {
            TaskRef::Task(n) => format!("task {n}"),
            TaskRef::Serial => "the serial part".into(),
            TaskRef::Lane => "the worker itself".into(),
        }
    }

    /// As an aside after who did something: " (task 3)", " (the serial part)", and nothing for
    /// the lane's own time (a process starting, a CPython program's thread code), which is no
    /// task's.
    pub fn aside(self) -> String {
        match self {
            TaskRef::Lane => String::new(),
            t => format!(" ({})", t.describe()),
        }
    }
}

impl Span {
    /// A span of `task` on `lane` in `state` from `start` to `end` (ms, shared clock).
    pub fn new(task: u32, lane: u32, state: SpanState, start: f64, end: f64) -> Self {
        Span {
            task,
            lane,
            state,
            start,
            end,
        }
    }

    /// Its length in ms.
    pub fn duration(&self) -> f64 {
        (self.end - self.start).max(0.0)
    }

    /// What its task number stands for.
    pub fn task_ref(&self) -> TaskRef {
        TaskRef::of(self.task)
    }
}

/// A lane of the timeline: one worker, thread or process.
pub type Lane = u32;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    /// Every task finished.
    Done,
    /// The visitor pressed Stop.
    Stopped,
    /// A worker failed; the report's message says how.
    Error,
}

impl RunStatus {
    /// The value of the row's `data-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Done => "done",
            RunStatus::Stopped => "stopped",
            RunStatus::Error => "error",
        }
    }
}

/// Which wasm build ran a run: runs are only compared within one build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Build {
    /// Built with atomics and shared memory (rayon threads).
    Atomics,
    /// Built without atomics (runs on any host).
    Plain,
    /// Not ours: CPython (Pyodide) in its own worker, running the editor's Python.
    Cpython,
}

impl Build {
    /// The build that runs `tool` on `engine`: CPython runs everything it runs itself; on the
    /// model threads need atomics, and sequential uses the atomics build when it is loaded so
    /// that threads and their baseline run the same code.
    pub fn for_tool(
        engine: crate::experiment::config::Engine,
        tool: crate::experiment::config::Tool,
        atomics_loaded: bool,
    ) -> Build {
        if engine == crate::experiment::config::Engine::Cpython {
            return Build::Cpython;
        }
        match tool {
            crate::experiment::config::Tool::Threads
            | crate::experiment::config::Tool::Sequential
                if atomics_loaded =>
            {
                Build::Atomics
            }
            _ => Build::Plain,
        }
    }

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Build::Atomics => "atomics",
            Build::Plain => "plain",
            Build::Cpython => "cpython",
        }
    }
}

/// Everything a finished run reports.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// What ran.
    pub experiment: Experiment,
    /// How it ended.
    pub status: RunStatus,
    /// Which build ran it.
    pub build: Build,
    /// Shared-clock ms when the run started.
    pub started_at: f64,
    /// Wall time, ms.
    pub wall_ms: f64,
    /// Every span of every task, less the first `streamed`.
    pub spans: Vec<Span>,
    /// The run's first spans, which the page already has from the engine's progress messages
    /// and which `spans` leaves out (an engine's report only; 0: `spans` holds them all).
    pub streamed: u32,
    /// Threads in the pool that really ran (1 when rayon fell back to the current thread).
    pub pool_threads: u32,
    /// Whether this run paid for starting its workers (processes).
    pub paid_startup: bool,
    /// Tasks that finished.
    pub tasks_done: u32,
    /// Wrapping sum of every cpu task's result, so that work cannot be skipped unnoticed.
    pub checksum: u64,
    /// A readable explanation when the status is `error` (or a remark otherwise).
    pub message: Option<String>,
    /// GIL hand-overs while another thread waited (threads with the GIL on).
    pub gil_switches: Option<crate::sim::gil::GilSwitches>,
    /// Every GIL acquire, release and forced drop, in time order (threads with the GIL on).
    pub gil_events: Vec<crate::sim::gil::GilEvent>,
    /// The race experiment's counters.
    pub counts: Option<Counts>,
}

#[cfg(test)]
impl RunReport {
    /// A run of `experiment` in `build` that finished every task in `wall_ms` with `spans`,
    /// nothing else to say: what tests of records, baselines and tables start from.
    pub(crate) fn finished(
        experiment: Experiment,
        build: Build,
        wall_ms: f64,
        spans: Vec<Span>,
    ) -> Self {
        RunReport {
            streamed: 0,
            experiment,
            status: RunStatus::Done,
            build,
            started_at: 0.0,
            wall_ms,
            spans,
            pool_threads: 1,
            paid_startup: false,
            tasks_done: experiment.tasks,
            checksum: 0,
            message: None,
            gil_switches: None,
            gil_events: Vec::new(),
            counts: None,
        }
    }
}

/// What the race experiment counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Increments made: tasks × increments per task.
    pub expected: u64,
    /// The counter the program reads at the end: the shared one (threads), the one thread's
    /// (sequential, async), or the parent's own, which no process can touch (processes: 0).
    pub final_count: u64,
    /// Processes: each process's own counter at the end, by lane (empty otherwise).
    pub own: Vec<u64>,
}

json_by_name!(SpanState, "a span state", SpanState::ALL);
json_by_name!(
    RunStatus,
    "done, stopped or error",
    [RunStatus::Done, RunStatus::Stopped, RunStatus::Error]
);
json_by_name!(
    Build,
    "atomics, plain or cpython",
    [Build::Atomics, Build::Plain, Build::Cpython]
);

json_struct!(Span, "a span", { task, lane, state, start, end });

json_struct!(RunReport, "a run report", {
    experiment,
    status,
    build,
    started_at,
    wall_ms,
    spans,
    streamed = default,
    pool_threads,
    paid_startup,
    tasks_done,
    checksum,
    message,
    gil_switches,
    gil_events = default,
    counts,
});

json_struct!(Counts, "the race's counts", { expected, final_count, own });

/// The lanes `spans` ran on, in order, each once. (A sorted list: a set's code cost the page's
/// module more.)
pub fn lanes_of(spans: &[Span]) -> Vec<u32> {
    let mut lanes: Vec<u32> = spans.iter().map(|s| s.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    lanes
}

#[cfg(test)]
mod tests {
    use super::stall_threshold_ms;

    #[test]
    fn lanes_of_lists_each_lane_once_in_order() {
        use super::{lanes_of, Span, SpanState};
        let span = |lane| Span::new(0, lane, SpanState::Io, 0.0, 1.0);
        assert_eq!(lanes_of(&[span(2), span(0), span(2)]), [0, 2]);
        assert!(lanes_of(&[]).is_empty());
    }

    #[test]
    fn threads_and_their_baseline_share_a_build() {
        use super::Build;
        use crate::experiment::config::Engine::{Cpython, Model};
        use crate::experiment::config::Tool;
        assert_eq!(Build::for_tool(Model, Tool::Threads, true), Build::Atomics);
        assert_eq!(
            Build::for_tool(Model, Tool::Sequential, true),
            Build::Atomics
        );
        assert_eq!(Build::for_tool(Model, Tool::Processes, true), Build::Plain);
        assert_eq!(Build::for_tool(Model, Tool::Async, true), Build::Plain);
        assert_eq!(
            Build::for_tool(Model, Tool::Sequential, false),
            Build::Plain
        );
        assert_eq!(
            Build::for_tool(Cpython, Tool::Threads, true),
            Build::Cpython
        );
    }

    #[test]
    fn task_numbers_read_back_as_what_they_stand_for() {
        use super::TaskRef;
        for t in [
            TaskRef::Task(0),
            TaskRef::Task(7),
            TaskRef::Serial,
            TaskRef::Lane,
        ] {
            assert_eq!(TaskRef::of(t.index()), t);
        }
        // The numbers exports carry, as the run record's documentation names them.
        let doc = include_str!("../../../../docs/embedding.md")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let lane = format!("{} marks a span of the lane", TaskRef::Lane.index());
        let serial = format!("{} the serial phase", TaskRef::Serial.index());
        assert!(doc.contains(&lane) && doc.contains(&serial));
    }

    #[test]
    fn stalls_ignore_scheduling_noise() {
        assert_eq!(stall_threshold_ms(0), 5.0);
        assert_eq!(stall_threshold_ms(200), 10.0);
        assert_eq!(stall_threshold_ms(1000), 50.0);
    }
}
