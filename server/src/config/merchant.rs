//! The merchant side's settings: where webhooks go, the secret they are signed with, and the merchant API's
//! keys. Checked once at start; a setting that cannot work refuses to start with its name in the message.

use std::time::Duration;

/// Webhook and merchant API options (flattened into [`crate::config::Args`]); `Debug` (below) hides the
/// secret and the keys.
#[derive(Clone, Default, clap::Args)]
pub struct MerchantArgs {
    /// Where order events are POSTed (repeat the option for several; the environment variable is comma-separated).
    #[arg(long = "webhook-url", env = "AMAZON_PAY_WEBHOOK_URLS", value_delimiter = ',')]
    pub webhook_urls: Vec<String>,
    /// The HMAC-SHA256 key webhooks are signed with (at least 32 bytes; share it with the receiver only).
    #[arg(long, env = "AMAZON_PAY_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// A second HMAC key, only while the secret is rotated: every delivery then carries a `v1=` signature with
    /// each key, so the receiver can switch whenever it likes (docs/webhooks.md#rotating-the-secret).
    #[arg(long, env = "AMAZON_PAY_WEBHOOK_SECRET_NEXT", hide_env_values = true)]
    pub webhook_secret_next: Option<String>,
    /// Comma-separated waits in seconds before each retry of an undelivered webhook. The default retries for
    /// about four days, waiting longer each time.
    #[arg(long, env = "AMAZON_PAY_WEBHOOK_RETRY_SECONDS", value_delimiter = ',', default_values_t = DEFAULT_RETRY_SECONDS)]
    pub webhook_retry_seconds: Vec<f64>,
    /// Days a finished webhook delivery (delivered or given up) and its attempts are kept before the worker
    /// deletes them (events too, once every delivery of theirs is gone).
    #[arg(long, env = "AMAZON_PAY_WEBHOOK_RETENTION_DAYS", default_value_t = DEFAULT_RETENTION_DAYS)]
    pub webhook_retention_days: f64,
    /// Bearer keys of the merchant API under /merchant/api/ (comma-separated, each at least 32 characters).
    /// Without one the merchant API answers 404.
    #[arg(long, env = "AMAZON_PAY_MERCHANT_API_KEYS", value_delimiter = ',', hide_env_values = true)]
    pub merchant_api_keys: Vec<String>,
}

impl std::fmt::Debug for MerchantArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantArgs")
            .field("webhook_urls", &self.webhook_urls)
            .field("webhook_secret", &crate::config::redacted(&self.webhook_secret))
            .field("webhook_secret_next", &crate::config::redacted(&self.webhook_secret_next))
            .field("webhook_retry_seconds", &self.webhook_retry_seconds)
            .field("webhook_retention_days", &self.webhook_retention_days)
            .field("merchant_api_keys", &format!("<{} redacted>", self.merchant_api_keys.len()))
            .finish()
    }
}

/// 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h, then 24 h three times: about 4.2 days in all.
pub const DEFAULT_RETRY_SECONDS: [f64; 12] = [60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 43200.0, 86400.0, 86400.0, 86400.0];

/// Finished deliveries are kept this many days by default.
pub const DEFAULT_RETENTION_DAYS: f64 = 30.0;

/// With a shared PostgreSQL, a URL no instance has served for this long is removed: longer than a rolling restart.
pub const REMOVED_GRACE: Duration = Duration::from_secs(600);

/// The shortest webhook secret accepted, in bytes (as long as the HMAC-SHA256 output).
pub const MIN_SECRET_BYTES: usize = 32;
/// The shortest merchant API key accepted, in characters.
pub const MIN_API_KEY_CHARS: usize = 32;

