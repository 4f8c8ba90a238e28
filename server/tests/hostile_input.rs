//! Hostile input against a real server on a free loopback port: unknown and malformed workorder ids, oversized
//! bodies, a request that tries to set its own amount, cross-origin requests from sites not on the allowed
//! list, the pages' Content-Security-Policy, and notification tricks not covered by `transaction_status.rs`.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::ButtonConfig;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ApiError, ErrorCode, Language, Money};
use amazon_pay_server::config::{sandbox_defaults as d, Args, Config, ConfigError, Mode};
use amazon_pay_server::payone::wire::notification_key;
use amazon_pay_server::security::SANDBOX_CSP;
use clap::Parser;
use support::{expect_error, join_all, start, start_with, Env};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The catalogue's price of two mugs and a T-shirt (see `server/demo-catalogue.json`).
fn catalogue_total(env: &Env) -> i64 {
    let products = &env.state.catalogue.products;
    2 * products["mug"].price + products["tshirt"].price
}

#[tokio::test]
async fn unknown_and_malformed_workorder_and_order_ids_are_refused_without_touching_anything() {
    let env = start().await;
    let long = "W".repeat(5000);
    for id in ["WONOSUCHORDER01", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd", "WO%00", "%E2%80%AE", long.as_str()] {
        let get = env.http.get(env.url(&format!("/api/cv2/sessions/{id}?lang=fr"))).send().await.unwrap();
        let status = get.status().as_u16();
        assert!(status == 404 || status == 400 || status == 414, "{id}: {status}");
        if status == 404 {
            expect_error(get, 404, ErrorCode::NotFound, Language::Fr).await;
        }
        let delivery =
            env.post_json(&format!("/api/cv2/sessions/{id}/delivery"), &serde_json::json!({"delivery": "express", "language": "de"})).await;
        assert!((400..500).contains(&delivery.status().as_u16()), "{id}: {}", delivery.status());
        let place = env.place(id, "unknown-workorder-key", Language::Es).await;
        assert!((400..500).contains(&place.status().as_u16()), "{id}: {}", place.status());
        let order = env.http.get(env.url(&format!("/api/orders/{id}"))).send().await.unwrap();
        assert!((400..500).contains(&order.status().as_u16()), "{id}: {}", order.status());
        let back = env.http.get(env.url(&format!("/api/orders/{id}/return?result=error"))).send().await.unwrap();
        assert!((400..500).contains(&back.status().as_u16()), "{id}: {}", back.status());
    }
    let place = env.place("WONOSUCHORDER01", "unknown-workorder-key", Language::Es).await;
    expect_error(place, 404, ErrorCode::NotFound, Language::Es).await;
    assert!(env.state.store.upstream_calls().unwrap().is_empty(), "nothing reached PAYONE");
    assert_eq!(env.count("SELECT count(*) FROM orders"), 0);
    assert_eq!(env.count("SELECT count(*) FROM checkouts"), 0);

    // A real checkout cannot be reached through another checkout's idempotency key.
    let workorder = env.checkout("visa-1111").await;
    assert_eq!(env.place(&workorder, "key-of-checkout-a", Language::En).await.status(), 200);
    let other = env.checkout("visa-1111").await;
    let err = expect_error(env.place(&other, "key-of-checkout-a", Language::En).await, 400, ErrorCode::BadRequest, Language::En).await;
    assert!(err.detail.unwrap().contains("another checkout"));
    // Idempotency keys that are not keys.
    for key in ["short", "has space in it", "<script>x</script>", &"k".repeat(65)] {
        expect_error(env.place(&other, key, Language::En).await, 400, ErrorCode::BadRequest, Language::En).await;
    }
    assert!(env.state.store.orders_for_workorder(&other).unwrap().is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413_before_any_work() {
    let env = start().await;
    let workorder = env.checkout("visa-1111").await;
    let padding = "x".repeat(70 * 1024);
    let routes = [
        "/api/cv2/sessions".to_owned(),
        format!("/api/cv2/sessions/{workorder}/delivery"),
        format!("/api/cv2/sessions/{workorder}/orders"),
        "/api/checkoutchamp/orders".to_owned(),
        "/api/checkoutchamp/upsales".to_owned(),
        "/api/checkoutchamp/order-status".to_owned(),
    ];
    let calls_before = env.state.store.upstream_calls().unwrap().len();
    for route in &routes {
        let body = serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en", "padding": padding});
        let response = env.post_json(route, &body).await;
        assert_eq!(response.status(), 413, "{route}");
        let err: ApiError = response.json().await.unwrap();
        assert_eq!(err.code, ErrorCode::BadRequest, "{route}");
        assert_eq!(err.message, ErrorCode::BadRequest.buyer_message(Language::En));
    }
    // The same without a content-length: a chunked body is cut off at the limit too.
    let addr = env.base.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!("POST /api/cv2/sessions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 8192, "{".repeat(8192));
    for _ in 0..10 {
        if socket.write_all(chunk.as_bytes()).await.is_err() {
            break; // the server may hang up once the limit is passed
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", answer.lines().next().unwrap_or_default());
    assert_eq!(env.state.store.upstream_calls().unwrap().len(), calls_before, "nothing reached PAYONE");
    assert!(env.state.store.orders_for_workorder(&workorder).unwrap().is_empty());
}

#[tokio::test]
async fn a_request_that_sets_its_own_amount_is_charged_the_catalogue_price() {
    let env = start().await;
    let forged = serde_json::json!({
        "items": [
            {"sku": "mug", "quantity": 2, "price": 1, "unit_price": {"minor": 1, "currency": "EUR"}},
            {"sku": "tshirt", "quantity": 1, "price": 0}
        ],
        "language": "en",
        "amount": {"minor": 1, "currency": "EUR"},
        "price": 1,
        "total": 1,
        "currency": "USD"
    });
    let response = env.post_json("/api/cv2/sessions", &forged).await;
    assert_eq!(response.status(), 200);
    let config: ButtonConfig = response.json().await.unwrap();
    let total = catalogue_total(&env);
    assert_eq!(config.amount, Money::eur(total), "the server's price, not the browser's");
    // What reached PAYONE: the simulator's workorder and the signed payload carry the catalogue total.
    assert_eq!(env.sandbox().payone.workorder(&config.workorder_id).unwrap().amount, Money::eur(total));
    let payload: serde_json::Value = serde_json::from_str(&config.payload_json).unwrap();
    assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], Money::eur(total).decimal());

    env.choose(&config.workorder_id, "anna", "anna-home", "visa-1111");
    // Delivery and placement requests that carry amounts: ignored, priced by the server.
    let change = env
        .post_json(
            &format!("/api/cv2/sessions/{}/delivery", config.workorder_id),
            &serde_json::json!({"delivery": "express", "language": "en", "amount": {"minor": 1, "currency": "EUR"}, "delivery_fee": 0}),
        )
        .await;
    assert_eq!(change.status(), 200);
    let lines = [
        amazon_pay_contract::cv2::CartLine { sku: "mug".into(), quantity: 2 },
        amazon_pay_contract::cv2::CartLine { sku: "tshirt".into(), quantity: 1 },
    ];
    let express = env.state.catalogue.price(&lines, amazon_pay_contract::cv2::DeliveryOption::Express).unwrap().minor;
    let place = env
        .post_json(
            &format!("/api/cv2/sessions/{}/orders", config.workorder_id),
            &serde_json::json!({"idempotency_key": "forged-amount-0001", "language": "en", "amount": {"minor": 1, "currency": "EUR"}, "price": "0.01"}),
        )
        .await;
    assert_eq!(place.status(), 200);
    let session = env.sandbox().payone.workorder(&config.workorder_id).unwrap().amazon_checkout_session_id;
    let tx = env.sandbox().payone.transaction_for_session(&session).expect("the preauthorization reached PAYONE");
    assert_eq!(tx.amount, Money::eur(express), "PAYONE was asked for the catalogue price with express delivery");
    let orders = env.state.store.orders_for_workorder(&config.workorder_id).unwrap();
    assert_eq!(orders[0].amount, Money::eur(express));

    // Quantities the catalogue refuses never reach PAYONE.
    let calls = env.state.store.upstream_calls().unwrap().len();
    for items in [
        serde_json::json!([{"sku": "mug", "quantity": 0}]),
        serde_json::json!([{"sku": "mug", "quantity": 100}]),
        serde_json::json!([{"sku": "mug", "quantity": -1}]),
        serde_json::json!([{"sku": "mug", "quantity": 4294967296u64}]),
        serde_json::json!([{"sku": "mug", "quantity": 1.5}]),
        serde_json::json!([]),
        // The limit is the product's, not the line's: the same SKU again does not add another 99.
        serde_json::json!([{"sku": "mug", "quantity": 60}, {"sku": "mug", "quantity": 40}]),
        serde_json::Value::Array(vec![serde_json::json!({"sku": "tshirt", "quantity": 99}); 1500]),
    ] {
        let response = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": items, "language": "en"})).await;
        assert_eq!(response.status(), 400, "{items}");
    }
    assert_eq!(env.state.store.upstream_calls().unwrap().len(), calls);
    // Split over lines, 99 of one product is still a cart.
    let split = serde_json::json!([{"sku": "mug", "quantity": 50}, {"sku": "mug", "quantity": 49}]);
    let response = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": split, "language": "en"})).await;
    assert_eq!(response.status(), 200);
}

const SHOP: &str = "https://shop.example";
const EVIL: &str = "https://evil.example";

#[tokio::test]
async fn cors_answers_only_allowed_origins_and_other_sites_are_refused() {
    let env = start_with(|config| config.allowed_origins = vec![SHOP.to_owned()]).await;
    let body = serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en"});
    let preflight = |origin: &'static str| {
        env.http
            .request(reqwest::Method::OPTIONS, env.url("/api/cv2/sessions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };

    // An allowed shop: the preflight and the request get CORS answers for exactly that origin.
    let ok = preflight(SHOP).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], SHOP);
    let methods = ok.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("POST") && methods.contains("GET"), "{methods}");
    assert!(ok.headers()["access-control-allow-headers"].to_str().unwrap().contains("content-type"));
    assert!(ok.headers().get("access-control-allow-credentials").is_none(), "no cookies cross-origin");
    let simple = env.http.post(env.url("/api/cv2/sessions")).header("origin", SHOP).json(&body).send().await.unwrap();
    assert_eq!(simple.status(), 200);
    assert_eq!(simple.headers()["access-control-allow-origin"], SHOP);
    assert!(simple.headers()["vary"].to_str().unwrap().to_ascii_lowercase().contains("origin"));
    let calls = env.state.store.upstream_calls().unwrap().len();
    assert_eq!(calls, 1);

    // A site not on the list: refused before any work, and no CORS headers that would let it read anything.
    let refused = preflight(EVIL).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    for request in [
        env.http.post(env.url("/api/cv2/sessions")).header("origin", EVIL).json(&body),
        // A form post needs no preflight: text/plain, credentials and all.
        env.http.post(env.url("/api/cv2/sessions")).header("origin", EVIL).header("content-type", "text/plain").body(body.to_string()),
        env.http.get(env.url("/api/orders/OANYTHING")).header("origin", EVIL),
        env.http.post(env.url("/api/cv2/sessions")).header("origin", "null").json(&body),
        env.http.post(env.url("/api/cv2/sessions")).header("origin", "https://shop.example.evil.example").json(&body),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.headers().get("access-control-allow-origin").is_none());
        let err: ApiError = response.json().await.unwrap();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.detail.unwrap().contains("not allowed"));
    }
    assert_eq!(env.state.store.upstream_calls().unwrap().len(), calls, "nothing reached PAYONE");

    // Same origin needs nothing; neither does a server-to-server call without Origin.
    let same = env.http.post(env.url("/api/cv2/sessions")).header("origin", env.base.as_str()).json(&body).send().await.unwrap();
    assert_eq!(same.status(), 200);
    assert_eq!(env.post_json("/api/cv2/sessions", &body).await.status(), 200);
    // The sandbox's Amazon stand-ins keep their own permissive CORS (Amazon's pages are another site).
    let sandbox = env.http.get(env.url("/sandbox/amazon/checkout.js")).header("origin", EVIL).send().await.unwrap();
    assert_eq!(sandbox.status(), 200);
}

#[tokio::test]
async fn without_allowed_origins_every_other_site_is_refused() {
    let env = start().await;
    let response = env.http.get(env.url("/api/orders/OANYTHING")).header("origin", SHOP).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let response = env.http.get(env.url("/api/orders/OANYTHING")).header("origin", env.base.as_str()).send().await.unwrap();
    assert_eq!(response.status(), 404, "same origin passes the check");
}

#[test]
fn allowed_origins_come_from_flags_or_the_environment_and_are_checked() {
    let parse = |extra: &[&str]| Config::from_args(Args::try_parse_from(["amazon-pay-server", "--sandbox"].iter().chain(extra)).unwrap());
    let config = parse(&["--allowed-origins", "https://Shop.Example/,http://127.0.0.1:9000"]).unwrap();
    assert_eq!(config.allowed_origins, ["https://shop.example", "http://127.0.0.1:9000"]);
    assert!(parse(&[]).unwrap().allowed_origins.is_empty());
    for bad in ["*", "https://shop.example/path", "shop.example", "javascript:alert(1)"] {
        let err = parse(&["--allowed-origins", bad]).unwrap_err();
        assert!(matches!(err, ConfigError::Security(_)), "{bad}: {err}");
        assert!(err.to_string().contains("AMAZON_PAY_ALLOWED_ORIGINS"), "{err}");
    }
    assert_eq!(parse(&[]).unwrap().content_security_policy.as_deref(), Some(SANDBOX_CSP));
    assert_eq!(parse(&["--content-security-policy", ""]).unwrap().content_security_policy, None);
}

/// A static directory with one page, so the page service answers without a built widget.
fn pages_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>t</title>").unwrap();
    dir
}

