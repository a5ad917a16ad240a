//! The "Model vs real CPython" table: the notebook's three claims, each ratio as the model and
//! as CPython in this browser measured it in the visitor's runs. The insight module computes
//! and writes it (`model::analysis::fidelity`), so the first load carries none of it.

use model::lab::view::RunRow;
use model::wire::insight::{FromInsight, ToInsight};
use yew::prelude::*;

/// Props of [`Fidelity`].
#[derive(Properties, PartialEq)]
pub struct FidelityProps {
    /// The page's runs, oldest first.
    pub runs: Vec<RunRow>,
    /// A run is in flight: the table waits, so that no worker computes beside a measured run.
    pub running: bool,
}

/// The table, asked of the insight worker again whenever the runs change and the page is idle.
#[component]
pub fn Fidelity(props: &FidelityProps) -> Html {
    let table = use_state(|| None::<AttrValue>);
    {
        let table = table.clone();
        use_effect_with(
            (props.runs.clone(), props.running),
            move |(runs, running)| {
                // Asked once the page has been idle a moment (300 ms): never beside a measured
                // run, and not between runs that follow each other at once.
                let runs = runs.clone();
                let ask = (!*running).then(|| {
                    gloo_timers::callback::Timeout::new(300, move || {
                        let request = ToInsight::fidelity_text(runs.iter().map(|r| &*r.0));
                        crate::insight_link::ask(request, move |answer| {
                            if let FromInsight::Fidelity { table: markup } = answer {
                                table.set(Some(markup.into()));
                            }
                        });
                    })
                });
                move || drop(ask)
            },
        );
    }
    match &*table {
        Some(markup) => Html::from_html_unchecked(markup.clone()),
        None => Html::default(),
    }
}
