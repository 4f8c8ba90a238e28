//! What every PAYONE flow of the API shares (CV2, CV1, APB): sending a request and recording the exchange,
//! mapping PAYONE's errors, the stored checkout's lifetime, and reading PAYONE's address fields. A module of
//! its own so no flow borrows from another.

use crate::error::AppError;
pub use crate::payone::decline_code;
use crate::payone::{PayoneError, PayoneRequest, PayoneResponse};
use crate::state::AppState;
use crate::store::db::Conn;
use crate::store::{Checkout, Durability, UpstreamCall};
use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_contract::{ErrorCode, Language};
use serde::Deserialize;

/// Amazon's checkout sessions are valid for 24 hours.
pub const SESSION_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// `?lang=de` on GET requests.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    /// The `lang` query parameter.
    pub lang: Option<String>,
}

impl LangQuery {
    /// The requested language, or the default when absent or unknown.
    pub fn language(&self) -> Language {
        self.lang.as_deref().and_then(|l| l.parse().ok()).unwrap_or_default()
    }
}

/// An address from PAYONE's `add_paydata[<prefix>_*]` fields; `None` when it has no street or last name.
pub(crate) fn address(response: &PayoneResponse, prefix: &str) -> Option<PostalAddress> {
    let field = |name: &str| {
        response
            .paydata(&format!("{prefix}_{name}"))
            .map(str::trim)
            // PAYONE sends the literal `Empty` for missing CV1 states.
            .filter(|v| *v != "Empty")
            .unwrap_or_default()
            .to_owned()
    };
    let address = PostalAddress {
        first_name: field("firstname"),
        last_name: field("lastname"),
        company: field("company"),
        street: field("street"),
        addition: field("addressaddition"),
        zip: field("zip"),
        city: field("city"),
        state: field("state"),
        country: field("country"),
        phone: field("telephonenumber"),
    };
    (!address.street.is_empty() || !address.last_name.is_empty()).then_some(address)
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

/// The stored checkout for `workorder_id`, refused when unknown or older than 24 hours.
pub fn live_checkout(state: &AppState, workorder_id: &str, lang: Language) -> Result<Checkout, AppError> {
    still_live(state.store.checkout(workorder_id)?, workorder_id, lang)
}

/// [`live_checkout`]'s checks on a checkout read already (`found`, the read of `workorder_id`).
pub fn still_live(found: Option<Checkout>, workorder_id: &str, lang: Language) -> Result<Checkout, AppError> {
    let checkout = found.ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown workorder {workorder_id:?}")).in_language(lang))?;
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
    W: FnOnce(&Conn<'_>) -> crate::store::db::Result<()> + Send + 'static,
{
    send_recorded_as(state, Durability::Committed, action, request, then).await
}

/// Like [`send_recorded_then`] for the call that opens a new checkout session, stored with the session as
/// [`Durability::Session`]: not money, and the buyer clicks again when it is lost.
pub async fn send_recorded_session<T, W>(
    state: &AppState,
    action: &str,
    request: &PayoneRequest,
    then: impl FnOnce(&PayoneResponse) -> Result<(T, W), AppError>,
) -> Result<T, AppError>
where
    W: FnOnce(&Conn<'_>) -> crate::store::db::Result<()> + Send + 'static,
{
    send_recorded_as(state, Durability::Session, action, request, then).await
}

async fn send_recorded_as<T, W>(
    state: &AppState,
    durability: Durability,
    action: &str,
    request: &PayoneRequest,
    then: impl FnOnce(&PayoneResponse) -> Result<(T, W), AppError>,
) -> Result<T, AppError>
where
    W: FnOnce(&Conn<'_>) -> crate::store::db::Result<()> + Send + 'static,
{
    let result = timed_send(state, action, request).await;
    let call = upstream_call(action, request, &result);
    match result.map_err(payone_error).and_then(|response| then(&response)) {
        Ok((answer, write)) => {
            state.store.record_upstream_call_as(durability, call, write).await?;
            Ok(answer)
        }
        Err(err) => {
            state.store.record_upstream_call_as(durability, call, |_| Ok(())).await?;
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
pub async fn send_recorded_raw(state: &AppState, action: &str, request: &PayoneRequest) -> Result<Result<PayoneResponse, PayoneError>, AppError> {
    let result = timed_send(state, action, request).await;
    let call = upstream_call(action, request, &result);
    state.store.record_upstream_call_then(call, |_| Ok(())).await?;
    Ok(result)
}

/// [`PayoneClient::send`](crate::payone::PayoneClient::send), counted and timed for the metrics.
async fn timed_send(state: &AppState, action: &str, request: &PayoneRequest) -> Result<PayoneResponse, PayoneError> {
    let started = std::time::Instant::now();
    let result = state.payone.send(request).await;
    let outcome = match &result {
        // PAYONE's status words; anything else is one label, so an odd answer cannot multiply the series.
        Ok(r) => match r.status().unwrap_or("") {
            s @ ("APPROVED" | "REDIRECT" | "PENDING" | "ERROR" | "INVALID" | "OK") => s.to_ascii_lowercase(),
            _ => "other".to_owned(),
        },
        Err(_) => "failed".to_owned(),
    };
    crate::telemetry::metrics::upstream_call("payone", action, &outcome, started.elapsed());
    result
}
