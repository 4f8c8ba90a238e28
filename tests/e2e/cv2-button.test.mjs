// The demo shop renders the sandbox's Amazon Pay button, served by a real amazon-pay-server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const { server, browser } = serverAndBrowser();

test("the demo cart shows the Amazon Pay button from the sandbox checkout.js", async () => {
  const { page, context, problems } = await newPage(browser());
  await page.addInitScript(() => {
    window.__events = [];
    for (const kind of ["ready", "error"]) {
      document.addEventListener("amazonpay:" + kind, (e) => window.__events.push(e.detail));
    }
  });
  const sessions = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/api/cv2/sessions")) sessions.push(r.postData()); });
  const wasm = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto(server().baseUrl + "/");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await button.getAttribute("role"), "button");
  assert.match(await button.getAttribute("aria-label"), /Amazon Pay/);
  assert.equal(await button.getAttribute("aria-busy"), "false");
  await page.waitForFunction(() => window.__events.length > 0);
  const [detail] = await page.evaluate(() => window.__events);
  assert.equal(detail.kind, "ready");
  assert.match(detail.workorderId, /^WO[A-Z0-9]{14}$/);
  // The workorder is kept for the review page, in case Amazon's return URL lacks it.
  assert.equal(await page.evaluate(() => sessionStorage.getItem("amazonPay.workorderId")), detail.workorderId);
  // The checkout.js that rendered it is the sandbox's, loaded once.
  assert.equal(await page.locator('script[src$="/sandbox/amazon/checkout.js"]').count(), 1);
  // One session request: the loader's (widget-init.js sends it while the wasm loads), taken by the widget, whose
  // own body would have been the same (src/interop/prefetch.rs); the element no longer holds it.
  assert.deepEqual(sessions, ['{"items":[{"sku":"mug","quantity":2},{"sku":"tshirt","quantity":1}],"language":"en"}']);
  assert.equal(await page.evaluate(() => "amazonPayPrefetch" in document.getElementById("amazon-pay")), false);
  // The wasm once (the page's preload, taken by the loader's fetch), and no console warning on a plain page load:
  // Chromium's "integrity attribute is currently ignored" for the wasm's fetch preload was one on every load.
  assert.deepEqual(wasm, ["/amazon-pay-button_bg.wasm"]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the widget sends its own session request when the loader's is not exactly the one it would send", async () => {
  // The loader's request as if it had written its body differently: the widget must not take that answer.
  const { page, context, problems } = await newPage(browser());
  await page.addInitScript(() => {
    Object.defineProperty(HTMLElement.prototype, "amazonPayPrefetch", {
      configurable: true,
      set(prefetch) {
        Object.defineProperty(this, "amazonPayPrefetch", { value: { ...prefetch, body: prefetch.body + " " }, configurable: true });
      },
    });
  });
  const sessions = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/api/cv2/sessions")) sessions.push(r.postData()); });
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto(server().baseUrl + "/");
  await page.locator("#amazon-pay .amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(sessions.length, 2);
  assert.equal(sessions[0], sessions[1]);
  assert.ok(warnings.some((w) => w.includes("differs from the widget's")), warnings.join("\n"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("the widget starts when the server does not send its wasm as application/wasm", async () => {
  // widget-init.js compiles the wasm from the stream while the JS glue is imported; a server with another MIME
  // type makes that fail, and the glue must then get the response and compile the bytes itself.
  const { page, context, problems } = await newPage(browser());
  await page.route("**/amazon-pay-button_bg.wasm", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-type": "application/octet-stream" } });
  });
  await page.goto(server().baseUrl + "/");
  await page.locator("#amazon-pay .amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a cart the server cannot price shows a message instead of a broken button", async () => {
  const { page, context } = await newPage(browser());
  await page.goto(server().baseUrl + "/");
  await page.evaluate(() => {
    const el = document.createElement("div");
    el.id = "bad-cart";
    document.body.append(el);
  });
  // Imported from the page's own origin (an inline <script> would be refused by the demo's CSP).
  await page.evaluate(async () => {
    const { default: init, mount } = await import("/amazon-pay-widget.js");
    await init();
    window.__badWidget = mount(document.getElementById("bad-cart"), { items: [{ sku: "no-such-item", quantity: 1 }], language: "de" });
  });
  const status = page.locator("#bad-cart [role=status]");
  await status.filter({ hasText: /Amazon Pay/ }).waitFor({ timeout: 15_000 });
  assert.match(await status.textContent(), /nicht verfügbar/);
  assert.equal(await page.locator("#bad-cart .amazon-pay-button").isHidden(), true);
  await context.close();
});
