//! A finished run's timeline with a replay: a playhead the visitor scrubs, steps event by event
//! (←/→, Home/End on the slider; Space plays and pauses) or plays at a chosen speed, and a line
//! saying what every lane does at the playhead. Reduced motion plays step by step instead of
//! sweeping the playhead.

use super::race_result::RaceResult;
use super::timeline::shared_spans::SharedSpans;
use super::timeline::Timeline;
use gloo_timers::callback::{Interval, Timeout};
use model::analysis::gil_lane::{held, holder_at};
use model::analysis::replay::{describe_lanes, describe_step, span_of, steps, Playhead, Step};
use model::lab::view::RunRow;
use model::run::wording::Wording;
use model::wire::insight::{FromInsight, RunInsight, ToInsight};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Playback speeds, as multiples of the run's real time (1× replays it as fast as it ran).
const SPEEDS: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 1.0, 2.0, 4.0];
/// A run lasts a fraction of a second: the default slows it to be followed by eye.
const DEFAULT_SPEED: f64 = 0.05;
/// How often a playing replay moves.
const TICK_MS: u32 = 40;
/// Reduced motion: one step this often.
const STEP_MS: u32 = 700;
/// How long a finished run is on screen before the insight worker is asked to explain it.
const QUIET_MS: u32 = 300;

/// Props of [`RunReplay`].
#[derive(Properties, PartialEq)]
pub struct RunReplayProps {
    /// The run.
    pub run: RunRow,
    /// The timeline's caption.
    pub caption: AttrValue,
}

enum Move {
    Reset(Vec<f64>),
    Seek(usize),
    By(i64),
    Toggle,
    Tick(f64),
    TickOne,
}

#[derive(Clone, PartialEq)]
struct Replay(Playhead);

