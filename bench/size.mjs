// Shipped bytes per page type: loads each demo page in headless Chromium and adds up every wasm, JS and CSS
// file it fetched from this server (the sandbox's stand-ins for Amazon's scripts under /sandbox/ are not ours),
// raw and gzip -9. Writes the figures into BENCHMARKS.md and exits 1 when a page is over the budget. The lander,
// upsell and CV1 pages (lang="en") load their one-language bundle (amazon-pay-cv1.en.js, static/widget-init.js);
// the "bundle" column says which wasm each page loaded. The demo shop's own stylesheet (shop.css: its header, cart
// and forms, what a shop has already) is fetched too but not counted: a shop's page loads only the widget's
// files from us (bench/budget.mjs counts the same); the per-file table lists it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "../tests/e2e/support/server.mjs";
import { launchBrowser } from "../tests/e2e/support/browser.mjs";
import { loadNow, machine, root, table, writeSection } from "./report.mjs";

import { BUDGET, gzip9 } from "./budget.mjs";
/** The demo shop's own look: on every demo page, not part of the widget. */
const SHOP_OWN = (file) => file.endsWith("/shop.css");
/** Pages that are tools, not pages a shop ships. */
const NOT_SHOP_PAGES = new Set(["harness.html", "sandbox-test.html", "bench-baseline.html"]);

const kb = (bytes) => (bytes / 1000).toFixed(1);

async function measure(browser, baseUrl, path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = new Map();
  const pending = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin !== baseUrl || url.pathname.startsWith("/sandbox/") || url.pathname.startsWith("/api/")) return;
    if (!/\.(wasm|js|mjs|css)$/.test(url.pathname) || response.status() !== 200) return;
    pending.push(response.body().then((body) => files.set(url.pathname, { raw: body.length, gzip: gzip9(body) })));
  });
  await page.goto(baseUrl + path, { waitUntil: "networkidle" });
  await Promise.all(pending);
  await context.close();
  return [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The machine and its load when the run started. */
const started = machine();
const pages = ["/", ...readdirSync(join(root, "static")).filter((f) => f.endsWith(".html") && !NOT_SHOP_PAGES.has(f)).sort().map((f) => "/" + f)];
const server = await startServer();
const browser = await launchBrowser();
const rows = [];
const detail = [];
const over = [];
try {
  for (const path of pages) {
    const files = await measure(browser, server.baseUrl, path);
    const ours = files.filter(([file]) => !SHOP_OWN(file));
    const raw = ours.reduce((s, [, f]) => s + f.raw, 0);
    const gz = ours.reduce((s, [, f]) => s + f.gzip, 0);
    if (gz > BUDGET) over.push(path);
    const bundle = files.map(([file]) => file.match(/([^/]*)_bg\.wasm$/)?.[1]).find(Boolean) ?? "none";
    rows.push([`\`${path}\``, `\`${bundle}\``, String(ours.length), kb(raw), kb(gz), gz <= BUDGET ? "within" : `**over by ${kb(gz - BUDGET)}**`]);
    for (const [file, f] of files) detail.push([`\`${path}\``, `\`${file}\`${SHOP_OWN(file) ? " (the demo shop's, not counted)" : ""}`, String(f.raw), String(f.gzip)]);
    console.log(`${path.padEnd(22)} ${bundle.padEnd(24)} ${String(ours.length).padStart(2)} files ${kb(raw).padStart(8)} KB raw ${kb(gz).padStart(7)} KB gzip  ${gz <= BUDGET ? "ok" : "OVER"}`);
  }
} finally {
  await browser.close();
  await server.stop();
}

writeSection("bench-size", `## Shipped bytes per page (\`scripts/bench-size\`)

${started}
- load average when it ended: ${loadNow()}
- budget: at most ${kb(BUDGET)} KB (${BUDGET} bytes) gzip -9 for everything one page loads from us (wasm, JS glue,
  snippets, the widget's CSS; not the HTML, not the demo shop's own \`shop.css\`, not the sandbox's stand-ins for
  Amazon's scripts); result: ${over.length ? `**broken** by ${over.map((p) => "`" + p + "`").join(", ")}` : "every page within"}

${table(["page", "bundle", "files", "raw KB", "gzip KB", "budget"], rows)}

<details><summary>Per file (bytes)</summary>

${table(["page", "file", "raw", "gzip -9"], detail)}

</details>`);

if (over.length) {
  console.error(`\nsize budget broken: ${over.join(", ")} load more than ${BUDGET} bytes gzip (see BENCHMARKS.md)`);
  process.exit(1);
}
console.log(`\nevery page within ${BUDGET} bytes gzip`);
