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

#[cfg(test)]
mod tests {
    use super::Cause;
    use crate::client::ClientError;
    use crate::interop::amazon_login::LoginError;
    use crate::interop::off_amazon_payments::WidgetsError;
    use crate::interop::script_loader::ScriptError;
    use crate::views::cv1::signin::SetupError;
    use amazon_pay_contract::{ApiError, ErrorCode};

    /// `Cause::text` (the legacy views' console and `error` events) says what `Display` says, for every variant.
    #[test]
    fn every_cause_reads_as_its_display() {
        let api =
            |detail: Option<&str>| ApiError { code: ErrorCode::SoftDecline, message: "Choose another card.".into(), detail: detail.map(Into::into) };
        let clients = [
            ClientError::Network { url: "/api/x".into(), cause: "Failed to fetch".into() },
            ClientError::Api { url: "/api/x".into(), error: api(None) },
            ClientError::Api { url: "/api/x".into(), error: api(Some("unknown item")) },
            ClientError::Decode { url: "/api/x".into(), status: 502, cause: "not JSON".into() },
        ];
        let scripts = [
            ScriptError::Failed { url: "https://w.example/Widgets.js".into() },
            ScriptError::TimedOut { url: "https://w.example/Widgets.js".into(), millis: 8000 },
        ];
        let widgets = [
            WidgetsError::NotLoaded("Widget"),
            WidgetsError::Rejected("bad seller".into()),
            WidgetsError::Script(scripts[1].clone()),
            WidgetsError::NotReady(5000),
        ];
        for e in &clients {
            assert_eq!(e.text(), e.to_string());
            let setup = SetupError::Backend(e.clone());
            assert_eq!(setup.text(), setup.to_string());
        }
        for e in &scripts {
            assert_eq!(e.text(), e.to_string());
        }
        for e in &widgets {
            assert_eq!(e.text(), e.to_string());
            let setup = SetupError::Widgets(e.clone());
            assert_eq!(setup.text(), setup.to_string());
        }
        let untrusted = SetupError::UntrustedScript("https://evil.example/w.js".into());
        assert_eq!(untrusted.to_string(), "refusing to load https://evil.example/w.js in live mode: only Amazon's own Widgets.js may run there");
        for e in [LoginError::NotLoaded("authorize"), LoginError::Rejected("no client id".into())] {
            assert!(e.to_string().starts_with("amazon.Login"));
            assert_eq!(e.text(), e.to_string());
        }
        assert_eq!(clients[3].text(), "unexpected answer from /api/x (HTTP 502): not JSON");
        assert_eq!(widgets[3].text(), "Widgets.js loaded but did not call onAmazonPaymentsReady within 5000 ms");
    }
}
