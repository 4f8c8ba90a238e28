//! Typed wrapper of `amazon.Pay` from Amazon's Checkout v2 `checkout.js`.
//!
//! `checkout.js` throws *strings* that start with `"AmazonPay:\n"`; every call here catches them and turns
//! them into [`AmazonPayError::Rejected`] with Amazon's own message, so nothing escapes as an uncaught throw.

use crate::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A failure of a call into `amazon.Pay`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmazonPayError {
    /// The function (named) is missing: `checkout.js` is not on the page yet.
    NotLoaded(&'static str),
    /// `checkout.js` threw; Amazon's message without its prefix line.
    Rejected(String),
    /// The options could not be made into a JS object.
    Options(String),
}

/// `createCheckoutSessionConfig`: the payload signed by PAYONE, passed verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSessionConfig {
    /// The checkout session payload as PAYONE signed it (`payloadJSON`).
    #[serde(rename = "payloadJSON")]
    pub payload_json: String,
    /// PAYONE's signature of the payload.
    pub signature: String,
    /// The id of the key Amazon checks the signature with.
    pub public_key_id: String,
    /// The signature's algorithm, when not Amazon's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

/// `estimatedOrderAmount`: a decimal string and a currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimatedOrderAmount {
    /// A decimal string, e.g. `"19.99"`.
    pub amount: String,
    /// ISO 4217 (EUR: PAYONE takes no other).
    pub currency_code: String,
}

/// The options of `amazon.Pay.renderButton`, spelled as Amazon spells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderButtonOptions {
    /// The merchant's Amazon Pay id.
    pub merchant_id: String,
    /// The merchant's ledger currency (EUR).
    pub ledger_currency: String,
    /// Amazon's sandbox (test buyers, no money moves) or live.
    pub sandbox: bool,
    /// Amazon's pages' language, e.g. `de_DE`.
    pub checkout_language: String,
    /// `PayAndShip` or `PayOnly`.
    pub product_type: String,
    /// Where the button is: `Cart`, `Product`, `Checkout`, `Home` or `Other`.
    pub placement: String,
    /// `Gold`, `LightGray` or `DarkGray`.
    pub button_color: String,
    /// The amount the buyer is shown on Amazon's pages, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_order_amount: Option<EstimatedOrderAmount>,
    /// The signed session payload; without it the button needs `initCheckout` on click.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_checkout_session_config: Option<CheckoutSessionConfig>,
}

/// The buyer's change action on the review page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// The buyer picks another shipping address on Amazon.
    ChangeAddress,
    /// The buyer picks another payment method on Amazon.
    ChangePayment,
}

impl ChangeAction {
    /// The name `bindChangeAction` takes (`changeAddress`, `changePayment`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeAction::ChangeAddress => "changeAddress",
            ChangeAction::ChangePayment => "changePayment",
        }
    }
}

/// The error text Amazon threw, without its `AmazonPay:` prefix line.
fn rejected(thrown: JsValue) -> AmazonPayError {
    let text = super::thrown_text(&thrown);
    let text = text.strip_prefix("AmazonPay:").map(|t| t.trim_start_matches('\n')).unwrap_or(&text);
    AmazonPayError::Rejected(text.trim().to_owned())
}

/// The options as the plain object Amazon expects: written as JSON text in Rust (`json.rs`) and parsed
/// by the browser once, not built property by property across the JS boundary (each first crossing costs the
/// button's start a compile of its glue, before Amazon's button can appear).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, AmazonPayError> {
    let text = crate::json::to_json(value).map_err(AmazonPayError::Options)?;
    js_sys::JSON::parse(&text).map_err(|e| AmazonPayError::Options(super::thrown_text(&e)))
}

/// Looks up `amazon.Pay.<name>` at call time, so scripts loaded (or faked) later are found.
fn pay_function(name: &'static str) -> Result<(JsValue, js_sys::Function), AmazonPayError> {
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let amazon = get(&global, "amazon").ok_or(AmazonPayError::NotLoaded(name))?;
    let pay = get(&amazon, "Pay").ok_or(AmazonPayError::NotLoaded(name))?;
    let function = get(&pay, name).and_then(|f| f.dyn_into::<js_sys::Function>().ok()).ok_or(AmazonPayError::NotLoaded(name))?;
    Ok((pay, function))
}

/// `true` once `amazon.Pay.renderButton` exists on the page.
pub fn is_loaded() -> bool {
    pay_function("renderButton").is_ok()
}

/// `amazon.Pay.renderButton(selector, options)`. Returns Amazon's button object (may be `undefined`).
pub fn render_button(selector: &str, options: &RenderButtonOptions) -> Result<JsValue, AmazonPayError> {
    let (pay, render) = pay_function("renderButton")?;
    render.call2(&pay, &JsValue::from_str(selector), &to_js(options)?).map_err(rejected)
}

/// `amazon.Pay.initCheckout(options)`: starts Amazon's checkout from the shop's own button (APB), without
/// rendering Amazon's button.
pub fn init_checkout(options: &RenderButtonOptions) -> Result<(), AmazonPayError> {
    let (pay, init) = pay_function("initCheckout")?;
    init.call1(&pay, &to_js(options)?).map(drop).map_err(rejected)
}

/// `amazon.Pay.bindChangeAction(selector, {amazonCheckoutSessionId, changeAction})`.
pub fn bind_change_action(selector: &str, checkout_session_id: &str, action: ChangeAction) -> Result<(), AmazonPayError> {
    let (pay, bind) = pay_function("bindChangeAction")?;
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    set("amazonCheckoutSessionId", checkout_session_id).map_err(rejected)?;
    set("changeAction", action.as_str()).map_err(rejected)?;
    bind.call2(&pay, &JsValue::from_str(selector), &options).map(drop).map_err(rejected)
}

/// `amazon.Pay.signout()`.
pub fn signout() -> Result<(), AmazonPayError> {
    let (pay, signout) = pay_function("signout")?;
    signout.call0(&pay).map(drop).map_err(rejected)
}

impl core::fmt::Display for AmazonPayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            AmazonPayError::NotLoaded(name) => w(f, &["amazon.Pay.", name, " is not available: checkout.js is not loaded"]),
            AmazonPayError::Rejected(cause) => w(f, &["amazon.Pay rejected the call: ", cause]),
            AmazonPayError::Options(cause) => w(f, &["cannot pass the options to amazon.Pay: ", cause]),
        }
    }
}
