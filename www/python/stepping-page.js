// The stepping page (stepping.html): the learner as the scheduler of real CPython threads
// (`schedule=you`) and the page's search for the interleaving that changes the result or
// deadlocks (`schedule=search`). A page of its own, in JavaScript: the playground's first load
// (its WebAssembly module) carries none of it, and the playground sends `schedule=you|search`
// here (coi.js). It speaks to CPython's worker (worker.js) with protocol.js's messages:
// `run-code` with the schedule to replay (`steps`), `paused` (a choice point: the threads'
// state), `pick`, `cancel`.
//
// URL: `code` (the program, compressed by the editor), `schedule` (`you`, `search`), `step`
// (`line`, `instruction`), `steps` (a recorded schedule, as stepping.py writes it); a link
// never runs by itself. docs/url.md lists them.
import "./editor.js";
import { counted } from "./scheduler.js";

/** What a program starts with when the link brings none: two threads, `counter += 1`. */
const RACE = `import threading
counter = 0

def work():
    global counter
    for _ in range(3):
        counter += 1

threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter", counter)
`;
const SCHEDULES = ["you", "search"];
const STEPS = ["line", "instruction"];
/** The most preemptions a searched schedule may have: stepping.py's MAX_BOUND. */
const MAX_BOUND = "3";
/** How many preemptions a searched schedule may have, or `all`: any number, each schedule
 * followed until it reaches a state another reached. */
const BOUNDS = ["1", "2", MAX_BOUND, "all"];
/** The most characters `steps=` takes: stepping.py's `MAX_STEPS_CHARS`. */
const MAX_STEPS_CHARS = 2000;
/** What the harness echoes as the run's experiment: the page's own fields for a program. */
const EXPERIMENT = { tool: "threads", kind: "cpu", tasks: 1, workers: 1, gil: "on", io_ms: 200, cpu_iters: 1, serial: 0, lock: "off", engine: "cpython" };

const $ = (sel) => document.querySelector(sel);
const editor = $("python-editor");
const scheduler = $("thread-scheduler");
const output = $('[data-testid="python-output"]');
const status = $('[data-testid="python-status"]');
const runButton = $('[data-testid="run-button"]');
const stopButton = $('[data-testid="stop-button"]');
const notices = $('[data-testid="notices"]');

const params = new URL(location.href).searchParams;
const page = {
  schedule: SCHEDULES.includes(params.get("schedule")) ? params.get("schedule") : "you",
  step: STEPS.includes(params.get("step")) ? params.get("step") : "line",
  preemptions: BOUNDS.includes(params.get("preemptions")) ? params.get("preemptions") : "1",
  steps: "",
  code: params.get("code") ?? "",
  running: null,
  /** Back: once the run in flight has stopped, run again. */
  rerun: false,
  lastPause: null,
  /** A pause waits for its pick. */
  waiting: false,
  runs: 0,
};

function notice(param, text) {
  const p = document.createElement("p");
  p.className = "notice";
  p.dataset.param = param;
  p.textContent = text;
  notices.append(p);
}

for (const [key, allowed] of [["schedule", SCHEDULES], ["step", STEPS], ["preemptions", BOUNDS]]) {
  const value = params.get(key);
  if (value !== null && !allowed.includes(value)) notice(key, `${key}="${value.slice(0, 40)}" is not a known value; using the default (${allowed[0]}).`);
}
if (page.schedule === "search" && page.preemptions === "all" && page.step === "instruction") {
  notice("preemptions", `preemptions="all" searches line steps only (halfway through a line a thread holds values no state shows); at instruction steps the search takes at most ${MAX_BOUND}.`);
  page.preemptions = MAX_BOUND;
}
const linked = params.get("steps");
if (linked !== null) {
  if (linked.length <= MAX_STEPS_CHARS && /^([a-z]\d*)+$/.test(linked)) page.steps = linked;
  else notice("steps", `The recorded schedule (steps=) is not one this page wrote (letters, each thread's, and run lengths, at most ${MAX_STEPS_CHARS} characters): Run steps the program from its start.`);
}
if (params.get("run") !== null) notice("run", "A link never runs a program by itself: press Run.");
$("#schedule").value = page.schedule;
$("#step").value = page.step;
$("#preemptions").value = page.preemptions;
/** `model::experiment::params::MAX_ENCODED`: the most characters `code=` may take. */
const MAX_ENCODED = 6000;
if (page.code.length > MAX_ENCODED || (page.code && !/^[A-Za-z0-9_-]+$/.test(page.code))) {
  notice("code", page.code.length > MAX_ENCODED
    ? `The link's code is ${page.code.length} characters, more than the ${MAX_ENCODED} a link may carry; the example program is shown.`
    : "The link's code is not code this page wrote (compressed, URL-safe base64); the example program is shown.");
  page.code = "";
}
if (page.code) editor.setAttribute("code-link", page.code);
else editor.value = RACE;

