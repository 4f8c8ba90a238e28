//! The thin Amazon Pay backend: the JSON API the widget calls, the PAYONE client, the sandbox that stands in
//! for Amazon and PAYONE, and the SQLite order store. Secrets live only in this crate.

pub mod amazon_profile;
pub mod api;
pub mod app;
pub mod catalogue;
pub mod checkoutchamp;
pub mod config;
pub mod config_file;
pub mod error;
pub mod orders;
pub mod payone;
pub mod sandbox;
pub mod security;
pub mod store;
