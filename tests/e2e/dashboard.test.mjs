// The merchant dashboard in real Chromium: an order placed through the demo, then the merchant signs in at
// /merchant/ (a wrong key first), finds the order, captures part of it and refunds part of that (each checked
// before sending and confirmed), and sees the timeline follow: PAYONE's notifications and the webhook
// deliveries to the sandbox's receiver (/sandbox/webhooks, the sandbox's default webhook URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { startServer } from "./support/server.mjs";
import { newPage } from "./support/browser.mjs";
import { checkoutToReview, confirmationState } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const KEY = "e2e-merchant-key-0123456789abcdefghijkl";
const screenshots = resolve(import.meta.dirname, "../../screenshots");

const { server, browser } = serverAndBrowser({ server: { args: ["--merchant-api-keys", KEY] } });

/** The text of the money table's row `name`. */
const amount = (page, name) => page.locator(".amounts tr", { has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) }).locator("td");

test("a merchant signs in, finds the order just placed, captures part, refunds part, and sees the timeline", async () => {
  // The buyer's order, through the demo shop and the sandbox's Amazon pages.
  const orderId = await approvedOrder(server().baseUrl);
  assert.match(orderId, /^O/);

  const { page, context, problems } = await newPage(browser());
  page.setDefaultTimeout(15_000);
  const served = await page.goto(server().baseUrl + "/merchant/");
  const csp = served.headers()["content-security-policy"];
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);

  // A wrong key gets a sentence and is not kept.
  await page.fill("#merchant-key", KEY + "-wrong");
  await page.click("button[type=submit]");
  await page.getByRole("alert").filter({ hasText: "not a merchant API key" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.fill("#merchant-key", KEY);
  await page.click("button[type=submit]");
  await page.locator("table.orders").waitFor();
  // Kept in this tab's sessionStorage only.
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(await page.evaluate(() => document.cookie), "");

  // Found by the buyer's e-mail, then opened.
  await page.fill("#search", "anna.schmidt@sandbox");
  await page.press("#search", "Enter");
  const link = page.locator("a.order-link", { hasText: orderId });
  await link.waitFor();
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: resolve(screenshots, "orders.png") });
  await link.click();
  await page.getByRole("heading", { name: new RegExp(orderId) }).waitFor();
  const total = (await amount(page, "Total").textContent()).trim();
  assert.match(total, /^\d+\.\d\d EUR$/);
  assert.equal((await amount(page, "Captured").textContent()).trim(), "0.00 EUR");
  await page.locator(".items tr", { hasText: "Rust mug" }).locator("td.num", { hasText: /^2$/ }).waitFor();
  await page.locator("address .line", { hasText: "Anna" }).first().waitFor();
  // Two headings once both said "Money": the amounts, and what the merchant can do with them.
  await page.getByRole("heading", { name: "Amounts", exact: true }).waitFor();
  await page.getByRole("table", { name: "Amounts" }).waitFor();
  await page.getByRole("heading", { name: "Capture, refund, cancel", exact: true }).waitFor();
  assert.equal(await page.getByRole("heading", { name: "Money", exact: true }).count(), 0);

  // Capture: an amount above the authorization is refused before sending; 10.00 is confirmed and sent.
  await page.click("text=Capture…");
  await page.fill("#action-amount", "100000");
  await page.click("text=Review");
  // Says how much can be captured and why, not just "more than can be moved".
  await page.getByRole("alert").filter({ hasText: `100000.00 EUR is too much. At most ${total} can be captured: that is what was authorized.` }).waitFor();
  await page.fill("#action-amount", "0");
  await page.click("text=Review");
  await page.getByRole("alert").filter({ hasText: "more than zero" }).waitFor();
  await page.fill("#action-amount", "10.001");
  await page.click("text=Review");
  await page.getByRole("alert").filter({ hasText: "at most 2 decimals" }).waitFor();
  await page.fill("#action-amount", "10.00");
  await page.click("text=Review");
  await page.getByRole("alertdialog").filter({ hasText: "Capture 10.00 EUR?" }).waitFor();
  await page.click("text=Confirm: capture");
  await page.getByRole("status").filter({ hasText: "Captured 10.00 EUR." }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".amounts tr")].some((r) => r.textContent.includes("Captured") && r.textContent.includes("10.00 EUR")));

  // Refund part of it: not more than captured.
  await page.click("text=Refund…");
  await page.fill("#action-amount", "10.01");
  await page.click("text=Review");
  await page.getByRole("alert").filter({ hasText: "10.01 EUR is too much. At most 10.00 EUR can be refunded: that is what was captured." }).waitFor();
  await page.fill("#action-amount", "4");
  await page.fill("#action-reason", "one mug arrived broken");
  await page.click("text=Review");
  await page.getByRole("alertdialog").filter({ hasText: "Refund 4.00 EUR?" }).waitFor();
  await page.click("text=Confirm: refund");
  await page.getByRole("status").filter({ hasText: "Refunded 4.00 EUR." }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".amounts tr")].some((r) => r.textContent.includes("Left to refund") && r.textContent.includes("6.00 EUR")));
  assert.equal((await amount(page, "Refunded").textContent()).trim(), "4.00 EUR");

  // The timeline follows by itself: the merchant's actions, PAYONE's capture and debit notifications, and
  // the webhooks delivered to the sandbox's receiver with their attempts.
  const timeline = page.locator("ol.timeline");
  await timeline.locator(".source-merchant", { hasText: "capture 10.00 EUR" }).waitFor();
  await timeline.locator(".source-merchant", { hasText: "refund 4.00 EUR" }).waitFor();
  await timeline.locator(".source-payone", { hasText: "capture (completed)" }).waitFor();
  await timeline.locator(".source-payone", { hasText: "debit (completed)" }).waitFor();
  const captured = timeline.locator(".source-webhook", { hasText: "order.captured to " + server().baseUrl + "/sandbox/webhooks" });
  await captured.locator(".attempts li", { hasText: "HTTP 200" }).waitFor();
  await timeline.locator(".source-webhook", { hasText: "order.refunded" }).locator(".attempts li", { hasText: "HTTP 200" }).waitFor();

  // The API agrees with the page.
  const order = await (await fetch(`${server().baseUrl}/merchant/api/orders/${orderId}`, { headers: { authorization: `Bearer ${KEY}` } })).json();
  assert.deepEqual([order.amounts.captured, order.amounts.refunded], [1000, 400]);

  await page.screenshot({ path: resolve(screenshots, "order.png"), fullPage: true });

  // The only failed request was the wrong key's 401 (and Chromium's console line about it); no CSP report.
  const wrongKey = (p) => /HTTP 401 .*\/merchant\/api\/orders\?limit=1$/.test(p) || /^console: Failed to load resource: .* 401 \(Unauthorized\)$/.test(p);
  assert.equal(problems.filter(wrongKey).length, 2, problems.join("\n"));
  assert.deepEqual(problems.filter((p) => !wrongKey(p)), []);

  // Another tab (a new context) is not signed in: the key stayed in the first tab.
  const other = await newPage(browser());
  await other.page.goto(server().baseUrl + "/merchant/");
  await other.page.locator("#merchant-key").waitFor();
  await other.context.close();

  // Signing out forgets the key.
  await page.click("text=Sign out");
  await page.locator("#merchant-key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await context.close();
});

