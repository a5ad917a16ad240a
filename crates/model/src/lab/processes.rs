//! The processes tool: a pool of separate workers, each with its own wasm instance and memory,
//! fed one task at a time by `postMessage` (copies, like pickling). The pool stays warm between
//! runs; a run that had to start workers says so and shows their start-up on the timeline.

use super::{Effect, IsolationDemo, Lab, Role, Update, WorkerId};
use crate::experiment::config::Experiment;
use crate::experiment::config::{Kind, TaskWork};
use crate::experiment::notice::{Reason, Topic};
use crate::run::id::RunId;
use crate::run::timeline::{Build, Counts, RunReport, RunStatus, Span, SpanState, TaskRef};
use crate::wire::worker::{FromWorker, ToWorker};

/// One process worker.
#[derive(Debug)]
struct Process {
    worker: WorkerId,
    spawned_at: f64,
    ready_at: Option<f64>,
    task: Option<TaskRef>,
}

/// The tasks of a processes run in flight: what is left to hand out and what came back. The run
/// itself (its id, experiment, spans, whether it is stopping) is the lab's [`super::Running`].
#[derive(Debug)]
pub(super) struct Tasks {
    next_task: u32,
    /// Amdahl's serial phase still to run (iterations): one process computes it before any
    /// task is sent.
    serial_left: u64,
    /// The serial phase is out on a process.
    serial_out: bool,
    /// Race: each process's own counter, by lane, as its last task reported it.
    own: Vec<u64>,
    done: u32,
    checksum: u64,
    paid_startup: bool,
    /// Start-up of each process this run waited for (ms, spawn to ready: loading the module and
    /// warming its kernel up), for the row's message.
    startups: Vec<f64>,
    /// When the tasks not yet sent were submitted: the run's start, or the end of its serial
    /// part (the batch is submitted after it, as code after the serial part would).
    queued_since: Option<f64>,
}

impl Tasks {
    /// Nothing handed out yet.
    pub(super) fn new(experiment: &Experiment) -> Self {
        Tasks {
            next_task: 0,
            serial_left: experiment.serial_split().0,
            serial_out: false,
            own: vec![0; experiment.lanes() as usize],
            done: 0,
            checksum: 0,
            paid_startup: false,
            startups: Vec::new(),
            queued_since: None,
        }
    }
}

/// The pool and the isolation demo.
#[derive(Debug, Default)]
pub(super) struct Pool {
    /// The race's `counter` in the parent (this page): the processes race counts in each
    /// process's own copy, never here. It lives in the page's memory, starts at 0 and is read
    /// after each processes race run.
    pub(super) parent_counter: u64,
    lanes: Vec<Option<Process>>,
    isolation: Option<IsolationDemo>,
    isolation_sent: bool,
}

impl Pool {
    fn lane_of(&self, worker: WorkerId) -> Option<usize> {
        self.lanes
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| p.worker == worker))
    }

    fn busy(&self, lanes: usize) -> bool {
        self.lanes
            .iter()
            .take(lanes)
            .flatten()
            .any(|p| p.task.is_some())
    }
}

/// What a run that started processes says: that it paid for them, and how much (each process's
/// spawn, module load and kernel warm-up, measured from spawn to its ready message).
fn startup_message(paid: bool, startups: &[f64]) -> Option<String> {
    if !paid {
        return None;
    }
    if startups.is_empty() {
        return Some("this run paid for starting its processes".to_string());
    }
    let mean = startups.iter().sum::<f64>() / startups.len() as f64;
    let max = startups.iter().copied().fold(0.0, f64::max);
    Some(format!(
        "this run paid for starting its processes: {} started in {mean:.0} ms on average \
         (at most {max:.0} ms: spawn, load and kernel warm-up)",
        startups.len()
    ))
}

impl Lab {
    fn spawn_process(&mut self, now: f64, lane: usize) {
        let worker = self.new_worker(Role::Process);
        if self.processes.lanes.len() <= lane {
            self.processes.lanes.resize_with(lane + 1, || None);
        }
        self.processes.lanes[lane] = Some(Process {
            worker,
            spawned_at: now,
            ready_at: None,
            task: None,
        });
    }

