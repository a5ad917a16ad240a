//! What an experiment is: a tool, a kind of work, and its sizes, within documented limits. The
//! page's own `view` parameter's values ([`View`]) sit beside the experiment's, as the parameter
//! table names them all alike.

use crate::json::json_by_name;
use std::fmt;

/// Python's concurrency tools as the playground models them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    /// One task after another on one worker.
    Sequential,
    /// `asyncio`: one thread, a cooperative event loop.
    Async,
    /// `ThreadPoolExecutor`: shared memory, GIL on or off.
    Threads,
    /// `ProcessPoolExecutor`: isolated workers, copied messages.
    Processes,
}

impl Tool {
    /// Every tool, in the order the page lists them.
    pub const ALL: [Tool; 4] = [
        Tool::Sequential,
        Tool::Async,
        Tool::Threads,
        Tool::Processes,
    ];

    /// The name used in URLs, DOM attributes and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Tool::Sequential => "sequential",
            Tool::Async => "async",
            Tool::Threads => "threads",
            Tool::Processes => "processes",
        }
    }

    /// What one lane of this tool is, in the timeline and traces.
    pub const fn lane_noun(self) -> &'static str {
        match self {
            Tool::Sequential => "worker",
            Tool::Async => "event loop",
            Tool::Threads => "thread",
            Tool::Processes => "process",
        }
    }

    /// Parses a URL value; `None` for anything that is not a tool's name.
    pub fn parse(s: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether `workers` means anything for this tool (a pool size).
    pub fn has_pool(self) -> bool {
        matches!(self, Tool::Threads | Tool::Processes)
    }

    /// Whether this tool needs SharedArrayBuffer (a cross-origin isolated page).
    pub fn needs_isolation(self) -> bool {
        matches!(self, Tool::Threads)
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the tasks of an experiment do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Every task waits `io_ms` (the notebook's `io_task`).
    Io,
    /// Every task computes `cpu_iters` squares (the notebook's `cpu_task`).
    Cpu,
    /// Alternating io and cpu tasks, starting with io.
    Mixed,
    /// Every task adds 1 to one shared counter `cpu_iters` times: a data race without a lock.
    Race,
}

impl Kind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [Kind; 4] = [Kind::Io, Kind::Cpu, Kind::Mixed, Kind::Race];

    /// The name used in URLs, DOM attributes and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Io => "io",
            Kind::Cpu => "cpu",
            Kind::Mixed => "mixed",
            Kind::Race => "race",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The work of task number `index` (0-based) in an experiment of this kind.
    pub fn task(self, index: u32) -> TaskWork {
        match self {
            Kind::Io => TaskWork::Io,
            Kind::Cpu => TaskWork::Cpu,
            Kind::Mixed if index.is_multiple_of(2) => TaskWork::Io,
            Kind::Mixed => TaskWork::Cpu,
            Kind::Race => TaskWork::Race,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskWork {
    /// Waits `io_ms`.
    Io,
    /// Computes `cpu_iters` squares.
    Cpu,
    /// Adds 1 to the counter `cpu_iters` times (`counter += 1` in a loop).
    Race,
}

impl TaskWork {
    /// Its name in messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskWork::Io => "io",
            TaskWork::Cpu => "cpu",
            TaskWork::Race => "race",
        }
    }
}

/// Whether `counter += 1` of the race experiment holds a lock (`with lock:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lock {
    /// Every increment under one lock: nothing is lost.
    On,
    /// A plain read, then a write: concurrent increments overwrite each other.
    #[default]
    Off,
}

impl Lock {
    /// The name used in URLs and DOM attributes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Lock::On => "on",
            Lock::Off => "off",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Lock> {
        match s {
            "on" => Some(Lock::On),
            "off" => Some(Lock::Off),
            _ => None,
        }
    }
}

/// Increments per task of the race experiment when `cpu_iters` is not given (the classic
/// demonstration: 4 threads × 1 000 000).
pub const RACE_INCREMENTS: u64 = 1_000_000;

/// CPython's Global Interpreter Lock, on (the default build) or off (the free-threaded build).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gil {
    /// One thread computes at a time.
    On,
    /// Threads compute in parallel.
    Off,
}

impl Gil {
    /// The name used in URLs and DOM attributes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Gil::On => "on",
            Gil::Off => "off",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Gil> {
        match s {
            "on" => Some(Gil::On),
            "off" => Some(Gil::Off),
            _ => None,
        }
    }
}

/// What runs an experiment: the Rust engines, which model CPython (its GIL rule, its switch
/// interval), or CPython itself (Pyodide's CPython 3.14 in a worker), running the editor's code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The Rust engines (the default, loaded with the page).
    #[default]
    Model,
    /// Real CPython, loaded when the visitor picks it.
    Cpython,
}

