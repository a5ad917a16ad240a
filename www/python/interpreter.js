// How a CPython of this site starts, in CPython's worker and in each process of its pool:
// Pyodide from the site's own pyodide/ folder (never a CDN), and the harness, the `playground`
// package, written into the interpreter's home folder, where `from playground import timed`
// finds it.
import { loadPyodide } from "../pyodide/pyodide.mjs";

/** The harness's modules (www/python/playground/, copied as they are into the site). */
export const HARNESS = ["__init__.py", "aio.py", "harness.py", "pool.py", "process.py", "queues.py", "slate.py", "stepping.py", "threads.py"];

/** Loads CPython and the harness; resolves with Pyodide's interface to it. */
export async function startCpython() {
  // String hashing is fixed (`PYTHONHASHSEED=0`): a set's order, and so what a program prints,
  // is the same on every visit, which a recorded schedule's replay relies on.
  const pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href, env: { PYTHONHASHSEED: "0" } });
  const sources = await Promise.all(
    HARNESS.map(async (name) => {
      const response = await fetch(new URL(`./playground/${name}`, import.meta.url));
      if (!response.ok) throw new Error(`playground/${name}: ${response.status}`);
      return [name, await response.text()];
    }),
  );
  pyodide.FS.mkdirTree("/home/pyodide/playground");
  for (const [name, source] of sources) pyodide.FS.writeFile(`/home/pyodide/playground/${name}`, source);
  return pyodide;
}
