// The Checkout v2 funnel through PAYONE, end to end in real Chromium against the sandbox: each scenario from
// the cart to what the buyer sees at the end, and what the backend stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./support/server.mjs";
import { launchBrowser } from "./support/browser.mjs";
import { checkoutToReview, confirmationState, countAcrossPages, events, recordingPage, storedOrders, upstreamCalls } from "./support/checkout.mjs";
import { transactionStatus } from "./support/api-checkout.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

// Short sandbox timings so pending orders settle quickly; see docs/sandbox.md.
const { server, browser } = serverAndBrowser({ server: { env: { SANDBOX_SETTLE_MS: "800", SANDBOX_UPSTREAM_HOLD_MS: "3000", PAYONE_TIMEOUT_MS: "1000" } } });

const fresh = () => recordingPage(browser());

test("approved: review shows the Amazon details, one click places the order, confirmation says confirmed", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { buyer: "anna", address: "anna-office", instrument: "visa-1111" });
  assert.equal(await page.locator(".amazon-pay-buyer-name").textContent(), "Anna Schmidt");
  assert.match(await page.locator(".amazon-pay-buyer-email").textContent(), /anna\.schmidt@/);
  assert.match(await page.locator(".amazon-pay-address").textContent(), /Marienplatz 8.*80331 München/s);
  assert.equal(await page.locator(".amazon-pay-payment").textContent(), "Visa ••••1111");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html\?order=/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const [order] = await storedOrders(server().baseUrl, workorderId);
  assert.equal(order.state, "approved");
  assert.match(order.txid, /^\d{9,12}$/);
  await context.close();
});

test("a reload of the review page after placing leads to the confirmation without showing the buyer again", async () => {
  const { page, context, problems } = await fresh();
  await checkoutToReview(page, server().baseUrl, { buyer: "anna", address: "anna-home", instrument: "visa-1111" });
  const reviewUrl = page.url();
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html\?order=/);
  await confirmationState(page, "approved");
  const confirmationUrl = page.url();

  // The review page's address (history, a shared link) now shows the order, not who placed it.
  const answered = page.waitForResponse((r) => r.url().includes("/api/cv2/sessions/"));
  await page.goto(reviewUrl);
  assert.doesNotMatch(await (await answered).text(), /Anna|Schmidt|Unter den Linden|••••1111/, "the server's answer names no buyer");
  const placed = page.locator(".amazon-pay-already-placed");
  await placed.waitFor();
  assert.match(await placed.textContent(), /already been placed/);
  assert.match(await page.locator(".amazon-pay-total").textContent(), /€/);
  const review = page.locator(".amazon-pay-review");
  assert.equal(await review.locator(".amazon-pay-buyer-name, .amazon-pay-buyer-email, .amazon-pay-address, .amazon-pay-payment").count(), 0);
  assert.doesNotMatch(await review.innerText(), /Anna|Schmidt|Unter den Linden|••••1111/);
  for (const control of [".amazon-pay-change-address", ".amazon-pay-change-payment", ".amazon-pay-place-order"]) {
    assert.equal(await review.locator(control).isVisible(), false, control);
  }
  await placed.locator("a").click();
  await page.waitForURL(confirmationUrl);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("pending then approved (preauthorization) and pending then paid (authorization)", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-4444" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html/);
  // The page first says Amazon is still checking, then follows the order to its decision.
  assert.match(await confirmationState(page, "pending"), /still checking/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  const kinds = (await events(page)).map((e) => e.kind);
  assert.ok(kinds.indexOf("pending") < kinds.indexOf("approved"), kinds.join());
  await context.close();

  // With PAYONE's `authorization` the money is captured at once, so `paid` follows by itself.
  const capturing = await startServer({ env: { SANDBOX_SETTLE_MS: "800", PAYONE_AUTHORIZATION: "authorization" } });
  try {
    const second = await fresh();
    const id = await checkoutToReview(second.page, capturing.baseUrl, { instrument: "mc-4444" });
    await second.page.click(".amazon-pay-place-order");
    assert.match(await confirmationState(second.page, "paid"), /payment has been received/);
    assert.equal((await storedOrders(capturing.baseUrl, id))[0].state, "paid");
    assert.equal((await upstreamCalls(capturing.baseUrl, "authorization")).length, 1);
    await second.context.close();
  } finally {
    await capturing.stop();
  }
});

test("PAYONE answering the placement at once (approved, pending): one announcement per order, the confirmation page's", async () => {
  for (const outcome of ["approved", "pending"]) {
    const { page, context } = await fresh();
    const heard = await countAcrossPages(context, "orderplaced", "approved", "pending");
    const workorderId = await checkoutToReview(page, server().baseUrl);
    // The sandbox's PAYONE always sends the buyer to Amazon's processing page; a live PAYONE may answer APPROVED or
    // PENDING at once. The order is placed for real; its answer and its status say `outcome`, in the contract's shape.
    await page.route((url) => url.pathname === `/api/cv2/sessions/${workorderId}/orders`, async (route) => {
      const response = await route.fetch();
      const { order_id } = await response.json();
      await route.fulfill({ response, json: { order_id, outcome: { kind: outcome } } });
    });
    await page.route((url) => /^\/api\/orders\/[^/]+$/.test(url.pathname), async (route) => {
      const response = await route.fetch();
      const status = await response.json();
      await route.fulfill({ response, json: { ...status, state: outcome, settled: outcome === "approved" } });
    });
    await page.click(".amazon-pay-place-order");
    await page.waitForURL(/\/confirmation\.html\?order=/);
    const orderId = new URL(page.url()).searchParams.get("order");
    await confirmationState(page, outcome);
    // The confirmation page's own announcement has reached the shop's listener (so any earlier one has too).
    await poll(async () => (await events(page)).some((e) => e.kind === outcome), { failure: () => `no ${outcome} on the confirmation page` });
    await poll(() => heard.filter((e) => e.kind === outcome).length > 0, { failure: () => JSON.stringify(heard) });
    assert.deepEqual(heard, [{ kind: "orderPlaced", orderId }, { kind: outcome, orderId }], outcome);
    await context.close();
  }
});

test("pending then failed: the buyer reads the failure's reason (none named: a hard decline)", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "visa-0002" });
  await page.click(".amazon-pay-place-order");
  // PAYONE's failed names no reasoncode here; the server gives it as a hard decline, the review page's words.
  assert.match(await confirmationState(page, "failed"), /^Sorry, your payment with Amazon Pay was not successful/);
  const declined = (await events(page)).find((e) => e.kind === "declined");
  assert.deepEqual([declined.code, declined.message], ["failed", await page.locator(".amazon-pay-order-state").textContent()]);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "failed");
  await context.close();
});