/// The validated merchant settings.
#[derive(Clone, Default)]
pub struct MerchantConfig {
    /// Where events are POSTed (http or https).
    pub webhook_urls: Vec<String>,
    /// The HMAC key; at least [`MIN_SECRET_BYTES`].
    pub webhook_secret: Option<String>,
    /// The second key while the secret is rotated: deliveries are signed with both.
    pub webhook_secret_next: Option<String>,
    /// Wait before the 2nd, 3rd, ... attempt; after the last one the delivery is given up.
    pub webhook_retries: Vec<Duration>,
    /// Per attempt: no answer within this time counts as a failure.
    pub webhook_timeout: Duration,
    /// How often the delivery worker looks for events it was not woken for (retries due, other instances').
    pub webhook_poll: Duration,
    /// How long finished deliveries, their attempts and fully delivered events are kept.
    pub webhook_retention: Duration,
    /// With a shared PostgreSQL: how long no instance must have served a URL this one does not have before its
    /// pending deliveries are abandoned (an instance with the older configuration may still run meanwhile).
    pub webhook_removed_grace: Duration,
    /// The merchant API's Bearer keys; empty: the merchant API is off.
    pub api_keys: Vec<String>,
}

impl std::fmt::Debug for MerchantConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantConfig")
            .field("webhook_urls", &self.webhook_urls)
            .field("webhook_secret", &crate::config::redacted(&self.webhook_secret))
            .field("webhook_secret_next", &crate::config::redacted(&self.webhook_secret_next))
            .field("webhook_retries", &self.webhook_retries)
            .field("webhook_retention", &self.webhook_retention)
            .field("api_keys", &format!("<{} redacted>", self.api_keys.len()))
            .finish()
    }
}

/// A merchant setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerchantConfigError {
    /// A webhook URL that is not http(s).
    #[error("AMAZON_PAY_WEBHOOK_URLS (--webhook-url): {0:?} is not an http(s) URL")]
    BadUrl(String),
    #[error("AMAZON_PAY_WEBHOOK_URLS (--webhook-url) is set, but AMAZON_PAY_WEBHOOK_SECRET (--webhook-secret) is not: webhooks must be signed")]
    /// URLs without a secret.
    MissingSecret,
    /// A secret shorter than [`MIN_SECRET_BYTES`].
    #[error("AMAZON_PAY_WEBHOOK_SECRET (--webhook-secret) has {0} bytes; use at least 32 random bytes")]
    ShortSecret(usize),
    /// A second secret shorter than [`MIN_SECRET_BYTES`].
    #[error("AMAZON_PAY_WEBHOOK_SECRET_NEXT (--webhook-secret-next) has {0} bytes; use at least 32 random bytes")]
    ShortNextSecret(usize),
    /// A second secret without a first.
    #[error("AMAZON_PAY_WEBHOOK_SECRET_NEXT (--webhook-secret-next) is set, but AMAZON_PAY_WEBHOOK_SECRET (--webhook-secret) is not")]
    NextWithoutSecret,
    /// A second secret equal to the first: a rotation needs a new one.
    #[error("AMAZON_PAY_WEBHOOK_SECRET_NEXT (--webhook-secret-next) is the same as AMAZON_PAY_WEBHOOK_SECRET; a rotation needs a new secret")]
    SameNextSecret,
    /// A retry wait that is not a positive number of seconds.
    #[error("AMAZON_PAY_WEBHOOK_RETRY_SECONDS: every wait must be a positive number of seconds, got {0}")]
    BadRetry(String),
    /// A retention that is not a positive number of days.
    #[error("AMAZON_PAY_WEBHOOK_RETENTION_DAYS (--webhook-retention-days): must be a positive number of days, got {0}")]
    BadRetention(String),
    #[error("AMAZON_PAY_MERCHANT_API_KEYS (--merchant-api-keys): key {index} has {chars} characters; each key needs at least 32")]
    /// An API key shorter than [`MIN_API_KEY_CHARS`].
    ShortKey {
        /// Its place in the list, from 1.
        index: usize,
        /// Its length.
        chars: usize,
    },
}

