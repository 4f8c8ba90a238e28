//! `Callback` props for the widget's events, next to the DOM events: each callback gets the event as
//! [`WidgetEvent`], the very value the DOM event's `detail` is written from (read back from that `detail`, so
//! the two cannot differ).

use crate::dom::{on, Listener};
use crate::events::WidgetEvent;
use crate::prelude::*;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The callbacks a component was given; `None` registers nothing.
#[derive(Default, Clone, Copy)]
pub(crate) struct Callbacks {
    /// `amazonpay:ready` (the button), `amazonpay:reviewready` (the review page).
    pub(crate) on_ready: Option<Callback<WidgetEvent>>,
    pub(crate) on_button_clicked: Option<Callback<WidgetEvent>>,
    pub(crate) on_order_placed: Option<Callback<WidgetEvent>>,
    pub(crate) on_pending: Option<Callback<WidgetEvent>>,
    pub(crate) on_approved: Option<Callback<WidgetEvent>>,
    /// `amazonpay:paid`: the confirmation page found the money captured (an order it sees `paid` first is
    /// announced with this alone, not `approved`).
    pub(crate) on_paid: Option<Callback<WidgetEvent>>,
    pub(crate) on_declined: Option<Callback<WidgetEvent>>,
    pub(crate) on_error: Option<Callback<WidgetEvent>>,
    /// `amazonpay:cancelled`: the buyer cancelled on Amazon's pages (the button or review page they return to).
    pub(crate) on_cancelled: Option<Callback<WidgetEvent>>,
}

impl Callbacks {
    /// Listens on `host` (the events bubble up from the view inside it) for each callback given; the
    /// listeners go when the returned list is dropped. `ready` names the view's ready event.
    pub(crate) fn listen(self, host: &web_sys::Element, ready: &'static str) -> Vec<Listener> {
        let pairs = [
            (ready, self.on_ready),
            ("amazonpay:buttonclicked", self.on_button_clicked),
            ("amazonpay:orderplaced", self.on_order_placed),
            ("amazonpay:pending", self.on_pending),
            ("amazonpay:approved", self.on_approved),
            ("amazonpay:paid", self.on_paid),
            ("amazonpay:declined", self.on_declined),
            ("amazonpay:error", self.on_error),
            ("amazonpay:cancelled", self.on_cancelled),
        ];
        pairs
            .into_iter()
            .filter_map(|(name, callback)| {
                let callback = callback?;
                Some(on(host, name, move |event| {
                    let detail = event.dyn_ref::<web_sys::CustomEvent>().map(|e| e.detail()).unwrap_or(JsValue::UNDEFINED);
                    if let Some(event) = from_detail(&detail) {
                        callback.run(event);
                    }
                }))
            })
            .collect()
    }
}

/// The event a DOM event's `detail` was written from (see `WidgetEvent::detail`); `None` for anything else.
pub fn from_detail(detail: &JsValue) -> Option<WidgetEvent> {
    let text = |key: &str| js_sys::Reflect::get(detail, &key.into()).ok().and_then(|v| v.as_string());
    let order_id = || text("orderId");
    use WidgetEvent::*;
    Some(match text("kind")?.as_str() {
        "ready" => Ready { workorder_id: text("workorderId")? },
        "buttonClicked" => ButtonClicked,
        "reviewReady" => ReviewReady { workorder_id: text("workorderId")? },
        "orderPlaced" => OrderPlaced { order_id: order_id()? },
        "redirecting" => Redirecting { order_id: order_id()?, url: text("url")? },
        "approved" => Approved { order_id: order_id()? },
        "pending" => Pending { order_id: order_id()? },
        "paid" => Paid { order_id: order_id()? },
        "declined" => Declined { order_id: order_id()?, code: text("code")?, message: text("message")? },
        "error" => Error { message: text("message")? },
        "signedIn" => SignedIn,
        "signedOut" => SignedOut,
        "upsellAdded" => UpsellAdded { order_id: order_id()? },
        "cancelled" => Cancelled { order_id: order_id() },
        _ => return None,
    })
}
