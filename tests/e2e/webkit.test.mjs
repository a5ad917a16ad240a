// The core claims again in WebKit, Safari's engine, as Debian ships it (WebKitGTK's MiniBrowser
// through WebKitWebDriver on an Xvfb display that xtask starts). WebKitGTK keeps
// SharedArrayBuffer off even on isolated pages; Safari gives it to them. So the suite runs
// WebKit twice: with JavaScriptCore's SharedArrayBuffer option (Safari's behaviour: threads run)
// and without it (the page must say why threads are off). Skipped, with the reason printed,
// when xtask could not provide WebKit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpus } from "node:os";
import { BARE, BASE, claim, measuredPoints } from "./lib.mjs";
import { badUrlExplained, coldPoolsReported, errorsShown as errorsShownOn, ioOverlaps, plainHostDegrades, ready as readyOn, stopAnswers, text, threadsBeatOneThread } from "./webdriver-claims.mjs";
import { WebDriverBrowser } from "./webdriver.mjs";

const { WEBKIT_DRIVER, WEBKIT_BINARY, WEBKIT_DISPLAY } = process.env;
const skip = !(WEBKIT_DRIVER && WEBKIT_BINARY && WEBKIT_DISPLAY) && "WebKit unavailable (see the SKIP line above)";
if (skip) console.log(`# SKIP WebKit: ${skip}`);
const options = { driver: WEBKIT_DRIVER, binary: WEBKIT_BINARY, display: WEBKIT_DISPLAY };
let wk;
before(async () => {
  if (skip) return;
  wk = await WebDriverBrowser.webkit({ ...options, sharedArrayBuffer: true });
  console.log(`WebKitGTK ${wk.version}`);
});
after(async () => { await wk?.quit(); });

const ready = (b = wk) => readyOn(b);
const errorsShown = (b = wk) => errorsShownOn(b);

test("WebKit: isolated page, io waits overlap with async", { skip }, async () => {
  await ioOverlaps(wk, "WebKit");
  assert.equal(await wk.exec(() => typeof SharedArrayBuffer), "function");
  // To look at: the page as WebKit draws it.
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) {
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/webkit.png`, await wk.screenshot());
  }
});

test("WebKit: threads beat one thread on cpu work (SharedArrayBuffer as in Safari)", { skip }, () => threadsBeatOneThread(wk, "WebKit"));

test("WebKit: reported cores are labelled as reported; the sweep measures the real parallelism", { skip }, async () => {
  await wk.goto(new URL("?kind=cpu&io_ms=30", BASE).href);
  await ready();
  const reported = Number(await text(wk, "cores"));
  assert.equal(reported, await wk.exec(() => navigator.hardwareConcurrency));
  assert.match(await text(wk, "cores-measured"), /measured: —/);
  await wk.waitFor(() => /^\d+ pool threads$/.test(document.querySelector('[data-testid="pool-threads"]').textContent));
  // Each sweep point is one run, and WebKit's runs vary by a third from one to the next (a
  // one-worker point 1.07× in one sweep, 1.38× in the next): what the page calls the measured
  // parallelism is a timing, held to the cores there are as a claim, each sweep reported.
  const cores = cpus().length;
  // Bounded by the machine: what the page calls the measured parallelism is real parallelism,
  // and not more than the cores there are allow (a slow baseline would make it so).
  await claim(`WebKit sweep: measured parallelism within 1.2× and the machine's ${cores} cores × 1.25`, async () => {
    await wk.click('[data-testid="sweep-button"]');
    await wk.waitFor(() => {
      const b = document.querySelector('[data-testid="sweep-button"]');
      return b && !b.disabled && document.querySelectorAll('[data-testid="speedup-point"]').length > 0;
    }, [], 180_000);
    const points = await wk.exec(() => [...document.querySelectorAll('[data-testid="speedup-point"]')].map((p) => ({ ...p.dataset })));
    // Parallelism, not a slow baseline: a point faster than its workers allow is left out, and so
    // is a whole series whose one-worker point is not within 10 % of 1× (its baseline ran slow or
    // fast); the page says how many.
    const { kept: possible, leftOut } = measuredPoints(points);
    const shown = await text(wk, "cores-measured");
    if (leftOut) assert.match(shown, new RegExp(`; ${leftOut} point\\(s\\) left out: their baseline ran slow`));
    else assert.doesNotMatch(shown, /left out/);
    console.log(`WebKit reports ${reported} cores on a ${cores}-core machine; ${shown}; points ${points.map((p) => `${p.series} W=${p.workers} ${Number(p.speedup).toFixed(2)}`).join(", ")}`);
    assert.ok(possible.length > 0, "some series kept its baseline");
    const best = Math.max(...possible);
    assert.match(shown, new RegExp(`measured: ${best.toFixed(2)}× at best, with \\d+ workers`));
    return { best };
  }, ({ best }) => best >= 1.2 && best <= cores * 1.25, { show: ({ best }) => `${best.toFixed(2)}× at best` });
});

test("WebKit: the first processes and threads runs after load, measured and reported", { skip }, () => coldPoolsReported(wk, "WebKit"));

test("WebKit: Stop answers within 100 ms for every tool, on an isolated page", { skip }, () => stopAnswers(wk, "WebKit"));

test("WebKit: a bad URL is explained and runs the defaults", { skip }, () => badUrlExplained(wk));

test("WebKit: a plain host runs everything but threads, which explain themselves", { skip: skip || (!BARE && "no bare host") }, () => plainHostDegrades(wk));

test("WebKit without SharedArrayBuffer (WebKitGTK's default): isolated, yet threads are off and say why", { skip }, async () => {
  const bare = await WebDriverBrowser.webkit({ ...options, sharedArrayBuffer: false });
  try {
    await bare.goto(new URL("?tool=threads&kind=cpu&tasks=2&io_ms=50&run=1", BASE).href);
    await ready(bare);
    assert.deepEqual(await bare.exec(() => [self.crossOriginIsolated, typeof SharedArrayBuffer]), [true, "undefined"]);
    assert.equal(await bare.exec(() => document.documentElement.dataset.isolated), "false");
    assert.match(await text(bare, "notice"), /cross-origin isolated, yet this browser gives it no SharedArrayBuffer/);
    assert.equal(await text(bare, "pool-threads"), "unavailable (no SharedArrayBuffer in this browser)");
    // The other tools still run.
    await bare.goto(new URL("?tool=processes&kind=cpu&tasks=2&io_ms=50&run=1", BASE).href);
    await ready(bare);
    const row = await bare.newestRow(1);
    assert.deepEqual([row.tool, row.status, row.build], ["processes", "done", "plain"]);
    assert.equal(await errorsShown(bare), 0);
  } finally {
    await bare.quit();
  }
});
