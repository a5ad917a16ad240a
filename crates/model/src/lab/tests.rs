//! Every transition of the lab, failures included, driven the way the page drives it.

use super::*;
use crate::experiment::config::{Gil, Kind, TaskWork};
use crate::lab::sweep::Series;
use crate::run::record::Output;
use crate::run::timeline::{Span, SpanState};

mod predict;
mod start_up;

/// The page around a lab: the clock, and what the lab asked for so far.
struct Page {
    lab: Lab,
    now: f64,
    out: Vec<Effect>,
}

const W_PLAIN: WorkerId = WorkerId(1);
const W_ATOMICS: WorkerId = WorkerId(2);

impl Page {
    fn new(run_on_ready: Option<Params>) -> Self {
        Page {
            lab: Lab::new(2, run_on_ready),
            now: 1000.0,
            out: Vec::new(),
        }
    }

    /// Handles `event` after `ms` more on the clock; keeps and returns its effects.
    fn at(&mut self, ms: f64, event: Event) -> Vec<Effect> {
        self.now += ms;
        let out = self.lab.handle(self.now, event);
        self.out.extend(out.clone());
        out
    }

    fn msg(&mut self, worker: WorkerId, message: FromWorker) -> Vec<Effect> {
        self.at(1.0, Event::Message(worker, message))
    }

    /// A page started with `run_on_ready` (isolated or not, compact or not) whose plain build
    /// has loaded and been calibrated; returns it with the calibration's effects.
    fn up(run_on_ready: Option<Params>, isolated: bool, compact: bool) -> (Self, Vec<Effect>) {
        let mut p = Page::new(run_on_ready);
        p.at(0.0, Event::Start { isolated, compact });
        p.msg(W_PLAIN, ready(Build::Plain, 1));
        let out = p.msg(W_PLAIN, calibrated(0.5));
        (p, out)
    }

    /// An isolated page ready on its plain build, whose threads build has just been spawned
    /// (not loaded yet).
    fn threads_starting() -> Self {
        let (p, _) = Page::up(None, true, false);
        assert!(p.lab.is_ready(), "ready with the plain build alone");
        p
    }

    /// Both engines up, the pool of 6 threads started, both builds calibrated.
    fn ready_isolated() -> Self {
        let mut p = Page::threads_starting();
        p.threads_come_up();
        p.out.clear();
        p
    }

    /// The threads build that was starting loads, starts its pool of 6 and is calibrated;
    /// returns the effects of the calibration.
    fn threads_come_up(&mut self) -> Vec<Effect> {
        self.msg(W_ATOMICS, ready(Build::Atomics, 0));
        self.msg(W_ATOMICS, ready(Build::Atomics, 6));
        self.msg(W_ATOMICS, calibrated(0.4))
    }

    fn ready_plain() -> Self {
        let (mut p, _) = Page::up(None, false, false);
        assert!(p.lab.is_ready());
        p.out.clear();
        p
    }

    /// Starts `params` and returns the run's id and the message the engine got.
    fn run(&mut self, params: Params) -> (RunId, Vec<Effect>) {
        let out = self.at(1.0, Event::Run(params));
        let id = started(&out).expect("the run started");
        (id, out)
    }

    /// The engine of `build` finishes run `id` with `wall_ms`.
    fn finish(&mut self, worker: WorkerId, id: RunId, e: Experiment, wall_ms: f64) -> Vec<Effect> {
        self.msg(
            worker,
            FromWorker::Finished {
                id,
                report: report(e, Build::from_worker(worker), wall_ms),
            },
        )
    }
}

trait FromWorkerId {
    fn from_worker(worker: WorkerId) -> Build;
}

impl FromWorkerId for Build {
    fn from_worker(worker: WorkerId) -> Build {
        if worker == W_ATOMICS {
            Build::Atomics
        } else {
            Build::Plain
        }
    }
}

fn ready(build: Build, pool_threads: u32) -> FromWorker {
    FromWorker::Ready {
        build,
        pool_threads,
        started_at: 0.0,
        ready_at: 0.0,
        cancel_word: None,
        python_version: None,
    }
}

fn calibrated(ns_per_iter: f64) -> FromWorker {
    FromWorker::Calibrated {
        ns_per_iter,
        spread: 0.01,
    }
}

fn report(experiment: Experiment, build: Build, wall_ms: f64) -> RunReport {
    RunReport {
        streamed: 0,
        experiment,
        status: RunStatus::Done,
        build,
        started_at: 0.0,
        wall_ms,
        spans: vec![Span::new(0, 0, SpanState::Io, 0.0, 1.0)],
        pool_threads: 1,
        paid_startup: false,
        tasks_done: experiment.tasks,
        checksum: 7,
        message: None,
        gil_switches: None,
        gil_events: Vec::new(),
        counts: None,
    }
}

fn params(tool: Tool, kind: Kind) -> Params {
    Params {
        tool: Some(tool),
        kind: Some(kind),
        tasks: Some(4),
        workers: Some(2),
        io_ms: Some(100),
        ..Params::default()
    }
}

fn started(out: &[Effect]) -> Option<RunId> {
    out.iter().find_map(|e| match e {
        Effect::Show(Update::Started(id, _)) => Some(*id),
        _ => None,
    })
}

fn posts(out: &[Effect], worker: WorkerId) -> Vec<ToWorker> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Post(w, m) if *w == worker => Some(m.clone()),
            _ => None,
        })
        .collect()
}

fn run_posted(out: &[Effect], worker: WorkerId) -> Experiment {
    posts(out, worker)
        .into_iter()
        .find_map(|m| match m {
            ToWorker::Run { experiment, .. } => Some(experiment),
            _ => None,
        })
        .expect("a run was posted to this worker")
}

fn spawned(out: &[Effect]) -> Vec<(WorkerId, Role)> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Spawn { worker, role } => Some((*worker, *role)),
            _ => None,
        })
        .collect()
}

fn added(out: &[Effect]) -> Vec<RunRecord> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Show(Update::RunAdded(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn notices(out: &[Effect]) -> Vec<String> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Show(Update::Notice(n)) => Some(n.text()),
            _ => None,
        })
        .collect()
}

// --- start-up, pool and calibration ---

#[test]
fn an_isolated_page_starts_the_threads_build_once_ready_and_limits_the_pools_start() {
    let mut p = Page::new(None);
    let out = p.at(
        0.0,
        Event::Start {
            isolated: true,
            compact: false,
        },
    );
    assert_eq!(
        spawned(&out),
        [(W_PLAIN, Role::Engine(Build::Plain))],
        "the first load carries the plain build alone"
    );
    p.msg(W_PLAIN, ready(Build::Plain, 1));
    let out = p.msg(W_PLAIN, calibrated(0.5));
    assert!(out.contains(&Effect::Show(Update::Ready)));
    assert_eq!(spawned(&out), [(W_ATOMICS, Role::Engine(Build::Atomics))]);
    assert!(out.contains(&Effect::StartTimer(
        Timer::AtomicsStart(W_ATOMICS),
        ATOMICS_START_LIMIT_MS
    )));
}

#[test]
fn a_plain_page_starts_only_the_plain_engine() {
    let mut p = Page::new(None);
    let out = p.at(
        0.0,
        Event::Start {
            isolated: false,
            compact: false,
        },
    );
    assert_eq!(spawned(&out), [(W_PLAIN, Role::Engine(Build::Plain))]);
    p.msg(W_PLAIN, ready(Build::Plain, 1));
    let out = p.msg(W_PLAIN, calibrated(0.5));
    assert!(
        spawned(&out).is_empty(),
        "no threads build without isolation"
    );
}

