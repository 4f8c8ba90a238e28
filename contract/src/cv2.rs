//! Checkout v2 through PAYONE: what the widget asks for and what it gets back.

use crate::prelude::*;
use crate::{Language, Money};
use serde::{Deserialize, Serialize};

/// One line of the cart: a catalogue item and how many. Prices are the server's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The SKU.
    pub sku: String,
    /// The quantity.
    pub quantity: u32,
}

/// `POST /api/cv2/sessions`: start a checkout for these items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    /// The items.
    pub items: Vec<CartLine>,
    #[serde(default)]
    /// The language.
    pub language: Language,
    /// The shop's own pages for this checkout; a missing one is the page the server is configured with.
    #[serde(default, skip_serializing_if = "ReturnPages::is_empty")]
    pub return_pages: ReturnPages,
}

/// The shop's pages the buyer comes back to, as absolute URLs. The server refuses any that is not on an origin
/// it allows, so it can never be made to send a buyer elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPages {
    /// Where "cancel" on Amazon's pages and "Back to cart" lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<String>,
    /// The order-review page Amazon returns the buyer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// The page that follows the order's status (`?order=<id>` is appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    /// Where the buyer goes who cancels on Amazon's pages; defaults to the cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<String>,
}

impl ReturnPages {
    /// Whether no page is named (the server's configured ones are used).
    pub fn is_empty(&self) -> bool {
        self.cart.is_none() && self.review.is_none() && self.confirmation.is_none() && self.cancel.is_none()
    }
}

/// Amazon's `productType` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductType {
    /// Pay and ship.
    PayAndShip,
    /// Pay only.
    PayOnly,
}

impl ProductType {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProductType::PayAndShip => "PayAndShip",
            ProductType::PayOnly => "PayOnly",
        }
    }

    /// The product type named `text`, if it is one.
    pub fn parse(text: &str) -> Option<ProductType> {
        [ProductType::PayAndShip, ProductType::PayOnly].into_iter().find(|p| p.as_str() == text)
    }
}

/// Everything `amazon.Pay.renderButton` needs, decided by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonConfig {
    /// PAYONE's handle of this checkout; the review page needs it back.
    pub workorder_id: String,
    /// The merchant's Amazon merchant id (public).
    pub merchant_id: String,
    /// The public key id the payload was signed for (PAYONE's).
    pub public_key_id: String,
    /// The signed payload, passed verbatim as `payloadJSON`.
    pub payload_json: String,
    /// The signature.
    pub signature: String,
    /// Whether sandbox.
    pub sandbox: bool,
    /// The ledger currency.
    pub ledger_currency: crate::Currency,
    /// `checkoutLanguage`, e.g. `de_DE`.
    pub checkout_language: String,
    /// The product type.
    pub product_type: ProductType,
    /// The total the server computed from its catalogue.
    pub amount: Money,
    /// Where to load `checkout.js` from: Amazon's regional URL live, the sandbox's fake in sandbox mode.
    pub script_url: String,
    /// The signature's algorithm when it is not `checkout.js`'s default (`AMZN-PAY-RSASSA-PSS`): Amazon Pay
    /// direct signs with `AMZN-PAY-RSASSA-PSS-V2`. Absent with PAYONE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

/// A postal address as Amazon returned it (through PAYONE). Display it as text, never as HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// The first name.
    pub first_name: String,
    /// The last name.
    pub last_name: String,
    #[serde(default)]
    /// The company.
    pub company: String,
    /// The street.
    pub street: String,
    #[serde(default)]
    /// The addition.
    pub addition: String,
    /// The ZIP.
    pub zip: String,
    /// The city.
    pub city: String,
    #[serde(default)]
    /// The state.
    pub state: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default)]
    /// The phone.
    pub phone: String,
}

/// How the order is delivered; the server prices each option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOption {
    #[default]
    /// Standard.
    Standard,
    /// Express.
    Express,
}

impl DeliveryOption {
    /// Every delivery option, for tests and exhaustive checks.
    pub const ALL: [DeliveryOption; 2] = [DeliveryOption::Standard, DeliveryOption::Express];

    /// The option as it appears in JSON, e.g. `express`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryOption::Standard => "standard",
            DeliveryOption::Express => "express",
        }
    }

    /// The delivery option named `text`, if it is one.
    pub fn parse(text: &str) -> Option<DeliveryOption> {
        DeliveryOption::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// What one delivery option costs, as the server prices it: shown next to the option before the buyer picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPrice {
    /// The option.
    pub delivery: DeliveryOption,
    /// What it adds to the goods (zero: free).
    pub fee: Money,
}

