//! What the merchant dashboard needs of the server: the dashboard's files at `/merchant/` (only with merchant
//! API keys, never for other sites), orders found by search, an order's timeline, the wire types of
//! `amazon_pay_contract::merchant` matching the answers, and money counted right when PAYONE captured at the
//! authorization (`--payone-authorization authorization`).

mod support;

use amazon_pay_contract::merchant::{MerchantOrder, OrderList, Timeline};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_server::config::{Authorization, Config};
use serde_json::{json, Value};
use support::{start_with, Env};

const KEY: &str = "merchant-test-key-0123456789abcdefghij";

async fn env_with(adjust: impl FnOnce(&mut Config)) -> Env {
    start_with(|c| {
        c.merchant.api_keys = vec![KEY.to_owned()];
        adjust(c);
    })
    .await
}

fn get(env: &Env, path: &str) -> reqwest::RequestBuilder {
    env.http.get(env.url(path)).bearer_auth(KEY)
}

async fn post(env: &Env, path: &str, key: &str, body: Value) -> reqwest::Response {
    env.http.post(env.url(path)).bearer_auth(KEY).header("idempotency-key", key).json(&body).send().await.unwrap()
}

async fn error_code(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().is_some_and(|m| m.len() > 10), "a sentence: {body}");
    body["code"].as_str().unwrap().to_owned()
}

