//! How long an experiment should take, from calibration, shown before a run and used to ask
//! for confirmation before a run that would take very long.

use crate::experiment::config::{Experiment, Gil, TaskWork, Tool};

/// Runs estimated longer than this ask the visitor to confirm first.
pub const CONFIRM_ABOVE_MS: f64 = 60_000.0;

/// Estimated wall time in ms of `e` on a machine with `cores` cores whose kernel costs
/// `ns_per_iter`. Ignores start-up and messaging; good to a factor, which is what it is for.
pub fn estimate_ms(e: &Experiment, ns_per_iter: f64, cores: u32) -> f64 {
    let (mut n_io, mut n_cpu, mut n_race) = (0u64, 0u64, 0u64);
    for i in 0..e.tasks {
        match e.kind.task(i) {
            TaskWork::Io => n_io += 1,
            TaskWork::Cpu => n_cpu += 1,
            TaskWork::Race => n_race += 1,
        }
    }
    let (serial_iters, task_iters) = e.serial_split();
    let serial_ms = serial_iters as f64 * ns_per_iter / 1e6;
    let cpu_task_ms = task_iters as f64 * ns_per_iter / 1e6;
    // A contended increment bounces a cache line between cores: taken as 20 kernel iterations'
    // worth, a rough bound, not a measurement. Only the confirmation of huge runs uses it (the
    // page shows no estimate for the race).
    let cpu_sum =
        n_cpu as f64 * cpu_task_ms + n_race as f64 * e.cpu_iters as f64 * ns_per_iter * 20.0 / 1e6;
    let io_ms = f64::from(e.io_ms);
    let lanes = u64::from(e.lanes());
    let cores = f64::from(cores.max(1));
    let io_rounds = |lanes: u64| n_io.div_ceil(lanes.max(1)) as f64 * io_ms;
    // The serial phase runs first, alone.
    serial_ms
        + match e.tool {
            Tool::Sequential => cpu_sum + n_io as f64 * io_ms,
            // One thread: waits overlap each other but never the computing.
            Tool::Async => cpu_sum + if n_io > 0 { io_ms } else { 0.0 },
            Tool::Threads if e.gil == Gil::On => cpu_sum.max(io_rounds(lanes)),
            Tool::Threads | Tool::Processes => {
                let parallel = (lanes as f64).min(cores);
                (cpu_sum / parallel).max(io_rounds(lanes))
            }
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Kind, Machine, Params};

    fn exp(tool: Tool, kind: Kind, gil: Gil) -> Experiment {
        let m = Machine {
            cores: 4,
            calibrated_cpu_iters: 100_000_000,
        };
        Params {
            tool: Some(tool),
            kind: Some(kind),
            gil: Some(gil),
            workers: Some(4),
            ..Params::default()
        }
        .resolve(&m)
    }

    #[test]
    fn estimates_follow_the_notebook() {
        // 100M iterations at 2 ns = 200 ms, like one io task.
        let ns = 2.0;
        let est = |t, k, g| estimate_ms(&exp(t, k, g), ns, 4);
        assert_eq!(est(Tool::Sequential, Kind::Io, Gil::On), 800.0);
        assert_eq!(est(Tool::Sequential, Kind::Cpu, Gil::On), 800.0);
        assert_eq!(est(Tool::Async, Kind::Io, Gil::On), 200.0);
        assert_eq!(est(Tool::Async, Kind::Cpu, Gil::On), 800.0);
        assert_eq!(est(Tool::Threads, Kind::Io, Gil::On), 200.0);
        assert_eq!(est(Tool::Threads, Kind::Cpu, Gil::On), 800.0);
        assert_eq!(est(Tool::Threads, Kind::Cpu, Gil::Off), 200.0);
        assert_eq!(est(Tool::Processes, Kind::Cpu, Gil::On), 200.0);
        assert_eq!(est(Tool::Async, Kind::Mixed, Gil::On), 600.0);
    }
}
