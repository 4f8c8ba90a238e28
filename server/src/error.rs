//! One error type for every handler, mapped to an HTTP response in one place.

use amazon_pay_contract::{ApiError, ErrorCode, Language};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A handler failure: what kind, the buyer's language, and the cause for the log and the developer.
#[derive(Debug)]
pub struct AppError {
    /// The code.
    pub code: ErrorCode,
    /// The language.
    pub language: Language,
    /// The detail.
    pub detail: String,
    /// A more precise sentence for the buyer than the code's own (already in their language).
    pub message: Option<&'static str>,
}

impl AppError {
    /// An error of kind `code`; `detail` is for the log and the developer.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError { code, language: Language::default(), detail: detail.into(), message: None }
    }

    /// The same error, told to the buyer in `language`.
    pub fn in_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The same error, with `message` shown to the buyer instead of the code's general sentence.
    pub fn with_message(mut self, message: &'static str) -> Self {
        self.message = Some(message);
        self
    }

    fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::SessionExpired => StatusCode::GONE,
            ErrorCode::SoftDecline | ErrorCode::HardDecline | ErrorCode::ConsentRequired => StatusCode::PAYMENT_REQUIRED,
            ErrorCode::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::UpstreamInvalid | ErrorCode::UpstreamError => StatusCode::BAD_GATEWAY,
            ErrorCode::Configuration | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            // Not a 5xx: a balancer must not count a healthy instance as failed because a checkout's lock
            // stayed taken (store/leases.rs).
            ErrorCode::Busy => StatusCode::CONFLICT,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = ?self.code, detail = %self.detail, "request failed");
        } else {
            tracing::info!(code = ?self.code, detail = %self.detail, "request refused");
        }
        let body = ApiError {
            code: self.code,
            message: self.message.unwrap_or_else(|| self.code.buyer_message(self.language)).to_owned(),
            detail: Some(self.detail),
        };
        (status, Json(body)).into_response()
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        let code = match err {
            crate::store::StoreError::Busy(_) => ErrorCode::Busy,
            _ => ErrorCode::Internal,
        };
        AppError::new(code, format!("order store: {err}"))
    }
}
