// The button in dynamic containers (docs/embedding.md, "Dynamic carts"), in Chromium against the sandbox: the
// demo minicart (static/minicart.html) re-renders its whole fragment on every change, the page's own script
// calls mount() and handle.update(), and a declaration's attribute changes. Always one working button with the
// current cart's amount, one session per settled cart (counted at the sandbox's PAYONE), no listener of the
// widget left behind, one MutationObserver; and paying with the button at the end charges the last cart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseOnAmazon, events, recordingPage, storedOrders, upstreamCalls } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const MUG = 1290;
const TSHIRT = 2490;

const { server, browser } = serverAndBrowser();

/** A recording page that also counts the event listeners the widget's wasm registers and has not removed
 * (told apart by their caller: the widget's JS glue, not Amazon's checkout.js), and the MutationObservers it creates. */
async function countingPage() {
  const opened = await recordingPage(browser());
  await opened.context.addInitScript(() => {
    const live = [];
    // Called by the widget's JS glue (amazon-pay-*.js), not by a script the wasm called (Amazon's checkout.js).
    const fromWidget = () => /\/amazon-pay-[a-z]+\.js/.test(new Error().stack.split("\n")[3] ?? "");
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (fromWidget() && !live.some((r) => r.target === this && r.type === type && r.listener === listener)) {
        live.push({ target: this, type, listener });
      }
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      const i = live.findIndex((r) => r.target === this && r.type === type && r.listener === listener);
      if (i >= 0) live.splice(i, 1);
      return remove.call(this, type, listener, options);
    };
    window.__wasmListeners = () => ({ live: live.length, detached: live.filter((r) => r.target instanceof Node && !r.target.isConnected).length });
    const Observer = window.MutationObserver;
    window.__observers = 0;
    window.MutationObserver = class extends Observer {
      constructor(callback) {
        super(callback);
        if (fromWidget()) window.__observers += 1;
      }
    };
  });
  return opened;
}

/** Checkout sessions the sandbox's PAYONE was asked for. */
const sessions = async () => (await upstreamCalls(server().baseUrl)).filter((c) => c.request.includes("createCheckoutSessionPayload")).length;

/** Waits until the page has seen `count` amazonpay:ready events; returns them. */
async function readyEvents(page, count) {
  await page.waitForFunction((n) => window.__events.filter((e) => e.kind === "ready").length >= n, count, { timeout: 15_000 });
  return (await events(page)).filter((e) => e.kind === "ready");
}

/** The amount the last rendered Amazon button was given (the sandbox's checkout.js records it). */
const lastButtonAmount = (page) => page.evaluate(() => window.__amazonPaySandbox.buttons.at(-1).options.estimatedOrderAmount.amount);

/** Clicks each selector's first match in turn, `gapMs` apart (well within the widget's 250 ms pause), and
 * counts the widgets in #minicart after each click. */
const clickQuickly = (page, selectors, gapMs = 30) =>
  page.evaluate(async ({ selectors, gapMs }) => {
    const counts = [];
    for (const selector of selectors) {
      document.querySelector(selector).click();
      await new Promise((r) => setTimeout(r, gapMs));
      counts.push(document.querySelectorAll("#minicart .amazon-pay-widget").length);
    }
    return counts;
  }, { selectors, gapMs });

const MUG_PLUS = '#minicart button[data-sku="mug"][data-delta="1"]';
const MUG_MINUS = '#minicart button[data-sku="mug"][data-delta="-1"]';

