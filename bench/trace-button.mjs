// Diagnostic (not a benchmark; writes nothing into the repository): what the renderer's main thread does from the
// session's answer to Amazon's button, on the cart (dist/index.html) and on the plain-JavaScript page
// (static/bench-baseline.html), from Chromium performance traces of cold loads.
//   node bench/trace-button.mjs [PATH...]   (BENCH_LOADS loads of each, default 10; AMAZON_PAY_SERVER_BIN as for
//                                            the e2e tests; PATHs default to /index.html and /bench-baseline.html)
//   TRACE_DUMP=DIR node bench/trace-button.mjs   also keeps each load's trace as DIR/<page>-<n>.json (for
//                                            chrome://tracing or Perfetto)
// Each load is cold (a fresh context, once the browser is quiet: bench/quiet.mjs), traced with the Performance
// panel's categories plus V8's; the pages are loaded in random order in each round; `amazon.Pay.renderButton` is
// timed in the page (an init script wraps it when checkout.js defines it). Times are ms since the navigation's start
// (aligned with a `performance.mark` made at bench/rendered.mjs's moment of the button). Printed per page, medians
// over the loads: the session request (sent, answered by the network as resource timing says, and taken by the
// renderer's main thread: its ResourceFinish), checkout.js (its load's end, its run), renderButton's call and
// return, the first paint (presented), the first frames (BeginMainThreadFrame) and the button; the intervals
// between them within each load; the main thread's time by kind (self time of the trace's events: a script by its
// URL, wasm compilation, style and layout, paint and commit, microtasks, ...) from navigation start and from the
// answer to the button; and the tasks of the load with the median button from the answer on. Tracing slows a
// load, and under load every figure grows; the order of the steps and the kinds of work do not.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";
import { untilQuiet } from "./quiet.mjs";
import { gotoRendered, RENDERED, WATCH_BUTTON } from "./rendered.mjs";
import { envInteger, loadNow, median } from "./report.mjs";

const LOADS = envInteger("BENCH_LOADS", 10);
const DUMP = process.env.TRACE_DUMP;
const PATHS = process.argv.length > 2 ? process.argv.slice(2) : ["/index.html", "/bench-baseline.html"];
const MARK = "amazon-pay-trace:button";
const CATEGORIES = [
  "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame",
  "toplevel", "blink.user_timing", "loading", "v8", "v8.execute", "v8.wasm", "blink.console", "rail",
];

// bench/rendered.mjs's console line, and a user-timing mark at the same moment: the trace's clock for the button.
const MARK_BUTTON = `(() => {
  const debug = console.debug;
  console.debug = function (...args) {
    if (typeof args[0] === "string" && args[0].startsWith(${JSON.stringify(RENDERED)})) performance.mark(${JSON.stringify(MARK)});
    return debug.apply(this, args);
  };
})();`;

// Amazon's renderButton timed on both pages: checkout.js fills window.amazon.Pay only where it is empty, so an
// accessor set up front sees renderButton arrive and wraps it (the widget and the plain page call it alike).
const TIME_RENDER = `(() => {
  const pay = {};
  let render;
  Object.defineProperty(pay, "renderButton", {
    configurable: true, enumerable: true,
    get: () => render,
    set: (f) => {
      render = function (...args) {
        const start = performance.now();
        try { return f.apply(this, args); } finally { window.__amazonPayTrace = [start, performance.now()]; }
      };
    },
  });
  window.amazon = { Pay: pay };
})();`;

/** One cold, traced load: the trace's events and the page's own figures. */
async function tracedLoad(browser, cdp, url) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(MARK_BUTTON);
    await context.addInitScript(TIME_RENDER);
    await context.addInitScript(WATCH_BUTTON);
    const page = await context.newPage();
    await untilQuiet(cdp);
    let buffer;
    await browser.startTracing(page, { categories: CATEGORIES });
    // The trace is stopped even when the button never came (the error is then the load's).
    const ms = await gotoRendered(page, url).finally(() => browser.stopTracing().then((b) => (buffer = b)));
    const marked = await page.evaluate((name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN, MARK);
    const resources = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })),
    );
    const render = await page.evaluate(() => window.__amazonPayTrace ?? [NaN, NaN]);
    return { ms, marked, resources, render, trace: buffer.toString("utf8") };
  } finally {
    await context.close();
  }
}

const short = (url) => (url ?? "").replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");

