// A dedicated module worker hosting one instance of the engine. It only loads a build and
// forwards: messages from the page go to the engine's `handle`, whose replies (typed JSON made by
// model::wire::worker, or [json, shared memory]) go back as they are. No JSON is written here.
//   ?build=plain&glue=…&wasm=…   the build without atomics: event loop, sequential, a "process";
//                                it is the page's own module (its JS glue and wasm, named by the
//                                page), whose `main` leaves at once where there is no window
//   ?build=atomics               the atomics build; the page asks it to start its pool
//   &module=posted               the page posts its compiled WebAssembly.Module first: the
//                                worker instantiates it (shared compiled code) instead of
//                                compiling the wasm file again
//   &role=process                a process of the processes pool (no live progress)
const startedAt = performance.timeOrigin + performance.now();
const params = new URL(self.location.href).searchParams;
const build = params.get("build") === "atomics" ? "atomics" : "plain";

let engine = null;
const queue = [];
// The page's cancel word (plain build, isolated pages): a SharedArrayBuffer sent first.
let cancelWord = null;

async function forward(message) {
  try {
    const reply = await engine.handle(String(message));
    if (reply !== undefined) self.postMessage(reply);
  } catch (err) {
    // A trap (panic, out of memory) leaves the instance unusable: raise it as this worker's
    // error event, and the page replaces the worker.
    setTimeout(() => { throw err; });
  }
}

// The page's compiled module, when it posts one (plain build).
let moduleArrived;
const compiledModule = new Promise((resolve) => (moduleArrived = resolve));

self.onmessage = (event) => {
  if (event.data instanceof WebAssembly.Module) {
    moduleArrived(event.data);
  } else if (typeof SharedArrayBuffer !== "undefined" && event.data instanceof SharedArrayBuffer) {
    cancelWord = event.data;
    engine?.share_cancel_word?.(cancelWord);
  } else if (engine) forward(event.data);
  else queue.push(event.data);
};

// A build that fails to load raises this worker's error event (top-level await rejects).
// Only this site's own files: a glue URL from elsewhere is refused.
const own = (name) => {
  const url = new URL(params.get(name) ?? "", self.location.href);
  if (url.origin !== self.location.origin) throw new Error(`${name} must be on this site`);
  return url.href;
};
const module = build === "atomics"
  ? await import("./engine-atomics/engine.js")
  : await import(own("glue"));
// The page posts its module right after starting the worker; should it never arrive, the worker
// compiles the file itself rather than wait forever.
const posted = () => Promise.race([compiledModule, new Promise((resolve) => setTimeout(() => resolve(own("wasm")), 5000))]);
const source = build === "atomics" ? undefined
  : { module_or_path: params.get("module") === "posted" ? await posted() : own("wasm") };
await module.default(source);
engine = module;
if (cancelWord) engine.share_cancel_word?.(cancelWord);
// A process warms its kernel up before it is ready: its first task then runs at the calibrated
// speed, and the warm-up is counted in its start-up.
if (params.get("role") === "process") module.warm_up();
self.postMessage(module.ready_info(startedAt));
// Progress for the live timeline. A plain-build worker busy computing cannot run this timer:
// its timeline then jumps when the task ends, which is exactly the event loop's stall.
if (params.get("role") !== "process") {
  setInterval(() => {
    const progress = module.take_progress();
    if (progress) self.postMessage(progress);
  }, 100);
}
for (const message of queue.splice(0)) forward(message);
