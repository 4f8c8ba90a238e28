//! PAYONE's `key=value` answers (`PayoneResponse::parse`): any bytes, no panic, and what the parser keeps is
//! what the simulator would write back.
#![no_main]

use amazon_pay_server::payone::PayoneResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The client reads answers as text; invalid UTF-8 reaches the parser as replacement characters.
    let body = String::from_utf8_lossy(data);
    let parsed = PayoneResponse::parse(&body);
    for (key, value) in parsed.fields() {
        assert!(!key.is_empty() && !key.contains('=') && key.trim() == key, "key {key:?}");
        assert_eq!(value.trim(), value, "value of {key:?}");
    }
    let _ = (parsed.status(), parsed.get("errorcode"), parsed.paydata("payload"), parsed.raw_lines());
    assert_eq!(PayoneResponse::parse(&parsed.to_body()).fields(), parsed.fields(), "round trip");
});
