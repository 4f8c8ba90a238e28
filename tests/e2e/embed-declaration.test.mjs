// A page that only declares its widgets (`data-amazon-pay-widget`, mounted by the loader static/widget-init.js)
// learns of a declaration the widget refuses through the event it hears every other error by: `amazonpay:error`
// from the declaring element, its `message` saying what to fix (docs/embedding.md), and the console still says it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const WAIT = 15_000;

const { server, browser } = serverAndBrowser();

/** A page of this server's origin that declares `declaration` and records the `amazonpay:error` events it hears. */
const page = (declaration) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>window.__errors = []; document.addEventListener("amazonpay:error", (e) => window.__errors.push({ id: e.target.id, detail: e.detail }));</script>
<script type="module" src="/widget-init.js"></script></head><body><div id="declared" data-amazon-pay-widget='${declaration}'></div></body></html>`;

const CASES = [
  // A CV1 page (its one-language bundle) with a misspelt key.
  { declaration: JSON.stringify({ view: "cv1", colour: "Gold" }), message: /colour/ },
  // A language the widget does not have: the message lists the ones it has.
  { declaration: JSON.stringify({ view: "cv1", language: "nl" }), message: /unsupported language "nl": use one of de, en, fr, it, es/ },
  // A button (its own bundle) whose link is not a URL.
  { declaration: JSON.stringify({ view: "button", items: [{ sku: "mug", quantity: 1 }], cartUrl: "http://[" }), message: /"http:\/\/\[" is not a URL/ },
  // Not JSON at all: the bundle with every view reports it.
  { declaration: `{"view": "cv1"`, message: /invalid widget configuration/ },
];

test("a declaration the widget refuses fires amazonpay:error from its element, with what to fix", async () => {
  for (const [i, c] of CASES.entries()) {
    const { page: p, context, problems } = await newPage(browser());
    p.setDefaultTimeout(WAIT);
    await p.route(`${server().baseUrl}/declared-${i}.html`, (route) => route.fulfill({ contentType: "text/html", body: page(c.declaration) }));
    await p.goto(`${server().baseUrl}/declared-${i}.html`);
    await p.waitForFunction(() => window.__errors.length > 0);
    const errors = await p.evaluate(() => window.__errors);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].id, "declared", "from the declaring element");
    assert.equal(errors[0].detail.kind, "error");
    assert.match(errors[0].detail.message, c.message, c.declaration);
    assert.ok(problems.some((line) => line.includes("Amazon Pay widget: cannot mount")), JSON.stringify(problems));
    assert.equal(await p.locator("#declared").innerHTML(), "", "nothing mounted");
    await context.close();
  }
});
