//! Exporting every run, spans included, as JSON or CSV files the visitor downloads, and as a
//! Chrome trace that opens in Perfetto and `chrome://tracing` (written by the insight worker).

use model::lab::view::RunRow;
use model::run::record::{runs_csv, runs_json, RunRecord};
use model::wire::insight::{FromInsight, ToInsight};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`RunExport`].
#[derive(Properties, PartialEq)]
pub struct RunExportProps {
    /// Every run.
    pub runs: Vec<RunRow>,
}

fn records(runs: &[RunRow]) -> Vec<RunRecord> {
    runs.iter().map(|r| (*r.0).clone()).collect()
}

fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Three buttons: JSON (with spans), CSV, and the trace.
#[component]
pub fn RunExport(props: &RunExportProps) -> Html {
    let json = {
        let runs = props.runs.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "concurrency-playground-runs.json",
                "application/json",
                &runs_json(&records(&runs)),
            )
        })
    };
    let csv = {
        let runs = props.runs.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "concurrency-playground-runs.csv",
                "text/csv",
                &runs_csv(&records(&runs)),
            )
        })
    };
    // The insight worker writes the trace (hand-overs as flow arrows need each run explained).
    let trace = {
        let runs = props.runs.clone();
        Callback::from(move |_: MouseEvent| {
            let request = ToInsight::trace_text(&runs_json(&records(&runs)));
            crate::insight_link::ask(request, |answer| {
                if let FromInsight::Trace { text } = answer {
                    download(model::analysis::trace::FILE_NAME, "application/json", &text);
                }
            });
        })
    };
    let empty = props.runs.is_empty();
    html! {
        <>
            <button type="button" class="secondary" data-testid="export-json" onclick={json} disabled={empty}>
                { "Export JSON" }
            </button>
            <button type="button" class="secondary" data-testid="export-csv" onclick={csv} disabled={empty}>
                { "Export CSV" }
            </button>
            <button type="button" class="secondary" data-testid="download-trace" onclick={trace} disabled={empty}
                title="Chrome trace-event JSON: open it in ui.perfetto.dev or chrome://tracing">
                { "Download trace" }
            </button>
        </>
    }
}
