//! Which payment provider the server talks to, and the merchant's own Amazon Pay account for `--provider
//! amazon` (Amazon Pay API v2 directly, no PAYONE in between). The private key is read once at start; a key
//! that cannot be read or parsed refuses to start, and the key never appears in logs or `Debug` output.

use amazon_pay_contract::Currency;
use std::path::PathBuf;

/// Who carries the Checkout v2 and APB payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Provider {
    /// PAYONE (today's default; nothing changes for its users).
    #[default]
    Payone,
    /// Amazon Pay API v2 with the merchant's own Amazon Pay account.
    Amazon,
}

impl Provider {
    /// The name `--provider` takes, and what an order stores (`orders.provider`) and the merchant API shows.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Payone => "payone",
            Provider::Amazon => "amazon",
        }
    }

    /// The provider [`Provider::as_str`] names.
    pub fn parse(name: &str) -> Option<Provider> {
        [Provider::Payone, Provider::Amazon].into_iter().find(|p| p.as_str() == name)
    }
}

/// Amazon Pay's regions: each has its own API host, `checkout.js` and currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Region {
    /// Europe and the UK (`pay-api.amazon.eu`).
    #[default]
    Eu,
    /// North America (`pay-api.amazon.com`).
    Na,
    /// Japan (`pay-api.amazon.jp`).
    Jp,
}

impl Region {
    /// The `x-amz-pay-region` value.
    pub const fn code(self) -> &'static str {
        match self {
            Region::Eu => "eu",
            Region::Na => "na",
            Region::Jp => "jp",
        }
    }

    /// The ledger currencies a merchant account of this region is paid out in (the shop's prices must be in
    /// one of them): EU/UK merchants EUR or GBP, North America USD, Japan JPY.
    pub const fn ledger_currencies(self) -> &'static [Currency] {
        match self {
            Region::Eu => &[Currency::Eur, Currency::Gbp],
            Region::Na => &[Currency::Usd],
            Region::Jp => &[Currency::Jpy],
        }
    }

    /// Amazon's `checkout.js` for this region.
    pub const fn checkout_js(self) -> &'static str {
        match self {
            Region::Eu => "https://static-eu.payments-amazon.com/checkout.js",
            Region::Na => "https://static-na.payments-amazon.com/checkout.js",
            Region::Jp => "https://static-fe.payments-amazon.com/checkout.js",
        }
    }
}

/// Amazon's own environments (not this server's `--sandbox`, which replaces Amazon with a simulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// Amazon Pay's sandbox: test buyers, no money moves.
    Sandbox,
    /// Production.
    Live,
}

impl Environment {
    /// `sandbox` or `live`, as in the API path.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Live => "live",
        }
    }
}

/// `--provider` and the Amazon Pay account (flattened into [`crate::config::Args`]).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AmazonArgs {
    /// `payone` (default) or `amazon`: who carries Checkout v2 and APB payments (docs/amazon-direct.md).
    #[arg(long, env = "AMAZON_PAY_PROVIDER", value_enum, default_value_t = Provider::Payone)]
    pub provider: Provider,
    /// `--provider amazon`: the store id, i.e. the Login with Amazon client id `amzn1.application-oa2-client.…`
    /// (public). Defaults to the sandbox's in sandbox mode.
    #[arg(long, env = "AMAZON_STORE_ID")]
    pub amazon_store_id: Option<String>,
    /// `--provider amazon`: the public key id Amazon gave for the key pair (public).
    #[arg(long, env = "AMAZON_PUBLIC_KEY_ID")]
    pub amazon_public_key_id: Option<String>,
    /// `--provider amazon`: path of the PEM file with the private key (PKCS#8 or PKCS#1 RSA). Read once at
    /// start; it never leaves the server. Sandbox mode makes its own key pair when this is not set.
    #[arg(long, env = "AMAZON_PRIVATE_KEY_PATH")]
    pub amazon_private_key: Option<PathBuf>,
    /// `--provider amazon`: the account's region, `eu` (default), `na` or `jp`.
    #[arg(long, env = "AMAZON_REGION", value_enum, default_value_t = Region::Eu)]
    pub amazon_region: Region,
    /// `--provider amazon`: Amazon's `sandbox` or `live` environment. Defaults to what the public key id says
    /// (`LIVE-…`, `SANDBOX-…`); a key id without either needs it in live mode (sandbox mode: `sandbox`).
    #[arg(long, env = "AMAZON_ENVIRONMENT", value_enum)]
    pub amazon_environment: Option<Environment>,
    /// `--provider amazon`: another API base URL than Amazon's regional host (a test double; https in live mode).
    #[arg(long, env = "AMAZON_PAY_API_ENDPOINT")]
    pub amazon_api_endpoint: Option<String>,
    /// `--provider amazon`: how long to wait for one Amazon Pay API answer; at least 1 (0 is refused, not read as
    /// the default).
    #[arg(long, env = "AMAZON_PAY_API_TIMEOUT_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub amazon_api_timeout_ms: u64,
    /// `--provider amazon`: the SNS topics (ARNs, comma-separated) whose IPN messages `/amazon/ipn` takes,
    /// subscription requests included; any other topic's are refused. Empty: every topic's (a warning in live
    /// mode), since SNS signs whatever any topic sends.
    #[arg(long, env = "AMAZON_IPN_TOPIC_ARNS", value_delimiter = ',')]
    pub amazon_ipn_topic_arns: Vec<String>,
}

