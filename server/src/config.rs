//! Configuration from the command line and the environment, validated once at start.

use crate::sandbox::SimTimings;
use amazon_pay_contract::Currency;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Command-line arguments; every option can also come from the environment.
#[derive(Debug, Clone, Parser)]
#[command(name = "amazon-pay-server", version, about = "Amazon Pay backend with an offline sandbox")]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AMAZON_PAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Run against the built-in sandbox (the default when no PAYONE or CheckoutChamp credentials are set).
    #[arg(long)]
    pub sandbox: bool,
    /// Directory of the embedded SQLite database.
    #[arg(long, env = "AMAZON_PAY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The widget as Trunk built it.
    #[arg(long, env = "AMAZON_PAY_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// The demo pages.
    #[arg(long, env = "AMAZON_PAY_STATIC_DIR", default_value = "static")]
    pub static_dir: PathBuf,
    /// The URL buyers reach this server at (return URLs are built from it). Defaults to `http://<listen>`.
    #[arg(long, env = "AMAZON_PAY_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[arg(long, env = "PAYONE_MID")]
    pub payone_mid: Option<String>,
    #[arg(long, env = "PAYONE_PORTALID")]
    pub payone_portalid: Option<String>,
    #[arg(long, env = "PAYONE_AID")]
    pub payone_aid: Option<String>,
    #[arg(long, env = "PAYONE_KEY", hide_env_values = true)]
    pub payone_key: Option<String>,
    /// PAYONE's Server API endpoint. Defaults to PAYONE's live gateway, or the sandbox's simulator.
    #[arg(long, env = "PAYONE_ENDPOINT")]
    pub payone_endpoint: Option<String>,
    /// How long to wait for PAYONE before giving up (PAYONE's plugins use 45 s).
    #[arg(long, env = "PAYONE_TIMEOUT_MS", default_value_t = 45_000)]
    pub payone_timeout_ms: u64,
    /// `preauthorization` (authorize now, capture when shipping) or `authorization` (capture at once).
    #[arg(long, env = "PAYONE_AUTHORIZATION", value_enum, default_value_t = Authorization::Preauthorization)]
    pub payone_authorization: Authorization,
    /// Sandbox: where the PAYONE simulator sends TransactionStatus notifications. Defaults to this server's own
    /// receiver, `{public_url}/payone/transaction-status`; an empty value sends none.
    #[arg(long, env = "PAYONE_NOTIFY_URL")]
    pub payone_notify_url: Option<String>,
    /// Sandbox: milliseconds from `appointed` to the later `paid` or `failed` (and from `capture` to `paid`).
    #[arg(long, env = "SANDBOX_SETTLE_MS", default_value_t = 1_000)]
    pub sandbox_settle_ms: u64,
    /// Sandbox: milliseconds the "upstream timeout" scenario holds a PAYONE request before answering nothing.
    #[arg(long, env = "SANDBOX_UPSTREAM_HOLD_MS", default_value_t = 60_000)]
    pub sandbox_upstream_hold_ms: u64,
    /// Sandbox: comma-separated waits in milliseconds before each retry of an unacknowledged notification
    /// (at most 11: PAYONE tries 12 times).
    #[arg(long, env = "SANDBOX_NOTIFY_RETRY_MS", value_delimiter = ',', default_values_t = SimTimings::DEFAULT_RETRY_MS)]
    pub sandbox_notify_retry_ms: Vec<u64>,
    /// Amazon Pay merchant id shown to `checkout.js` (public).
    #[arg(long, env = "AMAZON_MERCHANT_ID")]
    pub amazon_merchant_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_LOGIN_ID")]
    pub checkoutchamp_login_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_PASSWORD", hide_env_values = true)]
    pub checkoutchamp_password: Option<String>,
    /// CheckoutChamp's API base URL. Defaults to the real API, or the sandbox's simulator.
    #[arg(long, env = "CHECKOUTCHAMP_ENDPOINT")]
    pub checkoutchamp_endpoint: Option<String>,
    /// The campaign orders are imported into (an integer).
    #[arg(long, env = "CHECKOUTCHAMP_CAMPAIGN_ID")]
    pub checkoutchamp_campaign_id: Option<String>,
    /// The CRM's id of the Amazon Pay MID (MID list page), sent as `amazonBillerId`; not the Amazon seller id.
    #[arg(long, env = "CHECKOUTCHAMP_AMAZON_BILLER_ID")]
    pub checkoutchamp_amazon_biller_id: Option<String>,
    /// How long to wait for CheckoutChamp (and for Amazon's profile endpoint) before giving up.
    #[arg(long, env = "CHECKOUTCHAMP_TIMEOUT_MS", default_value_t = 30_000)]
    pub checkoutchamp_timeout_ms: u64,
    /// Login with Amazon's profile host (`/user/profile` is appended). Defaults to Amazon's EU host, or the sandbox.
    #[arg(long, env = "AMAZON_PROFILE_ENDPOINT")]
    pub amazon_profile_endpoint: Option<String>,
}

