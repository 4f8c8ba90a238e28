//! PAYONE's TransactionStatus notifications against a real server on a free loopback port.
#![cfg(feature = "sandbox")]

use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::{ErrorCode, Language, Money};
use amazon_pay_server::app::{AppState, Server};
use amazon_pay_server::config::{sandbox_defaults as d, Config};
use amazon_pay_server::orders::OrderRecord;
use amazon_pay_server::payone::wire::notification_key;

async fn start() -> (String, tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::bind(Config::sandbox_for_tests(dir.path().to_owned())).await.unwrap();
    let (base, state) = server.spawn();
    (base, dir, state)
}

async fn order_with_txid(state: &AppState, id: &str, txid: &str) {
    let order = OrderRecord { workorder_id: "WO1".into(), flow: "cv2".into(), state: OrderState::Redirected, ..apb_order(id, txid) };
    state.store.insert_order(&order).await.unwrap();
}

/// A notification body as PAYONE sends it: ISO-8859-1, form-encoded.
fn body(txaction: &str, status: &str, key: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    // PAYONE's field order (a real body: academe/OmniPay-Payone), with its always-present empty fields.
    let mut fields = vec![
        ("key", key.to_owned()),
        ("txaction", txaction.to_owned()),
        ("portalid", d::PAYONE_PORTALID.to_owned()),
        ("aid", d::PAYONE_AID.to_owned()),
        ("clearingtype", "wlt".to_owned()),
        ("notify_version", "7.6".to_owned()),
        ("currency", "EUR".to_owned()),
        ("accessname", String::new()),
        ("accesscode", String::new()),
        ("param", String::new()),
        ("mode", "test".to_owned()),
        ("price", "12.90".to_owned()),
        ("txid", "300000001".to_owned()),
        ("reference", "OTEST".to_owned()),
        ("sequencenumber", "0".to_owned()),
        ("transaction_status", status.to_owned()),
    ];
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k, (*v).to_owned()));
    }
    let mut out = Vec::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        for ch in v.chars() {
            match ch {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => out.push(ch as u8),
                // ISO-8859-1: one byte per character.
                c => out.extend_from_slice(format!("%{:02X}", c as u32 as u8).as_bytes()),
            }
        }
    }
    out
}

async fn post(base: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/payone/transaction-status"))
        .header("content-type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn key() -> String {
    notification_key(d::PAYONE_KEY)
}

#[tokio::test]
async fn a_genuine_notification_is_stored_acknowledged_and_moves_the_order() {
    let (base, _dir, state) = start().await;
    order_with_txid(&state, "OTEST", "300000001").await;
    let syncs = state.store.wal_syncs();
    let (status, text) = post(&base, body("appointed", "pending", &key(), &[("lastname", "Müller")])).await;
    assert_eq!((status, text.as_str()), (200, "TSOK"), "exactly TSOK");
    // TSOK came after the WAL was fsynced (the store counts the fsync before it answers the write).
    assert_eq!(state.store.wal_syncs(), syncs + 1, "one fsync between the commit and TSOK");
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Pending);
    let stored = state.store.notifications_for_txid("300000001").unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].get("lastname"), Some("Müller"), "ISO-8859-1 decoded");
    let (_, text) = post(&base, body("paid", "completed", &key(), &[])).await;
    assert_eq!(text, "TSOK");
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Paid);
}

/// PAYONE's back URL (the buyer cancelled on Amazon's pages) leads to the review page with the cancel marker, from
/// which the widget tells `amazonpay:cancelled`; the error URL (a decline or a failed authentication) does not.
#[tokio::test]
async fn only_the_back_url_marks_the_review_page_as_cancelled() {
    let (base, _dir, state) = start().await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (id, txid, result, marked) in [("OBACK", "300000011", "back", true), ("OERROR", "300000012", "error", false)] {
        let mut order = apb_order(id, txid);
        order.state = OrderState::Redirected;
        state.store.insert_order(&order).await.unwrap();
        let token = amazon_pay_server::return_token::token(&state.config.payone.key, id);
        let answer = no_redirects.get(format!("{base}/api/orders/{id}/return?result={result}&token={token}")).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 303);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains(&format!("order={id}")), "{location}");
        assert_eq!(location.contains("amazonPayCancelled=1"), marked, "{result}: {location}");
        assert_eq!(state.store.order(id).unwrap().unwrap().state, OrderState::Abandoned);
    }
}

