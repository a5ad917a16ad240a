//! Where each lane's time went: computing, waiting (by cause) and idle, from a run's spans. Each
//! instant of a lane counts once (computing first, then waits in [`CauseKind::ALL`]'s order,
//! then idle), so the parts add up to the wall time, and an event loop's overlapping waits count
//! once.

use crate::analysis::cause::{by_key, Cause, CauseKind};
use crate::run::timeline::{Span, SpanState};
use std::collections::BTreeSet;

/// One lane's time over a run, ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneAccount {
    /// The lane.
    pub lane: u32,
    /// Time computing (a task's work or the serial part).
    pub compute_ms: f64,
    /// Time waiting and not computing.
    pub wait_ms: f64,
    /// `wait_ms` by cause, in [`CauseKind::ALL`]'s order (a wait without a known cause is in
    /// `wait_ms` only).
    pub wait_by_cause: [f64; 7],
    /// The rest of the wall time: nothing to do.
    pub idle_ms: f64,
}

/// Rank of a span in the accounting: 0 computing, 1 to 7 a cause, 8 a wait without one.
fn rank(span: &Span, cause: Option<&Cause>) -> usize {
    match (span.state, cause) {
        (SpanState::Compute | SpanState::Serial, _) => 0,
        (_, Some(c)) => 1 + c.kind.index(),
        (_, None) => 1 + CauseKind::ALL.len(),
    }
}

/// Every lane's account over the run from `t0` to `t0 + wall_ms` (shared-clock ms); `causes`
/// are the spans' causes ([`crate::analysis::cause::causes`]), in their order. Lanes in order.
pub fn account(
    spans: &[Span],
    causes: &[Option<Cause>],
    t0: f64,
    wall_ms: f64,
) -> Vec<LaneAccount> {
    let wall_ms = if wall_ms.is_finite() {
        wall_ms.max(0.0)
    } else {
        0.0
    };
    let end = t0 + wall_ms;
    let lanes: Vec<u32> = spans
        .iter()
        .map(|s| s.lane)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Every span's edges, clipped to the run: (lane's slot, rank, +1 opens / -1 closes), by time.
    let mut edges = Vec::new();
    let mut times = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        let (a, b) = (s.start.max(t0), s.end.min(end));
        if a < b {
            let slot = lanes.binary_search(&s.lane).unwrap_or(0);
            let r = rank(s, causes.get(i).copied().flatten().as_ref());
            edges.extend([(slot, r, 1), (slot, r, -1)]);
            times.extend([a, b]);
        }
    }
    let mut open = vec![[0i32; 9]; lanes.len()];
    let mut by_rank = vec![[0.0f64; 9]; lanes.len()];
    let mut from = vec![t0; lanes.len()];
    for i in by_key(&times) {
        let ((slot, r, delta), at) = (edges[i], times[i]);
        // The lane's time since its last edge goes to its first open rank, if any.
        if let Some(first) = open[slot].iter().position(|n| *n > 0) {
            by_rank[slot][first] += at - from[slot];
        }
        open[slot][r] += delta;
        from[slot] = at;
    }
    lanes
        .iter()
        .zip(by_rank)
        .map(|(&lane, by_rank)| {
            let mut wait_by_cause = [0.0; 7];
            wait_by_cause.copy_from_slice(&by_rank[1..8]);
            let wait_ms: f64 = by_rank[1..].iter().sum();
            LaneAccount {
                lane,
                compute_ms: by_rank[0],
                wait_ms,
                wait_by_cause,
                idle_ms: (wall_ms - by_rank[0] - wait_ms).max(0.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cause::causes;

    #[test]
    fn each_instant_counts_once_and_the_parts_add_up_to_the_wall() {
        let spans = [
            // Lane 0, an event loop: two overlapping waits, one late behind a task computing.
            Span::new(0, 0, SpanState::Io, 100.0, 300.0),
            Span::new(1, 0, SpanState::Io, 110.0, 250.0),
            Span::new(2, 0, SpanState::Compute, 120.0, 320.0),
            Span::new(0, 0, SpanState::Stalled, 300.0, 320.0),
            // Lane 1: computes, waits for the GIL (no events: no cause), idles.
            Span::new(3, 1, SpanState::Compute, 100.0, 150.0),
            Span::new(3, 1, SpanState::GilWait, 150.0, 160.0),
            // Outside the run: clipped away.
            Span::new(4, 1, SpanState::Compute, 500.0, 600.0),
        ];
        let c = causes(&spans, &[]);
        let a = account(&spans, &c, 100.0, 400.0);
        assert_eq!(a.len(), 2);
        let lane0 = a[0];
        assert_eq!(lane0.compute_ms, 200.0);
        assert_eq!(
            lane0.wait_ms, 20.0,
            "io before the task computes; waits counted once"
        );
        assert_eq!(lane0.wait_by_cause[CauseKind::Io.index()], 20.0);
        assert_eq!(
            lane0.wait_by_cause[CauseKind::Stalled.index()],
            0.0,
            "under computing"
        );
        assert_eq!(lane0.idle_ms, 180.0);
        let lane1 = a[1];
        assert_eq!(
            (lane1.compute_ms, lane1.wait_ms, lane1.idle_ms),
            (50.0, 10.0, 340.0)
        );
        assert_eq!(
            lane1.wait_by_cause.iter().sum::<f64>(),
            0.0,
            "a wait with no cause"
        );
        for l in &a {
            assert_eq!(l.compute_ms + l.wait_ms + l.idle_ms, 400.0);
        }
    }

    #[test]
    fn bad_input_gives_zeros_not_a_panic() {
        let spans = [Span::new(0, 0, SpanState::Compute, f64::NAN, 5.0)];
        assert!(account(&spans, &[], 0.0, f64::NAN)
            .iter()
            .all(|l| l.idle_ms == 0.0));
        assert!(account(&[], &[], 0.0, 10.0).is_empty());
    }
}
