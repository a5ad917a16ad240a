//! What the lab shows ([`LabView`]): its builds, whether it is ready, the run in flight as drawn
//! live, the finished runs, the speedup sweep's points and the isolation demo. The lab keeps the
//! one `LabView` and changes it only through the [`Update`]s it emits, so the two always agree;
//! the page holds snapshots of it (cheap clones: records, span logs and rows are shared, not
//! copied) and never a copy of its own.

use super::effect::{IsolationDemo, Update};
use super::sweep::Series;
use crate::run::id::RunId;
use crate::run::record::RunRecord;
use crate::run::timeline::{Build, Span};
use crate::wire::worker::MAX_OUTPUT_CHARS;
use crate::wire::worker::OUTPUT_CUT;
use std::cell::RefCell;
use std::rc::Rc;

/// One build of the engine as the page shows it.
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

impl AsRef<RunRecord> for RunRow {
    fn as_ref(&self) -> &RunRecord {
        &self.0
    }
}

/// The run in flight as drawn live: spans so far, and those still open.
#[derive(Clone, Debug)]
pub struct LiveRun {
    /// The run's id.
    pub id: RunId,
    /// Shared-clock start.
    pub started_at: f64,
    /// Spans that ended: an append-only log (every snapshot shares it, so that progress never
    /// copies the run so far). It is also the lab's record of what the run streamed.
    pub spans: Rc<RefCell<Vec<Span>>>,
    /// How many spans the log held at the last progress (what this snapshot shows).
    pub len: usize,
    /// Spans still open at the last progress.
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
    /// overlap on one core and measure nothing of the kind). A point faster than its workers
    /// allow (more than W× with W workers) is not parallelism but a slow baseline (WebKit runs a
    /// fresh code path's first runs several times slower): it is left out, and counted. So is
    /// every point of a series whose one-worker point is not within 10 % of 1×: that run did
    /// its baseline's very work on one lane, so a gap says the baseline was slow (or fast), and
    /// every ratio of the series carries it (WebKit: 1.24× at W = 1, then 2.53× on 2 cores).
    pub fn best_parallel(points: &[SweepPoint]) -> MeasuredCores {
        let off_baseline = |series: Series| {
            points
                .iter()
                .any(|p| p.series == series && p.workers == 1 && (p.speedup - 1.0).abs() > 0.1)
        };
        let (possible, impossible): (Vec<&SweepPoint>, Vec<&SweepPoint>) = points
            .iter()
            .filter(|p| p.cpu && p.series != Series::ThreadsGilOn && p.speedup.is_finite())
            .partition(|p| p.speedup <= f64::from(p.workers) * 1.1 && !off_baseline(p.series));
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
    /// Points left out for a slow baseline: faster than their workers allow, or of a series
    /// whose one-worker point is not about 1×.
    pub left_out: usize,
}

/// CPython in the page as the visitor sees it: loading, then its version and load time, and
/// what the last program printed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PythonView {
    /// Bytes loaded of the total, while its files load.
    pub loading: Option<(f64, f64)>,
    /// `sys.version`'s first word and the load time (ms), once it is ready.
    pub ready: Option<(String, f64)>,
    /// It failed to start, for good: why.
    pub failed: Option<String>,
    /// What the last CPython run printed (its traceback included), at most
    /// [`MAX_OUTPUT_CHARS`], and the run.
    pub output: Rc<String>,
    /// The run whose output `output` is.
    pub output_run: Option<RunId>,
    /// The output was cut: here at [`MAX_OUTPUT_CHARS`], or by CPython's worker at 64 KB.
    pub output_cut: bool,
}

/// What the lab shows. See the module's documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabView {
    /// The plain build, once started.
    pub plain: Option<BuildInfo>,
    /// The atomics build, once started.
    pub atomics: Option<BuildInfo>,
    /// CPython's worker, once started (its calibration is of CPython's own loop).
    pub cpython: Option<BuildInfo>,
    /// CPython's load, version and output.
    pub python: PythonView,
    /// The threads build failed for good (it is started once the page is ready).
    pub threads_gone: bool,
    /// Engines loaded and calibrated.
    pub ready: bool,
    /// The run in flight, drawn live.
    pub live: Option<LiveRun>,
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// Points of the last speedup sweep.
    pub sweep: Vec<SweepPoint>,
    /// A sweep is in progress.
    pub sweeping: bool,
    /// The serial part (%) of the experiment the last sweep measured: the one Amdahl's curve is
    /// drawn for.
    pub sweep_serial: u32,
    /// The last isolation demo.
    pub isolation: Option<IsolationDemo>,
}

impl LabView {
    /// What the view knows of `build`.
    pub fn build_info(&self, build: Build) -> Option<BuildInfo> {
        match build {
            Build::Plain => self.plain,
            Build::Atomics => self.atomics,
            Build::Cpython => self.cpython,
        }
    }

    /// Whether a run is in flight.
    pub fn is_running(&self) -> bool {
        self.live.is_some()
    }

    fn build_slot(&mut self, build: Build) -> &mut Option<BuildInfo> {
        match build {
            Build::Plain => &mut self.plain,
            Build::Atomics => &mut self.atomics,
            Build::Cpython => &mut self.cpython,
        }
    }

