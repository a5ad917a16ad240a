//! Why each wait of a run happened and who caused it, from the run's own spans and GIL events:
//! a GIL wait names the thread that held the GIL and how it let go (forced at the switch
//! interval, or on its own at I/O or the end of its task); a stall names the task that kept the
//! event loop busy; a queued task names the processes that were busy; start-up, copying and io
//! are their own cause. Nothing is guessed: a wait whose evidence is missing has no cause.

use crate::run::timeline::{Span, SpanState, TaskRef};
use crate::run::wording::Wording;
use crate::sim::gil::{GilEvent, GilEventKind};

/// What a wait was for. The order is the accounting's: where two waits of one lane overlap, the
/// instant counts for the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CauseKind {
    /// Another thread held the GIL and was made to drop it at the switch interval.
    GilForced,
    /// Another thread held the GIL and let it go on its own (I/O, or its task ended).
    GilVoluntary,
    /// The wait was over, but another task kept the event loop busy.
    Stalled,
    /// A process starting up: spawn, module load, kernel warm-up.
    Startup,
    /// A message copied between processes (the pickling analogue).
    Copy,
    /// The task's own io.
    Io,
    /// A task waiting for a free process.
    Queued,
}

impl CauseKind {
    /// Every cause, in the accounting's order.
    pub const ALL: [CauseKind; 7] = [
        CauseKind::GilForced,
        CauseKind::GilVoluntary,
        CauseKind::Stalled,
        CauseKind::Startup,
        CauseKind::Copy,
        CauseKind::Io,
        CauseKind::Queued,
    ];

    /// The name in the table view's `data-cause`.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::GilForced => "gil-forced",
            CauseKind::GilVoluntary => "gil-voluntary",
            CauseKind::Stalled => "stalled",
            CauseKind::Startup => "startup",
            CauseKind::Copy => "copy",
            CauseKind::Io => "io",
            CauseKind::Queued => "queued",
        }
    }

    /// Its place in [`CauseKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why one wait happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cause {
    /// What it was for.
    pub kind: CauseKind,
    /// The lanes that caused it, a bit per lane: the GIL's holder, or for a queued task every
    /// process that was busy. Empty when no other lane did.
    pub lanes: u64,
    /// The task that caused it: the GIL holder's, or the one that kept the event loop busy.
    pub task: Option<u32>,
    /// GIL: how long the holder had held the GIL when it let go, ms.
    pub held_ms: Option<f64>,
    /// GIL: when the holder let go, ms on the shared clock (where the hand-over's arrow starts).
    pub released_at: f64,
}

impl Cause {
    fn own(kind: CauseKind) -> Self {
        Cause {
            kind,
            lanes: 0,
            task: None,
            held_ms: None,
            released_at: 0.0,
        }
    }

    /// The lanes of [`Cause::lanes`], in order.
    pub fn lane_list(&self) -> impl Iterator<Item = u32> + '_ {
        (0..64u32).filter(|l| self.lanes >> l & 1 == 1)
    }

    /// The table view's `data-cause-lane`: the lane that caused the wait, or for a queued task
    /// the busy processes, space-separated; `None` when no other lane caused it.
    pub fn lanes_attr(&self) -> Option<String> {
        let list: Vec<String> = self.lane_list().map(|l| l.to_string()).collect();
        (!list.is_empty()).then(|| list.join(" "))
    }

    /// In words, after the span's own description: who or what made the lane wait, and, for
    /// start-up and copying, what the time paid for.
    pub fn describe(&self, words: &Wording) -> String {
        let lanes = self
            .lane_list()
            .map(|l| words.lane(l))
            .collect::<Vec<_>>()
            .join(", ");
        let task = self.task.map(|t| TaskRef::of(t).describe());
        let holders_task = self
            .task
            .map(|t| TaskRef::of(t).aside())
            .unwrap_or_default();
        match self.kind {
            CauseKind::GilForced | CauseKind::GilVoluntary => {
                let held = self
                    .held_ms
                    .map(|ms| format!(" for {ms:.1} ms"))
                    .unwrap_or_default();
                let how = match (self.kind == CauseKind::GilForced, words.picked) {
                    (true, false) => "was made to drop it at the switch interval (forced)",
                    (true, true) => {
                        "was made to drop it: the learner picked another thread (forced)"
                    }
                    (false, false) => {
                        "let it go on its own: I/O or the end of its task (voluntary)"
                    }
                    (false, true) => "let it go on its own: it blocked or ended (voluntary)",
                };
                format!("{lanes}{holders_task} held the GIL{held} and {how}")
            }
            CauseKind::Stalled => match task {
                Some(task) => format!("{task} kept the event loop busy"),
                None => "the event loop was busy".into(),
            },
            CauseKind::Queued => format!("every process was busy: {lanes}"),
            CauseKind::Startup => {
                "the cost of starting a process: spawn, module load and warm-up".into()
            }
            CauseKind::Copy => "the cost of copying a message between processes (pickling)".into(),
            CauseKind::Io => "the task's own io".into(),
        }
    }
}