impl MerchantConfig {
    /// Validates the arguments; the error names the setting.
    pub fn from_args(args: MerchantArgs) -> Result<MerchantConfig, MerchantConfigError> {
        let mut webhook_urls = Vec::new();
        for url in args.webhook_urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
            if !is_http_url(url) {
                return Err(MerchantConfigError::BadUrl(url.to_owned()));
            }
            webhook_urls.push(url.to_owned());
        }
        let secret = args.webhook_secret.filter(|s| !s.is_empty());
        if let Some(secret) = &secret {
            if secret.len() < MIN_SECRET_BYTES {
                return Err(MerchantConfigError::ShortSecret(secret.len()));
            }
        } else if !webhook_urls.is_empty() {
            return Err(MerchantConfigError::MissingSecret);
        }
        // Empty means unset for both secrets (an `AMAZON_PAY_WEBHOOK_SECRET_NEXT=` left in the environment after
        // a rotation, as deployment templates write it); a blank one is as short as it looks.
        let secret_next = match args.webhook_secret_next.filter(|s| !s.is_empty()) {
            None => None,
            Some(next) if next.len() < MIN_SECRET_BYTES => return Err(MerchantConfigError::ShortNextSecret(next.len())),
            Some(_) if secret.is_none() => return Err(MerchantConfigError::NextWithoutSecret),
            Some(next) if secret.as_deref() == Some(next.as_str()) => return Err(MerchantConfigError::SameNextSecret),
            Some(next) => Some(next),
        };
        let webhook_retries = args
            .webhook_retry_seconds
            .iter()
            .map(|s| match Duration::try_from_secs_f64(*s) {
                Ok(d) if !d.is_zero() => Ok(d),
                _ => Err(MerchantConfigError::BadRetry(s.to_string())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let webhook_retention = match Duration::try_from_secs_f64(args.webhook_retention_days * 86_400.0) {
            Ok(d) if !d.is_zero() => d,
            _ => return Err(MerchantConfigError::BadRetention(args.webhook_retention_days.to_string())),
        };
        let mut api_keys = Vec::new();
        for (index, key) in args.merchant_api_keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).enumerate() {
            let chars = key.chars().count();
            if chars < MIN_API_KEY_CHARS {
                return Err(MerchantConfigError::ShortKey { index: index + 1, chars });
            }
            api_keys.push(key.to_owned());
        }
        Ok(MerchantConfig {
            webhook_urls,
            webhook_secret: secret,
            webhook_secret_next: secret_next,
            webhook_retries,
            webhook_timeout: Duration::from_secs(10),
            webhook_poll: Duration::from_millis(50),
            webhook_retention,
            webhook_removed_grace: REMOVED_GRACE,
            api_keys,
        })
    }

    /// The keys every delivery is signed with, in the header's order: during a rotation the second one, then
    /// the secret. The secret's signature comes last because a receiver that reads only the last `v1=` (as the
    /// docs' snippets did before rotations existed) then keeps working until it switches.
    pub fn webhook_secrets(&self) -> Vec<&str> {
        self.webhook_secret_next.iter().chain(&self.webhook_secret).map(String::as_str).collect()
    }

    /// Whether the delivery worker has anything to do.
    pub fn webhooks_enabled(&self) -> bool {
        !self.webhook_urls.is_empty() && self.webhook_secret.is_some()
    }
}

/// `http://host...` or `https://host...` with a non-empty host and no whitespace.
fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !url.chars().any(char::is_whitespace)
    })
}

/// A receiver's URL as logs, `check-config` and the merchant API show it: where it goes (scheme, host, port) and
/// only what is clearly a label of the rest: path segments that read as words (`/hooks/amazon-pay`, `/v2`), and
/// the query's labels (`?shop=de`, which tells two receivers apart). Everything else (a path segment or query
/// value that may be the shop's token for the receiver, a parameter of any other name) is replaced by
/// `[redacted]`; user info and fragment are left out. Logs are read by more people than the configuration, and
/// a log line that hides a label costs a look at the configuration, one that shows a token costs the receiver.
pub fn url_shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let query = parsed.query().map(shown_query);
            parsed.set_query(None);
            parsed.set_fragment(None);
            // Both only fail for URLs that cannot have them (no host), which are left as they are.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            if let Some(segments) = parsed.path_segments() {
                let shown: Vec<&str> = segments.map(|segment| if is_label(segment) { segment } else { REDACTED }).collect();
                let path = format!("/{}", shown.join("/"));
                parsed.set_path(&path);
            }
            match query.filter(|q| !q.is_empty()) {
                Some(query) => format!("{parsed}?{query}"),
                None => parsed.to_string(),
            }
        }
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// The configured URLs as shown side by side (the outbox, `check-config`): each [`url_shown`], and where two
/// are shown alike (they differ only in what is redacted, as two Slack webhooks do) each of those followed by
/// its place among the `--webhook-url` options (` (webhook URL 2)`), which tells them apart and says nothing of the secret.
pub fn urls_shown(configured: &[String]) -> Vec<String> {
    let shown: Vec<String> = configured.iter().map(|url| url_shown(url)).collect();
    shown
        .iter()
        .enumerate()
        .map(|(i, url)| match shown.iter().filter(|other| *other == url).count() {
            1 => url.clone(),
            _ => format!("{url} (webhook URL {})", i + 1),
        })
        .collect()
}

