//! JS interop with Amazon's scripts. Nothing outside this module calls into Amazon's globals.

pub mod amazon_login;
pub mod amazon_pay;
mod js_object;
pub mod off_amazon_payments;
pub mod script_loader;
pub mod timers;

/// The text of a thrown JS value: Amazon's scripts throw plain strings, others throw `Error` objects.
pub fn thrown_text(value: &wasm_bindgen::JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    if let Some(error) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(value) {
        return String::from(error.message());
    }
    // Anything else (rare): its JSON, else its type (no `Debug` of a `JsValue`: a smaller wasm and glue).
    js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_else(|| value.js_typeof().as_string().unwrap_or_default())
}
