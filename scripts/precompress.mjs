// Writes a brotli (`.br`) and a gzip -9 (`.gz`) twin of every wasm, JS and CSS file in dist/, which
// amazon-pay-server serves to browsers that accept them (ServeDir's precompressed files). Run by
// scripts/build-widget after Trunk; a file and its twins always come from the same build.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = process.argv[2] ?? join(import.meta.dirname, "..", "dist");
let files = 0;
for (const name of readdirSync(dist, { recursive: true }).map(String)) {
  const path = join(dist, name);
  if (!/\.(wasm|js|css)$/.test(name) || !statSync(path).isFile()) continue;
  const bytes = readFileSync(path);
  writeFileSync(path + ".gz", gzipSync(bytes, { level: 9 }));
  writeFileSync(path + ".br", brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
  files++;
}
console.log(`precompressed ${files} files in ${dist} (.br and .gz)`);
