//! The merchant API over HTTP against the sandbox: keys, origins, listing and showing orders, and capture,
//! refund and cancel through the PAYONE simulator with Idempotency-Key. Every refusal changes nothing.

#[path = "support/payone_live.rs"]
mod payone_live;
mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::Language;
use serde_json::{json, Value};
use support::{eventually, start_with, Env};

const KEY: &str = "merchant-test-key-0123456789abcdefghij";

async fn env() -> Env {
    start_with(|c| c.merchant.api_keys = vec![KEY.to_owned()]).await
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

/// A refusal's code and message.
async fn refusal(response: reqwest::Response, status: u16) -> (String, String) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    (body["code"].as_str().unwrap().to_owned(), body["message"].as_str().unwrap().to_owned())
}

/// `minor` euro cents as the merchant API writes them.
fn eur(minor: i64) -> String {
    format!("{}.{:02} EUR", minor / 100, minor % 100)
}

async fn order(env: &Env, id: &str) -> Value {
    let response = get(env, &format!("/merchant/api/orders/{id}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn without_keys_the_merchant_api_does_not_exist() {
    let env = start_with(|_| {}).await;
    let response = env.http.get(env.url("/merchant/api/orders")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_enabled");
}

/// A refused key tells the developer what to send and where the server's keys are set, and which of the two
/// went wrong (nothing sent, another scheme, a key the server does not have), but nothing about the keys.
#[tokio::test]
async fn a_refused_key_says_what_to_send_and_where_keys_are_set_but_nothing_about_them() {
    let env = env().await;
    let orders = env.url("/merchant/api/orders");
    let (code, none) = refusal(env.http.get(&orders).send().await.unwrap(), 401).await;
    assert_eq!(code, "missing_api_key");
    assert!(none.contains("no Authorization header"), "{none}");
    let (code, basic) = refusal(env.http.get(&orders).basic_auth("merchant", Some(KEY)).send().await.unwrap(), 401).await;
    assert_eq!(code, "missing_api_key");
    assert!(basic.contains("not Bearer"), "{basic}");
    let (code, other) = refusal(env.http.get(&orders).header("x-api-key", KEY).send().await.unwrap(), 401).await;
    assert_eq!(code, "missing_api_key");
    assert!(other.contains("X-Api-Key is not read"), "{other}");
    let (code, wrong) = refusal(env.http.get(&orders).bearer_auth("k").send().await.unwrap(), 401).await;
    assert_eq!(code, "invalid_api_key");
    assert!(wrong.contains("none of the server's keys"), "{wrong}");
    for message in [&none, &basic, &other, &wrong] {
        assert!(message.contains("Authorization: Bearer <key>"), "what to send: {message}");
        assert!(message.contains("--merchant-api-keys") && message.contains("AMAZON_PAY_MERCHANT_API_KEYS"), "{message}");
        assert!(!message.contains(&KEY[18..28]), "nothing of a key: {message}");
    }
    // The same sentence whatever the wrong key: its length or likeness to a real one shows nothing.
    let near = refusal(env.http.get(&orders).bearer_auth(&KEY[..KEY.len() - 1]).send().await.unwrap(), 401).await;
    assert_eq!(near, ("invalid_api_key".to_owned(), wrong));
}

#[tokio::test]
async fn keys_are_required_and_other_sites_are_refused() {
    let env = env().await;
    let response = env.http.get(env.url("/merchant/api/orders")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(error_code(response, 401).await, "missing_api_key");
    let wrong = env.http.get(env.url("/merchant/api/orders")).bearer_auth(format!("{KEY}x")).send().await.unwrap();
    assert_eq!(error_code(wrong, 401).await, "invalid_api_key");
    let basic = env.http.get(env.url("/merchant/api/orders")).basic_auth("merchant", Some(KEY)).send().await.unwrap();
    assert_eq!(error_code(basic, 401).await, "missing_api_key");
    // The scheme in any case, as some clients write it.
    let lower = env.http.get(env.url("/merchant/api/orders")).header("authorization", format!("bearer {KEY}")).send().await.unwrap();
    assert_eq!(lower.status(), 200);
    // A browser on another site, even with the key: refused, and no CORS header lets it read anything.
    let cross = get(&env, "/merchant/api/orders").header("origin", "https://evil.example").send().await.unwrap();
    assert!(cross.headers().get("access-control-allow-origin").is_none());
    assert_eq!(error_code(cross, 403).await, "cross_origin");
    let preflight = env
        .http
        .request(reqwest::Method::OPTIONS, env.url("/merchant/api/orders"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
    assert_eq!(preflight.status(), 403);
    let ok = get(&env, "/merchant/api/orders").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().get("access-control-allow-origin").is_none());
    let unknown = get(&env, "/merchant/api/customers").send().await.unwrap();
    assert_eq!(error_code(unknown, 404).await, "unknown_route");
}

#[tokio::test]
async fn orders_are_listed_with_filters_and_pages_and_shown_whole() {
    let env = env().await;
    let (first, txid) = env.authorized_order("list-order-0001", &[OrderState::Approved]).await;
    let (second, _) = env.authorized_order("list-order-0002", &[OrderState::Approved]).await;
    let declined_workorder = env.checkout("amex-0982").await;
    let declined: PlaceOrderResponse = env.place(&declined_workorder, "list-order-0003", Language::En).await.json().await.unwrap();

    let all: Value = get(&env, "/merchant/api/orders").send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = all["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()) && ids.contains(&declined.order_id.as_str()));
    let approved: Value = get(&env, "/merchant/api/orders?state=approved&flow=cv2").send().await.unwrap().json().await.unwrap();
    assert_eq!(approved["data"].as_array().unwrap().len(), 2);
    // The list's orders are the order's page without its deliveries: the items named too.
    assert_eq!(approved["data"][0]["items"], json!([{"sku": "mug", "quantity": 2, "name": "Rust mug"}]));
    let declined_list: Value = get(&env, "/merchant/api/orders?state=declined").send().await.unwrap().json().await.unwrap();
    assert_eq!(declined_list["data"][0]["id"], declined.order_id.as_str());
    let future: Value = get(&env, "/merchant/api/orders?created_since=4000000000").send().await.unwrap().json().await.unwrap();
    assert_eq!(future["data"].as_array().unwrap().len(), 0);
    let past: Value = get(&env, "/merchant/api/orders?created_until=1").send().await.unwrap().json().await.unwrap();
    assert_eq!(past["data"].as_array().unwrap().len(), 0);

    // Pages of one: three pages, each order once, then no more.
    let mut seen = Vec::new();
    let mut path = "/merchant/api/orders?limit=1".to_owned();
    loop {
        let page: Value = get(&env, &path).send().await.unwrap().json().await.unwrap();
        seen.extend(page["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/merchant/api/orders?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    let mut expected: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(seen, expected);
    for (bad, code) in [
        ("state=shipped", "invalid_filter"),
        ("limit=0", "invalid_filter"),
        ("cursor=nonsense", "invalid_cursor"),
        ("created_since=yesterday", "invalid_filter"),
        ("colour=red", "invalid_filter"),
        ("state=approved&state=declined", "invalid_filter"),
    ] {
        let response = get(&env, &format!("/merchant/api/orders?{bad}")).send().await.unwrap();
        assert_eq!(error_code(response, 400).await, code, "{bad}");
    }

    let shown = order(&env, &first).await;
    assert_eq!(shown["state"], "approved");
    assert_eq!(shown["flow"], "cv2");
    assert_eq!(shown["items"][0]["sku"], "mug");
    assert_eq!(shown["payone"]["txid"], txid.as_str());
    let total = shown["amounts"]["total"].as_i64().unwrap();
    assert_eq!(
        shown["amounts"],
        json!({"total": total, "authorized": total, "captured": 0, "refunded": 0, "released": 0, "remaining": total, "refundable": 0})
    );
    assert_eq!(shown["buyer"]["email"], "anna.schmidt@sandbox.example");
    assert_eq!(shown["shipping_address"]["country"], "DE");
    assert_eq!(shown["notifications"][0]["txaction"], "appointed");
    assert!(shown["webhook_deliveries"].is_array());
    let missing = get(&env, "/merchant/api/orders/ONOSUCHORDER").send().await.unwrap();
    assert_eq!(error_code(missing, 404).await, "order_not_found");
}

/// `(kind, amount, sequencenumber)` of the PAYONE calls the simulator saw for `txid`, by its transaction.
fn sim_tx(env: &Env, txid: &str) -> amazon_pay_server::sandbox::Transaction {
    env.sandbox().payone.transaction(txid).unwrap()
}

#[tokio::test]
async fn capture_twice_refund_twice_with_sequence_numbers_notifications_and_idempotency() {
    let env = env().await;
    let (id, txid) = env.authorized_order("money-order-0001", &[OrderState::Approved]).await;
    let total = order(&env, &id).await["amounts"]["total"].as_i64().unwrap();
    let path = |action: &str| format!("/merchant/api/orders/{id}/{action}");

    let first = post(&env, &path("capture"), "capture-part-1", json!({"amount": 1000})).await;
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["amounts"]["captured"], 1000);
    assert_eq!(body["amounts"]["remaining"], total - 1000);
    // "The answer is the order after the action": its products named as the order's page names them.
    let shown = order(&env, &id).await;
    assert!(shown["items"][0]["name"].is_string(), "{shown}");
    assert_eq!(body["items"], shown["items"]);
    // The same key again: the same answer, marked as a replay, and no second capture at PAYONE.
    let again = post(&env, &path("capture"), "capture-part-1", json!({"amount": 1000})).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), body);
    assert_eq!(sim_tx(&env, &txid).captured, 1000);
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 1);
    // The same request written otherwise (another client's serializer): still the same request.
    let respaced = env
        .http
        .post(env.url(&path("capture")))
        .bearer_auth(KEY)
        .header("idempotency-key", "capture-part-1")
        .header("content-type", "application/json")
        .body("{ \"amount\" : 1000 }\n")
        .send()
        .await
        .unwrap();
    assert_eq!(respaced.status(), 200);
    assert_eq!(respaced.headers()["idempotent-replayed"], "true");
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 1);
    // The key with another request is refused.
    let reused = post(&env, &path("capture"), "capture-part-1", json!({"amount": 5})).await;
    assert_eq!(error_code(reused, 422).await, "idempotency_key_reused");
    // More than is left: the refusal says how much can still be captured and why.
    let over = post(&env, &path("capture"), "capture-over-01", json!({"amount": total - 999})).await;
    let (code, message) = refusal(over, 422).await;
    assert_eq!(code, "amount_exceeds_authorized");
    let left = format!("At most {} can still be captured: of the {} authorized, 10.00 EUR were captured already.", eur(total - 1000), eur(total));
    assert_eq!(message, format!("{} is too much. {left}", eur(total - 999)));
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 1, "refused before PAYONE");

    // The rest, without an amount: capturemode=completed.
    let second = post(&env, &path("capture"), "capture-part-2", json!({})).await;
    assert_eq!(second.status(), 200);
    let tx = sim_tx(&env, &txid);
    assert_eq!((tx.captured, tx.sequencenumber, tx.capture_closed), (total, 2, true));

    let refund1 = post(&env, &path("refund"), "refund-part-1", json!({"amount": 300, "reason": "one mug broken"})).await;
    assert_eq!(refund1.status(), 200);
    let refund2 = post(&env, &path("refund"), "refund-part-2", json!({"amount": 200})).await;
    let body: Value = refund2.json().await.unwrap();
    assert_eq!(body["amounts"]["refunded"], 500);
    assert_eq!(body["amounts"]["refundable"], total - 500);
    let tx = sim_tx(&env, &txid);
    assert_eq!((tx.receivable, tx.sequencenumber), (total - 500, 4));
    assert_eq!(body["payments"].as_array().unwrap().iter().map(|p| p["sequencenumber"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(body["payments"][2]["reason"], "one mug broken");

    // PAYONE's notifications for each step reach the order's history.
    let id2 = id.clone();
    let state = env.state.clone();
    eventually("capture, paid and debit notifications", 10, move || {
        let actions: Vec<String> = state.store.notifications_for_txid(&txid).unwrap().iter().map(|n| n.txaction().unwrap_or("").to_owned()).collect();
        (actions.iter().filter(|a| *a == "capture").count() == 2
            && actions.iter().filter(|a| *a == "debit").count() == 2
            && actions.contains(&"paid".to_owned()))
        .then_some(())
    })
    .await;
    let shown = order(&env, &id2).await;
    assert_eq!(shown["state"], "paid");
    assert_eq!(shown["amounts"]["captured"], total);
    let types: Vec<String> = env.state.store.events_for_order(&id2).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(types.iter().filter(|t| *t == "order.captured").count(), 2);
    assert_eq!(types.iter().filter(|t| *t == "order.refunded").count(), 2);
}

#[tokio::test]
async fn every_refusal_changes_nothing() {
    let env = env().await;
    let (id, txid) = env.authorized_order("refuse-order-0001", &[OrderState::Approved]).await;
    let total = order(&env, &id).await["amounts"]["total"].as_i64().unwrap();
    let path = |action: &str| format!("/merchant/api/orders/{id}/{action}");
    let calls_before = env.upstream("merchant-capture").len() + env.upstream("merchant-refund").len();

    let cases: Vec<(String, Option<&str>, Value, u16, &str)> = vec![
        (path("capture"), Some("over-capture-01"), json!({"amount": total + 1}), 422, "amount_exceeds_authorized"),
        (path("capture"), Some("zero-capture-01"), json!({"amount": 0}), 400, "invalid_amount"),
        (path("capture"), Some("neg-capture-001"), json!({"amount": -100}), 400, "invalid_amount"),
        (path("capture"), Some("frac-capture-01"), json!({"amount": 10.5}), 400, "invalid_amount"),
        (path("capture"), None, json!({"amount": 100}), 400, "missing_idempotency_key"),
        (path("capture"), Some("bad key!"), json!({"amount": 100}), 400, "invalid_idempotency_key"),
        (path("refund"), Some("early-refund-01"), json!({"amount": 100}), 409, "not_captured"),
        (path("capture"), Some("field-capture-1"), json!({"amt": 100}), 400, "invalid_body"),
        (path("cancel"), Some("amount-cancel-1"), json!({"amount": 100}), 400, "invalid_body"),
        ("/merchant/api/orders/ONOSUCHORDER/capture".to_owned(), Some("unknown-order-1"), json!({}), 404, "order_not_found"),
    ];
    for (path, key, body, status, code) in cases {
        let mut request = env.http.post(env.url(&path)).bearer_auth(KEY).json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        assert_eq!(error_code(request.send().await.unwrap(), status).await, code, "{path} {body}");
    }
    let unauthenticated =
        env.http.post(env.url(&path("capture"))).header("idempotency-key", "no-key-request-1").json(&json!({})).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let shown = order(&env, &id).await;
    assert_eq!(shown["amounts"]["captured"], 0);
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 0, "PAYONE saw nothing");
    assert_eq!(env.upstream("merchant-capture").len() + env.upstream("merchant-refund").len(), calls_before);

    // Over-refund, then cancel after a full capture.
    assert_eq!(post(&env, &path("capture"), "full-capture-01", json!({})).await.status(), 200);
    let over = post(&env, &path("refund"), "over-refund-001", json!({"amount": total + 1})).await;
    let (code, message) = refusal(over, 422).await;
    assert_eq!(code, "amount_exceeds_captured");
    // Says how much can be refunded and why, in the order's currency (not "2581 is more than the 2580 ...").
    assert_eq!(message, format!("{} is too much. At most {} can be refunded: that is what was captured.", eur(total + 1), eur(total)));
    let cancel = post(&env, &path("cancel"), "late-cancel-001", json!({})).await;
    assert_eq!(error_code(cancel, 409).await, "nothing_to_release");
    let again = post(&env, &path("capture"), "capture-again-1", json!({"amount": 1})).await;
    assert_eq!(error_code(again, 409).await, "already_captured");
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 1, "only the full capture reached PAYONE");

    // Everything refunded: a further refund is refused and reaches nobody.
    assert_eq!(post(&env, &path("refund"), "full-refund-001", json!({})).await.status(), 200);
    let refunded = order(&env, &id).await["amounts"].clone();
    let more = post(&env, &path("refund"), "refund-again-01", json!({"amount": 1})).await;
    assert_eq!(error_code(more, 409).await, "nothing_to_refund");
    assert_eq!(order(&env, &id).await["amounts"], refunded);
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 2, "only the full capture and the full refund reached PAYONE");

    // A declined order: no money action.
    let workorder = env.checkout("amex-0982").await;
    let declined: PlaceOrderResponse = env.place(&workorder, "refuse-order-0002", Language::En).await.json().await.unwrap();
    for action in ["capture", "refund", "cancel"] {
        let response = post(&env, &format!("/merchant/api/orders/{}/{action}", declined.order_id), &format!("declined-{action}-1"), json!({})).await;
        let code = error_code(response, 409).await;
        assert!(code == "not_authorized" || code == "not_captured", "{action}: {code}");
    }
}

#[tokio::test]
async fn cancel_releases_what_is_not_captured() {
    let env = env().await;
    let (id, txid) = env.authorized_order("cancel-order-0001", &[OrderState::Approved]).await;
    let total = order(&env, &id).await["amounts"]["total"].as_i64().unwrap();
    let path = |action: &str| format!("/merchant/api/orders/{id}/{action}");
    assert_eq!(post(&env, &path("capture"), "cancel-capture-1", json!({"amount": 500})).await.status(), 200);
    let cancelled = post(&env, &path("cancel"), "cancel-release-1", json!({"reason": "out of stock"})).await;
    assert_eq!(cancelled.status(), 200);
    let body: Value = cancelled.json().await.unwrap();
    assert_eq!(body["amounts"]["released"], total - 500);
    assert_eq!(body["amounts"]["remaining"], 0);
    let tx = sim_tx(&env, &txid);
    assert_eq!((tx.captured, tx.sequencenumber, tx.capture_closed), (500, 2, true), "a zero capture with capturemode=completed");
    let again = post(&env, &path("cancel"), "cancel-release-2", json!({})).await;
    assert_eq!(error_code(again, 409).await, "nothing_to_release");
    let more = post(&env, &path("capture"), "cancel-capture-2", json!({"amount": 1})).await;
    assert_eq!(error_code(more, 409).await, "nothing_to_capture");
    let types: Vec<String> = env.state.store.events_for_order(&id).unwrap().into_iter().map(|e| e.kind).collect();
    assert!(types.contains(&"order.cancelled".to_owned()), "{types:?}");
}

/// The buyer's `GET /api/orders/{id}`, in German.
async fn buyer_status(env: &Env, id: &str) -> Value {
    let response = env.http.get(env.url(&format!("/api/orders/{id}?lang=de"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_buyer_reads_what_the_shop_did_with_the_money_and_nothing_of_the_merchants() {
    let env = env().await;
    let (cancelled, _) = env.authorized_order("buyer-cancel-00001", &[OrderState::Approved]).await;
    let (refunded, _) = env.authorized_order("buyer-refund-00001", &[OrderState::Approved]).await;
    let (partly, _) = env.authorized_order("buyer-partly-00001", &[OrderState::Approved]).await;
    let (charged, _) = env.authorized_order("buyer-charge-00001", &[OrderState::Approved]).await;
    let (untouched, _) = env.authorized_order("buyer-untouch-0001", &[OrderState::Approved]).await;
    let act = |id: &str, action: &str| format!("/merchant/api/orders/{id}/{action}");
    // Before the shop does anything: approved, and no word of the money.
    let before = buyer_status(&env, &cancelled).await;
    assert_eq!((&before["state"], &before["payment"]), (&json!("approved"), &Value::Null), "{before}");

    assert_eq!(post(&env, &act(&cancelled, "cancel"), "buyer-cancel-1", json!({"reason": "out of stock"})).await.status(), 200);
    assert_eq!(post(&env, &act(&refunded, "capture"), "buyer-capture-1", json!({})).await.status(), 200);
    assert_eq!(post(&env, &act(&refunded, "refund"), "buyer-refund-1", json!({})).await.status(), 200);
    assert_eq!(post(&env, &act(&partly, "capture"), "buyer-capture-2", json!({})).await.status(), 200);
    assert_eq!(post(&env, &act(&partly, "refund"), "buyer-refund-2", json!({"amount": 100})).await.status(), 200);
    // A capture in part is the merchant's detail: the buyer reads "charged".
    assert_eq!(post(&env, &act(&charged, "capture"), "buyer-capture-3", json!({"amount": 100})).await.status(), 200);

    for (id, payment, settled) in [
        (&cancelled, json!("cancelled"), true),
        (&refunded, json!("refunded"), true),
        (&partly, json!("partly_refunded"), true),
        (&charged, json!("charged"), true),
        (&untouched, Value::Null, true),
    ] {
        let buyer = buyer_status(&env, id).await;
        assert_eq!(buyer["payment"], payment, "{buyer}");
        assert_eq!(buyer["settled"], settled, "{buyer}");
        // Only the buyer's fields: no merchant status, amounts, reasons, buyer data or provider ids.
        let mut keys: Vec<&str> = buyer.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["amount", "decline", "message", "order_id", "payment", "settled", "state"], "{buyer}");
    }
}

#[tokio::test]
async fn checkoutchamp_orders_are_shown_but_their_money_belongs_to_the_crm() {
    use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderRequest, ImportOrderResponse};
    use amazon_pay_server::sandbox::amazon::AgreementType;
    let env = env().await;
    let amazon = &env.sandbox().amazon;
    let token = amazon.issue_token("jean", &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap();
    amazon.update_order_reference(&reference.id, |r| r.instrument = amazon_pay_server::sandbox::scenario::instrument("visa-1111")).unwrap();
    let request = ImportOrderRequest {
        access_token: token,
        amazon_order_id: reference.id.clone(),
        items: vec![CampaignLine { product_id: 102, quantity: 1 }],
        recurring: false,
        idempotency_key: "crm-import-0001".into(),
        language: Language::En,
    };
    let imported: ImportOrderResponse =
        env.post_json("/api/checkoutchamp/orders", &serde_json::to_value(&request).unwrap()).await.json().await.unwrap();
    let upsell_token = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let upsale = amazon_pay_contract::checkoutchamp::ImportUpsaleRequest {
        access_token: upsell_token,
        order_id: imported.order_id.clone(),
        product_id: 103,
        quantity: 1,
        idempotency_key: "crm-upsale-0001".into(),
        language: Language::En,
    };
    let upsold = env.post_json("/api/checkoutchamp/upsales", &serde_json::to_value(&upsale).unwrap()).await;
    assert_eq!(upsold.status(), 200);
    let kinds: Vec<String> = env.state.store.events_for_order(&imported.order_id).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["order.placed", "order.paid", "order.updated"], "the import's and the upsale's events");
    let listed: Value = get(&env, "/merchant/api/orders?flow=checkoutchamp").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"][0]["id"], imported.order_id.as_str());
    let shown = order(&env, &imported.order_id).await;
    assert_eq!(shown["provider"], "checkoutchamp");
    // The merchant dashboard reads CRM orders with the same types as PAYONE ones.
    let typed: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(shown.clone()).expect("the contract's MerchantOrder");
    assert_eq!((typed.amounts.total, typed.amounts.captured), (shown["amounts"]["total"].as_i64().unwrap(), 0));
    let _: amazon_pay_contract::merchant::OrderList = serde_json::from_value(listed.clone()).expect("the contract's OrderList");
    assert_eq!(shown["amazon"]["order_reference_id"], reference.id.as_str());
    for action in ["capture", "refund", "cancel"] {
        let response = post(&env, &format!("/merchant/api/orders/{}/{action}", imported.order_id), &format!("crm-{action}-0001"), json!({})).await;
        assert_eq!(error_code(response, 409).await, "managed_by_crm");
    }
}

#[tokio::test]
async fn a_capture_or_refund_payone_refuses_changes_nothing_and_its_key_replays_the_refusal() {
    let env = env().await;
    let (id, txid) = env.authorized_order("refused-order-001", &[OrderState::Approved]).await;
    let path = |action: &str| format!("/merchant/api/orders/{id}/{action}");
    // The sandbox's scenario: Amazon refuses captures of this transaction (as a tester sets it over HTTP).
    let refuse = env.http.post(env.url(&format!("/sandbox/payone/transactions/{txid}/refuse/capture"))).send().await.unwrap();
    assert_eq!(refuse.status(), 204);
    let refused = post(&env, &path("capture"), "refused-capture-1", json!({"amount": 100})).await;
    assert_eq!(error_code(refused, 502).await, "payone_refused");
    let calls = env.upstream("merchant-capture").len();
    let again = post(&env, &path("capture"), "refused-capture-1", json!({"amount": 100})).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(error_code(again, 502).await, "payone_refused");
    assert_eq!(env.upstream("merchant-capture").len(), calls, "the stored refusal, without a call");
    assert_eq!(order(&env, &id).await["amounts"]["captured"], 0);
    assert_eq!(sim_tx(&env, &txid).sequencenumber, 0);

    // Accepted again: a new key captures; then refunds are refused, and nothing is refunded.
    env.http.post(env.url(&format!("/sandbox/payone/transactions/{txid}/refuse/capture?on=false"))).send().await.unwrap();
    assert_eq!(post(&env, &path("capture"), "refused-capture-2", json!({"amount": 100})).await.status(), 200);
    env.sandbox().payone.refuse(&txid, "debit", true).unwrap();
    let refused = post(&env, &path("refund"), "refused-refund-01", json!({"amount": 50})).await;
    assert_eq!(error_code(refused, 502).await, "payone_refused");
    let shown = order(&env, &id).await;
    assert_eq!((shown["amounts"]["captured"].as_i64(), shown["amounts"]["refunded"].as_i64()), (Some(100), Some(0)));
    assert_eq!(sim_tx(&env, &txid).receivable, 100);
    let unknown = env.http.post(env.url("/sandbox/payone/transactions/999/refuse/capture")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let bad = env.http.post(env.url(&format!("/sandbox/payone/transactions/{txid}/refuse/authorization"))).send().await.unwrap();
    assert_eq!(bad.status(), 400);

    // The merchant was told of each refusal: the order's timeline shows both (the replay of the first key adds
    // none), beside the capture that went through.
    let answer = env.http.get(env.url(&format!("/merchant/api/orders/{id}/timeline"))).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let timeline: amazon_pay_contract::merchant::Timeline = answer.json().await.unwrap();
    let merchant: Vec<(String, Option<String>)> =
        timeline.entries.iter().filter(|e| e.source == "merchant").map(|e| (e.title.clone(), e.detail.clone())).collect();
    // Within one second the entries keep no order of their own (times are whole seconds): compared sorted.
    let mut titles: Vec<&str> = merchant.iter().map(|(t, _)| t.as_str()).collect();
    titles.sort_unstable();
    assert_eq!(titles, ["capture 1.00 EUR", "capture 1.00 EUR refused", "refund 0.50 EUR refused"], "{merchant:?}");
    for (title, detail) in merchant.iter().filter(|(t, _)| t.ends_with(" refused")) {
        let detail = detail.as_deref().unwrap_or_default();
        assert!(detail.starts_with("PAYONE refused it (error 21: ") && detail.ends_with("); nothing moved"), "{title}: {detail}");
    }
}

#[tokio::test]
async fn apb_orders_have_their_events_and_are_listed_by_flow() {
    let env = env().await;
    let body = json!({"items": [{"sku": "ebook", "quantity": 1}], "idempotency_key": "apb-events-0001", "language": "en", "product_type": "PayOnly"});
    let response = env.post_json("/api/apb/orders", &body).await;
    assert_eq!(response.status(), 200);
    let placed: Value = response.json().await.unwrap();
    let id = placed["order_id"].as_str().unwrap().to_owned();
    let kinds: Vec<String> = env.state.store.events_for_order(&id).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["order.placed", "order.redirected"]);
    let listed: Value = get(&env, "/merchant/api/orders?flow=apb").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_cv2_order_shows_and_is_found_by_amazons_checkout_session_id() {
    let env = env().await;
    let (id, _) = env.authorized_order("amazon-ref-order-01", &[OrderState::Approved]).await;
    let workorder = env.state.store.order(&id).unwrap().unwrap().workorder_id;
    let session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
    let shown = order(&env, &id).await;
    assert_eq!(shown["amazon"]["checkout_session_id"], session.as_str(), "{shown}");
    // The order.placed event already carries it.
    let events = env.state.store.events_for_order(&id).unwrap();
    let placed: Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(placed["order"]["amazon"]["checkout_session_id"], session.as_str());
    // Search by it: this order only; another id finds nothing; a malformed one is refused.
    env.authorized_order("amazon-ref-order-02", &[OrderState::Approved]).await;
    let found: Value = get(&env, &format!("/merchant/api/orders?amazon_id={session}")).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = found["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    let none: Value = get(&env, "/merchant/api/orders?amazon_id=no-such-session").send().await.unwrap().json().await.unwrap();
    assert_eq!(none["data"], json!([]));
    let bad = get(&env, "/merchant/api/orders?amazon_id=").send().await.unwrap();
    assert_eq!(error_code(bad, 400).await, "invalid_filter");
}

#[tokio::test]
async fn an_apb_order_shows_its_items() {
    let env = env().await;
    let body =
        json!({"items": [{"sku": "ebook", "quantity": 2}], "idempotency_key": "apb-items-0000001", "language": "en", "product_type": "PayOnly"});
    let response = env.post_json("/api/apb/orders", &body).await;
    assert_eq!(response.status(), 200);
    let placed: Value = response.json().await.unwrap();
    let id = placed["order_id"].as_str().unwrap();
    let shown = order(&env, id).await;
    assert_eq!(shown["flow"], "apb");
    // The order's page adds the catalogue's names (for people); the events carry the cart as stored.
    assert_eq!(shown["items"], json!([{"sku": "ebook", "quantity": 2, "name": "The Rust e-book (download)"}]), "{shown}");
    assert_eq!(shown["payone"]["workorder_id"], placed["button"]["workorder_id"]);
    // The first event (written before PAYONE named the workorder) has them too.
    let events = env.state.store.events_for_order(id).unwrap();
    let first: Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(first["order"]["items"], json!([{"sku": "ebook", "quantity": 2}]));
}

/// The ids the list answers for `query`.
async fn listed(env: &Env, query: &str) -> Vec<String> {
    let response = get(env, &format!("/merchant/api/orders?{query}")).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    body["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn payment_status_says_what_cancel_capture_and_refund_did_and_filters_the_list() {
    let env = env().await;
    let (cancelled, _) = env.authorized_order("status-cancel-0001", &[OrderState::Approved]).await;
    let (refunded, _) = env.authorized_order("status-refund-0001", &[OrderState::Approved]).await;
    let (partly, _) = env.authorized_order("status-partly-0001", &[OrderState::Approved]).await;
    let (untouched, _) = env.authorized_order("status-untouched-01", &[OrderState::Approved]).await;
    assert_eq!(order(&env, &untouched).await["payment_status"], "authorized");
    let act = |id: &str, action: &str| format!("/merchant/api/orders/{id}/{action}");

    assert_eq!(post(&env, &act(&cancelled, "cancel"), "status-cancel-1", json!({})).await.status(), 200);
    assert_eq!(post(&env, &act(&refunded, "capture"), "status-capture-1", json!({})).await.status(), 200);
    assert_eq!(order(&env, &refunded).await["payment_status"], "captured");
    assert_eq!(post(&env, &act(&refunded, "refund"), "status-refund-1", json!({})).await.status(), 200);
    assert_eq!(post(&env, &act(&partly, "capture"), "status-capture-2", json!({"amount": 100})).await.status(), 200);

    for (id, status) in [(&cancelled, "cancelled"), (&refunded, "refunded"), (&partly, "partly_captured"), (&untouched, "authorized")] {
        assert_eq!(order(&env, id).await["payment_status"], status, "{id}");
        assert_eq!(listed(&env, &format!("payment_status={status}")).await, [id.as_str()], "{status}");
    }
    assert!(listed(&env, "payment_status=partly_refunded").await.is_empty());
    // The cancel left the state as PAYONE reported it (captured ones turn `paid` when PAYONE says so).
    assert_eq!(order(&env, &cancelled).await["state"], "approved");
    assert_eq!(listed(&env, "state=approved&payment_status=cancelled").await, [cancelled.as_str()]);
    // Each event carries the order as it then stood: the cancel's says so.
    let events = env.state.store.events_for_order(&cancelled).unwrap();
    let event = events.iter().find(|e| e.kind == "order.cancelled").unwrap();
    let body: Value = serde_json::from_str(&event.body).unwrap();
    assert_eq!(body["order"]["payment_status"], "cancelled");

    // `state=cancelled` is no state: the refusal names the filter that finds them.
    let response = get(&env, "/merchant/api/orders?state=cancelled").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("payment_status=cancelled"), "{body}");
    let response = get(&env, "/merchant/api/orders?payment_status=released").send().await.unwrap();
    assert_eq!(response.status(), 400);

    // The buyer's confirmation page keeps the provider's state, and reads the cancel in its own words
    // (the_buyer_reads_what_the_shop_did_with_the_money_and_nothing_of_the_merchants).
    let buyer: Value = env.http.get(env.url(&format!("/api/orders/{cancelled}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(buyer["state"], "approved");
    assert_eq!(buyer["payment"], "cancelled");
    assert!(buyer.get("payment_status").is_none(), "{buyer}");
}

/// An order whose placement was cut off (the instance died before the provider's answer was stored; here
/// written as it would be left) is closed by the sweep after `--placing-expiry-seconds`, for PAYONE and Amazon
/// Pay direct alike: `abandoned`, and the merchant API says why (`placement_cut_off`), so the list of orders
/// left `placing` (what `OrdersStuckPlacing` counts) empties without a hand.
#[tokio::test]
async fn an_order_left_placing_is_closed_after_its_expiry_and_says_why() {
    let env = start_with(|c| {
        c.merchant.api_keys = vec![KEY.to_owned()];
        c.placing_expiry = std::time::Duration::from_secs(1);
    })
    .await;
    for (provider, key) in
        [(amazon_pay_server::orders::Provider::Payone, "cut-off-payone-1"), (amazon_pay_server::orders::Provider::Amazon, "cut-off-amazon-1")]
    {
        let mut cut = amazon_pay_server::orders::OrderRecord::placing(provider, None, "apb", key, amazon_pay_contract::Money::eur(1290));
        cut.workorder_id = format!("W-{key}");
        env.state.store.insert_order(&cut).await.unwrap();
        let store = env.state.store.clone();
        eventually("the sweep closes the cut-off order", 20, || store.order(&cut.id).unwrap().filter(|o| o.state == OrderState::Abandoned).map(drop))
            .await;
        let shown = order(&env, &cut.id).await;
        assert_eq!((shown["state"].as_str(), shown["abandon_reason"].as_str()), (Some("abandoned"), Some("placement_cut_off")), "{shown}");
    }
    let left: Value = get(&env, "/merchant/api/orders?state=placing").send().await.unwrap().json().await.unwrap();
    assert_eq!(left["data"].as_array().map(Vec::len), Some(0), "{left}");
}

/// The buyer's side of a cut-off placement: once the sweep has closed it (nothing was charged) the buyer
/// places the same checkout again with a new key, and the closed attempt stays closed.
#[tokio::test]
async fn a_checkout_whose_placement_was_cut_off_can_be_placed_again_once_it_is_closed() {
    let env = start_with(|c| c.placing_expiry = std::time::Duration::from_secs(1)).await;
    let workorder = env.checkout("visa-1111").await;
    let checkout = env.state.store.checkout(&workorder).unwrap().unwrap();
    let cut = amazon_pay_server::orders::OrderRecord::placing(
        amazon_pay_server::orders::Provider::Payone,
        Some(&workorder),
        "cv2",
        "cut-off-buyer-01",
        checkout.amount,
    );
    env.state.store.insert_order(&cut).await.unwrap();
    let store = env.state.store.clone();
    eventually("the sweep closes the cut-off order", 20, || store.order(&cut.id).unwrap().filter(|o| o.state == OrderState::Abandoned).map(drop))
        .await;
    let placed: PlaceOrderResponse = env.place(&workorder, "cut-off-buyer-02", Language::En).await.json().await.unwrap();
    assert_ne!(placed.order_id, cut.id, "a new order");
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. } | PlaceOrderOutcome::Approved), "{:?}", placed.outcome);
    assert_eq!(env.state.store.order(&cut.id).unwrap().unwrap().state, OrderState::Abandoned);
}

/// The buyer back through PAYONE's error URL, or its back URL (cancelled on Amazon's pages): the order is
/// given up with the reason, which the merchant API and the `order.abandoned` event say; one that PAYONE
/// moved first (approved) is left as it is, with no reason.
#[tokio::test]
async fn an_order_given_up_through_payones_error_or_back_url_says_why() {
    let env = env().await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (result, key, reason) in [("error", "why-error-00001", "buyer_returned_error"), ("back", "why-back-000001", "buyer_cancelled")] {
        let workorder = env.checkout("visa-1111").await;
        let placed: PlaceOrderResponse = env.place(&workorder, key, Language::En).await.json().await.unwrap();
        let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, &placed.order_id);
        let back = no_redirects.get(env.url(&format!("/api/orders/{}/return?result={result}&token={token}", placed.order_id))).send().await.unwrap();
        assert_eq!(back.status(), 303);
        let shown = order(&env, &placed.order_id).await;
        assert_eq!((shown["state"].as_str(), shown["abandon_reason"].as_str()), (Some("abandoned"), Some(reason)), "{shown}");
        let events = env.state.store.events_for_order(&placed.order_id).unwrap();
        let last: Value = serde_json::from_str(&events.last().unwrap().body).unwrap();
        assert_eq!((last["type"].as_str(), last["order"]["abandon_reason"].as_str()), (Some("order.abandoned"), Some(reason)));
    }
    let (approved, _) = env.authorized_order("why-approved-001", &[OrderState::Approved]).await;
    let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, &approved);
    let back = no_redirects.get(env.url(&format!("/api/orders/{approved}/return?result=error&token={token}"))).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let shown = order(&env, &approved).await;
    assert_eq!((shown["state"].as_str(), &shown["abandon_reason"]), (Some("approved"), &Value::Null), "{shown}");
}

/// The `sh` block of docs/merchant-api.md ("First calls").
fn documented_calls() -> String {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/merchant-api.md")).unwrap();
    let start = docs.find("```sh\n").expect("a sh block in docs/merchant-api.md") + "```sh\n".len();
    let end = docs[start..].find("```").unwrap() + start;
    docs[start..end].to_owned()
}

/// Runs the documented calls with bash (stopping at the first that fails) against `env`, for `order`; off the
/// runtime's thread, which also serves the requests.
async fn run_documented_calls(env: &Env, order: &str) -> String {
    let mut command = std::process::Command::new("bash");
    command.args(["-e", "-c", &documented_calls()]).env("PAY", env.url("")).env("KEY", KEY).env("ORDER", order);
    let run = tokio::task::spawn_blocking(move || command.output());
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), run).await.expect("the calls end within 60 s").unwrap().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the documented calls failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[tokio::test]
async fn the_documented_curl_calls_work_as_written() {
    let env = env().await;
    let (id, _) = env.authorized_order("documented-calls-1", &[OrderState::Approved]).await;
    let total = order(&env, &id).await["amounts"]["total"].as_i64().unwrap();
    assert!(total > 1000, "the docs capture 10.00 EUR of it: {total}");
    let printed = run_documented_calls(&env, &id).await;
    assert!(printed.matches(&format!("\"id\":\"{id}\"")).count() >= 3, "listed, listed as authorized, shown: {printed}");
    let after = |shown: &Value| shown["amounts"].clone();
    let moved = order(&env, &id).await;
    assert_eq!(moved["payment_status"], "partly_refunded", "{moved}");
    assert_eq!(
        after(&moved),
        json!({"total": total, "authorized": total, "captured": 1000, "refunded": 500, "released": total - 1000, "remaining": 0, "refundable": 500})
    );
    // Run again as written: every POST is its key's replay, so nothing moves a second time.
    run_documented_calls(&env, &id).await;
    assert_eq!(after(&order(&env, &id).await), after(&moved));
    let payments = order(&env, &id).await["payments"].as_array().unwrap().len();
    assert_eq!(payments, 3, "one capture, one refund, one release");
}

/// A live server (PAYONE credentials, no sandbox and so no receiver of its own) with merchant API keys but no
/// `--webhook-url`: the outbox has nothing to list and send-now nothing to send, so both answer
/// `409 webhooks_not_configured` over HTTP, whatever they are asked, and nothing is written. (Every other test
/// server is a sandbox, whose own receiver is always configured.)
#[tokio::test]
async fn without_a_webhook_receiver_the_outbox_and_send_now_answer_409() {
    let dir = tempfile::tempdir().unwrap();
    let argv = payone_live::live_payone_argv(dir.path().to_str().unwrap(), &["--merchant-api-keys", KEY]);
    let mut config =
        amazon_pay_server::config::Config::from_args(<amazon_pay_server::config::Args as clap::Parser>::try_parse_from(argv).unwrap()).unwrap();
    assert_eq!(config.mode, amazon_pay_server::config::Mode::Live);
    assert!(config.merchant.webhook_urls.is_empty() && config.merchant.webhook_secret.is_none());
    let pg_url = support::test_store(&mut config).await;
    let (base, state) = amazon_pay_server::app::Server::bind(config).await.unwrap().spawn();
    let env = Env { base, state, http: reqwest::Client::new(), dir, pg_url };
    let events = env.count("SELECT count(*) FROM events");
    for query in ["", "?state=failed", "?state=delivered", "?url=https%3A%2F%2Fshop.example%2Fhook"] {
        let (code, message) = refusal(get(&env, &format!("/merchant/api/webhooks/deliveries{query}")).send().await.unwrap(), 409).await;
        assert_eq!(code, "webhooks_not_configured", "{query}");
        assert!(message.contains("--webhook-url and --webhook-secret"), "says what to configure: {message}");
    }
    for body in ["", r#"{"url":"https://shop.example/hook"}"#, "not json"] {
        let response = env.http.post(env.url("/merchant/api/webhooks/send-now")).bearer_auth(KEY).body(body).send().await.unwrap();
        assert_eq!(refusal(response, 409).await.0, "webhooks_not_configured", "{body}");
    }
    // Refused before anything is read or moved: no delivery exists, none was made.
    assert_eq!(env.count("SELECT count(*) FROM webhook_deliveries"), 0);
    assert_eq!(env.count("SELECT count(*) FROM events"), events);
    // The key is still checked first: no key, 401, not a hint about the configuration.
    let anonymous = env.http.post(env.url("/merchant/api/webhooks/send-now")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// A wrong key from `client` (written by the trusted proxy in front, `X-Forwarded-For`).
async fn from(env: &Env, client: &str, key: &str, path: &str) -> reqwest::Response {
    env.http.get(env.url(path)).bearer_auth(key).header("x-forwarded-for", client).send().await.unwrap()
}

#[tokio::test]
async fn an_address_that_sends_too_many_wrong_keys_is_refused_for_a_while_and_others_are_not() {
    let env = start_with(|c| {
        c.merchant.api_keys = vec![KEY.to_owned()];
        c.ops.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let wrong = format!("{KEY}-guess");
    for _ in 0..10 {
        assert_eq!(error_code(from(&env, "198.51.100.7", &wrong, "/merchant/api/orders").await, 401).await, "invalid_api_key");
    }
    // The right key now changes nothing for that address, on every merchant route.
    let refused = from(&env, "198.51.100.7", KEY, "/merchant/api/orders").await;
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(error_code(refused, 429).await, "too_many_attempts");
    assert_eq!(from(&env, "198.51.100.7", KEY, "/merchant/").await.status(), 429, "the dashboard too");
    assert_eq!(from(&env, "198.51.100.7", KEY, "/merchant/api/webhooks/deliveries").await.status(), 429);
    // Another client with the right key is not held up, nor is the buyer API.
    assert_eq!(from(&env, "198.51.100.8", KEY, "/merchant/api/orders").await.status(), 200);
    assert_ne!(from(&env, "198.51.100.7", KEY, "/healthz").await.status(), 429);
    let metrics = amazon_pay_server::telemetry::metrics::encode().unwrap();
    // Counted (the series is exported at 0 from the start, so its presence alone says nothing).
    let limited = metrics.lines().find_map(|l| l.strip_prefix("amazon_pay_merchant_key_limit_events_total{event=\"limited\"} "));
    assert!(limited.and_then(|v| v.trim().parse::<f64>().ok()).is_some_and(|v| v >= 1.0), "{metrics}");
    assert_eq!(env.state.key_attempts.len(), 1, "only the address that sent wrong keys is remembered");
}

#[tokio::test]
async fn the_wrong_key_limit_never_believes_a_forwarded_for_from_an_untrusted_peer() {
    let env = env().await;
    let wrong = format!("{KEY}-guess");
    // Each guess claims another address; without a trusted proxy the TCP peer is the client, whatever the header says.
    for i in 0..10 {
        from(&env, &format!("192.0.2.{i}"), &wrong, "/merchant/api/orders").await;
    }
    assert_eq!(from(&env, "192.0.2.99", KEY, "/merchant/api/orders").await.status(), 429);
}
