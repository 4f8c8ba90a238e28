//! `page::query_value` in both of its builds: natively (`form_urlencoded`) and in headless Chromium (the browser's
//! own `URLSearchParams`, which the wasm asks instead of carrying a decoder). One table of cases for both, so the
//! native tests of the views' address parsing (return parameters, the sign-in answer, the upsell page's ids)
//! hold for what the browser does.

use amazon_pay_widget::page::query_value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `(query, name, first value)`.
const CASES: &[(&str, &str, Option<&str>)] = &[
    ("?a=1&b=2", "b", Some("2")),
    ("a=1", "a", Some("1")),
    ("?q=a+b", "q", Some("a b")),
    ("?q=a%20b", "q", Some("a b")),
    ("?q=%2B%26%3D", "q", Some("+&=")),
    ("?q=%7C", "q", Some("|")),
    ("?q=%7c", "q", Some("|")),
    ("?q=%E2%82%AC", "q", Some("€")),
    ("?q=%C3%BC", "q", Some("ü")),
    ("?q=ü", "q", Some("ü")),
    ("?q=%00", "q", Some("\0")),
    // A malformed escape stays as it is; bytes that are not UTF-8 become U+FFFD.
    ("?q=%zz", "q", Some("%zz")),
    ("?q=%", "q", Some("%")),
    ("?q=%2", "q", Some("%2")),
    ("?q=%E2%82", "q", Some("\u{FFFD}")),
    ("?q=%FF", "q", Some("\u{FFFD}")),
    // The first of repeated keys; empty values; keys decoded too.
    ("?a=1&a=2", "a", Some("1")),
    ("?a=%zz&a=2", "a", Some("%zz")),
    ("?a=&b", "a", Some("")),
    ("?a=&b", "b", Some("")),
    ("?%61=x", "a", Some("x")),
    ("?a+b=x", "a b", Some("x")),
    ("?a=1=2", "a", Some("1=2")),
    ("?&&a=1&", "a", Some("1")),
    // Absent.
    ("?a=1", "b", None),
    ("", "a", None),
    ("?", "a", None),
    ("??a=1", "a", None),
    ("?A=1", "a", None),
];

fn check() {
    for &(query, name, expected) in CASES {
        assert_eq!(query_value(query, name).as_deref(), expected, "{query:?} {name:?}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_decoding_is_the_url_standards() {
    check();
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn the_browser_decodes_the_same() {
    check();
}
