// The npm package as a shop gets it: scripts/package.mjs writes it from dist/ (scripts/build-widget), `npm pack`
// makes the tarball, `npm install` puts it into an empty project, tsc checks a page's TypeScript against its
// types, esbuild 0.28 bundles the page (the .wasm by its URL, the way the package's README says), and
// Chromium shows the Amazon Pay button from that bundle against amazon-pay-server --sandbox, then goes to
// Amazon's (the sandbox's) pages when it is clicked; a one-language bundle (amazon-pay-widget/lander.de) likewise
// shows its language. Also: every bundle's real exports, one-language ones included, are the .d.ts's.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";
import { writePackage, VIEWS } from "../../scripts/package.mjs";
import { LANGUAGES, ONE_LANGUAGE_VIEWS } from "../../scripts/one-language.mjs";
import { newPage } from "./support/browser.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const root = resolve(import.meta.dirname, "../..");
const WAIT = 15_000;
const scratch = mkdtempSync(join(tmpdir(), "amazon-pay-npm-"));
const shopDir = join(scratch, "shop");
let installed; // node_modules/amazon-pay-widget in the shop's project
let shop;

function run(command, args, cwd) {
  const out = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
  assert.equal(out.status, 0, `${command} ${args.join(" ")} failed:\n${out.stdout}${out.stderr}${out.error ?? ""}`);
  return out.stdout;
}

/** Type-checks the shop's `entry` (TypeScript in shopDir) against the package's types, as its build would, and
 * bundles it with esbuild (the wasm as a file asset) into shopDir/out; returns that directory. */
async function buildShop(entry) {
  const config = `tsconfig.${entry.replace(/\.ts$/, "")}.json`;
  writeFileSync(join(shopDir, config), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom", "esnext.disposable"], types: [] },
    files: [entry],
  }));
  run(join(root, "node_modules/.bin/tsc"), ["-p", config], shopDir);
  const outDir = join(shopDir, "out");
  await esbuild.build({
    absWorkingDir: shopDir, entryPoints: [entry], bundle: true, format: "esm", target: "es2022",
    outdir: outDir, loader: { ".wasm": "file" }, logLevel: "silent",
  });
  return outDir;
}

/** A static server for the shop's built page, on its own origin (http://localhost:<port>). */
async function serve(dir) {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
  const http = createServer((req, res) => {
    const name = new URL(req.url, "http://shop").pathname.slice(1) || "index.html";
    let body;
    try {
      if (!/^[\w.-]+$/.test(name)) throw new Error("not a shop file");
      body = readFileSync(join(dir, name));
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(name)] ?? "application/octet-stream" }).end(body);
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  return {
    origin: `http://localhost:${http.address().port}`,
    async stop() {
      http.closeAllConnections();
      await new Promise((ok) => http.close(ok));
    },
  };
}

