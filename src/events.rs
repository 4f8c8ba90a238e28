//! DOM CustomEvents through which the widget tells its host page what happens.
//!
//! Every event bubbles from the widget's element, is named `amazonpay:<kind>` and carries a JSON-like
//! `detail`, so a page of any stack can listen with `addEventListener`.
//!
//! Public as [`crate::embed::events`]; here at the top, so the views emitting them need not depend on `embed`.

use crate::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// What the widget announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WidgetEvent {
    /// The Amazon Pay button is on the page.
    #[serde(rename_all = "camelCase")]
    Ready {
        /// The checkout (PAYONE workorder) the widget works on.
        workorder_id: String,
    },
    /// The buyer clicked the Amazon Pay button.
    ButtonClicked,
    /// The review page shows the buyer's Amazon Pay details.
    #[serde(rename_all = "camelCase")]
    ReviewReady {
        /// The checkout (PAYONE workorder) the widget works on.
        workorder_id: String,
    },
    /// "Place order" reached the backend; `outcome` follows as its own event.
    #[serde(rename_all = "camelCase")]
    OrderPlaced {
        /// The shop's order.
        order_id: String,
    },
    /// The buyer is sent to Amazon (processing, multi-factor authentication).
    #[serde(rename_all = "camelCase")]
    Redirecting {
        /// The shop's order.
        order_id: String,
        /// Where Amazon takes the buyer.
        url: String,
    },
    /// The payment is authorized: the order stands.
    #[serde(rename_all = "camelCase")]
    Approved {
        /// The shop's order.
        order_id: String,
    },
    /// The payment is still being decided (PAYONE `PENDING`); the confirmation page follows it.
    #[serde(rename_all = "camelCase")]
    Pending {
        /// The shop's order.
        order_id: String,
    },
    /// The money is captured (PAYONE's TransactionStatus `paid`).
    #[serde(rename_all = "camelCase")]
    Paid {
        /// The shop's order.
        order_id: String,
    },
    /// Declined when placing (`code` is `soft_decline` or `hard_decline`; `declined` on the confirmation page),
    /// failed later (`failed`) or left unfinished on Amazon's pages (`abandoned`).
    #[serde(rename_all = "camelCase")]
    Declined {
        /// The shop's order.
        order_id: String,
        /// `soft_decline`, `hard_decline`, `declined`, `failed` or `abandoned`.
        code: String,
        /// The buyer-facing message, in the page's language: for a decline or a later failure, its reason.
        message: String,
    },
    /// Something failed; `message` is the developer-facing cause.
    Error {
        /// The cause, for the developer (not shown to the buyer).
        message: String,
    },
    /// Legacy Checkout v1: the buyer signed in with Amazon (the widgets follow).
    SignedIn,
    /// Legacy Checkout v1: the buyer signed out of Amazon Pay.
    SignedOut,
    /// The upsell page added its product to the order (CheckoutChamp Import Upsale).
    #[serde(rename_all = "camelCase")]
    UpsellAdded {
        /// The shop's order.
        order_id: String,
    },
    /// The buyer cancelled on Amazon's pages and Amazon sent them back to the shop's cancel page (Checkout v2's
    /// `checkoutCancelUrl`); told once, by the view on that page.
    #[serde(rename_all = "camelCase")]
    Cancelled {
        /// The shop's order, when there was one (APB places it first); none for a checkout not yet ordered.
        #[serde(skip_serializing_if = "Option::is_none")]
        order_id: Option<String>,
    },
}

impl WidgetEvent {
    /// The DOM event name, e.g. `amazonpay:ready`.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetEvent::Ready { .. } => "amazonpay:ready",
            WidgetEvent::ButtonClicked => "amazonpay:buttonclicked",
            WidgetEvent::ReviewReady { .. } => "amazonpay:reviewready",
            WidgetEvent::OrderPlaced { .. } => "amazonpay:orderplaced",
            WidgetEvent::Redirecting { .. } => "amazonpay:redirecting",
            WidgetEvent::Approved { .. } => "amazonpay:approved",
            WidgetEvent::Pending { .. } => "amazonpay:pending",
            WidgetEvent::Paid { .. } => "amazonpay:paid",
            WidgetEvent::Declined { .. } => "amazonpay:declined",
            WidgetEvent::Error { .. } => "amazonpay:error",
            WidgetEvent::SignedIn => "amazonpay:signedin",
            WidgetEvent::SignedOut => "amazonpay:signedout",
            WidgetEvent::UpsellAdded { .. } => "amazonpay:upselladded",
            WidgetEvent::Cancelled { .. } => "amazonpay:cancelled",
        }
    }
}

