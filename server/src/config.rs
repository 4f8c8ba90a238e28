//! Configuration from the command line and the environment, validated once at start.

pub mod amazon;
pub mod merchant;

use amazon_pay_contract::Currency;
use clap::Parser;
use payone_wire::sandbox_settings::SimTimings;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Command-line arguments; every option can also come from the environment. `Debug` is written by hand
/// (below): the derived one printed the PAYONE key, the CheckoutChamp password and the database password.
#[derive(Clone, Parser)]
#[command(
    name = "amazon-pay-server",
    version,
    about = "Amazon Pay backend with an offline sandbox",
    after_help = "`amazon-pay-server check-config [OPTIONS]` validates the settings without starting: it prints them\n(secrets masked) and exits 0, or lists every problem and exits 1. `amazon-pay-server migrate-store --from sqlite:PATH\n--to postgres://...` copies a SQLite store into PostgreSQL. Operations: docs/operations.md."
)]
pub struct Args {
    /// A TOML file of settings named like the environment variables below (see docs/configuration.md).
    #[arg(long, env = "AMAZON_PAY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AMAZON_PAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Run against the built-in sandbox (the default when no PAYONE or CheckoutChamp credentials are set).
    #[arg(long)]
    pub sandbox: bool,
    /// Directory of the embedded SQLite database.
    #[arg(long, env = "AMAZON_PAY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The order store: `sqlite:` (the file under --data-dir), `sqlite:PATH`, or `postgres://...` (shared by
    /// several instances; see docs/operations.md).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite:")]
    pub database_url: String,
    /// The widget as Trunk built it.
    #[arg(long, env = "AMAZON_PAY_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// The demo pages.
    #[arg(long, env = "AMAZON_PAY_STATIC_DIR", default_value = "static")]
    pub static_dir: PathBuf,
    /// The URL buyers reach this server at (return URLs are built from it). Defaults to `http://<listen>`.
    #[arg(long, env = "AMAZON_PAY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Metrics, logs, request ids and shutdown (`crate::telemetry`).
    #[command(flatten)]
    pub ops: crate::telemetry::OpsArgs,
    #[arg(long, env = "PAYONE_MID")]
    /// The payone mid.
    pub payone_mid: Option<String>,
    #[arg(long, env = "PAYONE_PORTALID")]
    /// The payone portalid.
    pub payone_portalid: Option<String>,
    #[arg(long, env = "PAYONE_AID")]
    /// The payone aid.
    pub payone_aid: Option<String>,
    #[arg(long, env = "PAYONE_KEY", hide_env_values = true)]
    /// The payone key.
    pub payone_key: Option<String>,
    /// PAYONE's Server API endpoint. Defaults to PAYONE's live gateway, or the sandbox's simulator.
    #[arg(long, env = "PAYONE_ENDPOINT")]
    pub payone_endpoint: Option<String>,
    /// How long to wait for PAYONE before giving up (PAYONE's plugins use 45 s); at least 1.
    #[arg(long, env = "PAYONE_TIMEOUT_MS", default_value_t = 45_000, value_parser = clap::value_parser!(u64).range(1..))]
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
    /// Sandbox, load benchmarks only: `placeholder` makes the PAYONE simulator hand out one signature made at
    /// start for every button payload instead of signing each (PAYONE signs on its own machines, so a
    /// benchmark should not spend this machine's cores on it). Amazon's pages refuse such buttons.
    #[arg(long, env = "SANDBOX_BUTTON_SIGNATURES", value_enum, default_value_t = ButtonSignatures::Real)]
    pub sandbox_button_signatures: ButtonSignatures,
    /// The selling merchant's country of residence (ISO 3166-1 alpha-2). Amazon Pay through PAYONE serves
    /// merchants in DE, FR, IT, ES, LU, NL, SE, PT, HU and DK only.
    #[arg(long, env = "MERCHANT_COUNTRY", default_value = "DE")]
    pub merchant_country: String,
    /// The shop's currency. Amazon Pay through PAYONE takes EUR only.
    #[arg(long, env = "AMAZON_PAY_CURRENCY", default_value = "EUR")]
    pub currency: String,
    /// Whether the shop sells to businesses. Amazon Pay through PAYONE does not support B2B: `true` is refused.
    #[arg(long, env = "AMAZON_PAY_B2B", default_value_t = false, action = clap::ArgAction::Set)]
    pub b2b: bool,
    /// Comma-separated IP ranges TransactionStatus may come from (PAYONE: 185.60.20.0/24). Empty: any sender
    /// with the right key. Leave empty behind a proxy that hides the sender's address.
    #[arg(long, env = "PAYONE_NOTIFY_ALLOWED_IPS", value_delimiter = ',')]
    pub payone_notify_allowed_ips: Vec<crate::sender_range::IpRange>,
    /// PAYONE's `api_version`; at least 3.10 for Amazon Pay.
    #[arg(long, env = "PAYONE_API_VERSION", default_value = "3.10")]
    pub payone_api_version: String,
    /// The price list (JSON, like server/demo-catalogue.json). Defaults to the demo shop's.
    #[arg(long, env = "AMAZON_PAY_CATALOGUE")]
    pub catalogue: Option<PathBuf>,
    /// Amazon Pay merchant id shown to `checkout.js` (public).
    #[arg(long, env = "AMAZON_MERCHANT_ID")]
    pub amazon_merchant_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_LOGIN_ID")]
    /// The checkoutchamp login id.
    pub checkoutchamp_login_id: Option<String>,
    #[arg(long, env = "CHECKOUTCHAMP_PASSWORD", hide_env_values = true)]
    /// The checkoutchamp password.
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
    /// How long to wait for CheckoutChamp (and for Amazon's profile endpoint) before giving up; at least 1.
    #[arg(long, env = "CHECKOUTCHAMP_TIMEOUT_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub checkoutchamp_timeout_ms: u64,
    /// How often to ask CheckoutChamp (`order/query`) about orders it answered `PENDING` (Amazon's asynchronous
    /// authorization), so their stored status and webhooks follow the CRM's; each such order at most once per
    /// period, however many instances share the store. At least 1.
    #[arg(long, env = "CHECKOUTCHAMP_STATUS_EVERY_MS", default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub checkoutchamp_status_every_ms: u64,
    /// How often a paid (`complete`) CheckoutChamp order is asked about again, so a refund or cancel made in
    /// the CRM reaches its status and webhooks. At least 1.
    #[arg(long, env = "CHECKOUTCHAMP_FOLLOW_PAID_EVERY_MS", default_value_t = 21_600_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub checkoutchamp_follow_paid_every_ms: u64,
    /// For how many days after its import a paid CheckoutChamp order is asked about again (0: never; at most 365).
    #[arg(long, env = "CHECKOUTCHAMP_FOLLOW_PAID_DAYS", default_value_t = 14, value_parser = clap::value_parser!(u64).range(0..=365))]
    pub checkoutchamp_follow_paid_days: u64,
    /// Login with Amazon's profile host (`/user/profile` is appended). Defaults to Amazon's EU host, or the sandbox.
    #[arg(long, env = "AMAZON_PROFILE_ENDPOINT")]
    pub amazon_profile_endpoint: Option<String>,
    /// Login with Amazon client id (`amzn1.application-oa2-client.…`, public) for `Widgets.js` on pages that talk to
    /// Amazon directly (the CheckoutChamp lander). Defaults to the sandbox's client in sandbox mode.
    #[arg(long, env = "AMAZON_CLIENT_ID")]
    pub amazon_client_id: Option<String>,
    /// Seconds an order may stay `redirected` (the buyer on Amazon's pages, or gone) before it is given up as
    /// `abandoned`. Amazon cancels a checkout session not finished within 24 hours, so by default no longer.
    #[arg(long, env = "AMAZON_PAY_REDIRECTED_EXPIRY_SECONDS", default_value_t = DEFAULT_REDIRECTED_EXPIRY_SECONDS)]
    pub redirected_expiry_seconds: u64,
    /// Seconds an order may stay `placing` (its placement cut off before the provider's answer was stored)
    /// before it is given up as `abandoned`, reason `placement_cut_off`. PAYONE resends a TransactionStatus
    /// until it gets `TSOK` for at most 48 hours, so by default a little longer: an order still `placing`
    /// then has no transaction (and a late notification still moves it). While PAYONE is used, at least 48 hours.
    #[arg(long, env = "AMAZON_PAY_PLACING_EXPIRY_SECONDS", default_value_t = DEFAULT_PLACING_EXPIRY_SECONDS)]
    pub placing_expiry_seconds: u64,
    /// How PAYONE CV1 authorizations wait for Amazon (`add_paydata[amazon_timeout]`): `synchronous` (0),
    /// `asynchronous` (1440) or `first-synchronous` (0, and again with 1440 after error 980), as PAYONE's plugins offer.
    #[arg(long, env = "PAYONE_AMAZON_MODE", value_enum, default_value_t = AmazonMode::FirstSynchronous)]
    pub payone_amazon_mode: AmazonMode,
    /// Other sites (origins such as `https://shop.example`, comma-separated) whose pages may call the JSON API
    /// from a browser (CORS). Same-origin pages need nothing; any other origin is refused.
    #[arg(long, env = "AMAZON_PAY_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// The Content-Security-Policy header of the pages this server serves; empty turns it off.
    /// Defaults to a strict policy (see docs/configuration.md).
    #[arg(long, env = "AMAZON_PAY_CSP")]
    pub content_security_policy: Option<String>,
    /// The shop's return pages and the origins they may be on (see `return_urls.rs`).
    #[command(flatten)]
    pub return_pages: crate::return_urls::ReturnPageArgs,
    /// Webhooks to the shop and the merchant API.
    #[command(flatten)]
    pub merchant: merchant::MerchantArgs,
    /// `--provider` and the merchant's own Amazon Pay account.
    #[command(flatten)]
    pub amazon: amazon::AmazonArgs,
    /// Countries shipped to, PO boxes and Packstations refused, phone number required.
    #[command(flatten)]
    pub address_rules: crate::address_rules::AddressRuleArgs,
}

