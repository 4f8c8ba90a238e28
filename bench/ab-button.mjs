// Diagnostic (not a benchmark; writes nothing into the repository): interleaved A/B of variants of the cart's
// button against the plain-JavaScript page, cold, in one run, so that the machine's drift hits every variant alike.
//   node bench/ab-button.mjs DIR...     (BENCH_LOADS rounds, default 30; AMAZON_PAY_SERVER_BIN as for the e2e tests)
//   node bench/ab-button.mjs --decompose [DIR...]
// Each DIR holds a variant's index.html, widget-init.js and amazon-pay-button.js / _bg.wasm (a copy of dist/'s, then
// edited or rebuilt). They are served from a temporary copy of dist/ under /v0/, /v1/, … Each round loads every
// variant and the baseline once, in random order, each in a fresh context once the browser is quiet
// (bench/quiet.mjs); a round in which a page shows no button within 15 s is dropped and reported. Prints the medians,
// the session request's timing (resource timing), and the paired differences (mean ± 95% interval, median).
// `--decompose` first adds the cart as built in dist/ and three steps from the plain page towards it, so that the
// widget's gap splits into its parts: the plain page served as a variant (the control), the plain page with the
// cart's preloads of the bundle (fetched and parsed, never used), and the plain page that also loads and starts the
// bundle, with nothing declared to mount. The cart minus the last is the loader's and the button's own code.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";
import { untilQuiet } from "./quiet.mjs";
import { gotoRendered, WATCH_BUTTON } from "./rendered.mjs";
import { envInteger, loadNow, median } from "./report.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = join(ROOT, "dist");
const BUNDLE = ["amazon-pay-button.js", "amazon-pay-button_bg.wasm"];
const LOADS = envInteger("BENCH_LOADS", 30);
const args = process.argv.slice(2);
const decompose = args[0] === "--decompose";
const scratch = decompose ? mkdtempSync(join(tmpdir(), "amazon-pay-ab-steps-")) : undefined;

/** The variants `--decompose` adds, each a directory as DIR... would be, in `scratch`. */
function decomposition() {
  const cart = readFileSync(join(DIST, "index.html"), "utf8");
  const preloads = cart.match(/<link rel="modulepreload"[^>]*>\s*<link rel="preload"[^>]*as="fetch"[^>]*>/)?.[0];
  if (!preloads) throw new Error("dist/index.html has no modulepreload and wasm preload of the bundle (as Trunk writes them): run scripts/build-widget");
  const plainHtml = readFileSync(join(ROOT, "static/bench-baseline.html"), "utf8");
  const tag = '<script type="module" src="/bench-baseline.js"></script>';
  if (!plainHtml.includes(tag)) throw new Error(`static/bench-baseline.html no longer loads its script as ${tag}`);
  // The plain page's script under the loader's name, so that its copy is served from the variant's directory.
  const plain = plainHtml.replace(tag, '<script type="module" src="/widget-init.js"></script>');
  const plainJs = readFileSync(join(ROOT, "static/bench-baseline.js"), "utf8");
  // As widget-init.js starts a bundle (the wasm compiled while the glue is imported), after the plain page's work.
  const start = `
const wasm = WebAssembly.compileStreaming(fetch(new URL("amazon-pay-button_bg.wasm", import.meta.url)));
const { default: init } = await import(new URL("amazon-pay-button.js", import.meta.url).href);
await init({ module_or_path: wasm });
`;
  const steps = [
    ["cart", cart, readFileSync(join(DIST, "widget-init.js"), "utf8")],
    ["plain", plain, plainJs],
    ["plain+preloads", plain.replace("</head>", `${preloads}</head>`), plainJs],
    ["plain+preloads+start", plain.replace("</head>", `${preloads}</head>`), plainJs + start],
  ];
  return steps.map(([name, html, js]) => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "index.html"), html);
    writeFileSync(join(dir, "widget-init.js"), js);
    for (const file of BUNDLE) cpSync(join(DIST, file), join(dir, file));
    return dir;
  });
}

