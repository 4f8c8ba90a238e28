// Secrets and the Content-Security-Policy, end to end: the server runs with distinctive PAYONE and
// CheckoutChamp secrets; a buyer's browser walks a whole Checkout v2 flow under the demo's strict CSP. Nothing
// the browser loaded (pages, scripts, wasm, CSS, JSON answers, headers), nothing in dist/ and static/, and no
// file served from them contains a secret or its md5/sha1/sha256/sha384 digest; and no CSP violation fires.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { newPage } from "./support/browser.mjs";
import { checkoutToReview, confirmationState } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const root = resolve(import.meta.dirname, "../..");
const SECRETS = {
  PAYONE_KEY: "pk-SECRET-7f3a9c2e41d8",
  CHECKOUTCHAMP_PASSWORD: "cc-SECRET-5b8d0e6a",
  CHECKOUTCHAMP_LOGIN_ID: "cc-login-SECRET-91",
};

/** Every form a secret could leak in: itself and its digests, hex (both cases) and base64. */
function needles() {
  const out = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    out.push([name, secret]);
    for (const algorithm of ["md5", "sha1", "sha256", "sha384"]) {
      const digest = createHash(algorithm).update(secret).digest();
      out.push([`${algorithm}(${name})`, digest.toString("hex")]);
      out.push([`${algorithm}(${name}) upper`, digest.toString("hex").toUpperCase()]);
      out.push([`${algorithm}(${name}) base64`, digest.toString("base64")]);
    }
  }
  return out;
}

/** The needles found in `bytes` (a Buffer), as "what in where". */
function leaks(where, bytes) {
  const text = bytes.toString("latin1");
  const utf16 = bytes.toString("utf16le");
  return needles().filter(([, needle]) => text.includes(needle) || utf16.includes(needle)).map(([what]) => `${what} in ${where}`);
}

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

// Distinctive secrets; --sandbox keeps the simulators (they check the same key), CSP at its default.
const { server, browser } = serverAndBrowser({ server: { env: { ...SECRETS, SANDBOX_SETTLE_MS: "300" } } });

/** A page whose CSP violations (from any document it shows) and console errors are recorded. */
async function watched() {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(20_000);
  const violations = [];
  await opened.context.exposeBinding("__reportCsp", ({ frame }, v) => violations.push({ page: frame.url(), ...v }));
  await opened.context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__reportCsp({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample });
    });
  });
  const captured = [];
  opened.context.on("response", async (response) => {
    const entry = { url: response.url(), status: response.status(), headers: await response.allHeaders().catch(() => ({})), body: null };
    captured.push(entry);
    if (response.status() < 300 || response.status() >= 400) {
      entry.body = await response.body().catch(() => null);
    }
  });
  return { ...opened, violations, captured };
}

