//! Amazon's AddressBook, Wallet and Consent widgets in a view's own elements, with what the buyer chose kept
//! in the view's [`Selection`](super::widget_state::Selection). The bindings
//! ([`BoundWidgets`](super::widget_state::BoundWidgets)) live in the view's runtime, so every callback is
//! released with the view.
//!
//! Every callback handed to Amazon holds only a `Weak` of its view: it records what Amazon reported, then
//! tells the view ([`super::shell::Host::changed`]) which parts of the selection changed.

use super::shell::Shell;
use super::widget_state::{changed, ADDRESS_BOOK_ID, CONSENT_ID, WALLET_ID};
use crate::interop::off_amazon_payments::{
    AgreementType, AmazonReference, AmazonWidgetError, ConsentStatus, DisplayMode, Widget, WidgetKind, WidgetOptions, WidgetsError,
};
use crate::prelude::*;

/// `B02-…` and `C01-…` are billing agreements, anything else an order reference.
fn agreement(id: &str) -> AgreementType {
    if id.starts_with('B') || id.starts_with('C') {
        AgreementType::BillingAgreement
    } else {
        AgreementType::OrderReference
    }
}

/// A widget callback: while the view is mounted, `f` records what Amazon reported and says which parts of
/// the selection it changed; the view then updates. One closure type per argument type (a small wasm).
fn callback<A: 'static>(shell: &Shell, f: fn(&Shell, A) -> u8) -> impl FnMut(A) + 'static {
    let me = shell.me.clone();
    move |arg| {
        if let Some(host) = me.upgrade() {
            let what = f(host.shell(), arg);
            if what != 0 {
                host.changed(what);
            }
        }
    }
}

fn on_error(shell: &Shell, err: AmazonWidgetError) -> u8 {
    if shell.sel.report(err) {
        changed::PROBLEM
    } else {
        0
    }
}

/// One-time purchase: the AddressBook and the Wallet; `existing` re-renders an order reference the checkout
/// already has. (One function per mode, so a bundle links only the modes its view uses.)
pub(crate) fn bind_one_time(shell: &Shell, existing: Option<&str>) -> Result<(), WidgetsError> {
    use changed::*;
    let seller_id = shell.seller_id();
    let options = WidgetOptions { seller_id: &seller_id, amazon_order_reference_id: existing, ..Default::default() };
    let address_book = Widget::new(WidgetKind::AddressBook, options)
        .on_order_reference_create(callback(shell, |s, r: AmazonReference| {
            s.sel.set_reference(r.order_reference_id());
            REFERENCE
        }))
        .on_ready(callback(shell, |s, r: AmazonReference| {
            // A re-render with a known id has no onOrderReferenceCreate.
            let mut what = ADDRESS_BOOK_READY;
            if s.sel.reference.borrow().is_none() {
                s.sel.set_reference(r.order_reference_id());
                what |= REFERENCE;
            }
            s.sel.address_book_ready.set(true);
            what
        }))
        .on_address_select(callback(shell, |s, _: AmazonReference| {
            s.sel.address_selected();
            ADDRESS_CHOSEN | ADDRESS_CHANGES
        }))
        .on_error(callback(shell, on_error))
        .bind(&shell.id(ADDRESS_BOOK_ID))?;
    shell.rt.borrow_mut().widgets.address_book = Some(address_book);
    bind_wallet(shell, existing)
}

/// Recurring: the AddressBook on a billing agreement; the Wallet and the Consent widget follow the first
/// address choice.
pub(crate) fn bind_recurring(shell: &Shell) -> Result<(), WidgetsError> {
    use changed::*;
    let seller_id = shell.seller_id();
    let options = WidgetOptions { seller_id: &seller_id, agreement_type: Some(AgreementType::BillingAgreement), ..Default::default() };
    let address_book = Widget::new(WidgetKind::AddressBook, options)
        .on_ready(callback(shell, |s, r: AmazonReference| match r.billing_agreement_id() {
            Some(id) => {
                s.sel.set_reference(Some(id));
                REFERENCE
            }
            None => 0,
        }))
        .on_address_select(callback(shell, |s, r: AmazonReference| {
            s.sel.address_selected();
            let mut what = ADDRESS_CHOSEN | ADDRESS_CHANGES;
            // Amazon: render the Wallet after the first address choice, then it follows by itself.
            let id = r.billing_agreement_id().or_else(|| s.sel.reference());
            let has_wallet = s.rt.borrow().widgets.wallet.is_some();
            if let (Some(id), false) = (id, has_wallet) {
                s.sel.set_reference(Some(id.clone()));
                what |= REFERENCE;
                if let Err(err) = bind_wallet(s, Some(&id)).and_then(|()| bind_consent(s, &id)) {
                    s.sel.report(AmazonWidgetError { code: "UnknownError".into(), message: crate::js_error::Cause::text(&err) });
                    what |= PROBLEM;
                }
            }
            what
        }))
        .on_error(callback(shell, on_error))
        .bind(&shell.id(ADDRESS_BOOK_ID))?;
    shell.rt.borrow_mut().widgets.address_book = Some(address_book);
    Ok(())
}

