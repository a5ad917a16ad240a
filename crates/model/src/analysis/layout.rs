//! Laying out a timeline: lanes (workers) split into tracks so that tasks overlapping on one
//! lane (an event loop's concurrent waits) are stacked instead of drawn on top of each other.
//! Pure geometry in time units; the UI scales it to pixels.

use crate::run::timeline::{Span, SpanState, TaskRef};
use std::collections::BTreeMap;

/// One drawable interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// The task's number (a lane-wide span such as start-up has [`TaskRef::Lane`]'s).
    pub task: u32,
    /// The lane.
    pub lane: u32,
    /// The track inside the lane.
    pub track: u32,
    /// What was happening.
    pub state: SpanState,
    /// Start, ms since the run started.
    pub start: f64,
    /// End, ms since the run started.
    pub end: f64,
    /// How many spans this bar stands for (more than 1 once merged).
    pub merged: u32,
}

/// One lane and how many tracks it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneRows {
    /// The lane's id.
    pub lane: u32,
    /// Tracks (at least 1).
    pub tracks: u32,
}

/// A laid-out timeline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Lanes in order of their ids.
    pub lanes: Vec<LaneRows>,
    /// Every bar.
    pub bars: Vec<Bar>,
    /// The latest end, ms since the run started.
    pub duration: f64,
}

/// Lays out `spans` of a run that started at `t0`, using at most `max_tracks` tracks per lane
/// (beyond that, tasks share the track that frees up first).
pub fn layout(spans: &[Span], t0: f64, max_tracks: u32) -> Layout {
    let max_tracks = max_tracks.max(1) as usize;
    // Each task's extent on each lane.
    let mut extents: BTreeMap<(u32, u32), (f64, f64)> = BTreeMap::new();
    let mut lanes: BTreeMap<u32, u32> = BTreeMap::new();
    for s in spans {
        lanes.entry(s.lane).or_insert(1);
        if s.task_ref() == TaskRef::Lane {
            continue;
        }
        let e = extents.entry((s.lane, s.task)).or_insert((s.start, s.end));
        e.0 = e.0.min(s.start);
        e.1 = e.1.max(s.end);
    }
    // Greedy interval colouring per lane: each task takes the lowest free track.
    let mut by_lane: BTreeMap<u32, Vec<(u32, f64, f64)>> = BTreeMap::new();
    for ((lane, task), (a, b)) in extents {
        by_lane.entry(lane).or_default().push((task, a, b));
    }
    let mut track_of: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for (lane, mut tasks) in by_lane {
        tasks.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        let mut track_ends: Vec<f64> = Vec::new();
        for (task, a, b) in tasks {
            let free = track_ends.iter().position(|&end| end <= a);
            let track = match free {
                Some(t) => t,
                None if track_ends.len() < max_tracks => {
                    track_ends.push(f64::NEG_INFINITY);
                    track_ends.len() - 1
                }
                None => track_ends
                    .iter()
                    .enumerate()
                    .min_by(|x, y| x.1.total_cmp(y.1))
                    .map(|(i, _)| i)
                    .unwrap_or(0),
            };
            track_ends[track] = b;
            track_of.insert((lane, task), track as u32);
        }
        lanes.insert(lane, (track_ends.len() as u32).max(1));
    }
    let bars: Vec<Bar> = spans
        .iter()
        .map(|s| Bar {
            task: s.task,
            lane: s.lane,
            track: track_of.get(&(s.lane, s.task)).copied().unwrap_or(0),
            state: s.state,
            start: s.start - t0,
            end: s.end - t0,
            merged: 1,
        })
        .collect();
    let duration = bars.iter().map(|b| b.end).fold(0.0, f64::max);
    Layout {
        lanes: lanes
            .into_iter()
            .map(|(lane, tracks)| LaneRows { lane, tracks })
            .collect(),
        bars,
        duration,
    }
}

