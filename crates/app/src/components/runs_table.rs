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
    /// Clear pressed.
    pub on_clear: Callback<()>,
}

fn row(run: &RunRow) -> Html {
    let r = &run.report;
    let e = &r.experiment;
    let speedup = run
        .speedup
        .map(|s| format!("{s:.2}×"))
        .unwrap_or_else(|| "—".into());
    let overlap = stats::overlap(&r.spans, r.wall_ms);
    let task_time = stats::task_time_sum(&r.spans);
    let late = stats::max_lateness(&r.spans);
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
            data-checksum={r.checksum.to_string()} data-task-time-ms={format!("{task_time:.3}")}
            data-late-ms={format!("{late:.3}")} data-paid-startup={r.paid_startup.to_string()}
            data-lanes={stats::lanes_used(&r.spans).to_string()} title={title}>
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
            <div class="table-scroll">
                <table data-testid="runs">
                    <caption>{ "Wall is the run's duration; task time adds up every task's own duration. Speedup compares with the last sequential run of the same work (in the same build for cpu work); overlap is task time over wall time." }</caption>
                    <thead><tr>
                        <th scope="col">{ "#" }</th><th scope="col">{ "Tool" }</th>
                        <th scope="col">{ "Work" }</th><th scope="col" class="num">{ "Tasks" }</th>
                        <th scope="col" class="num">{ "Workers" }</th><th scope="col" class="num">{ "Wall, ms" }</th>
                        <th scope="col" class="num">{ "Task time, ms" }</th>
                        <th scope="col" class="num">{ "Speedup" }</th><th scope="col" class="num">{ "Overlap" }</th>
                        <th scope="col">{ "Status" }</th>
                    </tr></thead>
                    <tbody>
                        { for props.runs.iter().rev().map(row) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
