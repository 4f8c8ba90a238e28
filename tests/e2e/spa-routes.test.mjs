// The widget in a single-page shop (tests/e2e/shop/spa.html, spa.js) on its own origin, as docs/embedding.md
// ("Single-page apps") says to build one: client-side routes that replace <main>'s content, the product route's
// "Buy now" mounted with mount() and unmounted when left, the cart's button declared. Walked 50 times through
// product -> cart -> about -> Back (cart) -> Back (product) -> Forward (cart), the cart changing between visits.
// After every arrival: exactly one widget where one is declared, with a session for this cart's amount, none on the
// page without; Amazon's checkout.js loaded once; the widget's listeners, window's and document's listeners, the
// JS heap and the wasm memory do not grow with the walk. Then: a route left while its session is on its way shows
// nothing anywhere and says nothing; and a checkout started from the app comes back to the app's review route.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverBrowserAndShop } from "./support/shop.mjs";
import { newPage } from "./support/browser.mjs";
import { chooseOnAmazon, confirmationState, storedOrders } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";

const WAIT = 15_000;
const CYCLES = 50;
/** Prices in cents (the server's demo catalogue). */
const PRICE = { mug: 1290, tshirt: 2490 };

const { server, browser, shop } = serverBrowserAndShop({ pages: { cart: "/spa/cart", review: "/spa/review", confirmation: "/spa/confirmation" } });

/** A fresh page that counts the listeners the widget's wasm added and has not removed (told apart by their
 * caller, the bundle's JS glue) and the amazonpay:* events. */
async function spaPage() {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(WAIT);
  await opened.context.addInitScript(() => {
    const live = [];
    const fromWidget = () => /\/amazon-pay-[a-z]+\.js/.test(new Error().stack.split("\n")[3] ?? "");
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (fromWidget() && !live.some((r) => r.target === this && r.type === type && r.listener === listener)) live.push({ target: this, type, listener });
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      const i = live.findIndex((r) => r.target === this && r.type === type && r.listener === listener);
      if (i >= 0) live.splice(i, 1);
      return remove.call(this, type, listener, options);
    };
    window.__wasmListeners = () => live.length;
    window.__events = [];
    for (const kind of ["ready", "error", "cancelled"]) document.addEventListener(`amazonpay:${kind}`, (e) => window.__events.push(e.detail));
  });
  opened.cdp = await opened.context.newCDPSession(opened.page);
  return opened;
}

/** Listeners on window and on document, by CDP's DOMDebugger.getEventListeners. */
async function globalListeners(cdp) {
  let total = 0;
  for (const expression of ["window", "document"]) {
    const { result } = await cdp.send("Runtime.evaluate", { expression });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    total += listeners.length;
    await cdp.send("Runtime.releaseObject", { objectId: result.objectId });
  }
  return total;
}

/** The JS heap in use after a full garbage collection. */
async function heapAfterGc(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  return (await cdp.send("Runtime.getHeapUsage")).usedSize;
}

/** Waits for the route `path` to show exactly one widget whose Amazon button is drawn for the app's current
 * cart (or product), and returns what the page shows: its widget count and the button's amount (cents). */
async function arrived(page, path) {
  await page.waitForFunction((path) => {
    if (location.pathname !== path) return false;
    const widgets = document.querySelectorAll(".amazon-pay-widget");
    if (widgets.length !== 1 || widgets[0].hasAttribute("inert")) return false;
    const button = widgets[0].querySelector(".amazon-pay-button");
    return button?.getAttribute("aria-busy") === "false"
      && window.__amazonPaySandbox?.buttons.some((b) => b.selector === `#${button.id}`);
  }, path);
  return page.evaluate(() => {
    const widgets = document.querySelectorAll(".amazon-pay-widget");
    const id = widgets[0].querySelector(".amazon-pay-button").id;
    const drawn = window.__amazonPaySandbox.buttons.filter((b) => b.selector === `#${id}`);
    return {
      widgets: widgets.length,
      inMain: document.querySelectorAll("#main .amazon-pay-widget").length,
      drawn: drawn.length,
      cents: Math.round(Number(drawn[0].options.estimatedOrderAmount.amount) * 100),
    };
  });
}

/** The cart's total in cents, as the page's cart map holds it. */
const cartCents = (page) => page.evaluate((price) => [...window.spa.cart].reduce((sum, [sku, n]) => sum + price[sku] * n, 0), PRICE);

/** Asserts an arrival on a route with a button for `cents`. */
async function assertButton(page, path, cents, step) {
  const shown = await arrived(page, path);
  assert.deepEqual(shown, { widgets: 1, inMain: 1, drawn: 1, cents }, `${step}: one button, drawn once, for ${cents}`);
}

/** Asserts an arrival on the route without a widget. */
async function assertNone(page, step) {
  await page.waitForFunction(() => location.pathname === "/spa/about" && document.querySelector("#main h1")?.textContent === "About us");
  assert.equal(await page.evaluate(() => document.querySelectorAll(".amazon-pay-widget, .amazon-pay-button").length), 0, `${step}: no widget`);
}

