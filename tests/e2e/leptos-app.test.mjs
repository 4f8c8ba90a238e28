// A downstream Leptos app (examples/leptos-shop) that depends on the widget crate starts (its own `main` runs,
// not the crate's embed start) and shows the Amazon Pay button rendered by the sandbox's checkout.js.
// scripts/build-examples builds it into examples/leptos-shop/dist; the server serves that dist in place of the
// widget's, so the button's session request goes to the same origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startServer } from "./support/server.mjs";
import { launchBrowser, newPage } from "./support/browser.mjs";

const distDir = resolve(import.meta.dirname, "../../examples/leptos-shop/dist");

let server;
let browser;
before(async () => {
  assert.ok(existsSync(join(distDir, "leptos-shop_bg.wasm")), `${distDir} has no build: run scripts/build-examples first`);
  server = await startServer({ distDir });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a Leptos app using the crate renders its own page and the Amazon Pay button", async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(server.baseUrl + "/");
  // The app's own heading: its `main` ran (with the crate's old start function, the page stayed empty).
  const heading = page.locator("#leptos-shop-heading");
  await heading.waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await heading.textContent(), "Leptos shop: your cart");
  // The component mounted the button view, which asked the backend for a session and loaded the sandbox's
  // checkout.js, which rendered Amazon's button.
  const button = page.locator(".amazon-pay-host .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await button.getAttribute("aria-busy"), "false");
  assert.equal(await page.locator('script[src$="/sandbox/amazon/checkout.js"]').count(), 1);
  // Only one host: nothing mounted a second widget from the page (no embed auto-mount in the app).
  assert.equal(await page.locator(".amazon-pay-host").count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});