/// Stands in for a secret in `Debug` output: whether it is set, never what it is.
pub(crate) fn redacted(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| "<redacted>")
}

impl std::fmt::Debug for Args {
    /// Every field, secrets replaced by `<redacted>` and the database URL without its password. A new field
    /// is missing here until it is added, so a new secret is never printed by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("config", &self.config)
            .field("listen", &self.listen)
            .field("sandbox", &self.sandbox)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.parse::<crate::store::DatabaseUrl>().map_err(|_| "<unparsable, redacted>"))
            .field("dist_dir", &self.dist_dir)
            .field("static_dir", &self.static_dir)
            .field("public_url", &self.public_url)
            .field("ops", &self.ops)
            .field("payone_mid", &self.payone_mid)
            .field("payone_portalid", &self.payone_portalid)
            .field("payone_aid", &self.payone_aid)
            .field("payone_key", &redacted(&self.payone_key))
            .field("payone_endpoint", &self.payone_endpoint)
            .field("payone_timeout_ms", &self.payone_timeout_ms)
            .field("payone_authorization", &self.payone_authorization)
            .field("payone_notify_url", &self.payone_notify_url)
            .field("sandbox_settle_ms", &self.sandbox_settle_ms)
            .field("sandbox_upstream_hold_ms", &self.sandbox_upstream_hold_ms)
            .field("sandbox_notify_retry_ms", &self.sandbox_notify_retry_ms)
            .field("sandbox_button_signatures", &self.sandbox_button_signatures)
            .field("merchant_country", &self.merchant_country)
            .field("currency", &self.currency)
            .field("b2b", &self.b2b)
            .field("payone_notify_allowed_ips", &self.payone_notify_allowed_ips)
            .field("payone_api_version", &self.payone_api_version)
            .field("catalogue", &self.catalogue)
            .field("amazon_merchant_id", &self.amazon_merchant_id)
            .field("checkoutchamp_login_id", &self.checkoutchamp_login_id)
            .field("checkoutchamp_password", &redacted(&self.checkoutchamp_password))
            .field("checkoutchamp_endpoint", &self.checkoutchamp_endpoint)
            .field("checkoutchamp_campaign_id", &self.checkoutchamp_campaign_id)
            .field("checkoutchamp_amazon_biller_id", &self.checkoutchamp_amazon_biller_id)
            .field("checkoutchamp_timeout_ms", &self.checkoutchamp_timeout_ms)
            .field("checkoutchamp_status_every_ms", &self.checkoutchamp_status_every_ms)
            .field("amazon_profile_endpoint", &self.amazon_profile_endpoint)
            .field("amazon_client_id", &self.amazon_client_id)
            .field("redirected_expiry_seconds", &self.redirected_expiry_seconds)
            .field("placing_expiry_seconds", &self.placing_expiry_seconds)
            .field("payone_amazon_mode", &self.payone_amazon_mode)
            .field("allowed_origins", &self.allowed_origins)
            .field("content_security_policy", &self.content_security_policy)
            .field("return_pages", &self.return_pages)
            .field("merchant", &self.merchant)
            .field("amazon", &self.amazon)
            .field("address_rules", &self.address_rules)
            .finish()
    }
}

/// 24 hours: how long Amazon keeps a checkout session open for the buyer to finish (Amazon Pay API v2,
/// "Checkout Session": Open, then Canceled unless the buyer completes checkout within 24 hours).
pub const DEFAULT_REDIRECTED_EXPIRY_SECONDS: u64 = 24 * 60 * 60;

/// PAYONE's 48 hours of TransactionStatus retries, and an hour more.
pub const DEFAULT_PLACING_EXPIRY_SECONDS: u64 = 49 * 60 * 60;

/// The least `--placing-expiry-seconds` while PAYONE is used: PAYONE resends a TransactionStatus that was not
/// acknowledged with `TSOK` at most 12 times within at most 48 hours, so an order given up sooner may still be
/// authorized or paid by a notification on its way.
pub const MIN_PLACING_EXPIRY_SECONDS: u64 = 48 * 60 * 60;

/// The most `--placing-expiry-seconds` may be: 30 days, how long an Amazon Pay authorization stays valid (a
/// Charge left Authorized expires after 30 days; PAYONE's Amazon Pay reservations are Amazon's). An order still
/// `placing` by then can never be captured, so keeping it longer serves nothing, and a larger value is a typo
/// (days or milliseconds given as seconds) that would keep cut-off orders `placing` for years.
pub const MAX_PLACING_EXPIRY_SECONDS: u64 = 30 * 24 * 60 * 60;

/// PAYONE's request type for placing an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Authorization {
    /// Reserve the amount; the merchant captures when shipping (`paid` follows the capture).
    Preauthorization,
    /// Reserve and capture at once (`paid` follows by itself).
    Authorization,
}

/// How the sandbox's PAYONE simulator signs button payloads (`SANDBOX_BUTTON_SIGNATURES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ButtonSignatures {
    /// A real RSA-PSS signature of each payload: checkouts work end to end.
    Real,
    /// One signature for every payload, for load benchmarks: no button can be clicked through.
    Placeholder,
}

impl Authorization {
    /// PAYONE's request type for this mode (`preauthorization` or `authorization`).
    pub const fn request(self) -> &'static str {
        match self {
            Authorization::Preauthorization => "preauthorization",
            Authorization::Authorization => "authorization",
        }
    }
}

/// How a PAYONE CV1 authorization (`wallettype=AMZ`) waits for Amazon's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AmazonMode {
    /// `amazon_timeout=0`: `APPROVED` or an error at once (error 980 when Amazon needs longer).
    Synchronous,
    /// `amazon_timeout=1440`: `PENDING`; Amazon's decision follows as TransactionStatus notifications.
    Asynchronous,
    /// Synchronous first; after error 980 the same authorization again, asynchronously.
    FirstSynchronous,
}

