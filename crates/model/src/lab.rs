//! A run's life as a pure state machine: `Lab::handle(now, Event) -> Vec<Effect>`. The lab owns
//! the engines (start, pool, calibration, failure and replacement), the runs (routing to a build,
//! pending and running runs, Stop and force-stop, the processes scheduler, the sweep), the
//! finished runs' records with their baselines, and what the page shows of all that
//! (`lab/view.rs`: the page holds snapshots of it, never a copy of its own). It does no I/O: the
//! page feeds it events (clicks, URL and parent requests, worker messages, timers) and carries
//! out its effects (spawn or terminate a worker, post, start a timer, ask for confirmation,
//! update the view, post to the embedding page). Every transition is a native unit test
//! (`lab/tests.rs`).

pub mod baseline;
mod effect;
mod processes;
pub mod sweep;
#[cfg(test)]
mod tests;
pub mod view;

#[cfg(feature = "test-hooks")]
pub use effect::TestHook;
pub use effect::{Effect, Event, IsolationDemo, Role, Timer, Update, WorkerId};

use crate::experiment::config::{thread_pool_default, Engine, Experiment, Gil, Params, Tool};
use crate::experiment::notice::{CpythonLimit, Notice, Reason, Topic, Unavailable};
use crate::experiment::params::{Field, Param};
use crate::python::cpython;
use crate::run::id::RunId;
use crate::run::prediction::Prediction;
use crate::run::record::{Output, PythonRun, RunRecord};
use crate::run::timeline::{Build, RunReport, RunStatus};
use crate::sim::estimate::{estimate_ms, CONFIRM_ABOVE_MS};
use crate::wire::host::{Rejection, RunAnswer};
use crate::wire::worker::{FromWorker, ToWorker};

/// How long a stopped run may take to answer before its worker is terminated and replaced.
pub const STOP_GRACE_MS: u32 = 40;
/// The same for CPython, which stops at its next bytecode once its interrupt buffer is set
/// (`KeyboardInterrupt`, about 10 ms) and then reports what ran; replacing it costs a reload.
pub const PYTHON_STOP_GRACE_MS: u32 = 150;
/// A threads engine not ready by then is given up on (a pool that cannot start its workers
/// hangs without an error); the other tools go on.
pub const ATOMICS_START_LIMIT_MS: u32 = 15_000;

/// A run asked for: what to run and, for a baseline the page runs itself, the build it must use
/// and the run it is for.
#[derive(Clone, Debug, PartialEq)]
struct RunRequest {
    params: Params,
    build: Option<Build>,
    baseline_for: Option<RunId>,
    /// The embedding page's tag for this request, repeated in its answer.
    reply: Option<String>,
    /// A step of the sweep: its run, whatever id the lab gives it when it starts, moves the
    /// sweep on when it ends.
    sweep_step: bool,
    /// The learner's (or the host's) guess of the run's speedup.
    guess: Option<f64>,
    /// Nobody on the page asked for it: a link's `run=1`, a host's message or the element's
    /// `run`. A processes run waits for a warm pool (see [`Lab::start_up_left`]): a visitor's
    /// own first run pays for its processes' start, and sees it drawn, as CPython's pool would.
    unattended: bool,
    /// The id it runs under, kept for it when its baseline runs first (so that the baseline's
    /// `baseline_for` can name it); `None`: the next id when it starts.
    id: Option<RunId>,
    /// The page already said why it waits for start-up work.
    told_waiting: bool,
}

impl RunRequest {
    fn visitor(params: Params) -> Self {
        RunRequest {
            params,
            build: None,
            baseline_for: None,
            reply: None,
            sweep_step: false,
            guess: None,
            unattended: false,
            id: None,
            told_waiting: false,
        }
    }

    /// A run nobody on the page asked for (see [`RunRequest::unattended`]).
    fn unattended(params: Params) -> Self {
        RunRequest {
            unattended: true,
            ..RunRequest::visitor(params)
        }
    }

    fn engine(&self) -> Engine {
        self.params.engine.unwrap_or_default()
    }
}

/// The run in flight, whatever its tool: the one place that holds its id, what it runs and
/// whether it is stopping.
#[derive(Debug)]
struct Running {
    id: RunId,
    experiment: Experiment,
    build: Build,
    started_at: f64,
    baseline_for: Option<RunId>,
    reply: Option<String>,
    /// A step of the sweep (see [`RunRequest`]).
    sweep_step: bool,
    guess: Option<f64>,
    stopping: bool,
    /// A processes run's tasks, which the lab hands out to the pool's processes one at a time;
    /// `None` for the other tools, whose engine runs the whole experiment.
    processes: Option<processes::Tasks>,
    /// A CPython run's program hash.
    code_hash: Option<String>,
}

impl Running {
    /// Whether its engine runs it whole (not the processes pool, task by task).
    fn in_engine(&self) -> bool {
        self.processes.is_none()
    }
}

/// A worker of one build, with what it has told us.
#[derive(Debug)]
struct EngineWorker {
    worker: WorkerId,
    ready: bool,
}

