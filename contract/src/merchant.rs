//! The merchant API's answers (`/merchant/api/`, docs/merchant-api.md) as the merchant dashboard reads them.
//! The server's tests read its answers into these types, so a field renamed on one side fails there.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// `GET /merchant/api/orders`: one page of orders, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderList {
    /// The orders of this page.
    pub data: Vec<MerchantOrder>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// An order as the merchant sees it (`GET /merchant/api/orders/{id}`; the list leaves out nothing but the
/// webhook deliveries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantOrder {
    /// The order id.
    pub id: String,
    /// Whose API moves the order's money: `payone`, `amazon` (Amazon Pay direct, `--provider amazon`) or
    /// `checkoutchamp` (the CRM's); [`MerchantOrder::money_carrier`].
    pub provider: String,
    /// `cv2`, `apb`, `cv1` or `checkoutchamp`.
    pub flow: String,
    /// `approved`, `paid`, ... (for CheckoutChamp the CRM's status): the payment as its provider reported it;
    /// the merchant's capture, refund and cancel do not change it ([`MerchantOrder::payment_status`] does).
    pub state: String,
    /// Where the order's money stands after the merchant's captures, refunds and cancels; `None` for
    /// CheckoutChamp's orders (the CRM's).
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub updated: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// What was bought.
    #[serde(default)]
    pub items: Vec<OrderItem>,
    /// `standard` or `express` (PAYONE orders).
    #[serde(default)]
    pub delivery: Option<String>,
    /// The money, in minor units.
    pub amounts: Amounts,
    /// The buyer, as PAYONE's notifications tell it, or (Amazon Pay direct) Amazon's checkout session.
    #[serde(default)]
    pub buyer: Option<Buyer>,
    /// The billing address.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// The shipping address.
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Why it was declined.
    #[serde(default)]
    pub decline: Option<String>,
    /// Why this server gave the order up, while it is `abandoned`: `buyer_did_not_return`,
    /// `placement_cut_off`, `buyer_returned_error`, `buyer_cancelled`, `authentication_abandoned`, `replaced`,
    /// `session_expired` or `amazon_cancelled` (docs/merchant-api.md says what each means); `None` while it is
    /// not abandoned, and for an order given up by an older server (before every path named its reason).
    #[serde(default)]
    pub abandon_reason: Option<String>,
    /// Amazon's ids of the order (those its provider knows).
    #[serde(default)]
    pub amazon: Option<AmazonIds>,
    /// Captures, refunds and releases.
    #[serde(default)]
    pub payments: Vec<Payment>,
}

impl MerchantOrder {
    /// Who the merchant API's capture, refund and cancel go to (`PAYONE`, `Amazon Pay`), or `None` when they
    /// are not this server's to make (CheckoutChamp's orders: the CRM).
    pub fn money_carrier(&self) -> Option<&'static str> {
        match self.provider.as_str() {
            "payone" => Some("PAYONE"),
            "amazon" => Some("Amazon Pay"),
            _ => None,
        }
    }
}

/// Where an order's money stands, from its [`Amounts`]: what the merchant's list filters by
/// (`payment_status=cancelled`) and the dashboard shows next to the state. Added to the merchant's view only:
/// the buyer's confirmation page keeps the provider's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing authorized (not yet, or never: declined, failed, abandoned, ...).
    None,
    /// Authorized; nothing captured, refunded or released yet.
    Authorized,
    /// Part captured, the rest still capturable.
    PartlyCaptured,
    /// Captured, nothing left to capture (any rest released), nothing refunded.
    Captured,
    /// Part of what was captured refunded.
    PartlyRefunded,
    /// Everything captured refunded and nothing left to capture.
    Refunded,
    /// Released (the merchant's cancel, or a duplicate authorization released by the server) without any capture.
    Cancelled,
}

impl PaymentStatus {
    /// Every status, in the order the dashboard lists them.
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::None,
        PaymentStatus::Authorized,
        PaymentStatus::PartlyCaptured,
        PaymentStatus::Captured,
        PaymentStatus::PartlyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Cancelled,
    ];

    /// The wire and store name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::None => "none",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::PartlyCaptured => "partly_captured",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartlyRefunded => "partly_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Cancelled => "cancelled",
        }
    }

    /// The status named `text`, if it is one.
    pub fn parse(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status of these amounts (all in minor units, as [`Amounts`] has them).
    pub fn of(authorized: i64, captured: i64, refunded: i64, released: i64) -> PaymentStatus {
        let capturable = (authorized - captured - released).max(0);
        let refundable = (captured - refunded).max(0);
        if authorized <= 0 {
            PaymentStatus::None
        } else if captured <= 0 && released > 0 && capturable == 0 {
            PaymentStatus::Cancelled
        } else if refunded > 0 && refundable == 0 && capturable == 0 {
            PaymentStatus::Refunded
        } else if refunded > 0 {
            PaymentStatus::PartlyRefunded
        } else if captured > 0 && capturable > 0 {
            PaymentStatus::PartlyCaptured
        } else if captured > 0 {
            PaymentStatus::Captured
        } else {
            PaymentStatus::Authorized
        }
    }
}

