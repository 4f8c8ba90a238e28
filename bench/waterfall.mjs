// Diagnostic (not a benchmark): when each step of one cold load of a page happens, to see what the button waits for.
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";

const paths = process.argv.slice(2);
const server = await startServer({ env: { RUST_LOG: "amazon_pay_server=error" } });
const browser = await launchBrowser();
function instrument() {
  const t = (name) => (window.__t ??= []).push([name, performance.now()]);
  const attach = Element.prototype.attachShadow;
  for (const name of ["text", "json", "arrayBuffer"]) {
    const orig = Response.prototype[name];
    Response.prototype[name] = function (...a) { const u = this.url.replace(location.origin, ""); t("body " + name + " " + u); return orig.apply(this, a).then((x) => { t("body read " + u); return x; }); };
  }
  const ac = Node.prototype.appendChild;
  Node.prototype.appendChild = function (n) { if (n.nodeType === 1 && !window.__firstAppend) { window.__firstAppend = 1; t("first appendChild " + n.tagName); } return ac.call(this, n); };
  Element.prototype.attachShadow = function (init) {
    t("attachShadow");
    const root = attach.call(this, init);
    new MutationObserver(() => { if (window.__buttonAt === undefined && root.querySelector(".amazonpay-button-view1")) { window.__buttonAt = performance.now(); t("button rendered"); console.debug("amazon-pay-bench:rendered"); } }).observe(root, { childList: true, subtree: true });
    return root;
  };
  const f = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input.url ?? input).replace(location.origin, "");
    t("fetch " + url);
    return f.call(this, input, init).then((r) => { t("fetched " + url); return r; });
  };
  for (const name of ["instantiateStreaming", "instantiate", "compileStreaming"]) {
    const orig = WebAssembly[name];
    WebAssembly[name] = function (...args) { t("wasm " + name); return orig.apply(this, args).then((x) => { t("wasm " + name + " done"); return x; }); };
  }
  document.addEventListener("DOMContentLoaded", () => t("DOMContentLoaded"));
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.tagName === "SCRIPT" && n.src) { t("script added " + n.src.replace(location.origin, "")); n.addEventListener("load", () => t("script loaded")); }
  }).observe(document, { childList: true, subtree: true });
}
try {
  for (let round = 0; round < 6; round++) for (const path of paths) {
    const context = await browser.newContext();
    await context.addInitScript(instrument);
    const page = await context.newPage();
    // A console line, not page.waitForFunction: polling makes Playwright evaluate its injected script (about
    // 15 ms of the page's main thread) in the middle of the load it is timing.
    const rendered = page.waitForEvent("console", { predicate: (m) => m.text() === "amazon-pay-bench:rendered", timeout: 15000 });
    await page.goto(server.baseUrl + path, { waitUntil: "commit" });
    await rendered;
    const r = await page.evaluate(() => ({ t: window.__t, nav: performance.getEntriesByType("navigation")[0].responseEnd }));
    if (round >= 4) {
      console.log(`\n${path}: HTML responseEnd ${r.nav.toFixed(1)}`);
      for (const [n, at] of r.t) console.log(`  ${at.toFixed(1).padStart(7)}  ${n}`);
    }
    await context.close();
  }
} finally { await browser.close(); await server.stop(); }
