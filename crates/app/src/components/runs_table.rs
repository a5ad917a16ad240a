//! Every finished run, one row each, with the attributes of the page's contract.

use super::run_export::RunExport;
use model::experiment::config::{Kind, Tool};
use model::lab::baseline;
use model::lab::view::RunRow;
use model::run::id::RunId;
use model::run::stats;
use yew::prelude::*;
use yew::virtual_dom::VTag;

/// Props of [`RunsTable`].
#[derive(Properties, PartialEq)]
pub struct RunsTableProps {
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// Runs picked for comparison (at most two).
    pub selected: Vec<RunId>,
    /// Clear pressed.
    pub on_clear: Callback<()>,
    /// A run's "compare" box toggled.
    pub on_select: Callback<RunId>,
}

fn row(run: &RunRow, selected: bool, on_select: &Callback<RunId>) -> Html {
    let speedup = match run.speedup {
        Some(s) => html! {
            <span title={format!("Run {}'s wall time over this run's", run.baseline_run.map_or(0, |r| r.0))}>
                { format!("{s:.2}×") }
            </span>
        },
        None => html! { <span title={baseline::why_none(run)}>{ "—" }</span> },
    };
    let overlap = run.overlap();
    let e = &run.experiment;
    let tool = match (e.tool, run.baseline_for) {
        (_, Some(r)) => format!("{} (baseline for run {r})", e.tool.as_str()),
        (Tool::Threads, _) => {
            format!("threads (GIL {})", e.gil.as_str())
        }
        (t, _) => t.as_str().to_string(),
    };
    // The GIL's hand-overs, the serial part and the race's count, where they apply.
    let gil = run.gil_switches.map(|g| {
        html! { <span class="sub">{ format!("GIL hand-overs: {} forced, {} voluntary", g.forced, g.voluntary) }</span> }
    });
    let work = match e.kind {
        Kind::Race if e.tool == Tool::Threads => {
            format!("race (lock {})", e.lock.as_str())
        }
        _ if e.serial > 0 => format!("{} ({} % serial)", e.kind.as_str(), e.serial),
        k => k.as_str().to_string(),
    };
    let counted = run.counts.as_ref().map(|c| {
        let text = if e.tool == Tool::Processes {
            format!("parent's counter {}; each process its own", c.final_count)
        } else {
            format!("{} of {} counted", c.final_count, c.expected)
        };
        html! { <span class="sub">{ text }</span> }
    });
    let cells = html! {
        <>
            <td>
                <input type="checkbox" checked={selected} aria-label={format!("Compare run {}", run.id)}
                    onchange={{ let id = run.id; on_select.reform(move |_: Event| id) }} />
            </td>
            <td>{ run.id.to_string() }</td>
            <td>{ tool }{ for gil }</td>
            <td>{ work }{ for counted }</td>
            <td class="num">{ e.tasks }</td>
            <td class="num">{ e.workers }</td>
            <td class="num">{ format!("{:.0}", run.wall_ms) }</td>
            <td class="num">{ format!("{:.0}", run.task_time_ms) }</td>
            <td class="num">{ speedup }</td>
            <td class="num">{ if overlap > 0.0 { format!("{overlap:.1}") } else { "—".into() } }</td>
            <td class={classes!("status", run.status.as_str())}>{ run.status.as_str() }
                if let Some(m) = &run.message { <span class="why">{ format!(": {m}") }</span> }
            </td>
        </>
    };
    // Every data-* attribute comes from the run's one record, as in its exports and message.
    let mut tr = VTag::new("tr");
    tr.add_attribute("data-testid", "run");
    for (_, attribute, value) in run.fields() {
        if !value.is_empty() {
            tr.add_attribute(attribute, value);
        }
    }
    if let Some(m) = &run.message {
        tr.add_attribute("title", m.clone());
    }
    tr.add_child(cells);
    tr.into()
}

