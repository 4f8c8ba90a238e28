//! CheckoutChamp's wire format: form-encoded requests and `{"result": …, "message": …}` answers.

use amazon_pay_contract::checkoutchamp::{CrmOrderLine, CrmOrderStatus};
use amazon_pay_contract::{Currency, Money};
use serde_json::Value;
use std::time::Duration;

/// Parameters whose values never reach logs or the store: the API user's credentials and the buyer's
/// Login with Amazon token (a bearer credential for their profile and address).
pub const SECRET_PARAMS: &[&str] = &["loginId", "password", "amazonAddressConsent"];

/// An ordered list of form parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrmRequest {
    params: Vec<(String, String)>,
}

impl CrmRequest {
    /// Sets `name` (replacing an earlier value). Empty values are not sent: the CRM treats them as missing.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        self.params.retain(|(k, _)| k != name);
        if !value.is_empty() {
            self.params.push((name.to_owned(), value));
        }
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.params).unwrap_or_default()
    }

    /// The body with [`SECRET_PARAMS`] replaced, for logs and the store.
    pub fn redacted(&self) -> String {
        let shown: Vec<(&str, &str)> =
            self.params.iter().map(|(k, v)| (k.as_str(), if SECRET_PARAMS.contains(&k.as_str()) { "<redacted>" } else { v.as_str() })).collect();
        serde_urlencoded::to_string(shown).unwrap_or_default()
    }
}

/// Amazon's reason in a `Transaction Declined: <reason>` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclineReason {
    /// 981: the buyer's payment method is no longer valid; another one in Amazon Pay may work.
    InvalidPaymentMethod,
    /// 982: Amazon will not take this payment at all.
    AmazonRejected,
    /// 980: Amazon did not decide in time; nothing was charged.
    TransactionTimedOut,
    /// 985: this payment method is not allowed for the order; another one in Amazon Pay may work.
    PaymentMethodNotAllowed,
    /// Other.
    Other(String),
}

/// Why a CheckoutChamp call gave no order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    #[error("CheckoutChamp did not answer within {0:?}")]
    /// Timeout.
    Timeout(Duration),
    #[error("cannot reach CheckoutChamp: {0}")]
    /// Transport.
    Transport(String),
    #[error("CheckoutChamp answered HTTP {status}: {body:?}")]
    /// HTTP status.
    HttpStatus {
        /// The status.
        status: u16,
        /// The body.
        body: String,
    },
    #[error("CheckoutChamp's answer is not its JSON protocol: {0:?}")]
    /// Garbage.
    Garbage(String),
    #[error("CheckoutChamp declined the transaction: {message}")]
    /// Declined.
    Declined {
        /// The reason.
        reason: DeclineReason,
        /// The message.
        message: String,
    },
    #[error("the buyer has not consented to the billing agreement: {0}")]
    /// Consent missing.
    ConsentMissing(String),
    #[error("Amazon no longer accepts the order reference or the buyer's token: {0}")]
    /// Amazon session.
    AmazonSession(String),
    #[error("CheckoutChamp refused this server's configuration: {0}")]
    /// Configuration.
    Configuration(String),
    #[error("CheckoutChamp refused the request: {0}")]
    /// Refused.
    Refused(String),
    #[error("CheckoutChamp asked for a redirect, which Amazon Pay imports never need")]
    /// Redirect.
    Redirect,
}

/// Sorts an `ERROR` message into what the widget can act on.
pub fn classify_error(message: &str) -> CrmError {
    let owned = message.to_owned();
    if let Some(reason) = message.strip_prefix("Transaction Declined:") {
        let reason = match reason.trim() {
            r if r.contains("InvalidPaymentMethod") => DeclineReason::InvalidPaymentMethod,
            r if r.contains("AmazonRejected") => DeclineReason::AmazonRejected,
            r if r.contains("TransactionTimedOut") => DeclineReason::TransactionTimedOut,
            r if r.contains("PaymentMethodNotAllowed") => DeclineReason::PaymentMethodNotAllowed,
            r => DeclineReason::Other(r.to_owned()),
        };
        return CrmError::Declined { reason, message: owned };
    }
    if message.contains("BuyerConsentNotSet") {
        return CrmError::ConsentMissing(owned);
    }
    const SESSION: &[&str] = &["InvalidAddressConsentToken", "InvalidOrderReferenceStatus", "BuyerSessionExpired", "InvalidBillingAgreementStatus"];
    if SESSION.iter().any(|s| message.contains(s)) {
        return CrmError::AmazonSession(owned);
    }
    const CONFIG: &[&str] = &["Login Credentials", "loginId", "password", "campaignId", "amazonBillerId", "permission"];
    if CONFIG.iter().any(|s| message.contains(s)) {
        return CrmError::Configuration(owned);
    }
    CrmError::Refused(owned)
}