impl Reducible for Replay {
    type Action = Move;
    fn reduce(self: Rc<Self>, action: Move) -> Rc<Self> {
        let mut p = self.0.clone();
        match action {
            Move::Reset(times) => p = Playhead::new(times),
            Move::Seek(i) => p.seek(i),
            Move::By(n) => p.step(n),
            Move::Toggle => p.toggle(),
            Move::Tick(ms) => p.advance(ms),
            Move::TickOne => p.advance_one(),
        }
        Rc::new(Replay(p))
    }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The timeline of a finished run, with its replay controls under it.
#[component]
pub fn RunReplay(props: &RunReplayProps) -> Html {
    let run = props.run.clone();
    let all: Rc<Vec<Step>> = use_memo(run.clone(), |run| {
        steps(&run.spans, &run.gil_events, run.started_at)
    });
    let replay = {
        let all = all.clone();
        use_reducer_eq(move || Replay(Playhead::new(all.iter().map(|s| s.at).collect())))
    };
    // Who held the GIL when: the GIL lane's own reading of the events.
    let holdings = use_memo(run.clone(), |run| {
        let end = run
            .spans
            .iter()
            .map(|s| s.end)
            .fold(run.started_at, f64::max);
        held(&run.gil_events, run.started_at, end - run.started_at)
    });
    // Why each wait happened, where each lane's time went, the critical path: asked of the
    // insight worker once per run, once the page has shown this run for a moment. Runs back to
    // back (a sweep, a baseline, a visitor's quick clicks) replace this timeline before that and
    // ask nothing, so the worker never computes beside a run being measured.
    let insight = use_state(|| None::<Rc<RunInsight>>);
    {
        let insight = insight.clone();
        use_effect_with(run.clone(), move |run| {
            insight.set(None);
            let run = run.clone();
            let ask = Timeout::new(QUIET_MS, move || {
                let id = run.id;
                crate::insight_link::ask(ToInsight::explain_text(&run), move |a| {
                    if let FromInsight::Explained { insight: x } = a {
                        if x.id == id {
                            insight.set(Some(Rc::new(x)));
                        }
                    }
                });
            });
            move || drop(ask)
        });
    }
    let touched = use_state(|| false);
    // Another run: start over at its end, the playhead hidden until the visitor replays.
    {
        let (replay, all, touched) = (replay.clone(), all.clone(), touched.clone());
        use_effect_with(all, move |all| {
            let times: Vec<f64> = all.iter().map(|s| s.at).collect();
            if replay.0.times != times {
                replay.dispatch(Move::Reset(times));
                touched.set(false);
            }
        });
    }
    let speed = use_state(|| DEFAULT_SPEED);
    {
        let (replay, speed) = (replay.clone(), *speed);
        use_effect_with((replay.0.playing, speed), move |(playing, speed)| {
            let reduce = reduced_motion();
            let speed = *speed;
            let interval = playing.then(|| {
                if reduce {
                    Interval::new(STEP_MS, move || replay.dispatch(Move::TickOne))
                } else {
                    let ms = f64::from(TICK_MS) * speed;
                    Interval::new(TICK_MS, move || replay.dispatch(Move::Tick(ms)))
                }
            });
            move || drop(interval)
        });
    }
    let p = &replay.0;
    // A fresh run's step list differs from the playhead's until the effect above resets it.
    let current = (p.times.len() == all.len())
        .then(|| all.get(p.index))
        .flatten();
    let lanes = model::run::timeline::lanes_of(&run.spans);
    let words = Wording::of(&run.0);
    let status = match current {
        None => "This run has no events to replay.".to_string(),
        Some(step) if *touched => {
            let lanes_now = describe_lanes(&run.spans, run.started_at, p.time, &lanes, &words);
            let gil = if run.gil_events.is_empty() {
                String::new()
            } else {
                match holder_at(&holdings, p.time) {
                    Some(h) => format!(" The GIL: held by {}.", words.lane(h.lane)),
                    None => " The GIL: free.".to_string(),
                }
            };
            let mut now = describe_step(step, &words);
            let why = insight.as_ref().and_then(|x| x.why.get(span_of(&run.spans, step, run.started_at)?));
            if let Some(why) = why.filter(|w| !w.is_empty()) {
                now.push_str(": ");
                now.push_str(why);
            }
            format!(
                "Step {} of {} at {:.2} ms: {now}. Now: {lanes_now}.{gil}",
                p.index + 1,
                all.len(),
                p.time,
            )
        }
        Some(_) => format!(
            "Replay this run: {} steps (every start and end, and every GIL hand-over). Use the slider (←/→ step, Home/End, Space plays).",
            all.len()
        ),
    };
    let on_input = {
        let (replay, touched) = (replay.clone(), touched.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                touched.set(true);
                replay.dispatch(Move::Seek(input.value().parse().unwrap_or(0)));
            }
        })
    };
    let on_key = {
        let (replay, touched) = (replay.clone(), touched.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == " " {
                e.prevent_default();
                touched.set(true);
                replay.dispatch(Move::Toggle);
            }
        })
    };
    let button = |label: &'static str, title: &'static str, action: fn() -> Move| {
        let (replay, touched) = (replay.clone(), touched.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            touched.set(true);
            replay.dispatch(action());
        });
        html! { <button type="button" class="secondary small" title={title} aria-label={title} {onclick}>{ label }</button> }
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                speed.set(select.value().parse().unwrap_or(DEFAULT_SPEED));
            }
        })
    };
    let max = all.len().saturating_sub(1);
    html! {
        <>
            if run.counts.is_some() {
                <RaceResult run={run.0.clone()} />
            }
            <Timeline spans={SharedSpans::Fixed(run.spans.clone())} started_at={run.started_at}
                gil_events={run.gil_events.clone()}
                {words} caption={props.caption.clone()}
                playhead={(*touched).then_some(p.time)} insight={(*insight).clone()} />
            <div class="replay" data-testid="replay" data-index={p.index.to_string()}
                data-at={p.time.to_string()} role="group" aria-label="Replay">
                <div class="replay-controls">
                    { button("|◀", "First step", || Move::Seek(0)) }
                    { button("◀", "Step back", || Move::By(-1)) }
                    { button(if p.playing { "Pause" } else { "Play" }, if p.playing { "Pause" } else { "Play" }, || Move::Toggle) }
                    { button("▶", "Step forward", || Move::By(1)) }
                    <input type="range" class="replay-slider" min="0" max={max.to_string()} step="1"
                        value={p.index.to_string()} aria-label="Replay position: step"
                        aria-valuetext={format!("step {} of {}, {:.2} ms", p.index + 1, all.len(), p.time)}
                        oninput={on_input} onkeydown={on_key} disabled={all.is_empty()} />
                    <label class="replay-speed">{ "Speed " }
                        <select onchange={on_speed} aria-label="Replay speed (times the run's real speed)">
                            { for SPEEDS.iter().map(|s| html! {
                                <option value={s.to_string()} selected={*s == *speed}>{ format!("{s}×") }</option>
                            }) }
                        </select>
                    </label>
                </div>
                <p class="replay-status" data-testid="replay-status" aria-live={if p.playing { "off" } else { "polite" }}>
                    { status }
                </p>
            </div>
        </>
    }
}