#[test]
fn the_pool_starts_before_the_threads_build_is_calibrated_on_it() {
    let mut p = Page::new(None);
    p.at(
        0.0,
        Event::Start {
            isolated: true,
            compact: false,
        },
    );
    let out = p.msg(W_PLAIN, ready(Build::Plain, 1));
    assert_eq!(posts(&out, W_PLAIN), [ToWorker::Calibrate]);
    p.msg(W_PLAIN, calibrated(0.5));
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    assert_eq!(posts(&out, W_ATOMICS), [ToWorker::StartPool { threads: 6 }]);
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 6));
    assert_eq!(posts(&out, W_ATOMICS), [ToWorker::Calibrate]);
    let out = p.msg(W_ATOMICS, calibrated(0.4));
    assert!(out.contains(&Effect::Show(Update::Calibrated(Build::Atomics, 0.4, 0.01))));
}

#[test]
fn runs_on_the_threads_build_wait_for_it_and_never_use_the_other_builds_figures() {
    let mut p = Page::threads_starting();
    // Threads, sequential (its baseline's build), and async too: nothing shares the machine
    // with the threads build's start.
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Threads, Kind::Cpu)))),
        None
    );
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)))),
        None
    );
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Sequential, Kind::Cpu)))),
        None
    );
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 6));
    assert_eq!(started(&out), None, "not before its calibration");
    let out = p.msg(W_ATOMICS, calibrated(0.4));
    let experiment = run_posted(&out, W_ATOMICS);
    assert_eq!(experiment.tool, Tool::Sequential, "the newest request");
    assert_eq!(
        experiment.cpu_iters,
        crate::experiment::config::calibrated_cpu_iters(100, 0.4),
        "resolved with the threads build's own calibration"
    );
}

#[test]
fn run_equals_one_runs_once_ready() {
    let mut p = Page::new(Some(params(Tool::Async, Kind::Io)));
    p.at(
        0.0,
        Event::Start {
            isolated: false,
            compact: false,
        },
    );
    let out = p.msg(W_PLAIN, ready(Build::Plain, 1));
    assert_eq!(started(&out), None, "not before calibration");
    let out = p.msg(W_PLAIN, calibrated(0.5));
    assert_eq!(started(&out), Some(RunId(1)));
    assert_eq!(run_posted(&out, W_PLAIN).tool, Tool::Async);
}

#[test]
fn a_pool_that_never_starts_is_given_up_and_threads_explain_themselves() {
    let mut p = Page::threads_starting();
    assert!(p.lab.is_ready());
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    // A threads run asked meanwhile waits, then explains itself.
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Threads, Kind::Cpu)))),
        None
    );
    let out = p.at(15_000.0, Event::Timer(Timer::AtomicsStart(W_ATOMICS)));
    assert!(out.contains(&Effect::Terminate(W_ATOMICS)));
    assert!(out.contains(&Effect::Show(Update::BuildGone(Build::Atomics))));
    assert!(notices(&out)[0].contains("did not start in time"));
    assert!(
        notices(&out)
            .iter()
            .any(|n| n.contains("cross-origin isolated")),
        "threads explain themselves"
    );
    // Sequential then runs in the plain build.
    let (_, out) = p.run(params(Tool::Sequential, Kind::Cpu));
    run_posted(&out, W_PLAIN);
}

#[test]
fn a_pool_that_fails_to_start_is_given_up_at_once() {
    let mut p = Page::threads_starting();
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    let out = p.msg(
        W_ATOMICS,
        FromWorker::Failed {
            id: None,
            message: "the thread pool did not start: DataCloneError".into(),
        },
    );
    assert!(out.contains(&Effect::Show(Update::BuildGone(Build::Atomics))));
    assert!(
        spawned(&out).is_empty(),
        "never replaced by a one-thread pool"
    );
    // A late timer of the given-up worker changes nothing.
    assert!(p
        .at(1.0, Event::Timer(Timer::AtomicsStart(W_ATOMICS)))
        .is_empty());
}

#[test]
fn the_start_limit_is_harmless_once_the_pool_is_up() {
    let mut p = Page::ready_isolated();
    assert!(p
        .at(15_000.0, Event::Timer(Timer::AtomicsStart(W_ATOMICS)))
        .is_empty());
}

// --- routing ---

#[test]
fn sequential_and_threads_run_in_the_threads_build_async_and_processes_in_the_plain_one() {
    let mut p = Page::ready_isolated();
    for (tool, worker) in [
        (Tool::Sequential, W_ATOMICS),
        (Tool::Threads, W_ATOMICS),
        (Tool::Async, W_PLAIN),
    ] {
        let (id, out) = p.run(params(tool, Kind::Cpu));
        let e = run_posted(&out, worker);
        assert_eq!(e.tool, tool);
        // Each build's calibration sets its own cpu_iters: 100 ms at 0.4 or 0.5 ns.
        let expected = if worker == W_ATOMICS {
            250_000_000
        } else {
            200_000_000
        };
        assert_eq!(e.cpu_iters, expected);
        let out = p.finish(worker, id, e, 100.0);
        // Async after a sequential run in the other build: the page runs its baseline.
        if let Some(base) = started(&out) {
            p.finish(W_PLAIN, base, run_posted(&out, W_PLAIN), 100.0);
        }
    }
    let (_, out) = p.run(params(Tool::Processes, Kind::Io));
    assert_eq!(spawned(&out).len(), 2, "processes get workers of their own");
}

#[test]
fn a_plain_page_runs_sequential_in_the_plain_build() {
    let mut p = Page::ready_plain();
    let (_, out) = p.run(params(Tool::Sequential, Kind::Cpu));
    run_posted(&out, W_PLAIN);
}

#[test]
fn a_run_asked_while_one_runs_starts_after_it_and_the_newest_wins() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    let first = run_posted(&out, W_PLAIN);
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Async, Kind::Cpu)))),
        None
    );
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)))),
        None
    );
    let out = p.finish(W_PLAIN, id, first, 400.0);
    assert_eq!(added(&out).len(), 1);
    assert_eq!(started(&out), Some(RunId(2)));
    assert_eq!(
        run_posted(&out, W_PLAIN).kind,
        Kind::Io,
        "the newest request"
    );
}

#[test]
fn a_bigger_pool_restarts_the_threads_engine_then_runs() {
    let mut p = Page::ready_isolated();
    let out = p.at(
        1.0,
        Event::Run(Params {
            workers: Some(8),
            ..params(Tool::Threads, Kind::Cpu)
        }),
    );
    assert_eq!(started(&out), None);
    assert!(out.contains(&Effect::Terminate(W_ATOMICS)));
    let new = spawned(&out)[0].0;
    let out = p.msg(new, ready(Build::Atomics, 0));
    assert_eq!(posts(&out, new), [ToWorker::StartPool { threads: 8 }]);
    let out = p.msg(new, ready(Build::Atomics, 8));
    assert_eq!(run_posted(&out, new).workers, 8);
    assert!(
        posts(&out, new).iter().all(|m| *m != ToWorker::Calibrate),
        "its calibration is kept"
    );
}

#[test]
fn fewer_threads_than_asked_are_never_pretended() {
    let mut p = Page::threads_starting();
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 3));
    assert!(notices(&out)[0].contains("3 of 6"));
    p.msg(W_ATOMICS, calibrated(0.4));
    let (_, out) = p.run(Params {
        workers: Some(5),
        ..params(Tool::Threads, Kind::Cpu)
    });
    assert_eq!(run_posted(&out, W_ATOMICS).workers, 3);
}

