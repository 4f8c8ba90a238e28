//! One error type for every handler, mapped to an HTTP response in one place.

use amazon_pay_contract::{ApiError, ErrorCode, Language};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A handler failure: what kind, the buyer's language, and the cause for the log (and, on a 4xx, for the
/// shop's developer: on a 5xx the cause is an upstream's text or a database error, which stays in the log).
#[derive(Debug)]
pub struct AppError {
    /// The code.
    pub code: ErrorCode,
    /// The language.
    pub language: Language,
    /// The cause: always logged; in the answer only when it is a 4xx (what the caller did wrong).
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
        let detail = if status.is_server_error() {
            // Upstream texts, database errors, configuration: for the operator, never for the browser.
            tracing::error!(code = self.code.as_str(), detail = %self.detail, "request failed");
            None
        } else {
            tracing::info!(code = self.code.as_str(), detail = %self.detail, "request refused");
            Some(self.detail)
        };
        let body = ApiError { code: self.code, message: self.message.unwrap_or_else(|| self.code.buyer_message(self.language)).to_owned(), detail };
        (status, Json(body)).into_response()
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            // The first request may be charging the buyer right now: its outcome is the order's.
            crate::store::StoreError::Busy(_) => AppError::new(
                ErrorCode::Busy,
                format!(
                    "another request of this checkout is still being placed ({err}); its outcome decides the order: \
                     retry with the same idempotency key or read the order's status, never place it with a new key"
                ),
            ),
            _ => AppError::new(ErrorCode::Internal, format!("order store: {err}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{leases::LeaseBusy, StoreError};

    async fn body(response: Response) -> (StatusCode, ApiError) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024).await.expect("a body");
        (status, serde_json::from_slice(&bytes).expect("an error body"))
    }

    #[tokio::test]
    async fn a_lock_that_stayed_taken_is_a_409_that_promises_nothing_about_a_charge() {
        let err = AppError::from(StoreError::Busy(LeaseBusy("checkout:WO1".into()))).in_language(Language::De);
        let (status, body) = body(err.into_response()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body.code, ErrorCode::Busy);
        assert_eq!(body.message, ErrorCode::Busy.buyer_message(Language::De));
        assert!(!body.message.contains("nichts belastet"), "{}", body.message);
        let detail = body.detail.expect("a detail for the developer");
        assert!(detail.contains("same idempotency key") && detail.contains("checkout:WO1"), "{detail}");
    }

    /// Collects what the log subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("the log buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// `err` as answered, and the log lines written meanwhile.
    async fn answered_and_logged(err: AppError) -> ((StatusCode, ApiError), String) {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let response = tracing::subscriber::with_default(subscriber, || err.into_response());
        let logged = String::from_utf8(log.0.lock().expect("the log buffer").clone()).expect("utf-8 log");
        (body(response).await, logged)
    }

    #[tokio::test]
    async fn a_5xx_answer_keeps_its_detail_in_the_log() {
        for (err, cause) in [
            (AppError::from(StoreError::Db(crate::store::db::DbError::Connect("relation \"orders\" does not exist".into()))), "does not exist"),
            (AppError::new(ErrorCode::UpstreamError, "PAYONE said errorcode=2 errormessage=internal gateway fault"), "internal gateway fault"),
        ] {
            let code = err.code;
            let ((status, body), logged) = answered_and_logged(err.in_language(Language::Fr)).await;
            assert!(status.is_server_error(), "{status}");
            assert_eq!(body.code, code);
            assert_eq!(body.message, code.buyer_message(Language::Fr), "the buyer's sentence stays");
            assert_eq!(body.detail, None, "no internal detail reaches the browser");
            assert!(logged.contains(cause), "the operator still reads it: {logged}");
        }
    }

    #[tokio::test]
    async fn a_4xx_answer_tells_the_developer_why() {
        let ((status, body), logged) = answered_and_logged(AppError::new(ErrorCode::BadRequest, "idempotency_key must be 8 to 64 characters")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body.detail.as_deref(), Some("idempotency_key must be 8 to 64 characters"));
        assert!(logged.contains("idempotency_key must be"), "{logged}");
    }
}
