//! The merchant API under `/merchant/api/`: orders listed and shown as the shop's systems need them, and
//! capture, refund and cancel through PAYONE, each with an `Idempotency-Key`; the webhook outbox read and sent
//! now (`webhooks.rs`).
//!
//! Server to server only: `Authorization: Bearer <key>` (keys from `--merchant-api-keys`, compared in
//! constant time), no CORS, and a browser request from another site is refused before anything runs. An
//! address that sent too many wrong keys is refused (429) for a while, right key or not (`key_attempts.rs`).
//! Without a key configured every route answers 404.

mod action;
mod amazon_money;
pub mod dashboard;
pub mod duplicates;
mod error;
mod framework_errors;
mod money;
mod orders;
mod query;
mod timeline;
mod webhooks;

pub use error::MerchantError;
use query::query_pairs;

use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Where the merchant API lives.
pub const PREFIX: &str = "/merchant/api";

/// The largest request body taken (a money action's body is a few dozen bytes).
const BODY_LIMIT: usize = 16 * 1024;

/// The merchant API's routes (every one answers 404 when no key is configured).
pub fn router(state: &AppState) -> Router<AppState> {
    if state.config.merchant.api_keys.is_empty() {
        return Router::new().route(PREFIX, any(not_enabled)).route(&format!("{PREFIX}/{{*rest}}"), any(not_enabled));
    }
    Router::new()
        .route(&format!("{PREFIX}/orders"), get(orders::list))
        .route(&format!("{PREFIX}/orders/{{id}}"), get(orders::show))
        .route(&format!("{PREFIX}/orders/{{id}}/timeline"), get(timeline::show))
        .route(&format!("{PREFIX}/orders/{{id}}/capture"), post(money::capture))
        .route(&format!("{PREFIX}/orders/{{id}}/refund"), post(money::refund))
        .route(&format!("{PREFIX}/orders/{{id}}/cancel"), post(money::cancel))
        .route(&format!("{PREFIX}/webhooks/deliveries"), get(webhooks::deliveries))
        .route(&format!("{PREFIX}/webhooks/send-now"), post(webhooks::send_now))
        .route(PREFIX, any(unknown_route))
        .route(&format!("{PREFIX}/{{*rest}}"), any(unknown_route))
        .layer(axum::middleware::map_response(framework_errors::as_json))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(crate::security::no_store_layer())
}

async fn not_enabled() -> MerchantError {
    MerchantError::not_found("not_enabled", "The merchant API is off: start the server with --merchant-api-keys to use it.")
}

async fn unknown_route() -> MerchantError {
    MerchantError::not_found("unknown_route", "There is no such merchant API route (see docs/merchant-api.md).")
}

/// The client's address as the limit counts it: the TCP peer, or what trusted proxies say (`client_ip.rs`, the
/// rule PAYONE's sender check follows). A request without a peer (none comes from the listener) counts as one
/// unknown address.
fn client(request: &Request, state: &AppState) -> IpAddr {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    crate::client_ip::client_ip(peer, request.headers(), &state.config.ops.trusted_proxies)
}

/// 429 with `Retry-After` when `client` has sent too many wrong keys lately; `None` lets the request on.
pub(crate) fn refuse_if_limited(state: &AppState, client: IpAddr) -> Option<Response> {
    let wait = state.key_attempts.refused(client, Instant::now())?;
    crate::telemetry::metrics::merchant_key_limit("refused");
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = MerchantError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("Too many wrong merchant API keys from this address; try again in {seconds} s."),
    )
    .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    Some(response)
}

/// The dashboard's files for an address that is not refused ([`refuse_if_limited`]).
pub(crate) async fn limit_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match refuse_if_limited(&state, client(&request, &state)) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

