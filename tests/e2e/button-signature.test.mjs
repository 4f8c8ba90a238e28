// The fake checkout.js checks the button's signature the way Amazon does before any checkout starts (#18 points
// 5 and 6): WebCrypto RSA-PSS with the public key the sandbox serves for the key id. A good signature (PAYONE's
// or one made by Amazon's own Node SDK) opens the hosted checkout; a tampered one ends on Amazon's
// InvalidSignatureError page with nothing posted. `publicKeyId` is taken at the top level or inside
// createCheckoutSessionConfig, as Amazon's checkout.js takes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";
import { createSession } from "./support/api-checkout.mjs";

const require = createRequire(import.meta.url);
const { WebStoreClient } = require("@amazonpay/amazon-pay-api-sdk-nodejs");
const root = resolve(import.meta.dirname, "../..");
const SANDBOX_KEY_ID = "SANDBOX-AHWIDGETSANDBOXKEY0001";
const SANDBOX_KEY = readFileSync(resolve(root, "sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem"), "utf8");
const WAIT = 15_000;

const { server, browser } = serverAndBrowser();

const buttonConfig = () => createSession(server().baseUrl, { items: [{ sku: "mug", quantity: 1 }] });

/** A blank page with checkout.js; renders the button with `options` and clicks it. */
async function clickButton(options) {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(WAIT);
  const posts = [];
  opened.page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/sandbox/amazon/checkout/initiate")) posts.push(r); });
  await opened.page.goto(server().baseUrl + "/sandbox-test.html");
  await opened.page.addScriptTag({ url: `${server().baseUrl}/sandbox/amazon/checkout.js` });
  await opened.page.evaluate((o) => amazon.Pay.renderButton("#pay", o), options);
  await opened.page.click("#pay");
  return { ...opened, posts };
}

const base = (c) => ({ merchantId: c.merchant_id, ledgerCurrency: "EUR", placement: "Cart", checkoutLanguage: "en_GB", sandbox: true });

/** One base64 character changed in the middle: still base64, no longer the signature. */
function tamper(signature) {
  const i = 100;
  return signature.slice(0, i) + (signature[i] === "A" ? "B" : "A") + signature.slice(i + 1);
}

test("PAYONE's real RSA-PSS signature is checked in the browser and opens the hosted checkout", async () => {
  const c = await buttonConfig();
  assert.equal(c.signature.length, 344, "base64 of a 2048-bit RSA-PSS signature");
  const { page, context, posts } = await clickButton({
    ...base(c),
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature, publicKeyId: c.public_key_id },
  });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(posts.length, 1);
  await context.close();
});

test("a tampered signature is refused like Amazon's button: its error page, a console error, nothing posted", async () => {
  const c = await buttonConfig();
  const { page, context, posts, problems } = await clickButton({
    ...base(c),
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: tamper(c.signature), publicKeyId: c.public_key_id },
  });
  await page.waitForURL((u) => u.pathname === "/sandbox/amazon/checkout/error", { waitUntil: "commit" });
  await page.getByRole("alert").waitFor();
  const alert = await page.getByRole("alert").innerText();
  assert.match(alert, /InvalidSignatureError/);
  assert.match(alert, /does not match signedString AMZN-PAY-RSASSA-PSS [0-9a-f]{64} for merchant /);
  assert.equal(posts.length, 0, "no checkout was started");
  assert.ok(problems.some((p) => p.startsWith("console: AmazonPay:\nInvalidSignatureError")), problems.join("\n"));
  await context.close();
});

test("a publicKeyId at the top level only is used for the config (Amazon copies it in)", async () => {
  const c = await buttonConfig();
  const { page, context, posts } = await clickButton({
    ...base(c),
    publicKeyId: c.public_key_id,
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature },
  });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const form = new URLSearchParams(posts[0].postData());
  assert.equal(form.get("publicKeyId"), c.public_key_id);
  assert.equal(form.get("publicKeyIdMismatch"), "false");
  await context.close();
});

test("a publicKeyId inside createCheckoutSessionConfig only works too; both and equal is no mismatch", async () => {
  const c = await buttonConfig();
  const inside = await clickButton({
    ...base(c),
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature, publicKeyId: c.public_key_id },
  });
  await inside.page.getByRole("heading", { name: "Sign in" }).waitFor();
  await inside.context.close();
  const both = await clickButton({
    ...base(c),
    publicKeyId: c.public_key_id,
    createCheckoutSessionConfig: { payloadJSON: c.payload_json, signature: c.signature, publicKeyId: c.public_key_id },
  });
  await both.page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(new URLSearchParams(both.posts[0].postData()).get("publicKeyIdMismatch"), "false");
  await both.context.close();
});

test("Amazon's Node SDK generateButtonSignature (V2) is accepted by the fake checkout.js", async () => {
  const sdk = new WebStoreClient({ publicKeyId: SANDBOX_KEY_ID, privateKey: SANDBOX_KEY, region: "eu", sandbox: true, algorithm: "AMZN-PAY-RSASSA-PSS-V2" });
  const payload = JSON.stringify({
    webCheckoutDetails: { checkoutReviewReturnUrl: server().baseUrl + "/sandbox-test.html?review" },
    storeId: "amzn1.application-oa2-client.sandbox0000000000000000000000000",
    scopes: ["name", "email"],
  });
  const signature = sdk.generateButtonSignature(payload);
  const { page, context } = await clickButton({
    merchantId: "A2SANDBOXMERCHANT", ledgerCurrency: "EUR", placement: "Cart", checkoutLanguage: "en_GB",
    createCheckoutSessionConfig: { payloadJSON: payload, signature, publicKeyId: SANDBOX_KEY_ID, algorithm: "AMZN-PAY-RSASSA-PSS-V2" },
  });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  // The same signature under the old algorithm's name (salt 20) does not verify.
  const wrong = await clickButton({
    merchantId: "A2SANDBOXMERCHANT", ledgerCurrency: "EUR", placement: "Cart", checkoutLanguage: "en_GB",
    createCheckoutSessionConfig: { payloadJSON: payload, signature, publicKeyId: SANDBOX_KEY_ID, algorithm: "AMZN-PAY-RSASSA-PSS" },
  });
  await wrong.page.waitForURL((u) => u.pathname === "/sandbox/amazon/checkout/error", { waitUntil: "commit" });
  await context.close();
  await wrong.context.close();
});