/// Whether upstream calls go to the sandbox or to the real services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Sandbox.
    Sandbox,
    /// Live.
    Live,
}

/// PAYONE credentials; the portal key never leaves the server.
#[derive(Clone)]
pub struct PayoneConfig {
    /// The mid.
    pub mid: String,
    /// The portal id.
    pub portal_id: String,
    /// The aid.
    pub aid: String,
    /// The key.
    pub key: String,
    /// `None` means "the in-process sandbox simulator at this server's own address".
    pub endpoint: Option<String>,
    /// The currency.
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
    /// The login id.
    pub login_id: String,
    /// The password.
    pub password: String,
    /// Numeric.
    pub campaign_id: String,
    /// Numeric: the CRM's id of the Amazon Pay MID.
    pub amazon_biller_id: String,
    /// `None` means "the in-process sandbox simulator at this server's own address".
    pub endpoint: Option<String>,
    /// The timeout.
    pub timeout: std::time::Duration,
    /// How often pending orders are queried (`CHECKOUTCHAMP_STATUS_EVERY_MS`).
    pub status_every: std::time::Duration,
    /// How often paid orders are queried again (`CHECKOUTCHAMP_FOLLOW_PAID_EVERY_MS`).
    pub paid_every: std::time::Duration,
    /// For how long after the import paid orders are queried again (`CHECKOUTCHAMP_FOLLOW_PAID_DAYS`).
    pub paid_for: std::time::Duration,
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
            .field("status_every", &self.status_every)
            .field("paid_every", &self.paid_every)
            .field("paid_for", &self.paid_for)
            .finish()
    }
}

/// CheckoutChamp's validating SDK caps `loginId` and `password` at this length.
pub const CHECKOUTCHAMP_MAX_CREDENTIAL_LEN: usize = 32;

impl CheckoutChampConfig {
    /// The sandbox defaults (documented in docs/sandbox.md).
    pub fn sandbox() -> CheckoutChampConfig {
        use sandbox_defaults as d;
        CheckoutChampConfig {
            login_id: d::CHECKOUTCHAMP_LOGIN_ID.to_owned(),
            password: d::CHECKOUTCHAMP_PASSWORD.to_owned(),
            campaign_id: d::CHECKOUTCHAMP_CAMPAIGN_ID.to_owned(),
            amazon_biller_id: d::CHECKOUTCHAMP_AMAZON_BILLER_ID.to_owned(),
            endpoint: None,
            timeout: std::time::Duration::from_secs(30),
            status_every: std::time::Duration::from_secs(60),
            paid_every: std::time::Duration::from_secs(6 * 3600),
            paid_for: std::time::Duration::from_secs(14 * 86_400),
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
            if mode == Mode::Live && value.trim().is_empty() {
                return Err(ConfigError::Missing(name));
            }
            if value.chars().count() > CHECKOUTCHAMP_MAX_CREDENTIAL_LEN {
                return Err(ConfigError::TooLong { name, max: CHECKOUTCHAMP_MAX_CREDENTIAL_LEN });
            }
        }
        Ok(Some(CheckoutChampConfig {
            login_id,
            password,
            campaign_id: numeric("CHECKOUTCHAMP_CAMPAIGN_ID", pick(campaign_id, d::CHECKOUTCHAMP_CAMPAIGN_ID, "CHECKOUTCHAMP_CAMPAIGN_ID")?)?,
            amazon_biller_id: numeric(
                "CHECKOUTCHAMP_AMAZON_BILLER_ID",
                pick(amazon_biller_id, d::CHECKOUTCHAMP_AMAZON_BILLER_ID, "CHECKOUTCHAMP_AMAZON_BILLER_ID")?,
            )?,
            endpoint: match mode {
                Mode::Sandbox => endpoint,
                Mode::Live => Some(endpoint.unwrap_or_else(|| CHECKOUTCHAMP_LIVE_ENDPOINT.to_owned())),
            },
            timeout: std::time::Duration::from_millis(timeout_ms.max(1)),
            status_every: CheckoutChampConfig::sandbox().status_every,
            paid_every: CheckoutChampConfig::sandbox().paid_every,
            paid_for: CheckoutChampConfig::sandbox().paid_for,
        }))
    }
}

/// Sandbox defaults, documented in docs/sandbox.md (shared with the sandbox crate).
pub use payone_wire::sandbox_settings::defaults as sandbox_defaults;

/// CheckoutChamp's API host.
pub const CHECKOUTCHAMP_LIVE_ENDPOINT: &str = "https://api.checkoutchamp.com";

/// PAYONE's real gateway (same URL for test and live; `mode` selects).
pub const PAYONE_LIVE_ENDPOINT: &str = "https://api.pay1.de/post-gateway/";

/// The validated configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The mode.
    pub mode: Mode,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The data dir.
    pub data_dir: PathBuf,
    /// Where the order store is (`--database-url`).
    pub database_url: crate::store::DatabaseUrl,
    /// The dist dir.
    pub dist_dir: PathBuf,
    /// The static dir.
    pub static_dir: PathBuf,
    /// The public URL.
    pub public_url: Option<String>,
    /// Metrics, logs, request ids and shutdown.
    pub ops: crate::telemetry::OpsArgs,
    /// PAYONE's credentials and endpoint.
    pub payone: PayoneConfig,
    /// The payone timeout.
    pub payone_timeout: std::time::Duration,
    /// The payone authorization.
    pub payone_authorization: Authorization,
    /// The amazon merchant id.
    pub amazon_merchant_id: String,
    /// `None` in live mode when CheckoutChamp is not configured.
    pub checkoutchamp: Option<CheckoutChampConfig>,
    /// Login with Amazon's profile host; `None` means the sandbox's stand-in at this server's own address.
    pub amazon_profile_endpoint: Option<String>,
    /// Sandbox only: the PAYONE simulator's TransactionStatus target (`None`: this server's own receiver).
    pub payone_notify_url: Option<String>,
    /// Sandbox only: the simulators' delays.
    pub sandbox_timings: SimTimings,
    /// Sandbox only: real button signatures, or the benchmark's placeholder.
    pub sandbox_button_signatures: ButtonSignatures,
    /// Login with Amazon client id for `Widgets.js` (CheckoutChamp lander): `AMAZON_CLIENT_ID`, else with
    /// `--provider amazon` the store id (the same kind of id); `None` when neither is configured (live PAYONE).
    pub amazon_client_id: Option<String>,
    /// How PAYONE CV1 authorizations wait for Amazon.
    pub payone_amazon_mode: AmazonMode,
    /// Normalized origins (`https://shop.example`) allowed to call the JSON API cross-origin.
    pub allowed_origins: Vec<String>,
    /// The pages' Content-Security-Policy; `None`: no header.
    pub content_security_policy: Option<String>,
    /// ISO 3166-1 alpha-2, one of [`MERCHANT_COUNTRIES`].
    pub merchant_country: String,
    /// `api_version` sent to PAYONE (at least 3.10).
    pub payone_api_version: String,
    /// Ranges TransactionStatus notifications may come from; empty: any.
    pub payone_notify_allowed_ips: Vec<crate::sender_range::IpRange>,
    /// The price list, `None` for the demo shop's.
    pub catalogue: Option<PathBuf>,
    /// The shop's return pages as configured; checked in `Server::bind`, which knows the public URL.
    pub return_pages: crate::return_urls::ReturnPageArgs,
    /// Webhooks to the shop and the merchant API.
    pub merchant: merchant::MerchantConfig,
    /// Who carries Checkout v2 and APB payments.
    pub provider: amazon::Provider,
    /// The merchant's Amazon Pay account, with `--provider amazon`.
    pub amazon: Option<amazon::AmazonConfig>,
    /// Whether PAYONE is configured: always with `--provider payone` and in sandbox mode; with `--provider
    /// amazon` in live mode only when `PAYONE_KEY` is set (else PAYONE's routes are not served).
    pub payone_enabled: bool,
    /// Where and how the shop delivers (checked on every CV2 and APB address).
    pub address_rules: crate::address_rules::AddressRules,
    /// How long an order may stay `redirected` before it is given up (`crate::redirect_expiry`).
    pub redirected_expiry: std::time::Duration,
    /// How long an order may stay `placing` before it is given up (`crate::redirect_expiry`).
    pub placing_expiry: std::time::Duration,
}

