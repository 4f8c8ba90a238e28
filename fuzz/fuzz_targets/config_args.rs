//! The server's configuration (`Args::try_parse_from` + `Config::from_args`) over arbitrary argument vectors
//! built from its real flags, and the `--config` file's parser (`config_file::parse`): no panic, and every
//! configuration it accepts keeps the rules it promises.
#![no_main]

use amazon_pay_server::config::{Args, Config, Mode, CHECKOUTCHAMP_MAX_CREDENTIAL_LEN};
use amazon_pay_server::security::parse_origin;
use clap::{CommandFactory, Parser};
use libfuzzer_sys::{arbitrary, fuzz_target};
use std::sync::OnceLock;

#[derive(Debug, arbitrary::Arbitrary)]
enum Arg {
    /// One of the real flags (by index) with a value.
    Flag(u8, String),
    /// One of the real flags without a value, or as `--flag=value`.
    Bare(u8),
    Joined(u8, String),
    /// Anything at all.
    Raw(String),
}

fn flags() -> &'static [String] {
    static FLAGS: OnceLock<Vec<String>> = OnceLock::new();
    FLAGS.get_or_init(|| Args::command().get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect())
}

fn numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    args: Vec<Arg>,
    /// The text of a `--config` TOML file.
    file: Option<String>,
}

fuzz_target!(|input: Input| {
    if let Some(text) = &input.file {
        if let Ok(values) = amazon_pay_server::config_file::parse(text, "fuzz.toml") {
            let known = amazon_pay_server::config_file::known_variables();
            assert!(values.keys().all(|k| known.contains(k)), "only known settings pass");
        }
    }
    let args = input.args;
    let flags = flags();
    let flag = |i: u8| flags[usize::from(i) % flags.len()].clone();
    let mut argv = vec!["amazon-pay-server".to_owned()];
    for arg in args {
        match arg {
            Arg::Flag(i, value) => argv.extend([flag(i), value]),
            Arg::Bare(i) => argv.push(flag(i)),
            Arg::Joined(i, value) => argv.push(format!("{}={value}", flag(i))),
            Arg::Raw(text) => argv.push(text),
        }
    }
    let Ok(parsed) = Args::try_parse_from(argv) else { return };
    let Ok(config) = Config::from_args(parsed) else { return };
    assert!(numeric(&config.payone.mid) && numeric(&config.payone.portal_id) && numeric(&config.payone.aid));
    if config.mode == Mode::Live {
        assert!(config.payone.endpoint.is_some(), "live mode never talks to the sandbox");
        assert!(!config.payone.key.trim().is_empty(), "an empty key would make md5(\"\") the notification key");
        assert!(config.catalogue.is_some(), "live mode never sells at the demo's made-up prices");
    }
    if let Some(cc) = &config.checkoutchamp {
        assert!(cc.login_id.chars().count() <= CHECKOUTCHAMP_MAX_CREDENTIAL_LEN);
        assert!(cc.password.chars().count() <= CHECKOUTCHAMP_MAX_CREDENTIAL_LEN);
        assert!(numeric(&cc.campaign_id) && numeric(&cc.amazon_biller_id));
    }
    assert!(config.sandbox_timings.notify_retry_delays.len() <= 11);
    for origin in &config.allowed_origins {
        assert_eq!(parse_origin(origin).as_ref(), Ok(origin), "origins are stored normalized");
    }
});
