//! The experiment panel: tool, kind, sizes, Run and Stop, and the estimate before running.

use super::machine_info::group;
use super::number_field::NumberField;
use super::select_field::SelectField;
use model::experiment::config::{Engine, Experiment, Gil, Kind, Lock, Params, Tool};
use model::experiment::params::{Field, Value, Values};
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
    /// The fields shown (the compact view shows only those its lesson names).
    pub fields: Vec<Field>,
    /// Run waits for the learner's guess or skip.
    #[prop_or_default]
    pub waits_for_guess: bool,
    /// Shown above Run and Stop, inside the form (the guess: Enter in it runs).
    #[prop_or_default]
    pub children: Html,
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

/// The options of a field of names, with the words the form shows for each.
fn options(field: Field, threads_available: bool) -> Vec<(&'static str, String)> {
    let named = |pairs: &[(&'static str, &str)]| {
        pairs
            .iter()
            .map(|(value, label)| (*value, label.to_string()))
            .collect()
    };
    match field {
        Field::Tool => Tool::ALL
            .iter()
            .map(|&t| {
                let label = match t {
                    Tool::Sequential => "sequential (one after another)",
                    Tool::Async => "async/await (one thread, event loop)",
                    Tool::Threads => "threads (ThreadPoolExecutor)",
                    Tool::Processes => "processes (ProcessPoolExecutor)",
                };
                let unavailable = t.needs_isolation() && !threads_available;
                let suffix = if unavailable {
                    " — unavailable here"
                } else {
                    ""
                };
                (t.as_str(), format!("{label}{suffix}"))
            })
            .collect(),
        Field::Kind => Kind::ALL
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
            .collect(),
        Field::Gil => named(&[
            (Gil::On.as_str(), "on (CPython)"),
            (Gil::Off.as_str(), "off (free-threaded 3.14t)"),
        ]),
        Field::Engine => named(&[
            (Engine::Model.as_str(), "Rust model"),
            (Engine::Cpython.as_str(), "real CPython 3.14 (Pyodide)"),
        ]),
        Field::Lock => named(&[
            (Lock::Off.as_str(), "off (counter += 1)"),
            (Lock::On.as_str(), "on (with lock:)"),
        ]),
        Field::Tasks | Field::Workers | Field::IoMs | Field::CpuIters | Field::Serial => Vec::new(),
    }
}

/// A number field's label: the race counts increments where the other kinds iterate.
fn label(field: Field, kind: Kind) -> &'static str {
    match (field, kind) {
        (Field::CpuIters, Kind::Race) => "increments per task",
        _ => field.label(),
    }
}

/// What an empty number field stands for: the value the experiment resolves to.
fn default_hint(field: Field, resolved: &Experiment, calibrating: bool) -> String {
    match (field, resolved.kind, calibrating) {
        (Field::CpuIters, Kind::Race, _) => group(resolved.cpu_iters),
        (Field::CpuIters, _, true) => "calibrating…".to_string(),
        (Field::CpuIters, _, false) => format!("{} (calibrated)", group(resolved.cpu_iters)),
        _ => resolved.value(field).to_string(),
    }
}

/// The panel.
#[component]
pub fn ExperimentPanel(props: &ExperimentPanelProps) -> Html {
    // Why each field's last value was not taken: at most one entry per field, so a list (a
    // hash map's code cost the page's module more than it saves).
    let errors = use_state(Vec::<(Field, String)>::new);
    // Every edit goes up as (field, raw text) and is applied to the state's parameters when it
    // lands: a copy of the parameters captured at the last render would undo an edit of another
    // field made before that render (the reload test lost `tasks` that way).
    let on_number = {
        let (params, on_edit, errors) =
            (props.params.clone(), props.on_edit.clone(), errors.clone());
        Callback::from(move |(field, raw): (Field, String)| {
            let mut next = (*errors).clone();
            next.retain(|(f, _)| *f != field);
            if let Some(why) = model::experiment::url::edit(&mut params.clone(), field, &raw) {
                next.push((field, why.text()));
            }
            errors.set(next);
            on_edit.emit((field, raw));
        })
    };
    let error = |field: Field| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| AttrValue::from(e.clone()))
    };
    let on_select = props.on_edit.clone();
    let p = &props.params;
    let r = &props.resolved;
    let on_run = props.on_run.reform(|e: SubmitEvent| e.prevent_default());
    let on_stop = props.on_stop.reform(|_: MouseEvent| ());
    // Every field of the table, as its values make it: a select of names or a number.
    let field = |field: Field| {
        let disabled = !field.used_by(r.tool, r.kind);
        match field.spec().values {
            Values::Names(_) => html! {
                <SelectField key={field.key()} field={field} label={field.label()}
                    options={options(field, props.threads_available)}
                    value={r.value(field).name().unwrap_or_default()}
                    disabled={disabled} on_change={on_select.clone()} />
            },
            Values::Number(limits) => html! {
                <NumberField key={field.key()} field={field} label={label(field, r.kind)}
                    value={p.value(field).and_then(Value::number)}
                    default_hint={default_hint(field, r, props.calibrating)} limits={limits}
                    disabled={disabled} error={error(field)} on_change={on_number.clone()} />
            },
            Values::Flag | Values::OptOut | Values::Text(_) | Values::Keys => Html::default(),
        }
    };
    html! {
        <form class="experiment-panel" data-testid="experiment-panel" onsubmit={on_run}
            aria-label="Experiment">
            { for props.fields.iter().copied().map(field) }
            { props.children.clone() }
            <div class="actions">
                <button type="submit" class="run" data-testid="run-button"
                    disabled={!props.ready || props.running || props.waits_for_guess}>
                    { if props.ready { "Run" } else { "Loading…" } }
                </button>
                <button type="button" class="stop" data-testid="stop-button"
                    disabled={!props.running} onclick={on_stop}>{ "Stop" }</button>
                <span class="estimate" data-testid="estimate">
                    if props.calibrating && r.engine == Engine::Cpython {
                        { "Loading CPython… (a run waits for it)" }
                    } else if props.calibrating {
                        { "Starting threads… (a run waits for them)" }
                    } else {
                        { props.estimate_ms.map(|ms| format!("Estimated: {}", describe(ms))).unwrap_or_default() }
                    }
                </span>
            </div>
        </form>
    }
}