    /// What the run in flight streamed so far (empty when none is).
    pub(super) fn live_spans(&self) -> Vec<Span> {
        self.live
            .as_ref()
            .map(|l| l.spans.borrow().clone())
            .unwrap_or_default()
    }

    /// Applies what the lab shows: the only way the view changes.
    pub(super) fn apply(&mut self, update: &Update) {
        match update {
            Update::Notice(_) => {}
            &Update::BuildStarted(build, pool_threads) => {
                // A pool that starts after calibration keeps the build's figure.
                self.build_slot(build)
                    .get_or_insert_with(BuildInfo::default)
                    .pool_threads = pool_threads;
            }
            &Update::Calibrated(build, ns, spread) => {
                let info = self
                    .build_slot(build)
                    .get_or_insert_with(BuildInfo::default);
                info.ns_per_iter = Some(ns);
                info.spread = spread;
            }
            &Update::BuildGone(build) => {
                *self.build_slot(build) = None;
                self.threads_gone |= build == Build::Atomics;
                if build == Build::Cpython {
                    self.python.loading = None;
                }
            }
            &Update::PythonLoading(loaded, total) => {
                self.python.loading = Some((loaded, total));
                self.python.failed = None;
            }
            Update::PythonReady(version, load_ms) => {
                self.python.loading = None;
                self.python.ready = Some((version.clone(), *load_ms));
            }
            Update::PythonFailed(why) => {
                self.python.loading = None;
                self.python.failed = Some(why.clone());
            }
            Update::Output(id, text) => {
                let python = &mut self.python;
                if python.output_run != Some(*id) {
                    python.output = Rc::default();
                    python.output_run = Some(*id);
                    python.output_cut = false;
                }
                let room = MAX_OUTPUT_CHARS.saturating_sub(python.output.chars().count());
                let kept: String = text.chars().take(room).collect();
                // Cut here, or already by CPython's worker.
                python.output_cut |= kept.len() < text.len() || kept.ends_with(OUTPUT_CUT);
                if !kept.is_empty() {
                    Rc::make_mut(&mut python.output).push_str(&kept);
                }
            }
            Update::Ready => self.ready = true,
            &Update::Started(id, at) => {
                self.live = Some(LiveRun {
                    id,
                    started_at: at,
                    spans: Rc::default(),
                    len: 0,
                    open: Rc::default(),
                });
            }
            Update::Progress(id, spans, open) => {
                if let Some(live) = self.live.as_mut().filter(|l| l.id == *id) {
                    let mut log = live.spans.borrow_mut();
                    log.extend_from_slice(spans);
                    live.len = log.len();
                    drop(log);
                    live.open = Rc::new(open.clone());
                }
            }
            Update::RunAdded(record) => {
                self.live.take_if(|l| l.id == record.id);
                self.runs.push(RunRow(Rc::new(record.clone())));
            }
            Update::RunUpdated(record) => {
                if let Some(row) = self.runs.iter_mut().find(|r| r.id == record.id) {
                    *row = RunRow(Rc::new(record.clone()));
                }
            }
            Update::RunsCleared => self.runs.clear(),
            &Update::Sweeping(on) => {
                self.sweeping = on;
                if on {
                    self.sweep.clear();
                }
            }
            &Update::SweepPoint(series, workers, speedup, cpu) => self.sweep.push(SweepPoint {
                series,
                workers,
                speedup,
                cpu,
            }),
            &Update::Isolation(demo) => self.isolation = Some(demo),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(series: Series, workers: u32, speedup: f64) -> SweepPoint {
        SweepPoint {
            series,
            workers,
            speedup,
            cpu: true,
        }
    }

    #[test]
    fn the_measured_cores_leave_out_the_gil_and_the_impossible() {
        let points = [
            point(Series::ThreadsGilOff, 2, 1.9),
            point(Series::ThreadsGilOn, 4, 3.5),
            point(Series::Processes, 4, 3.1),
            point(Series::Processes, 2, 2.6),
        ];
        let m = SweepPoint::best_parallel(&points);
        assert_eq!(m.best, Some((3.1, 4)));
        assert_eq!(m.left_out, 1);
        let io = [SweepPoint {
            cpu: false,
            ..point(Series::Processes, 4, 3.9)
        }];
        assert_eq!(SweepPoint::best_parallel(&io), MeasuredCores::default());
    }

    #[test]
    fn a_series_off_1x_at_one_worker_measured_its_baseline_not_the_cores() {
        // WebKit on 2 cores: the threads' sequential baseline ran slow, so every threads point
        // is inflated; the processes' baseline is their own one-process run.
        let points = [
            point(Series::ThreadsGilOff, 1, 1.24),
            point(Series::ThreadsGilOff, 2, 2.06),
            point(Series::ThreadsGilOff, 8, 2.53),
            point(Series::Processes, 1, 1.0),
            point(Series::Processes, 2, 1.44),
        ];
        let m = SweepPoint::best_parallel(&points);
        assert_eq!(m.best, Some((1.44, 2)));
        assert_eq!(m.left_out, 3, "the whole threads series");
        let steady = [
            point(Series::ThreadsGilOff, 1, 0.95),
            point(Series::ThreadsGilOff, 2, 1.8),
        ];
        assert_eq!(SweepPoint::best_parallel(&steady).best, Some((1.8, 2)));
    }
}
