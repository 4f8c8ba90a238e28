//! Money moves once when PAYONE's answer to a capture or refund is lost after PAYONE acted on it. The merchant
//! gets `502 payone_unavailable` and, as documented, sends the same `Idempotency-Key` again. PAYONE's
//! TransactionStatus for the lost call usually arrives first (within seconds); its `sequencenumber` then counted
//! as used, so the retry went out with the next one and PAYONE moved the money a second time. The retry now
//! carries the lost call's `sequencenumber`, and once that call's notification is in, it is recorded from it
//! without asking PAYONE again; another key's action on the order records it first, or waits for it.

mod support;

use amazon_pay_contract::orders::OrderState;
use serde_json::{json, Value};
use std::time::Duration;
use support::{start_with, Env, Fault, FaultyUpstream};

const KEY: &str = "merchant-test-key-0123456789abcdefghij";

/// A sandbox server whose PAYONE calls go through `upstream`.
async fn env(upstream: &FaultyUpstream) -> Env {
    env_with(upstream, None).await
}

/// ... and PAYONE's notifications through `notes`, when given.
async fn env_with(upstream: &FaultyUpstream, notes: Option<&FaultyUpstream>) -> Env {
    let endpoint = format!("{}/sandbox/payone/post-gateway/", upstream.base);
    let env = start_with(|c| {
        c.merchant.api_keys = vec![KEY.to_owned()];
        c.payone.endpoint = Some(endpoint);
        c.payone_timeout = Duration::from_secs(5);
        if let Some(notes) = notes {
            c.payone_notify_url = Some(format!("{}/payone/transaction-status", notes.base));
            c.sandbox_timings.notify_retry_delays = vec![Duration::from_millis(100); 200];
        }
    })
    .await;
    upstream.forward_to(&env.base);
    if let Some(notes) = notes {
        notes.forward_to(&env.base);
    }
    env
}

async fn act(env: &Env, id: &str, action: &str, key: &str, body: Value) -> (u16, Value) {
    let response = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{id}/{action}")))
        .bearer_auth(KEY)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn order(env: &Env, id: &str) -> Value {
    env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap()
}

/// Waits until the order shows PAYONE's notification `txaction` with `sequencenumber`.
async fn notified(env: &Env, id: &str, txaction: &str, sequencenumber: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let shown = order(env, id).await;
        let notes = shown["notifications"].as_array().cloned().unwrap_or_default();
        if notes.iter().any(|n| n["txaction"] == txaction && n["sequencenumber"] == sequencenumber) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "PAYONE's {txaction} {sequencenumber} never stored: {notes:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn events(env: &Env, id: &str, kind: &str) -> usize {
    env.state.store.events_for_order(id).unwrap().into_iter().filter(|e| e.kind == kind).count()
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_captured_once_when_its_key_is_sent_again() {
    let upstream = FaultyUpstream::start().await;
    let env = env(&upstream).await;
    let (id, txid) = env.authorized_order("lost-capture-order-1", &[OrderState::Approved]).await;

    upstream.break_on("request=capture", Fault::LoseAnswer);
    let (status, body) = act(&env, &id, "capture", "lost-capture-0001", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_unavailable")), "{body}");
    upstream.heal();
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().captured, 1000, "PAYONE captured");
    notified(&env, &id, "capture", 1).await;

    // The documented retry: the same key. PAYONE is not asked again; the capture is recorded once.
    let (status, body) = act(&env, &id, "capture", "lost-capture-0001", json!({"amount": 1000})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["amounts"]["captured"], 1000);
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.captured, sim.sequencenumber), (1000, 1), "PAYONE captured once");
    // Again: the stored answer.
    let (status, again) = act(&env, &id, "capture", "lost-capture-0001", json!({"amount": 1000})).await;
    assert_eq!((status, &again["amounts"]), (200, &body["amounts"]));
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 1);
    let shown = order(&env, &id).await;
    assert_eq!(shown["payments"].as_array().unwrap().len(), 1, "{}", shown["payments"]);
    assert_eq!(shown["payments"][0]["sequencenumber"], 1);
    assert_eq!(events(&env, &id, "order.captured"), 1);

    // The next capture takes the next sequencenumber and the rest.
    let (status, body) = act(&env, &id, "capture", "lost-capture-0002", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.captured, sim.sequencenumber), (2580, 2));
    assert_eq!(body["amounts"]["captured"], 2580);
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_refunded_once_also_when_retried_before_payone_notified() {
    let upstream = FaultyUpstream::start().await;
    let env = env(&upstream).await;
    let (id, txid) = env.authorized_order("lost-refund-order-01", &[OrderState::Approved]).await;
    let (status, _) = act(&env, &id, "capture", "lost-refund-capture", json!({})).await;
    assert_eq!(status, 200);
    notified(&env, &id, "capture", 1).await;

    upstream.break_on("request=debit", Fault::LoseAnswer);
    let (status, body) = act(&env, &id, "refund", "lost-refund-00001", json!({"amount": 500, "reason": "damaged"})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_unavailable")), "{body}");
    upstream.heal();
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().receivable, 2080, "PAYONE refunded");
    notified(&env, &id, "debit", 2).await;

    let (status, body) = act(&env, &id, "refund", "lost-refund-00001", json!({"amount": 500, "reason": "damaged"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["amounts"]["refunded"].as_i64(), body["amounts"]["refundable"].as_i64()), (Some(500), Some(2080)));
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.receivable, sim.sequencenumber), (2080, 2), "PAYONE refunded once");
    assert_eq!(order(&env, &id).await["payments"][1]["reason"], "damaged");
    assert_eq!(events(&env, &id, "order.refunded"), 1);
}

