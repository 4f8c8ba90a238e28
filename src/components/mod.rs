//! The Leptos components (feature `leptos`), for Leptos apps that use the widget as a crate. Each owns the
//! JS callbacks it registers and drops them when it unmounts.
//!
//! Depend on the crate without its default features (they are the embed bundle's views) and without
//! `auto-mount` (the embed bundles' start function: in an app, the app's own `main` must be the start). Every
//! component is there with `leptos` alone (the `view-*` features choose what the embed API's `mount` shows):
//!
//! ```toml
//! amazon-pay-widget = { version = "0.1", default-features = false, features = ["leptos"] }
//! ```
//!
//! A cart page with the Amazon Pay button (`examples/leptos-shop` grows it into a shop with review and
//! confirmation pages, built and walked in Chromium):
//!
//! ```no_run
//! use amazon_pay_widget::components::{AmazonPayButton, WidgetEvent};
//! use amazon_pay_widget::contract::cv2::CartLine;
//! use leptos::prelude::*;
//!
//! #[component]
//! fn Cart() -> impl IntoView {
//!     // SKUs and quantities only: the backend (amazon-pay-server) prices the cart.
//!     // The shop's cart, as a signal: the button follows its changes (debounced, one new session each).
//!     let cart = RwSignal::new(vec![CartLine { sku: "mug".into(), quantity: 2 }]);
//!     view! {
//!         <button on:click=move |_| cart.update(|lines| lines[0].quantity += 1)>"One more mug"</button>
//!         <AmazonPayButton cart=cart on_ready=move |event: WidgetEvent| leptos::logging::log!("ready: {event:?}") />
//!     }
//! }
//!
//! fn main() {
//!     leptos::mount::mount_to_body(Cart);
//! }
//! ```
//!
//! The review and confirmation pages work the same way with [`OrderReview`] and [`OrderConfirmation`]; the
//! components emit the same `amazonpay:*` DOM events as the embed API ([`crate::embed::events`]), and call
//! their `on_*` `Callback` props with the same [`WidgetEvent`] the DOM event's `detail` is written from.
//! Props that follow the shop's state take signals (`cart`, `language`; a plain value works too).
//!
//! # Where the backend is
//!
//! Each component talks to `amazon-pay-server` through its options' `client`, by default the page's own
//! origin: right when the server serves the app (as the tests serve `examples/leptos-shop`). An app on an
//! origin of its own (`trunk serve`, the shop's host) names the server in every component's options, and the
//! server names the app: `--allowed-origins https://shop.example` (its JSON API answers that origin) and
//! `--return-page cv2.cart=…,cv2.review=…,cv2.confirmation=…` (the app's pages Amazon returns the buyer to,
//! `apb.…` too for [`ApbCheckout`]; otherwise the server's demo pages). The widget's stylesheet is the server's `/amazon-pay.css`.
//!
//! ```no_run
//! use amazon_pay_widget::client::Client;
//! use amazon_pay_widget::components::{AmazonPayButton, ButtonOptions, OrderReview, ReviewOptions};
//! use amazon_pay_widget::contract::cv2::CartLine;
//! use leptos::prelude::*;
//!
//! const BACKEND: &str = "https://pay.shop.example";
//!
//! #[component]
//! fn Cart() -> impl IntoView {
//!     let cart = RwSignal::new(vec![CartLine { sku: "mug".into(), quantity: 1 }]);
//!     let options = ButtonOptions { client: Client::new(BACKEND), ..ButtonOptions::default() };
//!     view! { <AmazonPayButton options=options cart=cart /> }
//! }
//!
//! /// The page `--return-page cv2.review=https://shop.example/review` names.
//! #[component]
//! fn Review() -> impl IntoView {
//!     let options = ReviewOptions {
//!         client: Client::new(BACKEND),
//!         cart_url: "/cart".into(),
//!         confirmation_url: "/thanks".into(),
//!         ..ReviewOptions::default()
//!     };
//!     view! { <OrderReview options=options /> }
//! }
//! # fn main() {}
//! ```

// `#[component]` adds a hidden inner function with the component's own visibility: re-exported below under
// the component's name, that inner `pub fn` is unreachable, which `unreachable_pub` would flag in every module.
#[allow(unreachable_pub)]
mod apb;
#[allow(unreachable_pub)]
mod button;
mod callbacks;
#[allow(unreachable_pub)]
mod common;
#[allow(unreachable_pub)]
mod confirmation;
pub mod cv1;
mod hosted;
#[allow(unreachable_pub)]
mod review;

pub use crate::events::WidgetEvent;
pub use apb::{ApbCheckout, ApbOptions};
pub use button::{AmazonPayButton, ButtonOptions};
pub use callbacks::from_detail;
pub use common::AddressView;
pub use confirmation::{ConfirmationOptions, OrderConfirmation};
pub use review::{OrderReview, ReviewOptions};
