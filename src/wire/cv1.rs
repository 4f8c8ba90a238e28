//! Readers of the legacy Checkout v1 answers: `Widgets.js` configuration and the PAYONE CV1 checkout.

use super::{code, FromJs, Obj, WireError};
use amazon_pay_contract::cv1::{Cv1Decline, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session, WidgetsConfig};
use wasm_bindgen::JsValue;

impl FromJs for WidgetsConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(WidgetsConfig {
            client_id: o.string("client_id")?,
            seller_id: o.string("seller_id")?,
            sandbox: o.bool("sandbox")?,
            script_url: o.string("script_url")?,
        })
    }
}

impl FromJs for Cv1Session {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(Cv1Session {
            workorder_id: o.string("workorder_id")?,
            widgets: o.field("widgets")?,
            items: o.list("items")?,
            amount: o.field("amount")?,
            amazon_order_reference_id: o.opt_string("amazon_order_reference_id")?,
            order_id: o.opt_string("order_id")?,
            expires_at: o.i64("expires_at")?,
        })
    }
}

impl FromJs for Cv1Details {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(Cv1Details {
            workorder_id: o.string("workorder_id")?,
            amazon_order_reference_id: o.string("amazon_order_reference_id")?,
            buyer_name: o.string("buyer_name")?,
            email: o.string("email")?,
            shipping_address: o.field("shipping_address")?,
            billing_address: o.opt("billing_address")?,
            items: o.list("items")?,
            amount: o.field("amount")?,
        })
    }
}

impl FromJs for Cv1Decline {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, Cv1Decline::parse)
    }
}

/// Tagged by `kind`, as serde writes `#[serde(tag = "kind")]`.
impl FromJs for Cv1Outcome {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        match o.string("kind")?.as_str() {
            "confirmed" => Ok(Cv1Outcome::Confirmed),
            "approved" => Ok(Cv1Outcome::Approved),
            "pending" => Ok(Cv1Outcome::Pending),
            "declined" => Ok(Cv1Outcome::Declined { code: o.field("code")?, reason: o.opt("reason")?, message: o.string("message")? }),
            "already_placed" => Ok(Cv1Outcome::AlreadyPlaced),
            other => Err(WireError::new(&["unknown kind `", other, "`"].concat())),
        }
    }
}

impl FromJs for Cv1OrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(Cv1OrderResponse { order_id: o.string("order_id")?, outcome: o.field("outcome")? })
    }
}
