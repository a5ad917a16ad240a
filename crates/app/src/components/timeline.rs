//! The timeline: one lane per worker, each task a group of spans coloured by state, on a time
//! axis in ms; details of the span under the pointer or keyboard focus, with why a wait happened;
//! a table view as its text alternative; for a finished run, where each lane's time went and the
//! critical path on demand. "One cook, four pans" is one lane with four waits stacked; "four
//! cooks" is four lanes computing at once.

use super::gil_lane::{gil_lane, HEIGHT as GIL_HEIGHT};
use model::analysis::layout::{bar_at, layout, merge, ticks, Bar, Layout};
use model::run::timeline::{Span, SpanState, TaskRef};
use model::sim::gil::{GilEvent, GilSwitches};
use model::wire::insight::RunInsight;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Spans shared with the timeline, never copied to be passed on: a finished run's, or the
/// growing log of the run in flight (progress appends to it). Equal when they are the same
/// allocation at the same length, so that an unchanged run is not compared span by span.
#[derive(Clone, Debug)]
pub enum SharedSpans {
    /// A finished run's spans.
    Fixed(Rc<Vec<Span>>),
    /// The append-only log of a live run, and how many spans this render shows.
    Growing(Rc<RefCell<Vec<Span>>>, usize),
}

impl Default for SharedSpans {
    fn default() -> Self {
        SharedSpans::Fixed(Rc::default())
    }
}

impl PartialEq for SharedSpans {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SharedSpans::Fixed(a), SharedSpans::Fixed(b)) => Rc::ptr_eq(a, b),
            (SharedSpans::Growing(a, n), SharedSpans::Growing(b, m)) => Rc::ptr_eq(a, b) && n == m,
            _ => false,
        }
    }
}

impl SharedSpans {
    /// Calls `f` with the spans.
    pub fn with<T>(&self, f: impl FnOnce(&[Span]) -> T) -> T {
        match self {
            SharedSpans::Fixed(spans) => f(spans),
            SharedSpans::Growing(log, n) => {
                let log = log.borrow();
                f(&log[..(*n).min(log.len())])
            }
        }
    }
}

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// Finished spans.
    pub spans: SharedSpans,
    /// Spans still open (live runs).
    #[prop_or_default]
    pub open: SharedSpans,
    /// Shared-clock start of the run.
    pub started_at: f64,
    /// What a lane is for this tool: "thread", "process", "event loop".
    pub lane_noun: AttrValue,
    /// A caption: which run this is.
    pub caption: AttrValue,
    /// The run is still going.
    #[prop_or_default]
    pub live: bool,
    /// The run's GIL events (threads with the GIL on): drawn as a lane above the threads.
    #[prop_or_default]
    pub gil_events: Rc<Vec<GilEvent>>,
    /// The run's GIL hand-over counts.
    #[prop_or_default]
    pub gil_switches: Option<GilSwitches>,
    /// The replay's playhead, ms from the run's start.
    #[prop_or_default]
    pub playhead: Option<f64>,
    /// A finished run, explained (by the insight worker): why each wait happened, each lane's
    /// time, the critical path.
    #[prop_or_default]
    pub insight: Option<Rc<RunInsight>>,
}

const WIDTH: f64 = 1000.0;
const LABEL: f64 = 110.0;
const TRACK: f64 = 14.0;
const GAP: f64 = 10.0;
const AXIS: f64 = 26.0;
/// Tracks a lane may have before concurrent tasks start sharing them.
const MAX_TRACKS: u32 = 8;
/// Spans focusable one by one: beyond this the table view is the keyboard's way in.
const FOCUSABLE: usize = 64;
/// Beyond this many spans, bars of one track and state are merged (drawing stays cheap).
const MERGE_ABOVE: usize = 400;