/// `url` as [`urls_shown`] shows it among `configured`; as [`url_shown`] when it is no longer configured.
pub fn url_shown_among(url: &str, configured: &[String]) -> String {
    match configured.iter().position(|c| c == url) {
        Some(i) => urls_shown(configured).swap_remove(i),
        None => url_shown(url),
    }
}

/// The configured URLs that `url` names: one as configured or as [`urls_shown`] shows it; a shown form that
/// several share, given without their place, names them all.
pub fn configured_named(configured: &[String], url: &str) -> Vec<String> {
    let shown = urls_shown(configured);
    let one: Vec<String> = configured.iter().zip(&shown).filter(|(c, s)| *c == url || *s == url).map(|(c, _)| c.clone()).collect();
    if !one.is_empty() {
        return one;
    }
    configured.iter().filter(|c| url_shown(c) == url).cloned().collect()
}

/// What stands in for a secret in a shown URL.
const REDACTED: &str = "[redacted]";

/// Query parameters that name where a delivery goes (a shop, a country, a version) or switch something on
/// (`?debug`): the only ones whose values are shown (when they read as labels), and the only bare ones shown.
const LABEL_NAMES: [&str; 22] = [
    "shop",
    "store",
    "site",
    "brand",
    "country",
    "region",
    "market",
    "lang",
    "language",
    "locale",
    "env",
    "environment",
    "stage",
    "channel",
    "source",
    "v",
    "version",
    "format",
    "mode",
    "debug",
    "test",
    "sandbox",
];

/// A query with each parameter kept as written (still percent-encoded) when it is clearly a label: its name is
/// one of [`LABEL_NAMES`] and its value reads as a label. Otherwise its value is redacted (its name kept when it
/// reads as a label, so the reader knows what is there), or the whole parameter when it has no value.
fn shown_query(query: &str) -> String {
    let raw = query.split('&').filter(|part| !part.is_empty());
    // The decoded pairs, in the same order (empty parts are skipped by both), so `%73hop` reads as `shop`.
    let decoded =
        reqwest::Url::parse(&format!("http://x/?{query}")).map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect());
    let decoded: Vec<(String, String)> = decoded.unwrap_or_default();
    let shown: Vec<String> = raw
        .zip(decoded.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(part, pair)| {
            let Some((name, value)) = pair else { return REDACTED.to_owned() };
            let raw_name = part.split('=').next().unwrap_or_default();
            let label_name = LABEL_NAMES.iter().any(|known| known.eq_ignore_ascii_case(name));
            if !part.contains('=') {
                // A bare parameter is a flag or the token itself.
                if label_name {
                    part.to_owned()
                } else {
                    REDACTED.to_owned()
                }
            } else if !(is_label(name) || secret_name(name) && is_label(&name.to_ascii_lowercase())) {
                // A name that may itself be a token; a credential's name in any case (`apiKey`) is kept.
                REDACTED.to_owned()
            } else if label_name && is_label(value) {
                part.to_owned()
            } else {
                format!("{raw_name}={REDACTED}")
            }
        })
        .collect();
    shown.join("&")
}

/// Parts of a query parameter's name that say its value is a credential: such a name is shown in any case
/// (`apiKey=[redacted]`), so the reader knows one is there.
const SECRET_NAMES: [&str; 14] =
    ["token", "secret", "key", "sig", "auth", "pass", "pwd", "code", "session", "hmac", "credential", "bearer", "jwt", "nonce"];

fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|part| lower.contains(part))
}

