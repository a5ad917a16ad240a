"""The page's speedup curve on a machine with a browser but no Node.js (a many-core machine with
only python3, say): serves a built site (`cargo xtask dist`) twice, with the page's isolation
headers and bare, drives Chromium over its DevTools pipe (`--remote-debugging-pipe`, no
WebSocket library needed) and measures, as `tests/e2e/bench.mjs` does, wall(sequential) /
wall(tool at W) for the same work at each W: threads (GIL off) on the isolated page, processes
on the bare one, sequential runs measured in turns with each W. Then it clicks the page's own
sweep and reads its points and its measured-cores panel. Prints JSON.

Usage: page_curve.py SITE_DIR CHROMIUM 1,2,4,8,16 [--reps 3]
"""

import argparse
import glob
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# The isolation headers of crates/xtask/src/headers.rs (the CSP and the rest are not needed to
# measure).
ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "cross-origin",
}

# In-page helpers: set the form's fields as a visitor would (input + change events), click Run
# and wait for the newest row on a MutationObserver, not a poll that would take CPU from the
# workers being measured.
HELPERS = r"""
window.__pc = {
  own: '[data-testid="run"]:not([data-baseline-for])',
  set(cfg) {
    for (const [id, v] of Object.entries(cfg)) {
      const el = document.getElementById(id);
      if (!el) throw new Error('no #' + id);
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  },
  frame() { return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); },
  until(test, ms) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = test();
        if (!v) return;
        observer.disconnect(); clearTimeout(timer); resolve(v);
      };
      const observer = new MutationObserver(check);
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('timed out')); }, ms);
      observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
      check();
    });
  },
  async run(cfg) {
    // The button is disabled while the page runs a baseline of its own (after a processes run,
    // say): a click then would do nothing.
    const button = () => document.querySelector('[data-testid="run-button"]');
    await this.until(() => !button().disabled, 120000);
    this.set(cfg);
    await this.frame();
    const before = document.querySelectorAll(this.own).length;
    button().click();
    try {
      await this.until(() => document.querySelectorAll(this.own).length > before, 120000);
    } catch (e) {
      const notice = document.querySelector('[data-testid="notice"]')?.textContent ?? '';
      throw new Error(`no new row after 120 s (${before} rows; notice: ${notice})`);
    }
    return { ...document.querySelector(this.own).dataset };
  },
};
true
"""


