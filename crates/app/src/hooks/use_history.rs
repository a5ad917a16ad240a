//! Owns the link between the experiment on screen and the address bar: every change of the
//! parameters is written to the URL (so it can be shared; see `browser::commit_query` for when
//! that opens a history entry), and Back/Forward bring back the experiment of that entry.

use crate::browser;
use crate::state::{Action, State};
use model::query::to_query;
use model::{parse_query, Params};
use yew::prelude::*;

/// Keeps the URL in step with `params`, and `params` in step with history navigation.
#[hook]
pub fn use_history(params: Params, embed: bool, dispatcher: UseReducerDispatcher<State>) {
    use_effect_with(params, move |params| {
        browser::commit_query(&to_query(params, false, embed), false);
    });
    use_effect_with((), move |_| {
        let listener = browser::listen("popstate", move |_| {
            browser::entry_navigated();
            let parsed = parse_query(&browser::query());
            dispatcher.dispatch(Action::SetParams(parsed.params));
        });
        move || drop(listener)
    });
}
