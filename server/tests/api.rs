//! The server end to end over real HTTP on a free loopback port, against its own sandbox.
#![cfg(feature = "sandbox")]
#[path = "support/payone_live.rs"]
mod payone_live;

use amazon_pay_contract::cv2::{ButtonConfig, CartLine, CreateSessionRequest};
use amazon_pay_contract::{ApiError, ErrorCode, Language, Money};
use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;

async fn start() -> (String, tempfile::TempDir, amazon_pay_server::app::AppState) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::bind(Config::sandbox_for_tests(dir.path().to_owned())).await.unwrap();
    let (base, state) = server.spawn();
    (base, dir, state)
}

#[tokio::test]
async fn healthz_answers_ok() {
    let (base, _dir, _) = start().await;
    let response = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn creates_a_cv2_session_priced_by_the_server() {
    let (base, _dir, state) = start().await;
    let request =
        CreateSessionRequest { items: vec![CartLine { sku: "mug".into(), quantity: 2 }], language: Language::De, return_pages: Default::default() };
    let response = reqwest::Client::new().post(format!("{base}/api/cv2/sessions")).json(&request).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let config: ButtonConfig = response.json().await.unwrap();
    let mug = state.catalogue.products["mug"].price;
    assert_eq!(config.amount, Money::eur(2 * mug));
    assert_eq!(config.checkout_language, "de_DE");
    assert!(config.sandbox);
    assert!(config.script_url.ends_with("/sandbox/amazon/checkout.js"));
    let payload: serde_json::Value = serde_json::from_str(&config.payload_json).unwrap();
    assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], Money::eur(2 * mug).decimal());
    // The checkout and the upstream call are in the store.
    let stored = state.store.checkout(&config.workorder_id).unwrap().unwrap();
    assert_eq!(stored.amount, config.amount);
    let calls = state.store.upstream_calls().unwrap();
    assert_eq!(calls, vec![("payone".into(), "createCheckoutSessionPayload".into(), "OK".into())]);
}

#[tokio::test]
async fn unknown_items_are_refused_in_the_buyers_language() {
    let (base, _dir, state) = start().await;
    let body = serde_json::json!({"items": [{"sku": "nope", "quantity": 1}], "language": "fr"});
    let response = reqwest::Client::new().post(format!("{base}/api/cv2/sessions")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, ErrorCode::BadRequest);
    assert_eq!(err.message, ErrorCode::BadRequest.buyer_message(Language::Fr));
    assert!(err.detail.unwrap().contains("nope"));
    assert!(state.store.upstream_calls().unwrap().is_empty(), "nothing was sent upstream");
}

#[tokio::test]
async fn malformed_json_is_a_clear_bad_request() {
    let (base, _dir, _) = start().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/cv2/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn serves_the_fake_checkout_js_in_sandbox_mode() {
    let (base, _dir, _) = start().await;
    let response = reqwest::get(format!("{base}/sandbox/amazon/checkout.js")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(response.text().await.unwrap().contains("renderButton"));
}

#[tokio::test]
async fn live_mode_refuses_to_serve_the_fake_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let args =
        <amazon_pay_server::config::Args as clap::Parser>::try_parse_from(payone_live::live_payone_argv(dir.path().to_str().unwrap(), &[])).unwrap();
    let config = Config::from_args(args).unwrap();
    assert_eq!(config.mode, amazon_pay_server::config::Mode::Live);
    let (base, state) = Server::bind(config).await.unwrap().spawn();
    assert!(state.sandbox.is_none());
    for path in ["/sandbox/amazon/checkout.js", "/sandbox/amazon/Widgets.js", "/sandbox/payone/post-gateway/"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(!response.text().await.unwrap().contains("amazon.Pay"), "{path}");
    }
}

#[tokio::test]
async fn an_unknown_checkout_or_order_tells_the_buyer_it_was_not_found_and_to_go_back_to_the_cart() {
    let (base, _dir, _) = start().await;
    let http = reqwest::Client::new();
    for lang in Language::ALL {
        let code = lang.code();
        for path in [amazon_pay_contract::routes::cv2_session("WOUNKNOWN"), amazon_pay_contract::routes::order("ONOSUCHORDER")] {
            let response = http.get(format!("{base}{path}?lang={code}")).send().await.unwrap();
            assert_eq!(response.status(), 404, "{path}");
            let err: ApiError = response.json().await.unwrap();
            assert_eq!(err.code, ErrorCode::NotFound);
            // Not "Amazon Pay is not available right now": that is not what happened.
            assert_ne!(err.message, ErrorCode::Internal.buyer_message(lang), "{path} in {code}");
            assert_eq!(err.message, ErrorCode::NotFound.buyer_message(lang));
        }
    }
    let response = http.get(format!("{base}{}?lang=en", amazon_pay_contract::routes::cv2_session("WOUNKNOWN"))).send().await.unwrap();
    let err: ApiError = response.json().await.unwrap();
    assert!(err.message.contains("could not find") && err.message.contains("cart"), "{}", err.message);
}
