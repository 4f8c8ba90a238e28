//! `amazon-pay-server check-config` (issue #22): the start's validation without starting; every problem at
//! once, exit 1; or the effective settings with secrets masked, exit 0.
#![cfg(feature = "sandbox")]

#[path = "support/amazon_live.rs"]
mod amazon_live;
#[allow(dead_code)]
#[path = "support/pg.rs"]
mod pg;

use amazon_live::{LIVE_AMAZON_ARGS, LIVE_CATALOGUE};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_amazon-pay-server");
const PORTAL_KEY: &str = "PortalKey-Zq8w3Xv1";
const CRM_PASSWORD: &str = "CrmPass-Ly7Hn2Rk";

/// A live PAYONE account with the shop's Amazon merchant id (made up).
const PAYONE_ARGS: [&str; 10] =
    ["--payone-key", PORTAL_KEY, "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];

/// A live CheckoutChamp account (made up), as a shop's funnel would configure it.
const CRM_ARGS: [&str; 8] = [
    "--checkoutchamp-login-id",
    "api",
    "--checkoutchamp-password",
    CRM_PASSWORD,
    "--checkoutchamp-campaign-id",
    "4",
    "--checkoutchamp-amazon-biller-id",
    "5",
];

fn check_config(args: &[&str]) -> (Output, String, String) {
    let output = Command::new(BIN)
        .arg("check-config")
        .args(args)
        .env_remove("PAYONE_KEY")
        .env_remove("AMAZON_PAY_CONFIG")
        .env_remove("CHECKOUTCHAMP_LOGIN_ID")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for secret in [PORTAL_KEY, CRM_PASSWORD] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "a secret is printed:\n{stdout}\n{stderr}");
    }
    (output, stdout, stderr)
}

