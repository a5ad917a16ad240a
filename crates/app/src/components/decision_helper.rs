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

fn radio<T: Copy + PartialEq + 'static>(
    name: &'static str,
    value: T,
    label: &'static str,
    current: Option<T>,
    set: Callback<T>,
) -> Html {
    let id = format!("{name}-{label}").replace(' ', "-");
    html! {
        <label class="choice" for={id.clone()}>
            <input type="radio" id={id} name={name} checked={current == Some(value)}
                onchange={set.reform(move |_: Event| value)} />
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
                { radio("work", Work::CpuBound, "Yes: it computes (cpu-bound)", a.work, set_work.clone()) }
                { radio("work", Work::IoBound, "No: it mostly waits (io-bound)", a.work, set_work) }
            </fieldset>
            <fieldset disabled={!io}>
                <legend>{ "2. How many waits at once?" }</legend>
                { radio("scale", Scale::Handful, "A handful to a few hundred", a.scale, set_scale.clone()) }
                { radio("scale", Scale::Thousands, "Many hundreds to thousands", a.scale, set_scale) }
            </fieldset>
            <fieldset disabled={!io}>
                <legend>{ "3. Are the libraries you call async?" }</legend>
                { radio("libraries", Libraries::Async, "Yes, or I control the code", a.libraries, set_libraries.clone()) }
                { radio("libraries", Libraries::Blocking, "No: ordinary blocking libraries", a.libraries, set_libraries) }
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
