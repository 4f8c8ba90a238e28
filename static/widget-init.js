// Loads the widget; every [data-amazon-pay-widget] element on the page is mounted with its JSON config.
// An external file (not an inline script) so pages work under a strict Content-Security-Policy.
// It loads the smallest bundle that has every view the page declares (bundles/: amazon-pay-review.js has only
// the review page, …), and amazon-pay-widget.js, which has every view, when the page mixes bundles.
// Each view has a bundle named like it; anything else (a typo) goes to the full bundle, which reports it.
// The lander, upsell and CV1 bundles also come with one language's texts each (amazon-pay-cv1.de.js,
// scripts/build-language-bundles): loaded when every widget of the page has that language.
const VIEWS = new Set(["button", "review", "confirmation", "apb", "lander", "upsell", "cv1"]);
// Copies of scripts/one-language.mjs's lists (an import would cost a request): tests/scripts/one-language-lists.test.mjs.
const ONE_LANGUAGE_VIEWS = new Set(["lander", "upsell", "cv1"]);
const LANGUAGES = ["de", "en", "fr", "it", "es"];
// The return pages a button's configuration names (`cartUrl`, …), in the contract's ReturnPages order.
const PAGES = ["cart", "review", "confirmation", "cancel"];
const BUTTON_KEYS = ["view", "backendUrl", "language", "items", "buttonColor", "placement", "scriptTimeoutMs", "sessionTimeoutMs", ...PAGES.map((page) => `${page}Url`)];

/** The language of a tag if it is one of ours, as the widget reads it (Language::from_tag): the primary subtag
 * (before `-` or `_`), trimmed, in any case. Undefined for anything else (the widget refuses a non-string). */
function ours(tag) {
  const language = typeof tag === "string" && tag.trim().split(/[-_]/)[0].toLowerCase();
  return LANGUAGES.includes(language) ? language : undefined;
}

/** A widget's language as the widget decides it (src/embed/mod.rs: WidgetConfig::language, page_language): the
 * configuration's, else `<html lang>`, else the first of the browser's languages that is ours, else English.
 * Undefined for a configuration's language that is not ours (the widget reports it). */
function languageOf(c) {
  if (c.language != null) return ours(c.language);
  return ours(document.documentElement.lang) ?? (navigator.languages ?? []).map(ours).find(Boolean) ?? "en";
}

// A declared button's session request goes out at once, while the wasm loads (its start-up used to come first):
// the POST the widget would send, left on the element for it (src/interop/prefetch.rs), which uses the answer
// only when the URL and the JSON body are exactly its own, else sends its own. Only for a configuration with the
// button's keys alone and a language named by it or by <html lang> (the widget asks the browser otherwise).
function prefetchSession(element, c) {
  if (typeof c !== "object" || Array.isArray(c) || Object.keys(c).some((key) => !BUTTON_KEYS.includes(key))) return;
  const language = ours(c.language ?? document.documentElement.lang);
  if (!language) return;
  // Field by field in the order of the contract's CreateSessionRequest and CartLine.
  const request = { items: (c.items ?? []).map((line) => ({ sku: line.sku, quantity: line.quantity })), language };
  for (const page of PAGES) {
    if (c[`${page}Url`] != null) (request.return_pages ??= {})[page] = new URL(c[`${page}Url`], location.href).href;
  }
  const url = `${(c.backendUrl ?? "").replace(/\/+$/, "")}/api/cv2/sessions`;
  const body = JSON.stringify(request);
  const response = fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  response.catch(() => {}); // the widget reads the failure
  element.amazonPayPrefetch = { url, body, response };
}

function bundleFor(elements) {
  const names = new Set();
  const languages = new Set();
  for (const element of elements) {
    let view;
    try {
      const config = JSON.parse(element.getAttribute("data-amazon-pay-widget") || "{}");
      view = config.view ?? "button";
      // Only where it picks a file: languageOf may ask `navigator`, which costs a cold page about 2 ms.
      if (ONE_LANGUAGE_VIEWS.has(view)) languages.add(languageOf(config));
      // Anything it cannot write the same way (a value of another type throws) is left to the widget.
      if (view === "button") prefetchSession(element, config);
    } catch {
      if (view === undefined) return "widget"; // the full bundle reports the malformed configuration
    }
    names.add(VIEWS.has(view) ? view : "widget");
  }
  if (names.size !== 1) return "widget";
  const [name] = names;
  const [language] = languages;
  return ONE_LANGUAGE_VIEWS.has(name) && languages.size === 1 && language ? `${name}.${language}` : name;
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
