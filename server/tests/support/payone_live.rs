//! The command-line arguments of a live PAYONE account (made-up ids of PAYONE's shapes) whose endpoint nothing
//! listens on: live mode must start, and refuse what it refuses, without the network. Shared by the tests that
//! start a live server with PAYONE (also the one built without the sandbox, which cannot use `support`).

include!("live_catalogue.rs");

/// Every PAYONE credential a live start needs, a shop's price list, and an endpoint on a closed port.
pub(crate) const LIVE_PAYONE_ARGS: [&str; 16] = [
    "--payone-mid",
    "12345",
    "--payone-portalid",
    "1234567",
    "--payone-aid",
    "12346",
    "--payone-key",
    "live-secret",
    "--amazon-merchant-id",
    "A2LIVE",
    "--payone-endpoint",
    "http://127.0.0.1:9/",
    "--listen",
    "127.0.0.1:0",
    "--catalogue",
    LIVE_CATALOGUE,
];

/// `amazon-pay-server` with [`LIVE_PAYONE_ARGS`], its data in `data_dir`, then `more`.
pub(crate) fn live_payone_argv<'a>(data_dir: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    ["amazon-pay-server", "--data-dir", data_dir].into_iter().chain(LIVE_PAYONE_ARGS).chain(more.iter().copied()).collect()
}
