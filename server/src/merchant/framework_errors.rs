//! The merchant API's errors are JSON, also the two the router and the body extractor answer by themselves:
//! a wrong method (`405`, empty) and a body over the limit (`413`, plain text). A back office that reads
//! `code` on every refusal would otherwise find none.

use super::MerchantError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Rewrites a `405` or `413` that is not JSON as the API's JSON error.
pub(super) async fn as_json(response: Response) -> Response {
    let json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return response;
    }
    match response.status() {
        // The router adds `Allow` after this layer ran, to this answer too.
        StatusCode::METHOD_NOT_ALLOWED => MerchantError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This route does not take that method: the Allow header names the one it takes (see docs/merchant-api.md).",
        )
        .into_response(),
        StatusCode::PAYLOAD_TOO_LARGE => MerchantError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("The body is larger than the merchant API takes ({} KiB); nothing was done.", super::BODY_LIMIT / 1024),
        )
        .into_response(),
        _ => response,
    }
}
