//! What the page shows, as one reducer: `State`, its `Action`s and how each changes it.

use model::lab::baseline;
use model::lab::sweep::Series;
use model::record::RunRecord;
use model::timeline::{Build, RunReport, Span};
use model::{Notice, Params};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

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

/// A baseline the page should run: the same work, sequential, in one build, for one run.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineRequest {
    /// The run that needs it.
    pub for_run: u32,
    /// The work to run.
    pub params: Params,
    /// The build it must run in.
    pub build: Build,
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

/// A run in flight as drawn live: spans so far, and those still open.
#[derive(Clone, Debug, Default)]
pub struct LiveRun {
    /// The run's id.
    pub id: u32,
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
    /// `crossOriginIsolated`.
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
    pub running: Option<(u32, f64)>,
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// The last isolation demo.
    pub isolation: Option<IsolationDemo>,
    /// The run in flight, drawn live.
    pub live: Option<LiveRun>,
    /// Runs picked in the table (at most two, for comparing side by side).
    pub selected: Vec<u32>,
    /// Points of the last speedup sweep.
    pub sweep: Vec<SweepPoint>,
    /// A sweep is in progress.
    pub sweeping: bool,
    /// Runs asked for so far; each new value is carried out once, with `params` as they are.
    pub run_requests: u32,
    /// The newest finished run (for the parent message and the history), once per run.
    pub last_finished: Option<RunRow>,
    /// A baseline to run next, with a serial number so each is carried out once.
    pub baseline_request: Option<(u32, BaselineRequest)>,
}

/// Everything that changes the state.
pub enum Action {
    /// The visitor (or the URL) changed the experiment.
    SetParams(Params),
    /// The visitor committed one form field (name, raw text), applied to the current params.
    Edit(&'static str, String),
    /// Run: these parameters, or (`None`) the current ones.
    Run(Option<Params>),
    /// Adds one notice (features, failures).
    AddNotice(Notice),
    /// A build's worker started.
    BuildStarted(Build, u32),
    /// A build was calibrated.
    Calibrated(Build, f64, f64),
    /// A build's worker failed for good (threads are then off).
    BuildGone(Build),
    /// Every engine is ready.
    Ready,
    /// A run started.
    Started(u32, f64),
    /// A run ended; the last field names the run it was a baseline for.
    Finished(u32, RunReport, Option<u32>),
    /// Empties the runs table.
    ClearRuns,
    /// The isolation demo progressed.
    Isolation(IsolationDemo),
    /// A run in flight reported progress.
    Progress(u32, Vec<Span>, Vec<Span>),
    /// Picks or unpicks a run in the table.
    ToggleSelected(u32),
    /// A sweep started (true) or ended (false).
    Sweeping(bool),
    /// A sweep measured a point.
    SweepPoint(SweepPoint),
}

impl State {
    /// What the page knows of `build`.
    pub fn build_info(&self, build: Build) -> Option<BuildInfo> {
        match build {
            Build::Plain => self.plain,
            Build::Atomics => self.atomics,
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParams(p) => s.params = p,
            Action::Run(params) => {
                if let Some(p) = params {
                    s.params = p;
                }
                s.run_requests += 1;
            }
            Action::Edit(name, raw) => {
                // The field shows why a value was not taken; the params keep what was.
                let _ = model::query::edit(&mut s.params, name, &raw);
            }
            Action::AddNotice(n) => {
                if !s.notices.contains(&n) {
                    s.notices.push(n);
                }
            }
            Action::BuildStarted(build, pool_threads) => {
                let slot = match build {
                    Build::Plain => &mut s.plain,
                    Build::Atomics => &mut s.atomics,
                };
                // A pool that starts after calibration keeps the build's figure.
                slot.get_or_insert_with(BuildInfo::default).pool_threads = pool_threads;
            }
            Action::Calibrated(build, ns, spread) => {
                let slot = match build {
                    Build::Plain => &mut s.plain,
                    Build::Atomics => &mut s.atomics,
                };
                let info = slot.get_or_insert_with(BuildInfo::default);
                info.ns_per_iter = Some(ns);
                info.spread = spread;
            }
            Action::BuildGone(build) => match build {
                Build::Plain => s.plain = None,
                Build::Atomics => s.atomics = None,
            },
            Action::Ready => s.ready = true,
            Action::Started(id, at) => {
                s.running = Some((id, at));
                s.live = Some(LiveRun {
                    id,
                    started_at: at,
                    ..LiveRun::default()
                });
            }
            Action::Progress(id, spans, open) => {
                if let Some(live) = s.live.as_mut().filter(|l| l.id == id) {
                    let mut log = live.spans.borrow_mut();
                    log.extend(spans);
                    live.len = log.len();
                    drop(log);
                    live.open = Rc::new(open);
                }
            }
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
            Action::Sweeping(on) => {
                s.sweeping = on;
                if on {
                    s.sweep.clear();
                }
            }
            Action::SweepPoint(p) => s.sweep.push(p),
            Action::Finished(id, mut report, baseline_for) => {
                if s.running.map(|(r, _)| r) == Some(id) {
                    s.running = None;
                }
                if let Some(live) = s.live.take_if(|l| l.id == id) {
                    // A worker terminated on Stop reports nothing: keep what it streamed.
                    if report.spans.is_empty() {
                        report.spans = std::mem::take(&mut *live.spans.borrow_mut());
                    }
                }
                let records: Vec<RunRecord> = s.runs.iter().map(|r| (*r.0).clone()).collect();
                let mut record = RunRecord::new(id, report, baseline_for);
                if let Some(base) = baseline::find(&records, &record) {
                    record.set_baseline(base);
                }
                // A baseline made for an earlier run gives that run its speedup now.
                if let Some(row) = baseline_for
                    .and_then(|r| s.runs.iter_mut().find(|row| row.id == r))
                    .filter(|row| row.baseline_run.is_none() && baseline::matches(&record, row))
                {
                    let mut updated = (*row.0).clone();
                    updated.set_baseline(&record);
                    *row = RunRow(Rc::new(updated));
                }
                if let Some((params, build)) = baseline::missing(&records, &record) {
                    let serial = s.baseline_request.as_ref().map_or(1, |(n, _)| n + 1);
                    s.baseline_request = Some((
                        serial,
                        BaselineRequest {
                            for_run: id,
                            params,
                            build,
                        },
                    ));
                }
                let row = RunRow(Rc::new(record));
                s.last_finished = Some(row.clone());
                s.runs.push(row);
            }
            Action::ClearRuns => {
                s.runs.clear();
                s.selected.clear();
            }
            Action::Isolation(demo) => s.isolation = Some(demo),
        }
        Rc::new(s)
    }
}