test("without merchant API keys there is no dashboard", async () => {
  const off = await startServer();
  try {
    for (const path of ["/merchant/", "/merchant/amazon-pay-dashboard.js", "/merchant/index.html"]) {
      assert.equal((await fetch(off.baseUrl + path)).status, 404, path);
    }
  } finally {
    await off.stop();
  }
});

test("in the list, a slow answer to an earlier search never replaces the answer to a newer one", async () => {
  const orderId = await approvedOrder(server().baseUrl);

  const { page, context, problems } = await newPage(browser());
  page.setDefaultTimeout(15_000);
  await page.goto(server().baseUrl + "/merchant/");
  await page.fill("#merchant-key", KEY);
  await page.click("button[type=submit]");
  await page.locator("a.order-link", { hasText: orderId }).waitFor();

  // The first search's answer is held back until the second search's answer is on the page.
  const SLOW = "nobody-like-this-slow";
  let arrived;
  const slowAsked = new Promise((resolve) => { arrived = resolve; });
  let letGo;
  const held = new Promise((resolve) => { letGo = resolve; });
  await page.route((url) => url.pathname === "/merchant/api/orders" && url.searchParams.get("q") === SLOW, async (route) => {
    arrived();
    await held;
    await route.continue();
  });
  await page.fill("#search", SLOW);
  await page.press("#search", "Enter");
  await slowAsked;
  await page.fill("#search", orderId);
  await page.press("#search", "Enter");
  const link = page.locator("a.order-link", { hasText: orderId });
  await link.waitFor();
  await page.locator("p.muted", { hasText: "Loading" }).waitFor({ state: "detached" });

  // Now the old answer (no orders) comes: it is dropped. Waited for: the response's body in the page, then
  // two turns of the page's event loop and a frame, in which the dashboard would have shown it.
  const slowAnswer = page.waitForResponse((r) => new URL(r.url()).searchParams.get("q") === SLOW);
  letGo();
  await (await slowAnswer).finished();
  await page.evaluate(() => new Promise((resolve) => setTimeout(() => setTimeout(() => requestAnimationFrame(() => resolve()), 0), 0)));
  assert.equal(await link.count(), 1, "the newer search's order is still listed");
  assert.equal(await page.locator("p.empty").count(), 0, "no 'No orders match.' from the older search");
  assert.equal(await page.inputValue("#search"), orderId);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a cancelled order says so in the list and on its page, and the list's Money filter finds it", async () => {
  const buyer = await newPage(browser());
  await checkoutToReview(buyer.page, server().baseUrl);
  await buyer.page.click(".amazon-pay-place-order");
  await confirmationState(buyer.page, "approved");
  const orderId = new URL(buyer.page.url()).searchParams.get("order");

  const { page, context, problems } = await newPage(browser());
  page.setDefaultTimeout(15_000);
  await page.goto(server().baseUrl + "/merchant/");
  await page.fill("#merchant-key", KEY);
  await page.click("button[type=submit]");
  const row = page.locator("table.orders tr", { has: page.locator("a.order-link", { hasText: orderId }) });
  await row.locator(".payment-authorized", { hasText: "Authorized, nothing captured" }).waitFor();
  await row.locator("a.order-link").click();

  await page.click("text=Cancel order…");
  await page.click("text=Review");
  await page.getByRole("alertdialog").filter({ hasText: "Cancel the order and release" }).waitFor();
  await page.click("text=Confirm: cancel order");
  await page.getByRole("status").filter({ hasText: "Cancelled:" }).waitFor();
  // The state stays what PAYONE reported; the money's badge beside it says what the merchant did.
  const heading = page.getByRole("heading", { name: new RegExp(orderId) });
  await heading.locator(".payment-cancelled", { hasText: "Cancelled (released)" }).waitFor();
  assert.equal((await heading.locator(".state-approved").textContent()).trim(), "approved");

  await page.click("text=← All orders");
  await page.selectOption("#payment", "cancelled");
  await page.locator("p.muted", { hasText: "Loading" }).waitFor({ state: "detached" });
  await row.locator(".payment-cancelled").waitFor();
  const listed = await page.locator("table.orders tbody .state[class*=payment-]").allTextContents();
  assert.ok(listed.length >= 1 && listed.every((t) => t === "Cancelled (released)"), listed.join(", "));
  await page.selectOption("#payment", "authorized");
  await page.locator("p.muted", { hasText: "Loading" }).waitFor({ state: "detached" });
  assert.equal(await page.locator("a.order-link", { hasText: orderId }).count(), 0, "no longer listed as authorized");
  assert.deepEqual(problems, []);
  await context.close();

  // The buyer who reopens the confirmation page reads that the shop cancelled, in the page's language (a
  // German shop's), not "approved"; the state stays PAYONE's and the way back to the cart is offered.
  await buyer.page.route(/\/confirmation\.html/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace('<html lang="en">', '<html lang="de">') });
  });
  await buyer.page.reload();
  const state = buyer.page.locator('.amazon-pay-order-state[data-payment="cancelled"]');
  await state.waitFor();
  assert.equal(await state.getAttribute("data-state"), "approved");
  assert.equal(
    await state.textContent(),
    "Der Shop hat diese Bestellung storniert. Es wurde nichts belastet, der bei Amazon Pay reservierte Betrag ist freigegeben.",
  );
  assert.ok(await buyer.page.locator(".amazon-pay-confirmation a", { hasText: "Zurück zum Warenkorb" }).isVisible());
  assert.deepEqual(buyer.problems, []);
  await buyer.context.close();
});

