//! The notebook's story in its order, in our words, each claim with a "Run this" button that
//! loads the experiment that shows it into the panel and runs it. The prose is a static
//! fragment, `www/lessons.html`, fetched when the story renders: the first load carries none of
//! it. The speedup chart and the decision helper are this page's components, rendered into the
//! fragment's `data-slot` elements.

use crate::browser;
use model::experiment::config::Params;
use model::experiment::url::parse_query;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`Narrative`].
#[derive(Properties, PartialEq)]
pub struct NarrativeProps {
    /// Loads and runs an experiment.
    pub on_try: Callback<Params>,
    /// Threads can run on this page.
    pub threads_available: bool,
    /// The speedup chart, shown in "side by side".
    pub chart: Html,
    /// The decision helper, shown last.
    pub decision: Html,
}

const NO_THREADS: &str =
    "Threads need a cross-origin isolated page; open the playground in its own tab.";

/// The fragment's two slots, once it is in the page.
#[derive(Clone, PartialEq)]
struct Slots {
    chart: web_sys::Element,
    decision: web_sys::Element,
}

/// The sections.
#[component]
pub fn Narrative(props: &NarrativeProps) -> Html {
    let article = use_node_ref();
    let slots = use_state(|| None::<Slots>);
    {
        let (article, slots) = (article.clone(), slots.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Some(text) = browser::fetch_text("./lessons.html").await else {
                    return;
                };
                let Some(el) = article.cast::<web_sys::Element>() else {
                    return;
                };
                el.set_inner_html(&text);
                let slot = |name: &str| {
                    el.query_selector(&format!("[data-slot=\"{name}\"]"))
                        .ok()
                        .flatten()
                };
                if let (Some(chart), Some(decision)) = (slot("chart"), slot("decision")) {
                    slots.set(Some(Slots { chart, decision }));
                }
            });
        });
    }
    // The threads experiments' buttons say why they cannot run here.
    use_effect_with(
        (props.threads_available, slots.is_some(), article.clone()),
        |(available, _, article)| {
            let Some(el) = article.cast::<web_sys::Element>() else {
                return;
            };
            let Ok(buttons) = el.query_selector_all("[data-needs=\"threads\"]") else {
                return;
            };
            for i in 0..buttons.length() {
                let Some(button) = buttons
                    .item(i)
                    .and_then(|b| b.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                let _ = if *available {
                    button
                        .remove_attribute("disabled")
                        .and(button.remove_attribute("title"))
                } else {
                    button
                        .set_attribute("disabled", "")
                        .and(button.set_attribute("title", NO_THREADS))
                };
            }
        },
    );
    // One listener for every "Run this" button of the fragment.
    let on_try = props.on_try.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        let query = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest(".run-this[data-query]").ok().flatten())
            .filter(|b| !b.has_attribute("disabled"))
            .and_then(|b| b.get_attribute("data-query"));
        if let Some(query) = query {
            on_try.emit(parse_query(&query).params);
        }
    });
    let portals = slots.as_ref().map(|s| {
        html! {
            <>
                { create_portal(props.chart.clone(), s.chart.clone()) }
                { create_portal(props.decision.clone(), s.decision.clone()) }
            </>
        }
    });
    html! {
        <article ref={article} class="narrative" aria-label="The story" {onclick}>
            { for portals }
        </article>
    }
}