impl WidgetEvent {
    /// One event of each kind, in the order of the enum, with sample values: what the tests hold against serde
    /// (here) and against the TypeScript types (`tests/typescript_types.rs`). A test here fails until a new kind
    /// has its sample.
    #[doc(hidden)]
    pub fn samples() -> Vec<WidgetEvent> {
        let id = || "O1".to_owned();
        vec![
            WidgetEvent::Ready { workorder_id: "WO1".into() },
            WidgetEvent::ButtonClicked,
            WidgetEvent::ReviewReady { workorder_id: "WO1".into() },
            WidgetEvent::OrderPlaced { order_id: id() },
            WidgetEvent::Redirecting { order_id: id(), url: "https://amazon.example/mfa".into() },
            WidgetEvent::Approved { order_id: id() },
            WidgetEvent::Pending { order_id: id() },
            WidgetEvent::Paid { order_id: id() },
            WidgetEvent::Declined { order_id: id(), code: "soft_decline".into(), message: "Bitte wählen…".into() },
            WidgetEvent::Error { message: "cause".into() },
            WidgetEvent::SignedIn,
            WidgetEvent::SignedOut,
            WidgetEvent::UpsellAdded { order_id: id() },
            WidgetEvent::Cancelled { order_id: Some(id()) },
        ]
    }

    /// The event's `detail`: `kind` and the fields, camelCase, as the `Serialize` impl spells them. Built
    /// without serde (one small non-generic copy in the wasm); `serializes_like_serde` keeps the two equal.
    fn fields(&self) -> (&'static str, [Option<(&'static str, &str)>; 3]) {
        use WidgetEvent::*;
        fn one<'a>(key: &'static str, value: &'a str) -> [Option<(&'static str, &'a str)>; 3] {
            [Some((key, value)), None, None]
        }
        match self {
            Ready { workorder_id } => ("ready", one("workorderId", workorder_id)),
            ButtonClicked => ("buttonClicked", [None, None, None]),
            ReviewReady { workorder_id } => ("reviewReady", one("workorderId", workorder_id)),
            OrderPlaced { order_id } => ("orderPlaced", one("orderId", order_id)),
            Redirecting { order_id, url } => ("redirecting", [Some(("orderId", order_id)), Some(("url", url)), None]),
            Approved { order_id } => ("approved", one("orderId", order_id)),
            Pending { order_id } => ("pending", one("orderId", order_id)),
            Paid { order_id } => ("paid", one("orderId", order_id)),
            Declined { order_id, code, message } => ("declined", [Some(("orderId", order_id)), Some(("code", code)), Some(("message", message))]),
            Error { message } => ("error", one("message", message)),
            SignedIn => ("signedIn", [None, None, None]),
            SignedOut => ("signedOut", [None, None, None]),
            UpsellAdded { order_id } => ("upsellAdded", one("orderId", order_id)),
            Cancelled { order_id } => ("cancelled", [order_id.as_deref().map(|id| ("orderId", id)), None, None]),
        }
    }

    fn detail(&self) -> JsValue {
        let (kind, fields) = self.fields();
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"kind".into(), &kind.into());
        for (key, value) in fields.into_iter().flatten() {
            let _ = js_sys::Reflect::set(&detail, &key.into(), &value.into());
        }
        detail.into()
    }
}

/// Dispatches `event` on `target` (bubbling, composed). Failures are logged, never thrown.
pub fn emit(target: &web_sys::EventTarget, event: WidgetEvent) {
    let detail = event.detail();
    // `amazonpay:` and the kind in lower case is the event's name (`WidgetEvent::name`, which a test holds to
    // this): no second table of names in the wasm.
    let name = ["amazonpay:", &event.fields().0.to_ascii_lowercase()].concat();
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    crate::dom_calls::dispatch(target, &crate::dom_calls::custom_event(&name, &init));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind's place in the enum. No wildcard arm: a new `WidgetEvent` fails to compile here.
    fn variant(event: &WidgetEvent) -> usize {
        use WidgetEvent::*;
        match event {
            Ready { .. } => 0,
            ButtonClicked => 1,
            ReviewReady { .. } => 2,
            OrderPlaced { .. } => 3,
            Redirecting { .. } => 4,
            Approved { .. } => 5,
            Pending { .. } => 6,
            Paid { .. } => 7,
            Declined { .. } => 8,
            Error { .. } => 9,
            SignedIn => 10,
            SignedOut => 11,
            UpsellAdded { .. } => 12,
            Cancelled { .. } => 13,
        }
    }

    #[test]
    fn one_sample_of_each_kind_in_order() {
        let covered: Vec<usize> = WidgetEvent::samples().iter().map(variant).collect();
        assert_eq!(covered, (0..=13).collect::<Vec<_>>());
    }

    #[test]
    fn names_are_the_kinds_in_lower_case() {
        for event in WidgetEvent::samples() {
            assert_eq!(event.name(), ["amazonpay:", &event.fields().0.to_ascii_lowercase()].concat());
        }
    }

    #[test]
    fn serializes_like_serde() {
        let without_order = WidgetEvent::Cancelled { order_id: None };
        for event in WidgetEvent::samples().into_iter().chain([without_order]) {
            let (kind, fields) = event.fields();
            let mut detail = serde_json::Map::new();
            detail.insert("kind".into(), kind.into());
            for (key, value) in fields.into_iter().flatten() {
                detail.insert(key.into(), value.into());
            }
            assert_eq!(serde_json::Value::Object(detail), serde_json::to_value(&event).unwrap(), "{}", event.name());
        }
    }
}