test("soft decline: a message, another payment method, and a second attempt that succeeds", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "visa-0981" });
  await page.click(".amazon-pay-place-order");
  await page.locator(".amazon-pay-decline-help").waitFor({ state: "visible" });
  assert.match(await page.locator(".amazon-pay-notice").textContent(), /declined/);
  assert.equal(await page.locator(".amazon-pay-place-order").isEnabled(), true);
  const declined = (await events(page)).find((e) => e.kind === "declined");
  assert.equal(declined.code, "soft_decline");
  // Change the payment method on Amazon's page, come back, place again.
  await page.click(".amazon-pay-change-payment");
  await page.waitForURL(/initiate_auth/);
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html/);
  await page.locator(".amazon-pay-payment", { hasText: "1111" }).waitFor();
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const orders = await storedOrders(server().baseUrl, workorderId);
  assert.deepEqual(orders.map((o) => [o.state, o.decline]), [["declined", "soft_decline"], ["approved", null]]);
  await context.close();
});

test("hard decline: no second try with Amazon Pay, a way back to the cart", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "amex-0982" });
  await page.click(".amazon-pay-place-order");
  await page.locator(".amazon-pay-back-to-cart").waitFor({ state: "visible" });
  assert.match(await page.locator(".amazon-pay-notice").textContent(), /not successful/);
  assert.equal(await page.locator(".amazon-pay-place-order").isHidden(), true);
  assert.deepEqual((await storedOrders(server().baseUrl, workorderId)).map((o) => o.decline), ["hard_decline"]);
  await context.close();
});

