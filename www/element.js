// <concurrency-playground>: the Concurrency Playground in a course page, in one line.
//
//   <script type="module" src="https://…/element.js"></script>
//   <concurrency-playground tool="async" kind="io" tasks="4" run></concurrency-playground>
//
// The element makes the iframe (with `allow="cross-origin-isolated"`, a title, lazy loading and
// `embed=1`), sizes it to the playground's content, and turns the playground's messages into
// DOM events and Promises. It speaks only the documented message contract (docs/embedding.md), so a
// host that talks to a raw iframe keeps working. No dependencies; served with
// `Access-Control-Allow-Origin: *` so that any origin may load it.
//
// Attributes: `tool`, `kind`, `tasks`, `workers`, `gil`, `io-ms`, `cpu-iters`, `serial`, `lock`, `engine`
// (as the URL's parameters), `run` (run once ready, and again whenever one of them changes), `src` (where the
// playground is hosted; default: this script's folder), `height` (a fixed height in CSS pixels,
// instead of following the content), `title` (the frame's title), and how the lesson shows:
// `predict` (ask for a guess before each run the learner starts), `view` (`compact`: Run, the
// controls `controls` names as URL keys, the timeline and a result line), and CPython's threads
// under a schedule (`schedule`: `you` or `search`, `step`, `steps`: the stepping page, in the
// frame).
// An inline `<script type="text/x-python">` child is the Python program CPython runs
// (`engine="cpython"`): the frame shows it in its editor, and runs it with `run` or `run()`.
// Events: `ready` (detail: {isolated, threads, build, cores, popout}), `run-finished` (detail:
// the run record; a CPython run's holds what its program printed, `output`), `run-rejected`
// (detail: {message, notices}), `prediction` (detail: the record's {guess, measured, error},
// after a run that carried a guess).
// Methods: `run(params, {timeout})` → Promise of the run record (rejected when the frame does not
// answer within the timeout); `ready` → Promise of the ready detail.

const SOURCE = "concurrency-playground";
/** Attribute → parameter name in URLs and messages. */
const PARAMS = {
  tool: "tool", kind: "kind", tasks: "tasks", workers: "workers", gil: "gil",
  "io-ms": "io_ms", "cpu-iters": "cpu_iters", serial: "serial", lock: "lock", engine: "engine",
};
/** Names a script may also use in `run({...})`. */
const ALIASES = { ioMs: "io_ms", cpuIters: "cpu_iters", "io-ms": "io_ms", "cpu-iters": "cpu_iters" };
/** How the lesson shows: attributes that reload the frame with their URL parameter. */
const LESSON = ["predict", "view", "controls", "schedule", "step", "steps"];
const HERE = new URL("./", import.meta.url).href;
/** Before the playground says how tall it is. */
const FIRST_HEIGHT = 480;

/** How long run() waits for the frame, by default: the page's longest runs need its confirmation. */
const RUN_TIMEOUT_MS = 10 * 60_000;

/** `promise`, or a rejection saying `what` after `ms`; `onTimeout` cleans up. */
function within(promise, ms, what, onTimeout = () => {}) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`Not finished: ${what} within ${Math.round(ms)} ms.`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

let requests = 0;
/** A tag the playground repeats in its answer to a run request. */
const newTag = () => `r${++requests}-${Math.random().toString(36).slice(2, 10)}`;

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  :host { display: block; }
  :host([hidden]) { display: none; }
  iframe { display: block; width: 100%; border: 0; transition: height 0.15s ease-out; }
  @media (prefers-reduced-motion: reduce) { iframe { transition: none; } }
