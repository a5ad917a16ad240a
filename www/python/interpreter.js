// How a CPython of this site starts, in CPython's worker and in each process of its pool:
// Pyodide from the site's own pyodide/ folder (never a CDN), and the harness, the `playground`
// package, written into the interpreter's home folder, where `from playground import timed`
// finds it.
//
// CPython's worker starts from a memory snapshot where it can: its first start, where the
// service worker keeps this build's files, loads Pyodide, registers the worker's JavaScript
// modules, imports the harness and writes the interpreter's memory (about 30 MB) into the
// build's cache; later starts restore that memory instead of starting Python and importing the
// harness anew. What follows is the same for both (the harness is warmed up and the page
// calibrates CPython's loop on every start), so "ready" means what it meant.
import { loadPyodide } from "../pyodide/pyodide.mjs";

/** The harness's modules (www/python/playground/, copied as they are into the site). */
export const HARNESS = ["__init__.py", "aio.py", "harness.py", "pool.py", "process.py", "queues.py", "slate.py", "stepping.py", "threads.py"];

/** Where the snapshot lives: a file of the build's cache (coi-sw.js), made by the page, never
 * by the server. */
const SNAPSHOT = new URL("./cpython.snapshot", import.meta.url).href;

/** What every start passes to Pyodide. String hashing is fixed (`PYTHONHASHSEED=0`): a set's
 * order, and so what a program prints, is the same on every visit, which a recorded schedule's
 * replay relies on. */
const OPTIONS = { indexURL: new URL("../pyodide/", import.meta.url).href, env: { PYTHONHASHSEED: "0" } };

/**
 * Loads CPython and the harness; resolves with Pyodide's interface to it, how it started
 * (`from`: "snapshot", "kept" when this start took the snapshot, or "fresh") and, where it took
 * one, `keep`, which writes it into the build's cache (a 30 MB write: the worker calls it once
 * CPython's loop is calibrated, so that the write is no part of the measurement).
 *
 * `snapshot` (CPython's worker only: a process of its pool starts afresh, so that a pool never
 * makes several at once) names the JavaScript modules to register (`modules`, by name) and the
 * Python module to import (`imports`): a restored snapshot has both already, its modules bound
 * to this worker's objects of the same names.
 */
export async function startCpython({ snapshot = null } = {}) {
  const kept = snapshot ? await keptSnapshot() : {};
  let pyodide = null;
  let from = "fresh";
  if (kept.response) {
    try {
      // Read while Pyodide fetches and compiles its WebAssembly.
      const bytes = kept.response.arrayBuffer().then((buffer) => new Uint8Array(buffer));
      pyodide = await loadPyodide({ ...OPTIONS, _loadSnapshot: bytes, _snapshotDeserializer: (name) => snapshot.modules[name] });
      // The snapshot froze `random`'s seed: seeded afresh, as a new process seeds it.
      pyodide.runPython("import random; random.seed()");
      from = "snapshot";
    } catch (error) {
      console.warn("CPython: the kept snapshot did not restore; starting afresh, and keeping a new one:", error);
      pyodide = null;
      kept.cache = await buildCache();
    }
  }
  const making = !pyodide && Boolean(kept.cache);
  if (!pyodide) pyodide = await loadPyodide({ ...OPTIONS, _makeSnapshot: making });
  await writeHarness(pyodide);
  let keep = null;
  if (snapshot && from === "fresh") {
    for (const [name, module] of Object.entries(snapshot.modules)) pyodide.registerJsModule(name, module);
    pyodide.pyimport(snapshot.imports);
    if (making) keep = takeSnapshot(pyodide, kept.cache, snapshot.modules);
    if (keep) from = "kept";
  }
  return { pyodide, from, keep };
}

/** Writes the harness's files (a restored interpreter has its modules, not its files: they are
 * what tracebacks and `linecache` read). */
async function writeHarness(pyodide) {
  const sources = await Promise.all(
    HARNESS.map(async (name) => {
      const response = await fetch(new URL(`./playground/${name}`, import.meta.url));
      if (!response.ok) throw new Error(`playground/${name}: ${response.status}`);
      return [name, await response.text()];
    }),
  );
  pyodide.FS.mkdirTree("/home/pyodide/playground");
  for (const [name, source] of sources) pyodide.FS.writeFile(`/home/pyodide/playground/${name}`, source);
}

/**
 * The kept snapshot (`response`, its body still to read: the service worker answers it from the
 * build's cache), or the build's cache to keep one in (`cache`, see `buildCache`), or neither.
 */
async function keptSnapshot() {
  try {
    const response = await fetch(SNAPSHOT);
    return response.ok ? { response } : { cache: await buildCache() };
  } catch {
    return {};
  }
}

/** The name of the build's cache: the service worker made it, and keeps one cache, its build's
 * (undefined without a service worker: nothing is kept, as nothing else is). */
async function buildCache() {
  if (typeof caches !== "object") return undefined;
  const names = (await caches.keys().catch(() => [])).filter((name) => name.startsWith("playground-"));
  return names.length === 1 ? names[0] : undefined;
}

/**
 * Gives Python the worker's own `js` again after a snapshot was taken: the module, and the names
 * the harness and Pyodide's own modules imported from it (`from js import setTimeout`), which
 * went through the recording proxy (each call through it is slower, and a getter fails).
 */
const REBIND_JS = `
def _rebind_js():
    import sys
    sys.modules.pop("js", None)
    import js
    from pyodide.ffi import JsProxy
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in ("playground", "pyodide", "_pyodide"):
            continue
        for key, value in list(vars(module).items()):
            if isinstance(value, JsProxy) and hasattr(js, key):
                setattr(module, key, getattr(js, key))
_rebind_js()
del _rebind_js
`;

/**
 * Takes the snapshot; returns what writes it into the build's cache, or null where it could not
 * be taken (a JavaScript object Python holds that is none of `modules`). Either way, `js` is
 * then the worker's own global scope again: a start that may make a snapshot reaches
 * JavaScript's globals through Pyodide's recording proxy, which breaks a getter such as
 * `performance`.
 */
function takeSnapshot(pyodide, name, modules) {
  let bytes = null;
  try {
    const names = new Map(Object.entries(modules).map(([key, module]) => [module, key]));
    bytes = pyodide.makeMemorySnapshot({
      serializer(object) {
        if (!names.has(object)) throw new Error(`a JavaScript object the snapshot cannot name: ${object}`);
        return names.get(object);
      },
    });
  } catch (error) {
    console.warn("CPython: no snapshot taken:", error);
  }
  pyodide.registerJsModule("js", globalThis);
  pyodide.runPython(REBIND_JS);
  if (!bytes) return null;
  return () => caches.open(name)
    .then((cache) => cache.put(SNAPSHOT, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } })))
    .catch((error) => console.warn("CPython: the snapshot was not kept:", error));
}
