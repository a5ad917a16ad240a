// A minimal W3C WebDriver client (fetch + JSON), enough to drive Debian's Firefox through
// geckodriver: Playwright cannot drive that Firefox (it needs its own patched build, which
// cannot be downloaded here).
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

export class Firefox {
  static async start({ geckodriver, binary }) {
    const port = await freePort();
    const driver = spawn(geckodriver, ["--port", String(port), "--host", "127.0.0.1"], { stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${base}/status`)).ok) break; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    const res = await (await fetch(`${base}/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ capabilities: { alwaysMatch: {
        browserName: "firefox",
        "moz:firefoxOptions": { binary, args: ["-headless"], prefs: {
          "app.update.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
          "toolkit.telemetry.enabled": false, "network.captive-portal-service.enabled": false,
          "browser.safebrowsing.malware.enabled": false, "browser.safebrowsing.phishing.enabled": false,
        } },
      } } }),
    })).json();
    if (!res.value?.sessionId) { driver.kill(); throw new Error(`no Firefox session: ${JSON.stringify(res.value)}`); }
    const ff = new Firefox();
    Object.assign(ff, { driver, base: `${base}/session/${res.value.sessionId}`, version: res.value.capabilities.browserVersion });
    return ff;
  }

  async cmd(method, path, body) {
    const res = await (await fetch(this.base + path, {
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
  async quit() {
    try { await fetch(this.base, { method: "DELETE" }); } finally { this.driver.kill(); }
  }
}
