//! What the page shows, as one reducer: the form's experiment, and the view of the lab, which
//! changes only through the lab's `Update`s (the lab decides; this only records).

use model::lab::sweep::Series;
use model::lab::Update;
use model::notice::{Reason, Topic};
use model::params::Field;
use model::protocol::RunId;
use model::record::RunRecord;
use model::timeline::{Build, Span};
use model::{Notice, Params};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub use model::lab::IsolationDemo;

/// One build of the engine as the page knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuildInfo {
    /// Pool threads that really started (1 for the plain build).
    pub pool_threads: u32,
    /// Calibrated cost of one kernel iteration.
    pub ns_per_iter: Option<f64>,
    /// Spread of the calibration's samples, (max − min) / median.
    pub spread: f64,
}

/// A finished run as a row of the runs table: its one record, shared with the timeline and the
/// exports.
#[derive(Clone, Debug)]
pub struct RunRow(pub Rc<RunRecord>);

/// Rows never change once made (a late baseline makes a new row): two are equal when they are
/// the same row. (Comparing their spans, ten thousand per run, on every render cost tens of
/// milliseconds.)
impl PartialEq for RunRow {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for RunRow {
    type Target = RunRecord;
    fn deref(&self) -> &RunRecord {
        &self.0
    }
}

/// A run in flight as drawn live: spans so far, and those still open.
#[derive(Clone, Debug)]
pub struct LiveRun {
    /// The run's id.
    pub id: RunId,
    /// Shared-clock start.
    pub started_at: f64,
    /// Spans that ended: an append-only log, so that progress never copies the run so far.
    pub spans: Rc<RefCell<Vec<Span>>>,
    /// How many spans the log held at the last progress (what this state shows).
    pub len: usize,
    /// Spans still open at the last update.
    pub open: Rc<Vec<Span>>,
}

impl PartialEq for LiveRun {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && Rc::ptr_eq(&self.spans, &other.spans)
            && self.len == other.len
            && Rc::ptr_eq(&self.open, &other.open)
    }
}

/// One measured point of the speedup chart.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// Its curve.
    pub series: Series,
    /// Workers of the run.
    pub workers: u32,
    /// Baseline wall over this run's wall.
    pub speedup: f64,
    /// Whether the sweep's work was cpu work: waits overlap on any number of cores, so only a
    /// cpu sweep measures how many cores computed at once.
    pub cpu: bool,
}

impl SweepPoint {
    /// The best speedup without a GIL among the cpu sweep's `points`, with its workers: the
    /// parallelism this machine gave, measured rather than reported (an io sweep's waits
    /// overlap on one core and measure nothing of the kind). A point faster than its workers allow (more
    /// than W× with W workers) is not parallelism but a slow baseline (WebKit runs a fresh code
    /// path's first runs several times slower): it is left out, and counted.
    pub fn best_parallel(points: &[SweepPoint]) -> MeasuredCores {
        let (possible, impossible): (Vec<&SweepPoint>, Vec<&SweepPoint>) = points
            .iter()
            .filter(|p| p.cpu && p.series != Series::ThreadsGilOn && p.speedup.is_finite())
            .partition(|p| p.speedup <= f64::from(p.workers) * 1.1);
        MeasuredCores {
            best: possible
                .into_iter()
                .max_by(|a, b| a.speedup.total_cmp(&b.speedup))
                .map(|p| (p.speedup, p.workers)),
            left_out: impossible.len(),
        }
    }
}

/// What the speedup sweep measured of this machine's parallelism.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeasuredCores {
    /// The best possible speedup without a GIL, with its workers.
    pub best: Option<(f64, u32)>,
    /// Points left out for being faster than their workers allow.
    pub left_out: usize,
}

/// The page's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The experiment being edited (what Run runs).
    pub params: Params,
    /// Compact layout for iframes.
    pub embed: bool,
    /// Messages about clamped input or missing features.
    pub notices: Vec<Notice>,
    /// SharedArrayBuffer threads are possible: `crossOriginIsolated` and the constructor exists.
    pub isolated: bool,
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// The plain build, once started.
    pub plain: Option<BuildInfo>,
    /// The atomics build, once started.
    pub atomics: Option<BuildInfo>,
    /// Engines loaded and calibrated.
    pub ready: bool,
    /// The run in progress: its id and when it started.
    pub running: Option<(RunId, f64)>,
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// The last isolation demo.
    pub isolation: Option<IsolationDemo>,
    /// The run in flight, drawn live.
    pub live: Option<LiveRun>,
    /// Runs picked in the table (at most two, for comparing side by side).
    pub selected: Vec<RunId>,
    /// Points of the last speedup sweep.
    pub sweep: Vec<SweepPoint>,
    /// A sweep is in progress.
    pub sweeping: bool,
    /// The threads build failed for good (it is started once the page is ready).
    pub threads_gone: bool,
    /// The serial part (%) of the experiment the sweep measured.
    pub sweep_serial: u32,
    /// Runs asked for so far; each new value is carried out once, with `params` as they are.
    pub run_requests: u32,
    /// Runs opened from a file ("Open a run"): its name, its runs, the one shown. The timeline
    /// shows it until the next run starts.
    pub opened: Option<(String, Vec<RunRow>, usize)>,
}

