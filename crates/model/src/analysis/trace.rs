//! Runs as Chrome's trace-event JSON (the "JSON Object Format" of the Trace Event Format
//! document), which Perfetto and `chrome://tracing` open: one process per run, one thread track
//! per lane, a complete event (`ph: "X"`) per span with the span's state as its category, and
//! the GIL's acquires, releases and forced drops as thread-scoped instant events (`ph: "i"`), and
//! each GIL hand-over as a flow (`ph: "s"` on the thread that let the GIL go, `ph: "f"` on the one
//! that got it, one id), which Perfetto draws as an arrow. Times are µs from the run's start, as
//! the format wants.

use crate::analysis::cause::{causes, CauseKind};
use crate::json::{Json, ToJson};
use crate::run::record::RunRecord;
use crate::run::timeline::{Span, TaskRef};
use crate::run::wording::Wording;

/// The file name a download gets: the format's usual suffix, so tools recognise it.
pub const FILE_NAME: &str = "concurrency-playground.trace.json";

fn micros(ms: f64) -> f64 {
    (ms * 1000.0 * 1000.0).round() / 1000.0
}

/// A metadata event (`ph: "M"`) of process `pid`, thread `tid`.
fn metadata(name: &str, pid: u32, tid: u32, args: Json) -> Json {
    Json::obj([
        ("ph", "M".to_json()),
        ("name", name.to_json()),
        ("pid", pid.to_json()),
        ("tid", tid.to_json()),
        ("ts", 0u32.to_json()),
        ("args", args),
    ])
}

/// One end of a hand-over's flow: `ph` `s` or `f`, flow `id`, on thread `tid` at `ts` µs.
/// Perfetto's importer matches the two ends by `id`, `cat` and `name`; `bp: "e"` binds the end
/// to the slice that encloses it (the acquiring thread's wait), as the start always is.
fn flow(ph: &str, id: u32, pid: u32, tid: u32, ts: f64) -> Json {
    let mut event = Json::obj([
        ("ph", ph.to_json()),
        ("id", id.to_json()),
        ("name", "GIL hand-over".to_json()),
        ("cat", "gil".to_json()),
        ("pid", pid.to_json()),
        ("tid", tid.to_json()),
        ("ts", micros(ts).to_json()),
    ]);
    if ph == "f" {
        event.push("bp", "e".to_json());
    }
    event
}

/// Where a hand-over's arrow starts: inside the holder's last span before it let go at
/// `released_at` (an arrow must start in a slice, and the holder's span ends just before its
/// release is logged), at most 1 µs before that span's end.
fn flow_start(spans: &[Span], holder: u32, released_at: f64) -> f64 {
    spans
        .iter()
        .filter(|s| s.lane == holder && s.start < released_at)
        .max_by(|a, b| a.start.total_cmp(&b.start))
        .map_or(released_at, |s| {
            let end = s.end.min(released_at);
            end - (0.001f64).min((end - s.start) / 2.0)
        })
}

