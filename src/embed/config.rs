//! Reads a page's configuration object into [`WidgetConfig`] (see `wire` for why not serde).

use super::{View, WidgetConfig};
use crate::prelude::*;
use crate::wire::{code, integer, string, FromJs, Obj, WireError};
use amazon_pay_contract::checkoutchamp::CampaignLine;
use wasm_bindgen::JsValue;

/// Every key a configuration may have; anything else is a typo and refused. `WidgetConfig::set` reads them
/// by their index here. The button's own `sessionTimeoutMs` comes last, only in builds with the button: the other
/// page bundles (the CV1 page's is at its byte budget) do not carry it, and refuse it as unknown.
#[cfg(feature = "view-button")]
pub const KEYS: [&str; 22] = with_session_timeout(EVERY_VIEWS_KEYS);
/// Every key a configuration may have; anything else is a typo and refused (see the button's build for one more).
#[cfg(not(feature = "view-button"))]
pub const KEYS: [&str; 21] = EVERY_VIEWS_KEYS;

/// `keys` and the button's `sessionTimeoutMs` after them (index 21).
#[cfg(feature = "view-button")]
const fn with_session_timeout(keys: [&'static str; 21]) -> [&'static str; 22] {
    let mut all = [""; 22];
    let mut i = 0;
    while i < keys.len() {
        all[i] = keys[i];
        i += 1;
    }
    all[21] = "sessionTimeoutMs";
    all
}

/// The keys every build reads, by index.
const EVERY_VIEWS_KEYS: [&str; 21] = [
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
    "reviewUrl",
    "cancelUrl",
];

/// The keys besides `view` that every view reads.
const COMMON: [&str; 2] = ["backendUrl", "language"];

impl View {
    /// The keys this view reads (besides `view`), in `KEYS` order; the others are accepted (one reader for all
    /// views, kept small) but change nothing (and in a one-view bundle the lists and objects of other views are
    /// not even read: see `set`). The TypeScript types (npm/types.d.ts) give each view exactly
    /// these, so there a key the view does not take is an error: `tests/typescript_types.rs` compares the two,
    /// and `tests/config.rs` checks that these are the keys that change the view's options.
    pub fn keys(self) -> Vec<&'static str> {
        let own: &[&str] = match self {
            View::Button => {
                &["cartUrl", "confirmationUrl", "items", "buttonColor", "placement", "scriptTimeoutMs", "reviewUrl", "cancelUrl", "sessionTimeoutMs"]
            }
            View::Review => &["cartUrl", "confirmationUrl", "scriptTimeoutMs"],
            View::Confirmation => &["cartUrl"],
            View::Apb => &["productType", "buyerForm", "items", "scriptTimeoutMs"],
            View::Lander => &["buttonColor", "scriptTimeoutMs", "products", "recurring", "upsellUrl", "buttonType", "buttonSize", "popup"],
            View::Upsell => &["buttonColor", "scriptTimeoutMs", "product", "thankYouUrl", "buttonType", "buttonSize", "popup"],
            View::Cv1 => &["cartUrl", "confirmationUrl", "items", "buttonColor", "scriptTimeoutMs", "buttonType", "buttonSize", "popup"],
        };
        KEYS.into_iter().filter(|k| COMMON.contains(k) || own.contains(k)).collect()
    }
}

impl FromJs for View {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        code(value, View::parse)
    }
}

/// A campaign product as a page's configuration writes it: `{"productId": 101, "quantity": 2}`, the quantity 1
/// when left out. Read into the contract's type directly (no type of our own to convert: a smaller wasm); the
/// widget reads a `CampaignLine` nowhere else (the backend's answers carry `CrmOrderLine`s).
impl FromJs for CampaignLine {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let o = Obj::new(value)?;
        refuse_unknown(&o, &["productId", "quantity"])?;
        Ok(CampaignLine {
            product_id: o.u32("productId")?,
            quantity: o.opt_with("quantity", |v| crate::wire::integer(v, 0, u32::MAX.into()))?.map_or(1, |q| q as u32),
        })
    }
}

