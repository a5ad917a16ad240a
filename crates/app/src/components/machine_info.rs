//! What the page knows about this machine: cores, isolation, pool threads and calibration.

use model::lab::view::{BuildInfo, MeasuredCores};
use yew::prelude::*;

/// Props of [`MachineInfo`].
#[derive(Properties, PartialEq)]
pub struct MachineInfoProps {
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// SharedArrayBuffer threads are possible.
    pub isolated: bool,
    /// The plain build, once started.
    pub plain: Option<BuildInfo>,
    /// The atomics build, once started.
    pub atomics: Option<BuildInfo>,
    /// The io wait calibration targets, ms.
    pub io_ms: u32,
    /// What the speedup sweep measured of the machine's parallelism.
    pub measured: MeasuredCores,
}

fn calibration(info: Option<BuildInfo>, io_ms: u32) -> String {
    match info.and_then(|i| i.ns_per_iter.map(|ns| (ns, i.spread))) {
        Some((ns, spread)) => format!(
            "{ns:.3} ns per iteration (samples within {:.1} %) → {} iterations should take about {io_ms} ms",
            spread * 100.0,
            group(model::experiment::config::calibrated_cpu_iters(io_ms, ns))
        ),
        None if info.is_some() => "calibrating…".into(),
        None => "loading…".into(),
    }
}

fn measured(m: MeasuredCores) -> String {
    let left_out = match m.left_out {
        0 => String::new(),
        n => format!(
            "; {n} point(s) left out: their baseline ran slow (faster than their workers allow, \
             or a series not at 1× with one worker), run the sweep again"
        ),
    };
    match m.best {
        Some((speedup, workers)) => format!(
            "measured: {speedup:.2}× at best, with {workers} workers (the speedup sweep below){left_out}"
        ),
        None => format!(
            "measured: — (the speedup sweep below measures how much runs in parallel){left_out}"
        ),
    }
}

/// Groups digits in threes for reading: 12345678 → "12 345 678" (narrow no-break spaces).
pub fn group(n: u64) -> String {
    model::python::group_digits(n, '\u{202f}')
}

/// A small definition list about the machine and the engines.
#[component]
pub fn MachineInfo(props: &MachineInfoProps) -> Html {
    let threads = match (props.isolated, props.atomics) {
        (false, _) if crate::browser::cross_origin_isolated() => {
            "unavailable (no SharedArrayBuffer in this browser)".to_string()
        }
        (false, _) => "unavailable (page not cross-origin isolated)".to_string(),
        (true, None) => "starting…".to_string(),
        (true, Some(info)) if info.pool_threads == 0 => "pool starting…".to_string(),
        (true, Some(info)) => format!("{} pool threads", info.pool_threads),
    };
    html! {
        <dl class="machine-info" data-testid="machine-info">
            <div>
                <dt>{ "Cores" }</dt>
                <dd>
                    <span data-testid="cores">{ props.cores }</span>
                    { " reported by the browser (Safari and others round it: an iPad says 4 whatever it has)" }
                    <br />
                    <span data-testid="cores-measured">{ measured(props.measured) }</span>
                </dd>
            </div>
            <div><dt>{ "Threads" }</dt><dd data-testid="pool-threads">{ threads }</dd></div>
            <div>
                <dt>{ "Kernel, plain build" }</dt>
                <dd data-testid="calibration-plain">{ calibration(props.plain, props.io_ms) }</dd>
            </div>
            if props.isolated {
                <div>
                    <dt>{ "Kernel, threads build" }</dt>
                    <dd data-testid="calibration-atomics">{ calibration(props.atomics, props.io_ms) }</dd>
                </div>
            }
        </dl>
    }
}