impl Engine {
    /// Both engines, in the order the page lists them.
    pub const ALL: [Engine; 2] = [Engine::Model, Engine::Cpython];

    /// The name used in URLs, DOM attributes and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Engine::Model => "model",
            Engine::Cpython => "cpython",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Which layout the page shows: the values of the page's own `view` parameter (the lesson's
/// setting, [`crate::experiment::lesson::Lesson`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The whole playground.
    #[default]
    Full,
    /// Run, the named controls, the prediction, the timeline and a result line.
    Compact,
}

impl View {
    /// Every view, in the order the docs list them.
    pub const ALL: [View; 2] = [View::Full, View::Compact];

    /// Its name in the URL.
    pub const fn as_str(self) -> &'static str {
        match self {
            View::Full => "full",
            View::Compact => "compact",
        }
    }

    /// The view a URL names.
    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The limits of every numeric parameter, as the parameter table (`params.rs`) declares them and
/// `docs/url.md` lists them.
pub struct Limits;

impl Limits {
    /// Fewest and most tasks in one run.
    pub const TASKS: (u64, u64) = (1, 10_000);
    /// Smallest and largest pool.
    pub const WORKERS: (u64, u64) = (1, 64);
    /// Shortest and longest wait of one io task, in milliseconds.
    pub const IO_MS: (u64, u64) = (0, 10_000);
    /// Fewest and most iterations of one cpu task.
    pub const CPU_ITERS: (u64, u64) = (1, 10_000_000_000);
    /// The serial part of a cpu batch, in percent.
    pub const SERIAL: (u64, u64) = (0, 100);
}

/// What the page knows about the visitor's machine, from which defaults follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// The calibrated cpu_iters that make one cpu task last about one default io task.
    pub calibrated_cpu_iters: u64,
}

impl Machine {
    /// Python's default pool size for a tool: `min(32, cores + 4)` for `ThreadPoolExecutor`,
    /// `cores` for `ProcessPoolExecutor`, and one worker for the single-threaded tools.
    pub fn default_workers(&self, tool: Tool) -> u32 {
        let cores = self.cores.max(1);
        match tool {
            Tool::Threads => thread_pool_default(cores),
            Tool::Processes => cores.min(Limits::WORKERS.1 as u32),
            Tool::Sequential | Tool::Async => 1,
        }
    }
}

/// An experiment as requested: every field optional, already within limits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// The tool; `sequential` when absent.
    pub tool: Option<Tool>,
    /// The kind of work; `io` when absent.
    pub kind: Option<Kind>,
    /// How many tasks; 4 when absent.
    pub tasks: Option<u32>,
    /// Pool size; Python's default for the tool when absent.
    pub workers: Option<u32>,
    /// GIL switch for threads; on when absent.
    pub gil: Option<Gil>,
    /// One wait, in ms; 200 when absent.
    pub io_ms: Option<u32>,
    /// Iterations of one cpu task; calibrated when absent.
    pub cpu_iters: Option<u64>,
    /// The batch's serial part in percent (Amdahl's law); 0 when absent.
    pub serial: Option<u32>,
    /// The race experiment's lock; off when absent.
    pub lock: Option<Lock>,
    /// What runs it; the Rust model when absent.
    pub engine: Option<Engine>,
}

/// A fully resolved experiment: what actually runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Experiment {
    /// The tool.
    pub tool: Tool,
    /// The kind of work.
    pub kind: Kind,
    /// Number of tasks.
    pub tasks: u32,
    /// Lanes the tool may use (1 for sequential and async).
    pub workers: u32,
    /// GIL switch (only threads honour it).
    pub gil: Gil,
    /// One wait, in ms.
    pub io_ms: u32,
    /// Iterations of one cpu task.
    pub cpu_iters: u64,
    /// The batch's serial part in percent (Amdahl's law): see [`Experiment::serial_split`].
    pub serial: u32,
    /// The race experiment's lock.
    pub lock: Lock,
    /// What runs it.
    pub engine: Engine,
}

json_by_name!(Tool, "a tool", Tool::ALL);
json_by_name!(Kind, "a kind of work", Kind::ALL);
json_by_name!(
    TaskWork,
    "io, cpu or race",
    [TaskWork::Io, TaskWork::Cpu, TaskWork::Race]
);
json_by_name!(Lock, "on or off", [Lock::On, Lock::Off]);
json_by_name!(Gil, "on or off", [Gil::On, Gil::Off]);
json_by_name!(Engine, "model or cpython", Engine::ALL);

/// Defaults of the contract table that do not depend on the machine.
pub const DEFAULT_TASKS: u32 = 4;
/// The notebook's `time.sleep(0.2)`.
pub const DEFAULT_IO_MS: u32 = 200;
/// The notebook's `range(2_000_000)`, used until calibration has run.
pub const NOTEBOOK_CPU_ITERS: u64 = 2_000_000;