test("cancel on Amazon's page: back on the cart, the button tells amazonpay:cancelled once, and a reload does not", async () => {
  const { page, context, problems } = await fresh();
  await page.goto(server().baseUrl + "/");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button[value=cancel]");
  // Amazon's cancel redirect: the server's cancel page (the cart) with its marker, which the widget takes out.
  await page.waitForURL((url) => url.pathname === "/");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  const kinds = async () => (await events(page)).map((e) => e.kind);
  await poll(async () => (await kinds()).includes("ready"), { timeoutMs: 10_000, intervalMs: 50, failure: () => "the button never told ready" });
  const cancelled = (await events(page)).filter((e) => e.kind === "cancelled");
  assert.deepEqual(cancelled, [{ kind: "cancelled" }], "once, and no order: none was placed");
  assert.equal(new URL(page.url()).search, "", "the marker left the address bar");

  await page.reload();
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await poll(async () => (await kinds()).includes("ready"), { timeoutMs: 10_000, intervalMs: 50, failure: () => "the button never told ready" });
  assert.deepEqual((await kinds()).filter((k) => k === "cancelled"), [], "a reload is not a second cancel");
  assert.deepEqual(problems, []);
  await context.close();
});

test("MFA passed and MFA abandoned", async () => {
  const { page, context, problems } = await fresh();
  await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds1" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await page.fill("#mfa-code", "123456");
  await page.click("button.primary");
  assert.match(await confirmationState(page, "approved"), /confirmed/);

  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds0" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await page.click("button[value=cancel]");
  await page.waitForURL(/\/review\.html\?workorderId=.*&order=/);
  // Amazon closed the checkout session: the buyer is told what happened and led back to the cart.
  await page.locator(".amazon-pay-fatal[role=alert]", { hasText: "was not completed, and nothing was charged" }).waitFor();
  assert.equal(await page.locator(".amazon-pay-fatal a").getAttribute("href"), "/");
  const [order] = await storedOrders(server().baseUrl, workorderId);
  assert.equal(order.state, "abandoned");
  // An outcome the page explains, as a shop counts it: `declined` (code `abandoned`), no `error`, no console error.
  const heard = (await events(page)).filter((e) => e.kind !== "reviewready");
  assert.deepEqual(heard.map((e) => [e.kind, e.orderId, e.code]), [["declined", order.id, "abandoned"]]);
  assert.match(heard[0].message, /was not completed, and nothing was charged/);
  assert.deepEqual(problems.filter((p) => p.startsWith("console:") && !p.includes("Failed to load resource")), []);
  await context.close();
});

/** A CV2 checkout whose buyer cancels Amazon's multi-factor authentication, back on the review page: the
 * order, `abandoned` (with its PAYONE txid). */
async function abandonedOrder(page) {
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds0" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await page.click("button[value=cancel]");
  await page.waitForURL(/\/review\.html\?workorderId=.*&order=/);
  await page.locator(".amazon-pay-fatal[role=alert]").waitFor();
  const [order] = await storedOrders(server().baseUrl, workorderId);
  assert.equal(order.state, "abandoned");
  assert.ok(order.txid, "PAYONE named the transaction");
  return order;
}

/** Opens the confirmation page of `order` and waits until it has read the order's status `reads` times. */
async function confirmationOf(page, order, reads) {
  let count = 0;
  page.on("request", (r) => { if (r.url().includes(`/api/orders/${order.id}?`)) count += 1; });
  await page.goto(`${server().baseUrl}/confirmation.html?order=${order.id}`);
  const sentence = await confirmationState(page, "abandoned");
  // Told at once, and still following the order (which PAYONE may still move), without a word more.
  await poll(() => count >= reads, { timeoutMs: 15_000, intervalMs: 50, failure: () => `the page read the order ${count} times` });
  assert.equal(await page.locator(".amazon-pay-order-state").textContent(), sentence);
  return sentence;
}

test("an abandoned order on the confirmation page: told at once, then PAYONE's later word shown and announced once", async () => {
  // A later failed with its reason (981): the buyer reads that reason, and one declined event carries it.
  const { page, context, problems } = await fresh();
  const order = await abandonedOrder(page);
  assert.match(await confirmationOf(page, order, 3), /was not completed, and nothing was charged/);
  const sent = await transactionStatus(server().baseUrl, { txid: order.txid, reference: order.id, txaction: "failed", reasoncode: "981" });
  assert.equal(sent.text, "TSOK");
  assert.match(await confirmationState(page, "failed"), /^Your payment method was declined\. Please choose another payment method in Amazon Pay\.$/);
  assert.equal(await page.locator(".amazon-pay-confirmation a").isVisible(), true, "the way back to the cart");
  const declined = (await events(page)).filter((e) => e.kind === "declined");
  assert.deepEqual(declined.map((e) => [e.orderId, e.code]), [[order.id, "abandoned"], [order.id, "failed"]]);
  assert.match(declined[1].message, /^Your payment method was declined/);
  // The review page's own (Amazon closed the checkout session, 410) are expected; nothing else.
  assert.deepEqual(problems.filter((p) => !/\/api\/cv2\/sessions\/|410 \(Gone\)|Amazon Pay review: /.test(p)), []);
  await context.close();

  // A later appointed: the money moved after all, so the buyer reads that the order is confirmed.
  const second = await fresh();
  const moved = await abandonedOrder(second.page);
  await confirmationOf(second.page, moved, 2);
  assert.equal((await transactionStatus(server().baseUrl, { txid: moved.txid, reference: moved.id })).text, "TSOK");
  // (The form's appointed says receivable = price, balance 0: the server reads the payment as charged.)
  assert.match(await confirmationState(second.page, "approved"), /^Thank you!/);
  const kinds = (await events(second.page)).map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => k === "approved" || k === "declined"), ["declined", "approved"]);
  await second.context.close();
});

