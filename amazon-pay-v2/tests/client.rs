//! The client against a scripted server: what it sends (signed, same idempotency key on every retry), when it
//! retries and when it stops, and how Amazon's errors come back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use amazon_pay_v2::models::{CaptureChargeRequest, ChargeState, Price};
use amazon_pay_v2::request::{self, ReceivedRequest};
use amazon_pay_v2::{Client, ClientConfig, Environment, Error, PrivateKey, Region, RetryPolicy};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;

const KEY: &str = include_str!("fixtures/test-key.pem");

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    idempotency_key: Option<String>,
    verified: bool,
}

/// A server answering with `script` in order (the last entry repeats), recording every request.
async fn scripted(script: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let log = seen.clone();
    let public = PrivateKey::from_pem(KEY).expect("key").public_key();
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let log = log.clone();
        let script = script.clone();
        let public = public.clone();
        async move {
            let hs: Vec<(String, String)> =
                headers.iter().map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect();
            let path = uri.path().strip_prefix("/prefix").unwrap_or(uri.path()).to_string();
            let req = ReceivedRequest { method: method.as_str(), path: &path, query: &[], headers: &hs, body: &body };
            let verified = request::verify_request(&req, |_| Some(public.clone()), amazon_pay_v2::date::unix_now(), 900).is_ok();
            let idempotency_key = headers.get("x-amz-pay-idempotency-key").and_then(|v| v.to_str().ok()).map(String::from);
            let n = {
                let mut log = log.lock().expect("log");
                log.push(Seen { path, idempotency_key, verified });
                log.len()
            };
            let (status, body) = script[(n - 1).min(script.len() - 1)];
            (StatusCode::from_u16(status).expect("status"), body).into_response()
        }
    };
    let app = axum::Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://{addr}/prefix"), seen)
}

fn client(endpoint: &str, key_id: &str, attempts: u32) -> Client {
    let mut config = ClientConfig::new(key_id, PrivateKey::from_pem(KEY).expect("key"), Region::Eu, Environment::Sandbox);
    config.endpoint = Some(endpoint.to_string());
    config.retry = RetryPolicy { max_attempts: attempts, base_backoff: Duration::from_millis(1), max_backoff: Duration::from_millis(4) };
    Client::new(config).expect("client")
}

const CHARGE: &str = r#"{"chargeId":"C1","chargePermissionId":"P1","chargeAmount":{"amount":"1.00","currencyCode":"EUR"},"captureAmount":{"amount":"1.00","currencyCode":"EUR"},"statusDetails":{"state":"Captured","reasonCode":null},"someNewField":1}"#;
const THROTTLED: &str = r#"{"reasonCode":"TooManyRequests","message":"slow down"}"#;

fn capture() -> CaptureChargeRequest {
    CaptureChargeRequest { capture_amount: Price::from_minor(100, "EUR"), soft_descriptor: None }
}

#[tokio::test]
async fn retries_429_and_5xx_with_the_same_idempotency_key() {
    let (url, seen) = scripted(vec![(429, THROTTLED), (503, "<html>down</html>"), (200, CHARGE)]).await;
    let charge = client(&url, "SANDBOX-K", 4).capture_charge("C1", &capture(), "idem-42").await.expect("captured");
    assert_eq!(charge.status_details.state, ChargeState::Captured);
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.verified && s.idempotency_key.as_deref() == Some("idem-42")), "{seen:?}");
    assert_eq!(seen[0].path, "/v2/charges/C1/capture", "environment-specific key: no /sandbox segment");
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_amazons() {
    let (url, seen) = scripted(vec![(429, THROTTLED)]).await;
    let err = client(&url, "AKEY", 3).get_charge("C1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 429, reason_code, message } if reason_code == "TooManyRequests" && message == "slow down"),
        "{err:?}"
    );
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].path, "/sandbox/v2/charges/C1", "unprefixed key: environment segment");
    assert_eq!(seen[0].idempotency_key, None, "GET carries no idempotency key");
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_reason_code() {
    let body = r#"{"reasonCode":"InvalidChargeStatus","message":"The Charge is in Declined state"}"#;
    let (url, seen) = scripted(vec![(422, body)]).await;
    let err = client(&url, "SANDBOX-K", 4).capture_charge("C1", &capture(), "k").await.unwrap_err();
    assert_eq!(err.reason_code(), Some("InvalidChargeStatus"));
    assert_eq!(err.status(), Some(422));
    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test]
async fn unreadable_answers_are_decode_errors() {
    let (url, _) = scripted(vec![(200, "{not json")]).await;
    let err = client(&url, "SANDBOX-K", 1).get_refund("R1").await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    let (url, _) = scripted(vec![(500, "oops")]).await;
    let err = client(&url, "SANDBOX-K", 1).get_refund("R1").await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 500, .. }), "{err:?}");
}

#[tokio::test]
async fn unreachable_host_is_a_transport_error_after_retries() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(&format!("http://{addr}"), "SANDBOX-K", 2).get_charge("C1").await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    // The message goes to logs: it names no URL, whose path holds the checkout session's or charge's id.
    let err = client(&format!("http://{addr}"), "SANDBOX-K", 1).get_checkout_session("secret-session-id").await.unwrap_err();
    assert!(!err.to_string().contains("secret-session-id") && !format!("{err:?}").contains("secret-session-id"), "{err} / {err:?}");
}

#[test]
fn bad_endpoint_is_refused() {
    let mut config = ClientConfig::new("K", PrivateKey::from_pem(KEY).expect("key"), Region::Na, Environment::Live);
    config.endpoint = Some("ftp://x".into());
    assert!(matches!(Client::new(config), Err(Error::Config(_))));
}

#[test]
fn backoff_doubles_and_is_capped() {
    let p = RetryPolicy { max_attempts: 5, base_backoff: Duration::from_millis(10), max_backoff: Duration::from_millis(25) };
    assert_eq!(p.backoff(2), Duration::from_millis(10));
    assert_eq!(p.backoff(3), Duration::from_millis(20));
    assert_eq!(p.backoff(4), Duration::from_millis(25));
    assert_eq!(RetryPolicy::default().backoff(4), Duration::from_secs(4));
}
