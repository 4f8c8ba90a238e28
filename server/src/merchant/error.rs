//! The merchant API's errors: an HTTP status and a JSON body `{"code": "...", "message": "..."}`, a stable
//! code for programs and a sentence for the person reading the log, like the buyer API's errors.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A refusal or failure of the merchant API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable, for programs: `amount_exceeds_authorized`, ...
    pub code: &'static str,
    /// A sentence for the person reading the log.
    pub message: String,
}

impl MerchantError {
    /// Any status.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        MerchantError { status, code, message: message.into() }
    }
    /// 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
    /// 401 (answered with `WWW-Authenticate: Bearer`).
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
    /// 403.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
    /// 409: the order is not in a state for this.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    /// 422: the request is well-formed but asks for too much.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"code": self.code, "message": self.message})
    }
}

impl IntoResponse for MerchantError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, detail = %self.message, "merchant API request failed");
        } else {
            tracing::info!(code = self.code, detail = %self.message, "merchant API request refused");
        }
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<crate::store::StoreError> for MerchantError {
    fn from(err: crate::store::StoreError) -> Self {
        MerchantError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("The order store failed: {err}"))
    }
}