/// The table, with a caption explaining its columns.
#[component]
pub fn RunsTable(props: &RunsTableProps) -> Html {
    let on_clear = props.on_clear.reform(|_: MouseEvent| ());
    html! {
        <section class="runs" aria-labelledby="runs-title">
            <div class="runs-head">
                <h2 id="runs-title">{ "Runs" }</h2>
                <div class="runs-actions">
                    <RunExport runs={props.runs.clone()} />
                    <button type="button" class="secondary" onclick={on_clear}
                        disabled={props.runs.is_empty()}>{ "Clear" }</button>
                </div>
            </div>
            <RunsCompare runs={props.runs.iter().filter(|r| props.selected.contains(&r.id)).cloned().collect::<Vec<_>>()} />
            <div class="table-scroll">
                <table data-testid="runs">
                    <caption>{ "Wall is the run's duration; task time adds up every task's own duration. Speedup is the wall time of a real sequential run of the same work (for cpu work: same build and iterations) over this run's; hover it to see which run. Where the page ran that baseline itself, its row says so. Overlap is task time over wall time." }</caption>
                    <thead><tr>
                        <th scope="col"><span class="visually-hidden">{ "Compare" }</span></th>
                        <th scope="col">{ "#" }</th><th scope="col">{ "Tool" }</th>
                        <th scope="col">{ "Work" }</th><th scope="col" class="num">{ "Tasks" }</th>
                        <th scope="col" class="num">{ "Workers" }</th><th scope="col" class="num">{ "Wall, ms" }</th>
                        <th scope="col" class="num">{ "Task time, ms" }</th>
                        <th scope="col" class="num">{ "Speedup" }</th><th scope="col" class="num">{ "Overlap" }</th>
                        <th scope="col">{ "Status" }</th>
                    </tr></thead>
                    <tbody>
                        { for props.runs.iter().rev().map(|r| row(r, props.selected.contains(&r.id), &props.on_select)) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Props of [`RunsCompare`].
#[derive(Properties, PartialEq)]
pub struct RunsCompareProps {
    /// The picked runs (0 to 2).
    pub runs: Vec<RunRow>,
}

/// Two picked runs side by side, with the ratio of their wall times.
#[component]
pub fn RunsCompare(props: &RunsCompareProps) -> Html {
    if props.runs.is_empty() {
        return html! {
            <p class="hint compare-hint">{ "Tick two runs to compare them side by side; the timeline shows the last one ticked." }</p>
        };
    }
    let card = |r: &RunRow| {
        let e = &r.experiment;
        html! {
            <div class="compare-card">
                <h3>{ format!("Run {}: {}", r.id, e.tool.as_str()) }</h3>
                <dl>
                    <dt>{ "engine" }</dt>
                    <dd>{ r.python.as_ref().map_or_else(|| "Rust model".into(), |p| format!("CPython {}", p.version)) }</dd>
                    <dt>{ "work" }</dt><dd>{ format!("{} × {}", e.kind.as_str(), e.tasks) }</dd>
                    <dt>{ "workers" }</dt><dd>{ e.workers }</dd>
                    <dt>{ "GIL" }</dt><dd>{ if e.tool == Tool::Threads { e.gil.as_str() } else { "n/a" } }</dd>
                    <dt>{ "wall" }</dt><dd>{ format!("{:.0} ms", r.wall_ms) }</dd>
                    <dt>{ "task time" }</dt><dd>{ format!("{:.0} ms", r.task_time_ms) }</dd>
                    <dt>{ "lanes used" }</dt><dd>{ r.lanes }</dd>
                </dl>
            </div>
        }
    };
    let ratio = match props.runs.as_slice() {
        [a, b] => stats::speedup(a.wall_ms, b.wall_ms).map(|s| {
            format!(
                "Run {} took {:.2}× the wall time of run {}.",
                b.id,
                1.0 / s,
                a.id
            )
        }),
        _ => None,
    };
    html! {
        <div class="compare" data-testid="compare">
            { for props.runs.iter().map(card) }
            if let Some(text) = ratio { <p class="compare-ratio">{ text }</p> }
        </div>
    }
}
