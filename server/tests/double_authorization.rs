//! No double charge: PAYONE's answer to a preauthorization is lost after PAYONE acted on it, the attempt is
//! given up (a lost redirect), the buyer places again and is authorized, and then the first authorization turns
//! up too. The server releases the
//! first one by itself (a zero capture with capturemode=completed), records it, and sends `order.released`.

mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_server::config::Authorization;
use amazon_pay_server::sandbox::MfaOutcome;
use std::time::Duration;
use support::{eventually, expect_error, start_with, Fault, FaultyUpstream};

#[tokio::test]
async fn a_second_preauthorization_of_one_checkout_is_released_by_the_server() {
    second_authorization_is_undone(Authorization::Preauthorization).await;
}

#[tokio::test]
async fn a_second_authorization_captured_at_once_is_refunded_by_the_server() {
    second_authorization_is_undone(Authorization::Authorization).await;
}

async fn second_authorization_is_undone(mode: Authorization) {
    let upstream = FaultyUpstream::start().await;
    let endpoint = format!("{}/sandbox/payone/post-gateway/", upstream.base);
    let env = start_with(|config| {
        config.payone.endpoint = Some(endpoint);
        config.payone_timeout = Duration::from_secs(5);
        config.payone_authorization = mode;
    })
    .await;
    upstream.forward_to(&env.base);
    let workorder = env.checkout("visa-1111").await;
    let session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;

    // PAYONE opens the transaction, but its answer (a `REDIRECT`) never arrives: undecided (placement_timeout.rs),
    // asked again it is 911, and 15 minutes on it is taken for a lost redirect and given up.
    upstream.break_on(&format!("request={}", mode.request()), Fault::LoseAnswer);
    expect_error(env.place(&workorder, "lost-answer-0001", Language::De).await, 504, ErrorCode::UpstreamTimeout, Language::De).await;
    assert_eq!(upstream.faulted(), 1);
    let lost = env.sandbox().payone.transaction_for_session(&session).expect("PAYONE has the first transaction");
    let first = env.state.store.orders_for_workorder(&workorder).unwrap()[0].clone();
    assert_eq!((first.state, first.txid.as_deref()), (OrderState::Placing, None));
    assert_eq!(lost.reference, first.id);
    upstream.heal();
    env.execute(&format!("UPDATE orders SET created_at = created_at - 960 WHERE id = '{}'", first.id));
    let given_up = env.place(&workorder, "lost-answer-0001", Language::De).await;
    assert_eq!(given_up.status(), 502);
    let err: amazon_pay_contract::ApiError = given_up.json().await.unwrap();
    assert!(err.code == ErrorCode::UpstreamError && err.message.contains("Bitte bestellen Sie erneut"), "place again: {err:?}");
    assert_eq!(env.state.store.order(&first.id).unwrap().unwrap().state, OrderState::Abandoned);

    // The buyer places again and is authorized.
    let placed: PlaceOrderResponse = env.place(&workorder, "lost-answer-0002", Language::De).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
    let second = env.state.store.order(&placed.order_id).unwrap().unwrap();
    env.sandbox().payone.finish_redirect(second.txid.as_deref().unwrap(), MfaOutcome::NotAsked).await.unwrap();
    // ...and the first transaction is authorized too (the buyer finished it in another tab).
    env.sandbox().payone.finish_redirect(&lost.txid, MfaOutcome::NotAsked).await.unwrap();

    // The server undoes the first authorization by itself, once: a zero capture with the next sequencenumber
    // (capturemode=completed) releases a preauthorization; an authorization, captured at once, is refunded.
    let sim = env.sandbox().payone.clone();
    let txid = lost.txid.clone();
    let released = eventually("the first authorization undone", 10, || sim.transaction(&txid).filter(|t| t.sequencenumber == 1)).await;
    match mode {
        Authorization::Preauthorization => assert_eq!((released.captured, released.capture_closed), (0, true)),
        Authorization::Authorization => assert_eq!(released.receivable, 0, "refunded in full"),
    }
    let kept = env.sandbox().payone.transaction(second.txid.as_deref().unwrap()).unwrap();
    assert_eq!(
        (kept.sequencenumber, kept.capture_closed, kept.receivable == kept.amount.minor),
        (0, false, mode == Authorization::Authorization),
        "the buyer's order is untouched"
    );

    let first_id = first.id.clone();
    let state = env.state.clone();
    let events = eventually("order.released", 10, || {
        let kinds: Vec<String> = state.store.events_for_order(&first_id).unwrap().into_iter().map(|e| e.kind).collect();
        kinds.contains(&"order.released".to_owned()).then_some(kinds)
    })
    .await;
    assert_eq!(events.iter().filter(|k| *k == "order.released").count(), 1, "{events:?}");
    let first = env.state.store.order(&first.id).unwrap().unwrap();
    assert_eq!(first.txid.as_deref(), Some(lost.txid.as_str()), "the notification told its txid");
    assert_eq!(env.count("SELECT count(*) FROM duplicate_authorizations WHERE state = 'released'"), 1);
    // Recorded as what it was: a release of a preauthorization, a refund of an authorization's capture.
    let kind = match mode {
        Authorization::Preauthorization => "release",
        Authorization::Authorization => "refund",
    };
    assert_eq!(
        env.count(&format!("SELECT coalesce(sum(amount_minor), 0) FROM order_payments WHERE order_id = '{}' AND kind = '{kind}'", first.id)),
        first.amount.minor
    );
    let releases = env.upstream("release-duplicate");
    assert_eq!(releases, ["APPROVED"]);
    // The merchant's list finds each by where its money stands (`payment_status`): the undone one released or
    // refunded, the buyer's one authorized or, with an authorization, captured by PAYONE at once.
    let (undone, kept) = match mode {
        Authorization::Preauthorization => ("cancelled", "authorized"),
        Authorization::Authorization => ("refunded", "captured"),
    };
    let status_of = |id: &str, status: &str| env.count(&format!("SELECT count(*) FROM orders WHERE id = '{id}' AND payment_status = '{status}'"));
    assert_eq!(status_of(&first.id, undone), 1, "{undone}");
    eventually("the buyer's order's money", 10, || (status_of(&second.id, kept) == 1).then_some(())).await;
}

