//! What the page's address tells the widget: the return parameters from Amazon and PAYONE.
//!
//! Parsing is pure (tested natively); reading `location.search` and cleaning the address bar are thin
//! wrappers around it.

use crate::prelude::*;

/// The review page's parameters, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewParams {
    /// PAYONE's workorder id: from `workorderId` (or `workorderid`), else from sessionStorage.
    pub workorder_id: Option<String>,
    /// Amazon's checkout session id, when Amazon appended it.
    pub amazon_checkout_session_id: Option<String>,
    /// The order the buyer returns from (after an error or cancel on Amazon's pages).
    pub order_id: Option<String>,
}

/// A query parameter that is present but malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BadParam {
    /// The parameter's name.
    pub name: &'static str,
}

/// Ids we accept from the address bar: 1 to 64 characters of `[A-Za-z0-9_-]`.
pub fn is_id(value: &str) -> bool {
    (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The first value of the parameter `name` in a query string (with or without its leading `?`), decoded as
/// `application/x-www-form-urlencoded` by the URL Standard: `+` is a space, a `%` without two hex digits after it
/// stays as it is, bytes that are not UTF-8 become U+FFFD. In the browser that is the browser's own
/// `URLSearchParams` (no second decoder in the wasm); natively `form_urlencoded`, which follows the same standard
/// (tests/query.rs holds the browser to the cases the native tests check).
#[cfg(target_arch = "wasm32")]
#[inline(never)]
pub fn query_value(search: &str, name: &str) -> Option<String> {
    crate::dom_calls::query_value(search, name)
}

/// The first value of the parameter `name` (see the wasm build's twin, which asks `URLSearchParams`).
#[cfg(not(target_arch = "wasm32"))]
pub fn query_value(search: &str, name: &str) -> Option<String> {
    let query = search.strip_prefix('?').unwrap_or(search);
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The parameter `name` (else `alias`) of `search`, when present, checked to be an id.
fn id_param(search: &str, name: &'static str, alias: Option<&str>) -> Result<Option<String>, BadParam> {
    match query_value(search, name).or_else(|| query_value(search, alias?)) {
        None => Ok(None),
        Some(v) if is_id(&v) => Ok(Some(v)),
        Some(_) => Err(BadParam { name }),
    }
}

impl ReviewParams {
    /// Parses `search`; `stored_workorder` is the id kept in sessionStorage when the button was rendered.
    pub fn parse(search: &str, stored_workorder: Option<String>) -> Result<ReviewParams, BadParam> {
        let workorder_id = id_param(search, "workorderId", Some("workorderid"))?.or(stored_workorder.filter(|w| is_id(w)));
        Ok(ReviewParams {
            workorder_id,
            amazon_checkout_session_id: id_param(search, "amazonCheckoutSessionId", None)?,
            order_id: id_param(search, "order", None)?,
        })
    }
}

/// The confirmation page's order id (`?order=`).
pub fn order_param(search: &str) -> Result<Option<String>, BadParam> {
    id_param(search, "order", None)
}

/// The parameter the server puts on the shop's cancel page (PAYONE's `backurl`, Amazon's `checkoutCancelUrl`):
/// only Amazon's redirect after the buyer cancelled on its pages carries it, so the page can tell that moment
/// from any other visit.
pub use amazon_pay_contract::routes::CANCEL_MARKER;

/// Whether Amazon's cancel redirect opened the page: `Some` with the address's `order` (when a well-formed id),
/// the marker taken out of the address bar so that a reload, or another view on the page, does not tell it
/// again; `None` for any other visit.
pub fn take_cancel_marker() -> Option<Option<String>> {
    let window = web_sys::window()?;
    crate::dom_calls::take_param(&window, CANCEL_MARKER, "order").map(|order| order.filter(|id| is_id(id)))
}

/// The key under which the button keeps the workorder id for the review page.
pub const WORKORDER_STORAGE_KEY: &str = "amazonPay.workorderId";

/// `location.search` of the current page (empty outside a browser).
pub fn current_search() -> String {
    web_sys::window().map(|w| crate::dom_calls::search(&w.location())).unwrap_or_default()
}

/// The workorder id the button stored in sessionStorage, if any.
pub fn stored_workorder() -> Option<String> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten()).and_then(|s| s.get_item(WORKORDER_STORAGE_KEY).ok().flatten())
}

/// Navigates the page to `url` (Amazon's processing page, the confirmation page).
pub fn navigate(url: &str) {
    if let Some(window) = web_sys::window() {
        if let Err(err) = window.location().assign(url) {
            web_sys::console::error_2(&"Amazon Pay widget: cannot navigate".into(), &err);
        }
    }
}

/// Loads this page again (the lander's "Order again": a new order reference and a new key).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        if let Err(err) = window.location().reload() {
            web_sys::console::error_2(&"Amazon Pay widget: cannot reload".into(), &err);
        }
    }
}