/// Amazon's ids of an order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmazonIds {
    /// Checkout v1's order reference (`P..`), a CheckoutChamp order's Amazon order id.
    pub order_reference_id: Option<String>,
    /// The checkout session the order was placed on (Checkout v2 through PAYONE or Amazon Pay direct; an APB
    /// order with Amazon Pay direct once the buyer is back from Amazon).
    pub checkout_session_id: Option<String>,
    /// Amazon Pay direct: the charge permission (the id Seller Central shows the order by).
    pub charge_permission_id: Option<String>,
    /// Amazon Pay direct: the charge the capture, refund and cancel act on.
    pub charge_id: Option<String>,
}

/// A line of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    /// The SKU.
    pub sku: String,
    /// How many.
    pub quantity: u32,
    /// The product's name in the server's catalogue (`GET .../orders/{id}` only; absent for SKUs it no longer has).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An order's money in minor units of its currency. CheckoutChamp orders have only the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Amounts {
    /// What the buyer was charged for.
    pub total: i64,
    /// Authorized (0 until authorized).
    pub authorized: i64,
    /// Captured (at the authorization with PAYONE's `authorization`, or by captures).
    pub captured: i64,
    /// Refunded.
    pub refunded: i64,
    /// Released without capture.
    pub released: i64,
    /// Left to capture.
    pub remaining: i64,
    /// Left to refund.
    pub refundable: i64,
}

/// The buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Street and number.
    #[serde(default)]
    pub street: Option<String>,
    /// More of the address (PAYONE's `addressaddition`; Amazon's second and third lines: c/o, floor, ...).
    #[serde(default)]
    pub addition: Option<String>,
    /// Postcode.
    #[serde(default)]
    pub zip: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// ISO country code.
    #[serde(default)]
    pub country: Option<String>,
}

/// Money moved after the authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `capture`, `refund` or `release`.
    pub kind: String,
    /// Minor units.
    pub amount: i64,
    /// PAYONE's sequencenumber.
    pub sequencenumber: i64,
    /// The merchant's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Unix seconds.
    pub created: i64,
}

/// `GET /merchant/api/orders/{id}/timeline`: what happened to an order, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The order id.
    pub order_id: String,
    /// The entries, oldest first.
    pub entries: Vec<TimelineEntry>,
}

/// One thing that happened to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// Who: `order` (placed), `payone` or `amazon` (their notifications), `merchant` (money moved), `webhook`.
    pub source: String,
    /// A short title: `appointed (completed)`, `capture 10.00 EUR`, `order.captured to https://...`.
    pub title: String,
    /// More detail, plain text.
    #[serde(default)]
    pub detail: Option<String>,
    /// For webhook deliveries: every attempt.
    #[serde(default)]
    pub attempts: Vec<WebhookAttempt>,
}

/// One try at delivering a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// The receiver's HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
    /// Why there was no status.
    #[serde(default)]
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// `GET /merchant/api/webhooks/deliveries`: the outbox, per configured URL, and its deliveries in one state
/// (`pending`: waiting to be sent or retried; `failed`: given up after the last retry), next due first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookOutbox {
    /// Every configured URL, in the configuration's order.
    pub urls: Vec<OutboxUrl>,
    /// The deliveries in the state asked for, at most `limit`.
    pub data: Vec<OutboxDelivery>,
    /// Whether more deliveries are in that state than `data` holds.
    pub has_more: bool,
}

/// One configured webhook URL's outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxUrl {
    /// As shown everywhere (no user info, what may be a token `[redacted]`), followed by its place in
    /// `--webhook-url` (` (webhook URL 2)`) when another URL would be shown alike; `send-now` takes it too.
    pub url: String,
    /// Deliveries waiting to be sent or retried.
    pub pending: u64,
    /// Deliveries given up after the last retry.
    pub failed: u64,
    /// When the first waiting delivery is tried (Unix milliseconds); `None` when none waits.
    #[serde(default)]
    pub next_attempt_at_ms: Option<i64>,
}

/// One delivery of one event to one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxDelivery {
    /// The event's id (`evt_…`).
    pub event_id: String,
    /// `order.approved`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The order it tells of.
    pub order_id: String,
    /// Where it goes, as shown in [`OutboxUrl::url`].
    pub url: String,
    /// `pending` or `failed`.
    pub state: String,
    /// Attempts made so far.
    pub attempt_count: i64,
    /// The last attempt, if any.
    #[serde(default)]
    pub last_attempt: Option<WebhookAttempt>,
    /// When it is tried next (Unix milliseconds); `None` unless pending.
    #[serde(default)]
    pub next_attempt_at_ms: Option<i64>,
}

/// `POST /merchant/api/webhooks/send-now`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSendNow {
    /// Deliveries that waited for a later retry and are due now.
    pub made_due: u64,
    /// Deliveries still waiting to the URLs asked for.
    pub pending: u64,
}

/// The body of a capture or refund: an amount in minor units (`None`: all that is left).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountRequest {
    /// Minor units, positive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

