//! The "Model vs real CPython" table: the notebook's three claims, each ratio as the model and
//! as CPython in this browser measured it in the visitor's runs. The insight module computes
//! and writes it (`model::fidelity`), so the first load carries none of it.

use model::insight::{FromInsight, ToInsight};
use model::lab::view::RunRow;
use yew::prelude::*;

/// Props of [`Fidelity`].
#[derive(Properties, PartialEq)]
pub struct FidelityProps {
    /// The page's runs, oldest first.
    pub runs: Vec<RunRow>,
}

/// The table, asked of the insight worker again whenever the runs change.
#[component]
pub fn Fidelity(props: &FidelityProps) -> Html {
    let table = use_state(|| None::<AttrValue>);
    {
        let table = table.clone();
        use_effect_with(props.runs.clone(), move |runs| {
            let request = ToInsight::fidelity_text(runs.iter().map(|r| &*r.0));
            crate::insight_link::ask(request, move |answer| {
                if let FromInsight::Fidelity { table: markup } = answer {
                    table.set(Some(markup.into()));
                }
            });
        });
    }
    match &*table {
        Some(markup) => Html::from_html_unchecked(markup.clone()),
        None => Html::default(),
    }
}
