//! Legacy Amazon Pay Checkout v1 (`Widgets.js`): the CheckoutChamp lander (one-time and recurring), its
//! upsell page, and the PAYONE CV1 checkout. One file per idea; all of them talk to Amazon only through
//! [`crate::interop`].

pub mod lander;
pub mod payone;
pub mod signin;
pub mod token;
pub mod upsell;
pub mod view;
pub mod widgets;

pub use lander::{CheckoutChampLander, LanderOptions};
pub use payone::{Cv1Options, PayoneCv1Checkout};
pub use signin::ButtonStyle;
pub use upsell::{CheckoutChampUpsell, UpsellOptions};

use std::sync::atomic::{AtomicU32, Ordering};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// A number unique on the page, for the element ids Amazon's widgets render into.
pub(crate) fn next_id() -> u32 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}
