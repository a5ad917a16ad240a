//! The processes tool: a pool of separate workers, each with its own wasm instance and memory,
//! fed one task at a time by `postMessage` (copies, like pickling). The pool stays warm between
//! runs; a run that had to start workers says so and shows their start-up on the timeline.

use super::Lab;
use crate::browser;
use crate::state::{Action, IsolationDemo};
use crate::worker_link::{WorkerEvent, WorkerLink};
use model::protocol::{FromWorker, ToWorker};
use model::timeline::{Build, RunReport, RunStatus, Span, SpanState, NO_TASK};
use model::Experiment;

/// One process worker.
pub struct Process {
    link: WorkerLink,
    generation: u32,
    spawned_at: f64,
    ready_at: Option<f64>,
    task: Option<u32>,
}

/// A processes run in flight.
pub struct ProcessRun {
    id: u32,
    experiment: Experiment,
    started_at: f64,
    next_task: u32,
    done: u32,
    spans: Vec<Span>,
    checksum: u64,
    paid_startup: bool,
    stopping: bool,
}

impl Lab {
    fn spawn_process(&mut self, index: usize) {
        self.process_generation += 1;
        let generation = self.process_generation;
        let this = self.this.clone();
        let link = WorkerLink::spawn("build=plain&role=process", move |event| {
            if let Some(lab) = this.upgrade() {
                lab.borrow_mut().on_process_event(index, generation, event);
            }
        });
        if self.processes.len() <= index {
            self.processes.resize_with(index + 1, || None);
        }
        match link {
            Ok(link) => {
                self.processes[index] = Some(Process {
                    link,
                    generation,
                    spawned_at: browser::now(),
                    ready_at: None,
                    task: None,
                })
            }
            Err(message) => self.notice("processes", &message),
        }
    }

    /// Starts a processes run of `experiment` as run `id`.
    pub(super) fn run_processes(&mut self, id: u32, experiment: Experiment) {
        let started_at = browser::now();
        let lanes = experiment.lanes() as usize;
        let mut paid_startup = false;
        for i in 0..lanes {
            if self.processes.get(i).is_none_or(Option::is_none) {
                self.spawn_process(i);
            }
            if self.processes[i]
                .as_ref()
                .is_some_and(|p| p.ready_at.is_none())
            {
                paid_startup = true;
            }
        }
        self.process_run = Some(ProcessRun {
            id,
            experiment,
            started_at,
            next_task: 0,
            done: 0,
            spans: Vec::new(),
            checksum: 0,
            paid_startup,
            stopping: false,
        });
        self.dispatch_tasks();
    }

    /// Gives every idle, ready process of the run's pool its next task.
    fn dispatch_tasks(&mut self) {
        let Some(run) = self.process_run.as_mut() else {
            return;
        };
        let lanes = run.experiment.lanes() as usize;
        for process in self.processes.iter_mut().take(lanes).flatten() {
            if run.stopping || run.next_task >= run.experiment.tasks {
                break;
            }
            if process.ready_at.is_none() || process.task.is_some() {
                continue;
            }
            let task = run.next_task;
            run.next_task += 1;
            process.task = Some(task);
            process.link.send(&ToWorker::Task {
                run: run.id,
                task,
                work: run.experiment.kind.task(task),
                io_ms: run.experiment.io_ms,
                cpu_iters: run.experiment.cpu_iters,
                sent_at: browser::now(),
            });
        }
    }

    fn on_process_event(&mut self, index: usize, generation: u32, event: WorkerEvent) {
        let current = self
            .processes
            .get(index)
            .and_then(Option::as_ref)
            .is_some_and(|p| p.generation == generation);
        if !current {
            return; // a terminated worker's last words
        }
        match event {
            WorkerEvent::Message(FromWorker::Ready { .. }) => self.process_ready(index),
            WorkerEvent::Message(FromWorker::TaskDone {
                run,
                task,
                spans,
                result,
                completed,
                sent_at,
            }) => self.task_done(index, run, task, spans, result, completed, sent_at),
            WorkerEvent::Message(FromWorker::Peeked { value }) => self.peeked(index, value),
            WorkerEvent::Message(FromWorker::Failed { message, .. })
            | WorkerEvent::Crashed(message) => self.process_crashed(index, &message),
            WorkerEvent::Message(_) => {}
        }
    }

    fn process_ready(&mut self, index: usize) {
        let now = browser::now();
        let Some(process) = self.processes[index].as_mut() else {
            return;
        };
        process.ready_at = Some(now);
        if let Some(run) = self.process_run.as_mut() {
            if index < run.experiment.lanes() as usize {
                let span = Span {
                    task: NO_TASK,
                    lane: index as u32,
                    state: SpanState::Startup,
                    start: process.spawned_at.max(run.started_at),
                    end: now,
                };
                run.spans.push(span);
                self.ui
                    .dispatch(Action::Progress(run.id, vec![span], Vec::new()));
            }
        }
        self.dispatch_tasks();
        self.continue_isolation_demo();
    }

