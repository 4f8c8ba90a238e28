// The fake checkout.js and Widgets.js in a real browser, loaded into a blank page served by amazon-pay-server
// (static/sandbox-test.html), and the hosted pages they lead to. Every wait is on a condition with a deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";
import { createSession } from "./support/api-checkout.mjs";

const CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000000000000";
const SELLER = "A2SANDBOXMERCHANT";
const WAIT = 15_000;
const OK_OPTIONS = { merchantId: SELLER, ledgerCurrency: "EUR", placement: "Cart" };

const { server, browser } = serverAndBrowser();

/** A fresh blank test page with the given sandbox scripts loaded; `init` runs before any page script. */
async function open({ scripts = [], init, initArg, path = "/sandbox-test.html", cookies = [] } = {}) {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(WAIT);
  opened.page.on("dialog", (d) => { opened.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  if (cookies.length) await opened.context.addCookies(cookies.map((c) => ({ ...c, url: server().baseUrl })));
  if (init) await opened.page.addInitScript(init, initArg);
  await opened.page.goto(server().baseUrl + path);
  for (const script of scripts) await opened.page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/${script}` });
  return opened;
}

/** A Login with Amazon token for a sandbox buyer, through the sign-in endpoint (redirect mode). */
async function issueToken(buyer, scope = "profile payments:widget payments:shipping_address") {
  const form = new URLSearchParams({
    client_id: CLIENT_ID, scope, redirect_uri: server().baseUrl + "/sandbox-test.html", response_type: "token",
    popup: "false", buyer, action: "continue",
  });
  const response = await fetch(server().baseUrl + "/sandbox/amazon/ap/signin", { method: "POST", body: form, redirect: "manual" });
  assert.equal(response.status, 303);
  const token = new URLSearchParams(response.headers.get("location").split("#")[1]).get("access_token");
  assert.match(token, /^Atza\|/);
  return token;
}

/** The button configuration the shop's own API hands the widget (payload signed by the PAYONE simulator). */
const buttonConfig = () => createSession(server().baseUrl, { items: [{ sku: "mug", quantity: 1 }] });

const tokenCookie = (token) => [{ name: "amazon_Login_accessToken", value: token }];

test("renderButton refuses bad options with Amazon's exact strings", async () => {
  const { page, context } = await open({ scripts: ["checkout.js"] });
  const thrown = await page.evaluate((ok) => {
    const attempt = (f) => {
      try { f(); return null; } catch (e) { return typeof e === "string" ? e : `not a string: ${e}`; }
    };
    const P = amazon.Pay;
    return {
      noSelector: attempt(() => P.renderButton()),
      noOptions: attempt(() => P.renderButton("#pay")),
      noElement: attempt(() => P.renderButton("#nope", ok)),
      empty: attempt(() => P.renderButton("#pay", {})),
      language: attempt(() => P.renderButton("#pay", { ...ok, checkoutLanguage: "en_US" })),
      ledger: attempt(() => P.renderButton("#pay", { ...ok, ledgerCurrency: "USD" })),
      sandbox: attempt(() => P.renderButton("#pay", { ...ok, sandbox: "yes" })),
      emptyKey: attempt(() => P.renderButton("#pay", { ...ok, publicKeyId: "" })),
      mismatch: attempt(() => P.renderButton("#pay", { ...ok, publicKeyId: "LIVE-ABC", sandbox: true })),
      signIn: attempt(() => P.renderButton("#pay", { ...ok, productType: "SignIn" })),
      initCheckout: attempt(() => P.initCheckout("x")),
      clickWithoutSignature: attempt(() => P.renderButton("#pay", ok).initCheckout({ createCheckoutSessionConfig: { payloadJSON: "{}" } })),
      noSession: attempt(() => P.bindChangeAction("#change", { changeAction: "changeAddress" })),
      badAction: attempt(() => P.bindChangeAction("#change", { amazonCheckoutSessionId: "s", changeAction: "x" })),
    };
  }, OK_OPTIONS);
  const A = "AmazonPay:\n";
  assert.deepEqual(thrown, {
    noSelector: A + "Missing 'selector' parameter in amazon.Pay.renderButton(selector, options) API.",
    noOptions: A + "Missing 'options' parameter in amazon.Pay.renderButton(selector, options) API.",
    noElement: A + "Can not find element #nope for amazon.Pay.renderButton.",
    empty: A + "Missing parameter 'merchantId' in the options object.\nMissing parameter 'ledgerCurrency' in the options object.\nMissing parameter 'placement' in the options object.",
    language: A + "Invalid value 'en_US' for 'checkoutLanguage', please use one of the available values: en_GB, de_DE, fr_FR, it_IT, es_ES.",
    ledger: A + "Invalid value 'USD' for 'ledgerCurrency', please use one of the available values: EUR, GBP.",
    sandbox: A + "Invalid value 'yes' for 'sandbox', please use one of the available values: true, false.",
    emptyKey: A + "Invalid value '' for 'publicKeyId', please check again.",
    mismatch: A + "PublicKeyId 'LIVE-ABC' does not match 'sandbox: true'. Please check again. ",
    signIn: A + "Invalid button definition, productType SignIn and configName do not match.",
    initCheckout: A + "Missing options parameter for amazon.Pay.initCheckout",
    clickWithoutSignature: A + "Missing field signature for createCheckoutSessionConfig parameter.",
    noSession: A + "Missing field amazonCheckoutSessionId in the options object in amazon.Pay.bindChangeAction API.",
    badAction: A + "Invalid value 'x' for 'changeAction', please use one of the available values: changeAddress, changePayment.",
  });
  // estimatedOrderAmount is validated softly: logged with console.error, dropped, never thrown.
  const logged = await page.evaluate((ok) => {
    const messages = [];
    const original = console.error;
    console.error = (m) => messages.push(m);
    try {
      const button = amazon.Pay.renderButton("#pay", { ...ok, estimatedOrderAmount: { amount: "-1", currencyCode: "EUR" } });
      button.updateButtonInfo({ amount: "1.234", currencyCode: "EUR" });
      button.updateButtonInfo({ amount: "5", currencyCode: "XXX" });
      button.updateButtonInfo("{nope");
      button.updateButtonInfo({ amount: "12.50", currencyCode: "EUR" });
    } finally {
      console.error = original;
    }
    return messages;
  }, OK_OPTIONS);
  assert.deepEqual(logged, [
    "Invalid value '-1' for 'amount', please check again as only positive numbers are allowed.",
    "Invalid value '1.234' for 'amount', please pass valid fractional digits for EUR",
    "Invalid value 'XXX' for 'currencyCode', please use from one of the available values: EUR,GBP,AUD,DKK,HKD,JPY,NZD,NOK,ZAR,SEK,CHF,USD",
    "Estimated Order Amount in the payload is not in correct Json format.",
  ]);
  await context.close();
});

test("renderButton returns Amazon's objects and renders an accessible button that sets the cookies", async () => {
  const { page, context, problems } = await open({ scripts: ["checkout.js"] });
  const result = await page.evaluate((ok) => {
    const config = { payloadJSON: "{}", signature: "s", publicKeyId: "SANDBOX-KEY" };
    const keys = (v) => (v === undefined ? "undefined" : Object.keys(v).sort().join(","));
    const decoupled = keys(amazon.Pay.renderButton("#pay", ok));
    const configured = keys(amazon.Pay.renderButton("#pay", { ...ok, createCheckoutSessionConfig: config }));
    const signIn = keys(amazon.Pay.renderButton("#pay", { ...ok, productType: "SignIn", signInConfig: config }));
    const pay = document.getElementById("pay");
    const label = (options) => { amazon.Pay.renderButton("#pay", { ...ok, ...options }); return pay.getAttribute("aria-label"); };
    const labels = {
      inferred: label({ publicKeyId: "SANDBOX-KEY" }),
      live: label({ publicKeyId: "AE5E5B7B2SAERURYEH6DKDAZ" }),
      german: label({ sandbox: true, checkoutLanguage: "de_DE", buttonColor: "LightGray" }),
    };
    return {
      decoupled, configured, signIn, labels,
      role: pay.getAttribute("role"), tabindex: pay.getAttribute("tabindex"), title: pay.getAttribute("title"),
      parentClass: pay.classList.contains("amazonpay-button-parent-container-checkout-" + ok.merchantId),
      view: pay.shadowRoot.querySelector(".amazonpay-button-container.amazonpay-button-enabled > .amazonpay-button-view1").className,
      cookies: document.cookie,
      recorded: window.__amazonPaySandbox.buttons.length,
    };
  }, OK_OPTIONS);
  assert.equal(result.decoupled, "initCheckout,onClick,updateButtonInfo");
  assert.equal(result.configured, "updateButtonInfo");
  assert.equal(result.signIn, "undefined");
  assert.deepEqual(result.labels, {
    inferred: "Amazon Pay - Use your Amazon Pay Sandbox test account",
    live: "Amazon Pay - Use your Amazon account",
    german: "Amazon Pay - Verwenden Sie Ihr Amazon Pay-Sandbox-Testkonto",
  });
  assert.equal(result.role, "button");
  assert.equal(result.tabindex, "0");
  assert.ok(result.title.length > 10);
  assert.ok(result.parentClass);
  assert.equal(result.view, "amazonpay-button-view1 amazonpay-button-view1-gray");
  assert.match(result.cookies, /language=de_DE/);
  assert.match(result.cookies, /ledgerCurrency=EUR/);
  assert.equal(result.recorded, 6);
  // signout needs those cookies, calls back and logs Amazon's success line.
  const logged = page.waitForEvent("console", { predicate: (m) => m.text() === "AmazonPay:\namazon.Pay.signout() completed successfully.", timeout: WAIT });
  await page.evaluate(() => new Promise((resolve) => amazon.Pay.signout(resolve)));
  await logged;
  assert.deepEqual(problems, []);
  await context.close();
});

test("the button answers Enter, Space and clicks on its container", async () => {
  const { page, context, problems } = await open({ scripts: ["checkout.js"] });
  await page.evaluate((ok) => {
    window.__clicks = 0;
    amazon.Pay.renderButton("#pay", ok).onClick(() => { window.__clicks += 1; });
    amazon.Pay.renderButton("#pay", ok).onClick(() => { window.__clicks += 1; }); // rendering twice adds no listener
  }, OK_OPTIONS);
  await page.focus("#pay");
  await page.keyboard.press("Enter");
  await page.keyboard.press(" ");
  await page.click("#pay");
  assert.equal(await page.evaluate(() => window.__clicks), 3);
  assert.equal(await page.evaluate(() => window.scrollY), 0, "Space does not scroll the page");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a click posts the signed form; the hosted pages return to the review URL; bindChangeAction changes the payment", async () => {
  const config = await buttonConfig();
  const { page, context } = await open({ scripts: ["checkout.js"] });
  const posted = page.waitForRequest((r) => r.url() === `${server().baseUrl}/sandbox/amazon/checkout/initiate` && r.method() === "POST");
  await page.evaluate((c) => {
    amazon.Pay.renderButton("#pay", {
      merchantId: c.merchant_id, ledgerCurrency: "EUR", placement: "Cart", checkoutLanguage: c.checkout_language,
      productType: "PayAndShip", sandbox: c.sandbox,
      createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature, publicKeyId: c.public_key_id },
    });
  }, config);
  await page.click("#pay");
  const form = new URLSearchParams((await posted).postData());
  assert.equal(form.get("payloadJSON"), config.payload_json);
  assert.equal(form.get("signature"), config.signature);
  assert.equal(form.get("publicKeyId"), config.public_key_id);
  assert.equal(form.get("environment"), "SANDBOX");
  assert.equal(form.get("algorithm"), "AMZN-PAY-RSASSA-PSS");
  assert.equal(form.get("viewType"), "redirectView");
  assert.equal(form.get("origin_url"), `${server().baseUrl}/sandbox-test.html`);

  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByRole("group", { name: "Amazon test account" }).getByLabel(/Anna Schmidt/).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("group", { name: "Payment method" }).getByLabel(/Mastercard ••••4444/).check();
  await page.getByRole("group", { name: "Shipping address" }).getByLabel(/Marienplatz 8/).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((u) => u.pathname === "/review.html" && u.searchParams.has("amazonCheckoutSessionId"), { waitUntil: "commit" });
  const back = new URL(page.url());
  assert.equal(back.searchParams.get("workorderId"), config.workorder_id);
  const session = back.searchParams.get("amazonCheckoutSessionId");
  assert.match(session, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  // The review page binds the change action; a click opens the change page for the payment method only.
  await page.goto(server().baseUrl + "/sandbox-test.html");
  await page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/checkout.js` });
  const bound = await page.evaluate((id) => amazon.Pay.bindChangeAction("#change", { amazonCheckoutSessionId: id, changeAction: "changePayment" }), session);
  assert.equal(bound, undefined);
  await page.click("#change");
  await page.getByRole("heading", { name: "Change the payment method" }).waitFor();
  assert.match(page.url(), /\/sandbox\/amazon\/checkout\/initiate_auth\?amazonCheckoutSessionId=.*&changeAction=changePayment&viewType=redirectView$/);
  assert.equal(await page.getByRole("group", { name: "Shipping address" }).count(), 0);
  assert.equal(await page.getByLabel(/Mastercard ••••4444/).isChecked(), true, "the current choice is preselected");
  await page.getByLabel(/Visa ••••1111/).check();
  await page.getByRole("button", { name: "Use this payment method" }).click();
  await page.waitForURL((u) => u.pathname === "/review.html" && u.searchParams.get("amazonCheckoutSessionId") === session, { waitUntil: "commit" });
  assert.equal(new URL(page.url()).searchParams.get("workorderId"), config.workorder_id);
  await context.close();
});

