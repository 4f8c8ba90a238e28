/// A shop's own price list: live mode refuses to start on the demo's made-up prices, so every test that starts
/// or checks a live configuration names this one. Pulled into `payone_live.rs` and `amazon_live.rs` with
/// `include!`, as those are included by path by test files that cannot use `support`.
pub(crate) const LIVE_CATALOGUE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/shop-catalogue.json");
