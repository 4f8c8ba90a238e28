// The widget's content-addressed release (run by scripts/build-widget after minify.mjs, before precompress.mjs):
// copies the widget's files of dist/ (the bundles' glue and wasm, the loader, the stylesheet, wasm-bindgen's
// snippets) into dist/v/<release>/, where <release> is a hash of them all, and writes
//   dist/manifest.json  the release, its files and their subresource-integrity digests (sha384), for SRI pinning;
//   dist/widget.js      the stable entry shops load from any origin: the loader, loading the current release's bundle.
// The server caches dist/v/ for a year (immutable) and the entry for minutes (server/src/assets.rs). A page
// never mixes releases: the loader in dist/v/<release>/ imports its bundle, and the glue its wasm, relative to
// its own URL. Earlier releases stay (the newest KEEP), so a page that still has an older entry cached works.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Releases kept in dist/v/, the current one included. */
const KEEP = 5;

/** The widget's files in `dist`, relative paths, sorted (the same choice as `is_widget_file` in assets.rs). */
export function widgetFiles(dist) {
  const top = readdirSync(dist).filter((f) => statSync(join(dist, f)).isFile() && (
    f === "widget-init.js" || f.endsWith(".css") || /^amazon-pay-[a-z0-9]+(\.[a-z]{2})?(\.js|_bg\.wasm)$/.test(f)));
  const snippetDir = join(dist, "snippets");
  const snippets = existsSync(snippetDir)
    ? readdirSync(snippetDir, { recursive: true }).map(String).filter((f) => f.endsWith(".js") && statSync(join(snippetDir, f)).isFile()).map((f) => `snippets/${f}`)
    : [];
  return [...top, ...snippets].sort();
}

export const integrity = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");

/** Writes the release of `dist`'s current files; returns the manifest. */
export function release(dist) {
  const files = widgetFiles(dist);
  if (!files.some((f) => f === "widget-init.js")) throw new Error(`release: no widget-init.js in ${dist}; run minify.mjs first`);
  const hash = createHash("sha256");
  for (const file of files) {
    const bytes = readFileSync(join(dist, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  const id = hash.digest("hex").slice(0, 16);
  const base = `v/${id}`;
  const manifest = { release: id, entry: "/widget.js", loader: `/${base}/widget-init.js`, files: {} };
  for (const file of files) {
    const target = join(dist, base, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(dist, file), target);
    const bytes = readFileSync(target);
    manifest.files[`/${base}/${file}`] = { integrity: integrity(bytes), bytes: bytes.length };
  }
  // Marks the release as the newest for pruning, also when the same files were released before.
  const now = new Date();
  utimesSync(join(dist, base), now, now);
  // The entry is the loader itself with the release's directory in front of the bundle's name: a page on another
  // origin loads it and then the bundle, no request more than a page on this server.
  const loader = readFileSync(join(dist, "widget-init.js"), "utf8");
  const marker = "`amazon-pay-${";
  if (loader.split(marker).length !== 2) throw new Error(`release: the loader must name its bundle once as ${marker}…\``);
  const entry = loader.replace(marker, () => `\`${base}/amazon-pay-\${`);
  writeFileSync(join(dist, "widget.js"), entry);
  writeFileSync(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  prune(join(dist, "v"), id);
  return manifest;
}

/** Deletes all but the newest KEEP releases (by the directory's time), never `current`. */
function prune(dir, current) {
  const releases = readdirSync(dir).filter((d) => /^[0-9a-f]+$/.test(d)).map((d) => ({ d, t: statSync(join(dir, d)).mtimeMs }));
  releases.sort((a, b) => b.t - a.t);
  for (const { d } of releases.slice(KEEP)) if (d !== current) rmSync(join(dir, d), { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? join(import.meta.dirname, "..", "dist");
  const manifest = release(dist);
  console.log(`release ${manifest.release}: ${Object.keys(manifest.files).length} files in ${dist}/v/${manifest.release}/, entry ${dist}/widget.js`);
}
