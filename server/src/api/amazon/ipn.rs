//! Amazon Pay's notifications (IPN), delivered by Amazon SNS to `POST /amazon/ipn`.
//!
//! Each message is checked before anything else: its signing certificate must come from Amazon SNS
//! (`https://sns.<region>.amazonaws.com/….pem`; in sandbox mode also the sandbox's own, served under this
//! server's `/sandbox/`), and its SignatureVersion 2 signature must verify with it. With
//! `AMAZON_IPN_TOPIC_ARNS` set, a message from another topic is refused before either. A subscription confirmation
//! is confirmed; a notification only says *that* an object changed, so the charge or refund is fetched (Get
//! Charge, Get Refund) and its state moves the order. Each message is handled once: a replay is answered and
//! changes nothing.

use super::calls::recorded;
use crate::state::AppState;
use amazon_pay_v2::sns::{verify, SnsMessage};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use serde::Deserialize;

/// Why a message was refused (403) or could not be handled (503, SNS retries).
#[derive(Debug, thiserror::Error)]
pub enum IpnError {
    /// Not an SNS message.
    #[error("not an SNS message: {0}")]
    NotSns(String),
    /// The certificate (or subscription) URL is not Amazon SNS's.
    #[error("{0} is not an Amazon SNS URL")]
    UntrustedUrl(String),
    /// The certificate could not be fetched.
    #[error("cannot fetch the SNS signing certificate: {0}")]
    Certificate(String),
    /// The signature does not verify.
    #[error("SNS signature refused: {0}")]
    Signature(#[from] amazon_pay_v2::sns::SnsError),
    /// The notification's message is not Amazon Pay's.
    #[error("not an Amazon Pay notification: {0}")]
    NotAmazonPay(String),
    /// A message (a subscription request too) from an SNS topic not on `AMAZON_IPN_TOPIC_ARNS`.
    #[error("a message from SNS topic {0:?}, which is not on AMAZON_IPN_TOPIC_ARNS")]
    OtherTopic(String),
    /// A notification about another merchant's objects (`MerchantID`): SNS signs whatever any topic sends, so a
    /// signature alone does not make it Amazon Pay's word about this shop.
    #[error("a notification for merchant {0:?}, not this server's Amazon merchant id")]
    OtherMerchant(String),
    /// Following the notification failed (Amazon or the store): SNS delivers it again.
    #[error("cannot follow the notification yet: {0}")]
    Follow(String),
}

impl IpnError {
    fn status(&self) -> StatusCode {
        match self {
            IpnError::Certificate(_) | IpnError::Follow(_) => StatusCode::SERVICE_UNAVAILABLE,
            IpnError::NotSns(_) | IpnError::NotAmazonPay(_) => StatusCode::BAD_REQUEST,
            IpnError::UntrustedUrl(_) | IpnError::Signature(_) | IpnError::OtherMerchant(_) | IpnError::OtherTopic(_) => StatusCode::FORBIDDEN,
        }
    }
}

/// Amazon Pay's IPN message (the SNS `Message`, itself JSON).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Notification {
    /// The merchant whose object changed; Amazon always names it.
    #[serde(rename = "MerchantID", default)]
    merchant_id: String,
    /// `CHARGE`, `REFUND` or `CHARGE_PERMISSION`.
    object_type: String,
    /// The charge, refund or charge permission id.
    object_id: String,
    #[serde(default)]
    charge_permission_id: Option<String>,
}

/// `POST /amazon/ipn`.
pub(super) async fn receive(State(state): State<AppState>, body: Bytes) -> Response {
    match handle(&state, &body).await {
        Ok(what) => {
            tracing::info!(what, "Amazon Pay IPN handled");
            (StatusCode::OK, "ok").into_response()
        }
        Err(err) => {
            tracing::warn!(%err, "Amazon Pay IPN not handled");
            (err.status(), err.to_string()).into_response()
        }
    }
}

