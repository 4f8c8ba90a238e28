//! The `amazon-pay-server` binary as an operator starts it: configuration errors are clear and stop it.
#![cfg(feature = "sandbox")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/process.rs"]
mod process;

const BIN: &str = env!("CARGO_BIN_EXE_amazon-pay-server");

fn run_expecting_failure(args: &[&str], envs: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("PAYONE_KEY");
    let output = process::output_within(&mut command, Duration::from_secs(30));
    assert!(!output.status.success(), "expected a refusal");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_config_file_with_a_rule_broken_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.toml");
    std::fs::write(&file, "MERCHANT_COUNTRY = \"US\"\n").unwrap();
    let stderr = run_expecting_failure(&["--config", file.to_str().unwrap()], &[]);
    assert!(stderr.contains("MERCHANT_COUNTRY") && stderr.contains("DE, FR"), "{stderr}");

    std::fs::write(&file, "PAYONE_MDI = \"1\"\n").unwrap();
    let stderr = run_expecting_failure(&["--config", file.to_str().unwrap()], &[]);
    assert!(stderr.contains("PAYONE_MDI"), "{stderr}");

    let stderr = run_expecting_failure(&["--config", dir.path().join("missing.toml").to_str().unwrap()], &[]);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn non_eur_currency_b2b_and_old_api_versions_stop_the_server() {
    assert!(run_expecting_failure(&[], &[("AMAZON_PAY_CURRENCY", "USD")]).contains("EUR only"));
    assert!(run_expecting_failure(&[], &[("AMAZON_PAY_B2B", "true")]).contains("B2B"));
    assert!(run_expecting_failure(&["--payone-api-version", "3.9"], &[]).contains("3.10"));
}

#[test]
fn the_environment_wins_over_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.toml");
    // The file's country is refused, but the environment's valid one takes precedence.
    std::fs::write(&file, "MERCHANT_COUNTRY = \"US\"\nAMAZON_MERCHANT_ID = \"A2FROMFILE\"\n").unwrap();
    let mut child = Command::new(BIN)
        .args(["--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .args(["--config", file.to_str().unwrap()])
        .env("MERCHANT_COUNTRY", "FR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    while Instant::now() < deadline && !line.contains("listening on") {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line:?}");
}

#[test]
fn behind_a_balancer_the_bound_address_and_the_public_url_are_both_printed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .args(["--public-url", "http://shop.example:8080/"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The server's own lines, in order (log lines may come between them).
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    while lines.len() < 2 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if line.starts_with("amazon-pay-server ") {
            lines.push(line.trim().to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // The port is the one bound (tests and scripts connect to it), not the public URL's.
    assert!(lines[0].starts_with("amazon-pay-server listening on http://127.0.0.1:"), "{lines:?}");
    assert!(!lines[0].contains("shop.example"), "{lines:?}");
    assert_eq!(lines[1], "amazon-pay-server public URL http://shop.example:8080");
}

/// The lines a sandbox server writes before it says it listens, started with `args`.
fn lines_before_listening(args: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap(), "--log-format", "text"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.starts_with("amazon-pay-server listening") {
            break;
        }
        lines.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    lines
}

/// A server whose --dist-dir has no widget (not built, or the relative `dist` read from another working
/// directory) was ready and answered the API, but `/widget.js` was a silent 404 and shops' pages showed no
/// button (walked: started outside the repository, nothing said so). The start says it, naming the directory.
#[test]
fn a_dist_dir_without_the_widget_is_said_at_start_naming_the_directory() {
    let empty = tempfile::tempdir().unwrap();
    let lines = lines_before_listening(&["--dist-dir", empty.path().to_str().unwrap()]);
    let said = lines.iter().find(|l| l.contains("The widget is not built")).unwrap_or_else(|| panic!("not said: {lines:?}"));
    for expected in ["WARN", "widget.js", empty.path().to_str().unwrap(), "scripts/build-widget", "AMAZON_PAY_DIST_DIR"] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    // Nothing said when the widget is there.
    let built = tempfile::tempdir().unwrap();
    std::fs::write(built.path().join("widget.js"), "export {};").unwrap();
    let lines = lines_before_listening(&["--dist-dir", built.path().to_str().unwrap()]);
    assert!(lines.iter().all(|l| !l.contains("widget is not built")), "{lines:?}");
}

#[test]
fn text_logs_written_to_a_pipe_or_file_have_no_color_codes() {
    // The store's migrations log before the server says it listens.
    let lines = lines_before_listening(&[]);
    assert!(lines.iter().any(|l| l.contains("schema migrated")), "{lines:?}");
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "escape codes in the log: {lines:?}");
}

#[test]
fn a_database_url_that_names_no_usable_database_stops_the_server_naming_the_setting() {
    let stderr = run_expecting_failure(&["--sandbox", "--database-url", "mysql://shop:secret@db/shop"], &[]);
    assert!(stderr.contains("--database-url (DATABASE_URL)") && stderr.contains("sqlite:"), "{stderr}");
    assert!(!stderr.contains("secret"), "the password is not echoed: {stderr}");
    let stderr = run_expecting_failure(&["--sandbox"], &[("DATABASE_URL", "postgres://shop@127.0.0.1:notaport/shop")]);
    assert!(stderr.contains("--database-url (DATABASE_URL)"), "{stderr}");
    // A valid URL whose server does not answer: the start fails on the first connection.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let stderr = run_expecting_failure(&["--sandbox", "--database-url", &format!("postgres://shop@127.0.0.1:{port}/shop")], &[]);
    assert!(stderr.contains("no database connection") || stderr.contains("postgres"), "{stderr}");
}

#[test]
fn a_live_start_on_the_demo_price_list_is_refused_with_what_to_set() {
    // A live shop without AMAZON_PAY_CATALOGUE started on the demo's made-up prices; check-config only flagged it.
    let live = ["--payone-key", "k", "--payone-mid", "1", "--payone-portalid", "2", "--payone-aid", "3", "--amazon-merchant-id", "A1"];
    let stderr = run_expecting_failure(&live, &[]);
    assert!(stderr.contains("live mode has no AMAZON_PAY_CATALOGUE (--catalogue)") && stderr.contains("made-up prices"), "{stderr}");
}

#[test]
fn a_refused_start_points_to_check_config_for_the_other_problems() {
    // The start stops at its first problem (live mode without PAYONE_MID here, with three more behind it): it now
    // says where the whole list is, so an operator does not fix them one start at a time.
    let stderr = run_expecting_failure(&["--payone-key", "k"], &[]);
    assert!(stderr.contains("PAYONE_MID") && stderr.contains("amazon-pay-server check-config"), "{stderr}");
}

#[test]
fn an_address_in_use_is_refused_naming_the_address_and_the_setting() {
    // Another process holds the port (an earlier instance still draining after SIGTERM): the operator reads which
    // address and which setting, not only the system's "Address already in use".
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    for (listen, metrics, setting) in [(addr.as_str(), None, "--listen"), ("127.0.0.1:0", Some(addr.as_str()), "--metrics-listen")] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(BIN);
        command.args(["--sandbox", "--listen", listen, "--data-dir", dir.path().to_str().unwrap()]);
        if let Some(metrics) = metrics {
            command.args(["--metrics-listen", metrics]);
        }
        let output = process::output_within(&mut command, Duration::from_secs(30));
        assert!(!output.status.success(), "{setting}: expected a refusal");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("cannot listen on {addr} ({setting}")), "{stderr}");
    }
    drop(taken);
}

#[test]
fn a_placing_expiry_longer_than_an_authorizations_30_days_is_refused_at_start_with_the_maximum() {
    // 49 hours given in milliseconds: cut-off orders would stay `placing` for 5.6 years.
    let stderr = run_expecting_failure(&["--sandbox", "--placing-expiry-seconds", "176400000"], &[]);
    assert!(stderr.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS") && stderr.contains("give at most 2592000"), "{stderr}");
    let stderr = run_expecting_failure(&["--sandbox"], &[("AMAZON_PAY_PLACING_EXPIRY_SECONDS", "2592001")]);
    assert!(stderr.contains("is 2592001") && stderr.contains("30 days"), "{stderr}");
}

#[test]
fn a_placing_expiry_shorter_than_payones_retries_is_refused_at_start_with_the_minimum() {
    // The sweep would give up orders PAYONE may still settle: its TransactionStatus is resent for 48 hours.
    let stderr = run_expecting_failure(&["--sandbox", "--placing-expiry-seconds", "3600"], &[]);
    assert!(stderr.contains("AMAZON_PAY_PLACING_EXPIRY_SECONDS") && stderr.contains("172800") && stderr.contains("48 hours"), "{stderr}");
    let stderr = run_expecting_failure(&["--sandbox"], &[("AMAZON_PAY_PLACING_EXPIRY_SECONDS", "172799")]);
    assert!(stderr.contains("is 172799") && stderr.contains("PAYONE resends a TransactionStatus"), "{stderr}");
}

/// A refused start is the sentence and what to do, also with `RUST_BACKTRACE=1` in the environment (set for
/// panics); a developer who wants the error's backtrace asks with `RUST_BACKTRACE=full` or anyhow's
/// `RUST_LIB_BACKTRACE=1` (docs/operations.md).
#[test]
fn a_refused_start_prints_no_backtrace_unless_a_developer_asks_for_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let refused = |envs: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(BIN);
        command.args(["--sandbox", "--listen", &addr, "--data-dir", dir.path().to_str().unwrap()]);
        command.env_remove("RUST_BACKTRACE").env_remove("RUST_LIB_BACKTRACE").envs(envs.iter().copied());
        let output = process::output_within(&mut command, Duration::from_secs(30));
        assert!(!output.status.success(), "expected a refusal");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    for envs in [&[][..], &[("RUST_BACKTRACE", "1")]] {
        let stderr = refused(envs);
        assert!(stderr.contains(&format!("cannot listen on {addr} (--listen")), "{stderr}");
        assert!(!stderr.contains("backtrace") && !stderr.contains("main.rs"), "{envs:?}: {stderr}");
    }
    for envs in [&[("RUST_BACKTRACE", "full")][..], &[("RUST_LIB_BACKTRACE", "1")]] {
        let stderr = refused(envs);
        assert!(stderr.contains(&format!("cannot listen on {addr}")) && stderr.contains("backtrace"), "{envs:?}: {stderr}");
    }
    drop(taken);
}