#[test]
fn a_long_run_asks_first_and_runs_only_when_confirmed() {
    let mut p = Page::ready_plain();
    let long = Params {
        tasks: Some(10_000),
        io_ms: Some(10_000),
        ..params(Tool::Sequential, Kind::Io)
    };
    let out = p.at(1.0, Event::Run(long.clone()));
    assert!(matches!(out[..], [Effect::Confirm { estimate_ms }] if estimate_ms > 60_000.0));
    assert_eq!(started(&p.at(1.0, Event::Confirmed(false))), None);
    p.at(1.0, Event::Run(long));
    assert_eq!(started(&p.at(1.0, Event::Confirmed(true))), Some(RunId(1)));
}

// --- Stop ---

#[test]
fn stop_cancels_the_run_and_starts_the_grace_timer() {
    let mut p = Page::ready_isolated();
    let (id, _) = p.run(params(Tool::Threads, Kind::Cpu));
    let out = p.at(1.0, Event::Stop);
    assert_eq!(
        out,
        [
            Effect::Cancel(W_ATOMICS, id),
            Effect::StartTimer(Timer::StopGrace(id), STOP_GRACE_MS)
        ]
    );
    assert!(
        p.at(1.0, Event::Stop).is_empty(),
        "a second Stop changes nothing"
    );
}

#[test]
fn a_run_that_answers_stop_in_time_keeps_its_worker() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Threads, Kind::Cpu));
    let e = run_posted(&out, W_ATOMICS);
    p.at(1.0, Event::Stop);
    let mut r = report(e, Build::Atomics, 50.0);
    r.status = RunStatus::Stopped;
    let out = p.msg(W_ATOMICS, FromWorker::Finished { id, report: r });
    assert_eq!(added(&out)[0].status, RunStatus::Stopped);
    let out = p.at(STOP_GRACE_MS as f64, Event::Timer(Timer::StopGrace(id)));
    assert!(out.is_empty(), "no worker terminated");
}

#[test]
fn a_stopped_run_gets_no_speedup_against_a_finished_baseline() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    p.finish(W_ATOMICS, id, run_posted(&out, W_ATOMICS), 400.0);
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let e = run_posted(&out, W_PLAIN);
    p.at(1.0, Event::Stop);
    let mut r = report(e, Build::Plain, 50.0);
    r.status = RunStatus::Stopped;
    let out = p.msg(W_PLAIN, FromWorker::Finished { id, report: r });
    let record = &added(&out)[0];
    assert_eq!(record.status, RunStatus::Stopped);
    assert_eq!(
        (record.baseline_run, record.speedup),
        (None, None),
        "50 ms of a stopped run is not 8x the sequential run"
    );
}

#[test]
fn force_stop_replaces_the_busy_worker_and_keeps_the_spans_streamed() {
    let mut p = Page::ready_plain();
    let (id, _) = p.run(params(Tool::Async, Kind::Cpu));
    let streamed = vec![Span::new(0, 0, SpanState::Compute, 1000.0, 1090.0)];
    p.msg(
        W_PLAIN,
        FromWorker::Progress {
            id,
            spans: streamed.clone(),
            open: Vec::new(),
        },
    );
    p.at(1.0, Event::Stop);
    let out = p.at(40.0, Event::Timer(Timer::StopGrace(id)));
    assert!(out.contains(&Effect::Terminate(W_PLAIN)));
    assert_eq!(spawned(&out)[0].1, Role::Engine(Build::Plain));
    let record = &added(&out)[0];
    assert_eq!(record.status, RunStatus::Stopped);
    assert_eq!(*record.spans, streamed);
    assert!(record.message.as_deref().unwrap().contains("terminated"));
}

#[test]
fn the_view_draws_the_run_in_flight_then_its_row() {
    let mut p = Page::ready_plain();
    assert!(p.lab.view().ready && p.lab.view().plain.is_some());
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let e = run_posted(&out, W_PLAIN);
    let streamed = vec![Span::new(0, 0, SpanState::Io, 1000.0, 1090.0)];
    let open = vec![Span::new(1, 0, SpanState::Io, 1000.0, 1095.0)];
    let before = p.lab.view().clone();
    p.msg(
        W_PLAIN,
        FromWorker::Progress {
            id,
            spans: streamed.clone(),
            open: open.clone(),
        },
    );
    let live = p.lab.view().live.clone().expect("the run is drawn live");
    assert_eq!((live.id, live.len, &*live.open), (id, 1, &open));
    assert_eq!(*live.spans.borrow(), streamed);
    let earlier = before.live.expect("drawn from its start");
    assert_eq!(earlier.len, 0, "an earlier snapshot keeps what it showed");
    let out = p.finish(W_PLAIN, id, e, 400.0);
    let view = p.lab.view();
    assert!(view.live.is_none());
    assert_eq!(*view.runs.last().unwrap().0, added(&out)[0]);
}

#[test]
fn stop_during_calibration_drops_the_waiting_run() {
    let mut p = Page::new(None);
    p.at(
        0.0,
        Event::Start {
            isolated: false,
            compact: false,
        },
    );
    p.msg(W_PLAIN, ready(Build::Plain, 1));
    p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)));
    assert!(p.at(1.0, Event::Stop).is_empty());
    let out = p.msg(W_PLAIN, calibrated(0.5));
    assert_eq!(started(&out), None, "nothing runs after Stop");
}

#[test]
fn stop_then_an_immediate_new_run_starts_once_the_old_one_ended() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let e = run_posted(&out, W_PLAIN);
    p.at(1.0, Event::Stop);
    assert_eq!(
        started(&p.at(1.0, Event::Run(params(Tool::Sequential, Kind::Io)))),
        None
    );
    let mut r = report(e, Build::Plain, 10.0);
    r.status = RunStatus::Stopped;
    let out = p.msg(W_PLAIN, FromWorker::Finished { id, report: r });
    assert_eq!(started(&out), Some(RunId(2)));
    assert!(
        p.at(40.0, Event::Timer(Timer::StopGrace(id))).is_empty(),
        "the old grace timer is void"
    );
}

// --- failures ---

#[cfg(feature = "test-hooks")]
#[test]
fn test_hook_a_worker_that_traps_mid_run_ends_the_run_with_error_and_is_replaced() {
    let mut p = Page::ready_isolated();
    // A plain-build engine gets the trap; the threads build (the release one, in the test
    // build of the site) gets none, and its crash is what the page sees of any bug.
    let (async_id, out) = p.run(params(Tool::Async, Kind::Io));
    let e = run_posted(&out, W_PLAIN);
    assert_eq!(
        posts(&p.at(0.5, Event::TestHook(TestHook::Trap)), W_PLAIN),
        [ToWorker::Trap]
    );
    p.finish(W_PLAIN, async_id, e, 100.0);
    let (id, _) = p.run(params(Tool::Sequential, Kind::Io));
    let out = p.at(1.0, Event::TestHook(TestHook::Trap));
    assert!(posts(&out, W_ATOMICS).is_empty());
    let out = p.at(
        1.0,
        Event::Crashed(W_ATOMICS, "RuntimeError: unreachable".into()),
    );
    let record = &added(&out)[0];
    assert_eq!((record.id, record.status), (id, RunStatus::Error));
    assert!(record.message.as_deref().unwrap().contains("crashed"));
    assert!(out.contains(&Effect::Terminate(W_ATOMICS)));
    let new = spawned(&out)[0].0;
    // The replacement starts its pool, keeps its calibration, and runs the next experiment.
    p.msg(new, ready(Build::Atomics, 0));
    let out = p.msg(new, ready(Build::Atomics, 6));
    assert!(posts(&out, new).is_empty());
    let (_, out) = p.run(params(Tool::Threads, Kind::Cpu));
    run_posted(&out, new);
    // The dead worker's last words are ignored.
    assert!(p.msg(W_ATOMICS, ready(Build::Atomics, 6)).is_empty());
}

