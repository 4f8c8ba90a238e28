//! The session request the loader (`static/widget-init.js`) sends for a declared button while the wasm is
//! still being fetched and compiled: the wasm's start-up no longer comes before the request (issue 20).
//!
//! The loader leaves `{ url, body, response }` on the element (`element.amazonPayPrefetch`); the button takes
//! it once and uses its `response` only when `url` and `body` are exactly the request it would send itself
//! (its own JSON text of the same `CreateSessionRequest`), else it sends its own. A mismatch costs a session
//! on the server, never a wrong checkout.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The property the loader sets on the declared element (static/widget-init.js names it too).
pub const PROPERTY: &str = "amazonPayPrefetch";

#[wasm_bindgen]
extern "C" {
    /// What the loader left: the request it sent and the promise of its `Response`.
    type Prefetch;
    #[wasm_bindgen(method, getter, structural)]
    fn url(this: &Prefetch) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn body(this: &Prefetch) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn response(this: &Prefetch) -> JsValue;
}

/// The loader's `fetch` promise for `element` if it sent exactly `url` with `body`; taken once (a later
/// request of the same element, an update, sends its own).
pub fn take(element: &JsValue, url: &str, body: &str) -> Option<js_sys::Promise> {
    let key = JsValue::from_str(PROPERTY);
    let found = js_sys::Reflect::get(element, &key).ok().filter(|v| v.is_object())?;
    let _ = js_sys::Reflect::delete_property(element.unchecked_ref::<js_sys::Object>(), &key);
    let prefetch: Prefetch = found.unchecked_into();
    let same = prefetch.url().as_string().as_deref() == Some(url) && prefetch.body().as_string().as_deref() == Some(body);
    if !same {
        web_sys::console::warn_1(&"Amazon Pay button: the loader's session request differs from the widget's; sending the widget's".into());
        return None;
    }
    prefetch.response().dyn_into::<js_sys::Promise>().ok()
}
