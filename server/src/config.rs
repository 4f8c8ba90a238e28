//! Configuration from the command line and the environment, validated once at start.

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
    /// Amazon Pay merchant id shown to `checkout.js` (public).
    #[arg(long, env = "AMAZON_MERCHANT_ID")]
    pub amazon_merchant_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_LOGIN_ID")]
    pub checkoutchamp_login_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_PASSWORD", hide_env_values = true)]
    pub checkoutchamp_password: Option<String>,
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

/// Sandbox defaults, documented in the README.
pub mod sandbox_defaults {
    pub const PAYONE_MID: &str = "10000";
    pub const PAYONE_PORTALID: &str = "2000000";
    pub const PAYONE_AID: &str = "10001";
    pub const PAYONE_KEY: &str = "sandbox-portal-key";
    pub const AMAZON_MERCHANT_ID: &str = "A2SANDBOXMERCHANT";
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
    pub amazon_merchant_id: String,
}

/// A configuration that cannot work, said in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("live mode needs {0}; set it, or start with --sandbox")]
    Missing(&'static str),
    #[error("{name} must be numeric, got {value:?}")]
    NotNumeric { name: &'static str, value: String },
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
        Ok(Config {
            mode,
            listen: args.listen,
            data_dir: args.data_dir,
            dist_dir: args.dist_dir,
            static_dir: args.static_dir,
            public_url: args.public_url,
            payone_timeout: std::time::Duration::from_millis(args.payone_timeout_ms.max(1)),
            amazon_merchant_id: pick(args.amazon_merchant_id, d::AMAZON_MERCHANT_ID, "AMAZON_MERCHANT_ID")?,
            payone,
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
    fn debug_output_hides_the_key() {
        let config = Config::from_args(parse(&["--sandbox", "--payone-key", "topsecret"])).unwrap();
        assert!(!format!("{config:?}").contains("topsecret"));
    }
}
