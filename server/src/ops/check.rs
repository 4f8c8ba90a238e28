//! `amazon-pay-server check-config [FLAGS]`: everything the start validates, without starting. Reads the
//! same flags, environment and `--config` file; prints the effective settings with secrets masked and exits
//! 0, or lists every problem (not only the first) and exits 1.
//!
//! [`Config::from_args`] stops at its first problem; to find the others each reported setting is replaced by
//! a valid stand-in and the check runs again, so the start's own rules are the only rules.

use crate::config::{Args, Config, ConfigError, Mode};
use clap::Parser;

/// What a secret is printed as.
const MASK: &str = "******** (set)";

/// Runs the check; the process's exit code.
pub fn run(argv: &[String]) -> i32 {
    let mut problems = Vec::new();
    if let Err(err) = crate::config_file::apply(argv) {
        problems.push(err.to_string());
    }
    let args = match Args::try_parse_from(argv) {
        Ok(args) => args,
        Err(err) if !err.use_stderr() => {
            // --help, --version.
            let _ = err.print();
            return 0;
        }
        Err(err) => {
            problems.push(err.render().to_string().trim_start_matches("error: ").trim().to_owned());
            return report(&problems);
        }
    };
    // Typos in the environment are not refused (other tools set variables too), but said.
    let names: Vec<String> = std::env::vars_os().filter_map(|(name, _)| name.into_string().ok()).collect();
    for warning in crate::config_file::mistyped_environment(names.iter().map(String::as_str)) {
        eprintln!("{warning}");
    }
    let (config, config_problems) = check(args);
    problems.extend(config_problems);
    // The database the configuration names, asked as the start would ask it (a valid URL only).
    let database = config.as_ref().and_then(|c| database(c, DATABASE_TIMEOUT));
    let database = match database {
        Some(Err(problem)) => {
            problems.push(problem);
            None
        }
        Some(Ok(line)) => Some(line),
        None => None,
    };
    match config {
        Some(config) if problems.is_empty() => {
            println!("configuration is valid; effective settings:");
            for (name, value) in settings(&config) {
                println!("  {name} = {value}");
            }
            if let Some(line) = database {
                println!("  database = {line}");
            }
            let url = if config.listen.port() == 0 { "http://<the address bound>".to_owned() } else { format!("http://{}", config.listen) };
            if let Some(warning) = config.public_url_warning(&url) {
                eprintln!("{warning}");
            }
            if let Some(warning) = config.ipn_topics_warning() {
                eprintln!("{warning}");
            }
            0
        }
        _ => report(&problems),
    }
}

/// How long `check-config` waits for PostgreSQL to answer (connecting and reading the schema's level) when
/// DATABASE_URL names no `connect_timeout` of its own.
pub const DATABASE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The shop `config` is, as the start writes it into the store (its catalogue read, which [`check`] has checked).
fn shop_of(config: &Config) -> String {
    use crate::catalogue::Catalogue;
    let (currencies, provider) = config.catalogue_currencies();
    let catalogue = config.catalogue.as_ref().and_then(|path| Catalogue::load_for(path, currencies, provider).ok());
    config.shop_identity(catalogue.unwrap_or_else(Catalogue::demo).currency)
}