/// Navigates the page to `url` in place of this page's entry in the history (`location.replace`): for a page
/// that is only a step on the way (CV1's return from Amazon, which authorizes and leaves for the order; a
/// restart), so that the buyer's Back does not show that step again. `url` is the page's own or a URL from
/// its configuration, which the browser parses (it throws only for one that does not parse): nothing to log.
pub fn replace_with(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(url);
    }
}

/// A fresh idempotency key for one "Place order" intent: 128 bits from `crypto.getRandomValues` as 32 hex
/// digits (the server takes 8 to 64 of `[A-Za-z0-9_-]`). Not `crypto.randomUUID`, which only secure contexts
/// have (a shop's staging page on plain HTTP is not one), and no weaker fallback: APB's `replaces` treats the
/// key as a secret.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    crate::dom_calls::random_values(&mut bytes);
    hex(&bytes)
}

/// `bytes` as lowercase hex digits, two a byte.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

impl core::fmt::Display for BadParam {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        crate::js_error::write_parts(f, &["the query parameter ", self.name, " has an invalid value"])
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_two_lowercase_hex_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
        assert_eq!(hex(&[0x9c; 16]).len(), 32, "a key of 16 random bytes fits the server's 8 to 64 characters");
    }

    #[test]
    fn reads_amazons_and_payones_return_parameters() {
        let p = ReviewParams::parse("?workorderId=WOABC123&amazonCheckoutSessionId=3f1c2a9e-1b2c-4d5e-8f90-0123456789ab", None).unwrap();
        assert_eq!(p.workorder_id.as_deref(), Some("WOABC123"));
        assert_eq!(p.amazon_checkout_session_id.as_deref(), Some("3f1c2a9e-1b2c-4d5e-8f90-0123456789ab"));
        assert_eq!(p.order_id, None);
    }

    #[test]
    fn falls_back_to_the_stored_workorder() {
        let p = ReviewParams::parse("", Some("WOSTORED".into())).unwrap();
        assert_eq!(p.workorder_id.as_deref(), Some("WOSTORED"));
        let p = ReviewParams::parse("workorderid=WOURL", Some("WOSTORED".into())).unwrap();
        assert_eq!(p.workorder_id.as_deref(), Some("WOURL"), "the address wins");
        let p = ReviewParams::parse("", Some("<script>".into())).unwrap();
        assert_eq!(p.workorder_id, None, "a tampered store is ignored");
    }

    #[test]
    fn refuses_malformed_parameters() {
        assert_eq!(ReviewParams::parse("?workorderId=../../etc", None), Err(BadParam { name: "workorderId" }));
        assert_eq!(ReviewParams::parse("?workorderId=", None), Err(BadParam { name: "workorderId" }));
        assert_eq!(ReviewParams::parse("?order=%3Cb%3E", None), Err(BadParam { name: "order" }));
        assert_eq!(ReviewParams::parse(&format!("?workorderId={}", "A".repeat(65)), None), Err(BadParam { name: "workorderId" }));
        assert_eq!(order_param("?order=OABC"), Ok(Some("OABC".into())));
    }

    #[test]
    fn aliases_and_refusals() {
        assert_eq!(order_param("?order=%zz"), Err(BadParam { name: "order" }), "a malformed escape stays, and is no id");
        assert_eq!(ReviewParams::parse("?workorderid=WOLOW", None).unwrap().workorder_id.as_deref(), Some("WOLOW"));
        let both = ReviewParams::parse("?workorderid=WOLOW&workorderId=WOCAMEL", None).unwrap();
        assert_eq!(both.workorder_id.as_deref(), Some("WOCAMEL"), "workorderId first");
    }
}
