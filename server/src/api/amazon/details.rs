//! The review page's data from Amazon's checkout session: which of our checkouts a session belongs to, and the
//! buyer, addresses and payment it holds, in the contract's shape.

use super::calls::recorded;
use crate::amazon::errors::app_error;
use crate::amazon::records::Bound;
use crate::amazon::AmazonPay;
use crate::amazon_address::postal;
use crate::api::payone_calls::{live_checkout, SESSION_LIFETIME_SECS};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Checkout;
use amazon_pay_contract::cv2::{CartLine, CheckoutDetails, ProductType};
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_v2::models::{CheckoutSession, CheckoutSessionState};

/// Our checkout and Amazon's session for a review page request: `id` is our checkout id (the session from
/// `query_session` or the one kept), or Amazon's checkout session id alone. The session is fetched, checked to
/// be this checkout's (its `merchantReferenceId`), and kept.
pub(super) async fn resolve(
    state: &AppState,
    amazon: &AmazonPay,
    id: &str,
    query_session: Option<&str>,
    lang: Language,
) -> Result<(Checkout, CheckoutSession), AppError> {
    let known = state.store.checkout(id)?.is_some();
    let session_id = match (known, query_session) {
        (true, Some(session)) => session.to_owned(),
        (true, None) => state.store.amazon_session_of(id)?.ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, format!("checkout {id:?} has no Amazon checkout session yet: the buyer has not come back from Amazon"))
                .in_language(lang)
        })?,
        (false, _) => id.to_owned(),
    };
    if !is_amazon_id(&session_id) {
        return Err(AppError::new(ErrorCode::BadRequest, "amazonCheckoutSessionId is malformed").in_language(lang));
    }
    let session = fetch(state, amazon, &session_id, lang).await?;
    // Some(None): a reference that names nothing of ours.
    let named = match session.merchant_metadata.merchant_reference_id.as_deref() {
        Some(reference) => Some(checkout_named(state, reference)?),
        None => None,
    };
    let workorder_id = match (known, named) {
        (true, Some(named)) if named.as_deref() != Some(id) => {
            return Err(AppError::new(ErrorCode::BadRequest, "this Amazon checkout session belongs to another checkout").in_language(lang))
        }
        (true, _) => id.to_owned(),
        (false, Some(Some(named))) => named,
        (false, _) => return Err(AppError::new(ErrorCode::NotFound, "the Amazon checkout session names no checkout of this shop").in_language(lang)),
    };
    let checkout = live_checkout(state, &workorder_id, lang)?;
    if state.store.bind_amazon_session(&workorder_id, &session_id).await? == Bound::OtherCheckout {
        return Err(AppError::new(ErrorCode::BadRequest, "this Amazon checkout session belongs to another checkout").in_language(lang));
    }
    Ok((checkout, session))
}

/// The checkout a session's `merchantReferenceId` names: our checkout id (the button's), or the id of an order
/// placed on it (placing replaces the reference with the order's id); `None` for anything else.
fn checkout_named(state: &AppState, reference: &str) -> Result<Option<String>, AppError> {
    if state.store.checkout(reference)?.is_some() {
        return Ok(Some(reference.to_owned()));
    }
    Ok(state.store.order(reference)?.filter(|o| o.flow == "cv2").map(|o| o.workorder_id))
}

/// Amazon's ids: letters, digits and `-`, at most 128 characters.
fn is_amazon_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Get Checkout Session; a cancelled session is refused with Amazon's reason as the buyer's message.
pub(super) async fn fetch(state: &AppState, amazon: &AmazonPay, session_id: &str, lang: Language) -> Result<CheckoutSession, AppError> {
    let session = recorded(state, "getCheckoutSession", session_id, amazon.client.get_checkout_session(session_id))
        .await
        .map_err(|e| app_error(&e).in_language(lang))?;
    if session.status_details.state == CheckoutSessionState::Canceled {
        let reason = session.status_details.reason_code.clone().unwrap_or_default();
        return Err(AppError::new(ErrorCode::SessionExpired, format!("Amazon cancelled the checkout session ({reason})")).in_language(lang));
    }
    Ok(session)
}

/// The review page's data: Amazon's session with our stored cart and total.
pub(super) fn details(state: &AppState, amazon: &AmazonPay, checkout: &Checkout, session: &CheckoutSession) -> Result<CheckoutDetails, AppError> {
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    let product_type = state.catalogue.product_type(&items);
    let billing = session.billing_address.as_ref().map(postal);
    // PayOnly (digital goods): no shipping address is asked for, shown or checked.
    let shipping_address = match product_type {
        ProductType::PayOnly => None,
        ProductType::PayAndShip => Some(
            session
                .shipping_address
                .as_ref()
                .map(postal)
                .or_else(|| billing.clone())
                .ok_or_else(|| AppError::new(ErrorCode::UpstreamInvalid, "Amazon's checkout session has no address (is the buyer signed in?)"))?,
        ),
    };
    let rules = &state.config.address_rules;
    let address_problem = shipping_address.as_ref().and_then(|a| rules.check(a));
    let phone_required = rules.require_phone && shipping_address.as_ref().is_some_and(|a| a.phone.trim().is_empty());
    let buyer = session.buyer.clone().unwrap_or_default();
    let order_id = state.store.orders_for_workorder(&checkout.workorder_id)?.into_iter().rev().find(|o| !o.allows_retry()).map(|o| o.id);
    Ok(CheckoutDetails {
        workorder_id: checkout.workorder_id.clone(),
        amazon_checkout_session_id: session.checkout_session_id.clone(),
        buyer_name: buyer.name.unwrap_or_default(),
        email: buyer.email.unwrap_or_default(),
        product_type,
        shipping_address,
        address_problem,
        phone_required,
        billing_address: billing,
        payment_descriptor: session.payment_preferences.iter().find_map(|p| p.payment_descriptor.clone()),
        items: state.catalogue.describe(&items),
        delivery: checkout.delivery,
        delivery_fee: state.catalogue.delivery_charge(&items, checkout.delivery),
        delivery_prices: state.catalogue.delivery_prices(product_type),
        amount: checkout.amount,
        expires_at: checkout.created_at + SESSION_LIFETIME_SECS,
        order_id,
        script_url: super::script_url(state, amazon),
        sandbox: state.is_sandbox(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_ids_are_plain() {
        assert!(is_amazon_id("3f1c2a9e-1b2c-4d5e-8f90-0123456789ab"));
        assert!(!is_amazon_id("../x") && !is_amazon_id(""));
    }
}
