//! The timeline: one lane per worker, each task a group of spans coloured by state, on a time
//! axis in ms; details of the span under the pointer or keyboard focus; a table view as its text
//! alternative. "One cook, four pans" is one lane with four waits stacked; "four cooks" is four
//! lanes computing at once.

use model::layout::{layout, ticks, Layout};
use model::timeline::{Span, SpanState, NO_TASK};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// Finished spans.
    pub spans: Rc<Vec<Span>>,
    /// Spans still open (live runs).
    #[prop_or_default]
    pub open: Rc<Vec<Span>>,
    /// Shared-clock start of the run.
    pub started_at: f64,
    /// What a lane is for this tool: "thread", "process", "event loop".
    pub lane_noun: AttrValue,
    /// A caption: which run this is.
    pub caption: AttrValue,
    /// The run is still going.
    #[prop_or_default]
    pub live: bool,
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
/// Rows in the table view.
const TABLE_ROWS: usize = 300;

fn describe(s: &Span, t0: f64, lane_noun: &str) -> String {
    let task = if s.task == NO_TASK {
        "the worker itself".to_string()
    } else {
        format!("task {}", s.task)
    };
    format!(
        "{task} on {lane_noun} {}: {} from {:.1} to {:.1} ms ({:.1} ms)",
        s.lane,
        s.state.label(),
        s.start - t0,
        s.end - t0,
        s.end - s.start
    )
}

/// The SVG timeline with its legend, details line and table view.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let focused = use_state(|| None::<usize>);
    let show_table = use_state(|| false);
    let all: Vec<Span> = props
        .spans
        .iter()
        .chain(props.open.iter())
        .copied()
        .collect();
    let t0 = props.started_at;
    let Layout {
        lanes,
        bars,
        duration,
    } = layout(&all, t0, MAX_TRACKS);
    let span_ms = duration.max(1.0);
    let x = |ms: f64| LABEL + (ms.max(0.0) / span_ms) * (WIDTH - LABEL - 10.0);
    // Lane tops.
    let mut top = 0.0;
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
    // Bars by lane, then by task, in one pass (thousands of tasks must stay cheap to draw).
    let mut by_lane: BTreeMap<u32, BTreeMap<u32, Vec<usize>>> = BTreeMap::new();
    for (i, b) in bars.iter().enumerate() {
        by_lane
            .entry(b.lane)
            .or_default()
            .entry(b.task)
            .or_default()
            .push(i);
    }
    let lane_groups = lanes.iter().map(|l| {
        let label_y = y_of(l.lane, 0) + f64::from(l.tracks) * TRACK / 2.0 + 4.0;
        let tasks = by_lane.remove(&l.lane).unwrap_or_default();
        let groups = tasks.into_iter().map(|(task, indices)| {
            let rects = indices
                .into_iter()
                .map(|i| (i, &bars[i]))
                .map(|(i, b)| {
                    let (bx, bw) = (x(b.start), (x(b.end) - x(b.start)).max(1.0));
                    let span = all[i];
                    let text = describe(&span, t0, &props.lane_noun);
                    let focus = {
                        let focused = focused.clone();
                        Callback::from(move |_: FocusEvent| focused.set(Some(i)))
                    };
                    let hover = {
                        let focused = focused.clone();
                        Callback::from(move |_: MouseEvent| focused.set(Some(i)))
                    };
                    html! {
                        <rect class={classes!("span", b.state.as_str(), (*focused == Some(i)).then_some("focused"))}
                            x={format!("{bx:.1}")} y={format!("{:.1}", y_of(b.lane, b.track) + 1.0)}
                            width={format!("{bw:.1}")} height={format!("{:.1}", TRACK - 2.0)}
                            data-state={b.state.as_str()}
                            tabindex={focusable.then_some("0")} aria-label={text.clone()}
                            onfocus={focus} onmouseenter={hover}>
                            <title>{ text }</title>
                        </rect>
                    }
                });
            let task_attr = if task == NO_TASK { "startup".to_string() } else { task.to_string() };
            html! { <g class="task" data-testid="timeline-task" data-task={task_attr}>{ for rects }</g> }
        });
        html! {
            <g class="lane" data-testid="timeline-lane" data-lane={l.lane.to_string()}>
                <text class="lane-label" x="4" y={format!("{label_y:.1}")}>
                    { format!("{} {}", props.lane_noun, l.lane) }
                </text>
                { for groups }
            </g>
        }
    });
    let axis = ticks(span_ms, 6).into_iter().map(|t| {
        html! {
            <g class="tick">
                <line x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1="0" y2={format!("{:.1}", top)} />
                <text x={format!("{:.1}", x(t))} y={format!("{:.1}", top + 16.0)} text-anchor="middle">
                    { format!("{t:.0}") }
                </text>
            </g>
        }
    });
    let details = focused
        .and_then(|i| all.get(i))
        .map(|s| describe(s, t0, &props.lane_noun))
        .unwrap_or_else(|| {
            if all.is_empty() {
                "Run an experiment to see what each worker did.".into()
            } else {
                "Point at (or tab to) a span for its details.".into()
            }
        });
    let toggle = {
        let show_table = show_table.clone();
        Callback::from(move |_: MouseEvent| show_table.set(!*show_table))
    };
    let legend = SpanState::ALL.iter().map(|s| {
        html! { <li><span class={classes!("swatch", s.as_str())} aria-hidden="true"></span>{ s.label() }</li> }
    });
    html! {
        <figure class="timeline" aria-labelledby="timeline-caption">
            <figcaption id="timeline-caption">
                { &props.caption }{ if props.live { " — running…" } else { "" } }
            </figcaption>
            <svg data-testid="timeline" role="img" viewBox={format!("0 0 {WIDTH} {height:.0}")}
                aria-label={format!("Timeline: {} lanes, {} spans, {:.0} ms", lanes.len(), all.len(), duration)}
                preserveAspectRatio="xMinYMin meet">
                <g class="axis">{ for axis }</g>
                { for lane_groups }
                <text class="axis-unit" x="4" y={format!("{:.1}", top + 16.0)}>{ "time, ms" }</text>
            </svg>
            <p class="span-details" data-testid="span-details" aria-live="polite">{ details }</p>
            <ul class="legend">{ for legend }</ul>
            <button type="button" class="secondary small" aria-expanded={(*show_table).to_string()} onclick={toggle}>
                { if *show_table { "Hide the table view" } else { "Show as a table" } }
            </button>
            if *show_table {
                <div class="table-scroll">
                    <table class="span-table" data-testid="timeline-table">
                        <thead><tr>
                            <th scope="col">{ "Task" }</th><th scope="col">{ props.lane_noun.to_string() }</th>
                            <th scope="col">{ "State" }</th><th scope="col" class="num">{ "From, ms" }</th>
                            <th scope="col" class="num">{ "To, ms" }</th>
                        </tr></thead>
                        <tbody>
                            { for all.iter().take(TABLE_ROWS).map(|s| html! {
                                <tr>
                                    <td>{ if s.task == NO_TASK { "—".to_string() } else { s.task.to_string() } }</td>
                                    <td>{ s.lane }</td><td>{ s.state.label() }</td>
                                    <td class="num">{ format!("{:.1}", s.start - t0) }</td>
                                    <td class="num">{ format!("{:.1}", s.end - t0) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    if all.len() > TABLE_ROWS {
                        <p class="hint">{ format!("First {TABLE_ROWS} of {} spans; export JSON for all.", all.len()) }</p>
                    }
                </div>
            }
        </figure>
    }
}
