//! Owns the page's attributes that tests, the bench and scripts read: `html[data-isolated]`,
//! `html[data-ready]` and `html[data-threads]`, with the performance marks of the moments the
//! page and the threads build became ready.

use crate::browser;
use crate::state::Threads;
use yew::prelude::*;

/// Sets the attributes for the page's readiness and where the threads build stands.
#[hook]
pub fn use_page_attributes(ready: bool, threads: Threads) {
    use_effect_with((), |_| {
        let isolated = browser::threads_possible();
        browser::set_html_attribute("data-isolated", if isolated { "true" } else { "false" });
    });
    // `data-ready` is set once the page shows the ready state (calibrations included), so that
    // whoever waits for it reads a page that is up to date.
    use_effect_with(ready, |ready| {
        if *ready {
            browser::set_html_attribute("data-ready", "true");
            browser::mark("playground-ready");
        }
    });
    use_effect_with(threads, |threads| {
        browser::set_html_attribute("data-threads", threads.as_str());
        if *threads == Threads::Ready {
            browser::mark("playground-threads-ready");
        }
    });
}