    /// Warms the pool's first `lanes` processes for a run that must not pay their start-up
    /// beside it (an unattended run: see `Lab::start_up_left`): starts the missing ones and
    /// returns how many are not ready yet.
    pub(super) fn warm_pool(&mut self, now: f64, lanes: usize) -> u32 {
        let mut cold = 0;
        for lane in 0..lanes {
            if self.processes.lanes.get(lane).is_none_or(Option::is_none) {
                self.spawn_process(now, lane);
            }
            cold += u32::from(
                self.processes.lanes[lane]
                    .as_ref()
                    .is_some_and(|p| p.ready_at.is_none()),
            );
        }
        cold
    }

    /// Starts the processes run in flight: its pool's missing processes, then its first tasks.
    pub(super) fn run_processes(&mut self, now: f64) {
        let Some(lanes) = self.running.as_ref().map(|r| r.experiment.lanes() as usize) else {
            return;
        };
        let mut paid_startup = false;
        for lane in 0..lanes {
            if self.processes.lanes.get(lane).is_none_or(Option::is_none) {
                self.spawn_process(now, lane);
            }
            paid_startup |= self.processes.lanes[lane]
                .as_ref()
                .is_some_and(|p| p.ready_at.is_none());
        }
        if let Some(tasks) = self.running.as_mut().and_then(|r| r.processes.as_mut()) {
            tasks.paid_startup = paid_startup;
        }
        self.dispatch_tasks(now);
    }

    /// Gives every idle, ready process of the run's pool its next task.
    fn dispatch_tasks(&mut self, now: f64) {
        let Some(run) = self.running.as_mut() else {
            return;
        };
        let Some(tasks) = run.processes.as_mut() else {
            return;
        };
        let lanes = run.experiment.lanes() as usize;
        let (_, task_iters) = run.experiment.serial_split();
        let since = *tasks.queued_since.get_or_insert(run.started_at);
        let mut queued = Vec::new();
        for (lane, process) in self.processes.lanes.iter_mut().take(lanes).enumerate() {
            let Some(process) = process else { continue };
            if run.stopping || tasks.next_task >= run.experiment.tasks || tasks.serial_out {
                break;
            }
            if process.ready_at.is_none() || process.task.is_some() {
                continue;
            }
            if tasks.serial_left > 0 {
                // The serial part first, alone: every other process waits for it.
                tasks.serial_out = true;
                process.task = Some(TaskRef::Serial);
                self.out.push(Effect::Post(
                    process.worker,
                    ToWorker::Task {
                        run: run.id,
                        task: TaskRef::Serial.index(),
                        work: TaskWork::Cpu,
                        io_ms: run.experiment.io_ms,
                        cpu_iters: tasks.serial_left,
                        sent_at: now,
                    },
                ));
                break;
            }
            let task = tasks.next_task;
            tasks.next_task += 1;
            process.task = Some(TaskRef::Task(task));
            // A task that could not be sent when it was submitted waited for this process.
            if now > since {
                queued.push(Span::new(task, lane as u32, SpanState::Queued, since, now));
            }
            self.out.push(Effect::Post(
                process.worker,
                ToWorker::Task {
                    run: run.id,
                    task,
                    work: run.experiment.kind.task(task),
                    io_ms: run.experiment.io_ms,
                    cpu_iters: task_iters,
                    sent_at: now,
                },
            ));
        }
        let id = run.id;
        if !queued.is_empty() {
            self.stream(id, queued);
        }
    }

    /// A message from a process worker (or from a worker that no longer exists: ignored).
    pub(super) fn on_process_message(&mut self, now: f64, worker: WorkerId, message: FromWorker) {
        let Some(lane) = self.processes.lane_of(worker) else {
            return; // a terminated worker's last words
        };
        match message {
            FromWorker::Ready { .. } => self.process_ready(now, lane),
            FromWorker::TaskDone {
                run,
                task,
                spans,
                result,
                completed,
                sent_at,
            } => {
                let copy = Span::new(task, lane as u32, SpanState::Copy, sent_at, now);
                // The process computed the serial part as a cpu task: it is drawn as the
                // serial part.
                let spans = spans
                    .into_iter()
                    .map(|s| Span {
                        lane: lane as u32,
                        state: match s.state {
                            SpanState::Compute if s.task_ref() == TaskRef::Serial => {
                                SpanState::Serial
                            }
                            state => state,
                        },
                        ..s
                    })
                    .chain([copy])
                    .collect();
                self.task_done(now, lane, run, spans, completed.then_some(result));
            }
            FromWorker::Peeked { value } => self.peeked(lane, value),
            FromWorker::Failed { message, .. } => self.process_crashed(now, worker, &message),
            _ => {}
        }
    }

