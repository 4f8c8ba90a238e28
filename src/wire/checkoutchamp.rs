//! Readers of the CheckoutChamp lander's and upsell page's answers.

use super::{code, Fields, FromJs, WireError, NO_MONEY};
use amazon_pay_contract::checkoutchamp::{CrmOrderLine, CrmOrderState, CrmOrderStatus, ImportOrderResponse};
use wasm_bindgen::JsValue;

impl FromJs for CrmOrderStatus {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, CrmOrderStatus::parse)
    }
}

impl FromJs for CrmOrderLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let line =
            CrmOrderLine { product_id: f.u32("product_id"), name: f.string("name"), quantity: f.u32("quantity"), price: f.field("price", NO_MONEY) };
        f.done(line)
    }
}

impl FromJs for ImportOrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let order = ImportOrderResponse {
            order_id: f.string("order_id"),
            status: f.field("status", CrmOrderStatus::Pending),
            total: f.field("total", NO_MONEY),
            items: f.list("items"),
        };
        f.done(order)
    }
}

impl FromJs for CrmOrderState {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut f = Fields::new(value)?;
        let state = CrmOrderState { order_id: f.string("order_id"), status: f.field("status", CrmOrderStatus::Pending) };
        f.done(state)
    }
}
