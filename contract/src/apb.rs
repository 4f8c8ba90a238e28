//! APB ("Additional Payment Button"): Amazon Pay chosen at the end of the shop's own checkout. The
//! (pre)authorization comes first and its answer carries the button's signed payload.

use crate::cv2::{ButtonConfig, CartLine, PostalAddress, ProductType};
use crate::orders::OrderState;
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
    /// Only ask what this key's order is now (a page the browser brought back, before it offers the button
    /// again): nothing is placed, and a key that placed nothing is 404 `not_found`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub replay_only: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The earlier placement of the same tab: its order id and the idempotency key it was placed with, which only
/// that tab knows (kept in its sessionStorage) and which proves the new placement comes from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApbReplaces {
    /// The earlier order's id.
    pub order_id: String,
    /// The idempotency key the earlier order was placed with.
    pub idempotency_key: String,
    /// The same page paying again because its own order was given up (`abandoned`: cancelled on Amazon's
    /// pages, declined there, never finished): one intent. If that order was authorized after all by the
    /// time this placement arrives, the server answers that order and places nothing. Without it (another
    /// page of the tab: a new purchase) the placement goes ahead whatever the earlier order became.
    #[serde(default, skip_serializing_if = "is_false")]
    pub retry: bool,
}

/// What the widget does next for the order placed with the request's key, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApbOrderResponse {
    /// Start Amazon's checkout with `button`: a new order, or one whose buyer has not finished on Amazon's
    /// pages yet (the browser's Back from them), which the same button completes.
    Checkout {
        /// The order id.
        order_id: String,
        /// The button.
        button: ButtonConfig,
    },
    /// The order is past Amazon's checkout (the buyer came back from it, or Amazon decided): opening Amazon
    /// again would only send the buyer through it for nothing, so the widget goes to the order's page.
    Placed {
        /// The order id.
        order_id: String,
        /// Where the order stands now (`redirected` when the buyer came back and PAYONE's word is on its way).
        state: OrderState,
        /// The order's confirmation page (the shop's, with `order` in its query).
        confirmation_url: String,
    },
}

impl ApbOrderResponse {
    /// The order's id, whatever comes next.
    pub fn order_id(&self) -> &str {
        match self {
            ApbOrderResponse::Checkout { order_id, .. } | ApbOrderResponse::Placed { order_id, .. } => order_id,
        }
    }

    /// The button that starts Amazon's checkout, when that comes next.
    pub fn button(&self) -> Option<&ButtonConfig> {
        match self {
            ApbOrderResponse::Checkout { button, .. } => Some(button),
            ApbOrderResponse::Placed { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_tagged_by_kind() {
        let placed = ApbOrderResponse::Placed {
            order_id: "O1".into(),
            state: OrderState::Approved,
            confirmation_url: "https://shop.example/thanks?order=O1".into(),
        };
        assert_eq!(
            serde_json::to_value(&placed).unwrap(),
            serde_json::json!({"kind": "placed", "order_id": "O1", "state": "approved", "confirmation_url": "https://shop.example/thanks?order=O1"})
        );
        assert_eq!(placed.order_id(), "O1");
        assert_eq!(placed.button(), None);
    }

    #[test]
    fn replay_only_is_left_out_unless_asked() {
        let request = ApbOrderRequest {
            items: vec![],
            idempotency_key: "key-12345".into(),
            language: Language::En,
            product_type: ProductType::PayOnly,
            buyer: None,
            replaces: None,
            replay_only: false,
        };
        assert!(!serde_json::to_string(&request).unwrap().contains("replay_only"));
        let asked = ApbOrderRequest { replay_only: true, ..request };
        let read: ApbOrderRequest = serde_json::from_str(&serde_json::to_string(&asked).unwrap()).unwrap();
        assert!(read.replay_only);
    }
}
