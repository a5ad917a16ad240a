//! Predict first: the guess before a run (a number, or Skip) and, after it, what the guess met.
//! A view function of the page's state rather than a component of its own: it holds no state,
//! and a component's machinery cost the first load about 1 KB (gzip) for nothing.

use crate::state::{Action, State};
use model::lab::baseline::why_none;
use model::lab::view::RunRow;
use model::teaching::predict::{asks_for, Answer, Explanation};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// `2.0` as "2×", `0.9812` as "0.98×".
fn times(x: f64) -> String {
    format!("{}×", (x * 100.0).round() / 100.0)
}

/// What the newest run's guess met: the guess, the measurement and the error, and what the gap
/// means, linking to the part of the page that shows it.
fn result(run: &RunRow, cores: u32) -> Option<Html> {
    let p = run.prediction?;
    let said = format!("You guessed {}. ", times(p.guess));
    Some(match (p.measured, p.error) {
        (Some(m), Some(e)) => {
            let why = Explanation::of(&run.experiment, cores, &p);
            html! { <>
                { format!("{said}Measured: {} (run {}). Error: {:.0} %. ", times(m), run.id, e * 100.0) }
                if let Some(why) = why {
                    <a href={format!("#{}", why.target().id())}>{ why.text() }</a>
                }
            </> }
        }
        _ => html! { { format!("{said}{}", why_none(run)) } },
    })
}

/// The guess as typed (`committed`: on Enter or leaving the field).
fn on_guess<E: AsRef<web_sys::Event> + 'static>(
    dispatcher: UseReducerDispatcher<State>,
    committed: bool,
) -> Callback<E> {
    Callback::from(move |e: E| {
        let input: HtmlInputElement = e.target_unchecked_into();
        dispatcher.dispatch(Action::Guess(input.value(), committed))
    })
}

/// The box, inside the experiment's form: Enter in the guess runs, as in any field. Bad guesses
/// are explained in the notice area when committed.
pub fn prediction(state: &State, dispatcher: UseReducerDispatcher<State>) -> Html {
    let asks = asks_for(&state.params);
    let on_skip = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Skip))
    };
    html! {
        <div class="prediction" data-testid="prediction" role="group" aria-labelledby="guess-label">
            // Sequential and the race have no speedup to guess: they run at once.
            if asks {
                <label id="guess-label" for="guess">{ "Guess the speedup over sequential, × (or skip), then Run" }</label>
                <input id="guess" type="text" inputmode="decimal" autocomplete="off"
                    value={state.guess_text.clone()}
                    oninput={on_guess(dispatcher.clone(), false)} onchange={on_guess(dispatcher, true)} />
                <button type="button" class="secondary" data-testid="skip-prediction"
                    aria-pressed={(state.answer == Some(Answer::Skipped)).to_string()} onclick={on_skip}>{ "Skip" }</button>
            }
            <p class="prediction-result" data-testid="prediction-result" aria-live="polite">
                { for state.lab.runs.last().and_then(|r| result(r, state.cores)) }
            </p>
        </div>
    }
}
