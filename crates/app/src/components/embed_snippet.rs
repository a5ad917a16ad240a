//! The snippet a teacher pastes into a course page to embed the current experiment.

use super::copy_button::CopyButton;
use model::experiment::config::Params;
use model::experiment::params::Param;
use model::experiment::url::to_query;
use yew::prelude::*;

/// Props of [`EmbedSnippet`].
#[derive(Properties, PartialEq)]
pub struct EmbedSnippetProps {
    /// The experiment on screen.
    pub params: Params,
    /// The visitor's edited Python, which the element carries inline.
    #[prop_or_default]
    pub code: Option<AttrValue>,
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
    let element = format!(
        "<script type=\"module\" src=\"{}\"></script>\n{}",
        crate::browser::absolute_url("./element.js"),
        model::wire::host::element_tag(
            &to_query(&props.params, false, false),
            false,
            props.code.as_deref()
        )
    );
    let iframe = format!(
        "<iframe src=\"{base}?{}\"\n  title=\"Concurrency Playground\"\n  allow=\"cross-origin-isolated\"\n  width=\"100%\" height=\"760\" loading=\"lazy\"></iframe>",
        to_query(&props.params, false, true)
    );
    let run = Param::Run.spec().attribute.unwrap_or_default();
    html! {
        <details class="embed-snippet">
            <summary>{ "Embed this experiment in a course page" }</summary>
            <p class="hint">
                { "Paste these two lines into the page: the element makes the frame, sizes it to its content and lets threads run where the browser allows. Add " }
                <code>{ run }</code>{ " to run on load. Finished runs reach your page as " }
                <code>{ "run-finished" }</code>{ " events (detail: the run), and " }
                <code>{ "await element.run({tool: \"async\", tasks: 8})" }</code>
                { " runs one and gives you its record." }
            </p>
            <pre data-testid="embed-snippet"><code>{ element.clone() }</code></pre>
            <CopyButton text={element} />
            <p class="hint">
                { "Or a plain iframe (a fixed height; runs are posted to your page as " }
                <code>{ "{source: \"concurrency-playground\", type: \"run-finished\", run}" }</code>
                { "). " }<code>{ "allow=\"cross-origin-isolated\"" }</code>
                { " lets it use real threads when your page is isolated, or in Chromium through Document-Isolation-Policy." }
            </p>
            <pre data-testid="embed-iframe"><code>{ iframe.clone() }</code></pre>
            <CopyButton text={iframe} />
        </details>
    }
}
