//! Owns the link between the experiment on screen and the address bar, and the only code that
//! writes the URL: every change of the parameters is written to it (so it can be shared), and
//! Back/Forward bring back the experiment of that entry.
//!
//! The history policy: editing a draft replaces its entry; the first edit after a run opens a
//! new entry, so that Back returns to the experiment that ran. An entry reached by Back or
//! Forward counts as one that ran (it is one to keep).

use crate::browser;
use crate::state::{Action, State};
use model::experiment::config::Params;
use model::experiment::lesson::Lesson;
use model::experiment::url::parse_query;
use model::experiment::url::to_lesson_query;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The history entry shown: whether it holds an experiment that ran (or was navigated to), and
/// its query.
#[derive(Debug)]
struct Entry {
    ran: bool,
    query: String,
}

impl Entry {
    /// The entry the page was loaded with.
    fn loaded() -> Self {
        Entry {
            ran: false,
            query: browser::query().trim_start_matches('?').to_string(),
        }
    }

    /// Writes `query` into the address bar, opening a new entry when this one ran and the query
    /// changes; `ran` marks the entry as one that ran.
    fn commit(&mut self, query: String, ran: bool) {
        let changed = query != self.query;
        browser::set_query(&query, changed && self.ran);
        self.ran = ran || (self.ran && !changed);
        self.query = query;
    }
}

/// What the page tells the history: that an experiment runs.
#[derive(Clone)]
pub struct History {
    entry: Rc<RefCell<Entry>>,
    embed: bool,
    lesson: Lesson,
    /// The edited program, compressed, as the URL carries it.
    code: Rc<RefCell<Option<String>>>,
}

impl PartialEq for History {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.entry, &other.entry)
            && self.embed == other.embed
            && self.lesson == other.lesson
    }
}

impl History {
    /// `params` run: a run is a step in the history (Back returns to the previous experiment),
    /// so their entry is written now and marked as one that ran.
    pub fn ran(&self, params: &Params) {
        let code = self.code.borrow();
        let query = to_lesson_query(params, false, self.embed, &self.lesson, code.as_deref());
        self.entry.borrow_mut().commit(query, true);
    }
}

/// Keeps the URL in step with `params`, `lesson` and the edited program (`code`, compressed),
/// and `params` in step with history navigation.
#[hook]
pub fn use_history(
    params: Params,
    code: Option<String>,
    embed: bool,
    lesson: Lesson,
    dispatcher: UseReducerDispatcher<State>,
) -> History {
    let entry = use_mut_ref(Entry::loaded);
    let shared_code = use_mut_ref(|| None::<String>);
    {
        let (entry, shared_code) = (entry.clone(), shared_code.clone());
        use_effect_with(
            (params, lesson.clone(), code),
            move |(params, lesson, code)| {
                shared_code.replace(code.clone());
                let query = to_lesson_query(params, false, embed, lesson, code.as_deref());
                entry.borrow_mut().commit(query, false);
            },
        );
    }
    {
        let entry = entry.clone();
        use_effect_with((), move |_| {
            let listener = browser::listen("popstate", move |_| {
                *entry.borrow_mut() = Entry {
                    ran: true,
                    ..Entry::loaded()
                };
                let parsed = parse_query(&browser::query());
                dispatcher.dispatch(Action::SetParams(parsed.params));
            });
            move || drop(listener)
        });
    }
    History {
        entry,
        embed,
        lesson,
        code: shared_code,
    }
}
