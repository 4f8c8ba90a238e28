//! "Place order" timed out upstream: PAYONE acted on the (pre)authorization, but its answer came after the
//! server's timeout. The buyer is told 504 `upstream_timeout` and its widget keeps the idempotency key. The
//! attempt stays `placing` (undecided): the same key asks PAYONE again with the same `reference` (which PAYONE
//! takes once), a new key of the checkout gets that attempt instead of a second authorization, and the
//! TransactionStatus, found by the reference, settles it for both.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_server::sandbox::MfaOutcome;
use std::time::Duration;
use support::{eventually, expect_error, start_with, Env, Fault, FaultyUpstream};

/// A server whose PAYONE calls go through `upstream` (timeout 400 ms).
async fn payone_behind(upstream: &FaultyUpstream) -> Env {
    let endpoint = format!("{}/sandbox/payone/post-gateway/", upstream.base);
    let env = start_with(|config| {
        config.payone.endpoint = Some(endpoint);
        config.payone_timeout = Duration::from_millis(400);
    })
    .await;
    upstream.forward_to(&env.base);
    env
}

/// How many transactions PAYONE opened for the checkout's Amazon session.
fn transactions_of(env: &Env, workorder: &str) -> usize {
    let session = env.sandbox().payone.workorder(workorder).unwrap().amazon_checkout_session_id;
    env.sandbox().payone.transactions_for_session(&session).len()
}

#[tokio::test]
async fn an_authorization_answered_too_late_is_asked_about_again_and_never_placed_twice() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    let workorder = env.checkout("visa-1111").await;

    // PAYONE opens the transaction; its answer arrives after the server gave up.
    upstream.break_on("request=preauthorization", Fault::LateAnswer);
    expect_error(env.place(&workorder, "late-answer-0001", Language::En).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    let session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
    let first_tx = eventually("PAYONE's transaction", 5, || env.sandbox().payone.transaction_for_session(&session)).await;
    let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
    assert_eq!(orders.len(), 1);
    let first = orders[0].clone();
    assert_eq!(first_tx.reference, first.id);
    assert_eq!((first.state, first.decline), (OrderState::Placing, Some(ErrorCode::UpstreamTimeout)), "undecided, not failed");
    let status: serde_json::Value = env.http.get(env.url(&format!("/api/orders/{}", first.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!((status["state"].as_str(), status["settled"].as_bool()), (Some("placing"), Some(false)), "the confirmation page keeps asking");

    // PAYONE answers again in time. The same key asks about the same attempt (same reference: PAYONE already
    // has it), and a new key of the checkout gets that attempt too: no second transaction either way.
    upstream.heal();
    expect_error(env.place(&workorder, "late-answer-0001", Language::En).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    expect_error(env.place(&workorder, "late-answer-0002", Language::De).await, 504, ErrorCode::UpstreamTimeout, Language::De).await;
    assert_eq!(transactions_of(&env, &workorder), 1, "PAYONE authorized once");
    let asked = env.upstream("preauthorization");
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked[1..].iter().all(|outcome| outcome.contains("911")), "asked with the same reference: {asked:?}");
    assert_eq!(env.state.store.orders_for_workorder(&workorder).unwrap().len(), 1, "no second attempt stored");

    // The buyer's payment is authorized (PAYONE's TransactionStatus `appointed`, found by the reference):
    // both keys now get that order, approved, and still nothing is authorized twice.
    env.sandbox().payone.finish_redirect(&first_tx.txid, MfaOutcome::NotAsked).await.unwrap();
    let state = env.state.clone();
    let id = first.id.clone();
    eventually("the notification settles the attempt", 10, || state.store.order(&id).unwrap().filter(|o| o.state == OrderState::Approved).map(drop))
        .await;
    for key in ["late-answer-0001", "late-answer-0002", "late-answer-0003"] {
        let response = env.place(&workorder, key, Language::En).await;
        assert_eq!(response.status(), 200, "{key}");
        let placed: PlaceOrderResponse = response.json().await.unwrap();
        assert_eq!(placed, PlaceOrderResponse { order_id: first.id.clone(), outcome: PlaceOrderOutcome::Approved }, "{key}");
    }
    assert_eq!(transactions_of(&env, &workorder), 1, "PAYONE authorized once");
    assert_eq!(env.upstream("preauthorization").len(), 3, "a settled attempt is not asked about again");
    assert_eq!(env.state.store.order(&first.id).unwrap().unwrap().txid.as_deref(), Some(first_tx.txid.as_str()));
}

#[tokio::test]
async fn an_authorization_that_never_reached_payone_is_placed_when_asked_again() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    let workorder = env.checkout("visa-1111").await;

    // The request never reaches PAYONE, and the server cannot know: undecided as well.
    upstream.break_on("request=preauthorization", Fault::Hang);
    expect_error(env.place(&workorder, "no-answer-0001", Language::It).await, 504, ErrorCode::UpstreamTimeout, Language::It).await;
    assert_eq!(transactions_of(&env, &workorder), 0);
    let first = env.state.store.orders_for_workorder(&workorder).unwrap()[0].clone();
    assert_eq!(first.state, OrderState::Placing);

    // Asked again (the same key, which the widget keeps): PAYONE places it now, under the first attempt's id.
    upstream.heal();
    let response = env.place(&workorder, "no-answer-0001", Language::It).await;
    assert_eq!(response.status(), 200);
    let placed: PlaceOrderResponse = response.json().await.unwrap();
    assert_eq!(placed.order_id, first.id);
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
    let tx = env.sandbox().payone.transaction_for_session(&env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id).unwrap();
    assert_eq!(tx.reference, first.id);
    // A new key now gets that order's answer, not a second transaction.
    let again: PlaceOrderResponse = env.place(&workorder, "no-answer-0002", Language::It).await.json().await.unwrap();
    assert_eq!(again, placed);
    assert_eq!(transactions_of(&env, &workorder), 1);
    assert_eq!(env.state.store.order(&first.id).unwrap().unwrap().state, OrderState::Redirected);
}
