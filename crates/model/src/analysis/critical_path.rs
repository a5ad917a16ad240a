//! The critical path: the chain of spans that set a run's wall time. It is walked back from the
//! span that ends last: each step goes to the span that ended just before the current one began
//! (the same task's first), and a wait that another lane ended (a GIL hand-over, a busy event
//! loop, a process freeing up) is replaced by what that lane was doing, because that is what the
//! run really waited for.

use crate::analysis::cause::{by_key, Cause, CauseKind};
use crate::run::timeline::{Span, SpanState};

/// How far apart two instants may be and still be one hand-over: a release and the acquire it
/// allowed are logged on two threads' clocks, a few µs apart.
const SLACK_MS: f64 = 0.05;

/// Spans looked at, latest first, when choosing the step before an instant: enough for every
/// span ending within the slack, bounded so that 10 000 waits ending together stay cheap.
const WINDOW: usize = 64;

fn computing(s: &Span) -> bool {
    matches!(s.state, SpanState::Compute | SpanState::Serial)
}

/// The indices of the spans on the critical path, in time order. `causes` are the spans'
/// causes ([`crate::analysis::cause::causes`]), in their order.
pub fn critical_path(spans: &[Span], causes: &[Option<Cause>]) -> Vec<usize> {
    // Spans by end time: the step before an instant is found by a binary search.
    let mut by_end: Vec<usize> = (0..spans.len())
        .filter(|&i| spans[i].end >= spans[i].start)
        .collect();
    by_end.sort_by(|&a, &b| spans[a].end.total_cmp(&spans[b].end));
    let mut used = vec![false; spans.len()];
    let mut path = Vec::new();
    // The last to end; of equal ends, computing first.
    let mut current = by_end.iter().rev().take(WINDOW).copied().max_by(|&a, &b| {
        let (x, y) = (&spans[a], &spans[b]);
        x.end
            .total_cmp(&y.end)
            .then(computing(x).cmp(&computing(y)))
    });
    while let Some(mut i) = current {
        if used[i] {
            break;
        }
        // A wait another lane ended: follow that lane instead.
        if let Some(j) = causes
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| causer(spans, &by_end, i, &c))
        {
            if !used[j] {
                used[i] = true;
                i = j;
            }
        }
        used[i] = true;
        path.push(i);
        let (at, task, lane) = (spans[i].start, spans[i].task, spans[i].lane);
        current = before(spans, &by_end, at)
            .filter(|&j| !used[j] && spans[j].start < at)
            .max_by(|&a, &b| {
                let (x, y) = (&spans[a], &spans[b]);
                let close = |s: &Span| s.end >= at - SLACK_MS;
                (close(x), x.task == task && x.lane == lane, x.lane == lane)
                    .cmp(&(close(y), y.task == task && y.lane == lane, y.lane == lane))
                    .then(x.end.total_cmp(&y.end))
            });
    }
    let starts: Vec<f64> = path.iter().map(|&i| spans[i].start).collect();
    by_key(&starts).into_iter().map(|k| path[k]).collect()
}

/// The spans ending at or before `at` (within the slack), latest first, at most [`WINDOW`].
fn before<'a>(spans: &'a [Span], by_end: &'a [usize], at: f64) -> impl Iterator<Item = usize> + 'a {
    let n = by_end.partition_point(|&j| spans[j].end <= at + SLACK_MS);
    by_end[..n].iter().rev().take(WINDOW).copied()
}

/// The span on another lane (or, for a stall, another task) that ended wait `i`.
fn causer(spans: &[Span], by_end: &[usize], i: usize, cause: &Cause) -> Option<usize> {
    let wait = &spans[i];
    let lane = match cause.kind {
        CauseKind::GilForced | CauseKind::GilVoluntary => cause.lane_list().next()?,
        // The loop was busy with that task; the process freed up by ending its last task.
        CauseKind::Stalled | CauseKind::Queued => wait.lane,
        _ => return None,
    };
    before(spans, by_end, wait.end).find(|&j| {
        let s = &spans[j];
        j != i
            && s.lane == lane
            && s.end > wait.start
            && match cause.kind {
                CauseKind::Stalled => computing(s) && Some(s.task) == cause.task,
                CauseKind::Queued => s.state != SpanState::Queued,
                _ => computing(s),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cause::causes;
    use crate::sim::gil::{GilEvent, GilEventKind};

    fn total(spans: &[Span], path: &[usize]) -> f64 {
        path.iter().map(|&i| spans[i].duration()).sum()
    }

    #[test]
    fn a_gil_wait_is_replaced_by_the_holders_work() {
        use GilEventKind::*;
        let spans = [
            Span::new(0, 0, SpanState::Compute, 0.0, 5.0),
            Span::new(1, 1, SpanState::GilWait, 0.0, 5.0),
            Span::new(1, 1, SpanState::Compute, 5.0, 10.0),
            Span::new(0, 0, SpanState::Io, 5.0, 8.0),
        ];
        let events = [
            GilEvent::new(0.0, 0, 0, Acquire),
            GilEvent::new(5.0, 0, 0, Release),
            GilEvent::new(5.0, 1, 1, Acquire),
            GilEvent::new(10.0, 1, 1, Release),
        ];
        let path = critical_path(&spans, &causes(&spans, &events));
        assert_eq!(path, [0, 2]);
        assert_eq!(total(&spans, &path), 10.0, "the chain covers the wall");
    }

    #[test]
    fn sequential_tasks_chain_back_to_the_start() {
        let spans: Vec<Span> = (0..4)
            .map(|t| {
                Span::new(
                    t,
                    0,
                    SpanState::Io,
                    f64::from(t) * 10.0,
                    f64::from(t) * 10.0 + 10.0,
                )
            })
            .collect();
        assert_eq!(critical_path(&spans, &causes(&spans, &[])), [0, 1, 2, 3]);
    }

    #[test]
    fn a_queued_task_follows_the_process_that_freed_up_and_a_stall_the_busy_task() {
        let spans = [
            Span::new(0, 0, SpanState::Compute, 0.0, 100.0),
            Span::new(1, 1, SpanState::Compute, 0.0, 50.0),
            Span::new(2, 0, SpanState::Queued, 0.0, 100.0),
            Span::new(2, 0, SpanState::Compute, 100.0, 200.0),
        ];
        assert_eq!(critical_path(&spans, &causes(&spans, &[])), [0, 3]);
        let event_loop = [
            Span::new(0, 0, SpanState::Io, 0.0, 50.0),
            Span::new(1, 0, SpanState::Compute, 0.0, 200.0),
            Span::new(0, 0, SpanState::Stalled, 50.0, 200.0),
        ];
        assert_eq!(critical_path(&event_loop, &causes(&event_loop, &[])), [1]);
    }

    #[test]
    fn nothing_or_nonsense_gives_a_short_path_not_a_hang() {
        assert!(critical_path(&[], &[]).is_empty());
        let odd = [
            Span::new(0, 0, SpanState::Compute, 5.0, 1.0),
            Span::new(1, 0, SpanState::Io, f64::NAN, 3.0),
            Span::new(2, 0, SpanState::Io, 0.0, 0.0),
        ];
        assert!(critical_path(&odd, &[]).len() <= 3);
    }
}
