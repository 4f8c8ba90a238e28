//! Calls to the merchant API of this origin with the tab's key (`Authorization: Bearer`), answers read into
//! the contract's types, refusals turned into sentences for the merchant.

use amazon_pay_contract::merchant::MerchantApiError;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call gave no answer to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 401: the key is wrong (or was revoked).
    InvalidKey,
    /// The API refused, with its code and sentence.
    Refused { status: u16, code: String, message: String },
    /// No answer (network, server down).
    Unreachable(String),
    /// An answer this dashboard cannot read (another server version?).
    Unreadable(String),
    /// The browser gave no random numbers for an Idempotency-Key (no `crypto.getRandomValues`): nothing was sent.
    NoRandom,
}

impl ApiError {
    /// What the merchant reads.
    pub(crate) fn sentence(&self) -> String {
        match self {
            ApiError::InvalidKey => "That key is not a merchant API key of this shop. Check it (it is set with --merchant-api-keys) and sign in again.".into(),
            ApiError::Refused { code, message, .. } => refusal_sentence(code, message),
            ApiError::Unreachable(why) => format!("The server did not answer ({why}). Check the connection and try again."),
            ApiError::NoRandom => {
                "This browser gave no random numbers for the action's Idempotency-Key (crypto.getRandomValues), so nothing was sent. Use another browser.".into()
            }
            ApiError::Unreadable(why) => format!("The server's answer could not be read ({why}). Reload the page; if it stays, the dashboard and the server may be of different versions."),
        }
    }

    /// Whether sending the same request again (with the same Idempotency-Key) is the way forward.
    pub(crate) fn retry_may_help(&self) -> bool {
        match self {
            ApiError::Unreachable(_) => true,
            ApiError::Refused { code, .. } => code == "payone_unavailable" || code == "amazon_unavailable" || code == "internal",
            _ => false,
        }
    }
}

/// The merchant-facing sentence for a refusal: what happened and what to do.
fn refusal_sentence(code: &str, message: &str) -> String {
    let what = match code {
        "amount_exceeds_authorized" => "That is more than is left to capture.",
        "amount_exceeds_captured" => "That is more than was captured and not yet refunded.",
        "invalid_amount" => "The amount must be a positive amount of the order's currency.",
        "not_captured" => "Nothing was captured yet, so there is nothing to refund. To release the authorization, cancel the order.",
        "already_captured" => {
            "Everything authorized is already captured (Amazon Pay may capture with the authorization); nothing was sent. To give money back, refund."
        }
        "amazon_refused" => "Amazon Pay refused it; nothing was moved.",
        "capture_needs_new_charge" => {
            "Amazon Pay captures an order's charge once, and part of it was captured already; nothing was sent. Cancel releases the rest."
        }
        "charge_not_capturable" => {
            "Amazon Pay cannot capture this charge (cancelled or expired there); nothing was captured. See the charge in Seller Central."
        }
        "amazon_unavailable" => {
            "Amazon Pay did not answer; it is not known whether money moved. Try again: the retry is recognised and moves money at most once."
        }
        "nothing_to_capture" => "Nothing is left to capture: the order is fully captured or was cancelled.",
        "nothing_to_release" => "Nothing is left to release: the order is fully captured or already cancelled.",
        "nothing_to_refund" => "Everything captured has already been refunded.",
        "not_authorized" => "The order is not authorized (declined, pending or failed), so no money can be moved.",
        "managed_by_crm" => "This order's money is handled in CheckoutChamp: capture, refund or cancel it there.",
        "order_not_found" => "There is no such order.",
        "payone_refused" => "PAYONE refused it; nothing was moved.",
        "payone_unavailable" => {
            "PAYONE did not answer; it is not known whether money moved. Try again: the retry is recognised and moves money at most once."
        }
        "lost_call_pending" => "An earlier action's answer from PAYONE was lost and PAYONE has not said yet whether it moved money. Nothing was sent; try again in a minute.",
        "idempotency_key_reused" => "This confirmation was already used for another request. Start the action again.",
        "cross_origin" => "The request came from another site and was refused.",
        "invalid_filter" | "invalid_cursor" | "invalid_query" => "The filters could not be used.",
        "webhooks_not_configured" => "This server sends no webhooks (--webhook-url and --webhook-secret are not set): nothing waits.",
        "unknown_webhook_url" => "That URL is no longer one of the configured webhook URLs; reload the page.",
        _ => "The server refused the request.",
    };
    format!("{what} ({message})")
}

/// GET `path` as `T`.
pub(crate) async fn get<T: DeserializeOwned>(key: &str, path: &str) -> Result<T, ApiError> {
    let text = send("GET", path, key, None, None).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unreadable(e.to_string()))
}

/// POST `body` to `path` with an Idempotency-Key, as `T`.
pub(crate) async fn post<T: DeserializeOwned>(key: &str, path: &str, body: &str, idempotency_key: &str) -> Result<T, ApiError> {
    let text = send("POST", path, key, Some(body), Some(idempotency_key)).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unreadable(e.to_string()))
}

/// POST `body` to `path` without an Idempotency-Key (a call that is idempotent by itself), as `T`.
pub(crate) async fn post_plain<T: DeserializeOwned>(key: &str, path: &str, body: &str) -> Result<T, ApiError> {
    let text = send("POST", path, key, Some(body), None).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unreadable(e.to_string()))
}

fn js_error(value: JsValue) -> String {
    value.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| value.as_string()).unwrap_or_else(|| "no details".into())
}

async fn send(method: &str, path: &str, key: &str, body: Option<&str>, idempotency_key: Option<&str>) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::Unreachable("no window".into()))?;
    let headers = web_sys::Headers::new().map_err(|e| ApiError::Unreachable(js_error(e)))?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| ApiError::Unreachable(js_error(e)));
    set("authorization", &format!("Bearer {key}"))?;
    set("accept", "application/json")?;
    if let Some(idempotency_key) = idempotency_key {
        set("idempotency-key", idempotency_key)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        set("content-type", "application/json")?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(|e| ApiError::Unreachable(js_error(e)))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| ApiError::Unreadable("not a response".into()))?;
    let text =
        JsFuture::from(response.text().map_err(|e| ApiError::Unreadable(js_error(e)))?).await.map_err(|e| ApiError::Unreachable(js_error(e)))?;
    let text = text.as_string().unwrap_or_default();
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(text);
    }
    if status == 401 {
        return Err(ApiError::InvalidKey);
    }
    match serde_json::from_str::<MerchantApiError>(&text) {
        Ok(err) => Err(ApiError::Refused { status, code: err.code, message: err.message }),
        Err(_) => Err(ApiError::Refused { status, code: String::new(), message: format!("HTTP {status}") }),
    }
}

/// A new Idempotency-Key: one per confirmed action, kept for its retries. 128 bits from
/// `crypto.getRandomValues` as 32 hex digits (the API takes 8 to 64 of `[A-Za-z0-9_-]`): not
/// `crypto.randomUUID`, which only secure contexts have (the dashboard on plain HTTP under a name other than
/// localhost is not one), and no guessable fallback.
pub(crate) fn new_idempotency_key() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        return Err(ApiError::NoRandom);
    }
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