/// PAYONE's request type for placing an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Authorization {
    /// Reserve the amount; the merchant captures when shipping (`paid` follows the capture).
    Preauthorization,
    /// Reserve and capture at once (`paid` follows by itself).
    Authorization,
}

impl Authorization {
    pub const fn request(self) -> &'static str {
        match self {
            Authorization::Preauthorization => "preauthorization",
            Authorization::Authorization => "authorization",
        }
    }
}

/// Whether upstream calls go to the sandbox or to the real services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sandbox,
    Live,
}

/// PAYONE credentials; the portal key never leaves the server.
#[derive(Clone)]
pub struct PayoneConfig {
    pub mid: String,
    pub portal_id: String,
    pub aid: String,
    pub key: String,
    /// `None` means "the in-process sandbox simulator at this server's own address".
    pub endpoint: Option<String>,
    pub currency: Currency,
}

impl std::fmt::Debug for PayoneConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayoneConfig")
            .field("mid", &self.mid)
            .field("portal_id", &self.portal_id)
            .field("aid", &self.aid)
            .field("key", &"<redacted>")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// CheckoutChamp API user and campaign; the password never leaves the server.
#[derive(Clone)]
pub struct CheckoutChampConfig {
    pub login_id: String,
    pub password: String,
    /// Numeric.
    pub campaign_id: String,
    /// Numeric: the CRM's id of the Amazon Pay MID.
    pub amazon_biller_id: String,
    /// `None` means "the in-process sandbox simulator at this server's own address".
    pub endpoint: Option<String>,
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for CheckoutChampConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutChampConfig")
            .field("login_id", &self.login_id)
            .field("password", &"<redacted>")
            .field("campaign_id", &self.campaign_id)
            .field("amazon_biller_id", &self.amazon_biller_id)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// CheckoutChamp's validating SDK caps `loginId` and `password` at this length.
pub const CHECKOUTCHAMP_MAX_CREDENTIAL_LEN: usize = 32;

impl CheckoutChampConfig {
    /// The sandbox defaults (documented in the README).
    pub fn sandbox() -> CheckoutChampConfig {
        use sandbox_defaults as d;
        CheckoutChampConfig {
            login_id: d::CHECKOUTCHAMP_LOGIN_ID.to_owned(),
            password: d::CHECKOUTCHAMP_PASSWORD.to_owned(),
            campaign_id: d::CHECKOUTCHAMP_CAMPAIGN_ID.to_owned(),
            amazon_biller_id: d::CHECKOUTCHAMP_AMAZON_BILLER_ID.to_owned(),
            endpoint: None,
            timeout: std::time::Duration::from_secs(30),
        }
    }

