//! APB placement over HTTP against the sandbox: validation, server-side amount, idempotency, and orders whose
//! buyer never came back from Amazon given up.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::apb::{ApbBuyer, ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, ProductType};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ApiError, ErrorCode, Language, Money};
use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;

async fn start() -> (String, tempfile::TempDir, amazon_pay_server::app::AppState) {
    let dir = tempfile::tempdir().unwrap();
    let (base, state) = Server::bind(Config::sandbox_for_tests(dir.path().to_owned())).await.unwrap().spawn();
    (base, dir, state)
}

fn request(key: &str, product_type: ProductType, buyer: Option<ApbBuyer>) -> ApbOrderRequest {
    ApbOrderRequest {
        items: vec![CartLine { sku: "tshirt".into(), quantity: 2 }],
        idempotency_key: key.into(),
        language: Language::En,
        product_type,
        buyer,
    }
}

fn buyer() -> ApbBuyer {
    ApbBuyer {
        email: "anna@sandbox.example".into(),
        phone: "+49 30 1234567".into(),
        address: PostalAddress {
            first_name: "Anna".into(),
            last_name: "Schmidt".into(),
            street: "Unter den Linden 1".into(),
            zip: "10117".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn apb_returns_the_signed_process_order_payload_priced_by_the_server() {
    let (base, _dir, state) = start().await;
    let client = reqwest::Client::new();
    // Extra fields such as an amount are not part of the contract and change nothing.
    let mut body = serde_json::to_value(request("apb-key-00000001", ProductType::PayAndShip, Some(buyer()))).unwrap();
    body["amount"] = serde_json::json!({"minor": 1, "currency": "EUR"});
    let response = client.post(format!("{base}/api/apb/orders")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let placed: ApbOrderResponse = response.json().await.unwrap();
    let price = state.catalogue.products["tshirt"].price;
    assert_eq!(placed.button.amount, Money::eur(2 * price));
    let payload: serde_json::Value = serde_json::from_str(&placed.button.payload_json).unwrap();
    assert_eq!(payload["webCheckoutDetails"]["checkoutMode"], "ProcessOrder");
    assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], Money::eur(2 * price).decimal());
    let order = state.store.order(&placed.order_id).unwrap().unwrap();
    assert_eq!(order.workorder_id, placed.button.workorder_id);

    // The same key again: the same answer, no second authorization.
    let again: ApbOrderResponse = client
        .post(format!("{base}/api/apb/orders"))
        .json(&request("apb-key-00000001", ProductType::PayAndShip, Some(buyer())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, placed);
    let auths = state.store.upstream_calls().unwrap().into_iter().filter(|c| c.1 == "preauthorization").count();
    assert_eq!(auths, 1);
}

#[tokio::test]
async fn apb_refuses_physical_goods_without_an_address_and_sends_nothing() {
    let (base, _dir, state) = start().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/apb/orders"))
        .json(&request("apb-key-00000002", ProductType::PayAndShip, None))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::BadRequest);
    assert!(state.store.upstream_calls().unwrap().is_empty());
}

#[tokio::test]
async fn apb_digital_goods_need_no_address() {
    let (base, _dir, _state) = start().await;
    let mut digital = request("apb-key-00000003", ProductType::PayOnly, None);
    digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
    let response = reqwest::Client::new().post(format!("{base}/api/apb/orders")).json(&digital).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let placed: ApbOrderResponse = response.json().await.unwrap();
    assert_eq!(placed.button.product_type, ProductType::PayOnly);
}

/// The buyer reloads the APB page while on Amazon's pages and pays with the new order (a reload makes a new
/// key), or just closes the tab: the first order is `redirected` and nothing else would ever move it. After
/// `--redirected-expiry-seconds` it is given up, with its `order.abandoned` event (on SQLite, and on
/// PostgreSQL with `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn an_order_whose_buyer_never_came_back_is_given_up_after_the_expiry() {
    let env = support::start_with(|config| config.redirected_expiry = std::time::Duration::from_secs(1)).await;
    let place = |key: &'static str| {
        let (http, base) = (env.http.clone(), env.base.clone());
        async move {
            let mut digital = request(key, ProductType::PayOnly, None);
            digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
            let response = http.post(format!("{base}/api/apb/orders")).json(&digital).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<ApbOrderResponse>().await.unwrap().order_id
        }
    };
    let first = place("apb-key-reload-1").await;
    let status = |id: &str| {
        let url = format!("{}/api/orders/{id}", env.base);
        let http = env.http.clone();
        async move { http.get(url).send().await.unwrap().json::<amazon_pay_contract::orders::OrderStatus>().await.unwrap() }
    };
    assert_eq!(status(&first).await.state, OrderState::Redirected);
    // Reloaded: a new key, a new order.
    let second = place("apb-key-reload-2").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let given_up = loop {
        let now = status(&first).await;
        if now.state != OrderState::Redirected || std::time::Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!((given_up.state, given_up.settled), (OrderState::Abandoned, true), "given up within the deadline: {given_up:?}");
    let kinds: Vec<String> = env.state.store.events_for_order(&first).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "order.abandoned").count(), 1, "one event, for the webhooks: {kinds:?}");
    assert_ne!(first, second);
}
