//! A signed, retrying client for the calls this project makes.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::button::{signed_button, ButtonPayload, SignedButton};
use crate::date;
use crate::error::{is_retryable_status, Error};
use crate::keys::PrivateKey;
use crate::models::*;
use crate::region::{path_for, Environment, Region};
use crate::request::{sign_request, RequestToSign};
use crate::signing::Algorithm;

/// How often to try a call. Retries reuse the idempotency key, so a POST Amazon did carry out is not repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub base_backoff: Duration,
    /// Upper bound of one wait.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// One attempt.
    pub const ONCE: Self = Self { max_attempts: 1, base_backoff: Duration::ZERO, max_backoff: Duration::ZERO };

    /// The wait before attempt `attempt` (2, 3, ...).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(2)).unwrap_or(u32::MAX);
        self.base_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    /// Four attempts, 1 s, 2 s, 4 s apart: what Amazon's SDKs do (1 + 3 retries).
    fn default() -> Self {
        Self { max_attempts: 4, base_backoff: Duration::from_secs(1), max_backoff: Duration::from_secs(8) }
    }
}

/// Everything the client needs.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The public key id from Seller Central (`SANDBOX-…`, `LIVE-…` or unprefixed).
    pub public_key_id: String,
    /// The matching private key.
    pub private_key: PrivateKey,
    /// Region (host and `x-amz-pay-region`).
    pub region: Region,
    /// Sandbox or live (the path segment for unprefixed key ids).
    pub environment: Environment,
    /// Signature algorithm.
    pub algorithm: Algorithm,
    /// Base URL instead of the region's host, e.g. the sandbox's `http://127.0.0.1:8080/sandbox/amazon-pay`.
    pub endpoint: Option<String>,
    /// Retries.
    pub retry: RetryPolicy,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl ClientConfig {
    /// A config for Amazon's own host with V2 signatures, default retries and a 20 s timeout.
    pub fn new(public_key_id: &str, private_key: PrivateKey, region: Region, environment: Environment) -> Self {
        Self {
            public_key_id: public_key_id.to_string(),
            private_key,
            region,
            environment,
            algorithm: Algorithm::V2,
            endpoint: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(20),
        }
    }
}

/// An Amazon Pay API v2 client.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    base: String,
    host: String,
}

