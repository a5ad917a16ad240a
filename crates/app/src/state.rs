//! What the page shows, as one reducer: the form's experiment, the page's own facts (notices,
//! the runs picked, an opened file), and the lab's snapshot, which only the lab changes (the lab
//! decides; this only holds what it shows).

use model::experiment::config::Params;
use model::experiment::lesson::Lesson;
use model::experiment::notice::{Notice, Reason, Topic};
use model::experiment::params::{Field, Param};
use model::experiment::url::ParsedQuery;
use model::lab::view::{BuildInfo, LabView, RunRow};
use model::lab::Update;
use model::run::id::RunId;
use model::run::record::RunRecord;
use model::run::timeline::Build;
use model::teaching::predict::{asks_for, read_guess, Answer};
use std::rc::Rc;
use yew::prelude::*;

/// The page's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The experiment being edited (what Run runs).
    pub params: Params,
    /// Compact layout for iframes.
    pub embed: bool,
    /// Messages about clamped input or missing features.
    pub notices: Vec<Notice>,
    /// SharedArrayBuffer threads are possible: `crossOriginIsolated` and the constructor exists.
    pub isolated: bool,
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// What the lab shows (its builds, readiness, the run in flight, the runs, the sweep, the
    /// isolation demo): the lab's own snapshot, replaced whole at each of its updates.
    pub lab: Rc<LabView>,
    /// Runs picked in the table (at most two, for comparing side by side).
    pub selected: Vec<RunId>,
    /// Runs asked for so far; each new value is carried out once, with `params` as they are.
    pub run_requests: u32,
    /// How the page presents the experiment: predict first, the compact view.
    pub lesson: Lesson,
    /// The learner's guess or skip for the next run (predict first).
    pub answer: Option<Answer>,
    /// The guess as typed.
    pub guess_text: AttrValue,
    /// The guess the run asked for last carries.
    pub run_guess: Option<f64>,
    /// Times a run waited for a guess; each new value moves focus to the guess.
    pub ask_guess: u32,
    /// Runs opened from a file ("Open a run"): its name, its runs, the one shown. The timeline
    /// shows it until the next run starts.
    pub opened: Option<(String, Vec<RunRow>, usize)>,
    /// The program in CPython's editor when it is not the one generated for the form.
    pub code: Option<String>,
    /// Whether `code` is another program (not the generated one with other constants): only
    /// then does the link carry it.
    pub code_edited: bool,
    /// `code`, compressed for a link by the editor.
    pub code_link: Option<String>,
    /// Compressed code the page's URL brought, for the editor to open.
    pub code_from_url: Option<String>,
}

/// Everything that changes the state.
pub enum Action {
    /// The visitor (or the URL) changed the experiment.
    SetParams(Params),
    /// The visitor committed one form field (name, raw text), applied to the current params.
    Edit(Field, String),
    /// Run: these parameters (a story's, the decision helper's: a new experiment, guessed
    /// anew), or (`None`) the current ones. With predict first, a run that waits for a guess
    /// asks for it instead.
    Run(Option<Params>),
    /// The guess as typed, and whether it was committed (a bad committed guess is explained).
    Guess(String, bool),
    /// The learner skips the guess for the next run.
    Skip,
    /// The "Predict first" toggle.
    SetPredict(bool),
    /// Adds one notice (from the URL or a parent message).
    AddNotice(Notice),
    /// Picks or unpicks a run in the table.
    ToggleSelected(RunId),
    /// What the lab shows now, and the update that changed it (`None` for progress, which is
    /// drawn in batches).
    Lab(Option<Box<Update>>, Rc<LabView>),
    /// A run file was opened: its name and its runs (or why it could not be read).
    Open(String, Result<Vec<RunRecord>, String>),
    /// Shows the opened file's run at this index; `None` closes the file.
    ShowOpened(Option<usize>),
    /// The program in the editor changed: its text (`None`: the generated one), whether it is
    /// another program, and the constants it sets otherwise than the form (applied to the
    /// form with a URL's checks).
    Code {
        /// The text, unless it is the generated program.
        text: Option<String>,
        /// Another program than the generated one.
        edited: bool,
        /// Constants that differ from the form.
        changes: Vec<(Field, String)>,
    },
    /// The editor compressed the program for a link.
    CodeLink(String),
}

/// Where the threads build stands (`html[data-threads]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// No isolation, or the build failed.
    Off,
    /// Loading, starting its pool or being calibrated, after the page got ready.
    Starting,
    /// Calibrated: threads run.
    Ready,
}

impl Threads {
    /// The value of `html[data-threads]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Threads::Off => "off",
            Threads::Starting => "starting",
            Threads::Ready => "ready",
        }
    }
}

