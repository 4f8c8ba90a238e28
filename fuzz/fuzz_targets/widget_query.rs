//! The widget's address-bar parsing (`ReviewParams::parse`, `order_param`, `query_value`): any query string and
//! any sessionStorage value, no panic, and every id it accepts is 1 to 64 of `A-Za-z0-9_-`.
#![no_main]

use amazon_pay_widget::page::{order_param, query_value, ReviewParams};
use libfuzzer_sys::fuzz_target;

fn is_id(value: &str) -> bool {
    (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fuzz_target!(|input: (&str, Option<&str>)| {
    let (search, stored) = input;
    if let Ok(params) = ReviewParams::parse(search, stored.map(str::to_owned)) {
        for id in [&params.workorder_id, &params.amazon_checkout_session_id, &params.order_id].into_iter().flatten() {
            assert!(is_id(id), "accepted {id:?}");
        }
    }
    if let Ok(Some(order)) = order_param(search) {
        assert!(is_id(&order), "accepted {order:?}");
    }
    let _ = query_value(search, "order");
});
