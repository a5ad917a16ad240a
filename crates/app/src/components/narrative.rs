//! The notebook's story in its order, in our words, each claim with a "Run this" button that
//! loads the experiment that shows it into the panel and runs it.

use model::{parse_query, Params};
use yew::prelude::*;

/// Props of [`Narrative`].
#[derive(Properties, PartialEq)]
pub struct NarrativeProps {
    /// Loads and runs an experiment.
    pub on_try: Callback<Params>,
    /// Threads can run on this page.
    pub threads_available: bool,
    /// The speedup chart, shown in "side by side".
    pub chart: Html,
    /// The decision helper, shown last.
    pub decision: Html,
}

/// Props of [`RunThis`].
#[derive(Properties, PartialEq)]
pub struct RunThisProps {
    /// The experiment, as a query string of the URL contract.
    pub query: &'static str,
    /// What the button says after "Run this:".
    pub label: &'static str,
    /// Loads and runs an experiment.
    pub on_try: Callback<Params>,
    /// Why it cannot run here, if it cannot.
    #[prop_or_default]
    pub unavailable: Option<&'static str>,
}

/// One "Run this" button.
#[component]
pub fn RunThis(props: &RunThisProps) -> Html {
    let query = props.query;
    let onclick = props
        .on_try
        .reform(move |_: MouseEvent| parse_query(query).params);
    html! {
        <span class="run-this-wrap">
            <button type="button" class="run-this" data-testid="run-this" data-query={query}
                disabled={props.unavailable.is_some()} title={props.unavailable} {onclick}>
                { "Run this: " }{ props.label }
            </button>
        </span>
    }
}

const NO_THREADS: &str =
    "Threads need a cross-origin isolated page; open the playground in its own tab.";