impl Client {
    /// Builds the client; refuses an endpoint that is not `http://` or `https://`.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let base = match &config.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            None => format!("https://{}", config.region.host()),
        };
        let host = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::Config(format!("endpoint '{base}' is not an http(s) URL")))?
            .to_string();
        let http =
            reqwest::Client::builder().timeout(config.timeout).redirect(reqwest::redirect::Policy::none()).build().map_err(Error::Transport)?;
        Ok(Self { http, config, base, host })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The button's signed `createCheckoutSessionConfig`.
    pub fn signed_button(&self, payload: &ButtonPayload) -> SignedButton {
        signed_button(&self.config.private_key, &self.config.public_key_id, self.config.algorithm, payload)
    }

    /// Get Checkout Session.
    pub async fn get_checkout_session(&self, id: &str) -> Result<CheckoutSession, Error> {
        self.call("GET", &format!("checkoutSessions/{}", seg(id)), None::<&()>, None).await
    }

    /// Update Checkout Session (amount, intent, result URL, reference).
    pub async fn update_checkout_session(&self, id: &str, body: &UpdateCheckoutSessionRequest) -> Result<CheckoutSession, Error> {
        self.call("PATCH", &format!("checkoutSessions/{}", seg(id)), Some(body), None).await
    }

    /// Complete Checkout Session, after the buyer came back from `amazonPayRedirectUrl`.
    pub async fn complete_checkout_session(
        &self,
        id: &str,
        body: &CompleteCheckoutSessionRequest,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, Error> {
        self.call("POST", &format!("checkoutSessions/{}/complete", seg(id)), Some(body), Some(idempotency_key)).await
    }

    /// Get Charge Permission.
    pub async fn get_charge_permission(&self, id: &str) -> Result<ChargePermission, Error> {
        self.call("GET", &format!("chargePermissions/{}", seg(id)), None::<&()>, None).await
    }

    /// Close Charge Permission.
    pub async fn close_charge_permission(&self, id: &str, body: &CloseChargePermissionRequest) -> Result<ChargePermission, Error> {
        self.call("DELETE", &format!("chargePermissions/{}/close", seg(id)), Some(body), None).await
    }

    /// Get Charge.
    pub async fn get_charge(&self, id: &str) -> Result<Charge, Error> {
        self.call("GET", &format!("charges/{}", seg(id)), None::<&()>, None).await
    }

    /// Capture Charge.
    pub async fn capture_charge(&self, id: &str, body: &CaptureChargeRequest, idempotency_key: &str) -> Result<Charge, Error> {
        self.call("POST", &format!("charges/{}/capture", seg(id)), Some(body), Some(idempotency_key)).await
    }

    /// Cancel Charge.
    pub async fn cancel_charge(&self, id: &str, body: &CancelChargeRequest) -> Result<Charge, Error> {
        self.call("DELETE", &format!("charges/{}/cancel", seg(id)), Some(body), None).await
    }

    /// Create Refund.
    pub async fn create_refund(&self, body: &CreateRefundRequest, idempotency_key: &str) -> Result<Refund, Error> {
        self.call("POST", "refunds", Some(body), Some(idempotency_key)).await
    }

    /// Get Refund.
    pub async fn get_refund(&self, id: &str) -> Result<Refund, Error> {
        self.call("GET", &format!("refunds/{}", seg(id)), None::<&()>, None).await
    }

    /// One signed call with this client's retry policy. `resource` is the part after `v2/`.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        resource: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T, Error> {
        let body = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| Error::Config(format!("request body: {e}")))?,
            None => Vec::new(),
        };
        let path = format!("/{}", path_for(&self.config.public_key_id, self.config.environment, resource));
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| Error::Config(format!("HTTP method '{method}'")))?;
        let retry = self.config.retry;
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(&method, &path, &body, idempotency_key).await;
            let again = attempt < retry.max_attempts.max(1)
                && match &outcome {
                    Ok((status, _)) => is_retryable_status(*status),
                    Err(e) => !e.is_builder(),
                };
            if !again {
                // Without the URL: its path holds the checkout session's or charge's id, and the message is logged.
                let (status, bytes) = outcome.map_err(|e| Error::Transport(e.without_url()))?;
                return decode(status, &bytes);
            }
            attempt += 1;
            tokio::time::sleep(retry.backoff(attempt)).await;
        }
    }

    async fn attempt(
        &self,
        method: &reqwest::Method,
        path: &str,
        body: &[u8],
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Vec<u8>), reqwest::Error> {
        let headers = sign_request(
            &self.config.private_key,
            &self.config.public_key_id,
            self.config.algorithm,
            &RequestToSign {
                method: method.as_str(),
                path,
                query: &[],
                host: &self.host,
                region: self.config.region.code(),
                unix_time: date::unix_now(),
                idempotency_key,
                body,
            },
        );
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base)).body(body.to_vec());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let response = req.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok((status, bytes.to_vec()))
    }
}

/// A path segment from an id: ids are Amazon's (letters, digits, `-`), anything else is percent-encoded.
fn seg(id: &str) -> String {
    const ID: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-');
    percent_encoding::utf8_percent_encode(id, ID).to_string()
}

fn decode<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T, Error> {
    if (200..300).contains(&status) {
        return serde_json::from_slice(bytes).map_err(|e| Error::Decode { status, detail: e.to_string() });
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(b) => Err(Error::Api { status, reason_code: b.reason_code, message: b.message }),
        Err(e) => Err(Error::Decode { status, detail: format!("error body: {e}") }),
    }
}
