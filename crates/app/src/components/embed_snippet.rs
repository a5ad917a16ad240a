//! The snippet a teacher pastes into a course page to embed the current experiment.

use super::copy_button::CopyButton;
use yew::prelude::*;

/// Props of [`EmbedSnippet`].
#[derive(Properties, PartialEq)]
pub struct EmbedSnippetProps {
    /// The experiment's query string (without `?`).
    pub query: AttrValue,
}

/// A disclosure with the iframe code and a Copy button.
#[component]
pub fn EmbedSnippet(props: &EmbedSnippetProps) -> Html {
    let base = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default();
    let sep = if props.query.is_empty() { "" } else { "&" };
    let code = format!(
        "<iframe src=\"{base}?{}{sep}embed=1\"\n  title=\"Concurrency Playground\"\n  allow=\"cross-origin-isolated\"\n  width=\"100%\" height=\"760\" loading=\"lazy\"></iframe>",
        props.query
    );
    html! {
        <details class="embed-snippet">
            <summary>{ "Embed this experiment in a course page" }</summary>
            <p class="hint">
                { "Paste this into the page. " }<code>{ "allow=\"cross-origin-isolated\"" }</code>
                { " lets the playground use real threads when your page is isolated (or in Chromium through Document-Isolation-Policy); without it threads are off and everything else runs. Finished runs are posted to your page as " }
                <code>{ "{source: \"concurrency-playground\", type: \"run-finished\", run}" }</code>{ "." }
            </p>
            <pre data-testid="embed-snippet"><code>{ code.clone() }</code></pre>
            <CopyButton text={code.clone()} />
        </details>
    }
}
