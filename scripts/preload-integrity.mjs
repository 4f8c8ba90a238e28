// Trunk gives every file it preloads a subresource-integrity digest, also the wasm's `<link rel="preload"
// as="fetch">`. Chromium ignores `integrity` on such a preload and says so on the console at every page load
// (crbug.com/981419), which a shop reads as a fault of ours; and the digest protected nothing: the loader
// (static/widget-init.js) fetches the wasm without one, and WebAssembly.compileStreaming checks none. So that
// attribute goes; the JS glue's `modulepreload` keeps its digest (Chromium checks it). Run by scripts/minify.mjs.

/** `html` without the `integrity` of its `<link rel="preload" as="fetch">` tags; every other tag as it was. */
export function dropFetchPreloadIntegrity(html) {
  return html.replace(/<link\b[^>]*>/g, (tag) =>
    /\srel="preload"/.test(tag) && /\sas="fetch"/.test(tag) ? tag.replace(/\s+integrity="[^"]*"/, "") : tag,
  );
}
