//! Cheap, deterministic property tests of the parsers that read outside input: loops over generated hostile
//! input (a fixed-seed PRNG, no extra crates), so every `cargo test` exercises what `fuzz/` explores for
//! longer. Each property is the one the matching fuzz target asserts.
#![cfg(feature = "sandbox")]

use amazon_pay_contract::orders::OrderState;
use amazon_pay_server::config::{Args, Config, Mode, CHECKOUTCHAMP_MAX_CREDENTIAL_LEN};
use amazon_pay_server::orders::next_state;
use amazon_pay_server::payone::wire::notification_key;
use amazon_pay_server::payone::{PayoneRequest, PayoneResponse, TransactionStatus};
use amazon_pay_server::security::parse_origin;
use clap::{CommandFactory, Parser};

/// xorshift64*: deterministic, so a failure reproduces with the printed iteration.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Bytes that matter to form and line parsers, mixed with any byte at all.
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        const SPECIAL: &[u8] = b"=&%+\r\n \t;#?.[]_-0123456789abcdefABCDEFkeytxid\x00\x7f\x80\xc3\xbc\xe2\x82\xac\xfc\xff";
        let len = self.below(max + 1);
        (0..len).map(|_| if self.chance(80) { *self.pick(SPECIAL) } else { self.next() as u8 }).collect()
    }
    /// A string of the characters above plus multi-byte ones.
    fn text(&mut self, max: usize) -> String {
        const CHARS: &[&str] =
            &["=", "&", "%", "+", "\r", "\n", " ", "a", "Z", "0", "9", "%2", "%41", "%zz", "ü", "€", "\u{202e}", "<", ">", "\"", "'", "\0", "=="];
        let len = self.below(max + 1);
        (0..len).map(|_| *self.pick(CHARS)).collect()
    }
    /// Changes a few bytes of `input`: flips, inserts, deletes, duplicates a slice.
    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..=self.below(4) {
            let at = self.below(out.len() + 1);
            match self.below(4) {
                0 if at < out.len() => out[at] = self.next() as u8,
                1 => out.insert(at, *self.pick(b"=&%+\n\x00\xff")),
                2 if at < out.len() => {
                    out.remove(at);
                }
                _ => {
                    let end = (at + self.below(16)).min(out.len());
                    let slice = out[at..end].to_vec();
                    out.splice(at..at, slice);
                }
            }
        }
        out
    }
}

const ITERATIONS: usize = 20_000;

#[test]
fn payone_responses_never_panic_and_round_trip() {
    let mut rng = Rng(0x5EED_0001);
    let genuine =
        "status=REDIRECT\r\ntxid=123456789\r\nuserid=42\r\nredirecturl=https://x.example/a?b=c&d=e\r\nadd_paydata[payload]={\"a\":\"b=c\"}\r\n";
    for i in 0..ITERATIONS {
        let bytes = if i % 2 == 0 { rng.bytes(300) } else { rng.mutate(genuine.as_bytes()) };
        let body = String::from_utf8_lossy(&bytes);
        let parsed = PayoneResponse::parse(&body);
        for (key, value) in parsed.fields() {
            assert!(!key.is_empty() && !key.contains('=') && key.trim() == key, "#{i}: key {key:?} from {body:?}");
            assert_eq!(value.trim(), value, "#{i}");
        }
        let lines = body.lines().filter(|l| !l.trim_end_matches('\r').trim().is_empty()).count();
        assert_eq!(parsed.fields().len() + parsed.raw_lines().len(), lines, "#{i}: every line is kept: {body:?}");
        assert_eq!(PayoneResponse::parse(&parsed.to_body()).fields(), parsed.fields(), "#{i}: round trip of {body:?}");
    }
}

#[test]
fn payone_requests_survive_hostile_forms_and_encode_what_they_decode() {
    let mut rng = Rng(0x5EED_0002);
    for i in 0..ITERATIONS / 4 {
        let body = String::from_utf8_lossy(&rng.bytes(200)).into_owned();
        let _ = PayoneRequest::decode(&body);
        let mut request = PayoneRequest::new("genericpayment");
        for _ in 0..rng.below(6) {
            let key = format!("add_paydata[{}]", rng.text(8));
            request.set(&key, rng.text(20));
        }
        let back = PayoneRequest::decode(&request.encode()).expect("our own encoding decodes");
        assert_eq!(back, request, "#{i}");
        assert!(!request.redacted().contains(&amazon_pay_server::payone::wire::request_key("k")));
    }
}