#[test]
fn every_problem_is_listed_at_once() {
    let (output, stdout, stderr) = check_config(&[
        "--payone-key",
        PORTAL_KEY,
        "--payone-mid",
        "12a",
        "--merchant-country",
        "US",
        "--currency",
        "USD",
        "--payone-api-version",
        "3.9",
        "--allowed-origins",
        "not an origin",
    ]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    for expected in [
        "PAYONE_MID",
        "PAYONE_PORTALID",
        "PAYONE_AID",
        "AMAZON_MERCHANT_ID",
        "MERCHANT_COUNTRY",
        "EUR only",
        "3.10",
        "not an origin",
        "AMAZON_PAY_CATALOGUE",
    ] {
        assert!(stderr.contains(expected), "{expected} is not listed:\n{stderr}");
    }
    assert!(stderr.contains("configuration has 9 problem(s)"), "{stderr}");
    assert!(stdout.is_empty(), "no settings are printed for a configuration that cannot start: {stdout}");
}

#[test]
fn a_valid_configuration_prints_its_effective_settings_with_secrets_masked() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("shop.toml");
    std::fs::write(&file, "MERCHANT_COUNTRY = \"FR\"\nAMAZON_PAY_LOG_FORMAT = \"json\"\n").expect("written");
    let (output, stdout, stderr) = check_config(&[
        "--sandbox",
        "--config",
        file.to_str().expect("utf-8"),
        "--payone-key",
        PORTAL_KEY,
        "--checkoutchamp-password",
        CRM_PASSWORD,
        "--metrics-listen",
        "127.0.0.1:9464",
    ]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for expected in [
        "mode = sandbox",
        "MERCHANT_COUNTRY = FR",
        "PAYONE_KEY = ******** (set)",
        "CHECKOUTCHAMP_PASSWORD = ******** (set)",
        "AMAZON_PAY_METRICS_LISTEN = 127.0.0.1:9464",
        "AMAZON_PAY_LOG_FORMAT = json",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
}

#[test]
fn problems_the_start_finds_after_parsing_are_listed_too() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let live: Vec<&str> = PAYONE_ARGS.into_iter().chain(CRM_ARGS).collect();
    let missing = dir.path().join("missing.json");
    let args: Vec<&str> = live.iter().copied().chain(["--catalogue", missing.to_str().expect("utf-8"), "--payone-endpoint", "ftp://x"]).collect();
    let (output, _, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(1));
    for expected in ["AMAZON_PAY_CATALOGUE", "PAYONE_ENDPOINT", "AMAZON_CLIENT_ID"] {
        assert!(stderr.contains(expected), "{expected} is not listed:\n{stderr}");
    }
    // What to set it to, not only that it is missing (it said "the lander cannot sign buyers in" and no more).
    assert!(stderr.contains("client id of the Login with Amazon application"), "{stderr}");

    let file = dir.path().join("shop.toml");
    std::fs::write(&file, "PAYONE_MDI = \"1\"\n").expect("written");
    let (output, _, stderr) = check_config(&["--config", file.to_str().expect("utf-8"), "--merchant-country", "US"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("PAYONE_MDI") && stderr.contains("MERCHANT_COUNTRY"), "{stderr}");

    let (output, _, stderr) = check_config(&["--listen", "not-an-address"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("not-an-address"), "{stderr}");
}

#[test]
fn webhook_and_merchant_api_problems_are_listed_together_and_their_secrets_masked() {
    let short_secret = "Whsec-short-Q2";
    let short_key = "mk-short-7Hd";
    let (output, stdout, stderr) = check_config(&[
        "--sandbox",
        "--webhook-url",
        "ftp://shop.example/hook",
        "--webhook-url",
        "https://shop.example/hook",
        "--webhook-secret",
        short_secret,
        "--merchant-api-keys",
        short_key,
    ]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    for expected in ["AMAZON_PAY_WEBHOOK_URLS", "AMAZON_PAY_WEBHOOK_SECRET", "AMAZON_PAY_MERCHANT_API_KEYS"] {
        assert!(stderr.contains(expected), "{expected} is not listed:\n{stderr}");
    }
    assert!(stderr.contains("configuration has 3 problem(s)"), "{stderr}");
    assert!(!stderr.contains(short_secret) && !stderr.contains(short_key), "a secret is printed: {stderr}");

    let secret = "Whsec-0123456789abcdef0123456789abcdef";
    let key = "mk-live-0123456789abcdef0123456789abcdef";
    // A receiver's URL may carry the shop's token for it: printed without it (the output goes to CI logs).
    let token = "hook-token-Rt6Wq9";
    let hook = format!("https://shop.example/hook?token={token}");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--webhook-url", &hook, "--webhook-secret", secret, "--merchant-api-keys", key]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "AMAZON_PAY_WEBHOOK_URLS = https://shop.example/hook?token=[redacted] (what may be secret in the path or query, user info and fragment not shown)"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains(token), "the receiver's token is printed: {stdout}");
    assert!(!stdout.contains(secret) && !stdout.contains(key), "a secret is printed: {stdout}");
    assert!(stdout.contains("AMAZON_PAY_WEBHOOK_SECRET"), "{stdout}");
    // One key is "1 key" (it printed "1 keys"), two are "2 keys".
    assert!(stdout.contains("AMAZON_PAY_MERCHANT_API_KEYS = 1 key, ******** (set)\n"), "{stdout}");
    let two = format!("{key},{key}-next");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--merchant-api-keys", &two]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_MERCHANT_API_KEYS = 2 keys, ******** (set)\n"), "{stdout}");
}

#[test]
fn a_second_webhook_secret_is_masked_and_its_problems_listed() {
    let secret = "Whsec-0123456789abcdef0123456789abcdef";
    let next = "Whsec-next-0123456789abcdef0123456789ab";
    let (output, stdout, stderr) =
        check_config(&["--sandbox", "--webhook-url", "https://shop.example/hook", "--webhook-secret", secret, "--webhook-secret-next", next]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT = ******** (set) (deliveries signed with both)"), "{stdout}");
    assert!(!stdout.contains(secret) && !stdout.contains(next), "a secret is printed: {stdout}");
    let (_, stdout, _) = check_config(&["--sandbox"]);
    assert!(stdout.contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT = (not set: no rotation)"), "{stdout}");

    // The same secret twice, and a short API key: both listed, neither printed.
    let (output, stdout, stderr) = check_config(&[
        "--sandbox",
        "--webhook-url",
        "https://shop.example/hook",
        "--webhook-secret",
        secret,
        "--webhook-secret-next",
        secret,
        "--merchant-api-keys",
        "mk-short-7Hd",
    ]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT (--webhook-secret-next) is the same"), "{stderr}");
    assert!(stderr.contains("configuration has 2 problem(s)"), "{stderr}");
    assert!(!stderr.contains(secret), "a secret is printed: {stderr}");
}

#[test]
fn empty_webhook_secrets_in_the_environment_are_both_unset() {
    // As a deployment template leaves them between rotations: `NAME=` means unset for both, not a refusal of one.
    let output = Command::new(BIN)
        .args(["check-config", "--sandbox"])
        .env_remove("AMAZON_PAY_CONFIG")
        .env_remove("AMAZON_PAY_WEBHOOK_URLS")
        .env("AMAZON_PAY_WEBHOOK_SECRET", "")
        .env("AMAZON_PAY_WEBHOOK_SECRET_NEXT", "")
        .output()
        .expect("the binary runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_WEBHOOK_SECRET = (not set)"), "{stdout}");
    assert!(stdout.contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT = (not set: no rotation)"), "{stdout}");
}

/// `url` with `password` in its user info (the test cluster trusts loopback, so any password connects).
fn with_password(url: &str, password: &str) -> String {
    let mut url = reqwest::Url::parse(url).expect("a database URL");
    url.set_password(Some(password)).expect("a URL with a host");
    url.to_string()
}

const DB_PASSWORD: &str = "PgPass-Wq4Zr8";

#[test]
fn an_unreachable_postgresql_is_a_problem_named_without_its_password() {
    // A port nobody listens on: refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://amazonpay:{DB_PASSWORD}@127.0.0.1:{port}/amazon_pay");
    let started = std::time::Instant::now();
    let (output, stdout, stderr) = check_config(&["--sandbox", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("DATABASE_URL postgres (127.0.0.1:{port}/amazon_pay) is not reachable")), "{stderr}");
    assert!(stderr.contains("configuration has 1 problem(s)"), "{stderr}");
    assert!(!stdout.contains(DB_PASSWORD) && !stderr.contains(DB_PASSWORD), "the password is printed: {stdout}{stderr}");
    assert!(started.elapsed() < amazon_pay_server::ops::check::DATABASE_TIMEOUT, "refused is said at once");
    // A database that takes the connection and never answers: given up after DATABASE_URL's own
    // connect_timeout (the one the server's connections use), not a fixed 5 s.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgres://amazonpay:{DB_PASSWORD}@127.0.0.1:{port}/amazon_pay?connect_timeout=1");
    let started = std::time::Instant::now();
    let (output, stdout, stderr) = check_config(&["--sandbox", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("is not reachable (waited at most 1 s, DATABASE_URL's connect_timeout)"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the URL's 1 s, not 5 s: {:?}", started.elapsed());
    drop(silent);
    // SQLite (the default) is a file the start creates: nothing to connect to.
    let (output, stdout, stderr) = check_config(&["--sandbox"]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("database ="), "{stdout}");
}

#[tokio::test]
async fn a_reachable_postgresql_says_how_far_its_schema_is_migrated() {
    let Some(base) = pg::base_url() else { return };
    let url = with_password(&pg::fresh_database(&base).await, DB_PASSWORD);
    let (output, stdout, stderr) = check_config(&["--sandbox", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let latest = amazon_pay_server::store::pg_probe::latest();
    assert!(stdout.contains(&format!("database = reachable; empty: the start creates the schema (migrations 1 to {latest})")), "{stdout}");
    // Migrated as the start does it.
    let opened = {
        let url = amazon_pay_server::store::DatabaseUrl::Postgres(url.clone());
        tokio::task::spawn_blocking(move || amazon_pay_server::store::Store::open_url(&url, std::path::Path::new(".")).map(drop))
    };
    opened.await.unwrap().expect("the store opens and migrates");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("database = reachable; schema at migration {latest}, this server's latest")), "{stdout}");
    // One migration short, as a database an older server left.
    pg::execute(&url, &format!("DELETE FROM schema_migrations WHERE version = {latest}"));
    let (_, stdout, _) = check_config(&["--sandbox", "--database-url", &url]);
    assert!(stdout.contains(&format!("schema at migration {}: the start applies migration {latest}\n", latest - 1)), "{stdout}");
    assert!(!stdout.contains(DB_PASSWORD) && !stderr.contains(DB_PASSWORD), "the password is printed: {stdout}{stderr}");
}

#[test]
fn amazon_direct_without_payone_says_that_checkout_v1_is_not_served() {
    let (output, stdout, stderr) = check_config(&LIVE_AMAZON_ARGS);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("mode = live"), "{stdout}");
    let line = stdout.lines().find(|l| l.trim_start().starts_with("PAYONE = ")).unwrap_or_else(|| panic!("no PAYONE line:\n{stdout}"));
    assert!(line.contains("Checkout v1") && line.contains("404"), "{line}");
    assert!(stdout.contains("PAYONE_KEY = (not set)"), "no PAYONE_KEY was given, none is said to be set:\n{stdout}");
    // With PAYONE's credentials too, CV1 is served: nothing to say.
    let (_, stdout, _) = check_config(&["--sandbox", "--provider", "amazon"]);
    assert!(!stdout.lines().any(|l| l.trim_start().starts_with("PAYONE = ")), "{stdout}");
}

#[test]
fn amazon_direct_s_lander_signs_buyers_in_with_the_store_id() {
    // With --provider amazon, AMAZON_STORE_ID is the Login with Amazon client id (storeId is the LwA client id,
    // amzn1.application-oa2-client.…), yet a live CheckoutChamp lander was a problem until AMAZON_CLIENT_ID
    // repeated it.
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(CRM_ARGS).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let store_id = LIVE_AMAZON_ARGS[LIVE_AMAZON_ARGS.iter().position(|&a| a == "--amazon-store-id").expect("a store id") + 1];
    assert!(stdout.contains(&format!("AMAZON_CLIENT_ID = {store_id} (AMAZON_STORE_ID)")), "{stdout}");
    // One set on purpose (another Login with Amazon application, e.g. for the lander's own site) is kept.
    let other = "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210";
    let set: Vec<&str> = args.iter().copied().chain(["--amazon-client-id", other]).collect();
    let (output, stdout, _) = check_config(&set);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout.contains(&format!("AMAZON_CLIENT_ID = {other}\n")), "{stdout}");
}

#[test]
fn return_pages_the_start_refuses_are_listed() {
    // check-config once called a return page on an origin that is not allowed valid, and the start refused it.
    let page = ["--sandbox", "--return-page", "cv2.review=https://shop.example/checkout/review"];
    let (output, stdout, stderr) = check_config(&page);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("https://shop.example, which is not an allowed origin"), "{stderr}");
    let allowed = [&page[..], &["--allowed-origins", "https://shop.example"]].concat();
    let (output, stdout, stderr) = check_config(&allowed);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
}

#[test]
fn a_live_configuration_prints_its_settings_as_they_are_set() {
    // check-config once printed `FirstSynchronous` and `IpRange { network: 10.0.0.0, prefix: 8 }` for values
    // set as `first-synchronous` and `10.0.0.0/8` and left out the return pages.
    let (output, stdout, stderr) = check_config(&[
        "--catalogue",
        LIVE_CATALOGUE,
        "--payone-key",
        PORTAL_KEY,
        "--payone-mid",
        "12345",
        "--payone-portalid",
        "2012345",
        "--payone-aid",
        "12346",
        "--amazon-merchant-id",
        "A2LIVEMERCHANT",
        "--public-url",
        "https://pay.shop.example",
        "--allowed-origins",
        "https://shop.example",
        "--return-page",
        "cv2.review=https://shop.example/checkout/review",
        "--trusted-proxies",
        "10.0.0.0/8",
        "--payone-notify-allowed-ips",
        "185.60.20.0/24",
    ]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for expected in [
        "mode = live",
        "PAYONE_AMAZON_MODE = first-synchronous",
        "AMAZON_PAY_TRUSTED_PROXIES = 10.0.0.0/8",
        "PAYONE_NOTIFY_ALLOWED_IPS = 185.60.20.0/24",
        "AMAZON_PAY_ALLOWED_ORIGINS = https://shop.example",
        "AMAZON_PAY_RETURN_ORIGINS = https://shop.example",
        "AMAZON_PAY_RETURN_PAGES = cv2.cart=https://pay.shop.example/,cv2.review=https://shop.example/checkout/review,",
        "apb.review=https://shop.example/checkout/review",
    ] {
        assert!(stdout.contains(expected), "{expected} is not printed:\n{stdout}");
    }
    assert!(stdout.contains(&format!("AMAZON_PAY_CATALOGUE = {LIVE_CATALOGUE}")), "{stdout}");
}

#[test]
fn a_live_configuration_on_the_demo_price_list_is_a_problem_that_says_what_to_set() {
    // It was only flagged in the printed settings (`(demo: set AMAZON_PAY_CATALOGUE …)`) and exited 0, and the
    // start went ahead selling at the demo's made-up prices.
    let args: Vec<&str> = PAYONE_ARGS.into_iter().chain(["--payone-endpoint", "ftp://x"]).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("live mode has no AMAZON_PAY_CATALOGUE (--catalogue)"), "{stderr}");
    assert!(stderr.contains("the shop's own price list"), "says what to set: {stderr}");
    // The other problems are still listed, and the stand-in for the missing list is not reported as a file.
    assert!(stderr.contains("PAYONE_ENDPOINT"), "{stderr}");
    assert!(stderr.contains("2 problem(s)") && !stderr.contains("stand-in"), "{stderr}");
    // Amazon Pay direct too.
    let amazon: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().filter(|&a| a != "--catalogue" && a != LIVE_CATALOGUE).collect();
    let (output, _, stderr) = check_config(&amazon);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("AMAZON_PAY_CATALOGUE"), "{stderr}");
}

#[test]
fn amazon_direct_without_payone_prints_no_payone_ids() {
    // PAYONE's ids were printed as `0` and its live endpoint as if they were used.
    let (output, stdout, stderr) = check_config(&LIVE_AMAZON_ARGS);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for name in ["PAYONE_MID", "PAYONE_PORTALID", "PAYONE_AID", "PAYONE_ENDPOINT"] {
        let line = stdout.lines().find(|l| l.trim_start().starts_with(&format!("{name} = "))).unwrap_or_else(|| panic!("no {name}:\n{stdout}"));
        assert!(line.ends_with("(not used: PAYONE is not configured)"), "{line}");
    }
}

#[test]
fn a_live_amazon_key_id_without_its_environment_is_a_problem_that_says_what_to_set() {
    // A key id from before Amazon's LIVE-/SANDBOX- prefixes once made the server take Amazon's sandbox unasked.
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().map(|&a| if a == "SANDBOX-AHWIDGETSANDBOXKEY0001" { "AHWIDGETOLDKEY0001" } else { a }).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(format!("{stdout}{stderr}").contains("set AMAZON_ENVIRONMENT=live to take real payments"), "{stdout}{stderr}");
    let set: Vec<&str> = args.iter().copied().chain(["--amazon-environment", "live"]).collect();
    let (output, stdout, stderr) = check_config(&set);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
}

/// Days typed as milliseconds would keep a cut-off order `placing` for decades: above Amazon's 30 days of an
/// authorization's validity it is a problem, with the maximum and why, on Amazon Pay direct alone too.
#[test]
fn a_placing_expiry_longer_than_an_authorizations_30_days_is_a_problem_that_says_the_maximum() {
    let (output, stdout, stderr) = check_config(&["--sandbox", "--placing-expiry-seconds", "176400000"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 176400000"), "{stderr}");
    assert!(stderr.contains("give at most 2592000") && stderr.contains("30 days"), "{stderr}");
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(["--placing-expiry-seconds", "2592001"]).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("is 2592001") && stderr.contains("give at most 2592000"), "{stderr}");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--placing-expiry-seconds", "2592000"]);
    assert_eq!(output.status.code(), Some(0), "30 days exactly: {stdout}{stderr}");
}

#[test]
fn a_placing_expiry_shorter_than_payones_retries_is_a_problem_that_says_the_minimum() {
    let (output, _, stderr) = check_config(&["--sandbox", "--placing-expiry-seconds", "600", "--merchant-country", "US"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("MERCHANT_COUNTRY"), "the other problem is listed too:\n{stderr}");
    assert!(stderr.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS (--placing-expiry-seconds) is 600"), "{stderr}");
    assert!(stderr.contains("give at least 172800") && stderr.contains("may still be authorized or paid by PAYONE"), "{stderr}");
    // Amazon Pay direct without PAYONE: no notification of PAYONE's to wait for, a shorter time is fine.
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(["--placing-expiry-seconds", "3600"]).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS = 3600"), "{stdout}");
}

/// The limits on slow clients are printed as they will be used, and a limit of 0 (every body or answer cut off
/// at once) is a problem that names the setting.
#[test]
fn the_slow_client_limits_are_printed_and_0_is_a_problem() {
    let (output, stdout, stderr) = check_config(&["--sandbox", "--response-write-timeout-ms", "5000", "--response-write-deadline-ms", "90000"]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for line in [
        "AMAZON_PAY_HEADER_READ_TIMEOUT_MS = 10000",
        "AMAZON_PAY_BODY_READ_TIMEOUT_MS = 10000",
        "AMAZON_PAY_RESPONSE_WRITE_TIMEOUT_MS = 5000",
        "AMAZON_PAY_RESPONSE_WRITE_DEADLINE_MS = 90000",
    ] {
        assert!(stdout.contains(line), "{line}:\n{stdout}");
    }
    let (_, stdout, _) = check_config(&["--sandbox"]);
    assert!(stdout.contains("AMAZON_PAY_RESPONSE_WRITE_DEADLINE_MS = 60000"), "the default:\n{stdout}");
    for flag in ["--body-read-timeout-ms", "--response-write-timeout-ms", "--response-write-deadline-ms"] {
        let (output, stdout, stderr) = check_config(&["--sandbox", flag, "0"]);
        assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
        assert!(stderr.contains(&format!("invalid value '0' for '{flag}")), "{stderr}");
    }
}

#[test]
fn an_unset_public_url_is_printed_as_the_url_the_server_uses() {
    // check-config printed `(not set)`, while the server builds the return URLs it gives PAYONE from
    // `http://<listen>`: a live shop behind a proxy could not see that buyers would be sent to 127.0.0.1.
    let (output, stdout, stderr) = check_config(&["--sandbox", "--listen", "127.0.0.1:18099"]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_PUBLIC_URL = (not set: http://127.0.0.1:18099, from AMAZON_PAY_LISTEN)\n"), "{stdout}");
    let (_, stdout, _) = check_config(&["--sandbox", "--listen", "127.0.0.1:0"]);
    assert!(stdout.contains("AMAZON_PAY_PUBLIC_URL = (not set: http://<the address bound>, from AMAZON_PAY_LISTEN)\n"), "{stdout}");
    let (_, stdout, _) = check_config(&["--sandbox", "--public-url", "https://pay.shop.example"]);
    assert!(stdout.contains("AMAZON_PAY_PUBLIC_URL = https://pay.shop.example\n"), "{stdout}");
}

#[test]
fn live_mode_on_a_loopback_address_without_a_public_url_is_said_by_check_config_and_the_start() {
    // Passed silently: every buyer's return from Amazon or PAYONE would go to 127.0.0.1. Allowed (trying live
    // mode on one machine), but said, with what to set.
    let (output, stdout, stderr) = check_config(&[&LIVE_AMAZON_ARGS[..], &["--listen", "127.0.0.1:18098"]].concat());
    assert_eq!(output.status.code(), Some(0), "a trial on one machine is not refused:\n{stdout}{stderr}");
    let warning = stderr.lines().find(|l| l.starts_with("warning: ")).unwrap_or_else(|| panic!("no warning:\n{stdout}{stderr}"));
    for expected in ["live mode", "http://127.0.0.1:18098", "only a browser on this machine", "--public-url", "AMAZON_PAY_PUBLIC_URL"] {
        assert!(warning.contains(expected), "{expected}: {warning}");
    }
    // Nothing to say with a public URL, or in sandbox mode.
    let (_, stdout, stderr) = check_config(&[&LIVE_AMAZON_ARGS[..], &["--public-url", "https://pay.shop.example"]].concat());
    assert!(!stderr.contains("warning") && !stdout.contains("warning"), "{stdout}{stderr}");
    let (_, stdout, stderr) = check_config(&["--sandbox", "--listen", "127.0.0.1:18098"]);
    assert!(!stderr.contains("warning") && !stdout.contains("warning"), "{stdout}{stderr}");

    // The start says the same, once, naming the address it bound.
    let dir = tempfile::tempdir().unwrap();
    let mut child = KillOnDrop(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
            .args(LIVE_AMAZON_ARGS)
            .env_remove("PAYONE_KEY")
            .env_remove("AMAZON_PAY_CONFIG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the binary runs"),
    );
    // Its own lines, read on a thread so a line that never comes ends at the deadline, not in a hang.
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            if line.starts_with("amazon-pay-server") && tx.send(line.trim().to_owned()).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut lines: Vec<String> = Vec::new();
    let listening = loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())).unwrap_or_else(|_| panic!("{lines:?}"));
        lines.push(line.clone());
        if let Some(url) = line.strip_prefix("amazon-pay-server listening on ") {
            break url.to_owned();
        }
    };
    // The start prints its lines before it serves: once it answers a request, every one of them is written.
    let mut http = std::net::TcpStream::connect(listening.trim_start_matches("http://")).expect("the server accepts");
    std::io::Write::write_all(&mut http, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("sent");
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut http, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 "), "{answer:?}");
    drop(child);
    lines.extend(rx.iter());
    let said: Vec<&String> = lines.iter().filter(|l| l.contains("warning")).collect();
    assert_eq!(said.len(), 1, "said once: {lines:?}");
    assert_eq!(said[0].strip_prefix("amazon-pay-server: "), Some(warning.replace("http://127.0.0.1:18098", &listening).as_str()), "{lines:?}");
}

/// Live mode on another address without a public URL was not said at all (`0.0.0.0` is refused, and so are the
/// default return pages, which would be plain http): with the shop's own https pages set, the URL Amazon and PAYONE
/// send the buyer to after placing an order (`/api/orders/{id}/return`, the result URL) still started with
/// `http://<the private address>`, which no buyer's browser reaches through the shop's proxy.
#[test]
fn live_mode_on_another_address_without_a_public_url_is_said_too() {
    let shop = [
        "--listen",
        "192.0.2.10:18097",
        "--return-origins",
        "https://shop.example",
        "--return-page",
        "cv2.cart=https://shop.example/cart,cv2.review=https://shop.example/review,cv2.confirmation=https://shop.example/thanks,cv2.cancel=https://shop.example/cart",
    ];
    let (output, stdout, stderr) = check_config(&[&LIVE_AMAZON_ARGS[..], &shop].concat());
    assert_eq!(output.status.code(), Some(0), "said, not refused:\n{stdout}{stderr}");
    let warning = stderr.lines().find(|l| l.starts_with("warning: ")).unwrap_or_else(|| panic!("no warning:\n{stdout}{stderr}"));
    for expected in ["live mode", "http://192.0.2.10:18097", "plain http", "--public-url", "AMAZON_PAY_PUBLIC_URL"] {
        assert!(warning.contains(expected), "{expected}: {warning}");
    }
    assert!(!warning.contains("only a browser on this machine"), "{warning}");
    let (_, stdout, stderr) = check_config(&[&LIVE_AMAZON_ARGS[..], &shop, &["--public-url", "https://pay.shop.example"]].concat());
    assert!(!stderr.contains("warning") && !stdout.contains("warning"), "{stdout}{stderr}");
}

/// A started server, killed when the test ends (a failed assertion included).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// "A valid configuration prints every effective setting": the webhook schedule and retention (how long a receiver
/// may be down before events are given up, how long deliveries are kept), Amazon Pay API v2's timeout and the
/// sandbox PAYONE's TransactionStatus target were not printed at all, so an operator could not see them.
#[test]
fn the_webhook_schedule_and_the_other_timings_are_printed() {
    let (output, stdout, stderr) = check_config(&[
        "--sandbox",
        "--webhook-retry-seconds",
        "30,600",
        "--webhook-retention-days",
        "7",
        "--payone-notify-url",
        "http://127.0.0.1:9/ts",
    ]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for line in ["AMAZON_PAY_WEBHOOK_RETRY_SECONDS = 30,600", "AMAZON_PAY_WEBHOOK_RETENTION_DAYS = 7", "PAYONE_NOTIFY_URL = http://127.0.0.1:9/ts"] {
        assert!(stdout.contains(line), "{line}:\n{stdout}");
    }
    let (output, stdout, stderr) = check_config(&["--sandbox"]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for line in [
        "AMAZON_PAY_WEBHOOK_RETRY_SECONDS = 60,300,900,1800,3600,7200,14400,28800,43200,86400,86400,86400",
        "AMAZON_PAY_WEBHOOK_RETENTION_DAYS = 30",
        "PAYONE_NOTIFY_URL = (this server's own /payone/transaction-status)",
    ] {
        assert!(stdout.contains(line), "{line}:\n{stdout}");
    }
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(["--amazon-api-timeout-ms", "12000"]).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_PAY_API_TIMEOUT_MS = 12000"), "{stdout}");
    assert!(!stdout.contains("PAYONE_NOTIFY_URL"), "live: PAYONE's PMI holds the URL, nothing to print:\n{stdout}");
}

/// `--amazon-api-timeout-ms 0` was taken and silently meant 30 s, where every other timeout refuses 0.
#[test]
fn an_amazon_api_timeout_of_0_is_a_problem_that_names_the_setting() {
    let args: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(["--amazon-api-timeout-ms", "0"]).collect();
    let (output, stdout, stderr) = check_config(&args);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("invalid value '0' for '--amazon-api-timeout-ms"), "{stderr}");
}

/// `--payone-timeout-ms 0` and `--checkoutchamp-timeout-ms 0` were taken as 1 ms (printed so), after which every
/// call to PAYONE or CheckoutChamp timed out and every buyer read that the provider does not answer.
#[test]
fn an_upstream_timeout_of_0_is_a_problem_that_names_the_setting() {
    for flag in ["--payone-timeout-ms", "--checkoutchamp-timeout-ms"] {
        let (output, stdout, stderr) = check_config(&["--sandbox", flag, "0"]);
        assert_eq!(output.status.code(), Some(1), "{flag}: {stdout}{stderr}");
        assert!(stderr.contains(&format!("invalid value '0' for '{flag}")), "{stderr}");
    }
}

/// A store another shop's server wrote is a problem here, as it is at the start (docs/operations.md#several-shops):
/// the UK shop's check on the German shop's store fails with the start's sentence; the German shop's own passes.
/// On SQLite, and on PostgreSQL when one is given.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_another_shop_wrote_is_a_problem_as_at_the_start() {
    use amazon_pay_server::{app::Server, config::Config};
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("uk-catalogue.json");
    std::fs::write(&catalogue, r#"{"currency":"GBP","products":{"mug":{"name":"Rust mug","price":1100}},"delivery":{"standard":0,"express":590}}"#)
        .unwrap();
    let data_dir = dir.path().join("store");
    let uk = ["--sandbox", "--provider", "amazon", "--currency", "GBP", "--catalogue", catalogue.to_str().unwrap()];
    let store = ["--data-dir", data_dir.to_str().unwrap()];
    let (output, stdout, stderr) = check_config(&[&uk[..], &store].concat());
    assert_eq!(output.status.code(), Some(0), "no store yet: {stdout}{stderr}");

    let german = Server::bind(Config::sandbox_for_tests(data_dir.clone())).await.expect("the German shop starts");
    drop(german);
    let (output, stdout, stderr) = check_config(&[&uk[..], &store].concat());
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("already belongs to another shop (payone") && stderr.contains("this server is amazon"), "{stderr}");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--data-dir", data_dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "the German shop's own store: {stdout}{stderr}");

    let Some(base) = pg::base_url() else { return };
    let url = pg::fresh_database(&base).await;
    let mut config = Config::sandbox_for_tests(dir.path().join("unused"));
    config.database_url = url.parse().unwrap();
    drop(Server::bind(config).await.expect("the German shop starts on PostgreSQL"));
    let (output, stdout, stderr) = check_config(&[&uk[..], &["--database-url", &url]].concat());
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("already belongs to another shop (payone"), "{stderr}");
    let (output, stdout, stderr) = check_config(&["--sandbox", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
}

/// `/amazon/ipn` confirmed the subscription of any SNS topic that asked: `AMAZON_IPN_TOPIC_ARNS` names the ones it
/// takes. An entry that is no topic ARN is a problem (listed with the others); none in live mode is said.
#[test]
fn the_ipn_topic_list_is_checked_and_printed_and_live_mode_without_it_is_said() {
    let live: Vec<&str> = LIVE_AMAZON_ARGS.iter().copied().chain(["--public-url", "https://pay.shop.example"]).collect();
    let (output, stdout, stderr) = check_config(&live);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("AMAZON_IPN_TOPIC_ARNS = {}", amazon_live::IPN_TOPIC_ARN)), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");

    let without: Vec<&str> = live.iter().copied().filter(|&a| a != "--amazon-ipn-topic-arns" && a != amazon_live::IPN_TOPIC_ARN).collect();
    let (output, stdout, stderr) = check_config(&without);
    assert_eq!(output.status.code(), Some(0), "allowed, as before:\n{stdout}{stderr}");
    assert!(stdout.contains("AMAZON_IPN_TOPIC_ARNS = (any topic)"), "{stdout}");
    let warning = stderr.lines().find(|l| l.contains("AMAZON_IPN_TOPIC_ARNS")).unwrap_or_else(|| panic!("not said:\n{stderr}"));
    assert!(warning.starts_with("warning: live mode") && warning.contains("--amazon-ipn-topic-arns"), "{warning}");
    let (_, stdout, stderr) = check_config(&["--sandbox", "--provider", "amazon"]);
    assert!(!stderr.contains("warning") && !stdout.contains("warning"), "not in sandbox mode:\n{stdout}{stderr}");

    let bad: Vec<&str> = without.iter().copied().chain(["--amazon-ipn-topic-arns", "amazon-pay-ipn", "--currency", "USD"]).collect();
    let (output, stdout, stderr) = check_config(&bad);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("AMAZON_IPN_TOPIC_ARNS: \"amazon-pay-ipn\" is not an SNS topic ARN"), "{stderr}");
    assert!(stderr.contains("AMAZON_PAY_CURRENCY USD"), "the other problem too:\n{stderr}");
}

/// An unknown name in the configuration file gets the closest known one, when one is close (clap does the
/// same for flags).
#[test]
fn an_unknown_setting_gets_the_closest_known_name() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("shop.toml");
    let path = file.to_str().expect("utf-8");
    for (written, suggested) in [("PAYONE_MDI", "PAYONE_MID"), ("webhook_url", "AMAZON_PAY_WEBHOOK_URLS")] {
        std::fs::write(&file, format!("{written} = \"1\"\n")).expect("written");
        let (output, _, stderr) = check_config(&["--config", path]);
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr.contains(&format!("did you mean `{suggested}`?")), "{stderr}");
    }
    std::fs::write(&file, "SOMETHING_ELSE_ENTIRELY = \"1\"\n").expect("written");
    let (output, _, stderr) = check_config(&["--config", path]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("SOMETHING_ELSE_ENTIRELY") && !stderr.contains("did you mean"), "{stderr}");
    let (output, _, stderr) = check_config(&["--webhok-url", "https://shop.example/hook"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("a similar argument exists: '--webhook-url'"), "{stderr}");
}

/// A variable in the environment that is no setting but close to one (a typo the server would silently
/// ignore) is said with the closest name; other variables, even with the server's prefixes, are not.
#[test]
fn a_mistyped_environment_variable_is_said_with_the_closest_name() {
    let output = Command::new(BIN)
        .args(["check-config", "--sandbox"])
        .env_remove("AMAZON_PAY_CONFIG")
        .env("AMAZON_PAY_WEBHOOK_URL", "https://shop.example/hook")
        .env("PAYONE_MDI", "1")
        .env("AMAZON_PAY_SOMETHING_UNRELATED", "1")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "a warning, not a problem: {stderr}");
    assert!(
        stderr.contains("warning: AMAZON_PAY_WEBHOOK_URL is set in the environment but is not a setting; did you mean `AMAZON_PAY_WEBHOOK_URLS`?"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: PAYONE_MDI is set") && stderr.contains("`PAYONE_MID`"), "{stderr}");
    assert!(!stderr.contains("AMAZON_PAY_SOMETHING_UNRELATED"), "{stderr}");
}
