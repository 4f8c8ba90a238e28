// Legacy Amazon Pay (Widgets.js) end to end in real Chromium against the sandbox: the CheckoutChamp lander
// (one-time, upsell, recurring with and without consent, popup blocked, declined card) and the PAYONE CV1
// checkout (approved, MFA, abandoned MFA, pending, and each decline 980-987, one table row each). Each test
// asserts what the buyer sees and what the backend sent upstream (/sandbox/inspect/upstream-calls). Every wait
// is on a condition.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./support/server.mjs";
import { launchBrowser } from "./support/browser.mjs";
import { confirmationState, countAcrossPages, events, recordingPage, upstreamCalls } from "./support/checkout.mjs";

const WAIT = 15_000;
const CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000000000000";

let server;
let browser;
before(async () => {
  // Short sandbox timings so pending orders settle quickly; see docs/sandbox.md.
  server = await startServer({ env: { SANDBOX_SETTLE_MS: "800" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function fresh({ blockPopups = false, on = browser } = {}) {
  const opened = await recordingPage(on, { timeout: WAIT });
  await opened.context.addInitScript(() => {
    for (const kind of ["signedin", "signedout", "upselladded"]) {
      document.addEventListener("amazonpay:" + kind, (e) => window.__events.push(e.detail));
    }
  });
  if (blockPopups) await opened.context.addInitScript(() => { window.open = () => null; });
  return opened;
}

/** Clicks Amazon's button and signs in as `buyer` in the popup. */
async function signIn(page, context, buyer = /Anna Schmidt/) {
  const amazonButton = page.locator(".amazon-pay-cv1-button button");
  await amazonButton.waitFor();
  const [popup] = await Promise.all([context.waitForEvent("page"), amazonButton.click()]);
  await popup.getByLabel(buyer).check();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
}

/** Picks another sandbox instrument in the Wallet widget and waits until Amazon (the sandbox) has it. */
async function chooseInstrument(page, id) {
  const radio = page.locator(`.amazon-pay-wallet input[value="${id}"]`);
  await radio.waitFor();
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/sandbox/amazon/widgets/select") && r.ok()), radio.check()]);
}

/** Every upstream call after the first `after`, as `{action, outcome, fields}`, oldest first. */
async function callsSince(after = 0, on = server) {
  const calls = await (await fetch(`${on.baseUrl}/sandbox/inspect/upstream-calls?after=${after}`)).json();
  return calls.map((c) => ({ action: c.action, outcome: c.outcome, fields: Object.fromEntries(new URLSearchParams(c.request)) }));
}

/** The fields of the calls to one upstream action, newest last. */
async function sent(action, after = 0, on = server) {
  return (await callsSince(after, on)).filter((c) => c.action === action).map((c) => c.fields);
}

const callCount = async (on = server) => (await upstreamCalls(on.baseUrl)).length;
const placeOrder = (page) => page.locator(".amazon-pay-place-order");
const notice = (page) => page.locator(".amazon-pay-notice");

// ---------------------------------------------------------------------------------------------------------
// CheckoutChamp
// ---------------------------------------------------------------------------------------------------------

test("CheckoutChamp one-time: sign in, choose in the widgets, one Import Order, then the upsell page adds a product", async () => {
  const { page, context, problems } = await fresh();
  const before = await callCount();
  await page.goto(server.baseUrl + "/lander.html");
  await signIn(page, context);
  await page.getByLabel(/Unter den Linden 1/).waitFor();
  await page.locator(".amazon-pay-wallet").getByLabel(/Visa ••••1111/).waitFor();
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  assert.equal(await page.locator(".amazon-pay-hint").isHidden(), true, "no hint once address and payment are chosen");
  assert.ok(!(await page.content()).includes("Atza"), "the token is never rendered");

  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  const landed = new URL(page.url());
  const orderId = landed.searchParams.get("orderId");
  const amazonOrderId = landed.searchParams.get("amazonOrderId");
  assert.match(amazonOrderId, /^S02-\d{7}-\d{7}$/);
  const [imported] = await sent("order/import", before);
  assert.equal(imported.paySource, "AMAZON");
  assert.equal(imported.amazonBillerId, "5");
  assert.equal(imported.amazonOrderId, amazonOrderId);
  assert.equal(imported.amazonAddressConsent, "<redacted>", "the token reached CheckoutChamp, and is not logged");
  assert.deepEqual([imported.firstName, imported.lastName, imported.emailAddress], ["Anna", "Schmidt", "anna.schmidt@sandbox.example"]);
  assert.equal(imported.product1_id, "101");
  assert.equal(imported.product1_qty, "2");

  // The upsell page repeats the widgets (read-only, the order's own reference) and sends Import Upsale.
  await page.getByRole("group", { name: "Shipping address" }).waitFor();
  await page.getByRole("group", { name: "Payment method" }).waitFor();
  await page.getByRole("button", { name: "Yes, add it to my order" }).click();
  await page.locator(".amazon-pay-done").waitFor();
  assert.match(await page.locator(".amazon-pay-done").textContent(), /Sticker pack/);
  assert.match(await notice(page).textContent(), /Added!/);
  const [upsale] = await sent("upsale/import", before);
  assert.equal(upsale.orderId, orderId);
  assert.equal(upsale.productId, "103");
  assert.equal(upsale.amazonOrderId, amazonOrderId);
  const kinds = (await events(page)).map((e) => e.kind);
  assert.ok(kinds.includes("upsellAdded"), kinds.join());
  assert.deepEqual(problems, []);
  await context.close();
});

test("a declined upsell (visa-2982): the sandbox declines the upsale, amazonpay:declined with the lander's order, code and sentence, not an error", async () => {
  const { page, context, problems } = await fresh();
  const before = await callCount();
  const orderId = await landerToUpsell(page, context, "visa-2982");
  const imported = (await callsSince(before)).filter((c) => c.action === "order/import");
  assert.deepEqual(imported.map((c) => c.outcome), ["SUCCESS"], "the order itself is approved");

  const add = page.getByRole("button", { name: "Yes, add it to my order" });
  await add.click();
  // Not "choose another payment method": the Wallet here is read-only; the lander's order stands.
  const sentence = "We could not add this to your order. Your order is placed and nothing more was charged.";
  await page.locator(".amazon-pay-notice", { hasText: sentence }).waitFor();
  const told = (await events(page)).filter((e) => ["declined", "error", "upsellAdded"].includes(e.kind));
  assert.deepEqual(told, [{ kind: "declined", orderId, code: "hard_decline", message: sentence }]);
  // CheckoutChamp was asked and declined; nothing was added, and the buyer goes on with "No, thanks".
  const upsales = (await callsSince(before)).filter((c) => c.action === "upsale/import");
  assert.equal(upsales.length, 1);
  assert.equal(upsales[0].fields.orderId, orderId);
  assert.match(upsales[0].outcome, /AmazonRejected/);
  assert.equal(await page.locator(".amazon-pay-done").count(), 0, "no order shown as changed");
  // A hard decline: trying again would be declined again, so "Yes, add it" stays disabled (not busy) and the
  // focus is on the way on, which no longer says "No, thanks": the offer is over, the link goes on.
  await offerOver(page, add);
  // The only failures: the upsale's 402 and Chromium's own line about it; the widget logs nothing (an outcome).
  const expected = (p) => /^HTTP 402 .*\/api\/checkoutchamp\/upsales$/.test(p) || p.includes("status of 402 (Payment Required)");
  assert.equal(problems.filter(expected).length, 2, problems.join("\n"));
  assert.deepEqual(problems.filter((p) => !expected(p)), [], "a decline is no console error");
  await context.close();
});

/**
 * After a declined upsale: "Yes, add it" disabled and not busy, and the focus on the way on, which says
 * "Continue" (where it leads: the funnel's next page), no longer "No, thanks".
 */
async function offerOver(page, add) {
  await page.waitForFunction(() => document.activeElement?.classList.contains("amazon-pay-upsell-decline"), null, { timeout: 5000 });
  assert.equal(await add.isDisabled(), true, "no second try of what was declined");
  assert.equal(await add.getAttribute("aria-busy"), "false");
  const onward = page.getByRole("link", { name: "Continue", exact: true });
  assert.equal(await onward.getAttribute("href"), "/");
  assert.equal(await onward.evaluate((a) => a === document.activeElement), true);
  assert.equal(await page.getByRole("link", { name: "No, thanks" }).count(), 0, "the offer is over: nothing to say no to");
}

test("a soft decline of the upsale (InvalidPaymentMethod) ends the offer too: the read-only Wallet's instrument would be charged again", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  const orderId = await landerToUpsell(page, context, "visa-2982");
  // The sandbox declines every upsale on visa-2982 as AmazonRejected; CheckoutChamp's soft decline
  // (InvalidPaymentMethod) has no sandbox instrument for upsales, so the server's answer is relabelled soft.
  await page.route("**/api/checkoutchamp/upsales", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('"hard_decline"', '"soft_decline"');
    assert.match(body, /"soft_decline"/);
    await route.fulfill({ response, body });
  });
  const add = page.getByRole("button", { name: "Yes, add it to my order" });
  await add.click();
  const sentence = "We could not add this to your order. Your order is placed and nothing more was charged.";
  await page.locator(".amazon-pay-notice", { hasText: sentence }).waitFor();
  const told = (await events(page)).filter((e) => ["declined", "error", "upsellAdded"].includes(e.kind));
  assert.deepEqual(told, [{ kind: "declined", orderId, code: "soft_decline", message: sentence }]);
  await offerOver(page, add);
  assert.equal((await callsSince(before)).filter((c) => c.action === "upsale/import").length, 1);
  await context.close();
});

test("an upsale whose answer was lost: the next press sends the same key, so the product is added once", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  await page.goto(server.baseUrl + "/lander.html");
  await signIn(page, context);
  await page.locator(".amazon-pay-wallet").getByLabel(/Visa ••••1111/).waitFor();
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  // The server adds the product (CheckoutChamp charges Amazon), and the answer never reaches the page.
  const keys = [];
  let lost = false;
  await page.route("**/api/checkoutchamp/upsales", async (route) => {
    keys.push(JSON.parse(route.request().postData()).idempotency_key);
    if (lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort("connectionreset");
  });
  const add = page.getByRole("button", { name: "Yes, add it to my order" });
  await add.click();
  await page.locator(".amazon-pay-upsell-add:enabled").waitFor({ timeout: WAIT });
  await add.click();
  await page.locator(".amazon-pay-done").waitFor({ timeout: WAIT });
  assert.equal(keys.length, 2);
  assert.equal(keys[1], keys[0], "the same upsale, not a new one");
  assert.equal((await sent("upsale/import", before)).length, 1, "added and charged once");
  const told = (await events(page)).filter((e) => e.kind === "upsellAdded");
  assert.equal(told.length, 1);
  await context.close();
});

/** Records the paths of the page's requests to the backend's API (`/api/…`). */
function apiRequests(page) {
  const paths = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/")) paths.push(url.pathname);
  });
  return paths;
}

test("the upsell page without the lander's orderId in its address: told in words and as an error event, nothing asked of the backend", async () => {
  const { page, context } = await fresh();
  const api = apiRequests(page);
  const before = await callCount();
  await page.goto(server.baseUrl + "/upsell.html?amazonOrderId=S02-1234567-7654321");
  const fatal = page.locator(".amazon-pay-fatal");
  await fatal.waitFor();
  assert.match(await fatal.textContent(), /We could not find your order\. Nothing was changed\./);
  assert.equal(await fatal.locator("a").getAttribute("href"), "/", "the way on is the funnel's next page (thankYouUrl)");
  const errors = (await events(page)).filter((e) => e.kind === "error");
  assert.deepEqual(errors.map((e) => e.message), ["no valid orderId in the address"]);
  assert.equal(await page.getByRole("button", { name: "Yes, add it to my order" }).isVisible(), false);
  // A broken link sends nothing: not even the Widgets.js configuration is asked for.
  assert.deepEqual(api, []);
  assert.deepEqual(await sent("upsale/import", before), []);
  await context.close();
});

test("the upsell view mounted without an orderId: its error event reaches a listener added right after mount", async () => {
  const { page, context } = await fresh();
  const api = apiRequests(page);
  await page.goto(server.baseUrl + "/sandbox-test.html?amazonOrderId=S02-1234567-7654321");
  const heard = await page.evaluate(async () => {
    const widget = await import("/amazon-pay-upsell.js");
    await widget.default();
    const el = document.createElement("div");
    document.body.append(el);
    window.__handle = widget.mount(el, { view: "upsell", product: { productId: 103, quantity: 1 }, thankYouUrl: "/" });
    // Added after `mount` returned, in the same task: the failure must not have been told yet.
    const before = el.querySelector(".amazon-pay-fatal") !== null;
    const error = await new Promise((resolve) => el.addEventListener("amazonpay:error", (e) => resolve(e.detail)));
    return { before, message: error.message, sentence: el.querySelector(".amazon-pay-fatal p")?.textContent };
  });
  assert.deepEqual(heard, { before: false, message: "no valid orderId in the address", sentence: "We could not find your order. Nothing was changed." });
  assert.deepEqual(api, []);
  await context.close();
});

test("CheckoutChamp recurring: no order until the buyer consents; the billing agreement is sent as amazonOrderId", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  await page.goto(server.baseUrl + "/lander-recurring.html");
  await signIn(page, context, /Jean-Pierre/);
  const consent = page.getByLabel(/Use my selected payment method for future purchases/);
  await consent.waitFor();
  await page.locator(".amazon-pay-wallet").getByLabel(/Visa ••••1111/).waitFor();
  // Without consent: no way to order, and a sentence that says why.
  assert.equal(await placeOrder(page).isDisabled(), true);
  assert.match(await page.locator(".amazon-pay-hint").textContent(), /future payments; only then can the order be placed/);
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/widgets/consent")), consent.check()]);
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  // Taking it back disables ordering again.
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/widgets/consent")), consent.uncheck()]);
  await page.locator(".amazon-pay-place-order:disabled").waitFor();
  assert.deepEqual(await sent("order/import", before), [], "nothing reached CheckoutChamp without consent");

  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/widgets/consent")), consent.check()]);
  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  const amazonOrderId = new URL(page.url()).searchParams.get("amazonOrderId");
  assert.match(amazonOrderId, /^B02-\d{7}-\d{7}$/);
  const [imported] = await sent("order/import", before);
  assert.equal(imported.amazonOrderId, amazonOrderId);
  assert.equal(imported.product1_id, "104");
  assert.deepEqual([imported.firstName, imported.lastName], ["Jean-Pierre", "de la Fontaine"]);
  await context.close();
});

