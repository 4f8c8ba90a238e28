//! The API's JSON views of the sandbox's objects, in Amazon's shapes (`amazon_pay_v2::models`).

use super::store::{ChargeRec, PermissionRec, RefundRec, V2Session};
use crate::amazon::{Address, Buyer, CheckoutSession as HostedSession};
use amazon_pay_v2::date::format_iso;
use amazon_pay_v2::models as m;
use std::time::{SystemTime, UNIX_EPOCH};

fn iso(t: SystemTime) -> String {
    format_iso(t.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0))
}

fn status<S>(state: S, reason: &Option<(String, String)>) -> m::StatusDetails<S> {
    m::StatusDetails {
        state,
        reason_code: reason.as_ref().map(|r| r.0.clone()),
        reason_description: reason.as_ref().map(|r| r.1.clone()).filter(|d| !d.is_empty()),
        last_updated_timestamp: Some(iso(SystemTime::now())),
    }
}

/// Amazon's buyer object.
pub(crate) fn buyer(b: &Buyer) -> m::Buyer {
    m::Buyer { buyer_id: Some(b.user_id()), name: Some(b.name.to_owned()), email: Some(b.email.to_owned()), phone_number: None }
}

/// Amazon's address object.
pub(crate) fn address(a: &Address) -> m::Address {
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    m::Address {
        name: some(format!("{} {}", a.first_name, a.last_name).trim()),
        address_line1: some(a.street),
        address_line2: some(a.company),
        address_line3: some(a.addition),
        city: some(a.city),
        county: None,
        district: None,
        state_or_region: some(a.state),
        postal_code: some(a.zip),
        country_code: some(a.country),
        phone_number: some(a.phone),
    }
}

/// What still blocks completion of an open session.
pub(crate) fn constraints(v2: &V2Session, hosted: &HostedSession) -> Vec<m::Constraint> {
    let mut out = Vec::new();
    let mut add = |id: &str, d: &str| out.push(m::Constraint { constraint_id: id.into(), description: d.into() });
    if hosted.buyer.is_none() {
        add("BuyerNotAssociated", "The buyer has not signed in on Amazon's page yet.");
    }
    if v2.web.checkout_result_return_url.is_none() {
        add("CheckoutResultReturnUrlNotSet", "checkoutResultReturnUrl is not set.");
    }
    if v2.payment_details.charge_amount.is_none() {
        add("ChargeAmountNotSet", "chargeAmount is not set.");
    }
    if v2.payment_details.payment_intent.is_none() {
        add("PaymentIntentNotSet", "paymentIntent is not set.");
    }
    out
}

/// The Checkout Session as Get/Update/Complete return it. `redirect_url` is the session's amazonPayRedirectUrl,
/// shown once nothing blocks it.
pub(crate) fn checkout_session(v2: &V2Session, hosted: &HostedSession, redirect_url: &str) -> m::CheckoutSession {
    let constraints = if v2.state == m::CheckoutSessionState::Open { constraints(v2, hosted) } else { Vec::new() };
    let mut web = v2.web.clone();
    if v2.state == m::CheckoutSessionState::Open && constraints.is_empty() {
        web.amazon_pay_redirect_url = Some(redirect_url.to_owned());
    }
    let shipping = hosted.address.map(address).filter(|_| v2.product_type == "PayAndShip");
    // The payment instrument's billing address is the account's own (its first address), whichever address
    // the buyer ships to, as Amazon's `billingAddress` is the instrument's and not the delivery's.
    let billing = hosted.buyer.and_then(|b| b.addresses.first()).or(hosted.address).map(address);
    m::CheckoutSession {
        checkout_session_id: v2.id.clone(),
        web_checkout_details: web,
        product_type: Some(v2.product_type.clone()),
        payment_details: v2.payment_details.clone(),
        merchant_metadata: v2.merchant_metadata.clone(),
        buyer: hosted.buyer.map(buyer),
        shipping_address: shipping,
        billing_address: billing,
        payment_preferences: hosted
            .instrument
            .map(|i| vec![m::PaymentPreference { payment_descriptor: Some(i.descriptor.to_owned()) }])
            .unwrap_or_default(),
        status_details: status(v2.state, &v2.reason),
        constraints,
        charge_permission_id: v2.charge_permission_id.clone(),
        charge_id: v2.charge_id.clone(),
        store_id: v2.store_id.clone(),
        release_environment: Some("Sandbox".into()),
    }
}

/// A Charge.
pub(crate) fn charge(c: &ChargeRec) -> m::Charge {
    let refunded = m::Price::from_minor(c.refunded_minor, &c.amount.currency_code);
    m::Charge {
        charge_id: c.id.clone(),
        charge_permission_id: c.permission_id.clone(),
        charge_amount: c.amount.clone(),
        capture_amount: c.captured.clone(),
        refunded_amount: Some(refunded).filter(|_| c.refunded_minor > 0),
        soft_descriptor: None,
        status_details: status(c.state, &c.reason),
        creation_timestamp: Some(iso(c.created)),
        expiration_timestamp: Some(iso(c.created + std::time::Duration::from_secs(30 * 24 * 3600))),
        release_environment: Some("Sandbox".into()),
    }
}

/// A Charge Permission.
pub(crate) fn permission(p: &PermissionRec, v2: Option<&V2Session>, hosted: Option<&HostedSession>) -> m::ChargePermission {
    m::ChargePermission {
        charge_permission_id: p.id.clone(),
        charge_permission_type: Some("OneTime".into()),
        buyer: hosted.and_then(|h| h.buyer).map(buyer),
        shipping_address: hosted.and_then(|h| h.address).map(address),
        merchant_metadata: v2.map(|s| s.merchant_metadata.clone()).unwrap_or_default(),
        status_details: status(p.state, &p.reason),
        release_environment: Some("Sandbox".into()),
    }
}

/// A Refund.
pub(crate) fn refund(r: &RefundRec) -> m::Refund {
    m::Refund {
        refund_id: r.id.clone(),
        charge_id: r.charge_id.clone(),
        refund_amount: r.amount.clone(),
        soft_descriptor: None,
        // The sandbox declines a refund only when the tester asks (`Store::decline_refund`): as Amazon rejecting it.
        status_details: status(
            r.state,
            &(r.state == m::RefundState::Declined).then(|| ("AmazonRejected".to_owned(), "Amazon declined the refund.".to_owned())),
        ),
        creation_timestamp: Some(iso(r.created)),
        release_environment: Some("Sandbox".into()),
    }
}
