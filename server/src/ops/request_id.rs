//! Request ids: every request gets one, in the `x-request-id` response header and on every log line it
//! causes (the `request` span's `id` field; upstream calls run inside the handler, so inside the span).
//! A caller's `x-request-id` is taken only from a trusted proxy (`--trusted-proxies`): anyone else could
//! otherwise forge ids to confuse the logs. The span's `path` is the route's template
//! (`/api/cv2/sessions/{workorder_id}`), not the request's: the ids in API paths read a buyer's details.

use crate::state::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::time::Instant;
use tracing::Instrument;

/// The header, in and out.
pub const HEADER: &str = "x-request-id";

/// A proxy's id longer than this, or with other characters than `[A-Za-z0-9._:-]`, is replaced.
const MAX_LEN: usize = 128;

/// The request's id, as an extension handlers may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The middleware.
pub async fn assign(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let trusted = peer.is_some_and(|ip| crate::sender_range::in_any(&state.config.ops.trusted_proxies, ip));
    let given = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).filter(|v| well_formed(v));
    let id = match (trusted, given) {
        (true, Some(given)) => given.to_owned(),
        _ => fresh(),
    };
    request.extensions_mut().insert(RequestId(id.clone()));
    // A checkout's id (or Amazon's checkout session id) reads the buyer's name and address for a day: logged
    // by its route's template. A path no route matched is a page file's, and has no such id.
    let path = match request.extensions().get::<MatchedPath>() {
        Some(route) => route.as_str().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %path);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    // A probe that passes is the one line nobody reads: at debug level (a readiness probe every 2 s would be
    // most of the log). One that fails is logged like any answer.
    let passing_probe = matches!(path.as_str(), amazon_pay_contract::routes::HEALTHZ | super::READYZ) && response.status().is_success();
    span.in_scope(|| {
        let (status, ms) = (response.status().as_u16(), started.elapsed().as_millis() as u64);
        if passing_probe {
            tracing::debug!(status, ms, "request finished");
        } else {
            tracing::info!(status, ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

fn well_formed(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

/// 128 random bits, hex.
fn fresh() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_short_ids_are_taken() {
        assert!(well_formed("req-1.2:3_x"));
        assert!(!well_formed(""));
        assert!(!well_formed("a b"));
        assert!(!well_formed("a\"b"));
        assert!(!well_formed(&"a".repeat(129)));
        assert_eq!(fresh().len(), 32);
        assert_ne!(fresh(), fresh());
    }
}
