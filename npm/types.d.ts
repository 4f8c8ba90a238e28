// The Amazon Pay widget's embed API: `mount(element, config)`, its configuration (one type per view: a key the
// view does not read is an error), the handle it returns and the `amazonpay:*` DOM events.
//
// Written by hand from the Rust types and checked against them by tests/typescript_types.rs (the keys of each
// view: `View::keys` in src/embed/config.rs; the events: `WidgetEvent` in src/events.rs); tsc checks
// npm/examples/ against it in scripts/test.

/** A language the widget has texts for; a tag such as `de-DE` is read as its first part. */
export type Language = "de" | "en" | "fr" | "it" | "es";

/** One cart line: a SKU of the shop's catalogue and how many. Prices are the backend's business. */
export interface CartLine {
  sku: string;
  /** A whole number, at least 1. */
  quantity: number;
}

/** A CheckoutChamp campaign product; CheckoutChamp prices it. */
export interface ProductLine {
  productId: number;
  /** 1 when left out. */
  quantity?: number;
}

/** Amazon's button colours. */
export type ButtonColor = "Gold" | "LightGray" | "DarkGray";

/** The keys every view reads. */
interface CommonConfig {
  /** The backend's base URL (amazon-pay-server); empty or left out: the page's own origin. */
  backendUrl?: string;
  /** The buyer's language; defaults to the page's `<html lang>`, then the browser's languages. */
  language?: Language | `${Language}-${string}` | `${Language}_${string}`;
}

/** The legacy Checkout v1 button (`OffAmazonPayments`): lander, upsell page and CV1. */
interface V1ButtonConfig {
  /** `PwA` (default), `Pay`, `A`, `LwA` or `Login`. */
  buttonType?: "PwA" | "Pay" | "A" | "LwA" | "Login";
  /** `Gold` (default), `LightGray` or `DarkGray`. */
  buttonColor?: ButtonColor;
  /** `medium` (default). */
  buttonSize?: "small" | "medium" | "large" | "x-large";
  /** Sign in in a popup (default; this window when it is blocked) or, `false`, in this window. */
  popup?: boolean;
  /** How long to wait for Amazon's script, in milliseconds. */
  scriptTimeoutMs?: number;
}

/** The Amazon Pay button for the cart (Checkout v2). `view` may be left out: the button is the default. */
export interface ButtonConfig extends CommonConfig {
  view?: "button";
  /** The cart. */
  items?: CartLine[];
  /** `Gold` (default), `LightGray` or `DarkGray`. */
  buttonColor?: ButtonColor;
  /** Where the button is, for Amazon: `Cart` (default). */
  placement?: "Home" | "Product" | "Cart" | "Checkout" | "Other";
  /** How long to wait for Amazon's script, in milliseconds. */
  scriptTimeoutMs?: number;
  /** How long to wait for the server's answer to the session request, in milliseconds (default 15000). */
  sessionTimeoutMs?: number;
  /** The shop's cart page (default: the server's configured one). Relative URLs are resolved against the page. */
  cartUrl?: string;
  /** The shop's review page Amazon returns the buyer to (default: the server's configured one). */
  reviewUrl?: string;
  /** The shop's confirmation page (default: the server's configured one). */
  confirmationUrl?: string;
  /** Where a buyer who cancels on Amazon's pages goes (default: `cartUrl`, else the server's). */
  cancelUrl?: string;
}

/** The order-review page Amazon returns the buyer to. */
export interface ReviewConfig extends CommonConfig {
  view: "review";
  /** Where "Back to cart" leads. */
  cartUrl?: string;
  /** The confirmation page the buyer is sent to (`?order=<id>` is appended). */
  confirmationUrl?: string;
  /** How long to wait for Amazon's script, in milliseconds. */
  scriptTimeoutMs?: number;
}

/** The page that follows the order's status. */
export interface ConfirmationConfig extends CommonConfig {
  view: "confirmation";
  /** Where "Back to cart" leads. */
  cartUrl?: string;
}

/** APB: the shop's own "Pay with Amazon Pay" button at the end of its checkout. */
export interface ApbConfig extends CommonConfig {
  view: "apb";
  /** The cart. */
  items?: CartLine[];
  /** `PayAndShip` (default; needs `buyerForm`) or `PayOnly` (digital goods). */
  productType?: "PayAndShip" | "PayOnly";
  /** CSS selector of the shop's address form. */
  buyerForm?: string;
  /** How long to wait for Amazon's script, in milliseconds. */
  scriptTimeoutMs?: number;
}