/// The trace of `runs`.
pub fn chrome_trace(runs: &[RunRecord]) -> String {
    let mut events: Vec<Json> = Vec::new();
    let mut flows = 0u32;
    for run in runs {
        // The trace's process is the run.
        let pid = run.id.0;
        let e = &run.experiment;
        let words = Wording::of(run);
        let title = format!(
            "Run {}: {} {} × {}, {} worker(s), GIL {}, {:.1} ms ({})",
            run.id,
            e.tool.as_str(),
            e.kind.as_str(),
            e.tasks,
            e.workers,
            e.gil.as_str(),
            run.wall_ms,
            run.status.as_str()
        );
        events.push(metadata(
            "process_name",
            pid,
            0,
            Json::obj([("name", title.to_json())]),
        ));
        events.push(metadata(
            "process_sort_index",
            pid,
            0,
            Json::obj([("sort_index", run.id.to_json())]),
        ));
        for lane in crate::run::timeline::lanes_of(&run.spans) {
            let name = words.lane(lane);
            events.push(metadata(
                "thread_name",
                pid,
                lane,
                Json::obj([("name", name.to_json())]),
            ));
        }
        for span in run.spans.iter() {
            let name = match span.task_ref() {
                TaskRef::Task(n) => format!("task {n}"),
                TaskRef::Serial | TaskRef::Lane => span.state.label().to_string(),
            };
            events.push(Json::obj([
                ("ph", "X".to_json()),
                ("name", name.to_json()),
                ("cat", span.state.to_json()),
                ("pid", pid.to_json()),
                ("tid", span.lane.to_json()),
                ("ts", micros(span.start - run.started_at).to_json()),
                ("dur", micros((span.end - span.start).max(0.0)).to_json()),
                (
                    "args",
                    Json::obj([
                        ("task", span.task.to_json()),
                        ("state", span.state.label().to_json()),
                    ]),
                ),
            ]));
        }
        for g in run.gil_events.iter() {
            events.push(Json::obj([
                ("ph", "i".to_json()),
                ("s", "t".to_json()),
                ("name", format!("GIL {}", g.kind.as_str()).to_json()),
                ("cat", "gil".to_json()),
                ("pid", pid.to_json()),
                ("tid", g.lane.to_json()),
                ("ts", micros(g.at - run.started_at).to_json()),
                ("args", Json::obj([("task", g.task.to_json())])),
            ]));
        }
        let t0 = run.started_at;
        for (wait, cause) in run.spans.iter().zip(causes(&run.spans, &run.gil_events)) {
            let Some(c) = cause.filter(|c| c.kind <= CauseKind::GilVoluntary) else {
                continue;
            };
            let Some(holder) = c.lane_list().next() else {
                continue;
            };
            flows += 1;
            let from = flow_start(&run.spans, holder, c.released_at);
            events.push(flow("s", flows, pid, holder, from - t0));
            // On two threads' clocks the acquire can read a few µs before the release it
            // followed; in the GIL's own order it never comes first.
            let to = wait.end.max(c.released_at);
            events.push(flow("f", flows, pid, wait.lane, to - t0));
        }
    }
    Json::obj([
        ("traceEvents", Json::Arr(events)),
        ("displayTimeUnit", "ms".to_json()),
    ])
    .write()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Experiment, Gil, Kind, Tool};
    use crate::run::timeline::{Build, RunReport, RunStatus, Span, SpanState};
    use crate::sim::gil::{GilEvent, GilEventKind};
    use serde_json::Value;

    fn run(id: u32, spans: Vec<Span>, gil_events: Vec<GilEvent>) -> RunRecord {
        let experiment = Experiment {
            tool: Tool::Threads,
            kind: Kind::Cpu,
            tasks: 2,
            workers: 2,
            gil: Gil::On,
            io_ms: 100,
            cpu_iters: 1000,
            serial: 0,
            lock: crate::experiment::config::Lock::Off,
            engine: crate::experiment::config::Engine::Model,
        };
        RunRecord::new(
            crate::run::id::RunId(id),
            RunReport {
                streamed: 0,
                experiment,
                status: RunStatus::Done,
                build: Build::Atomics,
                started_at: 1000.0,
                wall_ms: 20.0,
                spans,
                pool_threads: 2,
                paid_startup: false,
                tasks_done: 2,
                checksum: 1,
                message: None,
                gil_switches: None,
                gil_events,
                counts: None,
            },
            None,
        )
    }

    #[test]
    fn every_span_is_a_complete_event_and_gil_events_are_instants() {
        let spans = vec![
            Span::new(0, 0, SpanState::Compute, 1000.0, 1005.5),
            Span::new(1, 1, SpanState::GilWait, 1000.0, 1005.5),
            Span::new(1, 1, SpanState::Compute, 1005.5, 1012.0),
        ];
        let gil = vec![
            GilEvent::new(1000.0, 0, 0, GilEventKind::Acquire),
            GilEvent::new(1005.5, 0, 0, GilEventKind::ForcedDrop),
        ];
        let text = chrome_trace(&[run(3, spans, gil), run(4, vec![], vec![])]);
        let v: Value = serde_json::from_str(&text).unwrap();
        let events = v["traceEvents"].as_array().unwrap();
        for e in events {
            for key in ["ph", "ts", "pid", "tid", "name"] {
                assert!(!e[key].is_null(), "{key} missing in {e}");
            }
        }
        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!(complete.len(), 3);
        assert_eq!(complete[1]["cat"], "gil-wait");
        assert_eq!(complete[2]["ts"], 5500.0);
        assert_eq!(complete[2]["dur"], 6500.0);
        let instants: Vec<&Value> = events.iter().filter(|e| e["ph"] == "i").collect();
        assert_eq!(instants.len(), 2);
        assert_eq!(instants[1]["name"], "GIL forced-drop");
        assert_eq!(instants[1]["s"], "t");
        let processes: Vec<&Value> = events
            .iter()
            .filter(|e| e["name"] == "process_name")
            .collect();
        assert_eq!(processes.len(), 2, "one process per run");
        assert_eq!(processes[1]["pid"], 4);
        let threads = events.iter().filter(|e| e["name"] == "thread_name").count();
        assert_eq!(threads, 2, "one track per lane");
    }

    #[test]
    fn each_hand_over_is_a_flow_from_the_releasing_thread_to_the_acquiring_one() {
        let spans = vec![
            Span::new(0, 0, SpanState::Compute, 1000.0, 1005.0),
            Span::new(1, 1, SpanState::GilWait, 1000.5, 1005.0),
            Span::new(1, 1, SpanState::Compute, 1005.0, 1010.0),
        ];
        let gil = vec![
            GilEvent::new(1000.0, 0, 0, GilEventKind::Acquire),
            GilEvent::new(1005.0, 0, 0, GilEventKind::ForcedDrop),
            GilEvent::new(1005.0, 1, 1, GilEventKind::Acquire),
            GilEvent::new(1010.0, 1, 1, GilEventKind::Release),
        ];
        let two = [run(1, spans.clone(), gil.clone()), run(2, spans, gil)];
        let v: Value = serde_json::from_str(&chrome_trace(&two)).unwrap();
        let events = v["traceEvents"].as_array().unwrap();
        let starts: Vec<&Value> = events.iter().filter(|e| e["ph"] == "s").collect();
        let ends: Vec<&Value> = events.iter().filter(|e| e["ph"] == "f").collect();
        assert_eq!((starts.len(), ends.len()), (2, 2), "one pair per hand-over");
        for (s, f) in starts.iter().zip(&ends) {
            assert_eq!(s["id"], f["id"]);
            assert_eq!((&s["cat"], &s["name"]), (&f["cat"], &f["name"]));
            assert_eq!((&s["tid"], &f["tid"]), (&Value::from(0), &Value::from(1)));
            assert_eq!(f["bp"], "e");
            assert_eq!(f["ts"], 5000.0);
            // Inside the holder's span, 1 µs before it ended.
            assert_eq!(s["ts"], 4999.0);
        }
        assert_ne!(
            starts[0]["id"], starts[1]["id"],
            "ids are unique in the file"
        );
        assert_eq!(starts[1]["pid"], 2);
    }
}
