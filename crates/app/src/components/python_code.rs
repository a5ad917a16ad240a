//! The Python program that the current experiment models, with a copy button.

use super::copy_button::CopyButton;
use model::python::snippet;
use model::Experiment;
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
    let code = snippet(&props.experiment);
    html! {
        <div class="python">
            <div class="python-head">
                <h3>{ "The same experiment in Python" }</h3>
                <CopyButton text={code.clone()} />
            </div>
            <pre data-testid="python-code" tabindex="0"><code>{ code.clone() }</code></pre>
        </div>
    }
}
