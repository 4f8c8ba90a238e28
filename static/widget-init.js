// Loads the widget; every [data-amazon-pay-widget] element on the page is mounted with its JSON config.
// An external file (not an inline script) so pages work under a strict Content-Security-Policy.
// It loads the smallest bundle that has every view the page declares (bundles/: amazon-pay-review.js has only
// the review page, …), and amazon-pay-widget.js, which has every view, when the page mixes bundles.
// Each view has a bundle named like it; anything else (a typo) goes to the full bundle, which reports it.
const VIEWS = new Set(["button", "review", "confirmation", "apb", "lander", "upsell", "cv1"]);

function bundleFor(elements) {
  const names = new Set();
  for (const element of elements) {
    let view;
    try {
      view = JSON.parse(element.getAttribute("data-amazon-pay-widget") || "{}").view ?? "button";
    } catch {
      return "widget"; // the full bundle reports the malformed configuration
    }
    names.add(VIEWS.has(view) ? view : "widget");
  }
  return names.size === 1 ? [...names][0] : "widget";
}

// The bundle next to this loader (this server's top level, or one release's directory, dist/v/<hash>/): a page
// never mixes the files of two releases. scripts/release.mjs writes the stable entry /widget.js, which shops on
// other origins load, as this loader with the current release's directory in front of the bundle's name.
const bundle = new URL(`amazon-pay-${bundleFor(document.querySelectorAll("[data-amazon-pay-widget]"))}`, import.meta.url).href;
// The wasm compiles while the glue is imported (one round trip less without preloads); if the stream cannot be
// compiled (not served as application/wasm), the glue gets the response and falls back to the bytes.
const wasmUrl = `${bundle}_bg.wasm`;
const wasm = WebAssembly.compileStreaming(fetch(wasmUrl)).catch(() => fetch(wasmUrl));
try {
  const { default: init } = await import(`${bundle}.js`);
  await init({ module_or_path: wasm });
} catch (err) {
  console.error(`Amazon Pay widget: cannot start ${bundle}.js`, err);
}