function showSchedule() {
  scheduler.setAttribute("schedule", page.schedule);
  scheduler.setAttribute("step", page.step);
  scheduler.setAttribute("steps", page.schedule === "you" ? page.steps : "");
  if (page.running) scheduler.setAttribute("running", "");
  else scheduler.removeAttribute("running");
  runButton.disabled = !worker.ready || page.running !== null;
  stopButton.disabled = page.running === null;
}

/** The address of this program and schedule: what the share link and the address bar say. */
function writeUrl() {
  const query = new URLSearchParams();
  query.set("schedule", page.schedule);
  query.set("step", page.step);
  if (page.schedule === "search" && page.preemptions !== "1") query.set("preemptions", page.preemptions);
  if (page.code) query.set("code", page.code);
  if (page.schedule === "you" && page.steps) query.set("steps", page.steps);
  const url = `${location.pathname}?${query}`;
  history.replaceState(null, "", url);
  $('[data-testid="share-link"]').href = url;
}

// --- CPython's worker ---------------------------------------------------------------------------

const worker = { ready: false, stop: null, port: new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "CPython" }) };
if (typeof SharedArrayBuffer === "function" && self.crossOriginIsolated) {
  // Stop writes SIGINT (2) here: CPython raises KeyboardInterrupt at its next check (a search).
  worker.stop = new Int32Array(new SharedArrayBuffer(4));
  worker.port.postMessage(worker.stop.buffer);
}
const post = (message) => worker.port.postMessage(JSON.stringify(message));

worker.port.onmessage = ({ data }) => {
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    return;
  }
  if (message.loading) {
    const { loaded, total } = message.loading;
    status.textContent = `Loading CPython 3.14 (Pyodide) from this site: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
  } else if (message.ready) {
    worker.ready = true;
    const { python_version: version, started_at: at, ready_at: ready } = message.ready;
    status.textContent = `CPython ${version} (Pyodide) loaded in ${((ready - at) / 1000).toFixed(2)} s.`;
    status.dataset.testid = "python-ready";
    showSchedule();
    toHost({ type: "ready", isolated: self.crossOriginIsolated, threads: true, build: "cpython", cores: navigator.hardwareConcurrency, popout: location.href });
  } else if (message.output && message.output.id === page.running) {
    output.textContent += message.output.text;
  } else if (message.paused && message.paused.id === page.running) {
    page.lastPause = message.paused.state;
    page.waiting = true;
    scheduler.setAttribute("state", JSON.stringify(message.paused.state));
  } else if (message.finished && message.finished.id === page.running) {
    finished(message.finished.report, data);
  } else if (message.failed) {
    if (message.failed.id === null || message.failed.id === page.running) {
      output.textContent += `\n${message.failed.message}\n`;
      if (page.running !== null) finished({ status: "error", message: message.failed.message, schedule: null });
      if (message.failed.id === null && !worker.ready) status.textContent = `CPython did not start: ${message.failed.message}`;
    }
  }
};

function run() {
  if (!worker.ready || page.running !== null) return;
  page.runs += 1;
  const id = page.runs;
  page.running = id;
  page.lastPause = null;
  if (worker.stop) Atomics.store(worker.stop, 0, 0);
  output.textContent = "";
  scheduler.removeAttribute("state");
  scheduler.removeAttribute("last-status");
  showSchedule();
  const experiment = { ...EXPERIMENT, schedule: page.schedule, step: page.step, preemptions: page.preemptions === "all" ? "all" : Number(page.preemptions) };
  post({ "run-code": { id, experiment, code: editor.value, steps: page.schedule === "you" ? page.steps : "" } });
}

function stop() {
  if (page.running === null) return;
  const paused = page.waiting;
  page.waiting = false;
  post({ cancel: { id: page.running } });
  // A paused run takes Stop as that message; a running one (a search) at CPython's next check.
  if (worker.stop && !paused) Atomics.store(worker.stop, 0, 2);
}

/** Run `page.running` ended with `report`; `posted` is the worker's message as it came (the run
 * view reads it), absent where the page made the report itself (a failed start). */
function finished(report, posted = null) {
  const id = page.running;
  page.running = null;
  scheduler.removeAttribute("state");
  const schedule = report.schedule ?? null;
  if (page.schedule === "you" && report.status !== "stopped" && schedule?.steps !== undefined && !page.rerun) {
    // Run again replays this interleaving, and the link carries it.
    page.steps = schedule.steps;
  }
  scheduler.setAttribute("last-status", report.status);
  scheduler.setAttribute("last-message", report.message ?? "");
  scheduler.setAttribute("last-report", schedule ? JSON.stringify(schedule) : "");
  addRow(id, report, schedule);
  if (posted) showRun(id, report, posted);
  toHost({ type: "run-finished", request: host.request, run: { id, status: report.status, message: report.message ?? null, schedule: page.schedule, step: page.step, steps: replayed(schedule), search: schedule?.search ?? null, output: output.textContent } });
  host.request = null;
  writeUrl();
  showSchedule();
  if (page.rerun) {
    page.rerun = false;
    run();
  }
}

/** The playground's own view of a run (`run-view`, its WebAssembly: the timeline, the GIL lane and
 * the replay, crates/app/src/run_view.rs), loaded at the first stepped run that has threads to
 * show (and again at the next, if that load failed). */
let runView = null;

/**
 * Shows run `id` as the playground shows a CPython threads run: each thread's lane, the GIL lane
 * (a bar per holding, the waiters' band, a red tick where the holder was made to let go: the
 * learner's pick; grey where it blocked or ended) and the replay. On the wall clock: a stepped
 * run's holdings last as long as the learner took to pick. `report` is read from the worker's
 * message `posted`, which the run view decodes itself, as the playground decodes CPython's.
 */
async function showRun(id, report, posted) {
  const host = $('[data-testid="run-view"]');
  // A search's report is its last try's, not a schedule to look at: "Step through it" shows one.
  if (report.experiment?.schedule !== "you" || !(report.gil_events ?? []).length) return;
  runView ??= import("../run-view/run-view.js").then(async (module) => {
    await module.default();
    return module;
  });
  try {
    const step = report.experiment.step === "instruction" ? "bytecode instruction" : "line";
    const caption = `Run ${id}, stepped by you, one ${step} per step: ${report.wall_ms.toFixed(0)} ms on the wall clock`;
    (await runView).show_run(host, posted, caption);
    host.hidden = false;
  } catch (e) {
    runView = null;
    notice("run-view", `Run ${id}'s timeline could not be drawn: ${e?.message ?? e}`);
  }
}

