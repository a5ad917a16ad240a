// A module worker hosting the insight module (crates/insight), which explains finished runs and
// writes the trace file. It only loads the module and forwards: each message from the page is a
// request (model::wire::insight) and gets the module's answer; no JSON is written here. The page
// starts it after its first run, so the module is no part of the page's first load.
let insight = null;
const queue = [];
const answer = (request) => self.postMessage(insight.handle(String(request)));
self.onmessage = (event) => (insight ? answer(event.data) : queue.push(event.data));
// A module that fails to load raises this worker's error event (top-level await rejects).
const module = await import("./insight/insight.js");
await module.default();
insight = module;
for (const request of queue.splice(0)) answer(request);