/// The lab. See the module's documentation.
#[derive(Debug)]
pub struct Lab {
    cores: u32,
    pool_size: u32,
    next_worker: u32,
    plain: Option<EngineWorker>,
    atomics: Option<EngineWorker>,
    /// CPython's worker, started when the visitor first picks it.
    python: Option<EngineWorker>,
    ns_plain: Option<f64>,
    ns_atomics: Option<f64>,
    /// CPython's own loop, measured in CPython.
    ns_cpython: Option<f64>,
    /// CPython's version and load time (ms), once ready.
    python_info: Option<(String, f64)>,
    /// CPython failed to start for good: why (its runs are refused with it).
    python_failed: Option<String>,
    /// CPython ran code nobody on the page asked for (a host's program, run by its message or
    /// the element's `run`): that code may have patched the interpreter and its pool, so the
    /// visitor's next CPython run gets a fresh interpreter, never this one.
    python_host_code: bool,
    /// The program CPython runs (see [`Event::SetCode`]).
    code: Option<String>,
    calibrating: Option<Build>,
    atomics_threads: u32,
    /// An isolated page starts the threads build once the page is ready (the first load stays
    /// light and quick), and once CPython, when it is loading, has measured its loop (it loads
    /// and calibrates on a machine of its own); until then every run waits (see
    /// `start_up_left`).
    threads_later: bool,
    /// Whether the page is cross-origin isolated: CPython's processes block on shared memory.
    isolated: bool,
    /// The compact view: a run without a baseline runs the sequential run of its work first,
    /// so that its one result line has a speedup.
    compact: bool,
    pending: Option<RunRequest>,
    confirming: Option<RunRequest>,
    running: Option<Running>,
    next_run: RunId,
    processes: processes::Pool,
    sweep: Option<sweep::Sweep>,
    /// Test builds: Stop was broken on purpose ([`TestHook::BreakStop`]).
    #[cfg(feature = "test-hooks")]
    stop_broken: bool,
    /// What the page shows: whether the engines are ready, the finished runs, the run in
    /// flight's spans so far, … (see [`view`]).
    view: view::LabView,
    /// Effects of the event being handled.
    out: Vec<Effect>,
}

impl Lab {
    /// A lab for a page with `cores` cores, isolated or not; `run_on_ready` runs once the
    /// engines are calibrated (`run=1`). Nothing starts before [`Event::Start`].
    pub fn new(cores: u32, run_on_ready: Option<Params>) -> Self {
        Lab {
            cores: cores.max(1),
            // Enough threads for Python's default `ThreadPoolExecutor`.
            pool_size: thread_pool_default(cores),
            next_worker: 1,
            plain: None,
            atomics: None,
            python: None,
            ns_plain: None,
            ns_atomics: None,
            ns_cpython: None,
            python_info: None,
            python_failed: None,
            python_host_code: false,
            code: None,
            calibrating: None,
            atomics_threads: 0,
            threads_later: false,
            isolated: false,
            compact: false,
            pending: run_on_ready.map(RunRequest::unattended),
            confirming: None,
            running: None,
            next_run: RunId(1),
            processes: processes::Pool::default(),
            sweep: None,
            #[cfg(feature = "test-hooks")]
            stop_broken: false,
            view: view::LabView::default(),
            out: Vec::new(),
        }
    }

    /// Handles one event at shared-clock time `now` (ms); returns what the page must do.
    pub fn handle(&mut self, now: f64, event: Event) -> Vec<Effect> {
        match event {
            Event::Start { isolated, compact } => {
                self.spawn_engine(Build::Plain);
                self.threads_later = isolated;
                self.isolated = isolated;
                self.compact = compact;
            }
            Event::Run(params) => self.run(now, RunRequest::visitor(params)),
            Event::RunGuessed { params, guess } => {
                let mut asked = RunRequest::visitor(params);
                asked.guess = Some(guess);
                self.run(now, asked);
            }
            Event::RunFor {
                params,
                request,
                guess,
            } => {
                let mut asked = RunRequest::unattended(params);
                asked.reply = request;
                asked.guess = guess;
                self.run(now, asked);
            }
            Event::Confirmed(yes) => match self.confirming.take() {
                Some(request) if yes => self.begin(now, request, true),
                Some(request) => self.reject(request, "The long run was not confirmed."),
                None => {}
            },
            Event::Stop => self.stop(now),
            Event::Sweep(params) => self.start_sweep(now, params),
            Event::ShowIsolation { value } => self.show_isolation(now, value),
            Event::ClearRuns => self.show(Update::RunsCleared),
            Event::UseEngine(engine) => {
                if engine == Engine::Cpython && self.python.is_none() {
                    self.python_failed = None;
                    self.spawn_engine(Build::Cpython);
                }
            }
            Event::SetCode(code) => self.code = code,
            #[cfg(feature = "test-hooks")]
            Event::TestHook(hook) => self.test_hook(hook),
            Event::Message(worker, message) => self.on_message(now, worker, message),
            Event::Crashed(worker, message) => self.on_crash(now, worker, &message),
            Event::Timer(timer) => self.on_timer(now, timer),
        }
        std::mem::take(&mut self.out)
    }

