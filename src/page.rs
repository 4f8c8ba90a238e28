//! What the page's address tells the widget: the return parameters from Amazon and PAYONE.
//!
//! Parsing is pure (tested natively); reading `location.search` and cleaning the address bar are thin
//! wrappers around it.

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

/// Decodes one `application/x-www-form-urlencoded` component; `None` for invalid escapes or UTF-8.
fn decode(component: &str) -> Option<String> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // Two hex digits (`u8::from_str_radix` would also take `+5`, and is larger in the wasm).
                let hex = |j: usize| bytes.get(j).and_then(|&b| char::from(b).to_digit(16));
                out.push((hex(i + 1)? * 16 + hex(i + 2)?) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    utf8(&out)
}

/// `bytes` as text if they are UTF-8 (exactly what `String::from_utf8` accepts: no overlong forms, no
/// surrogates, nothing above U+10FFFF). A plain loop: `core`'s validator, inlined, is 0.7 KB of wasm.
fn utf8(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len());
    let mut rest = bytes.iter();
    while let Some(&lead) = rest.next() {
        // The sequence's length and the smallest code point it may carry (anything less is overlong).
        let (more, min, bits) = match lead {
            0x00..=0x7f => (0, 0, u32::from(lead)),
            0xc2..=0xdf => (1, 0x80, u32::from(lead & 0x1f)),
            0xe0..=0xef => (2, 0x800, u32::from(lead & 0x0f)),
            0xf0..=0xf4 => (3, 0x1_0000, u32::from(lead & 0x07)),
            _ => return None,
        };
        let mut code = bits;
        for _ in 0..more {
            let next = *rest.next()?;
            if next & 0xc0 != 0x80 {
                return None;
            }
            code = code << 6 | u32::from(next & 0x3f);
        }
        if code < min {
            return None;
        }
        // `from_u32` refuses surrogates and code points above U+10FFFF.
        text.push(char::from_u32(code)?);
    }
    Some(text)
}

/// The first value of each parameter in a query string (with or without the leading `?`).
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    crate::scan::pieces(crate::scan::trim_start(search, b'?'), b'&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = crate::scan::cut(pair, b'=');
            Some((decode(k)?, decode(v.unwrap_or_default())?))
        })
        .collect()
}

/// The first value of the parameter `name`, as [`query_pairs`] finds it, without building the pairs: for a
/// reader of a few names (a smaller wasm: no `Vec` of `String` pairs).
pub fn query_value(search: &str, name: &str) -> Option<String> {
    crate::scan::pieces(crate::scan::trim_start(search, b'?'), b'&').filter(|p| !p.is_empty()).find_map(|pair| {
        let (k, v) = crate::scan::cut(pair, b'=');
        if decode(k)? != name {
            return None;
        }
        decode(v.unwrap_or_default())
    })
}

fn param<'a>(pairs: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.as_str())
}

fn id_param(pairs: &[(String, String)], name: &'static str, aliases: &[&str]) -> Result<Option<String>, BadParam> {
    match param(pairs, aliases) {
        None => Ok(None),
        Some(v) if is_id(v) => Ok(Some(v.to_owned())),
        Some(_) => Err(BadParam { name }),
    }
}

impl ReviewParams {
    /// Parses `search`; `stored_workorder` is the id kept in sessionStorage when the button was rendered.
    pub fn parse(search: &str, stored_workorder: Option<String>) -> Result<ReviewParams, BadParam> {
        let pairs = query_pairs(search);
        let workorder_id = id_param(&pairs, "workorderId", &["workorderId", "workorderid"])?.or(stored_workorder.filter(|w| is_id(w)));
        Ok(ReviewParams {
            workorder_id,
            amazon_checkout_session_id: id_param(&pairs, "amazonCheckoutSessionId", &["amazonCheckoutSessionId"])?,
            order_id: id_param(&pairs, "order", &["order"])?,
        })
    }
}

/// The confirmation page's order id (`?order=`).
pub fn order_param(search: &str) -> Result<Option<String>, BadParam> {
    id_param(&query_pairs(search), "order", &["order"])
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

/// A fresh idempotency key for one "Place order" intent.
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .map(|w| crate::dom_calls::crypto(&w))
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| ["fallback-", &amazon_pay_contract::digits(js_sys::Math::random().to_bits())].concat())
}

impl std::fmt::Display for BadParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::js_error::write_parts(f, &["the query parameter ", self.name, " has an invalid value"])
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_what_std_accepts() {
        let check = |bytes: &[u8]| assert_eq!(utf8(bytes), String::from_utf8(bytes.to_vec()).ok(), "{bytes:02x?}");
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
                check(&[b'x', a, b]);
            }
        }
        // Three- and four-byte forms around every boundary: overlong, surrogates, the last code point, beyond.
        let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xee, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
        for &a in &edges {
            for &b in &edges {
                for &c in &edges {
                    check(&[a, b, c]);
                    for &d in &edges {
                        check(&[a, b, c, d]);
                    }
                }
            }
        }
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
    fn query_decoding_survives_garbage() {
        assert_eq!(query_pairs("?a=1&b=%zz&c=%E2%82%AC&&d"), vec![("a".into(), "1".into()), ("c".into(), "€".into()), ("d".into(), "".into())]);
        assert_eq!(query_pairs("%"), vec![]);
        for search in ["?a=1&b=%zz&c=%E2%82%AC&&d", "%", "", "?a=%zz&a=2", "a=1&a=2", "?%61=x", "c=%E2%82", "?d"] {
            for name in ["a", "b", "c", "d", "e"] {
                let pairs = query_pairs(search);
                let first = pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
                assert_eq!(query_value(search, name), first, "{search} {name}");
            }
        }
    }
}
