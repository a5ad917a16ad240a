//! The "Model vs real CPython" table: the notebook's three claims, each ratio as the model and
//! as CPython in this browser measured it in the visitor's runs (`model::fidelity`).

use model::fidelity::rows;
use model::lab::view::RunRow;
use yew::prelude::*;

/// Props of [`Fidelity`].
#[derive(Properties, PartialEq)]
pub struct FidelityProps {
    /// The page's runs, oldest first.
    pub runs: Vec<RunRow>,
}

fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "run both".into(), |r| format!("{r:.2}×"))
}

/// The table; a ratio not yet measured says which runs it needs (its label names them).
#[component]
pub fn Fidelity(props: &FidelityProps) -> Html {
    html! {
        <table class="runs" data-testid="fidelity">
            <caption>{ "Model vs real CPython, from your runs" }</caption>
            <tr><th>{ "claim" }</th><th>{ "model" }</th><th>{ "CPython" }</th><th>{ "why they differ" }</th></tr>
            { for rows(&props.runs).iter().map(|row| html! {
                <tr data-claim={row.claim.key()}
                    data-model={row.model.map(|r| r.to_string())}
                    data-cpython={row.cpython.map(|r| r.to_string())}>
                    <td>{ row.claim.label() }</td>
                    <td>{ ratio(row.model) }</td>
                    <td>{ ratio(row.cpython) }</td>
                    <td>{ if row.differs() { row.claim.why() } else { "" } }</td>
                </tr>
            }) }
        </table>
    }
}
