// Amazon's own Node.js SDK (@amazonpay/amazon-pay-api-sdk-nodejs, pinned in package.json) against the sandbox's
// Amazon Pay API v2 simulator: a client nobody here wrote. The SDK speaks only https, so a local TLS front (a
// certificate made with openssl at test time) forwards to the sandbox server. Covered: the buyer's checkout on
// the hosted pages, then get/update/complete checkout session, get charge, capture, refund (create, get),
// cancel, close; a tampered signature, an unknown key id and a stale date each refused with Amazon's
// reasonCode; and in the other direction Node's crypto.verify checks signatures this project's Rust code makes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createPublicKey, constants, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServer } from "../e2e/support/server.mjs";

const require = createRequire(import.meta.url);
const { WebStoreClient } = require("@amazonpay/amazon-pay-api-sdk-nodejs");
const root = resolve(import.meta.dirname, "../..");
const KEY_ID = "SANDBOX-AHWIDGETSANDBOXKEY0001";
const PRIVATE_KEY = readFileSync(join(root, "sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem"), "utf8");
const PUBLIC_KEY = readFileSync(join(root, "sandbox/src/amazon_v2/keys/sandbox-merchant-key.pub.pem"), "utf8");
const SIGN_BIN = process.env.AMAZON_PAY_SIGN_BIN ?? join(root, "target/debug/examples/sign");
const ALGORITHM = "AMZN-PAY-RSASSA-PSS-V2";

let server;
let front;
let frontHost;
let certDir;

/** An https server on 127.0.0.1 forwarding every request unchanged to the sandbox server. */
async function tlsFront(target) {
  certDir = mkdtempSync(join(tmpdir(), "amazon-sdk-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem"),
  ], { stdio: "ignore" });
  const upstream = new URL(target);
  const tls = createServer({ key: readFileSync(join(certDir, "key.pem")), cert: readFileSync(join(certDir, "cert.pem")) }, (req, res) => {
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => { res.writeHead(answer.statusCode, answer.headers); answer.pipe(res); },
    );
    forward.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(forward);
  });
  await new Promise((r) => tls.listen(0, "127.0.0.1", r));
  return tls;
}