/// The store `config` names, asked what the start would find: another shop's store is the start's refusal
/// (`store/shop_identity.rs`); a SQLite file that does not exist yet, or is this shop's, is `None`. For
/// PostgreSQL also whether it answers within the URL's `connect_timeout` (else `default_timeout`) and how far its
/// schema is migrated (`Ok`: the line to print). `/readyz` asks the same of a running server. Printed by
/// [`crate::store::DatabaseUrl::describe`]: host, port and database, never the password.
pub fn database(config: &Config, default_timeout: std::time::Duration) -> Option<Result<String, String>> {
    use crate::store::pg_probe::{deadline, latest, probe, Probe, SchemaLevel};
    use crate::store::shop_identity::{stored_in_sqlite, ShopClaimError};
    let url = &config.database_url;
    let location = url.location(&config.data_dir);
    let shop = shop_of(config);
    let crate::store::DatabaseUrl::Postgres(text) = url else {
        let path = url.sqlite_path(&config.data_dir)?;
        return match stored_in_sqlite(&path) {
            Ok(stored) => ShopClaimError::unless_same(&location, stored, &shop).err().map(|refusal| Err(refusal.to_string())),
            Err(err) => Some(Err(format!("the store {location} cannot be read: {err}"))),
        };
    };
    let latest = latest();
    let timeout = deadline(text, default_timeout);
    let whose = if timeout == default_timeout { "" } else { ", DATABASE_URL's connect_timeout" };
    let probed = probe(text, timeout).map(|Probe { level, shop: stored }| (level, stored));
    if let Ok((_, stored)) = &probed {
        if let Err(refusal) = ShopClaimError::unless_same(&location, stored.clone(), &shop) {
            return Some(Err(refusal.to_string()));
        }
    }
    Some(match probed.map(|(level, _)| level) {
        Ok(SchemaLevel::Empty) => Ok(format!("reachable; empty: the start creates the schema (migrations 1 to {latest})")),
        Ok(SchemaLevel::At(level)) if level == latest => Ok(format!("reachable; schema at migration {level}, this server's latest")),
        Ok(SchemaLevel::At(level)) if level + 1 == latest => {
            Ok(format!("reachable; schema at migration {level}: the start applies migration {latest}"))
        }
        Ok(SchemaLevel::At(level)) if level < latest => {
            Ok(format!("reachable; schema at migration {level}: the start applies migrations {} to {latest}", level + 1))
        }
        Ok(SchemaLevel::At(level)) => {
            Ok(format!("reachable; schema at migration {level}, newer than this server's {latest} (a newer server migrated it)"))
        }
        Err(err) => Err(format!("DATABASE_URL {} is not reachable (waited at most {} s{whose}): {err}", url.describe(), timeout.as_secs())),
    })
}

fn report(problems: &[String]) -> i32 {
    eprintln!("configuration has {} problem(s):", problems.len());
    for problem in problems {
        eprintln!("  - {problem}");
    }
    1
}

/// What stands in for a live configuration's missing catalogue while the other problems are looked for: no file
/// is read for it (the missing setting is reported already).
const CATALOGUE_STAND_IN: &str = "(stand-in for the missing AMAZON_PAY_CATALOGUE)";

/// Every problem with `args`, and the configuration when there is none.
pub fn check(mut args: Args) -> (Option<Config>, Vec<String>) {
    let mut problems = Vec::new();
    // Each round fixes one setting; there are far fewer settings than rounds.
    for _ in 0..64 {
        match Config::from_args(args.clone()) {
            Ok(mut config) => {
                if config.catalogue.as_deref() == Some(std::path::Path::new(CATALOGUE_STAND_IN)) {
                    config.catalogue = None;
                }
                problems.extend(start_problems(&config));
                return (problems.is_empty().then_some(config), problems);
            }
            Err(err) => {
                problems.push(err.to_string());
                if !stand_in(&mut args, &err) {
                    break;
                }
            }
        }
    }
    (None, problems)
}

/// Replaces the webhook or merchant API setting `err` is about with a valid stand-in.
fn stand_in_merchant(args: &mut crate::config::merchant::MerchantArgs, err: &crate::config::merchant::MerchantConfigError) {
    use crate::config::merchant::{MerchantConfigError as E, DEFAULT_RETENTION_DAYS, DEFAULT_RETRY_SECONDS, MIN_API_KEY_CHARS, MIN_SECRET_BYTES};
    match err {
        E::BadUrl(url) => args.webhook_urls.retain(|u| u.trim() != url),
        E::MissingSecret | E::ShortSecret(_) => args.webhook_secret = Some("x".repeat(MIN_SECRET_BYTES)),
        E::ShortNextSecret(_) | E::NextWithoutSecret | E::SameNextSecret => args.webhook_secret_next = None,
        E::BadRetry(_) => args.webhook_retry_seconds = DEFAULT_RETRY_SECONDS.to_vec(),
        E::BadRetention(_) => args.webhook_retention_days = DEFAULT_RETENTION_DAYS,
        E::ShortKey { .. } => args.merchant_api_keys.retain(|k| k.trim().is_empty() || k.trim().chars().count() >= MIN_API_KEY_CHARS),
    }
}

