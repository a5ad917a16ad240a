//! The timeline: one lane per worker, each task a group of spans coloured by state, on a time
//! axis in ms; details of the span under the pointer or keyboard focus, with why a wait happened;
//! a table view as its text alternative; for a finished run, where each lane's time went and the
//! critical path on demand. "One cook, four pans" is one lane with four waits stacked; "four
//! cooks" is four lanes computing at once.

mod bars;
mod pointer;
pub mod shared_spans;

use super::gil_lane::{gil_lane, HEIGHT as GIL_HEIGHT};
use bars::{describe_bar, lane_bars, path_of};
use model::analysis::layout::{layout, merge, ticks, Bar, Layout};
use model::run::timeline::{Span, SpanState};
use model::run::wording::Wording;
use model::sim::gil::GilEvent;
use model::wire::insight::RunInsight;
use pointer::on_pointer_move;
use shared_spans::SharedSpans;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

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
    /// How the run's lanes are named ("thread 1", "main thread") and its hand-overs told.
    pub words: Wording,
    /// A caption: which run this is.
    pub caption: AttrValue,
    /// The run is still going.
    #[prop_or_default]
    pub live: bool,
    /// The run's GIL events (threads with the GIL on): drawn as a lane above the threads.
    #[prop_or_default]
    pub gil_events: Rc<Vec<GilEvent>>,
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
        let mut text = describe_bar(b, &props.words);
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
        gil_lane(&held, &waiting, lanes.len() as u32, &props.words, x)
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
    let lane_groups = lane_bars(&lanes, &bars, focusable, *focused, y_of, describe);
    let lane_labels = lanes.iter().map(|l| {
        let label_y = y_of(l.lane, 0) + f64::from(l.tracks) * TRACK / 2.0 + 4.0;
        html! {
            <text class="lane-label" x="4" y={format!("{label_y:.1}")}>
                { props.words.lane(l.lane) }
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
    // Bars drawn as paths: the pointer finds its bar by position.
    let on_move = (!focusable).then(|| {
        let tracks = lanes
            .iter()
            .map(|l| (l.lane, y_of(l.lane, 0), l.tracks))
            .collect();
        on_pointer_move(focused.clone(), bars.clone(), tracks, span_ms)
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
