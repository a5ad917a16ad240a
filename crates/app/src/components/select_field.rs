//! A labelled `<select>` whose shown value always follows the state, also after the visitor
//! changed it by hand and the URL changed it back (an option's `selected` attribute alone no
//! longer governs a select the visitor has touched).

use model::experiment::params::Field;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`SelectField`].
#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    /// The field; its URL name is also the select's id and name.
    pub field: Field,
    /// The visible label.
    pub label: &'static str,
    /// `(value, label)` of every option.
    pub options: Vec<(&'static str, String)>,
    /// The value to show.
    pub value: &'static str,
    /// Disabled (the field means nothing for the current tool).
    #[prop_or_default]
    pub disabled: bool,
    /// Called with `(name, value)` when the visitor picks an option.
    pub on_change: Callback<(Field, String)>,
}

/// The field.
#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.value, move |value| {
            if let Some(select) = node.cast::<HtmlSelectElement>() {
                if select.value() != *value {
                    select.set_value(value);
                }
            }
        });
    }
    let onchange = {
        let (field, cb) = (props.field, props.on_change.clone());
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            cb.emit((field, select.value()));
        })
    };
    html! {
        <div class="field">
            <label for={props.field.key()}>{ props.label }</label>
            <select ref={node} id={props.field.key()} name={props.field.key()} disabled={props.disabled} {onchange}>
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={*value} selected={*value == props.value}>{ label.clone() }</option>
                }) }
            </select>
        </div>
    }
}
