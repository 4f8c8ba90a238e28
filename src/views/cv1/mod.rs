//! Legacy Amazon Pay Checkout v1 (`Widgets.js`): the CheckoutChamp lander (one-time and recurring), its
//! upsell page, and the PAYONE CV1 checkout, in plain DOM. One file per idea; all of them talk to Amazon only
//! through [`crate::interop`].
//!
//! - `view` (crate-private): what the three views share (`Shell`: status lines, sign-in, phase) and how each starts.
//! - `widgets` (crate-private): the AddressBook, Wallet and Consent widgets and what the buyer chose in them.
//! - [`signin`], [`token`]: Amazon's button, signing in and out, the buyer's access token.

pub mod lander;
pub mod payone;
pub mod signin;
pub mod token;
pub mod upsell;
pub(crate) mod view;
pub(crate) mod widgets;

pub use lander::LanderOptions;
pub use payone::Cv1Options;
pub use signin::ButtonStyle;
pub use upsell::UpsellOptions;

use std::sync::atomic::{AtomicU32, Ordering};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// A number unique on the page, for the element ids Amazon's widgets render into.
pub(crate) fn next_id() -> String {
    NEXT_ID.fetch_add(1, Ordering::Relaxed).to_string()
}
