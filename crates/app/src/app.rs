//! The root component: reads the URL, wires the hooks (the lab, the history, the host's
//! requests, CPython's program) and lays out the page.

use crate::browser;
use crate::components::decision_helper::DecisionHelper;
use crate::components::embed_snippet::EmbedSnippet;
use crate::components::experiment_panel::ExperimentPanel;
use crate::components::fidelity::Fidelity;
use crate::components::isolation_demo::IsolationDemo;
use crate::components::machine_info::MachineInfo;
use crate::components::narrative::Narrative;
use crate::components::notices::Notices;
use crate::components::open_run::OpenedBar;
use crate::components::prediction::prediction;
use crate::components::python_code::PythonCode;
use crate::components::python_lab::PythonLab;
use crate::components::runs_table::RunsTable;
use crate::components::shown_run::shown_run;
use crate::components::speedup_chart::SpeedupChart;
use crate::hooks::use_code_sync::use_code_sync;
use crate::hooks::use_frame_height::use_frame_height;
use crate::hooks::use_history::use_history;
use crate::hooks::use_host_requests::use_host_requests;
use crate::hooks::use_lab::use_lab;
use crate::hooks::use_page_attributes::use_page_attributes;
use crate::state::{Action, State, Threads};
use model::experiment::config::{Engine, Kind, Params, Tool, DEFAULT_IO_MS};
use model::experiment::lesson::Lesson;
use model::experiment::url::{parse_query, to_lesson_query};
use model::lab::view::SweepPoint;
use model::lab::Event;
use model::run::timeline::Build;
use model::sim::estimate::estimate_ms;
use model::teaching::compact::result_line;
use model::teaching::predict::run_allowed;
use model::wire::host::ReadyInfo;
use yew::prelude::*;

