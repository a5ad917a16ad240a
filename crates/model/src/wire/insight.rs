//! Messages between the page and its insight worker, which explains finished runs (why each
//! wait happened, each lane's account, the critical path) and writes the trace file. That work
//! runs in a module of its own, loaded after the first run, so that the page's first load does
//! not carry it; this is the one place both sides agree on its messages.

use crate::json::{json_struct, json_tagged, FromJson, Json, ToJson};
use crate::run::id::RunId;
use crate::run::record::RunRecord;

/// What the page asks the insight worker.
// One message per request, made and encoded at once: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ToInsight {
    /// Explain one finished run.
    Explain {
        /// The run.
        run: RunRecord,
    },
    /// Write the trace-event file of these runs.
    Trace {
        /// The runs, in the order the file lists them.
        runs: Vec<RunRecord>,
    },
    /// Hold the model against CPython in these runs (`crate::analysis::fidelity`).
    Fidelity {
        /// The page's runs, oldest first, without their spans.
        runs: Vec<RunRecord>,
    },
}

/// A run explained, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInsight {
    /// The run's id.
    pub id: RunId,
    /// For each span, in the run's order, why it waited in words ("" for computing).
    pub why: Vec<String>,
    /// The spans on the critical path (indices in the run's spans), in time order.
    pub path: Vec<u32>,
    /// The table view's markup: a row per span with its cause (up to 2 000 rows).
    pub table: String,
    /// The lane summaries' markup: one entry per lane.
    pub lanes: String,
}

/// What the insight worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum FromInsight {
    /// A run explained.
    Explained {
        /// What the page shows of it.
        insight: RunInsight,
    },
    /// The trace-event file.
    Trace {
        /// Its text.
        text: String,
    },
    /// The "Model vs real CPython" table's markup.
    Fidelity {
        /// The table.
        table: String,
    },
    /// The request could not be read.
    Failed {
        /// Why.
        message: String,
    },
}

json_struct!(RunInsight, "a run explained", { id, why, path, table, lanes });

json_tagged!(ToInsight, "request", {
    Explain = "explain" { run },
    Trace = "trace" { runs },
    Fidelity = "fidelity" { runs },
});

json_tagged!(FromInsight, "answer", {
    Explained = "explained" { insight },
    Trace = "trace" { text },
    Fidelity = "fidelity" { table },
    Failed = "failed" { message },
});

impl ToInsight {
    /// As the text posted to the worker.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// The text of `Explain { run }`, written from a borrowed run: the page asks without
    /// copying the run first.
    pub fn explain_text(run: &RunRecord) -> String {
        ["{\"explain\":{\"run\":", &run.to_json().write(), "}}"].concat()
    }

    /// The text of `Trace { runs }`, from the runs' JSON export (`record::runs_json`).
    pub fn trace_text(runs_json: &str) -> String {
        ["{\"trace\":{\"runs\":", runs_json, "}}"].concat()
    }

    /// The text of `Fidelity { runs }`: only the runs the table can use (a few tasks each,
    /// `crate::analysis::fidelity::considered`), without their GIL events: a 10 000-task run's
    /// spans are megabytes, and the table reads none of them.
    pub fn fidelity_text<'a>(runs: impl Iterator<Item = &'a RunRecord>) -> String {
        let bare: Vec<RunRecord> = runs
            .filter(|r| crate::analysis::fidelity::considered(r))
            .map(|r| RunRecord {
                gil_events: Default::default(),
                ..r.clone()
            })
            .collect();
        ToInsight::Fidelity { runs: bare }.encode()
    }

    /// From the text the page posted; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        Self::from_json(&Json::parse(s)?)
            .map_err(|e| format!("bad request to the insight worker: {e}"))
    }
}

impl FromInsight {
    /// As the text posted to the page.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// From the text the worker posted; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        Self::from_json(&Json::parse(s)?)
            .map_err(|e| format!("bad answer from the insight worker: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_short_forms_are_the_requests_encoding() {
        use crate::experiment::config::{Machine, Params};
        use crate::run::timeline::{Build, RunReport};
        let experiment = Params::default().resolve(&Machine {
            cores: 2,
            calibrated_cpu_iters: 7,
        });
        let report = RunReport::finished(experiment, Build::Plain, 2.0, Vec::new());
        let run = RunRecord::new(RunId(2), report, None);
        let text = ToInsight::explain_text(&run);
        assert_eq!(text, ToInsight::Explain { run: run.clone() }.encode());
        assert_eq!(ToInsight::decode(&text), Ok(ToInsight::Explain { run }));
    }

    #[test]
    fn answers_round_trip_and_junk_is_refused() {
        let a = FromInsight::Explained {
            insight: RunInsight {
                id: RunId(4),
                why: vec![String::new(), "thread 0 held the GIL".into()],
                path: vec![1],
                table: "<table></table>".into(),
                lanes: "<ul></ul>".into(),
            },
        };
        assert_eq!(FromInsight::decode(&a.encode()), Ok(a));
        let t = ToInsight::Trace { runs: Vec::new() };
        assert_eq!(ToInsight::decode(&t.encode()), Ok(t.clone()));
        assert_eq!(ToInsight::trace_text("[]"), t.encode());
        assert!(ToInsight::decode("{\"explain\":{}}").is_err());
        assert!(FromInsight::decode("[").is_err());
    }
}
