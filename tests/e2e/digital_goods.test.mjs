// Digital goods end to end in Chromium: a cart of only digital products (the catalogue's `digital: true`) is
// PayOnly on the button, on Amazon's pages, on the review page and at PAYONE: no address asked, shown or sent.
// One physical item makes the cart PayAndShip again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { confirmationState, recordingPage, storedOrders, upstreamCalls } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

// The rules are on, and must not get in the way of a checkout that ships nothing.
const { server, browser } = serverAndBrowser({ server: { env: { AMAZON_PAY_SHIP_TO_COUNTRIES: "DE", AMAZON_PAY_REFUSE_PO_BOXES: "true", AMAZON_PAY_REQUIRE_PHONE: "true" } } });

test("an e-book: PayOnly from the button to the order, without any address", async () => {
  const { page, context, problems } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/product.html?sku=ebook");
  const button = page.locator("#amazon-pay-product .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  const [created] = (await upstreamCalls(server().baseUrl, "createCheckoutSessionPayload")).slice(-1);
  assert.doesNotMatch(created.request, /Restrictions/, "no delivery rules when nothing is delivered");
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.check("#buyer-paul");
  await page.click("button.primary");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/signin/);
  assert.match(await page.locator("main").textContent(), /no shipping address is needed/);
  assert.equal(await page.locator("input[name=address]").count(), 0, "Amazon's page asks for no address");
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html\?/);
  await page.locator(".amazon-pay-no-shipping").waitFor();
  const workorderId = new URL(page.url()).searchParams.get("workorderId");
  assert.equal(await page.locator(".amazon-pay-address").count(), 0, "no address shown");
  assert.ok(await page.locator(".amazon-pay-delivery").isHidden(), "no delivery to choose");
  assert.ok(await page.locator(".amazon-pay-phone").isHidden(), "no phone number needed");
  await page.locator(".amazon-pay-change-payment:enabled").waitFor({ state: "visible" });
  assert.ok(await page.locator(".amazon-pay-change-address").isHidden(), "no address to change");
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const [call] = (await upstreamCalls(server().baseUrl, "preauthorization")).slice(before);
  assert.doesNotMatch(call.request, /shipping_/, "PAYONE gets no shipping address for digital goods");
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the cart decides: digital only is PayOnly, a mixed cart PayAndShip (button and APB)", async () => {
  const { page, context } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/");
  const types = await page.evaluate(async () => {
    const session = async (items) => (await (await fetch("/api/cv2/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items }) })).json()).product_type;
    const apb = async (key) => {
      const body = { items: [{ sku: "ebook", quantity: 1 }], idempotency_key: key, product_type: "PayAndShip", buyer: null };
      return (await (await fetch("/api/apb/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()).button.product_type;
    };
    return [await session([{ sku: "ebook", quantity: 2 }]), await session([{ sku: "ebook", quantity: 1 }, { sku: "mug", quantity: 1 }]), await apb("apb-digital-0001")];
  });
  assert.deepEqual(types, ["PayOnly", "PayAndShip", "PayOnly"]);
  await context.close();
});