/// Read-only: the AddressBook and the Wallet of an order reference or billing agreement (the upsell page).
pub(crate) fn bind_read(shell: &Shell, id: String) -> Result<(), WidgetsError> {
    let kind = agreement(&id);
    let seller_id = shell.seller_id();
    let options = WidgetOptions {
        seller_id: &seller_id,
        agreement_type: Some(kind),
        amazon_order_reference_id: (kind == AgreementType::OrderReference).then_some(id.as_str()),
        amazon_billing_agreement_id: (kind == AgreementType::BillingAgreement).then_some(id.as_str()),
        display_mode: Some(DisplayMode::Read),
        ..Default::default()
    };
    let address_book = Widget::new(WidgetKind::AddressBook, options.clone()).on_error(callback(shell, on_error)).bind(&shell.id(ADDRESS_BOOK_ID))?;
    let wallet = Widget::new(WidgetKind::Wallet, options).on_error(callback(shell, on_error)).bind(&shell.id(WALLET_ID))?;
    shell.sel.set_reference(Some(id));
    let mut rt = shell.rt.borrow_mut();
    rt.widgets.address_book = Some(address_book);
    rt.widgets.wallet = Some(wallet);
    Ok(())
}

/// (Re-)binds the Wallet: after a decline it shows the order reference again so the buyer can pick another
/// payment method. `id` is `None` for a Wallet that joins the AddressBook's new order reference.
pub(crate) fn bind_wallet(shell: &Shell, id: Option<&str>) -> Result<(), WidgetsError> {
    let kind = id.map(agreement);
    let seller_id = shell.seller_id();
    let options = WidgetOptions {
        seller_id: &seller_id,
        agreement_type: kind,
        amazon_order_reference_id: id.filter(|_| kind == Some(AgreementType::OrderReference)),
        amazon_billing_agreement_id: id.filter(|_| kind == Some(AgreementType::BillingAgreement)),
        ..Default::default()
    };
    let wallet = Widget::new(WidgetKind::Wallet, options)
        .presentment_currency("EUR")
        .on_payment_select(callback(shell, |s, _: AmazonReference| {
            s.sel.payment_chosen.set(true);
            changed::PAYMENT_CHOSEN
        }))
        .on_ready(callback(shell, |s, _: AmazonReference| {
            s.sel.wallet_ready.set(true);
            changed::WALLET_READY
        }))
        .on_error(callback(shell, on_error))
        .bind(&shell.id(WALLET_ID))?;
    // The old Wallet's callbacks go only now, after the new one is bound (never from inside a callback of
    // the Wallet itself).
    let old = shell.rt.borrow_mut().widgets.wallet.replace(wallet);
    drop(old);
    Ok(())
}

fn bind_consent(shell: &Shell, billing_agreement_id: &str) -> Result<(), WidgetsError> {
    let seller_id = shell.seller_id();
    let options = WidgetOptions { seller_id: &seller_id, amazon_billing_agreement_id: Some(billing_agreement_id), ..Default::default() };
    let consent = Widget::new(WidgetKind::Consent, options)
        .on_consent_ready(callback(shell, consent_status))
        .on_consent(callback(shell, consent_status))
        .on_error(callback(shell, on_error))
        .bind(&shell.id(CONSENT_ID))?;
    shell.rt.borrow_mut().widgets.consent = Some(consent);
    Ok(())
}

fn consent_status(shell: &Shell, status: ConsentStatus) -> u8 {
    shell.sel.consent.set(Some(status.given().unwrap_or(false)));
    changed::CONSENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_agreements_are_told_apart_from_order_references() {
        assert_eq!(agreement("B02-1234567-1234567"), AgreementType::BillingAgreement);
        assert_eq!(agreement("C01-1234567-1234567"), AgreementType::BillingAgreement);
        assert_eq!(agreement("S02-1234567-1234567"), AgreementType::OrderReference);
    }
}