test("Back from Amazon's MFA page: the review page offers to go on, the same order is confirmed", async () => {
  const { page, context, problems } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds1" });
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  const mfaUrl = page.url();
  await page.goBack();
  await page.waitForURL(/\/review\.html\?/);
  // Not "already placed" (a dead end): the buyer reads that the payment waits for them, and can go on.
  await page.locator(".amazon-pay-notice", { hasText: "not finished confirming the payment" }).waitFor();
  assert.equal(await page.locator(".amazon-pay-already-placed").isVisible(), false);
  const place = page.locator(".amazon-pay-place-order");
  assert.equal(await place.isVisible(), true);
  assert.equal(await place.isEnabled(), true);
  // The waiting order's confirmation page (history, a bookmark): past its deadline no promise of an e-mail,
  // since nothing is being decided; it says how to go on instead.
  const [{ id: orderId }] = await storedOrders(server().baseUrl, workorderId);
  const confirmation = await context.newPage();
  await confirmation.clock.install();
  await confirmation.goto(`${server().baseUrl}/confirmation.html?order=${orderId}`);
  await confirmationState(confirmation, "redirected");
  const sentence = confirmation.locator(".amazon-pay-order-state", { hasText: "has not confirmed your payment yet" });
  for (let i = 0; i < 30; i++) {
    await confirmation.clock.fastForward(10_000);
    if (await sentence.waitFor({ timeout: 500 }).then(() => true, () => false)) break;
  }
  assert.match(await sentence.textContent(), /go back to the checkout page to continue/);
  assert.doesNotMatch(await sentence.textContent(), /email/);
  await confirmation.close();
  // A reload too (the page is not kept by the browser's cache).
  await page.reload();
  await page.locator(".amazon-pay-notice", { hasText: "not finished confirming the payment" }).waitFor();
  await place.click();
  await page.waitForURL(mfaUrl);
  await page.fill("#mfa-code", "123456");
  await page.click("button.primary");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length - before, 1, "one preauthorization");
  assert.deepEqual((await storedOrders(server().baseUrl, workorderId)).map((o) => o.state), ["approved"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Back from Amazon's MFA page with the browser's back/forward cache: the page is read again, not left busy", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const page = await (await keeping.newContext()).newPage();
    await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds1" });
    await page.evaluate(() => addEventListener("pageshow", (event) => { window.restoredFromCache = event.persisted; }));
    await page.click(".amazon-pay-place-order");
    await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
    // Restored from the cache there is no load event: wait for the address only.
    await page.goBack({ waitUntil: "commit" });
    await page.locator(".amazon-pay-notice", { hasText: "not finished confirming the payment" }).waitFor();
    assert.equal(await page.evaluate(() => window.restoredFromCache), true, "the browser kept the page");
    assert.equal(await page.locator(".amazon-pay-place-order").isEnabled(), true);
    await page.click(".amazon-pay-place-order");
    await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  } finally {
    await keeping.close();
  }
});