/** Legacy v1: the CheckoutChamp lander (Login with Amazon, AddressBook, Wallet, Import Order). */
export interface LanderConfig extends CommonConfig, V1ButtonConfig {
  view: "lander";
  /** The campaign products (at least one). */
  products: ProductLine[];
  /** A subscription (billing agreement and Consent widget). */
  recurring?: boolean;
  /** The upsell page (`orderId` and `amazonOrderId` are appended): a path or an http(s) URL. */
  upsellUrl?: string;
}

/** Legacy v1: the CheckoutChamp upsell page (Import Upsale). */
export interface UpsellConfig extends CommonConfig, V1ButtonConfig {
  view: "upsell";
  /** The product offered. */
  product: ProductLine;
  /** Where "No, thanks" and "Continue" lead: a path or an http(s) URL (default `/`). */
  thankYouUrl?: string;
}

/** Legacy v1: the PAYONE CV1 checkout (widgets, confirmation flow, authorization). */
export interface Cv1Config extends CommonConfig, V1ButtonConfig {
  view: "cv1";
  /** The cart. */
  items?: CartLine[];
  /** Where "Back to cart" leads: a path or an http(s) URL. */
  cartUrl?: string;
  /** The confirmation page: a path or an http(s) URL. */
  confirmationUrl?: string;
}

/** Every view's configuration. */
type ViewConfig = ButtonConfig | ReviewConfig | ConfirmationConfig | ApbConfig | LanderConfig | UpsellConfig | Cv1Config;

/** The button's configuration, refusing the other views' keys: with `view` left out, TypeScript cannot tell
 * the views apart by it, and a lander's `products` would otherwise pass as a button's extra key. */
type ButtonOnly = ButtonConfig & { [K in Exclude<KeysOf<ViewConfig>, keyof ButtonConfig>]?: never };
type KeysOf<T> = T extends unknown ? keyof T : never;

/** What `mount` takes, one type per view, told apart by `view`. */
export type MountConfig = ButtonOnly | Exclude<ViewConfig, ButtonConfig>;

/** A view's name. */
export type ViewName = NonNullable<MountConfig["view"]>;

// The handle's `[Symbol.dispose]` (wasm-bindgen's, for `using`) compiles whatever the shop's `lib`: without
// TypeScript's own `esnext.disposable` this declares `Symbol.dispose`, with it the two merge (as @types/node does).
// `lib` es5 (tsc's default without a `target`) has no `Symbol` value at all: declared as es2015's lib does, so
// the two are the same declaration where both are.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  var Symbol: SymbolConstructor;
}

/** A mounted widget. */
export declare class WidgetHandle {
  private constructor();
  /** Removes the widget from the page and releases its callbacks. */
  unmount(): void;
  /** Gives the mounted view a new configuration (the same view), e.g. the button a changed cart. Only in the
   * button's and the all-views bundles (dynamic carts); the other bundles' handles have no `update`. */
  update(config: MountConfig | string): void;
  /** Frees the handle's memory in the WebAssembly module (the widget stays until `unmount`). */
  free(): void;
  [Symbol.dispose](): void;
}

/** `amazonpay:ready`: the Amazon Pay button is on the page. */
export interface ReadyDetail { kind: "ready"; workorderId: string }
/** `amazonpay:buttonclicked`: the buyer clicked the Amazon Pay button. */
export interface ButtonClickedDetail { kind: "buttonClicked" }
/** `amazonpay:reviewready`: the review page shows the buyer's Amazon Pay details. */
export interface ReviewReadyDetail { kind: "reviewReady"; workorderId: string }
/** `amazonpay:orderplaced`: "Place order" reached the backend; the outcome follows as its own event. */
export interface OrderPlacedDetail { kind: "orderPlaced"; orderId: string }
/** `amazonpay:redirecting`: the buyer is sent to Amazon (processing, multi-factor authentication). */
export interface RedirectingDetail {
  kind: "redirecting";
  orderId: string;
  /** Amazon's page the buyer is sent to; `""` in APB, where Amazon's `checkout.js` opens its page itself. */
  url: string;
}
/**
 * `amazonpay:approved`: the payment is authorized, the order stands. Only the confirmation page fires it (the review
 * page and `cv1.html` leave for it after `orderplaced` without a word), so one order is one `approved`; and once per
 * order in a tab (sessionStorage): a reload of the confirmation page, or Back to it, does not fire it again.
 */