/// `ThreadPoolExecutor`'s default size on `cores` cores: `min(32, cores + 4)`.
pub fn thread_pool_default(cores: u32) -> u32 {
    (cores.max(1) + 4).min(32)
}

/// The cpu_iters that make one cpu task last about `io_ms` on a kernel costing `ns_per_iter`,
/// as the notebook's two functions take about the same time; within limits.
pub fn calibrated_cpu_iters(io_ms: u32, ns_per_iter: f64) -> u64 {
    if !(ns_per_iter.is_finite() && ns_per_iter > 0.0) {
        return NOTEBOOK_CPU_ITERS;
    }
    let iters = f64::from(io_ms.max(1)) * 1e6 / ns_per_iter;
    (iters as u64).clamp(Limits::CPU_ITERS.0, Limits::CPU_ITERS.1)
}

/// Worker counts of a speedup sweep: 1, 2, 4, … up to `max`, and `max` itself.
pub fn sweep_worker_counts(max: u32) -> Vec<u32> {
    let mut ws: Vec<u32> = (0..7)
        .map(|i| 1u32 << i)
        .take_while(|w| *w <= max)
        .collect();
    if ws.last() != Some(&max) && max > 0 {
        ws.push(max);
    }
    ws
}

impl Params {
    /// Fills every absent field for a machine with `cores` cores whose kernel, in the build that
    /// will run it, costs `ns_per_iter` (the notebook's 2,000,000 iterations until calibrated).
    pub fn resolve_calibrated(&self, cores: u32, ns_per_iter: Option<f64>) -> Experiment {
        let io_ms = self.io_ms.unwrap_or(DEFAULT_IO_MS);
        self.resolve(&Machine {
            cores,
            calibrated_cpu_iters: ns_per_iter
                .map_or(NOTEBOOK_CPU_ITERS, |ns| calibrated_cpu_iters(io_ms, ns)),
        })
    }

    /// Fills every absent field from the defaults for this machine.
    pub fn resolve(&self, machine: &Machine) -> Experiment {
        let tool = self.tool.unwrap_or(Tool::Sequential);
        let workers = if tool.has_pool() {
            self.workers
                .unwrap_or_else(|| machine.default_workers(tool))
        } else {
            1
        };
        Experiment {
            tool,
            kind: self.kind.unwrap_or(Kind::Io),
            tasks: self.tasks.unwrap_or(DEFAULT_TASKS),
            workers,
            gil: self.gil.unwrap_or(Gil::On),
            io_ms: self.io_ms.unwrap_or(DEFAULT_IO_MS),
            // The race counts increments, not timed work: a fixed default, not calibrated.
            cpu_iters: self.cpu_iters.unwrap_or(match self.kind {
                Some(Kind::Race) => RACE_INCREMENTS,
                _ => machine.calibrated_cpu_iters,
            }),
            lock: self.lock.unwrap_or_default(),
            engine: self.engine.unwrap_or_default(),
            // Waiting has no serial part to give (see `serial_split`): io work records 0.
            serial: match self.kind.unwrap_or(Kind::Io) {
                Kind::Io | Kind::Race => 0,
                _ => self.serial.unwrap_or(0),
            },
        }
    }
}

impl Experiment {
    /// The GIL setting that actually applies: only threads have one.
    pub fn effective_gil(&self) -> Option<Gil> {
        (self.tool == Tool::Threads).then_some(self.gil)
    }

    /// Lanes that can run at once: never more than there are tasks.
    pub fn lanes(&self) -> u32 {
        self.workers.min(self.tasks).max(1)
    }

    /// Amdahl's split of the batch's cpu work: `(serial, per_task)` iterations. Each cpu task
    /// gives up `serial`% of its iterations to one serial phase that runs first, on one lane,
    /// before the tasks spread over the workers; the total work stays `tasks × cpu_iters`.
    /// Io tasks have nothing to give.
    pub fn serial_split(&self) -> (u64, u64) {
        // In u64: `cpu_iters` is at most 10^10 and `serial` 100, far from overflowing (and it
        // saturates beyond); u128 division would add its routine to the page's module.
        let share = self
            .cpu_iters
            .saturating_mul(u64::from(self.serial.min(100)));
        let given = share.saturating_add(50) / 100;
        let cpu_tasks = (0..self.tasks)
            .filter(|&t| self.kind.task(t) == TaskWork::Cpu)
            .count() as u64;
        (given * cpu_tasks, self.cpu_iters - given)
    }

