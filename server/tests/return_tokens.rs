//! The return from Amazon's pages (`GET /api/orders/{id}/return?result=…&token=T`) changes the order, so only the
//! URLs this server handed PAYONE may: each carries the order's token. Without it (any page's `<img>` with a
//! known order id), with a wrong one or another order's, the return is refused and nothing changes. A tokenless
//! `success` (a URL handed to PAYONE before tokens came) still brings its buyer back.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_server::return_token;
use std::collections::HashMap;
use support::Env;

/// A CV2 order sent to Amazon for multi-factor authentication, and the return URLs PAYONE got for it.
async fn redirected(env: &Env, key: &str) -> (String, HashMap<String, String>) {
    let workorder = env.checkout("mc-3ds1").await;
    let placed: PlaceOrderResponse = env.place(&workorder, key, Language::En).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
    let calls: Vec<serde_json::Value> = env.http.get(env.url("/sandbox/inspect/upstream-calls")).send().await.unwrap().json().await.unwrap();
    let sent = calls
        .iter()
        .filter_map(|c| c["request"].as_str())
        .find(|r| r.contains("request=preauthorization") && r.contains(&placed.order_id))
        .expect("the placement's call")
        .to_owned();
    (placed.order_id, serde_urlencoded::from_str(&sent).unwrap())
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn state(env: &Env, order: &str) -> OrderState {
    env.state.store.order(order).unwrap().unwrap().state
}

#[tokio::test]
async fn payone_gets_return_urls_with_the_orders_token_and_they_work() {
    let env = support::start().await;
    let (order, fields) = redirected(&env, "token-cv2-0001").await;
    let token = return_token::token(&env.state.config.payone.key, &order);
    for (field, result) in [("successurl", "success"), ("errorurl", "error"), ("backurl", "back")] {
        assert_eq!(fields[field], format!("{}/api/orders/{order}/return?result={result}&token={token}", env.base), "{field}");
        assert!(fields[field].len() <= amazon_pay_server::return_urls::MAX_URL_LEN);
    }
    let back = no_redirects().get(&fields["backurl"]).send().await.unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(state(&env, &order), OrderState::Abandoned, "the real back URL gives the order up");

    let (order, fields) = redirected(&env, "token-cv2-0002").await;
    let success = no_redirects().get(&fields["successurl"]).send().await.unwrap();
    assert_eq!(success.status(), 303);
    assert!(success.headers()["location"].to_str().unwrap().contains(&format!("order={order}")));
    assert_eq!(state(&env, &order), OrderState::Redirected, "PAYONE's word decides; success only notes the return");
}

#[tokio::test]
async fn a_forged_return_is_refused_and_changes_nothing() {
    let env = support::start().await;
    let (order, _) = redirected(&env, "forged-cv2-0001").await;
    let (other, _) = redirected(&env, "forged-cv2-0002").await;
    let key = &env.state.config.payone.key;
    let others_token = return_token::token(key, &other);
    let cases = [
        ("wrong", "result=error&token=00000000000000000000000000000000".to_owned()),
        ("wrong", format!("result=back&token={}", &return_token::token(key, &order)[..8])),
        ("wrong", "result=success&token=not-a-token".to_owned()),
        ("another order's", format!("result=error&token={others_token}")),
        ("another order's", format!("result=success&token={others_token}")),
    ];
    let returned_before = env.texts(&format!("SELECT COALESCE(CAST(returned_at AS TEXT), '') FROM orders WHERE id = '{order}'"));
    for (why, query) in cases {
        let answer = no_redirects().get(env.url(&format!("/api/orders/{order}/return?{query}"))).send().await.unwrap();
        let err = support::expect_error(answer, 400, ErrorCode::BadRequest, Language::En).await;
        assert!(err.detail.as_deref().unwrap_or_default().contains("token"), "{why} ({query}): {err:?}");
        assert_eq!(state(&env, &order), OrderState::Redirected, "{why} ({query}): nothing changed");
    }
    let returned_after = env.texts(&format!("SELECT COALESCE(CAST(returned_at AS TEXT), '') FROM orders WHERE id = '{order}'"));
    assert_eq!(returned_before, returned_after, "not even the return time");
    // A wrong token for an order that does not exist says nothing about which do.
    let unknown = no_redirects().get(env.url("/api/orders/ONOSUCHORDER1/return?result=error&token=00")).send().await.unwrap();
    assert_eq!(unknown.status(), 400);
}

/// A URL handed to PAYONE before tokens came (or any page's `<img>`): it still sends the buyer on, so a buyer of
/// an order placed before the upgrade is not stranded, but only `success` is recorded; `error` and `back` change
/// nothing, and the order waits for PAYONE's word or the expiry sweep (docs/api.md).
#[tokio::test]
async fn a_tokenless_return_from_before_tokens_sends_the_buyer_on_and_gives_nothing_up() {
    let env = support::start().await;
    let (order, _) = redirected(&env, "legacy-cv2-0001").await;
    let success = no_redirects().get(env.url(&format!("/api/orders/{order}/return?result=success"))).send().await.unwrap();
    assert_eq!(success.status(), 303);
    assert!(success.headers()["location"].to_str().unwrap().contains(&format!("order={order}")));
    assert_eq!(state(&env, &order), OrderState::Redirected);
    let returned = env.texts(&format!("SELECT COALESCE(CAST(returned_at AS TEXT), '') FROM orders WHERE id = '{order}'"));
    assert_eq!(returned, vec![String::new()], "not recorded as the buyer's return (which ends an APB buyer's checkout)");
    for result in ["error", "back"] {
        let answer = no_redirects().get(env.url(&format!("/api/orders/{order}/return?result={result}"))).send().await.unwrap();
        assert_eq!(answer.status(), 303, "{result}");
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("review") && location.contains(&format!("order={order}")), "{result}: {location}");
        assert_eq!(state(&env, &order), OrderState::Redirected, "{result}: a tokenless return gives nothing up");
    }
    let reason = env.texts(&format!("SELECT COALESCE(abandon_reason, '') FROM orders WHERE id = '{order}'"));
    assert_eq!(reason, vec![String::new()]);
}
