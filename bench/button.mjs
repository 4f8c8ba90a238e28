// Time from navigation start to the rendered Amazon Pay button in headless Chromium: the widget's cart page
// (`/`, the button bundle) and a hand-written plain-JavaScript page doing the same calls (static/bench-baseline.html),
// loaded alternately in the same run against a release `amazon-pay-server --sandbox` on loopback.
// "Rendered" is measured the same way on both pages: when the sandbox checkout.js's shadow root first holds
// `.amazonpay-button-view1` (a MutationObserver on the shadow root, performance.now() since navigation start), reported
// on the console.
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";
import { untilQuiet } from "./quiet.mjs";
import { gotoRendered, WATCH_BUTTON } from "./rendered.mjs";
import { envInteger, loadNow, machine, median, medianRatio, percentile, table, writeSection } from "./report.mjs";

const LOADS = envInteger("BENCH_LOADS", 40);
/** `BENCH_RTT_MS`: a network round trip added to every request of both pages (Chromium's network emulation), for
 * how the pages compare off loopback; written to a section of its own. Unset: loopback only, the goal's figure. */
const RTT_MS = envInteger("BENCH_RTT_MS", 0, 0);

/** A new page in `context`, with the emulated round trip when one is asked for. */
async function newPage(context) {
  const page = await context.newPage();
  if (RTT_MS > 0) {
    const session = await context.newCDPSession(page);
    await session.send("Network.enable");
    await session.send("Network.emulateNetworkConditions", { offline: false, latency: RTT_MS, downloadThroughput: -1, uploadThroughput: -1 });
  }
  return page;
}
/** Issue #20: the median at most 1.10× the plain page, the upper end of its 95 % interval at most 1.20×. */
const GOAL = { median: 1.1, high: 1.2 };
const PAGES = [
  { name: "widget (`/`, amazon-pay-button bundle)", path: "/" },
  { name: "baseline (`/bench-baseline.html`, plain JS)", path: "/bench-baseline.html" },
];


/** The machine and its load when the run started. */
const started = machine();
const server = await startServer({ env: { RUST_LOG: "amazon_pay_server=error" } });
const browser = await launchBrowser();
const cdp = await browser.newBrowserCDPSession();
let restless = 0;
const cold = PAGES.map(() => []);
const warm = PAGES.map(() => []);
try {
  // Cold: a fresh browser context per load (empty HTTP and code caches), pages alternating; navigated once the
  // context's new window has built its own UI (bench/quiet.mjs).
  for (let i = 0; i < LOADS + 1; i++) {
    const order = i % 2 ? [1, 0] : [0, 1];
    for (const p of order) {
      const context = await browser.newContext();
      await context.addInitScript(WATCH_BUTTON);
      const page = await newPage(context);
      if (!(await untilQuiet(cdp))) restless++;
      const ms = await gotoRendered(page, server.baseUrl + PAGES[p].path);
      if (i > 0) cold[p].push(ms); // the first round warms the server and the browser process
      await context.close();
    }
  }
  // Warm: one context per page, reloaded (HTTP cache and compiled wasm kept), pages alternating.
  const contexts = await Promise.all(PAGES.map(async () => {
    const context = await browser.newContext();
    await context.addInitScript(WATCH_BUTTON);
    return { context, page: await newPage(context) };
  }));
  for (let i = 0; i < LOADS + 1; i++) {
    for (const p of i % 2 ? [1, 0] : [0, 1]) {
      const ms = await gotoRendered(contexts[p].page, server.baseUrl + PAGES[p].path);
      if (i > 0) warm[p].push(ms);
    }
  }
  for (const { context } of contexts) await context.close();
} finally {
  await browser.close();
  await server.stop();
}

const f = (ms) => ms.toFixed(1);
const rows = [];
for (const [mode, runs] of [["cold", cold], ["warm", warm]]) {
  PAGES.forEach((p, i) => rows.push([mode, p.name, String(runs[i].length), f(median(runs[i])), f(percentile(runs[i], 90)), f(Math.min(...runs[i])), f(Math.max(...runs[i]))]));
}
// Each round loads both pages, so the i-th loads of the two pages are a pair (same moment, same machine load).
const coldRatio = medianRatio(cold[0], cold[1]);
const warmRatio = medianRatio(warm[0], warm[1]);
const x = (r) => `${r.ratio.toFixed(2)}× (95% interval ${r.low.toFixed(2)}–${r.high.toFixed(2)}×)`;
for (const r of rows) console.log(r.join("  "));
console.log(`\nwidget / baseline (median): cold ${x(coldRatio)}, warm ${x(warmRatio)} (goal: median ≤ ${GOAL.median}×, interval ≤ ${GOAL.high}×)`);
const verdict = (r) => (r.ratio <= GOAL.median && r.high <= GOAL.high ? "met" : r.ratio <= GOAL.median ? "met by the median, not by the whole interval" : "not met");

const section = RTT_MS > 0 ? "bench-button-rtt" : "bench-button";
const title = RTT_MS > 0 ? `Time to the rendered button with a ${RTT_MS} ms round trip (\`BENCH_RTT_MS=${RTT_MS} scripts/bench-button\`)` : "Time to the rendered button (`scripts/bench-button`)";
const network = RTT_MS > 0 ? `, every request delayed by ${RTT_MS} ms (Chromium's network emulation, \`Network.emulateNetworkConditions\`: a round trip to a server that is not on this machine; not the goal's condition)` : "";
writeSection(section, `## ${title}

${started}
- load average when it ended: ${loadNow()}
- headless Chromium (Debian's, through playwright-core), release \`amazon-pay-server --sandbox\` on 127.0.0.1${network}, the
  sandbox's \`checkout.js\`; ${LOADS} loads of each page after one warm-up round, the two pages alternating
- rendered = the first moment the button's shadow root holds \`.amazonpay-button-view1\` (same observer on both pages),
  in ms since navigation start; cold = a fresh browser context per load, navigated once the browser's processes are
  quiet (its new window builds its omnibox first: bench/quiet.mjs; ${restless} of ${2 * (LOADS + 1)} went ahead after 3 s
  without), warm = the same context reloaded

${table(["cache", "page", "loads", "median ms", "p90 ms", "min ms", "max ms"], rows)}

- widget / baseline, medians: **cold ${x(coldRatio)}**, warm ${x(warmRatio)}
- ${RTT_MS > 0 ? "the loopback goal's figures (the goal is the loopback run's), here" : "goal"}: median at most ${GOAL.median}×, upper end of the interval at most ${GOAL.high}×: cold ${verdict(coldRatio)}; warm ${verdict(warmRatio)}
- the interval is the bootstrap's over the rounds: how far the ratio moves from the sampling of loads alone (the
  machine's drift between runs comes on top)`);