    /// Whether the engines are loaded and calibrated.
    pub fn is_ready(&self) -> bool {
        self.view.ready
    }

    /// The finished runs, oldest first.
    pub fn runs(&self) -> &[view::RunRow] {
        &self.view.runs
    }

    /// What the page shows of the lab, as of the last event.
    pub fn view(&self) -> &view::LabView {
        &self.view
    }

    /// Whether a run is in flight.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Shows `update`: the view changes with it, and the page is told.
    fn show(&mut self, update: Update) {
        self.view.apply(&update);
        self.out.push(Effect::Show(update));
    }

    fn notice(&mut self, topic: impl Into<Topic>, reason: Reason) {
        self.show(Update::Notice(Notice::new(topic, reason)));
    }

    fn new_worker(&mut self, role: Role) -> WorkerId {
        let id = WorkerId(self.next_worker);
        self.next_worker += 1;
        self.out.push(Effect::Spawn { worker: id, role });
        id
    }

    fn spawn_engine(&mut self, build: Build) {
        if let Some(old) = self.slot(build).take() {
            self.out.push(Effect::Terminate(old.worker));
        }
        let worker = self.new_worker(Role::Engine(build));
        *self.slot(build) = Some(EngineWorker {
            worker,
            ready: false,
        });
        if build == Build::Cpython {
            // A new interpreter: runs wait until it has loaded and measured its own loop.
            self.ns_cpython = None;
        }
        if build == Build::Atomics {
            self.atomics_threads = 0;
            self.out.push(Effect::StartTimer(
                Timer::AtomicsStart(worker),
                ATOMICS_START_LIMIT_MS,
            ));
        }
    }

    fn slot(&mut self, build: Build) -> &mut Option<EngineWorker> {
        match build {
            Build::Plain => &mut self.plain,
            Build::Atomics => &mut self.atomics,
            Build::Cpython => &mut self.python,
        }
    }

    fn engine(&self, build: Build) -> Option<&EngineWorker> {
        match build {
            Build::Plain => self.plain.as_ref(),
            Build::Atomics => self.atomics.as_ref(),
            Build::Cpython => self.python.as_ref(),
        }
    }

    fn engine_of(&self, worker: WorkerId) -> Option<Build> {
        [Build::Plain, Build::Atomics, Build::Cpython]
            .into_iter()
            .find(|&b| self.engine(b).is_some_and(|e| e.worker == worker))
    }

    fn calibration(&self, build: Build) -> Option<f64> {
        match build {
            Build::Plain => self.ns_plain,
            Build::Atomics => self.ns_atomics,
            Build::Cpython => self.ns_cpython,
        }
    }

    fn post(&mut self, build: Build, message: ToWorker) {
        if let Some(worker) = self.engine(build).map(|e| e.worker) {
            self.out.push(Effect::Post(worker, message));
        }
    }

    fn on_message(&mut self, now: f64, worker: WorkerId, message: FromWorker) {
        if let Some(build) = self.engine_of(worker) {
            return self.on_engine_message(now, build, message);
        }
        self.on_process_message(now, worker, message);
    }

    fn on_engine_message(&mut self, now: f64, build: Build, message: FromWorker) {
        if build == Build::Cpython {
            return self.on_python_message(now, message);
        }
        match message {
            FromWorker::Ready { pool_threads, .. } => self.engine_ready(now, build, pool_threads),
            FromWorker::Calibrated {
                ns_per_iter,
                spread,
            } => {
                match build {
                    Build::Plain => self.ns_plain = Some(ns_per_iter),
                    Build::Atomics => self.ns_atomics = Some(ns_per_iter),
                    Build::Cpython => self.ns_cpython = Some(ns_per_iter),
                }
                self.calibrating = None;
                self.show(Update::Calibrated(build, ns_per_iter, spread));
                self.calibrate_next();
                self.check_ready(now);
                // A run that waited for the threads build (started after the page was ready).
                if build == Build::Atomics {
                    self.resume_waiting(now);
                }
            }
            other => self.on_run_message(now, build, other),
        }
    }

    /// What an engine of any build says about the run it runs: progress, output, its end, or
    /// that it failed.
    fn on_run_message(&mut self, now: f64, build: Build, message: FromWorker) {
        let current = |lab: &Self, id: RunId| lab.running.as_ref().is_some_and(|r| r.id == id);
        match message {
            FromWorker::Finished { id, report } => self.finish(now, id, report),
            FromWorker::Progress { id, spans, open } if current(self, id) => {
                self.show(Update::Progress(id, spans, open));
            }
            FromWorker::Output { id, text } if current(self, id) => {
                self.show(Update::Output(id, text));
            }
            FromWorker::Failed {
                id: Some(id),
                message,
            } => self.fail_run(now, id, &message),
            FromWorker::Failed { id: None, message } => self.worker_failed(now, build, &message),
            _ => {}
        }
    }

