//! The markup of a run's table view, its GIL hand-overs and lane summaries, which the page inserts as it is. Markup
//! rather than the page's virtual nodes: up to 2 000 rows of eight attributes and six cells cost
//! the page nothing to build, and the browser parses them at once. Every text in it is the page's
//! own (numbers, states, causes), never a visitor's. The attributes are the page's contract
//! (docs/embedding.md).

use model::analysis::cause::CauseKind;
use model::analysis::explain::Explained;
use model::analysis::lane_account::LaneAccount;
use model::run::timeline::{Span, TaskRef};
use model::run::wording::Wording;
use model::sim::gil::GilSwitches;
use std::fmt::Write;

/// Rows in the table view; the rest are counted in a line under it.
pub const ROWS: usize = 2000;

/// The table of `spans` (a run started at `t0`, explained in `why`).
pub fn span_table(spans: &[Span], t0: f64, words: &Wording, why: &Explained) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<table class=\"span-table\" data-testid=\"timeline-table\"><thead><tr><th scope=\"col\">Task</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">State</th><th scope=\"col\" class=\"num\">From, ms</th>\
         <th scope=\"col\" class=\"num\">To, ms</th><th scope=\"col\">Why it waited</th></tr></thead><tbody>",
        words.noun
    );
    for (i, s) in spans.iter().enumerate().take(ROWS) {
        let (from, to) = (s.start - t0, s.end - t0);
        let _ = write!(
            h,
            "<tr data-testid=\"span-row\" data-state=\"{}\" data-lane=\"{}\" data-start-ms=\"{from}\" data-end-ms=\"{to}\"",
            s.state.as_str(),
            s.lane
        );
        let cause = why.causes.get(i).copied().flatten();
        if let Some(c) = cause {
            let _ = write!(h, " data-cause=\"{}\"", c.kind.as_str());
            if let Some(lanes) = c.lanes_attr() {
                let _ = write!(h, " data-cause-lane=\"{lanes}\"");
            }
            if let Some(task) = c.task {
                let _ = write!(h, " data-cause-task=\"{task}\"");
            }
        }
        if why.on_path.get(i).is_some_and(|on| *on) {
            h.push_str(" data-critical=\"true\"");
        }
        let task = match s.task_ref() {
            TaskRef::Lane => "—".to_string(),
            TaskRef::Serial => "serial".to_string(),
            TaskRef::Task(t) => t.to_string(),
        };
        let _ = write!(
            h,
            "><td>{task}</td><td>{}</td><td>{}</td><td class=\"num\">{from:.1}</td><td class=\"num\">{to:.1}</td><td>{}</td></tr>",
            words.lane_cell(s.lane),
            s.state.label(),
            cause.map(|c| c.describe(words)).unwrap_or_default()
        );
    }
    h.push_str("</tbody></table>");
    if spans.len() > ROWS {
        let _ = write!(
            h,
            "<p class=\"hint\">{} more spans are left out here; export JSON for all.</p>",
            spans.len() - ROWS
        );
    }
    h
}

/// The GIL lane's key and the run's hand-overs to a waiting thread (`[data-testid="gil-summary"]`):
/// forced where the waiter asked after the switch interval, or, in a stepped run, where the
/// learner picked another thread; voluntary where the holder let go itself.
pub fn gil_summary(s: &GilSwitches, words: &Wording) -> String {
    let (forced, voluntary) = if words.picked {
        (
            "the learner picked another thread",
            "the holder blocked or ended",
        )
    } else {
        (
            "the waiter asked after the 5 ms switch interval",
            "I/O or the end of a task",
        )
    };
    let main = if words.main_lane.is_some() {
        ", M = main thread"
    } else {
        ""
    };
    format!(
        "<p class=\"gil-summary\" data-testid=\"gil-summary\">\
         <span class=\"swatch gil-held\" aria-hidden=\"true\"></span>GIL held (T = thread{main}), \
         <span class=\"swatch gil-waiting\" aria-hidden=\"true\"></span>threads waiting. \
         Hand-overs to a waiting thread: \
         <span class=\"mark gil-forced\" aria-hidden=\"true\"></span><strong>{}</strong> forced ({forced}), \
         <span class=\"mark gil-voluntary\" aria-hidden=\"true\"></span><strong>{}</strong> voluntary ({voluntary}).</p>",
        s.forced, s.voluntary
    )
}

/// One `[data-testid="lane-summary"]` entry per lane: computing, waiting (by cause) and idle.
pub fn lane_summary(lanes: &[LaneAccount], words: &Wording) -> String {
    let mut h =
        String::from("<ul class=\"lane-summaries\" aria-label=\"Where each lane's time went\">");
    for l in lanes {
        let _ = write!(
            h,
            "<li data-testid=\"lane-summary\" data-lane=\"{0}\" data-compute-ms=\"{1}\" data-wait-ms=\"{2}\" \
             data-idle-ms=\"{3}\">{4}: computing {1:.1} ms, waiting {2:.1} ms",
            l.lane,
            l.compute_ms,
            l.wait_ms,
            l.idle_ms,
            words.lane(l.lane)
        );
        let mut sep = " (";
        for (kind, ms) in CauseKind::ALL.iter().zip(l.wait_by_cause) {
            if ms > 0.0 {
                let _ = write!(h, "{sep}{} {ms:.1}", kind.as_str());
                sep = ", ";
            }
        }
        if sep == ", " {
            h.push(')');
        }
        let _ = write!(h, ", idle {:.1} ms</li>", l.idle_ms);
    }
    h.push_str("</ul>");
    h
}

