//! Load: many Checkout v2 checkouts and TransactionStatus notifications against the sandbox on loopback, then
//! the order store must match exactly what was sent: orders by state, notifications stored = notifications
//! PAYONE's simulator delivered, one preauthorization per checkout, replays and forgeries stored never.
//!
//! `cargo test --test load_run` runs a small round (80 checkouts) so every test run exercises it;
//! `scripts/load-run` runs the documented one (`LOAD_CHECKOUTS`, default 2000; `LOAD_CONCURRENCY`, default 16;
//! `LOAD_SECONDS`, default 600, after which it fails rather than run on).
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::Language;
use amazon_pay_server::config::sandbox_defaults as d;
use amazon_pay_server::payone::wire::notification_key;
use amazon_pay_server::sandbox::Delivery;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{start_with, Env};

/// What a checkout does, chosen by its number; the expected final order state and notifications per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// visa-1111: REDIRECT, `appointed` (completed) → approved.
    Approved,
    /// mc-4444: `appointed` pending, then completed → approved.
    PendingThenApproved,
    /// visa-0002: `appointed` pending, then `failed` → failed.
    PendingThenFailed,
    /// visa-0981: declined at once, no notification.
    SoftDecline,
    /// amex-0982: declined at once, no notification.
    HardDecline,
    /// visa-1111 with three "Place order" clicks at once: still one preauthorization.
    DoubleClick,
}

impl Kind {
    fn of(n: usize) -> Kind {
        match n % 10 {
            0..=2 => Kind::Approved,
            3 | 4 => Kind::PendingThenApproved,
            5 => Kind::PendingThenFailed,
            6 => Kind::SoftDecline,
            7 => Kind::HardDecline,
            _ => Kind::DoubleClick,
        }
    }
    fn instrument(self) -> &'static str {
        match self {
            Kind::Approved | Kind::DoubleClick => "visa-1111",
            Kind::PendingThenApproved => "mc-4444",
            Kind::PendingThenFailed => "visa-0002",
            Kind::SoftDecline => "visa-0981",
            Kind::HardDecline => "amex-0982",
        }
    }
    fn final_state(self) -> &'static str {
        match self {
            Kind::Approved | Kind::DoubleClick | Kind::PendingThenApproved => "approved",
            Kind::PendingThenFailed => "failed",
            Kind::SoftDecline | Kind::HardDecline => "declined",
        }
    }
    fn notifications(self) -> usize {
        match self {
            Kind::Approved | Kind::DoubleClick => 1,
            Kind::PendingThenApproved | Kind::PendingThenFailed => 2,
            Kind::SoftDecline | Kind::HardDecline => 0,
        }
    }
}

/// One buyer's way through the funnel over HTTP: cart, Amazon's choice, review, place, Amazon's processing page.
async fn checkout(env: Arc<Env>, n: usize, plain: reqwest::Client) -> Result<(), String> {
    let kind = Kind::of(n);
    let config = env.create_session().await;
    let workorder = config.workorder_id;
    env.choose(&workorder, "anna", "anna-office", kind.instrument());
    let review = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=de"))).send().await.map_err(|e| e.to_string())?;
    if review.status() != 200 {
        return Err(format!("#{n} review: HTTP {}", review.status()));
    }
    let clicks = if kind == Kind::DoubleClick { 3 } else { 1 };
    let key = format!("load-{n:06}-key");
    let answers = support::join_all((0..clicks).map(|_| env.place(&workorder, &key, Language::De))).await;
    let mut placed = Vec::new();
    for answer in answers {
        if answer.status() != 200 {
            return Err(format!("#{n} place: HTTP {}", answer.status()));
        }
        placed.push(answer.json::<PlaceOrderResponse>().await.map_err(|e| e.to_string())?);
    }
    match &placed[0].outcome {
        PlaceOrderOutcome::Redirect { url } => {
            // Amazon's processing page: the simulator sends `appointed`, then sends the buyer to the success URL.
            let processed = plain.get(url).send().await.map_err(|e| e.to_string())?;
            if processed.status() != 303 {
                return Err(format!("#{n} processing page: HTTP {}", processed.status()));
            }
            let back = processed.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
            let returned = plain.get(&back).send().await.map_err(|e| e.to_string())?;
            if returned.status() != 303 {
                return Err(format!("#{n} return: HTTP {}", returned.status()));
            }
        }
        PlaceOrderOutcome::Declined { .. } => {}
        other => return Err(format!("#{n} unexpected outcome {other:?}")),
    }
    Ok(())
}

