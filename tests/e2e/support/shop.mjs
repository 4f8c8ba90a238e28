// A shop on its own origin for the two-origin tests: a tiny static server on 127.0.0.1 (port 0) that serves
// tests/e2e/shop/ (pages, styles, the shop's own scripts) under the shop's Content-Security-Policy, with `{{PAY}}`
// (the payment server's origin), `{{WIDGET_CSS}}` (the release's stylesheet, from dist/manifest.json) and, for the
// pinned page, `{{RELEASE}}`, `{{LOADER_SRI}}` and `{{BUTTON_SRI}}` (a wrong digest with `?digest=wrong`) filled
// in; an inline import map's hash joins the page's script-src, as docs/embedding.md says it must. Its origin is
// http://localhost:<port>: another site than the server's http://127.0.0.1:<port>, as a real shop would be.
import { after } from "node:test";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";

import { serverAndBrowser } from "./suite.mjs";

const root = resolve(import.meta.dirname, "../../..");
const pagesDir = join(root, "tests/e2e/shop");
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript" };

/** What docs/embedding.md tells a shop to allow: the widget's server for scripts (with
 * 'wasm-unsafe-eval' to compile its WebAssembly), styles, API calls, and the sandbox's Amazon pages. */
export function shopPolicy(pay, inlineScripts = []) {
  // A server under a path (`https://pay.example/de`, docs/operations.md#several-shops) is named with a trailing
  // slash: a CSP source with a path and no slash allows that one URL, not the files beneath it.
  if (new URL(pay).pathname !== "/") pay = pay.replace(/\/?$/, "/");
  const hashes = inlineScripts.map((text) => ` 'sha256-${createHash("sha256").update(text).digest("base64")}'`).join("");
  return [
    "default-src 'self'",
    `script-src 'self' ${pay} 'wasm-unsafe-eval'${hashes}`,
    `style-src 'self' ${pay}`,
    `img-src 'self' data: ${pay}`,
    `connect-src 'self' ${pay}`,
    `frame-src ${pay}`,
    `form-action 'self' ${pay}`,
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** The release's files as the manifest lists them. */
export function manifest() {
  return JSON.parse(readFileSync(join(root, "dist/manifest.json"), "utf8"));
}

/** Starts the shop. Resolves with { origin, usePaymentServer(baseUrl), stop() }: the payment server, which must
 * know the shop's origin first (--allowed-origins), is named once it runs. `host` names the shop's origin
 * (`localhost` unless given; `127.0.0.1` for a shop whose payment server is on `localhost`). */
export async function startShop({ host = "localhost" } = {}) {
  const { release, files } = manifest();
  const css = Object.keys(files).find((f) => f.endsWith("/amazon-pay.css"));
  const digest = (name) => files[`/v/${release}/${name}`].integrity;
  // A digest of the right form that no file has.
  const wrong = "sha384-" + createHash("sha384").update("not the bundle").digest("base64");
  let pay = "http://payment-server.invalid";
  let lang = "en";
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://shop");
    const path = url.pathname;
    // /spa/<route>: the single-page shop's one page, whatever the route (its router reads the path).
    const name = path === "/" ? "cart.html" : path.startsWith("/spa/") ? "spa.html" : path.slice(1);
    let body;
    try {
      if (!/^[a-z-]+\.(html|css|js)$/.test(name)) throw new Error("not a shop file");
      body = readFileSync(join(pagesDir, name), "utf8").replace('<html lang="en">', `<html lang="${lang}">`).replaceAll("{{PAY}}", pay).replaceAll("{{WIDGET_CSS}}", pay + css)
        .replaceAll("{{RELEASE}}", release).replaceAll("{{LOADER_SRI}}", digest("widget-init.js"))
        .replaceAll("{{BUTTON_SRI}}", url.searchParams.get("digest") === "wrong" ? wrong : digest("amazon-pay-button.js"));
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(name)],
      "content-security-policy": shopPolicy(pay, [...body.matchAll(/<script type="importmap">([^<]*)<\/script>/g)].map((m) => m[1])),
      "referrer-policy": "strict-origin",
    });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://${host}:${server.address().port}`;
  return {
    origin,
    usePaymentServer(baseUrl) { pay = baseUrl; },
    /** The `<html lang>` every page declares from now on (a page the test fulfils itself would lose the
     * shop's address space, and Chromium would then refuse the payment server on loopback). */
    useLanguage(code) { lang = code; },
    async stop() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * serverAndBrowser (./suite.mjs) for a file whose buyer is on a shop of its own origin: the shop starts first, the
 * server allows its origin and returns to its cart, review and confirmation pages (`pages`: paths on the shop) with
 * `env`, and the shop loads the widget from the server; the shop stops last, after the browser and the server.
 * Returns serverAndBrowser's accessors and `shop()`.
 */
export function serverBrowserAndShop({ pages = { cart: "/cart.html", review: "/review.html", confirmation: "/confirmation.html" }, env = {} } = {}) {
  let shop;
  const suite = serverAndBrowser({
    server: async () => {
      shop = await startShop();
      const returnPages = ["cart", "review", "confirmation"].map((page) => `cv2.${page}=${shop.origin}${pages[page]}`);
      return { args: ["--allowed-origins", shop.origin, "--return-page", returnPages.join(",")], env };
    },
    started: (running) => shop.usePaymentServer(running.baseUrl),
  });
  // Registered after serverAndBrowser's own after hook: runs after it.
  after(async () => {
    await shop?.stop();
  });
  return {
    ...suite,
    shop: () => {
      if (shop === undefined) throw new Error("no shop: serverBrowserAndShop's before hook has not started it");
      return shop;
    },
  };
}