class Site(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; `isolated` adds the headers that give it SharedArrayBuffer."""

    isolated = True
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
    }

    def end_headers(self):
        if self.isolated:
            for name, value in ISOLATION.items():
                self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


def serve(site, isolated):
    handler = type("Handler", (Site,), {"isolated": isolated})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=site)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


class Browser:
    """Chromium driven over the DevTools pipe: commands on fd 3, answers on fd 4, NUL-separated."""

    def __init__(self, chromium, extra_flags=()):
        cmd_read, self.cmd_write = os.pipe()
        self.answer_read, answer_write = os.pipe()

        def child():
            a, b = os.dup(cmd_read), os.dup(answer_write)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.profile = tempfile.mkdtemp(prefix="page-curve-")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--no-zygote",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-renderer-backgrounding",
                "--disable-background-timer-throttling",
                "--disable-dev-shm-usage",
                *extra_flags,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            close_fds=False,
            preexec_fn=child,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.profile, "stderr.log"), "wb"),
        )
        os.close(cmd_read)
        os.close(answer_write)
        self.buffer = b""
        self.next_id = 0

    def send(self, method, params=None, session=None, timeout=600):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.cmd_write, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.next_id:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer["result"]
            chunk = os.read(self.answer_read, 1 << 20)
            if not chunk:
                log = open(os.path.join(self.profile, "stderr.log"), errors="replace").read()
                raise RuntimeError(f"Chromium closed its pipe during {method}:\n{log[-3000:]}")
            self.buffer += chunk
        raise TimeoutError(method)

    def version(self):
        return self.send("Browser.getVersion")["product"]

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        page.send("Page.enable")
        page.send("Page.navigate", {"url": url})
        page.wait("document.documentElement.dataset.ready === 'true'", 60)
        page.eval(HELPERS)
        return page

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        self.proc.wait(timeout=20)


class Page:
    def __init__(self, browser, session, target):
        self.browser, self.session, self.target = browser, session, target

    def close(self):
        self.browser.send("Target.closeTarget", {"targetId": self.target})

    def send(self, method, params=None, timeout=600):
        return self.browser.send(method, params, self.session, timeout)

    def eval(self, expression, timeout=600):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def wait(self, condition, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if self.eval(condition):
                    return
            except RuntimeError:
                pass  # the document is still being replaced
            time.sleep(0.1)
        raise TimeoutError(condition)

    def text(self, testid):
        return self.eval(f"document.querySelector('[data-testid=\"{testid}\"]')?.textContent ?? ''")

    def run(self, cfg):
        row = self.eval(f"window.__pc.run({json.dumps(cfg)})")
        for key in ("tool", "workers", "tasks"):
            if key in cfg and key in row and str(row[key]) != str(cfg[key]):
                raise RuntimeError(f"asked for {cfg}, the page ran {row}")
        if row.get("status") != "done":
            raise RuntimeError(f"the run did not finish: {row}")
        return float(row["wallMs"])


def ns_per_iter(text):
    for word, following in zip(text.split(), text.split()[1:]):
        if following == "ns":
            return float(word)
    raise ValueError(f"no 'ns per iteration' in {text!r}")


def curve(page, tool, calibration, workers, reps, extra):
    """wall(sequential)/wall(tool at w), 2 × max(workers) tasks of ~50 ms, in turns."""
    tasks = 2 * max(workers)
    iters = round(50e6 / ns_per_iter(page.text(calibration)))
    base = {"kind": "cpu", "tasks": tasks, "cpu_iters": iters, "serial": ""}
    points = []
    for w in workers:
        sequential = {**base, "tool": "sequential"}
        parallel = {**base, "tool": tool, "workers": w, **extra}
        page.run(sequential)
        page.run(parallel)
        s, t = [], []
        for _ in range(reps):
            s.append(page.run(sequential))
            t.append(page.run(parallel))
        ratios = [a / b for a, b in zip(s, t)]
        points.append(
            {
                "workers": w,
                "speedup": statistics.median(ratios),
                "min": min(ratios),
                "max": max(ratios),
                "sequential_ms": statistics.median(s),
                "tool_ms": statistics.median(t),
            }
        )
        print(f"  {tool} W={w}: {points[-1]['speedup']:.2f}x", file=sys.stderr)
    return {"tasks": tasks, "cpu_iters": iters, "points": points}


def sweep(page):
    """The page's own sweep, and what its machine panel then says of the cores."""
    page.eval("window.__pc.set({ kind: 'cpu', cpu_iters: '' }); true")
    page.eval("document.querySelector('[data-testid=\"sweep-button\"]').click(); true")
    page.eval(
        "window.__pc.until(() => { const b = document.querySelector('[data-testid=\"sweep-button\"]');"
        " return b && !b.disabled && document.querySelectorAll('[data-testid=\"speedup-point\"]').length > 0; }, 600000)"
    )
    points = page.eval(
        "[...document.querySelectorAll('[data-testid=\"speedup-point\"]')].map((p) =>"
        " ({ series: p.dataset.series, workers: Number(p.dataset.workers), speedup: Number(p.dataset.speedup) }))"
    )
    return {"points": points, "reported": page.text("cores"), "measured": page.text("cores-measured")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("chromium")
    parser.add_argument("workers")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--tools", default="threads,sweep,processes")
    parser.add_argument("--flag", action="append", default=[], help="one more Chromium flag")
    parser.add_argument("--out", help="also write the JSON here after each step")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    tools = args.tools.split(",")
    isolated, bare = serve(args.site, True), serve(args.site, False)
    browser = Browser(args.chromium, args.flag)
    out = {"browser": browser.version(), "cores": os.cpu_count(), "workers": workers}
    page = browser.open(isolated + "?io_ms=50")
    out["hardware_concurrency"] = page.eval("navigator.hardwareConcurrency")
    page.wait("document.documentElement.dataset.threads === 'ready'", 60)
    out["pool"] = page.text("pool-threads")
    save(out, args.out)
    if "threads" in tools:
        out["threads"] = curve(page, "threads", "calibration-atomics", workers, args.reps, {"gil": "off"})
        save(out, args.out)
    if "sweep" in tools:
        out["sweep"] = sweep(page)
        save(out, args.out)
    page.close()
    if "processes" in tools:
        plain = browser.open(bare + "?io_ms=50")
        out["processes"] = curve(plain, "processes", "calibration-plain", workers, args.reps, {})
        save(out, args.out)
    browser.close()
    save(out, args.out)
    print(json.dumps(out))


def save(out, path):
    """Writes what has been measured so far, so that a step that fails leaves the others."""
    if path:
        with open(path, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        for log in glob.glob(os.path.join(tempfile.gettempdir(), "page-curve-*", "stderr.log")):
            print(f"--- {log}:\n" + open(log, errors="replace").read()[-3000:], file=sys.stderr)
        raise