/// Replaces the `--provider amazon` setting `err` is about with a valid stand-in; false for the key (nothing
/// can stand in for it, so the listing stops there).
fn stand_in_amazon(
    args: &mut crate::config::amazon::AmazonArgs,
    merchant_id: &mut Option<String>,
    currency: &mut String,
    err: &crate::config::amazon::AmazonConfigError,
) -> bool {
    use crate::config::amazon::{AmazonConfigError as E, SANDBOX_STORE_ID};
    match err {
        E::Missing("AMAZON_MERCHANT_ID") => *merchant_id = Some("A1".to_owned()),
        E::Missing("AMAZON_STORE_ID") | E::BadId { name: "AMAZON_STORE_ID", .. } => args.amazon_store_id = Some(SANDBOX_STORE_ID.to_owned()),
        E::BadId { name: "AMAZON_PUBLIC_KEY_ID", .. } => args.amazon_public_key_id = Some("AKEY".to_owned()),
        E::EnvironmentMismatch { .. } => args.amazon_environment = None,
        E::EnvironmentUnknown(_) => args.amazon_environment = Some(crate::config::amazon::Environment::Sandbox),
        E::LiveInSandbox => {
            args.amazon_public_key_id = Some("AKEY".to_owned());
            args.amazon_environment = None;
        }
        E::Currency { .. } => *currency = args.amazon_region.ledger_currencies()[0].code().to_owned(),
        E::Endpoint(_) => args.amazon_api_endpoint = None,
        E::BadTopicArn(_) => args.amazon_ipn_topic_arns.retain(|a| a.trim().is_empty() || crate::config::amazon::is_topic_arn(a.trim())),
        _ => return false,
    }
    true
}

/// Replaces the setting `err` is about with a valid value; false when it cannot tell which.
fn stand_in(args: &mut Args, err: &ConfigError) -> bool {
    match err {
        ConfigError::Missing(name) | ConfigError::NotNumeric { name, .. } | ConfigError::TooLong { name, .. } => {
            let slot = match *name {
                "PAYONE_MID" => &mut args.payone_mid,
                "PAYONE_PORTALID" => &mut args.payone_portalid,
                "PAYONE_AID" => &mut args.payone_aid,
                "PAYONE_KEY" => &mut args.payone_key,
                "AMAZON_MERCHANT_ID" => &mut args.amazon_merchant_id,
                "CHECKOUTCHAMP_LOGIN_ID" => &mut args.checkoutchamp_login_id,
                "CHECKOUTCHAMP_PASSWORD" => &mut args.checkoutchamp_password,
                "CHECKOUTCHAMP_CAMPAIGN_ID" => &mut args.checkoutchamp_campaign_id,
                "CHECKOUTCHAMP_AMAZON_BILLER_ID" => &mut args.checkoutchamp_amazon_biller_id,
                _ => return false,
            };
            *slot = Some("1".to_owned());
        }
        ConfigError::WithoutCredential(_) => args.sandbox = true,
        ConfigError::PublicUrlForEveryAddress(listen) => args.public_url = Some(format!("http://{listen}")),
        ConfigError::MerchantCountry(_) => args.merchant_country = "DE".to_owned(),
        ConfigError::Currency(_) => args.currency = "EUR".to_owned(),
        ConfigError::B2b => args.b2b = false,
        ConfigError::DatabaseUrl(_) => args.database_url = "sqlite:".to_owned(),
        ConfigError::ApiVersion(_) => args.payone_api_version = "3.10".to_owned(),
        ConfigError::TooManyRetries(_) => args.sandbox_notify_retry_ms.truncate(11),
        ConfigError::RedirectedExpiry => args.redirected_expiry_seconds = crate::config::DEFAULT_REDIRECTED_EXPIRY_SECONDS,
        ConfigError::PlacingExpiry | ConfigError::PlacingExpiryBelowPayone(_) | ConfigError::PlacingExpiryAboveAuthorization(_) => {
            args.placing_expiry_seconds = crate::config::DEFAULT_PLACING_EXPIRY_SECONDS
        }
        ConfigError::PlaceholderSignaturesInLive => args.sandbox_button_signatures = crate::config::ButtonSignatures::Real,
        ConfigError::DemoCatalogueInLive => args.catalogue = Some(CATALOGUE_STAND_IN.into()),
        ConfigError::Merchant(err) => stand_in_merchant(&mut args.merchant, err),
        ConfigError::AddressRules(_) => args.address_rules.ship_to_countries.clear(),
        ConfigError::Amazon(err) => return stand_in_amazon(&mut args.amazon, &mut args.amazon_merchant_id, &mut args.currency, err),
        ConfigError::Security(_) => {
            if crate::security::parse_origins(&args.allowed_origins).is_err() {
                args.allowed_origins.clear();
            } else if args.content_security_policy.is_some() {
                args.content_security_policy = None;
            } else {
                return false;
            }
        }
    }
    true
}