/// A retry before PAYONE's notification came: the same `sequencenumber` goes out again, which PAYONE refuses
/// when the first call went through. That refusal is not the final word (the first call may have moved the
/// money), so it is not stored: the key answers `payone_unavailable` until the notification decides.
#[tokio::test]
async fn a_retry_before_the_notification_sends_the_same_sequencenumber_and_nothing_twice() {
    let upstream = FaultyUpstream::start().await;
    let notes = FaultyUpstream::start().await;
    let env = env_with(&upstream, Some(&notes)).await;
    let (id, txid) = env.authorized_order("lost-early-order-001", &[OrderState::Approved]).await;
    upstream.break_on("request=capture", Fault::LoseAnswer);
    // PAYONE's `capture` notification is held back (answered 503, retried every 100 ms) until healed.
    notes.break_on("txaction=capture", Fault::Status503);
    let (status, _) = act(&env, &id, "capture", "lost-early-00001", json!({"amount": 1000})).await;
    assert_eq!(status, 502);
    upstream.heal();
    let (status, body) = act(&env, &id, "capture", "lost-early-00001", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_unavailable")), "{body}");
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.captured, sim.sequencenumber), (1000, 1), "the repeat was refused: nothing moved twice");
    // Another key (a reloaded dashboard's Capture) would count without the lost 10.00 EUR: refused, nothing sent.
    for (action, body) in [("capture", json!({})), ("cancel", json!({})), ("refund", json!({"amount": 100}))] {
        let (status, body) = act(&env, &id, action, &format!("lost-early-{action}"), body).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("lost_call_pending")), "{action}: {body}");
        assert!(body["message"].as_str().unwrap().contains("lost-early-00001"), "names the key to send again: {body}");
    }
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 1);
    notes.heal();
    notified(&env, &id, "capture", 1).await;
    let (status, body) = act(&env, &id, "capture", "lost-early-00001", json!({"amount": 1000})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["amounts"]["captured"], 1000);
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 1);
    assert_eq!(events(&env, &id, "order.captured"), 1);
}

