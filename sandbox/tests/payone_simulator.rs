//! The PAYONE simulator at the protocol level: a real server on a free loopback port, raw form bodies built by
//! hand, `key=value` answers parsed by hand, and a tiny TransactionStatus receiver that records what arrives.
//! Facts checked: `shared/reference/payone-amazonpay.md` §1–§6, §8.

mod support;

use amazon_pay_sandbox::amazon::{AgreementType, SessionState};
use amazon_pay_sandbox::scenario::{instrument_for, Scenario, INSTRUMENTS};
use amazon_pay_sandbox::{Delivery, MfaOutcome, Sandbox, SandboxConfig, SimError, SimTimings};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use md5::Md5;
use payone_wire::sandbox_settings::defaults as d;
use sha2::{Digest, Sha384};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

// ---------------------------------------------------------------------------------------------------------------
// Test scaffolding: the server, a notification receiver, forms and answers.

/// One notification as the receiver got it.
#[derive(Debug, Clone)]
struct Hit {
    content_type: String,
    user_agent: String,
    body: Vec<u8>,
}

fn unhex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Decodes a form whose escapes are ISO-8859-1 bytes (independently of the server's code).
fn latin1_form(body: &[u8]) -> Vec<(String, String)> {
    let decode = |part: &[u8]| -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'+' => out.push(' '),
                b'%' => match (part.get(i + 1).copied().and_then(unhex), part.get(i + 2).copied().and_then(unhex)) {
                    (Some(h), Some(l)) => {
                        out.push(char::from(h * 16 + l));
                        i += 2;
                    }
                    _ => out.push('%'),
                },
                b => out.push(char::from(b)),
            }
            i += 1;
        }
        out
    };
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.iter().position(|b| *b == b'=') {
            Some(i) => (decode(&pair[..i]), decode(&pair[i + 1..])),
            None => (decode(pair), String::new()),
        })
        .collect()
}

impl Hit {
    fn get(&self, name: &str) -> Option<String> {
        latin1_form(&self.body).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    fn action(&self) -> String {
        format!("{}/{}", self.get("txaction").unwrap_or_default(), self.get("transaction_status").unwrap_or_default())
    }
}

/// A merchant's TransactionStatus endpoint: records every POST, refuses the first `refuse` ones (or all).
#[derive(Clone)]
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    refuse: Arc<AtomicUsize>,
}

async fn record(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> &'static str {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    r.hits.lock().unwrap().push(Hit { content_type: header("content-type"), user_agent: header("user-agent"), body: body.to_vec() });
    let left = r.refuse.load(Ordering::SeqCst);
    if left > 0 {
        r.refuse.fetch_sub(1, Ordering::SeqCst);
        // What plugins answer to force a retry; anything but exactly TSOK counts as not delivered.
        return "TSNOTOK";
    }
    "TSOK"
}

