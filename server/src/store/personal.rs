//! The buyer and addresses of an order as the merchant sees them (the merchant API, the dashboard, every webhook
//! event's `order`), one shape whoever told us: PAYONE's TransactionStatus notifications (stored as they came,
//! `notifications`), or Amazon Pay direct's checkout session, read while it was open (Amazon answers the buyer
//! and addresses only then: after completion it names the charge permission instead) and kept with the order
//! (`amazon_orders.personal`). Like PAYONE's notifications it lives in the store only: never logged, and never
//! answered to the buyer's pages once the order is placed.

use crate::amazon_address::{postal, split_name};
use amazon_pay_v2::models::{Address, Buyer, CheckoutSession};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The buyer and the billing and shipping addresses, as the merchant's order shows them (`null` when unknown).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Personal {
    /// `first_name`, `last_name`, `email`.
    pub buyer: Value,
    /// The billing address.
    pub billing: Value,
    /// The shipping address.
    pub shipping: Value,
}

impl Personal {
    fn unknown() -> Personal {
        Personal { buyer: Value::Null, billing: Value::Null, shipping: Value::Null }
    }

    /// As PAYONE's notifications carry them (the newest one that has them).
    pub(crate) fn from_payone(notes: &[Value]) -> Personal {
        let Some(n) = notes.iter().rev().find(|n| n.get("lastname").is_some() || n.get("email").is_some()) else {
            return Personal::unknown();
        };
        let field = |k: &str| n.get(k).cloned().unwrap_or(Value::Null);
        let address = |prefix: &str| {
            let get = |k: &str| field(&format!("{prefix}{k}"));
            if get("lastname").is_null() && get("street").is_null() {
                return Value::Null;
            }
            address_json([
                get("firstname"),
                get("lastname"),
                get("company"),
                get("street"),
                get("addressaddition"),
                get("zip"),
                get("city"),
                get("country"),
            ])
        };
        Personal {
            buyer: json!({"first_name": field("firstname"), "last_name": field("lastname"), "email": field("email")}),
            billing: address(""),
            shipping: address("shipping_"),
        }
    }

    /// As Amazon Pay direct's checkout session gave them, through the review page's mapping of Amazon's address.
    pub(crate) fn from_amazon(kept: &AmazonPersonal) -> Personal {
        let text = |s: String| if s.trim().is_empty() { Value::Null } else { Value::String(s) };
        let address = |a: &Option<Address>| match a {
            None => Value::Null,
            Some(a) => {
                let p = postal(a);
                address_json([p.first_name, p.last_name, p.company, p.street, p.addition, p.zip, p.city, p.country].map(text))
            }
        };
        let buyer = match &kept.buyer {
            None => Value::Null,
            Some(b) => {
                let (first, last) = split_name(b.name.as_deref().unwrap_or_default());
                json!({"first_name": text(first), "last_name": text(last), "email": text(b.email.clone().unwrap_or_default())})
            }
        };
        Personal { buyer, billing: address(&kept.billing_address), shipping: address(&kept.shipping_address) }
    }
}

/// One address in the merchant's shape, from its fields in this order.
fn address_json([first_name, last_name, company, street, addition, zip, city, country]: [Value; 8]) -> Value {
    json!({
        "first_name": first_name, "last_name": last_name, "company": company,
        "street": street, "addition": addition, "zip": zip, "city": city, "country": country,
    })
}

/// What an Amazon Pay direct order keeps of its checkout session: the buyer and both addresses, in Amazon's
/// own shape (so a better mapping later shows old orders better too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmazonPersonal {
    /// Amazon's buyer (name, e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
    /// The billing address (scope `billingAddress`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// The shipping address (PayAndShip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
}

impl AmazonPersonal {
    /// What `session` (read while open) tells of the buyer.
    pub fn of(session: &CheckoutSession) -> AmazonPersonal {
        AmazonPersonal {
            buyer: session.buyer.clone(),
            billing_address: session.billing_address.clone(),
            shipping_address: session.shipping_address.clone(),
        }
    }

    /// Whether Amazon told nothing of the buyer.
    pub fn is_empty(&self) -> bool {
        self == &AmazonPersonal::default()
    }