fn refuse_unknown(o: &Obj, known: &[&str]) -> Result<(), WireError> {
    match o.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(WireError::new(&["unknown field `", &key, "`"].concat())),
        None => Ok(()),
    }
}

impl FromJs for WidgetConfig {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        let mut config = WidgetConfig::default();
        config.merge_js(value)?;
        Ok(config)
    }
}

impl WidgetConfig {
    /// Sets the keys `value` has over this configuration; a key that is missing or `null` keeps its value (its
    /// default, when reading a new configuration). One reader for every key: no copy of the reading code per
    /// field in the wasm. On an error part of `value` may have been applied: merge into a copy.
    pub(crate) fn merge_js(&mut self, value: &JsValue) -> Result<(), WireError> {
        let o = Obj::new(value)?;
        refuse_unknown(&o, &KEYS)?;
        for (index, key) in KEYS.iter().enumerate() {
            o.opt_with(key, |v| self.set(index, v))?;
        }
        Ok(())
    }

    /// The configuration key `KEYS[index]` set from `v` (by index: a jump table, no string compares).
    fn set(&mut self, index: usize, v: &JsValue) -> Result<(), WireError> {
        // The optional texts share one reader and one assignment (a table of fields, not a copy per key).
        if let Some(field) = self.text_field(index) {
            *field = Some(string(v)?);
            return Ok(());
        }
        let flag = || v.as_bool().ok_or_else(|| WireError::new("expected true or false"));
        match index {
            0 /* view */ => self.view = View::from_js(v)?,
            // The keys with readers of their own (lists, objects) are read only in the bundles whose views read
            // them (`View::keys`): in another one-view bundle they change nothing, and their readers would only
            // add to its wasm (bench/budget.mjs). `amazon-pay-widget.js` and the tests have every view.
            #[cfg(feature = "view-apb")]
            2 /* productType */ => self.product_type = Some(FromJs::from_js(v)?),
            5 /* backendUrl */ => self.backend_url = string(v)?,
            #[cfg(any(feature = "view-button", feature = "view-apb", feature = "view-cv1"))]
            6 /* items */ => self.items = crate::wire::list(v)?,
            10 /* scriptTimeoutMs */ => self.script_timeout_ms = Some(integer(v, 0, u32::MAX.into())? as u32),
            #[cfg(feature = "view-lander")]
            11 /* products */ => self.products = crate::wire::list(v)?,
            #[cfg(feature = "view-upsell")]
            12 /* product */ => self.product = Some(CampaignLine::from_js(v)?),
            13 /* recurring */ => self.recurring = flag()?,
            18 /* popup */ => self.popup = Some(flag()?),
            #[cfg(feature = "view-button")]
            21 /* sessionTimeoutMs */ => self.session_timeout_ms = Some(integer(v, 0, u32::MAX.into())? as u32),
            _ => {}
        }
        Ok(())
    }

    /// The field of `KEYS[index]` when it is an optional text.
    fn text_field(&mut self, index: usize) -> Option<&mut Option<String>> {
        Some(match index {
            1 /* cartUrl */ => &mut self.cart_url,
            3 /* buyerForm */ => &mut self.buyer_form,
            4 /* confirmationUrl */ => &mut self.confirmation_url,
            7 /* language */ => &mut self.language,
            8 /* buttonColor */ => &mut self.button_color,
            9 /* placement */ => &mut self.placement,
            14 /* upsellUrl */ => &mut self.upsell_url,
            15 /* thankYouUrl */ => &mut self.thank_you_url,
            16 /* buttonType */ => &mut self.button_type,
            17 /* buttonSize */ => &mut self.button_size,
            19 /* reviewUrl */ => &mut self.review_url,
            20 /* cancelUrl */ => &mut self.cancel_url,
            _ => return None,
        })
    }
}
