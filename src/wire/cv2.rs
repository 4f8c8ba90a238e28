//! Readers of Checkout v2 and APB answers: the button's configuration, the review page, placing an order.

use super::{code, Fields, FromJs, Obj, WireError, NO_MONEY};
use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::apb::ApbOrderResponse;
use amazon_pay_contract::cv2::{ButtonConfig, CheckoutDetails, DeliveryOption, DeliveryPrice, PlaceOrderOutcome, PlaceOrderResponse, ProductType};
use amazon_pay_contract::Currency;
use wasm_bindgen::JsValue;

impl FromJs for ProductType {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, ProductType::parse)
    }
}

impl FromJs for AddressProblem {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, AddressProblem::parse)
    }
}

impl FromJs for DeliveryOption {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, DeliveryOption::parse)
    }
}

impl FromJs for DeliveryPrice {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let price = DeliveryPrice { delivery: f.field("delivery", DeliveryOption::Standard), fee: f.field("fee", NO_MONEY) };
        f.done(price)
    }
}

impl FromJs for ButtonConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let config = ButtonConfig {
            workorder_id: f.string("workorder_id"),
            merchant_id: f.string("merchant_id"),
            public_key_id: f.string("public_key_id"),
            payload_json: f.string("payload_json"),
            signature: f.string("signature"),
            sandbox: f.bool("sandbox"),
            ledger_currency: f.field("ledger_currency", Currency::Eur),
            checkout_language: f.string("checkout_language"),
            product_type: f.field("product_type", ProductType::PayAndShip),
            amount: f.field("amount", NO_MONEY),
            script_url: f.string("script_url"),
            algorithm: f.opt_string("algorithm"),
        };
        f.done(config)
    }
}

impl FromJs for CheckoutDetails {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let details = CheckoutDetails {
            workorder_id: f.string("workorder_id"),
            amazon_checkout_session_id: f.string("amazon_checkout_session_id"),
            buyer_name: f.string("buyer_name"),
            email: f.string("email"),
            product_type: f.field("product_type", ProductType::PayAndShip),
            shipping_address: f.opt("shipping_address"),
            address_problem: f.opt("address_problem"),
            phone_required: f.bool("phone_required"),
            billing_address: f.opt("billing_address"),
            payment_descriptor: f.opt_string("payment_descriptor"),
            items: f.list("items"),
            delivery: f.field("delivery", DeliveryOption::Standard),
            delivery_fee: f.field("delivery_fee", NO_MONEY),
            delivery_prices: f.list_or_empty("delivery_prices"),
            amount: f.field("amount", NO_MONEY),
            expires_at: f.i64("expires_at"),
            order_id: f.opt_string("order_id"),
            script_url: f.string("script_url"),
            sandbox: f.bool("sandbox"),
        };
        f.done(details)
    }
}

/// Tagged by `kind`, as serde writes `#[serde(tag = "kind")]`.
impl FromJs for PlaceOrderOutcome {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        match o.string("kind")?.as_str() {
            "redirect" => Ok(PlaceOrderOutcome::Redirect { url: o.string("url")? }),
            "approved" => Ok(PlaceOrderOutcome::Approved),
            "pending" => Ok(PlaceOrderOutcome::Pending),
            "declined" => Ok(PlaceOrderOutcome::Declined { code: o.field("code")?, message: o.string("message")? }),
            other => Err(WireError::new(&["unknown kind `", other, "`"].concat())),
        }
    }
}

impl FromJs for PlaceOrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(PlaceOrderResponse { order_id: o.string("order_id")?, outcome: o.field("outcome")? })
    }
}

/// Tagged by `kind`; an answer without one (a server from before `placed`, during an upgrade) is the button.
impl FromJs for ApbOrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        let order_id = o.string("order_id")?;
        if o.opt_string("kind")?.as_deref() == Some("placed") {
            return Ok(ApbOrderResponse::Placed { order_id, state: o.field("state")?, confirmation_url: o.string("confirmation_url")? });
        }
        Ok(ApbOrderResponse::Checkout { order_id, button: o.field("button")? })
    }
}
