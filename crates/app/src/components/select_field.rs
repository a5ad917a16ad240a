//! A labelled `<select>` whose shown value always follows the state, also after the visitor
//! changed it by hand and the URL changed it back (an option's `selected` attribute alone no
//! longer governs a select the visitor has touched).

use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`SelectField`].
#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    /// The parameter's URL name; also the select's id and name.
    pub name: &'static str,
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
    pub on_change: Callback<(&'static str, String)>,
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
        let (name, cb) = (props.name, props.on_change.clone());
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            cb.emit((name, select.value()));
        })
    };
    html! {
        <div class="field">
            <label for={props.name}>{ props.label }</label>
            <select ref={node} id={props.name} name={props.name} disabled={props.disabled} {onchange}>
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={*value} selected={*value == props.value}>{ label.clone() }</option>
                }) }
            </select>
        </div>
    }
}
