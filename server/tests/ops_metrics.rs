//! Prometheus metrics (issue #22): `/metrics` on `--metrics-listen`, scraped after a CV2 checkout and parsed
//! by the Prometheus project's own Python parser (`prometheus_client`, strict OpenMetrics), whose numbers
//! must match what the flow did and what the store recorded.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::Language;
use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;
use std::collections::BTreeMap;
use support::prometheus::Samples;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_counts_what_a_cv2_checkout_did() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    // No TransactionStatus from the simulator: the notifications counted below are the test's own.
    config.payone_notify_url = Some(String::new());
    let pg_url = support::test_store(&mut config).await;
    let server = Server::bind(config).await.expect("binds");
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().expect("metrics are on"));
    let (base, state) = server.spawn();
    let env = support::Env { base, state, http: reqwest::Client::new(), dir, pg_url };

    // The metrics are not on the public listener.
    assert_eq!(env.http.get(env.url("/metrics")).send().await.expect("answered").status(), 404);

    let workorder = env.checkout("visa-1111").await;
    let review = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}"))).send().await.expect("answered");
    assert_eq!(review.status(), 200);
    let placed = env.place(&workorder, "metrics-0001", Language::En).await;
    assert_eq!(placed.status(), 200);
    // A notification with a wrong key: refused, counted by reason.
    let forged =
        env.http.post(env.url("/payone/transaction-status")).body("key=0123&txid=1&txaction=paid&portalid=1").send().await.expect("answered");
    assert_eq!(forged.status(), 403);

    let scrape = env.http.get(&metrics_url).send().await.expect("scraped");
    assert_eq!(scrape.status(), 200);
    assert!(scrape.headers()["content-type"].to_str().expect("ascii").starts_with("application/openmetrics-text"));
    let samples = Samples::parse(&scrape.text().await.expect("a body"));

    let http = "amazon_pay_http_requests_total";
    assert_eq!(samples.sum(http, &[("route", "/api/cv2/sessions"), ("method", "POST"), ("status", "200")]), 1.0);
    assert_eq!(samples.sum(http, &[("route", "/api/cv2/sessions/{workorder_id}"), ("method", "GET"), ("status", "200")]), 1.0);
    assert_eq!(samples.sum(http, &[("route", "/api/cv2/sessions/{workorder_id}/orders"), ("status", "200")]), 1.0);
    assert_eq!(samples.sum(http, &[("route", "/payone/transaction-status"), ("status", "403")]), 1.0);
    assert_eq!(samples.sum(http, &[("route", "/metrics")]), 0.0, "the metrics listener is not counted as the app");
    assert!(!samples.0.iter().any(|(_, l, _)| l.get("route").is_some_and(|r| r.contains(&workorder))), "templates, not raw paths");
    let placement = [("route", "/api/cv2/sessions/{workorder_id}/orders"), ("method", "POST")];
    assert_eq!(samples.sum("amazon_pay_http_request_duration_seconds_count", &placement), 1.0);
    assert!(samples.sum("amazon_pay_http_request_duration_seconds_sum", &placement) > 0.0);

    // Every upstream call the store recorded is counted, by service and action, and timed.
    let recorded = env.state.store.upstream_calls().expect("the store reads");
    assert!(!recorded.is_empty());
    let mut by_action: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (service, action, _) in &recorded {
        *by_action.entry((service.clone(), action.clone())).or_default() += 1.0;
    }
    for ((service, action), count) in &by_action {
        let labels = [("service", service.as_str()), ("action", action.as_str())];
        assert_eq!(samples.sum("amazon_pay_upstream_calls_total", &labels), *count, "{service} {action}");
        assert_eq!(samples.sum("amazon_pay_upstream_call_duration_seconds_count", &labels), *count, "{service} {action}");
    }
    assert_eq!(samples.sum("amazon_pay_upstream_calls_total", &[]), recorded.len() as f64, "nothing counted that was not recorded");
    assert_eq!(samples.sum("amazon_pay_upstream_calls_total", &[("action", "preauthorization"), ("outcome", "redirect")]), 1.0);

    let ts = "amazon_pay_transaction_status_notifications_total";
    assert_eq!(samples.sum(ts, &[("result", "refused"), ("reason", "wrong_key")]), 1.0);
    assert_eq!(samples.sum(ts, &[("result", "accepted")]), 0.0);

    let order = env.count(&format!("SELECT count(*) FROM orders WHERE workorder_id = '{workorder}'"));
    assert_eq!(order, 1);
    let stored_state = env.texts("SELECT state FROM orders").pop().expect("one order");
    assert_eq!(samples.sum("amazon_pay_orders", &[("flow", "cv2"), ("state", &stored_state)]), 1.0);
    assert_eq!(samples.sum("amazon_pay_orders", &[]), 1.0);
    assert_eq!(samples.sum("amazon_pay_orders_oldest_placing_age_seconds", &[]), 0.0, "no order is placing");

    // Each recorded call and the checkout and order rows are store writes.
    assert!(samples.sum("amazon_pay_store_write_duration_seconds_count", &[]) >= (recorded.len() + 2) as f64);

    // An order cut off while placing ten minutes ago (what `OrdersStuckPlacing` watches): its age is shown.
    let cut = amazon_pay_server::orders::OrderRecord::placing(
        amazon_pay_server::orders::Provider::Payone,
        None,
        "apb",
        "metrics-cut-off-1",
        amazon_pay_contract::Money::eur(100),
    );
    env.state.store.insert_order(&cut).await.expect("stored");
    env.execute(&format!("UPDATE orders SET updated_at = updated_at - 600 WHERE id = '{}'", cut.id));
    let samples = Samples::parse(&env.http.get(&metrics_url).send().await.expect("scraped").text().await.expect("a body"));
    let age = samples.sum("amazon_pay_orders_oldest_placing_age_seconds", &[]);
    assert!((600.0..700.0).contains(&age), "{age}");
}