    #[allow(clippy::too_many_arguments)]
    fn task_done(
        &mut self,
        index: usize,
        run_id: u32,
        task: u32,
        spans: Vec<Span>,
        result: u64,
        completed: bool,
        sent_at: f64,
    ) {
        let now = browser::now();
        if let Some(p) = self.processes[index].as_mut() {
            p.task = None;
        }
        let Some(run) = self.process_run.as_mut().filter(|r| r.id == run_id) else {
            return;
        };
        let mut new: Vec<Span> = spans
            .into_iter()
            .map(|s| Span {
                lane: index as u32,
                ..s
            })
            .collect();
        new.push(Span {
            task,
            lane: index as u32,
            state: SpanState::Copy,
            start: sent_at,
            end: now,
        });
        run.spans.extend_from_slice(&new);
        self.ui.dispatch(Action::Progress(run_id, new, Vec::new()));
        let Some(run) = self.process_run.as_mut() else {
            return;
        };
        if completed {
            run.done += 1;
            run.checksum = run.checksum.wrapping_add(result);
        }
        self.dispatch_tasks();
        self.finish_processes_if_idle();
    }

    /// Ends the run once every task is back (or, when stopping, every busy process answered).
    fn finish_processes_if_idle(&mut self) {
        let Some(run) = self.process_run.as_ref() else {
            return;
        };
        let lanes = run.experiment.lanes() as usize;
        let busy = self
            .processes
            .iter()
            .take(lanes)
            .flatten()
            .any(|p| p.task.is_some());
        let all_done = run.done >= run.experiment.tasks;
        if busy || !(all_done || run.stopping) {
            return;
        }
        let status = if all_done {
            RunStatus::Done
        } else {
            RunStatus::Stopped
        };
        self.end_process_run(status, None);
    }

    fn end_process_run(&mut self, status: RunStatus, message: Option<String>) {
        let Some(run) = self.process_run.take() else {
            return;
        };
        let report = RunReport {
            experiment: run.experiment,
            status,
            build: Build::Plain,
            started_at: run.started_at,
            wall_ms: browser::now() - run.started_at,
            spans: run.spans,
            pool_threads: run.experiment.lanes(),
            paid_startup: run.paid_startup,
            tasks_done: run.done,
            checksum: run.checksum,
            message: message.or_else(|| {
                run.paid_startup
                    .then(|| "this run paid for starting its processes".to_string())
            }),
            gil_switches: None,
        };
        self.finish(run.id, report);
    }

    /// Stop: busy processes are asked to cancel; those still busy after the grace period (a cpu
    /// task never reads messages) are terminated, and replaced on the next run.
    pub(super) fn stop_processes(&mut self) {
        let Some(run) = self.process_run.as_mut() else {
            return;
        };
        run.stopping = true;
        let id = run.id;
        for p in self.processes.iter().flatten().filter(|p| p.task.is_some()) {
            p.link.send(&ToWorker::Cancel { id });
        }
        self.finish_processes_if_idle();
    }

    /// The grace period is over: terminate every process still busy.
    pub(super) fn force_stop_processes(&mut self, id: u32) {
        if self.process_run.as_ref().is_none_or(|r| r.id != id) {
            return;
        }
        for slot in self.processes.iter_mut() {
            if slot.as_ref().is_some_and(|p| p.task.is_some()) {
                *slot = None; // dropping the link terminates the worker
            }
        }
        self.end_process_run(
            RunStatus::Stopped,
            Some("busy processes were terminated; they restart on the next run".into()),
        );
    }

    fn process_crashed(&mut self, index: usize, message: &str) {
        let had_task = self.processes[index]
            .as_ref()
            .is_some_and(|p| p.task.is_some());
        self.processes[index] = None;
        if had_task {
            for slot in self.processes.iter_mut() {
                if slot.as_ref().is_some_and(|p| p.task.is_some()) {
                    *slot = None;
                }
            }
            self.end_process_run(
                RunStatus::Error,
                Some(format!(
                    "process {index} crashed: {message}; the pool restarts"
                )),
            );
        } else {
            self.notice("processes", &format!("A process worker failed: {message}."));
        }
    }

    /// Shows that processes share no memory: writes a value in process 0 and reads it back from
    /// processes 0 and 1.
    pub fn show_isolation(&mut self) {
        for i in 0..2 {
            if self.processes.get(i).is_none_or(Option::is_none) {
                self.spawn_process(i);
            }
        }
        let value = (js_sys::Math::random() * 1e9) as u64 + 1;
        self.isolation = Some(IsolationDemo {
            wrote: value,
            read_same: None,
            read_other: None,
        });
        self.isolation_sent = false;
        self.continue_isolation_demo();
    }

    fn continue_isolation_demo(&mut self) {
        if self.isolation_sent || self.isolation.is_none() {
            return;
        }
        let ready = |p: &Option<Process>| p.as_ref().is_some_and(|p| p.ready_at.is_some());
        if !(self.processes.len() >= 2 && ready(&self.processes[0]) && ready(&self.processes[1])) {
            return;
        }
        let Some(demo) = &self.isolation else { return };
        if let (Some(p0), Some(p1)) = (&self.processes[0], &self.processes[1]) {
            p0.link.send(&ToWorker::Poke { value: demo.wrote });
            p0.link.send(&ToWorker::Peek);
            p1.link.send(&ToWorker::Peek);
            self.isolation_sent = true;
        }
    }

    fn peeked(&mut self, index: usize, value: u64) {
        let Some(demo) = self.isolation.as_mut() else {
            return;
        };
        match index {
            0 => demo.read_same = Some(value),
            _ => demo.read_other = Some(value),
        }
        self.ui.dispatch(Action::Isolation(*demo));
    }
}
