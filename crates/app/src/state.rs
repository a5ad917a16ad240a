//! What the page shows, as one reducer: `State`, its `Action`s and how each changes it.

use model::timeline::{Build, RunReport, Span};
use model::{Notice, Params};
use std::rc::Rc;
use yew::prelude::*;

/// One build of the engine as the page knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuildInfo {
    /// Pool threads that really started (1 for the plain build).
    pub pool_threads: u32,
    /// Calibrated cost of one kernel iteration.
    pub ns_per_iter: Option<f64>,
}

/// A finished run as a row of the runs table.
#[derive(Clone, Debug)]
pub struct RunRow {
    /// Its number on this page.
    pub id: u32,
    /// What the engine reported, without its spans (they are in `spans`).
    pub report: Rc<RunReport>,
    /// The run's spans, shared with the timeline and the export.
    pub spans: Rc<Vec<Span>>,
    /// Wall time of the matching sequential run divided by this one's.
    pub speedup: Option<f64>,
    /// The baseline came from the other build, its wall scaled by the two builds' calibrated
    /// cost of the same work (cpu work only).
    pub speedup_normalized: bool,
    /// Figures from the spans, computed once when the run ends (a table of runs with ten
    /// thousand spans each must not recompute them on every render).
    pub figures: RunFigures,
}

/// Rows never change once made: two are equal when they are the same row. (Comparing their
/// spans, ten thousand per run, on every render cost tens of milliseconds.)
impl PartialEq for RunRow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && Rc::ptr_eq(&self.report, &other.report)
    }
}

/// A run's figures from its spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunFigures {
    /// Sum of every task's own duration, ms.
    pub task_time: f64,
    /// Task time over wall time.
    pub overlap: f64,
    /// Longest stall behind a busy event loop, ms.
    pub late: f64,
    /// Lanes that ran something.
    pub lanes: usize,
}

impl RunFigures {
    /// Computes the figures of `report`.
    pub fn of(report: &RunReport) -> Self {
        let task_time = model::stats::task_time_sum(&report.spans);
        RunFigures {
            task_time,
            overlap: if report.wall_ms > 0.0 {
                task_time / report.wall_ms
            } else {
                0.0
            },
            late: model::stats::max_lateness(&report.spans),
            lanes: model::stats::lanes_used(&report.spans),
        }
    }
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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveRun {
    /// The run's id.
    pub id: u32,
    /// Shared-clock start.
    pub started_at: f64,
    /// Spans that ended.
    pub spans: Vec<Span>,
    /// Spans still open at the last update.
    pub open: Vec<Span>,
}

/// One measured point of the speedup chart.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The series: "threads, GIL off", "threads, GIL on", "processes".
    pub series: &'static str,
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
}

/// Everything that changes the state.
pub enum Action {
    /// The visitor (or the URL) changed the experiment.
    SetParams(Params),
    /// Adds one notice (features, failures).
    AddNotice(Notice),
    /// A build's worker started.
    BuildStarted(Build, u32),
    /// A build was calibrated.
    Calibrated(Build, f64),
    /// Every engine is ready.
    Ready,
    /// A run started.
    Started(u32, f64),
    /// A run ended.
    Finished(u32, RunReport),
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

    /// The last sequential run whose work matches `report`'s, from the same build.
    pub fn baseline_for(&self, report: &RunReport) -> Option<&RunRow> {
        let e = &report.experiment;
        self.runs.iter().rev().find(|row| {
            let b = &row.report.experiment;
            b.tool == model::Tool::Sequential
                && row.report.status == model::RunStatus::Done
                // Waiting costs the same in every build; computing is compared within one.
                && (row.report.build == report.build || e.kind == model::Kind::Io)
                && (b.kind, b.tasks, b.io_ms, b.cpu_iters) == (e.kind, e.tasks, e.io_ms, e.cpu_iters)
        })
    }

    /// For cpu work with no baseline from the same build (processes on an isolated page, whose
    /// sequential runs use the threads build): the last sequential run of the same kind and size
    /// from the other build, with its wall scaled to this run's work by the builds' calibrated
    /// cost per iteration. Returns the scaled baseline wall.
    pub fn normalized_baseline(&self, report: &RunReport) -> Option<f64> {
        let e = &report.experiment;
        if e.kind != model::Kind::Cpu {
            return None;
        }
        let ns = |build| self.build_info(build).and_then(|i| i.ns_per_iter);
        let row = self.runs.iter().rev().find(|row| {
            let b = &row.report.experiment;
            b.tool == model::Tool::Sequential
                && row.report.status == model::RunStatus::Done
                && row.report.build != report.build
                && (b.kind, b.tasks) == (e.kind, e.tasks)
        })?;
        let this_work = e.cpu_iters as f64 * ns(report.build)?;
        let that_work = row.report.experiment.cpu_iters as f64 * ns(row.report.build)?;
        (that_work > 0.0).then(|| row.report.wall_ms * this_work / that_work)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParams(p) => s.params = p,
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
            Action::Calibrated(build, ns) => {
                let slot = match build {
                    Build::Plain => &mut s.plain,
                    Build::Atomics => &mut s.atomics,
                };
                slot.get_or_insert_with(BuildInfo::default).ns_per_iter = Some(ns);
            }
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
                    live.spans.extend(spans);
                    live.open = open;
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
            Action::Finished(id, mut report) => {
                if s.running.map(|(r, _)| r) == Some(id) {
                    s.running = None;
                }
                if s.live.as_ref().is_some_and(|l| l.id == id) {
                    s.live = None;
                }
                let same_build = s.baseline_for(&report).map(|b| b.report.wall_ms);
                let normalized = same_build
                    .is_none()
                    .then(|| s.normalized_baseline(&report))
                    .flatten();
                let speedup = same_build
                    .or(normalized)
                    .and_then(|b| model::stats::speedup(b, report.wall_ms));
                let speedup_normalized = same_build.is_none() && speedup.is_some();
                let figures = RunFigures::of(&report);
                let spans = Rc::new(std::mem::take(&mut report.spans));
                s.runs.push(RunRow {
                    id,
                    figures,
                    report: Rc::new(report),
                    spans,
                    speedup,
                    speedup_normalized,
                });
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