/** Follows one of the app's nav links (the router, not a page load). */
const follow = (page, path) => page.click(`nav a[href="${path}"]`);

test("50 walks through the app's routes, Back and Forward included: one button per declared place, for the current cart, and nothing grows", async () => {
  const { page, cdp, problems } = await spaPage();
  let loads = 0;
  page.on("load", () => { loads += 1; });
  let checkoutJs = 0;
  page.on("request", (req) => { if (new URL(req.url()).pathname === "/sandbox/amazon/checkout.js") checkoutJs += 1; });
  await page.goto(`${shop().origin}/spa/about`);
  await page.waitForFunction(() => window.spa !== undefined);
  const samples = [];
  const started = Date.now();
  for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
    const step = (n) => `cycle ${cycle}, ${n}`;
    await follow(page, "/spa/product");
    await assertButton(page, "/spa/product", PRICE.mug, step("product"));
    // The cart changes before each visit: quantities, and every third cycle a T-shirt more or less.
    await page.evaluate((cycle) => {
      window.spa.cart.set("mug", (cycle % 4) + 1);
      if (cycle % 3 === 0) window.spa.cart.set("tshirt", 1); else window.spa.cart.delete("tshirt");
    }, cycle);
    await follow(page, "/spa/cart");
    await assertButton(page, "/spa/cart", await cartCents(page), step("cart"));
    await follow(page, "/spa/about");
    await assertNone(page, step("about"));
    await page.evaluate(() => window.spa.cart.set("mug", window.spa.cart.get("mug") + 1));
    await page.goBack();
    await assertButton(page, "/spa/cart", await cartCents(page), step("Back to the cart"));
    await page.goBack();
    await assertButton(page, "/spa/product", PRICE.mug, step("Back to the product"));
    await page.goForward();
    await assertButton(page, "/spa/cart", await cartCents(page), step("Forward to the cart"));

    const counts = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script[src$="/sandbox/amazon/checkout.js"]').length,
      wasmListeners: window.__wasmListeners(),
      wasmMemory: window.spa.wasmMemoryBytes(),
      errors: window.__events.filter((e) => e.kind === "error").length,
    }));
    assert.deepEqual({ scripts: counts.scripts, fetched: checkoutJs, errors: counts.errors }, { scripts: 1, fetched: 1, errors: 0 }, step("checkout.js once, no error"));
    // What the test itself keeps (the sandbox's record of drawn buttons, the resource timings) is let go, so that
    // the heap measures the app and the widget.
    await page.evaluate(() => {
      window.__amazonPaySandbox.buttons.length = 0;
      window.__events.length = 0;
      performance.clearResourceTimings();
    });
    if (cycle === 1 || cycle === 10 || cycle === 30 || cycle === CYCLES) {
      samples.push({ cycle, ...counts, global: await globalListeners(cdp), heap: await heapAfterGc(cdp) });
    }
  }
  const [first, tenth, , last] = samples;
  console.log(`${CYCLES} cycles in ${Date.now() - started} ms:`, JSON.stringify(samples));
  assert.equal(loads, 1, "every route change stayed in the page");
  assert.equal(last.wasmListeners, first.wasmListeners, "the widget's listeners do not grow with the walk");
  assert.equal(last.global, first.global, "listeners on window and document do not grow with the walk");
  assert.ok(last.wasmMemory <= tenth.wasmMemory + 64 * 1024, `the wasm memory is bounded: ${tenth.wasmMemory} -> ${last.wasmMemory}`);
  assert.ok(last.heap - tenth.heap < 400_000, `the JS heap is bounded: ${tenth.heap} -> ${last.heap} after 40 cycles`);
  assert.deepEqual(problems, []);
});

