//! No run shares the machine with the page's own start-up work (the threads build's start and
//! calibration); a run nobody on the page asked for (a link's `run=1`, a host's message) also
//! waits for a warm pool; the compact view runs the baseline its result line needs first.

use super::*;

/// A fresh isolated page opened with `run=1` for `params`, up to its plain build's calibration.
fn linked_isolated(params: Params) -> (Page, Vec<Effect>) {
    Page::up(Some(params), true, false)
}

#[test]
fn a_linked_run_waits_for_the_threads_build_and_says_so_once() {
    let (mut p, out) = linked_isolated(params(Tool::Async, Kind::Cpu));
    assert!(p.lab.is_ready());
    assert_eq!(started(&out), None, "not beside the threads build's start");
    assert_eq!(
        notices(&out),
        [
            "The run waits for the page to finish starting up: beside that work its figures \
             would be wrong."
        ]
    );
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    assert_eq!((started(&out), notices(&out).len()), (None, 0), "said once");
    let out = p.msg(W_ATOMICS, ready(Build::Atomics, 6));
    assert_eq!(started(&out), None, "not before its calibration");
    let out = p.msg(W_ATOMICS, calibrated(0.4));
    assert_eq!(started(&out), Some(RunId(1)));
    let e = run_posted(&out, W_PLAIN);
    p.finish(W_PLAIN, RunId(1), e, 100.0);
}

#[test]
fn a_threads_build_that_fails_lets_the_linked_run_go_on_without_it() {
    let (mut p, _) = linked_isolated(params(Tool::Async, Kind::Io));
    p.msg(W_ATOMICS, ready(Build::Atomics, 0));
    let out = p.at(
        ATOMICS_START_LIMIT_MS as f64,
        Event::Timer(Timer::AtomicsStart(W_ATOMICS)),
    );
    assert_eq!(
        started(&out),
        Some(RunId(1)),
        "nothing is starting any more"
    );
}

#[test]
fn a_linked_processes_run_warms_its_pool_first_and_pays_no_start_up() {
    let (mut p, out) = Page::up(Some(params(Tool::Processes, Kind::Cpu)), false, false);
    assert_eq!(started(&out), None);
    let procs: Vec<WorkerId> = spawned(&out).iter().map(|(w, _)| *w).collect();
    assert_eq!(procs.len(), 2, "the pool's two processes start now");
    assert!(notices(&out)[0].starts_with("The run waits for the page to finish starting up"));
    let out = p.msg(procs[0], ready(Build::Plain, 1));
    assert_eq!(started(&out), None, "one of two is warm");
    let out = p.msg(procs[1], ready(Build::Plain, 1));
    let id = started(&out).expect("runs once both are warm");
    assert!(spawned(&out).is_empty(), "on the warm pool");
    for (i, w) in procs.iter().enumerate() {
        assert!(
            matches!(posts(&out, *w)[..], [ToWorker::Task { .. }]),
            "process {i} computes at once"
        );
    }
    let mut last = Vec::new();
    for task in 0..4 {
        let w = procs[task as usize % 2];
        last = p.msg(w, task_done(id, task, true));
    }
    let record = &added(&last)[0];
    assert!(!record.paid_startup, "its processes were up before it");
}

#[test]
fn a_hosts_untagged_run_waits_for_the_threads_build_too() {
    let mut p = Page::threads_starting();
    let host = Event::RunFor {
        params: params(Tool::Async, Kind::Io),
        request: None,
        guess: None,
    };
    assert_eq!(started(&p.at(1.0, host)), None);
    let out = p.threads_come_up();
    assert_eq!(started(&out), Some(RunId(1)));
    assert!(
        !out.iter()
            .any(|e| matches!(e, Effect::ToHost(RunAnswer::Rejected(_)))),
        "untagged: no answer"
    );
}

#[test]
fn a_visitors_run_waits_for_the_threads_build_too_but_warms_no_pool() {
    let mut p = Page::threads_starting();
    let out = p.at(1.0, Event::Run(params(Tool::Processes, Kind::Cpu)));
    assert_eq!(started(&out), None);
    assert!(spawned(&out).is_empty(), "no process before the run");
    assert_eq!(notices(&out).len(), 1);
    let out = p.threads_come_up();
    assert!(started(&out).is_some());
    assert_eq!(
        spawned(&out).len(),
        2,
        "its processes start with it: it pays for them"
    );
}