`);

/** A fixed height from the `height` attribute, or null. */
function fixedHeight(value) {
  const n = Number(value);
  return value !== null && Number.isFinite(n) && n > 0 ? n : null;
}

export class ConcurrencyPlayground extends HTMLElement {
  static observedAttributes = [...Object.keys(PARAMS), "run", "src", "height", "title", "predict", "view", "controls", "schedule", "step", "steps"];

  #frame = null;
  #origin = null;
  #info = null;
  /** The playground's last reported content height. */
  #contentHeight = null;
  #whenReady;
  #markReady;
  /** Tag → {resolve, reject} of run() calls the playground has not answered yet. */
  #waiting = new Map();
  #runQueued = false;
  #reloadQueued = false;
  #onMessage = (event) => this.#receive(event);

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).adoptedStyleSheets = [sheet];
    this.#newReady();
  }

  connectedCallback() {
    addEventListener("message", this.#onMessage);
    if (!this.#frame) this.#load();
  }

  disconnectedCallback() {
    removeEventListener("message", this.#onMessage);
    this.#drop("the element was removed from the page");
    this.#frame?.remove();
    this.#frame = null;
  }

  attributeChangedCallback(name, before, after) {
    if (!this.#frame || before === after) return;
    if (name === "src" || LESSON.includes(name)) return this.#reloadSoon();
    if (name === "height") return this.#size();
    if (name === "title") return void (this.#frame.title = this.#title());
    if (!(name in PARAMS) && name !== "run") return;
    if (!this.#info) return this.#reloadSoon(); // not ready yet: load the new experiment instead
    if (!this.hasAttribute("run")) {
      // Show the new experiment without running it.
      return this.#post({ source: SOURCE, type: "set", params: this.#attributeParams(), code: this.#code() });
    }
    // Several attributes set in one script turn start one run. It is tagged so that invalid
    // values are rejected (a `run-rejected` event) rather than run clamped.
    if (this.#runQueued) return;
    this.#runQueued = true;
    queueMicrotask(() => {
      this.#runQueued = false;
      this.#post({ source: SOURCE, type: "run", params: this.#attributeParams(), request: newTag(), code: this.#code() });
    });
  }

  /** A Promise of the `ready` detail. */
  get ready() {
    return this.#whenReady;
  }

  /** The iframe (for hosts and tests that need the window itself). */
  get frame() {
    return this.#frame;
  }

  /**
   * Runs an experiment: `params` as in the URL (the keys in `PARAMS`; those in `ALIASES` also
   * work; `prediction`, a guess of its speedup, is compared with the measurement), never
   * waiting for the learner's guess, the element's attributes filling in
   * what `params` leaves out. Resolves with the run record once that run finishes (stopped
   * runs too: see its `status`); rejects with the page's notice when the playground will not
   * run it (an invalid value, threads where the frame has none, a sweep in progress), with a
   * TypeError when `params` is not an object, when the element is removed or reloaded before
   * the answer, and when no answer came within `timeout` ms (default 10 minutes).
   */
  async run(params = {}, { timeout = RUN_TIMEOUT_MS } = {}) {
    if (params !== null && params !== undefined && (typeof params !== "object" || Array.isArray(params))) {
      throw new TypeError(`run() takes an object of parameters, such as { tool: "async" }, not ${Array.isArray(params) ? "an array" : typeof params}`);
    }
    if (!(Number.isFinite(timeout) && timeout > 0)) throw new RangeError("run()'s timeout is a number of milliseconds above 0");
    const started = Date.now();
    await within(this.#whenReady, timeout, "the playground did not say it was ready");
    const merged = this.#attributeParams();
    let code = this.#code();
    for (const [key, value] of Object.entries(params ?? {})) {
      if (key === "code") code = value;
      else merged[ALIASES[key] ?? key] = value;
    }
    const request = newTag();
    const answer = new Promise((resolve, reject) => {
      this.#waiting.set(request, { resolve, reject });
      this.#post({ source: SOURCE, type: "run", params: merged, request, code });
    });
    // A frame that died or hangs never answers: the Promise fails rather than wait forever.
    return within(answer, Math.max(1, timeout - (Date.now() - started)), "the playground did not answer the run", () => this.#waiting.delete(request));
  }

  #newReady() {
    this.#info = null;
    this.#whenReady = new Promise((resolve) => (this.#markReady = resolve));
  }

  #attributeParams() {
    const params = {};
    for (const [attribute, key] of Object.entries(PARAMS)) {
      const value = this.getAttribute(attribute);
      if (value !== null) params[key] = value;
    }
    return params;
  }

  /** The inline Python program, without the indentation it has in the host's HTML. */
  #code() {
    const script = this.querySelector('script[type="text/x-python"]');
    if (!script) return undefined;
    const lines = script.textContent.replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
    const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)[0].length);
    const cut = indents.length ? Math.min(...indents) : 0;
    return lines.map((l) => l.slice(cut)).join("\n") + "\n";
  }

  #src() {
    const url = new URL(this.getAttribute("src") || HERE, document.baseURI);
    const query = new URLSearchParams({ embed: "1", ...this.#attributeParams() });
    // With inline code, the run waits for the code, posted once the frame is ready.
    if (this.hasAttribute("run") && this.#code() === undefined) query.set("run", "1");
    for (const name of LESSON) {
      const value = this.getAttribute(name);
      // `predict` is a flag: present means on.
      if (value !== null) query.set(name, name === "predict" && value === "" ? "1" : value);
    }
    url.search = query.toString();
    url.hash = "";
    return url;
  }

  #title() {
    const p = this.#attributeParams();
    const what = [p.tool, p.kind && `${p.kind} work`, p.tasks && `${p.tasks} tasks`].filter(Boolean);
    return this.getAttribute("title") || `Concurrency Playground${what.length ? `: ${what.join(", ")}` : ""}`;
  }

  /** Several attributes set in one script turn load the frame once. */
  #reloadSoon() {
    if (this.#reloadQueued) return;
    this.#reloadQueued = true;
    queueMicrotask(() => {
      this.#reloadQueued = false;
      if (this.isConnected) this.#load();
    });
  }

  /** Makes (or remakes) the iframe for the current attributes. */
  #load() {
    this.#drop("the playground was reloaded");
    this.#newReady();
    const src = this.#src();
    this.#origin = src.origin;
    const frame = document.createElement("iframe");
    frame.allow = "cross-origin-isolated";
    frame.loading = "lazy";
    frame.title = this.#title();
    frame.src = src.href;
    this.#frame?.remove();
    this.#frame = frame;
    this.#contentHeight = null;
    this.#size();
    this.shadowRoot.append(frame);
  }

  /** A `height` attribute wins over the content's height. */
  #size() {
    const px = fixedHeight(this.getAttribute("height")) ?? this.#contentHeight ?? FIRST_HEIGHT;
    this.#frame.style.height = `${Math.ceil(px)}px`;
  }

  #post(message) {
    this.#frame?.contentWindow?.postMessage(message, this.#origin);
  }

  /** Rejects every run() still waiting. */
  #drop(why) {
    for (const { reject } of this.#waiting.values()) reject(new Error(`Not finished: ${why}.`));
    this.#waiting.clear();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #receive(event) {
    // Only this element's own frame, from where it was loaded: two elements on a page never
    // hear each other, and a frame that navigated elsewhere is not listened to.
    if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== this.#origin) return;
    const data = event.data;
    if (!data || typeof data !== "object" || data.source !== SOURCE) return;
    switch (data.type) {
      case "ready": {
        if (this.#info) return; // once per load
        const { isolated, threads, build, cores, popout } = data;
        this.#info = { isolated, threads, build, cores, popout };
        this.#markReady(this.#info);
        this.#emit("ready", this.#info);
        // The inline program goes to the frame now: shown, and run when `run` says so.
        const code = this.#code();
        if (code !== undefined) {
          const type = this.hasAttribute("run") ? "run" : "set";
          this.#post({ source: SOURCE, type, params: this.#attributeParams(), request: newTag(), code });
        }
        return;
      }
      case "height":
        if (Number.isFinite(data.height) && data.height > 0) {
          this.#contentHeight = data.height;
          this.#size();
        }
        return;
      case "run-finished": {
        const waiting = this.#waiting.get(data.request);
        this.#waiting.delete(data.request);
        waiting?.resolve(data.run);
        this.#emit("run-finished", data.run);
        if (data.run?.prediction) this.#emit("prediction", data.run.prediction);
        return;
      }
      case "run-rejected": {
        const waiting = this.#waiting.get(data.request);
        this.#waiting.delete(data.request);
        const error = new Error(String(data.message));
        error.notices = data.notices;
        waiting?.reject(error);
        this.#emit("run-rejected", { message: data.message, notices: data.notices });
        return;
      }
    }
  }
}

if (!customElements.get("concurrency-playground")) {
  customElements.define("concurrency-playground", ConcurrencyPlayground);
}
