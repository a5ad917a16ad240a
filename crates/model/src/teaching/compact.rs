//! What the compact view (`view=compact`) says of a finished run: one line, its wall time and its
//! speedup, where the full page shows the runs table.

use crate::run::record::RunRecord;
use crate::run::timeline::RunStatus;

/// The compact view's one line about `run`: its wall time and its speedup against the run it
/// divides, named, or why there is none. Every figure is the record's, as measured.
pub fn result_line(run: &RunRecord) -> String {
    let speedup = match (run.speedup, run.baseline_run) {
        _ if run.status != RunStatus::Done => format!(" ({})", run.status.as_str()),
        (Some(s), Some(base)) => {
            format!(": {s:.2}× the speed of run {base} (sequential, same work)")
        }
        _ => "; no speedup: no sequential run of the same work yet".into(),
    };
    format!(
        "Run {}: {} took {:.0} ms{speedup}.",
        run.id,
        run.experiment.tool.as_str(),
        run.wall_ms
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Experiment, Params, Tool};
    use crate::run::id::RunId;
    use crate::run::timeline::{Build, RunReport};

    fn record(id: u32, tool: Tool, wall_ms: f64) -> RunRecord {
        let experiment = Experiment {
            tool,
            ..Params::default().resolve_calibrated(2, Some(1.0))
        };
        let report = RunReport::finished(experiment, Build::Plain, wall_ms, Vec::new());
        RunRecord::new(RunId(id), report, None)
    }

    #[test]
    fn the_result_line_names_the_baseline_or_says_there_is_none() {
        let seq = record(1, Tool::Sequential, 800.0);
        let mut run = record(2, Tool::Async, 200.4);
        assert_eq!(
            result_line(&run),
            "Run 2: async took 200 ms; no speedup: no sequential run of the same work yet."
        );
        run.set_baseline(&seq);
        assert_eq!(
            result_line(&run),
            "Run 2: async took 200 ms: 3.99× the speed of run 1 (sequential, same work)."
        );
        run.status = RunStatus::Stopped;
        assert_eq!(result_line(&run), "Run 2: async took 200 ms (stopped).");
    }
}