test("a whole Checkout v2 flow under the strict CSP: no violation, no console error, the header on every page", async () => {
  const { page, context, problems, violations, captured } = await watched();
  const workorderId = await checkoutToReview(page, server().baseUrl, { instrument: "mc-4444" });
  assert.match(workorderId, /^WO/);
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  // The other demo pages a buyer may open.
  for (const path of ["/", "/review.html", "/confirmation.html?order=ONOSUCHORDER", "/apb.html", "/lander.html", "/lander-recurring.html", "/upsell.html", "/cv1.html", "/harness.html"]) {
    await page.goto(server().baseUrl + path);
    // Loaded, and every widget on it has rendered something (its scripts and styles ran).
    await page.waitForFunction(() => document.readyState === "complete"
      && [...document.querySelectorAll("[data-amazon-pay-widget]")].every((e) => e.childElementCount > 0));
  }
  assert.deepEqual(violations, [], "no CSP violation");
  const cspProblems = problems.filter((p) => /Content Security Policy|Refused to/i.test(p));
  assert.deepEqual(cspProblems, []);
  assert.deepEqual(problems.filter((p) => p.startsWith("uncaught")), []);

  const ownPages = captured.filter((r) => r.url.startsWith(server().baseUrl) && !new URL(r.url).pathname.startsWith("/sandbox/")
    && !new URL(r.url).pathname.startsWith("/api/") && (r.headers["content-type"] ?? "").startsWith("text/html"));
  assert.ok(ownPages.length >= 6, `demo pages were loaded: ${ownPages.map((r) => r.url)}`);
  for (const response of ownPages) {
    const csp = response.headers["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, response.url);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, response.url);
  }
  await context.close();
});

test("the CSP is really enforced: an inline script on the demo page is refused and reported", async () => {
  const { page, context, violations } = await watched();
  await page.goto(server().baseUrl + "/");
  await page.locator("#amazon-pay .amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.body.append(s);
    const style = document.createElement("style");
    style.textContent = "body { color: red }";
    document.head.append(style);
  });
  await poll(() => violations.length >= 2, { timeoutMs: 5_000, failure: () => `CSP violations reported: ${JSON.stringify(violations)}` });
  assert.equal(await page.evaluate(() => window.__inlineRan ?? false), false, "the inline script did not run");
  assert.deepEqual(violations.map((v) => v.directive.split("-").slice(0, 2).join("-")).sort(), ["script-src", "style-src"]);
  await context.close();
});

test("no configured secret, nor any digest of one, reaches anything served to a browser", async () => {
  const { page, context, captured } = await watched();
  await checkoutToReview(page, server().baseUrl, { instrument: "visa-1111" });
  await page.click(".amazon-pay-place-order");
  await confirmationState(page, "approved");
  // Everything the browser loaded during the flow: bodies and headers.
  const found = [];
  let bytes = 0;
  for (const response of captured) {
    found.push(...leaks(`headers of ${response.url}`, Buffer.from(JSON.stringify(response.headers))));
    if (response.body) {
      bytes += response.body.length;
      found.push(...leaks(response.url, response.body));
    }
  }
  const kinds = new Set(captured.map((r) => (r.headers["content-type"] ?? "").split(";")[0]));
  for (const kind of ["text/html", "application/json", "application/wasm"]) assert.ok(kinds.has(kind), `${kind} was checked: ${[...kinds]}`);
  assert.ok(captured.some((r) => /javascript/.test(r.headers["content-type"] ?? "")), "scripts were checked");
  // Every file in dist/ and static/, from disk and as the server serves it.
  for (const dir of ["dist", "static"]) {
    for (const file of filesUnder(join(root, dir))) {
      const path = relative(join(root, dir), file).split("\\").join("/");
      found.push(...leaks(`${dir}/${path}`, readFileSync(file)));
      const served = await fetch(`${server().baseUrl}/${path}`);
      const body = Buffer.from(await served.arrayBuffer());
      bytes += body.length;
      found.push(...leaks(`served /${path}`, body));
    }
  }
  // The JSON answers a browser could ask for directly.
  const session = await fetch(`${server().baseUrl}/api/cv2/sessions`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ items: [{ sku: "mug", quantity: 1 }], language: "en" }),
  });
  const sessionBody = Buffer.from(await session.arrayBuffer());
  found.push(...leaks("POST /api/cv2/sessions", sessionBody));
  const error = await fetch(`${server().baseUrl}/api/cv2/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
  found.push(...leaks("an error answer", Buffer.from(await error.arrayBuffer())));
  assert.deepEqual(found, [], "secrets leaked");
  assert.ok(bytes > 100_000, `a real amount was checked (${bytes} bytes)`);
  // The secrets are in force: the simulator accepted the server's sha384 of PAYONE_KEY for every call above.
  const calls = await (await fetch(`${server().baseUrl}/sandbox/inspect/upstream-calls`)).json();
  assert.ok(calls.some((c) => c.action === "preauthorization" && c.outcome === "REDIRECT"), JSON.stringify(calls));
  await context.close();
});
