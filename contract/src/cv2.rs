//! Checkout v2 through PAYONE: what the widget asks for and what it gets back.

use crate::{Language, Money};
use serde::{Deserialize, Serialize};

/// One line of the cart: a catalogue item and how many. Prices are the server's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub quantity: u32,
}

/// `POST /api/cv2/sessions`: start a checkout for these items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    pub items: Vec<CartLine>,
    #[serde(default)]
    pub language: Language,
}

/// Amazon's `productType` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductType {
    PayAndShip,
    PayOnly,
}

impl ProductType {
    pub const fn as_str(self) -> &'static str {
        match self {
            ProductType::PayAndShip => "PayAndShip",
            ProductType::PayOnly => "PayOnly",
        }
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
    pub signature: String,
    pub sandbox: bool,
    pub ledger_currency: crate::Currency,
    /// `checkoutLanguage`, e.g. `de_DE`.
    pub checkout_language: String,
    pub product_type: ProductType,
    /// The total the server computed from its catalogue.
    pub amount: Money,
    /// Where to load `checkout.js` from: Amazon's regional URL live, the sandbox's fake in sandbox mode.
    pub script_url: String,
}
