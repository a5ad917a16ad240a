//! Everything the page says about why a finished run took as long as it did, computed once per
//! run: each span's cause, each lane's account and the critical path.

use crate::analysis::cause::{causes, Cause};
use crate::analysis::critical_path::critical_path;
use crate::analysis::lane_account::{account, LaneAccount};
use crate::analysis::replay::{span_of, Step};
use crate::run::timeline::Span;
use crate::sim::gil::GilEvent;

/// A finished run, explained.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Explained {
    /// Each span's cause, in the spans' order ([`crate::analysis::cause::causes`]).
    pub causes: Vec<Option<Cause>>,
    /// Each lane's time ([`crate::analysis::lane_account::account`]).
    pub lanes: Vec<LaneAccount>,
    /// Whether each span is on the critical path, in the spans' order.
    pub on_path: Vec<bool>,
}

/// Explains a run: its `spans` and GIL `events`, started at `t0` (shared clock) and lasting
/// `wall_ms`.
pub fn explain(spans: &[Span], events: &[GilEvent], t0: f64, wall_ms: f64) -> Explained {
    let causes = causes(spans, events);
    let mut on_path = vec![false; spans.len()];
    for i in critical_path(spans, &causes) {
        on_path[i] = true;
    }
    Explained {
        lanes: account(spans, &causes, t0, wall_ms),
        causes,
        on_path,
    }
}

impl Explained {
    /// The cause of the span a replay step begins or ends (`t0`: the run's start).
    pub fn cause_at(&self, spans: &[Span], step: &Step, t0: f64) -> Option<Cause> {
        self.causes
            .get(span_of(spans, step, t0)?)
            .copied()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cause::CauseKind;
    use crate::analysis::replay::{steps, Happening};
    use crate::run::timeline::SpanState;

    #[test]
    fn a_run_is_explained_once_and_replay_steps_find_their_cause() {
        let spans = [
            Span::new(0, 0, SpanState::Io, 100.0, 300.0),
            Span::new(1, 0, SpanState::Compute, 100.0, 400.0),
            Span::new(0, 0, SpanState::Stalled, 300.0, 400.0),
        ];
        let e = explain(&spans, &[], 100.0, 300.0);
        assert_eq!(e.on_path, [false, true, false]);
        assert_eq!(e.lanes[0].compute_ms, 300.0);
        let all = steps(&spans, &[], 100.0);
        let stall_ends = all
            .iter()
            .find(|s| s.what == Happening::End(SpanState::Stalled))
            .expect("a step");
        let cause = e.cause_at(&spans, stall_ends, 100.0).expect("a cause");
        assert_eq!((cause.kind, cause.task), (CauseKind::Stalled, Some(1)));
        let computes = all
            .iter()
            .find(|s| s.what == Happening::Begin(SpanState::Compute))
            .expect("a step");
        assert_eq!(e.cause_at(&spans, computes, 100.0), None);
    }
}
