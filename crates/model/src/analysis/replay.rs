//! Replaying a finished run step by step: its events in time order (every span's start and end,
//! every GIL acquire, release and forced drop), and what each lane does at a playhead, in words
//! ("thread 2 waits for the GIL since 3.1 ms; thread 1 computes task 5"). Everything comes from
//! the run's recorded spans and GIL events; nothing is interpolated.

use crate::run::timeline::{Span, SpanState, TaskRef};
use crate::run::wording::Wording;
use crate::sim::gil::{GilEvent, GilEventKind};
use std::collections::BTreeMap;

/// What happened at one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Happening {
    /// A span of this state began.
    Begin(SpanState),
    /// A span of this state ended.
    End(SpanState),
    /// A GIL event.
    Gil(GilEventKind),
}

/// One step of a replay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Ms from the run's start.
    pub at: f64,
    /// The lane it happened on.
    pub lane: u32,
    /// The task's number (see [`TaskRef`]).
    pub task: u32,
    /// What happened.
    pub what: Happening,
}

/// Every step of a run in time order. At equal times ends come first, then GIL events, then
/// beginnings, so that a lane is never shown doing two things at one instant.
pub fn steps(spans: &[Span], gil: &[GilEvent], t0: f64) -> Vec<Step> {
    let mut out: Vec<(u8, usize, Step)> = Vec::with_capacity(spans.len() * 2 + gil.len());
    for s in spans {
        let (lane, task) = (s.lane, s.task);
        out.push((
            2,
            out.len(),
            Step {
                at: s.start - t0,
                lane,
                task,
                what: Happening::Begin(s.state),
            },
        ));
        out.push((
            0,
            out.len(),
            Step {
                at: s.end - t0,
                lane,
                task,
                what: Happening::End(s.state),
            },
        ));
    }
    for g in gil {
        let rank = if g.kind == GilEventKind::Acquire {
            1
        } else {
            0
        };
        out.push((
            rank,
            out.len(),
            Step {
                at: g.at - t0,
                lane: g.lane,
                task: g.task,
                what: Happening::Gil(g.kind),
            },
        ));
    }
    // GIL events keep the engine's order (`out.len()` at push), which their times may tie.
    out.sort_by(|a, b| {
        a.2.at
            .total_cmp(&b.2.at)
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    out.into_iter().map(|(_, _, s)| s).collect()
}

/// One step in words: "thread 1 takes the GIL (task 3)".
pub fn describe_step(step: &Step, words: &Wording) -> String {
    let who = words.lane(step.lane);
    let task = TaskRef::of(step.task).aside();
    match step.what {
        Happening::Begin(state) => format!("{who} starts {}{task}", doing(state)),
        Happening::End(state) => format!("{who} stops {}{task}", doing(state)),
        Happening::Gil(GilEventKind::Acquire) => format!("{who} takes the GIL{task}"),
        Happening::Gil(GilEventKind::Release) => format!("{who} releases the GIL{task}"),
        Happening::Gil(GilEventKind::ForcedDrop) if words.picked => {
            format!("{who} is made to drop the GIL: the learner picked another thread{task}")
        }
        Happening::Gil(GilEventKind::ForcedDrop) => {
            format!("{who} is made to drop the GIL: a waiter asked{task}")
        }
    }
}

fn doing(state: SpanState) -> &'static str {
    match state {
        SpanState::Compute => "computing",
        SpanState::Io => "waiting on io",
        SpanState::GilWait => "waiting for the GIL",
        SpanState::Stalled => "being late (the loop was busy)",
        SpanState::Startup => "starting up",
        SpanState::Copy => "copying",
        SpanState::Serial => "the serial part",
        SpanState::Queued => "waiting for a free process",
    }
}

/// The index of the span that `step` begins or ends (`t0`: the run's start); none for a GIL step.
pub fn span_of(spans: &[Span], step: &Step, t0: f64) -> Option<usize> {
    let (state, begins) = match step.what {
        Happening::Begin(state) => (state, true),
        Happening::End(state) => (state, false),
        Happening::Gil(_) => return None,
    };
    spans.iter().position(|s| {
        let at = if begins { s.start } else { s.end };
        (s.lane, s.task, s.state) == (step.lane, step.task, state) && at - t0 == step.at
    })
}

/// The spans in progress at `at` (ms from `t0`): begun at or before it, not yet ended.
pub fn spans_at(spans: &[Span], t0: f64, at: f64) -> Vec<Span> {
    spans
        .iter()
        .filter(|s| s.start - t0 <= at && at < s.end - t0)
        .copied()
        .collect()
}

/// Every lane at `at`, in words: "thread 0 computes task 2 (since 1.0 ms); thread 1 waits for
/// the GIL (since 3.1 ms)". Lanes with nothing in progress are "idle"; `lanes` lists every lane
/// of the run so that idle ones are named too.
pub fn describe_lanes(spans: &[Span], t0: f64, at: f64, lanes: &[u32], words: &Wording) -> String {
    let mut by_lane: BTreeMap<u32, Vec<Span>> = lanes.iter().map(|l| (*l, Vec::new())).collect();
    for s in spans_at(spans, t0, at) {
        by_lane.entry(s.lane).or_default().push(s);
    }
    let parts: Vec<String> = by_lane
        .into_iter()
        .map(|(lane, mut here)| {
            let who = words.lane(lane);
            if here.is_empty() {
                return format!("{who} is idle");
            }
            here.sort_by(|a, b| a.start.total_cmp(&b.start));
            // An event loop may hold many waits at once: one phrase per state.
            let mut states: Vec<(SpanState, Vec<u32>, f64)> = Vec::new();
            for s in &here {
                match states.iter_mut().find(|(st, _, _)| *st == s.state) {
                    Some((_, tasks, since)) => {
                        tasks.push(s.task);
                        *since = since.min(s.start - t0);
                    }
                    None => states.push((s.state, vec![s.task], s.start - t0)),
                }
            }
            let phrases: Vec<String> = states
                .into_iter()
                .map(|(state, tasks, since)| {
                    let tasks = match tasks[..] {
                        // The lane's own time: "starts up since", "waits for the GIL since".
                        [one] if TaskRef::of(one) == TaskRef::Lane => String::new(),
                        [one] => format!("{}{}", linker(state), TaskRef::of(one).describe()),
                        _ => format!("{}{} tasks", linker(state), tasks.len()),
                    };
                    format!("{}{tasks} since {since:.1} ms", present(state))
                })
                .collect();
            format!("{who} {}", phrases.join(", and "))
        })
        .collect();
    parts.join("; ")
}

fn present(state: SpanState) -> &'static str {
    match state {
        SpanState::Compute => "computes",
        SpanState::Io => "waits on io",
        SpanState::GilWait => "waits for the GIL",
        SpanState::Stalled => "is late",
        SpanState::Startup => "starts up",
        SpanState::Copy => "copies",
        SpanState::Serial => "computes alone",
        SpanState::Queued => "queues",
    }
}