/// The PEM text of the merchant's private key; `Debug` never shows it.
#[derive(Clone)]
pub struct PrivateKeyPem(pub String);

impl std::fmt::Debug for PrivateKeyPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<private key redacted>")
    }
}

/// The validated Amazon Pay account.
#[derive(Debug, Clone)]
pub struct AmazonConfig {
    /// The Amazon merchant id (public).
    pub merchant_id: String,
    /// The Login with Amazon client id (public).
    pub store_id: String,
    /// The public key id (public); `None` in sandbox mode without a key: the sandbox makes the pair.
    pub public_key_id: Option<String>,
    /// The private key, checked to parse; `None` in sandbox mode without a key.
    pub private_key: Option<PrivateKeyPem>,
    /// The region.
    pub region: Region,
    /// Amazon's environment.
    pub environment: Environment,
    /// Another API base URL; `None`: Amazon's regional host live, the sandbox's simulator in sandbox mode.
    pub endpoint: Option<String>,
    /// Per API call.
    pub timeout: std::time::Duration,
    /// The SNS topics whose IPN messages are taken; empty: any topic's.
    pub ipn_topic_arns: Vec<String>,
}

/// An Amazon Pay setting that cannot work, said so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum AmazonConfigError {
    /// A required setting is missing.
    #[error("--provider amazon in live mode needs {0}; set it (docs/amazon-direct.md), or start with --sandbox")]
    Missing(&'static str),
    /// The key file cannot be read.
    #[error("AMAZON_PRIVATE_KEY_PATH {path}: cannot read the private key file: {reason}")]
    KeyUnreadable {
        /// The path as configured.
        path: String,
        /// Why.
        reason: String,
    },
    /// The key file is not an RSA private key in PEM.
    #[error("AMAZON_PRIVATE_KEY_PATH {path}: not an RSA private key in PEM form ({reason}); use the .pem file Amazon Pay's Seller Central key download gave you")]
    KeyMalformed {
        /// The path as configured.
        path: String,
        /// Why.
        reason: String,
    },
    /// The key id's prefix contradicts `AMAZON_ENVIRONMENT`.
    #[error("AMAZON_PUBLIC_KEY_ID starts with {prefix}, but AMAZON_ENVIRONMENT is {environment}: a key is made for one environment")]
    EnvironmentMismatch {
        /// `LIVE-` or `SANDBOX-`.
        prefix: &'static str,
        /// The configured environment.
        environment: &'static str,
    },
    /// A key id without `LIVE-`/`SANDBOX-` (made before Amazon added them) in live mode, and no
    /// `AMAZON_ENVIRONMENT`: guessing Amazon's sandbox would let a live shop's buyers fail at Amazon's page.
    #[error(
        "AMAZON_PUBLIC_KEY_ID {0} has no LIVE- or SANDBOX- prefix (a key made before Amazon added them), so it does not say which of \
         Amazon's environments it is for: set AMAZON_ENVIRONMENT=live to take real payments, or AMAZON_ENVIRONMENT=sandbox for Amazon's \
         test environment"
    )]
    EnvironmentUnknown(String),
    /// Amazon's live environment against the sandbox's simulator, which plays Amazon's sandbox only: every
    /// checkout would fail at the review page.
    #[error(
        "AMAZON_ENVIRONMENT is live (set, or from a LIVE- AMAZON_PUBLIC_KEY_ID), but --sandbox plays Amazon's sandbox only: give a \
         SANDBOX- key id and its key (or none: the sandbox's own), or start without --sandbox"
    )]
    LiveInSandbox,
    /// The shop's currency is not one the region takes.
    #[error("AMAZON_PAY_CURRENCY {currency} is not taken by an Amazon Pay account of region {region}: it takes {allowed}")]
    Currency {
        /// The configured currency.
        currency: String,
        /// The region.
        region: &'static str,
        /// What it takes.
        allowed: String,
    },
    /// A malformed endpoint.
    #[error("AMAZON_PAY_API_ENDPOINT {0:?} must be an https URL (http only in sandbox mode)")]
    Endpoint(String),
    /// An entry of the IPN topic list that is no SNS topic ARN.
    #[error(
        "AMAZON_IPN_TOPIC_ARNS: {0:?} is not an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:amazon-pay-ipn (the topic \
         Amazon Pay's IPN is sent to, as SNS shows it)"
    )]
    BadTopicArn(String),
    /// A malformed id.
    #[error("{name} {value:?} is not valid: {why}")]
    BadId {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it must look like.
        why: &'static str,
    },
}

