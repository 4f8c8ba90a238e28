// The review page in the buyer's language, announced through aria-live, and usable with the keyboard only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { checkoutToReview, confirmationState } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const { server, browser } = serverAndBrowser();

/** Serves the demo pages with `<html lang=…>` replaced, as a German or French shop would have it, and
 * reloads the current page that way (Playwright does not route the targets of redirects). */
async function inLanguage(page, lang) {
  await page.route(/\/(review|confirmation)\.html/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('<html lang="en">', `<html lang="${lang}">`);
    await route.fulfill({ response, body });
  });
  await page.goto(page.url());
}

test("a German shop page gets German texts, prices and the legally required order button", async () => {
  const { page, context } = await newPage(browser());
  await checkoutToReview(page, server().baseUrl);
  await inLanguage(page, "de");
  await page.locator(".amazon-pay-buyer-name").waitFor();
  assert.equal(await page.locator(".amazon-pay-review h2").textContent(), "Bestellung überprüfen");
  assert.equal(await page.locator(".amazon-pay-place-order").textContent(), "Zahlungspflichtig bestellen");
  assert.match(await page.locator(".amazon-pay-total strong").textContent(), /^\d+,\d\d\u00a0€$/);
  // The country by its German name (the browser's Intl.DisplayNames), not Amazon's code "DE".
  assert.equal(await page.locator(".amazon-pay-address span").last().textContent(), "Deutschland");
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  await page.goto(page.url());
  assert.match(await confirmationState(page, "approved"), /Vielen Dank/);
  await context.close();
});

test("French, Italian and Spanish pages get their own texts", async () => {
  const pages = [["fr", "Vérifiez votre commande", "Allemagne"], ["it", "Controlla il tuo ordine", "Germania"], ["es", "Revisa tu pedido", "Alemania"], ["en", "Review your order", "Germany"]];
  for (const [lang, title, country] of pages) {
    const { page, context } = await newPage(browser());
    await checkoutToReview(page, server().baseUrl);
    await inLanguage(page, lang);
    await page.locator(".amazon-pay-buyer-name").waitFor();
    assert.equal(await page.locator(".amazon-pay-review h2").textContent(), title, lang);
    assert.equal(await page.locator(".amazon-pay-address span").last().textContent(), country, lang);
    await context.close();
  }
});

test("without Intl.DisplayNames the address shows the country's code, as Amazon sent it", async () => {
  const { page, context } = await newPage(browser());
  await context.addInitScript(() => { delete Intl.DisplayNames; });
  await checkoutToReview(page, server().baseUrl);
  assert.equal(await page.locator(".amazon-pay-address span").last().textContent(), "DE");
  await context.close();
});

test("the demo's review and confirmation pages each have one h1, the first heading of the page", async () => {
  const { page, context } = await newPage(browser());
  await checkoutToReview(page, server().baseUrl);
  const headings = () => page.evaluate(() => [...document.querySelectorAll("h1, h2, h3")].map((h) => h.tagName + " " + h.textContent));
  const review = await headings();
  assert.deepEqual(review.filter((h) => h.startsWith("H1")), ["H1 Checkout"], review.join(" | "));
  assert.equal(review[0], "H1 Checkout");
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  const confirmation = await headings();
  assert.deepEqual(confirmation.filter((h) => h.startsWith("H1")), ["H1 Your order"], confirmation.join(" | "));
  assert.equal(confirmation[0], "H1 Your order");
  await context.close();
});

test("keyboard only: choose express delivery and place the order; changes are announced", async () => {
  const { page, context } = await newPage(browser());
  await checkoutToReview(page, server().baseUrl);
  const live = page.locator(".amazon-pay-notice");
  assert.equal(await live.getAttribute("aria-live"), "polite");
  assert.equal(await live.getAttribute("role"), "status");
  // Tab to the standard delivery radio, arrow to express: the total changes and the change is announced.
  await page.locator("input[value=standard]").focus();
  await page.keyboard.press("ArrowDown");
  await live.filter({ hasText: "updated" }).waitFor();
  assert.equal(await page.locator("input[value=express]").isChecked(), true);
  // Tab from the last radio to the order button, press Enter.
  await page.locator(".amazon-pay-place-order").focus();
  assert.equal(await page.evaluate(() => document.activeElement?.className), "amazon-pay-place-order");
  await page.keyboard.press("Enter");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal(await page.locator(".amazon-pay-order-state").getAttribute("aria-live"), "polite");
  await context.close();
});

