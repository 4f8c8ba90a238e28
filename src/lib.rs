//! The Amazon Pay checkout widget: Leptos components compiled to WebAssembly.
//!
//! - [`interop`]: the only place that touches Amazon's globals (`amazon.Pay`, `OffAmazonPayments`,
//!   `amazon.Login`) and loads their scripts.
//! - [`client`]: the backend's JSON API, with the request and response types of `amazon-pay-contract`.
//! - [`views`]: the views (button, review, confirmation, APB, legacy v1), one plain-DOM implementation each, on
//!   the small helpers of [`dom`]; [`wire`] reads the backend's JSON into the contract's types.
//! - `components` (feature `leptos`): the views as Leptos components, for Leptos apps using the crate.
//! - [`embed`]: `mount(element, config)` and DOM CustomEvents for pages of any stack.

#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

/// What `std`'s prelude gives and `core`'s does not (research: built `no_std` for the wasm bundles).
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub(crate) use alloc::{borrow::ToOwned, boxed::Box, format, string::String, string::ToString, vec, vec::Vec};
}

/// `thread_local!` without `std`: a plain static (the bundles are single-threaded wasm, built without atomics).
#[cfg(not(any(feature = "std", test)))]
macro_rules! thread_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = const { $init:expr };)*) => {
        $($(#[$attr])* static $name: $crate::Local<$t> = $crate::Local($init);)*
    };
}

/// A static's value for the one thread of a wasm module without atomics.
#[cfg(not(any(feature = "std", test)))]
pub(crate) struct Local<T>(pub(crate) T);

// SAFETY: wasm32 without atomics has one thread: nothing is ever shared between threads.
#[cfg(not(any(feature = "std", test)))]
unsafe impl<T> Sync for Local<T> {}

#[cfg(not(any(feature = "std", test)))]
impl<T> Local<T> {
    /// Like `LocalKey::with`.
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

/// Without `std` (research, issue 20): a panic traps without formatting its message, so `core::fmt`'s
/// machinery and the panic messages are not linked in. In the widget, not in `bundles/bundle.rs`: the crate is
/// also a `cdylib`, which needs one. A trap is what `panic = "abort"` gave before, minus the console message.
#[cfg(all(target_family = "wasm", not(any(feature = "std", test))))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

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
