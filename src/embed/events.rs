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
    /// Something failed; `message` is the developer-facing cause.
    Error { message: String },
}

impl WidgetEvent {
    /// The DOM event name, e.g. `amazonpay:ready`.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetEvent::Ready { .. } => "amazonpay:ready",
            WidgetEvent::Error { .. } => "amazonpay:error",
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