/** The shop's project with the package installed, and its static server (whose origin the payment server allows). */
async function installAndServe() {
  // The package, packed and installed as from a registry (offline: it has no dependencies).
  const { dir, pkg } = writePackage(join(scratch, "package"));
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], dir));
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [...pkg.files, "package.json"].sort(), "the tarball has the files package.json lists");
  mkdirSync(shopDir);
  writeFileSync(join(shopDir, "package.json"), JSON.stringify({ name: "shop", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", "--cache", join(scratch, "npm-cache"), join(scratch, packed.filename)], shopDir);
  installed = join(shopDir, "node_modules/amazon-pay-widget");

  shop = await serve(join(shopDir, "out"));
}

const { server, browser } = serverAndBrowser({
  server: async () => {
    await installAndServe();
    return { args: ["--allowed-origins", shop.origin] };
  },
});
// After serverAndBrowser's own after hook: the shop and the scratch directory go last.
after(async () => {
  await shop?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test("a page bundled with esbuild from the installed package shows the Amazon Pay button", async () => {
  writeFileSync(join(shopDir, "app.ts"), `
import init, { mount, type ReadyDetail } from "amazon-pay-widget/button";
import wasmUrl from "amazon-pay-widget/button.wasm";
import "amazon-pay-widget/style.css";

declare global { interface Window { ready?: ReadyDetail } }
await init({ module_or_path: wasmUrl });
const element = document.getElementById("pay")!;
element.addEventListener("amazonpay:ready", (e) => { window.ready = e.detail; });
mount(element, { backendUrl: element.dataset.backend, items: [{ sku: "mug", quantity: 1 }], placement: "Cart" });
`);
  const outDir = await buildShop("app.ts");
  writeFileSync(join(outDir, "index.html"), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css"><script type="module" src="/app.js"></script></head>
<body><h1>Cart</h1><div id="pay" data-backend="${server().baseUrl}"></div></body></html>`);

  const { page, context, problems } = await newPage(browser());
  page.setDefaultTimeout(WAIT);
  const wasm = page.waitForResponse((r) => r.url().startsWith(shop.origin) && r.url().endsWith(".wasm"));
  await page.goto(shop.origin + "/");
  assert.equal((await wasm).status(), 200, "the .wasm is the bundle's own asset, on the shop's origin");
  await page.locator("#pay .amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  const ready = await page.waitForFunction(() => window.ready).then((h) => h.jsonValue());
  assert.equal(ready.kind, "ready");
  assert.match(ready.workorderId, /^WO/);
  await page.locator("#pay .amazon-pay-button").click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a one-language bundle from the package (amazon-pay-widget/lander.de) shows its language, and warns once for another", async () => {
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  for (const view of ONE_LANGUAGE_VIEWS) {
    for (const lang of LANGUAGES) {
      const name = `amazon-pay-${view}.${lang}`;
      assert.deepEqual(pkg.exports[`./${view}.${lang}`], { types: `./${name}.d.ts`, default: `./${name}.js` }, name);
      assert.deepEqual(pkg.exports[`./${view}.${lang}.wasm`], { types: "./wasm-url.d.ts", default: `./${name}_bg.wasm` }, name);
    }
  }
  writeFileSync(join(shopDir, "lander.ts"), `
import init, { mount, type WidgetHandle } from "amazon-pay-widget/lander.de";
import wasmUrl from "amazon-pay-widget/lander.de.wasm";

declare global { interface Window { handles?: WidgetHandle[] } }
await init({ module_or_path: wasmUrl });
const host = document.getElementById("lander")!;
// A German page; the second widget asks for French, which this bundle does not have.
window.handles = (["de", "fr"] as const).map((language) => {
  const element = host.appendChild(document.createElement("div"));
  return mount(element, { view: "lander", backendUrl: host.dataset.backend, language, products: [{ productId: 101, quantity: 1 }] });
});
`);
  const outDir = await buildShop("lander.ts");
  writeFileSync(join(outDir, "lander.html"), `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,">
<script type="module" src="/lander.js"></script></head>
<body><div id="lander" data-backend="${server().baseUrl}"></div></body></html>`);

  const { page, context, problems } = await newPage(browser());
  page.setDefaultTimeout(WAIT);
  const warnings = [];
  page.on("console", (msg) => { if (msg.type() === "warning" && msg.text().startsWith("Amazon Pay widget:")) warnings.push(msg.text()); });
  const wasm = page.waitForResponse((r) => r.url().startsWith(shop.origin) && r.url().endsWith(".wasm"));
  await page.goto(shop.origin + "/lander.html");
  assert.match((await wasm).url(), /\/amazon-pay-lander\.de_bg-[^/]*\.wasm$/, "the German bundle's own wasm");
  await page.waitForFunction(() => [...document.querySelectorAll(".amazon-pay-lander h2")].filter((h) => h.textContent).length === 2);
  assert.deepEqual(await page.locator(".amazon-pay-lander h2").allTextContents(), ["Mit Amazon Pay bezahlen", "Mit Amazon Pay bezahlen"]);
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0], /language is "fr"/);
  assert.deepEqual(problems, []);
  await context.close();
});

/** For each of `files` (.d.ts), the value exports it declares and the methods of its `WidgetHandle`. */
function declared(files) {
  const program = ts.createProgram(files, { strict: true, noEmit: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"] });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(errors, [], "the package's declarations have type errors");
  const checker = program.getTypeChecker();
  return new Map(files.map((file) => [file, declaredIn(checker, program.getSourceFile(file))]));
}

function declaredIn(checker, file) {
  const symbols = checker.getExportsOfModule(checker.getSymbolAtLocation(file));
  const resolved = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const values = symbols.filter((s) => resolved(s).flags & ts.SymbolFlags.Value);
  const handle = checker.getDeclaredTypeOfSymbol(resolved(symbols.find((s) => s.name === "WidgetHandle")));
  const methods = checker.getPropertiesOfType(handle).map((p) => (p.name.startsWith("__@") ? `[${p.name.slice(3).split("@")[0]}]` : p.name));
  return { exports: values.map((s) => s.name).sort(), methods: methods.sort() };
}

test("every bundle's exports and handle methods are the ones its .d.ts declares", async () => {
  const perLanguage = ONE_LANGUAGE_VIEWS.flatMap((view) => LANGUAGES.map((lang) => `${view}.${lang}`));
  const bundles = ["widget", ...Object.keys(VIEWS), ...perLanguage].map((b) => `amazon-pay-${b}`);
  const types = declared(bundles.map((name) => join(installed, `${name}.d.ts`)));
  for (const name of bundles) {
    const glue = await import(pathToFileURL(join(installed, `${name}.js`)));
    const real = Object.getOwnPropertyNames(glue.WidgetHandle.prototype).filter((m) => m !== "constructor" && !m.startsWith("__"));
    if (Object.getOwnPropertySymbols(glue.WidgetHandle.prototype).includes(Symbol.dispose)) real.push("[dispose]");
    const { exports, methods } = types.get(join(installed, `${name}.d.ts`));
    assert.deepEqual(exports, Object.keys(glue).sort(), `${name}: the module's exports`);
    assert.deepEqual(methods, real.sort(), `${name}: WidgetHandle's methods`);
    assert.ok(exports.includes("mount") && real.includes("unmount"), `${name}: compared something`);
  }
});
