//! PAYONE's TransactionStatus form (`TransactionStatus::parse` + `verify`, ISO-8859-1): any bytes, no panic, and
//! only a notification with our key, portal and sub-account passes. The fuzzer may prepend the genuine fields,
//! so the code behind a passing check is reached too.
#![no_main]

use amazon_pay_contract::orders::OrderState;
use amazon_pay_server::orders::next_state;
use amazon_pay_server::payone::wire::notification_key;
use amazon_pay_server::payone::TransactionStatus;
use libfuzzer_sys::{arbitrary, fuzz_target};

const KEY: &str = "fuzz-portal-key";
const PORTAL: &str = "2000000";
const AID: &str = "10001";
const STATES: [&str; 9] = ["placing", "redirected", "approved", "pending", "paid", "failed", "declined", "abandoned", "upstream_failed"];

#[derive(Debug, arbitrary::Arbitrary)]
struct Input<'a> {
    genuine_key: bool,
    genuine_portal: bool,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let mut body = Vec::new();
    if input.genuine_key {
        body.extend_from_slice(format!("key={}&", notification_key(KEY)).as_bytes());
    }
    if input.genuine_portal {
        body.extend_from_slice(format!("portalid={PORTAL}&aid={AID}&").as_bytes());
    }
    body.extend_from_slice(input.body);
    let ts = TransactionStatus::parse(&body);
    if ts.verify(KEY, PORTAL, AID).is_ok() {
        assert_eq!(ts.get("key").map(str::to_ascii_lowercase), Some(notification_key(KEY)));
        assert_eq!(ts.get("portalid"), Some(PORTAL));
        assert!(ts.get("aid").is_none_or(|aid| aid == AID));
        assert!(ts.txid().is_some() && ts.txaction().is_some());
    }
    let _ = (ts.identity(), ts.transaction_status());
    for state in STATES {
        let state = OrderState::parse(state).expect("a known state");
        if let Some(next) = next_state(state, &ts) {
            assert_ne!(next, state);
            assert!(!state.is_final() || state == OrderState::Declined, "a final state never moves");
        }
    }
});
