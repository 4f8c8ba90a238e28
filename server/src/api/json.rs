//! A JSON extractor whose rejections speak the API's error format.

use crate::error::AppError;
use amazon_pay_contract::{ApiError, ErrorCode, Language};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Like [`axum::Json`], but a malformed body becomes an [`AppError`] with code `bad_request`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            // Too big is told apart (413), so a client knows not to retry the same body.
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let body = ApiError {
                    code: ErrorCode::BadRequest,
                    message: ErrorCode::BadRequest.buyer_message(Language::default()).to_owned(),
                    detail: Some(rejection_text(&rejection)),
                };
                tracing::info!(detail = %rejection_text(&rejection), "request refused");
                Err((StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response())
            }
            Err(rejection) => Err(AppError::new(ErrorCode::BadRequest, rejection_text(&rejection)).into_response()),
        }
    }
}

fn rejection_text(rejection: &JsonRejection) -> String {
    rejection.body_text()
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
