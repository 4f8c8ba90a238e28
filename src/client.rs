//! The backend's JSON API, seen from the browser. Types come from `amazon-pay-contract`.

use amazon_pay_contract::cv2::{ButtonConfig, CreateSessionRequest};
use amazon_pay_contract::{routes, ApiError};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a backend call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The backend could not be reached at all.
    #[error("cannot reach the backend at {url}: {cause}")]
    Network { url: String, cause: String },
    /// The backend answered with its error body.
    #[error("the backend refused {url}: {error}")]
    Api { url: String, error: ApiError },
    /// The backend answered with something that is not the contract's JSON.
    #[error("unexpected answer from {url} (HTTP {status}): {cause}")]
    Decode { url: String, status: u16, cause: String },
}

impl ClientError {
    /// The backend's error, if it sent one (it carries the buyer's message).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A client of one backend, at `base_url` (empty for "same origin").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    base_url: String,
}

impl Client {
    pub fn new(base_url: impl Into<String>) -> Self {
        Client { base_url: base_url.into().trim_end_matches('/').to_owned() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        let url = self.url(path);
        let request = Request::post(&url)
            .json(body)
            .map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        let response =
            request.send().await.map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        if response.ok() {
            serde_json::from_str(&text).map_err(|e| ClientError::Decode { url, status, cause: e.to_string() })
        } else {
            match serde_json::from_str::<ApiError>(&text) {
                Ok(error) => Err(ClientError::Api { url, error }),
                Err(e) => Err(ClientError::Decode { url, status, cause: e.to_string() }),
            }
        }
    }

    /// Starts a Checkout v2 session for the cart; the server prices it.
    pub async fn create_cv2_session(&self, request: &CreateSessionRequest) -> Result<ButtonConfig, ClientError> {
        self.post(routes::CV2_SESSIONS, request).await
    }
}
