//! Readers of Checkout v2 and APB answers: the button's configuration, the review page, placing an order.

use super::{code, FromJs, Obj, WireError};
use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::apb::ApbOrderResponse;
use amazon_pay_contract::cv2::{ButtonConfig, CheckoutDetails, DeliveryOption, PlaceOrderOutcome, PlaceOrderResponse, ProductType};
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

impl FromJs for ButtonConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(ButtonConfig {
            workorder_id: o.string("workorder_id")?,
            merchant_id: o.string("merchant_id")?,
            public_key_id: o.string("public_key_id")?,
            payload_json: o.string("payload_json")?,
            signature: o.string("signature")?,
            sandbox: o.bool("sandbox")?,
            ledger_currency: o.field("ledger_currency")?,
            checkout_language: o.string("checkout_language")?,
            product_type: o.field("product_type")?,
            amount: o.field("amount")?,
            script_url: o.string("script_url")?,
            algorithm: o.opt_string("algorithm")?,
        })
    }
}

impl FromJs for CheckoutDetails {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(CheckoutDetails {
            workorder_id: o.string("workorder_id")?,
            amazon_checkout_session_id: o.string("amazon_checkout_session_id")?,
            buyer_name: o.string("buyer_name")?,
            email: o.string("email")?,
            product_type: o.field("product_type")?,
            shipping_address: o.opt("shipping_address")?,
            address_problem: o.opt("address_problem")?,
            phone_required: o.bool("phone_required")?,
            billing_address: o.opt("billing_address")?,
            payment_descriptor: o.opt_string("payment_descriptor")?,
            items: o.list("items")?,
            delivery: o.field("delivery")?,
            delivery_fee: o.field("delivery_fee")?,
            amount: o.field("amount")?,
            expires_at: o.i64("expires_at")?,
            order_id: o.opt_string("order_id")?,
            script_url: o.string("script_url")?,
            sandbox: o.bool("sandbox")?,
        })
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

impl FromJs for ApbOrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(ApbOrderResponse { order_id: o.string("order_id")?, button: o.field("button")? })
    }
}