/** Every demo page of this context in `lang`, as the harness's language choice makes them (server/src/demo_language.rs). */
async function speak(context, lang) {
  await context.addCookies([{ name: "amazon-pay-demo-lang", value: lang, url: server().baseUrl }]);
}

const focusedClass = (page) => page.evaluate(() => document.activeElement?.className ?? "");

test("French labels put a no-break space before the colon: « Total : 50,70 € », « Numéro de commande : … », and a narrow one before « ! »", async () => {
  const { page, context } = await newPage(browser());
  await speak(context, "fr");
  await checkoutToReview(page, server().baseUrl);
  assert.match(await page.locator(".amazon-pay-total").textContent(), /^Total\u00a0: \d+,\d\d\u00a0€$/);
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  assert.match(await page.locator(".amazon-pay-order-number").textContent(), /^Numéro de commande\u00a0: O\w+$/);
  // And a narrow no-break space before "!": « Merci ! », never broken from its word.
  assert.match(await confirmationState(page, "approved"), /^Merci\u202f! Votre commande est confirmée/);
  await context.close();
});

test("keyboard: after a decline or a failure the focus is on what the buyer does next, not dropped to the page", async () => {
  // Soft decline: another payment method ("Change payment method"); hard decline: back to the cart; PAYONE
  // answering garbage: "Place order" again. The sentence itself is announced by the polite status line.
  for (const [instrument, next] of [["visa-0981", "amazon-pay-change-payment"], ["amex-0982", "amazon-pay-back-to-cart"], ["visa-0500", "amazon-pay-place-order"]]) {
    const { page, context } = await newPage(browser());
    await checkoutToReview(page, server().baseUrl, { instrument });
    await page.locator(".amazon-pay-change-payment:visible").waitFor();
    await page.locator(".amazon-pay-place-order").focus();
    await page.keyboard.press("Enter");
    await page.locator(".amazon-pay-notice[role=status]:not([hidden])").filter({ hasNotText: /Placing/ }).waitFor();
    await page.waitForFunction(() => document.querySelector(".amazon-pay-place-order")?.getAttribute("aria-busy") === "false");
    assert.equal(await focusedClass(page), next, instrument);
    await context.close();
  }
});

test("keyboard: a hard decline on the CheckoutChamp lander puts the focus on signing out, its only way on", async () => {
  const { page, context } = await newPage(browser());
  await page.goto(server().baseUrl + "/lander.html");
  const amazonButton = page.locator(".amazon-pay-cv1-button button");
  const [popup] = await Promise.all([context.waitForEvent("page"), amazonButton.click()]);
  await popup.getByLabel(/Anna Schmidt/).check();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  const radio = page.locator('.amazon-pay-wallet input[value="amex-0982"]');
  await radio.waitFor();
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/sandbox/amazon/widgets/select") && r.ok()), radio.check()]);
  await page.locator(".amazon-pay-place-order:enabled").focus();
  await page.keyboard.press("Enter");
  await page.locator(".amazon-pay-place-order").waitFor({ state: "hidden" });
  assert.equal(await focusedClass(page), "amazon-pay-sign-out");
  await context.close();
});

test("a German lander: the sandbox's Amazon button and widgets speak the button's language too, not English", async () => {
  // Amazon's multi-language doc: the button's `language` sets the session language, which the widgets follow.
  const { page, context } = await newPage(browser());
  await speak(context, "de");
  await page.goto(server().baseUrl + "/lander.html");
  const amazonButton = page.locator(".amazon-pay-cv1-button button");
  await amazonButton.waitFor();
  assert.equal(await amazonButton.textContent(), "Bezahlen mit Amazon");
  assert.equal(await amazonButton.getAttribute("lang"), "de");
  const [popup] = await Promise.all([context.waitForEvent("page"), amazonButton.click()]);
  await popup.getByLabel(/Anna Schmidt/).check();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  const wallet = page.locator(".amazon-pay-wallet fieldset");
  await wallet.waitFor();
  assert.equal(await page.locator(".amazon-pay-address-book legend").textContent(), "Lieferadresse");
  assert.equal(await wallet.locator("legend").textContent(), "Zahlungsart");
  assert.equal(await wallet.getAttribute("lang"), "de");
  // The tester's note on each sandbox instrument stays English, and says so.
  assert.equal(await wallet.locator(".amazonpay-sandbox-hint").first().getAttribute("lang"), "en");
  await context.close();
});
