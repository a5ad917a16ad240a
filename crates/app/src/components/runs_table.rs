//! Every finished run, one row each, with the attributes of the page's contract.

use super::run_export::RunExport;
use crate::state::RunRow;
use model::stats;
use yew::prelude::*;

/// Props of [`RunsTable`].
#[derive(Properties, PartialEq)]
pub struct RunsTableProps {
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// Runs picked for comparison (at most two).
    pub selected: Vec<u32>,
    /// Clear pressed.
    pub on_clear: Callback<()>,
    /// A run's "compare" box toggled.
    pub on_select: Callback<u32>,
}

fn row(run: &RunRow, selected: bool, on_select: &Callback<u32>) -> Html {
    let r = &run.report;
    let e = &r.experiment;
    let approx = if run.speedup_normalized { "≈" } else { "" };
    let speedup = run
        .speedup
        .map(|s| format!("{approx}{s:.2}×"))
        .unwrap_or_else(|| "—".into());
    let crate::state::RunFigures {
        task_time,
        overlap,
        late,
        lanes,
    } = run.figures;
    let title = r.message.clone().unwrap_or_default();
    html! {
        <tr data-testid="run" data-run-id={run.id.to_string()}
            data-tool={e.tool.as_str()} data-kind={e.kind.as_str()}
            data-tasks={e.tasks.to_string()} data-workers={e.workers.to_string()}
            data-gil={e.gil.as_str()} data-io-ms={e.io_ms.to_string()}
            data-cpu-iters={e.cpu_iters.to_string()}
            data-wall-ms={format!("{:.3}", r.wall_ms)}
            data-status={r.status.as_str()} data-build={r.build.as_str()}
            data-pool-threads={r.pool_threads.to_string()}
            data-speedup={run.speedup.map(|s| format!("{s:.4}"))}
            data-speedup-basis={run.speedup.map(|_| if run.speedup_normalized { "normalized" } else { "same-build" })}
            data-checksum={r.checksum.to_string()} data-task-time-ms={format!("{task_time:.3}")}
            data-late-ms={format!("{late:.3}")} data-paid-startup={r.paid_startup.to_string()}
            data-lanes={lanes.to_string()} title={title}>
            <td>
                <input type="checkbox" checked={selected} aria-label={format!("Compare run {}", run.id)}
                    onchange={{ let id = run.id; on_select.reform(move |_: Event| id) }} />
            </td>
            <td>{ run.id }</td>
            <td>{ e.tool.as_str() }{ if e.tool == model::Tool::Threads { format!(" (GIL {})", e.gil.as_str()) } else { String::new() } }</td>
            <td>{ e.kind.as_str() }</td>
            <td class="num">{ e.tasks }</td>
            <td class="num">{ e.workers }</td>
            <td class="num">{ format!("{:.0}", r.wall_ms) }</td>
            <td class="num">{ format!("{task_time:.0}") }</td>
            <td class="num">{ speedup }</td>
            <td class="num">{ if overlap > 0.0 { format!("{overlap:.1}") } else { "—".into() } }</td>
            <td class={classes!("status", r.status.as_str())}>{ r.status.as_str() }
                if let Some(m) = &r.message { <span class="why">{ format!(": {m}") }</span> }
            </td>
        </tr>
    }
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
                    <caption>{ "Wall is the run's duration; task time adds up every task's own duration. Speedup compares with the last sequential run of the same work (in the same build for cpu work; ≈ marks a baseline from the other build, scaled by both builds' calibrated cost of the work); overlap is task time over wall time." }</caption>
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
        let e = &r.report.experiment;
        html! {
            <div class="compare-card">
                <h3>{ format!("Run {}: {}", r.id, e.tool.as_str()) }</h3>
                <dl>
                    <dt>{ "work" }</dt><dd>{ format!("{} × {}", e.kind.as_str(), e.tasks) }</dd>
                    <dt>{ "workers" }</dt><dd>{ e.workers }</dd>
                    <dt>{ "GIL" }</dt><dd>{ if e.tool == model::Tool::Threads { e.gil.as_str() } else { "n/a" } }</dd>
                    <dt>{ "wall" }</dt><dd>{ format!("{:.0} ms", r.report.wall_ms) }</dd>
                    <dt>{ "task time" }</dt><dd>{ format!("{:.0} ms", r.figures.task_time) }</dd>
                    <dt>{ "lanes used" }</dt><dd>{ r.figures.lanes }</dd>
                </dl>
            </div>
        }
    };
    let ratio = match props.runs.as_slice() {
        [a, b] => stats::speedup(a.report.wall_ms, b.report.wall_ms).map(|s| {
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