/// APB through PAYONE: the buyer comes back from Amazon through the error URL (a cancelled multi-factor
/// authentication, or a decline: the URL does not say which), so the order is `abandoned`. PAYONE's later
/// `failed` says what really happened: acknowledged, recorded with its event, and shown to the buyer.
#[tokio::test]
async fn a_failure_after_the_buyer_came_back_with_an_error_is_recorded_and_shown() {
    let (base, _dir, state) = start().await;
    let mut order = apb_order("OTEST", "300000001");
    order.state = OrderState::Redirected;
    state.store.insert_order(&order).await.unwrap();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token = amazon_pay_server::return_token::token(&state.config.payone.key, "OTEST");
    let back = no_redirects.get(format!("{base}/api/orders/OTEST/return?result=error&token={token}")).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 303);
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Abandoned);
    let (status, text) = post(&base, body("failed", "completed", &key(), &[("reasoncode", "982")])).await;
    assert_eq!((status, text.as_str()), (200, "TSOK"));
    let stored = state.store.order("OTEST").unwrap().unwrap();
    assert_eq!((stored.state, stored.decline), (OrderState::Failed, Some(ErrorCode::HardDecline)), "the real outcome, recorded");
    let kinds: Vec<String> = state.store.events_for_order("OTEST").unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.last().map(String::as_str), Some("order.failed"), "the shop's webhooks learn it: {kinds:?}");
    let shown: OrderStatus = reqwest::get(format!("{base}/api/orders/OTEST?lang=de")).await.unwrap().json().await.unwrap();
    assert_eq!((shown.state, shown.decline), (OrderState::Failed, Some(ErrorCode::HardDecline)));
    assert_eq!(shown.message.as_deref(), Some(ErrorCode::HardDecline.buyer_message(Language::De)));
    // A soft decline's reason lets the buyer try another instrument.
    let mut soft = apb_order("OSOFT", "300000002");
    soft.state = OrderState::Abandoned;
    state.store.insert_order(&soft).await.unwrap();
    let (_, text) = post(&base, body("failed", "completed", &key(), &[("txid", "300000002"), ("reference", "OSOFT"), ("reasoncode", "981")])).await;
    assert_eq!(text, "TSOK");
    let shown: OrderStatus = reqwest::get(format!("{base}/api/orders/OSOFT?lang=en")).await.unwrap().json().await.unwrap();
    assert_eq!((shown.state, shown.decline), (OrderState::Failed, Some(ErrorCode::SoftDecline)));
}

/// An order given up (the buyer never came back, or came back through the error URL) that PAYONE authorizes
/// after all: the money moved, so the authorization wins and is recorded.
#[tokio::test]
async fn an_authorization_of_an_abandoned_order_wins() {
    let (base, _dir, state) = start().await;
    let mut order = apb_order("OTEST", "300000001");
    order.state = OrderState::Abandoned;
    state.store.insert_order(&order).await.unwrap();
    let (_, text) = post(&base, body("appointed", "completed", &key(), &[])).await;
    assert_eq!(text, "TSOK");
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Approved);
    let kinds: Vec<String> = state.store.events_for_order("OTEST").unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.last().map(String::as_str), Some("order.approved"), "{kinds:?}");
    // And its capture's `paid` follows as for any order.
    let (_, text) = post(&base, body("paid", "completed", &key(), &[("sequencenumber", "1")])).await;
    assert_eq!(text, "TSOK");
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Paid);
}

/// An APB order (its own checkout) just placed with PAYONE's `txid`.
fn apb_order(id: &str, txid: &str) -> OrderRecord {
    OrderRecord {
        id: id.into(),
        workorder_id: id.into(),
        flow: "apb".into(),
        idempotency_key: format!("key-{id}-0000"),
        state: OrderState::Placing,
        amount: Money::eur(1290),
        txid: Some(txid.into()),
        userid: None,
        decline: None,
        response_json: None,
        provider: amazon_pay_server::orders::Provider::Payone,
    }
}

