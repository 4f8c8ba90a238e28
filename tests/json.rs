//! The widget's JSON reader (src/json.rs) in headless Chromium: the contract's types from `JSON.parse` results,
//! and short errors that still name the field or variant.
#![cfg(target_arch = "wasm32")]

use amazon_pay_contract::cv2::ButtonConfig;
use amazon_pay_contract::orders::OrderStatus;
use amazon_pay_contract::{ApiError, ErrorCode};
use amazon_pay_widget::client::from_json;
use amazon_pay_widget::embed::{View, WidgetConfig};
use amazon_pay_widget::json::from_value;
use serde::Deserialize;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn reads_the_contracts_types() {
    let config: ButtonConfig = from_json(
        r#"{"workorder_id":"WO1","merchant_id":"M","public_key_id":"K","payload_json":"{\"a\":1}","signature":"s",
            "sandbox":true,"ledger_currency":"EUR","checkout_language":"de_DE","product_type":"PayAndShip",
            "amount":{"minor":5070,"currency":"EUR"},"script_url":"/sandbox/amazon/checkout.js"}"#,
    )
    .unwrap();
    assert_eq!(config.amount.minor, 5070);
    assert_eq!(config.payload_json, r#"{"a":1}"#);
    assert!(config.sandbox);

    let error: ApiError = from_json(r#"{"code":"soft_decline","message":"<b>declined</b>"}"#).unwrap();
    assert_eq!((error.code, error.message.as_str(), error.detail), (ErrorCode::SoftDecline, "<b>declined</b>", None));
    let with_null: ApiError = from_json(r#"{"code":"internal","message":"m","detail":null}"#).unwrap();
    assert_eq!(with_null.detail, None);
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Tagged {
    Redirect { url: String },
    Approved,
}

#[derive(Debug, PartialEq, Deserialize)]
enum External {
    Unit,
    Pair(i32, i32),
    Named { n: i64 },
}

#[wasm_bindgen_test]
fn reads_enums_numbers_and_sequences() {
    assert_eq!(from_json::<Tagged>(r#"{"kind":"redirect","url":"https://x"}"#).unwrap(), Tagged::Redirect { url: "https://x".into() });
    assert_eq!(from_json::<Tagged>(r#"{"kind":"approved"}"#).unwrap(), Tagged::Approved);
    assert_eq!(from_json::<External>(r#""Unit""#).unwrap(), External::Unit);
    assert_eq!(from_json::<External>(r#"{"Pair":[1,-2]}"#).unwrap(), External::Pair(1, -2));
    assert_eq!(from_json::<External>(r#"{"Named":{"n":-9007199254740991}}"#).unwrap(), External::Named { n: -9_007_199_254_740_991 });
    assert_eq!(from_json::<Vec<Option<u8>>>("[1,null,3]").unwrap(), vec![Some(1), None, Some(3)]);
    assert_eq!(from_json::<f64>("1.5").unwrap(), 1.5);
    assert!(from_json::<u8>("256").is_err(), "out of range");
    assert!(from_json::<u32>("1.5").is_err(), "not an integer");
}

#[wasm_bindgen_test]
fn errors_name_the_field_or_variant() {
    assert_eq!(from_json::<ApiError>(r#"{"message":"m"}"#).unwrap_err(), "missing field `code`");
    assert_eq!(from_json::<ApiError>(r#"{"code":"nope","message":"m"}"#).unwrap_err(), "unknown variant `nope`");
    assert_eq!(from_json::<ApiError>(r#"{"code":"internal","message":5}"#).unwrap_err(), "invalid type");
    // The embed config refuses unknown keys, so a typo does not go unnoticed.
    let typo = js_sys::JSON::parse(r#"{"view":"review","butonColor":"Gold"}"#).unwrap();
    assert_eq!(from_value::<WidgetConfig>(typo).unwrap_err().to_string(), "unknown field `butonColor`");
    let ok = js_sys::JSON::parse(r#"{"view":"confirmation","cartUrl":"/cart"}"#).unwrap();
    let config = from_value::<WidgetConfig>(ok).unwrap();
    assert_eq!((config.view, config.cart_url.as_deref()), (View::Confirmation, Some("/cart")));
    assert!(from_json::<OrderStatus>("[]").is_err());
}
