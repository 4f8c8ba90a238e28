//! What a JS call threw, as text: every module that calls into JS (Amazon's scripts, `fetch`, `JSON.parse`,
//! the DOM) reports its failures with it. A leaf module, so they need not depend on each other for it.

use crate::prelude::*;

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

/// An error's text for the console and `error` events, its parts concatenated. The legacy views' shell takes
/// this instead of `&dyn Display`: any `Display` call builds a `Formatter`, and with it `dyn fmt::Write`'s
/// machinery (`core::fmt::Write::write_fmt`, about 0.6 KB raw) enters the bundle. The errors' `Display` writes
/// the same text.
pub(crate) trait Cause {
    /// What went wrong, for the page's developer.
    fn text(&self) -> String;
}

/// A fixed sentence (the upsell page's missing order).
impl Cause for &str {
    fn text(&self) -> String {
        String::from(*self)
    }
}

/// `parts` one after another: a `Display` without `write!` (no `core::fmt::write` in the wasm, see BENCHMARKS.md).
pub(crate) fn write_parts(f: &mut core::fmt::Formatter<'_>, parts: &[&str]) -> core::fmt::Result {
    parts.iter().try_for_each(|part| f.write_str(part))
}
