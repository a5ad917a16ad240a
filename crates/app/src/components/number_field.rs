//! A labelled number input showing its limits and, inline, why a value was not taken as typed.

use model::experiment::params::Field;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`NumberField`].
#[derive(Properties, PartialEq)]
pub struct NumberFieldProps {
    /// The field; its URL name is also the input's id and name.
    pub field: Field,
    /// The visible label.
    pub label: &'static str,
    /// The value set, or `None` for the default.
    pub value: Option<u64>,
    /// What the default currently is, shown as the placeholder.
    pub default_hint: AttrValue,
    /// Smallest and largest allowed values.
    pub limits: (u64, u64),
    /// Why the last input was changed, if it was.
    pub error: Option<AttrValue>,
    /// Disabled (the field means nothing for the current tool).
    #[prop_or_default]
    pub disabled: bool,
    /// Called with `(name, raw text)` when the visitor commits a value.
    pub on_change: Callback<(Field, String)>,
}

/// The field.
#[component]
pub fn NumberField(props: &NumberFieldProps) -> Html {
    let onchange = {
        let (field, cb) = (props.field, props.on_change.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit((field, input.value()));
        })
    };
    let hint_id = format!("{}-hint", props.field.key());
    let (min, max) = props.limits;
    html! {
        <div class={classes!("field", props.error.is_some().then_some("has-error"))}>
            <label for={props.field.key()}>{ props.label }</label>
            <input id={props.field.key()} name={props.field.key()} type="text" inputmode="numeric"
                autocomplete="off" spellcheck="false"
                value={props.value.map(|v| v.to_string()).unwrap_or_default()}
                placeholder={props.default_hint.clone()}
                disabled={props.disabled}
                aria-describedby={hint_id.clone()}
                aria-invalid={props.error.is_some().then_some("true")}
                {onchange} />
            <small id={hint_id} class="hint">
                if let Some(error) = &props.error {
                    <span class="field-error" data-testid={format!("error-{}", props.field.key())}>{ error }</span>
                } else {
                    { format!("{min} to {}", super::machine_info::group(max)) }
                }
            </small>
        </div>
    }
}