test("a widget mounted by a script that did not keep the handle stays on the page after garbage collection, until unmount", async () => {
  const { page, cdp, problems } = await spaPage();
  await page.goto(`${shop().origin}/spa/about`);
  await page.waitForFunction(() => window.spa !== undefined);
  // A component's effect that mounts and forgets the handle (the element's widget is reached again by mounting
  // into it: the same widget's handle).
  await page.evaluate((pay) => {
    const host = Object.assign(document.createElement("div"), { id: "forgotten" });
    document.getElementById("main").append(host);
    window.spa.mount(host, { backendUrl: pay, items: [{ sku: "mug", quantity: 3 }] });
  }, server().baseUrl);
  await page.waitForFunction(() => document.querySelector("#forgotten .amazon-pay-button")?.getAttribute("aria-busy") === "false");
  for (let round = 0; round < 3; round += 1) {
    await cdp.send("HeapProfiler.collectGarbage");
    // FinalizationRegistry callbacks run in tasks after the collection.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  }
  assert.equal(await page.locator("#forgotten .amazon-pay-widget").count(), 1, "the button is still there after GC");
  await page.evaluate((pay) => window.spa.mount(document.getElementById("forgotten"), { backendUrl: pay }).unmount(), server().baseUrl);
  assert.equal(await page.locator("#forgotten .amazon-pay-widget").count(), 0, "unmount removes it");
  assert.deepEqual(problems, []);
});

test("a route left while its button's session is on its way: nothing is drawn in the element it left, no error", async () => {
  const { page, problems } = await spaPage();
  // Every session request is held until the test lets it go.
  let release;
  const held = new Promise((r) => { release = r; });
  const asked = [];
  await page.route("**/api/cv2/sessions", async (route) => {
    asked.push(route.request().postDataJSON());
    await held;
    await route.continue();
  });
  await page.goto(`${shop().origin}/spa/about`);
  await page.waitForFunction(() => window.spa !== undefined);
  // The declared cart, then the product's mount(): each left right after its arrival.
  for (const path of ["/spa/cart", "/spa/product"]) {
    const count = asked.length;
    await page.evaluate((path) => {
      window.spa.go(path);
      window.__left = window.__left ?? [];
      window.__left.push(document.querySelector("#main .pay"));
    }, path);
    await page.waitForFunction(() => document.querySelector("#main .amazon-pay-widget"));
    await poll(() => asked.length > count || undefined);
    await page.evaluate(() => window.spa.go("/spa/about"));
  }
  assert.equal(await page.locator(".amazon-pay-widget").count(), 0);
  // The answers arrive, and checkout.js is loaded for them; then a route with a button, drawn after them.
  let answered = 0;
  page.on("requestfinished", (req) => { if (new URL(req.url()).pathname === "/api/cv2/sessions") answered += 1; });
  release();
  await poll(() => answered === 2);
  await page.evaluate(() => window.spa.go("/spa/cart"));
  await assertButton(page, "/spa/cart", PRICE.mug, "the cart after the abandoned routes");
  const left = await page.evaluate(() => window.__left.map((element) => ({ connected: element.isConnected, children: element.childElementCount })));
  assert.deepEqual(left, [{ connected: false, children: 0 }, { connected: false, children: 0 }], "the left elements stay empty");
  const seen = await page.evaluate(() => ({
    drawn: window.__amazonPaySandbox.buttons.length,
    events: window.__events.map((e) => e.kind),
  }));
  assert.deepEqual(seen, { drawn: 1, events: ["ready"] }, "only the last route's button was drawn and announced");
  assert.equal(asked.length, 3);
  assert.deepEqual(problems, []);
});

test("a checkout started in the app comes back to the app's review route, and the confirmation route follows the order", async () => {
  const { page, problems } = await spaPage();
  await page.goto(`${shop().origin}/spa/product`);
  await page.waitForFunction(() => window.spa !== undefined);
  await page.evaluate(() => window.spa.cart.set("mug", 2).set("tshirt", 1));
  await follow(page, "/spa/cart");
  const cents = 2 * PRICE.mug + PRICE.tshirt;
  await assertButton(page, "/spa/cart", cents, "the cart");
  await page.locator("#main .amazon-pay-button .amazonpay-button-view1").click();
  await chooseOnAmazon(page, { instrument: "visa-1111" });
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/spa/review");
  await page.locator("#main .amazon-pay-buyer-name").waitFor();
  const workorderId = new URL(page.url()).searchParams.get("workorderId");
  assert.match(workorderId, /^WO/);
  await page.click("#main .amazon-pay-place-order");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/spa/confirmation");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const [order] = await storedOrders(server().baseUrl, workorderId);
  assert.equal(order.state, "approved");
  assert.equal(order.amount_minor, cents);
  // On from the confirmation route within the app: the button's route shows its button again.
  await follow(page, "/spa/product");
  await assertButton(page, "/spa/product", PRICE.mug, "the product after the order");
  assert.equal(await page.locator(".amazon-pay-order-state").count(), 0, "the confirmation left with its route");
  assert.deepEqual(problems, []);
});

test("the widget loaded twice (widget.js and the app's own import of a bundle): one button per declaration, and the console says why", async () => {
  const { page, problems } = await spaPage();
  const warnings = [];
  page.on("console", (msg) => { if (msg.type() === "warning") warnings.push(msg.text()); });
  await page.goto(`${shop().origin}/twice.html`);
  await page.waitForFunction(() => window.secondCopyStarted === true);
  await page.waitForFunction(() => document.querySelector("#cart .amazon-pay-button")?.getAttribute("aria-busy") === "false");
  // A declaration added later: the one copy that follows the page mounts it.
  await page.evaluate((pay) => {
    document.getElementById("later").innerHTML = `<div data-amazon-pay-widget='${JSON.stringify({ backendUrl: pay, items: [{ sku: "tshirt", quantity: 1 }] })}'></div>`;
  }, server().baseUrl);
  await page.waitForFunction(() => document.querySelector("#later .amazon-pay-button")?.getAttribute("aria-busy") === "false");
  const counts = await page.evaluate(() => ({
    cart: document.querySelectorAll("#cart .amazon-pay-widget").length,
    later: document.querySelectorAll("#later .amazon-pay-widget").length,
    ready: window.__events.filter((e) => e.kind === "ready").length,
  }));
  assert.deepEqual(counts, { cart: 1, later: 1, ready: 2 });
  assert.equal(warnings.filter((w) => /loaded twice/.test(w)).length, 1, `one warning: ${warnings}`);
  assert.deepEqual(problems, []);
});