/// The buyer stayed on Amazon's pages longer than `--redirected-expiry-seconds`, so the order was given up;
/// the buyer placed the checkout again and was authorized, then finished the first one too (another tab).
/// PAYONE's `appointed` wins over `abandoned` (the money moved), and the server releases that second
/// authorization of one checkout by itself, as for an answer that was lost.
#[tokio::test]
async fn an_order_given_up_then_authorized_after_the_buyer_placed_again_is_released() {
    let env = start_with(|_| {}).await;
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "given-up-0001", Language::De).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
    let given_up =
        env.state.store.abandon_stale(amazon_pay_server::orders::Stale::Redirected, amazon_pay_server::store::now() + 1, 100).await.unwrap();
    assert_eq!(given_up, std::slice::from_ref(&placed.order_id));
    let first = env.state.store.order(&placed.order_id).unwrap().unwrap();
    assert_eq!(first.state, OrderState::Abandoned);

    let again: PlaceOrderResponse = env.place(&workorder, "given-up-0002", Language::De).await.json().await.unwrap();
    assert!(matches!(again.outcome, PlaceOrderOutcome::Redirect { .. }), "a given-up order lets the buyer place again: {again:?}");
    let second = env.state.store.order(&again.order_id).unwrap().unwrap();
    env.sandbox().payone.finish_redirect(second.txid.as_deref().unwrap(), MfaOutcome::NotAsked).await.unwrap();
    let first_txid = first.txid.clone().unwrap();
    env.sandbox().payone.finish_redirect(&first_txid, MfaOutcome::NotAsked).await.unwrap();

    let sim = env.sandbox().payone.clone();
    let released = eventually("the first authorization released", 10, || sim.transaction(&first_txid).filter(|t| t.sequencenumber == 1)).await;
    assert_eq!((released.captured, released.capture_closed), (0, true));
    let kept = env.sandbox().payone.transaction(second.txid.as_deref().unwrap()).unwrap();
    assert_eq!((kept.sequencenumber, kept.capture_closed), (0, false), "the buyer's order is untouched");
    let (state, id) = (env.state.clone(), first.id.clone());
    let kinds = eventually("order.released", 10, || {
        let kinds: Vec<String> = state.store.events_for_order(&id).unwrap().into_iter().map(|e| e.kind).collect();
        kinds.contains(&"order.released".to_owned()).then_some(kinds)
    })
    .await;
    let at = |kind: &str| kinds.iter().position(|k| k == kind).unwrap_or_else(|| panic!("no {kind}: {kinds:?}"));
    assert!(at("order.abandoned") < at("order.approved") && at("order.approved") < at("order.released"), "{kinds:?}");
    assert_eq!(env.state.store.order(&first.id).unwrap().unwrap().state, OrderState::Approved, "recorded as what PAYONE did");
}
