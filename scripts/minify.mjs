// Minifies the wasm-bindgen JS glue of every bundle in dist/, and the loader static/widget-init.js into dist/, with
// terser (Trunk minifies CSS and HTML, not the Rust assets' JS), and shortens the names the bundle's wasm imports
// from its glue in both files (scripts/wasm-imports.mjs); minifies the stylesheets with esbuild. Run by scripts/build-widget after Trunk and
// before the precompressed twins are written.
// Safe for the glue: no property mangling, so the import object's keys (`./amazon-pay-x_bg.js`, `__wbg_…`)
// and the module's exports keep their names. About 1.5 KB gzip less on every page. Trunk's HTML carries a
// subresource-integrity digest of each file it preloads: those digests are rewritten for the minified files (the
// wasm's fetch preload loses its own, scripts/preload-integrity.mjs).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { minify } from "terser";
import { trimGlue } from "./glue-trim.mjs";
import { dropFetchPreloadIntegrity } from "./preload-integrity.mjs";
import { shortenImports } from "./wasm-imports.mjs";

const dist = process.argv[2] ?? join(import.meta.dirname, "..", "dist");
const glue = readdirSync(dist).filter((f) => /^amazon-pay-[a-z0-9]+(\.[a-z]{2})?\.js$/.test(f));
if (glue.length === 0) {
  console.error(`minify: no amazon-pay-*.js in ${dist}; run trunk build first`);
  process.exit(1);
}
const sri = (text) => "sha384-" + createHash("sha384").update(text).digest("base64");
const pages = readdirSync(dist).filter((f) => f.endsWith(".html"));
const digests = new Map();
/** terser's options for every file: the glue and the loader alike. */
const TERSER = { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } };
let before = 0;
let after = 0;
// V8's explicit compile hint (Chromium 136 and later; other engines read a comment): compile every function of the
// glue with the module, not each on its first call. They are the wasm's imports, called while the widget starts,
// before the button's session request: the cart's button comes 2-4 ms sooner cold (BENCHMARKS.md). A second run
// adds it once again only: terser drops the first.
const COMPILE_HINT = "//# allFunctionsCalledOnLoad\n";
let shortened = 0;
for (const name of glue) {
  const path = join(dist, name);
  const source = readFileSync(path, "utf8");
  // What no page runs (warnings for deprecated calls, fallbacks for what every browser of ours has):
  // scripts/glue-trim.mjs, about 0.35 KB gzip.
  const { code: minified } = await minify(trimGlue(source, name), TERSER);
  // The wasm's import names shortened in both files (scripts/wasm-imports.mjs): 2.5-4 KB gzip per page.
  const wasmPath = join(dist, name.replace(/\.js$/, "_bg.wasm"));
  const wasm = readFileSync(wasmPath);
  const short = shortenImports(wasm, minified);
  const code = COMPILE_HINT + short.js;
  writeFileSync(path, code);
  writeFileSync(wasmPath, short.wasm);
  digests.set(sri(source), sri(code));
  digests.set(sri(wasm), sri(short.wasm));
  before += source.length + wasm.length;
  after += code.length + short.wasm.length;
  shortened += short.renamed;
}
// The stylesheets Trunk copied (it does not minify them): esbuild's CSS minifier, about 0.2 KB gzip per page.
for (const name of readdirSync(dist).filter((f) => f.endsWith(".css"))) {
  const path = join(dist, name);
  const source = readFileSync(path, "utf8");
  const { code } = transformSync(source, { loader: "css", minify: true });
  writeFileSync(path, code);
  digests.set(sri(source), sri(code));
  before += source.length;
  after += code.length;
}
for (const page of pages) {
  const path = join(dist, page);
  const html = readFileSync(path, "utf8");
  // The wasm's fetch preload without its digest, which Chromium ignores with a console warning (preload-integrity.mjs).
  const updated = dropFetchPreloadIntegrity(html.replace(/sha384-[A-Za-z0-9+/=]+/g, (digest) => digests.get(digest) ?? digest));
  if (updated !== html) writeFileSync(path, updated);
}
// The loader every page includes (static/widget-init.js, kept readable there) goes out minified from dist/,
// which the server serves first and precompressed; static/ is only its fallback.
const loader = readFileSync(join(import.meta.dirname, "..", "static", "widget-init.js"), "utf8");
const { code: loaderCode } = await minify(loader, TERSER);
writeFileSync(join(dist, "widget-init.js"), loaderCode);
before += loader.length;
after += loaderCode.length;
console.log(`minified ${glue.length + 1} JS files in ${dist}, ${shortened} wasm import names shortened: ${before} → ${after} bytes`);