/** An Amazon Pay direct order placed over HTTP as the widget and the sandbox's Amazon pages would: its id. */
/** A buyer's Checkout v2 order on `base`, approved (visa-1111): its id. */
async function approvedOrder(base) {
  const buyer = await newPage(browser());
  await checkoutToReview(buyer.page, base);
  await buyer.page.click(".amazon-pay-place-order");
  await confirmationState(buyer.page, "approved");
  const orderId = new URL(buyer.page.url()).searchParams.get("order");
  await buyer.context.close();
  return orderId;
}

async function amazonOrder(base) {
  const form = (path, fields) => fetch(base + path, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields), redirect: "manual",
  });
  const json = { "content-type": "application/json" };
  const button = await (await fetch(base + "/api/cv2/sessions", {
    method: "POST", headers: json, body: JSON.stringify({ items: [{ sku: "mug", quantity: 2 }], language: "en" }),
  })).json();
  const signin = await (await form("/sandbox/amazon/checkout/initiate", {
    payloadJSON: button.payload_json, signature: button.signature, publicKeyId: button.public_key_id, algorithm: button.algorithm,
  })).text();
  const session = signin.match(/name="amazonCheckoutSessionId" value="([^"]+)"/)[1];
  await form("/sandbox/amazon/checkout/signin", { amazonCheckoutSessionId: session, buyer: "anna" });
  await form("/sandbox/amazon/checkout/choose", { amazonCheckoutSessionId: session, buyer: "anna", address: "anna-home", instrument: "visa-1111" });
  assert.equal((await fetch(`${base}/api/cv2/sessions/${button.workorder_id}?lang=en&amazonCheckoutSessionId=${session}`)).status, 200);
  const placed = await (await fetch(`${base}/api/cv2/sessions/${button.workorder_id}/orders`, {
    method: "POST", headers: json, body: JSON.stringify({ idempotency_key: "dash-amazon-0001", language: "en" }),
  })).json();
  // Amazon's pay page, then the order's result URL (Complete Checkout Session): the order is authorized.
  let to = placed.outcome.url;
  while (!to.includes("/api/amazon/orders/")) to = new URL((await fetch(to, { redirect: "manual" })).headers.get("location"), base).href;
  assert.equal((await fetch(to, { redirect: "manual" })).status, 303);
  return placed.order_id;
}