export interface ApprovedDetail { kind: "approved"; orderId: string }
/** `amazonpay:pending`: the payment is still being decided; the confirmation page follows it. */
export interface PendingDetail { kind: "pending"; orderId: string }
/** `amazonpay:paid`: the money is captured. */
export interface PaidDetail { kind: "paid"; orderId: string }
/**
 * `amazonpay:declined`: declined when placing (`soft_decline`, `hard_decline`; `declined` when the confirmation
 * or review page is opened on such an order, as back from Amazon's pages), failed later (`failed`), or left unfinished on Amazon's pages (`abandoned`).
 * The lander's `orderId` is Amazon's order reference or billing agreement (CheckoutChamp makes no order of a
 * declined payment); the upsell page's is the lander's CheckoutChamp order.
 */
export interface DeclinedDetail {
  kind: "declined";
  orderId: string;
  code: "soft_decline" | "hard_decline" | "failed" | "abandoned" | "declined";
  /** The buyer-facing message, in the page's language: for a decline or a later failure, its reason. */
  message: string;
}
/** `amazonpay:error`: something failed; `message` is the developer-facing cause. */
export interface ErrorDetail { kind: "error"; message: string }
/** `amazonpay:signedin`: legacy v1, the buyer signed in with Amazon. */
export interface SignedInDetail { kind: "signedIn" }
/** `amazonpay:signedout`: legacy v1, the buyer signed out of Amazon Pay. */
export interface SignedOutDetail { kind: "signedOut" }
/** `amazonpay:upselladded`: the upsell page added its product to the order. */
export interface UpsellAddedDetail { kind: "upsellAdded"; orderId: string }
/**
 * `amazonpay:cancelled`: the buyer cancelled on Amazon's pages and Amazon sent them back to the shop's cancel page
 * (Checkout v2's button; the cart by default); told once, by the button on that page. `orderId` only when an
 * order existed (none for a checkout not yet ordered).
 */
export interface CancelledDetail { kind: "cancelled"; orderId?: string }

/** The widget's DOM events (they bubble from the mounted element), by name. */
export interface AmazonPayEventMap {
  "amazonpay:ready": CustomEvent<ReadyDetail>;
  "amazonpay:buttonclicked": CustomEvent<ButtonClickedDetail>;
  "amazonpay:reviewready": CustomEvent<ReviewReadyDetail>;
  "amazonpay:orderplaced": CustomEvent<OrderPlacedDetail>;
  "amazonpay:redirecting": CustomEvent<RedirectingDetail>;
  "amazonpay:approved": CustomEvent<ApprovedDetail>;
  "amazonpay:pending": CustomEvent<PendingDetail>;
  "amazonpay:paid": CustomEvent<PaidDetail>;
  "amazonpay:declined": CustomEvent<DeclinedDetail>;
  "amazonpay:error": CustomEvent<ErrorDetail>;
  "amazonpay:signedin": CustomEvent<SignedInDetail>;
  "amazonpay:signedout": CustomEvent<SignedOutDetail>;
  "amazonpay:upselladded": CustomEvent<UpsellAddedDetail>;
  "amazonpay:cancelled": CustomEvent<CancelledDetail>;
}

/** Any event's `detail`, told apart by `kind`. */
export type AmazonPayEventDetail = AmazonPayEventMap[keyof AmazonPayEventMap]["detail"];

declare global {
  // `element.addEventListener("amazonpay:ready", (e) => e.detail.workorderId)` is typed.
  interface HTMLElementEventMap extends AmazonPayEventMap {}
}

/** Where the WebAssembly module comes from: its URL (default: next to the bundle, `import.meta.url`), a
 * `fetch` response or promise of one, its bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** The instantiated module's exports (internal; `mount` is the API). */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
}

/** Instantiates the module (once; later calls return the same): call and await before `mount`. It also mounts
 * every `[data-amazon-pay-widget]` element of the page. */
export type Init = (
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
) => Promise<InitOutput>;

/** Instantiates the module from its bytes or a compiled module, synchronously. */
export type InitSync = (module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module) => InitOutput;

/** Mounts the widget into `element` (a plain object, or its JSON); throws an `Error` saying why when the
 * configuration is invalid or names a view this bundle does not include. */
export type Mount<C extends MountConfig> = (element: HTMLElement, config?: C | string | null) => WidgetHandle;