async fn handle(state: &AppState, body: &[u8]) -> Result<&'static str, IpnError> {
    let message: SnsMessage = serde_json::from_slice(body).map_err(|e| IpnError::NotSns(e.to_string()))?;
    // Before the certificate is fetched and long before a SubscribeURL is called: a topic not on the list is
    // refused as it is named; one on it must still be signed (the signature covers `TopicArn`).
    topic_allowed(state, &message.topic_arn)?;
    let cert_url = trusted_url(state, &message.signing_cert_url)?;
    let pem = certificate(state, &cert_url).await?;
    verify(&message, &pem)?;
    match message.kind.as_str() {
        "SubscriptionConfirmation" => {
            let url = trusted_url(state, message.subscribe_url.as_deref().unwrap_or_default())?;
            let answer = reqwest::Client::new().get(url).timeout(std::time::Duration::from_secs(10)).send().await;
            answer.and_then(|r| r.error_for_status()).map_err(|e| IpnError::Follow(format!("confirming the subscription: {e}")))?;
            // The topic, for AMAZON_IPN_TOPIC_ARNS: Amazon does not publish it.
            tracing::info!(topic = %message.topic_arn, "Amazon Pay IPN: SNS subscription confirmed");
            Ok("subscription confirmed")
        }
        "UnsubscribeConfirmation" => Ok("unsubscribe noted"),
        "Notification" => notification(state, &message).await,
        other => Err(IpnError::NotSns(format!("unknown Type {other:?}"))),
    }
}

/// Whether `AMAZON_IPN_TOPIC_ARNS` (when set) has `topic`: SNS signs whatever any topic sends, and a subscription
/// confirmed for a stranger's topic would let it send here for good.
fn topic_allowed(state: &AppState, topic: &str) -> Result<(), IpnError> {
    let allowed = state.config.amazon.as_ref().map_or(&[][..], |a| &a.ipn_topic_arns[..]);
    if allowed.is_empty() || allowed.iter().any(|a| a == topic) {
        Ok(())
    } else {
        Err(IpnError::OtherTopic(topic.to_owned()))
    }
}

/// `url` when it is Amazon SNS's (https, `sns.<region>.amazonaws.com`), or in sandbox mode the sandbox's.
pub fn trusted_url(state: &AppState, url: &str) -> Result<Url, IpnError> {
    let untrusted = || IpnError::UntrustedUrl(url.to_owned());
    let parsed = Url::parse(url).map_err(|_| untrusted())?;
    if state.is_sandbox() && url.starts_with(&format!("{}/sandbox/", state.public_url)) {
        return Ok(parsed);
    }
    if is_sns_host(&parsed) {
        Ok(parsed)
    } else {
        Err(untrusted())
    }
}

/// `https://sns.<region>.amazonaws.com` on the default port, no credentials.
fn is_sns_host(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let region = host.strip_prefix("sns.").and_then(|h| h.strip_suffix(".amazonaws.com")).unwrap_or_default();
    url.scheme() == "https"
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The certificate at `url`, fetched once.
async fn certificate(state: &AppState, url: &Url) -> Result<String, IpnError> {
    let key = url.as_str().to_owned();
    if let Some(pem) = state.sns_certificates.0.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(pem.clone());
    }
    let fetch = async {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?
            .get(url.clone())
            .send()
            .await?
            .error_for_status()?;
        response.text().await
    };
    let pem = fetch.await.map_err(|e| IpnError::Certificate(e.to_string()))?;
    if pem.len() > 16 * 1024 {
        return Err(IpnError::Certificate("larger than a certificate".into()));
    }
    let mut cache = state.sns_certificates.0.lock().unwrap_or_else(|p| p.into_inner());
    // Full: start again rather than grow (the ones in use are fetched again once each).
    if cache.len() >= crate::amazon::CertificateCache::MAX {
        cache.clear();
    }
    cache.insert(key, pem.clone());
    Ok(pem)
}

