//! The thin Amazon Pay backend: the JSON API the widget calls, the PAYONE and CheckoutChamp clients and the
//! SQLite order store. Secrets live only in this crate. With the `sandbox` feature (on by default) it also
//! serves the offline sandbox (crate `amazon-pay-sandbox`) that stands in for Amazon, PAYONE and CheckoutChamp.

pub mod address_rules;
pub mod amazon;
pub mod amazon_address;
pub mod amazon_profile;
pub mod api;
pub mod app;
pub mod assets;
pub mod catalogue;
pub mod checkoutchamp;
pub mod client_ip;
pub mod config;
pub mod config_file;
pub mod demo_language;
pub mod error;
pub mod key_attempts;
pub mod merchant;
pub mod ops;
pub mod orders;
pub mod payone;
pub mod redirect_expiry;
pub mod return_token;
pub mod return_urls;
#[cfg(feature = "sandbox")]
mod sandbox_link;
pub mod security;
pub mod sender_range;
pub mod state;
pub mod store;
pub mod suggest;
pub mod telemetry;
pub mod upstream_redirect;
pub mod webhooks;

/// The offline sandbox (its own crate, linked with the `sandbox` feature).
#[cfg(feature = "sandbox")]
pub use amazon_pay_sandbox as sandbox;