#[test]
fn a_run_that_fails_reports_error_and_the_lab_goes_on() {
    let mut p = Page::ready_plain();
    let (id, _) = p.run(params(Tool::Sequential, Kind::Io));
    let out = p.msg(
        W_PLAIN,
        FromWorker::Failed {
            id: Some(id),
            message: "no".into(),
        },
    );
    assert_eq!(added(&out)[0].status, RunStatus::Error);
    assert!(!p.lab.is_running());
    assert_eq!(p.run(params(Tool::Async, Kind::Io)).0, RunId(2));
}

#[test]
fn an_idle_engine_that_fails_is_replaced_with_a_notice() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, Event::Crashed(W_PLAIN, "boom".into()));
    assert!(notices(&out)[0].contains("replaced"));
    assert_eq!(spawned(&out)[0].1, Role::Engine(Build::Plain));
}

#[test]
fn an_engine_that_never_loads_is_given_up() {
    let mut p = Page::new(None);
    p.at(
        0.0,
        Event::Start {
            isolated: false,
            compact: false,
        },
    );
    let out = p.at(
        1.0,
        Event::Crashed(W_PLAIN, "the worker's script failed to load".into()),
    );
    assert!(spawned(&out).is_empty(), "no restart loop");
    assert!(notices(&out)[0].contains("engine failed"));
}

#[test]
fn a_threads_engine_that_traps_during_calibration_is_replaced_and_measured_again() {
    let mut p = Page::threads_starting();
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    p.msg(W_ATOMICS, ready(Build::Atomics, 6)); // calibrating the threads build
    let out = p.at(1.0, Event::Crashed(W_ATOMICS, "out of memory".into()));
    let new = spawned(&out)[0].0;
    p.msg(new, ready(Build::Atomics, 0));
    let out = p.msg(new, ready(Build::Atomics, 6));
    assert_eq!(
        posts(&out, new),
        [ToWorker::Calibrate],
        "the replacement is measured"
    );
    let out = p.msg(new, calibrated(0.4));
    assert!(out.contains(&Effect::Show(Update::Calibrated(Build::Atomics, 0.4, 0.01))));
}

// --- records, baselines, the embedding page ---

#[test]
fn io_runs_divide_a_sequential_run_from_either_build() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    p.finish(W_ATOMICS, id, run_posted(&out, W_ATOMICS), 400.0);
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 100.0);
    let record = &added(&out)[0];
    assert_eq!(
        (record.baseline_run, record.speedup),
        (Some(RunId(1)), Some(4.0))
    );
    assert!(out.contains(&Effect::ToHost(RunAnswer::Finished {
        record: record.clone(),
        request: None
    })));
}

#[test]
fn cpu_runs_on_an_isolated_page_get_a_plain_build_baseline_run_for_them() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Cpu));
    p.finish(W_ATOMICS, id, run_posted(&out, W_ATOMICS), 400.0);
    let (id, out) = p.run(params(Tool::Async, Kind::Cpu));
    let asy = run_posted(&out, W_PLAIN);
    let out = p.finish(W_PLAIN, id, asy, 420.0);
    assert_eq!(
        added(&out)[0].speedup,
        None,
        "never against the other build"
    );
    let base = run_posted(&out, W_PLAIN);
    assert_eq!(
        (base.tool, base.cpu_iters),
        (Tool::Sequential, asy.cpu_iters)
    );
    let base_id = started(&out).unwrap();
    let out = p.finish(W_PLAIN, base_id, base, 410.0);
    assert_eq!(added(&out)[0].baseline_for, Some(id));
    let updated = out.iter().find_map(|e| match e {
        Effect::Show(Update::RunUpdated(r)) => Some(r.clone()),
        _ => None,
    });
    let updated = updated.expect("the run got its speedup");
    assert_eq!((updated.id, updated.baseline_run), (id, Some(base_id)));
    assert_eq!(started(&out), None, "one baseline, not a chain");
}

#[test]
fn no_baseline_is_run_when_the_visitor_did_not_ask_for_a_comparison() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Async, Kind::Cpu));
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 400.0);
    assert_eq!(started(&out), None);
    assert_eq!(added(&out)[0].speedup, None);
}

#[test]
fn clearing_the_runs_forgets_their_baselines() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 400.0);
    assert_eq!(
        p.at(1.0, Event::ClearRuns),
        [Effect::Show(Update::RunsCleared)]
    );
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 100.0);
    assert_eq!(added(&out)[0].speedup, None);
    assert!(p.lab.runs().len() == 1);
}

// --- processes ---

/// Starts a processes run of 4 io tasks on 2 workers and brings both processes up.
fn processes_run(p: &mut Page) -> (RunId, [WorkerId; 2], Vec<Effect>) {
    let (id, out) = p.run(params(Tool::Processes, Kind::Io));
    let w: Vec<WorkerId> = spawned(&out).iter().map(|(w, _)| *w).collect();
    assert!(spawned(&out).iter().all(|(_, r)| *r == Role::Process));
    let mut all = p.msg(w[0], ready(Build::Plain, 1));
    all.extend(p.msg(w[1], ready(Build::Plain, 1)));
    (id, [w[0], w[1]], all)
}

fn task_done(run: RunId, task: u32, completed: bool) -> FromWorker {
    FromWorker::TaskDone {
        run,
        task,
        spans: vec![Span::new(task, 9, SpanState::Io, 0.0, 1.0)],
        result: 3,
        completed,
        sent_at: 0.0,
    }
}

#[test]
fn processes_start_up_take_one_task_each_and_finish_when_all_are_back() {
    let mut p = Page::ready_isolated();
    let (id, w, out) = processes_run(&mut p);
    let startups = out
        .iter()
        .filter(|e| matches!(e, Effect::Show(Update::Progress(_, s, _)) if s[0].state == SpanState::Startup))
        .count();
    assert_eq!(startups, 2, "each start-up is drawn");
    assert!(matches!(
        posts(&out, w[0])[..],
        [ToWorker::Task {
            task: 0,
            work: TaskWork::Io,
            ..
        }]
    ));
    assert!(matches!(
        posts(&out, w[1])[..],
        [ToWorker::Task { task: 1, .. }]
    ));
    let out = p.msg(w[0], task_done(id, 0, true));
    assert!(matches!(
        posts(&out, w[0])[..],
        [ToWorker::Task { task: 2, .. }]
    ));
    p.msg(w[1], task_done(id, 1, true));
    p.msg(w[0], task_done(id, 2, true));
    let out = p.msg(w[1], task_done(id, 3, true));
    let record = &added(&out)[0];
    assert_eq!(
        (record.status, record.tasks_done, record.checksum),
        (RunStatus::Done, 4, 12)
    );
    assert!(record.paid_startup);
    // Spans are on the process's lane, with a copy span per task.
    assert!(
        record
            .spans
            .iter()
            .filter(|s| s.state == SpanState::Copy)
            .count()
            == 4
    );
    assert!(record.spans.iter().all(|s| s.lane < 2));
    // Every task was submitted at the start; those sent later were queued until then, on the
    // process that took them.
    let queued: Vec<&Span> = record
        .spans
        .iter()
        .filter(|s| s.state == SpanState::Queued)
        .collect();
    assert!(queued.iter().all(|s| s.start == record.started_at));
    let task_lane: Vec<(u32, u32)> = queued.iter().map(|s| (s.task, s.lane)).collect();
    assert!(task_lane.contains(&(2, 0)) && task_lane.contains(&(3, 1)));
    // The pool stays warm: the next run spawns nothing and pays no start-up.
    let (_, out) = p.run(params(Tool::Processes, Kind::Io));
    assert!(spawned(&out).is_empty());
    assert_eq!(posts(&out, w[0]).len(), 1);
}