/// The page.
#[component]
pub fn App() -> Html {
    let parsed = use_memo((), |_| parse_query(&browser::query()));
    let state = use_reducer({
        let parsed = parsed.clone();
        move || State::from_url(&parsed, browser::threads_possible(), browser::cores())
    });
    let lab = use_lab(
        state.dispatcher(),
        (parsed.run && parsed.code.is_none()).then(|| parsed.params.clone()),
        state.lesson.compact(),
    );
    let history = use_history(
        state.params.clone(),
        state.code_link.clone(),
        state.embed,
        state.lesson.clone(),
        state.dispatcher(),
    );
    let engine = state.params.engine.unwrap_or_default();
    {
        // CPython loads when picked (by the form, the URL or a host), never before.
        let lab = lab.clone();
        use_effect_with(engine, move |engine| lab.send(Event::UseEngine(*engine)));
    }
    let tool = state.params.tool.unwrap_or(Tool::Sequential);
    // The threads build starts once the page is ready; until it is calibrated, runs that need
    // it wait and the panel says so instead of showing the other build's figures.
    let threads = state.threads();
    let threads_available = threads != Threads::Off;
    let threads_starting = threads == Threads::Starting;
    // The build a run of this tool uses, whose calibration sets the default cpu_iters.
    let build = Build::for_tool(engine, tool, threads_available);
    let ns = state.build_info(build).and_then(|i| i.ns_per_iter);
    let calibrating = build != Build::Plain && ns.is_none();
    let resolved = state.params.resolve_calibrated(state.cores, ns);
    let code = use_code_sync(lab.clone(), state.clone(), resolved);
    {
        // Test builds listen for the end-to-end tests' hooks; the release build listens to
        // nothing (`listen` is `None` there, and holds no hook).
        let lab = lab.clone();
        use_effect_with((), move |_| {
            let listener = crate::test_hooks::listen(lab);
            move || drop(listener)
        });
    }
    use_page_attributes(state.lab.ready, threads);

    // A run request goes through the reducer and is carried out after the render that applied
    // it, so a run always uses the parameters as they are then, edits committed in the same
    // event (Enter in a field commits it and submits the form) included.
    {
        let (lab, history, params) = (lab.clone(), history.clone(), state.params.clone());
        let guess = state.run_guess;
        use_effect_with(state.run_requests, move |requests| {
            if *requests > 0 {
                history.ran(&params);
                lab.send(match guess {
                    Some(guess) => Event::RunGuessed { params, guess },
                    None => Event::Run(params),
                });
            }
        });
    }
    // A run that waits for the learner's guess takes them to it.
    use_effect_with(state.ask_guess, |asked| {
        if *asked > 0 {
            browser::scroll_to("guess");
        }
    });
    // Callbacks are made once (use_callback), not at every render: a fresh callback is a changed
    // prop, and every component given one re-rendered at every render of the page (the runs
    // table's hundred rows at each worker message: 26–46 ms tasks in the bench's trace).
    let run_params = use_callback(state.dispatcher(), |params: Params, dispatcher| {
        dispatcher.dispatch(Action::Run(Some(params)))
    });
    use_frame_height();
    let on_run = use_callback(state.dispatcher(), |(), dispatcher| {
        dispatcher.dispatch(Action::Run(None))
    });
    let on_try = use_callback(run_params.clone(), |params: Params, run_params| {
        browser::scroll_to("lab");
        run_params.emit(params);
    });
    let on_stop = use_callback(lab.clone(), |(), lab| lab.send(Event::Stop));
    let on_sweep = use_callback((lab.clone(), state.params.clone()), |(), (lab, params)| {
        lab.send(Event::Sweep(params.clone()))
    });
    let on_show_isolation = use_callback(lab.clone(), |(), lab| {
        let value = (js_sys::Math::random() * 1e9) as u64 + 1;
        lab.send(Event::ShowIsolation { value })
    });
    let on_edit = use_callback(state.dispatcher(), |(name, raw), dispatcher| {
        dispatcher.dispatch(Action::Edit(name, raw))
    });
    let on_clear = use_callback(lab.clone(), |(), lab| lab.send(Event::ClearRuns));
    let on_open = use_callback(state.dispatcher(), |(name, runs), dispatcher| {
        dispatcher.dispatch(Action::Open(name, runs))
    });
    let on_show_opened = use_callback(state.dispatcher(), |i, dispatcher| {
        dispatcher.dispatch(Action::ShowOpened(i))
    });
    let on_select = use_callback(state.dispatcher(), |id, dispatcher| {
        dispatcher.dispatch(Action::ToggleSelected(id))
    });

    let lesson = &state.lesson;
    // The full playground keeps predicting, if this lesson does.
    let full = Lesson {
        predict: lesson.predict,
        ..Lesson::default()
    };
    let full_page = format!(
        "./?{}",
        to_lesson_query(
            &state.params,
            false,
            false,
            &full,
            state.code_link.as_deref()
        )
    );
    // The compact view is the embed layout with less in it.
    let compact = lesson.compact();
    let embed = state.embed || compact;
    // The embedding page hears `ready` once, when the engines are calibrated and the threads
    // build's fate is known (the `threads` it reports is then the truth).
    let settled = state.lab.ready && !threads_starting;
    let ready = settled.then(|| ReadyInfo {
        isolated: state.isolated,
        threads: threads_available,
        build: Build::for_tool(Engine::Model, Tool::Threads, threads_available),
        cores: state.cores,
        popout: browser::absolute_url(&full_page),
    });
    use_host_requests(lab.clone(), state.dispatcher(), history.clone(), ready);
    let io_ms = state.params.io_ms.unwrap_or(DEFAULT_IO_MS);
    // The kernel's calibration says nothing of how fast contended increments are: no estimate
    // for the race.
    let estimate = ns
        .filter(|_| resolved.kind != Kind::Race)
        .map(|ns| estimate_ms(&resolved, ns, state.cores));
    let timeline = shown_run(&state, tool);
    let chart = html! {
        <SpeedupChart points={state.lab.sweep.clone()} cores={state.cores} sweeping={state.lab.sweeping}
            can_sweep={state.lab.ready && !state.lab.is_running() && !threads_starting} on_sweep={on_sweep}
            serial={if state.lab.sweep.is_empty() { resolved.serial } else { state.lab.sweep_serial }} />
    };
    let decision = html! { <DecisionHelper on_try={on_try.clone()} /> };

    // Predict first: Run waits for a guess or a skip (the model decides).
    let waits_for_guess = !run_allowed(lesson.predict, tool, resolved.kind, state.answer);
    let on_predict = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: web_sys::Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::SetPredict(input.checked()))
        })
    };

    html! {
        <div class={classes!("page", embed.then_some("embed"), compact.then_some("compact"))}>
            <a class="skip-link" href="#lab">{ "Skip to the experiment" }</a>
            <header class="masthead">
                <h1>{ "Concurrency Playground" }</h1>
                <p class="tagline">
                    { "Waiting is not computing. Run Python's concurrency experiments for real in your browser, and see concurrency and parallelism on a timeline." }
                </p>
            </header>
            <main>
                <Notices notices={state.notices.clone()}>
                    if !state.isolated {
                        <p class="notice" data-param="threads">
                            if browser::cross_origin_isolated() {
                                { "Threads are off: this page is cross-origin isolated, yet this browser gives it no SharedArrayBuffer (WebKitGTK and WPE keep it behind a setting; Safari, Chrome and Firefox give it to isolated pages). Sequential, async and processes run as normal. " }
                            } else {
                                { "Threads are off: this page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer. Sequential, async and processes run as normal. " }
                            }
                            if browser::in_frame() {
                                <a href={full_page.clone()} target="_blank" rel="noopener">{ "Open this experiment in its own tab" }</a>
                                { " to use threads." }
                            }
                        </p>
                    }
                </Notices>
                <section class="lab" id="lab" aria-labelledby="lab-title" tabindex="-1">
                    <div class="lab-head">
                        <h2 id="lab-title">{ "Experiment" }</h2>
                        if !compact {
                            <label class="predict-toggle">
                                <input type="checkbox" checked={lesson.predict} onchange={on_predict} />
                                { " Predict first" }
                            </label>
                        }
                        if embed {
                            <a class="full-page" href={full_page} target="_blank" rel="noopener">{ "Open the full playground ↗" }</a>
                        }
                    </div>
                    <ExperimentPanel params={state.params.clone()} resolved={resolved}
                        estimate_ms={estimate} ready={state.lab.ready} calibrating={calibrating}
                        running={state.lab.is_running()} threads_available={threads_available}
                        fields={lesson.fields()} waits_for_guess={waits_for_guess}
                        on_edit={on_edit} on_run={on_run} on_stop={on_stop}>
                        if lesson.predict {
                            { prediction(&state, state.dispatcher()) }
                        }
                    </ExperimentPanel>
                    if compact {
                        { timeline }
                        // The lesson's one line in place of the runs table.
                        <p class="result-line" data-testid="result-line">
                            { state.lab.runs.last().map_or_else(|| "No run yet.".into(), |r| result_line(r)) }
                        </p>
                    } else {
                        if engine == Engine::Cpython {
                            <PythonLab python={state.lab.python.clone()}
                                code={AttrValue::from(state.code.clone().unwrap_or(code.generated))}
                                edited={state.code.is_some()}
                                code_link={state.code_from_url.clone().map(AttrValue::from)}
                                on_typed={code.on_typed} on_link={code.on_link}
                                on_link_error={code.on_link_error} on_reset={code.on_reset} />
                        } else if tool == Tool::Processes {
                            <IsolationDemo demo={state.lab.isolation} on_show={on_show_isolation} />
                        }
                        <OpenedBar opened={state.opened.as_ref().map(|(name, rows, shown)| (AttrValue::from(name.clone()), rows.iter().map(|r| r.id).collect::<Vec<_>>(), *shown))}
                            on_open={on_open} on_show={on_show_opened} />
                        { timeline }
                        <MachineInfo cores={state.cores} isolated={state.isolated}
                            plain={state.lab.plain} atomics={state.lab.atomics} io_ms={io_ms}
                            measured={SweepPoint::best_parallel(&state.lab.sweep)} />
                    }
                </section>
                if !embed {
                    <EmbedSnippet params={state.params.clone()}
                        code={state.code.clone().filter(|_| state.code_edited).map(AttrValue::from)} />
                }
                if !compact {
                    <RunsTable runs={state.lab.runs.clone()} selected={state.selected.clone()}
                        on_clear={on_clear} on_select={on_select} />
                }
                // Once CPython has run something, the model is held against it.
                if !compact && state.lab.runs.iter().any(|r| r.build == Build::Cpython) {
                    <Fidelity runs={state.lab.runs.clone()} running={state.lab.is_running()} />
                }
                if !embed {
                    <section class="python-section" aria-label="Python">
                        <PythonCode experiment={resolved} />
                    </section>
                    <Narrative on_try={on_try} threads_available={threads_available}
                        chart={chart} decision={decision} />
                }
            </main>
            if !embed {
                <footer class="footer">
                    <p>{ "Everything runs on your machine: WebAssembly in Web Workers, nothing sent anywhere. Built from the notebook “Concurrency models”." }</p>
                </footer>
            }
        </div>
    }
}
