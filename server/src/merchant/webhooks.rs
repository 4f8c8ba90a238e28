//! The webhook outbox for the merchant: `GET /merchant/api/webhooks/deliveries` lists what waits (or was
//! given up) per URL, and `POST /merchant/api/webhooks/send-now`, after a receiver's outage, makes every
//! delivery waiting for its next retry (up to a day away) due now, instead of each waiting its turn; optionally
//! only those to one URL. Idempotent (a second call finds them due) and safe with several instances
//! (`webhooks::send_now`).

use super::MerchantError;
use crate::state::AppState;
use crate::store::outbox::OutboxState;
use amazon_pay_contract::merchant::WebhookOutbox;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// Deliveries listed when `limit` is not given, and the most one answer holds.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;

/// The optional body: which URL (as configured, or as the API and the logs show it, secrets redacted).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    url: Option<String>,
}

/// The webhook URLs, refused when webhooks are off (only outside the sandbox, which has its own receiver).
fn configured(merchant: &crate::config::merchant::MerchantConfig) -> Result<&[String], MerchantError> {
    if !merchant.webhooks_enabled() {
        return Err(MerchantError::conflict(
            "webhooks_not_configured",
            "No webhooks are configured (--webhook-url and --webhook-secret, or AMAZON_PAY_WEBHOOK_URLS and AMAZON_PAY_WEBHOOK_SECRET): nothing waits to be sent.",
        ));
    }
    Ok(&merchant.webhook_urls)
}

/// The configured URLs `ask` names: all of them without a `url`.
fn chosen(configured: &[String], body: &[u8]) -> Result<Vec<String>, MerchantError> {
    let ask: Ask = if body.iter().all(u8::is_ascii_whitespace) {
        Ask::default()
    } else {
        serde_json::from_slice(body).map_err(|_| MerchantError::bad_request("invalid_body", "The body must be empty or {\"url\": \"…\"}."))?
    };
    match ask.url {
        Some(url) => named(configured, &url),
        None => Ok(configured.to_vec()),
    }
}

/// The configured URLs that are `url`, as configured or as shown (secrets redacted).
fn named(configured: &[String], url: &str) -> Result<Vec<String>, MerchantError> {
    let found = crate::config::merchant::configured_named(configured, url);
    if found.is_empty() {
        return Err(MerchantError::not_found(
            "unknown_webhook_url",
            "That URL is not one of the configured webhook URLs (--webhook-url, AMAZON_PAY_WEBHOOK_URLS).",
        ));
    }
    Ok(found)
}

/// What `GET …/webhooks/deliveries` asks for.
#[derive(Debug, PartialEq, Eq)]
struct OutboxAsk {
    state: OutboxState,
    urls: Vec<String>,
    limit: usize,
}

/// `state` (`pending`, the default, or `failed`), `url` (one configured URL, as configured or shown) and
/// `limit` (1 to 100, default 50); anything else, or a name given twice, is refused.
fn outbox_ask(configured: &[String], query: Option<&str>) -> Result<OutboxAsk, MerchantError> {
    let pairs = super::query_pairs(query, "invalid_query", "each takes one value")?;
    let mut ask = OutboxAsk { state: OutboxState::Pending, urls: configured.to_vec(), limit: DEFAULT_LIMIT };
    for (name, value) in &pairs {
        match name.as_str() {
            "state" => {
                ask.state = OutboxState::parse(value)
                    .ok_or_else(|| MerchantError::bad_request("invalid_query", format!("state {value:?} is not one of pending, failed.")))?;
            }
            "url" => ask.urls = named(configured, value)?,
            "limit" => {
                ask.limit = value.parse::<usize>().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
                    MerchantError::bad_request("invalid_query", format!("limit must be an integer from 1 to {MAX_LIMIT}, got {value:?}."))
                })?;
            }
            other => {
                return Err(MerchantError::bad_request("invalid_query", format!("{other:?} is not a parameter here: state, url and limit are.")))
            }
        }
    }
    Ok(ask)
}