async fn run(checkouts: usize, concurrency: usize, deadline: Duration) {
    let started = Instant::now();
    let env = Arc::new(
        start_with(|config| {
            config.sandbox_timings.settle_delay = Duration::from_millis(20);
            config.sandbox_timings.notify_retry_delays = vec![Duration::from_millis(50); 11];
        })
        .await,
    );
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..checkouts {
        let (env, plain, gate) = (env.clone(), plain.clone(), gate.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
            checkout(env, n, plain).await
        });
    }
    let mut failures = Vec::new();
    while let Some(result) = tasks.join_next().await {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(e.to_string()),
        }
        assert!(started.elapsed() < deadline, "the load run took longer than {deadline:?}");
    }
    assert!(failures.is_empty(), "{} checkouts failed, e.g. {:?}", failures.len(), &failures[..failures.len().min(5)]);
    let checkouts_done = started.elapsed();

    // Wait (polling, bounded) until every notification the simulator created has been acknowledged.
    let expected_notifications: usize = (0..checkouts).map(|n| Kind::of(n).notifications()).sum();
    let sandbox = env.sandbox();
    loop {
        let sent = sandbox.payone.notifications();
        let delivered = sent.iter().filter(|r| r.delivery == Delivery::Delivered).count();
        assert!(!sent.iter().any(|r| r.delivery == Delivery::GaveUp), "a notification was given up");
        if sent.len() == expected_notifications && delivered == sent.len() {
            break;
        }
        assert!(started.elapsed() < deadline, "notifications: {delivered} of {expected_notifications} delivered when time ran out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Replays of what PAYONE sent, and forgeries: acknowledged or refused, never stored twice or at all.
    let sent = sandbox.payone.notifications();
    let key = notification_key(d::PAYONE_KEY);
    let mut replays = 0;
    let mut forgeries = 0;
    for (i, record) in sent.iter().enumerate().filter(|(i, _)| i % 4 == 0) {
        let genuine: Vec<(String, String)> =
            record.fields.iter().map(|(k, v)| (k.clone(), if k == "key" { key.clone() } else { v.clone() })).collect();
        let answer = env
            .http
            .post(env.url("/payone/transaction-status"))
            .body(serde_urlencoded::to_string(&genuine).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.text().await.unwrap(), "TSOK", "replay #{i}");
        replays += 1;
        let forged: Vec<(String, String)> = genuine
            .iter()
            .map(|(k, v)| match k.as_str() {
                "key" => (k.clone(), notification_key("guessed")),
                "txaction" => (k.clone(), "paid".to_owned()),
                _ => (k.clone(), v.clone()),
            })
            .collect();
        let answer = env
            .http
            .post(env.url("/payone/transaction-status"))
            .body(serde_urlencoded::to_string(&forged).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "forgery #{i}");
        forgeries += 1;
    }

    // The store against what was sent.
    let mut expected_states: BTreeMap<&str, i64> = BTreeMap::new();
    for n in 0..checkouts {
        *expected_states.entry(Kind::of(n).final_state()).or_default() += 1;
    }
    let mut states: BTreeMap<String, i64> = BTreeMap::new();
    for state in env.texts("SELECT state FROM orders") {
        *states.entry(state).or_default() += 1;
    }
    let expected: BTreeMap<String, i64> = expected_states.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(states, expected, "orders by state");
    let count = |sql: &str| -> i64 { env.count(sql) };
    let stored_notifications = count("SELECT count(*) FROM notifications");
    assert_eq!(stored_notifications, expected_notifications as i64, "notifications stored = notifications sent");
    assert_eq!(count("SELECT count(DISTINCT identity) FROM notifications"), stored_notifications);
    assert_eq!(count("SELECT count(*) FROM checkouts"), checkouts as i64);
    assert_eq!(count("SELECT count(*) FROM orders"), checkouts as i64, "one order per checkout, double clicks included");
    let preauthorizations = count("SELECT count(*) FROM upstream_calls WHERE action = 'preauthorization'");
    assert_eq!(preauthorizations, checkouts as i64, "one preauthorization per checkout");
    let txids = count("SELECT count(DISTINCT txid) FROM orders WHERE txid IS NOT NULL");
    let placed = count("SELECT count(*) FROM orders WHERE state != 'declined'");
    assert_eq!(txids, placed, "no transaction shared by two orders");
    let elapsed = started.elapsed();
    println!(
        "load run: {checkouts} checkouts ({concurrency} at a time) in {:.1} s ({:.0} checkouts/s), all notifications acknowledged after {:.1} s",
        checkouts_done.as_secs_f64(),
        checkouts as f64 / checkouts_done.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!("orders by state: {states:?}");
    println!(
        "preauthorizations: {preauthorizations}; notifications sent by PAYONE's simulator: {}, stored: {stored_notifications}; replays sent: {replays} (stored: 0); forgeries sent: {forgeries} (refused: {forgeries})",
        sent.len()
    );
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_load_round_leaves_the_store_exactly_as_sent() {
    run(80, 8, Duration::from_secs(120)).await;
}

/// The documented load run (`scripts/load-run`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with scripts/load-run"]
async fn load_run() {
    let checkouts = env_number("LOAD_CHECKOUTS", 2000).clamp(1, 20_000) as usize;
    let concurrency = env_number("LOAD_CONCURRENCY", 16).clamp(1, 256) as usize;
    let seconds = env_number("LOAD_SECONDS", 600).clamp(10, 3600);
    run(checkouts, concurrency, Duration::from_secs(seconds)).await;
}