    /// The merchant search's text (`store/buyer_search.rs`): the buyer's name and e-mail and the addresses'
    /// names, as PAYONE's `FIELDS` are, folded alike.
    pub fn search_text(&self) -> String {
        let names = [self.billing_address.as_ref(), self.shipping_address.as_ref()].into_iter().flatten().filter_map(|a| a.name.as_deref());
        let buyer = self.buyer.iter().flat_map(|b| [b.email.as_deref(), b.name.as_deref()]).flatten();
        let words: Vec<&str> = buyer.chain(names).map(str::trim).filter(|w| !w.is_empty()).collect();
        super::buyer_search::fold(&words.join(" "))
    }
}

/// The kept text of an order's Amazon checkout session as [`Personal`] (unknown when nothing or garbage is kept).
pub(crate) fn from_kept_amazon(kept: Option<&str>) -> Personal {
    match kept.and_then(|k| serde_json::from_str::<AmazonPersonal>(k).ok()) {
        Some(kept) => Personal::from_amazon(&kept),
        None => Personal::unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anna() -> AmazonPersonal {
        let address = |line1: &str, city: &str| Address {
            name: Some("Anna Schmidt".into()),
            address_line1: Some(line1.into()),
            address_line2: Some("c/o Müller".into()),
            postal_code: Some("10117".into()),
            city: Some(city.into()),
            country_code: Some("DE".into()),
            phone_number: Some("+49 30 1234567".into()),
            ..Address::default()
        };
        AmazonPersonal {
            buyer: Some(Buyer {
                buyer_id: Some("B1".into()),
                name: Some("Anna Schmidt".into()),
                email: Some("Anna@Example.com".into()),
                phone_number: None,
            }),
            billing_address: Some(address("Unter den Linden 1", "Berlin")),
            shipping_address: Some(address("Marienplatz 8", "München")),
        }
    }

    #[test]
    fn amazons_buyer_and_addresses_in_the_merchants_shape() {
        let shown = Personal::from_amazon(&anna());
        assert_eq!(shown.buyer, json!({"first_name": "Anna", "last_name": "Schmidt", "email": "Anna@Example.com"}));
        assert_eq!(
            shown.shipping,
            json!({"first_name": "Anna", "last_name": "Schmidt", "company": null, "street": "Marienplatz 8", "addition": "c/o Müller",
                   "zip": "10117", "city": "München", "country": "DE"})
        );
        assert_eq!(shown.billing["street"], "Unter den Linden 1");
        let digital = AmazonPersonal { shipping_address: None, ..anna() };
        assert_eq!(Personal::from_amazon(&digital).shipping, Value::Null, "PayOnly: no shipping address");
    }

    #[test]
    fn kept_text_round_trips_and_garbage_shows_nothing() {
        let text = serde_json::to_string(&anna()).unwrap();
        assert!(text.contains("\"shippingAddress\""), "Amazon's names: {text}");
        assert_eq!(from_kept_amazon(Some(&text)), Personal::from_amazon(&anna()));
        assert_eq!(from_kept_amazon(Some("not json")), Personal::unknown());
        assert_eq!(from_kept_amazon(None), Personal::unknown());
        assert!(AmazonPersonal::default().is_empty() && !anna().is_empty());
    }

    #[test]
    fn payone_and_amazon_orders_have_the_same_keys() {
        let note = json!({"firstname": "Anna", "lastname": "Schmidt", "email": "a@example.com", "street": "Hauptstr. 1",
                          "shipping_lastname": "Schmidt", "shipping_street": "Marienplatz 8"});
        let payone = Personal::from_payone(&[note]);
        let amazon = Personal::from_amazon(&anna());
        for (a, b) in [(&payone.buyer, &amazon.buyer), (&payone.billing, &amazon.billing), (&payone.shipping, &amazon.shipping)] {
            let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
            assert_eq!(keys(a), keys(b));
        }
        assert_eq!(Personal::from_payone(&[json!({"txaction": "paid"})]), Personal::unknown());
    }

    #[test]
    fn the_search_text_is_names_and_email_folded() {
        assert_eq!(anna().search_text(), "anna@example.com anna schmidt anna schmidt anna schmidt");
        assert_eq!(AmazonPersonal::default().search_text(), "");
    }
}
