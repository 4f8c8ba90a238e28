//! Webhooks against real receivers: signed events for an order's changes, retried after failures with
//! every attempt recorded, verified by the docs' Node and Python snippets, and delivered after a SIGKILL.

mod support;

use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::Language;
use amazon_pay_server::sandbox::MfaOutcome;
use amazon_pay_server::webhooks::sign;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{eventually, start_with};

const SECRET: &str = "webhook-test-secret-0123456789abcdef";
const KEY: &str = "merchant-test-key-0123456789abcdefghij";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    body: String,
    status: u16,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON event")
    }
}

/// A webhook receiver on 127.0.0.1:0: fails the first `failures` requests of each event with 500, then
/// answers `status` (which a test may change).
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    tries: Arc<Mutex<HashMap<String, usize>>>,
    failures: usize,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start(failures: usize, status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let receiver = Receiver { url, got: Arc::default(), tries: Arc::default(), failures, status: Arc::new(AtomicU16::new(status)) };
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post({
                let r = receiver.clone();
                move |headers: HeaderMap, body: String| {
                    let r = r.clone();
                    async move { r.answer(&headers, body) }
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn answer(&self, headers: &HeaderMap, body: String) -> StatusCode {
        let id = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["id"].as_str().map(str::to_owned)).unwrap_or_default();
        let tries = {
            let mut tries = self.tries.lock().unwrap();
            let n = tries.entry(id).or_default();
            *n += 1;
            *n
        };
        let status = if tries <= self.failures { 500 } else { self.status.load(Ordering::SeqCst) };
        let signature = headers.get(sign::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        self.got.lock().unwrap().push(Received { signature, body, status });
        StatusCode::from_u16(status).unwrap()
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The events answered 2xx, by id, each once.
    fn delivered(&self) -> HashMap<String, Value> {
        self.got().into_iter().filter(|r| (200..300).contains(&r.status)).map(|r| (r.json()["id"].as_str().unwrap().to_owned(), r.json())).collect()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn an_order_arrives_as_signed_events_after_two_failures_with_every_attempt_recorded() {
    let receiver = Receiver::start(2, 200).await;
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![receiver.url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_millis(50); 5];
        c.merchant.api_keys = vec![KEY.to_owned()];
    })
    .await;
    // The worker's first round sets the URL's cursor; the order's events come after it.
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "webhook-order-01", Language::En).await.json().await.unwrap();
    assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }));
    let order = env.state.store.order(&placed.order_id).unwrap().unwrap();
    env.sandbox().payone.finish_redirect(order.txid.as_deref().unwrap(), MfaOutcome::NotAsked).await.unwrap();

    let delivered = eventually("placed, redirected and approved delivered", 20, || {
        let d = receiver.delivered();
        let types: Vec<String> = d.values().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
        (types.contains(&"order.approved".to_owned()) && d.len() >= 3).then_some(d)
    })
    .await;
    let mut events: Vec<&Value> = delivered.values().collect();
    events.sort_by_key(|e| e["sequence"].as_i64());
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["order.placed", "order.redirected", "order.approved"]);
    assert_eq!(events.iter().map(|e| e["sequence"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(events[2]["order"]["id"], placed.order_id.as_str());
    assert_eq!(events[2]["order"]["state"], "approved");
    assert!(events[2]["order"]["amounts"]["authorized"].as_i64().unwrap() > 0);

    // Each event: two 500s, then delivered on the third attempt; every request signed.
    for r in receiver.got() {
        sign::verify(SECRET.as_bytes(), &r.signature, r.body.as_bytes(), unix_now()).expect("a valid signature");
    }
    for id in delivered.keys() {
        let statuses: Vec<u16> = receiver.got().iter().filter(|r| r.json()["id"] == id.as_str()).map(|r| r.status).collect();
        assert_eq!(statuses, [500, 500, 200], "{id}");
    }
    // The merchant API shows every attempt.
    let id = placed.order_id.clone();
    eventually("attempts recorded", 10, || {
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        (deliveries.len() == 3 && deliveries.iter().all(|d| d["state"] == "delivered")).then_some(())
    })
    .await;
    let shown: Value = env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    let deliveries = shown["webhook_deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3);
    for d in deliveries {
        assert_eq!(d["state"], "delivered");
        let attempts = d["attempts"].as_array().unwrap();
        assert_eq!(attempts.iter().map(|a| a["status"].as_u64().unwrap()).collect::<Vec<_>>(), [500, 500, 200]);
        assert!(attempts.iter().all(|a| a["at_ms"].as_i64().unwrap() > 0 && a["duration_ms"].as_i64().is_some()));
    }

    // The docs' snippets accept the real delivery and refuse a changed body or timestamp.
    let good = receiver.got().into_iter().find(|r| r.status == 200).unwrap();
    check_snippets(&good);
}

#[tokio::test]
async fn the_merchant_api_and_the_dashboards_timeline_show_a_receivers_url_without_its_token_or_user_info() {
    let receiver = Receiver::start(0, 200).await;
    let (token, password) = ("Tk-q7Zp3w", "Hk-pass-R9x");
    // The receiver's URL with a token in the query and credentials in the user info.
    let configured = format!("{}?token={token}", receiver.url.replacen("http://", &format!("http://hookuser:{password}@"), 1));
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![configured.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.api_keys = vec![KEY.to_owned()];
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    let id = approved_order(&env, "webhook-url-shown-1").await;
    eventually("a delivery recorded", 10, || {
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        deliveries.iter().any(|d| d["state"] == "delivered").then_some(())
    })
    .await;
    // Delivered to the URL as configured, token and all (the receiver's business).
    assert!(!receiver.got().is_empty());

    let shown = env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap().text().await.unwrap();
    let order: Value = serde_json::from_str(&shown).unwrap();
    let deliveries = order["webhook_deliveries"].as_array().unwrap();
    assert!(!deliveries.is_empty());
    // Where it went and that a token is in the query; not the token, nor the user info.
    let shown_url = format!("{}?token=[redacted]", receiver.url);
    assert!(deliveries.iter().all(|d| d["url"] == shown_url.as_str()), "{deliveries:?}");
    let timeline = env.http.get(env.url(&format!("/merchant/api/orders/{id}/timeline"))).bearer_auth(KEY).send().await.unwrap().text().await.unwrap();
    assert!(timeline.contains(&format!("order.placed to {shown_url}")), "{timeline}");
    for body in [&shown, &timeline] {
        for secret in [token, password, "hookuser"] {
            assert!(!body.contains(secret), "{secret} is shown: {body}");
        }
    }
}

/// The fenced block of `lang` in docs/webhooks.md.
fn snippet(lang: &str) -> String {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/webhooks.md")).unwrap();
    let start = docs.find(&format!("```{lang}\n")).unwrap_or_else(|| panic!("a {lang} block")) + lang.len() + 4;
    let end = docs[start..].find("```").unwrap() + start;
    docs[start..end].to_owned()
}

/// The docs' Node and Python snippets, each wrapped to read the body from `BODY_FILE`, the header from
/// `SIGNATURE` and the secrets from `SECRETS` (comma-separated; one is passed alone, several as a list).
struct Snippets {
    dir: tempfile::TempDir,
}

impl Snippets {
    fn new() -> Snippets {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("verify.mjs"), format!("{}\nimport {{ readFileSync }} from \"node:fs\";\nconst body = readFileSync(process.env.BODY_FILE);\nconst secrets = process.env.SECRETS.split(\",\");\nconsole.log(verifyWebhook(secrets.length === 1 ? secrets[0] : secrets, process.env.SIGNATURE, body) ? \"valid\" : \"invalid\");\n", snippet("js"))).unwrap();
        std::fs::write(dir.path().join("verify.py"), format!("{}\nimport os\nwith open(os.environ[\"BODY_FILE\"], \"rb\") as f:\n    body = f.read()\nsecrets = [s.encode() for s in os.environ[\"SECRETS\"].split(\",\")]\nprint(\"valid\" if verify_webhook(secrets[0] if len(secrets) == 1 else secrets, os.environ.get(\"SIGNATURE\"), body) else \"invalid\")\n", snippet("python"))).unwrap();
        Snippets { dir }
    }

    /// Asserts that both snippets say `expected` about `body` with `signature` and `secrets`.
    fn say(&self, secrets: &[&str], body: &str, signature: Option<&str>, expected: &str) {
        let body_path = self.dir.path().join("body");
        std::fs::write(&body_path, body).unwrap();
        for (program, file) in [("node", "verify.mjs"), ("python3", "verify.py")] {
            let mut command = std::process::Command::new(program);
            command.arg(self.dir.path().join(file)).env("SECRETS", secrets.join(",")).env("BODY_FILE", &body_path).env_remove("SIGNATURE");
            if let Some(signature) = signature {
                command.env("SIGNATURE", signature);
            }
            let output = command.output().unwrap_or_else(|e| panic!("{program} runs: {e}"));
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
            assert_eq!(stdout.trim(), expected, "{program} with {secrets:?} and {signature:?}");
        }
    }
}

/// Runs the Node and Python snippets on a delivery, as is and tampered with; each must say what it should.
fn check_snippets(delivery: &Received) {
    let snippets = Snippets::new();
    let (t, v1) = delivery.signature.split_once(',').unwrap();
    let t: i64 = t.trim_start_matches("t=").parse().unwrap();
    let changed_body = delivery.body.replacen("order.", "order_", 1);
    let signed = |s: String| Some(s);
    let cases = [
        (delivery.body.clone(), signed(delivery.signature.clone()), "valid"),
        (changed_body, signed(delivery.signature.clone()), "invalid"),
        (delivery.body.clone(), signed(format!("t={},{v1}", t + 1)), "invalid"),
        // A correctly signed but old delivery (a replay): refused for its age.
        (delivery.body.clone(), signed(sign::sign(SECRET.as_bytes(), t - 3600, delivery.body.as_bytes())), "invalid"),
        // Anyone can post without the header, or with nonsense in it: refused, not an exception.
        (delivery.body.clone(), None, "invalid"),
        (delivery.body.clone(), signed("nonsense".to_owned()), "invalid"),
        (delivery.body.clone(), signed(format!("t=soon,{v1}")), "invalid"),
        (delivery.body.clone(), signed(format!("t={t},v1=not-hex")), "invalid"),
    ];
    for (body, signature, expected) in cases {
        snippets.say(&[SECRET], &body, signature.as_deref(), expected);
    }
}

const BIN: &str = env!("CARGO_BIN_EXE_amazon-pay-server");

/// The binary in sandbox mode on `dir`, webhooks to `url` retried every 200 ms; returns once it listens.
fn start_binary(dir: &std::path::Path, url: &str) -> std::process::Child {
    use std::io::{BufRead, BufReader};
    let retries = vec!["0.2"; 100].join(",");
    let mut child = std::process::Command::new(BIN)
        .args(["--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dir.to_str().unwrap()])
        .args(["--webhook-url", url, "--webhook-secret", SECRET, "--webhook-retry-seconds", &retries])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the server printed its address");
    }
    child
}

async fn wait_for(what: &str, secs: u64, mut probe: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !probe() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn count(dir: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(dir.join("amazon-pay.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_100_events_wait_delivers_them_all_after_a_restart() {
    use amazon_pay_server::orders::OrderRecord;
    let receiver = Receiver::start(0, 503).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_binary(dir.path(), &receiver.url);
    wait_for("the URL's cursor", 20, || count(dir.path(), "SELECT count(*) FROM webhook_cursors") == 1).await;

    // 100 new orders (one `order.placed` each), written by a second process's store as another instance
    // would: the running server finds them in the outbox.
    let store = amazon_pay_server::store::Store::open(dir.path()).unwrap();
    for n in 0..100 {
        let order = OrderRecord {
            id: format!("OKILL{n:03}"),
            workorder_id: format!("WOKILL{n:03}"),
            flow: "cv2".into(),
            idempotency_key: format!("kill-test-{n:03}"),
            state: OrderState::Placing,
            amount: amazon_pay_contract::Money::eur(1000 + n),
            txid: None,
            userid: None,
            decline: None,
            response_json: None,
            provider: amazon_pay_server::orders::Provider::Payone,
        };
        store.insert_order(&order).await.unwrap();
    }
    drop(store);
    // The receiver is down (503): the server queues all 100 and keeps trying.
    wait_for("100 deliveries queued and tried", 30, || {
        count(dir.path(), "SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts > 0") == 100
    })
    .await;
    server.kill().unwrap(); // SIGKILL: no shutdown of any kind.
    server.wait().unwrap();
    assert!(receiver.delivered().is_empty());

    receiver.status.store(200, Ordering::SeqCst);
    let mut server = start_binary(dir.path(), &receiver.url);
    wait_for("all 100 delivered", 60, || receiver.delivered().len() == 100).await;
    let _ = server.kill();
    let _ = server.wait();
    let delivered = receiver.delivered();
    for n in 0..100 {
        let id = format!("OKILL{n:03}");
        assert!(delivered.values().any(|e| e["order"]["id"] == id.as_str() && e["type"] == "order.placed"), "{id}");
    }
    for r in receiver.got() {
        sign::verify(SECRET.as_bytes(), &r.signature, r.body.as_bytes(), unix_now()).expect("signed");
    }
}

/// The binary with `args`, expected to refuse to start; its stderr.
fn refused(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(BIN);
    command
        .args(["--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .args(args)
        .env_remove("AMAZON_PAY_WEBHOOK_SECRET")
        .env_remove("AMAZON_PAY_WEBHOOK_SECRET_NEXT")
        .env_remove("AMAZON_PAY_WEBHOOK_URLS")
        .env_remove("AMAZON_PAY_MERCHANT_API_KEYS");
    let output = support::process::output_within(&mut command, Duration::from_secs(30));
    assert!(!output.status.success(), "expected a refusal for {args:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unusable_webhook_and_key_settings_stop_the_server_naming_the_setting() {
    let url = "https://shop.example/hooks";
    assert!(refused(&["--webhook-url", url]).contains("AMAZON_PAY_WEBHOOK_SECRET"));
    assert!(refused(&["--webhook-url", url, "--webhook-secret", "too-short"]).contains("AMAZON_PAY_WEBHOOK_SECRET"));
    for next in ["   ", "too-short", SECRET] {
        let stderr = refused(&["--webhook-url", url, "--webhook-secret", SECRET, "--webhook-secret-next", next]);
        assert!(stderr.contains("AMAZON_PAY_WEBHOOK_SECRET_NEXT"), "{next:?}: {stderr}");
    }
    assert!(refused(&["--webhook-url", "ftp://shop.example/hooks", "--webhook-secret", SECRET]).contains("AMAZON_PAY_WEBHOOK_URLS"));
    assert!(refused(&["--merchant-api-keys", "short-key"]).contains("AMAZON_PAY_MERCHANT_API_KEYS"));
    let stderr = refused(&["--webhook-retry-seconds=0"]);
    assert!(stderr.contains("AMAZON_PAY_WEBHOOK_RETRY_SECONDS"), "{stderr}");
}

#[tokio::test]
async fn in_sandbox_mode_events_go_to_the_sandbox_receiver_which_verifies_them() {
    let env = start_with(|_| {}).await;
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "sandbox-hooks-01", Language::En).await.json().await.unwrap();
    let order = env.state.store.order(&placed.order_id).unwrap().unwrap();
    env.sandbox().payone.finish_redirect(order.txid.as_deref().unwrap(), MfaOutcome::NotAsked).await.unwrap();
    let http = env.http.clone();
    let url = env.url("/sandbox/webhooks");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let seen: Vec<Value> = loop {
        let seen: Vec<Value> = http.get(&url).send().await.unwrap().json().await.unwrap();
        // Deliveries run side by side: wait for all three, not just the last state.
        let got = |kind: &str| seen.iter().any(|d| d["event_type"] == kind);
        if got("order.placed") && got("order.redirected") && got("order.approved") {
            break seen;
        }
        assert!(std::time::Instant::now() < deadline, "the sandbox receiver got placed, redirected and approved: {seen:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Deliveries run side by side, so they may arrive in any order; `sequence` puts them back in order.
    let mut by_sequence: Vec<(i64, &str)> = seen.iter().map(|d| (d["sequence"].as_i64().unwrap(), d["event_type"].as_str().unwrap())).collect();
    by_sequence.sort();
    assert_eq!(by_sequence, [(1, "order.placed"), (2, "order.redirected"), (3, "order.approved")]);
    assert!(seen.iter().all(|d| d["signature_valid"] == true && d["order_id"] == placed.order_id.as_str()), "{seen:?}");
    let after: Vec<Value> = http.get(format!("{url}?after=2")).send().await.unwrap().json().await.unwrap();
    assert_eq!(after.len(), 1);
    // A forged delivery is refused and shown as such.
    let forged = http.post(&url).header(sign::HEADER, "t=1,v1=00").body("{\"id\":\"evt_forged\"}").send().await.unwrap();
    assert_eq!(forged.status(), 400);
    let last: Vec<Value> = http.get(format!("{url}?after=3")).send().await.unwrap().json().await.unwrap();
    assert_eq!(last[0]["signature_valid"], false);
}

/// A CV2 order placed and approved (three events: placed, redirected, approved); its id.
async fn approved_order(env: &support::Env, key: &str) -> String {
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, key, Language::En).await.json().await.unwrap();
    let order = env.state.store.order(&placed.order_id).unwrap().unwrap();
    env.sandbox().payone.finish_redirect(order.txid.as_deref().unwrap(), MfaOutcome::NotAsked).await.unwrap();
    placed.order_id
}

#[tokio::test]
async fn finished_deliveries_are_pruned_after_the_retention_and_undelivered_events_are_kept() {
    let ok = Receiver::start(0, 200).await;
    let down = Receiver::start(0, 500).await;
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![ok.url.clone(), down.url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_millis(100); 1000];
        c.merchant.webhook_retention = Duration::from_millis(300);
        c.merchant.api_keys = vec![KEY.to_owned()];
    })
    .await;
    eventually("the worker has seen both URLs", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 2).then_some(())).await;
    let id = approved_order(&env, "prune-order-0001").await;
    eventually("three events delivered to the receiver that is up", 20, || (ok.delivered().len() == 3).then_some(())).await;

    // The receiver that is up: its deliveries and attempts are deleted once older than the retention.
    let ok_rows = |table: &str| env.count(&format!("SELECT count(*) FROM {table} WHERE url = '{}'", ok.url));
    eventually("the delivered ones pruned", 20, || (ok_rows("webhook_deliveries") == 0 && ok_rows("webhook_attempts") == 0).then_some(())).await;
    // The one that is down: still pending, tried, and its events are all kept.
    let down_pending = env.count(&format!("SELECT count(*) FROM webhook_deliveries WHERE url = '{}' AND state = 'pending'", down.url));
    assert_eq!(down_pending, 3);
    assert!(env.count(&format!("SELECT count(*) FROM webhook_attempts WHERE url = '{}'", down.url)) >= 3);
    assert_eq!(env.state.store.events_for_order(&id).unwrap().len(), 3, "undelivered events are never pruned");

    // It comes back: everything is delivered, then pruned; of the events only the order's newest stays, so
    // its next event counts on.
    down.status.store(200, Ordering::SeqCst);
    eventually("all delivered and pruned", 30, || {
        let events = env.state.store.events_for_order(&id).ok()?;
        (down.delivered().len() == 3 && env.count("SELECT count(*) FROM webhook_deliveries") == 0 && events.len() == 1).then_some(())
    })
    .await;
    let kept: Value = serde_json::from_str(&env.state.store.events_for_order(&id).unwrap()[0].body).unwrap();
    assert_eq!((kept["type"].as_str(), kept["sequence"].as_i64()), (Some("order.approved"), Some(3)));
    let captured = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{id}/capture")))
        .bearer_auth(KEY)
        .header("idempotency-key", "prune-capture-01")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(captured.status(), 200);
    let events = env.state.store.events_for_order(&id).unwrap();
    let next: Value = serde_json::from_str(&events.last().unwrap().body).unwrap();
    assert_eq!(next["sequence"], 4, "{next}");
}

#[tokio::test]
async fn during_a_rotation_every_delivery_is_signed_with_both_secrets_and_the_snippets_accept_either() {
    const NEXT: &str = "webhook-next-secret-fedcba9876543210";
    const OTHER: &str = "webhook-other-secret-0000000000000000";
    let receiver = Receiver::start(1, 200).await;
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![receiver.url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_secret_next = Some(NEXT.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_millis(50); 5];
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    approved_order(&env, "rotation-order-01").await;
    eventually("three events delivered", 20, || (receiver.delivered().len() == 3).then_some(())).await;
    // Every request, the first attempts and the retries: one timestamp, then a v1= with the next secret and one
    // with the secret, last, so a receiver that reads only the last v1= (the docs' earlier snippets) still verifies.
    for r in receiver.got() {
        let t: i64 = r.signature.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
        assert_eq!(r.signature, sign::sign_all(&[NEXT, SECRET], t, r.body.as_bytes()));
        assert!(r.signature.ends_with(sign::sign(SECRET.as_bytes(), t, r.body.as_bytes()).trim_start_matches(&format!("t={t}"))));
        for secret in [SECRET, NEXT] {
            sign::verify(secret.as_bytes(), &r.signature, r.body.as_bytes(), unix_now()).expect("verifies with either secret");
        }
    }
    let good = receiver.got().into_iter().find(|r| r.status == 200).unwrap();
    let snippets = Snippets::new();
    for (secrets, expected) in
        [(&[SECRET][..], "valid"), (&[NEXT], "valid"), (&[SECRET, NEXT], "valid"), (&[OTHER, NEXT], "valid"), (&[OTHER], "invalid")]
    {
        snippets.say(secrets, &good.body, Some(&good.signature), expected);
    }
    snippets.say(&[SECRET, NEXT], &good.body.replacen("order.", "order_", 1), Some(&good.signature), "invalid");
}

#[tokio::test]
async fn an_event_is_delivered_at_once_without_waiting_for_the_poll() {
    let receiver = Receiver::start(0, 200).await;
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![receiver.url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_secs(600)];
        // Far longer than the deadline below: only the wake-up after the commit can deliver in time.
        c.merchant.webhook_poll = Duration::from_secs(600);
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    let id = approved_order(&env, "wake-order-00001").await;
    let delivered = eventually("placed, redirected and approved delivered well before the next poll", 30, || {
        let d = receiver.delivered();
        (d.len() == 3).then_some(d)
    })
    .await;
    assert!(delivered.values().all(|e| e["order"]["id"] == id.as_str()));
}

/// The `webhook_deliveries` states of `url`, by event, as the store has them.
fn states_of(env: &support::Env, url: &str) -> Vec<String> {
    env.texts(&format!("SELECT state FROM webhook_deliveries WHERE url = '{url}' ORDER BY event_seq"))
}

#[tokio::test]
async fn deliveries_to_a_removed_url_are_abandoned_and_not_sent_when_it_comes_back() {
    let kept = Receiver::start(0, 200).await;
    let removed = "http://127.0.0.1:9/removed-hook";
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![kept.url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_secs(600)];
        c.merchant.webhook_removed_grace = Duration::from_millis(400);
        c.merchant.api_keys = vec![KEY.to_owned()];
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    let id = approved_order(&env, "removed-url-order-1").await;
    eventually("three events delivered", 20, || (kept.delivered().len() == 3).then_some(())).await;
    // What a configuration from before left: a cursor and waiting deliveries (one due long ago) to a URL
    // no longer configured.
    env.execute(&format!("INSERT INTO webhook_cursors (url, last_seq) VALUES ('{removed}', 0)"));
    env.execute(&format!(
        "INSERT INTO webhook_deliveries (event_seq, url, state, attempts, next_at_ms) SELECT seq, '{removed}', 'pending', 2, 0 FROM events"
    ));

    // They end as abandoned (on PostgreSQL once overdue by the grace), the cursor goes, and the merchant API says so.
    eventually("abandoned", 20, || (states_of(&env, removed) == ["abandoned"; 3]).then_some(())).await;
    assert_eq!(env.count(&format!("SELECT count(*) FROM webhook_cursors WHERE url = '{removed}'")), 0);
    let shown: Value = env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    let states: Vec<(&str, &str)> =
        shown["webhook_deliveries"].as_array().unwrap().iter().map(|d| (d["url"].as_str().unwrap(), d["state"].as_str().unwrap())).collect();
    assert_eq!(states.iter().filter(|(u, s)| *u == removed && *s == "abandoned").count(), 3, "{states:?}");
    assert_eq!(states.iter().filter(|(u, s)| *u == kept.url && *s == "delivered").count(), 3, "{states:?}");
    let timeline: Value =
        env.http.get(env.url(&format!("/merchant/api/orders/{id}/timeline"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    let said = timeline.to_string();
    assert_eq!(said.matches("abandoned, the URL is no longer configured (0 attempts)").count(), 3, "{said}");

    // The URL comes back (what a worker configured with it does): it starts with the events from now on, and
    // nothing abandoned is due for it.
    let store = &env.state.store;
    let now = unix_now() * 1000 + 1000;
    assert_eq!(store.queue_deliveries(vec![removed.to_owned()], now).await.unwrap(), 0);
    assert!(store.claim_deliveries(&[removed.to_owned()], now, 100, 0).await.unwrap().is_empty());
    assert_eq!(states_of(&env, removed), ["abandoned"; 3]);
    // An attempt that was on its way meanwhile (another instance): a failure leaves it abandoned, a 2xx is
    // recorded as delivered (the receiver has it).
    let seqs: Vec<i64> = store.events_for_order(&id).unwrap().iter().map(|e| e.seq).collect();
    let attempt = |seq: i64, delivered: bool| amazon_pay_server::store::events::Attempt {
        event_seq: seq,
        url: removed.to_owned(),
        at_ms: now,
        status: Some(if delivered { 200 } else { 500 }),
        error: None,
        duration_ms: 5,
        retry_at_ms: (!delivered).then_some(now + 1000),
        delivered,
    };
    store.record_attempts(vec![attempt(seqs[0], false), attempt(seqs[1], true)]).await.unwrap();
    assert_eq!(states_of(&env, removed), ["abandoned", "delivered", "abandoned"]);
}

#[tokio::test]
async fn on_postgresql_a_url_another_instance_still_serves_is_not_abandoned() {
    // Two instances on one database during a rolling change: `old` still has the URL `new` no longer has.
    let receiver = Receiver::start(0, 500).await;
    let new = start_with(|c| {
        c.merchant.webhook_urls = vec!["http://127.0.0.1:9/other-hook".to_owned()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_removed_grace = Duration::from_millis(300);
    })
    .await;
    let Some(pg_url) = new.pg_url.clone() else {
        eprintln!("NOT RUN on SQLite (one instance per file): AMAZON_PAY_TEST_SERVER_STORE=postgres runs it");
        return;
    };
    let old_dir = tempfile::tempdir().unwrap();
    let mut config = amazon_pay_server::config::Config::sandbox_for_tests(old_dir.path().to_owned());
    config.database_url = pg_url.parse().unwrap();
    config.merchant.webhook_urls = vec![receiver.url.clone()];
    config.merchant.webhook_secret = Some(SECRET.to_owned());
    config.merchant.webhook_retries = vec![Duration::from_millis(100); 1000];
    let _old = amazon_pay_server::app::Server::bind(config).await.unwrap().spawn();
    eventually("both URLs have a cursor", 10, || (new.count("SELECT count(*) FROM webhook_cursors") == 2).then_some(())).await;
    approved_order(&new, "rolling-change-01").await;
    // The receiver refuses for a while, far longer than the grace (12 tries 100 ms apart, 300 ms of grace):
    // `old` keeps retrying, `new` leaves them to it.
    let tries = format!("SELECT coalesce(min(attempts), 0) FROM webhook_deliveries WHERE url = '{}'", receiver.url);
    eventually("tried for four times the grace", 20, || (new.count(&tries) >= 12).then_some(())).await;
    assert_eq!(states_of(&new, &receiver.url), ["pending"; 3]);
    receiver.status.store(200, Ordering::SeqCst);
    eventually("delivered by the old instance", 20, || (states_of(&new, &receiver.url) == ["delivered"; 3]).then_some(())).await;
    assert_eq!(receiver.delivered().len(), 3);
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_recorded_with_the_timeout_it_missed() {
    // A receiver that takes longer than the server waits: the attempt's error says how long that was, so the
    // shop's developer reading the merchant API (or the operator the log) knows how fast to answer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(|| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            StatusCode::OK
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let env = start_with(|c| {
        c.merchant.webhook_urls = vec![url.clone()];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_secs(600)];
        c.merchant.webhook_timeout = Duration::from_millis(300);
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "webhook-slow-0001", Language::En).await.json().await.unwrap();
    let id = placed.order_id.clone();
    let deliveries = eventually("an attempt recorded", 20, || {
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        deliveries.iter().any(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty())).then_some(deliveries)
    })
    .await;
    let attempt = deliveries.iter().find_map(|d| d["attempts"].as_array()?.first().cloned()).unwrap();
    assert_eq!(attempt["error"], "no answer within 0.3 s", "{attempt}");
    assert!(attempt["status"].is_null(), "{attempt}");
}

/// A server sending to `receiver` (down, for these tests) whose one retry comes ten minutes after the first
/// attempt, with the merchant API's key; returned once its worker reads the receiver's events.
async fn start_waiting_ten_minutes(receiver: &Receiver) -> support::Env {
    let url = receiver.url.clone();
    let env = start_with(move |c| {
        c.merchant.webhook_urls = vec![url];
        c.merchant.webhook_secret = Some(SECRET.to_owned());
        c.merchant.webhook_retries = vec![Duration::from_secs(600)];
        c.merchant.api_keys = vec![KEY.to_owned()];
    })
    .await;
    eventually("the worker has seen the URL", 10, || (env.count("SELECT count(*) FROM webhook_cursors") == 1).then_some(())).await;
    env
}

#[tokio::test]
async fn a_waiting_delivery_says_when_it_is_tried_next() {
    // The receiver is down: its developer, back on line, reads when each waiting event comes (the merchant API's
    // next_attempt_at_ms, the dashboard's timeline), since nothing sends it sooner.
    let receiver = Receiver::start(0, 500).await;
    let env = start_waiting_ten_minutes(&receiver).await;
    let workorder = env.checkout("visa-1111").await;
    let placed: PlaceOrderResponse = env.place(&workorder, "webhook-wait-0001", Language::En).await.json().await.unwrap();
    let id = placed.order_id.clone();
    // Every event of the order has its delivery (the worker adds them as it reads the outbox, so a delivery list
    // can be shorter than the event list for a moment) and each was tried once.
    eventually("the first attempt of each event recorded", 20, || {
        let events = env.state.store.events_for_order(&id).ok()?.len();
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        (events > 0 && deliveries.len() == events && deliveries.iter().all(|d| d["attempt_count"] == 1)).then_some(())
    })
    .await;
    let shown: Value = env.http.get(env.url(&format!("/merchant/api/orders/{id}"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    let now_ms = unix_now() * 1000;
    for d in shown["webhook_deliveries"].as_array().unwrap() {
        assert_eq!(d["state"], "pending", "{d}");
        let next = d["next_attempt_at_ms"].as_i64().unwrap_or_else(|| panic!("no next attempt: {d}"));
        assert!((now_ms + 590_000..=now_ms + 601_000).contains(&next), "ten minutes after the attempt: {d}");
    }
    let timeline: Value =
        env.http.get(env.url(&format!("/merchant/api/orders/{id}/timeline"))).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    let webhooks: Vec<&Value> = timeline["entries"].as_array().unwrap().iter().filter(|e| e["source"] == "webhook").collect();
    assert!(!webhooks.is_empty());
    for entry in webhooks {
        assert_eq!(entry["detail"], "pending after 1 attempt; next attempt in 10 min", "{entry}");
    }
}

#[tokio::test]
async fn after_an_outage_send_now_delivers_every_waiting_event_without_waiting_for_its_retry() {
    // The receiver was down: every event waits ten minutes for its retry. Back on line, the merchant asks to
    // send now (for its URL, as the API shows it): all go at once, and asking again changes nothing.
    let receiver = Receiver::start(0, 503).await;
    let env = start_waiting_ten_minutes(&receiver).await;
    let send_now = |body: Option<Value>| {
        let request = env.http.post(env.url("/merchant/api/webhooks/send-now")).bearer_auth(KEY);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let id = approved_order(&env, "webhook-outage-01").await;
    eventually("the first attempt of each event recorded", 20, || {
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        (deliveries.len() == 3 && deliveries.iter().all(|d| d["attempt_count"] == 1)).then_some(())
    })
    .await;
    // Refused, changing nothing: a URL that is not configured, a body that is not the call's.
    let (status, body) = send_now(Some(json!({"url": "https://elsewhere.example/hooks"}))).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_webhook_url")), "{body}");
    let (status, body) = send_now(Some(json!({"urls": []}))).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_body")), "{body}");
    let unauthorized = env.http.post(env.url("/merchant/api/webhooks/send-now")).send().await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts = 1"), 3, "still waiting");
    receiver.status.store(200, Ordering::SeqCst);
    let (status, body) = send_now(Some(json!({"url": receiver.url}))).await;
    assert_eq!((status, &body["made_due"], &body["pending"]), (200, &json!(3), &json!(3)), "{body}");
    eventually("every waiting event delivered", 10, || (receiver.delivered().len() == 3).then_some(())).await;
    // The receiver has them before the worker has recorded its attempts: wait for the store, which send-now reads.
    eventually("every delivery recorded delivered", 10, || {
        (env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'") == 3).then_some(())
    })
    .await;
    let (status, body) = send_now(None).await;
    assert_eq!((status, &body["made_due"], &body["pending"]), (200, &json!(0), &json!(0)), "nothing waits any more: {body}");
}

#[tokio::test]
async fn the_outbox_lists_waiting_deliveries_per_url_with_their_last_error_and_next_attempt() {
    // The receiver is down: the merchant reads what waits for it (the dashboard's Webhooks page), each delivery
    // with its attempts, last answer and next attempt; refusals change nothing; once it is back, send-now empties it.
    let receiver = Receiver::start(0, 503).await;
    let env = start_waiting_ten_minutes(&receiver).await;
    let outbox = |query: &str| {
        let request = env.http.get(env.url(&format!("/merchant/api/webhooks/deliveries{query}"))).bearer_auth(KEY);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, empty) = outbox("").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["urls"], json!([{"url": receiver.url, "pending": 0, "failed": 0, "next_attempt_at_ms": null}]), "{empty}");
    assert_eq!((empty["data"].as_array().map(Vec::len), &empty["has_more"]), (Some(0), &json!(false)));

    let id = approved_order(&env, "webhook-outbox-01").await;
    eventually("the first attempt of each event recorded", 20, || {
        let deliveries = env.state.store.deliveries_for_order(&id).ok()?;
        (deliveries.len() == 3 && deliveries.iter().all(|d| d["attempt_count"] == 1)).then_some(())
    })
    .await;
    let (status, body) = outbox("").await;
    assert_eq!(status, 200, "{body}");
    // Read into the contract's types, as the dashboard reads it.
    let read: amazon_pay_contract::merchant::WebhookOutbox = serde_json::from_value(body.clone()).unwrap();
    let now_ms = unix_now() * 1000;
    assert_eq!(read.urls.len(), 1);
    assert_eq!((read.urls[0].url.as_str(), read.urls[0].pending, read.urls[0].failed), (receiver.url.as_str(), 3, 0));
    assert!(read.urls[0].next_attempt_at_ms.is_some_and(|at| (now_ms + 590_000..=now_ms + 601_000).contains(&at)), "{body}");
    assert_eq!(read.data.len(), 3);
    assert!(!read.has_more);
    for d in &read.data {
        assert_eq!((d.order_id.as_str(), d.state.as_str(), d.attempt_count, d.url.as_str()), (id.as_str(), "pending", 1, receiver.url.as_str()));
        assert!(d.event_id.starts_with("evt_") && d.kind.starts_with("order."), "{d:?}");
        assert_eq!(d.last_attempt.as_ref().and_then(|a| a.status), Some(503), "the receiver's last answer: {d:?}");
        assert!(d.next_attempt_at_ms.is_some_and(|at| at > now_ms), "{d:?}");
    }
    // One page of one, for this URL, as the API shows it.
    let (status, page) = outbox(&format!("?limit=1&url={}", receiver.url.replace(':', "%3A").replace('/', "%2F"))).await;
    assert_eq!((status, page["data"].as_array().map(Vec::len), &page["has_more"]), (200, Some(1), &json!(true)), "{page}");
    let (status, failed) = outbox("?state=failed").await;
    assert_eq!((status, failed["data"].as_array().map(Vec::len)), (200, Some(0)), "none given up yet: {failed}");

    // Refusals: each a sentence, nothing changes.
    for (query, code, want) in [
        ("?state=delivered", "invalid_query", 400),
        ("?limit=1000", "invalid_query", 400),
        ("?page=2", "invalid_query", 400),
        ("?url=https%3A%2F%2Felsewhere.example%2Fhooks", "unknown_webhook_url", 404),
    ] {
        let (status, body) = outbox(query).await;
        assert_eq!((status, body["code"].as_str()), (want, Some(code)), "{query}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| m.len() > 10), "{body}");
    }
    let unauthorized = env.http.get(env.url("/merchant/api/webhooks/deliveries")).send().await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    let other_site =
        env.http.get(env.url("/merchant/api/webhooks/deliveries")).bearer_auth(KEY).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(other_site.status(), 403);
    assert!(other_site.headers().get("access-control-allow-origin").is_none());
    assert_eq!(env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts = 1"), 3, "still waiting");

    receiver.status.store(200, Ordering::SeqCst);
    let sent = env.http.post(env.url("/merchant/api/webhooks/send-now")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(sent.status(), 200);
    eventually("every waiting event delivered", 10, || (receiver.delivered().len() == 3).then_some(())).await;
    // The receiver counts a delivery before the server records its answer.
    eventually("every delivery recorded", 10, || (env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'") == 0).then_some(()))
        .await;
    let (_, after) = outbox("").await;
    assert_eq!((&after["urls"][0]["pending"], after["data"].as_array().map(Vec::len)), (&json!(0), Some(0)), "{after}");
}

#[tokio::test]
async fn in_sandbox_mode_the_outbox_lists_the_sandbox_receiver() {
    // No URL configured: sandbox mode sends to its own receiver, so that is the outbox's URL (live mode without
    // webhooks answers 409 webhooks_not_configured: `merchant/webhooks.rs`'s unit test).
    let env = start_with(|c| {
        c.merchant.api_keys = vec![KEY.to_owned()];
        c.merchant.webhook_urls.clear();
    })
    .await;
    let response = env.http.get(env.url("/merchant/api/webhooks/deliveries")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["urls"][0]["url"], env.url("/sandbox/webhooks"), "{body}");
}