    /// CPython's worker: it loads (with progress), says its version, measures its own loop,
    /// runs programs and streams what they print.
    fn on_python_message(&mut self, now: f64, message: FromWorker) {
        match message {
            FromWorker::Loading { loaded, total } => {
                self.show(Update::PythonLoading(loaded, total));
            }
            FromWorker::Ready {
                started_at,
                ready_at,
                python_version,
                ..
            } => {
                if let Some(engine) = self.python.as_mut() {
                    engine.ready = true;
                }
                let version = python_version.unwrap_or_else(|| "unknown".into());
                let load_ms = (ready_at - started_at).max(0.0);
                self.python_info = Some((version.clone(), load_ms));
                self.show(Update::BuildStarted(Build::Cpython, 1));
                self.show(Update::PythonReady(version, load_ms));
                // Measured again by every new interpreter: a replaced worker is a new one.
                self.ns_cpython = None;
                self.post(Build::Cpython, ToWorker::Calibrate);
            }
            FromWorker::Calibrated {
                ns_per_iter,
                spread,
            } => {
                self.ns_cpython = Some(ns_per_iter);
                self.show(Update::Calibrated(Build::Cpython, ns_per_iter, spread));
                self.resume_waiting(now);
            }
            other => self.on_run_message(now, Build::Cpython, other),
        }
    }

    fn engine_ready(&mut self, now: f64, build: Build, pool_threads: u32) {
        if let Some(engine) = self.slot(build).as_mut() {
            engine.ready = true;
        }
        self.show(Update::BuildStarted(build, pool_threads));
        if build == Build::Atomics && pool_threads == 0 {
            // The module is up, its pool not yet: start the pool, then calibrate on one of its
            // lanes, where threads and their sequential baseline run.
            let threads = self.pool_size;
            self.post(Build::Atomics, ToWorker::StartPool { threads });
        } else if build == Build::Atomics {
            self.atomics_threads = pool_threads;
            if pool_threads < self.pool_size {
                let reason = Reason::PoolShort {
                    started: pool_threads,
                    asked: self.pool_size,
                };
                self.notice(Topic::Threads, reason);
            }
            // A run that waited for the pool (at load, or after a resize).
            self.resume_waiting(now);
        }
        self.calibrate_next();
    }

    /// The threads build is measured on a pool lane once its pool is up, and the plain build
    /// only after that, so that neither measurement overlaps the pool's start.
    fn calibrate_next(&mut self) {
        if self.calibrating.is_some() {
            return;
        }
        let atomics_pending = self.atomics.is_some() && self.ns_atomics.is_none();
        let next = if atomics_pending {
            (self.atomics_threads > 0).then_some(Build::Atomics)
        } else {
            Some(Build::Plain)
                .filter(|&b| self.engine(b).is_some_and(|e| e.ready) && self.ns_plain.is_none())
        };
        if let Some(build) = next {
            self.calibrating = Some(build);
            self.post(build, ToWorker::Calibrate);
        }
    }

    /// Ready once every engine that exists is calibrated.
    fn check_ready(&mut self, now: f64) {
        if self.view.ready {
            return;
        }
        let plain_ok = self.plain.is_none() || self.ns_plain.is_some();
        let atomics_ok = self.atomics.is_none() || self.ns_atomics.is_some();
        if plain_ok && atomics_ok && (self.ns_plain.is_some() || self.ns_atomics.is_some()) {
            self.show(Update::Ready);
            self.resume_waiting(now);
        }
    }

    /// A worker failed outside a run's own reply: a trap, or a script that did not load. A trap
    /// mid-run ends the run with `error` and the worker is replaced; a worker that never became
    /// ready (or whose pool did not start) is given up on.
    fn worker_failed(&mut self, now: f64, build: Build, message: &str) {
        // A build counts as usable once it could run: the threads build with its pool, CPython
        // once it measured its loop (one that fails before that would fail again).
        let usable = self.engine(build).is_some_and(|e| e.ready)
            && (build != Build::Atomics || self.atomics_threads > 0)
            && (build != Build::Cpython || self.ns_cpython.is_some());
        if !usable {
            return self.engine_failed(now, build, message);
        }
        let running_here = self
            .running
            .as_ref()
            .filter(|r| r.build == build && r.in_engine())
            .map(|r| r.id);
        if self.calibrating == Some(build) {
            // The replacement is measured again once it is up.
            self.calibrating = None;
        }
        match running_here {
            Some(id) => self.fail_run(now, id, &format!("the engine crashed: {message}")),
            None => self.notice(
                Topic::Engine,
                Reason::EngineReplaced {
                    cause: message.into(),
                },
            ),
        }
        self.spawn_engine(build);
    }