/// Refuses other sites' browser requests, addresses past the wrong-key limit, then requests without a valid key.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        // Same-origin pages only: no other site is ever allowed here, whatever --allowed-origins says.
        if !crate::security::origin_allowed(origin, host, &state.public_url, &[]) {
            tracing::info!(origin, "merchant API: cross-origin request refused");
            return MerchantError::forbidden("cross_origin", "The merchant API is for servers; browsers on other sites may not call it.")
                .into_response();
        }
    }
    let client = client(&request, &state);
    if let Some(refused) = refuse_if_limited(&state, client) {
        return refused;
    }
    let authorization = headers.get(header::AUTHORIZATION);
    let Some(presented) = authorization.and_then(|v| v.to_str().ok()).and_then(bearer_token) else {
        return MerchantError::unauthorized("missing_api_key", missing_key_message(authorization.is_some(), headers)).into_response();
    };
    if !key_matches(&state.config.merchant.api_keys, presented) {
        if state.key_attempts.failed(client, Instant::now()) {
            tracing::warn!(
                %client,
                limit = state.key_attempts.limit(),
                window_s = state.key_attempts.window().as_secs(),
                "merchant API: too many wrong keys from one address; refused until its window passes"
            );
            crate::telemetry::metrics::merchant_key_limit("limited");
        }
        return MerchantError::unauthorized("invalid_api_key", INVALID_KEY_MESSAGE).into_response();
    }
    next.run(request).await
}

/// What to send and where the keys are set, shared by every 401 (docs/merchant-api.md, "Access").
const SEND_THE_KEY: &str = "Send the key as Authorization: Bearer <key>; the server's keys are set with --merchant-api-keys \
     (AMAZON_PAY_MERCHANT_API_KEYS).";

/// A key that is none of the server's: the same sentence for every wrong key, so it tells nothing about them.
const INVALID_KEY_MESSAGE: &str = "The Bearer key sent is none of the server's keys (a typo, another shop's key, or one removed \
     after a rotation). Send the key as Authorization: Bearer <key>; the server's keys are set with \
     --merchant-api-keys (AMAZON_PAY_MERCHANT_API_KEYS).";

/// Which of the ways of not sending a key it was: no header, another scheme, or the key in a header not read.
fn missing_key_message(has_authorization: bool, headers: &axum::http::HeaderMap) -> String {
    let what = if has_authorization {
        "The Authorization header is not Bearer <key> (another scheme, or no key after Bearer)."
    } else if headers.contains_key("x-api-key") {
        "There is no Authorization header; X-Api-Key is not read."
    } else {
        "There is no Authorization header."
    };
    format!("{what} {SEND_THE_KEY}")
}

/// The token of an `Authorization: Bearer <token>` value. The scheme's case does not matter (RFC 9110 §11.1:
/// some clients send `bearer`); `None` for another scheme or no token.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether `presented` is one of `keys`. Digests of equal length compared in constant time, every key
/// compared: neither the length nor the position of a match shows in the time taken.
pub fn key_matches(keys: &[String], presented: &str) -> bool {
    let presented = Sha256::digest(presented.as_bytes());
    let mut found = subtle::Choice::from(0);
    for key in keys {
        found |= Sha256::digest(key.as_bytes()).ct_eq(&presented);
    }
    found.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case_and_nothing_else_is() {
        assert_eq!(bearer_token("Bearer k-123"), Some("k-123"));
        assert_eq!(bearer_token("bearer k-123"), Some("k-123"));
        assert_eq!(bearer_token("BEARER   k-123 "), Some("k-123"));
        assert_eq!(bearer_token("Basic bWVyY2hhbnQ6aw=="), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerk-123"), None);
    }

    #[test]
    fn keys_match_exactly() {
        let keys = vec!["a".repeat(32), "b".repeat(40)];
        assert!(key_matches(&keys, &"a".repeat(32)));
        assert!(key_matches(&keys, &"b".repeat(40)));
        assert!(!key_matches(&keys, &"a".repeat(31)));
        assert!(!key_matches(&keys, &"a".repeat(33)));
        assert!(!key_matches(&keys, ""));
        assert!(!key_matches(&[], &"a".repeat(32)));
    }
}