/// A request whose body did not arrive within `--body-read-timeout-ms` is answered `408` in place of whatever
/// its handler made of the failed read (`ops/body_deadline.rs`): the HTTP metrics count the `408` the client
/// got (they once counted the handler's `400`, so an alert on 408s never saw a slow client).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_ran_out_of_time_is_counted_as_the_408_the_client_got() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    config.ops.body_read_timeout_ms = 200;
    let _pg_url = support::test_store(&mut config).await;
    let server = Server::bind(config).await.expect("binds");
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().expect("metrics are on"));
    let (base, _state) = server.spawn();

    // A route the other test leaves alone, so the counts below are this request's.
    let route = "/api/cv2/sessions/{workorder_id}/delivery";
    let body = br#"{"delivery":"express"}"#;
    let mut slow = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.expect("connects");
    let head = format!(
        "POST /api/cv2/sessions/WO-slow/delivery HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).await.expect("sent");
    slow.write_all(&body[..10]).await.expect("sent");
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection after the body's time is up")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");

    let samples = Samples::parse(&reqwest::get(&metrics_url).await.expect("scraped").text().await.expect("a body"));
    let http = "amazon_pay_http_requests_total";
    assert_eq!(samples.sum(http, &[("route", route), ("method", "POST"), ("status", "408")]), 1.0, "the 408 the client got");
    assert_eq!(samples.sum(http, &[("route", route)]), 1.0, "and nothing else for it (not the handler's own answer)");
}

/// The counters the alerts in docs/operations.md select by label are exported from the start, at 0: Prometheus'
/// `increase()` and `rate()` need a sample before an event, so a series born at 1 (its first event) looks flat,
/// and `MerchantKeyGuessing` never fired for an instance's first guessing address, nor `NotificationsRefused`
/// for its first refused notification (walked: a fresh instance's scrape had no such series at all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_alerts_select_are_exported_before_their_first_event() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    let _pg_url = support::test_store(&mut config).await;
    let server = Server::bind(config).await.expect("binds");
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().expect("metrics are on"));
    let _served = server.spawn();

    let samples = Samples::parse(&reqwest::get(&metrics_url).await.expect("scraped").text().await.expect("a body"));
    let expected: &[(&str, &[(&str, &str)])] = &[
        ("amazon_pay_merchant_key_limit_events_total", &[("event", "limited")]),
        ("amazon_pay_merchant_key_limit_events_total", &[("event", "refused")]),
        ("amazon_pay_merchant_key_limit_events_total", &[("event", "evicted")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "accepted"), ("reason", "stored")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "wrong_key")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "wrong_portal")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "wrong_account")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "missing_field")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "wrong_mode")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "sender_not_allowed")]),
        ("amazon_pay_transaction_status_notifications_total", &[("result", "refused"), ("reason", "not_stored")]),
        ("amazon_pay_webhook_attempts_total", &[("outcome", "delivered")]),
        ("amazon_pay_webhook_attempts_total", &[("outcome", "rejected")]),
        ("amazon_pay_webhook_attempts_total", &[("outcome", "timeout")]),
        ("amazon_pay_webhook_attempts_total", &[("outcome", "unreachable")]),
        ("amazon_pay_token_owner_lookups_total", &[("outcome", "hit")]),
        ("amazon_pay_token_owner_lookups_total", &[("outcome", "miss")]),
    ];
    let missing: Vec<String> = expected
        .iter()
        .filter(|(name, labels)| {
            !samples.0.iter().any(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
        })
        .map(|(name, labels)| format!("{name}{labels:?}"))
        .collect();
    assert!(missing.is_empty(), "not exported before their first event: {missing:?}");
}
