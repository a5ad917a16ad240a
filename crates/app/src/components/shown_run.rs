//! The run the timeline shows: the run in flight, else the run picked last (in the table, or in
//! an opened file), else the newest. A view function of the page's state, like `prediction`:
//! it holds no state of its own.

use super::replay::RunReplay;
use super::timeline::shared_spans::SharedSpans;
use super::timeline::Timeline;
use crate::state::State;
use model::experiment::config::Tool;
use model::lab::view::RunRow;
use model::run::wording::Wording;
use yew::prelude::*;

/// A finished run's timeline caption: "Run 3 from class.json: threads cpu × 4, 812 ms".
fn caption(row: &RunRow, from: &str) -> String {
    let e = &row.experiment;
    format!(
        "Run {}{from}: {} {} × {}, {:.0} ms",
        row.id,
        e.tool.as_str(),
        e.kind.as_str(),
        e.tasks,
        row.wall_ms
    )
}

/// The timeline of the run to show; `tool` is the form's, which names the lanes of a live run
/// and of the empty timeline.
pub fn shown_run(state: &State, tool: Tool) -> Html {
    if let Some(live) = &state.lab.live {
        html! {
            <Timeline spans={SharedSpans::Growing(live.spans.clone(), live.len)} open={SharedSpans::Fixed(live.open.clone())}
                started_at={live.started_at} live=true words={Wording::of_tool(tool)}
                caption={format!("Run {} ({})", live.id, tool.as_str())} />
        }
    } else if let Some((name, rows, shown)) = &state.opened {
        let row = &rows[*shown];
        html! { <RunReplay run={row.clone()} caption={caption(row, &format!(" from {name}"))} /> }
    } else {
        let shown = state
            .selected
            .last()
            .and_then(|id| state.lab.runs.iter().find(|r| r.id == *id))
            .or(state.lab.runs.last());
        match shown {
            Some(row) => html! { <RunReplay run={row.clone()} caption={caption(row, "")} /> },
            None => html! {
                <Timeline spans={SharedSpans::default()} started_at={0.0} words={Wording::of_tool(tool)}
                    caption="No run yet" />
            },
        }
    }
}
