//! The lab: owns the engine workers, turns the visitor's parameters into runs, routes each run to
//! the build that can run it, stops runs, and reports results to the UI (which makes each run's
//! record, its baseline and the message to an embedding page from them).
//!
//! Still app code with its own copy of some state (DESIGN.md's "one owner" is the next step:
//! this controller as `model::lab::Lab::handle(Event) -> Vec<Effect>`); the rules it applies
//! that need no browser already live in `model::lab` (baselines, the sweep plan) and
//! `model::record`, tested natively.

mod processes;
mod sweep;

use crate::browser;
use crate::state::{Action, IsolationDemo, State};
use crate::worker_link::{WorkerEvent, WorkerLink};
use gloo_timers::callback::Timeout;
use model::estimate::{estimate_ms, CONFIRM_ABOVE_MS};
use model::protocol::{FromWorker, ToWorker};
use model::timeline::{Build, RunReport, RunStatus};
use model::{Experiment, Notice, Params, Tool};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use yew::UseReducerDispatcher;

/// How long a stopped run may take to answer before its worker is terminated and replaced.
const STOP_GRACE_MS: u32 = 40;
/// A threads engine not ready by then is given up on (a pool that cannot start its workers
/// hangs without an error); the other tools go on.
const ATOMICS_START_LIMIT_MS: u32 = 15_000;

/// A run asked for: what to run and, for a baseline the page runs itself, the build it must use
/// and the run it is for.
#[derive(Clone, Debug)]
pub struct RunRequest {
    params: Params,
    build: Option<Build>,
    baseline_for: Option<u32>,
}

impl RunRequest {
    fn visitor(params: Params) -> Self {
        RunRequest {
            params,
            build: None,
            baseline_for: None,
        }
    }
}

/// A run in flight.
struct Running {
    baseline_for: Option<u32>,
    id: u32,
    tool: Tool,
    experiment: Experiment,
    build: Build,
    started_at: f64,
    stop_guard: Option<Timeout>,
}

/// A worker of one build, with what it has told us.
struct Engine {
    link: WorkerLink,
    ready: bool,
}

/// The lab; shared as `Rc<RefCell<Lab>>` between the UI and the workers' message handlers.
pub struct Lab {
    ui: UseReducerDispatcher<State>,
    this: Weak<RefCell<Lab>>,
    cores: u32,
    pool_size: u32,
    plain: Option<Engine>,
    atomics: Option<Engine>,
    ns_plain: Option<f64>,
    ns_atomics: Option<f64>,
    calibrating: Option<Build>,
    ready: bool,
    pending_run: Option<RunRequest>,
    running: Option<Running>,
    next_id: u32,
    processes: Vec<Option<processes::Process>>,
    process_generation: u32,
    process_run: Option<processes::ProcessRun>,
    isolation: Option<IsolationDemo>,
    isolation_sent: bool,
    atomics_threads: u32,
    sweep: Option<sweep::Sweep>,
}

impl Lab {
    /// Starts the engines; `run_on_ready` runs once they are calibrated (`run=1`).
    pub fn start(
        ui: UseReducerDispatcher<State>,
        run_on_ready: Option<Params>,
    ) -> Rc<RefCell<Lab>> {
        let isolated = browser::cross_origin_isolated();
        let cores = browser::cores();
        let lab = Rc::new_cyclic(|this| {
            RefCell::new(Lab {
                ui,
                this: this.clone(),
                cores,
                // Enough threads for Python's default `ThreadPoolExecutor`.
                pool_size: model::config::thread_pool_default(cores),
                plain: None,
                atomics: None,
                ns_plain: None,
                ns_atomics: None,
                calibrating: None,
                ready: false,
                pending_run: run_on_ready.map(RunRequest::visitor),
                running: None,
                next_id: 1,
                processes: Vec::new(),
                process_generation: 0,
                process_run: None,
                isolation: None,
                isolation_sent: false,
                atomics_threads: 0,
                sweep: None,
            })
        });
        {
            let mut l = lab.borrow_mut();
            l.spawn(Build::Plain);
            if isolated {
                l.spawn(Build::Atomics);
            }
        }
        lab
    }

    fn notice(&self, param: &str, message: &str) {
        self.ui.dispatch(Action::AddNotice(Notice {
            param: param.into(),
            message: message.into(),
        }));
    }