fn describe_bar(b: &Bar, lane_noun: &str) -> String {
    let who = if b.merged > 1 {
        format!("{} tasks", b.merged)
    } else {
        TaskRef::of(b.task).describe()
    };
    format!(
        "{who} on {lane_noun} {}: {} from {:.1} to {:.1} ms ({:.1} ms)",
        b.lane,
        b.state.label(),
        b.start,
        b.end,
        b.end - b.start
    )
}

/// The SVG timeline with its legend, details line and table view.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let focused = use_state(|| None::<usize>);
    let show_table = use_state(|| false);
    let critical = use_state(|| false);
    let all: Vec<Span> = props.spans.with(|done| {
        props
            .open
            .with(|open| done.iter().chain(open).copied().collect())
    });
    let why = props
        .insight
        .as_deref()
        .filter(|x| x.why.len() == all.len());
    let t0 = props.started_at;
    let Layout {
        lanes,
        bars,
        duration,
    } = layout(&all, t0, MAX_TRACKS);
    let span_ms = duration.max(1.0);
    let merged = bars.len() > MERGE_ABOVE;
    // The critical path's bars, before merging (a bar per span, in the spans' order).
    let critical_bars: Vec<Bar> = match why.filter(|_| *critical) {
        Some(x) => x
            .path
            .iter()
            .filter_map(|&i| bars.get(i as usize).copied())
            .collect(),
        None => Vec::new(),
    };
    // A bar's words: what it was, and for a span (not a merged bar) of an explained run why it
    // waited.
    let describe = |i: usize, b: &Bar| {
        let mut text = describe_bar(b, &props.lane_noun);
        if let Some(cause) = why
            .filter(|_| !merged)
            .and_then(|x| x.why.get(i))
            .filter(|c| !c.is_empty())
        {
            text.push_str(": ");
            text.push_str(cause);
        }
        text
    };
    let bars = if merged {
        merge(&bars, span_ms / 500.0)
    } else {
        bars
    };
    let x = |ms: f64| LABEL + (ms.max(0.0) / span_ms) * (WIDTH - LABEL - 10.0);
    // The GIL lane, above the threads, when the run has GIL events.
    let gil = (!props.gil_events.is_empty()).then(|| {
        let held = model::analysis::gil_lane::held(&props.gil_events, t0, duration);
        let waiting = model::analysis::gil_lane::waiting(&all, t0);
        gil_lane(&held, &waiting, lanes.len() as u32, x)
    });
    // Lane tops.
    let mut top = if gil.is_some() { GIL_HEIGHT + GAP } else { 0.0 };
    let mut lane_top = Vec::new();
    for l in &lanes {
        lane_top.push((l.lane, top));
        top += f64::from(l.tracks) * TRACK + GAP;
    }
    let height = top + AXIS;
    let y_of = |lane: u32, track: u32| {
        lane_top
            .iter()
            .find(|(l, _)| *l == lane)
            .map_or(0.0, |(_, t)| *t)
            + f64::from(track) * TRACK
    };
    let focusable = bars.len() <= FOCUSABLE;
    // Past a few dozen bars a bar has no element of its own: each lane draws its bars as one
    // path per state, and the pointer finds its bar by position (`bar_at`). As an element
    // each, a 1000-task run's bars and their task groups were 2000 elements re-created (and
    // styled, laid out and painted) at every progress flush; a handful of paths cost the
    // browser next to nothing.
    let lane_groups: Html = if focusable {
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
                            <rect class={classes!("span", b.state.as_str(), (*focused == Some(i)).then_some("focused"))}
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
        for b in &bars {
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
    };
    let lane_labels = lanes.iter().map(|l| {
        let label_y = y_of(l.lane, 0) + f64::from(l.tracks) * TRACK / 2.0 + 4.0;
        html! {
            <text class="lane-label" x="4" y={format!("{label_y:.1}")}>
                { format!("{} {}", props.lane_noun, l.lane) }
            </text>
        }
    });
    // No run, no time scale: an empty timeline shows no made-up axis.
    let tick_values = if all.is_empty() {
        Vec::new()
    } else {
        ticks(span_ms, 6)
    };
    // Sub-millisecond steps (a run of a few µs) need decimals to tell the ticks apart.
    let step = tick_values.get(1).copied().unwrap_or(1.0);
    let decimals = model::analysis::layout::tick_decimals(step);
    let axis = tick_values.into_iter().map(|t| {
        html! {
            <g class="tick">
                <line x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1="0" y2={format!("{:.1}", top)} />
                <text x={format!("{:.1}", x(t))} y={format!("{:.1}", top + 16.0)} text-anchor="middle">
                    { format!("{t:.decimals$}") }
                </text>
            </g>
        }
    });
    let critical_path = (!critical_bars.is_empty()).then(|| {
        let mut d = String::new();
        for b in &critical_bars {
            path_of(&mut d, b, y_of(b.lane, b.track));
        }
        html! { <path class="critical-path" {d} /> }
    });
    let details = focused
        .and_then(|i| bars.get(i).map(|b| describe(i, b)))
        .unwrap_or_else(|| {
            if all.is_empty() {
                "Run an experiment to see what each worker did.".into()
            } else {
                "Point at (or tab to) a span for its details.".into()
            }
        });
    // One handler for every span: which one is under the pointer or focused is read from the
    // target's data-i.
    let pick = {
        let focused = focused.clone();
        move |target: Option<web_sys::EventTarget>| {
            let index = target
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.get_attribute("data-i"))
                .and_then(|i| i.parse::<usize>().ok());
            if index.is_some() && index != *focused {
                focused.set(index);
            }
        }
    };
    let on_over = {
        let pick = pick.clone();
        Callback::from(move |e: MouseEvent| pick(e.target()))
    };
    // Bars drawn as paths: the point under the pointer, in the SVG's units (its width is
    // WIDTH; it scales uniformly), gives the lane, the track and the time.
    let on_move = (!focusable).then(|| {
        let focused = focused.clone();
        let bars = Rc::new(bars.clone());
        let tracks: Vec<(u32, f64, u32)> = lanes
            .iter()
            .map(|l| (l.lane, y_of(l.lane, 0), l.tracks))
            .collect();
        Callback::from(move |e: MouseEvent| {
            // yew delegates events from its root: the SVG is found from the target.
            let Some(svg) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("svg").ok().flatten())
            else {
                return;
            };
            // The drawing is the box inside the SVG's border.
            let rect = svg.get_bounding_client_rect();
            let inner = f64::from(svg.client_width());
            if inner <= 0.0 {
                return;
            }
            let scale = WIDTH / inner;
            let x = (f64::from(e.client_x()) - rect.left() - f64::from(svg.client_left())) * scale;
            let y = (f64::from(e.client_y()) - rect.top() - f64::from(svg.client_top())) * scale;
            let ms_per_unit = span_ms / (WIDTH - LABEL - 10.0);
            let hit = tracks.iter().find_map(|&(lane, top, n)| {
                let track = ((y - top) / TRACK).floor();
                (track >= 0.0 && track < f64::from(n)).then_some((lane, track as u32))
            });
            let index = hit.and_then(|(lane, track)| {
                // Two SVG units either side: a bar thinner than a pixel can still be pointed at.
                bar_at(
                    &bars,
                    lane,
                    track,
                    (x - LABEL) * ms_per_unit,
                    2.0 * ms_per_unit,
                )
            });
            if index.is_some() && index != *focused {
                focused.set(index);
            }
        })
    });
    let on_focus = Callback::from(move |e: FocusEvent| pick(e.target()));
    let toggle = {
        let show_table = show_table.clone();
        Callback::from(move |_: MouseEvent| show_table.set(!*show_table))
    };
    let toggle_critical = {
        let critical = critical.clone();
        Callback::from(move |_: MouseEvent| critical.set(!*critical))
    };
    let legend = SpanState::ALL.iter().map(|s| {
        html! { <li><span class={classes!("swatch", s.as_str())} aria-hidden="true"></span>{ s.label() }</li> }
    });
    html! {
        <figure class="timeline" id="timeline" aria-labelledby="timeline-caption">
            <figcaption id="timeline-caption">
                { &props.caption }{ if props.live { " — running…" } else { "" } }
            </figcaption>
            <div class="timeline-scroll">
            <svg data-testid="timeline" role="img" viewBox={format!("0 0 {WIDTH} {height:.0}")}
                aria-label={format!("Timeline: {} lanes, {} spans, {:.0} ms", lanes.len(), all.len(), duration)}
                preserveAspectRatio="xMinYMin meet" onmouseover={on_over} onmousemove={on_move} onfocusin={on_focus}>
                <g class="axis">{ for axis }</g>
                // Spans are placed in ms and scaled by one transform: when the axis grows during
                // a live run, one attribute changes instead of every span's position.
                <g class="bars" transform={format!("translate({LABEL},0) scale({:.6},1)", (WIDTH - LABEL - 10.0) / span_ms)}>
                    { lane_groups }
                    { for critical_path }
                </g>
                { for lane_labels }
                if let Some(gil) = gil {
                    { gil }
                    <text class="lane-label gil-label" x="4" y="12">{ "GIL holder" }</text>
                    <text class="lane-label gil-label" x="4" y="27">{ "waiting" }</text>
                }
                <text class="axis-unit" x="4" y={format!("{:.1}", top + 16.0)}>{ "time, ms" }</text>
                if let Some(at) = props.playhead {
                    <line class="playhead" data-testid="playhead" x1={format!("{:.2}", x(at))} x2={format!("{:.2}", x(at))}
                        y1="0" y2={format!("{:.1}", top)} />
                }
            </svg>
            </div>
            <p class="span-details" data-testid="span-details" aria-live="polite">{ details }</p>
            if merged {
                <p class="hint">{ format!("{} spans: overlapping ones on a track are drawn as one bar; the table view and the JSON export list them all.", all.len()) }</p>
            }
            <ul class="legend">{ for legend }</ul>
            if let Some(s) = props.gil_switches.filter(|_| !props.gil_events.is_empty()) {
                <p class="gil-summary" data-testid="gil-summary">
                    <span class="swatch gil-held" aria-hidden="true"></span>{ "GIL held (T = thread), " }
                    <span class="swatch gil-waiting" aria-hidden="true"></span>{ "threads waiting. Hand-overs to a waiting thread: " }
                    <span class="mark gil-forced" aria-hidden="true"></span>
                    <strong>{ s.forced }</strong>{ " forced (the waiter asked after the 5 ms switch interval), " }
                    <span class="mark gil-voluntary" aria-hidden="true"></span>
                    <strong>{ s.voluntary }</strong>{ " voluntary (I/O or the end of a task)." }
                </p>
            }
            if let Some(x) = why {
                { Html::from_html_unchecked(x.lanes.clone().into()) }
            }
            <button type="button" class="secondary small" aria-expanded={(*show_table).to_string()} onclick={toggle}>
                { if *show_table { "Hide the table view" } else { "Show as a table" } }
            </button>
            if why.is_some() {
                <button type="button" class="secondary small" data-testid="critical-path" aria-pressed={(*critical).to_string()}
                    title="Outline the chain of spans that set the wall time" onclick={toggle_critical}>
                    { "Critical path" }
                </button>
            }
            if *show_table {
                // Focusable: a keyboard scrolls the table when it is wider than the page.
                <div class="table-scroll" tabindex="0" role="region" aria-label="The timeline as a table">
                if let Some(x) = why {
                    // The insight worker's table: a row per span with why it waited.
                    { Html::from_html_unchecked(x.table.clone().into()) }
                } else {
                    <p class="hint">{ "The table of every span, with why each one waited, follows once the run has ended." }</p>
                }
                </div>
            }
        </figure>
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
fn path_of(d: &mut String, b: &Bar, track_top: f64) {
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
