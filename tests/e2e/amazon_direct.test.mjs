// Amazon Pay direct (`--provider amazon`), end to end in real Chromium against the sandbox's Amazon Pay API v2
// simulator: the button the server signs (checked by the fake checkout.js and the hosted pages), the review
// page driven by Amazon's checkout session id, Update Checkout Session and amazonPayRedirectUrl, the return
// that completes the session, and the confirmation following the charge's state. Every CV2 scenario, and APB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkoutToReview, chooseOnAmazon, confirmationState, events, recordingPage, upstreamCalls } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const database = process.env.AMAZON_DIRECT_DATABASE_URL ? ["--database-url", process.env.AMAZON_DIRECT_DATABASE_URL] : [];
const { server, browser } = serverAndBrowser({ server: { args: ["--provider", "amazon", ...database], env: { SANDBOX_SETTLE_MS: "1500" } } });

const fresh = () => recordingPage(browser());

/** Cart → Amazon's button → sign in → address and instrument → the review page (our checkout id and Amazon's session). */
async function toReview(page, { buyer = "anna", instrument = "visa-1111" } = {}) {
  // Our checkout id, not PAYONE's; Amazon appended its session id.
  const workorderId = await checkoutToReview(page, server().baseUrl, { buyer, instrument, workorder: /^A[A-Z0-9]{15}$/ });
  return { workorderId, session: new URL(page.url()).searchParams.get("amazonCheckoutSessionId") };
}

test("approved: the server's signature is accepted, the review shows Amazon's session, the order is confirmed", async () => {
  const { page, context } = await fresh();
  await toReview(page);
  assert.match(await page.locator(".amazon-pay-buyer-name").textContent(), /Anna/);
  assert.equal(await page.locator(".amazon-pay-payment").textContent(), "Visa ••••1111");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html\?order=/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await upstreamCalls(server().baseUrl, "completeCheckoutSession")).length >= 1, true);
  await context.close();
});

