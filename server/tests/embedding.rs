//! A shop on its own origin: the widget's files delivered to it with CORS and CDN-like caching (the headers
//! docs/embedding.md documents), and return pages on the shop's origins only.
mod support;

use amazon_pay_contract::cv2::ButtonConfig;
use amazon_pay_contract::{ApiError, ErrorCode, Language};
use amazon_pay_server::app::Server;
use amazon_pay_server::assets::{ENTRY, IMMUTABLE, RESOURCE_POLICY, REVALIDATE};
use amazon_pay_server::config::Config;
use serde_json::json;
use support::{start_with, Env};

const SHOP: &str = "https://shop.example";

/// A dist/ like scripts/build-widget writes: top-level files, one release, its manifest and entry.
fn dist() -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    let write = |path: &str, bytes: &[u8]| {
        let path = dist.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("amazon-pay-button.js", b"export default function init() {}");
    write("widget-init.js", b"await import('./amazon-pay-button.js');");
    write("widget.js", b"import \"./v/0123456789abcdef/widget-init.js\";\n");
    write("manifest.json", b"{\"release\":\"0123456789abcdef\"}");
    write("v/0123456789abcdef/widget-init.js", b"await import('./amazon-pay-button.js');");
    write("v/0123456789abcdef/amazon-pay-button_bg.wasm", b"\0asm\x01\0\0\0");
    write("v/0123456789abcdef/amazon-pay-button_bg.wasm.br", b"brotli wasm");
    write("v/0123456789abcdef/shop.css", b".amazon-pay-button{}");
    dist
}

async fn with_shop(dist: &tempfile::TempDir) -> Env {
    let dist_dir = dist.path().to_owned();
    start_with(|config| {
        config.dist_dir = dist_dir;
        config.allowed_origins = vec![SHOP.to_owned()];
    })
    .await
}

async fn get(env: &Env, path: &str, origin: Option<&str>) -> reqwest::Response {
    let request = env.http.get(env.url(path)).header("accept-encoding", "br");
    let request = match origin {
        Some(origin) => request.header("origin", origin),
        None => request,
    };
    request.send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn widget_files_carry_cors_for_allowed_origins_and_cache_by_kind() {
    let dist = dist();
    let env = with_shop(&dist).await;
    for (path, cache) in [
        ("/v/0123456789abcdef/widget-init.js", IMMUTABLE),
        ("/v/0123456789abcdef/amazon-pay-button_bg.wasm", IMMUTABLE),
        ("/v/0123456789abcdef/shop.css", IMMUTABLE),
        ("/widget.js", ENTRY),
        ("/manifest.json", ENTRY),
        ("/amazon-pay-button.js", REVALIDATE),
        ("/widget-init.js", REVALIDATE),
    ] {
        let allowed = get(&env, path, Some(SHOP)).await;
        assert_eq!(allowed.status(), 200, "{path}");
        assert_eq!(header(&allowed, "access-control-allow-origin"), Some(SHOP), "{path}");
        assert_eq!(header(&allowed, "cache-control"), Some(cache), "{path}");
        assert_eq!(header(&allowed, "cross-origin-resource-policy"), Some(RESOURCE_POLICY), "{path}");
        assert_eq!(header(&allowed, "vary"), Some("accept-encoding, origin"), "{path}");
        assert_eq!(header(&allowed, "x-content-type-options"), Some("nosniff"), "{path}");

        let other = get(&env, path, Some("https://evil.example")).await;
        assert_eq!(other.status(), 200, "the files are public; the browser withholds them without CORS: {path}");
        assert_eq!(header(&other, "access-control-allow-origin"), None, "only the allowed origins: {path}");
        let same = get(&env, path, None).await;
        assert_eq!(header(&same, "access-control-allow-origin"), None, "{path}");
        assert_eq!(header(&same, "cache-control"), Some(cache), "{path}");
    }
    // Precompressed twins as before, in the release too.
    let wasm = get(&env, "/v/0123456789abcdef/amazon-pay-button_bg.wasm", Some(SHOP)).await;
    assert_eq!(header(&wasm, "content-encoding"), Some("br"));
    assert_eq!(header(&wasm, "content-type"), Some("application/wasm"));
    // A file that is not there is not cached, and the demo pages keep their own headers.
    let missing = get(&env, "/v/0123456789abcdef/amazon-pay-review.js", Some(SHOP)).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "cache-control"), None);
    let page = get(&env, "/review.html", Some(SHOP)).await;
    assert_eq!(header(&page, "cache-control"), None);
    assert_eq!(header(&page, "access-control-allow-origin"), None);
}

