//! The notebook's decision in three questions: answers in, a tool, its reason and the experiment
//! that proves it out.

use model::experiment::config::Params;
use model::teaching::decision::{decide, Answers, Libraries, Scale, Work};
use yew::prelude::*;

/// Props of [`DecisionHelper`].
#[derive(Properties, PartialEq)]
pub struct DecisionHelperProps {
    /// Loads and runs an experiment.
    pub on_try: Callback<Params>,
}

/// One answer. Not generic over the answer's type: one copy of its markup serves all three
/// questions (three copies cost the page's module 1.6 KB before optimisation).
fn radio(name: &'static str, label: &'static str, checked: bool, pick: Callback<Event>) -> Html {
    let id = format!("{name}-{label}").replace(' ', "-");
    html! {
        <label class="choice" for={id.clone()}>
            <input type="radio" id={id} name={name} {checked} onchange={pick} />
            { label }
        </label>
    }
}

/// Three fieldsets and the advice.
#[component]
pub fn DecisionHelper(props: &DecisionHelperProps) -> Html {
    let answers = use_state(Answers::default);
    let a = *answers;
    let set_work = {
        let answers = answers.clone();
        Callback::from(move |w| {
            answers.set(Answers {
                work: Some(w),
                ..*answers
            })
        })
    };
    let set_scale = {
        let answers = answers.clone();
        Callback::from(move |s| {
            answers.set(Answers {
                scale: Some(s),
                ..*answers
            })
        })
    };
    let set_libraries = {
        let answers = answers.clone();
        Callback::from(move |l| {
            answers.set(Answers {
                libraries: Some(l),
                ..*answers
            })
        })
    };
    let advice = decide(a);
    let io = a.work == Some(Work::IoBound);
    html! {
        <div class="decision" data-testid="decision">
            <fieldset>
                <legend>{ "1. Is the core busy the whole time?" }</legend>
                { radio("work", "Yes: it computes (cpu-bound)", a.work == Some(Work::CpuBound), set_work.reform(|_| Work::CpuBound)) }
                { radio("work", "No: it mostly waits (io-bound)", a.work == Some(Work::IoBound), set_work.reform(|_| Work::IoBound)) }
            </fieldset>
            <fieldset disabled={!io}>
                <legend>{ "2. How many waits at once?" }</legend>
                { radio("scale", "A handful to a few hundred", a.scale == Some(Scale::Handful), set_scale.reform(|_| Scale::Handful)) }
                { radio("scale", "Many hundreds to thousands", a.scale == Some(Scale::Thousands), set_scale.reform(|_| Scale::Thousands)) }
            </fieldset>
            <fieldset disabled={!io}>
                <legend>{ "3. Are the libraries you call async?" }</legend>
                { radio("libraries", "Yes, or I control the code", a.libraries == Some(Libraries::Async), set_libraries.reform(|_| Libraries::Async)) }
                { radio("libraries", "No: ordinary blocking libraries", a.libraries == Some(Libraries::Blocking), set_libraries.reform(|_| Libraries::Blocking)) }
            </fieldset>
            <div class="advice" aria-live="polite" data-testid="decision-advice"
                data-tool={advice.as_ref().map(|ad| ad.tool.as_str())}>
                if let Some(ad) = advice {
                    <p><strong>{ format!("Use {}.", ad.tool.as_str()) }</strong>{ " " }{ ad.reason }</p>
                    <button type="button" data-testid="decision-try"
                        onclick={props.on_try.reform(move |_: MouseEvent| ad.proof.clone())}>
                        { "Run the experiment that shows it" }
                    </button>
                } else {
                    <p class="hint">{ "Answer the questions to get the notebook's advice. A frequent and correct answer is \"none yet\": if the program is fast enough, concurrency only adds bugs." }</p>
                }
            </div>
        </div>
    }
}
