//! Runs as Chrome's trace-event JSON (the "JSON Object Format" of the Trace Event Format
//! document), which Perfetto and `chrome://tracing` open: one process per run, one thread track
//! per lane, a complete event (`ph: "X"`) per span with the span's state as its category, and
//! the GIL's acquires, releases and forced drops as thread-scoped instant events (`ph: "i"`).
//! Times are µs from the run's start, as the format wants.

use crate::record::RunRecord;
use crate::timeline::{NO_TASK, SERIAL_TASK};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The file name a download gets: the format's usual suffix, so tools recognise it.
pub const FILE_NAME: &str = "concurrency-playground.trace.json";

fn micros(ms: f64) -> f64 {
    (ms * 1000.0 * 1000.0).round() / 1000.0
}

/// The trace of `runs`.
pub fn chrome_trace(runs: &[RunRecord]) -> String {
    let mut events: Vec<Value> = Vec::new();
    for run in runs {
        let pid = run.id;
        let e = &run.experiment;
        let noun = e.tool.lane_noun();
        events.push(json!({
            "ph": "M", "name": "process_name", "pid": pid, "tid": 0, "ts": 0,
            "args": { "name": format!(
                "Run {}: {} {} × {}, {} worker(s), GIL {}, {:.1} ms ({})",
                run.id, e.tool.as_str(), e.kind.as_str(), e.tasks, e.workers, e.gil.as_str(),
                run.wall_ms, run.status.as_str()
            ) },
        }));
        events.push(json!({
            "ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "ts": 0,
            "args": { "sort_index": run.id },
        }));
        let lanes: BTreeSet<u32> = run.spans.iter().map(|s| s.lane).collect();
        for lane in &lanes {
            events.push(json!({
                "ph": "M", "name": "thread_name", "pid": pid, "tid": lane, "ts": 0,
                "args": { "name": format!("{noun} {lane}") },
            }));
        }
        for span in run.spans.iter() {
            let name = if span.task == NO_TASK || span.task == SERIAL_TASK {
                span.state.label().to_string()
            } else {
                format!("task {}", span.task)
            };
            events.push(json!({
                "ph": "X", "name": name, "cat": span.state.as_str(), "pid": pid, "tid": span.lane,
                "ts": micros(span.start - run.started_at),
                "dur": micros((span.end - span.start).max(0.0)),
                "args": { "task": span.task, "state": span.state.label() },
            }));
        }
        for g in run.gil_events.iter() {
            events.push(json!({
                "ph": "i", "s": "t", "name": format!("GIL {}", g.kind.as_str()), "cat": "gil",
                "pid": pid, "tid": g.lane, "ts": micros(g.at - run.started_at),
                "args": { "task": g.task },
            }));
        }
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms" }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Experiment, Gil, Kind, Tool};
    use crate::gil::{GilEvent, GilEventKind};
    use crate::timeline::{Build, RunReport, RunStatus, Span, SpanState};

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
            lock: crate::config::Lock::Off,
        };
        RunRecord::new(
            id,
            RunReport {
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
}
