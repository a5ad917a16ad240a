//! How a run is told in words: what its lanes are called, the main thread of a CPython program
//! among them, and why its GIL changed hands. One value for the timeline, the replay, the table
//! view, the causes and the trace, so that they name a lane alike.

use crate::experiment::config::Tool;
use crate::run::record::RunRecord;

/// How a run is told in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wording {
    /// What one lane is: "thread", "process", "event loop", "worker".
    pub noun: &'static str,
    /// The lane of a CPython program's main thread ([`RunRecord::main_thread_lane`]), called
    /// "main thread" rather than by its number.
    pub main_lane: Option<u32>,
    /// The run's forced hand-overs were a learner's picks
    /// ([`crate::sim::gil::GilSwitches::picked`]), not drop requests at the switch interval.
    pub picked: bool,
}

impl Wording {
    /// The words for runs of `tool` before any run is known (a live run, the empty timeline).
    pub const fn of_tool(tool: Tool) -> Self {
        Wording {
            noun: tool.lane_noun(),
            main_lane: None,
            picked: false,
        }
    }

    /// The words for `run`.
    pub fn of(run: &RunRecord) -> Self {
        Wording {
            noun: run.experiment.tool.lane_noun(),
            main_lane: run.main_thread_lane(),
            picked: run.gil_switches.is_some_and(|s| s.picked),
        }
    }

    /// A lane by name: "thread 1", "process 0", or "main thread".
    pub fn lane(&self, lane: u32) -> String {
        if self.main_lane == Some(lane) {
            "main thread".into()
        } else {
            format!("{} {lane}", self.noun)
        }
    }

    /// A lane's letter on the GIL lane's holdings: "T1", or "M" (the key says which is which).
    pub fn holder_label(&self, lane: u32) -> String {
        if self.main_lane == Some(lane) {
            "M".into()
        } else {
            format!("T{lane}")
        }
    }

    /// A lane in a column headed by the noun: "1", or "main".
    pub fn lane_cell(&self, lane: u32) -> String {
        if self.main_lane == Some(lane) {
            "main".into()
        } else {
            lane.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_thread_is_named_and_other_lanes_are_numbered() {
        let w = Wording {
            main_lane: Some(2),
            ..Wording::of_tool(Tool::Threads)
        };
        assert_eq!(w.lane(0), "thread 0");
        assert_eq!(w.lane(2), "main thread");
        assert_eq!(
            (w.lane_cell(1), w.lane_cell(2)),
            ("1".into(), "main".into())
        );
        assert_eq!(
            (w.holder_label(1), w.holder_label(2)),
            ("T1".into(), "M".into())
        );
        assert_eq!(Wording::of_tool(Tool::Processes).lane(2), "process 2");
    }
}
