//! Checkout v2 through PAYONE: session, review, delivery update, order placement.

mod create;
mod place;
pub mod review;

use crate::state::AppState;
use crate::error::AppError;
use crate::payone::{PayoneError, PayoneRequest, PayoneResponse};
use crate::store::{Checkout, UpstreamCall};
use rusqlite::Connection;
use amazon_pay_contract::{ErrorCode, Language};
use axum::routing::{get, post};
use axum::Router;

pub use create::AMAZON_EU_CHECKOUT_JS;

/// Amazon's checkout sessions are valid for 24 hours.
pub const SESSION_LIFETIME_SECS: i64 = 24 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(amazon_pay_contract::routes::CV2_SESSIONS, post(create::create_session))
        .route("/api/cv2/sessions/{workorder_id}", get(review::get_session))
        .route("/api/cv2/sessions/{workorder_id}/delivery", post(review::update_delivery))
        .route("/api/cv2/sessions/{workorder_id}/orders", post(place::place_order))
}

/// `checkout.js` for this server's mode: Amazon's own live, the sandbox's fake otherwise.
pub fn script_url(state: &AppState) -> String {
    if state.is_sandbox() {
        format!("{}/sandbox/amazon/checkout.js", state.public_url)
    } else {
        AMAZON_EU_CHECKOUT_JS.to_owned()
    }
}

/// Maps a PAYONE failure to what the buyer and developer are told.
pub fn payone_error(err: PayoneError) -> AppError {
    let code = match &err {
        PayoneError::Timeout(_) => ErrorCode::UpstreamTimeout,
        PayoneError::NoStatus(_) => ErrorCode::UpstreamInvalid,
        PayoneError::Transport(_) | PayoneError::HttpStatus(_) => ErrorCode::UpstreamError,
        PayoneError::Declined { code, .. } => decline_code(code),
    };
    AppError::new(code, err.to_string())
}

/// PAYONE's Amazon error codes (reference §6) as the widget's error codes.
pub fn decline_code(payone_code: &str) -> ErrorCode {
    match payone_code {
        // The buyer can pick another instrument in Amazon Pay.
        "981" | "985" | "986" | "987" => ErrorCode::SoftDecline,
        "982" | "109" | "900" | "980" | "983" | "984" => ErrorCode::HardDecline,
        "923" => ErrorCode::Configuration,
        // No CV2 code for an expired checkout session is documented; the sandbox answers 101.
        "101" => ErrorCode::SessionExpired,
        _ => ErrorCode::UpstreamError,
    }
}

/// The stored checkout for `workorder_id`, refused when unknown or older than 24 hours.
pub fn live_checkout(state: &AppState, workorder_id: &str, lang: Language) -> Result<Checkout, AppError> {
    let checkout = state
        .store
        .checkout(workorder_id)?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown workorder {workorder_id:?}")).in_language(lang))?;
    if crate::store::now() - checkout.created_at > SESSION_LIFETIME_SECS {
        return Err(AppError::new(ErrorCode::SessionExpired, "the checkout session is older than 24 hours").in_language(lang));
    }
    Ok(checkout)
}

/// Sends a PAYONE request and records the exchange in the store, whatever its outcome.
pub async fn send_recorded(state: &AppState, action: &str, request: &PayoneRequest) -> Result<PayoneResponse, AppError> {
    send_recorded_raw(state, action, request).await?.map_err(payone_error)
}

/// Like [`send_recorded`], for an answer that is stored: `then` reads PAYONE's answer and gives what the
/// caller answers and the write that stores it, which goes into the store with the exchange's record in one
/// write job (one wait for the writer, not two). The record is kept when `then` or its write fails.
pub async fn send_recorded_then<T, W>(
    state: &AppState,
    action: &str,
    request: &PayoneRequest,
    then: impl FnOnce(&PayoneResponse) -> Result<(T, W), AppError>,
) -> Result<T, AppError>
where
    W: FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static,
{
    let result = state.payone.send(request).await;
    let call = upstream_call(action, request, &result);
    match result.map_err(payone_error).and_then(|response| then(&response)) {
        Ok((answer, write)) => {
            state.store.record_upstream_call_then(call, write).await?;
            Ok(answer)
        }
        Err(err) => {
            state.store.record_upstream_call_then(call, |_| Ok(())).await?;
            Err(err)
        }
    }
}

/// The store's record of one PAYONE exchange.
fn upstream_call(action: &str, request: &PayoneRequest, result: &Result<PayoneResponse, PayoneError>) -> UpstreamCall {
    let (answer, outcome) = match result {
        Ok(r) => (r.to_body(), r.status().unwrap_or("?").to_owned()),
        Err(e) => (String::new(), e.to_string()),
    };
    UpstreamCall::new("payone", action, &request.redacted(), &answer, &outcome)
}

/// Like [`send_recorded`], but hands back PAYONE's own error (its `errorcode`) for flows that tell the codes
/// apart (CV1's 980–987). The outer error is the store's.
pub async fn send_recorded_raw(
    state: &AppState,
    action: &str,
    request: &PayoneRequest,
) -> Result<Result<PayoneResponse, PayoneError>, AppError> {
    let result = state.payone.send(request).await;
    let call = upstream_call(action, request, &result);
    state.store.record_upstream_call_then(call, |_| Ok(())).await?;
    Ok(result)
}
