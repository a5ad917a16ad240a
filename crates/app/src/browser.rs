//! The few browser facts and actions the page needs, each a small function over web-sys.

use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page's query string, `?` included (empty when unavailable).
pub fn query() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces (or pushes) the query string without reloading. Only the history hook
/// (`hooks/use_history.rs`) calls it: it decides when an entry is pushed.
pub fn set_query(query: &str, push: bool) {
    let Some(w) = window() else { return };
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let hash = w.location().hash().unwrap_or_default();
    let url = if query.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{query}{hash}")
    };
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// `crossOriginIsolated`: what the browser says about this page.
pub fn cross_origin_isolated() -> bool {
    window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crossOriginIsolated".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether a `SharedArrayBuffer` constructor exists. Isolation alone does not promise one:
/// WebKitGTK and WPE report `crossOriginIsolated` yet keep SharedArrayBuffer behind a setting.
fn has_shared_array_buffer() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"SharedArrayBuffer".into())
        .map(|v| v.is_function())
        .unwrap_or(false)
}

/// Whether SharedArrayBuffer threads are possible: isolated, with the constructor present.
pub fn threads_possible() -> bool {
    cross_origin_isolated() && has_shared_array_buffer()
}

/// The URLs of this page's own module, its JS glue and its wasm, as Trunk's index.html preloads
/// them (their names carry content hashes): a plain-engine worker loads the very same files.
pub fn own_module() -> Option<(String, String)> {
    let document = window()?.document()?;
    let href = |selector: &str| -> Option<String> {
        let link = document.query_selector(selector).ok()??;
        Some(link.dyn_into::<web_sys::HtmlLinkElement>().ok()?.href())
    };
    Some((
        href(r#"link[rel="modulepreload"][href$=".js"]"#)?,
        href(r#"link[rel="preload"][href$=".wasm"]"#)?,
    ))
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn cores() -> u32 {
    window()
        .map(|w| w.navigator().hardware_concurrency())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map(|n| n.min(1024.0) as u32)
        .unwrap_or(1)
}

/// Milliseconds on the clock shared with every worker.
pub fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map(|p| p.time_origin() + p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Sets an attribute on `<html>`, where tests and embedding pages read the page's state.
pub fn set_html_attribute(name: &str, value: &str) {
    if let Some(html) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute(name, value);
    }
}

/// Whether the page runs inside a frame.
pub fn in_frame() -> bool {
    window()
        .and_then(|w| {
            let parent = w.parent().ok().flatten()?;
            Some(!js_sys::Object::is(&parent, &w))
        })
        .unwrap_or(false)
}

/// Posts a JSON-shaped message to the embedding page, if any.
pub fn post_to_parent(json: &str) {
    if !in_frame() {
        return;
    }
    let Some(parent) = window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    if let Ok(value) = js_sys::JSON::parse(json) {
        let _ = parent.post_message(&value, "*");
    }
}

/// The height of the page's content in CSS pixels (not of the frame's viewport, which may be
/// taller or shorter): what an embedding page sizes its frame to.
pub fn content_height() -> f64 {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .map(|html| html.get_bounding_client_rect().height())
        .unwrap_or(0.0)
}

/// `relative` resolved against the page's address (a link the host can open in a new tab).
pub fn absolute_url(relative: &str) -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .and_then(|base| web_sys::Url::new_with_base(relative, &base).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| relative.to_string())
}

/// Scrolls the element with `id` into view (instantly when the visitor prefers reduced motion)
/// and moves keyboard focus there.
pub fn scroll_to(id: &str) {
    let Some(w) = window() else { return };
    let reduce = w
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if let Some(el) = w.document().and_then(|d| d.get_element_by_id(id)) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_behavior(if reduce {
            web_sys::ScrollBehavior::Instant
        } else {
            web_sys::ScrollBehavior::Smooth
        });
        options.set_block(web_sys::ScrollLogicalPosition::Start);
        el.scroll_into_view_with_scroll_into_view_options(&options);
        if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
            let _ = el.focus();
        }
    }
}

/// A `performance.mark`, so that load milestones can be measured from navigation start.
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Listens for `event` on `window` until the returned listener is dropped (return it from an
/// effect's cleanup); `None` where there is no window.
pub fn listen(
    event: &'static str,
    f: impl FnMut(&web_sys::Event) + 'static,
) -> Option<gloo_events::EventListener> {
    let window = window()?;
    Some(gloo_events::EventListener::new(&window, event, f))
}

/// Loads the module script at `src` once (a `<script type="module">` in the head): how the
/// page fetches what its first load leaves out (the Python editor).
pub fn load_module_once(src: &str) {
    let Some(document) = window().and_then(|w| w.document()) else {
        return;
    };
    let selector = format!("script[src=\"{src}\"]");
    if document.query_selector(&selector).ok().flatten().is_some() {
        return;
    }
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("type", "module");
    let _ = script.set_attribute("src", src);
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

/// A property of a JS object as text (`value` of the editor, say).
pub fn text_property(object: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(object, &name.into())
        .ok()
        .and_then(|v| v.as_string())
}

/// Sets a property of a JS object to a string.
pub fn set_text_property(object: &JsValue, name: &str, value: &str) {
    let _ = js_sys::Reflect::set(object, &name.into(), &value.into());
}

/// The text at `url` (same origin), or `None` when it cannot be fetched.
pub async fn fetch_text(url: &str) -> Option<String> {
    use wasm_bindgen_futures::JsFuture;
    let response = JsFuture::from(window()?.fetch_with_str(url)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}