    fn engine_failed(&mut self, now: f64, build: Build, message: &str) {
        let was_running = self
            .running
            .as_ref()
            .filter(|r| r.build == build && r.in_engine())
            .map(|r| r.id);
        if let Some(engine) = self.slot(build).take() {
            self.out.push(Effect::Terminate(engine.worker));
        }
        if self.calibrating == Some(build) {
            self.calibrating = None;
        }
        // The panel must stop offering what this build ran (threads, its calibration).
        self.show(Update::BuildGone(build));
        match build {
            Build::Atomics => self.notice(
                Topic::Threads,
                Reason::ThreadsUnavailable {
                    cause: message.into(),
                },
            ),
            Build::Plain => self.notice(
                Topic::Engine,
                Reason::EngineFailed {
                    cause: message.into(),
                },
            ),
            Build::Cpython => {
                self.python_failed = Some(message.into());
                self.show(Update::PythonFailed(message.into()));
                let why = CpythonLimit::Failed(message.into());
                self.notice(Field::Engine, Reason::Cpython(why));
            }
        }
        if let Some(id) = was_running {
            self.fail_run(now, id, message);
        }
        // A run that waited for this build (its pool, or CPython) will not get it.
        if build != Build::Plain {
            self.resume_waiting(now);
        }
        self.calibrate_next();
        self.check_ready(now);
    }

    fn on_crash(&mut self, now: f64, worker: WorkerId, message: &str) {
        match self.engine_of(worker) {
            Some(build) => self.worker_failed(now, build, message),
            None => self.process_crashed(now, worker, message),
        }
    }

    fn on_timer(&mut self, now: f64, timer: Timer) {
        match timer {
            Timer::AtomicsStart(worker) => {
                let still_starting = self.atomics.as_ref().is_some_and(|e| e.worker == worker)
                    && self.atomics_threads == 0;
                if still_starting {
                    self.engine_failed(
                        now,
                        Build::Atomics,
                        "its thread pool did not start in time",
                    );
                }
            }
            Timer::StopGrace(id) => self.force_stop(now, id),
        }
    }

    /// The build that runs `tool` on `engine`: CPython runs what it runs itself; on the model
    /// threads need atomics, and sequential uses the atomics build when it exists so that its
    /// baseline comes from the same code as threads.
    fn build_for(&self, engine: Engine, tool: Tool) -> Result<Build, Unavailable> {
        // A threads build still starting counts: its runs wait for it (see `begin`).
        let atomics = self.atomics.is_some() || self.threads_later;
        match Build::for_tool(engine, tool, atomics) {
            Build::Atomics => Ok(Build::Atomics),
            Build::Cpython => Ok(Build::Cpython),
            _ if tool == Tool::Threads => Err(Unavailable::NeedsIsolation),
            _ if self.plain.is_some() => Ok(Build::Plain),
            _ => Err(Unavailable::NoEngine),
        }
    }

    /// What `params` resolve to on this machine, with the calibration of `build`.
    fn resolve(&self, params: &Params, build: Build) -> Experiment {
        params.resolve_calibrated(self.cores, self.calibration(build))
    }

    fn run(&mut self, now: f64, request: RunRequest) {
        if self.sweep.is_some() {
            return self.refuse(
                request,
                Notice::new(Topic::RunRequest, Reason::SweepRunning),
            );
        }
        self.begin(now, request, false);
    }

    /// Tries the run that waits again, unless one is in flight (`begin` keeps it waiting if
    /// what it waits for is still not there).
    fn resume_waiting(&mut self, now: f64) {
        self.start_threads_later();
        if self.running.is_none() {
            if let Some(request) = self.pending.take() {
                self.begin(now, request, false);
            }
        }
    }

    /// Keeps `request` for later; the one it replaces (the newest wins) is told so.
    fn wait(&mut self, request: RunRequest) {
        if let Some(old) = self.pending.replace(request) {
            self.reject(
                old,
                "A newer run request replaced this one before it started.",
            );
        }
    }

    /// Shows why `request` will not run, and tells an embedding page in the same words.
    fn refuse(&mut self, request: RunRequest, notice: Notice) {
        let text = notice.text();
        self.show(Update::Notice(notice));
        self.reject(request, &text);
    }

    /// Tells the embedding page that its request will not run (nothing for the visitor's own).
    fn reject(&mut self, request: RunRequest, message: &str) {
        if let Some(request) = request.reply {
            self.out.push(Effect::ToHost(RunAnswer::Rejected(Rejection {
                request,
                message: message.into(),
                notices: Vec::new(),
            })));
        }
    }

