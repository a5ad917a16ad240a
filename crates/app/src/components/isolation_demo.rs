//! Processes share no memory: write a value into one process, read it from another.

use model::lab::IsolationDemo as Demo;
use yew::prelude::*;

/// Props of [`IsolationDemo`].
#[derive(Properties, PartialEq)]
pub struct IsolationDemoProps {
    /// The last demo, if any.
    pub demo: Option<Demo>,
    /// Run the demo.
    pub on_show: Callback<()>,
}

fn read(v: Option<u64>) -> String {
    v.map_or_else(|| "…".into(), |v| v.to_string())
}

/// A button and a sentence with what each process read.
#[component]
pub fn IsolationDemo(props: &IsolationDemoProps) -> Html {
    let onclick = props.on_show.reform(|_: MouseEvent| ());
    let result = props.demo.map(|d| {
        html! {
            <p data-testid="isolation-result" data-wrote={d.wrote.to_string()}
                data-read-same={d.read_same.map(|v| v.to_string())}
                data-read-other={d.read_other.map(|v| v.to_string())}>
                { format!("Process 0 stored {} in its memory and reads back {}. ", d.wrote, read(d.read_same)) }
                { format!("Process 1 reads the same variable in its own memory: {}. ", read(d.read_other)) }
                { "Nothing is shared: arguments and results travel as copies, like pickled objects." }
            </p>
        }
    });
    html! {
        <div class="isolation-demo" data-testid="isolation-demo">
            <button type="button" class="secondary" {onclick}>
                { "Show that processes share no memory" }
            </button>
            { for result }
        </div>
    }
}
