//! Checkout v2 and APB with Amazon Pay direct (`--provider amazon`): the same routes and answers as PAYONE's
//! handlers (the widget cannot tell them apart), plus the buyer's return from Amazon and Amazon's IPN.
//!
//! The checkout id the widget carries (`workorder_id`) is ours; Amazon's checkout session id is learnt when the
//! buyer comes back to the review page (`amazonCheckoutSessionId`), checked against the session's
//! `merchantMetadata.merchantReferenceId` (our checkout id, put into the signed button payload; once the order
//! is placed, the order's id), and kept.

mod apb;
mod calls;
mod cv2;
mod details;
mod follow;
pub mod ipn;
mod result;

use crate::amazon::AmazonPay;
use crate::error::AppError;
use crate::state::AppState;
use amazon_pay_contract::{routes, ErrorCode};
use axum::routing::{get, post};
use axum::Router;

/// Where Amazon sends the buyer after its pages (`checkoutResultReturnUrl`), per order.
pub const RESULT_PATH: &str = "/api/amazon/orders/{order_id}/result";
/// Where Amazon's SNS topic delivers IPN messages.
pub const IPN_PATH: &str = "/amazon/ipn";

/// The CV2 and APB routes of Amazon Pay direct, and its return and IPN routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::CV2_SESSIONS, post(cv2::create_session))
        .route("/api/cv2/sessions/{workorder_id}", get(cv2::get_session))
        .route("/api/cv2/sessions/{workorder_id}/delivery", post(cv2::update_delivery))
        .route("/api/cv2/sessions/{workorder_id}/orders", post(cv2::place_order))
        .route(routes::APB_ORDERS, post(apb::place))
        .route(RESULT_PATH, get(result::returned))
        .route(IPN_PATH, post(ipn::receive))
}

/// The Amazon Pay account; its absence is a configuration error (the router is only mounted with one).
fn account(state: &AppState) -> Result<&AmazonPay, AppError> {
    state.amazon.as_ref().ok_or_else(|| AppError::new(ErrorCode::Configuration, "--provider amazon without an Amazon Pay account"))
}

/// `checkout.js` for this server's mode: the sandbox's fake, or Amazon's own for the account's region.
fn script_url(state: &AppState, amazon: &AmazonPay) -> String {
    if state.is_sandbox() {
        format!("{}/sandbox/amazon/checkout.js", state.public_url)
    } else {
        amazon.region.checkout_js().to_owned()
    }
}

/// What the widget hands `checkout.js` for `payload` (Checkout v2's button, APB's ProcessOrder button): the
/// payload signed on the server with the merchant's key, and the page's settings.
fn button_config(
    state: &AppState,
    amazon: &AmazonPay,
    payload: &amazon_pay_v2::button::ButtonPayload,
    workorder_id: String,
    amount: amazon_pay_contract::Money,
    product_type: amazon_pay_contract::cv2::ProductType,
    lang: amazon_pay_contract::Language,
) -> amazon_pay_contract::cv2::ButtonConfig {
    let signed = amazon.client.signed_button(payload);
    amazon_pay_contract::cv2::ButtonConfig {
        workorder_id,
        merchant_id: amazon.merchant_id.clone(),
        public_key_id: signed.public_key_id,
        payload_json: signed.payload_json,
        signature: signed.signature,
        sandbox: state.is_sandbox(),
        ledger_currency: amount.currency,
        checkout_language: lang.amazon_checkout_language().to_owned(),
        product_type,
        amount,
        script_url: script_url(state, amazon),
        algorithm: Some(signed.algorithm.name().to_owned()),
    }
}

/// Amazon takes at most 256 characters in `merchantMetadata.merchantReferenceId`.
pub const MAX_MERCHANT_REFERENCE: usize = 256;

/// `id` (an order or checkout id of ours) as Amazon's `merchantReferenceId`: ours are short and plain, so this
/// only guards the limit should their shape ever change.
fn merchant_reference(id: &str) -> String {
    id.chars().take(MAX_MERCHANT_REFERENCE).collect()
}

/// A new checkout id: `A` and 15 characters safe in URLs and in Amazon's `merchantReferenceId`.
fn new_checkout_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..15).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect();
    format!("A{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_fit_amazons_limit() {
        for id in [new_checkout_id(), crate::orders::new_order_id()] {
            assert_eq!(merchant_reference(&id), id, "ours are sent as they are");
        }
        assert_eq!(merchant_reference(&"x".repeat(300)).len(), MAX_MERCHANT_REFERENCE);
    }
}