test("popup blocked: sign-in falls back to this window, and the access_token leaves the address bar at once", async () => {
  const { page, context, problems } = await fresh({ blockPopups: true });
  await page.goto(server.baseUrl + "/lander.html?aff=7");
  await page.locator(".amazon-pay-cv1-button button").click();
  await page.getByRole("heading", { name: "Sign in with Amazon" }).waitFor();
  await page.getByLabel(/Anna Schmidt/).check();
  await page.getByRole("button", { name: "Allow" }).click();
  // Back with #access_token=…: the widget takes it out before anything else and shows the widgets.
  await page.getByLabel(/Unter den Linden 1/).waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, "/lander.html");
  assert.equal(url.search, "?aff=7", "the page's own parameters stay");
  assert.equal(url.hash, "");
  assert.ok(!page.url().includes("Atza") && !page.url().includes("access_token"));
  assert.ok(!(await page.content()).includes("Atza"));
  assert.deepEqual(problems.filter((p) => !p.includes("sign-in popup was blocked")), []);
  // Signed in this way, the buyer orders as after a popup: one Import Order for Anna, with her token.
  const before = await callCount();
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  const [imported] = await sent("order/import", before);
  assert.deepEqual([imported.firstName, imported.lastName, imported.amazonAddressConsent], ["Anna", "Schmidt", "<redacted>"]);
  assert.equal(imported.amazonOrderId, new URL(page.url()).searchParams.get("amazonOrderId"));

  // The popup flow with a URL lands with the token in the query: taken out too, the widgets still work.
  const form = new URLSearchParams({
    client_id: CLIENT_ID, scope: "profile payments:widget payments:shipping_address", response_type: "token",
    redirect_uri: server.baseUrl + "/lander.html", popup: "false", buyer: "giulia", action: "continue",
  });
  const signin = await fetch(server.baseUrl + "/sandbox/amazon/ap/signin", { method: "POST", body: form, redirect: "manual" });
  const token = new URLSearchParams(signin.headers.get("location").split("#")[1]).get("access_token");
  const second = await fresh();
  await second.page.goto(`${server.baseUrl}/lander.html?access_token=${encodeURIComponent(token)}&token_type=bearer&expires_in=3600&scope=profile&aff=9`);
  await second.page.getByLabel(/Via del Corso 5/).waitFor();
  assert.equal(new URL(second.page.url()).search, "?aff=9");
  await second.context.close();
  await context.close();
});

