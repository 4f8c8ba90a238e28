//! Readers of the CheckoutChamp lander's and upsell page's answers.

use super::{code, FromJs, Obj, WireError};
use amazon_pay_contract::checkoutchamp::{CrmOrderLine, CrmOrderStatus, ImportOrderResponse};
use wasm_bindgen::JsValue;

impl FromJs for CrmOrderStatus {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, CrmOrderStatus::parse)
    }
}

impl FromJs for CrmOrderLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(CrmOrderLine { product_id: o.u32("product_id")?, name: o.string("name")?, quantity: o.u32("quantity")?, price: o.field("price")? })
    }
}

impl FromJs for ImportOrderResponse {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        Ok(ImportOrderResponse { order_id: o.string("order_id")?, status: o.field("status")?, total: o.field("total")?, items: o.list("items")? })
    }
}