#[tokio::test]
async fn fields_the_receiver_does_not_know_are_kept_and_acknowledged() {
    let (base, _dir, state) = start().await;
    order_with_txid(&state, "OTEST", "300000001").await;
    let extra = [("cardpan", "411111xxxxxx1111"), ("some_field_payone_adds_later", "x"), ("param", "")];
    let (status, text) = post(&base, body("appointed", "completed", &key(), &extra)).await;
    assert_eq!((status, text.as_str()), (200, "TSOK"));
    let stored = state.store.notifications_for_txid("300000001").unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].get("some_field_payone_adds_later"), Some("x"));
    assert_eq!(stored[0].get("accessname"), Some(""));
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Approved);
}

#[tokio::test]
async fn a_replay_is_acknowledged_and_changes_nothing() {
    let (base, _dir, state) = start().await;
    order_with_txid(&state, "OTEST", "300000001").await;
    post(&base, body("appointed", "completed", &key(), &[])).await;
    post(&base, body("failed", "completed", &key(), &[("sequencenumber", "1")])).await;
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Failed);
    // Replaying the earlier `appointed` neither stores a second row nor moves the order back.
    let (status, text) = post(&base, body("appointed", "completed", &key(), &[])).await;
    assert_eq!((status, text.as_str()), (200, "TSOK"));
    assert_eq!(state.store.notifications_for_txid("300000001").unwrap().len(), 2);
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Failed);
}

#[tokio::test]
async fn forged_and_misaddressed_notifications_are_refused_without_tsok() {
    let (base, _dir, state) = start().await;
    order_with_txid(&state, "OTEST", "300000001").await;
    let sha384_instead = amazon_pay_server::payone::wire::request_key(d::PAYONE_KEY);
    for (label, request) in [
        ("wrong key", body("paid", "completed", &notification_key("guess"), &[])),
        ("sha384 key", body("paid", "completed", &sha384_instead, &[])),
        ("no key", body("paid", "completed", "", &[])),
        ("wrong portal", body("paid", "completed", &key(), &[("portalid", "2999999")])),
        ("wrong sub-account", body("paid", "completed", &key(), &[("aid", "99999")])),
        ("live notification to a test server", body("paid", "completed", &key(), &[("mode", "live")])),
    ] {
        let (status, text) = post(&base, request).await;
        assert_eq!(status, 403, "{label}");
        assert_ne!(text, "TSOK", "{label}");
    }
    assert!(state.store.notifications_for_txid("300000001").unwrap().is_empty(), "nothing stored");
    assert_eq!(state.store.order("OTEST").unwrap().unwrap().state, OrderState::Redirected);
    assert_eq!(state.store.wal_syncs(), 0, "nothing synced either");
}