test("declined card (InvalidPaymentMethod), in German: what to do, the Wallet again, then another card works", async () => {
  const { page, context, problems } = await fresh();
  const before = await callCount();
  // A funnel page of its own, mounted from script, in German.
  await page.goto(server.baseUrl + "/sandbox-test.html");
  await page.evaluate(async () => {
    const widget = await import("/amazon-pay-widget.js");
    await widget.default();
    const el = document.createElement("div");
    el.id = "lander";
    document.body.append(el);
    // Keep the handle: a collected handle unmounts the widget.
    window.__lander = widget.mount(el, { view: "lander", language: "de", products: [{ productId: 102, quantity: 1 }] });
  });
  await signIn(page, context);
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  await chooseInstrument(page, "visa-0981");
  await placeOrder(page).click();
  await page.locator(".amazon-pay-decline-help", { hasText: "Zahlungsarten prüfen" }).waitFor();
  assert.equal(await notice(page).textContent(), "Ihre Zahlungsart wurde abgelehnt. Bitte wählen Sie in Amazon Pay eine andere Zahlungsart.");
  // The Wallet is shown again and has the keyboard focus.
  await page.locator(".amazon-pay-wallet input[value=visa-0981]").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("amazon-pay-wallet")), true);
  const declined = (await events(page)).find((e) => e.kind === "declined");
  assert.equal(declined.code, "soft_decline");
  // CheckoutChamp made no order of the declined payment: the attempt's id is Amazon's order reference.
  const [attempt] = await sent("order/import", before);
  assert.equal(declined.orderId, attempt.amazonOrderId);
  assert.match(declined.orderId, /^S02-\d{7}-\d{7}$/);
  assert.equal(declined.message, "Ihre Zahlungsart wurde abgelehnt. Bitte wählen Sie in Amazon Pay eine andere Zahlungsart.");
  assert.deepEqual((await events(page)).filter((e) => e.kind === "error"), [], "a decline is not an error");
  assert.deepEqual(problems.filter((p) => p.startsWith("console:") && !p.includes("Failed to load resource")), [], "a decline is no console error");

  await chooseInstrument(page, "visa-1111");
  await placeOrder(page).click();
  await page.locator(".amazon-pay-done").waitFor();
  assert.match(await notice(page).textContent(), /Vielen Dank! Ihre Bestellung ist bestätigt\./);
  assert.match(await page.locator(".amazon-pay-total").textContent(), /24,90\s€/);
  const imports = await sent("order/import", before);
  assert.equal(imports.length, 2);
  assert.equal(imports[0].amazonOrderId, imports[1].amazonOrderId, "the same order reference, paid with another card");
  await context.close();
});

test("sign out: Amazon's session and the kept token are gone, the lander starts over", async () => {
  const { page, context } = await fresh();
  await page.goto(server.baseUrl + "/lander.html");
  await signIn(page, context);
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  assert.match(await page.evaluate(() => sessionStorage.getItem("amazonPay.accessToken")), /:Atza\|/, "kept for the upsell page");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Sign out of Amazon Pay" }).click()]);
  await page.locator(".amazon-pay-cv1-button button").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("amazonPay.accessToken")), null);
  assert.ok(!(await page.evaluate(() => document.cookie)).includes("amazon_Login_accessToken=Atza"));
  await context.close();
});

// ---------------------------------------------------------------------------------------------------------
// PAYONE CV1
// ---------------------------------------------------------------------------------------------------------

/** Makes every page of this context a `lang` page (`<html lang>`, which the widget follows), also the one Amazon's
 * confirmation flow returns to: set once the document is parsed, before its deferred module scripts run. */
async function speak(context, lang) {
  await context.addInitScript((lang) => {
    document.addEventListener("readystatechange", () => {
      if (document.readyState === "interactive") document.documentElement.lang = lang;
    });
  }, lang);
}

/** /cv1.html: signs in as `buyer`, waits for the widgets, picks `instrument`; returns the workorder id. */
async function cv1Start(page, context, { on = server, buyer = /Anna Schmidt/, instrument } = {}) {
  await page.goto(on.baseUrl + "/cv1.html");
  await signIn(page, context, buyer);
  await page.locator(".amazon-pay-address-book fieldset").waitFor();
  await page.locator(".amazon-pay-wallet fieldset").waitFor();
  if (instrument) await chooseInstrument(page, instrument);
  const ready = (await events(page)).find((e) => e.kind === "ready");
  assert.match(ready.workorderId, /^WO/);
  return ready.workorderId;
}

/**
 * The lander paid with `instrument` (visa-2982: the order approved, every upsale declined; docs/sandbox.md), up to
 * the upsell page; returns the lander's order id.
 */
async function landerToUpsell(page, context, instrument) {
  await page.goto(server.baseUrl + "/lander.html");
  await signIn(page, context);
  await chooseInstrument(page, instrument);
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  return new URL(page.url()).searchParams.get("orderId");
}

