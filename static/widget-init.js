// Loads the widget; every [data-amazon-pay-widget] element on the page is mounted with its JSON config.
// An external file (not an inline script) so pages work under a strict Content-Security-Policy.
// It loads the smallest bundle that has every view the page declares (bundles/: amazon-pay-review.js has only
// the review page, …), and amazon-pay-widget.js, which has every view, when the page mixes bundles.
const BUNDLE = { button: "button", review: "review", confirmation: "confirmation", apb: "apb", lander: "lander", upsell: "upsell", cv1: "cv1" };

function bundleFor(elements) {
  const names = new Set();
  for (const element of elements) {
    let view;
    try {
      view = JSON.parse(element.getAttribute("data-amazon-pay-widget") || "{}").view ?? "button";
    } catch {
      return "widget"; // the full bundle reports the malformed configuration
    }
    names.add(BUNDLE[view] ?? "widget");
  }
  return names.size === 1 ? [...names][0] : "widget";
}

const { default: init } = await import(`/amazon-pay-${bundleFor(document.querySelectorAll("[data-amazon-pay-widget]"))}.js`);
init();
