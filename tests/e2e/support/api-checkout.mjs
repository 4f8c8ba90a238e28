// The Checkout v2 funnel over plain HTTP (no browser): what the widget and the sandbox's Amazon pages would post.
// Used by the multi-instance tests and bench/load*.mjs.
import { createHash, randomUUID } from "node:crypto";

/** The sandbox's PAYONE credentials (docs/configuration.md). */
export const SANDBOX_PAYONE = { portalKey: "sandbox-portal-key", portalId: "2000000", aid: "10001" };

async function postForm(url, fields) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields), redirect: "manual" });
}

/** `POST /api/cv2/sessions` for `items` (two mugs unless given): the button configuration (throws on anything but 200). */
export async function createSession(base, { items = [{ sku: "mug", quantity: 2 }] } = {}) {
  const created = await fetch(base + "/api/cv2/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items, language: "en" }),
  });
  if (created.status !== 200) throw new Error(`create session: HTTP ${created.status} ${await created.text()}`);
  return created.json();
}

/**
 * A checkout whose buyer chose on the sandbox's Amazon pages (as a browser would post them), read once by the
 * backend: its workorder id. `amazonBase` serves `/sandbox/amazon/` (the same base unless a balancer splits them).
 * `sign` replaces the session's signature (bench/payone-signature.mjs, for a server whose PAYONE stand-in hands
 * out the benchmark's placeholder).
 */
export async function selectedCheckout(base, { amazonBase = base, instrument = "visa-1111", sign } = {}) {
  const config = await createSession(base);
  const signin = await postForm(amazonBase + "/sandbox/amazon/checkout/initiate", {
    payloadJSON: config.payload_json, signature: sign ? sign(config.payload_json) : config.signature, publicKeyId: config.public_key_id,
    environment: "SANDBOX", origin_url: base + "/",
  });
  const page = await signin.text();
  const session = page.match(/name="amazonCheckoutSessionId" value="([^"]+)"/)?.[1];
  if (!signin.ok || !session) throw new Error(`sandbox sign-in page: HTTP ${signin.status}`);
  const chosen = await postForm(amazonBase + "/sandbox/amazon/checkout/choose", {
    amazonCheckoutSessionId: session, buyer: "anna", address: "anna-home", instrument,
  });
  if (chosen.status !== 303) throw new Error(`sandbox choose: HTTP ${chosen.status}`);
  const read = await fetch(`${base}/api/cv2/sessions/${config.workorder_id}?lang=en`);
  if (!read.ok) throw new Error(`read session: HTTP ${read.status}`);
  return config.workorder_id;
}

/** A fresh idempotency key, as the widget makes one per "Place order" intent. */
export const idempotencyKey = () => "k" + randomUUID().replaceAll("-", "");

/**
 * `POST …/orders`: `{ status, body }` (body parsed when JSON); never throws for an HTTP status, but does when
 * no answer came within `timeoutMs` (a buyer's page gives up too).
 */
export async function placeOrder(base, workorderId, key, { timeoutMs } = {}) {
  const response = await fetch(`${base}/api/cv2/sessions/${workorderId}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ idempotency_key: key, language: "en" }),
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
  });
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON: kept as text */ }
  return { status: response.status, body };
}

/**
 * The form fields of a TransactionStatus as PAYONE posts it (`appointed`, completed) for `txid`/`reference`;
 * `reasoncode` (PAYONE's Amazon error code, 980-987) when given, as on a `failed`.
 */
export function transactionStatusForm({ txid, reference, txaction = "appointed", sequencenumber = "0", price = "30.70", reasoncode }) {
  const { portalKey, portalId, aid } = SANDBOX_PAYONE;
  const form = new URLSearchParams({
    key: createHash("md5").update(portalKey).digest("hex"), portalid: portalId, aid, txaction,
    transaction_status: "completed", mode: "test", clearingtype: "wlt", notify_version: "7.6", txid, reference,
    sequencenumber, currency: "EUR", price, balance: "0.00", receivable: price, txtime: String(Math.floor(Date.now() / 1000)),
    userid: "1", param: "",
  });
  if (reasoncode !== undefined) form.set("reasoncode", reasoncode);
  return form;
}

/** That TransactionStatus posted to `base`: the answer's status and text. */
export async function transactionStatus(base, fields) {
  const response = await postForm(base + "/payone/transaction-status", transactionStatusForm(fields));
  return { status: response.status, text: await response.text() };
}

/** The backend's own view of its store (sandbox-only inspection endpoints of an instance). */
export const inspect = {
  orders: async (base, workorderId) => (await fetch(`${base}/sandbox/inspect/workorders/${workorderId}/orders`)).json(),
  notifications: async (base) => (await fetch(`${base}/sandbox/inspect/notifications`)).json(),
  upstreamCalls: async (base) => (await fetch(`${base}/sandbox/inspect/upstream-calls`)).json(),
};

/** PAYONE's side: the transactions the simulator opened for a checkout (`GET /sandbox/payone/transactions`). */
export async function payoneTransactions(sandboxBase, workorderId) {
  const query = workorderId ? `?workorderid=${encodeURIComponent(workorderId)}` : "";
  return (await fetch(`${sandboxBase}/sandbox/payone/transactions${query}`)).json();
}

/**
 * The buyer on Amazon's processing page after a `redirect` outcome (the sandbox's PAYONE sends `appointed` through
 * the balancer before answering), then back at the shop's return URL: the return's status.
 */
export async function completeRedirect(redirectUrl) {
  const processed = await fetch(redirectUrl, { redirect: "manual" });
  const back = processed.headers.get("location");
  if (processed.status !== 303 || !back) throw new Error(`processing page: HTTP ${processed.status}`);
  const returned = await fetch(back, { redirect: "manual" });
  await returned.arrayBuffer();
  return returned.status;
}

/** What the sandbox's PAYONE sent and which were answered `TSOK` (`GET /sandbox/payone/notifications`). */
export async function payoneNotifications(sandboxBase) {
  return (await fetch(`${sandboxBase}/sandbox/payone/notifications`)).json();
}