/**
 * A server whose sandbox CRM decides a pending CheckoutChamp order after 2 s (mc-4444 complete, visa-0002 declined)
 * and whose status sweep asks every 200 ms: the lander's and upsell page's buyer sees the outcome while there.
 */
let deciding;
async function decidingServer() {
  deciding ??= await startServer({ env: { SANDBOX_SETTLE_MS: "2000", CHECKOUTCHAMP_STATUS_EVERY_MS: "200" } });
  return deciding;
}
after(async () => { await deciding?.stop(); });

/**
 * Mounts the lander without an upsell page on /sandbox-test.html (again after a reload). With `said`, every
 * sentence its notice is given goes to `window.__said`, in order (aria-live announces each one).
 */
async function mountLanderHere(page, { said = false } = {}) {
  await page.evaluate(async (said) => {
    const widget = await import("/amazon-pay-lander.js");
    await widget.default();
    const el = document.createElement("div");
    el.id = "lander";
    document.body.append(el);
    window.__handle = widget.mount(el, { view: "lander", products: [{ productId: 101, quantity: 1 }] });
    if (!said) return;
    window.__said = [];
    new MutationObserver(() => window.__said.push(el.querySelector(".amazon-pay-notice").textContent))
      .observe(el, { subtree: true, childList: true, characterData: true });
  }, said);
}

test("CheckoutChamp pending (mc-4444) on a lander without an upsell page: received, then confirmed when Amazon decides, said once", async () => {
  const on = await decidingServer();
  const { page, context, problems } = await fresh();
  await page.goto(on.baseUrl + "/sandbox-test.html");
  await mountLanderHere(page, { said: true });
  await signIn(page, context);
  await chooseInstrument(page, "mc-4444");
  await page.locator(".amazon-pay-place-order:enabled").click();
  await page.locator(".amazon-pay-done").waitFor();
  assert.match(await notice(page).textContent(), /still checking your payment/);
  await page.locator('[data-order-status="complete"]').waitFor({ timeout: WAIT });
  assert.equal(await notice(page).textContent(), "Thank you! Your order is confirmed.");
  // What the live region was given, repeats of one sentence (one write, several mutation records) as one.
  const said = (await page.evaluate(() => window.__said)).filter((s, i, all) => s !== all[i - 1]);
  const confirmed = "Thank you! Your order is confirmed.";
  assert.deepEqual(said.slice(-2), ["Amazon Pay is still checking your payment. This page shows the outcome as soon as Amazon Pay has decided.", confirmed]);
  assert.equal(said.filter((s) => s === confirmed).length, 1, "announced once");
  const kinds = (await events(page)).map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => ["pending", "approved", "declined"].includes(k)), ["pending", "approved"]);
  assert.deepEqual(problems, []);
  await context.close();
});

/** A server whose sandbox CRM leaves a pending CheckoutChamp order undecided for an hour (docs/sandbox.md). */
let undecided;
async function undecidedServer() {
  undecided ??= await startServer({ env: { SANDBOX_SETTLE_MS: String(60 * 60 * 1000) } });
  return undecided;
}
after(async () => { await undecided?.stop(); });

test("CheckoutChamp pending (mc-4444) still undecided when the lander stops asking (its 10 minutes, the page's clock run ahead): the buyer reads that it takes longer and to note the order number", async () => {
  const on = await undecidedServer();
  const { page, context, problems } = await fresh();
  await page.clock.install();
  await page.goto(on.baseUrl + "/sandbox-test.html");
  await mountLanderHere(page, { said: true });
  await signIn(page, context);
  await chooseInstrument(page, "mc-4444");
  await page.locator(".amazon-pay-place-order:enabled").click();
  await page.locator(".amazon-pay-done").waitFor();
  const checking = "Amazon Pay is still checking your payment. This page shows the outcome as soon as Amazon Pay has decided.";
  assert.equal(await notice(page).textContent(), checking);
  const late = "This is taking longer than usual. The shop will learn Amazon Pay's decision; note your order number if you want to ask about it.";
  await page.clock.fastForward("11:00");
  await page.locator(".amazon-pay-notice", { hasText: "taking longer than usual" }).waitFor({ timeout: WAIT });
  assert.equal(await notice(page).textContent(), late);
  const said = (await page.evaluate(() => window.__said)).filter((s, i, all) => s !== all[i - 1]);
  assert.deepEqual(said.slice(-2), [checking, late]);
  // Still undecided: no outcome is told, the order number stays on the page to note.
  assert.equal(await page.locator("[data-order-status]").count(), 0);
  assert.match(await page.locator(".amazon-pay-order-number").textContent(), /^Order number: \S+$/);
  const kinds = (await events(page)).map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => ["pending", "approved", "declined"].includes(k)), ["pending"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("CheckoutChamp pending then declined (visa-0002) on a lander without an upsell page: the decline in words, then 'Order again' places a new order (new reference, new key) signed in as before", async () => {
  const on = await decidingServer();
  const { page, context, problems } = await fresh();
  const imports = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/checkoutchamp/orders")) imports.push(JSON.parse(r.postData())); });
  await page.goto(on.baseUrl + "/sandbox-test.html");
  await mountLanderHere(page);
  await signIn(page, context);
  await chooseInstrument(page, "visa-0002");
  const before = await callCount(on);
  await page.locator(".amazon-pay-place-order:enabled").click();
  await page.locator('[data-order-status="declined"]').waitFor({ timeout: WAIT });
  assert.equal(await notice(page).textContent(),
    "Amazon Pay declined the payment for your order: it was not placed and nothing was charged. You can order again and choose another payment method.");
  const again = page.getByRole("button", { name: "Order again" });
  assert.equal(await again.isVisible(), true, "a way to order again");
  assert.match(await focused(page), /(^| )amazon-pay-order-again( |$)/, "the keyboard is there");
  // The look of the widget's other secondary buttons (Sign out, Start again), not the browser's bare button:
  // with the widget's stylesheet, which this test page does not load by itself.
  await page.evaluate(() => new Promise((done, fail) => {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/amazon-pay.css", onload: done, onerror: fail });
    document.head.append(link);
  }));
  const look = (e) => { const c = getComputedStyle(e); return [c.backgroundColor, c.borderTop, c.borderRadius, c.cursor]; };
  assert.deepEqual(await again.evaluate(look), ["rgb(255, 255, 255)", "1px solid rgb(136, 140, 140)", "6px", "pointer"]);

  await Promise.all([page.waitForEvent("load"), again.click()]);
  await mountLanderHere(page);
  // Still signed in (the token is the tab's): the widgets at once, a new order reference with the sandbox's
  // default instrument (visa-1111, approved).
  await page.locator('.amazon-pay-wallet input[value="visa-1111"]:checked').waitFor();
  await page.locator(".amazon-pay-place-order:enabled").click();
  await page.locator(".amazon-pay-done").waitFor();
  assert.equal(await notice(page).textContent(), "Thank you! Your order is confirmed.");
  const crm = await sent("order/import", before, on);
  assert.equal(crm.length, 2, "two orders reached CheckoutChamp");
  assert.notEqual(crm[0].amazonOrderId, crm[1].amazonOrderId, "a new order reference");
  assert.equal(imports.length, 2);
  assert.notEqual(imports[0].idempotency_key, imports[1].idempotency_key, "a new intent");
  assert.deepEqual(problems, []);
  await context.close();
});

test("CheckoutChamp pending then declined (visa-0002) on the upsell page: the declined order in words, the offer withdrawn, and an upsale asks nothing", async () => {
  const on = await decidingServer();
  const { page, context, problems } = await fresh();
  await page.goto(on.baseUrl + "/lander.html");
  await signIn(page, context);
  await chooseInstrument(page, "visa-0002");
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  await Promise.all([page.waitForURL(/\/upsell\.html\?orderId=/), placeOrder(page).click()]);
  const orderId = new URL(page.url()).searchParams.get("orderId");
  await page.getByRole("button", { name: "Yes, add it to my order" }).waitFor();
  const before = await callCount(on);
  await page.locator('[data-order-status="declined"]').waitFor({ timeout: WAIT });
  // The page's only way on is "Continue": the sentence offers no "order again" (the lander's does, with its button).
  assert.equal(await notice(page).textContent(),
    "Amazon Pay declined the payment for your order: it was not placed and nothing was charged, so nothing can be added to it.");
  assert.equal(await page.locator(".amazon-pay-upsell-add").isHidden(), true, "the offer is withdrawn");
  assert.equal(await page.locator(".amazon-pay-upsell-decline").textContent(), "Continue");
  const declined = (await events(page)).filter((e) => e.kind === "declined");
  assert.deepEqual(declined.map((e) => [e.orderId, e.code]), [[orderId, "declined"]]);
  assert.deepEqual(await sent("upsale/import", before, on), [], "no upsale reached CheckoutChamp");
  assert.deepEqual(problems, []);
  await context.close();
});

/** /cv1.html up to the buyer's details; returns the workorder id. */
async function cv1ToDetails(page, context, options) {
  const workorderId = await cv1Start(page, context, options);
  await page.locator(".amazon-pay-buyer-name").waitFor();
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  return workorderId;
}

/** Clicks "Place order" and follows Amazon's confirmation flow back to the page with `result`. */
async function placeAndReturn(page, result) {
  await Promise.all([page.waitForURL(new RegExp(`/cv1\\.html\\?workorderId=.*&result=${result}`)), placeOrder(page).click()]);
}

const focused = (page) => page.evaluate(() => document.activeElement?.className ?? "");
const confirmations = (page) => page.evaluate(() => window.__amazonPaySandbox.confirmations.map((c) => c.result));

test("PAYONE CV1 approved: getconfiguration, details, confirmation flow, authorization with wallettype=AMZ", async () => {
  const { page, context, problems } = await fresh();
  const approved = await countAcrossPages(context, "approved");
  const before = await callCount();
  const workorderId = await cv1ToDetails(page, context);
  assert.equal(await page.locator(".amazon-pay-buyer-name").textContent(), "Anna Schmidt");
  assert.match(await page.locator(".amazon-pay-total").textContent(), /€50\.70/);
  await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(page).click()]);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  // One order, one `approved`: the confirmation page's (cv1.html leaves for it without announcing it too).
  const orderId = new URL(page.url()).searchParams.get("order");
  assert.deepEqual(approved, [{ kind: "approved", orderId }]);

  const actions = (await callsSince(before)).map((c) => c.action);
  assert.deepEqual(actions.filter((a, i) => a !== actions[i - 1]), [
    "getconfiguration", "getorderreferencedetails", "setorderreferencedetails", "confirmorderreference", "preauthorization",
  ]);
  const [confirm] = await sent("confirmorderreference", before);
  assert.equal(confirm.workorderid, workorderId);
  // The order's token (server/src/return_token.rs): only this URL may change the order.
  assert.match(confirm.successurl, /\/api\/cv1\/orders\/O\w+\/return\?result=success&token=[0-9a-f]{32}$/);
  const [details] = await sent("getorderreferencedetails", before);
  assert.equal(details["add_paydata[amazon_address_token]"], "<redacted>");
  const [auth] = await sent("preauthorization", before);
  assert.equal(auth.wallettype, "AMZ");
  assert.equal(auth["add_paydata[amazon_timeout]"], "0");
  assert.equal(auth["add_paydata[amazon_reference_id]"], confirm["add_paydata[amazon_reference_id]"]);
  assert.equal(auth.reference, confirm["add_paydata[reference]"]);
  assert.equal(auth.amount, "5070");
  assert.deepEqual(problems, []);
  await context.close();
});

