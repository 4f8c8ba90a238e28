//! The review endpoint after the order exists: anyone holding the checkout id (it is in the review page's
//! address) learns the order and the cart, never the buyer's name, e-mail, addresses or instrument again.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::{CheckoutDetails, PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::Language;
use support::Env;

/// What Anna's checkout tells about her (`anna-home`, `visa-1111`): none of it may be in a placed checkout's answer.
const ANNA: [&str; 6] = ["Anna", "Schmidt", "anna.schmidt@sandbox.example", "Unter den Linden", "\"10117\"", "••••1111"];

async fn review(env: &Env, workorder: &str) -> (reqwest::StatusCode, String) {
    let response = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=de"))).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn once_the_order_exists_the_review_answer_names_the_order_but_not_the_buyer() {
    let env = support::start().await;
    let workorder = env.checkout("visa-1111").await;
    let (status, before) = review(&env, &workorder).await;
    assert_eq!(status, 200);
    for said in ANNA {
        assert!(before.contains(said), "the review page needs {said} before placing: {before}");
    }

    let placed: PlaceOrderResponse = env.place(&workorder, "key-privacy-0001", Language::De).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{:?}", placed.outcome);
    let (status, after) = review(&env, &workorder).await;
    assert_eq!(status, 200, "{after}");
    for said in ANNA {
        assert!(!after.contains(said), "{said} is still answered after placement: {after}");
    }
    let details: CheckoutDetails = serde_json::from_str(&after).unwrap();
    // What a reload of the review page needs: the order (to lead to the confirmation), the cart and the total.
    assert_eq!(details.order_id.as_deref(), Some(placed.order_id.as_str()));
    assert_eq!(details.workorder_id, workorder);
    assert_eq!(details.items.len(), 1);
    assert_eq!(details.amount.minor, 2 * 1290);
    assert_eq!((details.buyer_name.as_str(), details.email.as_str()), ("", ""));
    assert_eq!((details.shipping_address, details.billing_address, details.payment_descriptor), (None, None, None));
}

#[tokio::test]
async fn after_a_soft_decline_the_buyer_still_sees_the_checkout_to_choose_again() {
    let env = support::start().await;
    let workorder = env.checkout("visa-0981").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "key-privacy-0002", Language::En).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Declined { .. }), "{:?}", placed.outcome);
    // No live order: the buyer picks another instrument on this page, which needs the checkout as before.
    let (status, again) = review(&env, &workorder).await;
    assert_eq!(status, 200, "{again}");
    let details: CheckoutDetails = serde_json::from_str(&again).unwrap();
    assert_eq!((details.order_id, details.buyer_name.as_str()), (None, "Anna Schmidt"));
    assert!(details.shipping_address.is_some());
}

/// Back from Amazon's MFA page (the buyer neither passed nor abandoned it): the order stays `redirected`, and the
/// review page, reloaded with a new key, places again to go on. That must answer the same order and the same
/// redirect, with no second preauthorization, and the redirect must still lead to the MFA page.
#[tokio::test]
async fn back_from_amazons_mfa_page_placing_again_goes_on_with_the_same_order() {
    let env = support::start().await;
    let workorder = env.checkout("mc-3ds1").await;
    let first: PlaceOrderResponse = env.place(&workorder, "key-mfa-back-0001", Language::En).await.json().await.unwrap();
    let PlaceOrderOutcome::Redirect { url } = &first.outcome else { panic!("{:?}", first.outcome) };
    let (status, body) = review(&env, &workorder).await;
    assert_eq!(status, 200, "{body}");
    let details: CheckoutDetails = serde_json::from_str(&body).unwrap();
    assert_eq!(details.order_id.as_deref(), Some(first.order_id.as_str()));
    let order: serde_json::Value = env.http.get(env.url(&format!("/api/orders/{}", first.order_id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(order["state"], "redirected");

    let again: PlaceOrderResponse = env.place(&workorder, "key-mfa-back-0002", Language::En).await.json().await.unwrap();
    assert_eq!(again.order_id, first.order_id);
    assert!(matches!(&again.outcome, PlaceOrderOutcome::Redirect { url: same } if same == url), "{:?}", again.outcome);
    assert_eq!(env.upstream("preauthorization").len(), 1);
    let mfa = env.http.get(url).send().await.unwrap();
    assert_eq!(mfa.status(), 200);
    assert!(mfa.text().await.unwrap().contains("mfa-code"), "the redirect still shows Amazon's MFA page");
}
