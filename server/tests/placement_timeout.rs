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
use support::{eventually, expect_error, payone_behind, Env, Fault, FaultyUpstream};

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

/// PAYONE's lost answer was a redirect (Amazon's page, for MFA): the buyer never got its address, so no
/// notification comes and every press is 911 again. Undecided for 15 minutes, the attempt is given up: the
/// buyer is told to place the order again (a sentence, not "no answer" forever), the same key says so too, and
/// the next press places a new attempt of the same checkout; were the first authorized after all, it would be
/// released as a duplicate.
#[tokio::test]
async fn a_lost_redirect_is_given_up_after_a_while_and_the_buyer_places_again() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    let workorder = env.checkout("visa-1111").await;
    upstream.break_on("request=preauthorization", Fault::LateAnswer);
    expect_error(env.place(&workorder, "lost-redirect-01", Language::En).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    upstream.heal();
    let first = env.state.store.orders_for_workorder(&workorder).unwrap()[0].clone();
    // Within the 15 minutes: still "no answer", the attempt kept.
    expect_error(env.place(&workorder, "lost-redirect-01", Language::En).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    assert!(env.state.store.order(&first.id).unwrap().unwrap().undecided());

    // Placed 16 minutes ago.
    env.execute(&format!("UPDATE orders SET created_at = created_at - 960 WHERE id = '{}'", first.id));
    for (key, lang) in [("lost-redirect-01", Language::De), ("lost-redirect-01", Language::En)] {
        let response = env.place(&workorder, key, lang).await;
        assert_eq!(response.status(), 502, "{key}");
        let err: amazon_pay_contract::ApiError = response.json().await.unwrap();
        assert_eq!(err.code, ErrorCode::UpstreamError);
        assert!(err.message.contains(if lang == Language::De { "erneut" } else { "place your order again" }), "{err:?}");
    }
    let given_up = env.state.store.order(&first.id).unwrap().unwrap();
    assert_eq!(given_up.state, OrderState::Abandoned);
    assert_eq!(env.count(&format!("SELECT count(*) FROM orders WHERE id = '{}' AND abandon_reason = 'placement_cut_off'", first.id)), 1);
    assert_eq!(env.upstream("preauthorization").len(), 3, "the given-up attempt is not asked about again");

    // The buyer's next press (a new key, as after any refusal): a new attempt, a new reference.
    let response = env.place(&workorder, "lost-redirect-02", Language::En).await;
    assert_eq!(response.status(), 200);
    let placed: PlaceOrderResponse = response.json().await.unwrap();
    assert_ne!(placed.order_id, first.id);
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
    assert_eq!(transactions_of(&env, &workorder), 2);

    // Were the lost one authorized after all (its notification found by the reference), it is released.
    let session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
    let lost = env.sandbox().payone.transactions_for_session(&session).into_iter().find(|t| t.reference == first.id).unwrap();
    env.sandbox().payone.finish_redirect(&lost.txid, MfaOutcome::NotAsked).await.unwrap();
    let duplicate =
        format!("SELECT count(*) FROM duplicate_authorizations WHERE order_id = '{}' AND other_order_id = '{}'", first.id, placed.order_id);
    eventually("the late authorization is held for release", 10, || (env.count(&duplicate) == 1).then_some(())).await;
}

/// PAYONE acted on the authorization, and what came back is not its answer: a 500 page, a garbled body, a
/// connection that broke (a proxy in front of PAYONE, PAYONE failing after booking). Undecided as after a
/// timeout: the buyer is told 504 `upstream_timeout` (the widget keeps its key), asked again PAYONE answers 911,
/// a new key gets that attempt instead of a second authorization, and its TransactionStatus settles it.
#[tokio::test]
async fn an_authorization_answered_with_a_5xx_or_garbage_after_payone_acted_is_asked_about_again_and_never_placed_twice() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    for (n, fault) in [Fault::Acted500, Fault::ActedGarbage, Fault::LoseAnswer].into_iter().enumerate() {
        let workorder = env.checkout("visa-1111").await;
        let (first_key, other_key) = (format!("acted-{n}-first"), format!("acted-{n}-other"));
        upstream.break_on("request=preauthorization", fault);
        expect_error(env.place(&workorder, &first_key, Language::Fr).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
        upstream.heal();
        assert_eq!(transactions_of(&env, &workorder), 1, "{fault:?}: PAYONE acted");
        let first = env.state.store.orders_for_workorder(&workorder).unwrap()[0].clone();
        assert_eq!((first.state, first.decline), (OrderState::Placing, Some(ErrorCode::UpstreamTimeout)), "{fault:?}: undecided, not failed");

        // The same key, and a new one: PAYONE asked again with the same reference (911), no second transaction.
        let asked_before = env.upstream("preauthorization").len();
        expect_error(env.place(&workorder, &first_key, Language::Fr).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
        expect_error(env.place(&workorder, &other_key, Language::Es).await, 504, ErrorCode::UpstreamTimeout, Language::Es).await;
        let asked = env.upstream("preauthorization");
        assert_eq!(asked.len(), asked_before + 2, "{fault:?}: {asked:?}");
        assert!(asked[asked_before..].iter().all(|outcome| outcome.contains("911")), "{fault:?}: {asked:?}");
        assert_eq!(env.state.store.orders_for_workorder(&workorder).unwrap().len(), 1, "{fault:?}: no second attempt stored");

        // Its TransactionStatus (`appointed`, found by the reference) settles it for every key.
        let session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
        let tx = env.sandbox().payone.transaction_for_session(&session).unwrap();
        assert_eq!(tx.reference, first.id, "{fault:?}");
        env.sandbox().payone.finish_redirect(&tx.txid, MfaOutcome::NotAsked).await.unwrap();
        let (state, id) = (env.state.clone(), first.id.clone());
        eventually("the notification settles the attempt", 10, || {
            state.store.order(&id).unwrap().filter(|o| o.state == OrderState::Approved).map(drop)
        })
        .await;
        for key in [&first_key, &other_key] {
            let response = env.place(&workorder, key, Language::En).await;
            assert_eq!(response.status(), 200, "{fault:?} {key}");
            let placed: PlaceOrderResponse = response.json().await.unwrap();
            assert_eq!(placed, PlaceOrderResponse { order_id: first.id.clone(), outcome: PlaceOrderOutcome::Approved }, "{fault:?} {key}");
        }
        assert_eq!(transactions_of(&env, &workorder), 1, "{fault:?}: PAYONE authorized once");
    }
}
