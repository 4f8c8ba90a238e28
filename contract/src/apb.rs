//! APB ("Additional Payment Button"): Amazon Pay chosen at the end of the shop's own checkout. The
//! (pre)authorization comes first and its answer carries the button's signed payload.

use crate::cv2::{ButtonConfig, CartLine, PostalAddress, ProductType};
use crate::prelude::*;
use crate::Language;
use serde::{Deserialize, Serialize};

/// The buyer as the shop's checkout form collected them (needed for physical goods: `PayAndShip`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApbBuyer {
    /// The email.
    pub email: String,
    /// Amazon's ProcessOrder mode needs a phone number for physical goods.
    pub phone: String,
    /// The address.
    pub address: PostalAddress,
}

/// `POST /api/apb/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApbOrderRequest {
    /// The items.
    pub items: Vec<CartLine>,
    /// The idempotency key.
    pub idempotency_key: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
    /// The product type.
    pub product_type: ProductType,
    /// Required for `PayAndShip`, refused for `PayOnly` (digital goods carry no shipping address).
    #[serde(default)]
    pub buyer: Option<ApbBuyer>,
    /// The order this tab placed before (a reload while the buyer was on Amazon's pages): given up at once
    /// if it is still waiting for the buyer, so it holds nothing beside the new one. Optional: older widgets
    /// leave it out, and their earlier order waits for the redirected-order sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<ApbReplaces>,
}

/// The earlier placement of the same tab: its order id and the idempotency key it was placed with, which only
/// that tab knows (kept in its sessionStorage) and which proves the new placement comes from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApbReplaces {
    /// The earlier order's id.
    pub order_id: String,
    /// The idempotency key the earlier order was placed with.
    pub idempotency_key: String,
}

/// The order and the button that completes it on Amazon's pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApbOrderResponse {
    /// The order id.
    pub order_id: String,
    /// The button.
    pub button: ButtonConfig,
}
