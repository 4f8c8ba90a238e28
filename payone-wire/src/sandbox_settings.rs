//! What the server's configuration and the sandbox agree on: the credentials the sandbox accepts by default
//! and the simulators' timing knobs. Here rather than in either crate, so the server's configuration does not
//! import the sandbox and a server built without the sandbox still parses the same flags.

use std::time::Duration;

/// The sandbox's default credentials (documented in docs/sandbox.md): what a server started without any accepts.
pub mod defaults {
    /// PAYONE merchant id.
    pub const PAYONE_MID: &str = "10000";
    /// PAYONE portal id.
    pub const PAYONE_PORTALID: &str = "2000000";
    /// PAYONE sub-account id.
    pub const PAYONE_AID: &str = "10001";
    /// PAYONE portal key (sent sha384-hashed).
    pub const PAYONE_KEY: &str = "sandbox-portal-key";
    /// Amazon seller id handed out by CV1 `getconfiguration`.
    pub const AMAZON_MERCHANT_ID: &str = "A2SANDBOXMERCHANT";
    /// CheckoutChamp API user.
    pub const CHECKOUTCHAMP_LOGIN_ID: &str = "sandbox-api-user";
    /// CheckoutChamp API password.
    pub const CHECKOUTCHAMP_PASSWORD: &str = "sandbox-api-password";
    /// CheckoutChamp campaign id (numeric).
    pub const CHECKOUTCHAMP_CAMPAIGN_ID: &str = "1";
    /// CheckoutChamp's id of the Amazon Pay MID (numeric).
    pub const CHECKOUTCHAMP_AMAZON_BILLER_ID: &str = "5";
}

/// The Login with Amazon client id the sandbox issues tokens for.
pub const SANDBOX_CLIENT_ID: &str = "amzn1.application-oa2-client.sandbox0000000000000000000000000";

/// The sandbox's timing knobs, in one place. Defaults keep the demo moving; tests shrink them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTimings {
    /// From `appointed` to the later `paid` or `failed`, and from `capture` to `paid`. PAYONE takes minutes.
    pub settle_delay: Duration,
    /// How long the "upstream timeout" scenario holds a request before answering nothing useful; longer than
    /// any client waits (PAYONE's plugins give up after 45 to 60 s).
    pub upstream_hold: Duration,
    /// Waits before the 2nd to 12th delivery attempt of a notification that was not answered `TSOK`: PAYONE's
    /// "12 tries within 48 hours, the first retry after about an hour", compressed.
    pub notify_retry_delays: Vec<Duration>,
    /// Per attempt; PAYONE's 10 s "cannot be extended".
    pub notify_attempt_timeout: Duration,
}

impl SimTimings {
    /// The default retry schedule in milliseconds: 11 retries after the first try, about 9 minutes in all.
    pub const DEFAULT_RETRY_MS: [u64; 11] = [200, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000, 300_000];
}

impl Default for SimTimings {
    fn default() -> Self {
        SimTimings {
            settle_delay: Duration::from_secs(1),
            upstream_hold: Duration::from_secs(60),
            notify_retry_delays: Self::DEFAULT_RETRY_MS.iter().map(|ms| Duration::from_millis(*ms)).collect(),
            notify_attempt_timeout: Duration::from_secs(10),
        }
    }
}