async fn shown(env: &Env, id: &str) -> MerchantOrder {
    let response = get(env, &format!("/merchant/api/orders/{id}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.expect("the contract's MerchantOrder")
}

#[tokio::test]
async fn with_authorization_the_money_is_captured_at_once_and_can_be_refunded() {
    let env = env_with(|c| c.payone_authorization = Authorization::Authorization).await;
    let (id, txid) = env.authorized_order("auth-mode-order-1", &[OrderState::Approved, OrderState::Paid]).await;
    let order = shown(&env, &id).await;
    assert_eq!((order.items[0].sku.as_str(), order.items[0].name.as_deref()), ("mug", Some("Rust mug")), "the catalogue's name");
    assert_eq!(order.delivery.as_deref(), Some("standard"));
    let total = order.amounts.total;
    assert_eq!(
        (order.amounts.authorized, order.amounts.captured, order.amounts.remaining, order.amounts.refundable),
        (total, total, 0, total),
        "PAYONE captured all at the authorization"
    );
    let path = |action: &str| format!("/merchant/api/orders/{id}/{action}");
    assert_eq!(error_code(post(&env, &path("capture"), "auth-mode-capture", json!({})).await, 409).await, "already_captured");
    assert_eq!(error_code(post(&env, &path("cancel"), "auth-mode-cancel1", json!({})).await, 409).await, "nothing_to_release");
    let over = post(&env, &path("refund"), "auth-mode-over-01", json!({"amount": total + 1})).await;
    assert_eq!(error_code(over, 422).await, "amount_exceeds_captured");
    let refunded = post(&env, &path("refund"), "auth-mode-refund1", json!({"amount": 500})).await;
    assert_eq!(refunded.status(), 200);
    let after: MerchantOrder = refunded.json().await.unwrap();
    assert_eq!((after.amounts.captured, after.amounts.refunded, after.amounts.refundable), (total, 500, total - 500));
    // Past what is left, the refusal says how much can still be refunded and why (the dashboard shows it).
    let over = post(&env, &path("refund"), "auth-mode-over-02", json!({"amount": total - 499})).await;
    assert_eq!(over.status(), 422);
    let body: Value = over.json().await.unwrap();
    assert_eq!(body["code"], "amount_exceeds_captured");
    let eur = |minor: i64| format!("{}.{:02} EUR", minor / 100, minor % 100);
    assert_eq!(
        body["message"],
        format!(
            "{} is too much. At most {} can still be refunded: 5.00 EUR of the {} captured were refunded already.",
            eur(total - 499),
            eur(total - 500),
            eur(total)
        )
    );
    let tx = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((tx.receivable, tx.sequencenumber), (total - 500, 1), "a debit with sequencenumber 1");
}

#[tokio::test]
async fn orders_are_found_by_id_buyer_and_reference() {
    let env = env_with(|_| {}).await;
    let (first, txid) = env.authorized_order("search-order-0001", &[OrderState::Approved, OrderState::Paid]).await;
    let (second, _) = env.authorized_order("search-order-0002", &[OrderState::Approved, OrderState::Paid]).await;
    let search = |q: &str| {
        let path = format!("/merchant/api/orders?q={}", urlencode(q));
        let env = &env;
        async move {
            let list: OrderList = get(env, &path).send().await.unwrap().json().await.expect("the contract's OrderList");
            let mut ids: Vec<String> = list.data.into_iter().map(|o| o.id).collect();
            ids.sort();
            ids
        }
    };
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    let just_first = vec![first.clone()];
    assert_eq!(search(&first).await, just_first, "by order id");
    assert_eq!(search(&first.to_lowercase()).await, just_first, "any case");
    assert_eq!(search(&first[2..first.len() - 2]).await, just_first, "a part of it");
    assert_eq!(search("anna.schmidt@sandbox").await, both, "by the buyer's e-mail");
    assert_eq!(search("SCHMIDT").await, both, "by the buyer's name, any case");
    assert_eq!(search(&txid).await, just_first, "by PAYONE's txid");
    assert!(search("nobody-like-this").await.is_empty());
    assert!(search("%").await.is_empty(), "LIKE's wildcards are plain characters");
    assert!(search("email").await.is_empty(), "field names are not searched, only values");
    let filtered: OrderList = get(&env, "/merchant/api/orders?q=anna&state=declined").send().await.unwrap().json().await.unwrap();
    assert!(filtered.data.is_empty(), "search and filters together");
    let long = "x".repeat(201);
    let response = get(&env, &format!("/merchant/api/orders?q={long}")).send().await.unwrap();
    assert_eq!(error_code(response, 400).await, "invalid_filter");
    let empty = get(&env, "/merchant/api/orders?q=").send().await.unwrap();
    assert_eq!(empty.status(), 200, "an empty search is no search");
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn an_orders_timeline_has_notifications_money_and_webhook_attempts() {
    let env = env_with(|_| {}).await;
    let (id, _) = env.authorized_order("timeline-order-01", &[OrderState::Approved, OrderState::Paid]).await;
    assert_eq!(post(&env, &format!("/merchant/api/orders/{id}/capture"), "timeline-capture", json!({"amount": 1000})).await.status(), 200);
    // Until PAYONE's capture notification and the webhook's first attempt are in (a deadline, not a sleep).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let timeline: Timeline = get(&env, &format!("/merchant/api/orders/{id}/timeline")).send().await.unwrap().json().await.unwrap();
        let has = |source: &str, title: &str| timeline.entries.iter().any(|e| e.source == source && e.title.starts_with(title));
        if has("payone", "capture") && timeline.entries.iter().any(|e| e.title.starts_with("order.captured") && !e.attempts.is_empty()) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for the timeline: {timeline:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let timeline: Timeline = get(&env, &format!("/merchant/api/orders/{id}/timeline")).send().await.unwrap().json().await.unwrap();
    assert_eq!(timeline.order_id, id);
    let sources: Vec<&str> = timeline.entries.iter().map(|e| e.source.as_str()).collect();
    assert_eq!(sources[0], "order", "placed first: {sources:?}");
    // Each entry says what happened then: the placed one its total (it said "state now paid" once PAYONE's
    // `paid` had come), each state the order entered its own entry; today's state is the order's `state`.
    assert_eq!(timeline.entries[0].title, "placed (cv2)");
    assert_eq!(timeline.entries[0].detail.as_deref(), Some("total 25.80 EUR"));
    let states: Vec<&str> = timeline.entries.iter().filter(|e| e.source == "order").map(|e| e.title.as_str()).collect();
    // Sent to Amazon's processing page, then approved (and `paid` once PAYONE says so after the capture).
    assert!(states.starts_with(&["placed (cv2)", "redirected", "approved"]), "{states:?}");
    assert!(timeline.entries.iter().all(|e| !e.detail.as_deref().unwrap_or("").contains("state now")), "{timeline:?}");
    assert!(timeline.entries.windows(2).all(|w| w[0].at_ms <= w[1].at_ms), "oldest first");
    let capture = timeline.entries.iter().find(|e| e.source == "merchant").expect("the capture");
    assert_eq!(capture.title, "capture 10.00 EUR");
    assert!(timeline.entries.iter().any(|e| e.source == "payone" && e.title.starts_with("appointed")));
    let delivered = timeline.entries.iter().find(|e| e.source == "webhook" && !e.attempts.is_empty()).unwrap();
    assert_eq!(delivered.attempts[0].status, Some(200), "{delivered:?}");

    let missing = get(&env, "/merchant/api/orders/ONOSUCHORDER/timeline").send().await.unwrap();
    assert_eq!(error_code(missing, 404).await, "order_not_found");
    let anonymous = env.http.get(env.url(&format!("/merchant/api/orders/{id}/timeline"))).send().await.unwrap();
    assert_eq!(error_code(anonymous, 401).await, "missing_api_key");
    let cross = get(&env, &format!("/merchant/api/orders/{id}/timeline")).header("origin", "https://evil.example").send().await.unwrap();
    assert!(cross.headers().get("access-control-allow-origin").is_none());
    assert_eq!(error_code(cross, 403).await, "cross_origin");
}

/// A dist/ with a dashboard build in it.
fn dist_with_dashboard(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(dist.join("merchant")).unwrap();
    std::fs::write(dist.join("merchant/index.html"), "<!doctype html><title>Orders</title>").unwrap();
    std::fs::write(dist.join("merchant/amazon-pay-dashboard.js"), "export default 1;").unwrap();
    dist
}

#[tokio::test]
async fn the_dashboard_is_served_same_origin_only_and_only_with_keys() {
    let files = tempfile::tempdir().unwrap();
    let dist = dist_with_dashboard(files.path());
    let env = env_with({
        let dist = dist.clone();
        move |c| c.dist_dir = dist
    })
    .await;
    let page = env.http.get(env.url("/merchant/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.get("access-control-allow-origin").is_none());
    assert!(page.text().await.unwrap().contains("<title>Orders</title>"));
    let script = env.http.get(env.url("/merchant/amazon-pay-dashboard.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(script.headers()["cross-origin-resource-policy"], "same-origin");
    // Another site's page, even one the buyer API allows, gets no CORS header to read the files with.
    let cross = env.http.get(env.url("/merchant/amazon-pay-dashboard.js")).header("origin", "https://evil.example").send().await.unwrap();
    assert!(cross.headers().get("access-control-allow-origin").is_none());
    let bare = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let redirect = bare.get(env.url("/merchant")).send().await.unwrap();
    assert_eq!((redirect.status().as_u16(), redirect.headers()["location"].to_str().unwrap()), (308, "/merchant/"));
    let missing = env.http.get(env.url("/merchant/nothing-here.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.text().await.unwrap(), "", "the dashboard is built: a missing file is only missing");
    assert_eq!(env.http.get(env.url("/merchant/..%2Fwidget.js")).send().await.unwrap().status(), 404);

    // Without merchant API keys there is no dashboard, though its files are in dist/.
    let off = start_with(move |c| c.dist_dir = dist).await;
    for path in ["/merchant/", "/merchant/index.html", "/merchant/amazon-pay-dashboard.js", "/merchant"] {
        assert_eq!(off.http.get(off.url(path)).send().await.unwrap().status(), 404, "{path}");
    }
}

#[tokio::test]
async fn with_keys_but_no_dashboard_built_the_page_says_how_to_build_it() {
    let files = tempfile::tempdir().unwrap();
    let dist = files.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let env = env_with({
        let dist = dist.clone();
        move |c| c.dist_dir = dist
    })
    .await;
    let page = env.http.get(env.url("/merchant/")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert_eq!(page.headers()["content-security-policy"].to_str().unwrap(), amazon_pay_server::merchant::dashboard::POLICY);
    let text = page.text().await.unwrap();
    assert!(text.contains("not built") && text.contains("scripts/build-dashboard"), "{text}");
    assert!(!text.contains(dist.to_str().unwrap()), "no server path: {text}");
    // The API does not depend on it.
    assert_eq!(get(&env, "/merchant/api/orders").send().await.unwrap().status(), 200);
    // Built later: served without a restart.
    dist_with_dashboard(files.path());
    let page = env.http.get(env.url("/merchant/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>Orders</title>"));
}