/// Whether `text` (a query name or value, or a path segment) reads as a label rather than a token: at most
/// four letters, digits, `-`, `_` or `.` (`de`, `v2`, `2.1`), or a word of up to 32 letters with `-`, `_`, `.`
/// in one case (`amazon-pay`, `prod`, `DE`). Digits beyond four characters (`abc123`, a hex digest), mixed case
/// (`hJkLmNoP`), percent-encoding or anything else may be a token.
fn is_label(text: &str) -> bool {
    let length = text.chars().count();
    let short = length <= 4 && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let word = length <= 32
        && text.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.'))
        && (!text.chars().any(|c| c.is_ascii_uppercase()) || !text.chars().any(|c| c.is_ascii_lowercase()));
    short || word
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn a_shown_url_keeps_where_it_goes_and_drops_what_may_be_a_token() {
        assert_eq!(url_shown("https://shop.example/hooks/amazon-pay?token=s3cret#x"), "https://shop.example/hooks/amazon-pay?token=[redacted]");
        assert_eq!(url_shown("http://user:pass@10.0.0.7:8081/hook"), "http://10.0.0.7:8081/hook");
        assert_eq!(url_shown("not a url ?token=s3cret"), "<unparsable url>");
    }

    #[test]
    fn a_shown_url_keeps_the_query_s_labels_and_redacts_its_secrets() {
        // Two receivers told apart by their query (a shop per country) looked the same in every log line.
        assert_eq!(url_shown("https://hooks.example/in?shop=de&v=2"), "https://hooks.example/in?shop=de&v=2");
        assert_eq!(url_shown("https://hooks.example/in?shop=fr&v=2"), "https://hooks.example/in?shop=fr&v=2");
        // A credential by its name, whatever its value: the name stays, so the reader knows one is there.
        for name in ["token", "access_token", "Secret", "api_key", "sig", "signature", "auth", "password", "code", "hmac", "session_id"] {
            assert_eq!(
                url_shown(&format!("https://h.example/in?{name}=abc&shop=de")),
                format!("https://h.example/in?{name}=[redacted]&shop=de"),
                "{name}"
            );
        }
        // A value that looks like one under any name: long, or letters and digits mixed.
        assert_eq!(url_shown("https://h.example/in?t=9f86d081884c7d659a2feaa0c55ad015"), "https://h.example/in?t=[redacted]");
        assert_eq!(url_shown("https://h.example/in?x=Ab3dEf9h&env=prod"), "https://h.example/in?x=[redacted]&env=prod");
        // Percent-encoding does not hide a name, and a bare secret (no `=`) is redacted whole.
        assert_eq!(url_shown("https://h.example/in?%74oken=abc"), "https://h.example/in?%74oken=[redacted]");
        assert_eq!(url_shown("https://h.example/in?Rt6Wq9Zp3w0123456789"), "https://h.example/in?[redacted]");
        assert_eq!(url_shown("https://h.example/in?debug&channel=amazon-pay"), "https://h.example/in?debug&channel=amazon-pay");
        // Short tokens with digits, or digits alone, are not labels.
        assert_eq!(url_shown("https://h.example/in?t=abc123&n=12345678&v=v2"), "https://h.example/in?t=[redacted]&n=[redacted]&v=v2");
        // Nothing of the redacted values is left.
        let shown = url_shown("https://u:p@h.example/in?token=Tk-q7Zp3w&k=Hk-pass-R9x#frag");
        assert!(!shown.contains("Tk-q7Zp3w") && !shown.contains("Hk-pass-R9x") && !shown.contains("frag") && !shown.contains("u:p"), "{shown}");
    }

    /// Only what is clearly a label is shown: a value under a label's name (`shop`, `country`, `v`, ...) that
    /// reads as a word or is at most 4 characters, and path segments that read so. A token of letters only
    /// under a harmless name (`?ref=hJkLmNoPqRsTuVwX`) was shown, so were tokens in the path (Slack's, Discord's
    /// webhook URLs) and a bare token of lowercase letters.
    #[test]
    fn a_shown_url_hides_every_value_that_is_not_clearly_a_label() {
        for (url, shown) in [
            // Letters only, under a name that says nothing.
            ("https://h.example/in?ref=hJkLmNoPqRsTuVwX", "https://h.example/in?ref=[redacted]"),
            ("https://h.example/in?id=abcdefghijklmnop&shop=de", "https://h.example/in?id=[redacted]&shop=de"),
            ("https://h.example/in?u=ab3k", "https://h.example/in?u=[redacted]"),
            // Under a label's name, a value that does not read as one (mixed case, or digits beyond 4 characters).
            ("https://h.example/in?shop=hJkLmNoPqRsTuVwX", "https://h.example/in?shop=[redacted]"),
            ("https://h.example/in?v=2024-01-x9&country=DE", "https://h.example/in?v=[redacted]&country=DE"),
            // A bare parameter that is no known flag is the token itself.
            ("https://h.example/in?hjklmnopqrstuvwx", "https://h.example/in?[redacted]"),
            ("https://h.example/in?debug&abcd", "https://h.example/in?debug&[redacted]"),
            // Tokens in the path, as Slack's, Discord's and Zapier's webhook URLs carry them.
            (
                "https://hooks.slack.com/services/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",
                "https://hooks.slack.com/services/[redacted]/[redacted]/[redacted]",
            ),
            ("https://discord.com/api/webhooks/123456789012345678/AbC-dEf_gHiJkLmN", "https://discord.com/api/webhooks/[redacted]/[redacted]"),
            ("https://hooks.zapier.com/hooks/catch/123456/b7xk2q/", "https://hooks.zapier.com/hooks/catch/[redacted]/[redacted]/"),
            ("https://h.example/%74oken-Rt6Wq9/in", "https://h.example/[redacted]/in"),
            // A name that may itself be a token goes whole; a credential's name stays in any case.
            ("https://h.example/in?hJkLmNoPqR=1&apiKey=abc", "https://h.example/in?[redacted]&apiKey=[redacted]"),
            // User info in any form.
            ("http://tok3n@h.example/in", "http://h.example/in"),
            ("http://:pa55@h.example/in", "http://h.example/in"),
        ] {
            assert_eq!(url_shown(url), shown, "{url}");
        }
        // What is clearly a label stays, so two receivers that differ only in it can be told apart.
        for url in [
            "https://shop.example/hooks/amazon-pay?shop=de&v=2",
            "https://shop.example/v2/hooks?channel=amazon-pay&env=prod&debug",
            "https://shop.example/api/webhooks/?country=DE&lang=fr&version=2.1",
        ] {
            assert_eq!(url_shown(url), url);
        }
    }

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        merchant: MerchantArgs,
    }

    fn parse(args: &[&str]) -> Result<MerchantConfig, MerchantConfigError> {
        let wrapper = Wrapper::try_parse_from(std::iter::once("x").chain(args.iter().copied())).expect("arguments parse");
        MerchantConfig::from_args(wrapper.merchant)
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn nothing_configured_is_fine_and_off() {
        let config = parse(&[]).unwrap();
        assert!(!config.webhooks_enabled());
        assert!(config.api_keys.is_empty());
        let total: Duration = config.webhook_retries.iter().sum();
        assert!(total >= Duration::from_secs(3 * 86400), "retries for at least three days: {total:?}");
    }

    #[test]
    fn urls_are_repeatable_and_need_a_long_secret() {
        let config =
            parse(&["--webhook-url", "https://shop.example/hook", "--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret", SECRET]).unwrap();
        assert_eq!(config.webhook_urls.len(), 2);
        assert!(config.webhooks_enabled());
        let err = parse(&["--webhook-url", "https://shop.example/hook"]).unwrap_err();
        assert_eq!(err, MerchantConfigError::MissingSecret);
        assert!(err.to_string().contains("AMAZON_PAY_WEBHOOK_SECRET"), "{err}");
        let err = parse(&["--webhook-url", "https://shop.example/hook", "--webhook-secret", "short"]).unwrap_err();
        assert_eq!(err, MerchantConfigError::ShortSecret(5));
        assert!(err.to_string().contains("AMAZON_PAY_WEBHOOK_SECRET"), "{err}");
        for bad in ["ftp://shop.example/hook", "shop.example/hook", "https://", "javascript:alert(1)", "https://a b"] {
            let err = parse(&["--webhook-url", bad, "--webhook-secret", SECRET]).unwrap_err();
            assert!(matches!(err, MerchantConfigError::BadUrl(_)), "{bad}: {err}");
            assert!(err.to_string().contains("AMAZON_PAY_WEBHOOK_URLS"), "{err}");
        }
    }

    #[test]
    fn a_second_secret_for_a_rotation_is_long_new_and_needs_the_first() {
        const NEXT: &str = "fedcba9876543210fedcba9876543210";
        let config = parse(&["--webhook-url", "https://shop.example/hook", "--webhook-secret", SECRET, "--webhook-secret-next", NEXT]).unwrap();
        assert_eq!(config.webhook_secrets(), [NEXT, SECRET], "the secret's signature last");
        assert!(!format!("{config:?}").contains(NEXT), "the Debug output hides it");
        assert_eq!(parse(&["--webhook-secret", SECRET]).unwrap().webhook_secrets(), [SECRET]);
        // Empty is unset, as for the secret itself.
        assert_eq!(parse(&["--webhook-secret", SECRET, "--webhook-secret-next", ""]).unwrap().webhook_secrets(), [SECRET]);
        assert_eq!(parse(&["--webhook-secret", "", "--webhook-secret-next", ""]).unwrap().webhook_secrets(), [] as [&str; 0]);
        let cases: [(&[&str], MerchantConfigError); 5] = [
            (&["--webhook-secret", SECRET, "--webhook-secret-next", "   "], MerchantConfigError::ShortNextSecret(3)),
            (&["--webhook-secret", "", "--webhook-secret-next", NEXT], MerchantConfigError::NextWithoutSecret),
            (&["--webhook-secret", SECRET, "--webhook-secret-next", "short"], MerchantConfigError::ShortNextSecret(5)),
            (&["--webhook-secret-next", NEXT], MerchantConfigError::NextWithoutSecret),
            (&["--webhook-secret", SECRET, "--webhook-secret-next", SECRET], MerchantConfigError::SameNextSecret),
        ];
        for (args, expected) in cases {
            let err = parse(args).unwrap_err();
            assert_eq!(err, expected, "{args:?}");
            assert!(err.to_string().contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT"), "{err}");
            assert!(!err.to_string().contains(SECRET), "no secret in the message: {err}");
        }
    }

    #[test]
    fn retry_schedules_are_positive() {
        let config = parse(&["--webhook-retry-seconds", "0.05,0.1"]).unwrap();
        assert_eq!(config.webhook_retries, [Duration::from_millis(50), Duration::from_millis(100)]);
        for bad in ["0", "-1", "NaN"] {
            let err = parse(&[&format!("--webhook-retry-seconds={bad}")]).unwrap_err();
            assert!(matches!(err, MerchantConfigError::BadRetry(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn retention_is_thirty_days_or_a_positive_number_of_days() {
        assert_eq!(parse(&[]).unwrap().webhook_retention, Duration::from_secs(30 * 86_400));
        assert_eq!(parse(&["--webhook-retention-days", "0.5"]).unwrap().webhook_retention, Duration::from_secs(43_200));
        for bad in ["0", "-1", "NaN", "inf"] {
            let err = parse(&[&format!("--webhook-retention-days={bad}")]).unwrap_err();
            assert!(matches!(err, MerchantConfigError::BadRetention(_)), "{bad}: {err}");
            assert!(err.to_string().contains("AMAZON_PAY_WEBHOOK_RETENTION_DAYS"), "{err}");
        }
    }

    #[test]
    fn api_keys_must_be_long() {
        let long = "k".repeat(32);
        let config = parse(&["--merchant-api-keys", &format!("{long},{long}x")]).unwrap();
        assert_eq!(config.api_keys.len(), 2);
        let err = parse(&["--merchant-api-keys", &format!("{long},short")]).unwrap_err();
        assert_eq!(err, MerchantConfigError::ShortKey { index: 2, chars: 5 });
        assert!(err.to_string().contains("AMAZON_PAY_MERCHANT_API_KEYS"), "{err}");
        assert!(!format!("{config:?}").contains(&long), "keys are not in debug output");
    }
}
