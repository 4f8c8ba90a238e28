// "Buy now" on a product page, end to end in Chromium: Amazon's button with placement Product for one product,
// fed by the page's quantity picker (static/product.html, static/product.js); the review page shows the quantity
// last picked, and only the last picked quantity's session is used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { confirmationState, events, recordingPage, upstreamCalls } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const { server, browser } = serverAndBrowser();

test("the quantity picker feeds the button; the review page and the order have that quantity", async () => {
  const { page, context, problems } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/product.html?sku=mug");
  const host = page.locator("#amazon-pay-product");
  await host.locator(".amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  assert.equal(await page.locator("h1").textContent(), "Rust mug");
  const before = (await upstreamCalls(server().baseUrl, "createCheckoutSessionPayload")).length;
  // Typing "12" is two quantities within the picker's pause: one new session, for 12.
  await page.fill("#quantity", "");
  await page.locator("#quantity").pressSequentially("12");
  await page.waitForFunction(() => document.getElementById("amazon-pay-product").dataset.quantity === "12");
  await host.locator(".amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  const created = (await upstreamCalls(server().baseUrl, "createCheckoutSessionPayload")).slice(before);
  assert.deepEqual(created.map((c) => new URLSearchParams(c.request).get("amount")), ["15480"], "one session, for 12 mugs");
  // The fake checkout.js records the options of every button rendered: the last one is the product's.
  const rendered = await page.evaluate(() => window.__amazonPaySandbox.buttons.map((b) => [b.options.placement, b.options.productType, b.options.estimatedOrderAmount.amount]));
  assert.deepEqual(rendered.at(-1), ["Product", "PayAndShip", "154.80"]);
  assert.equal(await host.locator(".amazon-pay-button").count(), 1, "one button, the old one unmounted");
  // A quantity out of range keeps the button and says why.
  await page.fill("#quantity", "0");
  await page.locator("#quantity-note", { hasText: "1 to 99" }).waitFor();
  assert.equal(await host.locator(".amazon-pay-button").count(), 1);
  await page.fill("#quantity", "3");
  await page.waitForFunction(() => document.getElementById("amazon-pay-product").dataset.quantity === "3");
  await host.locator(".amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  await host.locator(".amazon-pay-button").click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button.primary");
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  await page.waitForURL(/\/review\.html\?/);
  await page.locator(".amazon-pay-items", { hasText: "3 × Rust mug" }).waitFor();
  assert.match(await page.locator(".amazon-pay-total").textContent(), /38[.,]70/);
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.ok((await events(page)).length > 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("cancelling on Amazon's pages comes back to the product page", async () => {
  const { page, context } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/product.html?sku=tshirt");
  const button = page.locator("#amazon-pay-product .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button[value=cancel]");
  await page.waitForURL(/\/product\.html\?sku=tshirt/);
  assert.equal(await page.locator("h1").textContent(), "Ferris T-shirt");
  await context.close();
});