const KEY: &str = "property-portal-key";
const PORTAL: &str = "2000000";
const AID: &str = "10001";
const STATES: [&str; 9] = ["placing", "redirected", "approved", "pending", "paid", "failed", "declined", "abandoned", "upstream_failed"];

/// ISO-8859-1 form encoding as PAYONE does it: every character one byte, escaped unless plain.
fn latin1_form(fields: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, (k, v)) in fields.iter().enumerate() {
        if n > 0 {
            out.push(b'&');
        }
        for (i, part) in [k, v].into_iter().enumerate() {
            if i == 1 {
                out.push(b'=');
            }
            for ch in part.chars() {
                let byte = u8::try_from(u32::from(ch)).expect("Latin-1");
                if byte.is_ascii_alphanumeric() {
                    out.push(byte);
                } else if byte == b' ' {
                    out.push(b'+');
                } else {
                    out.extend_from_slice(format!("%{byte:02X}").as_bytes());
                }
            }
        }
    }
    out
}

#[test]
fn notifications_never_panic_and_only_genuine_ones_verify() {
    let mut rng = Rng(0x5EED_0003);
    let genuine =
        format!("key={}&portalid={PORTAL}&aid={AID}&txaction=appointed&txid=1&transaction_status=pending&sequencenumber=0", notification_key(KEY));
    let mut verified = 0;
    for i in 0..ITERATIONS {
        let body = match i % 3 {
            0 => rng.bytes(300),
            _ => rng.mutate(genuine.as_bytes()),
        };
        let ts = TransactionStatus::parse(&body);
        if ts.verify(KEY, PORTAL, AID).is_ok() {
            verified += 1;
            assert_eq!(ts.get("key").map(str::to_ascii_lowercase), Some(notification_key(KEY)), "#{i}");
            assert_eq!(ts.get("portalid"), Some(PORTAL), "#{i}");
            assert!(ts.get("aid").is_none_or(|aid| aid == AID), "#{i}");
        }
        let _ = (ts.identity(), ts.transaction_status());
        for state in STATES.map(|s| OrderState::parse(s).unwrap()) {
            if let Some(next) = next_state(state, &ts) {
                assert_ne!(next, state, "#{i}");
                // `abandoned` is the server's own conclusion: PAYONE's later word (not a cancelation) moves it.
                let provider_overrules = state == OrderState::Abandoned && ts.txaction() != Some("cancelation");
                assert!(!state.is_final() || provider_overrules, "#{i}: final states never move, but for an abandoned one");
            }
        }
        // Whatever verifies with one key never verifies with another.
        assert!(ts.verify("another-key", PORTAL, AID).is_err(), "#{i}");
    }
    assert!(verified > 100, "the mutations keep some genuine notifications ({verified})");
}

#[test]
fn notifications_decode_every_latin1_value_payone_can_send() {
    let mut rng = Rng(0x5EED_0004);
    for i in 0..ITERATIONS / 4 {
        let fields: Vec<(String, String)> = (0..1 + rng.below(6))
            .map(|n| {
                let value: String = (0..rng.below(30)).map(|_| char::from(rng.next() as u8)).collect();
                (format!("f{n}"), value)
            })
            .collect();
        let ts = TransactionStatus::parse(&latin1_form(&fields));
        assert_eq!(ts.fields(), fields.as_slice(), "#{i}");
    }
}

fn flags() -> Vec<String> {
    Args::command().get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect()
}

