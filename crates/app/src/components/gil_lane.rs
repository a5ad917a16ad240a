//! The timeline's GIL lane: who holds the GIL over time (a bar per holding, labelled with the
//! thread when wide enough), how many threads wait (a band whose height is the count), and where
//! it changed hands (a red tick for a forced drop, a grey one for a voluntary release). `x` maps
//! ms from the run's start to the timeline's x.

use model::analysis::gil_lane::Held;
use model::run::wording::Wording;
use model::sim::gil::GilEventKind;
use yew::prelude::*;

/// Height of the lane in SVG units: the holder track and the waiters track.
pub const HEIGHT: f64 = 30.0;
/// Beyond this many holdings, hand-over ticks are left out (the bars and counts still show).
const TICKS_UP_TO: usize = 1500;

/// The lane's SVG group; `lanes` is how many threads could wait (the band's full height);
/// `words` letters the holders.
pub fn gil_lane(
    held: &[Held],
    waiting: &[(f64, f64, u32)],
    lanes: u32,
    words: &Wording,
    x: impl Fn(f64) -> f64,
) -> Html {
    let bars = held.iter().map(|h| {
        html! {
            <rect class={classes!("gil-held", format!("holder-{}", h.lane % 3))}
                x={format!("{:.2}", x(h.start))} y="1" width={format!("{:.2}", (x(h.end) - x(h.start)).max(0.3))} height="13" />
        }
    });
    let max = f64::from(lanes.max(1));
    let bands = waiting.iter().map(|(from, to, n)| {
        let h = 13.0 * f64::from(*n).min(max) / max;
        html! {
            <rect class="gil-waiting" x={format!("{:.2}", x(*from))} y={format!("{:.2}", 29.0 - h)}
                width={format!("{:.2}", x(*to) - x(*from))} height={format!("{h:.2}")} />
        }
    });
    let ticks = (held.len() <= TICKS_UP_TO)
        .then(|| {
            held.iter().map(|h| {
                let class = match h.ended_by {
                    GilEventKind::ForcedDrop => "gil-forced",
                    _ => "gil-voluntary",
                };
                html! {
                    <line class={class} x1={format!("{:.2}", x(h.end))} x2={format!("{:.2}", x(h.end))}
                        y1="0" y2="15" />
                }
            })
        })
        .into_iter()
        .flatten();
    // Holder numbers only where a bar is wide enough to read (about 40 px at this scale).
    let labels = held
        .iter()
        .filter(|h| x(h.end) - x(h.start) > 24.0)
        .map(|h| {
            html! {
                <text class="gil-holder-label" x={format!("{:.2}", (x(h.start) + x(h.end)) / 2.0)} y="11"
                    text-anchor="middle">{ words.holder_label(h.lane) }</text>
            }
        });
    html! {
        <g class="gil-lane" id="gil-lane" data-testid="gil-lane" data-holdings={held.len().to_string()}>
            { for bars }{ for bands }{ for ticks }
            <g class="gil-labels">{ for labels }</g>
        </g>
    }
}