/// A race run on the processes: each process counts in its own memory and reports its own count;
/// the parent's counter is the page's and is read after the run.
fn race_on_processes(p: &mut Page) -> RunRecord {
    let race = Params {
        cpu_iters: Some(1000),
        ..params(Tool::Processes, Kind::Race)
    };
    let (id, out) = p.run(race);
    let w: Vec<WorkerId> = spawned(&out).iter().map(|(w, _)| *w).collect();
    p.msg(w[0], ready(Build::Plain, 1));
    p.msg(w[1], ready(Build::Plain, 1));
    let mut out = Vec::new();
    for (task, worker) in [(0, w[0]), (1, w[1]), (2, w[0]), (3, w[1])] {
        let mut done = task_done(id, task, true);
        if let FromWorker::TaskDone { result, .. } = &mut done {
            // Each process's own counter after its tasks: 1000, then 2000.
            *result = 1000 * u64::from(task / 2 + 1);
        }
        out = p.msg(worker, done);
    }
    added(&out)[0].clone()
}

#[test]
fn the_processes_race_reports_the_parents_own_counter() {
    let mut p = Page::ready_plain();
    let record = race_on_processes(&mut p);
    let counts = record.counts.expect("a race has counts");
    assert_eq!((counts.expected, counts.final_count), (4000, 0));
}

#[cfg(feature = "test-hooks")]
#[test]
fn test_hook_the_parents_counter_is_read_after_the_run_not_written_by_it() {
    let mut p = Page::ready_plain();
    p.at(0.0, Event::TestHook(TestHook::SetParentCounter(7)));
    let record = race_on_processes(&mut p);
    assert_eq!(record.counts.map(|c| c.final_count), Some(7));
}

#[cfg(feature = "test-hooks")]
#[test]
fn test_hook_a_process_that_traps_ends_the_run_with_error_and_the_pool_restarts() {
    let mut p = Page::ready_plain();
    let (id, w, _) = processes_run(&mut p);
    let out = p.at(1.0, Event::TestHook(TestHook::Trap));
    assert_eq!(posts(&out, w[0]), [ToWorker::Trap]);
    let out = p.at(
        2.0,
        Event::Crashed(w[0], "RuntimeError: unreachable".into()),
    );
    let record = &added(&out)[0];
    assert_eq!((record.id, record.status), (id, RunStatus::Error));
    assert!(record
        .message
        .as_deref()
        .unwrap()
        .contains("process 0 crashed"));
    assert!(out.contains(&Effect::Terminate(w[0])));
}

#[cfg(feature = "test-hooks")]
#[test]
fn test_hook_a_broken_stop_does_nothing() {
    let mut p = Page::ready_isolated();
    p.run(params(Tool::Sequential, Kind::Io));
    p.at(1.0, Event::TestHook(TestHook::BreakStop));
    assert!(
        p.at(2.0, Event::Stop).is_empty(),
        "no cancel, no grace timer"
    );
}

#[test]
fn processes_run_amdahls_serial_part_alone_first() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(Params {
        serial: Some(50),
        cpu_iters: Some(1000),
        ..params(Tool::Processes, Kind::Cpu)
    });
    let w: Vec<WorkerId> = spawned(&out).iter().map(|(w, _)| *w).collect();
    let mut out = p.msg(w[0], ready(Build::Plain, 1));
    out.extend(p.msg(w[1], ready(Build::Plain, 1)));
    // Only the serial part goes out, to one process: half of every task's work, 4 × 500.
    let sent: Vec<ToWorker> = posts(&out, w[0])
        .into_iter()
        .chain(posts(&out, w[1]))
        .collect();
    let serial = crate::run::timeline::TaskRef::Serial.index();
    assert!(matches!(
        sent[..],
        [ToWorker::Task {
            task,
            cpu_iters: 2000,
            ..
        }] if task == serial
    ));
    let serial_worker = if posts(&out, w[0]).is_empty() {
        w[1]
    } else {
        w[0]
    };
    let done = FromWorker::TaskDone {
        run: id,
        task: serial,
        spans: vec![Span::new(serial, 0, SpanState::Compute, 0.0, 1.0)],
        result: 5,
        completed: true,
        sent_at: 0.0,
    };
    let out = p.msg(serial_worker, done);
    // Then the tasks spread, each with the other half of its work.
    let tasks: Vec<ToWorker> = posts(&out, w[0])
        .into_iter()
        .chain(posts(&out, w[1]))
        .collect();
    assert_eq!(tasks.len(), 2);
    assert!(tasks
        .iter()
        .all(|t| matches!(t, ToWorker::Task { cpu_iters: 500, .. })));
    for task in 0..4 {
        let worker = if task % 2 == 0 { w[0] } else { w[1] };
        let out = p.msg(worker, task_done(id, task, true));
        if task == 3 {
            let record = &added(&out)[0];
            assert_eq!((record.tasks_done, record.checksum), (4, 5 + 4 * 3));
            assert!(record.spans.iter().any(|s| s.state == SpanState::Serial));
            assert_eq!(record.experiment.serial, 50);
        }
    }
}

#[test]
fn stopping_processes_cancels_the_busy_ones_and_terminates_those_that_do_not_answer() {
    let mut p = Page::ready_plain();
    let (id, w, _) = processes_run(&mut p);
    let out = p.at(1.0, Event::Stop);
    // Through the host's cancel path (the shared word where there is one, and a message).
    assert!(out.contains(&Effect::Cancel(w[0], id)));
    assert!(out.contains(&Effect::Cancel(w[1], id)));
    p.msg(w[0], task_done(id, 0, false));
    let out = p.at(40.0, Event::Timer(Timer::StopGrace(id)));
    assert_eq!(
        out.iter()
            .filter(|e| matches!(e, Effect::Terminate(_)))
            .count(),
        1
    );
    assert!(out.contains(&Effect::Terminate(w[1])));
    let record = &added(&out)[0];
    assert_eq!((record.status, record.tasks_done), (RunStatus::Stopped, 0));
    let (_, out) = p.run(params(Tool::Processes, Kind::Io));
    assert_eq!(
        spawned(&out).len(),
        1,
        "only the terminated process restarts"
    );
}

#[test]
fn a_process_that_crashes_mid_run_ends_it_with_error() {
    let mut p = Page::ready_plain();
    let (id, w, _) = processes_run(&mut p);
    let out = p.at(1.0, Event::Crashed(w[1], "unreachable".into()));
    let record = &added(&out)[0];
    assert_eq!((record.id, record.status), (id, RunStatus::Error));
    assert!(record
        .message
        .as_deref()
        .unwrap()
        .contains("process 1 crashed"));
    assert!(!p.lab.is_running());
}

