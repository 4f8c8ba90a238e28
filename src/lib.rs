//! The Amazon Pay checkout widget: Leptos components compiled to WebAssembly.
//!
//! - [`interop`]: the only place that touches Amazon's globals (`amazon.Pay`, `OffAmazonPayments`,
//!   `amazon.Login`) and loads their scripts.
//! - [`client`]: the backend's JSON API, with the request and response types of `amazon-pay-contract`.
//! - [`views`]: the views (button, review, confirmation, APB, legacy v1), one plain-DOM implementation each, on
//!   the small helpers of [`dom`]; [`wire`] reads the backend's JSON into the contract's types.
//! - `components` (feature `leptos`): the views as Leptos components, for Leptos apps using the crate.
//! - [`embed`]: `mount(element, config)` and DOM CustomEvents for pages of any stack.

// Without `std` for the page bundles (src/no_std.rs says why).
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

#[macro_use]
mod no_std;
pub(crate) use no_std::prelude;

pub mod client;
#[cfg(feature = "leptos")]
pub mod components;
pub mod dom;
mod dom_calls;
pub mod embed;
mod events;
pub mod interop;
mod js_error;
mod json;
mod json_requests;
pub mod page;
mod scan;
pub mod texts;
pub mod views;
pub mod wire;

pub use amazon_pay_contract as contract;

#[cfg(any(test, all(not(target_feature = "atomics"), target_family = "wasm")))]
#[path = "alloc.rs"]
mod heap;

/// A small allocator of our own instead of dlmalloc or talc: less wasm in every bundle (see `alloc`).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: heap::Allocator = heap::Allocator::new();