#[test]
fn the_compact_view_runs_its_baseline_first_which_names_the_run_it_is_for() {
    let (mut p, _) = Page::up(None, false, true);
    let out = p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)));
    assert_eq!(
        notices(&out),
        ["Running sequential with the same work first: the speedup is measured against it."]
    );
    let base = run_posted(&out, W_PLAIN);
    assert_eq!(base.tool, Tool::Sequential);
    assert_eq!(started(&out), Some(RunId(1)));
    let out = p.finish(W_PLAIN, RunId(1), base, 400.0);
    let baseline = &added(&out)[0];
    assert_eq!(baseline.baseline_for, Some(RunId(2)), "the run it is for");
    assert!(out.contains(&Effect::ToHost(RunAnswer::Finished {
        record: baseline.clone(),
        request: None
    })));
    assert_eq!(started(&out), Some(RunId(2)));
    let run = run_posted(&out, W_PLAIN);
    assert_eq!(run.tool, Tool::Async);
    let out = p.finish(W_PLAIN, RunId(2), run, 100.0);
    let record = &added(&out)[0];
    assert_eq!(
        (record.speedup, record.baseline_run),
        (Some(4.0), Some(RunId(1)))
    );
    // With its baseline there, the next run goes at once, under the next id.
    let out = p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)));
    assert!(notices(&out).is_empty());
    assert_eq!(started(&out), Some(RunId(3)));
}

#[test]
fn a_full_view_and_a_sequential_run_ask_for_no_baseline() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, Event::Run(params(Tool::Async, Kind::Io)));
    assert_eq!(run_posted(&out, W_PLAIN).tool, Tool::Async, "full view");
    let out = p.finish(
        W_PLAIN,
        started(&out).unwrap(),
        run_posted(&out, W_PLAIN),
        100.0,
    );
    assert_eq!(added(&out)[0].speedup, None);
    p.lab.compact = true;
    let out = p.at(1.0, Event::Run(params(Tool::Sequential, Kind::Cpu)));
    assert!(notices(&out).is_empty());
    assert_eq!(run_posted(&out, W_PLAIN).tool, Tool::Sequential);
}

#[test]
fn a_report_that_leaves_out_its_streamed_spans_gets_them_from_the_progress() {
    use crate::run::timeline::{Span, SpanState};
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Async, Kind::Io));
    let e = run_posted(&out, W_PLAIN);
    let streamed: Vec<Span> = (0..3)
        .map(|t| Span::new(t, 0, SpanState::Io, 1.0, 2.0))
        .collect();
    p.msg(
        W_PLAIN,
        FromWorker::Progress {
            id,
            spans: streamed.clone(),
            open: Vec::new(),
        },
    );
    let last = Span::new(3, 0, SpanState::Io, 1.0, 3.0);
    let report = RunReport {
        spans: vec![last],
        streamed: 3,
        ..report(e, Build::Plain, 5.0)
    };
    let out = p.msg(W_PLAIN, FromWorker::Finished { id, report });
    let record = &added(&out)[0];
    assert_eq!(record.spans.as_slice(), [streamed, vec![last]].concat());
}

/// An isolated page opened on CPython, its plain build calibrated while CPython loads; returns
/// it with CPython's worker and the calibration's effects.
fn loading_cpython() -> (Page, WorkerId, Vec<Effect>) {
    let mut p = Page::new(None);
    p.at(
        0.0,
        Event::Start {
            isolated: true,
            compact: false,
        },
    );
    let out = p.at(
        1.0,
        Event::UseEngine(crate::experiment::config::Engine::Cpython),
    );
    let [(python, Role::Engine(Build::Cpython))] = spawned(&out)[..] else {
        panic!("CPython's worker: {out:?}");
    };
    p.msg(W_PLAIN, ready(Build::Plain, 1));
    let out = p.msg(W_PLAIN, calibrated(0.5));
    (p, python, out)
}

#[test]
fn a_page_that_loads_cpython_starts_the_threads_build_once_cpython_measured_its_loop() {
    let (mut p, python, out) = loading_cpython();
    assert!(p.lab.is_ready());
    assert!(spawned(&out).is_empty(), "CPython loads first: {out:?}");
    let out = p.msg(python, python_loaded());
    assert!(spawned(&out).is_empty(), "nor beside its calibration");
    let out = p.msg(python, calibrated(50.0));
    assert!(
        matches!(spawned(&out)[..], [(_, Role::Engine(Build::Atomics))]),
        "{out:?}"
    );
}

#[test]
fn a_cpython_that_fails_to_load_lets_the_threads_build_start() {
    let (mut p, python, _) = loading_cpython();
    let out = p.at(1.0, Event::Crashed(python, "404".into()));
    assert!(
        matches!(spawned(&out)[..], [(_, Role::Engine(Build::Atomics))]),
        "{out:?}"
    );
}

#[test]
fn a_model_run_asked_while_cpython_loads_waits_for_it_then_for_the_threads_build() {
    let (mut p, python, _) = loading_cpython();
    let out = p.at(1.0, Event::Run(params(Tool::Threads, Kind::Cpu)));
    assert_eq!(started(&out), None, "it waits for the start-up");
    assert!(spawned(&out).is_empty(), "CPython loads first");
    p.msg(python, python_loaded());
    let out = p.msg(python, calibrated(50.0));
    let [(atomics, Role::Engine(Build::Atomics))] = spawned(&out)[..] else {
        panic!("the threads build: {out:?}");
    };
    p.msg(atomics, ready(Build::Atomics, 0));
    p.msg(atomics, ready(Build::Atomics, 6));
    let out = p.msg(atomics, calibrated(0.4));
    assert!(started(&out).is_some(), "then it runs: {out:?}");
}