/// Merges bars of the same lane, track and state that overlap or lie within `gap` ms of each
/// other: thousands of concurrent waits become a few bars that still show when each track was
/// busy, and the page stays cheap to draw. A merged bar keeps its first task's number.
pub fn merge(bars: &[Bar], gap: f64) -> Vec<Bar> {
    let mut sorted = bars.to_vec();
    sorted.sort_by(|a, b| {
        (a.lane, a.track, a.state.as_str())
            .cmp(&(b.lane, b.track, b.state.as_str()))
            .then(a.start.total_cmp(&b.start))
    });
    let mut out: Vec<Bar> = Vec::new();
    for b in sorted {
        match out.last_mut() {
            Some(last)
                if (last.lane, last.track, last.state) == (b.lane, b.track, b.state)
                    && b.start <= last.end + gap =>
            {
                last.end = last.end.max(b.end);
                last.merged += b.merged;
            }
            _ => out.push(b),
        }
    }
    out
}

/// The bar under the pointer: on `lane`'s `track`, the one that holds `ms` or, failing that, the
/// nearest within `slack` ms (a bar thinner than a pixel must still be found). Large timelines
/// draw their bars as a few paths, not an element each, so the pointer is matched by position.
pub fn bar_at(bars: &[Bar], lane: u32, track: u32, ms: f64, slack: f64) -> Option<usize> {
    bars.iter()
        .enumerate()
        .filter(|(_, b)| b.lane == lane && b.track == track)
        .map(|(i, b)| {
            let off = if ms < b.start {
                b.start - ms
            } else if ms > b.end {
                ms - b.end
            } else {
                0.0
            };
            (i, off)
        })
        .filter(|&(_, off)| off <= slack)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// The largest power of ten not above `x` (finite, above 0) and its exponent. Found by steps of
/// ten rather than with `powf` and `log10`, which would bring libm's `pow` and `log10` into the
/// page's module for one axis.
pub fn power_of_ten_at_most(x: f64) -> (f64, i32) {
    let (mut p, mut e) = (1.0, 0);
    while p * 10.0 <= x && e < 308 {
        p *= 10.0;
        e += 1;
    }
    while p > x && e > -308 {
        p /= 10.0;
        e -= 1;
    }
    (p, e)
}

/// Decimals that tell apart the ticks `step` apart (0 for a step of 1 or more).
pub fn tick_decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    power_of_ten_at_most(step).1.unsigned_abs() as usize
}

