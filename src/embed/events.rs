//! DOM CustomEvents through which the widget tells its host page what happens.
//!
//! Every event bubbles from the widget's element, is named `amazonpay:<kind>` and carries a JSON-like
//! `detail`, so a page of any stack can listen with `addEventListener`.

use serde::Serialize;
use wasm_bindgen::JsValue;

/// What the widget announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WidgetEvent {
    /// The Amazon Pay button is on the page.
    #[serde(rename_all = "camelCase")]
    Ready { workorder_id: String },
    /// The buyer clicked the Amazon Pay button.
    ButtonClicked,
    /// The review page shows the buyer's Amazon Pay details.
    #[serde(rename_all = "camelCase")]
    ReviewReady { workorder_id: String },
    /// "Place order" reached the backend; `outcome` follows as its own event.
    #[serde(rename_all = "camelCase")]
    OrderPlaced { order_id: String },
    /// The buyer is sent to Amazon (processing, multi-factor authentication).
    #[serde(rename_all = "camelCase")]
    Redirecting { order_id: String, url: String },
    #[serde(rename_all = "camelCase")]
    Approved { order_id: String },
    #[serde(rename_all = "camelCase")]
    Pending { order_id: String },
    #[serde(rename_all = "camelCase")]
    Paid { order_id: String },
    /// Declined when placing (`code` is `soft_decline` or `hard_decline`) or failed later (`failed`).
    #[serde(rename_all = "camelCase")]
    Declined { order_id: String, code: String, message: String },
    /// Something failed; `message` is the developer-facing cause.
    Error { message: String },
    /// Legacy Checkout v1: the buyer signed in with Amazon (the widgets follow).
    SignedIn,
    /// Legacy Checkout v1: the buyer signed out of Amazon Pay.
    SignedOut,
    /// The upsell page added its product to the order (CheckoutChamp Import Upsale).
    #[serde(rename_all = "camelCase")]
    UpsellAdded { order_id: String },
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
        }
    }
}

/// Dispatches `event` on `target` (bubbling, composed). Failures are logged, never thrown.
pub fn emit(target: &web_sys::EventTarget, event: WidgetEvent) {
    let detail = event.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL);
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    match web_sys::CustomEvent::new_with_event_init_dict(event.name(), &init) {
        Ok(custom) => {
            let _ = target.dispatch_event(&custom);
        }
        Err(err) => web_sys::console::error_2(&"Amazon Pay widget: cannot create event".into(), &err),
    }
}
