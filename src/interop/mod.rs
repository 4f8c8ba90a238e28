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
    // Not `{:?}`: that pulls wasm-bindgen's `debugString` into every bundle's JS. JSON says enough for a log.
    js_sys::JSON::stringify(value).map(String::from).unwrap_or_else(|_| "an unprintable value".to_owned())
}
