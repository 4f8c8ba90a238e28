// Mistakes tsc must refuse (scripts/check-types.mjs): each line after an `// expect TSnnnn` comment must have
// exactly that error, and no other line may have one.
import { mount } from "amazon-pay-widget";

const element = document.createElement("div");
const items = [{ sku: "mug", quantity: 1 }];

// expect TS2353
mount(element, { items, cartURL: "/cart" });
// expect TS2353
mount(element, { view: "confirmation", items });
// expect TS2353
mount(element, { view: "cv1", items, placement: "Cart" });
// expect TS2345
mount(element, { items, products: [{ productId: 101 }] });
// expect TS2345
mount(element, { view: "lander" });
// expect TS2322
mount(element, { view: "checkout" });
// expect TS2322
mount(element, { language: "nl" });
// expect TS2339
element.addEventListener("amazonpay:ready", (e) => e.detail.orderId);