/// The merchant API's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantApiError {
    /// Stable code: `amount_exceeds_captured`, ...
    pub code: String,
    /// A sentence.
    pub message: String,
}

/// `minor` of `currency` as a merchant reads it, `50.70 EUR` (a code the contract does not know: in minor units,
/// said so).
pub fn amount_text(minor: i64, currency: &str) -> String {
    match crate::Currency::parse(currency) {
        Some(c) => format!("{} {currency}", crate::Money::new(minor, c).decimal()),
        None => format!("{minor} {currency} (minor units)"),
    }
}

/// How much can still be captured and why not more, for a refusal and the form's hint (the merchant API and the
/// dashboard say the same): `At most 50.70 EUR can still be captured: of the 76.50 EUR authorized, 25.80 EUR were
/// captured already.` All amounts in minor units, as [`Amounts`] has them.
pub fn capture_limit(authorized: i64, captured: i64, released: i64, currency: &str) -> String {
    let left = amount_text((authorized - captured - released).max(0), currency);
    if captured <= 0 && released <= 0 {
        return format!("At most {left} can be captured: that is what was authorized.");
    }
    let mut gone = Vec::new();
    if captured > 0 {
        gone.push(format!("{} were captured already", amount_text(captured, currency)));
    }
    if released > 0 {
        gone.push(format!("{} released by a cancellation", amount_text(released, currency)));
    }
    format!("At most {left} can still be captured: of the {} authorized, {}.", amount_text(authorized, currency), gone.join(" and "))
}

/// How much can still be refunded and why not more: `At most 50.70 EUR can still be refunded: 25.80 EUR of the
/// 76.50 EUR captured were refunded already.`
pub fn refund_limit(captured: i64, refunded: i64, currency: &str) -> String {
    let left = amount_text((captured - refunded).max(0), currency);
    if refunded <= 0 {
        return format!("At most {left} can be refunded: that is what was captured.");
    }
    format!(
        "At most {left} can still be refunded: {} of the {} captured were refunded already.",
        amount_text(refunded, currency),
        amount_text(captured, currency)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_names_who_moves_the_money() {
        let order = |provider: &str| -> MerchantOrder {
            serde_json::from_value(serde_json::json!({
                "id": "O1", "provider": provider, "flow": "cv2", "state": "approved", "created": 1, "updated": 1,
                "currency": "EUR", "amounts": {"total": 100}
            }))
            .unwrap()
        };
        assert_eq!(order("payone").money_carrier(), Some("PAYONE"));
        assert_eq!(order("amazon").money_carrier(), Some("Amazon Pay"));
        assert_eq!(order("checkoutchamp").money_carrier(), None, "the CRM moves it");
        assert_eq!(order("amazon").amazon, None, "an answer without the ids reads");
        assert_eq!(order("payone").payment_status, None, "an answer of an older server reads");
    }

    #[test]
    fn payment_status_follows_the_money() {
        use PaymentStatus::*;
        // (authorized, captured, refunded, released)
        let cases = [
            ((0, 0, 0, 0), None),
            ((1000, 0, 0, 0), Authorized),
            ((1000, 0, 0, 1000), Cancelled),
            ((1000, 400, 0, 0), PartlyCaptured),
            ((1000, 400, 0, 600), Captured),
            ((1000, 1000, 0, 0), Captured),
            ((1000, 1000, 300, 0), PartlyRefunded),
            ((1000, 1000, 1000, 0), Refunded),
            ((1000, 400, 400, 600), Refunded),
            ((1000, 400, 400, 0), PartlyRefunded),
        ];
        for ((authorized, captured, refunded, released), status) in cases {
            assert_eq!(PaymentStatus::of(authorized, captured, refunded, released), status, "{authorized} {captured} {refunded} {released}");
        }
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(PaymentStatus::parse("released"), Option::None);
    }

    #[test]
    fn limits_say_how_much_is_left_and_why() {
        assert_eq!(amount_text(5070, "EUR"), "50.70 EUR");
        assert_eq!(amount_text(5, "XXX"), "5 XXX (minor units)");
        assert_eq!(capture_limit(7650, 0, 0, "EUR"), "At most 76.50 EUR can be captured: that is what was authorized.");
        assert_eq!(
            capture_limit(7650, 2580, 0, "EUR"),
            "At most 50.70 EUR can still be captured: of the 76.50 EUR authorized, 25.80 EUR were captured already."
        );
        assert_eq!(
            capture_limit(7650, 2580, 5070, "EUR"),
            "At most 0.00 EUR can still be captured: of the 76.50 EUR authorized, 25.80 EUR were captured already and \
             50.70 EUR released by a cancellation."
        );
        assert_eq!(refund_limit(7650, 0, "EUR"), "At most 76.50 EUR can be refunded: that is what was captured.");
        assert_eq!(
            refund_limit(7650, 2580, "EUR"),
            "At most 50.70 EUR can still be refunded: 25.80 EUR of the 76.50 EUR captured were refunded already."
        );
    }
}
