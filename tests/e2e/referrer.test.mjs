// The buyer's Login with Amazon token arrives in the address (`?access_token=…`, the query form Amazon's
// redirect and the sandbox's sign-in use) and must never leave the browser in a request's Referer or address:
// not in the page's own CSS, script and wasm requests made before the widget cleans the address bar, not in
// anything loaded later. Every request of the context is recorded with the headers Chromium really sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000000000000";

const { server, browser } = serverAndBrowser();

/** A real sandbox token for `buyer`, as the sign-in page hands it to the lander. */
async function token(buyer) {
  const form = new URLSearchParams({
    client_id: CLIENT_ID, scope: "profile payments:widget payments:shipping_address", response_type: "token",
    redirect_uri: server().baseUrl + "/lander.html", popup: "false", buyer, action: "continue",
  });
  const signin = await fetch(server().baseUrl + "/sandbox/amazon/ap/signin", { method: "POST", body: form, redirect: "manual" });
  const found = new URLSearchParams(signin.headers.get("location").split("#")[1]).get("access_token");
  assert.match(found, /^Atza/);
  return found;
}

/** Opens `path` with the token in the query; returns every request after the page settled, with its headers. */
async function requestsOf(path, secret, settled) {
  const { page, context } = await newPage(browser());
  const requests = [];
  context.on("request", (request) => requests.push(request));
  await page.goto(`${server().baseUrl}${path}?access_token=${encodeURIComponent(secret)}&token_type=bearer&expires_in=3600`);
  await settled(page);
  await page.waitForLoadState("networkidle");
  const seen = [];
  for (const request of requests) {
    const headers = await request.allHeaders();
    seen.push({ url: request.url(), referer: headers.referer ?? "", document: request === page.mainFrame() || request.isNavigationRequest() });
  }
  const address = page.url();
  await context.close();
  return { seen, address };
}

for (const [path, settled] of [
  ["/lander.html", (page) => page.getByLabel(/Via del Corso 5/).waitFor()],
  ["/lander-recurring.html", (page) => page.getByLabel(/Via del Corso 5/).waitFor()],
  ["/cv1.html", (page) => page.getByLabel(/Via del Corso 5/).waitFor()],
]) {
  test(`${path}?access_token=…: no request carries the token, not even the page's own CSS, script and wasm`, async () => {
    const secret = await token("giulia");
    const bare = secret.replace(/^Atza\|/, "");
    const { seen, address } = await requestsOf(path, secret, settled);
    const subresources = seen.filter((r) => !r.document);
    assert.ok(subresources.some((r) => r.url.endsWith("/shop.css")), "the page's CSS was requested");
    assert.ok(subresources.some((r) => r.url.endsWith(".wasm")), "the widget's wasm was requested");
    const leaks = seen.filter((r) => r.referer.includes(bare) || r.referer.includes("access_token") || (!r.document && r.url.includes(bare)));
    assert.deepEqual(leaks, [], "requests that carry the token");
    // What the requests do say: where they come from, no more.
    for (const r of subresources) {
      assert.ok(r.referer === "" || r.referer === server().baseUrl + "/", `${r.url}: Referer ${r.referer}`);
    }
    assert.ok(!address.includes(bare) && !address.includes("access_token"), `the address bar is clean: ${address}`);
  });
}