/// What joins [`present`]'s words to the task they are for: "computes task 1", "waits on io
/// for task 1", "computes alone, for the serial part".
fn linker(state: SpanState) -> &'static str {
    match state {
        SpanState::Compute | SpanState::Queued => " ",
        SpanState::Serial => ", for ",
        _ => " for ",
    }
}

/// The replay's playhead over a run's steps: stepped, scrubbed or played.
#[derive(Clone, Debug, PartialEq)]
pub struct Playhead {
    /// Each step's time, ms from the run's start, in order.
    pub times: Vec<f64>,
    /// The step shown (the last one at or before `time`).
    pub index: usize,
    /// The playhead's time, ms from the run's start.
    pub time: f64,
    /// Whether it plays.
    pub playing: bool,
}

impl Playhead {
    /// At the last step (the whole run), paused.
    pub fn new(times: Vec<f64>) -> Self {
        let index = times.len().saturating_sub(1);
        let time = times.last().copied().unwrap_or(0.0);
        Playhead {
            times,
            index,
            time,
            playing: false,
        }
    }

    /// The run's last step time.
    pub fn end(&self) -> f64 {
        self.times.last().copied().unwrap_or(0.0)
    }

    /// Moves to step `index` (clamped) and pauses.
    pub fn seek(&mut self, index: usize) {
        self.index = index.min(self.times.len().saturating_sub(1));
        self.time = self.times.get(self.index).copied().unwrap_or(0.0);
        self.playing = false;
    }

    /// Steps `by` events forwards (or backwards when negative).
    pub fn step(&mut self, by: i64) {
        let to = (self.index as i64 + by).max(0) as usize;
        self.seek(to);
    }

    /// Play or pause; playing from the end starts over.
    pub fn toggle(&mut self) {
        if !self.playing && self.index + 1 >= self.times.len() {
            self.seek(0);
        }
        self.playing = !self.playing && !self.times.is_empty();
    }

    /// Playing: `run_ms` more of the run have passed (real time × speed). Stops at the end.
    pub fn advance(&mut self, run_ms: f64) {
        if !self.playing {
            return;
        }
        self.time = (self.time + run_ms).min(self.end());
        self.index = self
            .times
            .partition_point(|t| *t <= self.time)
            .saturating_sub(1);
        if self.time >= self.end() {
            self.seek(self.times.len().saturating_sub(1));
        }
    }