#[tokio::test]
async fn pages_carry_the_content_security_policy_and_the_api_does_not_need_it() {
    let pages = pages_dir();
    let static_dir = pages.path().to_owned();
    let env = start_with(|config| {
        config.static_dir = static_dir.clone();
        config.dist_dir = static_dir.join("no-dist");
    })
    .await;
    let page = env.http.get(env.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-security-policy"], SANDBOX_CSP);
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let csp = SANDBOX_CSP;
    for directive in [
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{directive}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));

    let static_dir = pages.path().to_owned();
    let off = start_with(|config| {
        config.static_dir = static_dir.clone();
        config.content_security_policy = None;
    })
    .await;
    assert!(off.http.get(off.url("/")).send().await.unwrap().headers().get("content-security-policy").is_none());
}

/// A notification body as PAYONE sends it, with `fields` replacing or adding to the defaults.
fn notification(fields: &[(&str, &str)]) -> String {
    let key = notification_key(d::PAYONE_KEY);
    let mut all: Vec<(String, String)> = [
        ("key", key.as_str()),
        ("txaction", "appointed"),
        ("transaction_status", "completed"),
        ("portalid", d::PAYONE_PORTALID),
        ("aid", d::PAYONE_AID),
        ("txid", "400000001"),
        ("reference", "OHOSTILE"),
        ("sequencenumber", "0"),
        ("mode", "test"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in fields {
        all.retain(|(name, _)| name != k);
        all.push((k.to_string(), v.to_string()));
    }
    serde_urlencoded::to_string(&all).unwrap()
}

async fn notify(env: &Env, body: String) -> (u16, String) {
    let response = env
        .http
        .post(env.url("/payone/transaction-status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn notification_tricks_are_refused_or_stored_once() {
    let env = start().await;
    env.state
        .store
        .insert_order(&amazon_pay_server::orders::OrderRecord {
            id: "OHOSTILE".into(),
            workorder_id: "WOHOSTILE".into(),
            flow: "cv2".into(),
            idempotency_key: "hostile-key-0001".into(),
            state: OrderState::Redirected,
            amount: Money::eur(1290),
            txid: Some("400000001".into()),
            userid: None,
            decline: None,
            response_json: None,
            provider: amazon_pay_server::orders::Provider::Payone,
        })
        .await
        .unwrap();
    let good_key = notification_key(d::PAYONE_KEY);
    // A wrong key first and the right one second: the first one counts.
    let doubled = format!("key={}&{}", notification_key("guess"), notification(&[("txaction", "paid")]));
    assert_eq!(notify(&env, doubled).await.0, 403);
    // The right portal second does not rescue a wrong first one.
    let portal = format!("portalid=2999999&{}", notification(&[("txaction", "paid")]));
    assert_eq!(notify(&env, portal).await.0, 403);
    // A key that is only a prefix, or the plain portal key.
    assert_eq!(notify(&env, notification(&[("key", &good_key[..16])])).await.0, 403);
    assert_eq!(notify(&env, notification(&[("key", d::PAYONE_KEY)])).await.0, 403);
    // No transaction or no action: refused, so PAYONE retries rather than being told it arrived.
    let no_txid = notification(&[]).replace("txid=400000001", "");
    assert_eq!(notify(&env, no_txid).await.0, 403);
    assert!(env.state.store.notifications_for_txid("400000001").unwrap().is_empty());
    assert_eq!(env.state.store.order("OHOSTILE").unwrap().unwrap().state, OrderState::Redirected);

    // Thirty copies of one genuine notification at once: all acknowledged, stored once, applied once.
    let body = notification(&[]);
    let answers = join_all((0..30).map(|_| notify(&env, body.clone()))).await;
    assert!(answers.iter().all(|(status, text)| *status == 200 && text == "TSOK"), "{answers:?}");
    assert_eq!(env.state.store.notifications_for_txid("400000001").unwrap().len(), 1);
    assert_eq!(env.state.store.order("OHOSTILE").unwrap().unwrap().state, OrderState::Approved);
    // Markup in the buyer's name is stored as the text it is.
    let marked = notification(&[("txaction", "paid"), ("lastname", "<script>alert(1)</script>")]);
    assert_eq!(notify(&env, marked).await.1, "TSOK");
    let stored = env.state.store.notifications_for_txid("400000001").unwrap();
    assert_eq!(stored[1].get("lastname"), Some("<script>alert(1)</script>"));
    assert_eq!(env.state.store.order("OHOSTILE").unwrap().unwrap().state, OrderState::Paid);
}

#[test]
fn live_mode_refuses_empty_secrets() {
    // `PAYONE_KEY=""` once started live mode with md5("") as the notification key, which anyone can forge.
    let live = ["amazon-pay-server", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
    let parse = |extra: &[&str]| Config::from_args(Args::try_parse_from(live.iter().chain(extra)).unwrap());
    for key in ["", "  "] {
        let err = parse(&["--payone-key", key]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing("PAYONE_KEY")), "{key:?}: {err}");
    }
    let err = parse(&[
        "--payone-key",
        "k",
        "--checkoutchamp-login-id",
        "api",
        "--checkoutchamp-password",
        "",
        "--checkoutchamp-campaign-id",
        "1",
        "--checkoutchamp-amazon-biller-id",
        "5",
    ])
    .unwrap_err();
    assert!(matches!(err, ConfigError::Missing("CHECKOUTCHAMP_PASSWORD")), "{err}");
    assert!(parse(&["--payone-key", "k", "--catalogue", "shop-catalogue.json"]).is_ok());
}

#[test]
fn account_settings_without_their_credential_are_refused_not_run_as_the_sandbox() {
    // PAYONE's ids without PAYONE_KEY once started the offline sandbox, which confirms orders with pretend payments.
    let parse = |args: &[&str]| Config::from_args(Args::try_parse_from(["amazon-pay-server"].iter().chain(args)).unwrap());
    for (flag, name) in [
        ("--payone-mid", "PAYONE_MID"),
        ("--payone-portalid", "PAYONE_PORTALID"),
        ("--payone-aid", "PAYONE_AID"),
        ("--checkoutchamp-password", "CHECKOUTCHAMP_PASSWORD"),
    ] {
        let err = parse(&[flag, "12345"]).unwrap_err();
        assert!(matches!(err, ConfigError::WithoutCredential(n) if n == name), "{flag}: {err}");
        assert!(err.to_string().contains("start with --sandbox"), "{err}");
        // Asked for, the sandbox takes them.
        assert_eq!(parse(&[flag, "12345", "--sandbox"]).unwrap().mode, Mode::Sandbox, "{flag}");
    }
    assert_eq!(parse(&[]).unwrap().mode, Mode::Sandbox, "nothing set: the sandbox, as before");
}

#[test]
fn listening_on_every_address_needs_the_public_url() {
    // `--listen 0.0.0.0:8080` alone once made http://0.0.0.0:8080 the public URL: the cart's button named
    // http://0.0.0.0:8080/sandbox/amazon/checkout.js, which the page's CSP refused ("not available right now").
    let parse = |args: &[&str]| Config::from_args(Args::try_parse_from(["amazon-pay-server", "--sandbox"].iter().chain(args)).unwrap());
    for listen in ["0.0.0.0:8080", "[::]:8080"] {
        let err = parse(&["--listen", listen]).unwrap_err();
        assert!(matches!(err, ConfigError::PublicUrlForEveryAddress(_)), "{listen}: {err}");
        assert!(err.to_string().contains("set --public-url"), "{err}");
        let named = parse(&["--listen", listen, "--public-url", "http://192.0.2.10:8080"]).unwrap();
        assert_eq!(named.public_url.as_deref(), Some("http://192.0.2.10:8080"));
    }
    assert!(parse(&["--listen", "127.0.0.1:8080"]).is_ok(), "one address: the public URL defaults to it");
}

/// Every route that reads a body has a size limit, refused with `413` before any work: the buyer API's 64 KB
/// (PAYONE's and Amazon Pay direct's routes, CV1, APB, the notification receivers), the merchant API's 16 KB,
/// and the sandbox's own routes, which had only axum's 2 MB.
#[tokio::test]
async fn every_route_that_reads_a_body_refuses_one_over_its_limit() {
    const KEY: &str = "merchant-key-0123456789abcdef0123456789";
    async fn refused(env: &Env, route: &str, size: usize) {
        let body = serde_json::json!({"padding": "x".repeat(size)});
        let response = env.http.post(env.url(route)).bearer_auth(KEY).header("idempotency-key", "key-oversized-01").json(&body).send().await.unwrap();
        assert_eq!(response.status(), 413, "{route} took {size} bytes: {:?}", response.text().await);
    }
    let (buyer, merchant) = (70 * 1024, 17 * 1024);
    let payone = start_with(|c| c.merchant.api_keys = vec![KEY.to_owned()]).await;
    let calls_before = payone.state.store.upstream_calls().unwrap().len();
    for route in [
        amazon_pay_contract::routes::APB_ORDERS,
        "/api/cv1/sessions",
        "/api/cv1/sessions/WO1/details",
        "/api/cv1/sessions/WO1/confirm",
        "/api/cv1/orders/O1/authorize",
        amazon_pay_contract::routes::PAYONE_TRANSACTION_STATUS,
        "/sandbox/webhooks",
        "/sandbox/checkoutchamp/order/import/",
        "/sandbox/amazon/checkout/signin",
    ] {
        refused(&payone, route, buyer).await;
    }
    for action in ["capture", "refund", "cancel"] {
        refused(&payone, &format!("/merchant/api/orders/O1/{action}"), merchant).await;
    }
    refused(&payone, "/merchant/api/webhooks/send-now", merchant).await;
    assert_eq!(payone.state.store.upstream_calls().unwrap().len(), calls_before, "nothing reached PAYONE");

    let amazon = start_with(|config| {
        let args = amazon_pay_server::config::amazon::AmazonArgs::default();
        config.provider = amazon_pay_server::config::amazon::Provider::Amazon;
        config.amazon =
            Some(amazon_pay_server::config::amazon::AmazonConfig::from_args(&args, None, "EUR", true, |_| Ok(())).expect("sandbox defaults"));
    })
    .await;
    for route in [
        "/api/cv2/sessions",
        "/api/cv2/sessions/WO1/delivery",
        "/api/cv2/sessions/WO1/orders",
        amazon_pay_contract::routes::APB_ORDERS,
        "/amazon/ipn",
        "/sandbox/amazon-pay/live/v2/checkoutSessions",
    ] {
        refused(&amazon, route, buyer).await;
    }
}
