//! Keeps CPython's program in step with the page: the lab always has the program the editor
//! shows (or `None`, the one generated for each run); an edited program's constants follow the
//! form; and what the visitor types sets the form's values its constants state.

use crate::hooks::use_lab::LabHandle;
use crate::state::{Action, State};
use model::experiment::config::Experiment;
use model::experiment::notice::{Notice, Reason};
use model::experiment::params::Param;
use model::lab::Event;
use model::python::cpython;
use yew::prelude::*;

/// The program for the form, and the editor's callbacks.
pub struct CodeSync {
    /// The program generated for the form (its `N` from CPython's own calibration).
    pub generated: String,
    /// The visitor typed: the text.
    pub on_typed: Callback<String>,
    /// Back to the generated program.
    pub on_reset: Callback<()>,
    /// The editor compressed the program for a link.
    pub on_link: Callback<String>,
    /// A link's program could not be read.
    pub on_link_error: Callback<String>,
}

/// CPython's program for `resolved`, the form's experiment as it would run.
#[hook]
pub fn use_code_sync(
    lab: LabHandle,
    state: UseReducerHandle<State>,
    resolved: Experiment,
) -> CodeSync {
    // The program CPython runs: the editor's, or (None) the one generated for each run.
    use_effect_with(state.code.clone(), move |code| {
        lab.send(Event::SetCode(code.clone()))
    });
    // Generated for the form, unless the visitor edited it; then the form changes only its
    // constants.
    let generated = cpython::program(&resolved);
    {
        let (dispatcher, code, edited) =
            (state.dispatcher(), state.code.clone(), state.code_edited);
        use_effect_with((resolved, code), move |(resolved, code)| {
            if let Some(synced) = code
                .as_deref()
                .and_then(|c| cpython::sync_constants(c, resolved))
            {
                dispatcher.dispatch(Action::Code {
                    text: Some(synced),
                    edited,
                    changes: Vec::new(),
                });
            }
        });
    }
    let on_typed = use_callback(
        (state.dispatcher(), generated.clone(), resolved),
        |text: String, (dispatcher, generated, resolved)| {
            let edited = cpython::code_hash(&text) != cpython::code_hash(generated);
            dispatcher.dispatch(Action::Code {
                changes: cpython::changed_constants(&text, resolved),
                text: (text != *generated).then_some(text),
                edited,
            })
        },
    );
    let on_reset = use_callback(state.dispatcher(), |(), dispatcher| {
        dispatcher.dispatch(Action::Code {
            text: None,
            edited: false,
            changes: Vec::new(),
        })
    });
    let on_link = use_callback(state.dispatcher(), |link: String, dispatcher| {
        dispatcher.dispatch(Action::CodeLink(link))
    });
    let on_link_error = use_callback(state.dispatcher(), |_: String, dispatcher| {
        let notice = Notice::new(Param::Code, Reason::CodeUnreadable);
        dispatcher.dispatch(Action::AddNotice(notice))
    });
    CodeSync {
        generated,
        on_typed,
        on_reset,
        on_link,
        on_link_error,
    }
}
