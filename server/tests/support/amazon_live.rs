//! The command-line arguments of a live Amazon Pay direct account (no PAYONE): the sandbox's merchant key and
//! made-up ids of the shapes Amazon issues. Shared by the tests that start or check such a configuration.

/// The sandbox's merchant key (PEM), which the live arguments name.
pub(crate) const MERCHANT_KEY_PEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");

include!("live_catalogue.rs");

/// `--provider amazon` with every `--amazon-*` credential a live start needs (the API endpoint left default),
/// the IPN's SNS topic (live mode warns without it) and a shop's price list.
pub(crate) const LIVE_AMAZON_ARGS: [&str; 14] = [
    "--provider",
    "amazon",
    "--amazon-merchant-id",
    "A2LIVEMERCHANT",
    "--amazon-store-id",
    "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
    "--amazon-public-key-id",
    "SANDBOX-AHWIDGETSANDBOXKEY0001",
    "--amazon-private-key",
    MERCHANT_KEY_PEM,
    "--amazon-ipn-topic-arns",
    IPN_TOPIC_ARN,
    "--catalogue",
    LIVE_CATALOGUE,
];

/// The SNS topic of the live account's IPN (a made-up account number).
pub(crate) const IPN_TOPIC_ARN: &str = "arn:aws:sns:eu-west-1:123456789012:amazon-pay-ipn";
