//! Exporting every run, spans included, as JSON or CSV files the visitor downloads.

use crate::lab::run_fields;
use crate::state::RunRow;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`RunExport`].
#[derive(Properties, PartialEq)]
pub struct RunExportProps {
    /// Every run.
    pub runs: Vec<RunRow>,
}

/// Every run as a JSON array, in the same shape as the `run-finished` message.
pub fn runs_json(runs: &[RunRow]) -> String {
    let all: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let mut v = run_fields(&r.report);
            v["id"] = r.id.into();
            v["speedup"] = r.speedup.into();
            v["spans"] = serde_json::to_value(&*r.spans).unwrap_or_default();
            v
        })
        .collect();
    serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".into())
}

/// Every run as CSV, one row per run (without spans).
pub fn runs_csv(runs: &[RunRow]) -> String {
    let mut out = String::from(
        "id,tool,kind,tasks,workers,gil,io_ms,cpu_iters,wall_ms,status,build,speedup,task_time_ms\n",
    );
    for r in runs {
        let e = &r.report.experiment;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{:.3},{},{},{},{:.3}\n",
            r.id,
            e.tool.as_str(),
            e.kind.as_str(),
            e.tasks,
            e.workers,
            e.gil.as_str(),
            e.io_ms,
            e.cpu_iters,
            r.report.wall_ms,
            r.report.status.as_str(),
            r.report.build.as_str(),
            r.speedup.map(|s| format!("{s:.4}")).unwrap_or_default(),
            r.figures.task_time,
        ));
    }
    out
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

/// Two buttons: JSON (with spans) and CSV.
#[component]
pub fn RunExport(props: &RunExportProps) -> Html {
    let json = {
        let runs = props.runs.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "concurrency-playground-runs.json",
                "application/json",
                &runs_json(&runs),
            )
        })
    };
    let csv = {
        let runs = props.runs.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "concurrency-playground-runs.csv",
                "text/csv",
                &runs_csv(&runs),
            )
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
        </>
    }
}
