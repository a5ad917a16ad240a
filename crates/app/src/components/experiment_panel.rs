//! The experiment panel: tool, kind, sizes, Run and Stop, and the estimate before running.

use super::machine_info::group;
use super::number_field::NumberField;
use super::select_field::SelectField;
use model::config::Lock;
use model::params::Field;
use model::{Experiment, Gil, Kind, Limits, Params, Tool};
use std::collections::HashMap;
use yew::prelude::*;

/// Props of [`ExperimentPanel`].
#[derive(Properties, PartialEq)]
pub struct ExperimentPanelProps {
    /// The parameters as set.
    pub params: Params,
    /// What they resolve to on this machine (defaults filled in).
    pub resolved: Experiment,
    /// Estimated duration, ms, once calibrated.
    pub estimate_ms: Option<f64>,
    /// The build this tool runs in is still starting (the threads build, after the page got
    /// ready): a run waits for it.
    #[prop_or_default]
    pub calibrating: bool,
    /// Engines ready.
    pub ready: bool,
    /// A run is in flight.
    pub running: bool,
    /// Threads can run here.
    pub threads_available: bool,
    /// A field was committed: its name and raw text.
    pub on_edit: Callback<(Field, String)>,
    /// Run pressed.
    pub on_run: Callback<()>,
    /// Stop pressed.
    pub on_stop: Callback<()>,
}

fn describe(ms: f64) -> String {
    if ms < 1000.0 {
        format!("about {ms:.0} ms")
    } else {
        format!("about {:.1} s", ms / 1000.0)
    }
}

/// The panel.
#[component]
pub fn ExperimentPanel(props: &ExperimentPanelProps) -> Html {
    let errors = use_state(HashMap::<Field, String>::new);
    // Every edit goes up as (field, raw text) and is applied to the state's parameters when it
    // lands: a copy of the parameters captured at the last render would undo an edit of another
    // field made before that render (the reload test lost `tasks` that way).
    let on_number = {
        let (params, on_edit, errors) =
            (props.params.clone(), props.on_edit.clone(), errors.clone());
        Callback::from(move |(field, raw): (Field, String)| {
            let mut next = (*errors).clone();
            match model::query::edit(&mut params.clone(), field, &raw) {
                Some(why) => next.insert(field, why.message),
                None => next.remove(&field),
            };
            errors.set(next);
            on_edit.emit((field, raw));
        })
    };
    let error = |field: Field| errors.get(&field).map(|e| AttrValue::from(e.clone()));
    let on_select = props.on_edit.clone();
    let p = &props.params;
    let r = &props.resolved;
    let tool_options: Vec<(&'static str, String)> = Tool::ALL
        .iter()
        .map(|&t| {
            let label = match t {
                Tool::Sequential => "sequential (one after another)",
                Tool::Async => "async/await (one thread, event loop)",
                Tool::Threads => "threads (ThreadPoolExecutor)",
                Tool::Processes => "processes (ProcessPoolExecutor)",
            };
            let unavailable = t.needs_isolation() && !props.threads_available;
            let suffix = if unavailable {
                " — unavailable here"
            } else {
                ""
            };
            (t.as_str(), format!("{label}{suffix}"))
        })
        .collect();
    let kind_options: Vec<(&'static str, String)> = Kind::ALL
        .iter()
        .map(|&k| {
            let label = match k {
                Kind::Io => "io-bound (waiting)",
                Kind::Cpu => "cpu-bound (computing)",
                Kind::Mixed => "mixed (alternating)",
                Kind::Race => "shared counter (race)",
            };
            (k.as_str(), label.to_string())
        })
        .collect();
    let gil_options = vec![
        (Gil::On.as_str(), "on (CPython)".to_string()),
        (Gil::Off.as_str(), "off (free-threaded)".to_string()),
    ];
    let lock_options = vec![
        (Lock::Off.as_str(), "off (counter += 1)".to_string()),
        (Lock::On.as_str(), "on (with lock:)".to_string()),
    ];
    let on_run = props.on_run.reform(|e: SubmitEvent| e.prevent_default());
    let on_stop = props.on_stop.reform(|_: MouseEvent| ());
    html! {
        <form class="experiment-panel" data-testid="experiment-panel" onsubmit={on_run}
            aria-label="Experiment">
            <SelectField field={Field::Tool} label="Tool" options={tool_options} value={r.tool.as_str()}
                on_change={on_select.clone()} />
            <SelectField field={Field::Kind} label="Work" options={kind_options} value={r.kind.as_str()}
                on_change={on_select.clone()} />
            <NumberField field={Field::Tasks} label="Tasks" value={p.tasks.map(u64::from)}
                default_hint={r.tasks.to_string()} limits={Limits::TASKS}
                error={error(Field::Tasks)} on_change={on_number.clone()} />
            <NumberField field={Field::Workers} label="Workers" value={p.workers.map(u64::from)}
                default_hint={r.workers.to_string()} limits={Limits::WORKERS}
                disabled={!r.tool.has_pool()}
                error={error(Field::Workers)} on_change={on_number.clone()} />
            <SelectField field={Field::Gil} label="GIL" options={gil_options} value={r.gil.as_str()}
                disabled={r.tool != Tool::Threads} on_change={on_select.clone()} />
            <SelectField field={Field::Lock} label="Lock" options={lock_options} value={r.lock.as_str()}
                disabled={r.kind != Kind::Race || r.tool != Tool::Threads} on_change={on_select} />
            <NumberField field={Field::IoMs} label="io wait, ms" value={p.io_ms.map(u64::from)}
                default_hint={r.io_ms.to_string()} limits={Limits::IO_MS}
                disabled={r.kind == Kind::Race}
                error={error(Field::IoMs)} on_change={on_number.clone()} />
            <NumberField field={Field::CpuIters}
                label={if r.kind == Kind::Race { "increments per task" } else { "cpu iterations" }}
                value={p.cpu_iters}
                default_hint={match (r.kind, props.calibrating) {
                    (Kind::Race, _) => group(r.cpu_iters),
                    (_, true) => "calibrating…".to_string(),
                    _ => format!("{} (calibrated)", group(r.cpu_iters)),
                }}
                limits={Limits::CPU_ITERS}
                error={error(Field::CpuIters)} on_change={on_number.clone()} />
            <NumberField field={Field::Serial} label="serial part, %" value={p.serial.map(u64::from)}
                default_hint={r.serial.to_string()} limits={Limits::SERIAL}
                disabled={matches!(r.kind, Kind::Io | Kind::Race)}
                error={error(Field::Serial)} on_change={on_number} />
            <div class="actions">
                <button type="submit" class="run" data-testid="run-button"
                    disabled={!props.ready || props.running}>
                    { if props.ready { "Run" } else { "Loading…" } }
                </button>
                <button type="button" class="stop" data-testid="stop-button"
                    disabled={!props.running} onclick={on_stop}>{ "Stop" }</button>
                <span class="estimate" data-testid="estimate">
                    if props.calibrating {
                        { "Starting threads… (a run waits for them)" }
                    } else {
                        { props.estimate_ms.map(|ms| format!("Estimated: {}", describe(ms))).unwrap_or_default() }
                    }
                </span>
            </div>
        </form>
    }
}
