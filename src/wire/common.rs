//! Readers of the types every view meets: money, languages, errors, addresses, items, order status.

use super::{code, Fields, FromJs, Obj, WireError, NO_MONEY};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, PricedLine};
use amazon_pay_contract::orders::{BuyerPayment, OrderState, OrderStatus};
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

impl FromJs for BuyerPayment {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, BuyerPayment::parse)
    }
}

impl FromJs for Money {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let money = Money { minor: f.i64("minor"), currency: f.field("currency", Currency::Eur) };
        f.done(money)
    }
}

impl FromJs for ApiError {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let error = ApiError { code: f.field("code", ErrorCode::BadRequest), message: f.string("message"), detail: f.opt_string("detail") };
        f.done(error)
    }
}

impl FromJs for PostalAddress {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let address = PostalAddress {
            first_name: f.string("first_name"),
            last_name: f.string("last_name"),
            company: f.string_or_empty("company"),
            street: f.string("street"),
            addition: f.string_or_empty("addition"),
            zip: f.string("zip"),
            city: f.string("city"),
            state: f.string_or_empty("state"),
            country: f.string("country"),
            phone: f.string_or_empty("phone"),
        };
        f.done(address)
    }
}

impl FromJs for PricedLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let line =
            PricedLine { sku: f.string("sku"), name: f.string("name"), quantity: f.u32("quantity"), unit_price: f.field("unit_price", NO_MONEY) };
        f.done(line)
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
        let mut f = Fields::new(value)?;
        let status = OrderStatus {
            order_id: f.string("order_id"),
            state: f.field("state", OrderState::Placing),
            amount: f.field("amount", NO_MONEY),
            message: f.opt_string("message"),
            decline: f.opt("decline"),
            settled: f.bool("settled"),
            payment: f.opt("payment"),
        };
        f.done(status)
    }
}
