//! The text log (the default format) cannot be forged by a request: a value a client chose (a field of a JSON
//! body that serde quotes in its error, a header) that holds a line break, an ANSI escape or a bidi override is
//! written escaped, so each event stays one line and a terminal shows what was sent, not what it says to do.
//! Its own binary: the log subscriber is global to a process.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_server::ops::LogFormat;
use support::captured_log::Captured;

/// What a client sends to forge a line of its own, in red, and to turn the rest of the line around.
const FORGED: &str = "en\r\n2026-12-07T14:00:00.000000Z  INFO amazon_pay_server: FORGED merchant key accepted \u{1b}[31mred\u{202e}evil";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cannot_write_a_line_of_its_own_or_escape_codes_into_the_text_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    amazon_pay_server::ops::logging::init_with(LogFormat::Text, move || writer.clone());
    let env = support::start().await;

    // serde names an unknown variant as it was sent; the refusal's detail is logged.
    let refused = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": FORGED})).await;
    assert_eq!(refused.status(), 400);
    // An unknown field too.
    let refused = env.post_json("/api/cv2/sessions/WOXXXXXXXXXXXXXX/delivery", &serde_json::json!({"delivery": FORGED, "language": "en"})).await;
    assert_eq!(refused.status(), 400);

    let bytes = captured.bytes();
    let text = String::from_utf8(bytes).expect("the log is UTF-8");
    assert!(text.contains("FORGED merchant key accepted"), "the refusals are logged: {text}");
    assert!(!text.contains('\u{1b}'), "an ANSI escape reached the log: {text:?}");
    assert!(!text.contains('\r'), "a carriage return reached the log: {text:?}");
    assert!(!text.contains('\u{202e}'), "a bidi override reached the log: {text:?}");
    for line in text.lines() {
        assert!(!line.contains("FORGED") || line.contains("request refused"), "a line of the client's own: {line:?}");
        assert!(line.starts_with("20") && line.contains('Z'), "every line is one event with its timestamp: {line:?}");
    }
}