    fn spawn(&mut self, build: Build) {
        let query = match build {
            Build::Plain => "build=plain".to_string(),
            Build::Atomics => {
                self.atomics_threads = 0;
                "build=atomics".to_string()
            }
        };
        let this = self.this.clone();
        let link = WorkerLink::spawn(&query, move |event| {
            if let Some(lab) = this.upgrade() {
                lab.borrow_mut().on_event(build, event);
            }
        });
        match link {
            Ok(link) => *self.slot(build) = Some(Engine { link, ready: false }),
            Err(message) => return self.engine_failed(build, &message),
        }
        if build == Build::Atomics {
            let this = self.this.clone();
            Timeout::new(ATOMICS_START_LIMIT_MS, move || {
                if let Some(lab) = this.upgrade() {
                    let mut lab = lab.borrow_mut();
                    if lab.atomics.is_some() && lab.atomics_threads == 0 {
                        lab.engine_failed(Build::Atomics, "its thread pool did not start in time");
                    }
                }
            })
            .forget();
        }
    }

    fn slot(&mut self, build: Build) -> &mut Option<Engine> {
        match build {
            Build::Plain => &mut self.plain,
            Build::Atomics => &mut self.atomics,
        }
    }

    fn engine(&self, build: Build) -> Option<&Engine> {
        match build {
            Build::Plain => self.plain.as_ref(),
            Build::Atomics => self.atomics.as_ref(),
        }
    }

    fn calibration(&self, build: Build) -> Option<f64> {
        match build {
            Build::Plain => self.ns_plain,
            Build::Atomics => self.ns_atomics,
        }
    }

    fn on_event(&mut self, build: Build, event: WorkerEvent) {
        match event {
            WorkerEvent::Crashed(message) => self.worker_failed(build, &message),
            WorkerEvent::Message(message) => self.on_message(build, message),
        }
    }

    /// A worker failed outside a run's own reply: a trap, or a script that did not load. A trap
    /// mid-run ends the run with `error` and the worker is replaced; a worker that never became
    /// ready (or whose pool did not start) is given up on.
    fn worker_failed(&mut self, build: Build, message: &str) {
        let running_here = self
            .running
            .as_ref()
            .filter(|r| r.build == build && r.tool != Tool::Processes)
            .map(|r| r.id);
        let usable = self.engine(build).is_some_and(|e| e.ready)
            && (build == Build::Plain || self.atomics_threads > 0);
        if !usable {
            return self.engine_failed(build, message);
        }
        if let Some(id) = running_here {
            self.fail_run(id, &format!("the engine crashed: {message}"));
        } else {
            self.notice(
                "engine",
                &format!("An engine worker failed ({message}); it was replaced."),
            );
        }
        *self.slot(build) = None;
        self.spawn(build);
    }

    fn on_message(&mut self, build: Build, message: FromWorker) {
        match message {
            FromWorker::Ready { pool_threads, .. } => {
                if let Some(engine) = self.slot(build) {
                    engine.ready = true;
                }
                self.ui.dispatch(Action::BuildStarted(build, pool_threads));
                if build == Build::Atomics && pool_threads == 0 {
                    // The module is up, its pool not yet: start the pool, then calibrate on one
                    // of its lanes, where threads and their sequential baseline run.
                    self.send(
                        Build::Atomics,
                        &ToWorker::StartPool {
                            threads: self.pool_size,
                        },
                    );
                } else if build == Build::Atomics {
                    self.atomics_threads = pool_threads;
                    if pool_threads < self.pool_size {
                        self.notice(
                            "threads",
                            &format!(
                                "The thread pool started {pool_threads} of {} threads; runs use \
                                 only the threads that really exist.",
                                self.pool_size
                            ),
                        );
                    }
                    // A run that waited for the pool (at load, or after a resize).
                    if self.ready && self.running.is_none() {
                        if let Some(request) = self.pending_run.take() {
                            self.begin(request);
                        }
                    }
                }
                self.calibrate_next();
            }
            FromWorker::Calibrated {
                ns_per_iter,
                spread,
            } => {
                match build {
                    Build::Plain => self.ns_plain = Some(ns_per_iter),
                    Build::Atomics => self.ns_atomics = Some(ns_per_iter),
                }
                self.calibrating = None;
                self.ui
                    .dispatch(Action::Calibrated(build, ns_per_iter, spread));
                self.calibrate_next();
                self.check_ready();
            }
            FromWorker::Finished { id, report } => self.finish(id, report),
            FromWorker::Progress { id, spans, open } => {
                if self.running.as_ref().is_some_and(|r| r.id == id) {
                    self.ui.dispatch(Action::Progress(id, spans, open));
                }
            }
            FromWorker::Failed {
                id: Some(id),
                message,
            } => self.fail_run(id, &message),
            FromWorker::Failed { id: None, message } => self.worker_failed(build, &message),
            FromWorker::TaskDone { .. } | FromWorker::Peeked { .. } => {}
        }
    }