/// The sandbox's store id, used when none is configured in sandbox mode.
pub const SANDBOX_STORE_ID: &str = "amzn1.application-oa2-client.5a4db0e5cd5f4d8a9b0c1d2e3f405162";

/// Whether `pem` is an RSA private key Amazon Pay can sign with (the reason when not).
pub fn check_private_key(pem: &str) -> Result<(), String> {
    // The pair's other file (`openssl rsa -pubout`, or Seller Central's public key) is an easy mix-up.
    if pem.contains("-----BEGIN PUBLIC KEY-----") || pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
        return Err("the file holds a public key (BEGIN PUBLIC KEY); name the private key's file, whose public half Seller Central has".into());
    }
    amazon_pay_v2::PrivateKey::from_pem(pem).map(drop).map_err(|e| e.to_string())
}

/// The prefix of an environment-specific public key id, if any.
pub fn key_id_environment(public_key_id: &str) -> Option<Environment> {
    let upper = public_key_id.to_ascii_uppercase();
    if upper.starts_with("LIVE-") {
        Some(Environment::Live)
    } else if upper.starts_with("SANDBOX-") {
        Some(Environment::Sandbox)
    } else {
        None
    }
}

impl AmazonConfig {
    /// Validates the Amazon settings for `--provider amazon`. `sandbox`: this server's sandbox mode (defaults
    /// filled in, the key pair made by the sandbox when none is given). `check_key` parses the PEM text.
    pub fn from_args(
        args: &AmazonArgs,
        merchant_id: Option<&str>,
        currency: &str,
        sandbox: bool,
        check_key: impl Fn(&str) -> Result<(), String>,
    ) -> Result<AmazonConfig, AmazonConfigError> {
        use AmazonConfigError as E;
        let need = |value: Option<&str>, name: &'static str, default: &str| match (value.map(str::trim), sandbox) {
            (Some(v), _) if !v.is_empty() => Ok(v.to_owned()),
            (_, true) => Ok(default.to_owned()),
            (_, false) => Err(E::Missing(name)),
        };
        let merchant_id = need(merchant_id, "AMAZON_MERCHANT_ID", payone_wire::sandbox_settings::defaults::AMAZON_MERCHANT_ID)?;
        let store_id = need(args.amazon_store_id.as_deref(), "AMAZON_STORE_ID", SANDBOX_STORE_ID)?;
        if !store_id.starts_with("amzn1.application-oa2-client.") || !store_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
            return Err(E::BadId {
                name: "AMAZON_STORE_ID",
                value: store_id,
                why: "it is the Login with Amazon client id, amzn1.application-oa2-client.<id>",
            });
        }
        let private_key = match &args.amazon_private_key {
            Some(path) => Some(load_key(path, &check_key)?),
            None if sandbox => None,
            None => return Err(E::Missing("AMAZON_PRIVATE_KEY_PATH")),
        };
        let public_key_id = match (args.amazon_public_key_id.as_deref().map(str::trim), &private_key) {
            (Some(id), _) if !id.is_empty() => Some(id.to_owned()),
            // A key of one's own needs the id Amazon gave for it.
            (_, Some(_)) => return Err(E::Missing("AMAZON_PUBLIC_KEY_ID")),
            (_, None) => None,
        };
        if let Some(id) = &public_key_id {
            if id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(E::BadId { name: "AMAZON_PUBLIC_KEY_ID", value: id.clone(), why: "letters, digits, - and _ only, as Amazon shows it" });
            }
        }
        let implied = public_key_id.as_deref().and_then(key_id_environment);
        let environment = match (args.amazon_environment, implied) {
            (Some(set), Some(implied)) if set != implied => {
                let prefix = if implied == Environment::Live { "LIVE-" } else { "SANDBOX-" };
                return Err(E::EnvironmentMismatch { prefix, environment: set.as_str() });
            }
            (Some(set), _) => set,
            (None, Some(implied)) => implied,
            (None, None) => match public_key_id.as_deref() {
                Some(id) if !sandbox => return Err(E::EnvironmentUnknown(id.to_owned())),
                _ => Environment::Sandbox,
            },
        };
        let endpoint = match args.amazon_api_endpoint.as_deref().map(|e| e.trim().trim_end_matches('/')) {
            None | Some("") => None,
            Some(e) if e.starts_with("https://") || (sandbox && e.starts_with("http://")) => Some(e.to_owned()),
            Some(e) => return Err(E::Endpoint(e.to_owned())),
        };
        if sandbox && endpoint.is_none() && environment == Environment::Live {
            return Err(E::LiveInSandbox);
        }
        let region = args.amazon_region;
        let allowed = region.ledger_currencies();
        if !allowed.iter().any(|c| currency.trim().eq_ignore_ascii_case(c.code())) {
            return Err(E::Currency {
                currency: currency.to_owned(),
                region: region.code(),
                allowed: allowed.iter().map(|c| c.code()).collect::<Vec<_>>().join(" or "),
            });
        }
        let ipn_topic_arns = args.amazon_ipn_topic_arns.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        if let Some(bad) = ipn_topic_arns.iter().find(|a| !is_topic_arn(a)) {
            return Err(E::BadTopicArn(bad.clone()));
        }
        Ok(AmazonConfig {
            ipn_topic_arns,
            merchant_id,
            store_id,
            public_key_id,
            private_key,
            region,
            environment,
            endpoint,
            // 0 (an `AmazonArgs::default()`) means the documented default, not "no time at all".
            timeout: std::time::Duration::from_millis(if args.amazon_api_timeout_ms == 0 { 30_000 } else { args.amazon_api_timeout_ms }),
        })
    }
}

