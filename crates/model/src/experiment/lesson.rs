//! How a course page presents the experiment: predict first (`predict`), and the compact view
//! (`view=compact`) that shows Run, the controls `controls` names, the timeline and one result
//! line (`teaching::compact`) instead of the whole playground.

use crate::experiment::config::View;
use crate::experiment::notice::{Given, Reason};
use crate::experiment::params::Field;

/// The page's presentation settings, as the URL, the element or the page's toggle set them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lesson {
    /// Ask for a guess before each run the learner starts.
    pub predict: bool,
    /// The layout.
    pub view: View,
    /// The controls a compact view shows, in the form's order.
    pub controls: Vec<Field>,
}

impl Lesson {
    /// The form's fields this lesson shows: all of them in the full view, only those named in
    /// the compact one (none by default: Run alone).
    pub fn fields(&self) -> Vec<Field> {
        // The engine first: it decides what runs everything else.
        let others = Field::SHOWN.into_iter().filter(|f| *f != Field::Engine);
        std::iter::once(Field::Engine)
            .chain(others)
            .filter(|f| self.view == View::Full || self.controls.contains(f))
            .collect()
    }

    /// Whether the compact view is on.
    pub fn compact(&self) -> bool {
        self.view == View::Compact
    }
}

/// Reads `controls`: the fields named by their URL keys, comma-separated, in the form's order.
/// Keys that name no control are left out and explained.
pub fn read_controls(value: &str) -> (Vec<Field>, Option<Reason>) {
    let keys = || value.split(',').map(str::trim).filter(|k| !k.is_empty());
    let fields = Field::SHOWN
        .into_iter()
        .filter(|f| keys().any(|k| k == f.key()))
        .collect();
    // The first key that names no control is quoted.
    let why = keys()
        .find(|k| Field::all().all(|f| f.key() != *k))
        .map(|k| Reason::NotControls {
            given: Given::new(k),
        });
    (fields, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_view_shows_every_control_and_the_compact_one_only_those_named() {
        let full = Lesson::default();
        let mut shown = full.fields();
        assert_eq!(shown[0], Field::Engine, "the engine first");
        shown.rotate_left(1);
        assert_eq!(shown, Field::SHOWN.to_vec());
        let compact = Lesson {
            view: View::Compact,
            ..Lesson::default()
        };
        assert!(compact.fields().is_empty(), "none by default");
        let (controls, why) = read_controls("workers, tool");
        assert_eq!(why, None);
        let lesson = Lesson {
            controls,
            ..compact
        };
        assert_eq!(
            lesson.fields(),
            [Field::Tool, Field::Workers],
            "the form's order"
        );
    }

    #[test]
    fn unknown_controls_are_left_out_and_explained() {
        let (fields, why) = read_controls("bogus,workers,,run");
        assert_eq!(fields, [Field::Workers]);
        let notice = crate::experiment::notice::Notice::new(
            crate::experiment::params::Param::Controls,
            why.expect("explained"),
        );
        assert_eq!(
            notice.text(),
            "controls=\"bogus\" names no control (the form's URL keys, such as workers); ignored."
        );
        assert_eq!(read_controls(""), (Vec::new(), None));
        let _ = read_controls(&",%".repeat(10_000));
    }
}
