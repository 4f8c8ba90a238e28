//! The shop's address rules, a required phone number and digital goods, over HTTP against the sandbox: what
//! goes to PAYONE, what the review data says, and that a refused address or a missing phone places no order.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::cv2::{ButtonConfig, CheckoutDetails, PlaceOrderRequest, PlaceOrderResponse, ProductType};
use amazon_pay_contract::ApiError;
use amazon_pay_contract::{ErrorCode, Language};
use amazon_pay_server::address_rules::AddressRules;
use support::{expect_error, Env};

/// A refusal with a sentence of its own (not the code's general one): status 400, `bad_request`.
async fn refusal(response: reqwest::Response) -> ApiError {
    assert_eq!(response.status(), 400);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, ErrorCode::BadRequest, "{err:?}");
    err
}

fn strict() -> AddressRules {
    AddressRules { countries: vec!["DE".into(), "AT".into()], refuse_po_boxes: true, refuse_packstations: true, require_phone: true }
}

async fn start(rules: AddressRules) -> Env {
    support::start_with(|c| c.address_rules = rules).await
}

async fn session(env: &Env, sku: &str) -> ButtonConfig {
    let body = serde_json::json!({"items": [{"sku": sku, "quantity": 1}], "language": "de"});
    let response = env.post_json("/api/cv2/sessions", &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn details(env: &Env, workorder: &str) -> CheckoutDetails {
    let response = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=de"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn place(env: &Env, workorder: &str, key: &str, phone: Option<&str>) -> reqwest::Response {
    let body = PlaceOrderRequest { idempotency_key: key.into(), language: Language::De, phone: phone.map(str::to_owned) };
    env.http.post(env.url(&format!("/api/cv2/sessions/{workorder}/orders"))).json(&body).send().await.unwrap()
}

/// The (redacted) form bodies the backend sent for `action`.
fn sent(env: &Env, action: &str) -> Vec<String> {
    let db = env.db();
    let mut stmt = db.prepare("SELECT request FROM upstream_calls WHERE action = ?1 ORDER BY id").unwrap();
    stmt.query_map([action], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn the_rules_go_to_payone_as_amazons_delivery_specifications() {
    let env = start(strict()).await;
    let config = session(&env, "mug").await;
    assert_eq!(config.product_type, ProductType::PayAndShip);
    let body = &sent(&env, "createCheckoutSessionPayload")[0];
    for field in [
        "add_paydata%5BaddressRestrictions_type%5D=Allowed",
        "add_paydata%5BaddressRestrictions_country_0%5D=DE",
        "add_paydata%5BaddressRestrictions_country_1%5D=AT",
        "add_paydata%5BspecialRestrictions%5D=RestrictPOBoxes%2CRestrictPackstations",
    ] {
        assert!(body.contains(field), "{field} not in {body}");
    }
    let payload: serde_json::Value = serde_json::from_str(&config.payload_json).unwrap();
    let spec = &payload["deliverySpecifications"];
    assert_eq!(spec["addressRestrictions"]["type"], "Allowed");
    assert!(spec["addressRestrictions"]["restrictions"]["AT"].is_object());
    assert_eq!(spec["specialRestrictions"], serde_json::json!(["RestrictPOBoxes", "RestrictPackstations"]));

    // No rules: nothing is sent.
    let plain = start(AddressRules::default()).await;
    session(&plain, "mug").await;
    assert!(!sent(&plain, "createCheckoutSessionPayload")[0].contains("Restrictions"));
}

#[tokio::test]
async fn a_refused_address_is_said_in_the_buyers_language_and_never_ordered() {
    let env = start(strict()).await;
    for (address, problem) in
        [("paul-pobox", AddressProblem::PoBox), ("paul-packstation", AddressProblem::Packstation), ("paul-zurich", AddressProblem::Country)]
    {
        let config = session(&env, "mug").await;
        env.choose(&config.workorder_id, "paul", address, "visa-1111");
        let shown = details(&env, &config.workorder_id).await;
        assert_eq!(shown.address_problem, Some(problem), "{address}");
        let err = refusal(place(&env, &config.workorder_id, &format!("key-{address}"), Some("+49 30 1234567")).await).await;
        assert_eq!(err.message, problem.buyer_message(Language::De), "{address}");
        assert!(err.message.contains("Adresse ändern"), "{}", err.message);
    }
    assert_eq!(env.count("SELECT count(*) FROM orders"), 0, "no order for a refused address");
    assert!(sent(&env, "preauthorization").is_empty(), "nothing sent to PAYONE");

    // The buyer changes the address (as "Change address" on Amazon's pages does): now the order goes through.
    let config = session(&env, "mug").await;
    env.choose(&config.workorder_id, "paul", "paul-pobox", "visa-1111");
    let session_id = env.sandbox().payone.workorder(&config.workorder_id).unwrap().amazon_checkout_session_id;
    env.sandbox().amazon.change_address(&session_id, "paul-home").unwrap();
    assert_eq!(details(&env, &config.workorder_id).await.address_problem, None);
    let response = place(&env, &config.workorder_id, "key-paul-home", None).await;
    assert_eq!(response.status(), 200);
    let placed: PlaceOrderResponse = response.json().await.unwrap();
    assert!(matches!(placed.outcome, amazon_pay_contract::cv2::PlaceOrderOutcome::Redirect { .. }));
}

#[tokio::test]
async fn without_rules_the_same_addresses_are_ordered() {
    let env = start(AddressRules::default()).await;
    let config = session(&env, "mug").await;
    env.choose(&config.workorder_id, "paul", "paul-packstation", "visa-1111");
    let shown = details(&env, &config.workorder_id).await;
    assert_eq!((shown.address_problem, shown.phone_required), (None, false));
    assert_eq!(place(&env, &config.workorder_id, "key-packstation-ok", None).await.status(), 200);
}

#[tokio::test]
async fn a_missing_phone_number_is_asked_for_checked_and_sent_with_the_order() {
    let env = start(strict()).await;
    let config = session(&env, "mug").await;
    env.choose(&config.workorder_id, "paul", "paul-nophone", "visa-1111");
    let shown = details(&env, &config.workorder_id).await;
    assert!(shown.phone_required);
    assert_eq!(shown.address_problem, None);
    for (phone, problem) in [
        (None, AddressProblem::PhoneMissing),
        (Some("  "), AddressProblem::PhoneMissing),
        (Some("call me"), AddressProblem::PhoneInvalid),
        (Some("+49-30-123456"), AddressProblem::PhoneInvalid),
    ] {
        let err = refusal(place(&env, &config.workorder_id, "key-phone-01", phone).await).await;
        assert_eq!(err.message, problem.buyer_message(Language::De), "{phone:?}");
    }
    assert_eq!(env.count("SELECT count(*) FROM orders"), 0);
    assert_eq!(place(&env, &config.workorder_id, "key-phone-01", Some(" +49 30 7654321 ")).await.status(), 200);
    let body = &sent(&env, "preauthorization")[0];
    assert!(body.contains("telephonenumber=%2B49+30+7654321"), "{body}");

    // An address with its own number needs none typed.
    let config = session(&env, "mug").await;
    env.choose(&config.workorder_id, "paul", "paul-home", "visa-1111");
    assert!(!details(&env, &config.workorder_id).await.phone_required);
}

#[tokio::test]
async fn digital_goods_are_pay_only_without_any_address_and_a_mixed_cart_ships() {
    let env = start(strict()).await;
    let config = session(&env, "ebook").await;
    assert_eq!(config.product_type, ProductType::PayOnly);
    assert!(!sent(&env, "createCheckoutSessionPayload")[0].contains("Restrictions"), "no delivery rules without a delivery");
    let session_id = env.sandbox().payone.workorder(&config.workorder_id).unwrap().amazon_checkout_session_id;
    env.sandbox().amazon.update_checkout_session(&session_id, |s| s.pay_only = true);
    env.sandbox().amazon.select_maybe_address(&session_id, "paul", None, "visa-1111").unwrap();
    let shown = details(&env, &config.workorder_id).await;
    assert_eq!(
        (shown.product_type, shown.shipping_address.as_ref(), shown.address_problem, shown.phone_required),
        (ProductType::PayOnly, None, None, false)
    );
    assert_eq!(shown.delivery_fee.minor, 0);
    // There is no delivery to change.
    let change = env
        .http
        .post(env.url(&format!("/api/cv2/sessions/{}/delivery", config.workorder_id)))
        .json(&serde_json::json!({"delivery": "express"}))
        .send()
        .await
        .unwrap();
    expect_error(change, 400, ErrorCode::BadRequest, Language::En).await;
    assert_eq!(place(&env, &config.workorder_id, "key-ebook-01", None).await.status(), 200);
    let body = &sent(&env, "preauthorization")[0];
    assert!(!body.contains("shipping_"), "PayOnly sends no shipping address: {body}");

    // One physical item makes it PayAndShip.
    let body = serde_json::json!({"items": [{"sku": "ebook", "quantity": 1}, {"sku": "mug", "quantity": 1}]});
    let mixed: ButtonConfig = env.post_json("/api/cv2/sessions", &body).await.json().await.unwrap();
    assert_eq!(mixed.product_type, ProductType::PayAndShip);
}

#[tokio::test]
async fn apb_follows_the_cart_and_the_rules() {
    let env = start(strict()).await;
    let buyer = |street: &str, country: &str, phone: &str| serde_json::json!({"email": "paul@sandbox.example", "phone": phone, "address": {"first_name": "Paul", "last_name": "Packer", "street": street, "zip": "10117", "city": "Berlin", "country": country}});
    let apb = |key: &str, sku: &str, product_type: &str, buyer: serde_json::Value| serde_json::json!({"items": [{"sku": sku, "quantity": 1}], "idempotency_key": key, "language": "de", "product_type": product_type, "buyer": buyer});
    for (key, street, country, phone, problem) in [
        ("apb-rules-0001", "Packstation 123", "DE", "+49 30 1234567", AddressProblem::Packstation),
        ("apb-rules-0002", "Postfach 4", "DE", "+49 30 1234567", AddressProblem::PoBox),
        ("apb-rules-0003", "Bahnhofstrasse 1", "CH", "+41 44 1234567", AddressProblem::Country),
        ("apb-rules-0004", "Alexanderplatz 1", "DE", "030", AddressProblem::PhoneInvalid),
    ] {
        let response = env.post_json("/api/apb/orders", &apb(key, "mug", "PayAndShip", buyer(street, country, phone))).await;
        let err = refusal(response).await;
        assert_eq!(err.message, problem.form_message(Language::De), "{street}");
        assert!(!err.message.contains("Adresse ändern"), "no Change address button in the shop's own form");
    }
    // PayOnly claimed for a physical cart: refused.
    let response = env.post_json("/api/apb/orders", &apb("apb-rules-0005", "mug", "PayOnly", serde_json::Value::Null)).await;
    let err = expect_error(response, 400, ErrorCode::BadRequest, Language::De).await;
    assert!(err.detail.unwrap_or_default().contains("physical goods"));
    assert!(sent(&env, "preauthorization").is_empty());
    // A digital cart is PayOnly whatever the page said, and no shipping address is sent.
    let response =
        env.post_json("/api/apb/orders", &apb("apb-rules-0006", "ebook", "PayAndShip", buyer("Alexanderplatz 1", "DE", "+49 30 1234567"))).await;
    assert_eq!(response.status(), 200);
    let placed: amazon_pay_contract::apb::ApbOrderResponse = response.json().await.unwrap();
    assert_eq!(placed.button().unwrap().product_type, ProductType::PayOnly);
    let body = &sent(&env, "preauthorization")[0];
    assert!(body.contains("add_paydata%5BproductType%5D=PayOnly") && !body.contains("shipping_"), "{body}");
}
