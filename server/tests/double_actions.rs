//! Double actions: two tabs and many clicks placing the same order, all at once, give exactly one
//! authorization upstream, and every click is told about that one order.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderRequest, ImportOrderResponse};
use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::Language;
use amazon_pay_server::sandbox::amazon::AgreementType;
use support::{join_all, start, Env};

/// `n` placements at once: even ones repeat `key`, odd ones come from other tabs with keys of their own.
async fn stampede(env: &Env, workorder: &str, key: String, n: usize) -> Vec<PlaceOrderResponse> {
    let keys: Vec<String> = (0..n).map(|i| if i % 2 == 0 { key.clone() } else { format!("{key}-tab-{i}") }).collect();
    let responses = join_all(keys.iter().map(|k| env.place(workorder, k, Language::De))).await;
    let mut answers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        answers.push(response.json::<PlaceOrderResponse>().await.unwrap());
    }
    answers
}

fn session_of(env: &Env, workorder: &str) -> String {
    env.sandbox().payone.workorder(workorder).unwrap().amazon_checkout_session_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_clicks_and_tabs_make_one_preauthorization() {
    let env = start().await;
    let workorder = env.checkout("visa-1111").await;
    let answers = stampede(&env, &workorder, "stampede-key-01".into(), 40).await;
    let first = &answers[0];
    assert!(matches!(first.outcome, PlaceOrderOutcome::Redirect { .. }), "{first:?}");
    assert!(answers.iter().all(|a| a == first), "every click gets the one order");
    assert_eq!(env.upstream("preauthorization").len(), 1, "one preauthorization upstream");
    let orders = env.state.store.orders_for_workorder(&workorder).unwrap();
    assert_eq!(orders.len(), 1);
    let tx = env.sandbox().payone.transaction_for_session(&session_of(&env, &workorder)).unwrap();
    assert_eq!(tx.reference, first.order_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_checkouts_at_once_each_get_exactly_one_order() {
    let env = start().await;
    let mut workorders = Vec::new();
    for _ in 0..8 {
        workorders.push(env.checkout("visa-1111").await);
    }
    let all = join_all(workorders.iter().enumerate().map(|(n, w)| stampede(&env, w, format!("many-{n}-key"), 10))).await;
    for (workorder, answers) in workorders.iter().zip(&all) {
        assert!(answers.iter().all(|a| a.order_id == answers[0].order_id), "{workorder}");
        assert_eq!(env.state.store.orders_for_workorder(workorder).unwrap().len(), 1, "{workorder}");
    }
    let mut ids: Vec<&str> = all.iter().map(|a| a[0].order_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "one order per checkout, none shared");
    assert_eq!(env.upstream("preauthorization").len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_soft_decline_a_stampede_of_retries_makes_one_more_preauthorization() {
    let env = start().await;
    let workorder = env.checkout("visa-0981").await;
    let declined = stampede(&env, &workorder, "soft-decline-01".into(), 12).await;
    assert!(declined.iter().all(|a| matches!(a.outcome, PlaceOrderOutcome::Declined { .. })), "{declined:?}");
    // Other tabs' keys found the declined attempt and may retry; each retry is serialized, so the later
    // ones meet the order the first retry placed.
    let attempts = env.upstream("preauthorization").len();
    assert!(attempts >= 1);
    env.sandbox().amazon.change_instrument(&session_of(&env, &workorder), "visa-1111").unwrap();
    let before = env.upstream("preauthorization").len();
    let retried = stampede(&env, &workorder, "after-decline-01".into(), 20).await;
    assert!(retried.iter().all(|a| a == &retried[0] && matches!(a.outcome, PlaceOrderOutcome::Redirect { .. })), "{retried:?}");
    assert_eq!(env.upstream("preauthorization").len(), before + 1, "one more preauthorization");
    let live: Vec<_> = env.state.store.orders_for_workorder(&workorder).unwrap().into_iter().filter(|o| !o.allows_retry()).collect();
    assert_eq!(live.len(), 1, "one live order");
    assert_eq!(live[0].state, OrderState::Redirected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_change_racing_the_placement_never_charges_a_total_the_store_does_not_have() {
    let env = start().await;
    let workorder = env.checkout("visa-1111").await;
    let path = format!("/api/cv2/sessions/{workorder}/delivery");
    let body = serde_json::json!({"delivery": "express", "language": "en"});
    let change = env.post_json(&path, &body);
    let place = stampede(&env, &workorder, "race-delivery-01".into(), 6);
    let (changed, placed) = tokio::join!(change, place);
    // Either the change came first (and the order has the express total) or it was refused afterwards.
    let status = changed.status().as_u16();
    assert!(status == 200 || status == 400, "{status}");
    let order = &env.state.store.orders_for_workorder(&workorder).unwrap()[0];
    let tx = env.sandbox().payone.transaction_for_session(&session_of(&env, &workorder)).unwrap();
    assert_eq!(tx.amount, order.amount, "PAYONE was asked for the stored total");
    assert_eq!(env.state.store.checkout(&workorder).unwrap().unwrap().amount, order.amount);
    assert_eq!(placed[0].order_id, order.id);
    assert_eq!(env.upstream("preauthorization").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_checkoutchamp_lander_clicked_twenty_times_imports_one_order() {
    let env = start().await;
    let amazon = &env.sandbox().amazon;
    let token = amazon.issue_token("jean", &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap();
    amazon.update_order_reference(&reference.id, |r| r.instrument = amazon_pay_server::sandbox::scenario::instrument("visa-1111")).unwrap();
    let requests: Vec<ImportOrderRequest> = (0..20)
        .map(|i| ImportOrderRequest {
            access_token: token.clone(),
            amazon_order_id: reference.id.clone(),
            items: vec![CampaignLine { product_id: 102, quantity: 1 }],
            recurring: false,
            // Half repeat one key (double clicks), half are reloaded pages with keys of their own.
            idempotency_key: if i % 2 == 0 { "lander-click-0001".into() } else { format!("lander-reload-{i:04}") },
            language: Language::Fr,
        })
        .collect();
    let bodies: Vec<serde_json::Value> = requests.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let responses = join_all(bodies.iter().map(|b| env.post_json("/api/checkoutchamp/orders", b))).await;
    let mut answers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        answers.push(response.json::<ImportOrderResponse>().await.unwrap());
    }
    assert!(answers.iter().all(|a| a == &answers[0]));
    assert_eq!(env.upstream("order/import").len(), 1, "one Import Order upstream");
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
}
