//! The timeline's bars as drawn: up to a few dozen, an element each, grouped by lane and task
//! and reachable by keyboard; past that, one path per lane and state.

use super::TRACK;
use model::analysis::layout::{Bar, LaneRows};
use model::run::timeline::TaskRef;
use model::run::wording::Wording;
use std::collections::BTreeMap;
use std::fmt::Write;
use yew::prelude::*;

/// A bar in words: who, on which lane, in which state, when.
pub(super) fn describe_bar(b: &Bar, words: &Wording) -> String {
    let lane = words.lane(b.lane);
    // A lane's own time (a process starting, a CPython program's thread code) is no task's.
    let who = match TaskRef::of(b.task) {
        _ if b.merged > 1 => format!("{} tasks on {lane}", b.merged),
        TaskRef::Lane => lane,
        task => format!("{} on {lane}", task.describe()),
    };
    format!(
        "{who}: {} from {:.1} to {:.1} ms ({:.1} ms)",
        b.state.label(),
        b.start,
        b.end,
        b.end - b.start
    )
}

/// The lanes' bars. `focusable`: an element per bar (`describe` gives its words); otherwise
/// paths, with the `focused` bar outlined. `y_of(lane, track)` is a track's top.
pub(super) fn lane_bars(
    lanes: &[LaneRows],
    bars: &[Bar],
    focusable: bool,
    focused: Option<usize>,
    y_of: impl Fn(u32, u32) -> f64,
    describe: impl Fn(usize, &Bar) -> String,
) -> Html {
    // Past a few dozen bars a bar has no element of its own: each lane draws its bars as one
    // path per state, and the pointer finds its bar by position (`bar_at`). As an element
    // each, a 1000-task run's bars and their task groups were 2000 elements re-created (and
    // styled, laid out and painted) at every progress flush; a handful of paths cost the
    // browser next to nothing.
    if focusable {
        // Bars by lane, then by task, in one pass.
        let mut by_lane: BTreeMap<u32, BTreeMap<u32, Vec<usize>>> = BTreeMap::new();
        for (i, b) in bars.iter().enumerate() {
            by_lane
                .entry(b.lane)
                .or_default()
                .entry(b.task)
                .or_default()
                .push(i);
        }
        lanes
            .iter()
            .map(|l| {
                // Read, not taken out: a map's removal code cost the page's module 1 KB (gzip).
                let groups = by_lane.get(&l.lane).into_iter().flatten().map(|(&task, indices)| {
                    let rects = indices.iter().map(|&i| {
                        let b = &bars[i];
                        let text = describe(i, b);
                        let [x, y, width, height] = geometry(b, y_of(b.lane, b.track));
                        html! {
                            <rect class={classes!("span", b.state.as_str(), (focused == Some(i)).then_some("focused"))}
                                {x} {y} {width} {height}
                                data-i={i.to_string()} tabindex="0" aria-label={text.clone()}>
                                <title>{ text }</title>
                            </rect>
                        }
                    });
                    html! { <g class="task" data-testid="timeline-task" data-task={task_attr(task)}>{ for rects }</g> }
                });
                html! {
                    <g class="lane" data-testid="timeline-lane" data-lane={l.lane.to_string()}>
                        { for groups }
                    </g>
                }
            })
            .collect()
    } else {
        let mut paths: BTreeMap<(u32, &'static str), String> = BTreeMap::new();
        for b in bars {
            let d = paths.entry((b.lane, b.state.as_str())).or_default();
            path_of(d, b, y_of(b.lane, b.track));
        }
        let focus_ring = focused.and_then(|i| bars.get(i)).map(|b| {
            let [x, y, width, height] = geometry(b, y_of(b.lane, b.track));
            html! { <rect class={classes!("span", b.state.as_str(), "focused")} {x} {y} {width} {height} /> }
        });
        let lane_paths = lanes.iter().map(|l| {
            let shapes = paths
                .range((l.lane, "")..)
                .take_while(|((lane, _), _)| *lane == l.lane)
                .map(|((_, state), d)| html! { <path class={classes!("span", *state)} d={d.clone()} /> });
            html! {
                <g class="lane" data-testid="timeline-lane" data-lane={l.lane.to_string()}>
                    { for shapes }
                </g>
            }
        });
        html! { <>{ for lane_paths }{ for focus_ring }</> }
    }
}

/// A bar's `x`, `y`, `width` and `height` on its track (whose top is `track_top`), as written in
/// both of its forms (virtual nodes and markup).
fn geometry(b: &Bar, track_top: f64) -> [String; 4] {
    [
        format!("{:.2}", b.start.max(0.0)),
        format!("{:.1}", track_top + 1.0),
        format!("{:.2}", (b.end - b.start).max(0.0)),
        format!("{:.1}", TRACK - 2.0),
    ]
}

/// Adds bar `b` on its track (whose top is `track_top`) to the path data `d`.
pub(super) fn path_of(d: &mut String, b: &Bar, track_top: f64) {
    let [x, y, width, height] = geometry(b, track_top);
    let _ = write!(d, "M{x} {y}h{width}v{height}h-{width}z");
}

/// A task group's `data-task`: its number, or what the group is when it is not one task. Only
/// timelines of a few dozen bars have task groups, and those are never merged.
fn task_attr(task: u32) -> String {
    match TaskRef::of(task) {
        TaskRef::Lane => "startup".to_string(),
        TaskRef::Serial => "serial".to_string(),
        TaskRef::Task(t) => t.to_string(),
    }
}