/// Round tick values for an axis from 0 to `duration` ms: about `target` ticks at 1, 2 or 5
/// times a power of ten.
pub fn ticks(duration: f64, target: u32) -> Vec<f64> {
    if !(duration.is_finite() && duration > 0.0) {
        return vec![0.0];
    }
    let raw = duration / f64::from(target.max(1));
    let (magnitude, _) = power_of_ten_at_most(raw);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= duration + step * 1e-9)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten_and_decimals_without_libm() {
        assert_eq!(power_of_ten_at_most(1.0), (1.0, 0));
        assert_eq!(power_of_ten_at_most(999.0), (100.0, 2));
        assert_eq!(power_of_ten_at_most(1000.0), (1000.0, 3));
        let (p, e) = power_of_ten_at_most(0.05);
        assert_eq!(e, -2);
        assert!((p - 0.01).abs() < 1e-15);
        for (step, decimals) in [
            (5.0, 0),
            (1.0, 0),
            (0.5, 1),
            (0.2, 1),
            (0.1, 1),
            (0.05, 2),
            (0.001, 3),
        ] {
            assert_eq!(tick_decimals(step), decimals, "step {step}");
            assert_eq!(decimals, (-f64::log10(step)).ceil().max(0.0) as usize);
        }
        assert_eq!(tick_decimals(f64::NAN), 0);
    }

    fn span(task: u32, lane: u32, state: SpanState, start: f64, end: f64) -> Span {
        Span::new(task, lane, state, start, end)
    }

    #[test]
    fn overlapping_waits_on_one_lane_are_stacked() {
        let spans: Vec<_> = (0..4)
            .map(|t| span(t, 0, SpanState::Io, 1000.0, 1200.0))
            .collect();
        let l = layout(&spans, 1000.0, 8);
        assert_eq!(l.lanes, [LaneRows { lane: 0, tracks: 4 }]);
        let mut tracks: Vec<u32> = l.bars.iter().map(|b| b.track).collect();
        tracks.sort();
        assert_eq!(tracks, [0, 1, 2, 3]);
        assert_eq!(l.duration, 200.0);
    }

    #[test]
    fn tasks_in_turn_share_a_track_and_tracks_are_capped() {
        let spans = [
            span(0, 0, SpanState::Compute, 0.0, 10.0),
            span(1, 0, SpanState::Compute, 10.0, 20.0),
            span(2, 1, SpanState::Compute, 0.0, 20.0),
            span(TaskRef::Lane.index(), 1, SpanState::Startup, 0.0, 5.0),
        ];
        let l = layout(&spans, 0.0, 8);
        assert_eq!(l.lanes.len(), 2);
        assert!(l.lanes.iter().all(|r| r.tracks == 1));
        let many: Vec<_> = (0..100)
            .map(|t| span(t, 0, SpanState::Io, 0.0, 50.0))
            .collect();
        assert_eq!(layout(&many, 0.0, 8).lanes[0].tracks, 8);
    }

    #[test]
    fn merging_keeps_every_busy_interval() {
        let spans: Vec<_> = (0..1000)
            .map(|t| {
                span(
                    t,
                    0,
                    SpanState::Io,
                    f64::from(t) * 0.1,
                    f64::from(t) * 0.1 + 300.0,
                )
            })
            .collect();
        let l = layout(&spans, 0.0, 8);
        let merged = merge(&l.bars, 1.0);
        assert_eq!(merged.len(), 8, "one bar per track");
        assert_eq!(merged.iter().map(|b| b.merged).sum::<u32>(), 1000);
        let apart = [
            span(0, 0, SpanState::Compute, 0.0, 10.0),
            span(1, 0, SpanState::Compute, 50.0, 60.0),
        ];
        assert_eq!(merge(&layout(&apart, 0.0, 8).bars, 1.0).len(), 2);
    }

    #[test]
    fn round_ticks() {
        assert_eq!(ticks(800.0, 4), [0.0, 200.0, 400.0, 600.0, 800.0]);
        assert_eq!(ticks(950.0, 5), [0.0, 200.0, 400.0, 600.0, 800.0]);
        assert_eq!(ticks(0.0, 5), [0.0]);
        assert_eq!(ticks(3.0, 3), [0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn the_pointer_finds_the_bar_under_it_or_the_nearest_thin_one() {
        let bar = |lane, track, start, end| Bar {
            task: 0,
            lane,
            track,
            state: SpanState::Io,
            start,
            end,
            merged: 1,
        };
        let bars = [
            bar(0, 0, 0.0, 10.0),
            bar(0, 0, 20.0, 20.0),
            bar(0, 1, 0.0, 30.0),
            bar(1, 0, 5.0, 8.0),
        ];
        assert_eq!(bar_at(&bars, 0, 0, 4.0, 0.5), Some(0));
        assert_eq!(bar_at(&bars, 0, 1, 4.0, 0.5), Some(2));
        assert_eq!(bar_at(&bars, 1, 0, 4.0, 0.5), None);
        assert_eq!(bar_at(&bars, 1, 0, 4.0, 1.5), Some(3));
        // A zero-length bar is found within the slack, the nearer of two candidates wins.
        assert_eq!(bar_at(&bars, 0, 0, 19.6, 0.5), Some(1));
        assert_eq!(bar_at(&bars, 0, 0, 15.0, 0.5), None);
        assert_eq!(bar_at(&bars, 0, 0, 10.2, 20.0), Some(0));
        assert_eq!(bar_at(&bars, 2, 0, 4.0, 100.0), None);
        assert_eq!(bar_at(&[], 0, 0, 0.0, 1.0), None);
    }
}
