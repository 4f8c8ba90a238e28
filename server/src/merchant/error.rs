//! The merchant API's errors: an HTTP status and a JSON body `{"code": "...", "message": "..."}`, a stable
//! code for programs and a sentence for the person reading the log, like the buyer API's errors.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl MerchantError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        MerchantError { status, code, message: message.into() }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"code": self.code, "message": self.message})
    }
}

impl IntoResponse for MerchantError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "merchant API request failed");
        } else {
            tracing::info!(code = self.code, message = %self.message, "merchant API request refused");
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
