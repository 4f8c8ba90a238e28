// The setup most end-to-end files share: one amazon-pay-server in sandbox mode and one Chromium for the whole file,
// started in `before` and stopped in `after` (the browser first, then the server), so a file says only how its
// server differs.
import { before, after } from "node:test";
import { startServer } from "./server.mjs";
import { launchBrowser } from "./browser.mjs";

/**
 * Registers the file's `before` and `after` hooks and returns the accessors `server()` and `browser()` for the
 * tests. `server` is startServer's options, or a function that returns them (called in `before`, after the file's
 * own earlier `before` hooks, for what is only known then: another server's address); `browser` is
 * launchBrowser's options. An accessor called before the hook ran, or after it failed, throws instead of handing
 * out `undefined`.
 */
export function serverAndBrowser({ server: serverOptions = {}, browser: browserOptions = {} } = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(typeof serverOptions === "function" ? await serverOptions() : serverOptions);
    browser = await launchBrowser(browserOptions);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  const started = (what, value) => {
    if (value === undefined) throw new Error(`no ${what}: serverAndBrowser's before hook has not started it`);
    return value;
  };
  return { server: () => started("server", server), browser: () => started("browser", browser) };
}