#[test]
fn processes_share_no_memory_demo_writes_in_one_and_reads_both() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, Event::ShowIsolation { value: 42 });
    let w: Vec<WorkerId> = spawned(&out).iter().map(|(w, _)| *w).collect();
    p.msg(w[0], ready(Build::Plain, 1));
    let out = p.msg(w[1], ready(Build::Plain, 1));
    assert_eq!(
        posts(&out, w[0]),
        [ToWorker::Poke { value: 42 }, ToWorker::Peek]
    );
    assert_eq!(posts(&out, w[1]), [ToWorker::Peek]);
    p.msg(w[0], FromWorker::Peeked { value: 42 });
    let out = p.msg(w[1], FromWorker::Peeked { value: 0 });
    let demo = IsolationDemo {
        wrote: 42,
        read_same: Some(42),
        read_other: Some(0),
    };
    assert_eq!(out, [Effect::Show(Update::Isolation(demo))]);
}

// --- the sweep ---

#[test]
fn a_sweep_runs_its_plan_and_draws_a_point_per_run() {
    let mut p = Page::ready_isolated();
    let out = p.at(1.0, Event::Sweep(params(Tool::Sequential, Kind::Cpu)));
    assert_eq!(out[0], Effect::Show(Update::Sweeping(true)));
    let mut points = Vec::new();
    let mut out = out;
    for _ in 0..100 {
        let Some(id) = started(&out) else { break };
        let (worker, e) = if let Some(e) =
            posts(&out, W_ATOMICS).into_iter().find_map(|m| match m {
                ToWorker::Run { experiment, .. } => Some(experiment),
                _ => None,
            }) {
            (W_ATOMICS, e)
        } else {
            // A processes step: answer through its own workers.
            assert_eq!(
                id,
                RunId(1 + 2 + 2 * 4),
                "sequential twice (warm-up, baseline), then GIL off and on at 1, 2, 4, 6"
            );
            break;
        };
        let wall = if e.tool == Tool::Sequential {
            400.0
        } else {
            400.0 / f64::from(e.workers)
        };
        out = p.finish(worker, id, e, wall);
        points.extend(out.iter().filter_map(|e| match e {
            Effect::Show(Update::SweepPoint(s, w, x, _)) => Some((*s, *w, *x)),
            _ => None,
        }));
    }
    assert_eq!(points.len(), 8);
    assert!(points.contains(&(Series::ThreadsGilOff, 4, 4.0)));
    assert!(points
        .iter()
        .any(|(s, w, _)| *s == Series::ThreadsGilOn && *w == 6));
}

#[test]
fn a_step_that_waits_for_the_pool_is_still_the_sweeps_when_it_runs() {
    let mut p = Page::ready_isolated();
    // A threads run bigger than the pool restarts the threads engine, and waits for it.
    let out = p.at(
        1.0,
        Event::Run(Params {
            workers: Some(8),
            ..params(Tool::Threads, Kind::Cpu)
        }),
    );
    let new = spawned(&out)[0].0;
    // The sweep's first step (sequential, in the threads build) waits in its place.
    let out = p.at(1.0, Event::Sweep(params(Tool::Sequential, Kind::Cpu)));
    assert_eq!(out[0], Effect::Show(Update::Sweeping(true)));
    assert_eq!(started(&out), None);
    p.msg(new, ready(Build::Atomics, 0));
    let out = p.msg(new, ready(Build::Atomics, 8));
    let id = started(&out).expect("the step starts with the pool");
    let e = run_posted(&out, new);
    assert_eq!(e.tool, Tool::Sequential);
    let report = report(e, Build::Atomics, 400.0);
    let out = p.msg(new, FromWorker::Finished { id, report });
    assert!(!out.contains(&Effect::Show(Update::Sweeping(false))));
    assert!(started(&out).is_some(), "its end started the next step");
}

#[test]
fn a_parent_message_during_a_sweep_is_refused_with_a_notice() {
    let mut p = Page::ready_isolated();
    p.at(1.0, Event::Sweep(params(Tool::Sequential, Kind::Cpu)));
    let out = p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)));
    assert_eq!(started(&out), None);
    assert!(notices(&out)[0].contains("sweep"));
}

#[test]
fn a_failed_step_ends_the_sweep() {
    let mut p = Page::ready_isolated();
    let out = p.at(1.0, Event::Sweep(params(Tool::Sequential, Kind::Cpu)));
    let id = started(&out).unwrap();
    let out = p.msg(
        W_ATOMICS,
        FromWorker::Failed {
            id: Some(id),
            message: "x".into(),
        },
    );
    assert!(out.contains(&Effect::Show(Update::Sweeping(false))));
    assert_eq!(started(&out), None);
}

#[test]
fn the_gil_setting_reaches_the_engine() {
    let mut p = Page::ready_isolated();
    let (_, out) = p.run(Params {
        gil: Some(Gil::Off),
        ..params(Tool::Threads, Kind::Cpu)
    });
    assert_eq!(run_posted(&out, W_ATOMICS).gil, Gil::Off);
}

// --- requests of the embedding page (tagged) ---

fn run_for(tool: Tool, kind: Kind, tag: &str) -> Event {
    Event::RunFor {
        params: params(tool, kind),
        request: Some(tag.into()),
        guess: None,
    }
}

fn rejected(out: &[Effect]) -> Vec<(String, String)> {
    out.iter()
        .filter_map(|e| match e {
            Effect::ToHost(RunAnswer::Rejected(r)) => Some((r.request.clone(), r.message.clone())),
            _ => None,
        })
        .collect()
}

fn posted_to_parent(out: &[Effect]) -> Vec<(RunId, Option<String>)> {
    out.iter()
        .filter_map(|e| match e {
            Effect::ToHost(RunAnswer::Finished { record, request }) => {
                Some((record.id, request.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_tagged_request_is_answered_by_name_and_the_visitors_runs_by_none() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, run_for(Tool::Async, Kind::Io, "r1"));
    let id = started(&out).unwrap();
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 110.0);
    assert_eq!(posted_to_parent(&out), [(id, Some("r1".into()))]);
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 110.0);
    assert_eq!(posted_to_parent(&out), [(id, None)]);
}

#[test]
fn a_tagged_request_that_cannot_run_is_rejected_with_the_notice() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, run_for(Tool::Threads, Kind::Cpu, "t"));
    assert_eq!(started(&out), None);
    let why = rejected(&out);
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].0, "t");
    assert_eq!(
        why[0].1,
        notices(&out)[0],
        "the same words as the page's notice"
    );
}

#[test]
fn a_tagged_request_replaced_or_stopped_before_it_started_is_rejected() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    let first = run_posted(&out, W_PLAIN);
    assert!(rejected(&p.at(1.0, run_for(Tool::Async, Kind::Io, "a"))).is_empty());
    let out = p.at(1.0, run_for(Tool::Async, Kind::Cpu, "b"));
    assert_eq!(
        rejected(&out)[0].0,
        "a",
        "the newest wins, the older is told"
    );
    let out = p.at(1.0, Event::Stop);
    assert_eq!(rejected(&out)[0].0, "b");
    let out = p.finish(W_PLAIN, id, first, 300.0);
    assert_eq!(started(&out), None);
}

#[test]
fn a_tagged_request_during_a_sweep_or_declined_is_rejected() {
    let mut p = Page::ready_isolated();
    p.at(1.0, Event::Sweep(params(Tool::Sequential, Kind::Cpu)));
    let out = p.at(1.0, run_for(Tool::Async, Kind::Io, "s"));
    assert!(rejected(&out)[0].1.contains("sweep"));

    let mut p = Page::ready_plain();
    let out = p.at(
        1.0,
        Event::RunFor {
            params: Params {
                tasks: Some(10_000),
                io_ms: Some(10_000),
                ..params(Tool::Sequential, Kind::Io)
            },
            request: Some("long".into()),
            guess: None,
        },
    );
    assert!(matches!(out[..], [Effect::Confirm { .. }]));
    let out = p.at(1.0, Event::Confirmed(false));
    assert_eq!(rejected(&out)[0].0, "long");
}