test("a minicart re-rendered ten times keeps one button, follows the cart with one session per settled cart, and charges the last cart", async () => {
  const before = await sessions();
  const { page, context, problems } = await countingPage();
  await page.goto(server().baseUrl + "/minicart.html");
  const button = page.locator("#minicart .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  const [first] = await readyEvents(page, 1);
  assert.equal(await sessions(), before + 1);
  assert.equal(await lastButtonAmount(page), (MUG / 100).toFixed(2));
  const steady = await page.evaluate(() => window.__wasmListeners());
  assert.ok(steady.live > 0, "the count sees the widget's own listeners (the button's click)");

  // Ten re-renders of the same cart: the button moves into each new fragment, no new session.
  assert.deepEqual(await clickQuickly(page, Array(10).fill("#minicart-refresh")), Array(10).fill(1));
  // Ten quantity clicks, each re-rendering the fragment: one new session once they pause.
  assert.deepEqual(await clickQuickly(page, Array(10).fill(MUG_PLUS)), Array(10).fill(1));
  const [, second] = await readyEvents(page, 2);
  assert.notEqual(second.workorderId, first.workorderId);
  assert.equal(await sessions(), before + 2, "ten re-renders and ten clicks asked for one session");
  assert.equal(await page.locator("#minicart .minicart-quantity[data-sku=mug]").textContent(), "11");
  assert.equal(await lastButtonAmount(page), ((11 * MUG) / 100).toFixed(2));

  // Another change: a T-shirt and two mugs less, quickly: one more session, for the cart they leave.
  await clickQuickly(page, ['main > p button[data-sku="tshirt"]', MUG_MINUS, MUG_MINUS]);
  const [, , third] = await readyEvents(page, 3);
  assert.equal(await sessions(), before + 3);
  const total = 9 * MUG + TSHIRT;
  assert.equal(await lastButtonAmount(page), (total / 100).toFixed(2));

  // One working button (not inert, not busy), the widget's listeners as many as after the first button, none
  // on elements that left the page, one observer.
  assert.equal(await page.locator(".amazon-pay-widget").count(), 1);
  assert.equal(await page.locator(".amazon-pay-widget").getAttribute("aria-busy"), "false");
  assert.equal(await page.locator(".amazon-pay-widget[inert]").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.__wasmListeners()), steady);
  assert.equal(steady.detached, 0);
  assert.equal(await page.evaluate(() => window.__observers), 1);

  // Paying with it charges the last cart.
  await button.click();
  await chooseOnAmazon(page);
  await page.waitForURL(/\/review\.html\?/);
  assert.equal(new URL(page.url()).searchParams.get("workorderId"), third.workorderId);
  await page.locator(".amazon-pay-place-order").click();
  await page.waitForURL(/\/confirmation\.html\?order=/);
  await page.locator('.amazon-pay-order-state[data-state="approved"]').waitFor({ timeout: 15_000 });
  const [order] = await storedOrders(server().baseUrl, third.workorderId);
  assert.equal(order.amount_minor, total);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the page's own script: update() is debounced and checked, mounting twice is one widget, unmount ends it", async () => {
  const { page, context, problems } = await countingPage();
  await page.goto(server().baseUrl + "/minicart.html");
  await readyEvents(page, 1);
  const before = await sessions();
  const result = await page.evaluate(async () => {
    const { mount } = await import("/amazon-pay-button.js");
    const element = document.createElement("div");
    element.id = "api-pay";
    document.querySelector("main").append(element);
    const handle = mount(element, { items: [{ sku: "stickers", quantity: 1 }] });
    // Mounting again into the same element: the same widget, no second button, no new session.
    const again = mount(element, { items: [{ sku: "stickers", quantity: 1 }] });
    const buttons = element.querySelectorAll(".amazon-pay-widget").length;
    // A configuration that is not one: refused, nothing changes.
    const refused = [];
    for (const bad of [{ itemz: [] }, { items: [{ sku: "stickers", quantity: -1 }] }, { language: "tlh" }, "{not json"]) {
      try { handle.update(bad); } catch (e) { refused.push(String(e.message)); }
    }
    for (let quantity = 2; quantity <= 11; quantity += 1) handle.update({ items: [{ sku: "stickers", quantity }] });
    window.__api = { handle, again };
    return { buttons, refused };
  });
  assert.equal(result.buttons, 1);
  assert.equal(result.refused.length, 4, result.refused.join(" | "));
  assert.match(result.refused[0], /unknown field `itemz`/);
  assert.match(result.refused[2], /unsupported language "tlh"/);
  // The first session (stickers × 1; its button may be overtaken before it is drawn), then one for stickers × 11.
  await page.waitForFunction(() => {
    const widget = document.querySelector("#api-pay .amazon-pay-widget");
    return widget && !widget.hasAttribute("inert") && window.__amazonPaySandbox.buttons.at(-1).options.estimatedOrderAmount.amount === "49.50";
  }, null, { timeout: 15_000 });
  assert.equal(await sessions(), before + 2);
  assert.equal(await page.locator("#api-pay .amazon-pay-widget").count(), 1);
  // Updating back and forth to the cart already shown sends nothing.
  await page.evaluate(() => {
    window.__api.handle.update({ items: [{ sku: "stickers", quantity: 12 }] });
    window.__api.handle.update({ items: [{ sku: "stickers", quantity: 11 }] });
  });
  assert.equal(await page.locator("#api-pay .amazon-pay-widget[inert]").count(), 0);
  // Unmounting through either handle removes the one widget; update then says so.
  const after = await page.evaluate(() => {
    window.__api.again.unmount();
    const left = document.querySelectorAll("#api-pay *").length;
    try { window.__api.handle.update({ language: "de" }); return { left, threw: null }; } catch (e) { return { left, threw: e.message }; }
  });
  assert.deepEqual(after, { left: 0, threw: "the widget was unmounted: mount it again" });
  const listeners = await page.evaluate(() => window.__wasmListeners());
  assert.equal(listeners.detached, 0, "no listener of the widget left on removed elements");
  assert.equal(await sessions(), before + 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test("declarations added later are mounted, a changed declaration updates the button, a removed one (or its element) unmounts it", async () => {
  const { page, context, problems } = await countingPage();
  await page.goto(server().baseUrl + "/minicart.html");
  await readyEvents(page, 1);
  const before = await sessions();
  // A second declaration, added by the page later.
  await page.evaluate(() => {
    const element = document.createElement("div");
    element.id = "late";
    element.setAttribute("data-amazon-pay-widget", JSON.stringify({ items: [{ sku: "tshirt", quantity: 1 }] }));
    document.querySelector("main").append(element);
  });
  await page.locator("#late .amazonpay-button-view1").waitFor({ state: "visible" });
  await readyEvents(page, 2);
  assert.equal(await lastButtonAmount(page), (TSHIRT / 100).toFixed(2));
  // Its attribute changes: the widget takes the new configuration (one new session), in German.
  await page.evaluate(() => {
    document.getElementById("late").setAttribute("data-amazon-pay-widget", JSON.stringify({ items: [{ sku: "tshirt", quantity: 2 }], language: "de" }));
  });
  await readyEvents(page, 3);
  assert.equal(await lastButtonAmount(page), ((2 * TSHIRT) / 100).toFixed(2));
  assert.equal(await page.evaluate(() => window.__amazonPaySandbox.buttons.at(-1).options.checkoutLanguage), "de_DE");
  assert.equal(await page.locator("#late .amazon-pay-widget").count(), 1);
  // The declaration taken off the element: its widget goes, the element stays.
  await page.evaluate(() => document.getElementById("late").removeAttribute("data-amazon-pay-widget"));
  await page.waitForFunction(() => document.querySelectorAll("#late .amazon-pay-widget").length === 0);
  // An empty cart leaves no declaration in the minicart: its widget goes; the removed element's too.
  await clickQuickly(page, [MUG_MINUS]);
  await page.evaluate(() => document.getElementById("late").remove());
  await page.waitForFunction(() => document.querySelectorAll(".amazon-pay-widget").length === 0);
  assert.equal(await page.locator("#minicart").textContent().then((t) => t.includes("Your cart is empty.")), true);
  assert.equal(await sessions(), before + 2);
  const listeners = await page.evaluate(() => window.__wasmListeners());
  assert.equal(listeners.detached, 0);
  assert.equal(await page.evaluate(() => window.__observers), 1);
  assert.deepEqual(problems, []);
  await context.close();
});