fn bit(lane: u32) -> u64 {
    1u64.checked_shl(lane).unwrap_or(0)
}

/// The indices of `keys` in increasing order: the one sort that the causes, the lanes' accounts
/// and the critical path share, so that the page's module holds one copy of it (each sort of
/// another type or order would be one more).
pub(crate) fn by_key(keys: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
    order
}

/// The cause of every span of a run, in the spans' order: `None` for computing and for a wait
/// whose evidence is missing (a GIL wait without its hand-over in the events).
pub fn causes(spans: &[Span], gil: &[GilEvent]) -> Vec<Option<Cause>> {
    // The acquires in the GIL's order, which the engine logs with times that never go back.
    let acquires: Vec<usize> = (0..gil.len())
        .filter(|&i| gil[i].kind == GilEventKind::Acquire)
        .collect();
    // What each lane did besides queueing, by start: who was busy while a task was queued.
    let busy: Vec<&Span> = spans
        .iter()
        .filter(|s| s.state != SpanState::Queued)
        .collect();
    let starts: Vec<f64> = busy.iter().map(|s| s.start).collect();
    let busy: Vec<&Span> = by_key(&starts).into_iter().map(|i| busy[i]).collect();
    let longest = busy.iter().map(|s| s.duration()).fold(0.0, f64::max);
    let all_lanes = busy.iter().fold(0, |bits, s| bits | bit(s.lane));
    spans
        .iter()
        .map(|s| match s.state {
            SpanState::Compute | SpanState::Serial => None,
            SpanState::Io => Some(Cause::own(CauseKind::Io)),
            SpanState::Startup => Some(Cause::own(CauseKind::Startup)),
            SpanState::Copy => Some(Cause::own(CauseKind::Copy)),
            SpanState::GilWait => gil_cause(s, &acquires, gil),
            SpanState::Stalled => Some(stall_cause(s, spans)),
            SpanState::Queued => {
                // Back from the last span that began before the wait ended, until every lane
                // is found or no earlier span can reach into the wait.
                let mut lanes = 0;
                let before = busy.partition_point(|b| b.start < s.end);
                for b in busy[..before].iter().rev() {
                    if lanes == all_lanes || b.start < s.start - longest {
                        break;
                    }
                    if b.end > s.start {
                        lanes |= bit(b.lane);
                    }
                }
                Some(Cause {
                    lanes,
                    ..Cause::own(CauseKind::Queued)
                })
            }
        })
        .collect()
}

/// A GIL wait ends at its lane's acquire; the event before it in the GIL's order is the holder
/// letting go (the engine logs every event while holding the GIL, so none can come between).
/// `acquires` are the acquires' indices in `gil`, in time order.
fn gil_cause(s: &Span, acquires: &[usize], gil: &[GilEvent]) -> Option<Cause> {
    // The lane's acquire nearest the wait's end, among those within 1 ms of it (the engine's
    // times are monotonised by a few µs at most; farther is another acquire).
    let near = |i: &usize| (gil[*i].at - s.end).abs();
    let first = acquires.partition_point(|&i| gil[i].at < s.end - 1.0);
    let index = acquires[first..]
        .iter()
        .take_while(|&&i| gil[i].at <= s.end + 1.0)
        .filter(|&&i| gil[i].lane == s.lane)
        .min_by(|a, b| near(a).total_cmp(&near(b)))
        .copied()?;
    let released = gil.get(index.checked_sub(1)?)?;
    if released.kind == GilEventKind::Acquire || released.lane == s.lane {
        return None;
    }
    let held_ms = index
        .checked_sub(2)
        .and_then(|i| gil.get(i))
        .filter(|e| e.kind == GilEventKind::Acquire && e.lane == released.lane)
        .map(|e| released.at - e.at);
    let kind = if released.kind == GilEventKind::ForcedDrop {
        CauseKind::GilForced
    } else {
        CauseKind::GilVoluntary
    };
    Some(Cause {
        kind,
        lanes: bit(released.lane),
        task: Some(released.task),
        held_ms,
        released_at: released.at,
    })
}

