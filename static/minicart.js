// The demo minicart (static/minicart.html): the cart lives here, and every change re-renders the minicart's
// whole fragment from HTML, the Amazon Pay button's declaration included. The widget's bundle follows the page
// (a MutationObserver): the button moves into the new fragment and asks for a new session only when the cart
// changed, once the clicks pause. See docs/embedding.md, "Dynamic carts".
import init from "/amazon-pay-button.js";

const NAMES = { mug: "Rust mug", tshirt: "Ferris T-shirt" };
const cart = new Map([["mug", 1]]);

function render() {
  const items = [...cart].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }));
  const rows = items.map(({ sku, quantity }) =>
    `<li>${NAMES[sku]}: <button type="button" data-sku="${sku}" data-delta="-1" aria-label="One ${NAMES[sku]} less">−</button>` +
    ` <span class="minicart-quantity" data-sku="${sku}">${quantity}</span>` +
    ` <button type="button" data-sku="${sku}" data-delta="1" aria-label="One ${NAMES[sku]} more">+</button></li>`).join("");
  // No declaration for an empty cart: the widget there is unmounted.
  const pay = items.length === 0 ? "<p>Your cart is empty.</p>" :
    `<div class="minicart-pay" data-amazon-pay-widget='${JSON.stringify({ items, placement: "Cart" })}'></div>`;
  document.getElementById("minicart").innerHTML = `<h2>Minicart</h2><ul class="minicart-items">${rows}</ul>${pay}`;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-delta]");
  if (button) {
    const sku = button.dataset.sku;
    cart.set(sku, Math.max(0, (cart.get(sku) ?? 0) + Number(button.dataset.delta)));
  } else if (!event.target.closest("#minicart-refresh")) {
    return;
  }
  render();
});

render();
await init({ module_or_path: "/amazon-pay-button_bg.wasm" });
