//! The PAYONE Server API client: standard parameters, the hashed key, timeouts and error mapping.

use super::wire::{request_key, PayoneRequest, PayoneResponse};
use crate::config::{Mode, PayoneConfig};
use std::time::Duration;

/// The default api_version (at least 3.10, as PAYONE requires for Amazon Pay).
pub const API_VERSION: &str = "3.10";

/// Why a PAYONE call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum PayoneError {
    #[error("PAYONE did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach PAYONE: {0}")]
    Transport(String),
    #[error("PAYONE answered HTTP {0}")]
    HttpStatus(u16),
    #[error("PAYONE's answer has no status line: {0:?}")]
    NoStatus(String),
    #[error("PAYONE error {code}: {message}")]
    Declined { code: String, message: String, customer_message: Option<String> },
}

/// Talks to PAYONE (or the sandbox's simulator, which speaks the same protocol).
#[derive(Clone)]
pub struct PayoneClient {
    config: PayoneConfig,
    endpoint: String,
    mode: Mode,
    http: reqwest::Client,
    timeout: Duration,
    api_version: String,
}

impl PayoneClient {
    pub fn new(config: PayoneConfig, endpoint: String, mode: Mode, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout.min(Duration::from_secs(10))).build()?;
        Ok(PayoneClient { config, endpoint, mode, http, timeout, api_version: API_VERSION.to_owned() })
    }

    /// Sends `api_version` (validated to be at least 3.10 by the configuration) instead of the default.
    pub fn with_api_version(mut self, api_version: &str) -> Self {
        self.api_version = api_version.to_owned();
        self
    }

    /// A request of type `request` with mid, portalid, aid, key, mode, api_version and encoding filled in.
    pub fn request(&self, request: &str) -> PayoneRequest {
        let mut r = PayoneRequest::new(request);
        r.set("mid", &self.config.mid)
            .set("portalid", &self.config.portal_id)
            .set("aid", &self.config.aid)
            .set("key", request_key(&self.config.key))
            .set("mode", if self.mode == Mode::Live { "live" } else { "test" })
            .set("api_version", &self.api_version)
            .set("encoding", "UTF-8");
        r
    }

    /// Sends `request` and parses the answer. `ERROR` answers become [`PayoneError::Declined`].
    pub async fn send(&self, request: &PayoneRequest) -> Result<PayoneResponse, PayoneError> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request.encode())
            .send()
            .await
            .map_err(|e| if e.is_timeout() { PayoneError::Timeout(self.timeout) } else { PayoneError::Transport(e.to_string()) })?;
        let status = response.status();
        if !status.is_success() {
            return Err(PayoneError::HttpStatus(status.as_u16()));
        }
        let body = response
            .text()
            .await
            .map_err(|e| if e.is_timeout() { PayoneError::Timeout(self.timeout) } else { PayoneError::Transport(e.to_string()) })?;
        let parsed = PayoneResponse::parse(&body);
        match parsed.status() {
            None => Err(PayoneError::NoStatus(body.chars().take(200).collect())),
            Some("ERROR") => Err(PayoneError::Declined {
                code: parsed.get("errorcode").unwrap_or("0").to_owned(),
                message: parsed.get("errormessage").unwrap_or_default().to_owned(),
                customer_message: parsed.get("customermessage").map(str::to_owned),
            }),
            Some(_) => Ok(parsed),
        }
    }
}