/// The task computing on the loop for most of the stall is the one that kept it busy.
fn stall_cause(s: &Span, spans: &[Span]) -> Cause {
    let task = spans
        .iter()
        .filter(|c| c.lane == s.lane && matches!(c.state, SpanState::Compute | SpanState::Serial))
        .map(|c| (c.end.min(s.end) - c.start.max(s.start), c.task))
        .filter(|(overlap, _)| *overlap > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, task)| task);
    Cause {
        task,
        ..Cause::own(CauseKind::Stalled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::Tool;

    const THREADS: Wording = Wording::of_tool(Tool::Threads);

    fn ev(at: f64, lane: u32, kind: GilEventKind) -> GilEvent {
        GilEvent::new(at, lane, lane + 10, kind)
    }

    #[test]
    fn a_gil_wait_names_the_holder_and_how_it_let_go() {
        use GilEventKind::*;
        let spans = [
            Span::new(10, 0, SpanState::Compute, 0.0, 5.0),
            Span::new(11, 1, SpanState::GilWait, 0.5, 5.0),
            Span::new(11, 1, SpanState::Compute, 5.0, 9.0),
            Span::new(10, 0, SpanState::GilWait, 5.2, 9.0),
        ];
        let events = [
            ev(0.0, 0, Acquire),
            ev(5.0, 0, ForcedDrop),
            ev(5.0, 1, Acquire),
            ev(9.0, 1, Release),
            ev(9.0, 0, Acquire),
        ];
        let c = causes(&spans, &events);
        assert_eq!(c[0], None, "computing has no cause");
        let forced = c[1].expect("a cause");
        assert_eq!(forced.kind, CauseKind::GilForced);
        assert_eq!(
            (forced.lanes_attr(), forced.task),
            (Some("0".into()), Some(10))
        );
        assert_eq!(forced.held_ms, Some(5.0));
        assert_eq!(
            forced.describe(&THREADS),
            "thread 0 (task 10) held the GIL for 5.0 ms and was made to drop it at the switch \
             interval (forced)"
        );
        // A CPython program's thread holds the GIL outside any task, and its main thread is
        // named so.
        let program = Cause {
            task: Some(TaskRef::Lane.index()),
            lanes: bit(2),
            ..forced
        };
        assert!(program
            .describe(&Wording {
                main_lane: Some(2),
                ..THREADS
            })
            .starts_with("main thread held the GIL for 5.0 ms and"));
        // A stepped run's forced drop was a pick, and says so.
        assert!(forced
            .describe(&Wording {
                picked: true,
                ..THREADS
            })
            .ends_with("was made to drop it: the learner picked another thread (forced)"));
        let voluntary = c[3].expect("a cause");
        assert_eq!(voluntary.kind, CauseKind::GilVoluntary);
        assert_eq!((voluntary.lanes, voluntary.released_at), (0b10, 9.0));
    }

    #[test]
    fn a_gil_wait_without_its_hand_over_has_no_cause() {
        use GilEventKind::*;
        let wait = [Span::new(1, 1, SpanState::GilWait, 0.0, 5.0)];
        assert_eq!(causes(&wait, &[]), [None]);
        // The acquire is far from the wait's end, or follows the lane's own release.
        assert_eq!(
            causes(&wait, &[ev(0.0, 0, Release), ev(9.0, 1, Acquire)]),
            [None]
        );
        assert_eq!(
            causes(&wait, &[ev(4.0, 1, Release), ev(5.0, 1, Acquire)]),
            [None]
        );
    }

    #[test]
    fn a_stall_names_the_task_that_kept_the_loop_busy() {
        let spans = [
            Span::new(1, 0, SpanState::Compute, 0.0, 200.0),
            Span::new(3, 0, SpanState::Compute, 200.0, 400.0),
            Span::new(0, 0, SpanState::Io, 0.0, 190.0),
            Span::new(0, 0, SpanState::Stalled, 190.0, 400.0),
            Span::new(2, 0, SpanState::Stalled, 450.0, 460.0),
        ];
        let c = causes(&spans, &[]);
        assert_eq!(c[2].map(|c| c.kind), Some(CauseKind::Io));
        let stall = c[3].expect("a cause");
        assert_eq!(
            (stall.kind, stall.task, stall.lanes),
            (CauseKind::Stalled, Some(3), 0)
        );
        assert_eq!(
            stall.describe(&Wording::of_tool(Tool::Async)),
            "task 3 kept the event loop busy"
        );
        assert_eq!(c[4].and_then(|c| c.task), None, "nothing computed then");
    }

    #[test]
    fn a_queued_task_names_the_busy_processes() {
        let spans = [
            Span::new(0, 0, SpanState::Compute, 0.0, 100.0),
            Span::new(1, 1, SpanState::Io, 0.0, 150.0),
            Span::new(2, 2, SpanState::Compute, 120.0, 130.0),
            Span::new(3, 0, SpanState::Queued, 0.0, 100.0),
            Span::new(4, 70, SpanState::Copy, 0.0, 100.0),
        ];
        let queued = causes(&spans, &[])[3].expect("a cause");
        assert_eq!(queued.kind, CauseKind::Queued);
        assert_eq!(
            queued.lanes_attr(),
            Some("0 1".into()),
            "lane 70 has no bit"
        );
        assert_eq!(
            queued.describe(&Wording::of_tool(Tool::Processes)),
            "every process was busy: process 0, process 1"
        );
    }

    #[test]
    fn names_are_the_contracts() {
        let names: Vec<&str> = CauseKind::ALL.iter().map(|c| c.as_str()).collect();
        let doc = include_str!("../../../../docs/embedding.md");
        for name in &names {
            assert!(
                doc.contains(&format!("`{name}`")),
                "{name} in docs/embedding.md"
            );
        }
        for (i, c) in CauseKind::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }
}
