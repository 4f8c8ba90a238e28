//! What each delivery option costs, in the review page's checkout details: priced by the server's catalogue
//! (the widget never computes a fee), the same in the answer to a delivery change, and none for digital goods.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::cv2::{CheckoutDetails, DeliveryOption, DeliveryPrice};
use amazon_pay_contract::Money;
use support::Env;

/// A shop that charges for standard delivery too: the prices cannot be the demo's by accident.
const CATALOGUE: &str = r#"{"currency":"EUR","products":{"mug":{"name":"Mug","price":1290},
  "ebook":{"name":"E-book","price":990,"digital":true}},"delivery":{"standard":390,"express":1150}}"#;

async fn start(dir: &tempfile::TempDir) -> Env {
    let path = dir.path().join("catalogue.json");
    std::fs::write(&path, CATALOGUE).unwrap();
    support::start_with(|c| c.catalogue = Some(path)).await
}

/// A checkout of one `sku`, before the buyer chose on Amazon's page.
async fn session(env: &Env, sku: &str) -> String {
    let body = serde_json::json!({"items": [{"sku": sku, "quantity": 1}], "language": "en"});
    let response = env.post_json("/api/cv2/sessions", &body).await;
    assert_eq!(response.status(), 200);
    response.json::<serde_json::Value>().await.unwrap()["workorder_id"].as_str().unwrap().to_owned()
}

async fn details(env: &Env, workorder: &str) -> CheckoutDetails {
    let response = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=en"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn prices(standard: i64, express: i64) -> Vec<DeliveryPrice> {
    vec![
        DeliveryPrice { delivery: DeliveryOption::Standard, fee: Money::eur(standard) },
        DeliveryPrice { delivery: DeliveryOption::Express, fee: Money::eur(express) },
    ]
}

#[tokio::test]
async fn every_option_s_fee_comes_with_the_details_before_the_buyer_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let env = start(&dir).await;
    let workorder = session(&env, "mug").await;
    env.choose(&workorder, "anna", "anna-home", "visa-1111");
    let shown = details(&env, &workorder).await;
    assert_eq!(shown.delivery, DeliveryOption::Standard);
    assert_eq!(shown.delivery_prices, prices(390, 1150), "the catalogue's fees, express included before it is chosen");
    assert_eq!((shown.delivery_fee, shown.amount), (Money::eur(390), Money::eur(1290 + 390)));

    // The answer to a change names the same fees; the total is the goods plus the chosen one.
    let change = env.post_json(&format!("/api/cv2/sessions/{workorder}/delivery"), &serde_json::json!({"delivery": "express"})).await;
    assert_eq!(change.status(), 200);
    let changed: CheckoutDetails = change.json().await.unwrap();
    assert_eq!(changed.delivery_prices, prices(390, 1150));
    assert_eq!((changed.delivery_fee, changed.amount), (Money::eur(1150), Money::eur(1290 + 1150)));

    // On the wire: an array of {delivery, fee} in minor units with the currency.
    let raw: serde_json::Value = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(raw["delivery_prices"][1], serde_json::json!({"delivery": "express", "fee": {"minor": 1150, "currency": "EUR"}}));
}

#[tokio::test]
async fn digital_goods_offer_no_delivery_and_so_no_prices() {
    let dir = tempfile::tempdir().unwrap();
    let env = start(&dir).await;
    let workorder = session(&env, "ebook").await;
    let amazon_session = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
    env.sandbox().amazon.update_checkout_session(&amazon_session, |s| s.pay_only = true);
    env.sandbox().amazon.select_maybe_address(&amazon_session, "paul", None, "visa-1111").unwrap();
    let shown = details(&env, &workorder).await;
    assert!(shown.delivery_prices.is_empty(), "{:?}", shown.delivery_prices);
}