/** On the sandbox's MFA page: the code, "Verify", and the confirmation page saying the order is confirmed. */
async function verifyMfa(page) {
  await page.getByLabel("Security code").fill("123456");
  await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), page.getByRole("button", { name: "Verify" }).click()]);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
}

test("PAYONE CV1 with MFA: the confirmation flow asks for the code, then the order is authorized", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  await cv1ToDetails(page, context, { instrument: "mc-3ds1" });
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  assert.deepEqual((await sent("preauthorization", before)), [], "nothing is authorized before the MFA");
  await verifyMfa(page);
  const [confirm] = await sent("confirmorderreference", before);
  const auths = await sent("preauthorization", before);
  assert.equal(auths.length, 1);
  assert.equal(auths[0].reference, confirm["add_paydata[reference]"]);
  await context.close();
});

test("PAYONE CV1, Back from Amazon's MFA page with the browser's back/forward cache: Place order again, not left busy", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const { page, context, problems } = await fresh({ on: keeping });
    const before = await callCount();
    await cv1ToDetails(page, context, { instrument: "mc-3ds1" });
    // (Kept in the tab's storage: the widget loads the restored page again.)
    await page.evaluate(() => addEventListener("pageshow", (event) => { if (event.persisted) sessionStorage.setItem("restoredFromCache", "1"); }));
    await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
    // Restored from the cache there is no load event: wait for the address only.
    await page.goBack({ waitUntil: "commit" });
    await notice(page).filter({ hasText: "You did not finish confirming the payment with Amazon Pay" }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("restoredFromCache")), "1", "the browser kept the page");
    await page.locator(".amazon-pay-place-order:enabled").waitFor();
    assert.equal(await placeOrder(page).getAttribute("aria-busy"), "false");
    // The same order, confirmed again at Amazon: one order, one authorization.
    await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
    await verifyMfa(page);
    const confirms = await sent("confirmorderreference", before);
    assert.equal(confirms.length, 1, "the order placed once");
    const auths = await sent("preauthorization", before);
    assert.equal(auths.length, 1);
    assert.equal(auths[0].reference, confirms[0]["add_paydata[reference]"]);
    assert.deepEqual(problems, []);
  } finally {
    await keeping.close();
  }
});

for (const backForwardCache of [true, false]) {
  const cache = backForwardCache ? "with" : "without";
  test(`PAYONE CV1, Back from the confirmation page ${cache} the back/forward cache: the order's page again, not a checkout left busy, and no second approved`, async () => {
    const on = backForwardCache ? await launchBrowser({ backForwardCache }) : browser;
    try {
      const { page, context, problems } = await fresh({ on });
      const approved = await countAcrossPages(context, "approved");
      const before = await callCount();
      const workorderId = await cv1ToDetails(page, context);
      await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(page).click()]);
      assert.match(await confirmationState(page, "approved"), /confirmed/);
      const orderPage = page.url();
      // Back: the checkout page comes back (from the cache, or loaded again at the address naming its checkout),
      // finds its order placed and leaves for the order's page again, in place of itself in the history. It was
      // "Completing your payment…" for ever (the return from Amazon, restored), or a bounce that said approved again.
      await page.goBack({ waitUntil: "commit" });
      await page.waitForURL(orderPage);
      assert.match(await confirmationState(page, "approved"), /confirmed/);
      assert.deepEqual((await events(page)).filter((e) => e.kind === "approved"), [], "shown again, not announced again");
      assert.equal(approved.length, 1);
      assert.equal((await sent("preauthorization", before)).length, 1);
      assert.equal((await sent("confirmorderreference", before))[0].workorderid, workorderId);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      if (backForwardCache) await on.close();
    }
  });
}

