// Diagnostic (not a benchmark): the resource waterfall of one cold load of a page, to see what the button waits for.
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";

const paths = process.argv.slice(2);
const server = await startServer({ env: { RUST_LOG: "amazon_pay_server=error" } });
const browser = await launchBrowser();
function watchButton() {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    new MutationObserver(() => { if (window.__buttonAt === undefined && root.querySelector(".amazonpay-button-view1")) window.__buttonAt = performance.now(); }).observe(root, { childList: true, subtree: true });
    return root;
  };
}
try {
  for (let round = 0; round < 4; round++) for (const path of paths) {
    const context = await browser.newContext();
    await context.addInitScript(watchButton);
    const page = await context.newPage();
    await page.goto(server.baseUrl + path, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__buttonAt, null, { timeout: 15000, polling: 10 });
    const r = await page.evaluate(() => ({
      button: window.__buttonAt,
      nav: performance.getEntriesByType("navigation").map((n) => [n.responseEnd, n.domInteractive, n.domContentLoadedEventEnd]),
      res: performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, ""), Math.round(e.startTime), Math.round(e.responseEnd), e.initiatorType]),
    }));
    if (round === 3) {
      console.log(`\n${path}: button at ${r.button.toFixed(1)} ms; nav responseEnd/domInteractive/DCL ${r.nav[0].map((x) => x.toFixed(1)).join(" / ")}`);
      for (const [n, s, e, t] of r.res) console.log(`  ${String(s).padStart(5)} → ${String(e).padStart(5)}  ${t.padEnd(10)} ${n}`);
    } else console.log(path, r.button.toFixed(1));
    await context.close();
  }
} finally { await browser.close(); await server.stop(); }
