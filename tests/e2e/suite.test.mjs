// support/suite.mjs itself: its accessors refuse before the hook has started anything, the options function runs
// before the server starts and `started` sees the running server before the browser launches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverAndBrowser } from "./support/suite.mjs";

const steps = [];
const { server, browser } = serverAndBrowser({
  server: async () => {
    steps.push("options");
    return { env: { SANDBOX_SETTLE_MS: "300" } };
  },
  started: async (running) => {
    steps.push(`started ${(await fetch(running.baseUrl + "/")).status}`);
  },
});
// Node 20 starts the before hook at once, but it cannot have finished while this module is still being read.
const early = [() => server(), () => browser()].map((accessor) => {
  try { return accessor(); } catch (e) { return e.message; }
});

test("the accessors refuse while the before hook has not started the server and the browser", () => {
  assert.deepEqual(early, [
    "no server: serverAndBrowser's before hook has not started it",
    "no browser: serverAndBrowser's before hook has not started it",
  ]);
});

test("the options are asked for first, started() sees a server that answers, then the browser is there", async () => {
  assert.deepEqual(steps, ["options", "started 200"]);
  assert.equal(browser().isConnected(), true);
  assert.equal((await fetch(server().baseUrl + "/")).status, 200);
});
