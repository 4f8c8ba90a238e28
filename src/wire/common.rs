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
        let mut a = PostalAddress::default();
        // A loop over the fields (required ones, then those the server may leave out): one copy of the
        // reading code in the wasm instead of one per field.
        for (key, field, required) in [
            ("first_name", &mut a.first_name, true),
            ("last_name", &mut a.last_name, true),
            ("company", &mut a.company, false),
            ("street", &mut a.street, true),
            ("addition", &mut a.addition, false),
            ("zip", &mut a.zip, true),
            ("city", &mut a.city, true),
            ("state", &mut a.state, false),
            ("country", &mut a.country, true),
            ("phone", &mut a.phone, false),
        ] {
            *field = if required { o.string(key)? } else { o.string_or_empty(key)? };
        }
        Ok(a)
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