/// Whether `arn` is an SNS topic's: `arn:<partition>:sns:<region>:<12-digit account>:<topic>`, the topic 1 to
/// 256 letters, digits, `-` and `_` (a FIFO topic ends in `.fifo`). Compared with the message's `TopicArn` as it is.
pub fn is_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [scheme, partition, service, region, account, topic] = parts.as_slice() else { return false };
    let name = topic.strip_suffix(".fifo").unwrap_or(topic);
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    *scheme == "arn"
        && partition.starts_with("aws")
        && word(partition)
        && *service == "sns"
        && word(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=256).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads the PEM file and checks that it parses; the error names the path, never the content.
fn load_key(path: &std::path::Path, check_key: &impl Fn(&str) -> Result<(), String>) -> Result<PrivateKeyPem, AmazonConfigError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| AmazonConfigError::KeyUnreadable { path: shown.clone(), reason: e.to_string() })?;
    let text =
        String::from_utf8(bytes).map_err(|_| AmazonConfigError::KeyMalformed { path: shown.clone(), reason: "the file is not PEM text".into() })?;
    check_key(&text).map_err(|reason| AmazonConfigError::KeyMalformed { path: shown, reason })?;
    Ok(PrivateKeyPem(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arns_are_snss_and_nothing_else() {
        assert!(is_topic_arn("arn:aws:sns:eu-west-1:123456789012:amazon-pay-ipn"));
        assert!(is_topic_arn("arn:aws-cn:sns:cn-north-1:123456789012:ipn_topic.fifo"));
        for bad in [
            "",
            "amazon-pay-ipn",
            "arn:aws:sqs:eu-west-1:123456789012:amazon-pay-ipn",
            "arn:aws:sns:eu-west-1:12345:amazon-pay-ipn",
            "arn:aws:sns:eu-west-1:123456789012:",
            "arn:aws:sns:eu-west-1:123456789012:a/b",
            "arn:aws:sns:eu-west-1:123456789012:topic:extra",
            "arn:aws:sns:*:123456789012:topic",
        ] {
            assert!(!is_topic_arn(bad), "{bad}");
        }
    }

    #[test]
    fn the_live_policy_lets_each_regions_checkout_js_run() {
        // Only static-eu was allowed: an NA or JP merchant's pages refused their own region's checkout.js.
        let policy = crate::security::LIVE_CSP;
        let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).expect("a script-src");
        for region in [Region::Eu, Region::Na, Region::Jp] {
            let url = region.checkout_js();
            let host = url.strip_suffix("/checkout.js").expect("a checkout.js URL");
            assert!(scripts.split_whitespace().any(|source| source == host), "{host} missing from {scripts}");
        }
    }
}