const variants = [...(decompose ? decomposition() : []), ...args.slice(decompose ? 1 : 0).map((dir) => resolve(dir))];
if (variants.length === 0) {
  console.error("usage: node bench/ab-button.mjs [--decompose] DIR... (each with index.html, widget-init.js, amazon-pay-button.js, amazon-pay-button_bg.wasm)");
  process.exit(2);
}
/** A copy of dist/ with each variant under /vN/ (its page pointing at its own loader and bundle). */
function serveDir() {
  const dist = mkdtempSync(join(tmpdir(), "amazon-pay-ab-"));
  cpSync(DIST, dist, { recursive: true });
  variants.forEach((dir, i) => {
    const out = join(dist, `v${i}`);
    mkdirSync(out);
    for (const file of readdirSync(dir)) cpSync(join(dir, file), join(out, file));
    const html = readFileSync(join(dir, "index.html"), "utf8")
      .replaceAll('"/widget-init.js"', `"/v${i}/widget-init.js"`)
      .replaceAll('"/amazon-pay-button', `"/v${i}/amazon-pay-button`);
    writeFileSync(join(out, "index.html"), html);
  });
  return dist;
}

/** One cold load: ms to the button, and when the session request left and was answered (ms since navigation). */
async function load(browser, cdp, url) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(WATCH_BUTTON);
    const page = await context.newPage();
    await untilQuiet(cdp);
    const ms = await gotoRendered(page, url);
    const session = await page.evaluate(() => {
      const entry = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/cv2/sessions"));
      return entry ? [entry.startTime, entry.responseEnd] : [NaN, NaN];
    });
    return { ms, sent: session[0], answered: session[1] };
  } finally {
    await context.close();
  }
}

const pages = [...variants.map((_, i) => `/v${i}/index.html`), "/bench-baseline.html"];
const names = [...variants.map((dir, i) => `v${i} ${scratch && dir.startsWith(scratch) ? relative(scratch, dir) : dir}`), "baseline /bench-baseline.html"];
const started = loadNow();
const dist = serveDir();
const server = await startServer({ distDir: dist, env: { RUST_LOG: "amazon_pay_server=error" } });
const browser = await launchBrowser();
const cdp = await browser.newBrowserCDPSession();
const rounds = [];
let dropped = 0;
try {
  for (let i = 0; i < LOADS + 1; i++) {
    const order = pages.map((_, k) => k).sort(() => Math.random() - 0.5);
    const round = [];
    try {
      for (const k of order) round[k] = await load(browser, cdp, server.baseUrl + pages[k]);
    } catch (err) {
      dropped++;
      console.error(`round ${i} dropped: ${err.message.split("\n")[0]}`);
      continue;
    }
    if (i > 0) rounds.push(round); // the first round warms the server and the browser process
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(dist, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

if (rounds.length === 0) {
  console.error(`no round completed (${dropped} dropped): a page never showed its button; open it in a browser to see why`);
  process.exit(1);
}
const f = (x) => x.toFixed(1);
const interval = (diffs) => {
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, diffs.length - 1));
  return `${f(mean)} ± ${f((1.96 * sd) / Math.sqrt(diffs.length))} ms (median ${f(median(diffs))})`;
};
const base = pages.length - 1;
console.log(`${rounds.length} rounds (${dropped} dropped); load average ${started} at the start, ${loadNow()} at the end`);
pages.forEach((_, k) => {
  const col = (key) => rounds.map((r) => r[k][key]);
  const sent = col("sent");
  const wait = rounds.map((r) => r[k].answered - r[k].sent);
  const after = rounds.map((r) => r[k].ms - r[k].answered);
  console.log(`${names[k]}: median ${f(median(col("ms")))} ms (×${(median(col("ms")) / median(rounds.map((r) => r[base].ms))).toFixed(3)}); session sent ${f(median(sent))}, answered after ${f(median(wait))}, button ${f(median(after))} after the answer`);
});
variants.forEach((_, k) => console.log(`v${k} − baseline: ${interval(rounds.map((r) => r[k].ms - r[base].ms))}`));
for (let k = 1; k < variants.length; k++) console.log(`v${k} − v0: ${interval(rounds.map((r) => r[k].ms - r[0].ms))}`);
if (decompose) {
  // v0 the cart, v1 the plain page as a variant, v2 with the preloads, v3 with the bundle started too.
  const step = (a, b) => interval(rounds.map((r) => r[a].ms - r[b].ms));
  console.log("the cart's gap, step by step (paired, mean ± 95% interval):");
  console.log(`  serving the plain page as a variant (control, should be 0): ${step(1, base)}`);
  console.log(`  the bundle's preloads (glue and wasm fetched, never used): ${step(2, 1)}`);
  console.log(`  the bundle loaded and started, nothing mounted:            ${step(3, 2)}`);
  console.log(`  the loader's and the button's own code (the cart's rest):  ${step(0, 3)}`);
}
