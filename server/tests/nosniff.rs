//! Every answer says `X-Content-Type-Options: nosniff`, so no browser reads a JSON answer, an error or a
//! file as a script or a page of another type than the one it was served with: the API's JSON and its
//! refusals, 404s and 405s, the pages and their files, the sandbox, `/healthz`, `/readyz` and `/metrics`.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;
use std::path::Path;

#[tokio::test]
async fn every_kind_of_answer_says_nosniff() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    config.static_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static");
    config.merchant.api_keys = vec!["nosniff-test-key-0123456789abcdefghij".to_owned()];
    let pg_url = support::test_store(&mut config).await;
    let server = Server::bind(config).await.expect("binds");
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().expect("metrics are on"));
    let (base, state) = server.spawn();
    let env = support::Env { base, state, http: reqwest::Client::new(), dir, pg_url };

    let get = |path: &str| env.http.get(env.url(path));
    let requests = [
        ("healthz", get("/healthz")),
        ("readyz", get("/readyz")),
        ("API JSON error", get("/api/orders/ONOSUCHORDER")),
        ("API JSON", env.http.post(env.url("/api/cv2/sessions")).json(&serde_json::json!({"items": [{"sku": "mug", "quantity": 1}]}))),
        ("API malformed JSON", env.http.post(env.url("/api/cv2/sessions")).header("content-type", "application/json").body("{")),
        ("wrong method", env.http.delete(env.url("/api/orders/ONOSUCHORDER"))),
        ("merchant API refusal", get("/merchant/api/orders")),
        ("TransactionStatus refusal", env.http.post(env.url("/payone/transaction-status")).body("key=0&txid=1")),
        ("page", get("/review.html")),
        ("static file", get("/shop.css")),
        ("missing page", get("/no-such-page.html")),
        ("sandbox script", get("/sandbox/amazon/checkout.js")),
        ("metrics", env.http.get(&metrics_url)),
    ];
    let mut missing = Vec::new();
    for (what, request) in requests {
        let response = request.send().await.expect("answered");
        let status = response.status();
        if response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()) != Some("nosniff") {
            missing.push(format!("{what} (HTTP {status})"));
        }
    }
    assert!(missing.is_empty(), "answers without X-Content-Type-Options: nosniff: {missing:?}");
}
