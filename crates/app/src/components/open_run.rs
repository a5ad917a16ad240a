//! "Open a run": a run file (the JSON export, one run, or a `run-finished` message) shown in
//! the timeline and its replay, so that a teacher can share a run with a class.

use model::run::id::RunId;
use model::run::record::{parse_runs, RunRecord, MAX_RUN_FILE_BYTES};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Props of [`OpenRun`].
#[derive(Properties, PartialEq)]
pub struct OpenRunProps {
    /// The file's name and its runs, or why it could not be read.
    pub on_open: Callback<(String, Result<Vec<RunRecord>, String>)>,
}

async fn read(file: web_sys::File) -> Result<Vec<RunRecord>, String> {
    if file.size() > MAX_RUN_FILE_BYTES {
        return Err(format!(
            "The file is {:.0} MB; a run file is at most {:.0} MB.",
            file.size() / 1e6,
            MAX_RUN_FILE_BYTES / 1e6
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("The file could not be read.")?;
    parse_runs(&text)
}

/// A file input styled as a button.
#[component]
pub fn OpenRun(props: &OpenRunProps) -> Html {
    let onchange = {
        let on_open = props.on_open.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // The same file may be opened again after a change.
            input.set_value("");
            let on_open = on_open.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                on_open.emit((name, read(file).await));
            });
        })
    };
    html! {
        <label class="file-button secondary" title="Open a run exported as JSON (Export JSON), to see and replay it">
            { "Open a run…" }
            <input type="file" accept=".json,application/json" data-testid="open-run" {onchange} />
        </label>
    }
}

/// Props of [`OpenedBar`].
#[derive(Properties, PartialEq)]
pub struct OpenedBarProps {
    /// The opened file: its name, its runs' ids, the one shown.
    pub opened: Option<(AttrValue, Vec<RunId>, usize)>,
    /// A file was opened.
    pub on_open: Callback<(String, Result<Vec<RunRecord>, String>)>,
    /// Show the opened run at this index; `None` closes the file.
    pub on_show: Callback<Option<usize>>,
}

/// Above the timeline: "Open a run…", and for an opened file which of its runs is shown.
#[component]
pub fn OpenedBar(props: &OpenedBarProps) -> Html {
    let Some((name, ids, shown)) = &props.opened else {
        return html! { <div class="opened-bar"><OpenRun on_open={props.on_open.clone()} /></div> };
    };
    let on_choose = props.on_show.reform(|e: Event| {
        e.target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .and_then(|s| s.value().parse().ok())
    });
    let on_close = props.on_show.reform(|_: MouseEvent| None);
    html! {
        <div class="opened-bar" data-testid="opened-run">
            <span>{ format!("Opened {name}") }</span>
            if ids.len() > 1 {
                <label>{ "Run " }
                    <select onchange={on_choose}>
                        { for ids.iter().enumerate().map(|(i, id)| html! {
                            <option value={i.to_string()} selected={i == *shown}>{ format!("{id}") }</option>
                        }) }
                    </select>
                </label>
            }
            <button type="button" class="secondary small" onclick={on_close}>{ "Back to this page's runs" }</button>
            <OpenRun on_open={props.on_open.clone()} />
        </div>
    }
}