test("PAYONE CV1, Back from Amazon's MFA page that loads /cv1.html again: the same checkout, not a new one", async () => {
  const { page, context, problems } = await fresh();
  const before = await callCount();
  const workorderId = await cv1ToDetails(page, context, { instrument: "mc-3ds1" });
  assert.equal(new URL(page.url()).search, "", "a bare /cv1.html");
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  await page.goBack();
  // It started a new checkout, and the confirmed order waited for the 24-hour sweep.
  await placeOrder(page).and(page.locator(":enabled")).waitFor();
  assert.equal(new URL(page.url()).searchParams.get("workorderId"), workorderId);
  assert.match(await notice(page).textContent(), /You did not finish confirming the payment with Amazon Pay/);
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  await verifyMfa(page);
  const confirms = await sent("confirmorderreference", before);
  assert.equal(confirms.length, 1, "the order placed once");
  assert.equal(confirms[0].workorderid, workorderId);
  const auths = await sent("preauthorization", before);
  assert.equal(auths.length, 1);
  assert.equal(new URL(page.url()).searchParams.get("order"), confirms[0]["add_paydata[reference]"]);
  assert.deepEqual(problems, []);
  await context.close();
});

// A shop page with `<base href>` (common in shop systems): the address the checkout writes as it leaves for
// Amazon, and the page it loads again when the browser restores it, are the page's own. Both were relative
// (`?workorderId=…`, `""`), which the base resolved to /somewhere/: Back from Amazon reached no checkout.
for (const backForwardCache of [true, false]) {
  const cache = backForwardCache ? "with" : "without";
  test(`PAYONE CV1 on a shop page with <base href>, Back from Amazon's MFA page ${cache} the back/forward cache: the same checkout at the page's own address`, async () => {
    const on = backForwardCache ? await launchBrowser({ backForwardCache }) : browser;
    try {
      const { page, context, problems } = await fresh({ on });
      await context.route(/\/cv1\.html(\?|$)/, async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace("<head>", '<head>\n  <base href="/somewhere/">');
        assert.match(body, /<base href="\/somewhere\/">/);
        // The demo pages' policy forbids a base (`base-uri 'none'`); a shop's page that has one allows it.
        const headers = response.headers();
        const policy = headers["content-security-policy"];
        assert.match(policy, /base-uri 'none'/);
        headers["content-security-policy"] = policy.replace("base-uri 'none'", "base-uri 'self'");
        await route.fulfill({ response, body, headers });
      });
      const before = await callCount();
      const workorderId = await cv1ToDetails(page, context, { instrument: "mc-3ds1" });
      await page.evaluate(() => addEventListener("pageshow", (event) => { if (event.persisted) sessionStorage.setItem("restoredFromCache", "1"); }));
      await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
      await page.goBack({ waitUntil: "commit" });
      // (Restored from the cache, the page loads itself again: the notice is the new document's.)
      await notice(page).filter({ hasText: "You did not finish confirming the payment with Amazon Pay" }).waitFor();
      await placeOrder(page).and(page.locator(":enabled")).waitFor();
      const url = new URL(page.url());
      assert.equal(url.pathname, "/cv1.html");
      assert.equal(url.searchParams.get("workorderId"), workorderId);
      const restored = await page.evaluate(() => sessionStorage.getItem("restoredFromCache"));
      assert.equal(restored, backForwardCache ? "1" : null, "the browser kept the page only with the cache");
      await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
      await verifyMfa(page);
      const confirms = await sent("confirmorderreference", before);
      assert.equal(confirms.length, 1, "the order placed once");
      assert.equal(confirms[0].workorderid, workorderId);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      if (backForwardCache) await on.close();
    }
  });
}

test("PAYONE CV1 abandoned MFA: AuthenticationStatus=Abandoned in words, then another card on the same checkout", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  await cv1ToDetails(page, context, { instrument: "mc-3ds0" });
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  const [returned] = await Promise.all([
    page.waitForRequest((r) => r.url().includes("/return?result=error")),
    page.waitForURL(/result=abandoned/),
    page.getByRole("button", { name: "Cancel" }).click(),
  ]);
  assert.match(returned.url(), /AuthenticationStatus=Abandoned/);
  await notice(page).filter({ hasText: "You did not finish confirming the payment with Amazon Pay" }).waitFor();
  assert.deepEqual(await sent("preauthorization", before), [], "an abandoned confirmation is not authorized");
  // The widgets come back on the same order reference; the buyer picks another card and confirms again.
  await page.locator(".amazon-pay-buyer-name").waitFor();
  await chooseInstrument(page, "visa-1111");
  await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(page).click()]);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const confirms = await sent("confirmorderreference", before);
  assert.equal(confirms.length, 2);
  assert.equal(confirms[0]["add_paydata[amazon_reference_id]"], confirms[1]["add_paydata[amazon_reference_id]"]);
  assert.notEqual(confirms[0]["add_paydata[reference]"], confirms[1]["add_paydata[reference]"], "a new order for the new attempt");
  const auths = await sent("preauthorization", before);
  assert.equal(auths.length, 1, "only the confirmed attempt is authorized");
  assert.equal(auths[0].reference, confirms[1]["add_paydata[reference]"]);
  await context.close();
});

test("PAYONE CV1, Back from Amazon's MFA page to an address with the checkout in it: the checkout again, not an order page that waits for nothing", async () => {
  const { page, context, problems } = await fresh();
  const before = await callCount();
  await cv1ToDetails(page, context, { instrument: "mc-3ds0" });
  // A first attempt given up on Amazon's page leaves the checkout in the address (…&result=abandoned).
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  await Promise.all([page.waitForURL(/result=abandoned/), page.getByRole("button", { name: "Cancel" }).click()]);
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  // The second attempt's MFA page, left with Back: that page loads again (no back/forward cache here).
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  await page.goBack();
  // The order waits for the buyer at Amazon: the checkout says so and offers "Place order", not the order's page
  // ("still checking", then "not confirmed yet, go back to the checkout page", which led here and on again).
  await page.locator(".amazon-pay-buyer-name").waitFor();
  await placeOrder(page).and(page.locator(":enabled")).waitFor();
  assert.match(new URL(page.url()).pathname, /\/cv1\.html$/);
  assert.match(await notice(page).textContent(), /You did not finish confirming the payment with Amazon Pay/);
  // "Place order" reopens Amazon's confirmation for that same order: confirmed once more at Amazon, one authorization.
  await Promise.all([page.waitForURL(/\/sandbox\/amazon\/widgets\/confirm/), placeOrder(page).click()]);
  await verifyMfa(page);
  const confirms = await sent("confirmorderreference", before);
  assert.equal(confirms.length, 2, "the abandoned attempt and the one Back left waiting");
  const auths = await sent("preauthorization", before);
  assert.equal(auths.length, 1);
  assert.equal(auths[0].reference, confirms[1]["add_paydata[reference]"]);
  assert.equal(new URL(page.url()).searchParams.get("order"), confirms[1]["add_paydata[reference]"]);
  assert.deepEqual(problems.filter((p) => !p.startsWith("HTTP")), []);
  await context.close();
});

