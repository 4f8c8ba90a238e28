//! The webhook outbox in the Prometheus metrics (issue #22): attempts by outcome, the outbox's depth and the age
//! of its oldest waiting event, scraped while one receiver takes every event and another cannot be reached.
//! A binary of its own: the registry is one per process, and ops_metrics.rs counts requests exactly.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::Language;
use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;
use axum::routing::post;
use std::time::Duration;
use support::eventually;
use support::eventually_or;
use support::prometheus::Samples;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_is_counted_by_outcome_depth_and_age() {
    // A receiver that takes everything, and an address where nobody listens: port 9 (discard), below the
    // ephemeral range, so no test's server running alongside can take it (a released ephemeral port could be
    // bound again by one and answer, or hang, instead of refusing).
    let up = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let up_url = format!("http://{}/hook", up.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(up, axum::Router::new().route("/hook", post(|| async { "ok" }))).await });
    let down_url = "http://127.0.0.1:9/hook".to_owned();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    config.merchant.webhook_urls = vec![up_url, down_url];
    config.merchant.webhook_secret = Some("outbox-metrics-secret-0123456789abcdef".to_owned());
    // One attempt now, the next in an hour: the unreachable URL's deliveries stay waiting for the scrape.
    config.merchant.webhook_retries = vec![Duration::from_secs(3600)];
    let server = Server::bind(config).await.expect("binds");
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().expect("metrics are on"));
    let (base, state) = server.spawn();
    let env = support::Env { base, state, http: reqwest::Client::new(), dir, pg_url: None };

    eventually("the worker has seen both URLs", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 2).then_some(())).await;
    let workorder = env.checkout("visa-1111").await;
    assert_eq!(env.place(&workorder, "outbox-metrics-01", Language::En).await.status(), 200);
    // Every event tried once at each URL.
    let last = std::cell::Cell::new((0, 0));
    let events = eventually_or(
        "an attempt per event and URL",
        20,
        || {
            let events = env.count("SELECT count(*) FROM events");
            let attempts = env.count("SELECT count(*) FROM webhook_attempts");
            last.set((events, attempts));
            (events > 0 && attempts == 2 * events).then_some(events)
        },
        || {
            format!(
                "(events, attempts) = {:?}; attempts: {:?}",
                last.get(),
                env.texts("SELECT event_seq || ' ' || url || ' ' || coalesce(status, -1) || ' ' || coalesce(error, '') FROM webhook_attempts")
            )
        },
    )
    .await;

    // A URL configured before and removed since (a typo fixed, a receiver moved): its waiting delivery is never
    // sent, so it is not counted as waiting (else WebhooksBehind would fire for good).
    let removed = "http://127.0.0.1:9/old-hook";
    env.execute(&format!("INSERT INTO webhook_cursors (url, last_seq) VALUES ('{removed}', 0)"));
    env.execute(&format!(
        "INSERT INTO webhook_deliveries (event_seq, url, state, attempts, next_at_ms) SELECT min(seq), '{removed}', 'pending', 3, 0 FROM events"
    ));

    let scrape = env.http.get(&metrics_url).send().await.expect("scraped");
    assert_eq!(scrape.status(), 200);
    let samples = Samples::parse(&scrape.text().await.expect("a body"));
    let attempts = "amazon_pay_webhook_attempts_total";
    assert_eq!(samples.sum(attempts, &[("outcome", "delivered")]), events as f64);
    assert_eq!(samples.sum(attempts, &[("outcome", "unreachable")]), events as f64);
    assert_eq!(samples.sum(attempts, &[]), 2.0 * events as f64, "no other outcome");
    assert_eq!(samples.sum("amazon_pay_webhook_attempt_duration_seconds_count", &[]), 2.0 * events as f64);
    assert_eq!(samples.sum("amazon_pay_webhook_deliveries_pending", &[]), events as f64, "the unreachable URL's deliveries wait");
    let age = samples.sum("amazon_pay_webhook_oldest_pending_age_seconds", &[]);
    assert!((0.0..60.0).contains(&age), "the oldest waiting event is seconds old, not {age}");
}
