//! A panic must never leave a dead page: show what happened and how to recover.

use wasm_bindgen::JsCast;

/// Installs a hook that logs the panic and puts a visible alert at the top of the page.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        // The page is built without panic locations (-Zlocation-detail=none, for size): the
        // message is what there is to show.
        let message = format!(
            "panicked: {}",
            info.payload_as_str().unwrap_or("(no message)")
        );
        web_sys::console::error_1(&message.clone().into());
        show(&message);
    }));
}

fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(alert) = document.create_element("div") else {
        return;
    };
    alert.set_class_name("fatal-error");
    let _ = alert.set_attribute("role", "alert");
    let _ = alert.set_attribute("data-testid", "fatal-error");
    alert.set_text_content(Some(&format!(
        "Something broke inside the playground and it stopped: {message}. \
         Reloading the page starts it again; your experiment is kept in the URL."
    )));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(alert.unchecked_ref());
    }
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("data-error", "true");
    }
}
