//! What a view keeps of Amazon's widgets: the element ids they render into, what the buyer chose in them
//! ([`Selection`]) and their bindings ([`BoundWidgets`]). Plain state: the bindings in `widgets` fill it and
//! the view's shell holds it, so the shell need not depend on the bindings (which depend on the shell).

use crate::interop::off_amazon_payments::{AmazonWidgetError, Bound};
use crate::prelude::*;
use core::cell::{Cell, RefCell};

/// The element ids the widgets render into, each followed by the view's number (`amazon-pay-wallet-7`, see
/// `Shell::id`): the same prefixes as the views' skeletons (`#amazon-pay-wallet-`). Built when a widget is
/// bound, not kept as `String`s per view (a smaller wasm).
pub(crate) const ADDRESS_BOOK_ID: &str = "amazon-pay-address-book-";
pub(crate) const WALLET_ID: &str = "amazon-pay-wallet-";
pub(crate) const CONSENT_ID: &str = "amazon-pay-consent-";

/// Which part of a [`Selection`] a widget callback changed (bits, so a view can tell what it depends on).
pub(crate) mod changed {
    pub(crate) const ADDRESS_CHANGES: u8 = 1;
    pub(crate) const ADDRESS_CHOSEN: u8 = 2;
    pub(crate) const ADDRESS_BOOK_READY: u8 = 4;
    pub(crate) const PAYMENT_CHOSEN: u8 = 8;
    pub(crate) const WALLET_READY: u8 = 16;
    pub(crate) const REFERENCE: u8 = 32;
    pub(crate) const CONSENT: u8 = 64;
    pub(crate) const PROBLEM: u8 = 128;
}

/// What the buyer chose in the widgets.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// The order reference (`S02-…`) or billing agreement (`B02-…`).
    pub(crate) reference: RefCell<Option<String>>,
    pub(crate) address_chosen: Cell<bool>,
    pub(crate) payment_chosen: Cell<bool>,
    /// The Consent widget's box (recurring only); `None` until it reports.
    pub(crate) consent: Cell<Option<bool>>,
    /// Counts address choices, so a view can read the address again after each.
    pub(crate) address_changes: Cell<u32>,
    /// The last widget error (`ITP` excluded).
    pub(crate) problem: RefCell<Option<AmazonWidgetError>>,
    /// The one-time AddressBook and the Wallet have rendered (`onReady`), whether or not Amazon selected
    /// anything: an account without an address or a default payment method reports no selection.
    pub(crate) address_book_ready: Cell<bool>,
    pub(crate) wallet_ready: Cell<bool>,
}

impl Selection {
    pub(crate) fn reference(&self) -> Option<String> {
        self.reference.borrow().clone()
    }

    /// Address and payment chosen (and, recurring, consent given): "Place order" may be enabled.
    pub(crate) fn complete(&self, recurring: bool) -> bool {
        self.reference.borrow().is_some()
            && self.address_chosen.get()
            && self.payment_chosen.get()
            && (!recurring || self.consent.get() == Some(true))
    }

    /// Records a widget error; `false` for one Amazon says to ignore.
    pub(crate) fn report(&self, err: AmazonWidgetError) -> bool {
        if err.is_ignorable() {
            return false;
        }
        web_sys::console::error_2(&["Amazon Pay widget error ", &err.code, ":"].concat().into(), &err.message.as_str().into());
        *self.problem.borrow_mut() = Some(err);
        true
    }

    pub(crate) fn set_reference(&self, id: Option<String>) {
        *self.reference.borrow_mut() = id;
    }

    pub(crate) fn address_selected(&self) {
        self.address_chosen.set(true);
        self.address_changes.set(self.address_changes.get().wrapping_add(1));
    }
}

/// The widgets' callbacks, owned by the view.
#[derive(Default)]
pub(crate) struct BoundWidgets {
    pub(crate) address_book: Option<Bound>,
    pub(crate) wallet: Option<Bound>,
    pub(crate) consent: Option<Bound>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_needs_address_payment_and_for_subscriptions_consent() {
        let sel = Selection::default();
        sel.set_reference(Some("B02-1234567-1234567".into()));
        sel.address_selected();
        sel.payment_chosen.set(true);
        assert!(sel.complete(false));
        assert!(!sel.complete(true), "no consent yet");
        sel.consent.set(Some(false));
        assert!(!sel.complete(true));
        sel.consent.set(Some(true));
        assert!(sel.complete(true));
        assert_eq!(sel.address_changes.get(), 1);
    }
}
