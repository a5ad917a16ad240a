//! Predict first: the guess before a run (a number, or Skip) and, after it, what the guess met.

use model::lab::baseline::why_none;
use model::lab::view::RunRow;
use model::predict::{Answer, Explanation};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Prediction`].
#[derive(Properties, PartialEq)]
pub struct PredictionProps {
    /// What the learner did for the next run, if anything.
    pub answer: Option<Answer>,
    /// The guess as typed (kept as typed: `2.` on the way to `2.5` stays).
    pub text: AttrValue,
    /// Whether the experiment on screen asks for a guess (not sequential, not the race).
    pub asks: bool,
    /// The newest run, when it carried a guess.
    pub run: Option<RunRow>,
    /// The cores the browser reports (an explanation may name them).
    pub cores: u32,
    /// The input's text: on every keystroke (`false`) and when committed (`true`).
    pub on_guess: Callback<(String, bool)>,
    /// Skip pressed.
    pub on_skip: Callback<()>,
}

/// `2.0` as "2", `0.9812` as "0.98".
fn times(x: f64) -> String {
    format!("{}×", (x * 100.0).round() / 100.0)
}

/// The box. It sits inside the experiment's form: Enter in the guess runs, as in any field.
#[component]
pub fn Prediction(props: &PredictionProps) -> Html {
    let on_input = props.on_guess.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        (input.value(), false)
    });
    let on_change = props.on_guess.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        (input.value(), true)
    });
    let on_skip = props.on_skip.reform(|_: MouseEvent| ());
    let status = match props.answer {
        _ if !props.asks => "Sequential and the race have no speedup to guess: Run.",
        Some(Answer::Guess(_)) => "Now Run, and compare.",
        Some(Answer::Skipped) => "Skipped: Run when ready.",
        None => "Guess, or skip, to run.",
    };
    let result = props.run.as_ref().and_then(|run| {
        let p = run.prediction?;
        let said = format!("You guessed {}. ", times(p.guess));
        Some(match (p.measured, p.error) {
            (Some(m), Some(e)) => {
                let why = Explanation::of(&run.experiment, props.cores, &p);
                html! { <>
                    { format!("{said}Measured: {} (run {}). Error: {:.0} %. ", times(m), run.id, e * 100.0) }
                    if let Some(why) = why {
                        <a href={format!("#{}", why.target().id())}>{ why.text() }</a>
                    }
                </> }
            }
            _ => html! { { format!("{said}{}", why_none(run)) } },
        })
    });
    html! {
        <div class="prediction" data-testid="prediction" role="group" aria-labelledby="guess-label">
            <label id="guess-label" for="guess">{ "Your guess: speedup over sequential, ×" }</label>
            <input id="guess" type="text" inputmode="decimal" autocomplete="off" placeholder="e.g. 2"
                disabled={!props.asks} value={props.text.clone()}
                aria-describedby="guess-status" oninput={on_input} onchange={on_change} />
            <button type="button" class="secondary" data-testid="skip-prediction" disabled={!props.asks}
                aria-pressed={(props.answer == Some(Answer::Skipped)).to_string()} onclick={on_skip}>{ "Skip" }</button>
            <small id="guess-status" class="hint">{ status }</small>
            <p class="prediction-result" data-testid="prediction-result" aria-live="polite">{ for result }</p>
        </div>
    }
}
