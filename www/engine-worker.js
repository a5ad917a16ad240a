// A dedicated module worker hosting one instance of the engine. Kept tiny on purpose: all logic
// is in Rust (crates/engine); this file only loads the right build and relays messages.
//   ?build=plain               the build without atomics: event loop, sequential, a "process"
//   ?build=atomics&threads=N   the atomics build; its rayon pool of N threads starts when the
//                              page asks (start-pool), after the kernel has been calibrated
const startedAt = performance.timeOrigin + performance.now();
const params = new URL(self.location.href).searchParams;
const build = params.get("build") === "atomics" ? "atomics" : "plain";
const threads = Math.max(1, Math.min(64, Number(params.get("threads")) || 1));

let engine = null;
let exports = null;
let poolStarting = false;
const queue = [];

function fail(message) {
  self.postMessage(JSON.stringify({ type: "failed", id: null, message: String(message) }));
}

async function startPool() {
  if (build !== "atomics" || poolStarting) return;
  poolStarting = true;
  try {
    await engine.initThreadPool(threads);
  } catch (err) {
    return fail(`the thread pool did not start: ${err && err.message ? err.message : err}`);
  }
  // The page stops runs by writing this word of our shared memory directly, because a thread
  // busy computing never reads its messages.
  self.postMessage({ type: "shared-cancel", buffer: exports.memory.buffer, index: engine.cancel_flag_address() / 4 });
  self.postMessage(engine.ready_info(startedAt, true));
}

async function dispatch(message) {
  if (typeof message === "string" && message.includes('"type":"start-pool"')) return startPool();
  try {
    const reply = await engine.handle(String(message));
    if (reply) self.postMessage(reply);
  } catch (err) {
    // A trap (panic, out of memory) ends up here; the page restarts this worker.
    fail(`the engine crashed: ${err && err.message ? err.message : err}`);
  }
}

self.onmessage = (event) => {
  if (engine) dispatch(event.data);
  else queue.push(event.data);
};

try {
  const module = await import(`./engine-${build}/engine.js`);
  exports = await module.default();
  engine = module;
  self.postMessage(module.ready_info(startedAt, build === "plain"));
  // Progress for the live timeline. A plain-build worker busy computing cannot run this timer:
  // its timeline then jumps when the task ends, which is exactly the event loop's stall.
  if (params.get("role") !== "process") {
    setInterval(() => {
      const progress = module.take_progress();
      if (progress) self.postMessage(progress);
    }, 100);
  }
  for (const message of queue.splice(0)) dispatch(message);
} catch (err) {
  fail(`the ${build} engine did not load: ${err && err.message ? err.message : err}`);
}
