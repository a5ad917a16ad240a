//! How long each step of a command took, kept as the command runs and printed at its end, so
//! that a slow first run says where its time went; and the progress of long cargo steps.

use crate::project::say;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One finished step: its name and how long it took.
struct Step {
    name: String,
    took: Duration,
}

/// Every step finished so far, in the order they finished.
static STEPS: Mutex<Vec<Step>> = Mutex::new(Vec::new());

/// When the command started (the first step asked for it).
static STARTED: Mutex<Option<Instant>> = Mutex::new(None);

/// Notes the command's start, once: `report` measures the whole from here.
pub fn start() {
    let mut started = STARTED.lock().unwrap_or_else(|e| e.into_inner());
    started.get_or_insert_with(Instant::now);
}

/// Runs `f` as the step `name`, recording how long it took (failed steps too).
pub fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    start();
    let begun = Instant::now();
    let out = f();
    STEPS.lock().unwrap_or_else(|e| e.into_inner()).push(Step {
        name: name.to_string(),
        took: begun.elapsed(),
    });
    out
}

/// Prints every step over a second long with its time, and the command's time so far. Steps
/// that ran beside others (see `toolchain`) overlap, so their sum can exceed the whole.
pub fn report(what: &str) {
    let steps = STEPS.lock().unwrap_or_else(|e| e.into_inner());
    let long: Vec<&Step> = steps
        .iter()
        .filter(|s| s.took >= Duration::from_secs(1))
        .collect();
    if long.is_empty() {
        return;
    }
    let whole = STARTED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map(|s| s.elapsed())
        .unwrap_or_default();
    println!("\n[xtask] where the time of {what} went:");
    for s in long {
        println!("  {:>7}  {}", clock(s.took), s.name);
    }
    println!(
        "  {:>7}  in all (steps marked ∥ ran beside others)",
        clock(whole)
    );
    let _ = std::io::stdout().flush();
}

/// `m:ss`.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// What a long cargo step usually costs on a fresh 2-core machine, for its progress lines.
#[derive(Clone, Copy)]
pub struct Usual {
    /// Seconds it usually takes.
    pub secs: u64,
    /// Crates it usually compiles.
    pub crates: usize,
}

/// Runs a cargo command whose output would otherwise scroll by for minutes: every 20 s it
/// prints how long the step has run, how many of its usual crates are compiled and its usual
/// time. With `quiet`, cargo's own lines go to `log` instead of the terminal (for a step that
/// runs beside another), and the log's last lines are printed if it fails.
pub fn run_cargo(
    cmd: &mut Command,
    label: &str,
    usual: Usual,
    quiet: bool,
    log: &std::path::Path,
) -> Result<(), String> {
    let mut child = cmd
        .stderr(Stdio::piped())
        .stdout(if quiet {
            Stdio::null()
        } else {
            Stdio::inherit()
        })
        .spawn()
        .map_err(|e| format!("could not start {label}: {e}"))?;
    let compiled = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(Mutex::new(false));
    let begun = Instant::now();
    let ticker = {
        let (compiled, done, label) = (compiled.clone(), done.clone(), label.to_string());
        std::thread::spawn(move || loop {
            for _ in 0..20 {
                std::thread::sleep(Duration::from_secs(1));
                if *done.lock().unwrap_or_else(|e| e.into_inner()) {
                    return;
                }
            }
            say(&format!(
                "{label}: {} so far, {} of about {} crates compiled (usually {} on 2 cores)",
                clock(begun.elapsed()),
                compiled.load(Ordering::Relaxed),
                usual.crates,
                clock(Duration::from_secs(usual.secs)),
            ));
        })
    };
    let mut tail: Vec<String> = Vec::new();
    let mut log_file = std::fs::File::create(log).ok();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.trim_start().starts_with("Compiling ") {
                compiled.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(f) = log_file.as_mut() {
                let _ = writeln!(f, "{line}");
            }
            if quiet {
                tail.push(line);
                if tail.len() > 60 {
                    tail.remove(0);
                }
            } else {
                eprintln!("{line}");
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string());
    *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
    let _ = ticker.join();
    let status = status?;
    if status.success() {
        say(&format!(
            "{label}: done in {} ({} crates)",
            clock(begun.elapsed()),
            compiled.load(Ordering::Relaxed)
        ));
        Ok(())
    } else {
        for line in &tail {
            eprintln!("{line}");
        }
        Err(format!(
            "{label} failed ({status}); its whole output is in {}",
            log.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_reads_minutes_and_seconds() {
        assert_eq!(clock(Duration::from_secs(0)), "0:00");
        assert_eq!(clock(Duration::from_secs(75)), "1:15");
        assert_eq!(clock(Duration::from_secs(600)), "10:00");
    }

    #[test]
    fn a_timed_step_is_recorded_with_its_name() {
        let out = timed("a step of the test", || 7);
        assert_eq!(out, 7);
        let steps = STEPS.lock().unwrap();
        assert!(steps.iter().any(|s| s.name == "a step of the test"));
    }
}
