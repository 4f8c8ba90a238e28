// The shop's address rules and a missing phone number, end to end in Chromium against the sandbox: the server
// runs with DE and AT as its countries, PO boxes and Packstations refused and a phone number required; buyer
// `paul` has one address of each kind (docs/sandbox.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkoutToReview, confirmationState, recordingPage, storedOrders, upstreamCalls } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const { server, browser } = serverAndBrowser({
  server: {
    env: {
      AMAZON_PAY_SHIP_TO_COUNTRIES: "DE,AT",
      AMAZON_PAY_REFUSE_PO_BOXES: "true",
      AMAZON_PAY_REFUSE_PACKSTATIONS: "true",
      AMAZON_PAY_REQUIRE_PHONE: "true",
    },
  },
});

const fresh = () => recordingPage(browser());

test("the button's session carries the rules to Amazon as deliverySpecifications", async () => {
  const { page, context } = await fresh();
  const before = (await upstreamCalls(server().baseUrl, "createCheckoutSessionPayload")).length;
  await page.goto(server().baseUrl + "/");
  await page.locator("#amazon-pay .amazonpay-button-view1").waitFor({ state: "visible" });
  const [call] = (await upstreamCalls(server().baseUrl, "createCheckoutSessionPayload")).slice(before);
  const form = new URLSearchParams(call.request);
  assert.equal(form.get("add_paydata[addressRestrictions_type]"), "Allowed");
  assert.deepEqual([form.get("add_paydata[addressRestrictions_country_0]"), form.get("add_paydata[addressRestrictions_country_1]")], ["DE", "AT"]);
  assert.equal(form.get("add_paydata[specialRestrictions]"), "RestrictPOBoxes,RestrictPackstations");
  await context.close();
});

for (const [address, sentence] of [
  ["paul-pobox", /cannot deliver to a PO box/],
  ["paul-packstation", /cannot deliver to a Packstation/],
  ["paul-zurich", /do not ship to this country/],
]) {
  test(`${address}: a sentence and "Change address" instead of "Place order", and no order even when asked directly`, async () => {
    const { page, context } = await fresh();
    const workorderId = await checkoutToReview(page, server().baseUrl, { buyer: "paul", address, instrument: "visa-1111" });
    const problem = page.locator(".amazon-pay-address-problem[role=alert]");
    await problem.waitFor({ state: "visible" });
    assert.match(await problem.textContent(), sentence);
    assert.match(await problem.textContent(), /Change address/);
    assert.ok(await page.locator(".amazon-pay-place-order").isHidden(), "no Place order for a refused address");
    await page.locator(".amazon-pay-change-address:enabled").waitFor({ state: "visible" });
    // The server refuses too, whatever the page does.
    const placed = await page.evaluate(async (id) => {
      const r = await fetch(`/api/cv2/sessions/${id}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ idempotency_key: "direct-call-0001", language: "de" }) });
      return { status: r.status, body: await r.json() };
    }, workorderId);
    assert.equal(placed.status, 400);
    assert.match(placed.body.message, /Adresse ändern/);
    assert.deepEqual(await storedOrders(server().baseUrl, workorderId), []);
    await context.close();
  });
}

test("changing a refused address to one the shop takes brings Place order back, and the order goes through", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { buyer: "paul", address: "paul-pobox", instrument: "visa-1111" });
  await page.locator(".amazon-pay-change-address:enabled").waitFor({ state: "visible" });
  await page.click(".amazon-pay-change-address");
  await page.waitForURL(/initiate_auth/);
  await page.check("#address-paul-home");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html/);
  await page.locator(".amazon-pay-address", { hasText: "Alexanderplatz" }).waitFor();
  assert.ok(await page.locator(".amazon-pay-address-problem").isHidden());
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  await context.close();
});

test("an address without a phone number: the review page asks for one, checks it, and sends it with the order", async () => {
  const { page, context } = await fresh();
  const workorderId = await checkoutToReview(page, server().baseUrl, { buyer: "paul", address: "paul-nophone", instrument: "visa-1111" });
  const field = page.getByLabel("Phone number for the delivery");
  await field.waitFor({ state: "visible" });
  const error = page.locator(".amazon-pay-phone-error");
  await page.click(".amazon-pay-place-order");
  assert.match(await error.textContent(), /Please enter a phone number/);
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.ok(await field.evaluate((el) => el === document.activeElement), "the field has the focus");
  await field.fill("call me maybe");
  await page.click(".amazon-pay-place-order");
  assert.match(await error.textContent(), /not valid/);
  assert.deepEqual(await storedOrders(server().baseUrl, workorderId), [], "nothing placed while the number is missing or wrong");
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  await field.fill("+49 30 7654321");
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const [call] = (await upstreamCalls(server().baseUrl, "preauthorization")).slice(before);
  assert.equal(new URLSearchParams(call.request).get("telephonenumber"), "+49 30 7654321");
  await context.close();
});

test("an address with its own phone number asks for none", async () => {
  const { page, context } = await fresh();
  await checkoutToReview(page, server().baseUrl, { buyer: "paul", address: "paul-home", instrument: "visa-1111" });
  assert.ok(await page.locator(".amazon-pay-phone").isHidden());
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  await context.close();
});