/// CPython's worker says it loaded 3.14.2 in 2 s.
fn python_loaded() -> FromWorker {
    FromWorker::Ready {
        build: Build::Cpython,
        pool_threads: 1,
        started_at: 100.0,
        ready_at: 2100.0,
        cancel_word: None,
        python_version: Some("3.14.2".into()),
    }
}

/// CPython in the page: a plain page, with CPython picked and loaded, its loop measured at
/// 50 ns an iteration. Returns the page and CPython's worker.
fn python_ready() -> (Page, WorkerId) {
    let mut p = Page::ready_plain();
    let out = p.at(
        1.0,
        Event::UseEngine(crate::experiment::config::Engine::Cpython),
    );
    let [(worker, Role::Engine(Build::Cpython))] = spawned(&out)[..] else {
        panic!("CPython's worker is spawned when picked: {out:?}");
    };
    assert!(
        p.at(
            1.0,
            Event::UseEngine(crate::experiment::config::Engine::Cpython)
        )
        .is_empty(),
        "once"
    );
    let out = p.msg(
        worker,
        FromWorker::Loading {
            loaded: 10.0,
            total: 100.0,
        },
    );
    assert!(out.contains(&Effect::Show(Update::PythonLoading(10.0, 100.0))));
    let out = p.msg(worker, python_loaded());
    assert_eq!(posts(&out, worker), vec![ToWorker::Calibrate]);
    assert_eq!(
        p.lab.view().python.ready,
        Some(("3.14.2".to_string(), 2000.0))
    );
    p.msg(worker, calibrated(50.0));
    p.out.clear();
    (p, worker)
}

fn cpython(tool: Tool, kind: Kind) -> Params {
    Params {
        engine: Some(crate::experiment::config::Engine::Cpython),
        ..params(tool, kind)
    }
}

fn code_posted(out: &[Effect], worker: WorkerId) -> (RunId, Experiment, String) {
    posts(out, worker)
        .into_iter()
        .find_map(|m| match m {
            ToWorker::RunCode {
                id,
                experiment,
                code,
            } => Some((id, experiment, code)),
            _ => None,
        })
        .expect("a program was posted to CPython")
}

#[test]
fn cpython_threads_with_the_gil_off_are_refused_saying_they_are_the_models() {
    let (mut p, worker) = python_ready();
    let off = Params {
        gil: Some(crate::experiment::config::Gil::Off),
        ..cpython(Tool::Threads, Kind::Cpu)
    };
    let out = p.at(1.0, Event::Run(off));
    assert!(posts(&out, worker).is_empty(), "nothing runs: {out:?}");
    let [text] = &notices(&out)[..] else {
        panic!("one notice: {out:?}")
    };
    assert!(text.contains("GIL off is the Rust model's") && text.contains("python3.14t"));
    // With the GIL on, the program goes to CPython's worker.
    let out = p.at(2.0, Event::Run(cpython(Tool::Threads, Kind::Cpu)));
    let (_, experiment, _) = code_posted(&out, worker);
    assert_eq!(experiment.tool, Tool::Threads);
}

#[test]
fn cpython_processes_need_an_isolated_page_and_say_why_elsewhere() {
    let (mut p, worker) = python_ready();
    let out = p.at(1.0, Event::Run(cpython(Tool::Processes, Kind::Cpu)));
    assert!(posts(&out, worker).is_empty(), "nothing runs: {out:?}");
    let [text] = &notices(&out)[..] else {
        panic!("one notice: {out:?}")
    };
    assert!(text.contains("cross-origin isolated") && text.contains("Atomics.wait"));
    // On an isolated page the same request runs: the program goes to CPython's worker.
    let (mut p, worker) = python_ready();
    p.lab.isolated = true;
    let out = p.at(1.0, Event::Run(cpython(Tool::Processes, Kind::Cpu)));
    let (_, e, code) = code_posted(&out, worker);
    assert_eq!(e.tool, Tool::Processes);
    assert!(code.contains("ProcessPoolExecutor(max_workers=WORKERS)"));
}

#[test]
fn cpython_runs_the_generated_program_with_its_own_calibration_and_records_what_ran() {
    let (mut p, worker) = python_ready();
    let out = p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Cpu)));
    let (id, e, code) = code_posted(&out, worker);
    // 100 ms at 50 ns an iteration: CPython's figure, not the model's (0.5 ns).
    assert_eq!(e.cpu_iters, 2_000_000);
    assert!(code.contains("N = 2_000_000  #") && code.contains("TOOL = \"async\"  #"));
    assert!(out.contains(&Effect::Show(Update::Output(id, String::new()))));
    p.msg(
        worker,
        FromWorker::Output {
            id,
            text: "hello\n".into(),
        },
    );
    assert_eq!(p.lab.view().python.output.as_str(), "hello\n");
    let out = p.msg(
        worker,
        FromWorker::Finished {
            id,
            report: report(e, Build::Cpython, 150.0),
        },
    );
    let [record] = &added(&out)[..] else { panic!() };
    let python = record
        .python
        .as_ref()
        .expect("a CPython run says what ran it");
    assert_eq!(python.version, "3.14.2");
    assert_eq!(python.load_ms, 2000.0);
    assert_eq!(python.code_hash, crate::python::cpython::code_hash(&code));
    assert_eq!(
        python.output,
        Some(Output {
            text: "hello\n".into(),
            cut: false
        }),
        "what the program printed, for a host's script to check"
    );
    assert!(out.contains(&Effect::ToHost(RunAnswer::Finished {
        record: record.clone(),
        request: None
    })));
    assert_eq!(
        record.experiment.engine,
        crate::experiment::config::Engine::Cpython
    );
}

#[test]
fn a_cpython_runs_record_keeps_what_the_page_keeps_of_its_output_and_says_when_it_was_cut() {
    let (mut p, worker) = python_ready();
    let finish = |p: &mut Page, id, e| {
        let out = p.msg(
            worker,
            FromWorker::Finished {
                id,
                report: report(e, Build::Cpython, 150.0),
            },
        );
        let [record] = &added(&out)[..] else { panic!() };
        record.python.clone().and_then(|p| p.output).unwrap()
    };
    // Nothing printed: an empty output, not an absent one.
    let (id, e, _) = code_posted(
        &p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Io))),
        worker,
    );
    assert_eq!(finish(&mut p, id, e), Output::default());
    // More than the page keeps: cut at its cap.
    let (id, e, _) = code_posted(
        &p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Io))),
        worker,
    );
    let line = format!("{}\n", "é".repeat(99));
    for _ in 0..crate::wire::worker::MAX_OUTPUT_CHARS / 100 + 1 {
        p.msg(
            worker,
            FromWorker::Output {
                id,
                text: line.clone(),
            },
        );
    }
    let output = finish(&mut p, id, e);
    assert_eq!(
        output.text.chars().count(),
        crate::wire::worker::MAX_OUTPUT_CHARS
    );
    assert!(output.cut);
    // Cut by CPython's worker before the page's cap (two UTF-16 units a character).
    let (id, e, _) = code_posted(
        &p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Io))),
        worker,
    );
    let text = format!("{}{}", "😀".repeat(100), crate::wire::worker::OUTPUT_CUT);
    p.msg(
        worker,
        FromWorker::Output {
            id,
            text: text.clone(),
        },
    );
    assert_eq!(finish(&mut p, id, e), Output { text, cut: true });
}