/** The schedule a run's report replays, as a link writes it: its search's finding, or the
 * stepped run's own picks ("" for none). */
const replayed = (schedule) => (schedule?.search ? schedule.search.steps : schedule?.steps ?? "");

function addRow(id, report, schedule) {
  const row = document.createElement("tr");
  const found = schedule?.search;
  Object.assign(row.dataset, {
    testid: "run", runId: String(id), schedule: page.schedule, step: page.step, status: report.status, steps: replayed(schedule),
    wallMs: report.wall_ms === undefined ? "" : report.wall_ms.toFixed(3),
  });
  if (found) Object.assign(row.dataset, { found: found.found, tried: String(found.tried) });
  const cells = [String(id), page.schedule, page.step, report.status,
    found ? `${found.found} after ${counted(found.tried, "schedule")}` : counted(schedule?.picks?.length ?? 0, "pick")];
  for (const [i, text] of cells.entries()) {
    const cell = document.createElement(i === 0 ? "th" : "td");
    if (i === 0) cell.scope = "row";
    cell.textContent = text;
    row.append(cell);
  }
  $('[data-testid="runs"] tbody').prepend(row);
}

// --- the page's controls ------------------------------------------------------------------------

$('[data-testid="stepping-controls"]').addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
stopButton.addEventListener("click", stop);
$("#schedule").addEventListener("change", (e) => {
  page.schedule = e.target.value;
  writeUrl();
  showSchedule();
});
$("#preemptions").addEventListener("change", (e) => {
  page.preemptions = e.target.value;
  writeUrl();
});
$("#step").addEventListener("change", (e) => {
  page.step = e.target.value;
  // A schedule is the picks of one kind of step: another kind starts from the program's start.
  page.steps = "";
  writeUrl();
  showSchedule();
});
editor.addEventListener("code-link", (e) => {
  page.code = e.detail;
  writeUrl();
});
editor.addEventListener("code-link-error", (e) => notice("code", `The link's code could not be read (${e.detail}); the example program is shown.`));

scheduler.addEventListener("schedule-action", ({ detail }) => {
  const [verb, rest = ""] = String(detail).split(" ");
  if (verb === "pick" && page.running !== null && page.waiting) {
    // One pick per pause: a second press before the next pause picks nothing.
    page.waiting = false;
    scheduler.removeAttribute("state");
    post({ pick: { id: page.running, thread: Number(rest) } });
  } else if (verb === "back" && page.running !== null && page.waiting) {
    // Back: the picks but the last are the schedule; the run stops and replays them.
    page.steps = page.lastPause.back;
    page.rerun = true;
    stop();
  } else if (verb === "clear") {
    page.steps = "";
    writeUrl();
    showSchedule();
  } else if (verb === "through" && page.running === null) {
    page.schedule = "you";
    $("#schedule").value = "you";
    page.steps = rest;
    writeUrl();
    run();
  }
});

// --- in a course page's frame (<concurrency-playground schedule="…">) ---------------------------

const SOURCE = "concurrency-playground";
const framed = window.parent !== window;
const host = { request: null };
function toHost(message) {
  if (framed) window.parent.postMessage({ source: SOURCE, ...message }, "*");
}
if (framed) {
  document.documentElement.classList.add("embed");
  new ResizeObserver(() => toHost({ type: "height", height: document.documentElement.scrollHeight })).observe(document.body);
  window.addEventListener("message", ({ data, source }) => {
    if (source !== window.parent || !data || data.source !== SOURCE || typeof data.code !== "string") return;
    // The element's inline program: shown, and run when the element says `run`.
    editor.value = data.code.slice(0, 1_000_000);
    host.request = data.request ?? null;
    if (data.type === "run") run();
  });
}

writeUrl();
showSchedule();
document.documentElement.dataset.ready = "true";