    /// Starts `request` now, or keeps it for when the engines are ready or the run in flight
    /// ends (the newest request wins). `confirmed`: the visitor already agreed to a long run.
    fn begin(&mut self, now: f64, request: RunRequest, confirmed: bool) {
        if !self.view.ready || self.running.is_some() {
            return self.wait(request);
        }
        let tool = request.params.tool.unwrap_or(Tool::Sequential);
        let build = match request.build {
            Some(build) if self.engine(build).is_some() => build,
            Some(_) => return,
            None => match self.build_for(request.engine(), tool) {
                Ok(build) => build,
                Err(cause) => {
                    let notice = Notice::new(Field::Tool, Reason::Unavailable(cause));
                    return self.refuse(request, notice);
                }
            },
        };
        let warm = request.unattended && tool == Tool::Processes && build == Build::Plain;
        let processes = warm.then(|| self.resolve(&request.params, build).lanes());
        if self.start_up_left(now, processes) {
            return self.wait_for_start_up(request);
        }
        if build == Build::Cpython {
            return self.begin_python(now, request, confirmed);
        }
        if build == Build::Atomics && (self.atomics_threads == 0 || self.ns_atomics.is_none()) {
            // The threads build is still starting (its pool, then its calibration on a pool
            // lane): threads, and the sequential baseline that runs as one lane of it, run as
            // soon as it is up, never with the other build's figures.
            return self.wait(request);
        }
        let mut experiment = self.resolve(&request.params, build);
        if self.wants_baseline_first(&request, &experiment)
            && !baseline::exists(&self.view.runs, &experiment, build, None)
        {
            // A guess meets a measured speedup, and the compact view's one line shows one:
            // the sequential run of the same work, in the same build, runs first, and the run
            // waits for it.
            let base = RunRequest {
                build: Some(build),
                ..RunRequest::visitor(baseline::sequential_of(&experiment))
            };
            return self.baseline_first(now, request, base, Self::begin);
        }
        let request = match self.calibration(build) {
            Some(ns) => match self.unless_long(request, &experiment, ns, confirmed) {
                Some(request) => request,
                None => return,
            },
            None => request,
        };
        if tool == Tool::Threads && experiment.workers > self.atomics_threads {
            if self.pool_size < experiment.workers {
                // A bigger pool than this one: restart the threads engine with it, then run.
                let reason = Reason::PoolRestart {
                    workers: experiment.workers,
                    had: self.atomics_threads,
                };
                self.notice(Field::Workers, reason);
                self.pool_size = experiment.workers;
                self.wait(request);
                self.spawn_engine(Build::Atomics);
                return;
            }
            // The browser started fewer threads than asked: never pretend otherwise.
            experiment.workers = self.atomics_threads.max(1);
        }
        let pool = (tool == Tool::Processes).then(|| processes::Tasks::new(&experiment));
        let id = self.start(now, request, experiment, build, pool, None);
        if tool == Tool::Processes {
            self.run_processes(now);
        } else {
            self.post(build, ToWorker::Run { id, experiment });
        }
    }

    /// Makes `request` the run in flight, numbered next, and shows that it started: what every
    /// build does before its engine gets the run.
    fn start(
        &mut self,
        now: f64,
        request: RunRequest,
        experiment: Experiment,
        build: Build,
        processes: Option<processes::Tasks>,
        code_hash: Option<String>,
    ) -> RunId {
        let id = request.id.unwrap_or_else(|| {
            let id = self.next_run;
            self.next_run.0 += 1;
            id
        });
        self.running = Some(Running {
            id,
            experiment,
            build,
            started_at: now,
            baseline_for: request.baseline_for,
            reply: request.reply,
            sweep_step: request.sweep_step,
            guess: request.guess,
            stopping: false,
            processes,
            code_hash,
        });
        self.show(Update::Started(id, now));
        id
    }

    /// Whether `request` should meet a measured speedup that needs a sequential run first: it
    /// carries a guess, or the compact view shows its result line (a baseline or sweep run the
    /// page starts itself asks for none).
    fn wants_baseline_first(&self, request: &RunRequest, experiment: &Experiment) -> bool {
        let own = request.baseline_for.is_some() || request.sweep_step;
        (request.guess.is_some() || (self.compact && !own))
            && crate::teaching::predict::asks(experiment.tool, experiment.kind)
    }

    /// Runs `base`, the sequential run of `request`'s work, first (through `begin`), and keeps
    /// `request` waiting for it. The two ids are kept in order, the baseline's first, so that
    /// the baseline names the run it is for (`baseline_for`) when an embedding page gets it.
    fn baseline_first(
        &mut self,
        now: f64,
        mut request: RunRequest,
        mut base: RunRequest,
        begin: fn(&mut Self, f64, RunRequest, bool),
    ) {
        let topic = if request.guess.is_some() {
            Param::Predict
        } else {
            Param::View
        };
        self.notice(topic, Reason::BaselineFirst);
        let base_id = self.next_run;
        let run_id = RunId(base_id.0 + 1);
        self.next_run = RunId(base_id.0 + 2);
        request.id = Some(run_id);
        base.id = Some(base_id);
        base.baseline_for = Some(run_id);
        base.unattended = request.unattended;
        base.reply = None;
        self.wait(request);
        begin(self, now, base, false);
    }

    /// Spawns the threads build that waits for the page (`threads_later`) once the page is
    /// ready and CPython, if it is loading, has measured its loop or failed (its worker gone).
    fn start_threads_later(&mut self) {
        let python_done = self.python.is_none() || self.ns_cpython.is_some();
        if self.threads_later && self.view.ready && python_done {
            self.threads_later = false;
            self.spawn_engine(Build::Atomics);
        }
    }

    /// Whether the threads build is still starting (its module, pool or calibration).
    fn threads_starting(&self) -> bool {
        self.threads_later
            || (self.atomics.is_some() && (self.atomics_threads == 0 || self.ns_atomics.is_none()))
    }

    /// The page's own start-up work that no run may share the machine with (a run beside it
    /// would be measured slower than it is), (`false` when there is none left): the threads
    /// build starting, and for an unattended processes run on `processes` lanes, a pool that
    /// is not yet warm (its missing processes are started now).
    fn start_up_left(&mut self, now: f64, processes: Option<u32>) -> bool {
        let cold = processes.is_some_and(|lanes| self.warm_pool(now, lanes as usize) > 0);
        self.threads_starting() || cold
    }

