//! The widget's readers of the backend's JSON (src/wire) against the server's writer: every response type is
//! serialized with serde_json exactly as `amazon-pay-server` answers, parsed by the browser and read back with
//! `FromJs`, and must come out equal. In headless Chromium. Also: errors name the field, and the embed
//! configuration refuses typos.
#![cfg(target_arch = "wasm32")]

use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::apb::ApbOrderResponse;
use amazon_pay_contract::checkoutchamp::{CrmOrderLine, CrmOrderState, CrmOrderStatus, ImportOrderResponse};
use amazon_pay_contract::cv1::{Cv1Decline, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session, WidgetsConfig};
use amazon_pay_contract::cv2::{
    ButtonConfig, CheckoutDetails, DeliveryOption, DeliveryPrice, PlaceOrderOutcome, PlaceOrderResponse, PostalAddress, PricedLine, ProductType,
};
use amazon_pay_contract::orders::{BuyerPayment, OrderState, OrderStatus};
use amazon_pay_contract::{ApiError, Currency, ErrorCode, Money};
use amazon_pay_widget::embed::{View, WidgetConfig};
use amazon_pay_widget::wire::{self, FromJs};
use serde::Serialize;
use std::fmt::Debug;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// serde_json out (the server's side), `JSON.parse` + `FromJs` in (the widget's side).
fn round_trip<T: Serialize + FromJs + PartialEq + Debug>(value: T) {
    let json = serde_json::to_string(&value).unwrap();
    let read: T = wire::parse(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(read, value, "{json}");
}

fn address(first_name: &str) -> PostalAddress {
    PostalAddress {
        first_name: first_name.into(),
        last_name: "Schmidt".into(),
        company: "ACME <b>GmbH</b>".into(),
        street: "Unter den Linden 1".into(),
        addition: "3. OG".into(),
        zip: "10117".into(),
        city: "Berlin".into(),
        state: String::new(),
        country: "DE".into(),
        phone: "+49 30 1234".into(),
    }
}

fn lines() -> Vec<PricedLine> {
    vec![
        PricedLine { sku: "mug".into(), name: "Rust mug".into(), quantity: 2, unit_price: Money::eur(1290) },
        PricedLine { sku: "tshirt".into(), name: "Ferris T-shirt".into(), quantity: 1, unit_price: Money::eur(2490) },
    ]
}

fn button() -> ButtonConfig {
    ButtonConfig {
        workorder_id: "WO1".into(),
        merchant_id: "A2SANDBOX".into(),
        public_key_id: "AE5E5B7B2SAERURYEH6DKDAZ".into(),
        payload_json: r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://x/review"}}"#.into(),
        signature: "c2ln".into(),
        sandbox: true,
        ledger_currency: Currency::Eur,
        checkout_language: "de_DE".into(),
        product_type: ProductType::PayOnly,
        amount: Money::eur(5070),
        script_url: "/sandbox/amazon/checkout.js".into(),
        algorithm: Some("AMZN-PAY-RSASSA-PSS-V2".into()),
    }
}

#[wasm_bindgen_test]
fn checkout_v2_answers_read_back_equal() {
    round_trip(button());
    round_trip(ButtonConfig { algorithm: None, ..button() });
    let cases = [
        (None, None, None, ProductType::PayOnly, None, None, false),
        (
            Some(address("Jean")),
            Some("Visa ••••1111".to_string()),
            Some("O1".to_string()),
            ProductType::PayAndShip,
            Some(address("Anna")),
            Some(AddressProblem::Packstation),
            true,
        ),
    ];
    for (billing, descriptor, order, product_type, shipping, problem, phone_required) in cases {
        round_trip(CheckoutDetails {
            workorder_id: "WO1".into(),
            amazon_checkout_session_id: "3f1c2a9e-1b2c-4d5e-8f90-0123456789ab".into(),
            buyer_name: "Anna Schmidt".into(),
            email: "anna@example.com".into(),
            product_type,
            shipping_address: shipping,
            address_problem: problem,
            phone_required,
            billing_address: billing,
            payment_descriptor: descriptor,
            items: lines(),
            delivery: DeliveryOption::Express,
            delivery_fee: Money::eur(490),
            delivery_prices: vec![
                DeliveryPrice { delivery: DeliveryOption::Standard, fee: Money::eur(0) },
                DeliveryPrice { delivery: DeliveryOption::Express, fee: Money::eur(490) },
            ],
            amount: Money::eur(5560),
            expires_at: 1_764_000_000,
            order_id: order,
            script_url: "/sandbox/amazon/checkout.js".into(),
            sandbox: false,
        });
    }
    for outcome in [
        PlaceOrderOutcome::Redirect { url: "https://pay.example/process?txid=1".into() },
        PlaceOrderOutcome::Approved,
        PlaceOrderOutcome::Pending,
        PlaceOrderOutcome::Declined { code: ErrorCode::SoftDecline, message: "Bitte wählen Sie …".into() },
    ] {
        round_trip(PlaceOrderResponse { order_id: "O1".into(), outcome });
    }
    round_trip(ApbOrderResponse::Checkout { order_id: "O2".into(), button: button() });
    round_trip(ApbOrderResponse::Placed {
        order_id: "O3".into(),
        state: OrderState::Approved,
        confirmation_url: "https://shop.example/thanks?order=O3".into(),
    });
}

/// A server from before `kind` (an instance not yet upgraded) answered `{order_id, button}`: the button.
#[wasm_bindgen_test]
fn an_apb_answer_without_kind_is_the_button() {
    let mut old = serde_json::to_value(ApbOrderResponse::Checkout { order_id: "O4".into(), button: button() }).unwrap();
    old.as_object_mut().unwrap().remove("kind");
    let read: ApbOrderResponse = wire::parse(&old.to_string()).unwrap();
    assert_eq!(read, ApbOrderResponse::Checkout { order_id: "O4".into(), button: button() });
}

#[wasm_bindgen_test]
fn order_status_and_errors_read_back_equal() {
    for state in OrderState::ALL {
        round_trip(OrderStatus {
            order_id: "O1".into(),
            state,
            amount: Money::new(-5, Currency::Gbp),
            message: None,
            decline: None,
            settled: state.is_final(),
            payment: None,
        });
    }
    for payment in [BuyerPayment::Charged, BuyerPayment::Cancelled, BuyerPayment::PartlyRefunded, BuyerPayment::Refunded] {
        round_trip(OrderStatus {
            order_id: "O1".into(),
            state: OrderState::Approved,
            amount: Money::eur(100),
            message: None,
            decline: None,
            settled: true,
            payment: Some(payment),
        });
    }
    round_trip(OrderStatus {
        order_id: "O1".into(),
        state: OrderState::Declined,
        amount: Money::new(1200, Currency::Jpy),
        message: Some("m".into()),
        decline: Some(ErrorCode::HardDecline),
        settled: true,
        payment: None,
    });
    for code in ErrorCode::ALL {
        round_trip(ApiError { code, message: "<b>declined</b>".into(), detail: Some("cause".into()) });
    }
    round_trip(ApiError { code: ErrorCode::Internal, message: "m".into(), detail: None });
}

#[wasm_bindgen_test]
fn legacy_v1_answers_read_back_equal() {
    let widgets = WidgetsConfig {
        client_id: "amzn1.application-oa2-client.x".into(),
        seller_id: "A2SELLER".into(),
        sandbox: true,
        script_url: "/sandbox/amazon/Widgets.js".into(),
    };
    round_trip(widgets.clone());
    round_trip(Cv1Session {
        workorder_id: "WO9".into(),
        widgets,
        items: lines(),
        amount: Money::eur(5070),
        amazon_order_reference_id: Some("S02-1-2".into()),
        order_id: None,
        expires_at: 1,
    });
    round_trip(Cv1Details {
        workorder_id: "WO9".into(),
        amazon_order_reference_id: "S02-1-2".into(),
        buyer_name: "Giulia".into(),
        email: "g@example.com".into(),
        shipping_address: address("Giulia"),
        billing_address: None,
        items: lines(),
        delivery_fee: Some(Money::eur(390)),
        amount: Money::eur(5070),
    });
    let mut outcomes = vec![Cv1Outcome::Confirmed, Cv1Outcome::Approved, Cv1Outcome::Pending, Cv1Outcome::AlreadyPlaced];
    outcomes.push(Cv1Outcome::Declined { code: ErrorCode::HardDecline, reason: None, message: "m".into() });
    outcomes.extend(Cv1Decline::ALL.map(|d| Cv1Outcome::Declined { code: d.error_code(), reason: Some(d), message: "m".into() }));
    for outcome in outcomes {
        round_trip(Cv1OrderResponse { order_id: "O3".into(), outcome });
    }
    for status in CrmOrderStatus::ALL {
        round_trip(ImportOrderResponse {
            order_id: "CC1".into(),
            status,
            total: Money::eur(3000),
            items: vec![CrmOrderLine { product_id: 101, name: "Rust mug".into(), quantity: 2, price: Money::eur(1290) }],
        });
        round_trip(CrmOrderState { order_id: "CC1".into(), status });
    }
}

#[wasm_bindgen_test]
fn errors_say_where_and_what() {
    let err = |json: &str| wire::parse::<ApiError>(json).unwrap_err().to_string();
    assert_eq!(err(r#"{"message":"m"}"#), "code: missing");
    assert_eq!(err(r#"{"code":"nope","message":"m"}"#), "code: unknown value `nope`");
    assert_eq!(err(r#"{"code":"internal","message":5}"#), "message: expected a string");
    assert_eq!(err("[]"), "expected an object");
    let status = |json: &str| wire::parse::<OrderStatus>(json).unwrap_err().to_string();
    assert_eq!(
        status(r#"{"order_id":"O","state":"paid","amount":{"minor":1.5,"currency":"EUR"},"settled":true}"#),
        "amount.minor: expected an integer in range"
    );
    let details = r#"{"order_id":"CC1","status":"complete","total":{"minor":1,"currency":"EUR"},"items":[{"product_id":1,"name":"a","quantity":1,"price":{"minor":1,"currency":"EUR"}},{"product_id":-1}]}"#;
    assert_eq!(wire::parse::<ImportOrderResponse>(details).unwrap_err().to_string(), "items[1].product_id: expected an integer in range");
    assert!(wire::parse::<ApiError>("not json").is_err());
    // Every field is read (wire::Fields), but the error is the first wrong one's, in the type's field order.
    assert_eq!(err(r#"{"code":"nope","message":5}"#), "code: unknown value `nope`");
    assert_eq!(err(r#"{"code":"internal","message":null}"#), "message: expected a string");
    assert_eq!(err(r#"{"code":"internal","message":"m","detail":5}"#), "detail: expected a string");
    let line = r#"{"sku":"mug","name":"Mug","quantity":1,"unit_price":{"minor":1,"currency":"EUR"}}"#;
    let review = |items: &str, amount: &str| {
        let json = [
            r#"{"workorder_id":"W","amazon_checkout_session_id":"S","buyer_name":"B","email":"e","product_type":"PayAndShip","#,
            r#""phone_required":false,"items":["#,
            items,
            r#"],"delivery":"standard","delivery_fee":{"minor":0,"currency":"EUR"},"#,
            r#""amount":"#,
            amount,
            r#","expires_at":1,"script_url":"u","sandbox":true}"#,
        ]
        .concat();
        wire::parse::<CheckoutDetails>(&json).map(|_| ()).map_err(|e| e.to_string())
    };
    let eur = r#"{"minor":1,"currency":"EUR"}"#;
    assert_eq!(review(line, eur), Ok(()));
    assert_eq!(review(&[line, r#",{"sku":"x"}"#].concat(), "null"), Err("items[1].name: missing".into()));
    assert_eq!(review(line, r#"{"minor":1,"currency":"XYZ"}"#), Err("amount.currency: unknown value `XYZ`".into()));
    let session = r#"{"workorder_id":"W","items":[],"amount":{"minor":1,"currency":"EUR"},"expires_at":1}"#;
    assert_eq!(wire::parse::<Cv1Session>(session).unwrap_err().to_string(), "widgets: missing");
    let order = |json: &str| wire::parse::<Cv1OrderResponse>(json).unwrap_err().to_string();
    assert_eq!(order(r#"{"order_id":"O1","outcome":{"kind":"lost"}}"#), "outcome: unknown kind `lost`");
    assert_eq!(order(r#"{"order_id":"O1","outcome":{"kind":7}}"#), "outcome.kind: expected a string");
    assert_eq!(order(r#"{"order_id":"O1","outcome":{}}"#), "outcome.kind: missing");
    assert_eq!(order(r#"{"order_id":"O1","outcome":{"kind":"declined","message":"m"}}"#), "outcome.code: missing");
    assert_eq!(order(r#"{"outcome":{"kind":"confirmed"}}"#), "order_id: missing");
    assert_eq!(order(r#"{"order_id":"O1","outcome":[]}"#), "outcome: expected an object");
}

#[wasm_bindgen_test]
fn the_embed_configuration_is_read_and_typos_are_refused() {
    let config = |json: &str| wire::parse::<WidgetConfig>(json);
    assert_eq!(config(r#"{"view":"review","butonColor":"Gold"}"#).unwrap_err().to_string(), "unknown field `butonColor`");
    assert_eq!(config(r#"{"view":"checkout"}"#).unwrap_err().to_string(), "view: unknown value `checkout`");
    assert_eq!(config(r#"{"recurring":"yes"}"#).unwrap_err().to_string(), "recurring: expected true or false");
    assert_eq!(config(r#"{"products":[{"productId":101,"qty":1}]}"#).unwrap_err().to_string(), "products[0]: unknown field `qty`");
    let read = config(
        r#"{"view":"lander","products":[{"productId":101,"quantity":2},{"productId":103}],"recurring":true,"popup":false,
            "items":[{"sku":"mug","quantity":1}],"cartUrl":"/cart","scriptTimeoutMs":2500,"language":"fr"}"#,
    )
    .unwrap();
    assert_eq!(read.view, View::Lander);
    assert_eq!(read.products.iter().map(|p| (p.product_id, p.quantity)).collect::<Vec<_>>(), [(101, 2), (103, 1)]);
    assert!(read.recurring);
    assert_eq!(read.popup, Some(false));
    assert_eq!((read.items[0].sku.as_str(), read.items[0].quantity), ("mug", 1));
    assert_eq!((read.cart_url.as_deref(), read.script_timeout_ms, read.language.as_deref()), (Some("/cart"), Some(2500), Some("fr")));
    assert_eq!(config("{}").unwrap(), WidgetConfig::default());
}
