//! The wire contract between the Amazon Pay widget (WebAssembly) and `amazon-pay-server`.
//!
//! Both sides compile these exact types, so a field renamed on one side is a compile error on the other.
//! Money is always an integer of minor units plus a currency; the browser never sends a price, only items
//! and quantities, and the server decides the amount.

#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

/// What `std`'s prelude gives and `core`'s does not: the widget's page bundles build the contract without `std`
/// (feature `std` off; the widget's src/no_std.rs says why), the server with it.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub(crate) use alloc::{borrow::ToOwned, boxed::Box, format, string::String, string::ToString, vec, vec::Vec};
}

pub mod address;
pub mod apb;
pub mod calendar;
pub mod checkoutchamp;
pub mod cv1;
pub mod cv2;
pub mod digits;
pub mod error;
pub mod french;
pub mod language;
pub mod merchant;
pub mod money;
pub mod orders;
pub mod routes;

pub use digits::digits;
pub use error::{ApiError, ErrorCode};
pub use language::Language;
pub use money::{Currency, Money};