    /// Calibrates one build at a time: two builds measured at once on a 2-core machine (while the
    /// page itself renders) disturb each other's figures. A replacement worker keeps its build's
    /// figure.
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
            self.send(build, &ToWorker::Calibrate);
        }
    }

    /// Ready once every engine that exists is calibrated.
    fn check_ready(&mut self) {
        if self.ready {
            return;
        }
        let plain_ok = self.plain.is_none() || self.ns_plain.is_some();
        let atomics_ok = self.atomics.is_none() || self.ns_atomics.is_some();
        if plain_ok && atomics_ok && (self.ns_plain.is_some() || self.ns_atomics.is_some()) {
            self.ready = true;
            self.ui.dispatch(Action::Ready);
            if let Some(request) = self.pending_run.take() {
                self.begin(request);
            }
        }
    }

    fn engine_failed(&mut self, build: Build, message: &str) {
        let was_running = self
            .running
            .as_ref()
            .filter(|r| r.build == build)
            .map(|r| r.id);
        *self.slot(build) = None;
        if self.calibrating == Some(build) {
            self.calibrating = None;
        }
        // The panel must stop offering what this build ran (threads, its calibration).
        self.ui.dispatch(Action::BuildGone(build));
        match build {
            Build::Atomics => self.notice(
                "threads",
                &format!("Threads are unavailable: {message}. The other tools still run."),
            ),
            Build::Plain => self.notice("engine", &format!("The engine failed: {message}.")),
        }
        if let Some(id) = was_running {
            self.fail_run(id, message);
        }
        self.calibrate_next();
        self.check_ready();
    }

    fn send(&self, build: Build, request: &ToWorker) {
        if let Some(engine) = self.engine(build) {
            engine.link.send(request);
        }
    }

    /// The build that runs `tool`: threads need atomics; sequential uses the atomics build when
    /// it exists so that its baseline comes from the same code as threads.
    fn build_for(&self, tool: Tool) -> Result<Build, String> {
        let atomics = self.atomics.is_some() && self.ns_atomics.is_some();
        match Build::for_tool(tool, atomics) {
            Build::Atomics => Ok(Build::Atomics),
            _ if tool == Tool::Threads => Err(
                "Threads need a cross-origin isolated page (SharedArrayBuffer); open the \
                 playground in its own tab to use them."
                    .into(),
            ),
            _ if self.plain.is_some() => Ok(Build::Plain),
            _ => Err("The engine is not available.".into()),
        }
    }

    /// What `params` resolve to on this machine, with the calibration of `build`.
    pub fn resolve(&self, params: &Params, build: Build) -> Experiment {
        params.resolve_calibrated(self.cores, self.calibration(build))
    }

    /// Runs `params` (after the engines are ready; after the run in flight, if any).
    pub fn run(&mut self, params: Params) {
        if self.running.is_some() && self.sweep.is_some() {
            return self.notice(
                "run",
                "A speedup sweep is running; run this experiment once it has finished.",
            );
        }
        self.begin(RunRequest::visitor(params));
    }

    /// Runs the baseline `params` in `build` for run `for_run`, unless something runs already
    /// (the row then shows "—" and says which run would give its speedup).
    pub fn run_baseline(&mut self, for_run: u32, params: Params, build: Build) {
        if self.running.is_none() && self.pending_run.is_none() && self.sweep.is_none() {
            self.begin(RunRequest {
                params,
                build: Some(build),
                baseline_for: Some(for_run),
            });
        }
    }

    fn begin(&mut self, request: RunRequest) {
        if !self.ready || self.running.is_some() {
            // Carried out when the engines are ready, or when the run in flight ends.
            self.pending_run = Some(request);
            return;
        }
        let params = request.params.clone();
        let tool = params.tool.unwrap_or(Tool::Sequential);
        let build = match request.build {
            Some(build) if self.engine(build).is_some() => build,
            Some(_) => return,
            None => match self.build_for(tool) {
                Ok(build) => build,
                Err(message) => return self.notice("tool", &message),
            },
        };
        let mut experiment = self.resolve(&params, build);
        if let Some(ns) = self.calibration(build) {
            let estimate = estimate_ms(&experiment, ns, self.cores);
            if estimate > CONFIRM_ABOVE_MS && !confirm_long_run(estimate) {
                return;
            }
        }
        if build == Build::Atomics && self.atomics_threads == 0 {
            // The pool is still starting (threads, and the sequential baseline that runs as one
            // lane of it): run as soon as it is up.
            self.pending_run = Some(request);
            return;
        }
        if tool == Tool::Threads && experiment.workers > self.atomics_threads {
            if self.pool_size < experiment.workers {
                // A bigger pool than this one: restart the threads engine with it, then run.
                self.notice(
                    "workers",
                    &format!(
                        "Starting a pool of {} threads for this run (it had {}); the start-up \
                         is not counted in the run.",
                        experiment.workers, self.atomics_threads
                    ),
                );
                self.pool_size = experiment.workers;
                self.pending_run = Some(request);
                *self.slot(Build::Atomics) = None;
                self.spawn(Build::Atomics);
                return;
            }
            // The browser started fewer threads than asked: never pretend otherwise.
            experiment.workers = self.atomics_threads.max(1);
        }
        let id = self.next_id;
        self.next_id += 1;
        let started_at = browser::now();
        self.running = Some(Running {
            baseline_for: request.baseline_for,
            id,
            tool,
            experiment,
            build,
            started_at,
            stop_guard: None,
        });
        self.ui.dispatch(Action::Started(id, started_at));
        if tool == Tool::Processes {
            self.run_processes(id, experiment);
        } else {
            self.send(build, &ToWorker::Run { id, experiment });
        }
    }

    /// Tests only (see `ToWorker::Trap`): makes the engine of the run in flight trap.
    pub fn trap(&mut self) {
        if let Some(r) = self.running.as_ref().filter(|r| r.tool != Tool::Processes) {
            self.send(r.build, &ToWorker::Trap);
        }
    }

    /// Stops the run in flight; a worker that does not answer in time is replaced.
    pub fn stop(&mut self) {
        // A run still waiting (for the pool, or behind this one) is simply dropped.
        self.pending_run = None;
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let (id, build, tool) = (running.id, running.build, running.tool);
        if tool == Tool::Processes {
            self.stop_processes();
        } else if let Some(engine) = self.engine(build) {
            engine.link.cancel(id);
        }
        let this = self.this.clone();
        let guard = Timeout::new(STOP_GRACE_MS, move || {
            if let Some(lab) = this.upgrade() {
                lab.borrow_mut().force_stop(id);
            }
        });
        if let Some(running) = self.running.as_mut() {
            running.stop_guard = Some(guard);
        }
    }

    /// The worker did not answer Stop: it is busy in a task that cannot read messages.
    fn force_stop(&mut self, id: u32) {
        let Some(running) = self.running.as_ref().filter(|r| r.id == id) else {
            return;
        };
        if running.tool == Tool::Processes {
            return self.force_stop_processes(id);
        }
        let build = running.build;
        let report = self.empty_report(
            running,
            RunStatus::Stopped,
            "The worker was busy computing; it was terminated and replaced.",
        );
        *self.slot(build) = None;
        self.spawn(build);
        self.finish(id, report);
    }

    fn empty_report(&self, running: &Running, status: RunStatus, message: &str) -> RunReport {
        RunReport {
            experiment: running.experiment,
            status,
            build: running.build,
            started_at: running.started_at,
            wall_ms: browser::now() - running.started_at,
            spans: Vec::new(),
            pool_threads: 1,
            paid_startup: false,
            tasks_done: 0,
            checksum: 0,
            message: Some(message.into()),
            gil_switches: None,
        }
    }

    fn fail_run(&mut self, id: u32, message: &str) {
        let Some(running) = self.running.as_ref().filter(|r| r.id == id) else {
            return;
        };
        let report = self.empty_report(running, RunStatus::Error, message);
        self.finish(id, report);
    }

    fn finish(&mut self, id: u32, report: RunReport) {
        let Some(running) = self.running.take_if(|r| r.id == id) else {
            return;
        };
        let done = (report.status, report.wall_ms, report.experiment.workers);
        self.ui
            .dispatch(Action::Finished(id, report, running.baseline_for));
        self.sweep_run_finished(id, done);
        if self.running.is_none() {
            if let Some(request) = self.pending_run.take() {
                self.begin(request);
            }
        }
    }
}

fn confirm_long_run(estimate_ms: f64) -> bool {
    let text = format!(
        "This run should take about {:.0} s and will keep your processor busy. Run it anyway?",
        estimate_ms / 1000.0
    );
    web_sys::window()
        .and_then(|w| w.confirm_with_message(&text).ok())
        .unwrap_or(false)
}