/// A cart line as the server priced it, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// The SKU.
    pub sku: String,
    /// The name.
    pub name: String,
    /// The quantity.
    pub quantity: u32,
    /// The unit price.
    pub unit_price: Money,
}

/// `GET /api/cv2/sessions/{workorderId}`: what the review page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDetails {
    /// The workorder id.
    pub workorder_id: String,
    /// Needed by `amazon.Pay.bindChangeAction`.
    pub amazon_checkout_session_id: String,
    /// The buyer name.
    pub buyer_name: String,
    /// The email.
    pub email: String,
    /// `PayAndShip` (physical goods in the cart) or `PayOnly` (digital goods only: no shipping address).
    pub product_type: ProductType,
    /// The shipping address; `None` for `PayOnly`.
    pub shipping_address: Option<PostalAddress>,
    /// Why the shop cannot deliver to the shipping address (its address rules); the buyer must change it
    /// before the order can be placed.
    pub address_problem: Option<crate::address::AddressProblem>,
    /// The shop needs a phone number and the address has none: the review page asks for it.
    pub phone_required: bool,
    /// The billing address.
    pub billing_address: Option<PostalAddress>,
    /// What Amazon shows for the chosen instrument, e.g. "Visa ••••1111" (when known).
    pub payment_descriptor: Option<String>,
    /// The items.
    pub items: Vec<PricedLine>,
    /// The delivery.
    pub delivery: DeliveryOption,
    /// What the chosen delivery option costs.
    pub delivery_fee: Money,
    /// What each option costs, in [`DeliveryOption::ALL`]'s order, so the buyer sees it before choosing. Empty
    /// for `PayOnly` (nothing is delivered) and from a server older than this field (labels without prices).
    #[serde(default)]
    pub delivery_prices: Vec<DeliveryPrice>,
    /// Goods plus delivery, decided by the server.
    pub amount: Money,
    /// Unix seconds after which Amazon's checkout session is no longer valid (24 hours after creation).
    pub expires_at: i64,
    /// The order already placed for this checkout, if any (a reload must not place a second one). While it is
    /// set the server no longer answers the buyer: `buyer_name` and `email` are empty, the addresses and
    /// `payment_descriptor` `None` (the checkout id is in the review page's address, which may leak).
    pub order_id: Option<String>,
    /// Where to load `checkout.js` from (for `bindChangeAction`), as in [`ButtonConfig::script_url`].
    pub script_url: String,
    /// Whether sandbox.
    pub sandbox: bool,
}

/// `POST /api/cv2/sessions/{workorderId}/delivery`: change the delivery option (and so the total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateDeliveryRequest {
    /// The delivery.
    pub delivery: DeliveryOption,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// `POST /api/cv2/sessions/{workorderId}/orders`: place the order. The same `idempotency_key` (one per
/// review page) always gets the same answer, however often the buyer clicks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrderRequest {
    /// The idempotency key.
    pub idempotency_key: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
    /// The phone number the buyer typed on the review page (when [`CheckoutDetails::phone_required`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// What happened when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlaceOrderOutcome {
    /// Send the buyer to Amazon (processing, maybe multi-factor authentication).
    Redirect {
        /// The URL.
        url: String,
    },
    /// Approved.
    Approved,
    /// Amazon is still deciding; follow the order's status.
    Pending,
    /// Declined: `code` says whether another Amazon payment method may work (`soft_decline`).
    Declined {
        /// The code.
        code: crate::ErrorCode,
        /// The message.
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// What placing a CV2 order answers.
pub struct PlaceOrderResponse {
    /// The order id.
    pub order_id: String,
    /// The outcome.
    pub outcome: PlaceOrderOutcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_serdes_spelling() {
        for d in DeliveryOption::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
            assert_eq!(DeliveryOption::parse(d.as_str()), Some(d));
        }
        for p in [ProductType::PayAndShip, ProductType::PayOnly] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(ProductType::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn details_from_a_server_without_delivery_prices_still_read() {
        let json = serde_json::json!({
            "workorder_id": "W", "amazon_checkout_session_id": "S", "buyer_name": "B", "email": "e",
            "product_type": "PayAndShip", "shipping_address": null, "address_problem": null, "phone_required": false,
            "billing_address": null, "payment_descriptor": null, "items": [], "delivery": "standard",
            "delivery_fee": {"minor": 0, "currency": "EUR"}, "amount": {"minor": 0, "currency": "EUR"}, "expires_at": 1,
            "order_id": null, "script_url": "u", "sandbox": true,
        });
        let details: CheckoutDetails = serde_json::from_value(json).unwrap();
        assert!(details.delivery_prices.is_empty());
    }
}