impl Receiver {
    async fn start(refuse: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/ts", listener.local_addr().unwrap());
        let r = Receiver { url, hits: Arc::default(), refuse: Arc::new(AtomicUsize::new(refuse)) };
        let app = axum::Router::new().route("/ts", axum::routing::post(record)).with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    fn for_txid(&self, txid: &str) -> Vec<Hit> {
        self.hits.lock().unwrap().iter().filter(|h| h.get("txid").as_deref() == Some(txid)).cloned().collect()
    }

    fn actions(&self, txid: &str) -> Vec<String> {
        self.for_txid(txid).iter().map(Hit::action).collect()
    }
}

/// The buyer's data a notification may carry (between `sequencenumber` and `transaction_status`).
const PERSONAL: &[&str] = &["firstname", "lastname", "company", "street", "zip", "city", "country", "email"];

/// Polls `probe` until it yields, failing after a deadline (no fixed sleeps).
async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The answer, split at the first `=` per line as PAYONE's clients do.
#[derive(Debug)]
struct Reply {
    content_type: String,
    body: String,
    fields: Vec<(String, String)>,
}

impl Reply {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn status(&self) -> Option<&str> {
        self.get("status")
    }
    fn code(&self) -> Option<&str> {
        self.get("errorcode")
    }
    fn paydata(&self, name: &str) -> Option<&str> {
        self.get(&format!("add_paydata[{name}]"))
    }
    #[track_caller]
    fn expect(&self, status: &str) -> &Self {
        assert_eq!(self.status(), Some(status), "{}", self.body);
        self
    }
    #[track_caller]
    fn expect_error(&self, code: &str) -> &Self {
        assert_eq!((self.status(), self.code()), (Some("ERROR"), Some(code)), "{}", self.body);
        assert!(self.get("errormessage").is_some_and(|m| !m.is_empty()));
        assert!(self.get("customermessage").is_some_and(|m| !m.is_empty()));
        self
    }
}

fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sha384(text: &str) -> String {
    hex::encode(Sha384::digest(text.as_bytes()))
}

fn md5(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// §1.2's standard parameters, as PAYONE's plugins send them.
fn standard(request: &str) -> Vec<(String, String)> {
    [
        ("request", request.to_owned()),
        ("mid", d::PAYONE_MID.to_owned()),
        ("portalid", d::PAYONE_PORTALID.to_owned()),
        ("aid", d::PAYONE_AID.to_owned()),
        ("key", sha384(d::PAYONE_KEY)),
        ("mode", "test".to_owned()),
        ("api_version", "3.10".to_owned()),
        ("encoding", "UTF-8".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `base` with `extra` applied: a later value replaces an earlier one; an empty value removes the parameter.
fn with(base: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params = base;
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push(((*k).to_owned(), (*v).to_owned()));
        }
    }
    params
}

fn form(params: &[(String, String)]) -> String {
    params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

struct Env {
    base: String,
    sandbox: Arc<Sandbox>,
    receiver: Receiver,
    http: reqwest::Client,
}

fn fast_timings() -> SimTimings {
    SimTimings {
        settle_delay: Duration::from_millis(30),
        upstream_hold: Duration::from_millis(400),
        notify_retry_delays: vec![Duration::from_millis(10); 11],
        notify_attempt_timeout: Duration::from_secs(5),
    }
}

async fn start() -> Env {
    start_with(0, |_| {}).await
}

/// A sandbox whose notifications go to a fresh receiver that refuses the first `refuse` of them.
async fn start_with(refuse: usize, tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let receiver = Receiver::start(refuse).await;
    let mut config = SandboxConfig { timings: fast_timings(), ..SandboxConfig::default() };
    config.payone_notify_url = Some(receiver.url.clone());
    tweak(&mut config);
    let (base, sandbox) = support::serve(config).await;
    Env { base, sandbox, receiver, http: reqwest::Client::new() }
}

impl Env {
    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    fn gateway(&self) -> String {
        format!("{}/sandbox/payone/post-gateway/", self.base)
    }

    async fn send(&self, body: String) -> Reply {
        let response = self.http.post(self.gateway()).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.text().await.unwrap();
        let fields = body.lines().filter_map(|line| line.split_once('=').map(|(k, v)| (k.to_owned(), v.trim_end_matches('\r').to_owned()))).collect();
        Reply { content_type, body, fields }
    }

    async fn post(&self, params: Vec<(String, String)>) -> Reply {
        self.send(form(&params)).await
    }

    async fn call(&self, request: &str, extra: &[(&str, &str)]) -> Reply {
        self.post(with(standard(request), extra)).await
    }

    /// `createCheckoutSessionPayload` for 12.90 EUR; returns the workorder id.
    async fn create_session(&self, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("clearingtype", "wlt"),
            ("wallettype", "AMP"),
            ("add_paydata[action]", "createCheckoutSessionPayload"),
            ("amount", "1290"),
            ("currency", "EUR"),
            ("successurl", "https://shop.example/review"),
            ("errorurl", "https://shop.example/review?error=1"),
            ("backurl", "https://shop.example/cart"),
        ];
        params.extend_from_slice(extra);
        let reply = self.call("genericpayment", &params).await;
        reply.expect("OK");
        reply.get("workorderid").unwrap().to_owned()
    }

    fn session_id(&self, workorder: &str) -> String {
        self.sandbox().payone.workorder(workorder).unwrap().amazon_checkout_session_id
    }

    /// What the fake hosted pages do when the buyer picks an account, address and instrument.
    fn choose(&self, workorder: &str, address: &str, instrument: &str) {
        self.sandbox().amazon.select(&self.session_id(workorder), "anna", address, instrument).unwrap();
    }

    /// A session whose buyer chose `scenario`'s instrument.
    async fn chosen(&self, scenario: Scenario) -> String {
        let workorder = self.create_session(&[]).await;
        self.choose(&workorder, "anna-office", instrument_for(scenario).id);
        workorder
    }

    async fn authorize(&self, request: &str, workorder: &str, reference: &str, extra: &[(&str, &str)]) -> Reply {
        let mut params = vec![
            ("clearingtype", "wlt"),
            ("wallettype", "AMP"),
            ("workorderid", workorder),
            ("reference", reference),
            ("amount", "1290"),
            ("currency", "EUR"),
            ("language", "de"),
            ("successurl", "https://shop.example/ok"),
            ("errorurl", "https://shop.example/failed"),
            ("backurl", "https://shop.example/back"),
            ("firstname", "Anna"),
            ("lastname", "Müller"),
            ("email", "anna.schmidt@sandbox.example"),
        ];
        params.extend_from_slice(extra);
        self.call(request, &params).await
    }

    /// A REDIRECT answered for a fresh session with `scenario`; returns its txid.
    async fn redirected(&self, request: &str, scenario: Scenario, reference: &str) -> String {
        let workorder = self.chosen(scenario).await;
        let reply = self.authorize(request, &workorder, reference, &[]).await;
        reply.expect("REDIRECT");
        reply.get("txid").unwrap().to_owned()
    }

    /// A CV1 `genericpayment` (`wallettype=AMZ`, EUR) with `extra`.
    async fn cv1(&self, extra: &[(&str, &str)]) -> Reply {
        let mut params = vec![("clearingtype", "wlt"), ("wallettype", "AMZ"), ("currency", "EUR")];
        params.extend_from_slice(extra);
        self.call("genericpayment", &params).await
    }

    async fn capture(&self, txid: &str, sequence: &str, amount: &str) -> Reply {
        self.call("capture", &[("txid", txid), ("sequencenumber", sequence), ("amount", amount), ("currency", "EUR")]).await
    }

    async fn debit(&self, txid: &str, sequence: &str, amount: &str) -> Reply {
        self.call("debit", &[("txid", txid), ("sequencenumber", sequence), ("amount", amount), ("currency", "EUR"), ("transactiontype", "GT")]).await
    }

    /// Waits until the receiver has `n` notifications for `txid` and no more arrive during the settle delay.
    async fn settled_actions(&self, txid: &str, n: usize) -> Vec<String> {
        eventually(&format!("{n} notifications for {txid}"), || {
            let actions = self.receiver.actions(txid);
            (actions.len() >= n).then_some(actions)
        })
        .await
    }
}

// ---------------------------------------------------------------------------------------------------------------
// §1: credentials and the standard parameters.

#[tokio::test]
async fn standard_parameters_are_checked_like_payone() {
    let env = start().await;
    let session = [
        ("clearingtype", "wlt"),
        ("wallettype", "AMP"),
        ("add_paydata[action]", "createCheckoutSessionPayload"),
        ("amount", "100"),
        ("currency", "EUR"),
        ("successurl", "https://shop.example/review"),
    ];
    let wrong_sha = sha384("wrong");
    // (what, parameters changed, expected errorcode)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("no request", vec![("request", "")], "1000"),
        ("no mid", vec![("mid", "")], "1002"),
        ("wrong mid", vec![("mid", "10001")], "1002"),
        ("no portalid", vec![("portalid", "")], "1003"),
        ("wrong portal", vec![("portalid", "2000001")], "1003"),
        ("no key", vec![("key", "")], "1004"),
        ("wrong key", vec![("key", &wrong_sha)], "1004"),
        ("plain key", vec![("key", d::PAYONE_KEY)], "1004"),
        ("no mode", vec![("mode", "")], "1005"),
        ("bad mode", vec![("mode", "prod")], "1005"),
        ("api_version 3.9", vec![("api_version", "3.9")], "1015"),
        ("wrong aid", vec![("aid", "99")], "1001"),
    ];
    for (what, extra, code) in cases {
        let mut all: Vec<(&str, &str)> = session.to_vec();
        all.extend(extra);
        let reply = env.call("genericpayment", &all).await;
        assert_eq!(reply.code(), Some(code), "{what}: {}", reply.body);
        reply.expect_error(code);
        assert!(reply.content_type.starts_with("text/plain"), "{what}");
    }
    // md5 of the portal key (older plugins) and a missing api_version are accepted; so is mode=live.
    let md5_key = md5(d::PAYONE_KEY);
    let mut all: Vec<(&str, &str)> = session.to_vec();
    all.extend([("key", md5_key.as_str()), ("api_version", ""), ("mode", "live")]);
    env.call("genericpayment", &all).await.expect("OK");
    // Payment requests need aid.
    env.call("preauthorization", &[("aid", ""), ("clearingtype", "wlt"), ("wallettype", "AMP")]).await.expect_error("1001");
    // Request types Amazon Pay does not use, and a body that is no form at all.
    env.call("refund", &[]).await.expect_error("1000");
    env.send("\u{1}garbage".into()).await.expect_error("1000");
}

#[tokio::test]
async fn customer_messages_follow_the_language_parameter() {
    let env = start().await;
    let mut seen = std::collections::HashSet::new();
    for lang in ["de", "en", "fr", "it", "es"] {
        let reply = env
            .call(
                "genericpayment",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMP"),
                    ("add_paydata[action]", "createCheckoutSessionPayload"),
                    ("amount", "100"),
                    ("currency", "USD"),
                    ("successurl", "https://shop.example/review"),
                    ("language", lang),
                ],
            )
            .await;
        reply.expect_error("923");
        assert!(seen.insert(reply.get("customermessage").unwrap().to_owned()), "{lang} repeats another language");
    }
    // The soft decline speaks German when asked to.
    let workorder = env.chosen(Scenario::SoftDecline).await;
    let reply = env.authorize("preauthorization", &workorder, "SOFT-DE", &[("language", "de")]).await;
    reply.expect_error("981");
    assert!(reply.get("customermessage").unwrap().contains("Zahlungsart"), "{}", reply.body);
}

#[tokio::test]
async fn answers_json_when_asked_and_latin1_when_the_request_is() {
    let env = start().await;
    let params = with(
        standard("genericpayment"),
        &[
            ("clearingtype", "wlt"),
            ("wallettype", "AMP"),
            ("add_paydata[action]", "createCheckoutSessionPayload"),
            ("amount", "100"),
            ("currency", "EUR"),
            ("successurl", "https://shop.example/review"),
        ],
    );
    let json: serde_json::Value = env
        .http
        .post(env.gateway())
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&params))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["status"], "OK");
    assert!(json["workorderid"].as_str().is_some());
    assert!(json["addpaydata"]["payload"].as_str().unwrap().starts_with('{'));
    assert!(json["addpaydata"]["signature"].as_str().is_some());

    // An ISO-8859-1 request: "Müller" arrives as %FC and the answer is Latin-1 too.
    let workorder = env.chosen(Scenario::Approved).await;
    let mut latin = with(
        standard("preauthorization"),
        &[
            ("encoding", "ISO-8859-1"),
            ("clearingtype", "wlt"),
            ("wallettype", "AMP"),
            ("workorderid", &workorder),
            ("reference", "LATIN1"),
            ("amount", "1290"),
            ("currency", "EUR"),
            ("successurl", "https://shop.example/ok"),
        ],
    );
    latin.retain(|(k, _)| k != "lastname");
    let body = format!("{}&lastname=M%FCller", form(&latin));
    let reply = env.send(body).await;
    reply.expect("REDIRECT");
    assert!(reply.content_type.contains("ISO-8859-1"), "{}", reply.content_type);
    let tx = env.sandbox().payone.transaction(reply.get("txid").unwrap()).unwrap();
    assert!(tx.personal.contains(&("lastname".to_owned(), "Müller".to_owned())), "{:?}", tx.personal);
}