#[test]
fn the_docs_state_the_headers_the_server_sends() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let text: String = ["embedding.md"].iter().filter_map(|f| std::fs::read_to_string(docs.join(f)).ok()).collect();
    for expected in [IMMUTABLE, ENTRY, REVALIDATE] {
        assert!(text.contains(&format!("`Cache-Control: {expected}`")), "docs/embedding*.md names `Cache-Control: {expected}`");
    }
    assert!(text.contains(&format!("`Cross-Origin-Resource-Policy: {RESOURCE_POLICY}`")));
    assert!(text.contains("`Vary: accept-encoding, origin`"));
}

/// `POST /api/cv2/sessions` for one mug with `return_pages`.
async fn create(env: &Env, return_pages: serde_json::Value) -> reqwest::Response {
    env.post_json("/api/cv2/sessions", &json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en", "return_pages": return_pages})).await
}

async fn upstream_calls(env: &Env) -> usize {
    let calls: Vec<serde_json::Value> = env.http.get(env.url("/sandbox/inspect/upstream-calls")).send().await.unwrap().json().await.unwrap();
    calls.len()
}

#[tokio::test]
async fn return_pages_off_the_allowed_origins_are_refused_and_nothing_happens() {
    let dist = dist();
    let env = with_shop(&dist).await;
    let long = format!("{SHOP}/{}", "r".repeat(250));
    for (pages, why) in [
        (json!({"review": "https://evil.example/review"}), "not an allowed origin"),
        (json!({"confirmation": "https://shop.example.evil.example/thanks"}), "not an allowed origin"),
        (json!({"cart": "http://shop.example/cart"}), "not an allowed origin"),
        (json!({"cancel": "javascript:alert(1)"}), "not an absolute http(s) URL"),
        (json!({"review": "/review.html"}), "not an absolute http(s) URL"),
        (json!({"review": "https://user:pw@shop.example/review"}), "credentials"),
        (json!({"review": "https://shop.example/review#x"}), "fragment"),
        (json!({"review": long}), "at most 255"),
    ] {
        let before = upstream_calls(&env).await;
        let response = create(&env, pages.clone()).await;
        assert_eq!(response.status(), 400, "{pages}");
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error.code, ErrorCode::BadRequest);
        assert!(error.detail.as_deref().unwrap_or_default().contains(why), "{pages}: {:?}", error.detail);
        assert_eq!(upstream_calls(&env).await, before, "PAYONE was not asked: {pages}");
    }
}

#[tokio::test]
async fn the_shop_pages_of_a_request_reach_payone_and_the_buyers_return() {
    let dist = dist();
    let env = with_shop(&dist).await;
    let pages = json!({"review": "https://shop.example/checkout/review?step=2", "confirmation": "https://shop.example/thanks", "cart": "https://shop.example/cart"});
    let response = create(&env, pages).await;
    assert_eq!(response.status(), 200);
    let config: ButtonConfig = response.json().await.unwrap();
    let calls: Vec<serde_json::Value> = env.http.get(env.url("/sandbox/inspect/upstream-calls")).send().await.unwrap().json().await.unwrap();
    let sent = calls.iter().rev().find(|c| c["action"] == "createCheckoutSessionPayload").unwrap()["request"].as_str().unwrap().to_owned();
    let fields: std::collections::HashMap<String, String> = serde_urlencoded::from_str(&sent).unwrap();
    assert_eq!(fields["successurl"], "https://shop.example/checkout/review?step=2");
    assert_eq!(fields["errorurl"], "https://shop.example/checkout/review?step=2&error=amazon");
    assert_eq!(fields["backurl"], "https://shop.example/cart?amazonPayCancelled=1", "cancel leads to the cart named, marked for the widget there");

    // The order's return from Amazon goes to the shop's pages, not to the demo's.
    env.choose(&config.workorder_id, "anna", "anna-home", "visa-1111");
    let placed: serde_json::Value = env.place(&config.workorder_id, "key-embed-0001", Language::En).await.json().await.unwrap();
    let order = placed["order_id"].as_str().unwrap();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, order);
    let back = |result: &'static str| no_redirects.get(env.url(&format!("/api/orders/{order}/return?result={result}&token={token}"))).send();
    let success = back("success").await.unwrap();
    assert_eq!(success.status(), 303);
    assert_eq!(header(&success, "location"), Some(format!("https://shop.example/thanks?order={order}").as_str()));
    let error = back("error").await.unwrap();
    let expected = format!("https://shop.example/checkout/review?step=2&workorderId={}&order={order}", config.workorder_id);
    assert_eq!(header(&error, "location"), Some(expected.as_str()));
}

