//! What a shop's back-office developer sends the merchant API beyond the documented calls: a `reason` with
//! control characters, two `Idempotency-Key` headers, a wrong method, a body over the limit, and the settings
//! its messages name. Each is refused as a JSON error before anything is sent to PAYONE or stored.
//! (Found walking the merchant side from the docs; runs on SQLite and, with
//! `AMAZON_PAY_TEST_SERVER_STORE=postgres`, PostgreSQL.)

mod support;

use amazon_pay_contract::orders::OrderState;
use serde_json::{json, Value};
use support::{start_with, Env};

const KEY: &str = "merchant-test-key-0123456789abcdefghij";

async fn env() -> Env {
    start_with(|c| c.merchant.api_keys = vec![KEY.to_owned()]).await
}

async fn order(env: &Env, id: &str) -> Value {
    let response = env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A refusal's status, `code` and `message`, which must be the API's JSON error.
async fn refusal(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("HTTP {status}: a JSON error, got {text:?}"));
    (status, body["code"].as_str().unwrap_or_default().to_owned(), body["message"].as_str().unwrap_or_default().to_owned())
}

fn money_calls(env: &Env) -> usize {
    ["merchant-capture", "merchant-refund", "merchant-cancel"].iter().map(|a| env.upstream(a).len()).sum()
}

