//! The root component: reads the URL, starts the lab, and lays out the page.

use crate::browser;
use crate::components::experiment_panel::ExperimentPanel;
use crate::components::isolation_demo::IsolationDemo;
use crate::components::machine_info::MachineInfo;
use crate::components::notices::Notices;
use crate::components::runs_table::RunsTable;
use crate::lab::Lab;
use crate::state::{Action, State};
use model::config::{calibrated_cpu_iters, DEFAULT_IO_MS};
use model::estimate::estimate_ms;
use model::query::to_query;
use model::timeline::Build;
use model::{parse_query, Machine, Tool};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The page.
#[component]
pub fn App() -> Html {
    let parsed = use_memo((), |_| parse_query(&browser::query()));
    let state = use_reducer({
        let parsed = parsed.clone();
        move || State {
            params: parsed.params.clone(),
            embed: parsed.embed,
            notices: parsed.notices.clone(),
            isolated: browser::cross_origin_isolated(),
            cores: browser::cores(),
            ..State::default()
        }
    });
    let lab = use_mut_ref(|| None::<Rc<RefCell<Lab>>>);
    {
        let (lab, dispatcher, parsed) = (lab.clone(), state.dispatcher(), parsed.clone());
        use_effect_with((), move |_| {
            browser::set_html_attribute(
                "data-isolated",
                if browser::cross_origin_isolated() {
                    "true"
                } else {
                    "false"
                },
            );
            let run = parsed.run.then(|| parsed.params.clone());
            *lab.borrow_mut() = Some(Lab::start(dispatcher, run));
        });
    }
    {
        // The URL always reflects the experiment on screen, so it can be shared.
        let embed = state.embed;
        use_effect_with(state.params.clone(), move |params| {
            browser::set_query(&to_query(params, false, embed), false);
        });
    }
    let with_lab = {
        let lab = lab.clone();
        move |f: Box<dyn Fn(&mut Lab)>| {
            if let Some(lab) = lab.borrow().as_ref() {
                if let Ok(mut l) = lab.try_borrow_mut() {
                    f(&mut l);
                }
            }
        }
    };
    let on_run = {
        let (with_lab, params) = (with_lab.clone(), state.params.clone());
        Callback::from(move |()| {
            let params = params.clone();
            with_lab(Box::new(move |l| l.run(params.clone())));
        })
    };
    let on_stop = {
        let with_lab = with_lab.clone();
        Callback::from(move |()| with_lab(Box::new(|l| l.stop())))
    };
    let on_show_isolation = {
        let with_lab = with_lab.clone();
        Callback::from(move |()| with_lab(Box::new(|l| l.show_isolation())))
    };
    let on_change = {
        let dispatcher = state.dispatcher();
        Callback::from(move |p| dispatcher.dispatch(Action::SetParams(p)))
    };
    let on_clear = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::ClearRuns))
    };

    let tool = state.params.tool.unwrap_or(Tool::Sequential);
    let threads_available = state.isolated && state.atomics.is_some();
    // The build a run of this tool uses, whose calibration sets the default cpu_iters.
    let build = match tool {
        Tool::Threads | Tool::Sequential if threads_available => Build::Atomics,
        _ => Build::Plain,
    };
    let info = match build {
        Build::Atomics => state.atomics,
        Build::Plain => state.plain,
    };
    let ns = info.and_then(|i| i.ns_per_iter);
    let io_ms = state.params.io_ms.unwrap_or(DEFAULT_IO_MS);
    let machine = Machine {
        cores: state.cores,
        calibrated_cpu_iters: ns.map_or(model::config::NOTEBOOK_CPU_ITERS, |ns| {
            calibrated_cpu_iters(io_ms, ns)
        }),
    };
    let resolved = state.params.resolve(&machine);
    let estimate = ns.map(|ns| estimate_ms(&resolved, ns, state.cores));

    html! {
        <div class={classes!("page", state.embed.then_some("embed"))}>
            <header class="masthead">
                <h1>{ "Concurrency Playground" }</h1>
                <p class="tagline">
                    { "Waiting is not computing. Run Python's concurrency experiments for real in your browser: io-bound vs cpu-bound work, concurrency vs parallelism." }
                </p>
            </header>
            <main>
                <Notices notices={state.notices.clone()} />
                <section class="lab" aria-labelledby="lab-title">
                    <h2 id="lab-title">{ "Experiment" }</h2>
                    <ExperimentPanel params={state.params.clone()} resolved={resolved}
                        estimate_ms={estimate} ready={state.ready}
                        running={state.running.is_some()} threads_available={threads_available}
                        on_change={on_change} on_run={on_run} on_stop={on_stop} />
                    if tool == Tool::Processes {
                        <IsolationDemo demo={state.isolation} on_show={on_show_isolation} />
                    }
                    <MachineInfo cores={state.cores} isolated={state.isolated}
                        plain={state.plain} atomics={state.atomics} io_ms={io_ms} />
                </section>
                <RunsTable runs={state.runs.clone()} on_clear={on_clear} />
            </main>
        </div>
    }
}