/// Follows an Amazon Pay notification, then stores it (so a replay is a no-op, and a failure is retried).
async fn notification(state: &AppState, message: &SnsMessage) -> Result<&'static str, IpnError> {
    let follow = |e: String| IpnError::Follow(e);
    if state.store.amazon_notification_seen(&message.message_id).map_err(|e| follow(e.to_string()))? {
        return Ok("replay ignored");
    }
    let n: Notification = serde_json::from_str(&message.message).map_err(|e| IpnError::NotAmazonPay(e.to_string()))?;
    let amazon = state.amazon.as_ref().ok_or_else(|| follow("no Amazon Pay account".into()))?;
    // Before any call to Amazon: anyone can have SNS sign messages from a topic of their own, and each one
    // followed costs a Get Charge against this merchant's rate limit.
    if n.merchant_id != amazon.merchant_id {
        return Err(IpnError::OtherMerchant(n.merchant_id));
    }
    // The state the object was found in, kept with the message for the merchant's timeline.
    let mut followed: Option<String> = None;
    let what = match n.object_type.as_str() {
        "CHARGE" => {
            let charge =
                recorded(state, "getCharge", &n.object_id, amazon.client.get_charge(&n.object_id)).await.map_err(|e| follow(e.to_string()))?;
            followed = Some(state_text(&charge.status_details));
            let order = match state.store.amazon_order_by_charge(&charge.charge_id).map_err(|e| follow(e.to_string()))? {
                Some(order) => Some(order),
                None => state.store.amazon_order_by_charge_permission(&charge.charge_permission_id).map_err(|e| follow(e.to_string()))?,
            };
            match order {
                None => "charge of no order of ours",
                Some(known) => {
                    if known.charge_id.is_none() {
                        state
                            .store
                            .set_amazon_charge(&known.order_id, None, Some(charge.charge_id.clone()))
                            .await
                            .map_err(|e| follow(e.to_string()))?;
                    }
                    move_order(state, &known.order_id, &charge).await.map_err(|e| follow(e.to_string()))?
                }
            }
        }
        "REFUND" => {
            let refund =
                recorded(state, "getRefund", &n.object_id, amazon.client.get_refund(&n.object_id)).await.map_err(|e| follow(e.to_string()))?;
            followed = Some(state_text(&refund.status_details));
            let order = match state.store.amazon_refund_order(&refund.refund_id).map_err(|e| follow(e.to_string()))? {
                Some(order) => Some(order),
                None => state.store.amazon_order_by_charge(&refund.charge_id).map_err(|e| follow(e.to_string()))?.map(|o| o.order_id),
            };
            match order {
                None => "refund of no order of ours",
                Some(order_id) => super::follow::refund(state, &order_id, &refund).await.map_err(|e| follow(e.to_string()))?,
            }
        }
        _ => {
            tracing::info!(object = %n.object_type, id = %n.object_id, permission = ?n.charge_permission_id, "Amazon Pay IPN about another object");
            "noted"
        }
    };
    let body = with_followed_state(&message.message, followed);
    state.store.record_amazon_notification(&message.message_id, &n.object_type, &n.object_id, &body).await.map_err(|e| follow(e.to_string()))?;
    Ok(what)
}

/// `Captured`, or `Declined (AmazonRejected)`.
fn state_text<S: std::fmt::Debug>(status: &amazon_pay_v2::models::StatusDetails<S>) -> String {
    match &status.reason_code {
        Some(reason) => format!("{:?} ({reason})", status.state),
        None => format!("{:?}", status.state),
    }
}

/// The stored notification: Amazon's message with `FollowedState`, what Get Charge or Get Refund said.
fn with_followed_state(message: &str, followed: Option<String>) -> String {
    match (serde_json::from_str::<serde_json::Value>(message), followed) {
        (Ok(serde_json::Value::Object(mut fields)), Some(followed)) => {
            fields.insert(crate::amazon::records::FOLLOWED_STATE.to_owned(), followed.into());
            serde_json::Value::Object(fields).to_string()
        }
        _ => message.to_owned(),
    }
}

/// Records what Amazon captured of the charge, then moves the order to what the charge says, forward only.
async fn move_order(state: &AppState, order_id: &str, charge: &amazon_pay_v2::models::Charge) -> Result<&'static str, crate::store::StoreError> {
    if state.store.order(order_id)?.is_none() {
        return Ok("order gone");
    }
    super::follow::capture(state, order_id, charge).await?;
    state.store.move_amazon_order(order_id, charge).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_amazon_sns_hosts_are_trusted() {
        let ok = |u: &str| is_sns_host(&Url::parse(u).unwrap());
        assert!(ok("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem"));
        assert!(ok("https://sns.us-east-1.amazonaws.com/x.pem"));
        assert!(!ok("http://sns.eu-west-1.amazonaws.com/x.pem"), "https only");
        assert!(!ok("https://sns.eu-west-1.amazonaws.com.evil.example/x.pem"));
        assert!(!ok("https://evil.example/sns.eu-west-1.amazonaws.com/x.pem"));
        assert!(!ok("https://sns..amazonaws.com/x.pem"));
        assert!(!ok("https://sns.eu-west-1.amazonaws.com:8443/x.pem"));
        assert!(!ok("https://user@sns.eu-west-1.amazonaws.com/x.pem"));
        assert!(!ok("https://s3.eu-west-1.amazonaws.com/x.pem"));
    }
}