/// Another key after a lost capture whose notification came (the dashboard reloaded, *Capture* pressed again):
/// the lost capture is recorded first, so the new one is checked against what PAYONE really captured.
#[tokio::test]
async fn a_new_key_after_a_lost_capture_records_it_first_and_captures_only_the_rest() {
    let upstream = FaultyUpstream::start().await;
    let env = env(&upstream).await;
    let (id, txid) = env.authorized_order("lost-newkey-order-01", &[OrderState::Approved]).await;
    upstream.break_on("request=capture", Fault::LoseAnswer);
    let (status, _) = act(&env, &id, "capture", "lost-newkey-00001", json!({})).await;
    assert_eq!(status, 502);
    assert_eq!(env.state.store.merchant_lost_calls(&id).unwrap(), ["lost-newkey-00001"], "the order's lost call");
    upstream.heal();
    notified(&env, &id, "capture", 1).await;

    // Everything was captured by the lost call: a new key's full capture finds nothing left, and sends nothing.
    let (status, body) = act(&env, &id, "capture", "lost-newkey-00002", json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_captured")), "{body}");
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.captured, sim.sequencenumber), (2580, 1), "PAYONE captured once");
    assert!(env.state.store.merchant_lost_calls(&id).unwrap().is_empty(), "recorded: no longer lost");
    let shown = order(&env, &id).await;
    assert_eq!(shown["amounts"]["captured"], 2580);
    assert_eq!(shown["payments"].as_array().unwrap().len(), 1);
    // The lost key now answers what was recorded for it.
    let (status, body) = act(&env, &id, "capture", "lost-newkey-00001", json!({})).await;
    assert_eq!((status, &body["amounts"]["captured"]), (200, &json!(2580)));
    assert_eq!(events(&env, &id, "order.captured"), 1);
    // And the refund that follows takes the next sequencenumber.
    let (status, body) = act(&env, &id, "refund", "lost-newkey-00003", json!({"amount": 580})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(env.sandbox().payone.transaction(&txid).unwrap().sequencenumber, 2);
}

/// A lost call that never reached PAYONE, whose repeat PAYONE refuses (here Amazon declines the capture): not
/// final while PAYONE may still notify the first; once no notification came for `--placing-expiry-seconds`
/// (49 h: PAYONE resends a TransactionStatus for 48 hours) the refusal is the key's answer and the order is free.
#[tokio::test]
async fn a_lost_call_that_never_arrived_and_whose_repeat_payone_refuses_frees_the_order_after_the_notification_window() {
    let upstream = FaultyUpstream::start().await;
    let env = env(&upstream).await;
    let (id, txid) = env.authorized_order("lost-never-order-001", &[OrderState::Approved]).await;
    upstream.break_on("request=capture", Fault::Close);
    let (status, _) = act(&env, &id, "capture", "lost-never-00001", json!({"amount": 1000})).await;
    assert_eq!(status, 502);
    upstream.heal();
    env.sandbox().payone.refuse(&txid, "capture", true).unwrap();
    let (status, body) = act(&env, &id, "capture", "lost-never-00001", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_unavailable")), "{body}");
    let (status, body) = act(&env, &id, "capture", "lost-never-00002", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("lost_call_pending")), "{body}");

    // 49 hours later, no notification came: PAYONE's refusal is final, stored for the key, and the order is free.
    env.execute("UPDATE merchant_requests SET created_at = created_at - 176400 WHERE idempotency_key = 'lost-never-00001'");
    let (status, body) = act(&env, &id, "capture", "lost-never-00001", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_refused")), "{body}");
    let (status, body) = act(&env, &id, "capture", "lost-never-00001", json!({"amount": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("payone_refused")), "the stored answer: {body}");
    assert!(env.state.store.merchant_lost_calls(&id).unwrap().is_empty(), "answered: no longer lost");
    let refused: Vec<(String, i64)> = env.state.store.merchant_refusals(&id).unwrap().into_iter().map(|r| (r.action, r.amount)).collect();
    assert_eq!(refused, [("capture".to_owned(), 1000)], "the refusal is the order's (its timeline's) once");
    env.sandbox().payone.refuse(&txid, "capture", false).unwrap();
    let (status, body) = act(&env, &id, "capture", "lost-never-00002", json!({"amount": 1000})).await;
    assert_eq!(status, 200, "{body}");
    let sim = env.sandbox().payone.transaction(&txid).unwrap();
    assert_eq!((sim.captured, sim.sequencenumber), (1000, 1));
    assert_eq!(events(&env, &id, "order.captured"), 1);
}