/// `GET /merchant/api/webhooks/deliveries`: each configured URL's waiting and failed deliveries, and the
/// deliveries in `state`, next due first (docs/merchant-api.md).
pub(super) async fn deliveries(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<WebhookOutbox>, MerchantError> {
    let configured = configured(&state.config.merchant)?;
    let ask = outbox_ask(configured, query.as_deref())?;
    Ok(Json(state.store.webhook_outbox(configured, &ask.urls, ask.state, ask.limit)?))
}

/// `POST /merchant/api/webhooks/send-now`: `{"object": "webhook_send_now", "made_due": n, "pending": m}`.
pub(super) async fn send_now(State(state): State<AppState>, body: Bytes) -> Result<Json<Value>, MerchantError> {
    let merchant = &state.config.merchant;
    let urls = chosen(configured(merchant)?, &body)?;
    let done = crate::webhooks::send_now(&state.store, merchant, urls).await?;
    Ok(Json(json!({"object": "webhook_send_now", "made_due": done.made_due, "pending": done.pending})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_webhooks_there_is_nothing_to_send() {
        let mut merchant =
            crate::config::merchant::MerchantConfig { webhook_urls: vec!["https://shop.example/hook".to_owned()], ..Default::default() };
        assert_eq!(configured(&merchant).unwrap_err().code, "webhooks_not_configured", "a URL without its secret sends nothing");
        merchant.webhook_secret = Some("s".repeat(32));
        assert_eq!(configured(&merchant).unwrap(), ["https://shop.example/hook"]);
        merchant.webhook_urls.clear();
        assert_eq!(configured(&merchant).unwrap_err().status, axum::http::StatusCode::CONFLICT);
    }

    #[test]
    fn the_body_names_a_configured_url_or_none() {
        let configured = ["https://shop.example/hook?token=s3cret".to_owned(), "https://crm.example/in".to_owned()];
        assert_eq!(chosen(&configured, b"").unwrap(), configured);
        assert_eq!(chosen(&configured, b" {} ").unwrap(), configured);
        assert_eq!(chosen(&configured, br#"{"url":"https://crm.example/in"}"#).unwrap(), ["https://crm.example/in"]);
        // As the API and the logs show it, the token redacted.
        let shown = crate::config::merchant::url_shown(&configured[0]);
        assert_ne!(shown, configured[0]);
        assert_eq!(chosen(&configured, format!(r#"{{"url":"{shown}"}}"#).as_bytes()).unwrap(), [configured[0].clone()]);
        assert_eq!(chosen(&configured, br#"{"url":"https://elsewhere.example/"}"#).unwrap_err().code, "unknown_webhook_url");
        for bad in [&b"not json"[..], br#"{"urls":[]}"#, b"[1]", br#"{"url":5}"#] {
            assert_eq!(chosen(&configured, bad).unwrap_err().code, "invalid_body", "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_outbox_query_names_a_state_a_configured_url_and_a_limit_or_is_refused() {
        let configured = ["https://shop.example/hook?token=s3cret".to_owned(), "https://crm.example/in".to_owned()];
        let all = OutboxAsk { state: OutboxState::Pending, urls: configured.to_vec(), limit: DEFAULT_LIMIT };
        assert_eq!(outbox_ask(&configured, None).unwrap(), all);
        assert_eq!(outbox_ask(&configured, Some("")).unwrap(), all);
        let shown = crate::config::merchant::url_shown(&configured[0]);
        let query = format!("state=failed&limit=100&url={}", js_encode(&shown));
        assert_eq!(
            outbox_ask(&configured, Some(&query)).unwrap(),
            OutboxAsk { state: OutboxState::Failed, urls: vec![configured[0].clone()], limit: 100 }
        );
        for bad in ["state=delivered", "state=", "limit=0", "limit=101", "limit=x", "cursor=1", "state=pending&state=failed", "%zz=1"] {
            let err = outbox_ask(&configured, Some(bad)).unwrap_err();
            assert_eq!((err.status, err.code), (axum::http::StatusCode::BAD_REQUEST, "invalid_query"), "{bad}");
            assert!(err.message.len() > 10, "a sentence: {}", err.message);
        }
        assert_eq!(outbox_ask(&configured, Some("url=https%3A%2F%2Felsewhere.example%2F")).unwrap_err().code, "unknown_webhook_url");
    }

    /// `text` percent-encoded for a query string.
    fn js_encode(text: &str) -> String {
        serde_urlencoded::to_string([("v", text)]).unwrap().trim_start_matches("v=").to_owned()
    }
}