test("Amazon Pay direct: after a partial capture Capture is off, saying the rest can only be released", async () => {
  const amazon = await startServer({ args: ["--provider", "amazon", "--merchant-api-keys", KEY] });
  try {
    const orderId = await amazonOrder(amazon.baseUrl);
    const { page, context, problems } = await newPage(browser());
    page.setDefaultTimeout(15_000);
    await page.goto(amazon.baseUrl + "/merchant/");
    await page.fill("#merchant-key", KEY);
    await page.click("button[type=submit]");
    await page.locator("a.order-link", { hasText: orderId }).click();
    await page.click("text=Capture…");
    await page.fill("#action-amount", "10");
    await page.click("text=Review");
    await page.getByRole("alertdialog").filter({ hasText: "captures an order once" }).waitFor();
    await page.click("text=Confirm: capture");
    await page.getByRole("status").filter({ hasText: "Captured 10.00 EUR." }).waitFor();
    // Amazon captures a charge once: a second capture would be refused (capture_needs_new_charge), so none is offered.
    await page.locator(".actions p.muted", { hasText: "the 15.80 EUR left can only be released (Cancel order)" }).waitFor();
    assert.equal(await page.locator("button", { hasText: "Capture…" }).isDisabled(), true);
    assert.equal(await page.locator("button", { hasText: "Cancel order…" }).isDisabled(), false);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await amazon.stop();
  }
});

