//! Carries out the embedding page's requests as the model decides them
//! (`model::wire::host::request`): a host's program goes to the editor and the lab, a `run`
//! runs or is refused, a `set` shows its experiment, a `ping` is answered. Also tells the host
//! `ready`, once, when the engines are calibrated and the threads build's fate is known.

use crate::browser;
use crate::hooks::use_history::History;
use crate::hooks::use_lab::LabHandle;
use crate::hooks::use_parent_messages::use_parent_messages;
use crate::state::{Action, State};
use model::lab::Event;
use model::wire::host::request::{Decision, HostRequest};
use model::wire::host::{self, ReadyInfo};
use yew::prelude::*;

/// Shows the host's program in the editor (whose constants it then sets, once applied).
fn show_code(dispatcher: &UseReducerDispatcher<State>, code: &str) {
    dispatcher.dispatch(Action::Code {
        text: Some(code.to_string()),
        edited: true,
        changes: Vec::new(),
    });
}

/// Answers the embedding page; `ready` is what the frame tells it once settled (`None` until
/// then), kept current for a `ping`.
#[hook]
pub fn use_host_requests(
    lab: LabHandle,
    dispatcher: UseReducerDispatcher<State>,
    history: History,
    ready: Option<ReadyInfo>,
) {
    let ready_info = use_mut_ref(|| None::<ReadyInfo>);
    let settled = ready.is_some();
    *ready_info.borrow_mut() = ready;
    {
        let ready_info = ready_info.clone();
        use_parent_messages(Callback::from(move |request: HostRequest| match request {
            HostRequest::Run(run) => {
                if let Some(code) = &run.code {
                    show_code(&dispatcher, code);
                    // The lab has the host's program before the run it is for.
                    lab.send(Event::SetCode(Some(code.clone())));
                }
                match run.decide() {
                    Decision::Run {
                        params,
                        request,
                        guess,
                        notices,
                    } => {
                        for n in notices {
                            dispatcher.dispatch(Action::AddNotice(n));
                        }
                        history.ran(&params);
                        dispatcher.dispatch(Action::SetParams(params.clone()));
                        // A host's run never waits for the learner's guess; nobody on the
                        // page asked for it, so it waits for the page's start-up work.
                        lab.send(Event::RunFor {
                            params,
                            request,
                            guess,
                        });
                    }
                    Decision::Refuse { rejection, notice } => {
                        browser::post_to_parent(&rejection.json());
                        dispatcher.dispatch(Action::AddNotice(notice));
                    }
                }
            }
            HostRequest::Set { parsed, code } => {
                if let Some(code) = &code {
                    show_code(&dispatcher, code);
                }
                for n in parsed.notices {
                    dispatcher.dispatch(Action::AddNotice(n));
                }
                // The history hook writes the new parameters into the URL.
                dispatcher.dispatch(Action::SetParams(parsed.params));
            }
            HostRequest::Ping => {
                if let Some(info) = ready_info.borrow().as_ref() {
                    browser::post_to_parent(&host::ready_message(info));
                    browser::post_to_parent(&host::height_message(browser::content_height()));
                }
            }
        }));
    }
    use_effect_with(settled, move |settled| {
        if let Some(info) = ready_info.borrow().as_ref().filter(|_| *settled) {
            browser::post_to_parent(&host::ready_message(info));
        }
    });
}