    /// Amdahl's predicted speedup on `workers` lanes for this serial part:
    /// `1 / (s + (1 − s) / W)`.
    pub fn amdahl(serial_percent: u32, workers: u32) -> f64 {
        let s = f64::from(serial_percent.min(100)) / 100.0;
        1.0 / (s + (1.0 - s) / f64::from(workers.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_CORES: Machine = Machine {
        cores: 2,
        calibrated_cpu_iters: 5_000_000,
    };

    #[test]
    fn amdahls_split_keeps_the_total_work_and_predicts_the_limit() {
        let mut e = Params {
            kind: Some(Kind::Cpu),
            tasks: Some(4),
            cpu_iters: Some(1000),
            serial: Some(50),
            ..Params::default()
        }
        .resolve(&TWO_CORES);
        assert_eq!(e.serial_split(), (2000, 500));
        e.kind = Kind::Mixed; // two cpu tasks of four
        assert_eq!(e.serial_split(), (1000, 500));
        e.serial = 0;
        assert_eq!(e.serial_split(), (0, 1000));
        e.serial = 100;
        assert_eq!(e.serial_split(), (2000, 0));
        assert!((Experiment::amdahl(50, 2) - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(Experiment::amdahl(0, 8), 8.0);
        assert_eq!(Experiment::amdahl(100, 8), 1.0);
        let io = Params {
            serial: Some(50),
            ..Params::default()
        }
        .resolve(&TWO_CORES);
        assert_eq!(io.serial, 0, "waiting has no serial part");
        let q = crate::experiment::url::parse_query("kind=cpu&serial=150");
        assert_eq!(q.params.serial, Some(100));
        assert!(q.notices[0].text().contains("serial"));
    }

    #[test]
    fn python_default_pool_sizes() {
        assert_eq!(TWO_CORES.default_workers(Tool::Threads), 6);
        assert_eq!(TWO_CORES.default_workers(Tool::Processes), 2);
        let big = Machine {
            cores: 64,
            calibrated_cpu_iters: 1,
        };
        assert_eq!(big.default_workers(Tool::Threads), 32);
        assert_eq!(big.default_workers(Tool::Async), 1);
    }

    #[test]
    fn resolve_fills_defaults() {
        let e = Params::default().resolve(&TWO_CORES);
        assert_eq!(e.tool, Tool::Sequential);
        assert_eq!(e.kind, Kind::Io);
        assert_eq!(e.tasks, 4);
        assert_eq!(e.workers, 1);
        assert_eq!(e.io_ms, 200);
        assert_eq!(e.cpu_iters, 5_000_000);
        assert_eq!(e.gil, Gil::On);
    }

    #[test]
    fn workers_ignored_without_a_pool() {
        let p = Params {
            tool: Some(Tool::Async),
            workers: Some(8),
            ..Params::default()
        };
        assert_eq!(p.resolve(&TWO_CORES).workers, 1);
    }

    #[test]
    fn mixed_alternates_starting_with_io() {
        let works: Vec<_> = (0..4).map(|i| Kind::Mixed.task(i)).collect();
        assert_eq!(
            works,
            [TaskWork::Io, TaskWork::Cpu, TaskWork::Io, TaskWork::Cpu]
        );
    }

    #[test]
    fn calibration_matches_io_time() {
        assert_eq!(calibrated_cpu_iters(200, 1.0), 200_000_000);
        assert_eq!(calibrated_cpu_iters(0, 2.0), 500_000);
        assert_eq!(calibrated_cpu_iters(200, 0.0), NOTEBOOK_CPU_ITERS);
        assert_eq!(calibrated_cpu_iters(10_000, 1e-9), Limits::CPU_ITERS.1);
    }

    #[test]
    fn resolve_with_or_without_calibration() {
        let p = Params {
            io_ms: Some(100),
            tool: Some(Tool::Threads),
            ..Params::default()
        };
        assert_eq!(p.resolve_calibrated(2, Some(0.5)).cpu_iters, 200_000_000);
        assert_eq!(p.resolve_calibrated(2, None).cpu_iters, NOTEBOOK_CPU_ITERS);
        assert_eq!(
            p.resolve_calibrated(2, None).workers,
            thread_pool_default(2)
        );
        assert_eq!(thread_pool_default(0), 5);
        assert_eq!(thread_pool_default(64), 32);
    }

    #[test]
    fn sweep_counts() {
        assert_eq!(sweep_worker_counts(6), [1, 2, 4, 6]);
        assert_eq!(sweep_worker_counts(8), [1, 2, 4, 8]);
        assert_eq!(sweep_worker_counts(20), [1, 2, 4, 8, 16, 20]);
    }

    #[test]
    fn names_round_trip() {
        for t in Tool::ALL {
            assert_eq!(Tool::parse(t.as_str()), Some(t));
        }
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Tool::parse("Threads"), None);
    }

    #[test]
    fn views_have_names() {
        for v in View::ALL {
            assert_eq!(View::parse(v.as_str()), Some(v));
        }
        assert_eq!(View::parse("tiny"), None);
    }
}
