//! The Leptos components (feature `leptos`), for Leptos apps that use the widget as a crate. Each owns the
//! JS callbacks it registers and drops them when it unmounts.
//!
//! Depend on the crate without its default features (they are the embed bundle's views) and without
//! `auto-mount` (the embed bundles' start function: in an app, the app's own `main` must be the start):
//!
//! ```toml
//! amazon-pay-widget = { version = "0.1", default-features = false, features = ["leptos", "view-button"] }
//! ```
//!
//! A cart page with the Amazon Pay button (`examples/leptos-shop` is this app, built and tested in Chromium):
//!
//! ```no_run
//! use amazon_pay_widget::components::{AmazonPayButton, ButtonOptions};
//! use amazon_pay_widget::contract::cv2::CartLine;
//! use leptos::prelude::*;
//!
//! #[component]
//! fn Cart() -> impl IntoView {
//!     // SKUs and quantities only: the backend (amazon-pay-server) prices the cart.
//!     let items = vec![CartLine { sku: "mug".into(), quantity: 2 }];
//!     view! { <AmazonPayButton options=ButtonOptions { items, ..ButtonOptions::default() } /> }
//! }
//!
//! fn main() {
//!     leptos::mount::mount_to_body(Cart);
//! }
//! ```
//!
//! The review and confirmation pages work the same way with [`OrderReview`] and [`OrderConfirmation`]; the
//! components emit the same `amazonpay:*` DOM events as the embed API ([`crate::embed::events`]).

// `#[component]` adds a hidden inner function with the component's own visibility: re-exported below under
// the component's name, that inner `pub fn` is unreachable, which `unreachable_pub` would flag in every module.
#[allow(unreachable_pub)]
mod apb;
#[allow(unreachable_pub)]
mod button;
#[allow(unreachable_pub)]
mod common;
#[allow(unreachable_pub)]
mod confirmation;
pub mod cv1;
mod hosted;
#[allow(unreachable_pub)]
mod review;

pub use apb::{ApbCheckout, ApbOptions};
pub use button::{AmazonPayButton, ButtonOptions};
pub use common::AddressView;
pub use confirmation::{ConfirmationOptions, OrderConfirmation};
pub use review::{OrderReview, ReviewOptions};
