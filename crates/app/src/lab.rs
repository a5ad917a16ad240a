//! The lab: owns the engine workers, turns the visitor's parameters into runs, routes each run to
//! the build that can run it, stops runs, and reports results to the UI and the embedding page.

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

/// A run in flight.
struct Running {
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
    pending_run: Option<Params>,
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
                pending_run: run_on_ready,
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
                format!("build=atomics&threads={}", self.pool_size)
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
            WorkerEvent::SharedCancel(view, index) => {
                if let Some(engine) = self.slot(build) {
                    engine.link.set_cancel_word(view, index);
                }
            }
            WorkerEvent::Crashed(message) => self.engine_failed(build, &message),
            WorkerEvent::Message(message) => self.on_message(build, message),
        }
    }

    fn on_message(&mut self, build: Build, message: FromWorker) {
        match message {
            FromWorker::Ready { pool_threads, .. } => {
                if let Some(engine) = self.slot(build) {
                    engine.ready = true;
                }
                self.ui.dispatch(Action::BuildStarted(build, pool_threads));
                if build == Build::Atomics && pool_threads == 0 {
                    // The module is up, its pool not yet: calibrate first (a starting pool
                    // would disturb the measurement), then start the pool.
                    if self.ns_atomics.is_some() {
                        self.send(Build::Atomics, &ToWorker::StartPool);
                    }
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
                        if let Some(params) = self.pending_run.take() {
                            self.run(params);
                        }
                    }
                }
                self.calibrate_next();
            }
            FromWorker::Calibrated { ns_per_iter } => {
                match build {
                    Build::Plain => self.ns_plain = Some(ns_per_iter),
                    Build::Atomics => self.ns_atomics = Some(ns_per_iter),
                }
                self.calibrating = None;
                self.ui.dispatch(Action::Calibrated(build, ns_per_iter));
                if build == Build::Atomics {
                    self.send(Build::Atomics, &ToWorker::StartPool);
                }
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
            FromWorker::Failed { id: None, message }
                if build == Build::Atomics && self.atomics_threads == 0 =>
            {
                // The pool did not start: no threads here (never a one-thread "pool").
                self.engine_failed(build, &message);
            }
            FromWorker::Failed { id: None, message } => {
                let running_here = self
                    .running
                    .as_ref()
                    .filter(|r| r.build == build && r.tool != Tool::Processes);
                if let Some(id) = running_here.map(|r| r.id) {
                    // A trap mid-run leaves the instance unusable: replace the worker.
                    self.fail_run(id, &message);
                    *self.slot(build) = None;
                    self.spawn(build);
                } else if self.engine(build).is_some_and(|e| e.ready) {
                    self.notice("engine", &message);
                } else {
                    self.engine_failed(build, &message);
                }
            }
            FromWorker::TaskDone { .. } | FromWorker::Peeked { .. } => {}
        }
    }

    /// Calibrates one build at a time: two builds measured at once on a 2-core machine (while the
    /// page itself renders) disturb each other's figures. A replacement worker keeps its build's
    /// figure.
    fn calibrate_next(&mut self) {
        if self.calibrating.is_some() {
            return;
        }
        let next = [Build::Atomics, Build::Plain]
            .into_iter()
            .find(|&b| self.engine(b).is_some_and(|e| e.ready) && self.calibration(b).is_none());
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
            if let Some(params) = self.pending_run.take() {
                self.run(params);
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

    /// Runs `params` (after the engines are ready).
    pub fn run(&mut self, params: Params) {
        if !self.ready {
            self.pending_run = Some(params);
            return;
        }
        if self.running.is_some() {
            return;
        }
        let tool = params.tool.unwrap_or(Tool::Sequential);
        let build = match self.build_for(tool) {
            Ok(build) => build,
            Err(message) => return self.notice("tool", &message),
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
            self.pending_run = Some(params);
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
                self.pending_run = Some(params);
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

    /// Stops the run in flight; a worker that does not answer in time is replaced.
    pub fn stop(&mut self) {
        let Some(running) = self.running.as_mut() else {
            // A run still waiting for the pool is simply dropped.
            self.pending_run = None;
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
        if self.running.as_ref().map(|r| r.id) != Some(id) {
            return;
        }
        self.running = None;
        if browser::in_frame() {
            // Serialising ten thousand spans is not free: only for an embedding page.
            browser::post_to_parent(&run_finished_message(&report));
        }
        let done = report.clone();
        self.ui.dispatch(Action::Finished(id, report));
        self.sweep_run_finished(id, &done);
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

/// The `run-finished` message of the embedding contract.
pub fn run_finished_message(report: &RunReport) -> String {
    serde_json::json!({
        "source": "concurrency-playground",
        "type": "run-finished",
        "run": run_fields(report),
    })
    .to_string()
}

/// A run's fields as in its table row, plus its spans.
pub fn run_fields(report: &RunReport) -> serde_json::Value {
    let e = &report.experiment;
    serde_json::json!({
        "tool": e.tool.as_str(),
        "kind": e.kind.as_str(),
        "tasks": e.tasks,
        "workers": e.workers,
        "gil": e.gil.as_str(),
        "io_ms": e.io_ms,
        "cpu_iters": e.cpu_iters,
        "wall_ms": report.wall_ms,
        "status": report.status.as_str(),
        "build": report.build.as_str(),
        "pool_threads": report.pool_threads,
        "spans": report.spans,
    })
}