impl State {
    /// The page as its URL asks for it, on a page that is `isolated` with `cores` cores.
    pub fn from_url(parsed: &ParsedQuery, isolated: bool, cores: u32) -> Self {
        let mut notices = parsed.notices.clone();
        // A link's code is shown, never run by the link itself.
        if parsed.run && parsed.code.is_some() {
            notices.push(Notice::new(Param::Code, Reason::CodeNotRun));
        }
        State {
            params: parsed.params.clone(),
            embed: parsed.embed,
            lesson: parsed.lesson.clone(),
            notices,
            isolated,
            cores,
            code_from_url: parsed.code.clone(),
            ..State::default()
        }
    }

    /// Where the threads build stands.
    pub fn threads(&self) -> Threads {
        if !self.isolated || self.lab.threads_gone {
            Threads::Off
        } else if self.lab.atomics.and_then(|i| i.ns_per_iter).is_some() {
            Threads::Ready
        } else {
            Threads::Starting
        }
    }

    /// What the page knows of `build`.
    pub fn build_info(&self, build: Build) -> Option<BuildInfo> {
        self.lab.build_info(build)
    }

    fn add_notice(&mut self, notice: Notice) {
        if !self.notices.contains(&notice) {
            self.notices.push(notice);
        }
    }

    /// What the page itself does when the lab shows `update`.
    fn react(&mut self, update: Update) {
        match update {
            Update::Notice(n) => self.add_notice(n),
            // A new run takes the timeline back from an opened file.
            Update::Started(..) => self.opened = None,
            Update::RunsCleared => self.selected.clear(),
            _ => {}
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParams(p) => s.params = p,
            Action::Open(name, Ok(runs)) => {
                let last = runs.len() - 1;
                let rows = runs.into_iter().map(|r| RunRow(Rc::new(r))).collect();
                s.opened = Some((name, rows, last));
            }
            Action::Open(file, Err(why)) => {
                s.add_notice(Notice::new(Topic::Open, Reason::NotRuns { file, why }))
            }
            Action::ShowOpened(Some(i)) => {
                if let Some((_, rows, shown)) = s.opened.as_mut() {
                    *shown = i.min(rows.len().saturating_sub(1));
                }
            }
            Action::ShowOpened(None) => s.opened = None,
            Action::Code {
                text,
                edited,
                changes,
            } => {
                for (field, raw) in changes {
                    if let Some(why) = model::experiment::url::edit(&mut s.params, field, &raw) {
                        s.add_notice(why);
                    }
                }
                s.code_edited = edited && text.is_some();
                if !s.code_edited {
                    s.code_link = None;
                }
                s.code = text;
            }
            Action::CodeLink(link) => {
                let topic = Topic::Param(model::experiment::params::Param::Code);
                // Only the newest verdict on the link's length stays.
                s.notices
                    .retain(|n| !matches!(n.reason, Reason::CodeTooLong { .. }));
                match model::experiment::code_link::check(&link) {
                    Ok(_) if s.code_edited => s.code_link = Some(link),
                    Ok(_) => {}
                    Err(why) => {
                        s.code_link = None;
                        s.add_notice(Notice::new(topic, why));
                    }
                }
            }
            Action::Run(params) => {
                if let Some(p) = params {
                    s.params = p;
                    s.answer = None;
                }
                let asks = s.lesson.predict && asks_for(&s.params);
                if asks && s.answer.is_none() {
                    s.ask_guess += 1;
                } else {
                    s.run_guess = s.answer.and_then(Answer::guess).filter(|_| asks);
                    s.run_requests += 1;
                    // Each run is guessed anew.
                    s.answer = None;
                    s.guess_text = AttrValue::default();
                }
            }
            Action::Guess(raw, committed) => {
                match read_guess(&raw) {
                    Ok(g) => s.answer = Some(Answer::Guess(g)),
                    Err(why) => {
                        s.answer = None;
                        if committed && !raw.trim().is_empty() {
                            s.add_notice(why);
                        }
                    }
                }
                s.guess_text = raw.into();
            }
            Action::Skip => {
                s.answer = Some(Answer::Skipped);
                s.guess_text = AttrValue::default();
            }
            Action::SetPredict(on) => {
                s.lesson.predict = on;
                s.answer = None;
            }
            Action::Edit(field, raw) => {
                // The field shows why a value was not taken; the params keep what was.
                let _ = model::experiment::url::edit(&mut s.params, field, &raw);
            }
            Action::AddNotice(n) => s.add_notice(n),
            Action::ToggleSelected(id) => {
                if let Some(i) = s.selected.iter().position(|&x| x == id) {
                    s.selected.remove(i);
                } else {
                    s.selected.push(id);
                    if s.selected.len() > 2 {
                        s.selected.remove(0);
                    }
                }
            }
            Action::Lab(update, view) => {
                s.lab = view;
                if let Some(update) = update {
                    s.react(*update);
                }
            }
        }
        Rc::new(s)
    }
}