test("Back from the confirmation page with the back/forward cache, then to it again: the review page says placed, and one approved per order in this tab", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const { page, context, problems } = await recordingPage(keeping);
    const approved = await countAcrossPages(context, "approved");
    await checkoutToReview(page, server().baseUrl, { instrument: "visa-1111" });
    await page.click(".amazon-pay-place-order");
    await page.waitForURL(/\/confirmation\.html\?order=/);
    assert.match(await confirmationState(page, "approved"), /confirmed/);
    const confirmationUrl = page.url();
    // Back: the review page, restored as it was left ("Place order" busy), reads the checkout again.
    await page.goBack({ waitUntil: "commit" });
    const placed = page.locator(".amazon-pay-already-placed");
    await placed.waitFor();
    await placed.locator("a").click();
    await page.waitForURL(confirmationUrl);
    assert.match(await confirmationState(page, "approved"), /confirmed/);
    // A reload too: the order is shown again, not announced again (a shop counting conversions counted it twice).
    await page.reload();
    assert.match(await confirmationState(page, "approved"), /confirmed/);
    assert.deepEqual((await events(page)).filter((e) => e.kind === "approved"), []);
    assert.equal(approved.length, 1);
    // Another tab is another visit: it announces the order (what it shows is the shop's page to count or not).
    const other = await context.newPage();
    await other.goto(confirmationUrl);
    assert.match(await confirmationState(other, "approved"), /confirmed/);
    assert.deepEqual((await events(other)).filter((e) => e.kind === "approved").length, 1);
    assert.deepEqual(problems, []);
  } finally {
    await keeping.close();
  }
});

test("changed address: the review page shows the address chosen on Amazon's page", async () => {
  const { page, context } = await fresh();
  await checkoutToReview(page, server().baseUrl, { address: "anna-home" });
  assert.match(await page.locator(".amazon-pay-address").textContent(), /Berlin/);
  await page.click(".amazon-pay-change-address");
  await page.waitForURL(/initiate_auth/);
  await page.check("#address-anna-office");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html/);
  await page.locator(".amazon-pay-address", { hasText: "München" }).waitFor();
  await context.close();
});

test("changed amount: express delivery updates the total on the page, at PAYONE and in the order", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl);
  const before = await page.locator(".amazon-pay-total strong").textContent();
  // Standard delivery costs nothing in the demo's catalogue: no delivery line. Each option's label says what it
  // costs, as the server priced it, before the buyer chooses.
  assert.equal(await page.locator(".amazon-pay-delivery-fee").count(), 0);
  const labels = page.locator(".amazon-pay-delivery label");
  assert.deepEqual((await labels.allTextContents()).map((t) => t.trim()), ["Standard delivery (free)", "Express delivery (€6.90)"]);
  await page.check("input[value=express]");
  await page.locator(".amazon-pay-notice", { hasText: "updated" }).waitFor();
  const after = await page.locator(".amazon-pay-total strong").textContent();
  assert.notEqual(after, before);
  // What express adds is shown, so the lines add up to the new total.
  assert.equal(await page.locator(".amazon-pay-delivery-fee strong").textContent(), "€6.90");
  assert.equal((await upstreamCalls(server().baseUrl, "updateCheckoutSession")).length >= 1, true);
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  // 2 × 12.90 + 24.90 + 6.90 express.
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].amount_minor, 2 * 1290 + 2490 + 690);
  await context.close();
});

test("double click: many clicks and a second tab give exactly one authorization upstream", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-3ds1" });
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  // A second tab on the same review page places too.
  const other = await context.newPage();
  await other.goto(page.url());
  await other.locator(".amazon-pay-buyer-name").waitFor();
  await page.locator(".amazon-pay-place-order").evaluate((button) => { for (let i = 0; i < 5; i++) button.click(); });
  await other.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await other.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  const after = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  assert.equal(after - before, 1, "one preauthorization");
  assert.equal((await storedOrders(server().baseUrl, workorderId)).length, 1, "one order");
  await context.close();
});

test("expired session and unknown workorder get a clear page, not a blank one", async () => {
  const { page, context } = await fresh();
  await page.goto(server().baseUrl + "/");
  await page.locator("#amazon-pay .amazon-pay-button .amazonpay-button-view1").waitFor();
  await page.locator("#amazon-pay .amazon-pay-button").click();
  await page.click("button.primary");
  await page.check("#instrument-visa-0024");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html\?/);
  await page.locator(".amazon-pay-fatal[role=alert]", { hasText: "expired" }).waitFor();
  assert.equal(await page.locator(".amazon-pay-place-order").isVisible(), false);

  await page.goto(server().baseUrl + "/review.html?workorderId=WONOSUCHORDER01");
  await page.locator(".amazon-pay-fatal[role=alert]").waitFor();
  assert.match(await page.locator(".amazon-pay-fatal").textContent(), /Back to cart/);

  await page.goto(server().baseUrl + "/review.html?workorderId=%3Cscript%3E");
  await page.locator(".amazon-pay-fatal", { hasText: "could not find your Amazon Pay checkout" }).waitFor();
  await context.close();
});
