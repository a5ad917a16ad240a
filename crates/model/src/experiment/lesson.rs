//! How a course page presents the experiment: predict first (`predict`), and the compact view
//! (`view=compact`) that shows Run, the controls `controls` names, the timeline and one result
//! line instead of the whole playground.

use crate::experiment::notice::{Given, Reason};
use crate::experiment::params::Field;
use crate::run::record::RunRecord;
use crate::run::timeline::RunStatus;

/// Which layout the page shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The whole playground.
    #[default]
    Full,
    /// Run, the named controls, the prediction, the timeline and a result line.
    Compact,
}

impl View {
    /// Every view, in the order the docs list them.
    pub const ALL: [View; 2] = [View::Full, View::Compact];

    /// Its name in the URL.
    pub const fn as_str(self) -> &'static str {
        match self {
            View::Full => "full",
            View::Compact => "compact",
        }
    }

    /// The view a URL names.
    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The page's presentation settings, as the URL, the element or the page's toggle set them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lesson {
    /// Ask for a guess before each run the learner starts.
    pub predict: bool,
    /// The layout.
    pub view: View,
    /// The controls a compact view shows, in the form's order.
    pub controls: Vec<Field>,
}

impl Lesson {
    /// The form's fields this lesson shows: all of them in the full view, only those named in
    /// the compact one (none by default: Run alone).
    pub fn fields(&self) -> Vec<Field> {
        // The engine first: it decides what runs everything else.
        let others = Field::SHOWN.into_iter().filter(|f| *f != Field::Engine);
        std::iter::once(Field::Engine)
            .chain(others)
            .filter(|f| self.view == View::Full || self.controls.contains(f))
            .collect()
    }

    /// Whether the compact view is on.
    pub fn compact(&self) -> bool {
        self.view == View::Compact
    }
}

/// Reads `controls`: the fields named by their URL keys, comma-separated, in the form's order.
/// Keys that name no control are left out and explained.
pub fn read_controls(value: &str) -> (Vec<Field>, Option<Reason>) {
    let keys = || value.split(',').map(str::trim).filter(|k| !k.is_empty());
    let fields = Field::SHOWN
        .into_iter()
        .filter(|f| keys().any(|k| k == f.key()))
        .collect();
    // The first key that names no control is quoted.
    let why = keys()
        .find(|k| Field::all().all(|f| f.key() != *k))
        .map(|k| Reason::NotControls {
            given: Given::new(k),
        });
    (fields, why)
}

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
    use crate::run::timeline::Build;

    fn record(id: u32, tool: Tool, wall_ms: f64) -> RunRecord {
        let experiment = Experiment {
            tool,
            ..Params::default().resolve_calibrated(2, Some(1.0))
        };
        crate::lab::baseline::tests::record(id, experiment, Build::Plain, wall_ms)
    }

    #[test]
    fn the_full_view_shows_every_control_and_the_compact_one_only_those_named() {
        let full = Lesson::default();
        let mut shown = full.fields();
        assert_eq!(shown[0], Field::Engine, "the engine first");
        shown.rotate_left(1);
        assert_eq!(shown, Field::SHOWN.to_vec());
        let compact = Lesson {
            view: View::Compact,
            ..Lesson::default()
        };
        assert!(compact.fields().is_empty(), "none by default");
        let (controls, why) = read_controls("workers, tool");
        assert_eq!(why, None);
        let lesson = Lesson {
            controls,
            ..compact
        };
        assert_eq!(
            lesson.fields(),
            [Field::Tool, Field::Workers],
            "the form's order"
        );
    }

    #[test]
    fn unknown_controls_are_left_out_and_explained() {
        let (fields, why) = read_controls("bogus,workers,,run");
        assert_eq!(fields, [Field::Workers]);
        let notice = crate::experiment::notice::Notice::new(
            crate::experiment::params::Param::Controls,
            why.expect("explained"),
        );
        assert_eq!(
            notice.text(),
            "controls=\"bogus\" names no control (the form's URL keys, such as workers); ignored."
        );
        assert_eq!(read_controls(""), (Vec::new(), None));
        let _ = read_controls(&",%".repeat(10_000));
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

    #[test]
    fn views_have_names() {
        for v in View::ALL {
            assert_eq!(View::parse(v.as_str()), Some(v));
        }
        assert_eq!(View::parse("tiny"), None);
    }
}
