// A static server of the built site for tests that must stop it (offline.test.mjs): the page's
// isolation headers, as the playground's host sends them, and the element's script readable from
// other origins (and kept by the browser for `elementMaxAge` seconds, as static hosts let it).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json",
  ".svg": "image/svg+xml", ".zip": "application/zip", ".py": "text/plain; charset=utf-8",
};

/** Serves `dir` (or only `pages`, path → HTML) on a free port of 127.0.0.1; resolves with its
 * `url` and `close()`, which drops every open connection. */
export async function serve(dir, { pages = {}, elementMaxAge = 0 } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    if (pages[path] !== undefined) {
      res.writeHead(200, { "Content-Type": TYPES[".html"] });
      return res.end(pages[path]);
    }
    const file = normalize(join(dir ?? "/nonexistent", path.endsWith("/") ? `${path}index.html` : path));
    if (!dir || !file.startsWith(normalize(dir))) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = await readFile(file);
      if (path === "/element.js") {
        headers["Access-Control-Allow-Origin"] = "*";
        if (elementMaxAge) headers["Cache-Control"] = `max-age=${elementMaxAge}`;
      }
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