#[tokio::test]
async fn garbage_and_oversized_bodies_get_no_tsok() {
    let (base, _dir, _state) = start().await;
    let (status, text) = post(&base, b"\xff\xfe%%%&&==".to_vec()).await;
    assert_eq!(status, 403);
    assert_ne!(text, "TSOK");
    let (status, _) = post(&base, vec![b'a'; 70 * 1024]).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn a_notification_for_an_unknown_transaction_is_kept() {
    let (base, _dir, state) = start().await;
    let (_, text) = post(&base, body("appointed", "completed", &key(), &[("txid", "999"), ("reference", "ONOPE")])).await;
    assert_eq!(text, "TSOK", "PAYONE must not retry what we deliberately keep");
    assert_eq!(state.store.notifications_for_txid("999").unwrap().len(), 1);
}

#[tokio::test]
async fn senders_outside_the_configured_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    // PAYONE's documented range: this test's loopback sender is outside it.
    config.payone_notify_allowed_ips = vec!["185.60.20.0/24".parse().unwrap()];
    let (base, state) = Server::bind(config).await.unwrap().spawn();
    order_with_txid(&state, "OTEST", "300000001").await;
    let (status, text) = post(&base, body("paid", "completed", &key(), &[])).await;
    assert_eq!(status, 403);
    assert_ne!(text, "TSOK");
    assert!(state.store.notifications_for_txid("300000001").unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.payone_notify_allowed_ips = vec!["185.60.20.0/24".parse().unwrap(), "127.0.0.0/8".parse().unwrap()];
    let (base, _state) = Server::bind(config).await.unwrap().spawn();
    assert_eq!(post(&base, body("paid", "completed", &key(), &[])).await.1, "TSOK");
}

/// A notification through a proxy: the loopback peer stands for the balancer, `xff` is what it forwards.
async fn post_via(base: &str, xff: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/payone/transaction-status"))
        .header("content-type", "application/x-www-form-urlencoded; charset=ISO-8859-1");
    if let Some(xff) = xff {
        request = request.header("x-forwarded-for", xff);
    }
    let response = request.body(body("paid", "completed", &key(), &[])).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// PAYONE's range allowed; `trusted` are the proxies in front of the server.
async fn start_behind(trusted: &str) -> (String, tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.payone_notify_allowed_ips = vec!["185.60.20.0/24".parse().unwrap()];
    config.ops.trusted_proxies = vec![trusted.parse().unwrap()];
    let (base, state) = Server::bind(config).await.unwrap().spawn();
    order_with_txid(&state, "OTEST", "300000001").await;
    (base, dir, state)
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_sender_is_checked() {
    let (base, _dir, state) = start_behind("127.0.0.0/8").await;
    // The balancer appended PAYONE's address: allowed, although the TCP peer is not in PAYONE's range.
    assert_eq!(post_via(&base, Some("185.60.20.17")).await, (200, "TSOK".to_owned()));
    assert_eq!(state.store.notifications_for_txid("300000001").unwrap().len(), 1);
}

#[tokio::test]
async fn behind_a_trusted_proxy_a_foreign_sender_is_refused() {
    let (base, _dir, state) = start_behind("127.0.0.0/8").await;
    // The sender wrote PAYONE's address themselves; the balancer appended the real one.
    let (status, text) = post_via(&base, Some("185.60.20.17, 203.0.113.9")).await;
    assert_eq!(status, 403);
    assert_ne!(text, "TSOK");
    // No header at all: the balancer itself is the sender, and it is not PAYONE.
    assert_eq!(post_via(&base, None).await.0, 403);
    assert!(state.store.notifications_for_txid("300000001").unwrap().is_empty());
}

#[tokio::test]
async fn an_untrusted_peer_cannot_forge_the_forwarded_sender() {
    // The trusted balancer is elsewhere; this loopback peer is not it, so its header is ignored.
    let (base, _dir, state) = start_behind("10.0.0.5/32").await;
    let (status, text) = post_via(&base, Some("185.60.20.17")).await;
    assert_eq!(status, 403);
    assert_ne!(text, "TSOK");
    assert!(state.store.notifications_for_txid("300000001").unwrap().is_empty());
}

#[tokio::test]
async fn the_sandbox_reads_stored_notifications_back_page_by_page() {
    let (base, _dir, _state) = start().await;
    for txid in ["300000011", "300000012", "300000013"] {
        let (_, text) = post(&base, body("appointed", "completed", &key(), &[("txid", txid)])).await;
        assert_eq!(text, "TSOK");
    }
    let page = |query: &'static str| {
        let base = base.clone();
        async move { reqwest::get(format!("{base}/sandbox/inspect/notifications{query}")).await.unwrap() }
    };
    let txids = |list: Vec<(String, String, String, i64)>| list.into_iter().map(|(txid, _, _, _)| txid).collect::<Vec<_>>();
    let started_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert_eq!(txids(page("").await.json().await.unwrap()), ["300000011", "300000012", "300000013"]);
    // Each with when it was received, in milliseconds (the harness orders its log by it), in arrival order.
    let all: Vec<(String, String, String, i64)> = page("").await.json().await.unwrap();
    let times: Vec<i64> = all.iter().map(|n| n.3).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(times.iter().all(|t| (started_ms - 60_000..=started_ms).contains(t)), "milliseconds of the last minute: {times:?} {started_ms}");
    assert_eq!(txids(page("?after=1&limit=1").await.json().await.unwrap()), ["300000012"]);
    assert_eq!(txids(page("?after=2&limit=10").await.json().await.unwrap()), ["300000013"]);
    assert!(txids(page("?after=3").await.json().await.unwrap()).is_empty());
    assert_eq!(page("?limit=many").await.status(), 400, "a limit that is not a number is refused");
}
