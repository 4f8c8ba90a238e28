// Faults and hostile input in the browser, against a real amazon-pay-server in sandbox mode: Amazon's script
// failing to load, loading slowly or never; a popup blocker; and a buyer ("mallory") whose name and address
// are markup, which must be shown as text and never run. Every wait is on a condition with a deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkoutToReview, confirmationState, holdCheckoutJs, recordingPage, events, storedOrders } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const WAIT = 20_000;
const SCRIPT = "**/sandbox/amazon/checkout.js";

const { server, browser } = serverAndBrowser();

async function fresh() {
  const opened = await recordingPage(browser(), { timeout: WAIT });
  const dialogs = [];
  opened.page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  return { ...opened, dialogs };
}

/** Serves the demo cart with `scriptTimeoutMs` added to the widget's configuration. */
async function cartWithTimeout(page, ms) {
  await page.route((url) => url.pathname === "/" || url.pathname === "/index.html", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('"placement":"Cart"', `"placement":"Cart","scriptTimeoutMs":${ms}`);
    await route.fulfill({ response, body });
  });
}

/** The button's state once it settled: its status text, whether the button is hidden, the error events. */
async function settledFailure(page) {
  const status = page.locator("#amazon-pay [role=status]");
  await status.filter({ hasText: /\S/ }).waitFor();
  const errors = (await events(page)).filter((e) => e.kind === "error");
  return {
    text: await status.textContent(),
    hidden: await page.locator("#amazon-pay .amazon-pay-button").isHidden(),
    busy: await page.locator("#amazon-pay .amazon-pay-button").getAttribute("aria-busy"),
    errors,
  };
}

test("checkout.js answering 404: a message instead of a broken button, tried twice", async () => {
  const { page, context, problems, dialogs } = await fresh();
  let hits = 0;
  await page.route(SCRIPT, (route) => { hits += 1; return route.fulfill({ status: 404, contentType: "text/plain", body: "Not Found" }); });
  await page.goto(server().baseUrl + "/");
  const failure = await settledFailure(page);
  assert.match(failure.text, /Amazon Pay/, failure.text);
  assert.equal(failure.hidden, true, "no broken button");
  assert.equal(failure.busy, "false");
  assert.equal(failure.errors.length, 1);
  assert.match(failure.errors[0].message, /checkout\.js failed to load/);
  assert.equal(hits, 2, "the loader tries twice");
  assert.equal(await page.locator('script[src$="/sandbox/amazon/checkout.js"]').count(), 0, "failed script tags are removed");
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems.filter((p) => p.startsWith("uncaught")), []);
  await context.close();
});

test("checkout.js that never answers: after the timeout (twice) a message, nothing left loading", async () => {
  const { page, context, dialogs } = await fresh();
  await cartWithTimeout(page, 600);
  let hits = 0;
  // Never fulfilled: the request hangs until the page is closed.
  await page.route(SCRIPT, () => { hits += 1; });
  const started = Date.now();
  await page.goto(server().baseUrl + "/");
  const failure = await settledFailure(page);
  const waited = Date.now() - started;
  assert.equal(failure.hidden, true);
  assert.match(failure.errors[0].message, /did not load within 600 ms/);
  // Tried twice, but Chromium lets the second <script> join the first one's request, still in flight.
  assert.ok(hits >= 1 && hits <= 2, `${hits} requests`);
  assert.ok(waited < 10_000, `the buyer is told within seconds (${waited} ms)`);
  assert.equal(await page.locator('script[src$="/sandbox/amazon/checkout.js"]').count(), 0);
  assert.deepEqual(dialogs, []);
  await context.close();
});

test("checkout.js that is slow: the placeholder holds the place, then the button appears; a first timeout is retried", async () => {
  const { page, context, problems } = await fresh();
  const release = await holdCheckoutJs(page);
  await page.goto(server().baseUrl + "/");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  // While the script is on its way, the button's box is there, busy, with no message.
  await page.waitForFunction(() => document.querySelector("#amazon-pay .amazon-pay-button")?.getAttribute("aria-busy") === "true");
  assert.equal(await page.locator("#amazon-pay [role=status]").textContent(), "");
  release();
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  assert.equal(await button.getAttribute("aria-busy"), "false");
  assert.deepEqual((await events(page)).map((e) => e.kind), ["ready"]);
  assert.deepEqual(problems, []);
  await context.close();

  // Slower than one timeout but not two: the first attempt gives up, the second gets the script (Chromium
  // hands it the same request, which answers during the second attempt). No error reaches the buyer.
  const second = await fresh();
  await cartWithTimeout(second.page, 1_000);
  // The network's slowness: the script arrives 1.5 s after it was asked for.
  await second.page.route(SCRIPT, async (route) => { await new Promise((r) => setTimeout(r, 1_500)); await route.continue(); });
  await second.page.goto(server().baseUrl + "/");
  await second.page.locator("#amazon-pay .amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  assert.deepEqual((await events(second.page)).map((e) => e.kind), ["ready"]);
  await second.context.close();
});

test("a popup blocker changes nothing for Checkout v2: the whole flow stays in the tab", async () => {
  const { page, context, dialogs } = await fresh();
  await context.addInitScript(() => {
    window.__opened = 0;
    window.open = () => { window.__opened += 1; return null; };
  });
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "visa-1111" });
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal(await page.evaluate(() => window.__opened), 0, "no popup was needed");
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  assert.deepEqual(dialogs, []);
  await context.close();
});

/** Elements that markup from upstream could have created inside `selector`, and on the whole page. */
async function injected(page, selector) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const inWidget = root ? [...root.querySelectorAll("img,script,iframe,svg,object,embed,b")].map((e) => e.outerHTML) : ["(no widget)"];
    const onPage = [...document.querySelectorAll("img,iframe,svg,object,embed")].map((e) => e.outerHTML);
    const handlers = [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).map((e) => e.tagName);
    return { inWidget, onPage, handlers, fired: window.__fired ?? [] };
  }, selector);
}

test("mallory's markup from Amazon is shown as text on the review and confirmation pages, never run", async () => {
  const { page, context, dialogs } = await fresh();
  // Anything the markup might call is recorded (and a dialog would be caught by the listener too).
  await context.addInitScript(() => {
    window.__fired = [];
    for (const name of ["alert", "confirm", "prompt"]) window[name] = (m) => { window.__fired.push(`${name}(${m})`); };
  });
  const workorderId = await checkoutToReview(page, server().baseUrl, { buyer: "mallory", instrument: "visa-1111" });
  const name = await page.locator(".amazon-pay-buyer-name").textContent();
  assert.equal(name, "<b>Mallory</b> <script>alert('x')</script>", "the name is the literal text");
  assert.equal(await page.locator(".amazon-pay-buyer-email").textContent(), "mallory+<script>@sandbox.example");
  const address = await page.locator(".amazon-pay-address").first().textContent();
  assert.match(address, /<iframe src=javascript:alert\(3\)>/);
  assert.match(address, /"><svg onload=alert\(2\)>/);
  assert.match(address, /&amp; &lt;/, "entities stay as typed");
  const review = await injected(page, "#amazon-pay-review");
  assert.deepEqual(review, { inWidget: [], onPage: [], handlers: [], fired: [] });

  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const confirmation = await injected(page, "#amazon-pay-confirmation");
  assert.deepEqual(confirmation, { inWidget: [], onPage: [], handlers: [], fired: [] });
  assert.deepEqual(dialogs, []);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  await context.close();
});
