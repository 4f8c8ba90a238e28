// The product page's "Buy now": Amazon's button for this one product (placement Product), in the quantity the
// picker shows. A new quantity is a new cart, so the button is mounted again with it (after a short pause, so
// typing "12" makes one checkout session, not two). The page loads the button's bundle itself rather than
// widget-init.js, because it keeps the handle that `mount` returns.
const PRODUCTS = { mug: "Rust mug", tshirt: "Ferris T-shirt", stickers: "Sticker pack", ebook: "The Rust e-book (download)" };
const requested = new URLSearchParams(location.search).get("sku");
const sku = Object.hasOwn(PRODUCTS, requested ?? "") ? requested : "mug";
document.getElementById("product-name").textContent = PRODUCTS[sku];

const host = document.getElementById("amazon-pay-product");
const picker = document.getElementById("quantity");
const note = document.getElementById("quantity-note");
const bundle = new URL("amazon-pay-button", import.meta.url).href;
const { default: init, mount } = await import(`${bundle}.js`);
await init({ module_or_path: `${bundle}_bg.wasm` });

let widget = null;
let shown = 0;
function show(quantity) {
  if (quantity === shown) return;
  widget?.unmount();
  widget = mount(host, {
    items: [{ sku, quantity }],
    placement: "Product",
    // Cancelling on Amazon's pages comes back here, not to the cart.
    cancelUrl: location.href,
  });
  shown = quantity;
  host.dataset.quantity = String(quantity);
}

let pause;
picker.addEventListener("input", () => {
  clearTimeout(pause);
  const quantity = Number(picker.value);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    note.textContent = "Choose a quantity from 1 to 99.";
    return;
  }
  note.textContent = "";
  pause = setTimeout(() => show(quantity), 300);
});
show(Number(picker.value) || 1);