    /// `None` in live mode without `CHECKOUTCHAMP_LOGIN_ID` (the merchant does not use CheckoutChamp);
    /// with it, every CheckoutChamp setting is required. Sandbox mode fills in the documented defaults.
    fn from_args(
        mode: Mode,
        login_id: Option<String>,
        password: Option<String>,
        campaign_id: Option<String>,
        amazon_biller_id: Option<String>,
        endpoint: Option<String>,
        timeout_ms: u64,
    ) -> Result<Option<CheckoutChampConfig>, ConfigError> {
        use sandbox_defaults as d;
        if mode == Mode::Live && login_id.is_none() {
            return Ok(None);
        }
        let pick = |value: Option<String>, default: &'static str, name: &'static str| match (value, mode) {
            (Some(v), _) => Ok(v),
            (None, Mode::Sandbox) => Ok(default.to_owned()),
            (None, Mode::Live) => Err(ConfigError::Missing(name)),
        };
        let login_id = pick(login_id, d::CHECKOUTCHAMP_LOGIN_ID, "CHECKOUTCHAMP_LOGIN_ID")?;
        let password = pick(password, d::CHECKOUTCHAMP_PASSWORD, "CHECKOUTCHAMP_PASSWORD")?;
        for (name, value) in [("CHECKOUTCHAMP_LOGIN_ID", &login_id), ("CHECKOUTCHAMP_PASSWORD", &password)] {
            if value.chars().count() > CHECKOUTCHAMP_MAX_CREDENTIAL_LEN {
                return Err(ConfigError::TooLong { name, max: CHECKOUTCHAMP_MAX_CREDENTIAL_LEN });
            }
        }
        Ok(Some(CheckoutChampConfig {
            login_id,
            password,
            campaign_id: numeric(
                "CHECKOUTCHAMP_CAMPAIGN_ID",
                pick(campaign_id, d::CHECKOUTCHAMP_CAMPAIGN_ID, "CHECKOUTCHAMP_CAMPAIGN_ID")?,
            )?,
            amazon_biller_id: numeric(
                "CHECKOUTCHAMP_AMAZON_BILLER_ID",
                pick(amazon_biller_id, d::CHECKOUTCHAMP_AMAZON_BILLER_ID, "CHECKOUTCHAMP_AMAZON_BILLER_ID")?,
            )?,
            endpoint: match mode {
                Mode::Sandbox => endpoint,
                Mode::Live => Some(endpoint.unwrap_or_else(|| crate::checkoutchamp::CHECKOUTCHAMP_LIVE_ENDPOINT.to_owned())),
            },
            timeout: std::time::Duration::from_millis(timeout_ms.max(1)),
        }))
    }
}

/// Sandbox defaults, documented in the README.
pub mod sandbox_defaults {
    pub const PAYONE_MID: &str = "10000";
    pub const PAYONE_PORTALID: &str = "2000000";
    pub const PAYONE_AID: &str = "10001";
    pub const PAYONE_KEY: &str = "sandbox-portal-key";
    pub const AMAZON_MERCHANT_ID: &str = "A2SANDBOXMERCHANT";
    pub const CHECKOUTCHAMP_LOGIN_ID: &str = "sandbox-api-user";
    pub const CHECKOUTCHAMP_PASSWORD: &str = "sandbox-api-password";
    pub const CHECKOUTCHAMP_CAMPAIGN_ID: &str = "1";
    pub const CHECKOUTCHAMP_AMAZON_BILLER_ID: &str = "5";
}

/// PAYONE's real gateway (same URL for test and live; `mode` selects).
pub const PAYONE_LIVE_ENDPOINT: &str = "https://api.pay1.de/post-gateway/";

/// The validated configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub dist_dir: PathBuf,
    pub static_dir: PathBuf,
    pub public_url: Option<String>,
    pub payone: PayoneConfig,
    pub payone_timeout: std::time::Duration,
    pub payone_authorization: Authorization,
    pub amazon_merchant_id: String,
    /// `None` in live mode when CheckoutChamp is not configured.
    pub checkoutchamp: Option<CheckoutChampConfig>,
    /// Login with Amazon's profile host; `None` means the sandbox's stand-in at this server's own address.
    pub amazon_profile_endpoint: Option<String>,
    /// Sandbox only: the PAYONE simulator's TransactionStatus target (`None`: this server's own receiver).
    pub payone_notify_url: Option<String>,
    /// Sandbox only: the simulators' delays.
    pub sandbox_timings: SimTimings,
}

