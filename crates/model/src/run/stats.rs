//! Statistics computed from spans: wall time, task time, speedup, efficiency, overlap,
//! how many lanes computed at once and how late waits finished.

use crate::run::timeline::{Span, SpanState, TaskRef};
use std::collections::BTreeMap;

/// `baseline / wall`: how many times faster than the baseline (a sequential run).
pub fn speedup(baseline_wall_ms: f64, wall_ms: f64) -> Option<f64> {
    (baseline_wall_ms > 0.0 && wall_ms > 0.0).then(|| baseline_wall_ms / wall_ms)
}

/// Speedup per worker: 1.0 is perfect scaling.
pub fn efficiency(speedup: f64, workers: u32) -> f64 {
    speedup / f64::from(workers.max(1))
}

/// For each task, the time from its first span's start to its last span's end.
pub fn task_times(spans: &[Span]) -> BTreeMap<u32, f64> {
    let mut bounds: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for s in spans.iter().filter(|s| s.task_ref() != TaskRef::Lane) {
        let e = bounds.entry(s.task).or_insert((s.start, s.end));
        e.0 = e.0.min(s.start);
        e.1 = e.1.max(s.end);
    }
    bounds.into_iter().map(|(t, (a, b))| (t, b - a)).collect()
}

/// The sum of every task's time: what a sequential run would take, roughly.
pub fn task_time_sum(spans: &[Span]) -> f64 {
    task_times(spans).values().sum()
}

/// `sum of task times / wall`: 1 means no overlap, 4 means four tasks at once on average.
pub fn overlap(spans: &[Span], wall_ms: f64) -> f64 {
    if wall_ms <= 0.0 {
        return 0.0;
    }
    task_time_sum(spans) / wall_ms
}

/// The largest number of distinct lanes in `state` at one instant, ignoring overlaps shorter
/// than `slack_ms` (clocks of different workers agree to well under a millisecond).
pub fn max_concurrent(spans: &[Span], state: SpanState, slack_ms: f64) -> usize {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for s in spans.iter().filter(|s| s.state == state) {
        // Shrinking each span by half the slack at both ends ignores overlaps under the slack.
        let (a, b) = (s.start + slack_ms / 2.0, s.end - slack_ms / 2.0);
        if b > a {
            edges.push((a, 1));
            edges.push((b, -1));
        }
    }
    // Ends sort before starts at the same instant: touching spans do not overlap.
    edges.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let mut now = 0i32;
    let mut most = 0i32;
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

/// The longest time any task spent ready but stalled behind a busy event loop.
pub fn max_lateness(spans: &[Span]) -> f64 {
    spans
        .iter()
        .filter(|s| s.state == SpanState::Stalled)
        .map(Span::duration)
        .fold(0.0, f64::max)
}

/// Distinct lanes that ran at least one span.
pub fn lanes_used(spans: &[Span]) -> usize {
    let mut lanes: Vec<u32> = spans.iter().map(|s| s.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    lanes.len()
}

/// Median of a sample (mean of the middle two for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(task: u32, lane: u32, state: SpanState, start: f64, end: f64) -> Span {
        Span::new(task, lane, state, start, end)
    }

    #[test]
    fn speedup_and_efficiency() {
        assert_eq!(speedup(800.0, 200.0), Some(4.0));
        assert_eq!(speedup(800.0, 0.0), None);
        assert_eq!(efficiency(4.0, 8), 0.5);
    }

    #[test]
    fn overlap_counts_waiting_together() {
        let spans: Vec<_> = (0..4)
            .map(|t| span(t, t, SpanState::Io, 0.0, 200.0))
            .collect();
        assert_eq!(task_time_sum(&spans), 800.0);
        assert_eq!(overlap(&spans, 200.0), 4.0);
        assert_eq!(max_concurrent(&spans, SpanState::Io, 1.0), 4);
        assert_eq!(lanes_used(&spans), 4);
    }

    #[test]
    fn concurrency_respects_slack_and_touching() {
        let spans = [
            span(0, 0, SpanState::Compute, 0.0, 5.0),
            span(1, 1, SpanState::Compute, 5.0, 10.0),
            span(2, 2, SpanState::Compute, 9.5, 12.0),
        ];
        assert_eq!(max_concurrent(&spans, SpanState::Compute, 1.0), 1);
        assert_eq!(max_concurrent(&spans, SpanState::Compute, 0.0), 2);
    }

    #[test]
    fn lateness_and_median() {
        let spans = [
            span(0, 0, SpanState::Io, 0.0, 200.0),
            span(0, 0, SpanState::Stalled, 200.0, 350.0),
        ];
        assert_eq!(max_lateness(&spans), 150.0);
        assert_eq!(task_times(&spans)[&0], 350.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