#[test]
fn cpython_speedups_divide_a_sequential_run_of_the_same_program_only() {
    let (mut p, worker) = python_ready();
    // A model run of the same work is no baseline for CPython.
    let (model_id, out) = p.run(params(Tool::Sequential, Kind::Io));
    p.finish(W_PLAIN, model_id, run_posted(&out, W_PLAIN), 400.0);
    let edited = "# mine\nTOOL = \"sequential\"\nTASKS = 4\nprint(1)\n";
    p.at(1.0, Event::SetCode(Some(edited.into())));
    let out = p.at(1.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    let (seq, e, code) = code_posted(&out, worker);
    assert_eq!(
        code, edited,
        "the editor's program, its constants already the form's"
    );
    let out = p.msg(
        worker,
        FromWorker::Finished {
            id: seq,
            report: report(e, Build::Cpython, 420.0),
        },
    );
    assert_eq!(added(&out)[0].speedup, None, "not against the model's run");
    let out = p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Io)));
    let (asy, e, code) = code_posted(&out, worker);
    assert!(code.contains("TOOL = \"async\"") && code.contains("print(1)"));
    let out = p.msg(
        worker,
        FromWorker::Finished {
            id: asy,
            report: report(e, Build::Cpython, 105.0),
        },
    );
    let record = &added(&out)[0];
    assert_eq!(record.baseline_run, Some(seq));
    assert_eq!(record.speedup, Some(4.0));
    // Another program: no speedup against the first.
    p.at(
        1.0,
        Event::SetCode(Some("TOOL = \"async\"\nprint(2)\n".into())),
    );
    let out = p.at(1.0, Event::Run(cpython(Tool::Async, Kind::Io)));
    let (other, e, _) = code_posted(&out, worker);
    let out = p.msg(
        worker,
        FromWorker::Finished {
            id: other,
            report: report(e, Build::Cpython, 105.0),
        },
    );
    assert_eq!(added(&out)[0].speedup, None);
}

#[test]
fn stopping_cpython_interrupts_it_then_replaces_an_interpreter_that_does_not_answer() {
    let (mut p, worker) = python_ready();
    let out = p.at(1.0, Event::Run(cpython(Tool::Sequential, Kind::Cpu)));
    let (id, _, _) = code_posted(&out, worker);
    let out = p.at(50.0, Event::Stop);
    assert!(out.contains(&Effect::Cancel(worker, id)));
    assert!(out.contains(&Effect::StartTimer(
        Timer::StopGrace(id),
        PYTHON_STOP_GRACE_MS
    )));
    let out = p.at(150.0, Event::Timer(Timer::StopGrace(id)));
    assert!(out.contains(&Effect::Terminate(worker)));
    let [(fresh, Role::Engine(Build::Cpython))] = spawned(&out)[..] else {
        panic!("a new interpreter replaces the one that did not answer")
    };
    assert_ne!(fresh, worker);
    assert_eq!(added(&out)[0].status, RunStatus::Stopped);
    // A run asked for meanwhile waits for the new interpreter and its calibration.
    let out = p.at(1.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    assert_eq!(started(&out), None);
}

#[test]
fn cpython_runs_every_kind_and_refuses_only_when_it_cannot_load() {
    // The program has the race and the serial part too: CPython runs them (and says itself
    // when it cannot start a thread).
    let (mut p, worker) = python_ready();
    let mut race = cpython(Tool::Threads, Kind::Race);
    race.serial = Some(10);
    let out = p.at(
        1.0,
        Event::RunFor {
            params: race,
            request: Some("r1".into()),
            guess: None,
        },
    );
    let (_, e, code) = code_posted(&out, worker);
    assert_eq!(e.kind, Kind::Race);
    assert!(code.contains("KIND = \"race\"  #") && code.contains("LOCK = False  #"));

    // An interpreter that never loads: the waiting run is refused, and so are later ones.
    let mut p = Page::ready_plain();
    let out = p.at(1.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    let [(worker, _)] = spawned(&out)[..] else {
        panic!()
    };
    let out = p.at(
        1.0,
        Event::Crashed(worker, "CPython did not load: 404".into()),
    );
    assert!(notices(&out)[0].starts_with("CPython did not start: CPython did not load: 404"));
    assert_eq!(
        p.lab.view().python.failed.as_deref(),
        Some("CPython did not load: 404")
    );
    let out = p.at(1.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    assert_eq!(started(&out), None);
    assert!(spawned(&out).is_empty(), "no endless retry");
    assert!(notices(&out)[0].contains("CPython did not start"));
    // Picking it again tries again.
    let out = p.at(
        1.0,
        Event::UseEngine(crate::experiment::config::Engine::Cpython),
    );
    assert_eq!(spawned(&out).len(), 1);
}

#[test]
fn an_interpreter_that_fails_before_it_measured_its_loop_is_not_restarted_forever() {
    let mut p = Page::ready_plain();
    let out = p.at(
        1.0,
        Event::UseEngine(crate::experiment::config::Engine::Cpython),
    );
    let [(worker, _)] = spawned(&out)[..] else {
        panic!()
    };
    p.msg(
        worker,
        FromWorker::Ready {
            build: Build::Cpython,
            pool_threads: 1,
            started_at: 0.0,
            ready_at: 1.0,
            cancel_word: None,
            python_version: Some("3.14.2".into()),
        },
    );
    // Its script throws on the calibration request: given up on, with a notice, not respawned.
    let out = p.at(1.0, Event::Crashed(worker, "ReferenceError: x".into()));
    assert!(spawned(&out).is_empty());
    assert!(notices(&out)[0].contains("CPython did not start"));
}

#[test]
fn the_workers_that_run_the_pages_own_module_are_the_plain_builds() {
    let roles = [
        Role::Engine(Build::Plain),
        Role::Engine(Build::Atomics),
        Role::Engine(Build::Cpython),
        Role::Process,
    ];
    for role in roles {
        // The script's query names the build; the page asks the role, not the text.
        let plain = role.script().contains("build=plain");
        assert_eq!(role.runs_page_module(), plain, "{role:?}");
    }
}

#[test]
fn host_sent_code_never_shares_its_interpreter_with_the_visitors_next_run() {
    let (mut p, worker) = python_ready();
    // The host's program, run by its message: in the interpreter that is there.
    p.at(
        1.0,
        Event::SetCode(Some("import json\njson.dumps = None\n".into())),
    );
    let out = p.at(
        1.0,
        Event::RunFor {
            params: cpython(Tool::Sequential, Kind::Io),
            request: Some("host".into()),
            guess: None,
        },
    );
    let (id, e, _) = code_posted(&out, worker);
    p.finish(worker, id, e, 10.0);
    // Another of the host's runs may share it; the visitor's own run gets a fresh one.
    let out = p.at(2.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    assert!(out.contains(&Effect::Terminate(worker)), "{out:?}");
    let [(fresh, Role::Engine(Build::Cpython))] = spawned(&out)[..] else {
        panic!("a new interpreter: {out:?}");
    };
    assert_eq!(
        started(&out),
        None,
        "the run waits for it to load and measure its loop"
    );
    p.msg(fresh, python_loaded());
    let out = p.msg(fresh, calibrated(50.0));
    let (id, e, _) = code_posted(&out, fresh);
    p.finish(fresh, id, e, 10.0);
    // The visitor's later runs keep it.
    let out = p.at(3.0, Event::Run(cpython(Tool::Sequential, Kind::Io)));
    assert!(spawned(&out).is_empty());
    code_posted(&out, fresh);
}
