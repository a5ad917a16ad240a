//! Predict first: a guessed run meets a measured speedup, its baseline running first when
//! there is none; a host's run never waits for a guess.

use super::*;
use crate::run::prediction::Prediction;
use crate::teaching::predict::Explanation;

fn guessed(tool: Tool, kind: Kind, guess: f64) -> Event {
    Event::RunGuessed {
        params: params(tool, kind),
        guess,
    }
}

#[test]
fn a_guess_after_a_sequential_run_meets_its_speedup() {
    let mut p = Page::ready_isolated();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Cpu));
    p.finish(W_ATOMICS, id, run_posted(&out, W_ATOMICS), 400.0);
    let out = p.at(1.0, guessed(Tool::Threads, Kind::Cpu, 4.0));
    assert!(notices(&out).is_empty(), "no baseline to run first");
    let id = started(&out).expect("runs at once");
    let e = run_posted(&out, W_ATOMICS);
    let out = p.finish(W_ATOMICS, id, e, 408.0);
    let record = &added(&out)[0];
    let prediction = record.prediction.expect("predicted");
    assert_eq!(prediction.guess, 4.0);
    assert_eq!(prediction.measured, record.speedup);
    assert!(prediction.error.unwrap() >= 0.5);
    assert_eq!(
        Explanation::of(&record.experiment, 2, &prediction),
        Some(Explanation::Gil)
    );
    assert!(out.contains(&Effect::ToHost(RunAnswer::Finished {
        record: record.clone(),
        request: None
    })));
    let fields = record.fields();
    let get = |k: &str| fields.iter().find(|(c, _, _)| *c == k).unwrap().2.clone();
    assert_eq!(get("prediction_guess"), "4");
    assert_eq!(
        get("prediction_error"),
        format!("{:.4}", prediction.error.unwrap())
    );
}

#[test]
fn without_a_baseline_the_sequential_run_goes_first_and_the_page_says_so() {
    let mut p = Page::ready_isolated();
    let out = p.at(1.0, guessed(Tool::Threads, Kind::Cpu, 2.0));
    assert_eq!(notices(&out).len(), 1);
    assert!(notices(&out)[0].starts_with("Running sequential"));
    let base = run_posted(&out, W_ATOMICS);
    assert_eq!(base.tool, Tool::Sequential, "in the threads' build");
    let out = p.finish(W_ATOMICS, started(&out).unwrap(), base, 400.0);
    assert_eq!(
        added(&out)[0].prediction,
        None,
        "the baseline carries no guess"
    );
    let threads = run_posted(&out, W_ATOMICS);
    assert_eq!(threads.tool, Tool::Threads, "then the guessed run");
    assert_eq!(threads.cpu_iters, base.cpu_iters);
    let out = p.finish(W_ATOMICS, started(&out).unwrap(), threads, 200.0);
    let record = &added(&out)[0];
    assert_eq!(record.speedup, Some(2.0));
    assert_eq!(
        record.prediction,
        Some(Prediction {
            guess: 2.0,
            measured: Some(2.0),
            error: Some(0.0)
        })
    );
}

#[test]
fn stop_during_the_baseline_drops_the_guessed_run() {
    let mut p = Page::ready_plain();
    let out = p.at(1.0, guessed(Tool::Async, Kind::Io, 3.0));
    let id = started(&out).unwrap();
    p.at(1.0, Event::Stop);
    let e = run_posted(&out, W_PLAIN);
    let out = p.msg(
        W_PLAIN,
        FromWorker::Finished {
            id,
            report: RunReport {
                streamed: 0,
                status: RunStatus::Stopped,
                ..report(e, Build::Plain, 50.0)
            },
        },
    );
    assert_eq!(started(&out), None);
}

#[test]
fn a_hosts_guess_rides_on_its_request_and_sequential_asks_for_none() {
    let mut p = Page::ready_plain();
    let (id, out) = p.run(params(Tool::Sequential, Kind::Io));
    p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 400.0);
    let out = p.at(
        1.0,
        Event::RunFor {
            params: params(Tool::Async, Kind::Io),
            request: Some("r".into()),
            guess: Some(1.0),
        },
    );
    let id = started(&out).unwrap();
    let out = p.finish(W_PLAIN, id, run_posted(&out, W_PLAIN), 100.0);
    let record = &added(&out)[0];
    assert_eq!(record.prediction.map(|p| p.error), Some(Some(0.75)));
    assert!(out.contains(&Effect::ToHost(RunAnswer::Finished {
        record: record.clone(),
        request: Some("r".into())
    })));
    // A guess for sequential has nothing to meet but itself: no baseline first.
    let out = p.at(1.0, guessed(Tool::Sequential, Kind::Io, 1.0));
    assert!(notices(&out).is_empty());
    assert_eq!(run_posted(&out, W_PLAIN).tool, Tool::Sequential);
}
