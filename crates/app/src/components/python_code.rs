//! The Python program that the current experiment models, with a copy button.

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
    let copied = use_state(|| false);
    let onclick = {
        let (code, copied) = (code.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&code);
                copied.set(true);
            }
        })
    };
    html! {
        <div class="python">
            <div class="python-head">
                <h3>{ "The same experiment in Python" }</h3>
                <button type="button" class="secondary small" {onclick} aria-live="polite">
                    { if *copied { "Copied" } else { "Copy" } }
                </button>
            </div>
            <pre data-testid="python-code" tabindex="0"><code>{ code }</code></pre>
        </div>
    }
}
