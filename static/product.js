// The product page's "Buy now": Amazon's button for this one product (placement Product), in the quantity the
// picker shows. A new quantity is a new cart, given to the mounted button with `handle.update`, which waits for
// the picker to settle (typing "12" makes one checkout session, not two) and keeps the old button until the new
// one is drawn. The page loads the button's bundle itself rather than widget-init.js, because it keeps the handle
// that `mount` returns.
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
let asked = 0;
// `data-quantity` names the quantity of the button on show: set when a button for the last asked quantity is
// ready (an update's older sessions are dropped, so the last ready is the last asked).
host.addEventListener("amazonpay:ready", () => {
  host.dataset.quantity = String(asked);
});
function show(quantity) {
  if (quantity === asked) return;
  asked = quantity;
  if (widget) {
    widget.update({ items: [{ sku, quantity }] });
  } else {
    widget = mount(host, {
      items: [{ sku, quantity }],
      placement: "Product",
      // Cancelling on Amazon's pages comes back here, not to the cart.
      cancelUrl: location.href,
    });
  }
}

picker.addEventListener("input", () => {
  const quantity = Number(picker.value);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    note.textContent = "Choose a quantity from 1 to 99.";
    return;
  }
  note.textContent = "";
  show(quantity);
});
show(Number(picker.value) || 1);
