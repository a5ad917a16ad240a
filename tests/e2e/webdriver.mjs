// A minimal W3C WebDriver client (fetch + JSON), enough to drive Debian's Firefox through
// geckodriver and WebKitGTK's MiniBrowser through WebKitWebDriver: Playwright cannot drive either
// (it needs its own patched builds, which cannot be downloaded here).
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** No WebDriver request may hang the suite: each one fails after this long, saying which. */
const REQUEST_MS = 90_000;

/** `fetch` that gives up after `ms`, naming the request. */
async function bounded(url, init = {}, ms = REQUEST_MS) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  } catch (e) {
    if (e.name === "TimeoutError") throw new Error(`WebDriver request ${init.method ?? "GET"} ${url} got no answer in ${ms} ms`);
    throw e;
  }
}

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Starts `driver` (args end with the port), opens a session with `capabilities`. */
async function startSession(driver, args, capabilities, env = process.env) {
  const port = await freePort();
  const child = spawn(driver, args(port), { stdio: "ignore", env });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await bounded(`${base}/status`, {}, 2_000)).ok) break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  // A session that fails to open (or to take its timeouts) must not leave its driver running.
  try {
    const res = await (await bounded(`${base}/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ capabilities: { alwaysMatch: capabilities } }),
    })).json();
    if (!res.value?.sessionId) { throw new Error(`no ${capabilities.browserName} session: ${JSON.stringify(res.value)}`); }
    const session = `${base}/session/${res.value.sessionId}`;
    // The browser's own limits on a page load and a script, below the client's request limit.
    await bounded(`${session}/timeouts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pageLoad: 60_000, script: 60_000 }) });
    return { driver: child, base: session, version: res.value.capabilities.browserVersion };
  } catch (e) {
    child.kill();
    throw e;
  }
}

/** A browser behind a W3C WebDriver. */
export class WebDriverBrowser {
  /** Debian's Firefox ESR, headless, through geckodriver. */
  static async firefox({ geckodriver, binary }) {
    return Object.assign(new WebDriverBrowser(), await startSession(geckodriver, (port) => ["--port", String(port), "--host", "127.0.0.1"], {
      browserName: "firefox",
      "moz:firefoxOptions": { binary, args: ["-headless"], prefs: {
        "app.update.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
        "toolkit.telemetry.enabled": false, "network.captive-portal-service.enabled": false,
        "browser.safebrowsing.malware.enabled": false, "browser.safebrowsing.phishing.enabled": false,
      } },
    }));
  }

  /**
   * WebKitGTK's MiniBrowser through WebKitWebDriver, on the Xvfb `display` (it has no headless
   * mode). `sharedArrayBuffer` sets JavaScriptCore's option that gives isolated pages
   * SharedArrayBuffer, as Safari does; without it WebKitGTK never does.
   */
  static async webkit({ driver, binary, display, sharedArrayBuffer }) {
    const env = { ...process.env, DISPLAY: display };
    if (sharedArrayBuffer) env.JSC_useSharedArrayBuffer = "1";
    else delete env.JSC_useSharedArrayBuffer;
    return Object.assign(new WebDriverBrowser(), await startSession(driver, (port) => [`--port=${port}`], {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary, args: ["--automation"] },
    }, env));
  }

  async cmd(method, path, body) {
    const res = await (await bounded(this.base + path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    })).json();
    if (res.value && res.value.error) throw new Error(`${res.value.error}: ${res.value.message}`);
    return res.value;
  }

  goto(url) { return this.cmd("POST", "/url", { url }); }
  exec(fn, ...args) { return this.cmd("POST", "/execute/sync", { script: `return (${fn}).apply(null, arguments)`, args }); }
  async click(css) {
    const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return this.cmd("POST", `/element/${Object.values(el)[0]}/click`, {});
  }
  /** Types `text` (WebDriver key codes allowed, e.g. "\uE014" for →) into the element at `css`. */
  async keys(css, text) {
    const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return this.cmd("POST", `/element/${Object.values(el)[0]}/value`, { text });
  }
  /** Polls `fn` in the page until it returns something truthy. */
  async waitFor(fn, args = [], timeout = 30_000) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await this.exec(fn, ...args);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Waits for the table to hold `n` rows and returns the newest row's attributes. */
  newestRow(n) {
    return this.waitFor((n) => {
      const rows = document.querySelectorAll('[data-testid="run"]:not([data-baseline-for])');
      return rows.length >= n && Object.assign({}, rows[0].dataset);
    }, [n], 60_000);
  }
  /** A PNG of the viewport. */
  async screenshot() { return Buffer.from(await this.cmd("GET", "/screenshot"), "base64"); }
  async quit() {
    try { await bounded(this.base, { method: "DELETE" }, 10_000); } finally { this.driver.kill(); }
  }
}
