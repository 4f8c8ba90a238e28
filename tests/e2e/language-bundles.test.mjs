// The one-language bundles (scripts/build-language-bundles): the loader (static/widget-init.js) gives a lander,
// upsell or CV1 page whose widgets all have one language that language's bundle (amazon-pay-lander.de.js), a page
// that mixes languages the bundle with every language; a one-language bundle asked for another language shows
// its own texts and says once in the console what to load instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const WAIT = 15_000;

const { server, browser } = serverAndBrowser();

/** A fresh page that records the paths of the widget files it requests. */
async function recorded() {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(WAIT);
  const paths = [];
  opened.page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === server().baseUrl && /\/amazon-pay-[^/]*(\.js|_bg\.wasm)$/.test(url.pathname)) paths.push(url.pathname);
  });
  return { ...opened, paths };
}

/** Serves `html` as `path` of the server's origin (the loader and the bundles come from the server). */
async function servePage(page, path, html) {
  await page.route(server().baseUrl + path, (route) => route.fulfill({ contentType: "text/html", body: html }));
}

const lander = (config) => `<div data-amazon-pay-widget='${JSON.stringify({ view: "lander", products: [{ productId: 101, quantity: 1 }], ...config })}'></div>`;
const page = (lang, body) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/widget-init.js"></script></head><body>${body}</body></html>`;
const titles = (p) => p.locator(".amazon-pay-lander h2").allTextContents();

test("a German lander page loads amazon-pay-lander.de.js and shows German texts", async () => {
  const { page: p, context, paths, problems } = await recorded();
  // The demo's lander page, in German (<html lang> once parsed, before the loader runs).
  await context.addInitScript(() => {
    document.addEventListener("readystatechange", () => {
      if (document.readyState === "interactive") document.documentElement.lang = "de-DE";
    });
  });
  await p.goto(server().baseUrl + "/lander.html");
  await p.locator(".amazon-pay-lander h2", { hasText: "Mit Amazon Pay bezahlen" }).waitFor();
  await p.getByText("Melden Sie sich mit Ihrem Amazon-Konto an").waitFor();
  assert.deepEqual(paths.sort(), ["/amazon-pay-lander.de.js", "/amazon-pay-lander.de_bg.wasm"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("widgets that all name one language get its bundle; widgets of two languages, or a language that is not ours, get every language", async () => {
  const cases = [
    // A config's language wins over <html lang>; spelled as the widget reads it (primary subtag, any case).
    { lang: "en", body: lander({ language: " FR_ca " }) + lander({ language: "fr" }), bundle: "amazon-pay-lander.fr", titles: ["Payer avec Amazon Pay", "Payer avec Amazon Pay"] },
    // One widget follows the page (Italian), the other names German.
    { lang: "it", body: lander({}) + lander({ language: "de" }), bundle: "amazon-pay-lander", titles: ["Paga con Amazon Pay", "Mit Amazon Pay bezahlen"] },
    // Not one of ours: the widget reports it (as the bundle with every language does for any page).
    { lang: "en", body: lander({ language: "nl" }), bundle: "amazon-pay-lander", titles: [] },
  ];
  for (const [i, c] of cases.entries()) {
    const { page: p, context, paths, problems } = await recorded();
    await servePage(p, `/languages-${i}.html`, page(c.lang, c.body));
    await p.goto(`${server().baseUrl}/languages-${i}.html`);
    if (c.titles.length > 0) {
      await p.waitForFunction((n) => [...document.querySelectorAll(".amazon-pay-lander h2")].filter((h) => h.textContent).length === n, c.titles.length);
      assert.deepEqual(await titles(p), c.titles, JSON.stringify(c));
      assert.deepEqual(problems, []);
    } else {
      await expectProblem(problems, /unsupported language "nl"/);
    }
    assert.deepEqual(paths.sort(), [`/${c.bundle}.js`, `/${c.bundle}_bg.wasm`], JSON.stringify(c));
    await context.close();
  }
});

/** Waits (polling, with a deadline) until one of `problems` matches `pattern`. */
async function expectProblem(problems, pattern) {
  await poll(() => problems.some((p) => pattern.test(p)), {
    timeoutMs: WAIT, failure: () => `no problem matching ${pattern}: ${JSON.stringify(problems)}`,
  });
}

test("a one-language bundle mounting widgets of another language shows its texts and warns once what to load", async () => {
  const { page: p, context, problems } = await recorded();
  const warnings = [];
  p.on("console", (msg) => { if (msg.type() === "warning") warnings.push(msg.text()); });
  await p.goto(server().baseUrl + "/sandbox-test.html");
  await p.evaluate(async () => {
    const widget = await import("/amazon-pay-lander.de.js");
    await widget.default();
    // Keep the handles: a collected handle unmounts the widget.
    window.__widgets = ["fr", "es", "de"].map((language) => {
      const el = document.createElement("div");
      document.body.append(el);
      return widget.mount(el, { view: "lander", language, products: [{ productId: 101, quantity: 1 }] });
    });
  });
  await p.waitForFunction(() => [...document.querySelectorAll(".amazon-pay-lander h2")].filter((h) => h.textContent).length === 3);
  assert.deepEqual(await titles(p), ["Mit Amazon Pay bezahlen", "Mit Amazon Pay bezahlen", "Mit Amazon Pay bezahlen"]);
  const ours = warnings.filter((w) => w.startsWith("Amazon Pay widget:"));
  assert.equal(ours.length, 1, JSON.stringify(warnings));
  assert.match(ours[0], /language is "fr".*amazon-pay-lander\.de\.js.*Load amazon-pay-lander\.js \(every language\)/);
  assert.deepEqual(problems, []);
  await context.close();
});