/// Where the selling merchant may reside to use Amazon Pay through PAYONE.
pub const MERCHANT_COUNTRIES: [&str; 10] = ["DE", "FR", "IT", "ES", "LU", "NL", "SE", "PT", "HU", "DK"];

/// A configuration that cannot work, said in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--database-url` names no database the server can use.
    #[error(transparent)]
    DatabaseUrl(#[from] crate::store::BadDatabaseUrl),
    #[error("live mode needs {0}; set it, or start with --sandbox")]
    /// Missing.
    Missing(&'static str),
    #[error(
        "{0} is set but no credential is (PAYONE_KEY, CHECKOUTCHAMP_LOGIN_ID, or AMAZON_PRIVATE_KEY_PATH with --provider amazon), so the server would run the offline sandbox: set the credential for live mode, or start with --sandbox"
    )]
    /// An account's setting without its credential: neither live mode nor a deliberate sandbox.
    WithoutCredential(&'static str),
    #[error(
        "--listen {0} takes connections on every address, so this server cannot tell which one buyers open: set --public-url (AMAZON_PAY_PUBLIC_URL) to it, e.g. http://192.0.2.10:{port}; return URLs and the sandbox's scripts are built from it", port = .0.port()
    )]
    /// Listening on every address with no public URL: `http://0.0.0.0:…` would be sent to browsers.
    PublicUrlForEveryAddress(SocketAddr),
    #[error("{name} must be numeric, got {value:?}")]
    /// Not numeric.
    NotNumeric {
        /// The name.
        name: &'static str,
        /// The value.
        value: String,
    },
    #[error("{name} must be at most {max} characters")]
    /// Too long.
    TooLong {
        /// The name.
        name: &'static str,
        /// The max.
        max: usize,
    },
    #[error("MERCHANT_COUNTRY {0:?} is not one where Amazon Pay through PAYONE is offered: use one of DE, FR, IT, ES, LU, NL, SE, PT, HU, DK")]
    /// Merchant country.
    MerchantCountry(String),
    #[error("AMAZON_PAY_CURRENCY {0:?} is not supported: Amazon Pay through PAYONE takes EUR only")]
    /// Currency.
    Currency(String),
    #[error("AMAZON_PAY_B2B is true, but Amazon Pay through PAYONE does not support B2B transactions")]
    /// B2B.
    B2b,
    #[error("PAYONE_API_VERSION {0:?} is too old or malformed: Amazon Pay needs api_version 3.10 or later")]
    /// API version.
    ApiVersion(String),
    #[error("SANDBOX_BUTTON_SIGNATURES=placeholder is for load benchmarks of the sandbox; live mode has no PAYONE stand-in: remove it")]
    /// The benchmark's placeholder signatures asked for in live mode.
    PlaceholderSignaturesInLive,
    #[error(
        "live mode has no AMAZON_PAY_CATALOGUE (--catalogue), so the server would sell at the demo shop's made-up prices: set it to the shop's own price list, a JSON file of currency, products (name, price in minor units, optional digital) and delivery (standard, express), see docs/configuration.md; or start with --sandbox"
    )]
    /// Live mode on the demo's price list: every CV2, APB and CV1 checkout would charge made-up amounts.
    DemoCatalogueInLive,
    #[error("AMAZON_PAY_REDIRECTED_EXPIRY_SECONDS (--redirected-expiry-seconds) is 0: give the buyer time on Amazon's pages (default 86400, Amazon's 24 hours)")]
    /// No time at all for the buyer on Amazon's pages.
    RedirectedExpiry,
    #[error("AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 0: a placement in flight would be given up (default {DEFAULT_PLACING_EXPIRY_SECONDS}, PAYONE's 48 hours of notification retries and an hour)")]
    /// No time at all for a placement's answer or its notification.
    PlacingExpiry,
    #[error(
        "AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is {0}, less than PAYONE's 48 hours: give at least {MIN_PLACING_EXPIRY_SECONDS} (default {DEFAULT_PLACING_EXPIRY_SECONDS}, 49 hours). PAYONE resends a TransactionStatus not acknowledged for up to 48 hours, so an order given up sooner may still be authorized or paid by PAYONE"
    )]
    /// Shorter than PAYONE's notification retries ([`MIN_PLACING_EXPIRY_SECONDS`]).
    PlacingExpiryBelowPayone(u64),
    #[error(
        "AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is {0}, more than 30 days: give at most {MAX_PLACING_EXPIRY_SECONDS} (default {DEFAULT_PLACING_EXPIRY_SECONDS}, 49 hours). An Amazon Pay authorization expires after 30 days, so an order still placing by then can never be captured; a larger value is most likely days or milliseconds given as seconds, and would keep orders whose placement was cut off placing for years"
    )]
    /// Longer than an authorization's validity ([`MAX_PLACING_EXPIRY_SECONDS`]).
    PlacingExpiryAboveAuthorization(u64),
    #[error("SANDBOX_NOTIFY_RETRY_MS lists {0} retries; PAYONE tries at most 12 times, so give at most 11")]
    /// Too many retries.
    TooManyRetries(usize),
    #[error(transparent)]
    /// Security.
    Security(#[from] crate::security::SecurityConfigError),
    #[error(transparent)]
    /// Webhook or merchant API settings.
    Merchant(#[from] merchant::MerchantConfigError),
    #[error(transparent)]
    /// `--provider amazon` settings.
    Amazon(#[from] amazon::AmazonConfigError),
    #[error(transparent)]
    /// Address rules.
    AddressRules(#[from] crate::address_rules::AddressRuleError),
}

impl Config {
    /// Validates arguments; sandbox mode fills in the documented defaults.
    pub fn from_args(args: Args) -> Result<Config, ConfigError> {
        let provider = args.amazon.provider;
        let amazon_credentials = provider == amazon::Provider::Amazon && args.amazon.amazon_private_key.is_some();
        let has_credentials = args.payone_key.is_some() || args.checkoutchamp_login_id.is_some() || amazon_credentials;
        let mode = if args.sandbox || !has_credentials { Mode::Sandbox } else { Mode::Live };
        // The public URL defaults to `http://<listen>`; `http://0.0.0.0:8080` reaches no browser (the sandbox's
        // checkout.js under it is refused by the page's CSP, and Amazon would return buyers there).
        if args.public_url.is_none() && args.listen.ip().is_unspecified() {
            return Err(ConfigError::PublicUrlForEveryAddress(args.listen));
        }
        if mode == Mode::Sandbox && !args.sandbox {
            // The account's ids without its key (forgotten, or a secret store that answered nothing) mean live
            // mode: falling back to the sandbox would confirm buyers' orders with pretend payments.
            let account = [
                ("PAYONE_MID", &args.payone_mid),
                ("PAYONE_PORTALID", &args.payone_portalid),
                ("PAYONE_AID", &args.payone_aid),
                ("CHECKOUTCHAMP_PASSWORD", &args.checkoutchamp_password),
            ];
            if let Some((name, _)) = account.iter().find(|(_, value)| value.is_some()) {
                return Err(ConfigError::WithoutCredential(name));
            }
        }
        if mode == Mode::Live && args.sandbox_button_signatures == ButtonSignatures::Placeholder {
            return Err(ConfigError::PlaceholderSignaturesInLive);
        }
        // With Amazon direct in live mode, PAYONE is only there when configured (for PAYONE CV1).
        let payone_enabled = provider == amazon::Provider::Payone || mode == Mode::Sandbox || args.payone_key.is_some();
        let pick = |value: Option<String>, default: &'static str, name: &'static str| match (value, mode) {
            (Some(v), _) => Ok(v),
            (None, Mode::Sandbox) => Ok(default.to_owned()),
            (None, Mode::Live) if !payone_enabled && name.starts_with("PAYONE_") => Ok(String::from("0")),
            (None, Mode::Live) => Err(ConfigError::Missing(name)),
        };
        let amazon = match provider {
            amazon::Provider::Payone => None,
            amazon::Provider::Amazon => Some(amazon::AmazonConfig::from_args(
                &args.amazon,
                args.amazon_merchant_id.as_deref(),
                &args.currency,
                mode == Mode::Sandbox,
                amazon::check_private_key,
            )?),
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
        let mut payone = payone;
        if !payone_enabled {
            // Not configured, and its routes are not served; still no guessable key behind them.
            use rand::Rng;
            payone.key = (0..32).map(|_| char::from(b'a' + rand::rng().random_range(0..26u8))).collect();
        }
        // An empty portal key would make md5("") the notification key, which anyone can compute.
        if mode == Mode::Live && payone_enabled && payone.key.trim().is_empty() {
            return Err(ConfigError::Missing("PAYONE_KEY"));
        }
        let mut checkoutchamp = CheckoutChampConfig::from_args(
            mode,
            args.checkoutchamp_login_id,
            args.checkoutchamp_password,
            args.checkoutchamp_campaign_id,
            args.checkoutchamp_amazon_biller_id,
            args.checkoutchamp_endpoint,
            args.checkoutchamp_timeout_ms,
        )?;
        if let Some(cc) = checkoutchamp.as_mut() {
            cc.status_every = std::time::Duration::from_millis(args.checkoutchamp_status_every_ms.max(1));
            cc.paid_every = std::time::Duration::from_millis(args.checkoutchamp_follow_paid_every_ms.max(1));
            cc.paid_for = std::time::Duration::from_secs(args.checkoutchamp_follow_paid_days.min(365) * 86_400);
        }
        let amazon_profile_endpoint = match mode {
            Mode::Sandbox => args.amazon_profile_endpoint,
            Mode::Live => Some(args.amazon_profile_endpoint.unwrap_or_else(|| crate::amazon_profile::AMAZON_PROFILE_LIVE_ENDPOINT.to_owned())),
        };
        let merchant_country = args.merchant_country.trim().to_ascii_uppercase();
        // PAYONE's rules (residence, no B2B) are PAYONE's; Amazon direct takes the account's own.
        if amazon.is_none() && !MERCHANT_COUNTRIES.contains(&merchant_country.as_str()) {
            return Err(ConfigError::MerchantCountry(args.merchant_country));
        }
        // Amazon direct checked the currency against its region above; PAYONE takes EUR only.
        if amazon.is_none() && args.currency.parse::<Currency>().ok() != Some(Currency::Eur) {
            return Err(ConfigError::Currency(args.currency));
        }
        if args.b2b && amazon.is_none() {
            return Err(ConfigError::B2b);
        }
        match payone_wire::parse_api_version(&args.payone_api_version) {
            Some(v) if v >= payone_wire::MIN_API_VERSION => {}
            _ => return Err(ConfigError::ApiVersion(args.payone_api_version)),
        }
        if args.redirected_expiry_seconds == 0 {
            return Err(ConfigError::RedirectedExpiry);
        }
        if args.placing_expiry_seconds == 0 {
            return Err(ConfigError::PlacingExpiry);
        }
        if args.placing_expiry_seconds > MAX_PLACING_EXPIRY_SECONDS {
            return Err(ConfigError::PlacingExpiryAboveAuthorization(args.placing_expiry_seconds));
        }
        // Amazon Pay direct alone has no PAYONE notification to wait for (its buyer never got the redirect).
        if payone_enabled && args.placing_expiry_seconds < MIN_PLACING_EXPIRY_SECONDS {
            return Err(ConfigError::PlacingExpiryBelowPayone(args.placing_expiry_seconds));
        }
        if args.sandbox_notify_retry_ms.len() > 11 {
            return Err(ConfigError::TooManyRetries(args.sandbox_notify_retry_ms.len()));
        }
        // The demo's prices are made up; a live shop (even one selling through CheckoutChamp's lander, whose
        // prices are CheckoutChamp's) still serves the CV2, APB and CV1 routes that price from the catalogue.
        if mode == Mode::Live && args.catalogue.is_none() {
            return Err(ConfigError::DemoCatalogueInLive);
        }
        let sandbox_timings = SimTimings {
            settle_delay: std::time::Duration::from_millis(args.sandbox_settle_ms),
            upstream_hold: std::time::Duration::from_millis(args.sandbox_upstream_hold_ms),
            notify_retry_delays: args.sandbox_notify_retry_ms.iter().map(|ms| std::time::Duration::from_millis(*ms)).collect(),
            ..SimTimings::default()
        };
        let allowed_origins = crate::security::parse_origins(&args.allowed_origins)?;
        let content_security_policy = crate::security::page_policy(args.content_security_policy.as_deref(), mode == Mode::Live)?;
        let merchant = merchant::MerchantConfig::from_args(args.merchant)?;
        let address_rules = crate::address_rules::AddressRules::from_args(args.address_rules)?;
        Ok(Config {
            merchant,
            address_rules,
            allowed_origins,
            content_security_policy,
            mode,
            listen: args.listen,
            data_dir: args.data_dir,
            database_url: args.database_url.parse()?,
            dist_dir: args.dist_dir,
            static_dir: args.static_dir,
            merchant_country,
            payone_api_version: args.payone_api_version.trim().to_owned(),
            payone_notify_allowed_ips: args.payone_notify_allowed_ips,
            catalogue: args.catalogue,
            return_pages: args.return_pages,
            public_url: args.public_url,
            payone_authorization: args.payone_authorization,
            ops: args.ops,
            payone_timeout: std::time::Duration::from_millis(args.payone_timeout_ms.max(1)),
            amazon_merchant_id: pick(args.amazon_merchant_id, d::AMAZON_MERCHANT_ID, "AMAZON_MERCHANT_ID")?,
            payone,
            checkoutchamp,
            amazon_profile_endpoint,
            payone_notify_url: args.payone_notify_url,
            sandbox_timings,
            sandbox_button_signatures: args.sandbox_button_signatures,
            // Amazon Pay direct's store id is the Login with Amazon client id (storeId, amzn1.application-oa2-
            // client.…): the lander signs buyers in with it unless another application's id is set.
            amazon_client_id: args.amazon_client_id.or_else(|| amazon.as_ref().map(|a| a.store_id.clone())).or_else(|| match mode {
                Mode::Sandbox => Some(payone_wire::sandbox_settings::SANDBOX_CLIENT_ID.to_owned()),
                Mode::Live => None,
            }),
            payone_amazon_mode: args.payone_amazon_mode,
            provider,
            amazon,
            payone_enabled,
            redirected_expiry: std::time::Duration::from_secs(args.redirected_expiry_seconds),
            placing_expiry: std::time::Duration::from_secs(args.placing_expiry_seconds),
        })
    }

    /// Live Amazon Pay direct without `AMAZON_IPN_TOPIC_ARNS`: the IPN receiver takes (and confirms the
    /// subscription of) any SNS topic whose messages name this merchant; allowed, but said at start and by
    /// `check-config`. `None` otherwise.
    pub fn ipn_topics_warning(&self) -> Option<&'static str> {
        let amazon = self.amazon.as_ref()?;
        (self.mode == Mode::Live && amazon.ipn_topic_arns.is_empty()).then_some(
            "warning: live mode with --provider amazon and no AMAZON_IPN_TOPIC_ARNS: /amazon/ipn confirms the \
             subscription of any SNS topic that asks and takes its messages (SNS signs whatever any topic sends); set \
             --amazon-ipn-topic-arns to the topic Amazon Pay's IPN goes to (docs/amazon-direct.md)",
        )
    }

    /// What is not served because PAYONE is not configured (`--provider amazon` in live mode without PAYONE's
    /// credentials), said at start and by `check-config`; `None` when PAYONE is there.
    pub fn without_payone(&self) -> Option<&'static str> {
        (!self.payone_enabled).then_some(
            "PAYONE is not configured (--provider amazon without PAYONE_KEY): PAYONE's Checkout v1 routes \
             (/api/cv1/sessions, /api/cv1/orders) answer 404 and its TransactionStatus receiver is not served, so a \
             page with the CV1 (Widgets.js) checkout cannot work; use the Checkout v2 button, or configure PAYONE",
        )
    }

    /// Live mode with no public URL: the return URLs given to PAYONE and Amazon are built from `url`
    /// (`http://<listen>`). On a loopback `--listen` only a browser on this machine reaches them: allowed, for
    /// trying live mode on one machine (docs/operations.md). On any other address they are plain `http://` to
    /// the server's own address (`0.0.0.0` or a private one), which a buyer's browser out on the internet does
    /// not reach, or not safely. Allowed too, but said at start and by `check-config`; `None` otherwise.
    pub fn public_url_warning(&self, url: &str) -> Option<String> {
        if self.mode != Mode::Live || self.public_url.is_some() {
            return None;
        }
        let (place, reach) = if self.listen.ip().is_loopback() {
            ("a loopback AMAZON_PAY_LISTEN", "which only a browser on this machine reaches (enough to try live mode here)")
        } else {
            (
                "AMAZON_PAY_LISTEN's own address",
                "plain http to this server's own address, which buyers' browsers do not reach through the shop's proxy",
            )
        };
        Some(format!(
            "warning: live mode without AMAZON_PAY_PUBLIC_URL on {place}: the URLs this server \
             gives Amazon and PAYONE to send buyers back to (after placing an order, and every return page not set) \
             start with {url}, {reach}; set --public-url (AMAZON_PAY_PUBLIC_URL) to the https URL buyers reach this \
             server at"
        ))
    }

    /// The shop this server is, as its store records it (`store/shop_identity.rs`): the account that carries its
    /// payments and the currency it sells in. Instances of one shop agree on it; two shops never do.
    pub fn shop_identity(&self, currency: amazon_pay_contract::Currency) -> String {
        match &self.amazon {
            Some(amazon) => format!("amazon merchant {} in region {}, {}", amazon.merchant_id, amazon.region.code(), currency.code()),
            None => format!(
                "payone portal {} sub-account {} of merchant {}, {}",
                self.payone.portal_id,
                self.payone.aid,
                self.payone.mid,
                currency.code()
            ),
        }
    }

    /// The price list's currencies and who decides them: EUR for PAYONE, the region's for Amazon Pay direct.
    pub fn catalogue_currencies(&self) -> (&'static [Currency], &'static str) {
        match &self.amazon {
            Some(amazon) => (amazon.region.ledger_currencies(), "the Amazon Pay account's region"),
            None => (&[Currency::Eur], "Amazon Pay through PAYONE"),
        }
    }

    /// A sandbox configuration for tests: free loopback port, the given data directory.
    pub fn sandbox_for_tests(data_dir: PathBuf) -> Config {
        let args = Args::parse_from(["amazon-pay-server", "--sandbox", "--listen", "127.0.0.1:0", "--data-dir", data_dir.to_str().unwrap_or("data")]);
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
        assert_eq!(sandbox.status_every, std::time::Duration::from_secs(60));
        let every = Config::from_args(parse(&["--checkoutchamp-status-every-ms", "250"])).unwrap().checkoutchamp.unwrap();
        assert_eq!(every.status_every, std::time::Duration::from_millis(250));
        assert!(Args::try_parse_from(["amazon-pay-server", "--checkoutchamp-status-every-ms", "0"]).is_err(), "0 would query without pause");
        assert_eq!((sandbox.paid_every, sandbox.paid_for), (std::time::Duration::from_secs(21_600), std::time::Duration::from_secs(14 * 86_400)));
        let paid = Config::from_args(parse(&["--checkoutchamp-follow-paid-every-ms", "100", "--checkoutchamp-follow-paid-days", "0"])).unwrap();
        let paid = paid.checkoutchamp.unwrap();
        assert_eq!((paid.paid_every, paid.paid_for), (std::time::Duration::from_millis(100), std::time::Duration::ZERO));
        assert!(Args::try_parse_from(["amazon-pay-server", "--checkoutchamp-follow-paid-every-ms", "0"]).is_err());
        assert!(Args::try_parse_from(["amazon-pay-server", "--checkoutchamp-follow-paid-days", "366"]).is_err());
        let payone = ["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
        let payone: Vec<&str> = payone.into_iter().chain(SHOP_CATALOGUE).collect();
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
    fn redirected_orders_expire_after_amazons_24_hours_unless_told_and_never_at_once() {
        assert_eq!(Config::from_args(parse(&[])).unwrap().redirected_expiry, std::time::Duration::from_secs(86_400));
        let config = Config::from_args(parse(&["--redirected-expiry-seconds", "3600"])).unwrap();
        assert_eq!(config.redirected_expiry, std::time::Duration::from_secs(3600));
        assert_eq!(Config::from_args(parse(&[])).unwrap().placing_expiry, std::time::Duration::from_secs(176_400));
        let config = Config::from_args(parse(&["--placing-expiry-seconds", "172800"])).unwrap();
        assert_eq!(config.placing_expiry, std::time::Duration::from_secs(172_800), "PAYONE's 48 hours exactly");
        assert!(matches!(Config::from_args(parse(&["--placing-expiry-seconds", "0"])).unwrap_err(), ConfigError::PlacingExpiry));
        // Shorter than PAYONE's notification retries: refused with the minimum and why.
        for short in ["60", "172799"] {
            let err = Config::from_args(parse(&["--placing-expiry-seconds", short])).unwrap_err();
            assert!(matches!(err, ConfigError::PlacingExpiryBelowPayone(n) if n.to_string() == short), "{err}");
            let text = err.to_string();
            assert!(text.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS") && text.contains("172800") && text.contains("48 hours"), "{text}");
        }
        let err = Config::from_args(parse(&["--redirected-expiry-seconds", "0"])).unwrap_err();
        assert!(matches!(err, ConfigError::RedirectedExpiry), "{err}");
        assert!(err.to_string().contains("AMAZON_PAY_REDIRECTED_EXPIRY_SECONDS"), "names the setting: {err}");
    }

    /// The refusals name their bounds from the constants the checks use; the words an operator reads stay these.
    #[test]
    fn the_placing_expiry_refusals_say_their_bounds_in_seconds() {
        assert_eq!(
            ConfigError::PlacingExpiryBelowPayone(60).to_string(),
            "AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 60, less than PAYONE's 48 hours: give at least 172800 (default 176400, 49 hours). PAYONE resends a TransactionStatus not acknowledged for up to 48 hours, so an order given up sooner may still be authorized or paid by PAYONE"
        );
        assert_eq!(
            ConfigError::PlacingExpiryAboveAuthorization(2_592_001).to_string(),
            "AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 2592001, more than 30 days: give at most 2592000 (default 176400, 49 hours). An Amazon Pay authorization expires after 30 days, so an order still placing by then can never be captured; a larger value is most likely days or milliseconds given as seconds, and would keep orders whose placement was cut off placing for years"
        );
        assert_eq!(
            ConfigError::PlacingExpiry.to_string(),
            "AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 0: a placement in flight would be given up (default 176400, PAYONE's 48 hours of notification retries and an hour)"
        );
    }

    #[test]
    fn a_placing_expiry_longer_than_amazons_30_days_is_refused_with_the_maximum_and_why() {
        let config = Config::from_args(parse(&["--placing-expiry-seconds", "2592000"])).unwrap();
        assert_eq!(config.placing_expiry, std::time::Duration::from_secs(2_592_000), "30 days exactly");
        // Days typed as milliseconds, 49 hours as milliseconds, u64::MAX: each refused, on either provider.
        for long in ["2592001", "176400000", "18446744073709551615"] {
            let err = Config::from_args(parse(&["--placing-expiry-seconds", long])).unwrap_err();
            assert!(matches!(err, ConfigError::PlacingExpiryAboveAuthorization(n) if n.to_string() == long), "{err}");
            let text = err.to_string();
            assert!(
                text.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS") && text.contains("give at most 2592000") && text.contains("30 days"),
                "{text}"
            );
        }
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");
        let err = amazon_live(key, &["--placing-expiry-seconds", "2592001"]).unwrap_err();
        assert!(matches!(err, ConfigError::PlacingExpiryAboveAuthorization(2_592_001)), "Amazon Pay direct alone too: {err}");
    }

    #[test]
    fn placeholder_signatures_only_when_asked_and_never_live() {
        assert_eq!(Config::from_args(parse(&[])).unwrap().sandbox_button_signatures, ButtonSignatures::Real);
        let bench = Config::from_args(parse(&["--sandbox-button-signatures", "placeholder"])).unwrap();
        assert_eq!(bench.sandbox_button_signatures, ButtonSignatures::Placeholder);
        let live = ["--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--payone-key", "k"];
        let err = Config::from_args(parse(&[&live[..], &["--sandbox-button-signatures", "placeholder"]].concat())).unwrap_err();
        assert!(matches!(err, ConfigError::PlaceholderSignaturesInLive), "{err}");
    }

    #[test]
    fn live_mode_refuses_the_demo_price_list() {
        let live = ["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
        let err = Config::from_args(parse(&live)).unwrap_err();
        assert!(matches!(err, ConfigError::DemoCatalogueInLive), "{err}");
        assert!(err.to_string().contains("AMAZON_PAY_CATALOGUE (--catalogue)"), "names what to set: {err}");
        let with_own: Vec<&str> = live.into_iter().chain(SHOP_CATALOGUE).collect();
        assert_eq!(Config::from_args(parse(&with_own)).unwrap().catalogue.as_deref(), Some(std::path::Path::new("shop-catalogue.json")));
        // The sandbox keeps the demo's list.
        assert_eq!(Config::from_args(parse(&["--sandbox", "--payone-key", "k"])).unwrap().catalogue, None);
    }

    #[test]
    fn the_seeds_rules_are_enforced_at_start() {
        let err = Config::from_args(parse(&["--merchant-country", "US"])).unwrap_err();
        assert!(matches!(err, ConfigError::MerchantCountry(_)), "{err}");
        assert_eq!(Config::from_args(parse(&["--merchant-country", "lu"])).unwrap().merchant_country, "LU");
        assert!(matches!(Config::from_args(parse(&["--currency", "USD"])).unwrap_err(), ConfigError::Currency(_)));
        assert!(matches!(Config::from_args(parse(&["--b2b", "true"])).unwrap_err(), ConfigError::B2b));
        for old in ["3.9", "2.99", "x", ""] {
            assert!(matches!(Config::from_args(parse(&["--payone-api-version", old])).unwrap_err(), ConfigError::ApiVersion(_)), "{old}");
        }
        assert_eq!(Config::from_args(parse(&["--payone-api-version", "3.11"])).unwrap().payone_api_version, "3.11");
    }

    #[test]
    fn address_rules_are_read_and_bad_countries_refused() {
        let config = Config::from_args(parse(&[
            "--ship-to-countries",
            "de,AT",
            "--refuse-po-boxes",
            "true",
            "--refuse-packstations",
            "true",
            "--require-phone",
            "true",
        ]))
        .unwrap();
        let rules = config.address_rules;
        assert_eq!(rules.countries, ["DE", "AT"]);
        assert!(rules.refuse_po_boxes && rules.refuse_packstations && rules.require_phone);
        assert_eq!(Config::from_args(parse(&[])).unwrap().address_rules, Default::default(), "no rules by default");
        let err = Config::from_args(parse(&["--ship-to-countries", "DE,Germany"])).unwrap_err();
        assert!(matches!(err, ConfigError::AddressRules(_)), "{err}");
        assert!(err.to_string().contains("Germany"), "{err}");
        assert!(Args::try_parse_from(["amazon-pay-server", "--refuse-po-boxes", "maybe"]).is_err(), "a flag is true or false");
    }

    #[test]
    fn debug_output_hides_the_key() {
        let config = Config::from_args(parse(&["--sandbox", "--payone-key", "topsecret"])).unwrap();
        assert!(!format!("{config:?}").contains("topsecret"));
    }

    #[test]
    fn args_debug_output_hides_every_secret() {
        let api_key = "merchant-api-key-0123456789abcdefXYZ";
        let args = parse(&[
            "--payone-key",
            "payone-topsecret",
            "--checkoutchamp-password",
            "cc-topsecret",
            "--database-url",
            "postgres://shop:pg-topsecret@db.internal:5432/amazonpay",
            "--webhook-secret",
            "webhook-topsecret-0123456789abcdef",
            "--webhook-secret-next",
            "webhook-next-topsecret-0123456789",
            "--merchant-api-keys",
            api_key,
            "--payone-mid",
            "12345",
        ]);
        let shown = format!("{args:?}");
        for secret in ["payone-topsecret", "cc-topsecret", "pg-topsecret", "webhook-topsecret", "webhook-next-topsecret", api_key] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        // Still useful: what is set, and the settings that are no secret.
        assert!(shown.contains("payone_key: Some(\"<redacted>\")") && shown.contains("12345"), "{shown}");
        assert!(shown.contains("db.internal:5432/amazonpay") && shown.contains("<1 redacted>"), "{shown}");
    }

    // `--provider amazon` (config/amazon.rs): every refusal names the setting.

    fn key_file(dir: &std::path::Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// A live shop's own price list (not read by `from_args`; the start reads it).
    const SHOP_CATALOGUE: [&str; 2] = ["--catalogue", "shop-catalogue.json"];

    const LIVE_AMAZON: [&str; 10] = [
        "--catalogue",
        "shop-catalogue.json",
        "--provider",
        "amazon",
        "--amazon-merchant-id",
        "A2MERCHANT",
        "--amazon-store-id",
        "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
        "--amazon-public-key-id",
        "SANDBOX-AHKEYID",
    ];

    fn amazon_live(key: &str, more: &[&str]) -> Result<Config, ConfigError> {
        let args: Vec<&str> = LIVE_AMAZON.iter().copied().chain(["--amazon-private-key", key]).chain(more.iter().copied()).collect();
        Config::from_args(parse(&args))
    }

    #[test]
    fn payone_stays_the_default_provider() {
        let config = Config::from_args(parse(&[])).unwrap();
        assert_eq!(config.provider, amazon::Provider::Payone);
        assert!(config.amazon.is_none() && config.payone_enabled);
    }

    #[test]
    fn amazon_direct_in_the_sandbox_needs_no_key() {
        let config = Config::from_args(parse(&["--sandbox", "--provider", "amazon"])).unwrap();
        let amazon = config.amazon.unwrap();
        assert_eq!((amazon.region, amazon.environment), (amazon::Region::Eu, amazon::Environment::Sandbox));
        assert!(amazon.private_key.is_none() && amazon.public_key_id.is_none(), "the sandbox makes the key pair");
        assert_eq!(amazon.store_id, amazon::SANDBOX_STORE_ID);
    }

    #[test]
    fn amazon_direct_live_reads_the_key_and_never_shows_it() {
        let dir = tempfile::tempdir().unwrap();
        let pem = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";
        let key = key_file(dir.path(), "key.pem", pem);
        let config = match amazon_live(&key, &[]) {
            Ok(config) => config,
            // A real parser refuses this made-up key: then the good path is covered by the sandbox's own pair.
            Err(ConfigError::Amazon(amazon::AmazonConfigError::KeyMalformed { .. })) => return,
            Err(other) => panic!("{other}"),
        };
        assert_eq!(config.mode, Mode::Live);
        assert!(!config.payone_enabled, "no PAYONE credentials: PAYONE's routes are off");
        let amazon = config.amazon.as_ref().unwrap();
        assert_eq!(amazon.environment, amazon::Environment::Sandbox, "from the SANDBOX- key id");
        assert!(!format!("{config:?}").contains("TOPSECRET"), "the key is not in Debug output");
    }

    #[test]
    fn without_payone_a_shorter_placing_expiry_is_allowed_but_never_0() {
        // Live Amazon Pay direct alone: no PAYONE notification can come for a placement cut off.
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");
        let config = amazon_live(key, &["--placing-expiry-seconds", "3600"]).unwrap();
        assert!(!config.payone_enabled);
        assert_eq!(config.placing_expiry, std::time::Duration::from_secs(3600));
        assert!(matches!(amazon_live(key, &["--placing-expiry-seconds", "0"]).unwrap_err(), ConfigError::PlacingExpiry));
        // With PAYONE (the sandbox, here with Amazon direct for CV2 and APB) the minimum holds.
        let err = Config::from_args(parse(&["--sandbox", "--provider", "amazon", "--placing-expiry-seconds", "3600"])).unwrap_err();
        assert!(matches!(err, ConfigError::PlacingExpiryBelowPayone(3600)), "{err}");
    }

    #[test]
    fn amazon_direct_s_store_id_is_the_login_with_amazon_client_id_unless_one_is_set() {
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");
        let store_id = LIVE_AMAZON[LIVE_AMAZON.iter().position(|&a| a == "--amazon-store-id").unwrap() + 1];
        assert_eq!(amazon_live(key, &[]).unwrap().amazon_client_id.as_deref(), Some(store_id));
        let other = "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210";
        assert_eq!(amazon_live(key, &["--amazon-client-id", other]).unwrap().amazon_client_id.as_deref(), Some(other));
        // PAYONE has no store id: live without AMAZON_CLIENT_ID has none (readiness names it for the lander).
        let payone = ["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
        let payone: Vec<&str> = payone.into_iter().chain(SHOP_CATALOGUE).collect();
        assert_eq!(Config::from_args(parse(&payone)).unwrap().amazon_client_id, None);
        assert_eq!(
            Config::from_args(parse(&["--sandbox"])).unwrap().amazon_client_id.as_deref(),
            Some(payone_wire::sandbox_settings::SANDBOX_CLIENT_ID)
        );
    }

    #[test]
    fn a_live_key_id_without_its_environment_is_not_guessed() {
        use amazon::Environment::{Live, Sandbox};
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem");
        let with_id = |id: &str, more: &[&str]| {
            let args: Vec<&str> = LIVE_AMAZON[..8]
                .iter()
                .copied()
                .chain(["--amazon-public-key-id", id, "--amazon-private-key", key])
                .chain(more.iter().copied())
                .collect();
            Config::from_args(parse(&args))
        };
        let err = with_id("AHOLDKEYID", &[]).unwrap_err();
        assert!(matches!(err, ConfigError::Amazon(amazon::AmazonConfigError::EnvironmentUnknown(_))), "{err}");
        assert!(err.to_string().contains("AMAZON_ENVIRONMENT=live"), "{err}");
        for (set, want) in [("live", Live), ("sandbox", Sandbox)] {
            assert_eq!(with_id("AHOLDKEYID", &["--amazon-environment", set]).unwrap().amazon.unwrap().environment, want, "{set}");
        }
        assert_eq!(with_id("LIVE-AHKEYID", &[]).unwrap().amazon.unwrap().environment, Live, "the prefix says it");
    }

    #[test]
    fn amazon_direct_refuses_what_cannot_work() {
        use amazon::AmazonConfigError as E;
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let err = amazon_live(missing.to_str().unwrap(), &[]).unwrap_err();
        assert!(matches!(err, ConfigError::Amazon(E::KeyUnreadable { .. })), "{err}");
        assert!(err.to_string().contains("AMAZON_PRIVATE_KEY_PATH") && err.to_string().contains("nope.pem"), "{err}");
        let garbage = key_file(dir.path(), "garbage.pem", "this is not a key");
        let err = amazon_live(&garbage, &[]).unwrap_err();
        assert!(matches!(err, ConfigError::Amazon(E::KeyMalformed { .. })), "{err}");
        assert!(!err.to_string().contains("this is not a key"), "the file's content is never echoed: {err}");
        let binary = dir.path().join("binary.pem");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(amazon_live(binary.to_str().unwrap(), &[]).unwrap_err(), ConfigError::Amazon(E::KeyMalformed { .. })));
        // The public half of the pair (`openssl rsa -pubout`) given for the private key: said so.
        let public = key_file(dir.path(), "public.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        let err = amazon_live(&public, &[]).unwrap_err();
        assert!(err.to_string().contains("holds a public key"), "{err}");
        // Without a key in live mode: named.
        let no_key: Vec<&str> =
            LIVE_AMAZON.iter().copied().chain(["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3"]).collect();
        let err = Config::from_args(parse(&no_key)).unwrap_err();
        assert!(matches!(err, ConfigError::Amazon(E::Missing("AMAZON_PRIVATE_KEY_PATH"))), "{err}");
        let key = key_file(dir.path(), "key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        for (more, want) in [
            (&["--amazon-environment", "live"][..], "AMAZON_ENVIRONMENT"),
            (&["--currency", "USD"][..], "region eu"),
            (&["--amazon-region", "na"][..], "region na"),
            (&["--amazon-api-endpoint", "http://example.com"][..], "AMAZON_PAY_API_ENDPOINT"),
        ] {
            let err = amazon_live(&key, more).unwrap_err();
            let text = err.to_string();
            // A real parser may refuse the made-up key first; the other refusals are checked in the sandbox below.
            if matches!(err, ConfigError::Amazon(E::KeyMalformed { .. })) {
                continue;
            }
            assert!(text.contains(want), "{more:?}: {text}");
        }
        let sandbox = |more: &[&str]| Config::from_args(parse(&[&["--sandbox", "--provider", "amazon"][..], more].concat()));
        assert!(sandbox(&["--currency", "USD"]).unwrap_err().to_string().contains("takes EUR or GBP"));
        assert_eq!(sandbox(&["--currency", "USD", "--amazon-region", "na"]).unwrap().amazon.unwrap().region, amazon::Region::Na);
        assert!(sandbox(&["--currency", "GBP"]).is_ok(), "a UK merchant");
        assert!(sandbox(&["--amazon-public-key-id", "LIVE-X", "--amazon-environment", "sandbox"]).unwrap_err().to_string().contains("LIVE-"));
        // The sandbox's simulator plays Amazon's sandbox only: a live key or environment would fail every checkout.
        for live in [&["--amazon-public-key-id", "LIVE-X"][..], &["--amazon-environment", "live"][..]] {
            let err = sandbox(live).unwrap_err();
            assert!(matches!(err, ConfigError::Amazon(E::LiveInSandbox)), "{live:?}: {err}");
            assert!(err.to_string().contains("--sandbox plays Amazon's sandbox only"), "{err}");
        }
        assert!(sandbox(&["--amazon-store-id", "shop"]).unwrap_err().to_string().contains("AMAZON_STORE_ID"));
        assert!(sandbox(&["--amazon-public-key-id", "bad id"]).unwrap_err().to_string().contains("AMAZON_PUBLIC_KEY_ID"));
        assert!(sandbox(&["--amazon-api-endpoint", "ftp://x"]).is_err());
        assert!(sandbox(&["--amazon-api-endpoint", "http://127.0.0.1:9"]).is_ok(), "http only for a local simulator in sandbox mode");
        // PAYONE's own rules do not apply to Amazon direct.
        assert!(sandbox(&["--merchant-country", "US", "--currency", "USD", "--amazon-region", "na"]).is_ok());
    }
}