fn numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn configuration_never_panics_on_hostile_argument_vectors() {
    let mut rng = Rng(0x5EED_0005);
    let flags = flags();
    assert!(flags.len() > 20, "{flags:?}");
    const VALUES: &[&str] = &[
        "",
        "0",
        "1",
        "-1",
        "99999999999999999999",
        "127.0.0.1:0",
        "[::1]:0",
        "x",
        "1,2,3",
        ",,,",
        "1,2,3,4,5,6,7,8,9,10,11,12",
        "https://shop.example",
        "https://shop.example/x",
        "*",
        "null",
        "live",
        "authorization",
        "ü€",
        "a=b",
        "--sandbox",
        " ",
        "0x10",
    ];
    let mut accepted = 0;
    for i in 0..3_000 {
        let mut argv = vec!["amazon-pay-server".to_owned()];
        for _ in 0..rng.below(8) {
            let flag = rng.pick(&flags).clone();
            match rng.below(4) {
                0 => argv.push(flag),
                1 => argv.push(format!("{flag}={}", rng.pick(VALUES))),
                2 => argv.push(rng.text(12)),
                _ => argv.extend([flag, rng.pick(VALUES).to_string()]),
            }
        }
        let Ok(args) = Args::try_parse_from(&argv) else { continue };
        let Ok(config) = Config::from_args(args) else { continue };
        accepted += 1;
        assert!(numeric(&config.payone.mid) && numeric(&config.payone.portal_id) && numeric(&config.payone.aid), "#{i}: {argv:?}");
        if config.mode == Mode::Live {
            assert!(config.payone.endpoint.is_some(), "#{i}: live never talks to the sandbox");
            assert!(!config.payone.key.trim().is_empty(), "#{i}: live needs a real portal key");
            assert!(config.catalogue.is_some(), "#{i}: live never sells at the demo's made-up prices");
        }
        if let Some(cc) = &config.checkoutchamp {
            assert!(cc.password.chars().count() <= CHECKOUTCHAMP_MAX_CREDENTIAL_LEN, "#{i}");
            assert!(numeric(&cc.campaign_id) && numeric(&cc.amazon_biller_id), "#{i}: {argv:?}");
        }
        assert!(config.sandbox_timings.notify_retry_delays.len() <= 11, "#{i}");
        for origin in &config.allowed_origins {
            assert_eq!(parse_origin(origin).as_ref(), Ok(origin), "#{i}: stored normalized");
        }
    }
    assert!(accepted > 100, "some vectors are valid configurations ({accepted})");
    // The one fixed vector the tests use stays valid.
    let args = Args::parse_from(["amazon-pay-server", "--sandbox", "--listen", "127.0.0.1:0"]);
    assert!(Config::from_args(args).is_ok());
}

#[test]
fn origins_never_panic_and_normalize_once() {
    let mut rng = Rng(0x5EED_0006);
    let seeds = ["https://shop.example", "http://127.0.0.1:8080", "http://[::1]:9000/", "HTTPS://A.B"];
    for i in 0..ITERATIONS {
        let text = if i % 2 == 0 {
            rng.text(24)
        } else {
            let seed = seeds[rng.below(seeds.len())];
            String::from_utf8_lossy(&rng.mutate(seed.as_bytes())).into_owned()
        };
        if let Ok(origin) = parse_origin(&text) {
            assert_eq!(parse_origin(&origin).as_ref(), Ok(&origin), "#{i}: {text:?}");
            assert!(origin.starts_with("http://") || origin.starts_with("https://"), "#{i}");
            assert!(!origin.ends_with('/') && !origin.contains('*') && !origin.contains(' '), "#{i}: {origin:?}");
        }
    }
}

#[test]
fn configuration_files_never_panic_and_pass_only_known_settings() {
    let mut rng = Rng(0x5EED_0007);
    let known = amazon_pay_server::config_file::known_variables();
    const PARTS: &[&str] = &[
        "PAYONE_MID",
        "AMAZON_PAY_ALLOWED_ORIGINS",
        "NOPE",
        " = ",
        "=",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "1",
        "true",
        "x",
        "#",
        "\\u0000",
        ".",
        ",",
        "[[a]]",
        "\"\"\"",
    ];
    for i in 0..ITERATIONS / 2 {
        let text: String = (0..rng.below(14)).map(|_| *rng.pick(PARTS)).collect::<String>().replace("\\n", "\n");
        if let Ok(values) = amazon_pay_server::config_file::parse(&text, "property.toml") {
            assert!(values.keys().all(|k| known.contains(k)), "#{i}: {text:?}");
        }
    }
}
