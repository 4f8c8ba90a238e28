//! The legacy Checkout v1 views' requests as JSON text, written field by field instead of by their `Serialize`.
//!
//! Why: serde's serializer (`crate::json`) is one more generic instance per request type, and with its
//! `Serializer` impl it was 0.6 KB gzip of the lander's wasm for its one request. These requests are flat
//! (strings, numbers, flags, one list), so a small non-generic [`Object`] writes them. The contract's
//! `Serialize` stays what the server reads: the tests hold every request's text to serde_json's, field names,
//! order and escapes alike.

use crate::prelude::*;
use amazon_pay_contract::checkoutchamp::{CampaignLine, CrmStatusRequest, ImportOrderRequest, ImportUpsaleRequest};
use amazon_pay_contract::cv1::{AuthorizeRequest, ConfirmRequest, CreateCv1SessionRequest, OrderReferenceRequest};
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::digits;

/// A request as its JSON text, the same as serde_json writes it.
pub(crate) trait ToJson {
    fn to_json(&self) -> String;
}

/// A JSON object being written: `{`, then each field as it is added.
pub(crate) struct Object(String);

impl Object {
    pub(crate) fn new() -> Object {
        Object("{".to_owned())
    }

    /// `"key":`, after a comma unless it is the first field. Not generic: one copy for every field.
    fn key(&mut self, key: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        crate::json::push_string(&mut self.0, key);
        self.0.push(':');
        &mut self.0
    }

    pub(crate) fn text(mut self, key: &str, value: &str) -> Object {
        crate::json::push_string(self.key(key), value);
        self
    }

    pub(crate) fn number(mut self, key: &str, value: u32) -> Object {
        self.key(key).push_str(&digits(value.into()));
        self
    }

    pub(crate) fn flag(mut self, key: &str, value: bool) -> Object {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// A value already written as JSON (an array of objects).
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Object {
        self.key(key).push_str(json);
        self
    }

    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// `[a,b,…]` of each item written by `item`.
fn list<T>(items: &[T], item: fn(&T) -> String) -> String {
    let mut out = "[".to_owned();
    for (i, value) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item(value));
    }
    out.push(']');
    out
}

fn campaign_line(line: &CampaignLine) -> String {
    Object::new().number("product_id", line.product_id).number("quantity", line.quantity).end()
}

fn cart_line(line: &CartLine) -> String {
    Object::new().text("sku", &line.sku).number("quantity", line.quantity).end()
}

impl ToJson for ImportOrderRequest {
    fn to_json(&self) -> String {
        Object::new()
            .text("access_token", &self.access_token)
            .text("amazon_order_id", &self.amazon_order_id)
            .raw("items", &list(&self.items, campaign_line))
            .flag("recurring", self.recurring)
            .text("idempotency_key", &self.idempotency_key)
            .text("language", self.language.code())
            .end()
    }
}

impl ToJson for ImportUpsaleRequest {
    fn to_json(&self) -> String {
        Object::new()
            .text("access_token", &self.access_token)
            .text("order_id", &self.order_id)
            .number("product_id", self.product_id)
            .number("quantity", self.quantity)
            .text("idempotency_key", &self.idempotency_key)
            .text("language", self.language.code())
            .end()
    }
}

impl ToJson for CrmStatusRequest {
    fn to_json(&self) -> String {
        Object::new().text("access_token", &self.access_token).text("order_id", &self.order_id).text("language", self.language.code()).end()
    }
}

impl ToJson for CreateCv1SessionRequest {
    fn to_json(&self) -> String {
        Object::new().raw("items", &list(&self.items, cart_line)).text("language", self.language.code()).end()
    }
}

impl ToJson for OrderReferenceRequest {
    fn to_json(&self) -> String {
        Object::new()
            .text("amazon_order_reference_id", &self.amazon_order_reference_id)
            .text("access_token", &self.access_token)
            .text("language", self.language.code())
            .end()
    }
}

impl ToJson for ConfirmRequest {
    fn to_json(&self) -> String {
        Object::new()
            .text("amazon_order_reference_id", &self.amazon_order_reference_id)
            .text("access_token", &self.access_token)
            .text("idempotency_key", &self.idempotency_key)
            .text("return_path", &self.return_path)
            .text("language", self.language.code())
            .end()
    }
}

impl ToJson for AuthorizeRequest {
    fn to_json(&self) -> String {
        Object::new().text("language", self.language.code()).end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amazon_pay_contract::Language;
    use serde::Serialize;

    /// Strings with every escape JSON needs, and text that needs none.
    const NASTY: &str = "Atza|\"quoted\" \\ back\nline\r\t\u{8}\u{c}\u{1}\u{1f}€ ü 😀 </script>";

    fn same_as_serde_json<T: ToJson + Serialize>(value: &T) {
        assert_eq!(value.to_json(), serde_json::to_string(value).unwrap());
    }

    #[test]
    fn every_request_reads_as_serde_json_writes_it() {
        for language in Language::ALL {
            same_as_serde_json(&ImportOrderRequest {
                access_token: NASTY.into(),
                amazon_order_id: "S02-1234567-7654321".into(),
                items: vec![CampaignLine { product_id: 101, quantity: 2 }, CampaignLine { product_id: u32::MAX, quantity: 0 }],
                recurring: true,
                idempotency_key: "key-1".into(),
                language,
            });
            same_as_serde_json(&ImportOrderRequest {
                access_token: String::new(),
                amazon_order_id: NASTY.into(),
                items: vec![],
                recurring: false,
                idempotency_key: NASTY.into(),
                language,
            });
            same_as_serde_json(&ImportUpsaleRequest {
                access_token: NASTY.into(),
                order_id: "O1".into(),
                product_id: 103,
                quantity: 1,
                idempotency_key: "k".into(),
                language,
            });
            same_as_serde_json(&CrmStatusRequest { access_token: NASTY.into(), order_id: NASTY.into(), language });
            same_as_serde_json(&CreateCv1SessionRequest {
                items: vec![CartLine { sku: NASTY.into(), quantity: 3 }, CartLine { sku: "mug".into(), quantity: 0 }],
                language,
            });
            same_as_serde_json(&CreateCv1SessionRequest { items: vec![], language });
            same_as_serde_json(&OrderReferenceRequest { amazon_order_reference_id: "S02-1".into(), access_token: NASTY.into(), language });
            same_as_serde_json(&ConfirmRequest {
                amazon_order_reference_id: NASTY.into(),
                access_token: String::new(),
                idempotency_key: "k".into(),
                return_path: "/cv1.html".into(),
                language,
            });
            same_as_serde_json(&AuthorizeRequest { language });
        }
    }

    #[test]
    fn every_control_character_is_escaped_as_serde_json_does() {
        let all: String = (0u8..0x80).map(char::from).collect();
        same_as_serde_json(&OrderReferenceRequest { amazon_order_reference_id: all, access_token: String::new(), language: Language::En });
    }
}
