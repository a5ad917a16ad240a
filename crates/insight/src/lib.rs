//! The insight worker's module: it explains a finished run (why each wait happened, where each
//! lane's time went, the critical path: `model::analysis::explain`) and writes the trace-event
//! file (`model::analysis::trace`), answering the page's [`model::wire::insight`] messages. It is
//! a module of its own, which the page loads after its first run, so that none of this weighs on
//! the page's first load. It must not depend on the UI; `www/insight-worker.js` only loads it and
//! forwards.

mod markup;

use model::analysis::explain::explain;
use model::run::id::RunId;
use model::run::record::RunRecord;
use model::run::wording::Wording;
use model::wire::insight::{FromInsight, RunInsight, ToInsight};
use wasm_bindgen::prelude::*;

/// Answers one request of the page (a [`ToInsight`] as text) with a [`FromInsight`] as text.
#[wasm_bindgen]
pub fn handle(request: &str) -> String {
    answer(request).encode()
}

fn answer(request: &str) -> FromInsight {
    match ToInsight::decode(request) {
        Ok(ToInsight::Explain { run }) => explained(&run),
        Ok(ToInsight::Trace { runs }) => FromInsight::Trace {
            text: model::analysis::trace::chrome_trace(&runs),
        },
        Ok(ToInsight::Fidelity { runs }) => FromInsight::Fidelity {
            table: markup::fidelity_table(&runs),
        },
        Err(message) => FromInsight::Failed { message },
    }
}

/// A run explained, as the page shows it.
fn explained(run: &RunRecord) -> FromInsight {
    let e = explain(&run.spans, &run.gil_events, run.started_at, run.wall_ms);
    let words = Wording::of(run);
    FromInsight::Explained {
        insight: RunInsight {
            id: RunId(run.id.0),
            why: e
                .causes
                .iter()
                .map(|c| c.map(|c| c.describe(&words)).unwrap_or_default())
                .collect(),
            path: (0..e.on_path.len() as u32)
                .filter(|&i| e.on_path[i as usize])
                .collect(),
            table: markup::span_table(&run.spans, run.started_at, &words, &e),
            lanes: [
                run.gil_switches
                    .filter(|_| !run.gil_events.is_empty())
                    .map(|s| markup::gil_summary(&s, &words))
                    .unwrap_or_default(),
                markup::lane_summary(&e.lanes, &words),
            ]
            .concat(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::json::ToJson;

    #[test]
    fn junk_is_answered_with_a_reason_not_a_panic() {
        for junk in ["", "null", "{\"explain\":{\"run\":7}}", "\u{0}"] {
            assert!(matches!(answer(junk), FromInsight::Failed { .. }), "{junk}");
        }
        let empty = ToInsight::Trace { runs: Vec::new() }.to_json().write();
        assert!(matches!(answer(&empty), FromInsight::Trace { .. }));
    }
}