test("PAYONE CV1 pending: 980 and pending instruments are retried asynchronously and follow the notifications", async () => {
  const { page, context } = await fresh();
  const before = await callCount();
  await cv1ToDetails(page, context, { instrument: "mc-4444" });
  await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(page).click()]);
  assert.match(await confirmationState(page, "pending"), /still checking/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const timeouts = (await sent("preauthorization", before)).map((a) => a["add_paydata[amazon_timeout]"]);
  assert.deepEqual(timeouts, ["0", "1440"], "first synchronous, then asynchronous after 980");

  const second = await fresh();
  await cv1ToDetails(second.page, second.context, { instrument: "visa-0980" });
  await Promise.all([second.page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(second.page).click()]);
  // The later failed's reason (a hard decline), as the review page would say it.
  assert.match(await confirmationState(second.page, "failed"), /your payment with Amazon Pay was not successful/);
  await second.context.close();
  await context.close();
});

// Each CV1 decline, as a tester reaches it (an instrument, or a buyer whose account lacks something), in the
// buyer's language. `at` is the PAYONE call that refuses; `offers` is what the widget then gives the buyer:
// the Wallet again (`wallet`), the AddressBook (`address`), a new checkout (`start-again`) or another way to
// pay (`another-way`). Rows with `retry` pick visa-1111 afterwards and must get the order approved.
const DECLINES = [
  {
    code: 980, instrument: "visa-0980", mode: "synchronous", at: "preauthorization", lang: "en", offers: "start-again",
    sentence: "Amazon Pay did not confirm your payment in time. Nothing was charged. Please start the checkout again.",
  },
  {
    code: 981, instrument: "visa-0981", buyer: /Jean-Pierre/, at: "confirmorderreference", lang: "en", offers: "wallet", retry: true,
    sentence: "Amazon Pay declined the selected payment method. Please choose another payment method in the Amazon Pay box and place the order again.",
  },
  {
    code: 982, instrument: "amex-0982", at: "preauthorization", lang: "en", offers: "another-way",
    sentence: "Amazon Pay could not accept this payment. Please pay with another payment method.",
  },
  {
    code: 983, instrument: "visa-0983", at: "preauthorization", lang: "de", offers: "start-again", cancels: true,
    sentence: "Amazon Pay konnte Ihre Zahlung nicht verarbeiten. Es wurde nichts belastet. Bitte starten Sie den Bezahlvorgang erneut.",
  },
  {
    code: 984, instrument: "visa-0984", at: "confirmorderreference", lang: "es", offers: "another-way",
    // Refused on the same page: the keyboard focus moves from the disabled "Place order" to signing out.
    focus: "sign-out",
    sentence: "La propia cuenta de Amazon de la tienda no puede pagar aquí. Inicia sesión con otra cuenta de Amazon o elige otro método de pago.",
  },
  {
    code: 985, instrument: "visa-0985", at: "confirmorderreference", lang: "fr", offers: "wallet", retry: true,
    sentence: "Le moyen de paiement choisi ne peut pas être utilisé pour cet achat. Veuillez en choisir un autre dans le cadre Amazon Pay.",
  },
  {
    code: 986, buyer: /Lena Vogel/, at: "confirmorderreference", lang: "en", offers: "wallet", retry: true,
    sentence: "Please choose a payment method in the Amazon Pay box.",
  },
  {
    code: 987, buyer: /Noah Weber/, at: "getorderreferencedetails", lang: "it", offers: "address",
    sentence: "Scegli un indirizzo di spedizione nel riquadro Amazon Pay.",
  },
];

/** What the buyer may do next, as the widget shows it (classes, so that every language reads the same). */
async function offered(page) {
  const visible = (selector) => page.locator(selector).first().isVisible();
  return {
    widgets: await visible(".amazon-pay-widgets"),
    placeOrder: (await visible(".amazon-pay-place-order")) && (await placeOrder(page).isEnabled()),
    startAgain: await visible(".amazon-pay-start-again"),
    anotherWay: (await visible(".amazon-pay-decline-help")) && (await visible(".amazon-pay-next-step .amazon-pay-sign-out")),
    backToCart: await visible(".amazon-pay-next-step .amazon-pay-back-to-cart"),
    focus: (await focused(page)).match(/amazon-pay-(wallet|address-book|sign-out|start-again)/)?.[1] ?? null,
  };
}

const OFFERS = {
  wallet: { widgets: true, placeOrder: true, startAgain: false, anotherWay: false, backToCart: false, focus: "wallet" },
  address: { widgets: true, placeOrder: false, startAgain: false, anotherWay: false, backToCart: false, focus: "address-book" },
  "start-again": { widgets: false, placeOrder: false, startAgain: true, anotherWay: false, backToCart: true, focus: null },
  "another-way": { widgets: false, placeOrder: false, startAgain: false, anotherWay: true, backToCart: true, focus: null },
};

test("PAYONE CV1 with a shop that charges for standard delivery: a Delivery line, so the lines add up to the total", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cv1-delivery-"));
  const catalogue = join(dir, "catalogue.json");
  writeFileSync(catalogue, JSON.stringify({ currency: "EUR", products: { mug: { name: "Rust mug", price: 1290 }, tshirt: { name: "Ferris T-shirt", price: 2490 } }, delivery: { standard: 390, express: 990 } }));
  const charging = await startServer({ args: ["--catalogue", catalogue] });
  try {
    const { page, context, problems } = await fresh();
    await cv1ToDetails(page, context, { on: charging });
    // cv1.html's cart: two mugs and a T-shirt (50.70), and standard delivery's 3.90.
    assert.equal(await page.locator(".amazon-pay-delivery-fee").textContent(), "Delivery: €3.90");
    assert.match(await page.locator(".amazon-pay-total").textContent(), /€54\.60/);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await charging.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PAYONE CV1: the shipping address names its country in the page's language, as the review page does", async () => {
  const { page, context } = await fresh();
  await speak(context, "fr");
  await cv1ToDetails(page, context);
  assert.equal(await page.locator(".amazon-pay-address span").last().textContent(), "Allemagne");
  await context.close();
});

test("PAYONE CV1: a placement whose answer never comes (the network failed) offers Place order again, with the focus on it", async () => {
  const { page, context } = await fresh();
  await cv1ToDetails(page, context);
  // The confirmation's request fails as a dropped connection would; Amazon's flow is told the error.
  await page.route("**/api/cv1/sessions/*/confirm", (route) => route.abort("connectionreset"));
  await placeOrder(page).click();
  await page.locator(".amazon-pay-place-order:enabled").waitFor();
  // "Place order" was disabled while it waited, which dropped the keyboard focus to the page.
  assert.match(await focused(page), /amazon-pay-place-order/);
  assert.equal((await events(page)).filter((e) => e.kind === "approved" || e.kind === "declined").length, 0);
  await context.close();
});

let timingOutServer;
/** A second server whose PAYONE timeout (2 s) is shorter than the sandbox's hold of visa-0504's request (4 s). */
async function timingOut() {
  timingOutServer ??= await startServer({ env: { PAYONE_TIMEOUT_MS: "2000", SANDBOX_UPSTREAM_HOLD_MS: "4000" } });
  return timingOutServer;
}
after(async () => {
  await timingOutServer?.stop();
});