/// Everything that changes the state.
pub enum Action {
    /// The visitor (or the URL) changed the experiment.
    SetParams(Params),
    /// The visitor committed one form field (name, raw text), applied to the current params.
    Edit(Field, String),
    /// Run: these parameters, or (`None`) the current ones.
    Run(Option<Params>),
    /// Adds one notice (from the URL or a parent message).
    AddNotice(Notice),
    /// Picks or unpicks a run in the table.
    ToggleSelected(RunId),
    /// What the lab changed.
    Lab(Update),
    /// A run file was opened: its name and its runs (or why it could not be read).
    Open(String, Result<Vec<RunRecord>, String>),
    /// Shows the opened file's run at this index; `None` closes the file.
    ShowOpened(Option<usize>),
}

/// Where the threads build stands (`html[data-threads]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// No isolation, or the build failed.
    Off,
    /// Loading, starting its pool or being calibrated, after the page got ready.
    Starting,
    /// Calibrated: threads run.
    Ready,
}

impl Threads {
    /// The value of `html[data-threads]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Threads::Off => "off",
            Threads::Starting => "starting",
            Threads::Ready => "ready",
        }
    }
}

impl State {
    /// Where the threads build stands.
    pub fn threads(&self) -> Threads {
        if !self.isolated || self.threads_gone {
            Threads::Off
        } else if self.atomics.and_then(|i| i.ns_per_iter).is_some() {
            Threads::Ready
        } else {
            Threads::Starting
        }
    }

    /// What the page knows of `build`.
    pub fn build_info(&self, build: Build) -> Option<BuildInfo> {
        match build {
            Build::Plain => self.plain,
            Build::Atomics => self.atomics,
        }
    }

    fn build_slot(&mut self, build: Build) -> &mut Option<BuildInfo> {
        match build {
            Build::Plain => &mut self.plain,
            Build::Atomics => &mut self.atomics,
        }
    }

    fn add_notice(&mut self, notice: Notice) {
        if !self.notices.contains(&notice) {
            self.notices.push(notice);
        }
    }

    fn apply(&mut self, update: Update) {
        match update {
            Update::Notice(n) => self.add_notice(n),
            Update::BuildStarted(build, pool_threads) => {
                // A pool that starts after calibration keeps the build's figure.
                self.build_slot(build)
                    .get_or_insert_with(BuildInfo::default)
                    .pool_threads = pool_threads;
            }
            Update::Calibrated(build, ns, spread) => {
                let info = self
                    .build_slot(build)
                    .get_or_insert_with(BuildInfo::default);
                info.ns_per_iter = Some(ns);
                info.spread = spread;
            }
            Update::BuildGone(build) => {
                *self.build_slot(build) = None;
                self.threads_gone |= build == Build::Atomics;
            }
            Update::Ready => self.ready = true,
            Update::Started(id, at) => {
                self.running = Some((id, at));
                self.opened = None;
                self.live = Some(LiveRun {
                    id,
                    started_at: at,
                    spans: Rc::default(),
                    len: 0,
                    open: Rc::default(),
                });
            }
            Update::Progress(id, spans, open) => {
                if let Some(live) = self.live.as_mut().filter(|l| l.id == id) {
                    let mut log = live.spans.borrow_mut();
                    log.extend(spans);
                    live.len = log.len();
                    drop(log);
                    live.open = Rc::new(open);
                }
            }
            Update::RunAdded(record) => {
                if self.running.is_some_and(|(r, _)| r == record.id) {
                    self.running = None;
                }
                self.live.take_if(|l| l.id == record.id);
                self.runs.push(RunRow(Rc::new(record)));
            }
            Update::RunUpdated(record) => {
                if let Some(row) = self.runs.iter_mut().find(|r| r.id == record.id) {
                    *row = RunRow(Rc::new(record));
                }
            }
            Update::RunsCleared => {
                self.runs.clear();
                self.selected.clear();
            }
            Update::Sweeping(on) => {
                self.sweeping = on;
                if on {
                    self.sweep.clear();
                    // The sweep measures the experiment as it is now: its serial part is the
                    // one Amdahl's curve is drawn for.
                    self.sweep_serial = match self.params.kind {
                        Some(model::Kind::Cpu | model::Kind::Mixed) => {
                            self.params.serial.unwrap_or(0)
                        }
                        _ => 0,
                    };
                }
            }
            Update::SweepPoint(series, workers, speedup, cpu) => self.sweep.push(SweepPoint {
                series,
                workers,
                speedup,
                cpu,
            }),
            Update::Isolation(demo) => self.isolation = Some(demo),
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParams(p) => s.params = p,
            Action::Open(name, Ok(runs)) => {
                let last = runs.len() - 1;
                let rows = runs.into_iter().map(|r| RunRow(Rc::new(r))).collect();
                s.opened = Some((name, rows, last));
            }
            Action::Open(file, Err(why)) => {
                s.add_notice(Notice::new(Topic::Open, Reason::NotRuns { file, why }))
            }
            Action::ShowOpened(Some(i)) => {
                if let Some((_, rows, shown)) = s.opened.as_mut() {
                    *shown = i.min(rows.len().saturating_sub(1));
                }
            }
            Action::ShowOpened(None) => s.opened = None,
            Action::Run(params) => {
                if let Some(p) = params {
                    s.params = p;
                }
                s.run_requests += 1;
            }
            Action::Edit(field, raw) => {
                // The field shows why a value was not taken; the params keep what was.
                let _ = model::query::edit(&mut s.params, field, &raw);
            }
            Action::AddNotice(n) => s.add_notice(n),
            Action::ToggleSelected(id) => {
                if let Some(i) = s.selected.iter().position(|&x| x == id) {
                    s.selected.remove(i);
                } else {
                    s.selected.push(id);
                    if s.selected.len() > 2 {
                        s.selected.remove(0);
                    }
                }
            }
            Action::Lab(update) => s.apply(update),
        }
        Rc::new(s)
    }
}
