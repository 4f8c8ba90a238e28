//! A form body as PHP reads it: `application/x-www-form-urlencoded` or `multipart/form-data` alike.
//!
//! PHP's curl posts an array as `multipart/form-data` (PAYONE's Shopware 6 plugin, Konnektive's lander kit
//! do so), and PAYONE's gateway and the CRM read those parameters exactly like urlencoded ones. The simulators
//! parse one shape only, so a multipart body is re-encoded here into the urlencoded bytes it stands for (field
//! values byte for byte, so a Latin-1 PAYONE request stays Latin-1).

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The request body as urlencoded bytes, whatever form encoding the client chose.
#[derive(Debug, Clone)]
pub(crate) struct FormBody(pub Bytes);

/// Why a body could not be read: answered `400` with the reason, nothing else happens.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FormBodyError {
    /// The body could not be read at all.
    #[error("the request body could not be read: {0}")]
    Body(String),
    /// A multipart body that does not parse (bad boundary, truncated part, no field name).
    #[error("malformed multipart/form-data body: {0}")]
    Multipart(String),
    /// Longer than the route's body limit: answered `413`, as every other route of the server does.
    #[error("the request body is too large: {0}")]
    TooLarge(String),
}

/// `made` from the rejection's text, unless the rejection is the body limit's.
fn unless_too_large(status: StatusCode, text: String, made: fn(String) -> FormBodyError) -> FormBodyError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        FormBodyError::TooLarge(text)
    } else {
        made(text)
    }
}

impl IntoResponse for FormBodyError {
    fn into_response(self) -> Response {
        let status = match self {
            FormBodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, [(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], self.to_string()).into_response()
    }
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = FormBodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_multipart(&req) {
            let body = Bytes::from_request(req, state).await.map_err(|e| unless_too_large(e.status(), e.body_text(), FormBodyError::Body))?;
            return Ok(FormBody(body));
        }
        let mut multipart =
            Multipart::from_request(req, state).await.map_err(|e| unless_too_large(e.status(), e.body_text(), FormBodyError::Multipart))?;
        let mut encoded = String::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| unless_too_large(e.status(), e.body_text(), FormBodyError::Multipart))? {
            let name = field.name().map(str::to_owned);
            let name = name.ok_or_else(|| FormBodyError::Multipart("a part has no name".into()))?;
            let value = field.bytes().await.map_err(|e| unless_too_large(e.status(), e.body_text(), FormBodyError::Multipart))?;
            if !encoded.is_empty() {
                encoded.push('&');
            }
            encoded.extend(form_urlencoded::byte_serialize(name.as_bytes()));
            encoded.push('=');
            encoded.extend(form_urlencoded::byte_serialize(&value));
        }
        Ok(FormBody(Bytes::from(encoded)))
    }
}