    fn stream(&mut self, id: RunId, spans: Vec<Span>) {
        if self.running.as_ref().is_some_and(|r| r.id == id) {
            self.show(Update::Progress(id, spans, Vec::new()));
        }
    }

    fn process_ready(&mut self, now: f64, lane: usize) {
        let Some(process) = self.processes.lanes[lane].as_mut() else {
            return;
        };
        process.ready_at = Some(now);
        let spawned_at = process.spawned_at;
        // A process of the run in flight's pool: the run waited for it.
        let in_run = self
            .running
            .as_mut()
            .filter(|r| lane < r.experiment.lanes() as usize)
            .and_then(|r| Some((r.id, r.started_at, r.processes.as_mut()?)));
        if let Some((id, started_at, tasks)) = in_run {
            let start = spawned_at.max(started_at);
            tasks.startups.push(now - spawned_at);
            self.stream(
                id,
                vec![Span::new(
                    TaskRef::Lane.index(),
                    lane as u32,
                    SpanState::Startup,
                    start,
                    now,
                )],
            );
        }
        self.dispatch_tasks(now);
        self.continue_isolation_demo();
        // A run that waited for the pool to be warm.
        self.resume_waiting(now);
    }

    fn task_done(
        &mut self,
        now: f64,
        lane: usize,
        run_id: RunId,
        spans: Vec<Span>,
        result: Option<u64>,
    ) {
        if let Some(p) = self.processes.lanes[lane].as_mut() {
            p.task = None;
        }
        let Some(run) = self.running.as_mut().filter(|r| r.id == run_id) else {
            return;
        };
        let race = run.experiment.kind == Kind::Race;
        let Some(tasks) = run.processes.as_mut() else {
            return;
        };
        let serial = std::mem::take(&mut tasks.serial_out);
        if serial && result.is_some() {
            tasks.serial_left = 0;
            tasks.queued_since = Some(now);
        }
        if let Some(r) = result {
            tasks.done += u32::from(!serial);
            tasks.checksum = tasks.checksum.wrapping_add(r);
            // A race task answers with its process's own counter so far.
            if race {
                if let Some(own) = tasks.own.get_mut(lane) {
                    *own = r;
                }
            }
        }
        self.stream(run_id, spans);
        self.dispatch_tasks(now);
        self.finish_processes_if_idle(now);
    }

    /// Ends the run once every task is back (or, when stopping, every busy process answered).
    fn finish_processes_if_idle(&mut self, now: f64) {
        let Some(run) = self.running.as_ref() else {
            return;
        };
        let Some(tasks) = run.processes.as_ref() else {
            return;
        };
        let all_done = tasks.done >= run.experiment.tasks;
        if self.processes.busy(run.experiment.lanes() as usize) || !(all_done || run.stopping) {
            return;
        }
        let status = if all_done {
            RunStatus::Done
        } else {
            RunStatus::Stopped
        };
        self.end_process_run(now, status, None);
    }