/// A `reason` is stored with the payment and shown as text; a NUL cannot be stored in PostgreSQL at all, and the
/// payment is stored only after PAYONE moved the money. So text with control characters is refused up front,
/// like the buyer's fields ([API](docs/api.md)): nothing sent, nothing stored, and the key stays free.
#[tokio::test]
async fn a_reason_with_control_characters_is_refused_before_payone_is_asked() {
    let env = env().await;
    let (id, txid) = env.authorized_order("reason-order-0001", &[OrderState::Approved]).await;
    let capture = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{id}/capture")))
        .bearer_auth(KEY)
        .header("idempotency-key", "reason-capture-1")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(capture.status(), 200);
    let before = order(&env, &id).await;
    let calls = money_calls(&env);
    for (n, reason) in ["a\u{0}b", "line\nbreak", "tab\there", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}"].iter().enumerate() {
        for action in ["refund", "cancel"] {
            let body = if action == "refund" { json!({"amount": 100, "reason": reason}) } else { json!({"reason": reason}) };
            let key = format!("reason-{action}-{n:04}");
            let response = env
                .http
                .post(env.url(&format!("/merchant/api/orders/{id}/{action}")))
                .bearer_auth(KEY)
                .header("idempotency-key", &key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, code, message) = refusal(response).await;
            assert_eq!((status, code.as_str()), (400, "invalid_body"), "{action} {reason:?}: {message}");
            assert!(message.contains("control characters"), "says what is wrong: {message}");
        }
    }
    assert_eq!(money_calls(&env), calls, "PAYONE was not asked");
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!(sim.sequencenumber, 1, "PAYONE saw the capture only");
    let after = order(&env, &id).await;
    assert_eq!((&after["amounts"], &after["payments"]), (&before["amounts"], &before["payments"]));
    // The key of a refusal is not taken: with a plain reason it refunds.
    let fixed = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{id}/refund")))
        .bearer_auth(KEY)
        .header("idempotency-key", "reason-refund-0000")
        .json(&json!({"amount": 100, "reason": "damaged in transit (box 2 of 3)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.status(), 200);
    let payments = order(&env, &id).await["payments"].clone();
    assert_eq!(payments[1]["reason"], "damaged in transit (box 2 of 3)");
}

/// Two `Idempotency-Key` headers (a client and a proxy each adding one) name no one request: the server took
/// the first, so the same retry with the headers the other way round was another key and moved money again.
#[tokio::test]
async fn two_idempotency_keys_are_refused() {
    let env = env().await;
    let (id, txid) = env.authorized_order("two-keys-order-01", &[OrderState::Approved]).await;
    let calls = money_calls(&env);
    for (first, second) in [("two-keys-capture-a", "two-keys-capture-b"), ("two-keys-capture-b", "two-keys-capture-a")] {
        let response = env
            .http
            .post(env.url(&format!("/merchant/api/orders/{id}/capture")))
            .bearer_auth(KEY)
            .header("idempotency-key", first)
            .header("idempotency-key", second)
            .json(&json!({"amount": 500}))
            .send()
            .await
            .unwrap();
        let (status, code, message) = refusal(response).await;
        assert_eq!((status, code.as_str()), (400, "invalid_idempotency_key"), "{message}");
        assert!(message.contains("one Idempotency-Key"), "says why: {message}");
    }
    assert_eq!(money_calls(&env), calls, "PAYONE was not asked");
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 0);
    assert_eq!(order(&env, &id).await["amounts"]["captured"], 0);
}

/// "Errors are JSON" holds for a wrong method and a body over the limit too, not an empty 405 or a text 413.
#[tokio::test]
async fn a_wrong_method_or_a_body_too_large_is_a_json_error() {
    let env = env().await;
    let (id, txid) = env.authorized_order("method-order-0001", &[OrderState::Approved]).await;
    for (method, path, allow) in [
        (reqwest::Method::GET, format!("/merchant/api/orders/{id}/capture"), "POST"),
        (reqwest::Method::PUT, "/merchant/api/orders".to_owned(), "GET"),
        (reqwest::Method::DELETE, format!("/merchant/api/orders/{id}"), "GET"),
        (reqwest::Method::GET, "/merchant/api/webhooks/send-now".to_owned(), "POST"),
    ] {
        let response = env.http.request(method.clone(), env.url(&path)).bearer_auth(KEY).send().await.unwrap();
        let allowed = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(allowed.contains(allow), "{method} {path}: Allow {allowed:?}");
        let (status, code, message) = refusal(response).await;
        assert_eq!((status, code.as_str()), (405, "method_not_allowed"), "{method} {path}");
        assert!(message.contains("Allow header"), "says where the method to use is named: {message}");
    }
    // Still behind the key: without one, 401 and not a hint about the routes.
    assert_eq!(env.http.get(env.url(&format!("/merchant/api/orders/{id}/capture"))).send().await.unwrap().status(), 401);

    let big = json!({"amount": 100, "reason": "x".repeat(20 * 1024)});
    let response = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{id}/capture")))
        .bearer_auth(KEY)
        .header("idempotency-key", "big-body-capture-1")
        .json(&big)
        .send()
        .await
        .unwrap();
    let (status, code, message) = refusal(response).await;
    assert_eq!((status, code.as_str()), (413, "body_too_large"), "{message}");
    let response = env
        .http
        .post(env.url("/merchant/api/webhooks/send-now"))
        .bearer_auth(KEY)
        .body(format!("{{\"url\": \"{}\"}}", "x".repeat(20 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(response).await.1, "body_too_large");
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 0, "nothing reached PAYONE");
}

/// The options a message names: every `--flag` in it is one the server takes (the messages said
/// `--webhook-urls`, which the server refuses; the option is `--webhook-url`, repeated).
fn named_options_exist(message: &str) {
    let command = <amazon_pay_server::config::Args as clap::CommandFactory>::command();
    let longs: Vec<String> = command.get_arguments().filter_map(|a| a.get_long()).map(str::to_owned).collect();
    let named: Vec<&str> = message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).filter_map(|w| w.strip_prefix("--")).collect();
    assert!(!named.is_empty(), "names an option: {message}");
    for option in named {
        assert!(longs.iter().any(|l| l == option), "--{option} is not an option of amazon-pay-server: {message}");
    }
}

#[tokio::test]
async fn an_unknown_webhook_url_names_the_option_as_it_is_spelt() {
    let env = env().await;
    let response = env
        .http
        .get(env.url("/merchant/api/webhooks/deliveries?url=https%3A%2F%2Fshop.example%2Fnot-configured"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let (status, code, message) = refusal(response).await;
    assert_eq!((status, code.as_str()), (404, "unknown_webhook_url"));
    named_options_exist(&message);
    let response = env
        .http
        .post(env.url("/merchant/api/webhooks/send-now"))
        .bearer_auth(KEY)
        .json(&json!({"url": "https://shop.example/not-configured"}))
        .send()
        .await
        .unwrap();
    let (status, code, message) = refusal(response).await;
    assert_eq!((status, code.as_str()), (404, "unknown_webhook_url"));
    named_options_exist(&message);
}