    /// Playing without motion (reduced motion): one step at a time.
    pub fn advance_one(&mut self) {
        if !self.playing {
            return;
        }
        let last = self.index + 1 >= self.times.len();
        self.seek(self.index + 1);
        self.playing = !last && self.index + 1 < self.times.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::Tool;

    const THREADS: Wording = Wording::of_tool(Tool::Threads);

    fn gil(at: f64, lane: u32, kind: GilEventKind) -> GilEvent {
        GilEvent::new(at, lane, lane, kind)
    }

    #[test]
    fn steps_are_ordered_ends_before_beginnings() {
        let spans = [
            Span::new(0, 0, SpanState::Compute, 100.0, 105.0),
            Span::new(1, 1, SpanState::GilWait, 100.0, 105.0),
            Span::new(1, 1, SpanState::Compute, 105.0, 110.0),
        ];
        let events = [
            gil(100.0, 0, GilEventKind::Acquire),
            gil(105.0, 0, GilEventKind::ForcedDrop),
            gil(105.0, 1, GilEventKind::Acquire),
        ];
        let s = steps(&spans, &events, 100.0);
        assert_eq!(s.len(), 9);
        let at5: Vec<Happening> = s.iter().filter(|x| x.at == 5.0).map(|x| x.what).collect();
        assert_eq!(
            at5,
            [
                Happening::End(SpanState::Compute),
                Happening::End(SpanState::GilWait),
                Happening::Gil(GilEventKind::ForcedDrop),
                Happening::Gil(GilEventKind::Acquire),
                Happening::Begin(SpanState::Compute),
            ]
        );
        assert_eq!(
            describe_step(&s[0], &THREADS),
            "thread 0 takes the GIL (task 0)"
        );
        assert_eq!(
            describe_step(&s[1], &THREADS),
            "thread 0 starts computing (task 0)"
        );
    }

    #[test]
    fn lanes_are_described_at_the_playhead() {
        let spans = [
            Span::new(0, 0, SpanState::Compute, 100.0, 105.0),
            Span::new(1, 1, SpanState::GilWait, 100.0, 105.0),
            Span::new(1, 1, SpanState::Compute, 105.0, 110.0),
        ];
        let text = describe_lanes(&spans, 100.0, 3.0, &[0, 1, 2], &THREADS);
        assert_eq!(
            text,
            "thread 0 computes task 0 since 0.0 ms; thread 1 waits for the GIL for task 1 since \
             0.0 ms; thread 2 is idle"
        );
        let text = describe_lanes(&spans, 100.0, 5.0, &[0, 1], &THREADS);
        assert_eq!(
            text,
            "thread 0 is idle; thread 1 computes task 1 since 5.0 ms"
        );
        let waits = [
            Span::new(0, 0, SpanState::Io, 100.0, 300.0),
            Span::new(1, 0, SpanState::Io, 100.5, 300.0),
        ];
        assert_eq!(
            describe_lanes(&waits, 100.0, 50.0, &[0], &Wording::of_tool(Tool::Async)),
            "event loop 0 waits on io for 2 tasks since 0.0 ms"
        );
    }

    #[test]
    fn a_cpython_programs_threads_are_told_without_tasks_and_picks_as_picks() {
        let lane = TaskRef::Lane.index();
        let spans = [
            Span::new(lane, 0, SpanState::GilWait, 100.0, 105.0),
            Span::new(lane, 1, SpanState::GilWait, 101.0, 103.0),
        ];
        let stepped = Wording {
            main_lane: Some(1),
            picked: true,
            ..THREADS
        };
        assert_eq!(
            describe_lanes(&spans, 100.0, 2.0, &[0, 1], &stepped),
            "thread 0 waits for the GIL since 0.0 ms; main thread waits for the GIL since 1.0 ms"
        );
        let drop = Step {
            at: 3.0,
            lane: 1,
            task: lane,
            what: Happening::Gil(GilEventKind::ForcedDrop),
        };
        assert_eq!(
            describe_step(&drop, &stepped),
            "main thread is made to drop the GIL: the learner picked another thread"
        );
    }

    #[test]
    fn the_playhead_steps_scrubs_and_plays() {
        let mut p = Playhead::new(vec![0.0, 0.0, 5.0, 10.0, 20.0]);
        assert_eq!((p.index, p.time), (4, 20.0));
        p.step(1);
        assert_eq!(p.index, 4, "clamped at the end");
        p.toggle();
        assert!(p.playing);
        assert_eq!(p.index, 0, "play from the end starts over");
        p.advance(6.0);
        assert_eq!((p.index, p.time), (2, 6.0));
        p.advance(100.0);
        assert_eq!((p.index, p.time, p.playing), (4, 20.0, false));
        p.step(-10);
        assert_eq!((p.index, p.time), (0, 0.0));
        p.step(3);
        assert_eq!((p.index, p.time), (3, 10.0));
        p.toggle();
        p.advance_one();
        assert_eq!(
            (p.index, p.playing),
            (4, false),
            "stops after the last step"
        );
        let mut empty = Playhead::new(vec![]);
        empty.toggle();
        empty.step(1);
        assert!(!empty.playing);
    }
}