/// The sections.
#[component]
pub fn Narrative(props: &NarrativeProps) -> Html {
    let t = props.on_try.clone();
    let threads = (!props.threads_available).then_some(NO_THREADS);
    html! {
        <article class="narrative" aria-label="The story">
            <section id="waiting-or-computing" data-testid="section">
                <h2>{ "1. Waiting or computing?" }</h2>
                <p>{ "When a program is slow it is doing one of two things. It is " }<em>{ "waiting" }</em>
                { " — for a server, a disk, a database — while the processor sits idle: that is io-bound work. Or it is " }
                <em>{ "computing" }</em>{ " — hashing, parsing, crunching numbers — with a core flat out: cpu-bound work. They want different tools." }</p>
                <p>{ "Here an io task waits (a timer, like the notebook's " }<code>{ "time.sleep(0.2)" }</code>
                { ") and a cpu task really sums squares. The page measured your processor at load so that one cpu task lasts about as long as one wait: same time, opposite reasons. On the timeline, waiting and computing get different colours." }</p>
                <RunThis query="tool=sequential&kind=mixed&tasks=2" label="one wait, then one computation" on_try={t.clone()} />
            </section>
            <section id="in-a-row" data-testid="section">
                <h2>{ "2. Four things in a row" }</h2>
                <p>{ "Sequential code does not care why a task is slow: it finishes one, then starts the next. Four waits take four times one wait; four computations take four times one computation." }</p>
                <p>{ "The four waits are pure slack: the processor did nothing. That slack is what concurrency reclaims. The four computations have no slack at all." }</p>
                <RunThis query="tool=sequential&kind=io&tasks=4" label="4 waits in a row" on_try={t.clone()} />
                <RunThis query="tool=sequential&kind=cpu&tasks=4" label="4 computations in a row" on_try={t.clone()} />
            </section>
            <section id="concurrency-vs-parallelism" data-testid="section">
                <h2>{ "3. Concurrency is not parallelism" }</h2>
                <p><strong>{ "Concurrency" }</strong>{ " is several tasks making progress by taking turns: one cook juggling four pans. While one pan simmers the cook stirs another, so four waits overlap and take about as long as one. " }
                <strong>{ "Parallelism" }</strong>{ " is doing several things at the same instant on several cores: four cooks at four hobs." }</p>
                <p>{ "Taking turns does nothing for computation: slicing one core four ways leaves the total unchanged. Only more cores finish it sooner, and never more than the cores you have." }</p>
                <RunThis query="tool=async&kind=io&tasks=4" label="one cook, four pans (4 waits, one thread)" on_try={t.clone()} />
                <RunThis query="tool=async&kind=cpu&tasks=4" label="one cook, four dishes to chop (4 computations, one thread)" on_try={t.clone()} />
                <RunThis query="tool=processes&kind=cpu&tasks=4&workers=4" label="four cooks (4 computations, 4 processes)" on_try={t.clone()} />
            </section>
            <section id="threads-and-the-gil" data-testid="section">
                <h2>{ "4. Threads and the GIL" }</h2>
                <p>{ "Threads share memory. In CPython a Global Interpreter Lock lets only one of them run Python at a time, so two computing threads take turns even on sixteen cores (the holder hands the lock over every 5 ms when another thread asks for it). A thread releases the lock while it waits on io, so waiting threads overlap perfectly." }</p>
                <p>{ "Here the GIL is a real lock in shared memory between real threads of your browser. Switch it off to get the new free-threaded Python." }</p>
                <RunThis query="tool=threads&kind=cpu&tasks=4&gil=on" label="4 computations on threads, GIL on" on_try={t.clone()} unavailable={threads} />
                <RunThis query="tool=threads&kind=io&tasks=4&gil=on" label="4 waits on threads, GIL on" on_try={t.clone()} unavailable={threads} />
                <RunThis query="tool=threads&kind=cpu&tasks=4&gil=off" label="4 computations, free-threaded" on_try={t.clone()} unavailable={threads} />
            </section>
            <section id="processes" data-testid="section">
                <h2>{ "5. Processes" }</h2>
                <p>{ "Each process has its own interpreter, its own GIL and its own memory: real parallelism for computation. The price is isolation — arguments and results are pickled and copied — and start-up. Here every process is a separate worker with its own WebAssembly instance; the first run pays for starting them (grey on the timeline), later runs reuse the warm pool." }</p>
                <RunThis query="tool=processes&kind=cpu&tasks=4" label="4 computations on a process pool" on_try={t.clone()} />
            </section>
            <section id="async-await" data-testid="section">
                <h2>{ "6. async/await" }</h2>
                <p>{ "One thread, one event loop, tasks that cooperate: each runs until it awaits, then the loop runs another. Thousands of waits cost almost nothing. But a task that computes never awaits, and while it runs nobody else does: every wait that was due finishes late." }</p>
                <RunThis query="tool=async&kind=io&tasks=1000" label="1000 waits on one thread" on_try={t.clone()} />
                <RunThis query="tool=async&kind=mixed&tasks=4" label="waits behind a blocking computation" on_try={t.clone()} />
            </section>
            <section id="side-by-side" data-testid="section">
                <h2>{ "7. The tools side by side" }</h2>
                <div class="table-scroll">
                    <table class="tools">
                        <thead><tr><th scope="col">{ "Tool" }</th><th scope="col">{ "Gives you" }</th><th scope="col">{ "GIL" }</th><th scope="col">{ "Best for" }</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">{ "threads" }</th><td>{ "concurrency, shared memory" }</td><td>{ "held: one thread runs Python at a time" }</td><td>{ "io-bound work, a moderate number of tasks" }</td></tr>
                            <tr><th scope="row">{ "processes" }</th><td>{ "parallelism, isolated memory" }</td><td>{ "sidestepped: one per process" }</td><td>{ "cpu-bound work" }</td></tr>
                            <tr><th scope="row">{ "async/await" }</th><td>{ "concurrency on one thread, cooperative" }</td><td>{ "held, but irrelevant" }</td><td>{ "io-bound work at high volume" }</td></tr>
                        </tbody>
                    </table>
                </div>
                <p>{ "Measure it: the curve below runs the current work with 1, 2, 4… workers and plots the speedup, with the ideal line and the GIL's flat line." }</p>
                { props.chart.clone() }
            </section>
            <section id="serial-part" data-testid="section">
                <h2>{ "8. The limit: the serial part" }</h2>
                <p>{ "More cores only speed up the part of the work that can be split. If a share " }<em>{ "s" }</em>
                { " of it must run on one core while the others wait (reading the input, merging the results), then " }
                <em>{ "W" }</em>{ " workers can never do better than " }<code>{ "1 / (s + (1 − s) / W)" }</code>
                { ": Amdahl's law. With half the work serial, even infinitely many cores give at most 2×; two give 1.33×." }</p>
                <p>{ "Set the serial part and the batch really gets a serial phase: that share of its work runs first, on one lane (brown on the timeline), and only the rest spreads over the workers. The curve above draws Amdahl's prediction beside what your machine measures." }</p>
                <RunThis query="tool=threads&kind=cpu&tasks=4&workers=2&gil=off&serial=50" label="half serial, 2 free-threaded threads" on_try={t.clone()} unavailable={threads} />
                <RunThis query="tool=processes&kind=cpu&tasks=4&workers=2&serial=50" label="half serial, 2 processes" on_try={t.clone()} />
            </section>
            <section id="shared-memory" data-testid="section">
                <h2>{ "9. Shared memory: lost updates" }</h2>
                <p>{ "Threads share memory: that is what makes them cheap, and dangerous. " }<code>{ "counter += 1" }</code>
                { " is three steps: read the counter, add one, write it back. If another thread writes in between, one of the two updates is lost. Nothing crashes; the total is just wrong, and differently wrong every run." }</p>
                <p>{ "Here four threads of your browser really do that to one counter in shared memory (a read, then a separate write). With a lock (" }<code>{ "with lock:" }</code>
                { ") one thread at a time reads and writes, and nothing is lost. Processes cannot race at all: each increments its own copy, and the parent's counter never moves. With CPython's GIL the threads rarely lose updates in this loop, because 3.10+ switches threads only between whole statements here; that is luck in the implementation, not a promise, and free-threaded Python loses them." }</p>
                <RunThis query="tool=threads&kind=race&tasks=4&workers=4&gil=off&lock=off" label="4 threads, no lock" on_try={t.clone()} unavailable={threads} />
                <RunThis query="tool=threads&kind=race&tasks=4&workers=4&gil=off&lock=on" label="4 threads with a lock" on_try={t.clone()} unavailable={threads} />
                <RunThis query="tool=processes&kind=race&tasks=4&workers=4" label="4 processes, 4 counters" on_try={t.clone()} />
            </section>
            <section id="decision" data-testid="section">
                <h2>{ "10. The decision in three questions" }</h2>
                { props.decision.clone() }
            </section>
        </article>
    }
}