    fn end_process_run(&mut self, now: f64, status: RunStatus, message: Option<String>) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let Some(tasks) = running.processes.take() else {
            return;
        };
        let (id, experiment) = (running.id, running.experiment);
        let report = RunReport {
            streamed: 0,
            experiment,
            status,
            build: Build::Plain,
            started_at: running.started_at,
            wall_ms: now - running.started_at,
            spans: self.view.live_spans(),
            pool_threads: experiment.lanes(),
            paid_startup: tasks.paid_startup,
            tasks_done: tasks.done,
            checksum: tasks.checksum,
            message: message.or_else(|| startup_message(tasks.paid_startup, &tasks.startups)),
            gil_switches: None,
            gil_events: Vec::new(),
            // The parent's counter, read from the page's own memory after the run: no process
            // can reach it, so it is what it was before the run.
            counts: (experiment.kind == Kind::Race).then(|| Counts {
                expected: u64::from(experiment.tasks) * experiment.cpu_iters,
                final_count: self.processes.parent_counter,
                own: tasks.own,
            }),
        };
        self.finish(now, id, report);
    }

    /// Test builds: the first busy process of the run traps, as a bug in it would.
    #[cfg(feature = "test-hooks")]
    pub(super) fn trap_a_process(&mut self) {
        let busy = self
            .processes
            .lanes
            .iter()
            .flatten()
            .find(|p| p.task.is_some())
            .map(|p| p.worker);
        if let Some(worker) = busy {
            self.out.push(Effect::Post(worker, ToWorker::Trap));
        }
    }

    /// Stop: busy processes are asked to cancel (by their shared cancel word where the page is
    /// isolated, by message otherwise); those still busy after the grace period (a cpu task
    /// reads no message) are terminated, and replaced on the next run.
    pub(super) fn stop_processes(&mut self, now: f64) {
        let Some(id) = self.running.as_ref().map(|r| r.id) else {
            return;
        };
        let busy: Vec<WorkerId> = self
            .processes
            .lanes
            .iter()
            .flatten()
            .filter(|p| p.task.is_some())
            .map(|p| p.worker)
            .collect();
        for worker in busy {
            self.out.push(Effect::Cancel(worker, id));
        }
        self.finish_processes_if_idle(now);
    }

    /// The grace period of the processes run in flight is over: terminate every process still
    /// busy.
    pub(super) fn force_stop_processes(&mut self, now: f64) {
        self.terminate_busy_processes();
        self.end_process_run(
            now,
            RunStatus::Stopped,
            Some("busy processes were terminated; they restart on the next run".into()),
        );
    }

    fn terminate_busy_processes(&mut self) {
        for slot in self.processes.lanes.iter_mut() {
            if let Some(p) = slot.take_if(|p| p.task.is_some()) {
                self.out.push(Effect::Terminate(p.worker));
            }
        }
    }

    /// A process worker failed: a run it was part of ends with `error`; the pool restarts.
    pub(super) fn process_crashed(&mut self, now: f64, worker: WorkerId, message: &str) {
        let Some(lane) = self.processes.lane_of(worker) else {
            return;
        };
        let had_task = self.processes.lanes[lane]
            .take()
            .is_some_and(|p| p.task.is_some());
        self.out.push(Effect::Terminate(worker));
        if had_task {
            self.terminate_busy_processes();
            self.end_process_run(
                now,
                RunStatus::Error,
                Some(format!(
                    "process {lane} crashed: {message}; the pool restarts"
                )),
            );
        } else {
            let cause = message.into();
            self.notice(Topic::Processes, Reason::ProcessFailed { cause });
        }
    }

    /// Shows that processes share no memory: writes `value` in process 0 and reads it back
    /// from processes 0 and 1.
    pub(super) fn show_isolation(&mut self, now: f64, value: u64) {
        for lane in 0..2 {
            if self.processes.lanes.get(lane).is_none_or(Option::is_none) {
                self.spawn_process(now, lane);
            }
        }
        self.processes.isolation = Some(IsolationDemo {
            wrote: value,
            read_same: None,
            read_other: None,
        });
        self.processes.isolation_sent = false;
        self.continue_isolation_demo();
    }

    fn continue_isolation_demo(&mut self) {
        let pool = &mut self.processes;
        let (Some(demo), false) = (pool.isolation, pool.isolation_sent) else {
            return;
        };
        let ready = |p: Option<&Option<Process>>| {
            p.and_then(Option::as_ref)
                .filter(|p| p.ready_at.is_some())
                .map(|p| p.worker)
        };
        if let (Some(p0), Some(p1)) = (ready(pool.lanes.first()), ready(pool.lanes.get(1))) {
            pool.isolation_sent = true;
            self.out.extend([
                Effect::Post(p0, ToWorker::Poke { value: demo.wrote }),
                Effect::Post(p0, ToWorker::Peek),
                Effect::Post(p1, ToWorker::Peek),
            ]);
        }
    }

    fn peeked(&mut self, lane: usize, value: u64) {
        let Some(demo) = self.processes.isolation.as_mut() else {
            return;
        };
        match lane {
            0 => demo.read_same = Some(value),
            _ => demo.read_other = Some(value),
        }
        let demo = *demo;
        self.show(Update::Isolation(demo));
    }
}
