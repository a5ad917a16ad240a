//! CPython in the page (`engine=cpython`): its load, the editor (`<python-editor>`, loaded with
//! the engine), Reset, and what the last run printed. It shows; the page decides.

use crate::browser;
use model::lab::view::PythonView;
use model::wire::worker::MAX_OUTPUT_CHARS;
use yew::prelude::*;

/// Props of [`PythonLab`].
#[derive(Properties, PartialEq)]
pub struct PythonLabProps {
    /// CPython's load, version and output.
    pub python: PythonView,
    /// The program in the editor: the visitor's, or the one generated for the form.
    pub code: AttrValue,
    /// Whether the visitor edited it.
    pub edited: bool,
    /// Compressed code from the link, for the editor to open.
    pub code_link: Option<AttrValue>,
    /// The visitor changed the text.
    pub on_typed: Callback<String>,
    /// The editor compressed the text for a link.
    pub on_link: Callback<String>,
    /// The link's code could not be read.
    pub on_link_error: Callback<String>,
    /// "Reset to the experiment's code".
    pub on_reset: Callback<()>,
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1}", bytes / 1e6)
}

/// The panel.
#[component]
pub fn PythonLab(props: &PythonLabProps) -> Html {
    let editor = use_node_ref();
    use_effect_with((), |_| browser::load_module_once("./python/editor.js"));
    {
        // The editor's own events: `code-link` and `code-link-error` are custom events.
        let (editor, on_link, on_error) = (
            editor.clone(),
            props.on_link.clone(),
            props.on_link_error.clone(),
        );
        use_effect_with((), move |_| {
            let element = editor.cast::<web_sys::Element>();
            let listeners = element.map(|el| {
                let detail = |e: &web_sys::Event| {
                    use wasm_bindgen::JsCast;
                    e.dyn_ref::<web_sys::CustomEvent>()
                        .and_then(|c| c.detail().as_string())
                        .unwrap_or_default()
                };
                [
                    gloo_events::EventListener::new(&el, "code-link", move |e| {
                        on_link.emit(detail(e))
                    }),
                    gloo_events::EventListener::new(&el, "code-link-error", move |e| {
                        on_error.emit(detail(e))
                    }),
                ]
            });
            move || drop(listeners)
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.code.clone(), move |code| {
            if let Some(el) = editor.get() {
                browser::set_text_property(&el.into(), "value", code);
            }
        });
    }
    let oninput = props.on_typed.reform(|e: InputEvent| {
        let target: wasm_bindgen::JsValue = e.target().map(Into::into).unwrap_or_default();
        browser::text_property(&target, "value").unwrap_or_default()
    });
    let on_reset = props.on_reset.reform(|_: MouseEvent| ());
    let p = &props.python;
    let status = if let Some((loaded, total)) = p.loading {
        html! {
            <p class="python-status" data-testid="python-loading">
                { format!("Loading CPython 3.14 (Pyodide) from this site: {} of {} MB ", megabytes(loaded), megabytes(total)) }
                <progress value={loaded.to_string()} max={total.to_string()} aria-label="CPython loading" />
            </p>
        }
    } else if let Some((version, load_ms)) = &p.ready {
        html! {
            <p class="python-status" data-testid="python-ready">
                { format!("CPython {version} (Pyodide) loaded in {:.2} s. Run runs this text in a worker; N is its own loop's measured speed here.", load_ms / 1000.0) }
            </p>
        }
    } else if let Some(why) = &p.failed {
        html! { <p class="python-status error">{ format!("CPython did not start: {why}") }</p> }
    } else {
        html! { <p class="python-status">{ "Starting CPython…" }</p> }
    };
    html! {
        <section class="python-lab" aria-label="CPython" data-testid="python-lab">
            { status }
            <div class="python-head">
                <label for="python-editor">{ "The experiment's Python (editable)" }</label>
                <a href="./python/playground/harness.py" target="_blank" rel="noopener">{ "playground/harness.py (the harness)" }</a>
                <button type="button" class="secondary small" disabled={!props.edited} onclick={on_reset}>
                    { "Reset to the experiment's code" }
                </button>
            </div>
            <python-editor ref={editor} id="python-editor" data-testid="python-editor"
                code-link={props.code_link.clone()} {oninput} />
            <pre class="python-output" data-testid="python-output" aria-live="polite" aria-label="Python output" tabindex="0">
                { if p.output.is_empty() { "What the program prints, and any traceback, appears here." } else { p.output.as_str() } }
            </pre>
            if p.output_cut {
                <p class="python-why">{ format!("The output was cut at {} KB.", MAX_OUTPUT_CHARS / 1024) }</p>
            }
            <p class="python-note" data-testid="python-threads-note">
                { "Threads run here as CPython's own threading on the page's " }
                <a href="./python/playground/threads.py" target="_blank" rel="noopener">{ "_thread" }</a>
                { ": real CPython bytecode, one thread at a time, handed over as under the GIL (at \
                   once by a blocking call, after sys.getswitchinterval() by a computing thread). C \
                   code that releases the GIL (hashlib, zlib) does not run in parallel here as it \
                   can in CPython." }
            </p>
        </section>
    }
}
