//! The Amazon Pay checkout widget: Leptos components compiled to WebAssembly.
//!
//! - [`interop`]: the only place that touches Amazon's globals (`amazon.Pay`, `OffAmazonPayments`,
//!   `amazon.Login`) and loads their scripts.
//! - [`client`]: the backend's JSON API, with the request and response types of `amazon-pay-contract`.
//! - [`components`]: the Leptos components, usable from a Leptos app as a crate.
//! - [`embed`]: `mount(element, config)` and DOM CustomEvents for pages of any stack.

pub mod client;
pub mod components;
pub mod embed;
pub mod interop;
pub mod json;
pub mod page;
pub mod texts;

pub use amazon_pay_contract as contract;

/// Talc instead of dlmalloc: a smaller allocator in every bundle (see BENCHMARKS.md, shipped bytes).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