#[tokio::test]
async fn configured_pages_are_checked_at_start_and_used_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.return_pages.return_pages = vec!["cv2.review=https://evil.example/review".into()];
    let err = Server::bind(config).await.err().expect("a review page off the allowed origins is refused at start");
    assert!(err.to_string().contains("not an allowed origin"), "{err}");
    for bad in ["review=https://shop.example/r", "cv3.review=https://shop.example/r", "cv2.home=https://shop.example/r"] {
        let mut config = Config::sandbox_for_tests(dir.path().to_owned());
        config.allowed_origins = vec![SHOP.to_owned()];
        config.return_pages.return_pages = vec![bad.into()];
        let err = Server::bind(config).await.err().expect("a malformed setting is refused");
        assert!(err.to_string().contains("FLOW.PAGE=URL"), "{bad}: {err}");
    }

    let env = start_with(|config| {
        config.return_pages.return_origins = vec![SHOP.to_owned()];
        config.return_pages.return_pages = vec!["cv2.review=https://shop.example/review".into(), "cv2.confirmation=https://shop.example/done".into()];
    })
    .await;
    let config: ButtonConfig = create(&env, json!({})).await.json().await.unwrap();
    env.choose(&config.workorder_id, "anna", "anna-home", "visa-1111");
    let placed: serde_json::Value = env.place(&config.workorder_id, "key-embed-0002", Language::En).await.json().await.unwrap();
    let order = placed["order_id"].as_str().unwrap();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let success = no_redirects.get(env.url(&format!("/api/orders/{order}/return?result=success"))).send().await.unwrap();
    assert_eq!(header(&success, "location"), Some(format!("https://shop.example/done?order={order}").as_str()));
    // The demo's own pages stay paths on this server (the default, and the cart here).
    let calls: Vec<serde_json::Value> = env.http.get(env.url("/sandbox/inspect/upstream-calls")).send().await.unwrap().json().await.unwrap();
    let sent = calls.iter().find(|c| c["action"] == "createCheckoutSessionPayload").unwrap()["request"].as_str().unwrap().to_owned();
    let fields: std::collections::HashMap<String, String> = serde_urlencoded::from_str(&sent).unwrap();
    assert_eq!(fields["successurl"], "https://shop.example/review");
    assert_eq!(fields["backurl"], format!("{}/?amazonPayCancelled=1", env.base));
}

/// A shop that names its Checkout v2 pages only (as docs/embedding.md's command does) gets its APB buyers back to
/// them too: APB's unset pages are CV2's, not this server's demo pages.
#[tokio::test]
async fn apb_buyers_return_to_the_shops_cv2_pages_when_apb_has_none_of_its_own() {
    let env = start_with(|config| {
        config.allowed_origins = vec![SHOP.to_owned()];
        config.return_pages.return_pages =
            vec!["cv2.review=https://shop.example/checkout/review".into(), "cv2.confirmation=https://shop.example/checkout/thanks".into()];
    })
    .await;
    let buyer = json!({"email": "anna@sandbox.example", "phone": "+49 30 1234567", "address": {"first_name": "Anna", "last_name": "Schmidt",
        "street": "Unter den Linden 1", "zip": "10117", "city": "Berlin", "country": "DE"}});
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (key, result, expected) in [
        ("apb-embed-0001", "success", "https://shop.example/checkout/thanks?order="),
        ("apb-embed-0002", "back", "https://shop.example/checkout/review?workorderId="),
    ] {
        let body =
            json!({"items": [{"sku": "mug", "quantity": 1}], "idempotency_key": key, "language": "en", "product_type": "PayAndShip", "buyer": buyer});
        let placed = env.post_json("/api/apb/orders", &body).await;
        assert_eq!(placed.status(), 200);
        let placed: serde_json::Value = placed.json().await.unwrap();
        let order = placed["order_id"].as_str().unwrap();
        let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, order);
        let back = no_redirects.get(env.url(&format!("/api/orders/{order}/return?result={result}&token={token}"))).send().await.unwrap();
        let location = header(&back, "location").unwrap_or_default();
        assert!(location.starts_with(expected) && location.contains(order), "{result}: {location}");
    }
}