    /// Keeps `request` until the page's start-up work is done, saying once why.
    fn wait_for_start_up(&mut self, mut request: RunRequest) {
        if !request.told_waiting {
            request.told_waiting = true;
            self.notice(Topic::RunRequest, Reason::AfterStartUp);
        }
        self.wait(request);
    }

    /// `request`, when it may start now: a run estimated (on a kernel costing `ns` an
    /// iteration) beyond `CONFIRM_ABOVE_MS` is kept until the visitor confirms it, unless they
    /// already did (`confirmed`).
    fn unless_long(
        &mut self,
        request: RunRequest,
        experiment: &Experiment,
        ns: f64,
        confirmed: bool,
    ) -> Option<RunRequest> {
        let estimate = estimate_ms(experiment, ns, self.cores);
        if estimate > CONFIRM_ABOVE_MS && !confirmed {
            self.confirming = Some(request);
            self.out.push(Effect::Confirm {
                estimate_ms: estimate,
            });
            return None;
        }
        Some(request)
    }

    /// Starts a CPython run, or keeps it until CPython is loaded and has measured its loop (the
    /// program's `N` comes from that measurement). What CPython cannot run is refused, saying
    /// why.
    fn begin_python(&mut self, now: f64, request: RunRequest, confirmed: bool) {
        if let Some(cause) = self.python_failed.clone() {
            let why = Reason::Cpython(CpythonLimit::Failed(cause));
            return self.refuse(request, Notice::new(Field::Engine, why));
        }
        if request.params.tool == Some(Tool::Processes) && !self.isolated {
            // The parent's pool.map blocks on shared memory until its processes reply; a page
            // without it would have to hang, or run them one after another and call it parallel.
            // Said at once: no wait for CPython to load first.
            let why = Reason::Cpython(CpythonLimit::ProcessesNeedIsolation);
            return self.refuse(request, Notice::new(Field::Tool, why));
        }
        if request.params.tool == Some(Tool::Threads) && request.params.gil == Some(Gil::Off) {
            // CPython runs the program with its GIL whatever the form says: a record saying
            // "GIL off" would be false.
            let why = Reason::Cpython(CpythonLimit::FreeThreadedIsModels);
            return self.refuse(request, Notice::new(Field::Gil, why));
        }
        if !request.unattended && std::mem::take(&mut self.python_host_code) {
            // The host's code ran in this interpreter (and its pool): a fresh one for the
            // visitor, loaded and calibrated again before the run starts.
            self.spawn_engine(Build::Cpython);
        }
        if self.python.is_none() {
            self.spawn_engine(Build::Cpython);
        }
        let Some(ns) = self.ns_cpython else {
            return self.wait(request);
        };
        let experiment = self.resolve(&request.params, Build::Cpython);
        let Some(request) = self.unless_long(request, &experiment, ns, confirmed) else {
            return;
        };
        // The editor's program with the run's values in its constants (the form and the
        // editor agree already; a host's request may name other values), or the generated one.
        let code = match &self.code {
            Some(code) => cpython::set_constants(code, &experiment),
            None => cpython::program(&experiment),
        };
        let hash = cpython::code_hash(&code);
        if self.wants_baseline_first(&request, &experiment)
            && !baseline::exists(&self.view.runs, &experiment, Build::Cpython, Some(&hash))
        {
            // As on the model: the same program, sequential, runs first.
            let mut base = RunRequest::visitor(baseline::sequential_of(&experiment));
            base.params.engine = Some(Engine::Cpython);
            return self.baseline_first(now, request, base, Self::begin_python);
        }
        if request.unattended && self.code.is_some() {
            self.python_host_code = true;
        }
        let id = self.start(now, request, experiment, Build::Cpython, None, Some(hash));
        // The output panel is this run's from now on.
        self.show(Update::Output(id, String::new()));
        self.post(
            Build::Cpython,
            ToWorker::RunCode {
                id,
                experiment,
                code,
            },
        );
    }

    /// Test builds: carries out a test's hook. The trap reaches plain-build engines only: the
    /// test build of the site ships the release threads build, which has no trap.
    #[cfg(feature = "test-hooks")]
    fn test_hook(&mut self, hook: TestHook) {
        match hook {
            TestHook::Trap => match self.running.as_ref() {
                Some(r) if !r.in_engine() => self.trap_a_process(),
                Some(r) if r.build == Build::Plain => self.post(Build::Plain, ToWorker::Trap),
                _ => {}
            },
            TestHook::BreakStop => self.stop_broken = true,
            TestHook::SetParentCounter(value) => self.processes.parent_counter = value,
        }
    }