/// Reads `{"result": …, "message": …}` from any body; anything else is [`CrmError::Garbage`] or, for a
/// failed HTTP status, [`CrmError::HttpStatus`]. Returns the `message` of a `SUCCESS`. The error quotes the
/// start of a body that is not JSON (a proxy's error page), never a JSON answer: CheckoutChamp's hold the
/// buyer's name, e-mail and address, and the error goes to the log and to the API's `detail`.
pub fn parse_answer(status: u16, body: &str) -> Result<Value, CrmError> {
    let parsed: Option<Value> = serde_json::from_str(body.trim_start_matches('\u{feff}')).ok();
    let unreadable = |what: String| if (200..300).contains(&status) { CrmError::Garbage(what) } else { CrmError::HttpStatus { status, body: what } };
    let mut map = match parsed {
        Some(Value::Object(map)) => map,
        Some(_) => return Err(unreadable("JSON that is not an object".into())),
        None => return Err(unreadable(body.chars().take(200).collect())),
    };
    let message = map.remove("message").unwrap_or(Value::Null);
    match map.get("result").and_then(Value::as_str).map(str::to_ascii_uppercase).as_deref() {
        Some("SUCCESS") => Ok(message),
        Some("ERROR") => Err(classify_error(message.as_str().unwrap_or("(no message)"))),
        Some("MERC_REDIRECT") => Err(CrmError::Redirect),
        Some(other) => Err(CrmError::Garbage(format!("a JSON answer whose result is {:?}", other.chars().take(40).collect::<String>()))),
        None => Err(CrmError::Garbage("a JSON answer without a result".into())),
    }
}

/// An order as CheckoutChamp reports it after Import Order or Import Upsale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmOrder {
    /// The order id.
    pub order_id: String,
    /// The customer id.
    pub customer_id: Option<String>,
    /// The status.
    pub status: CrmOrderStatus,
    /// `orderStatus` as sent.
    pub raw_status: String,
    /// The total.
    pub total: Money,
    /// The items.
    pub items: Vec<CrmOrderLine>,
}

/// A string or a number, as the CRM sends ids and amounts either way.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn money(value: Option<&Value>, currency: Currency) -> Option<Money> {
    match value? {
        Value::Number(n) => {
            let f = n.as_f64()?;
            Money::parse_decimal(&format!("{f:.*}", currency.minor_digits() as usize), currency)
        }
        other => Money::parse_decimal(&text(Some(other))?, currency),
    }
}

/// Order `order_id` in an Order Query's `message`: a page of orders (`{"totalResults": 1, "data": [order]}`),
/// or one order. A page without it, or an order of another id, is [`CrmError::Garbage`].
pub fn order_in_page(message: Value, order_id: &str) -> Result<Value, CrmError> {
    let found = match message {
        Value::Object(mut page) if page.contains_key("data") => match page.remove("data") {
            Some(Value::Array(orders)) => orders.into_iter().find(|o| text(o.get("orderId")).as_deref() == Some(order_id)),
            _ => None,
        },
        order => Some(order),
    };
    match found {
        Some(order) if text(order.get("orderId")).as_deref() == Some(order_id) => Ok(order),
        Some(_) => Err(CrmError::Garbage(format!("CheckoutChamp's order query for {order_id:?} answered another order"))),
        None => Err(CrmError::Garbage(format!("CheckoutChamp's order query has no order {order_id:?}"))),
    }
}

