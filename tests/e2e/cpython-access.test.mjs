// CPython's panel on a phone and by keyboard: at 360 px the editor's long lines scroll inside the
// editor, never the page, and the load line stays whole; axe-core finds nothing serious on the
// CPython page, full and compact, after a run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { EDITOR, PYTHON_LOAD_MS, launch, open, pythonReady, runOnce } from "./lib.mjs";

const require = createRequire(import.meta.url);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

/** How far the page sticks out sideways, px (0 when it does not). */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test("at 360 px with CPython picked nothing sticks out sideways: the editor's long lines scroll inside it", async () => {
  const { page, context, errors } = await open(browser, "?engine=cpython&tool=async&kind=io&tasks=2&io_ms=40", { contextOptions: PHONE });
  const loading = await page.waitForSelector('[data-testid="python-loading"]', { timeout: PYTHON_LOAD_MS });
  assert.ok((await overflow(page)) <= 0, `while CPython loads the page is ${await overflow(page)} px wider than the phone`);
  // The load line is whole: it wraps inside the page instead of running off its edge.
  const line = await loading.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return { right: box.right, width: window.innerWidth };
  });
  assert.ok(line.right <= line.width, `the load line ends at ${line.right} px of ${line.width}`);
  await pythonReady(page);
  const row = await runOnce(page);
  assert.equal(row.status, "done");
  assert.ok((await overflow(page)) <= 0, `with the editor and a run the page is ${await overflow(page)} px wider than the phone`);
  // The program's long lines are there, and scroll inside the editor.
  const scroller = await page.evaluate((sel) => {
    const s = document.querySelector(sel).shadowRoot.querySelector(".cm-scroller");
    return { scroll: s.scrollWidth, client: s.clientWidth, right: s.getBoundingClientRect().right };
  }, EDITOR);
  assert.ok(scroller.scroll > scroller.client, `the editor scrolls sideways (${scroller.scroll} px in ${scroller.client})`);
  assert.ok(scroller.right <= 360, `the editor ends at ${scroller.right} px`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("CPython's page, full and compact, after a run: no serious or critical accessibility violation (axe-core), and a level-one heading", async () => {
  for (const query of ["?engine=cpython&tool=async&kind=io&tasks=2&io_ms=40", "?embed=1&view=compact&engine=cpython&tool=async&kind=io&tasks=2&io_ms=40"]) {
    const { page, errors, context } = await open(browser, query, { contextOptions: { bypassCSP: true } });
    if (query.includes("view=compact")) {
      // The compact view has no CPython panel and no runs table: a run waits for CPython, and
      // the result line tells when it ended.
      await page.click('[data-testid="run-button"]');
      // (A sequential baseline may run first: the line about the async run is the one awaited.)
      await page.waitForFunction(() => /async took \d+ ms/.test(document.querySelector('[data-testid="result-line"]').textContent), null, { timeout: PYTHON_LOAD_MS });
    } else {
      await pythonReady(page);
      const row = await runOnce(page);
      assert.equal(row.status, "done", query);
    }
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "page-has-heading-one");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`), [], query);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("by keyboard, Tab reaches the editor's text, and Escape then Tab leaves it", async () => {
  const { page, errors, context } = await open(browser, "?engine=cpython&tool=async&kind=io&tasks=2&io_ms=40");
  await pythonReady(page);
  await page.focus("#engine");
  const inEditor = () => page.evaluate((sel) => document.querySelector(sel).shadowRoot.activeElement?.classList.contains("cm-content") ?? false, EDITOR);
  let tabs = 0;
  while (!(await inEditor()) && tabs < 40) {
    await page.keyboard.press("Tab");
    tabs += 1;
  }
  assert.ok(await inEditor(), "Tab reached the editor");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  assert.equal(await inEditor(), false, "Escape, then Tab, leaves it");
  assert.deepEqual(errors, []);
  await context.close();
});
