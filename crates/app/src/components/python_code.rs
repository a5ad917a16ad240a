//! The experiment's Python, read-only, with a copy button: the one program CPython runs in the
//! page (`model::python::cpython`), as it runs at home.

use super::copy_button::CopyButton;
use model::experiment::config::{Experiment, Gil, Tool};
use model::python::cpython::program;
use yew::prelude::*;

/// Props of [`PythonCode`].
#[derive(Properties, PartialEq)]
pub struct PythonCodeProps {
    /// The experiment on screen.
    pub experiment: Experiment,
}

/// A code block and a Copy button.
#[component]
pub fn PythonCode(props: &PythonCodeProps) -> Html {
    let e = &props.experiment;
    let code = program(e);
    let free_threaded = e.tool == Tool::Threads && e.gil == Gil::Off;
    html! {
        <div class="python">
            <div class="python-head">
                <h3>{ "The same experiment in Python" }</h3>
                <CopyButton text={code.clone()} />
            </div>
            <p class="python-note">
                { "It runs at home as it is (python3 experiment.py). Pick Engine: real CPython above to edit it and run it here." }
                if free_threaded {
                    { " GIL off: run it with a free-threaded build (python3.14t)." }
                }
            </p>
            <pre data-testid="python-code" tabindex="0"><code>{ code }</code></pre>
        </div>
    }
}
