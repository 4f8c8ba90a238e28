// The shop's own script, as docs/embedding.md ("The shop's pages") shows it: the button's bundle imported from
// the payment server's origin, mounted, updated with the quantity, and its events recorded for the test.
const { default: init, mount } = await import("{{PAY}}/amazon-pay-button.js");
await init();
const pay = document.getElementById("pay");
window.shopEvents = [];
for (const kind of ["ready", "error"]) pay.addEventListener(`amazonpay:${kind}`, (e) => window.shopEvents.push(e.detail));
window.shopWidget = mount(pay, { backendUrl: "{{PAY}}", items: [{ sku: "mug", quantity: 1 }] });
document.getElementById("quantity").addEventListener("input", (e) => {
  window.shopWidget.update({ items: [{ sku: "mug", quantity: Number(e.target.value) }] });
});