/// The order in a page of Order Query's answer whose `field` is `value`, and whether more pages follow
/// (`totalResults` beyond this `page` of `per_page`). A page that is not one is [`CrmError::Garbage`].
pub fn tagged_order(message: Value, field: &str, value: &str, page: u32, per_page: u32) -> Result<(Option<Value>, bool), CrmError> {
    let Value::Object(mut page_object) = message else {
        return Err(CrmError::Garbage("CheckoutChamp's order query answered no page of orders".into()));
    };
    let Some(Value::Array(orders)) = page_object.remove("data") else {
        return Err(CrmError::Garbage("CheckoutChamp's order query answered no page of orders".into()));
    };
    let total = text(page_object.get("totalResults")).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
    let more = total > u64::from(page) * u64::from(per_page) && !orders.is_empty();
    let found = orders.into_iter().find(|o| text(o.get(field)).as_deref() == Some(value));
    Ok((found, more))
}

/// `days` since 1970-01-01 as Order Query's `m/d/Y` (`12/07/2026`).
pub fn month_day_year(days: i64) -> String {
    let (year, month, day) = amazon_pay_contract::calendar::civil_from_days(days);
    format!("{month:02}/{day:02}/{year:04}")
}

/// What this server stores as an order's status for CheckoutChamp's `orderStatus`: the import's statuses
/// (`complete`, `pending`, `partial`, as the widget's contract names them) and, learnt later by Order Query,
/// `declined` (Amazon refused a pending authorization); anything else (`CANCELLED`, `REFUNDED`, …) `other`, as
/// the import stores it: the merchant API's `cancelled` and `refunded` are payment statuses, not states.
pub fn stored_status(raw: &str) -> &'static str {
    match raw.trim().to_ascii_uppercase().as_str() {
        "COMPLETE" => "complete",
        "PENDING" => "pending",
        "PARTIAL" => "partial",
        "DECLINED" => "declined",
        _ => "other",
    }
}

/// Every status [`stored_status`] gives (the merchant API filters by them).
pub const STORED_STATUSES: [&str; 5] = ["complete", "pending", "partial", "declined", "other"];