test("Widgets.js calls the ready hooks, then AddressBook and Wallet callbacks in Amazon's order", async () => {
  const token = await issueToken("anna");
  const { page, context, problems } = await open({
    cookies: tokenCookie(token),
    initArg: { clientId: CLIENT_ID, seller: SELLER },
    init: ({ clientId, seller }) => {
      window.__log = [];
      const log = (line) => window.__log.push(line);
      window.onAmazonLoginReady = () => { log("onAmazonLoginReady"); amazon.Login.setClientId(clientId); };
      window.onAmazonPaymentsReady = () => {
        log("onAmazonPaymentsReady");
        new OffAmazonPayments.Widgets.AddressBook({
          sellerId: seller,
          onOrderReferenceCreate: (r) => log("AddressBook.onOrderReferenceCreate " + r.getAmazonOrderReferenceId()),
          onReady: (r) => log("AddressBook.onReady " + r.getAmazonOrderReferenceId()),
          onAddressSelect: () => log("AddressBook.onAddressSelect"),
          onError: (e) => log("AddressBook.onError " + e.getErrorCode()),
        }).bind("address-book");
        new OffAmazonPayments.Widgets.Wallet({
          sellerId: seller,
          onReady: (r) => log("Wallet.onReady " + r.getAmazonOrderReferenceId()),
          onPaymentSelect: () => log("Wallet.onPaymentSelect"),
          onError: (e) => log("Wallet.onError " + e.getErrorCode()),
        }).bind("wallet");
      };
    },
    scripts: ["Widgets.js"],
  });
  await page.waitForFunction(() => window.__log.length >= 7);
  const log = await page.evaluate(() => window.__log);
  const id = log[2].split(" ")[1];
  assert.match(id, /^S02-\d{7}-\d{7}$/);
  assert.deepEqual(log, [
    "onAmazonLoginReady", "onAmazonPaymentsReady",
    `AddressBook.onOrderReferenceCreate ${id}`, `AddressBook.onReady ${id}`, "AddressBook.onAddressSelect",
    `Wallet.onReady ${id}`, "Wallet.onPaymentSelect",
  ]);
  // Plain DOM: radio buttons in fieldsets with legends, usable by label.
  const addresses = page.getByRole("group", { name: "Shipping address" });
  assert.equal(await addresses.getByRole("radio").count(), 2);
  assert.equal(await page.getByRole("group", { name: "Payment method" }).getByRole("radio").count(), 15);
  await addresses.getByLabel(/Marienplatz 8/).check();
  await page.waitForFunction(() => window.__log.length >= 8);
  await page.getByLabel(/Visa ••••0981/).check();
  await page.waitForFunction(() => window.__log.length >= 9);
  assert.deepEqual((await page.evaluate(() => window.__log)).slice(7), ["AddressBook.onAddressSelect", "Wallet.onPaymentSelect"]);
  const events = await page.evaluate(() => window.__amazonPaySandbox.events.map((e) => `${e.widget}.${e.callback}`));
  assert.equal(events.length, 7);
  // Re-rendered read-only with the id: the chosen address as text, no radios, only onReady.
  const readOnly = await page.evaluate(({ seller, id }) => new Promise((resolve) => {
    new OffAmazonPayments.Widgets.AddressBook({
      sellerId: seller, amazonOrderReferenceId: id, displayMode: "Read",
      onOrderReferenceCreate: () => resolve("unexpected onOrderReferenceCreate"),
      onAddressSelect: () => resolve("unexpected onAddressSelect"),
      onReady: (r) => resolve(r.getAmazonOrderReferenceId()),
    }).bind("consent");
  }), { seller: SELLER, id });
  assert.equal(readOnly, id);
  assert.equal(await page.locator("#consent input").count(), 0);
  assert.match(await page.getByRole("group", { name: "Shipping address" }).last().textContent(), /Marienplatz 8/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("an account without an address or a default payment method: the widgets render, nothing is selected", async () => {
  for (const [buyer, expected] of [
    ["noah", ["AddressBook.onReady", "Wallet.onReady", "Wallet.onPaymentSelect"]],
    ["lena", ["AddressBook.onReady", "AddressBook.onAddressSelect", "Wallet.onReady"]],
  ]) {
    const token = await issueToken(buyer);
    const { page, context, problems } = await open({
      cookies: tokenCookie(token),
      initArg: SELLER,
      init: (seller) => {
        window.__log = [];
        const log = (line) => window.__log.push(line);
        window.onAmazonPaymentsReady = () => {
          new OffAmazonPayments.Widgets.AddressBook({
            sellerId: seller,
            onReady: () => log("AddressBook.onReady"),
            onAddressSelect: () => log("AddressBook.onAddressSelect"),
            onError: (e) => log("AddressBook.onError " + e.getErrorCode()),
          }).bind("address-book");
          new OffAmazonPayments.Widgets.Wallet({
            sellerId: seller,
            onReady: () => log("Wallet.onReady"),
            onPaymentSelect: () => log("Wallet.onPaymentSelect"),
            onError: (e) => log("Wallet.onError " + e.getErrorCode()),
          }).bind("wallet");
        };
      },
      scripts: ["Widgets.js"],
    });
    await page.waitForFunction((n) => window.__log.length >= n, expected.length);
    await page.getByRole("group", { name: "Payment method" }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.__log), expected, buyer);
    const wallet = page.getByRole("group", { name: "Payment method" });
    if (buyer === "noah") {
      assert.match(await page.locator("#address-book").textContent(), /There is no address in this Amazon account\./);
      assert.equal(await page.getByRole("group", { name: "Shipping address" }).getByRole("radio").count(), 0);
      assert.equal(await wallet.getByRole("radio", { checked: true }).count(), 1, "his default payment method");
    } else {
      assert.equal(await wallet.getByRole("radio").count(), 15);
      assert.equal(await wallet.getByRole("radio", { checked: true }).count(), 0, "no default: nothing chosen");
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("recurring mode gives a billing agreement; Consent reports 'true' and 'false' as strings", async () => {
  const token = await issueToken("jean");
  const { page, context, problems } = await open({
    cookies: tokenCookie(token),
    initArg: SELLER,
    init: (seller) => {
      window.__log = [];
      const log = (line) => window.__log.push(line);
      window.onAmazonPaymentsReady = () => {
        new OffAmazonPayments.Widgets.AddressBook({
          sellerId: seller,
          agreementType: "BillingAgreement",
          onOrderReferenceCreate: () => log("unexpected onOrderReferenceCreate"),
          onReady: (ba) => {
            log("AddressBook.onReady " + ba.getAmazonBillingAgreementId());
            new OffAmazonPayments.Widgets.Consent({
              sellerId: seller,
              amazonBillingAgreementId: ba.getAmazonBillingAgreementId(),
              onReady: (s) => log(`Consent.onReady ${typeof s.getConsentStatus()} ${s.getConsentStatus()}`),
              onConsent: (s) => log(`Consent.onConsent ${typeof s.getConsentStatus()} ${s.getConsentStatus()}`),
              onError: (e) => log("Consent.onError " + e.getErrorCode()),
            }).bind("consent");
          },
          onAddressSelect: () => log("AddressBook.onAddressSelect"),
        }).bind("address-book");
      };
    },
    scripts: ["Widgets.js"],
  });
  await page.waitForFunction(() => window.__log.some((l) => l.startsWith("Consent.onReady")));
  const box = page.getByLabel(/Use my selected payment method for future purchases/);
  await box.check();
  await page.waitForFunction(() => window.__log.some((l) => l.includes("onConsent string true")));
  await box.uncheck();
  await page.waitForFunction(() => window.__log.some((l) => l.includes("onConsent string false")));
  const log = await page.evaluate(() => window.__log);
  assert.match(log[0], /^AddressBook\.onReady B02-\d{7}-\d{7}$/);
  assert.ok(!log.some((l) => l.startsWith("unexpected")), log.join("|"));
  assert.ok(log.includes("Consent.onReady string false"));
  assert.deepEqual(log.filter((l) => l.startsWith("Consent.onConsent")), ["Consent.onConsent string true", "Consent.onConsent string false"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("widget errors reach onError: no session, unknown order reference, and failNext(code)", async () => {
  const { page, context } = await open({ scripts: ["Widgets.js"] });
  const bindAndWait = (kind, options, container) => page.evaluate(({ kind, options, container }) => new Promise((resolve) => {
    new OffAmazonPayments.Widgets[kind]({ ...options, onError: (e) => resolve([e.getErrorCode(), e.getErrorMessage()]), onReady: () => resolve(["ready"]) }).bind(container);
  }), { kind, options, container });
  const [expired, message] = await bindAndWait("AddressBook", { sellerId: SELLER }, "address-book");
  assert.equal(expired, "BuyerSessionExpired");
  assert.ok(message.length > 10);
  assert.equal(await page.locator("#address-book [role=alert]").textContent(), message);

  await context.addCookies(tokenCookie(await issueToken("giulia")).map((c) => ({ ...c, url: server().baseUrl })));
  assert.deepEqual((await bindAndWait("Wallet", { sellerId: SELLER, amazonOrderReferenceId: "S02-0000000-0000000" }, "wallet"))[0], "InvalidOrderReferenceId");
  assert.equal(await page.evaluate(() => window.__amazonPaySandbox.failNext("NoSuchCode")), false);
  assert.equal(await page.evaluate(() => window.__amazonPaySandbox.failNext("StaleOrderReference")), true);
  assert.deepEqual((await bindAndWait("AddressBook", { sellerId: SELLER }, "address-book"))[0], "StaleOrderReference");
  assert.deepEqual((await bindAndWait("AddressBook", { sellerId: SELLER }, "address-book"))[0], "ready", "a failure is used once");
  assert.deepEqual((await bindAndWait("AddressBook", {}, "address-book"))[0], "MissingParameter");
  await context.close();
});

test("OffAmazonPayments.Button is a keyboard-usable button that calls authorization synchronously", async () => {
  const { page, context, problems } = await open({ scripts: ["Widgets.js"] });
  const synchronous = await page.evaluate((seller) => {
    window.__authorized = 0;
    OffAmazonPayments.Button("cv1-button", seller, { type: "LwA", color: "DarkGray", size: "large", authorization: () => { window.__authorized += 1; } });
    document.querySelector("#cv1-button button").click();
    return window.__authorized;
  }, SELLER);
  assert.equal(synchronous, 1, "authorization ran inside the click");
  const button = page.getByRole("button", { name: "Login with Amazon" });
  await button.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press(" ");
  assert.equal(await page.evaluate(() => window.__authorized), 3);
  // initConfirmationFlow hands over a flow with success() and error().
  const flow = await page.evaluate(() => new Promise((resolve) => OffAmazonPayments.initConfirmationFlow("S", "S02-1111111-2222222", (f) => {
    f.error();
    resolve([typeof f.success, typeof f.error, JSON.stringify(window.__amazonPaySandbox.confirmations)]);
  })));
  assert.deepEqual(flow, ["function", "function", JSON.stringify([{ id: "S02-1111111-2222222", result: "error" }])]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("authorize: popup blocked, popup with a callback, popup with a URL, and redirect mode", async () => {
  const { page, context } = await open({ scripts: ["Widgets.js"] });
  // A blocked popup (window.open returns null) reaches a callback as an error.
  const blocked = await page.evaluate((clientId) => new Promise((resolve) => {
    amazon.Login.setClientId(clientId);
    window.open = () => null;
    amazon.Login.authorize({ scope: "profile", popup: true }, resolve);
  }), CLIENT_ID);
  assert.equal(blocked.error, "popup_blocked");
  assert.ok(blocked.error_description.length > 10);

  // Popup with a callback, opened from the Pay button's click; the callback gets the token, the profile follows.
  await page.reload();
  await page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/Widgets.js` });
  await page.evaluate(({ clientId, seller }) => {
    amazon.Login.setClientId(clientId);
    amazon.Login.setUseCookie(true);
    OffAmazonPayments.Button("cv1-button", seller, {
      type: "PwA",
      authorization: () => amazon.Login.authorize({ scope: "profile payments:widget", popup: "true" }, (r) => { window.__response = r; }),
    });
  }, { clientId: CLIENT_ID, seller: SELLER });
  const [popup] = await Promise.all([context.waitForEvent("page"), page.getByRole("button", { name: "Pay with Amazon" }).click()]);
  await popup.getByRole("heading", { name: "Sign in with Amazon" }).waitFor({ timeout: WAIT });
  await popup.getByLabel(/Jean-Pierre/).check();
  await Promise.all([popup.waitForEvent("close", { timeout: WAIT }), popup.getByRole("button", { name: "Allow" }).click()]);
  await page.waitForFunction(() => window.__response);
  const response = await page.evaluate(() => window.__response);
  assert.equal(response.status, "complete");
  assert.match(response.access_token, /^Atza\|/);
  assert.equal(response.token_type, "bearer");
  assert.match(await page.evaluate(() => document.cookie), /amazon_Login_accessToken=Atza/);
  const profile = await page.evaluate(() => new Promise((resolve) => amazon.Login.retrieveProfile(window.__response.access_token, resolve)));
  assert.equal(profile.success, true);
  assert.equal(profile.profile.Name, "Jean-Pierre de la Fontaine");
  assert.match(profile.profile.CustomerId, /^amzn1\.account\./);

  // Popup with a URL: the opener goes to the URL with the token in the query.
  await page.evaluate(({ next, seller }) => {
    OffAmazonPayments.Button("cv1-button", seller, { type: "PwA", authorization: () => amazon.Login.authorize({ scope: "profile", popup: true }, next) });
  }, { next: `${server().baseUrl}/sandbox-test.html?step=query`, seller: SELLER });
  const [popup2] = await Promise.all([context.waitForEvent("page"), page.getByRole("button", { name: "Pay with Amazon" }).click()]);
  await popup2.getByLabel(/Giulia/).check();
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get("step") === "query" && u.searchParams.get("access_token")?.startsWith("Atza|"), { timeout: WAIT }),
    popup2.getByRole("button", { name: "Allow" }).click(),
  ]);
  assert.equal(new URL(page.url()).searchParams.get("token_type"), "bearer");

  // Redirect mode (popup: false): the whole page signs in and comes back with the token in the fragment.
  await page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/Widgets.js` });
  await page.evaluate(({ clientId, next }) => {
    amazon.Login.setClientId(clientId);
    amazon.Login.authorize({ scope: "profile payments:widget", popup: false, state: "s1" }, next);
  }, { clientId: CLIENT_ID, next: `${server().baseUrl}/sandbox-test.html?step=fragment` });
  await page.getByRole("heading", { name: "Sign in with Amazon" }).waitFor();
  await page.getByLabel(/Anna Schmidt/).check();
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((u) => u.searchParams.get("step") === "fragment" && u.hash.includes("access_token=Atza"));
  const fragment = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(fragment.get("state"), "s1");
  assert.equal(fragment.get("expires_in"), "3600");
  // Widgets.js picks the token up from the address bar: the AddressBook shows Anna's addresses without a cookie.
  await context.clearCookies();
  await page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/Widgets.js` });
  const ready = await page.evaluate((seller) => new Promise((resolve) => {
    new OffAmazonPayments.Widgets.AddressBook({ sellerId: seller, onReady: () => resolve("ready"), onError: (e) => resolve(e.getErrorCode()) }).bind("address-book");
  }), SELLER);
  assert.equal(ready, "ready");
  assert.equal(await page.getByLabel(/Unter den Linden 1/).count(), 1);
  await context.close();
});

test("markup in buyer data is rendered as text by the widgets and the hosted pages", async () => {
  const token = await issueToken("mallory");
  const { page, context, problems } = await open({ cookies: tokenCookie(token), scripts: ["Widgets.js"] });
  await page.evaluate((seller) => new Promise((resolve, reject) => {
    new OffAmazonPayments.Widgets.AddressBook({ sellerId: seller, onReady: resolve, onError: (e) => reject(new Error(e.getErrorCode())) }).bind("address-book");
  }), SELLER);
  const widget = page.locator("#address-book");
  assert.equal(await widget.locator("img, script, svg, iframe, b").count(), 0);
  const text = await widget.textContent();
  assert.ok(text.includes("<b>Mallory</b> <script>alert('x')</script>"), text);
  assert.ok(text.includes("Calle Mayor 1 <iframe src=javascript:alert(3)>"), text);
  const profile = await page.evaluate(() => new Promise((resolve) => amazon.Login.retrieveProfile(resolve)));
  assert.equal(profile.profile.Name, "<img src=x onerror=alert(1)> Mallory");

  // The hosted pages list Mallory among the buyers and show her addresses: as text too.
  await page.goto(`${server().baseUrl}/sandbox/amazon/ap/signin?client_id=${encodeURIComponent(CLIENT_ID)}&scope=profile&popup=false&redirect_uri=${encodeURIComponent(server().baseUrl + "/sandbox-test.html")}`);
  await page.getByLabel(/Mallory/).check();
  assert.equal(await page.locator("main img, main svg, main iframe, main b").count(), 0);
  const config = await buttonConfig();
  await page.goto(server().baseUrl + "/sandbox-test.html");
  await page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/checkout.js` });
  await page.evaluate((c) => amazon.Pay.initCheckout({
    merchantId: c.merchant_id, ledgerCurrency: "EUR", placement: "Cart", sandbox: true,
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature, publicKeyId: c.public_key_id },
  }), config);
  await page.getByLabel(/Mallory/).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("group", { name: "Shipping address" }).waitFor();
  assert.equal(await page.locator("main img, main script, main svg, main iframe, main b").count(), 0);
  assert.ok((await page.getByRole("group", { name: "Shipping address" }).textContent()).includes("<b>Mallory</b>"));
  assert.deepEqual(problems, []);
  await context.close();
});