// ---------------------------------------------------------------------------------------------------------------
// §2.2–2.4: the CV2 session actions.

#[tokio::test]
async fn create_checkout_session_payload_opens_an_amazon_session_and_signs_the_payload() {
    let env = start().await;
    let reply = env
        .call(
            "genericpayment",
            &[
                ("clearingtype", "wlt"),
                ("wallettype", "AMP"),
                ("add_paydata[action]", "createCheckoutSessionPayload"),
                ("amount", "1290"),
                ("currency", "EUR"),
                ("successurl", "https://shop.example/review?x=1"),
                ("errorurl", "https://shop.example/error"),
                ("backurl", "https://shop.example/cart"),
                ("add_paydata[platform_id]", "A1JKLSC6LUW5EW"),
            ],
        )
        .await;
    reply.expect("OK");
    let workorder = reply.get("workorderid").unwrap();
    assert!((1..=16).contains(&workorder.len()), "{workorder}");
    let payload_text = reply.paydata("payload").unwrap();
    let signature = reply.paydata("signature").unwrap();
    assert!(env.sandbox().verify(payload_text, signature), "the signature is the sandbox's");
    let payload: serde_json::Value = serde_json::from_str(payload_text).unwrap();
    assert_eq!(payload["webCheckoutDetails"]["checkoutReviewReturnUrl"], "https://shop.example/review?x=1");
    assert_eq!(payload["webCheckoutDetails"]["checkoutCancelUrl"], "https://shop.example/cart");
    assert_eq!(payload["merchantMetadata"]["merchantReferenceId"], workorder);
    assert_eq!(payload["paymentDetails"]["totalOrderAmount"]["amount"], "12.90");
    assert_eq!(payload["paymentDetails"]["totalOrderAmount"]["currencyCode"], "EUR");
    assert_eq!(payload["platformId"], "A1JKLSC6LUW5EW");
    let session = env.sandbox().amazon.checkout_session(&env.session_id(workorder)).unwrap();
    assert_eq!((session.state, session.workorder_id.as_str()), (SessionState::Open, workorder));
    assert_eq!(session.amount.minor, 1290);

    let good = [
        ("clearingtype", "wlt"),
        ("wallettype", "AMP"),
        ("add_paydata[action]", "createCheckoutSessionPayload"),
        ("amount", "1290"),
        ("currency", "EUR"),
        ("successurl", "https://shop.example/review"),
    ];
    for (what, change, code) in [
        ("GBP", ("currency", "GBP"), "923"),
        ("no currency", ("currency", ""), "1009"),
        ("no amount", ("amount", ""), "1008"),
        ("zero amount", ("amount", "0"), "1008"),
        ("decimal amount", ("amount", "12.90"), "1008"),
        ("no successurl", ("successurl", ""), "1041"),
        ("no wallettype", ("wallettype", ""), "1013"),
        ("CV1 wallettype", ("wallettype", "AMZ"), "1014"),
        ("other clearingtype", ("clearingtype", "cc"), "1006"),
        ("misspelt action", ("add_paydata[action]", "createCheckoutSessionButton"), "1014"),
        ("no action", ("add_paydata[action]", ""), "1014"),
    ] {
        let mut params = good.to_vec();
        params.push(change);
        let reply = env.call("genericpayment", &params).await;
        assert_eq!(reply.code(), Some(code), "{what}: {}", reply.body);
    }
}

#[tokio::test]
async fn get_checkout_session_needs_the_buyer_back_from_amazon() {
    let env = start().await;
    let get = |workorder: String| {
        let env = &env;
        async move {
            env.call(
                "genericpayment",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMP"),
                    ("add_paydata[action]", "getCheckoutSession"),
                    ("workorderid", &workorder),
                    ("amount", "1290"),
                    ("currency", "EUR"),
                ],
            )
            .await
        }
    };
    get("WONOSUCHORDER".into()).await.expect_error("1012");
    let workorder = env.create_session(&[]).await;
    get(workorder.clone()).await.expect_error("987");

    env.choose(&workorder, "anna-office", "mc-4444");
    let reply = get(workorder.clone()).await;
    reply.expect("OK");
    assert_eq!(reply.get("workorderid"), Some(workorder.as_str()));
    assert_eq!(reply.paydata("email"), Some("anna.schmidt@sandbox.example"));
    for prefix in ["billing", "shipping"] {
        assert_eq!(reply.paydata(&format!("{prefix}_firstname")), Some("Anna"));
        assert_eq!(reply.paydata(&format!("{prefix}_lastname")), Some("Schmidt"));
        assert_eq!(reply.paydata(&format!("{prefix}_street")), Some("Marienplatz 8"));
        assert_eq!(reply.paydata(&format!("{prefix}_zip")), Some("80331"));
        assert_eq!(reply.paydata(&format!("{prefix}_city")), Some("München"));
        assert_eq!(reply.paydata(&format!("{prefix}_country")), Some("DE"));
        assert_eq!(reply.paydata(&format!("{prefix}_telephonenumber")), Some("+49 30 1234567"));
    }
    assert_eq!(reply.paydata("amazonCheckoutSessionId"), Some(env.session_id(&workorder).as_str()));
    assert_eq!(reply.paydata("paymentDescriptor"), Some("Mastercard ••••4444"));

    // Older than 24 hours: expired, in any scenario.
    env.sandbox()
        .amazon
        .update_checkout_session(&env.session_id(&workorder), |s| s.created_at = SystemTime::now() - Duration::from_secs(25 * 60 * 60));
    get(workorder).await.expect_error("101");
    // The "session expired" instrument.
    let expired = env.chosen(Scenario::SessionExpired).await;
    let reply = get(expired).await;
    reply.expect_error("101");
    assert!(reply.get("errormessage").unwrap().contains("expired"));
    // Non-EUR on the read.
    let workorder = env.chosen(Scenario::Approved).await;
    let reply = env
        .call(
            "genericpayment",
            &[
                ("clearingtype", "wlt"),
                ("wallettype", "AMP"),
                ("add_paydata[action]", "getCheckoutSession"),
                ("workorderid", &workorder),
                ("amount", "1"),
                ("currency", "CHF"),
            ],
        )
        .await;
    reply.expect_error("923");
}

