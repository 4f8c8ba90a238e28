//! Readers of the legacy Checkout v1 answers: `Widgets.js` configuration and the PAYONE CV1 checkout.

use super::{code, Fields, FromJs, WireError, NO_MONEY};
use crate::prelude::*;
use amazon_pay_contract::cv1::{Cv1Decline, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session, WidgetsConfig};
use amazon_pay_contract::ErrorCode;
use wasm_bindgen::JsValue;

impl FromJs for WidgetsConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let config = WidgetsConfig {
            client_id: f.string("client_id"),
            seller_id: f.string("seller_id"),
            sandbox: f.bool("sandbox"),
            script_url: f.string("script_url"),
        };
        f.done(config)
    }
}

impl FromJs for Cv1Session {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let session = Cv1Session {
            workorder_id: f.string("workorder_id"),
            widgets: f
                .field("widgets", WidgetsConfig { client_id: String::new(), seller_id: String::new(), sandbox: false, script_url: String::new() }),
            items: f.list("items"),
            amount: f.field("amount", NO_MONEY),
            amazon_order_reference_id: f.opt_string("amazon_order_reference_id"),
            order_id: f.opt_string("order_id"),
            expires_at: f.i64("expires_at"),
        };
        f.done(session)
    }
}

impl FromJs for Cv1Details {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let details = Cv1Details {
            workorder_id: f.string("workorder_id"),
            amazon_order_reference_id: f.string("amazon_order_reference_id"),
            buyer_name: f.string("buyer_name"),
            email: f.string("email"),
            shipping_address: f.field("shipping_address", Default::default()),
            billing_address: f.opt("billing_address"),
            items: f.list("items"),
            delivery_fee: f.opt("delivery_fee"),
            amount: f.field("amount", NO_MONEY),
        };
        f.done(details)
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
        let mut f = Fields::new(value)?;
        let kind = f.string("kind");
        let outcome = match kind.as_str() {
            "confirmed" => Cv1Outcome::Confirmed,
            "approved" => Cv1Outcome::Approved,
            "pending" => Cv1Outcome::Pending,
            "declined" => Cv1Outcome::Declined { code: f.field("code", ErrorCode::Internal), reason: f.opt("reason"), message: f.string("message") },
            "already_placed" => Cv1Outcome::AlreadyPlaced,
            // A missing or non-string `kind` is the error kept; else the kind is unknown.
            _ => return f.done(()).and_then(|()| Err(WireError::new(&["unknown kind `", &kind, "`"].concat()))),
        };
        f.done(outcome)
    }
}

impl FromJs for Cv1OrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let response = Cv1OrderResponse { order_id: f.string("order_id"), outcome: f.field("outcome", Cv1Outcome::Confirmed) };
        f.done(response)
    }
}
