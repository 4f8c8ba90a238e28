// Webhooks from a Checkout v2 order placed in real Chromium: a receiver on loopback gets the order's events,
// signed; the verification snippets of docs/webhooks.md (Node here, Python through python3) accept each real
// delivery and refuse it with the body or the timestamp changed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { newPage } from "./support/browser.mjs";
import { checkoutToReview, confirmationState } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const SECRET = "e2e-webhook-secret-0123456789abcdef";
const docs = readFileSync(resolve(import.meta.dirname, "../../docs/webhooks.md"), "utf8");
const block = (lang) => docs.match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"))[1];

let receiver;
let deliveries = [];
let dir;
let verifyJs;
let verifyPy;

/** The docs' verification snippets as files, and the receiver the server delivers to. */
async function snippetsAndReceiver() {
  dir = mkdtempSync(join(tmpdir(), "amazon-pay-webhooks-"));
  verifyJs = join(dir, "verify.mjs");
  writeFileSync(verifyJs, block("js"));
  verifyPy = join(dir, "verify.py");
  writeFileSync(verifyPy, block("python") + [
    "import os, sys",
    "with open(os.environ['BODY_FILE'], 'rb') as f:",
    "    body = f.read()",
    "print('valid' if verify_webhook(os.environ['SECRET'].encode(), os.environ['SIGNATURE'], body) else 'invalid')",
    "",
  ].join("\n"));
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ signature: req.headers["amazon-pay-signature"], body: Buffer.concat(chunks) });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
}

const { server, browser } = serverAndBrowser({
  server: async () => {
    await snippetsAndReceiver();
    return { args: ["--webhook-url", `http://127.0.0.1:${receiver.address().port}/hooks`, "--webhook-secret", SECRET] };
  },
});
// After serverAndBrowser's own after hook: the receiver and the snippets' directory go last.
after(async () => {
  receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function eventsOf(orderId, type, timeout = 15_000) {
  const mine = () => deliveries.filter((d) => JSON.parse(d.body).order?.id === orderId);
  return poll(() => mine().some((d) => JSON.parse(d.body).type === type) && mine(), {
    timeoutMs: timeout,
    failure: () => `no ${type} for ${orderId}; got ${mine().map((d) => JSON.parse(d.body).type)}`,
  });
}

function python(signature, body) {
  const file = join(dir, "body");
  writeFileSync(file, body);
  return execFileSync("python3", [verifyPy], { env: { ...process.env, SECRET, SIGNATURE: signature, BODY_FILE: file } }).toString().trim();
}

test("a CV2 order placed in Chromium reaches the shop as signed events that Node and Python verify", async () => {
  const { verifyWebhook } = await import(verifyJs);
  const { page, context } = await newPage(browser());
  await checkoutToReview(page, server().baseUrl);
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  const orderId = new URL(page.url()).searchParams.get("order");
  assert.match(orderId, /^O/);
  const mine = await eventsOf(orderId, "order.approved");
  const events = mine.map((d) => JSON.parse(d.body)).sort((a, b) => a.sequence - b.sequence);
  const types = events.map((e) => e.type);
  assert.equal(types[0], "order.placed");
  assert.equal(types.at(-1), "order.approved");
  assert.ok(types.indexOf("order.placed") < types.indexOf("order.approved"));
  for (const d of mine) {
    assert.equal(verifyWebhook(SECRET, d.signature, d.body), true, "Node accepts the delivery");
    assert.equal(python(d.signature, d.body), "valid", "Python accepts the delivery");
    const changed = Buffer.from(d.body.toString().replace('"order.', '"order_'));
    assert.equal(verifyWebhook(SECRET, d.signature, changed), false, "Node refuses a changed body");
    assert.equal(python(d.signature, changed), "invalid", "Python refuses a changed body");
    const t = Number(d.signature.match(/t=(\d+)/)[1]);
    const moved = d.signature.replace(`t=${t}`, `t=${t + 1}`);
    assert.equal(verifyWebhook(SECRET, moved, d.body), false, "Node refuses another timestamp");
    assert.equal(python(moved, d.body), "invalid", "Python refuses another timestamp");
  }
  assert.equal(events.at(-1).order.state, "approved");
  await context.close();
});