/// What the server's start and `/readyz` would refuse in a configuration `from_args` accepted.
fn start_problems(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(path) = &config.catalogue {
        let (currencies, provider) = config.catalogue_currencies();
        if let Err(err) = crate::catalogue::Catalogue::load_for(path, currencies, provider) {
            problems.push(format!("AMAZON_PAY_CATALOGUE: {err}"));
        }
    }
    if config.data_dir.exists() && !config.data_dir.is_dir() {
        problems.push(format!("AMAZON_PAY_DATA_DIR {} exists and is not a directory", config.data_dir.display()));
    }
    let urls = [
        ("AMAZON_PAY_PUBLIC_URL", config.public_url.as_deref()),
        ("PAYONE_ENDPOINT", config.payone.endpoint.as_deref()),
        ("CHECKOUTCHAMP_ENDPOINT", config.checkoutchamp.as_ref().and_then(|c| c.endpoint.as_deref())),
        ("AMAZON_PROFILE_ENDPOINT", config.amazon_profile_endpoint.as_deref()),
    ];
    for (name, url) in urls {
        if let Some(url) = url {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => problems.push(format!("{name} {url:?} is not an http(s) URL")),
            }
        }
    }
    // The start resolves the return pages against the public URL (`app.rs`); a page it would refuse is a problem
    // here too. A public URL that is no URL is listed above already.
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    if reqwest::Url::parse(&public_url).is_ok() {
        let live = config.mode == Mode::Live;
        if let Err(err) = crate::return_urls::ReturnPagesConfig::resolve(&config.return_pages, &public_url, &config.allowed_origins, live) {
            problems.push(err.to_string());
        }
    }
    if config.ops.metrics_listen == Some(config.listen) && config.listen.port() != 0 {
        problems.push("AMAZON_PAY_METRICS_LISTEN must differ from AMAZON_PAY_LISTEN (metrics are never public)".to_owned());
    }
    if let Some(reason) = super::readiness::incomplete_config(config) {
        problems.push(reason);
    }
    problems
}

/// The receivers as `check-config` prints them (its output goes to CI logs): without what may be a token.
fn webhook_urls(config: &Config) -> String {
    let urls = &config.merchant.webhook_urls;
    if urls.is_empty() {
        return if config.mode == Mode::Live { "(none)" } else { "(none: in sandbox mode this server's /sandbox/webhooks)" }.to_owned();
    }
    let shown = crate::config::merchant::urls_shown(urls);
    let hidden = shown.iter().any(|u| u.contains("[redacted]")) || urls.iter().any(|u| u.contains(['#', '@']));
    format!("{}{}", shown.join(","), if hidden { " (what may be secret in the path or query, user info and fragment not shown)" } else { "" })
}

