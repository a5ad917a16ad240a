//! Messages about clamped input and missing features.

use model::experiment::notice::Notice;
use yew::prelude::*;

/// Props of [`Notices`].
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// What to say; the region stays in place (empty) when there is nothing.
    pub notices: Vec<Notice>,
    /// Extra notices with links (threads unavailable).
    #[prop_or_default]
    pub children: Html,
}

/// The `[data-testid="notice"]` region, announced politely to screen readers.
#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    html! {
        <div class="notices" data-testid="notice" role="status" aria-live="polite">
            { for props.notices.iter().map(|n| html! {
                <p class="notice" data-param={n.topic.as_str()}>{ n.text() }</p>
            }) }
            { props.children.clone() }
        </div>
    }
}
