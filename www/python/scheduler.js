// <thread-scheduler>: the learner as the scheduler of CPython's threads (`schedule=you`) and the
// page's search for a losing schedule (`schedule=search`). Loaded with CPython, never in the
// first load. The page (Rust) decides; this element shows and reports clicks.
//
//   schedule attr   "you" or "search"
//   step attr       "line" or "instruction"
//   state attr      the paused run as playground/stepping.py writes it (JSON), "" while the run
//                   is not waiting for a pick
//   running attr    present while a run is in flight
//   steps attr      how many picks the next stepped run replays first
//   last-status, last-message, last-report attrs
//                   the last run under this schedule: how it ended, its message and its
//                   schedule report (JSON: picks, a deadlock's cycle, a search's finding)
//
//   schedule-action (detail: "pick N", "back", "clear" or "through STEPS") what the learner
//                   asked: pick thread N, take back the last pick, forget the recorded
//                   schedule, step through the schedule a search found
//
// Each thread's next line is also marked in the page's editor (<python-editor thread-lines>), in
// the thread's colour. Keyboard: the pick buttons keep their focus from one pause to the next,
// so Enter steps the same thread again; each pick is announced with the thread and its line.

const STATES = {
  runnable: "runnable",
  new: "not started",
  waiting: "waiting",
  sleeping: "sleeping",
  finished: "finished",
};
const COLOURS = 6;