/// A configuration that cannot work, said in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("live mode needs {0}; set it, or start with --sandbox")]
    Missing(&'static str),
    #[error("{name} must be numeric, got {value:?}")]
    NotNumeric { name: &'static str, value: String },
    #[error("{name} must be at most {max} characters")]
    TooLong { name: &'static str, max: usize },
    #[error("SANDBOX_NOTIFY_RETRY_MS lists {0} retries; PAYONE tries at most 12 times, so give at most 11")]
    TooManyRetries(usize),
}

impl Config {
    /// Validates arguments; sandbox mode fills in the documented defaults.
    pub fn from_args(args: Args) -> Result<Config, ConfigError> {
        let has_credentials = args.payone_key.is_some() || args.checkoutchamp_login_id.is_some();
        let mode = if args.sandbox || !has_credentials { Mode::Sandbox } else { Mode::Live };
        let pick = |value: Option<String>, default: &'static str, name: &'static str| match (value, mode) {
            (Some(v), _) => Ok(v),
            (None, Mode::Sandbox) => Ok(default.to_owned()),
            (None, Mode::Live) => Err(ConfigError::Missing(name)),
        };
        use sandbox_defaults as d;
        let payone = PayoneConfig {
            mid: numeric("PAYONE_MID", pick(args.payone_mid, d::PAYONE_MID, "PAYONE_MID")?)?,
            portal_id: numeric("PAYONE_PORTALID", pick(args.payone_portalid, d::PAYONE_PORTALID, "PAYONE_PORTALID")?)?,
            aid: numeric("PAYONE_AID", pick(args.payone_aid, d::PAYONE_AID, "PAYONE_AID")?)?,
            key: pick(args.payone_key, d::PAYONE_KEY, "PAYONE_KEY")?,
            endpoint: match mode {
                Mode::Sandbox => args.payone_endpoint,
                Mode::Live => Some(args.payone_endpoint.unwrap_or_else(|| PAYONE_LIVE_ENDPOINT.to_owned())),
            },
            currency: Currency::Eur,
        };
        let checkoutchamp = CheckoutChampConfig::from_args(
            mode,
            args.checkoutchamp_login_id,
            args.checkoutchamp_password,
            args.checkoutchamp_campaign_id,
            args.checkoutchamp_amazon_biller_id,
            args.checkoutchamp_endpoint,
            args.checkoutchamp_timeout_ms,
        )?;
        let amazon_profile_endpoint = match mode {
            Mode::Sandbox => args.amazon_profile_endpoint,
            Mode::Live => Some(
                args.amazon_profile_endpoint
                    .unwrap_or_else(|| crate::amazon_profile::AMAZON_PROFILE_LIVE_ENDPOINT.to_owned()),
            ),
        };
        if args.sandbox_notify_retry_ms.len() > 11 {
            return Err(ConfigError::TooManyRetries(args.sandbox_notify_retry_ms.len()));
        }
        let sandbox_timings = SimTimings {
            settle_delay: std::time::Duration::from_millis(args.sandbox_settle_ms),
            upstream_hold: std::time::Duration::from_millis(args.sandbox_upstream_hold_ms),
            notify_retry_delays: args.sandbox_notify_retry_ms.iter().map(|ms| std::time::Duration::from_millis(*ms)).collect(),
            ..SimTimings::default()
        };
        Ok(Config {
            mode,
            listen: args.listen,
            data_dir: args.data_dir,
            dist_dir: args.dist_dir,
            static_dir: args.static_dir,
            public_url: args.public_url,
            payone_authorization: args.payone_authorization,
            payone_timeout: std::time::Duration::from_millis(args.payone_timeout_ms.max(1)),
            amazon_merchant_id: pick(args.amazon_merchant_id, d::AMAZON_MERCHANT_ID, "AMAZON_MERCHANT_ID")?,
            payone,
            checkoutchamp,
            amazon_profile_endpoint,
            payone_notify_url: args.payone_notify_url,
            sandbox_timings,
        })
    }

    /// A sandbox configuration for tests: free loopback port, the given data directory.
    pub fn sandbox_for_tests(data_dir: PathBuf) -> Config {
        let args = Args::parse_from([
            "amazon-pay-server",
            "--sandbox",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.to_str().unwrap_or("data"),
        ]);
        // The arguments above are fixed and valid; sandbox mode needs no credentials.
        Config::from_args(args).expect("sandbox test configuration is valid")
    }
}

fn numeric(name: &'static str, value: String) -> Result<String, ConfigError> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(ConfigError::NotNumeric { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("amazon-pay-server").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn sandbox_is_the_default_without_credentials() {
        let config = Config::from_args(parse(&[])).unwrap();
        assert_eq!(config.mode, Mode::Sandbox);
        assert_eq!(config.payone.key, sandbox_defaults::PAYONE_KEY);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn live_mode_requires_every_credential() {
        let err = Config::from_args(parse(&["--payone-key", "secret"])).unwrap_err();
        assert!(matches!(err, ConfigError::Missing("PAYONE_MID")), "{err}");
    }

    #[test]
    fn ids_must_be_numeric() {
        let err = Config::from_args(parse(&["--sandbox", "--payone-mid", "12a"])).unwrap_err();
        assert!(err.to_string().contains("PAYONE_MID"));
    }

    #[test]
    fn checkoutchamp_has_sandbox_defaults_and_live_requirements() {
        let sandbox = Config::from_args(parse(&[])).unwrap().checkoutchamp.unwrap();
        assert_eq!(sandbox.login_id, sandbox_defaults::CHECKOUTCHAMP_LOGIN_ID);
        assert_eq!(sandbox.campaign_id, sandbox_defaults::CHECKOUTCHAMP_CAMPAIGN_ID);
        assert_eq!(sandbox.endpoint, None, "the sandbox simulator at the server's own address");
        let payone = ["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
        let live = Config::from_args(parse(&payone)).unwrap();
        assert!(live.checkoutchamp.is_none(), "live without CHECKOUTCHAMP_LOGIN_ID does not use CheckoutChamp");
        assert_eq!(live.amazon_profile_endpoint.as_deref(), Some("https://api.amazon.de"));
        let with_login: Vec<&str> = payone.iter().copied().chain(["--checkoutchamp-login-id", "api"]).collect();
        let err = Config::from_args(parse(&with_login)).unwrap_err();
        assert!(matches!(err, ConfigError::Missing("CHECKOUTCHAMP_PASSWORD")), "{err}");
        let long = "x".repeat(33);
        let err = Config::from_args(parse(&["--sandbox", "--checkoutchamp-password", &long])).unwrap_err();
        assert!(err.to_string().contains("CHECKOUTCHAMP_PASSWORD"), "{err}");
        let err = Config::from_args(parse(&["--sandbox", "--checkoutchamp-campaign-id", "one"])).unwrap_err();
        assert!(err.to_string().contains("CHECKOUTCHAMP_CAMPAIGN_ID"), "{err}");
        let config = Config::from_args(parse(&["--sandbox", "--checkoutchamp-password", "cc-topsecret"])).unwrap();
        assert!(!format!("{config:?}").contains("cc-topsecret"));
    }

    #[test]
    fn sandbox_timings_default_and_parse() {
        let config = Config::from_args(parse(&[])).unwrap();
        assert_eq!(config.sandbox_timings, SimTimings::default());
        assert_eq!(config.payone_notify_url, None);
        let config = Config::from_args(parse(&[
            "--sandbox-settle-ms",
            "5",
            "--sandbox-notify-retry-ms",
            "1,2,3",
            "--payone-notify-url",
            "http://127.0.0.1:1/ts",
        ]))
        .unwrap();
        assert_eq!(config.sandbox_timings.settle_delay, std::time::Duration::from_millis(5));
        assert_eq!(config.sandbox_timings.notify_retry_delays.len(), 3);
        assert_eq!(config.payone_notify_url.as_deref(), Some("http://127.0.0.1:1/ts"));
        let too_many = ["1"; 12].join(",");
        let err = Config::from_args(parse(&["--sandbox-notify-retry-ms", &too_many])).unwrap_err();
        assert!(matches!(err, ConfigError::TooManyRetries(12)), "{err}");
    }

    #[test]
    fn debug_output_hides_the_key() {
        let config = Config::from_args(parse(&["--sandbox", "--payone-key", "topsecret"])).unwrap();
        assert!(!format!("{config:?}").contains("topsecret"));
    }
}
