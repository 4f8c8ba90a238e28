//! `POST /merchant/api/webhooks/send-now`: after a receiver's outage, every delivery waiting for its next
//! retry (up to a day away) is made due now, instead of each waiting its turn; optionally only those to one
//! URL. Idempotent (a second call finds them due) and safe with several instances (`webhooks::send_now`).

use super::MerchantError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

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
            "No webhooks are configured (--webhook-urls and --webhook-secret): nothing waits to be sent.",
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
    let Some(url) = ask.url else { return Ok(configured.to_vec()) };
    let found: Vec<String> = configured.iter().filter(|c| **c == url || crate::config::merchant::url_shown(c) == url).cloned().collect();
    if found.is_empty() {
        return Err(MerchantError::not_found("unknown_webhook_url", "That URL is not one of the configured webhook URLs (--webhook-urls)."));
    }
    Ok(found)
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
}
