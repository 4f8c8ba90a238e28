//! Legacy Amazon Pay Checkout v1 (`Widgets.js`): the CheckoutChamp lander (one-time and recurring), its
//! upsell page, and the PAYONE CV1 checkout, in plain DOM. One file per idea; all of them talk to Amazon only
//! through [`crate::interop`].
//!
//! - `crm_status` (crate-private): the lander's and upsell page's following of a pending order.
//! - `shell` (crate-private): what the three views share (`Shell`: status lines, sign-in, phase) and how each starts.
//! - `super::skeleton` (crate-private): a view's elements (built from a table) and its async work.
//! - `widgets` (crate-private): the AddressBook, Wallet and Consent widgets, bound into a view.
//! - `widget_state` (crate-private): what a view keeps of them: their ids, bindings and what the buyer chose.
//! - [`signin`], [`token`]: Amazon's button, signing in and out, the buyer's access token.

use crate::prelude::*;

pub(crate) mod crm_status;
pub mod lander;
pub mod payone;
pub(crate) mod shell;
pub mod signin;
pub mod token;
pub mod upsell;
pub(crate) mod widget_state;
pub(crate) mod widgets;

pub use lander::LanderOptions;
pub use payone::Cv1Options;
pub use signin::ButtonStyle;
pub use upsell::UpsellOptions;

use core::sync::atomic::{AtomicU32, Ordering};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// A number unique on the page, for the element ids Amazon's widgets render into.
pub(crate) fn next_id() -> String {
    amazon_pay_contract::digits(NEXT_ID.fetch_add(1, Ordering::Relaxed).into())
}

#[cfg(test)]
mod tests {
    use super::widget_state::{ADDRESS_BOOK_ID, CONSENT_ID, WALLET_ID};

    // Here, not in `widget_state`: that module reading the views' skeletons would be a module cycle.
    #[test]
    fn the_skeletons_give_the_widgets_these_ids() {
        for skeleton in [super::lander::SKELETON, super::upsell::SKELETON, super::payone::SKELETON] {
            let ids: Vec<&str> =
                skeleton.iter().flat_map(|node| node.attrs.iter()).filter(|(name, _)| *name == "id").map(|(_, value)| *value).collect();
            for prefix in [ADDRESS_BOOK_ID, WALLET_ID] {
                assert!(ids.contains(&["#", prefix].concat().as_str()), "{prefix} in {ids:?}");
            }
        }
        let ids = super::lander::SKELETON.iter().flat_map(|node| node.attrs.iter()).any(|(_, value)| *value == ["#", CONSENT_ID].concat());
        assert!(ids, "the lander's Consent widget");
    }
}
