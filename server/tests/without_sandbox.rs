//! A server built without the `sandbox` feature (`cargo test -p amazon-pay-server --no-default-features
//! --test without_sandbox`): sandbox mode refuses to start and says how to build a server that has it, and
//! nothing is served under `/sandbox/`.
#![cfg(not(feature = "sandbox"))]
#[path = "support/payone_live.rs"]
mod payone_live;

use amazon_pay_server::app::Server;
use amazon_pay_server::config::{Args, Config, Mode};
use clap::Parser;
use std::process::Command;

const HOW_TO_BUILD: &str = "cargo build -p amazon-pay-server --features sandbox";

#[tokio::test]
async fn sandbox_mode_is_refused_with_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::sandbox_for_tests(dir.path().to_owned());
    assert_eq!(config.mode, Mode::Sandbox);
    let err = Server::bind(config).await.err().expect("no sandbox in this build");
    assert!(err.to_string().contains(HOW_TO_BUILD), "{err}");
}

#[test]
fn the_binary_stops_at_start_in_sandbox_mode() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--sandbox"][..], &[]] {
        let output = Command::new(env!("CARGO_BIN_EXE_amazon-pay-server"))
            .args(["--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
            .args(args)
            .env_remove("PAYONE_KEY")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}: expected a refusal");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(HOW_TO_BUILD), "{args:?}: {stderr}");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"), "{args:?}");
    }
}

#[tokio::test]
async fn live_mode_serves_nothing_under_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let args = Args::try_parse_from(payone_live::live_payone_argv(dir.path().to_str().unwrap(), &[])).unwrap();
    let config = Config::from_args(args).unwrap();
    assert_eq!(config.mode, Mode::Live);
    let (base, _state) = Server::bind(config).await.unwrap().spawn();
    for path in ["/sandbox/amazon/checkout.js", "/sandbox/amazon/Widgets.js", "/sandbox/payone/post-gateway/", "/sandbox/inspect/scenarios"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(!response.text().await.unwrap().contains("amazon.Pay"), "{path}");
    }
}
