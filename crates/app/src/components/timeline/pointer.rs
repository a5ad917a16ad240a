//! Which bar is under the pointer when bars are drawn as paths (they have no element to be the
//! event's target): the point in the SVG's units gives the lane, the track and the time.

use super::{LABEL, TRACK, WIDTH};
use model::analysis::layout::{bar_at, Bar};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Sets `focused` to the bar under the pointer. `tracks` is each lane's `(lane, top, tracks)`;
/// `span_ms` the time the drawing spans.
pub(super) fn on_pointer_move(
    focused: UseStateHandle<Option<usize>>,
    bars: Vec<Bar>,
    tracks: Vec<(u32, f64, u32)>,
    span_ms: f64,
) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        // yew delegates events from its root: the SVG is found from the target.
        let Some(svg) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("svg").ok().flatten())
        else {
            return;
        };
        // The drawing is the box inside the SVG's border; its width is WIDTH units, and it
        // scales uniformly.
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
}