test("the review page works from amazonCheckoutSessionId alone", async () => {
  const { page, context } = await fresh();
  const { workorderId, session } = await toReview(page);
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${server().baseUrl}/review.html?amazonCheckoutSessionId=${encodeURIComponent(session)}`);
  await page.locator(".amazon-pay-buyer-name").waitFor();
  const ready = await page.evaluate(() => window.__events.find((e) => e.kind === "reviewReady"));
  assert.equal(ready?.workorderId, workorderId, "the server named the checkout");
  await context.close();
});

test("pending then approved: the confirmation follows the charge (Amazon's IPN)", async () => {
  const { page, context } = await fresh();
  await toReview(page, { instrument: "mc-4444" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html/);
  assert.match(await confirmationState(page, "pending"), /still checking/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  await context.close();
});

test("soft decline on Amazon's page, then another instrument: approved", async () => {
  const { page, context } = await fresh();
  await toReview(page, { instrument: "visa-0981" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/pay/);
  await page.locator("text=Choose another payment method").first().waitFor();
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  await page.waitForURL(/\/confirmation\.html/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  await context.close();
});

test("hard decline: back on the review page with a message", async () => {
  const { page, context, problems } = await fresh();
  await toReview(page, { instrument: "amex-0982" });
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/review\.html\?.*order=/);
  await page.locator("text=your payment with Amazon Pay was not successful").first().waitFor();
  const order = new URL(page.url()).searchParams.get("order");
  const status = await (await fetch(`${server().baseUrl}/api/orders/${order}`)).json();
  assert.equal(status.state, "declined");
  assert.equal(status.decline, "hard_decline");
  // The page explains it; the shop hears `declined`, not `error`, and the console stays quiet.
  const heard = (await events(page)).filter((e) => e.kind !== "reviewready");
  assert.deepEqual(heard.map((e) => [e.kind, e.orderId, e.code]), [["declined", order, "declined"]]);
  assert.deepEqual(problems.filter((p) => p.startsWith("console:") && !p.includes("Failed to load resource")), []);
  await context.close();
});

test("MFA passed: approved; MFA abandoned: back on the review page, told it was abandoned", async () => {
  const passed = await fresh();
  await toReview(passed.page, { instrument: "mc-3ds1" });
  await passed.page.click(".amazon-pay-place-order");
  await passed.page.waitForURL(/\/sandbox\/amazon\/checkout\/pay/);
  await passed.page.fill("#mfa-code", "123456");
  await passed.page.click("button.primary");
  await passed.page.waitForURL(/\/confirmation\.html/);
  assert.match(await confirmationState(passed.page, "approved"), /confirmed/);
  await passed.context.close();

  const abandoned = await fresh();
  await toReview(abandoned.page, { instrument: "mc-3ds0" });
  await abandoned.page.click(".amazon-pay-place-order");
  await abandoned.page.waitForURL(/\/sandbox\/amazon\/checkout\/pay/);
  await abandoned.page.click("button[value=cancel]");
  await abandoned.page.waitForURL(/\/review\.html\?.*order=/);
  const order = new URL(abandoned.page.url()).searchParams.get("order");
  const status = await (await fetch(`${server().baseUrl}/api/orders/${order}`)).json();
  assert.equal(status.state, "abandoned");
  await abandoned.page.locator("text=was not completed, and nothing was charged").first().waitFor();
  await abandoned.context.close();
});

test("Back from Amazon's MFA page: the review page offers to go on, the same order is confirmed", async () => {
  const { page, context } = await fresh();
  await toReview(page, { instrument: "mc-3ds1" });
  const before = (await upstreamCalls(server().baseUrl, "updateCheckoutSession")).length;
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/pay/);
  const mfaUrl = page.url();
  await page.goBack();
  await page.waitForURL(/\/review\.html\?/);
  await page.locator(".amazon-pay-notice", { hasText: "not finished confirming the payment" }).waitFor();
  assert.equal(await page.locator(".amazon-pay-already-placed").isVisible(), false);
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(mfaUrl);
  await page.fill("#mfa-code", "123456");
  await page.click("button.primary");
  await page.waitForURL(/\/confirmation\.html/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  // Placing again answered the stored redirect: Amazon's session was updated once.
  assert.equal((await upstreamCalls(server().baseUrl, "updateCheckoutSession")).length - before, 1);
  await context.close();
});

test("the buyer cancels on Amazon's page: back at the shop, no order", async () => {
  const { page, context } = await fresh();
  await page.goto(server().baseUrl + "/");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  const ordersBefore = (await upstreamCalls(server().baseUrl, "updateCheckoutSession")).length;
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button[value=cancel]");
  await page.waitForURL((url) => !url.pathname.startsWith("/sandbox/"));
  assert.equal((await upstreamCalls(server().baseUrl, "updateCheckoutSession")).length, ordersBefore, "nothing placed");
  await context.close();
});

test("APB: the order first, Amazon's pages, then the confirmation", async () => {
  const { page, context } = await fresh();
  await page.goto(server().baseUrl + "/apb.html");
  await page.click(".amazon-pay-apb-button");
  // Straight to Amazon's sign-in page: the server signed the ProcessOrder payload with the amount.
  await chooseOnAmazon(page);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length, 0, "no PAYONE in between");
  await context.close();
});

test("the harness names Amazon Pay, not PAYONE, as who carries Checkout v2 and APB here", async () => {
  const scenarios = await (await fetch(server().baseUrl + "/sandbox/inspect/scenarios")).json();
  assert.equal(scenarios.provider, "amazon");
  const { page, context, problems } = await fresh();
  await page.goto(server().baseUrl + "/harness.html");
  await page.locator("body[data-harness-ready=true]").waitFor();
  const label = (id) => page.locator("#flows label", { has: page.locator("#flow-" + id) }).textContent();
  // A tester read "Checkout v2 through PAYONE" on a server that never called PAYONE for it.
  assert.match(await label("cv2"), /^ Checkout v2 through Amazon Pay directly \(/);
  assert.match(await label("apb"), /^ APB through Amazon Pay directly \(/);
  assert.match(await label("cv1"), /through PAYONE$/, "CV1 is PAYONE's, whatever --provider says");
  assert.match(await page.locator(".harness-intro").textContent(), /Amazon Pay/);
  await page.check("#flow-cv2");
  await page.click("#run");
  await page.locator("#run-status", { hasText: "Checkout v2 through Amazon Pay directly" }).waitFor();
  await page.locator("#log li[data-source=harness]", { hasText: "run: Checkout v2 through Amazon Pay directly" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
