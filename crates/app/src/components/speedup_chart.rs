//! The speedup chart: measured speedup against workers for each series, with the ideal line
//! (workers, capped at the cores) so that Amdahl and the GIL are seen, not told.

use model::lab::sweep::Series;
use model::lab::view::SweepPoint;
use yew::prelude::*;

/// Props of [`SpeedupChart`].
#[derive(Properties, PartialEq)]
pub struct SpeedupChartProps {
    /// Measured points.
    pub points: Vec<SweepPoint>,
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// A sweep is running.
    pub sweeping: bool,
    /// Engines ready and nothing running.
    pub can_sweep: bool,
    /// Start a sweep of the current experiment.
    pub on_sweep: Callback<()>,
    /// The serial part (%) Amdahl's predicted curve is drawn for.
    pub serial: u32,
}

const W: f64 = 600.0;
const H: f64 = 320.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 16.0;

/// Series in drawing order, with their CSS class.
const SERIES: [(Series, &str); 3] = [
    (Series::ThreadsGilOff, "gil-off"),
    (Series::ThreadsGilOn, "gil-on"),
    (Series::Processes, "processes"),
];

/// The chart and its table view.
#[component]
pub fn SpeedupChart(props: &SpeedupChartProps) -> Html {
    let max_w = props
        .points
        .iter()
        .map(|p| p.workers)
        .max()
        .unwrap_or(4)
        .max(2);
    let ideal_top = f64::from(max_w.min(props.cores.max(1)));
    let max_s = props
        .points
        .iter()
        .map(|p| p.speedup)
        .fold(ideal_top, f64::max)
        .ceil()
        .max(2.0);
    let x = |w: f64| LEFT + (w - 1.0) / f64::from(max_w - 1) * (W - LEFT - RIGHT);
    let y = |s: f64| H - BOTTOM - s / max_s * (H - BOTTOM - TOP);
    let ideal: Vec<String> = (1..=max_w)
        .map(|w| {
            format!(
                "{:.1},{:.1}",
                x(f64::from(w)),
                y(f64::from(w.min(props.cores.max(1))))
            )
        })
        .collect();
    // Amdahl's prediction 1 / (s + (1 − s) / W), on at most the machine's cores, drawn finely
    // enough to look like the curve it is.
    let cores = props.cores.max(1);
    let amdahl: Vec<String> = (0..=(max_w - 1) * 8)
        .map(|i| {
            let w = 1.0 + f64::from(i) / 8.0;
            let s = f64::from(props.serial.min(100)) / 100.0;
            let speedup = 1.0 / (s + (1.0 - s) / w.min(f64::from(cores)));
            format!("{:.1},{:.1}", x(w), y(speedup))
        })
        .collect();
    let series = SERIES.iter().map(|(series, class)| {
        let name = series.as_str();
        let mut pts: Vec<&SweepPoint> = props.points.iter().filter(|p| p.series == *series).collect();
        pts.sort_by_key(|p| p.workers);
        let line: Vec<String> = pts
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(f64::from(p.workers)), y(p.speedup)))
            .collect();
        let dots = pts.iter().map(|p| {
            html! {
                <circle class={classes!("point", *class)} data-testid="speedup-point"
                    data-series={name} data-workers={p.workers.to_string()}
                    data-speedup={format!("{:.4}", p.speedup)}
                    cx={format!("{:.1}", x(f64::from(p.workers)))} cy={format!("{:.1}", y(p.speedup))} r="5">
                    <title>{ format!("{name}, {} workers: {:.2}×", p.workers, p.speedup) }</title>
                </circle>
            }
        });
        html! {
            <g class={classes!("series", *class)}>
                <polyline points={line.join(" ")} />
                { for dots }
            </g>
        }
    });
    let x_ticks = (1..=max_w).filter(|w| *w == 1 || w.is_power_of_two() || *w == max_w).map(|w| {
        html! { <text x={format!("{:.1}", x(f64::from(w)))} y={format!("{:.1}", H - BOTTOM + 18.0)} text-anchor="middle">{ w }</text> }
    });
    let y_ticks = (0..=(max_s as u32)).map(|s| {
        let yy = y(f64::from(s));
        html! {
            <g>
                <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{yy:.1}")} y2={format!("{yy:.1}")} />
                <text x={(LEFT - 8.0).to_string()} y={format!("{:.1}", yy + 4.0)} text-anchor="end">{ format!("{s}×") }</text>
            </g>
        }
    });
    let onclick = props.on_sweep.reform(|_: MouseEvent| ());
    let mut rows: Vec<&SweepPoint> = props.points.iter().collect();
    rows.sort_by_key(|p| (p.series.as_str(), p.workers));
    html! {
        <figure class="speedup">
            <figcaption>
                { "Speedup against workers. Dashed: the ideal (one per worker, up to the " }
                { props.cores }{ " cores). Threads and sequential share one build; processes compare with one process." }
            </figcaption>
            <div class="speedup-actions">
                <button type="button" data-testid="sweep-button" onclick={onclick}
                    disabled={!props.can_sweep || props.sweeping}>
                    { if props.sweeping { "Measuring…" } else { "Measure the speedup curve" } }
                </button>
            </div>
            <svg data-testid="speedup-chart" role="img" viewBox={format!("0 0 {W} {H}")}
                aria-label={format!("Speedup chart with {} measured points", props.points.len())}>
                { for y_ticks }
                { for x_ticks }
                <text class="axis-title" x={format!("{:.1}", (W + LEFT) / 2.0)} y={format!("{:.1}", H - 4.0)} text-anchor="middle">{ "workers" }</text>
                <polyline class="ideal" points={ideal.join(" ")} />
                <polyline class="amdahl" data-testid="amdahl-curve" data-serial={props.serial.to_string()}
                    points={amdahl.join(" ")} />
                { for series }
            </svg>
            <ul class="legend">
                <li><span class="swatch ideal" aria-hidden="true"></span>{ "ideal" }</li>
                <li><span class="swatch amdahl" aria-hidden="true"></span>
                    { format!("Amdahl's law for a {} % serial part: 1 / (s + (1 − s) / W)", props.serial) }</li>
                { for SERIES.iter().map(|(name, class)| html! {
                    <li><span class={classes!("swatch", *class)} aria-hidden="true"></span>{ name.as_str() }</li>
                }) }
            </ul>
            if !rows.is_empty() {
                <table class="speedup-table">
                    <caption>{ "The chart's points" }</caption>
                    <thead><tr><th scope="col">{ "Series" }</th><th scope="col" class="num">{ "Workers" }</th><th scope="col" class="num">{ "Speedup" }</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|p| html! {
                            <tr><td>{ p.series.as_str() }</td><td class="num">{ p.workers }</td><td class="num">{ format!("{:.2}×", p.speedup) }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </figure>
    }
}