const FINDINGS = {
  "lost-update": "a lost update",
  "different-output": "a different output",
  deadlock: "a deadlock",
  none: "nothing",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** `n` and `word`, plural unless one: "1 pick", "3 picks". */
export const counted = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

class ThreadScheduler extends HTMLElement {
  static observedAttributes = ["schedule", "step", "state", "running", "steps", "last-status", "last-message", "last-report"];
  #shown = null;
  /** Where each pick is announced: one element for the element's life, outside what each pause
   * re-renders (a live region inserted with its text already in it is often not read out). */
  #announce = el("p", { class: "visually-hidden", "aria-live": "polite", "data-testid": "pick-announce" });

  /** What each pause re-renders. */
  #view = el("div");

  connectedCallback() {
    if (!this.#view.isConnected) this.append(this.#view, this.#announce);
    this.#render();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  #emit(action) {
    this.dispatchEvent(new CustomEvent("schedule-action", { detail: action, bubbles: true }));
  }

  /** How many picks a schedule as a link writes it holds ("b3ac": 5). */
  #count(steps) {
    return [...steps.matchAll(/[a-z](\d*)/g)].reduce((n, m) => n + (m[1] ? Number(m[1]) : 1), 0);
  }

  /** How the last stepped run ended, in words ("" before any). */
  #outcome(report) {
    const status = this.getAttribute("last-status");
    if (!status || !report) return "";
    const picks = report.picks?.length ?? 0;
    const message = this.getAttribute("last-message") ?? "";
    if (status === "done") return `The program ended after ${counted(picks, "pick")}.`;
    if (status === "stopped") return "Stopped.";
    if (message.startsWith("Deadlock")) {
      const cycle = message.split("\n").find((l) => l.startsWith("The cycle:") || l.startsWith("The waits:"));
      return `Deadlock after ${counted(picks, "pick")}.${cycle ? ` ${cycle}` : ""}`;
    }
    const last = message.trim().split("\n").pop();
    return `The program ended with ${last || "an error"}`;
  }

  #render() {
    const state = parse(this.getAttribute("state"));
    const running = this.hasAttribute("running");
    if (!state && running && this.#shown) {
      // Between a pick and the next pause: the table stays, unpickable, and keeps its focus (a
      // disabled button would lose it, and Enter would step nothing).
      for (const button of this.querySelectorAll("button[data-testid=pick-thread], button[data-testid=step-back]")) button.setAttribute("aria-disabled", "true");
      return;
    }
    const focused = document.activeElement?.closest?.("thread-scheduler") === this ? document.activeElement : null;
    const focusThread = focused?.dataset?.thread ?? (focused?.dataset?.testid === "step-back" ? "back" : null);
    this.#shown = state;
    const schedule = this.getAttribute("schedule") ?? "you";
    const step = this.getAttribute("step") ?? "line";
    const section = el("section", { class: "scheduler", "data-testid": "schedule", "data-schedule": schedule, "aria-labelledby": "scheduler-title" });
    const title = schedule === "search" ? "The page searches for the schedule that loses" : "You are the scheduler";
    section.append(el("h3", { id: "scheduler-title", text: title }));
    const unit = step === "instruction" ? "one bytecode instruction" : "one line";
    section.append(el("p", {
      class: "scheduler-how",
      text: schedule === "search"
        ? `Run runs the program under every schedule within the preemption bound (a preemption: switching away from a thread that could run on; a step is ${unit} of the program), fewest preemptions first, and stops at the first whose result differs from the run without preemption, or that deadlocks. Time is virtual; random is seeded.`
        : `Run pauses each time more than one thread could take the next step (a step is ${unit} of the program; threading and queue run inside the step that calls them). Pick the thread; Back takes a pick back by replaying the ones before it. Time is virtual: a sleeping thread wakes when you pick it.`,
    }));
    if (state) section.append(this.#pauseView(state, schedule));
    else if (running) section.append(el("p", { class: "scheduler-status", text: schedule === "search" ? "Searching…" : "Running to the next choice…" }));
    else {
      const steps = this.#count(this.getAttribute("steps") ?? "");
      if (schedule === "you" && steps > 0) {
        const clear = el("button", { type: "button", class: "secondary small", "data-testid": "clear-steps", text: "Start from the program's start" });
        clear.addEventListener("click", () => this.#emit("clear"));
        section.append(el("p", { class: "scheduler-status", "data-testid": "recorded-steps", "data-picks": steps, text: `Run replays the recorded schedule (${counted(steps, "pick")}), then asks you. ` }, clear));
      } else if (schedule === "you") {
        section.append(el("p", { class: "scheduler-status", text: "Press Run: the program stops at the first moment two threads could run." }));
      }
    }
    const report = parse(this.getAttribute("last-report"));
    const outcome = schedule === "you" ? this.#outcome(report) : "";
    if (outcome && !state && !running) section.append(el("p", { class: "scheduler-outcome", "data-testid": "schedule-outcome", text: outcome }));
    if (schedule === "search" && report?.search && !running) section.append(this.#searchView(report.search));
    this.#view.replaceChildren(section);
    this.#markEditor(state);
    if (focusThread !== null) {
      const again = focusThread === "back"
        ? this.querySelector("[data-testid=step-back]")
        : this.querySelector(`[data-testid=pick-thread][data-thread="${focusThread}"]`) ?? this.querySelector("[data-testid=pick-thread]");
      again?.focus();
    }
  }

  #pauseView(state, schedule) {
    const box = el("div", { class: "scheduler-pause", "data-testid": "paused", "data-picks": state.picks.length, "data-steps": state.steps });
    box.append(el("p", { class: "scheduler-status", text: `Choice ${state.picks.length + 1} (after ${state.steps} steps${state.clock ? `, t = ${state.clock.toFixed(3)} s` : ""}): which thread takes the next step?` }));
    const table = el("table", { class: "threads-table" });
    table.append(el("thead", {}, el("tr", {}, ...["Thread", "State", "Line", "Next step", ""].map((h) => el("th", { scope: "col", text: h })))));
    const body = el("tbody");
    for (const t of state.threads) {
      const touches = [
        t.reads?.length ? `reads ${t.reads.join(", ")}` : "",
        t.writes?.length ? `writes ${t.writes.join(", ")}` : "",
      ].filter(Boolean).join("; ");
      const next = t.what ?? touches;
      const row = el("tr", { "data-thread": t.thread, "data-state": t.state, class: t.thread === state.running ? "running" : null },
        el("th", { scope: "row" }, el("span", { class: `swatch thread-${t.thread % COLOURS}`, "aria-hidden": "true" }), ` ${t.name}`),
        el("td", { text: STATES[t.state] ?? t.state }),
        el("td", { text: t.line ?? "" }),
        el("td", { text: next }),
        el("td"));
      if (t.pickable) {
        const where = t.line ? ` at line ${t.line}` : "";
        const button = el("button", { type: "button", class: "small", "data-testid": "pick-thread", "data-thread": t.thread, "aria-label": `Step ${t.name}${where}`, text: "Step" });
        button.addEventListener("click", () => {
          this.#announce.textContent = `${t.name} takes a step${where}.`;
          this.#emit(`pick ${t.thread}`);
        });
        row.lastChild.append(button);
      }
      body.append(row);
    }
    table.append(body);
    box.append(table);
    const globals = Object.entries(state.globals ?? {});
    if (globals.length) {
      box.append(el("p", { class: "scheduler-globals", "data-testid": "shared-globals", text: `Shared: ${globals.map(([n, v]) => `${n} = ${v}`).join(", ")}` }));
    }
    const back = el("button", { type: "button", class: "secondary small", "data-testid": "step-back", disabled: state.picks.length === 0, text: "Back" });
    back.addEventListener("click", () => {
      this.#announce.textContent = "Back: replaying the picks before the last one.";
      this.#emit("back");
    });
    if (schedule === "you") box.append(back);
    return box;
  }

  #searchView(search) {
    const found = FINDINGS[search.found] ?? search.found;
    const box = el("div", { class: "search-result", "data-testid": "search-result", "data-tried": search.tried, "data-found": search.found, "data-bound": search.bound, "data-exhausted": search.exhausted });
    const tried = counted(search.tried, "schedule");
    const bound = search.bound === "all" ? "any number of preemptions, each schedule followed until it reached a state another had reached" : `at most ${counted(search.bound, "preemption")} each`;
    const text = search.found === "none"
      ? `Tried ${search.exhausted ? "all " : ""}${tried} (${bound}${search.exhausted ? "" : ", stopped at the search's limit"}): none changed the result or deadlocked.`
      : `Found ${found} after ${tried} (${bound}): ${search.detail}.`;
    box.append(el("p", { text }));
    if (search.steps) {
      const through = el("button", { type: "button", "data-testid": "step-through", text: "Step through it" });
      through.addEventListener("click", () => this.#emit(`through ${search.steps}`));
      box.append(through);
    }
    return box;
  }

  #markEditor(state) {
    const editor = document.querySelector("python-editor");
    if (!editor) return;
    const lines = state ? state.threads.filter((t) => t.line && t.state !== "finished").map((t) => [t.line, t.thread % COLOURS]) : [];
    editor.setAttribute("thread-lines", JSON.stringify(lines));
  }
}

if (!customElements.get("thread-scheduler")) {
  // Its style comes with it: the page's first load carries none of it.
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("./scheduler.css", import.meta.url).href;
  document.head.append(style);
  customElements.define("thread-scheduler", ThreadScheduler);
}
