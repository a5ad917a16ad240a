//! What happens to the lab ([`Event`]) and what it asks the page to do ([`Effect`]).

use crate::experiment::config::Params;
use crate::experiment::notice::Notice;
use crate::run::id::RunId;
use crate::run::record::RunRecord;
use crate::run::timeline::{Build, Span};
use crate::wire::host::RunAnswer;
use crate::wire::worker::{FromWorker, ToWorker};

/// A worker the lab asked for; never reused, so a terminated worker's last words are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkerId(pub u32);

/// What a worker is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An engine of one build (sequential, async, threads).
    Engine(Build),
    /// A process of the processes pool (its own plain-build instance and memory).
    Process,
}

impl Role {
    /// The worker's script, relative to the page: `engine-worker.js` with its query, or
    /// CPython's module worker.
    pub fn script(self) -> &'static str {
        match self {
            Role::Engine(Build::Plain) => "./engine-worker.js?build=plain",
            Role::Engine(Build::Atomics) => "./engine-worker.js?build=atomics",
            Role::Engine(Build::Cpython) => "./python/worker.js",
            Role::Process => "./engine-worker.js?build=plain&role=process",
        }
    }

    /// Whether its worker runs the page's own module (the plain build): the page tells it where
    /// that module is and posts it the compiled module, so that every such worker shares one.
    pub fn runs_page_module(self) -> bool {
        matches!(self, Role::Engine(Build::Plain) | Role::Process)
    }
}

/// A timer the lab started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The threads engine of this worker must have its pool by then.
    AtomicsStart(WorkerId),
    /// Run `id` was asked to stop; its workers must have answered by then.
    StopGrace(RunId),
}

/// The processes isolation demo: a value written in process 0, read back from 0 and from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsolationDemo {
    /// What was written into process 0's memory.
    pub wrote: u64,
    /// What process 0 read back.
    pub read_same: Option<u64>,
    /// What process 1 read at the same address of its own memory.
    pub read_other: Option<u64>,
}

/// Everything that happens to the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The page is up: start the engines (the threads build only on an isolated page).
    Start {
        /// `crossOriginIsolated`.
        isolated: bool,
        /// The compact view: a run without a baseline runs the sequential run of its work
        /// first, so that its one result line has a speedup.
        compact: bool,
    },
    /// Run these parameters (Run, a story's "Run this": the visitor's own click).
    Run(Params),
    /// Run these parameters with the learner's guess of their speedup (predict first): the
    /// sequential run of the same work runs first when there is none.
    RunGuessed {
        /// What to run.
        params: Params,
        /// The guessed speedup.
        guess: f64,
    },
    /// Run these parameters for the embedding page: a run nobody on the page asked for, which
    /// waits for the page's own start-up work. With a tag (`request`), its `run-finished`
    /// names the request, and a request that will not run is rejected by name.
    RunFor {
        /// What to run.
        params: Params,
        /// The embedding page's tag, if it sent one.
        request: Option<String>,
        /// The host's guess of the speedup (its params' `prediction`), if any.
        guess: Option<f64>,
    },
    /// The visitor answered the confirmation of a long run.
    Confirmed(bool),
    /// Stop pressed.
    Stop,
    /// Measure the speedup curve of these parameters' work.
    Sweep(Params),
    /// Show that processes share no memory, writing `value`.
    ShowIsolation {
        /// The value process 0 writes.
        value: u64,
    },
    /// Clear the runs table.
    ClearRuns,
    /// The visitor picked an engine: CPython starts loading when picked.
    UseEngine(crate::experiment::config::Engine),
    /// The Python program CPython runs next (the editor's text, or a host's code); `None`: the
    /// program generated for each run's experiment.
    SetCode(Option<String>),
    /// Test builds only: a hook of the end-to-end tests.
    #[cfg(feature = "test-hooks")]
    TestHook(TestHook),
    /// A worker's message.
    Message(WorkerId, FromWorker),
    /// A worker's script failed (did not load, or its engine trapped).
    Crashed(WorkerId, String),
    /// A timer the lab started fired.
    Timer(Timer),
}

/// What a test build lets a test of the same page do (feature `test-hooks`; never in the release
/// build, and never reachable from a URL or a parent message).
#[cfg(feature = "test-hooks")]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TestHook {
    /// Make the engine of the run in flight trap (see `ToWorker::Trap`); in a processes run,
    /// the first busy process.
    Trap,
    /// Stop does nothing from now on: no cancel word, no grace period, as if every engine
    /// ignored it. Shows that the tests' waits for Stop are bounded.
    BreakStop,
    /// Set the parent's race counter (the page's own) to this value.
    SetParentCounter(u64),
}

/// What the view shows of the lab, as changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// A message about missing features or failures.
    Notice(Notice),
    /// A build's worker started, with the pool threads it has (0: the pool is starting).
    BuildStarted(Build, u32),
    /// A build was calibrated: ns per iteration and the samples' spread.
    Calibrated(Build, f64, f64),
    /// A build failed for good: what it ran is unavailable.
    BuildGone(Build),
    /// Every engine is ready.
    Ready,
    /// Run `id` started at this shared-clock time.
    Started(RunId, f64),
    /// Run `id` streamed spans that ended and those still open.
    Progress(RunId, Vec<Span>, Vec<Span>),
    /// A run finished: its record.
    RunAdded(RunRecord),
    /// A finished run got its baseline later (a baseline the page ran for it).
    RunUpdated(RunRecord),
    /// The runs table was cleared.
    RunsCleared,
    /// A sweep started (true) or ended (false).
    Sweeping(bool),
    /// A sweep measured a point: series, workers, speedup, and whether its work was cpu work
    /// (only then does a speedup say how many cores computed at once).
    SweepPoint(crate::lab::sweep::Series, u32, f64, bool),
    /// The isolation demo progressed.
    Isolation(IsolationDemo),
    /// CPython's files are loading: bytes so far, of the total.
    PythonLoading(f64, f64),
    /// CPython is ready: its version and how long it took to load (ms).
    PythonReady(String, f64),
    /// CPython failed to start, for good: why.
    PythonFailed(String),
    /// What run `.0`'s program printed.
    Output(RunId, String),
}

/// What the page must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Start `engine-worker.js` with `role.query()` as this worker.
    Spawn {
        /// Its id in later events and effects.
        worker: WorkerId,
        /// What it is for.
        role: Role,
    },
    /// Terminate this worker.
    Terminate(WorkerId),
    /// Post this message to the worker.
    Post(WorkerId, ToWorker),
    /// Ask run `.1` on this worker to stop: the cancel word in its shared memory if it has one,
    /// and a `Cancel` message.
    Cancel(WorkerId, RunId),
    /// Start a timer of this many ms; fire [`Event::Timer`] then.
    StartTimer(Timer, u32),
    /// Ask the visitor to confirm a run this long (ms); answer with [`Event::Confirmed`].
    Confirm {
        /// The run's estimated duration.
        estimate_ms: f64,
    },
    /// Answer a run to the embedding page, if any: its `run-finished` (every run, naming the
    /// host's request when it answers one), or, for a tagged request that will not run,
    /// `run-rejected`.
    ToHost(RunAnswer),
    /// Change what the page shows.
    Show(Update),
}