impl CrmOrder {
    /// Reads the `message` object of a `SUCCESS`; the fields a client depends on must be there.
    pub fn from_message(message: &Value, default_currency: Currency) -> Result<CrmOrder, CrmError> {
        let missing = |field: &str| CrmError::Garbage(format!("the order in CheckoutChamp's answer lacks {field}"));
        let order_id = text(message.get("orderId")).ok_or_else(|| missing("orderId"))?;
        let currency = match text(message.get("currencyCode")) {
            Some(code) => code.parse().map_err(|_| missing("a known currencyCode"))?,
            None => default_currency,
        };
        let total = money(message.get("totalAmount"), currency).ok_or_else(|| missing("totalAmount"))?;
        let raw_status = text(message.get("orderStatus")).unwrap_or_default();
        let status = match raw_status.to_ascii_uppercase().as_str() {
            "COMPLETE" => CrmOrderStatus::Complete,
            "PENDING" => CrmOrderStatus::Pending,
            "PARTIAL" => CrmOrderStatus::Partial,
            "DECLINED" => CrmOrderStatus::Declined,
            _ => CrmOrderStatus::Other,
        };
        let items = match message.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    Some(CrmOrderLine {
                        product_id: text(item.get("productId"))?.parse().ok()?,
                        name: text(item.get("name")).unwrap_or_default(),
                        quantity: text(item.get("qty").or_else(|| item.get("quantity"))).map(|q| q.parse().ok()).unwrap_or(Some(1))?,
                        price: money(item.get("price"), currency)?,
                    })
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| missing("readable items"))?,
            // Some CRM versions send items keyed by line id.
            Some(Value::Object(map)) => {
                CrmOrder::from_message(
                    &serde_json::json!({"orderId": order_id, "totalAmount": total.decimal(),
                    "currencyCode": currency.code(), "items": map.values().cloned().collect::<Vec<_>>()}),
                    currency,
                )?
                .items
            }
            _ => Vec::new(),
        };
        Ok(CrmOrder { order_id, customer_id: text(message.get("customerId")), status, raw_status, total, items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redaction_hides_credentials_and_the_token() {
        let mut r = CrmRequest::default();
        r.set("loginId", "api-user").set("password", "p@ss").set("amazonAddressConsent", "Atza|tok").set("campaignId", "1");
        let shown = r.redacted();
        for secret in ["api-user", "p%40ss", "p@ss", "Atza"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("campaignId=1"));
        assert!(r.encode().contains("password=p%40ss"));
    }

    #[test]
    fn answers_are_parsed_whatever_comes_back() {
        assert_eq!(parse_answer(200, r#"{"result":"SUCCESS","message":{"orderId":"A1"}}"#).unwrap()["orderId"], "A1");
        assert!(matches!(parse_answer(200, "<html>Bad Gateway</html>"), Err(CrmError::Garbage(_))));
        assert!(matches!(parse_answer(502, "<html>Bad Gateway</html>"), Err(CrmError::HttpStatus { status: 502, .. })));
        assert!(matches!(parse_answer(200, ""), Err(CrmError::Garbage(_))));
        assert!(matches!(parse_answer(200, "[1,2]"), Err(CrmError::Garbage(_))));
        assert!(matches!(parse_answer(200, r#"{"result":"MAYBE"}"#), Err(CrmError::Garbage(_))));
        assert!(matches!(parse_answer(200, r#"{"result":"MERC_REDIRECT","message":{}}"#), Err(CrmError::Redirect)));
        // A JSON answer is never quoted: CheckoutChamp's carry the buyer's name, e-mail and address.
        let buyer = r#""message":{"firstName":"Anna","emailAddress":"anna@example.com","address1":"Unter den Linden 1"}"#;
        for body in [format!(r#"{{"result":"MAYBE",{buyer}}}"#), format!(r#"{{{buyer}}}"#), format!(r#"[{{{buyer}}}]"#)] {
            for status in [200, 502] {
                let err = parse_answer(status, &body).unwrap_err().to_string();
                assert!(!err.contains("Anna") && !err.contains("anna@") && !err.contains("Linden"), "{err}");
            }
        }
        // An ERROR answer is read even with a failing HTTP status.
        assert!(matches!(parse_answer(500, r#"{"result":"ERROR","message":"Invalid Login Credentials"}"#), Err(CrmError::Configuration(_))));
    }

    #[test]
    fn errors_are_classified() {
        let reason = |m: &str| match classify_error(m) {
            CrmError::Declined { reason, .. } => Some(reason),
            _ => None,
        };
        assert_eq!(reason("Transaction Declined: InvalidPaymentMethod"), Some(DeclineReason::InvalidPaymentMethod));
        assert_eq!(reason("Transaction Declined: AmazonRejected"), Some(DeclineReason::AmazonRejected));
        assert_eq!(reason("Transaction Declined: TransactionTimedOut"), Some(DeclineReason::TransactionTimedOut));
        assert_eq!(reason("Transaction Declined: PaymentMethodNotAllowed"), Some(DeclineReason::PaymentMethodNotAllowed));
        assert_eq!(
            reason("Transaction Declined: Prepaid Credit Cards Are Not Accepted"),
            Some(DeclineReason::Other("Prepaid Credit Cards Are Not Accepted".into()))
        );
        assert!(matches!(classify_error("Amazon Pay error: BillingAgreementConstraintsExist (BuyerConsentNotSet)"), CrmError::ConsentMissing(_)));
        assert!(matches!(classify_error("Amazon Pay error: InvalidAddressConsentToken"), CrmError::AmazonSession(_)));
        assert!(matches!(classify_error("Invalid amazonBillerId 9"), CrmError::Configuration(_)));
        assert!(matches!(classify_error("Invalid product 999"), CrmError::Refused(_)));
    }

    #[test]
    fn an_order_query_answers_the_order_asked_for_or_an_error() {
        let page = json!({"totalResults": 2, "data": [{"orderId": "A1", "orderStatus": "PENDING"}, {"orderId": 7, "orderStatus": "COMPLETE"}]});
        assert_eq!(order_in_page(page.clone(), "7").unwrap()["orderStatus"], "COMPLETE");
        assert!(matches!(order_in_page(page, "B2"), Err(CrmError::Garbage(_))), "not in the page");
        assert!(matches!(order_in_page(json!({"totalResults": 0, "data": []}), "A1"), Err(CrmError::Garbage(_))));
        assert!(matches!(order_in_page(json!({"data": "none"}), "A1"), Err(CrmError::Garbage(_))));
        assert_eq!(order_in_page(json!({"orderId": "A1"}), "A1").unwrap()["orderId"], "A1", "one order, not a page");
        assert!(matches!(order_in_page(json!({"orderId": "A2"}), "A1"), Err(CrmError::Garbage(_))), "another order");
        assert!(matches!(order_in_page(json!("SUCCESS"), "A1"), Err(CrmError::Garbage(_))));
    }

    #[test]
    fn an_import_is_found_by_its_tag_in_a_page_of_orders() {
        let page = json!({"totalResults": 3, "data": [{"orderId": "A1", "custom5": "apk-1"}, {"orderId": "A2", "custom5": null}]});
        let (found, more) = tagged_order(page.clone(), "custom5", "apk-1", 1, 2).unwrap();
        assert_eq!((found.unwrap()["orderId"].as_str(), more), (Some("A1"), true));
        let (found, more) = tagged_order(page, "custom5", "apk-2", 2, 2).unwrap();
        assert_eq!((found, more), (None, false), "the last page");
        assert!(matches!(tagged_order(json!({"orderId": "A1"}), "custom5", "apk-1", 1, 2), Err(CrmError::Garbage(_))));
        assert!(matches!(tagged_order(json!("none"), "custom5", "apk-1", 1, 2), Err(CrmError::Garbage(_))));
    }

    #[test]
    fn query_dates_are_month_day_year() {
        assert_eq!(month_day_year(0), "01/01/1970");
        assert_eq!(month_day_year(-1), "12/31/1969");
        assert_eq!(month_day_year(11_017), "03/01/2000");
        assert_eq!(month_day_year(20_794), "12/07/2026");
        assert_eq!(month_day_year(20_820), "01/02/2027");
    }

    #[test]
    fn statuses_learnt_later_are_stored_by_name() {
        for (raw, stored) in [
            ("COMPLETE", "complete"),
            ("Pending", "pending"),
            ("DECLINED", "declined"),
            ("CANCELLED", "other"),
            ("REFUNDED", "other"),
            ("QA", "other"),
            ("", "other"),
        ] {
            assert_eq!(stored_status(raw), stored, "{raw}");
            assert!(STORED_STATUSES.contains(&stored));
        }
        // The import's statuses are stored as the widget's contract names them.
        for status in amazon_pay_contract::checkoutchamp::CrmOrderStatus::ALL {
            assert!(STORED_STATUSES.contains(&status.as_str()), "{status:?}");
        }
    }

    #[test]
    fn orders_are_read_with_strings_or_numbers() {
        let message = json!({"orderId": "ABC", "customerId": 7, "orderStatus": "COMPLETE", "totalAmount": 25.8,
            "items": [{"productId": "101", "name": "Rust mug", "price": "12.90", "qty": "2"}]});
        let order = CrmOrder::from_message(&message, Currency::Eur).unwrap();
        assert_eq!(order.total, Money::eur(2580));
        assert_eq!(order.status, CrmOrderStatus::Complete);
        assert_eq!(order.customer_id.as_deref(), Some("7"));
        assert_eq!(order.items, vec![CrmOrderLine { product_id: 101, name: "Rust mug".into(), quantity: 2, price: Money::eur(1290) }]);
        let keyed = json!({"orderId": "ABC", "orderStatus": "PENDING", "totalAmount": "4.50",
            "items": {"9": {"productId": 103, "price": 4.5, "qty": 1}}});
        assert_eq!(CrmOrder::from_message(&keyed, Currency::Eur).unwrap().items[0].price, Money::eur(450));
        assert!(CrmOrder::from_message(&json!({"orderId": "X"}), Currency::Eur).is_err(), "no total");
        assert!(CrmOrder::from_message(&json!({"totalAmount": "1.00"}), Currency::Eur).is_err(), "no id");
    }
}