/** What an event's own time (without its children's) is spent on, or undefined to give it to its parent's. */
function kindOf(e) {
  const d = e.args?.data ?? {};
  const script = (url) => `script ${short(url).split("/").pop() || "(no URL)"}`;
  switch (e.name) {
    case "FunctionCall": return d.url ? script(d.url) : `script ${d.functionName || "(anonymous)"}`;
    case "EvaluateScript": case "v8.compileModule": return script(d.url);
    case "v8.evaluateModule": return "script: a module evaluated";
    case "RunMicrotasks": return "microtasks (async functions resumed: the glue's init, promise reactions)";
    case "wasm.CompileLazy": return "wasm: lazy compilation (first calls)";
    case "UpdateLayoutTree": case "Layout": return "style and layout";
    case "PrePaint": case "Paint": case "Layerize": case "Commit": case "UpdateLayer": return "frame: paint and commit";
    case "ParseHTML": return "HTML parsing";
    case "ParseAuthorStyleSheet": return "CSS parsing";
    case "RunTask": case "ThreadControllerImpl::RunTask": return "other (the navigation's commit, V8 contexts, IPC)";
    default:
      if (/wasm/i.test(e.name)) return "wasm: compile and instantiate";
      if (/^Resource|URLLoader|ResourceRequestSender/.test(e.name)) return "network callbacks";
      return undefined;
  }
}

/** Main-thread time by kind (self time, ms) within [from, to] (ms since navigation start). */
function byKind(main, at, from, to) {
  const spans = main.filter((e) => e.ph === "X" && e.dur > 0 && at(e.ts + e.dur) > from && at(e.ts) < to).sort((x, y) => x.ts - y.ts || y.dur - x.dur);
  const totals = {};
  const stack = []; // [event, kind, child time taken]
  const clip = (e) => Math.max(0, Math.min(at(e.ts + e.dur), to) - Math.max(at(e.ts), from));
  const close = (entry) => {
    const own = clip(entry.e) - entry.children;
    totals[entry.kind] = (totals[entry.kind] ?? 0) + own;
  };
  for (const e of spans) {
    while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur <= e.ts) close(stack.pop());
    const parent = stack[stack.length - 1];
    if (parent && e.ts + e.dur > parent.e.ts + parent.e.dur) continue; // overlapping, not nested: skip
    const kind = kindOf(e) ?? parent?.kind;
    if (!kind) continue; // outside any task (a metadata span)
    if (parent) parent.children += clip(e);
    stack.push({ e, kind, children: 0 });
  }
  while (stack.length) close(stack.pop());
  return totals;
}

/** A task's parts of at least 0.1 ms, outermost first, for the detailed listing. */
function parts(main, task) {
  return main
    .filter((e) => e !== task && e.ph === "X" && e.dur >= 100 && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur)
    .filter((e) => kindOf(e) && !/RunTask/.test(e.name))
    .map((e) => `${e.name}${e.args?.data?.url ? " " + short(e.args.data.url) : ""} ${(e.dur / 1000).toFixed(2)}`);
}

let requestUrls = new Map();

/** The figures of one load, ms since navigation start. */
function analyse(load) {
  const parsed = JSON.parse(load.trace);
  const events = parsed.traceEvents ?? parsed;
  const mark = events.find((e) => e.name === MARK);
  if (!mark) throw new Error("no button mark in the trace");
  const origin = mark.ts - load.marked * 1000; // µs of the trace at navigation start
  const at = (ts) => (ts - origin) / 1000;
  const main = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid);
  requestUrls = new Map();
  for (const e of events) if (e.name === "ResourceSendRequest" && e.args?.data?.url) requestUrls.set(e.args.data.requestId, e.args.data.url);
  const resourceEvent = (name, part) => events.find((e) => e.name === name && short(requestUrls.get(e.args?.data?.requestId) ?? e.args?.data?.url).includes(part));
  const timing = (part) => load.resources.find((r) => r.name.includes(part));
  const session = timing("/api/cv2/sessions");
  const checkout = timing("/checkout.js");
  const sessionFinish = resourceEvent("ResourceFinish", "/api/cv2/sessions");
  const checkoutRun = main.find((e) => e.name === "EvaluateScript" && short(e.args?.data?.url).endsWith("/checkout.js"));
  const paint = (name) => events.find((e) => e.name === name && e.pid === mark.pid);
  const answered = session?.end ?? NaN;
  const button = load.marked;
  const points = {
    "session sent": session?.start,
    "session answered (network, resource timing)": answered,
    "session answer taken by the main thread (ResourceFinish)": sessionFinish && at(sessionFinish.ts),
    "checkout.js loaded (network)": checkout?.end,
    "checkout.js run (EvaluateScript)": checkoutRun && at(checkoutRun.ts),
    "renderButton called": load.render[0],
    "renderButton returned": load.render[1],
    "first paint (presented)": paint("firstPaint") && at(paint("firstPaint").ts),
    "button (mark)": button,
  };
  const frames = main.filter((e) => e.name === "BeginMainThreadFrame").map((e) => at(e.ts));
  // Chromium names a task RunTask (devtools.timeline), or only ThreadControllerImpl::RunTask (toplevel).
  const taskName = main.some((e) => e.name === "RunTask") ? "RunTask" : "ThreadControllerImpl::RunTask";
  const tasks = main
    .filter((e) => e.name === taskName && e.ph === "X" && at(e.ts + e.dur) > answered && at(e.ts) < button && e.dur >= 300)
    .map((task) => ({ start: at(task.ts), dur: task.dur / 1000, parts: parts(main, task) }));
  const afterAnswer = byKind(main, at, answered, button);
  afterAnswer["(of which Amazon's renderButton, timed in the page)"] = load.render[1] - load.render[0];
  return { ms: load.ms, points, frames, tasks, toButton: byKind(main, at, 0, button), afterAnswer };
}