/// The public URL, or when unset the one the server builds from `--listen` (its return URLs to PAYONE use it).
fn public_url(config: &Config) -> String {
    match &config.public_url {
        Some(url) => url.clone(),
        None if config.listen.port() == 0 => "(not set: http://<the address bound>, from AMAZON_PAY_LISTEN)".to_owned(),
        None => format!("(not set: http://{}, from AMAZON_PAY_LISTEN)", config.listen),
    }
}

/// The Login with Amazon client id, saying when it is Amazon Pay direct's store id (AMAZON_CLIENT_ID unset).
fn client_id(config: &Config) -> String {
    match (&config.amazon_client_id, &config.amazon) {
        (Some(id), Some(amazon)) if *id == amazon.store_id => format!("{id} (AMAZON_STORE_ID)"),
        (Some(id), _) => id.clone(),
        (None, _) => "(not set)".to_owned(),
    }
}

/// `(name, value)` of every effective setting; secrets masked.
pub fn settings(config: &Config) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".to_owned());
    let path = |p: &std::path::Path| p.display().to_string();
    // Without PAYONE (`--provider amazon` and no PAYONE_KEY) its ids are stand-ins nobody set.
    let payone = |value: String| if config.payone_enabled { value } else { NOT_USED.to_owned() };
    let mut out = vec![
        ("mode", if config.mode == Mode::Live { "live" } else { "sandbox" }.to_owned()),
        ("AMAZON_PAY_LISTEN", config.listen.to_string()),
        ("AMAZON_PAY_PUBLIC_URL", public_url(config)),
        ("AMAZON_PAY_DATA_DIR", path(&config.data_dir)),
        ("DATABASE_URL", config.database_url.describe()),
        ("AMAZON_PAY_DIST_DIR", path(&config.dist_dir)),
        ("AMAZON_PAY_STATIC_DIR", path(&config.static_dir)),
        ("AMAZON_PAY_CATALOGUE", config.catalogue.as_deref().map_or_else(|| "(demo)".to_owned(), path)),
        ("PAYONE_MID", payone(config.payone.mid.clone())),
        ("PAYONE_PORTALID", payone(config.payone.portal_id.clone())),
        ("PAYONE_AID", payone(config.payone.aid.clone())),
        ("PAYONE_KEY", if config.payone_enabled { MASK } else { "(not set)" }.to_owned()),
        ("PAYONE_ENDPOINT", payone(config.payone.endpoint.clone().unwrap_or_else(|| "(sandbox simulator)".to_owned()))),
        ("PAYONE_TIMEOUT_MS", config.payone_timeout.as_millis().to_string()),
        ("AMAZON_PAY_REDIRECTED_EXPIRY_SECONDS", config.redirected_expiry.as_secs().to_string()),
        ("AMAZON_PAY_PLACING_EXPIRY_SECONDS", config.placing_expiry.as_secs().to_string()),
        ("PAYONE_AUTHORIZATION", config.payone_authorization.request().to_owned()),
        ("PAYONE_API_VERSION", config.payone_api_version.clone()),
        ("PAYONE_AMAZON_MODE", value_name(config.payone_amazon_mode)),
        ("PAYONE_NOTIFY_ALLOWED_IPS", list(&config.payone_notify_allowed_ips)),
        ("MERCHANT_COUNTRY", config.merchant_country.clone()),
        ("AMAZON_MERCHANT_ID", config.amazon_merchant_id.clone()),
        ("AMAZON_CLIENT_ID", client_id(config)),
        ("AMAZON_PROFILE_ENDPOINT", config.amazon_profile_endpoint.clone().unwrap_or_else(|| "(sandbox)".to_owned())),
        ("AMAZON_PAY_ALLOWED_ORIGINS", list(&config.allowed_origins)),
        ("AMAZON_PAY_CSP", opt(&config.content_security_policy)),
    ];
    if config.mode == Mode::Sandbox && config.payone_enabled {
        // Live, PAYONE's PMI holds the TransactionStatus URL; in the sandbox its simulator sends them here.
        let notify = config.payone_notify_url.clone().unwrap_or_else(|| "(this server's own /payone/transaction-status)".to_owned());
        out.push(("PAYONE_NOTIFY_URL", if notify.is_empty() { "(none: the simulator sends no TransactionStatus)".to_owned() } else { notify }));
    }
    out.extend(return_pages(config));
    out.push(("AMAZON_PAY_PROVIDER", format!("{:?}", config.provider).to_ascii_lowercase()));
    if let Some(note) = config.without_payone() {
        out.push(("PAYONE", note.to_owned()));
    }
    if let Some(amazon) = &config.amazon {
        out.extend([
            ("AMAZON_STORE_ID", amazon.store_id.clone()),
            ("AMAZON_PUBLIC_KEY_ID", amazon.public_key_id.clone().unwrap_or_else(|| "(the sandbox's)".to_owned())),
            ("AMAZON_PRIVATE_KEY_PATH", if amazon.private_key.is_some() { MASK.to_owned() } else { "(the sandbox's)".to_owned() }),
            ("AMAZON_REGION", amazon.region.code().to_owned()),
            ("AMAZON_ENVIRONMENT", amazon.environment.as_str().to_owned()),
            ("AMAZON_PAY_API_ENDPOINT", amazon.endpoint.clone().unwrap_or_else(|| "(Amazon's regional host, or the sandbox)".to_owned())),
            ("AMAZON_PAY_API_TIMEOUT_MS", amazon.timeout.as_millis().to_string()),
            ("AMAZON_IPN_TOPIC_ARNS", if amazon.ipn_topic_arns.is_empty() { "(any topic)".to_owned() } else { amazon.ipn_topic_arns.join(",") }),
        ]);
    }
    match &config.checkoutchamp {
        None => out.push(("CHECKOUTCHAMP_LOGIN_ID", "(not set: CheckoutChamp not used)".to_owned())),
        Some(cc) => out.extend([
            ("CHECKOUTCHAMP_LOGIN_ID", cc.login_id.clone()),
            ("CHECKOUTCHAMP_PASSWORD", MASK.to_owned()),
            ("CHECKOUTCHAMP_CAMPAIGN_ID", cc.campaign_id.clone()),
            ("CHECKOUTCHAMP_AMAZON_BILLER_ID", cc.amazon_biller_id.clone()),
            ("CHECKOUTCHAMP_ENDPOINT", cc.endpoint.clone().unwrap_or_else(|| "(sandbox simulator)".to_owned())),
            ("CHECKOUTCHAMP_TIMEOUT_MS", cc.timeout.as_millis().to_string()),
        ]),
    }
    let merchant = &config.merchant;
    out.extend([
        ("AMAZON_PAY_WEBHOOK_URLS", webhook_urls(config)),
        ("AMAZON_PAY_WEBHOOK_SECRET", merchant.webhook_secret.as_ref().map_or_else(|| "(not set)".to_owned(), |_| MASK.to_owned())),
        (
            "AMAZON_PAY_WEBHOOK_SECRET_NEXT",
            merchant
                .webhook_secret_next
                .as_ref()
                .map_or_else(|| "(not set: no rotation)".to_owned(), |_| format!("{MASK} (deliveries signed with both)")),
        ),
        ("AMAZON_PAY_WEBHOOK_RETRY_SECONDS", merchant.webhook_retries.iter().map(|d| seconds(d.as_secs_f64())).collect::<Vec<_>>().join(",")),
        ("AMAZON_PAY_WEBHOOK_RETENTION_DAYS", seconds(merchant.webhook_retention.as_secs_f64() / 86_400.0)),
        (
            "AMAZON_PAY_MERCHANT_API_KEYS",
            match merchant.api_keys.len() {
                0 => "(none: merchant API off)".to_owned(),
                1 => format!("1 key, {MASK}"),
                n => format!("{n} keys, {MASK}"),
            },
        ),
    ]);
    let rules = &config.address_rules;
    let yes_no = |b: bool| if b { "true" } else { "false" }.to_owned();
    out.extend([
        ("AMAZON_PAY_SHIP_TO_COUNTRIES", if rules.countries.is_empty() { "(any)".to_owned() } else { rules.countries.join(",") }),
        ("AMAZON_PAY_REFUSE_PO_BOXES", yes_no(rules.refuse_po_boxes)),
        ("AMAZON_PAY_REFUSE_PACKSTATIONS", yes_no(rules.refuse_packstations)),
        ("AMAZON_PAY_REQUIRE_PHONE", yes_no(rules.require_phone)),
    ]);
    let ops = &config.ops;
    out.extend([
        ("AMAZON_PAY_METRICS_LISTEN", ops.metrics_listen.map_or_else(|| "(off)".to_owned(), |a| a.to_string())),
        ("AMAZON_PAY_LOG_FORMAT", format!("{:?}", ops.log_format).to_lowercase()),
        ("AMAZON_PAY_TRUSTED_PROXIES", list(&ops.trusted_proxies)),
        ("AMAZON_PAY_SHUTDOWN_DRAIN_MS", ops.shutdown_drain_ms.to_string()),
        ("AMAZON_PAY_SHUTDOWN_TIMEOUT_MS", ops.shutdown_timeout_ms.to_string()),
        ("AMAZON_PAY_HEADER_READ_TIMEOUT_MS", ops.header_read_timeout_ms.to_string()),
        ("AMAZON_PAY_BODY_READ_TIMEOUT_MS", ops.body_read_timeout_ms.to_string()),
        ("AMAZON_PAY_RESPONSE_WRITE_TIMEOUT_MS", ops.response_write_timeout_ms.to_string()),
        ("AMAZON_PAY_RESPONSE_WRITE_DEADLINE_MS", ops.response_write_deadline_ms.to_string()),
    ]);
    out
}