test("PAYONE CV1: an authorization PAYONE never answers (visa-0504) offers Try again for the same order, never a new checkout", async () => {
  const on = await timingOut();
  const { page, context, problems } = await fresh();
  const before = await callCount(on);
  await cv1ToDetails(page, context, { on, instrument: "visa-0504" });
  await placeAndReturn(page, "success");
  // 504 upstream_timeout: the authorization may have gone through, so no "Start again" (a second checkout and
  // authorization): the sentence, and "Try again" for this order.
  const timedOut = "The payment service is not responding right now. Please try again in a moment.";
  await notice(page).filter({ hasText: timedOut }).waitFor();
  const tryAgain = page.locator(".amazon-pay-try-again");
  assert.deepEqual(await offered(page), { widgets: false, placeOrder: false, startAgain: false, anotherWay: false, backToCart: true, focus: null });
  assert.ok(await tryAgain.isVisible(), "Try again is offered");
  assert.equal(await tryAgain.textContent(), "Try again");
  const returned = page.url();

  // Try again: this page again, which asks PAYONE again about the same attempt (still held: undecided again).
  await Promise.all([page.waitForEvent("load"), tryAgain.click()]);
  assert.equal(page.url(), returned, "the same order's address");
  await notice(page).filter({ hasText: timedOut }).waitFor();
  assert.ok(await tryAgain.isVisible(), "still undecided: Try again again");
  const auths = await sent("preauthorization", before, on);
  assert.equal(auths.length, 2);
  assert.equal(auths[1].reference, auths[0].reference, "the same attempt");
  assert.equal(auths[1]["add_paydata[amazon_reference_id]"], auths[0]["add_paydata[amazon_reference_id]"]);
  const actions = (await callsSince(before, on)).map((c) => c.action);
  assert.equal(actions.filter((a) => a === "getconfiguration").length, 1, "no new checkout");
  assert.equal(actions.filter((a) => a === "confirmorderreference").length, 1);
  // The only failures: the two 504 answers, which the widget also logs.
  const expected = (p) => /HTTP 504 .*\/authorize$/.test(p) || p.includes("status of 504") || p.startsWith("console: Amazon Pay: ");
  assert.deepEqual(problems.filter((p) => !expected(p)), []);
  await context.close();
});

let synchronousServer;
/** A second server in PAYONE_AMAZON_MODE=synchronous (980 comes back at once there), started once. */
async function synchronous() {
  synchronousServer ??= await startServer({ env: { PAYONE_AMAZON_MODE: "synchronous" } });
  return synchronousServer;
}
after(async () => {
  await synchronousServer?.stop();
});

for (const row of DECLINES) {
  const choice = row.instrument ? `instrument ${row.instrument}` : `buyer ${row.buyer.source}`;
  test(`PAYONE CV1 ${row.code} (${choice}, ${row.lang}): refused by ${row.at}, the buyer is offered ${row.offers}`, async () => {
    const on = row.mode === "synchronous" ? await synchronous() : server;
    const { page, context, problems } = await fresh();
    await speak(context, row.lang);
    const before = await callCount(on);
    await cv1Start(page, context, { on, buyer: row.buyer, instrument: row.instrument });

    if (row.at === "getorderreferencedetails") {
      // Refused while reading the details: there is nothing to place.
      await notice(page).filter({ hasText: row.sentence }).waitFor();
      assert.equal(await page.locator(".amazon-pay-buyer-name").count(), 0);
    } else {
      await page.locator(".amazon-pay-place-order:enabled").waitFor();
      if (row.at === "confirmorderreference") {
        await placeOrder(page).click();
      } else {
        await placeAndReturn(page, "success");
      }
      await notice(page).filter({ hasText: row.sentence }).waitFor();
      const declined = (await events(page)).find((e) => e.kind === "declined");
      assert.equal(declined.code, row.code === 981 || row.code >= 985 ? "soft_decline" : "hard_decline");
      assert.equal(declined.message, row.sentence);
    }
    assert.equal(await notice(page).textContent(), row.sentence);
    assert.deepEqual(await offered(page), { ...OFFERS[row.offers], ...(row.focus && { focus: row.focus }) });

    // Upstream: the refusing call carries the code; nothing was sent after a refusal before the authorization.
    const calls = await callsSince(before, on);
    const refused = calls.findIndex((c) => c.action === row.at && c.outcome.startsWith(`PAYONE error ${row.code}:`));
    assert.ok(refused >= 0, `${row.at} answered ${row.code}: ${JSON.stringify(calls.map((c) => [c.action, c.outcome]))}`);
    // (Reading the details again is no step further: a Wallet shown again reports its selection.)
    const later = calls.slice(refused + 1).map((c) => c.action).filter((a) => a !== "getorderreferencedetails");
    assert.deepEqual(later, row.cancels ? ["cancelorderreference"] : [], "what followed the refusal");
    if (row.cancels) {
      assert.equal(calls.at(-1).outcome, "OK");
      assert.equal(calls.at(-1).fields["add_paydata[amazon_reference_id]"], calls[refused].fields["add_paydata[amazon_reference_id]"]);
    }
    const actions = calls.map((c) => c.action);
    if (row.at !== "preauthorization") assert.ok(!actions.includes("preauthorization"), "never authorized");
    if (row.at === "getorderreferencedetails") assert.ok(!actions.includes("confirmorderreference"), "never confirmed");
    if (row.at === "confirmorderreference") assert.deepEqual(await confirmations(page), ["error"], "the flow was told error()");
    if (row.mode === "synchronous") assert.equal(calls[refused].fields["add_paydata[cancel_on_timeout]"], "yes");

    if (row.retry) {
      // The Wallet is back on the same order reference (once it has rendered again): another card goes through.
      await page.waitForFunction(() => window.__amazonPaySandbox.events.filter((e) => e.widget === "Wallet" && e.callback === "onReady").length === 2);
      await chooseInstrument(page, "visa-1111");
      await Promise.all([page.waitForURL(/\/confirmation\.html\?order=/), placeOrder(page).click()]);
      await confirmationState(page, "approved");
      const confirms = (await callsSince(before, on)).filter((c) => c.action === "confirmorderreference");
      assert.equal(confirms.length, 2);
      assert.equal(confirms[1].outcome, "OK");
      assert.equal(confirms[0].fields["add_paydata[amazon_reference_id]"], confirms[1].fields["add_paydata[amazon_reference_id]"]);
      assert.equal((await sent("preauthorization", before, on)).length, 1);
    }
    if (row.offers === "start-again") {
      // A new checkout: a new workorder and order reference, nothing of the old one carried over.
      await Promise.all([page.waitForURL((u) => u.pathname === "/cv1.html" && !u.search), page.locator(".amazon-pay-start-again").click()]);
      await page.locator(".amazon-pay-buyer-name").waitFor();
      const restarted = (await callsSince(before, on)).filter((c) => c.action === "getconfiguration");
      assert.equal(restarted.length, 2, "a second getconfiguration: a new workorder");
    }
    // The only expected failures: PAYONE's 987 makes the details read answer 402, which the widget logs.
    const expected = (p) => /HTTP 402 .*\/details$/.test(p) || p.includes("status of 402") || p.startsWith("console: Amazon Pay: ");
    assert.deepEqual(problems.filter((p) => !(row.code === 987 && expected(p))), []);
    await context.close();
  });
}