const server = await startServer({ env: { RUST_LOG: "amazon_pay_server=error" } });
const browser = await launchBrowser();
const cdp = await browser.newBrowserCDPSession();
const started = loadNow();
const results = PATHS.map(() => []);
if (DUMP) mkdirSync(DUMP, { recursive: true });
try {
  for (let round = 0; round <= LOADS; round++) {
    const order = PATHS.map((_, k) => k).sort(() => Math.random() - 0.5);
    for (const k of order) {
      let load;
      try {
        load = await tracedLoad(browser, cdp, server.baseUrl + PATHS[k]);
      } catch (err) {
        console.error(`${PATHS[k]}, round ${round}: dropped: ${err.message.split("\n")[0]}`);
        continue;
      }
      if (round === 0) continue; // the first round warms the server and the browser process
      if (DUMP) writeFileSync(join(DUMP, `${PATHS[k].replace(/\W+/g, "_")}-${round}.json`), load.trace);
      results[k].push(analyse(load));
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

const f = (x) => (x === undefined || Number.isNaN(x) ? "   -  " : x.toFixed(1).padStart(6));
console.log(`${LOADS} traced cold loads per page; load average ${started} at the start, ${loadNow()} at the end`);
PATHS.forEach((path, k) => {
  const runs = results[k];
  if (runs.length === 0) return console.log(`\n${path}: no load showed the button`);
  console.log(`\n${path}: button at ${f(median(runs.map((r) => r.ms)))} ms (median of ${runs.length} traced loads); medians, ms since navigation start:`);
  for (const name of Object.keys(runs[0].points)) {
    const values = runs.map((r) => r.points[name]).filter((v) => v !== undefined && !Number.isNaN(v));
    console.log(`  ${f(values.length ? median(values) : NaN)}  ${name}${values.length < runs.length ? ` (${values.length} of ${runs.length} loads)` : ""}`);
  }
  // The same as intervals within each load (medians of the differences).
  const spans = [
    ["the answer waited for the main thread", "session answered (network, resource timing)", "session answer taken by the main thread (ResourceFinish)"],
    ["from the answer taken to renderButton's call", "session answer taken by the main thread (ResourceFinish)", "renderButton called"],
    ["renderButton", "renderButton called", "renderButton returned"],
    ["from renderButton's return to the button", "renderButton returned", "button (mark)"],
  ];
  for (const [what, from, to] of spans) {
    const values = runs.map((r) => r.points[to] - r.points[from]).filter((v) => !Number.isNaN(v));
    console.log(`  ${f(values.length ? median(values) : NaN)}  ms ${what}`);
  }
  const firstFrames = runs.map((r) => r.frames.slice(0, 4));
  for (let i = 0; i < 4; i++) {
    const values = firstFrames.map((fr) => fr[i]).filter((v) => v !== undefined);
    if (values.length) console.log(`  ${f(median(values))}  frame ${i + 1} begins (BeginMainThreadFrame, ${values.length} loads)`);
  }
  // Where the main thread's time goes: from navigation start to the button, and from the answer to the button.
  for (const [key, what] of [["toButton", "navigation start"], ["afterAnswer", "the answer (network)"]]) {
    const kinds = [...new Set(runs.flatMap((r) => Object.keys(r[key])))];
    const rows = kinds.map((kind) => [kind, median(runs.map((r) => r[key][kind] ?? 0))]).filter(([, ms]) => ms >= 0.05).sort((x, y) => y[1] - x[1]);
    const total = median(runs.map((r) => Object.entries(r[key]).filter(([kind]) => !kind.startsWith("(")).reduce((a, [, ms]) => a + ms, 0)));
    console.log(`  main thread from ${what} to the button: busy ${f(total)} ms (median), by kind (medians, ms):`);
    for (const [kind, ms] of rows) console.log(`    ${f(ms)}  ${kind}`);
  }
  // One load in full: the one with the median time to the button.
  const typical = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)];
  console.log(`  the load with the median button (${f(typical.ms)} ms): its tasks of 0.3 ms or more from the answer (${f(typical.points["session answered (network, resource timing)"])}) on:`);
  for (const t of typical.tasks) console.log(`    ${f(t.start)} +${t.dur.toFixed(2)}  ${t.parts.slice(0, 10).join(" | ")}`);
});
