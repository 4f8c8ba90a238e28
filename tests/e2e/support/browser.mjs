// Launches Debian's headless Chromium through playwright-core (never a downloaded browser).
import { chromium } from "playwright-core";

const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/**
 * Playwright turns Chromium's back/forward cache off; `backForwardCache: true` keeps it on, as in the buyer's
 * browser, where Back shows a page as it was left instead of loading it again. `args` are more Chromium flags
 * (`--host-resolver-rules` for a page on a name that is not loopback, which is not a secure context).
 */
export async function launchBrowser({ backForwardCache = false, args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: [...FLAGS, ...args],
    ignoreDefaultArgs: backForwardCache ? ["--disable-back-forward-cache"] : [],
  });
}

/** A fresh page that collects console errors and uncaught exceptions. */
export async function newPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
  page.on("response", (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${res.url()}`); });
  return { page, context, problems };
}