before(async () => {
  server = await startServer();
  front = await tlsFront(server.baseUrl);
  frontHost = `127.0.0.1:${front.address().port}/sandbox/amazon-pay`;
});
after(async () => {
  front?.close();
  await server?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

const sdk = (publicKeyId = KEY_ID) =>
  new WebStoreClient({ publicKeyId, privateKey: PRIVATE_KEY, region: "eu", sandbox: true, algorithm: ALGORITHM, overrideServiceUrl: frontHost });

/** The error body of a rejected SDK call (axios error or response). */
function refusal(err) {
  const response = err.response ?? err;
  return { status: response.status, ...response.data };
}

async function post(path, form) {
  return fetch(server.baseUrl + path, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
}

/** The buyer: a click on a button the SDK signed, sign in as Anna, choose `instrument`: the session id. */
async function buyerCheckout(instrument) {
  const payload = JSON.stringify({
    webCheckoutDetails: { checkoutReviewReturnUrl: "https://shop.example/review" },
    storeId: "amzn1.application-oa2-client.sandbox0000000000000000000000000",
    scopes: ["name", "email"],
  });
  const signature = sdk().generateButtonSignature(payload);
  const page = await (await post("/sandbox/amazon/checkout/initiate", { payloadJSON: payload, signature, publicKeyId: KEY_ID, algorithm: ALGORITHM })).text();
  const id = page.match(/name="amazonCheckoutSessionId" value="([^"]+)"/)?.[1];
  assert.ok(id, page);
  await post("/sandbox/amazon/checkout/signin", { amazonCheckoutSessionId: id, buyer: "anna" });
  const back = await post("/sandbox/amazon/checkout/choose", { amazonCheckoutSessionId: id, buyer: "anna", address: "anna-home", instrument });
  assert.equal(back.headers.get("location"), `https://shop.example/review?amazonCheckoutSessionId=${id}`);
  return id;
}

/** Update (amount, intent, result URL), then the buyer follows amazonPayRedirectUrl back to the shop. */
async function confirm(client, id, paymentIntent) {
  const updated = await client.updateCheckoutSession(id, {
    webCheckoutDetails: { checkoutResultReturnUrl: "https://shop.example/result" },
    paymentDetails: { paymentIntent, canHandlePendingAuthorization: false, chargeAmount: { amount: "12.34", currencyCode: "EUR" } },
    merchantMetadata: { merchantReferenceId: "SDK-1" },
  });
  assert.equal(updated.status, 200);
  const redirect = updated.data.webCheckoutDetails.amazonPayRedirectUrl;
  assert.ok(redirect, JSON.stringify(updated.data));
  const back = await fetch(redirect, { redirect: "manual" });
  assert.equal(back.headers.get("location"), `https://shop.example/result?amazonCheckoutSessionId=${id}`);
}

test("Amazon's SDK: checkout session, complete, charge, capture, refund", async () => {
  const client = sdk();
  const id = await buyerCheckout("visa-1111");
  const got = await client.getCheckoutSession(id);
  assert.equal(got.status, 200);
  assert.equal(got.data.statusDetails.state, "Open");
  assert.equal(got.data.buyer.name, "Anna Schmidt");
  await confirm(client, id, "Authorize");
  const done = await client.completeCheckoutSession(id, { chargeAmount: { amount: "12.34", currencyCode: "EUR" } });
  assert.equal(done.data.statusDetails.state, "Completed");
  const chargeId = done.data.chargeId;
  assert.equal((await client.getCharge(chargeId)).data.statusDetails.state, "Authorized");
  const captured = await client.captureCharge(chargeId, { captureAmount: { amount: "12.34", currencyCode: "EUR" } }, { "x-amz-pay-idempotency-key": "sdk-cap-1" });
  assert.equal(captured.data.statusDetails.state, "Captured");
  const refund = await client.createRefund({ chargeId, refundAmount: { amount: "2.34", currencyCode: "EUR" } }, { "x-amz-pay-idempotency-key": "sdk-ref-1" });
  assert.equal(refund.status, 201);
  assert.equal(refund.data.statusDetails.state, "RefundInitiated");
  const again = await client.getRefund(refund.data.refundId);
  assert.equal(again.data.chargeId, chargeId);
  assert.ok(["RefundInitiated", "Refunded"].includes(again.data.statusDetails.state));
});

test("Amazon's SDK: cancel a charge and close the charge permission", async () => {
  const client = sdk();
  const id = await buyerCheckout("visa-1111");
  await confirm(client, id, "Authorize");
  const done = await client.completeCheckoutSession(id, { chargeAmount: { amount: "12.34", currencyCode: "EUR" } });
  const canceled = await client.cancelCharge(done.data.chargeId, { cancellationReason: "out of stock" });
  assert.equal(canceled.data.statusDetails.state, "Canceled");
  const closed = await client.closeChargePermission(done.data.chargePermissionId, { closureReason: "order canceled", cancelPendingCharges: true });
  assert.equal(closed.data.statusDetails.state, "Closed");
  assert.equal((await client.getChargePermission(done.data.chargePermissionId)).data.statusDetails.state, "Closed");
});

test("a tampered signature, an unknown key id and a stale date are refused", async () => {
  // Tampered: the SDK's own signed headers with one signature character changed.
  const headers = sdk().getSignedHeaders({ method: "GET", urlFragment: "v2/charges/S02-0000000-0000000-C00001", payload: "" });
  headers.authorization = headers.authorization.replace(/Signature=(.)/, (_, c) => `Signature=${c === "A" ? "B" : "A"}`);
  const tampered = await new Promise((resolveAnswer, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port: front.address().port, path: "/sandbox/amazon-pay/v2/charges/S02-0000000-0000000-C00001", method: "GET", headers, ca: readFileSync(join(certDir, "cert.pem")) },
      (res) => { let body = ""; res.on("data", (c) => { body += c; }); res.on("end", () => resolveAnswer({ status: res.statusCode, ...JSON.parse(body) })); },
    );
    req.on("error", reject);
    req.end();
  });
  assert.equal(tampered.status, 401);
  assert.equal(tampered.reasonCode, "InvalidRequestSignature");
  assert.match(tampered.message, /^Unable to verify signature, signing String \[AMZN-PAY-RSASSA-PSS-V2\n[0-9a-f]{64}\]/);

  // Unknown key id: signed correctly, but with a key id the simulator does not know.
  const unknown = await sdk("SANDBOX-NOTREGISTERED0001").getCharge("S02-1").catch(refusal);
  assert.deepEqual([unknown.status, unknown.reasonCode], [401, "UnauthorizedAccess"]);

  // Stale: the SDK's clock 16 minutes behind (Amazon allows 15).
  const RealDate = globalThis.Date;
  globalThis.Date = class extends RealDate {
    constructor(...args) { super(...(args.length ? args : [RealDate.now() - 16 * 60 * 1000])); }
  };
  let stale;
  try {
    stale = sdk().getCharge("S02-1").catch(refusal);
  } finally {
    globalThis.Date = RealDate;
  }
  stale = await stale;
  assert.deepEqual([stale.status, stale.reasonCode], [400, "InvalidHeaderValue"]);
});

test("Node's crypto.verify accepts what this project's Rust code signs (both algorithms)", async () => {
  const payload = JSON.stringify({ storeId: "amzn1.application-oa2-client.x", webCheckoutDetails: { checkoutReviewReturnUrl: "https://localhost/review" } });
  const keyFile = join(root, "sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");
  const publicKey = createPublicKey(PUBLIC_KEY);
  for (const [algorithm, saltLength] of [["AMZN-PAY-RSASSA-PSS-V2", 32], ["AMZN-PAY-RSASSA-PSS", 20]]) {
    const signature = execFileSync(SIGN_BIN, [keyFile, algorithm], { input: payload }).toString().trim();
    assert.equal(signature.length, 344);
    const signed = Buffer.from(`${algorithm}\n${createHash("sha256").update(payload).digest("hex")}`);
    const ok = verify("sha256", signed, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(signature, "base64"));
    assert.equal(ok, true, algorithm);
    const other = verify("sha256", signed, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 52 - saltLength }, Buffer.from(signature, "base64"));
    assert.equal(other, false, `${algorithm}: the other salt length does not verify`);
  }
  // The PAYONE simulator's button signature (Rust, AMZN-PAY-RSASSA-PSS) verifies with the key the sandbox serves.
  const config = await (await fetch(server.baseUrl + "/api/cv2/sessions", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: [{ sku: "mug", quantity: 1 }], language: "en" }),
  })).json();
  const served = await (await fetch(`${server.baseUrl}/sandbox/amazon/keys/${config.public_key_id}`)).json();
  const spki = createPublicKey({ key: Buffer.from(served.spki, "base64"), format: "der", type: "spki" });
  const signed = Buffer.from(`AMZN-PAY-RSASSA-PSS\n${createHash("sha256").update(config.payload_json).digest("hex")}`);
  assert.equal(verify("sha256", signed, { key: spki, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, Buffer.from(config.signature, "base64")), true);
});