#[tokio::test]
async fn update_checkout_session_changes_the_amount() {
    let env = start().await;
    let workorder = env.create_session(&[]).await;
    let update = |amount: &'static str, currency: &'static str, workorder: String| {
        let env = &env;
        async move {
            env.call(
                "genericpayment",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMP"),
                    ("add_paydata[action]", "updateCheckoutSession"),
                    ("workorderid", &workorder),
                    ("amount", amount),
                    ("currency", currency),
                ],
            )
            .await
        }
    };
    update("1590", "EUR", workorder.clone()).await.expect("OK");
    assert_eq!(env.sandbox().payone.workorder(&workorder).unwrap().amount.minor, 1590);
    assert_eq!(env.sandbox().amazon.checkout_session(&env.session_id(&workorder)).unwrap().amount.minor, 1590);
    update("", "EUR", workorder.clone()).await.expect_error("1008");
    update("1590", "GBP", workorder.clone()).await.expect_error("923");
    update("1590", "EUR", "WOUNKNOWN".into()).await.expect_error("1012");
}

// ---------------------------------------------------------------------------------------------------------------
// §2.5: (pre)authorization, every scenario.

#[tokio::test]
async fn every_scenario_gets_its_authorization_answer() {
    let env = start().await;
    for (i, instrument) in INSTRUMENTS.iter().enumerate() {
        let workorder = env.create_session(&[]).await;
        env.choose(&workorder, "anna-home", instrument.id);
        let reference = format!("SCN{i}");
        match instrument.scenario {
            Scenario::Approved | Scenario::MfaPassed | Scenario::MfaAbandoned | Scenario::PendingThenPaid | Scenario::PendingThenFailed => {
                let reply = env.authorize("preauthorization", &workorder, &reference, &[]).await;
                reply.expect("REDIRECT");
                let txid = reply.get("txid").unwrap();
                assert!((9..=12).contains(&txid.len()) && txid.bytes().all(|b| b.is_ascii_digit()), "{txid}");
                assert!(reply.get("userid").unwrap().bytes().all(|b| b.is_ascii_digit()));
                assert_eq!(reply.get("redirecturl"), Some(format!("{}/sandbox/amazon/checkout/process?txid={txid}", env.base).as_str()));
            }
            Scenario::SoftDecline => {
                env.authorize("preauthorization", &workorder, &reference, &[]).await.expect_error("981");
            }
            Scenario::HardDecline => {
                env.authorize("preauthorization", &workorder, &reference, &[]).await.expect_error("982");
                let session = env.sandbox().amazon.checkout_session(&env.session_id(&workorder)).unwrap();
                assert_eq!(session.state, SessionState::Canceled);
            }
            Scenario::TransactionTimedOut => {
                env.authorize("preauthorization", &workorder, &reference, &[]).await.expect_error("980");
            }
            Scenario::ProcessingFailure | Scenario::BuyerEqualsSeller | Scenario::PaymentMethodNotAllowed => {
                let code = match instrument.scenario {
                    Scenario::ProcessingFailure => "983",
                    Scenario::BuyerEqualsSeller => "984",
                    _ => "985",
                };
                env.authorize("preauthorization", &workorder, &reference, &[]).await.expect_error(code);
            }
            Scenario::SessionExpired => {
                env.authorize("preauthorization", &workorder, &reference, &[]).await.expect_error("101");
            }
            Scenario::UpstreamGarbage => {
                let reply = env.authorize("preauthorization", &workorder, &reference, &[]).await;
                assert_eq!(reply.status(), None, "no status line: {}", reply.body);
                assert!(reply.body.contains("<html>"));
                assert!(reply.content_type.starts_with("text/html"));
            }
            Scenario::UpstreamTimeout => {
                // A client that waits less than the hold gives up; one that waits longer gets nothing useful.
                let params = with(
                    standard("preauthorization"),
                    &[
                        ("clearingtype", "wlt"),
                        ("wallettype", "AMP"),
                        ("workorderid", &workorder),
                        ("reference", &reference),
                        ("amount", "1290"),
                        ("currency", "EUR"),
                        ("successurl", "https://shop.example/ok"),
                    ],
                );
                let impatient = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().unwrap();
                let err = impatient.post(env.gateway()).body(form(&params)).send().await.unwrap_err();
                assert!(err.is_timeout(), "{err}");
                let started = Instant::now();
                let reply = env.post(params).await;
                assert!(started.elapsed() >= fast_timings().upstream_hold);
                assert_eq!(reply.status(), None);
                assert!(reply.body.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn authorization_refuses_bad_requests_and_duplicate_references() {
    let env = start().await;
    let open = env.create_session(&[]).await;
    env.authorize("preauthorization", &open, "OPEN1", &[]).await.expect_error("987");
    let workorder = env.chosen(Scenario::Approved).await;
    env.authorize("preauthorization", &workorder, "R1", &[("amount", "1291")]).await.expect_error("1008");
    env.authorize("preauthorization", &workorder, "R1", &[("currency", "USD")]).await.expect_error("923");
    env.authorize("preauthorization", &workorder, "", &[]).await.expect_error("1007");
    env.authorize("preauthorization", &workorder, "way-too-long-reference-123", &[]).await.expect_error("1007");
    env.authorize("preauthorization", &workorder, "R1", &[("successurl", "")]).await.expect_error("1041");
    env.authorize("preauthorization", &workorder, "R1", &[("workorderid", "")]).await.expect_error("1012");
    env.authorize("preauthorization", &workorder, "R1", &[("workorderid", "WONOSUCH")]).await.expect_error("1012");
    env.authorize("preauthorization", &workorder, "R1", &[("wallettype", "XYZ")]).await.expect_error("1013");
    env.authorize("preauthorization", &workorder, "R1", &[]).await.expect("REDIRECT");
    // PAYONE refuses a second transaction with the same reference, even on another checkout.
    let other = env.chosen(Scenario::Approved).await;
    let reply = env.authorize("authorization", &other, "R1", &[]).await;
    reply.expect_error("911");
    assert!(reply.get("errormessage").unwrap().contains("R1"));
    env.authorize("authorization", &other, "R2", &[]).await.expect("REDIRECT");
}

#[tokio::test]
async fn the_ledger_lists_every_opened_transaction_per_checkout() {
    let env = start().await;
    let workorder = env.chosen(Scenario::Approved).await;
    let other = env.chosen(Scenario::Approved).await;
    let ledger = |query: String| {
        let (http, url) = (env.http.clone(), format!("{}/sandbox/payone/transactions{query}", env.base));
        async move { http.get(url).send().await.unwrap().json::<Vec<serde_json::Value>>().await.unwrap() }
    };
    assert!(ledger(format!("?workorderid={workorder}")).await.is_empty(), "nothing opened yet");
    // A refused request opens nothing; two accepted ones on the same checkout are two transactions.
    env.authorize("preauthorization", &workorder, "L1", &[("amount", "1291")]).await.expect_error("1008");
    let first = env.authorize("preauthorization", &workorder, "L1", &[]).await;
    first.expect("REDIRECT");
    env.authorize("preauthorization", &workorder, "L2", &[]).await.expect("REDIRECT");
    env.authorize("authorization", &other, "L3", &[]).await.expect("REDIRECT");
    let mine = ledger(format!("?workorderid={workorder}")).await;
    let references: Vec<&str> = mine.iter().map(|t| t["reference"].as_str().unwrap()).collect();
    assert_eq!(references.len(), 2, "{mine:?}");
    assert!(references.contains(&"L1") && references.contains(&"L2"), "{references:?}");
    assert!(mine.iter().any(|t| t["txid"] == first.get("txid").unwrap() && t["kind"] == "preauthorization"));
    assert!(mine.iter().all(|t| t["state"] == "awaiting_buyer" && t["workorder_id"] == workorder.as_str()));
    assert_eq!(ledger(String::new()).await.len(), 3, "without a filter: every transaction");
    assert!(ledger("?workorderid=WONOSUCH".into()).await.is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// The redirect leg and §5's notifications.

#[tokio::test]
async fn appointed_arrives_before_the_success_url_is_returned() {
    let env = start().await;
    let workorder = env.chosen(Scenario::Approved).await;
    let reply = env.authorize("preauthorization", &workorder, "APPT1", &[("param", "session-42")]).await;
    reply.expect("REDIRECT");
    let txid = reply.get("txid").unwrap().to_owned();
    let userid = reply.get("userid").unwrap().to_owned();
    assert!(env.receiver.for_txid(&txid).is_empty(), "nothing is sent before the buyer finishes");

    let url = env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap();
    assert_eq!(url, "https://shop.example/ok");
    // No waiting: appointed was delivered before finish_redirect returned.
    let hits = env.receiver.for_txid(&txid);
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hit = &hits[0];
    assert_eq!(hit.content_type, "application/x-www-form-urlencoded; charset=ISO-8859-1");
    assert_eq!(hit.user_agent, "PAYONE FinanceGate");
    let expect = [
        ("key", md5(d::PAYONE_KEY)),
        ("txaction", "appointed".into()),
        ("transaction_status", "completed".into()),
        ("notify_version", "7.6".into()),
        ("mode", "test".into()),
        ("portalid", d::PAYONE_PORTALID.into()),
        ("aid", d::PAYONE_AID.into()),
        ("clearingtype", "wlt".into()),
        ("currency", "EUR".into()),
        ("userid", userid),
        ("txid", txid.clone()),
        ("reference", "APPT1".into()),
        ("sequencenumber", "0".into()),
        ("price", "12.90".into()),
        ("balance", "0.00".into()),
        ("receivable", "0.00".into()),
        ("param", "session-42".into()),
        ("lastname", "Müller".into()),
        ("shipping_city", "München".into()),
    ];
    for (name, value) in expect {
        assert_eq!(hit.get(name).as_deref(), Some(value.as_str()), "{name}");
    }
    assert!(hit.get("txtime").unwrap().parse::<u64>().unwrap() > 1_600_000_000);
    // PAYONE's field set and order (a real body: academe/OmniPay-Payone's ShopCompleteTxnStatusServerRequest),
    // the buyer's data between sequencenumber and transaction_status.
    let names: Vec<String> = latin1_form(&hit.body).into_iter().map(|(k, _)| k).collect();
    let core: Vec<&str> = names.iter().map(String::as_str).filter(|n| !PERSONAL.contains(&n.trim_start_matches("shipping_"))).collect();
    assert_eq!(
        core,
        [
            "key",
            "txaction",
            "portalid",
            "aid",
            "clearingtype",
            "notify_version",
            "txtime",
            "currency",
            "userid",
            "accessname",
            "accesscode",
            "param",
            "mode",
            "price",
            "txid",
            "reference",
            "sequencenumber",
            "transaction_status",
            "balance",
            "receivable",
        ]
    );
    let at = |name: &str| names.iter().position(|n| n == name).unwrap();
    assert!(at("sequencenumber") < at("lastname") && at("shipping_city") < at("transaction_status"), "{names:?}");
    assert_eq!((hit.get("accessname").as_deref(), hit.get("accesscode").as_deref()), (Some(""), Some("")));
    // ISO-8859-1 on the wire: ü is the single byte 0xFC.
    let raw = String::from_utf8(hit.body.clone()).expect("the form is ASCII");
    assert!(raw.contains("lastname=M%FCller"), "{raw}");
    assert!(raw.contains("shipping_city=M%FCnchen"), "{raw}");
    assert!(!raw.contains("%C3"), "no UTF-8 sequences: {raw}");

    let session = env.sandbox().amazon.checkout_session(&env.session_id(&workorder)).unwrap();
    assert_eq!(session.state, SessionState::Completed);
    // Again: same answer, nothing sent twice.
    assert_eq!(env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap(), url);
    let log = env.sandbox().payone.notifications();
    assert_eq!(log.iter().filter(|n| n.txid == txid).count(), 1);
    assert_eq!(log[0].delivery, Delivery::Delivered);
    assert_eq!(log[0].get("key"), Some("<redacted>"));
    // A preauthorization is not paid until it is captured.
    assert_eq!(env.receiver.actions(&txid), ["appointed/completed"]);
    assert_eq!(env.sandbox().payone.finish_redirect("000000000", MfaOutcome::NotAsked).await, Err(SimError::UnknownTransaction("000000000".into())));
}

#[tokio::test]
async fn each_scenario_notifies_in_order_after_the_redirect() {
    let env = start().await;
    let cases: Vec<(&str, Scenario, MfaOutcome, &str, Vec<&str>)> = vec![
        ("authorization", Scenario::Approved, MfaOutcome::NotAsked, "https://shop.example/ok", vec!["appointed/completed", "paid/completed"]),
        ("authorization", Scenario::MfaPassed, MfaOutcome::Passed, "https://shop.example/ok", vec!["appointed/completed", "paid/completed"]),
        (
            "preauthorization",
            Scenario::PendingThenPaid,
            MfaOutcome::NotAsked,
            "https://shop.example/ok",
            vec!["appointed/pending", "appointed/completed"],
        ),
        (
            "authorization",
            Scenario::PendingThenPaid,
            MfaOutcome::NotAsked,
            "https://shop.example/ok",
            vec!["appointed/pending", "appointed/completed", "paid/completed"],
        ),
        (
            "authorization",
            Scenario::PendingThenFailed,
            MfaOutcome::NotAsked,
            "https://shop.example/ok",
            vec!["appointed/pending", "failed/completed"],
        ),
        ("authorization", Scenario::MfaAbandoned, MfaOutcome::Abandoned, "https://shop.example/failed", vec![]),
        ("authorization", Scenario::MfaAbandoned, MfaOutcome::NotAsked, "https://shop.example/failed", vec![]),
        ("authorization", Scenario::Approved, MfaOutcome::Abandoned, "https://shop.example/failed", vec![]),
    ];
    let mut txids = Vec::new();
    for (i, (request, scenario, mfa, target, _)) in cases.iter().enumerate() {
        let txid = env.redirected(request, *scenario, &format!("ORD{i}")).await;
        let url = env.sandbox().payone.finish_redirect(&txid, *mfa).await.unwrap();
        assert_eq!(&url, target, "{scenario:?} {mfa:?}");
        txids.push(txid);
    }
    for ((request, scenario, mfa, _, expected), txid) in cases.iter().zip(&txids) {
        let actions = env.settled_actions(txid, expected.len()).await;
        assert_eq!(&actions, expected, "{request} {scenario:?} {mfa:?}");
        let hits = env.receiver.for_txid(txid);
        if let Some(pending) = hits.first().filter(|h| h.action() == "appointed/pending") {
            assert_eq!(pending.get("reasoncode").as_deref(), Some("903"));
            assert_eq!(pending.get("receivable").as_deref(), Some("0.00"));
        }
        if let Some(paid) = hits.iter().find(|h| h.action() == "paid/completed") {
            assert_eq!((paid.get("balance").as_deref(), paid.get("receivable").as_deref()), (Some("0.00"), Some("12.90")));
        }
        let session = env.sandbox().amazon.session_for_transaction(txid).unwrap();
        let expected_state = if expected.is_empty() { SessionState::Canceled } else { SessionState::Completed };
        assert_eq!(session.state, expected_state, "{scenario:?}");
    }
    // Nothing else arrives for the abandoned ones (the others have settled by now).
    for ((_, _, _, _, expected), txid) in cases.iter().zip(&txids) {
        assert_eq!(env.receiver.actions(txid).len(), expected.len());
    }
}

#[tokio::test]
async fn capture_and_debit_follow_the_sequence_numbers() {
    let env = start().await;
    let txid = env.redirected("preauthorization", Scenario::Approved, "CAP1").await;
    env.capture(&txid, "1", "500").await.expect_error("21"); // the buyer is still on Amazon's pages
    env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap();

    env.capture("999999999", "1", "500").await.expect_error("1010");
    env.capture(&txid, "2", "500").await.expect_error("1011");
    env.capture(&txid, "0", "500").await.expect_error("1011");
    env.capture(&txid, "", "500").await.expect_error("1011");
    env.capture(&txid, "1", "1291").await.expect_error("1008");
    env.capture(&txid, "1", "-5").await.expect_error("1008");
    let reply = env.capture(&txid, "1", "1000").await;
    reply.expect("APPROVED");
    assert_eq!(reply.get("txid"), Some(txid.as_str()));
    assert!(reply.get("settleaccount").is_some());
    env.capture(&txid, "2", "291").await.expect_error("1008"); // only 2.90 are left
    env.capture(&txid, "2", "290").await.expect("APPROVED");

    env.debit(&txid, "3", "500").await.expect_error("1008"); // a debit is negative
    env.debit(&txid, "3", "-1291").await.expect_error("1008"); // more than was captured
    env.debit(&txid, "4", "-500").await.expect_error("1011");
    env.debit(&txid, "3", "-500").await.expect("APPROVED");

    let actions = env.settled_actions(&txid, 6).await;
    let hits = env.receiver.for_txid(&txid);
    let by_action = |a: &str| hits.iter().filter(|h| h.action() == a).cloned().collect::<Vec<_>>();
    assert_eq!(actions[0], "appointed/completed");
    let captures = by_action("capture/completed");
    assert_eq!(captures.iter().map(|h| h.get("sequencenumber").unwrap()).collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(captures[0].get("receivable").as_deref(), Some("10.00"));
    assert_eq!(captures[0].get("balance").as_deref(), Some("10.00"));
    let paid = by_action("paid/completed");
    assert_eq!(paid.len(), 2);
    for p in &paid {
        let capture = actions.iter().position(|a| a == "capture/completed").unwrap();
        let at = hits.iter().position(|h| h.body == p.body).unwrap();
        assert!(at > capture, "paid follows capture");
    }
    let debit = by_action("debit/completed");
    assert_eq!(debit.len(), 1);
    assert_eq!(debit[0].get("sequencenumber").as_deref(), Some("3"));
    assert_eq!(debit[0].get("receivable").as_deref(), Some("7.90"));

    // An authorization was captured with it: capture is refused, debit works.
    let auth = env.redirected("authorization", Scenario::Approved, "CAP2").await;
    env.sandbox().payone.finish_redirect(&auth, MfaOutcome::NotAsked).await.unwrap();
    env.capture(&auth, "1", "100").await.expect_error("21");
    env.debit(&auth, "1", "-1290").await.expect("APPROVED");
    // A failed payment cannot be captured.
    let failed = env.redirected("preauthorization", Scenario::PendingThenFailed, "CAP3").await;
    env.sandbox().payone.finish_redirect(&failed, MfaOutcome::NotAsked).await.unwrap();
    env.settled_actions(&failed, 2).await;
    env.capture(&failed, "1", "100").await.expect_error("21");
}

#[tokio::test]
async fn notifications_are_retried_until_tsok() {
    // The receiver answers "TSNOTOK" twice, then TSOK.
    let env = start_with(2, |_| {}).await;
    let txid = env.redirected("authorization", Scenario::Approved, "RETRY1").await;
    env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap();
    let log = eventually("appointed and paid delivered", || {
        let log: Vec<_> = env.sandbox().payone.notifications().into_iter().filter(|n| n.txid == txid).collect();
        (log.len() == 2 && log.iter().all(|n| n.delivery == Delivery::Delivered)).then_some(log)
    })
    .await;
    assert_eq!(log[0].attempts, 3);
    assert_eq!(log[0].last_answer.as_deref(), Some("HTTP 200: TSOK"));
    assert_eq!(log[1].attempts, 1);
    let hits = env.receiver.for_txid(&txid);
    assert_eq!(
        hits.iter().map(Hit::action).collect::<Vec<_>>(),
        ["appointed/completed", "appointed/completed", "appointed/completed", "paid/completed"]
    );
    assert!(hits[0].body == hits[1].body && hits[1].body == hits[2].body, "a retry repeats the same notification");

    // The JSON view says the same.
    let list: serde_json::Value = reqwest::get(format!("{}/sandbox/payone/notifications?txid={txid}", env.base)).await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["delivery"], "delivered");
    assert_eq!(list[0]["attempts"], 3);
    assert!(!list.to_string().contains(&md5(d::PAYONE_KEY)), "the key is redacted");
}

#[tokio::test]
async fn an_unacknowledged_notification_holds_back_the_later_ones() {
    // Never TSOK, and only two retries: appointed is given up, paid is never sent.
    let env = start_with(usize::MAX, |c| c.timings.notify_retry_delays = vec![Duration::from_millis(5); 2]).await;
    let txid = env.redirected("authorization", Scenario::Approved, "BLOCK1").await;
    env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap();
    let log = eventually("appointed given up, paid blocked", || {
        let log: Vec<_> = env.sandbox().payone.notifications().into_iter().filter(|n| n.txid == txid).collect();
        (log.len() == 2 && log[1].delivery == Delivery::Blocked).then_some(log)
    })
    .await;
    assert_eq!((log[0].delivery, log[0].attempts), (Delivery::GaveUp, 3));
    assert_eq!(log[1].attempts, 0);
    assert_eq!(env.receiver.actions(&txid), ["appointed/completed"; 3]);
}

// ---------------------------------------------------------------------------------------------------------------
// §2.1 APB: the authorization opens the session and carries the button.

#[tokio::test]
async fn apb_answers_redirect_with_the_button_payload() {
    let env = start().await;
    let apb = |reference: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let env = &env;
        async move {
            let mut params = vec![
                ("clearingtype", "wlt"),
                ("wallettype", "AMP"),
                ("add_paydata[checkoutMode]", "ProcessOrder"),
                ("add_paydata[productType]", "PayAndShip"),
                ("reference", reference),
                ("amount", "4990"),
                ("currency", "EUR"),
                ("successurl", "https://shop.example/apb/ok"),
                ("errorurl", "https://shop.example/apb/error"),
                ("backurl", "https://shop.example/apb/back"),
                ("firstname", "Jürgen"),
                ("lastname", "Groß"),
                ("telephonenumber", "+49 30 1"),
                ("shipping_firstname", "Jürgen"),
                ("shipping_lastname", "Groß"),
                ("shipping_street", "Königsallee 1"),
                ("shipping_zip", "40212"),
                ("shipping_city", "Düsseldorf"),
                ("shipping_country", "DE"),
            ];
            params.extend(extra);
            env.call("preauthorization", &params).await
        }
    };
    let reply = apb("APB1", vec![]).await;
    reply.expect("REDIRECT");
    let (txid, workorder) = (reply.get("txid").unwrap().to_owned(), reply.get("workorderid").unwrap().to_owned());
    assert!(reply.get("userid").is_some());
    assert!(reply.get("redirecturl").unwrap().ends_with(&format!("/sandbox/amazon/checkout/process?txid={txid}")));
    let payload_text = reply.paydata("payload").unwrap();
    assert!(env.sandbox().verify(payload_text, reply.paydata("signature").unwrap()));
    let payload: serde_json::Value = serde_json::from_str(payload_text).unwrap();
    assert_eq!(payload["webCheckoutDetails"]["checkoutMode"], "ProcessOrder");
    assert_eq!(payload["webCheckoutDetails"]["checkoutResultReturnUrl"], "https://shop.example/apb/ok");
    assert_eq!(payload["paymentDetails"]["totalOrderAmount"]["amount"], "49.90");
    assert_eq!(payload["addressDetails"]["city"], "Düsseldorf");
    assert_eq!(payload["merchantMetadata"]["merchantReferenceId"], workorder.as_str());
    let session_id = env.sandbox().payone.workorder(&workorder).unwrap().amazon_checkout_session_id;
    assert_eq!(env.sandbox().amazon.session_for_transaction(&txid).unwrap().id, session_id);

    // The buyer has not chosen yet: the processing step cannot finish.
    assert_eq!(env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await, Err(SimError::NoSelection(txid.clone())));
    env.sandbox().amazon.select(&session_id, "jean", "jean-home", "visa-1111").unwrap();
    assert_eq!(env.sandbox().payone.finish_redirect(&txid, MfaOutcome::NotAsked).await.unwrap(), "https://shop.example/apb/ok");
    let hits = env.receiver.for_txid(&txid);
    assert_eq!(hits[0].action(), "appointed/completed");
    assert!(String::from_utf8(hits[0].body.clone()).unwrap().contains("lastname=Gro%DF"));

    // A declined instrument sends the buyer to the errorurl, without notifications.
    let declined = apb("APB2", vec![]).await;
    let declined_txid = declined.get("txid").unwrap().to_owned();
    let declined_session = env.sandbox().payone.workorder(declined.get("workorderid").unwrap()).unwrap().amazon_checkout_session_id;
    env.sandbox().amazon.select(&declined_session, "anna", "anna-home", instrument_for(Scenario::HardDecline).id).unwrap();
    assert_eq!(env.sandbox().payone.finish_redirect(&declined_txid, MfaOutcome::NotAsked).await.unwrap(), "https://shop.example/apb/error");
    assert!(env.receiver.for_txid(&declined_txid).is_empty());

    apb("APB1", vec![]).await.expect_error("911");
    apb("APB3", vec![("add_paydata[productType]", "")]).await.expect_error("1016");
    apb("APB3", vec![("add_paydata[productType]", "SignIn")]).await.expect_error("1016");
    apb("APB3", vec![("telephonenumber", "")]).await.expect_error("1016");
    apb("APB3", vec![("shipping_city", "")]).await.expect_error("1016");
    apb("APB3", vec![("add_paydata[productType]", "PayOnly")]).await.expect_error("1016");
    apb("APB3", vec![("currency", "GBP")]).await.expect_error("923");
}

// ---------------------------------------------------------------------------------------------------------------
// §4: legacy CV1.

#[tokio::test]
async fn cv1_runs_from_configuration_to_authorization() {
    let env = start().await;
    let amazon = &env.sandbox().amazon;
    let config = env.cv1(&[("add_paydata[action]", "getconfiguration")]).await;
    config.expect("OK");
    let workorder = config.get("workorderid").unwrap().to_owned();
    assert!(config.paydata("client_id").unwrap().starts_with("amzn1.application-oa2-client."));
    assert_eq!(config.paydata("seller_id"), Some(d::AMAZON_MERCHANT_ID));
    env.cv1(&[("add_paydata[action]", "getConfiguration")]).await.expect_error("1014");
    env.cv1(&[("add_paydata[action]", "getconfiguration"), ("currency", "USD")]).await.expect_error("923");

    // The buyer signs in and picks address and instrument in the widgets.
    let token = amazon.issue_token("anna", &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap().id;
    amazon.select_for_widget(&token, &reference, Some("anna-office"), Some("visa-1111")).unwrap();

    let details = |token: &str, reference: &str| {
        let params = [
            ("add_paydata[action]", "getorderreferencedetails"),
            ("workorderid", workorder.as_str()),
            ("add_paydata[amazon_reference_id]", reference),
            ("add_paydata[amazon_address_token]", token),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let env = &env;
        async move { env.cv1(&params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>()).await }
    };
    let reply = details(&token, &reference).await;
    reply.expect("OK");
    assert_eq!(reply.get("workorderid"), Some(workorder.as_str()));
    assert_eq!(reply.paydata("email"), Some("anna.schmidt@sandbox.example"));
    assert_eq!(reply.paydata("shipping_city"), Some("München"));
    assert_eq!(reply.paydata("billing_lastname"), Some("Schmidt"));
    assert_eq!(reply.paydata("shipping_state"), Some("Empty"), "PAYONE's literal for a blank state");
    let jeans = amazon.issue_token("jean", &["profile"]).unwrap();
    details(&jeans, &reference).await.expect_error("900");
    details("Atza|forged", &reference).await.expect_error("900");
    details(&token, "S02-0000000-0000000").await.expect_error("900");
    details(&token, "").await.expect_error("1016");

    let set = [
        ("add_paydata[action]", "setorderreferencedetails"),
        ("add_paydata[amazon_reference_id]", reference.as_str()),
        ("workorderid", workorder.as_str()),
        ("amount", "2500"),
    ];
    env.cv1(&set).await.expect("OK");
    assert_eq!(amazon.order_reference(&reference).unwrap().amount.unwrap().minor, 2500);

    let auth = |timeout: &'static str, shop_reference: &'static str| {
        let (env, workorder, reference) = (&env, workorder.clone(), reference.clone());
        async move {
            env.call(
                "authorization",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMZ"),
                    ("workorderid", &workorder),
                    ("add_paydata[amazon_reference_id]", &reference),
                    ("add_paydata[amazon_timeout]", timeout),
                    ("reference", shop_reference),
                    ("amount", "2500"),
                    ("currency", "EUR"),
                ],
            )
            .await
        }
    };
    auth("0", "CV1-1").await.expect_error("900"); // not confirmed yet

    let confirm = [
        ("add_paydata[action]", "confirmorderreference"),
        ("add_paydata[amazon_reference_id]", reference.as_str()),
        ("add_paydata[reference]", "CV1-1"),
        ("workorderid", workorder.as_str()),
        ("amount", "2500"),
        ("successurl", "https://shop.example/cv1/ok"),
        ("errorurl", "https://shop.example/cv1/error"),
    ];
    let mut no_error_url = confirm.to_vec();
    no_error_url.push(("errorurl", ""));
    env.cv1(&no_error_url).await.expect_error("1042");
    env.cv1(&confirm).await.expect("OK");
    let confirmed = amazon.order_reference(&reference).unwrap();
    assert!(confirmed.confirmed);
    assert_eq!(confirmed.confirmation_urls.unwrap().error_url, "https://shop.example/cv1/error");
    env.cv1(&set).await.expect_error("900"); // a confirmed reference cannot change

    let reply = auth("0", "CV1-1").await;
    reply.expect("APPROVED");
    let txid = reply.get("txid").unwrap().to_owned();
    assert_eq!(env.settled_actions(&txid, 2).await, ["appointed/completed", "paid/completed"]);
    auth("0", "CV1-1").await.expect_error("911");
    auth("x", "CV1-2").await.expect_error("1016");

    env.cv1(&[("add_paydata[action]", "cancelorderreference"), ("add_paydata[amazon_reference_id]", &reference), ("workorderid", &workorder)])
        .await
        .expect("OK");
    auth("0", "CV1-2").await.expect_error("900"); // canceled
}

#[tokio::test]
async fn cv1_scenarios_follow_amazon_timeout() {
    let env = start().await;
    let amazon = &env.sandbox().amazon;
    // A confirmed order reference paying with `scenario`'s instrument, and its workorder.
    let prepared = |scenario: Scenario, confirm: bool| {
        let token = amazon.issue_token("giulia", &["profile"]).unwrap();
        let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap().id;
        amazon.select_for_widget(&token, &reference, None, Some(instrument_for(scenario).id)).unwrap();
        if confirm {
            amazon.update_order_reference(&reference, |r| r.confirmed = true);
        }
        (reference, token)
    };
    let auth = |reference: String, timeout: &'static str, shop_reference: String| {
        let env = &env;
        async move {
            let workorder = env
                .call(
                    "genericpayment",
                    &[("clearingtype", "wlt"), ("wallettype", "AMZ"), ("add_paydata[action]", "getconfiguration"), ("currency", "EUR")],
                )
                .await
                .get("workorderid")
                .unwrap()
                .to_owned();
            env.call(
                "preauthorization",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMZ"),
                    ("workorderid", &workorder),
                    ("add_paydata[amazon_reference_id]", &reference),
                    ("add_paydata[amazon_timeout]", timeout),
                    ("add_paydata[cancel_on_timeout]", "yes"),
                    ("reference", &shop_reference),
                    ("amount", "999"),
                    ("currency", "EUR"),
                ],
            )
            .await
        }
    };
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("T{n}")
    };
    for instrument in INSTRUMENTS {
        let (reference, _) = prepared(instrument.scenario, true);
        let sync = auth(reference.clone(), "0", next()).await;
        let (reference2, _) = prepared(instrument.scenario, true);
        let asynchronous = auth(reference2, "1440", next()).await;
        match instrument.scenario {
            Scenario::Approved | Scenario::MfaPassed | Scenario::MfaAbandoned => {
                sync.expect("APPROVED");
                asynchronous.expect("PENDING");
                let txid = asynchronous.get("txid").unwrap().to_owned();
                assert_eq!(env.settled_actions(&txid, 2).await, ["appointed/pending", "appointed/completed"]);
            }
            Scenario::BuyerEqualsSeller | Scenario::PaymentMethodNotAllowed => {
                // Order reference constraints: refused at once, whatever the timeout; no transaction.
                let code = if instrument.scenario == Scenario::BuyerEqualsSeller { "984" } else { "985" };
                sync.expect_error(code);
                asynchronous.expect_error(code);
            }
            Scenario::PendingThenPaid
            | Scenario::PendingThenFailed
            | Scenario::TransactionTimedOut
            | Scenario::SoftDecline
            | Scenario::HardDecline
            | Scenario::ProcessingFailure => {
                let code = match instrument.scenario {
                    Scenario::SoftDecline => "981",
                    Scenario::HardDecline => "982",
                    Scenario::ProcessingFailure => "983",
                    _ => "980",
                };
                sync.expect_error(code);
                asynchronous.expect("PENDING");
                let txid = asynchronous.get("txid").unwrap().to_owned();
                let second = if instrument.scenario == Scenario::PendingThenPaid { "appointed/completed" } else { "failed/completed" };
                assert_eq!(env.settled_actions(&txid, 2).await, ["appointed/pending", second], "{:?}", instrument.scenario);
                let reason = env.receiver.for_txid(&txid)[0].get("reasoncode");
                let expected = if instrument.scenario == Scenario::SoftDecline { "981" } else { "903" };
                assert_eq!(reason.as_deref(), Some(expected));
                if code == "980" {
                    // cancel_on_timeout=yes: PAYONE canceled the order reference.
                    assert_eq!(auth(reference, "1440", next()).await.code(), Some("900"));
                }
            }
            Scenario::SessionExpired => {
                sync.expect_error("101");
                asynchronous.expect_error("101");
            }
            Scenario::UpstreamGarbage => {
                assert_eq!(sync.status(), None);
                assert!(asynchronous.body.contains("<html>"));
            }
            Scenario::UpstreamTimeout => {
                assert!(sync.body.is_empty() && asynchronous.body.is_empty());
            }
        }
    }
    // confirmorderreference: the soft-decline instrument and a missing instrument are refused.
    let confirm = |reference: String| {
        let env = &env;
        async move {
            env.call(
                "genericpayment",
                &[
                    ("clearingtype", "wlt"),
                    ("wallettype", "AMZ"),
                    ("add_paydata[action]", "confirmorderreference"),
                    ("add_paydata[amazon_reference_id]", &reference),
                    ("add_paydata[reference]", "SHOP1"),
                    ("amount", "999"),
                    ("currency", "EUR"),
                    ("successurl", "https://shop.example/ok"),
                    ("errorurl", "https://shop.example/err"),
                ],
            )
            .await
        }
    };
    confirm(prepared(Scenario::SoftDecline, false).0).await.expect_error("981");
    // Amazon's constraints: nothing is confirmed, the buyer may still change the reference.
    for (scenario, code) in [(Scenario::BuyerEqualsSeller, "984"), (Scenario::PaymentMethodNotAllowed, "985")] {
        let (reference, _) = prepared(scenario, false);
        let reply = confirm(reference.clone()).await;
        reply.expect_error(code);
        assert!(!reply.get("customermessage").unwrap_or_default().is_empty());
        let after = amazon.order_reference(&reference).unwrap();
        assert!(!after.confirmed && after.confirmation_urls.is_none(), "{code}: not confirmed");
    }
    let token = amazon.issue_token("jean", &["profile"]).unwrap();
    let bare = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap().id;
    confirm(bare).await.expect_error("986");
    // Lena has no default payment method: her new reference has none until she picks one (986).
    let lena = amazon.issue_token("lena", &["profile"]).unwrap();
    let hers = amazon.create_order_reference(&lena, AgreementType::OrderReference).unwrap();
    assert_eq!(hers.address.map(|a| a.id), Some("lena-home"));
    confirm(hers.id.clone()).await.expect_error("986");
    amazon.select_for_widget(&lena, &hers.id, None, Some("visa-1111")).unwrap();
    confirm(hers.id).await.expect("OK");
    // Noah has no address at all: 987, before the payment method is even looked at.
    let noah = amazon.issue_token("noah", &["profile"]).unwrap();
    let his = amazon.create_order_reference(&noah, AgreementType::OrderReference).unwrap().id;
    amazon.select_for_widget(&noah, &his, None, Some("visa-1111")).unwrap();
    confirm(his).await.expect_error("987");
    let agreement = amazon.create_order_reference(&token, AgreementType::BillingAgreement).unwrap().id;
    amazon.select_for_widget(&token, &agreement, None, Some("visa-1111")).unwrap();
    confirm(agreement.clone()).await.expect_error("900"); // no consent yet
    amazon.set_consent(&token, &agreement, true).unwrap();
    confirm(agreement).await.expect("OK");
}

// ---------------------------------------------------------------------------------------------------------------
// The README's scenario table is the code's.

#[test]
fn docs_list_every_sandbox_instrument_and_buyer() {
    // docs/sandbox.md holds the full tables (the README names a few and links there).
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sandbox.md")).unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with('|')).collect();
    for instrument in INSTRUMENTS {
        let row = rows
            .iter()
            .find(|l| l.starts_with(&format!("| `{}` |", instrument.id)))
            .unwrap_or_else(|| panic!("docs/sandbox.md's scenario table lacks {}", instrument.id));
        assert!(row.contains(instrument.descriptor), "{row}");
    }
    for buyer in amazon_pay_sandbox::amazon::BUYERS {
        assert!(rows.iter().any(|l| l.starts_with(&format!("| `{}` |", buyer.id))), "docs/sandbox.md's buyer table lacks {}", buyer.id);
    }
    // The README's examples must exist.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for named in ["visa-1111", "mc-4444", "amex-0982", "mc-3ds1", "anna", "paul", "mallory"] {
        assert!(readme.contains(&format!("`{named}`")), "README names {named}");
        assert!(rows.iter().any(|l| l.starts_with(&format!("| `{named}` |"))), "{named} is not a sandbox instrument or buyer");
    }
}