test("the Webhooks page lists what waits for a receiver that is down and sends it now after a confirmation", async () => {
  // A receiver that refuses (503) until it is told to take events.
  let status = 503;
  const received = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      if (status === 200) received.push(JSON.parse(body).type);
      res.writeHead(status).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const hook = `http://127.0.0.1:${receiver.address().port}/hooks`;
  const shop = await startServer({
    args: ["--merchant-api-keys", KEY, "--webhook-url", hook, "--webhook-secret", "e2e-webhook-secret-0123456789abcdefghij", "--webhook-retry-seconds", "600"],
  });
  try {
    const orderId = await approvedOrder(shop.baseUrl);

    const { page, context, problems } = await newPage(browser());
    page.setDefaultTimeout(15_000);
    await page.goto(shop.baseUrl + "/merchant/");
    await page.fill("#merchant-key", KEY);
    await page.click("button[type=submit]");
    await page.locator("table.orders").waitFor();
    await page.click("a.nav:has-text('Webhooks')");
    await page.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();

    // The receiver's URL with its three waiting deliveries (placed, redirected, approved), each tried once and
    // refused with 503, the next attempt ten minutes away; the page follows by itself until all three are there.
    const urlRow = page.getByRole("table", { name: "Webhook URLs" }).locator("tr", { hasText: hook });
    await page.waitForFunction(
      (hook) => [...document.querySelectorAll("table.outbox-urls tr")].some((r) => r.textContent.includes(hook) && r.children[1]?.textContent === "3"),
      hook,
    );
    assert.match(await urlRow.locator("td").nth(3).textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    const rows = page.getByRole("table", { name: "Deliveries" }).locator("tbody tr");
    await page.waitForFunction(() => [...document.querySelectorAll("table.outbox tbody tr")].filter((r) => r.textContent.includes("HTTP 503")).length === 3);
    for (const row of await rows.all()) {
      assert.equal((await row.locator("a.order-link").textContent()).trim(), orderId);
      assert.equal((await row.locator("td.num").textContent()).trim(), "1");
    }
    await rows.locator("td", { hasText: "order.approved" }).waitFor();
    await page.selectOption("#outbox-state", "failed");
    await page.locator("p.empty", { hasText: "No delivery was given up." }).waitFor();
    await page.selectOption("#outbox-state", "pending");
    await page.waitForFunction(() => document.querySelectorAll("table.outbox tbody tr").length === 3);

    // The receiver is back: Send now asks first, Back sends nothing, Confirm sends all three at once.
    status = 200;
    await urlRow.locator("button", { hasText: "Send now…" }).click();
    const confirm = page.getByRole("alertdialog").filter({ hasText: `Send the 3 waiting deliveries to ${hook} now?` });
    await confirm.waitFor();
    await confirm.locator("button", { hasText: "Back" }).click();
    await confirm.waitFor({ state: "detached" });
    assert.equal(received.length, 0, "nothing sent without the confirmation");
    await urlRow.locator("button", { hasText: "Send now…" }).click();
    await page.click("text=Confirm: send now");
    await page.getByRole("status").filter({ hasText: "3 deliveries are due now" }).waitFor();
    await page.locator("p.empty", { hasText: "Nothing waits: every event was delivered." }).waitFor();
    assert.deepEqual([...received].sort(), ["order.approved", "order.placed", "order.redirected"]);
    // Nothing left to send. The URL's counts and the list are two reads, so one refresh may show the list empty
    // and a count from just before the last delivery; the page's next refresh (3 s) settles it.
    await urlRow.locator("button:disabled", { hasText: "Send now…" }).waitFor();
    await page.screenshot({ path: resolve(screenshots, "webhooks.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await shop.stop();
    receiver.close();
  }
});