/// The "Model vs real CPython" table (`model::analysis::fidelity`): each of the notebook's
/// claims as a figure the model measured and one CPython measured in the visitor's runs, and
/// why they differ where they do, in those runs' figures.
pub fn fidelity_table(runs: &[model::run::record::RunRecord]) -> String {
    let refs: Vec<&model::run::record::RunRecord> = runs.iter().collect();
    let numbers = |ids: &[model::run::id::RunId]| -> Vec<String> {
        ids.iter().map(|id| id.0.to_string()).collect()
    };
    // Each figure names the runs it comes from: the visitor can look them up in the runs table.
    let figure =
        |claim: model::analysis::fidelity::Claim, r: Option<f64>, ids: &[model::run::id::RunId]| {
            let runs = numbers(ids);
            let from = match runs.len() {
                0 => String::new(),
                1 => format!(" <small>run {}</small>", runs[0]),
                _ => format!(" <small>runs {}</small>", runs.join(" and ")),
            };
            r.map_or_else(|| "run both".to_string(), |r| claim.show(r) + &from)
        };
    let runs_attr = |name: &str, ids: &[model::run::id::RunId]| {
        let list = numbers(ids);
        if list.is_empty() {
            String::new()
        } else {
            format!(" {name}=\"{}\"", list.join(" "))
        }
    };
    let attr =
        |name: &str, r: Option<f64>| r.map(|r| format!(" {name}=\"{r}\"")).unwrap_or_default();
    // `data-considered`: how many runs the table was written from (a page can tell that the
    // table has seen its newest run, even when that run changed nothing in it).
    let mut h = format!(
        "<table class=\"runs\" data-testid=\"fidelity\" data-considered=\"{}\"><caption>Model \
         vs real CPython, from your runs</caption><tr><th>claim</th><th>model</th><th>CPython\
         </th><th>why they differ</th></tr>",
        runs.len()
    );
    for row in model::analysis::fidelity::rows(&refs) {
        let _ = write!(
            h,
            "<tr data-claim=\"{}\"{}{}{}{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row.claim.key(),
            attr("data-model", row.model),
            attr("data-cpython", row.cpython),
            runs_attr("data-model-runs", &row.model_runs),
            runs_attr("data-cpython-runs", &row.cpython_runs),
            row.claim.label(),
            figure(row.claim, row.model, &row.model_runs),
            figure(row.claim, row.cpython, &row.cpython_runs),
            // The page's own words and numbers: nothing in them needs escaping.
            row.why.as_deref().unwrap_or_default()
        );
    }
    h.push_str("</table>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::analysis::explain::explain;
    use model::experiment::config::Tool;
    use model::run::timeline::SpanState;

    #[test]
    fn the_gil_summary_says_what_forced_a_hand_over() {
        let measured = GilSwitches {
            forced: 12,
            voluntary: 3,
            picked: false,
        };
        let threads = Wording::of_tool(Tool::Threads);
        let text = gil_summary(&measured, &threads);
        assert!(text.contains("GIL held (T = thread), "));
        assert!(text.starts_with("<p class=\"gil-summary\" data-testid=\"gil-summary\">"));
        assert!(text.contains(
            "<strong>12</strong> forced (the waiter asked after the 5 ms switch interval)"
        ));
        assert!(text.contains("<strong>3</strong> voluntary (I/O or the end of a task)"));
        // A stepped CPython program's run: its main thread has a lane, and a letter in the
        // GIL's; its forced drops were picks.
        let program = Wording {
            main_lane: Some(2),
            picked: true,
            ..threads
        };
        let stepped = gil_summary(
            &GilSwitches {
                picked: true,
                ..measured
            },
            &program,
        );
        assert!(stepped.contains("GIL held (T = thread, M = main thread), "));
        assert!(stepped.contains("<strong>12</strong> forced (the learner picked another thread)"));
        assert!(stepped.contains("<strong>3</strong> voluntary (the holder blocked or ended)"));
    }

    #[test]
    fn rows_carry_the_contracts_attributes_and_long_tables_say_what_is_left_out() {
        let spans: Vec<Span> = (0..2003)
            .map(|t| Span::new(t, 0, SpanState::Io, 100.0, 150.5))
            .collect();
        let e = explain(&spans, &[], 100.0, 50.5);
        let words = Wording::of_tool(Tool::Async);
        let table = span_table(&spans, 100.0, &words, &e);
        assert_eq!(table.matches("data-testid=\"span-row\"").count(), ROWS);
        assert!(table.contains(
            "data-state=\"io\" data-lane=\"0\" data-start-ms=\"0\" data-end-ms=\"50.5\" data-cause=\"io\""
        ));
        assert!(table.contains("3 more spans are left out"));
        let lanes = lane_summary(&e.lanes, &words);
        assert!(lanes.contains(
            "data-lane=\"0\" data-compute-ms=\"0\" data-wait-ms=\"50.5\" data-idle-ms=\"0\">event loop 0: \
             computing 0.0 ms, waiting 50.5 ms (io 50.5), idle 0.0 ms</li>"
        ));
    }
}
