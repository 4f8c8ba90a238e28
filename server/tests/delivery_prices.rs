//! What each delivery option costs, in the review page's checkout details: priced by the server's catalogue
//! (the widget never computes a fee), the same in the answer to a delivery change, and none for digital goods;
//! and every flow charges a cart what Checkout v2 charges it.
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
    // Nor can one be chosen: refused, and the total stays the goods' (no fee).
    let change = env.post_json(&format!("/api/cv2/sessions/{workorder}/delivery"), &serde_json::json!({"delivery": "express"})).await;
    assert_eq!(change.status(), 400);
    let err: amazon_pay_contract::ApiError = change.json().await.unwrap();
    assert!(err.detail.as_deref().unwrap_or_default().contains("no delivery to choose"), "{err:?}");
    assert_eq!(details(&env, &workorder).await.amount, Money::eur(990));
}

/// APB's buyer, for a cart that is shipped.
fn apb_buyer() -> serde_json::Value {
    serde_json::json!({"email": "anna@sandbox.example", "phone": "+49 30 1234567", "address": {"first_name": "Anna",
      "last_name": "Schmidt", "street": "Unter den Linden 1", "zip": "10117", "city": "Berlin", "country": "DE"}})
}

/// The same cart costs the same whichever flow the buyer takes: APB and CV1 charged the goods alone while CV2
/// added standard delivery's fee, so with a shop that charges for it they sold for 3.90 less.
#[tokio::test]
async fn every_flow_charges_a_cart_the_same_delivery_included() {
    let dir = tempfile::tempdir().unwrap();
    let env = start(&dir).await;
    for (sku, product_type, buyer, expected) in [("mug", "PayAndShip", apb_buyer(), 1290 + 390), ("ebook", "PayOnly", serde_json::Value::Null, 990)] {
        let items = serde_json::json!([{"sku": sku, "quantity": 1}]);
        let amount = |answer: &serde_json::Value, pointer: &str| -> Money {
            serde_json::from_value(answer.pointer(pointer).unwrap_or_else(|| panic!("{pointer} in {answer}")).clone()).unwrap()
        };
        let post = |path: &'static str, body: serde_json::Value| {
            let env = &env;
            async move {
                let response = env.post_json(path, &body).await;
                assert_eq!(response.status(), 200, "{path}");
                response.json::<serde_json::Value>().await.unwrap()
            }
        };
        let cv2 = post("/api/cv2/sessions", serde_json::json!({"items": items, "language": "en"})).await;
        assert_eq!(amount(&cv2, "/amount"), Money::eur(expected), "CV2, {sku}");
        let cv1 = post("/api/cv1/sessions", serde_json::json!({"items": items, "language": "en"})).await;
        assert_eq!(amount(&cv1, "/amount"), Money::eur(expected), "CV1, {sku}");
        let apb_body = serde_json::json!({"items": items, "language": "en", "idempotency_key": format!("same-price-{sku}"),
          "product_type": product_type, "buyer": buyer});
        let apb = post("/api/apb/orders", apb_body.clone()).await;
        assert_eq!(amount(&apb, "/button/amount"), Money::eur(expected), "APB, {sku}");
        // The same cart sent again with its key (a double click) is the same order, fee and all: the replay's
        // check that the key asks for the same cart prices it as the placement did.
        let replay = post("/api/apb/orders", apb_body).await;
        assert_eq!(replay["order_id"], apb["order_id"], "APB replayed, {sku}");
        // The order whose amount PAYONE is asked to authorize.
        let order_id = apb["order_id"].as_str().unwrap();
        let order = env.state.store.order(order_id).unwrap().unwrap();
        assert_eq!(order.amount, Money::eur(expected), "APB's stored order, {sku}");
    }
}

/// Amazon Pay direct prices in the same place: its CV2 session and its APB order charge the shipped cart
/// standard delivery's fee too.
#[tokio::test]
async fn amazon_direct_charges_apb_what_it_charges_checkout_v2() {
    use amazon_pay_server::config::amazon::{AmazonArgs, AmazonConfig, Provider};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalogue.json");
    std::fs::write(&path, CATALOGUE).unwrap();
    let env = support::start_with(|c| {
        c.catalogue = Some(path);
        c.provider = Provider::Amazon;
        let args = AmazonArgs::default();
        c.amazon = Some(AmazonConfig::from_args(&args, None, "EUR", true, |_| Ok(())).expect("sandbox defaults"));
    })
    .await;
    let items = serde_json::json!([{"sku": "mug", "quantity": 1}]);
    let cv2 = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": items, "language": "en"})).await;
    assert_eq!(cv2.status(), 200);
    let cv2: serde_json::Value = cv2.json().await.unwrap();
    let apb = env
        .post_json(
            "/api/apb/orders",
            &serde_json::json!({"items": items, "language": "en", "idempotency_key": "same-price-amazon",
              "product_type": "PayAndShip", "buyer": apb_buyer()}),
        )
        .await;
    assert_eq!(apb.status(), 200);
    let apb: serde_json::Value = apb.json().await.unwrap();
    assert_eq!(cv2["amount"], serde_json::json!({"minor": 1680, "currency": "EUR"}), "CV2");
    assert_eq!(apb["button"]["amount"], cv2["amount"], "APB's button");
    let payload: serde_json::Value = serde_json::from_str(apb["button"]["payload_json"].as_str().unwrap()).unwrap();
    assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], "16.80", "what Amazon is asked to charge");
}
