// A single-page shop on its own origin, as docs/embedding.md ("Single-page apps") tells one to embed the widget:
// client-side routes (history.pushState, Back and Forward through popstate) that replace <main>'s content, the
// bundle with every view imported once from the payment server. The product route mounts its "Buy now" with
// mount() and unmounts it when the route is left; the cart, review and confirmation routes declare their
// widget, which the bundle mounts when the route's markup arrives and unmounts when it leaves.
const PAY = "{{PAY}}";
const { default: init, mount } = await import(`${PAY}/amazon-pay-widget.js`);
const wasm = await init();

const main = document.getElementById("main");
const PRODUCTS = { mug: "Rust mug", tshirt: "Ferris T-shirt" };
/** The cart: SKU -> quantity. The test changes it between visits (window.spa.cart). */
const cart = new Map([["mug", 1]]);
/** Called when the current route is left: the route's cleanup. */
let leave = () => {};

const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const declare = (config) => `<div class="pay" data-amazon-pay-widget="${escape(JSON.stringify({ backendUrl: PAY, ...config }))}"></div>`;

const routes = {
  "/spa/product": () => {
    const sku = new URLSearchParams(location.search).get("sku") === "tshirt" ? "tshirt" : "mug";
    main.innerHTML = `<h1>${PRODUCTS[sku]}</h1><label>Quantity <input id="quantity" type="number" min="1" max="99" value="1"></label><div class="pay"></div>`;
    const widget = mount(main.querySelector(".pay"), {
      backendUrl: PAY, items: [{ sku, quantity: 1 }], placement: "Product", cancelUrl: location.href,
      reviewUrl: "/spa/review", confirmationUrl: "/spa/confirmation", cartUrl: "/spa/cart",
    });
    const picker = main.querySelector("#quantity");
    const onInput = () => {
      const quantity = Number(picker.value);
      if (Number.isInteger(quantity) && quantity >= 1 && quantity <= 99) widget.update({ items: [{ sku, quantity }] });
    };
    picker.addEventListener("input", onInput);
    // Leaving the route: the handle's widget goes with it (its element leaves the page next).
    return () => widget.unmount();
  },
  "/spa/cart": () => {
    const items = [...cart].map(([sku, quantity]) => ({ sku, quantity }));
    const lines = items.map(({ sku, quantity }) => `<li>${quantity} × ${PRODUCTS[sku]}</li>`).join("");
    main.innerHTML = `<h1>Your cart</h1><ul>${lines}</ul>` +
      declare({ items, reviewUrl: "/spa/review", confirmationUrl: "/spa/confirmation", cartUrl: "/spa/cart" });
  },
  "/spa/about": () => {
    main.innerHTML = "<h1>About us</h1><p>We sell mugs and T-shirts.</p>";
  },
  "/spa/review": () => {
    main.innerHTML = "<h1>Review your order</h1>" + declare({ view: "review", cartUrl: "/spa/cart", confirmationUrl: "/spa/confirmation" });
  },
  "/spa/confirmation": () => {
    main.innerHTML = "<h1>Thank you</h1>" + declare({ view: "confirmation", cartUrl: "/spa/cart" });
  },
};

function render() {
  leave();
  leave = () => {};
  const route = routes[location.pathname];
  if (!route) {
    main.textContent = "Not found";
    return;
  }
  leave = route() ?? (() => {});
  document.dispatchEvent(new CustomEvent("spa:routed", { detail: location.pathname }));
}

// The router: links marked data-route are followed in the page; Back and Forward come as popstate.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  history.pushState(null, "", link.href);
  render();
});
addEventListener("popstate", render);

/** What the test drives and reads. */
window.spa = {
  cart,
  go(path) { history.pushState(null, "", path); render(); },
  mount,
  wasmMemoryBytes: () => wasm.memory.buffer.byteLength,
};
render();
