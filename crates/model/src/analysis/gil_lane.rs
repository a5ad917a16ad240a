//! What the timeline's GIL lane draws, from a run's real GIL events and spans: who holds the GIL
//! over time, how many threads wait for it, and where it changed hands.

use crate::run::timeline::{Span, SpanState};
use crate::sim::gil::{GilEvent, GilEventKind};

/// One holder's time with the GIL, in ms from the run's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Held {
    /// The thread that held it.
    pub lane: u32,
    /// The task it ran.
    pub task: u32,
    /// When it got the GIL.
    pub start: f64,
    /// When it let it go (the run's end if it never did).
    pub end: f64,
    /// How it let it go: `Release` (I/O, end of work) or `ForcedDrop` (a waiter asked).
    pub ended_by: GilEventKind,
}

/// The holders in time order. Events are the engine's, in time order, from `t0` on.
pub fn held(events: &[GilEvent], t0: f64, run_end_ms: f64) -> Vec<Held> {
    let mut out = Vec::new();
    let mut open: Option<(u32, u32, f64)> = None;
    for e in events {
        let at = e.at - t0;
        match e.kind {
            GilEventKind::Acquire => {
                // One holder at a time: an acquire closes nothing, but a log that lost a
                // release (a stopped run) must not draw two holders at once.
                if let Some((lane, task, start)) = open.take() {
                    out.push(Held {
                        lane,
                        task,
                        start,
                        end: at,
                        ended_by: GilEventKind::Release,
                    });
                }
                open = Some((e.lane, e.task, at));
            }
            kind => {
                if let Some((lane, task, start)) = open.filter(|(l, _, _)| *l == e.lane) {
                    out.push(Held {
                        lane,
                        task,
                        start,
                        end: at,
                        ended_by: kind,
                    });
                    open = None;
                }
            }
        }
    }
    if let Some((lane, task, start)) = open {
        out.push(Held {
            lane,
            task,
            start,
            end: run_end_ms,
            ended_by: GilEventKind::Release,
        });
    }
    out
}

/// How many threads wait for the GIL, as steps `(from, to, count)` in ms from `t0` (only
/// steps with at least one waiter).
pub fn waiting(spans: &[Span], t0: f64) -> Vec<(f64, f64, u32)> {
    let mut edges: Vec<(f64, i32)> = spans
        .iter()
        .filter(|s| s.state == SpanState::GilWait)
        .flat_map(|s| [(s.start - t0, 1), (s.end - t0, -1)])
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    let mut count = 0i32;
    let mut from = 0.0;
    for (at, delta) in edges {
        if count > 0 && at > from {
            out.push((from, at, count as u32));
        }
        count += delta;
        from = at;
    }
    out
}

/// Who holds the GIL at `at` ms from the start, if anyone.
pub fn holder_at(held: &[Held], at: f64) -> Option<Held> {
    held.iter().copied().find(|h| h.start <= at && at < h.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: f64, lane: u32, kind: GilEventKind) -> GilEvent {
        GilEvent::new(at, lane, lane, kind)
    }

    #[test]
    fn holders_follow_acquires_and_drops() {
        let events = [
            ev(100.0, 0, GilEventKind::Acquire),
            ev(105.0, 0, GilEventKind::ForcedDrop),
            ev(105.1, 1, GilEventKind::Acquire),
            ev(110.0, 1, GilEventKind::Release),
            ev(111.0, 0, GilEventKind::Acquire),
        ];
        let h = held(&events, 100.0, 20.0);
        assert_eq!(h.len(), 3);
        assert_eq!((h[0].lane, h[0].start, h[0].end), (0, 0.0, 5.0));
        assert_eq!(h[0].ended_by, GilEventKind::ForcedDrop);
        assert_eq!(h[1].ended_by, GilEventKind::Release);
        assert_eq!((h[2].lane, h[2].end), (0, 20.0), "held to the end");
        assert_eq!(holder_at(&h, 7.0).map(|x| x.lane), Some(1));
        assert_eq!(holder_at(&h, 10.5), None);
    }

    #[test]
    fn waiters_are_counted_in_steps() {
        let spans = [
            Span::new(1, 1, SpanState::GilWait, 100.0, 110.0),
            Span::new(2, 2, SpanState::GilWait, 105.0, 120.0),
            Span::new(0, 0, SpanState::Compute, 100.0, 120.0),
        ];
        assert_eq!(
            waiting(&spans, 100.0),
            [(0.0, 5.0, 1), (5.0, 10.0, 2), (10.0, 20.0, 1)]
        );
    }
}
