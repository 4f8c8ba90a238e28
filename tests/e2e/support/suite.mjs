// The setup most end-to-end files share: one amazon-pay-server in sandbox mode and one Chromium for the whole file,
// started in `before` and stopped in `after` (the browser first, then the server), so a file says only how its
// server differs.
import { before, after } from "node:test";
import { startServer } from "./server.mjs";
import { launchBrowser } from "./browser.mjs";

/**
 * Registers the file's `before` and `after` hooks and returns the accessors `server()` and `browser()` for the
 * tests. `server` is startServer's options, or an (async) function that returns them: the place for what a file
 * starts first (a shop, a webhook receiver) and the server must name, because Node 20 runs a file's top-level
 * `before` hooks at once rather than one after another, so a second `before` could not wait for it. `started(server)`
 * runs once the server answers, before the browser starts; `browser` is launchBrowser's options. A file's own
 * `after`, registered after this call, runs after the browser and the server are stopped. An accessor called before
 * the hook ran, or after it failed, throws instead of handing out `undefined`.
 */
export function serverAndBrowser({ server: serverOptions = {}, started = () => {}, browser: browserOptions = {} } = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(typeof serverOptions === "function" ? await serverOptions() : serverOptions);
    await started(server);
    browser = await launchBrowser(browserOptions);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  const running = (what, value) => {
    if (value === undefined) throw new Error(`no ${what}: serverAndBrowser's before hook has not started it`);
    return value;
  };
  return { server: () => running("server", server), browser: () => running("browser", browser) };
}