/// A number of seconds (or days) as the settings take it: `60`, not `60.0`; a fraction as given (`0.5`).
fn seconds(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        rounded.to_string()
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    }
}

/// What a PAYONE setting is printed as when PAYONE is not configured.
const NOT_USED: &str = "(not used: PAYONE is not configured)";

/// A flag's value as it is written on the command line (`first-synchronous`), not its Rust name.
fn value_name(value: impl clap::ValueEnum) -> String {
    value.to_possible_value().map_or_else(String::new, |v| v.get_name().to_owned())
}

/// The origins return pages may be on and every flow's pages, as `AMAZON_PAY_RETURN_PAGES` would name them,
/// so an operator sees where Amazon sends buyers back to (the demo pages unless the shop named its own).
fn return_pages(config: &Config) -> Vec<(&'static str, String)> {
    use crate::return_urls::{Flow, ReturnPagesConfig};
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    let Ok(resolved) = ReturnPagesConfig::resolve(&config.return_pages, &public_url, &config.allowed_origins, config.mode == Mode::Live) else {
        return Vec::new(); // listed as a problem by `start_problems`
    };
    let configured = crate::security::parse_origins(&config.return_pages.return_origins).unwrap_or_default();
    let origins = if configured.is_empty() { &config.allowed_origins } else { &configured };
    let pages = [("cv2", Flow::Cv2), ("apb", Flow::Apb)].into_iter().flat_map(|(name, flow)| {
        let p = resolved.pages(flow);
        [("cart", &p.cart), ("review", &p.review), ("confirmation", &p.confirmation), ("cancel", &p.cancel)]
            .map(|(page, url)| format!("{name}.{page}={url}"))
    });
    vec![
        (
            "AMAZON_PAY_RETURN_ORIGINS",
            if origins.is_empty() { "(only this server's own)".to_owned() } else { format!("{} (and this server's own)", list(origins)) },
        ),
        ("AMAZON_PAY_RETURN_PAGES", pages.collect::<Vec<_>>().join(",")),
    ]
}
