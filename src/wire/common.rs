//! Readers of the types every view meets: money, languages, errors, addresses, items, order status.

use super::{code, FromJs, Obj, WireError};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, PricedLine};
use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::{ApiError, Currency, ErrorCode, Language, Money};
use wasm_bindgen::JsValue;

impl FromJs for Currency {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, Currency::parse)
    }
}

impl FromJs for Language {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, Language::parse_code)
    }
}

impl FromJs for ErrorCode {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, ErrorCode::parse)
    }
}

impl FromJs for OrderState {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, OrderState::parse)
    }
}

impl FromJs for Money {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(Money { minor: o.i64("minor")?, currency: o.field("currency")? })
    }
}

impl FromJs for ApiError {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(ApiError { code: o.field("code")?, message: o.string("message")?, detail: o.opt_string("detail")? })
    }
}

impl FromJs for PostalAddress {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(PostalAddress {
            first_name: o.string("first_name")?,
            last_name: o.string("last_name")?,
            company: o.string_or_empty("company")?,
            street: o.string("street")?,
            addition: o.string_or_empty("addition")?,
            zip: o.string("zip")?,
            city: o.string("city")?,
            state: o.string_or_empty("state")?,
            country: o.string("country")?,
            phone: o.string_or_empty("phone")?,
        })
    }
}

impl FromJs for PricedLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(PricedLine { sku: o.string("sku")?, name: o.string("name")?, quantity: o.u32("quantity")?, unit_price: o.field("unit_price")? })
    }
}

/// Also the `items` of a page's configuration, which are spelled the same way.
impl FromJs for CartLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(CartLine { sku: o.string("sku")?, quantity: o.u32("quantity")? })
    }
}

impl FromJs for OrderStatus {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(OrderStatus {
            order_id: o.string("order_id")?,
            state: o.field("state")?,
            amount: o.field("amount")?,
            message: o.opt_string("message")?,
            decline: o.opt("decline")?,
            settled: o.bool("settled")?,
        })
    }
}
