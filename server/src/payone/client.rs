//! The PAYONE Server API client: standard parameters, the hashed key, timeouts and error mapping.

use crate::config::{Mode, PayoneConfig};
use payone_wire::{request_key, GatewayReply, InProcessGateway, PayoneRequest, PayoneResponse};
use std::time::Duration;

/// This project's name as PAYONE sees it in `integrator_name`/`solution_name`.
pub(crate) const SOLUTION_NAME: &str = env!("CARGO_PKG_NAME");
/// This project's version, sent as `integrator_version`/`solution_version`.
pub(crate) const SOLUTION_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The default api_version (at least 3.10, as PAYONE requires for Amazon Pay).
pub(super) const API_VERSION: &str = "3.10";

/// Why a PAYONE call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum PayoneError {
    #[error("PAYONE did not answer within {0:?}")]
    /// Timeout.
    Timeout(Duration),
    #[error("cannot reach PAYONE: {0}")]
    /// Transport.
    Transport(String),
    #[error("PAYONE answered HTTP {0}")]
    /// HTTP status.
    HttpStatus(u16),
    #[error("PAYONE's answer has no status line: {0:?}")]
    /// No status.
    NoStatus(String),
    #[error("PAYONE error {code}: {message}")]
    /// Declined.
    Declined {
        /// The code.
        code: String,
        /// The message.
        message: String,
        /// The customer message.
        customer_message: Option<String>,
    },
}

/// How requests reach PAYONE.
#[derive(Clone)]
pub enum PayoneTransport {
    /// A form POST to PAYONE's Server API (or anything speaking it: the sandbox's gateway, a test proxy).
    Http {
        /// The HTTP client.
        http: reqwest::Client,
        /// The endpoint.
        endpoint: String,
    },
    /// The sandbox's simulator, called directly: chosen in sandbox mode when no endpoint is configured, so
    /// the server does not pay a loopback HTTP round trip per PAYONE call.
    InProcess(InProcessGateway),
}

/// Talks to PAYONE (or the sandbox's simulator, which speaks the same protocol).
#[derive(Clone)]
pub struct PayoneClient {
    config: PayoneConfig,
    /// `key` as sent: sha384 of the portal key, hashed once rather than per request.
    key_hash: String,
    transport: PayoneTransport,
    mode: Mode,
    timeout: Duration,
    api_version: String,
}

impl PayoneClient {
    /// A client that POSTs to `endpoint`.
    pub fn new(config: PayoneConfig, endpoint: String, mode: Mode, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout.min(Duration::from_secs(10))).build()?;
        Ok(Self::with_transport(config, PayoneTransport::Http { http, endpoint }, mode, timeout))
    }

    /// A client that calls `gateway` in process (the sandbox's simulator).
    pub fn in_process(config: PayoneConfig, gateway: InProcessGateway, mode: Mode, timeout: Duration) -> Self {
        Self::with_transport(config, PayoneTransport::InProcess(gateway), mode, timeout)
    }

    fn with_transport(config: PayoneConfig, transport: PayoneTransport, mode: Mode, timeout: Duration) -> Self {
        let key_hash = request_key(&config.key);
        PayoneClient { config, key_hash, transport, mode, timeout, api_version: API_VERSION.to_owned() }
    }

    /// `http` or `in-process`, for the start-up log.
    pub fn transport_name(&self) -> &'static str {
        match self.transport {
            PayoneTransport::Http { .. } => "http",
            PayoneTransport::InProcess(_) => "in-process",
        }
    }

    /// Sends `api_version` (validated to be at least 3.10 by the configuration) instead of the default.
    pub fn with_api_version(mut self, api_version: &str) -> Self {
        self.api_version = api_version.to_owned();
        self
    }

    /// A request of type `request` with mid, portalid, aid, key, mode, api_version, encoding and who is calling
    /// filled in. PAYONE's own plugins name the shop system (`integrator_*`) and the payment module
    /// (`solution_*`) on every request; this server is both, so it names itself twice.
    pub fn request(&self, request: &str) -> PayoneRequest {
        let mut r = PayoneRequest::new(request);
        r.set("mid", &self.config.mid)
            .set("portalid", &self.config.portal_id)
            .set("aid", &self.config.aid)
            .set("key", &self.key_hash)
            .set("mode", if self.mode == Mode::Live { "live" } else { "test" })
            .set("api_version", &self.api_version)
            .set("encoding", "UTF-8")
            .set("integrator_name", SOLUTION_NAME)
            .set("integrator_version", SOLUTION_VERSION)
            .set("solution_name", SOLUTION_NAME)
            .set("solution_version", SOLUTION_VERSION);
        r
    }

    /// Sends `request` and parses the answer. `ERROR` answers become [`PayoneError::Declined`].
    pub async fn send(&self, request: &PayoneRequest) -> Result<PayoneResponse, PayoneError> {
        let body = match &self.transport {
            PayoneTransport::Http { http, endpoint } => self.post(http, endpoint, request).await?,
            PayoneTransport::InProcess(gateway) => {
                let reply = gateway(&request.encode());
                // The same deadline as over HTTP: a held request times out, a shorter hold answers nothing.
                tokio::time::timeout(self.timeout, async move {
                    match reply {
                        GatewayReply::Body(body) => body,
                        GatewayReply::Hold(hold) => {
                            tokio::time::sleep(hold).await;
                            String::new()
                        }
                    }
                })
                .await
                .map_err(|_| PayoneError::Timeout(self.timeout))?
            }
        };
        Self::interpret(body)
    }

    /// The answer's body of an HTTP POST.
    async fn post(&self, http: &reqwest::Client, endpoint: &str, request: &PayoneRequest) -> Result<String, PayoneError> {
        let response = http
            .post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request.encode())
            .send()
            .await
            .map_err(|e| if e.is_timeout() { PayoneError::Timeout(self.timeout) } else { PayoneError::Transport(e.to_string()) })?;
        let status = response.status();
        if !status.is_success() {
            return Err(PayoneError::HttpStatus(status.as_u16()));
        }
        response.text().await.map_err(|e| if e.is_timeout() { PayoneError::Timeout(self.timeout) } else { PayoneError::Transport(e.to_string()) })
    }

    /// Parses PAYONE's `key=value` body; `ERROR` answers become [`PayoneError::Declined`].
    fn interpret(body: String) -> Result<PayoneResponse, PayoneError> {
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