    /// Stop: the run in flight is asked to stop (a worker that does not answer in time is
    /// replaced); a run still waiting is dropped.
    fn stop(&mut self, now: f64) {
        #[cfg(feature = "test-hooks")]
        if self.stop_broken {
            return;
        }
        if let Some(dropped) = self.pending.take() {
            self.reject(dropped, "Stopped before it started.");
        }
        let Some(running) = self.running.as_mut().filter(|r| !r.stopping) else {
            return;
        };
        running.stopping = true;
        let (id, build, in_engine) = (running.id, running.build, running.in_engine());
        if !in_engine {
            self.stop_processes(now);
        } else if let Some(worker) = self.engine(build).map(|e| e.worker) {
            self.out.push(Effect::Cancel(worker, id));
        }
        let grace = if build == Build::Cpython {
            PYTHON_STOP_GRACE_MS
        } else {
            STOP_GRACE_MS
        };
        self.out
            .push(Effect::StartTimer(Timer::StopGrace(id), grace));
    }

    /// The worker did not answer Stop in time: it is busy in a task that cannot read messages.
    fn force_stop(&mut self, now: f64, id: RunId) {
        let Some(running) = self.running.as_ref().filter(|r| r.id == id) else {
            return;
        };
        if !running.in_engine() {
            return self.force_stop_processes(now);
        }
        let build = running.build;
        let message = "The worker was busy computing; it was terminated and replaced.";
        if let Some(report) = self.report_so_far(now, RunStatus::Stopped, message) {
            self.spawn_engine(build);
            self.finish(now, id, report);
        }
    }

    /// The report of the run in flight as far as the page saw it (its streamed spans).
    fn report_so_far(&self, now: f64, status: RunStatus, message: &str) -> Option<RunReport> {
        let running = self.running.as_ref()?;
        let spans = self.view.live_spans();
        let done = crate::run::stats::task_times(&spans)
            .keys()
            .filter(|&&t| crate::run::timeline::TaskRef::of(t).is_task())
            .count() as u32;
        Some(RunReport {
            streamed: 0,
            experiment: running.experiment,
            status,
            build: running.build,
            started_at: running.started_at,
            wall_ms: now - running.started_at,
            spans,
            pool_threads: 1,
            paid_startup: false,
            tasks_done: if status == RunStatus::Error { 0 } else { done },
            checksum: 0,
            message: Some(message.into()),
            gil_switches: None,
            gil_events: Vec::new(),
            counts: None,
        })
    }

    fn fail_run(&mut self, now: f64, id: RunId, message: &str) {
        if self.running.as_ref().is_some_and(|r| r.id == id) {
            if let Some(report) = self.report_so_far(now, RunStatus::Error, message) {
                self.finish(now, id, report);
            }
        }
    }

    /// Run `id` ended: its record (with its baseline), the embedding page's message, the sweep's
    /// next step, a baseline the table needs, or the run that waited.
    fn finish(&mut self, now: f64, id: RunId, mut report: RunReport) {
        let Some(running) = self.running.take_if(|r| r.id == id) else {
            return;
        };
        if report.streamed > 0 {
            // The engine left out the spans it streamed: the page has them, in order.
            let mut spans = self.view.live_spans();
            spans.truncate(report.streamed as usize);
            spans.append(&mut report.spans);
            report.spans = spans;
            report.streamed = 0;
        }
        let mut record = RunRecord::new(id, report, running.baseline_for);
        if let (Some(code_hash), Some((version, load_ms))) =
            (running.code_hash.clone(), self.python_info.clone())
        {
            // What the output panel shows of this run (the lab starts it afresh at the run's
            // start): the record carries it, so a host reads it without reading the frame.
            let shown = &self.view.python;
            let output = (shown.output_run == Some(id)).then(|| Output {
                text: shown.output.to_string(),
                cut: shown.output_cut,
            });
            record.python = Some(PythonRun {
                version,
                code_hash,
                load_ms,
                output: Some(output.unwrap_or_default()),
            });
        }
        record.prediction = running.guess.map(Prediction::new);
        if let Some(base) = baseline::find(&self.view.runs, &record) {
            record.set_baseline(base);
        }
        // A baseline made for an earlier run gives that run its speedup now.
        let updated = running
            .baseline_for
            .and_then(|r| self.view.runs.iter().find(|row| row.id == r))
            .filter(|row| row.baseline_run.is_none() && baseline::matches(&record, row))
            .map(|row| {
                let mut updated = RunRecord::clone(row);
                updated.set_baseline(&record);
                updated
            });
        if let Some(updated) = updated {
            self.show(Update::RunUpdated(updated));
        }
        let missing = baseline::missing(&self.view.runs, &record);
        let (status, wall_ms, workers) = (record.status, record.wall_ms, record.experiment.workers);
        self.out.push(Effect::ToHost(RunAnswer::Finished {
            record: record.clone(),
            request: running.reply,
        }));
        self.show(Update::RunAdded(record));
        if running.sweep_step {
            self.sweep_step_finished(now, status, wall_ms, workers);
        }
        if self.running.is_some() {
            return;
        }
        if let Some(request) = self.pending.take() {
            self.begin(now, request, false);
        } else if let Some((params, build)) = missing.filter(|_| self.sweep.is_none()) {
            let request = RunRequest {
                build: Some(build),
                baseline_for: Some(id),
                ..RunRequest::visitor(params)
            };
            self.begin(now, request, false);
        }
    }
}
