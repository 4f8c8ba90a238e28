//! Reads a page's configuration object into [`WidgetConfig`] (see `wire` for why not serde).

use super::cv1::ProductLine;
use super::{View, WidgetConfig};
use crate::wire::{code, FromJs, Obj, WireError};
use wasm_bindgen::JsValue;

/// Every key a configuration may have; anything else is a typo and refused.
const KEYS: [&str; 19] = [
    "view",
    "cartUrl",
    "productType",
    "buyerForm",
    "confirmationUrl",
    "backendUrl",
    "items",
    "language",
    "buttonColor",
    "placement",
    "scriptTimeoutMs",
    "products",
    "product",
    "recurring",
    "upsellUrl",
    "thankYouUrl",
    "buttonType",
    "buttonSize",
    "popup",
];

impl FromJs for View {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, View::parse)
    }
}

impl FromJs for ProductLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        refuse_unknown(&o, &["productId", "quantity"])?;
        Ok(ProductLine { product_id: o.u32("productId")?, quantity: o.opt_with("quantity", |v| crate::wire::integer(v, 0, u32::MAX.into()))?.map_or(1, |q| q as u32) })
    }
}

fn refuse_unknown(o: &Obj, known: &[&str]) -> Result<(), WireError> {
    match o.keys().into_iter().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(WireError::new(&["unknown field `", &key, "`"].concat())),
        None => Ok(()),
    }
}

impl FromJs for WidgetConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        refuse_unknown(&o, &KEYS)?;
        let flag = |key: &str| o.opt_with(key, |v| v.as_bool().ok_or_else(|| WireError::new("expected true or false")));
        Ok(WidgetConfig {
            view: o.opt("view")?.unwrap_or_default(),
            cart_url: o.opt_string("cartUrl")?,
            product_type: o.opt("productType")?,
            buyer_form: o.opt_string("buyerForm")?,
            confirmation_url: o.opt_string("confirmationUrl")?,
            backend_url: o.string_or_empty("backendUrl")?,
            items: o.opt_with("items", crate::wire::list)?.unwrap_or_default(),
            language: o.opt_string("language")?,
            button_color: o.opt_string("buttonColor")?,
            placement: o.opt_string("placement")?,
            script_timeout_ms: o.opt_with("scriptTimeoutMs", |v| crate::wire::integer(v, 0, u32::MAX.into()))?.map(|ms| ms as u32),
            products: o.opt_with("products", crate::wire::list)?.unwrap_or_default(),
            product: o.opt("product")?,
            recurring: flag("recurring")?.unwrap_or(false),
            upsell_url: o.opt_string("upsellUrl")?,
            thank_you_url: o.opt_string("thankYouUrl")?,
            button_type: o.opt_string("buttonType")?,
            button_size: o.opt_string("buttonSize")?,
            popup: flag("popup")?,
        })
    }
}
