// Every configuration key of every view, the handle and every event: tsc must accept it (scripts/test).
import init, { mount, type AmazonPayEventDetail, type MountConfig } from "amazon-pay-widget";

await init();
const element = document.createElement("div");
const common = { backendUrl: "https://pay.example", language: "de-DE" } as const;
const items = [{ sku: "mug", quantity: 2 }];
const v1 = { buttonType: "LwA", buttonColor: "DarkGray", buttonSize: "large", popup: false, scriptTimeoutMs: 5000 } as const;

const configs: MountConfig[] = [
  { ...common, items, buttonColor: "Gold", placement: "Cart", scriptTimeoutMs: 5000, sessionTimeoutMs: 10000, cartUrl: "/cart", reviewUrl: "/review", confirmationUrl: "/done", cancelUrl: "/cart" },
  { ...common, view: "button", items },
  { ...common, view: "review", cartUrl: "/cart", confirmationUrl: "/done", scriptTimeoutMs: 5000 },
  { ...common, view: "confirmation", cartUrl: "/cart" },
  { ...common, view: "apb", items, productType: "PayAndShip", buyerForm: "#address", scriptTimeoutMs: 5000 },
  { ...common, ...v1, view: "lander", products: [{ productId: 101, quantity: 2 }, { productId: 7 }], recurring: true, upsellUrl: "/upsell.html" },
  { ...common, ...v1, view: "upsell", product: { productId: 103 }, thankYouUrl: "/thanks" },
  { ...common, ...v1, view: "cv1", items, cartUrl: "/cart", confirmationUrl: "/done" },
];
const handles = configs.map((config) => mount(element, config));
mount(element, '{"items":[{"sku":"mug","quantity":1}]}');
mount(element);
handles[0].update({ items: [{ sku: "mug", quantity: 3 }] });
handles.forEach((handle) => handle.unmount()); // not for-of: this file also compiles with lib es5 (scripts/check-types.mjs)

element.addEventListener("amazonpay:ready", (e) => console.log(e.detail.workorderId));
element.addEventListener("amazonpay:reviewready", (e) => console.log(e.detail.workorderId));
element.addEventListener("amazonpay:redirecting", (e) => console.log(e.detail.orderId, e.detail.url));
element.addEventListener("amazonpay:declined", (e) => console.log(e.detail.code === "soft_decline", e.detail.message));
element.addEventListener("amazonpay:error", (e) => console.error(e.detail.message));
element.addEventListener("amazonpay:cancelled", (e) => console.log("cancelled at Amazon", e.detail.orderId ?? "before any order"));

/** What a shop does with any event: `kind` tells them apart. */
export function describe(detail: AmazonPayEventDetail): string {
  switch (detail.kind) {
    case "ready":
    case "reviewReady":
      return detail.workorderId;
    case "orderPlaced":
    case "approved":
    case "pending":
    case "paid":
    case "upsellAdded":
      return detail.orderId;
    case "redirecting":
      return detail.url;
    case "declined":
      return `${detail.code}: ${detail.message}`;
    case "error":
      return detail.message;
    case "cancelled":
      return detail.orderId ?? detail.kind;
    case "buttonClicked":
    case "signedIn":
    case "signedOut":
      return detail.kind;
  }
}
