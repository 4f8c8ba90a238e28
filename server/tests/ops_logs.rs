//! JSON logs with request ids (issue #22): a CV2 checkout and a CheckoutChamp lander order run over HTTP with
//! distinctive secrets; the captured log lines hold none of them, and every line a request causes (its
//! upstream calls included) carries the id the response returned. A webhook receiver that first refuses (its
//! URL with a token in the query, as shops write them) and a merchant API refusal are logged too: the URL
//! without its query, the event by its id, and no line with a key twice (a log collector keeps one of them).
//! The start's lines (the store's migrations, on SQLite or PostgreSQL) are no request's: they come before a
//! first request, which is answered only once the server is up.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderRequest};
use amazon_pay_contract::Language;
use amazon_pay_server::ops::LogFormat;
use amazon_pay_server::sandbox::amazon::AgreementType;
use amazon_pay_server::sandbox::scenario;
use serde_json::Value;
use sha2::Digest;
use std::sync::Arc;
use support::captured_log::Captured;

const PORTAL_KEY: &str = "PortalKey-Zq8w3Xv1";
const CRM_PASSWORD: &str = "CrmPass-Ly7Hn2Rk";
const WEBHOOK_SECRET: &str = "WebhookSecret-Pq4Zr8Tx-0123456789abcdef";
const MERCHANT_KEY: &str = "MerchantKey-Hv3Ks9Lw-0123456789abcdef";
const WEBHOOK_URL_TOKEN: &str = "ReceiverToken-Jm5Qc2Vd";

/// The captured lines, each a JSON object.
fn lines(captured: &Captured) -> Vec<Value> {
    captured.text().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect()
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("every response has an id").to_str().expect("ascii").to_owned()
}

/// The top-level keys of a JSON object line, in order and with duplicates (`serde_json::Value` keeps the last).
fn keys(line: &str) -> Vec<String> {
    struct Keys(Vec<String>);
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Keys;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
            let mut keys = Vec::new();
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                keys.push(key);
            }
            Ok(Keys(keys))
        }
    }
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            d.deserialize_map(Visitor)
        }
    }
    serde_json::from_str::<Keys>(line).unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}")).0
}

/// A webhook receiver on a free loopback port (`http://…/hooks/amazon-pay`) that answers its first request 500
/// and every later one 204; and how many it refused.
async fn refuse_once_receiver() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}/hooks/amazon-pay", listener.local_addr().expect("bound"));
    let refused = Arc::new(AtomicUsize::new(0));
    let counter = refused.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                // Read the head and the body (Content-Length) before answering.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let text = String::from_utf8_lossy(&buf).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length =
                            text.lines().find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok())).unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            break;
                        }
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let first = counter.compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst).is_ok();
                let status = if first { "500 Internal Server Error" } else { "204 No Content" };
                let _ = socket.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes()).await;
            });
        }
    });
    (url, refused)
}

/// The lines carrying request `id`.
fn lines_of(lines: &[Value], id: &str) -> Vec<Value> {
    lines.iter().filter(|l| l["span"]["id"] == id).cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_request_ids_and_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    amazon_pay_server::ops::logging::init_with(LogFormat::Json, move || writer.clone());
    // The shop's receiver: its first answer is a 500, then it takes every event.
    let (receiver_url, receiver_refusals) = refuse_once_receiver().await;
    let env = support::start_with(|config| {
        config.payone.key = PORTAL_KEY.to_owned();
        let cc = config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp");
        cc.password = CRM_PASSWORD.to_owned();
        // Webhooks go to the sandbox's receiver, signed with this secret; the merchant API takes this key.
        config.merchant.webhook_secret = Some(WEBHOOK_SECRET.to_owned());
        config.merchant.api_keys = vec![MERCHANT_KEY.to_owned()];
        config.merchant.webhook_urls = vec![format!("{receiver_url}?token={WEBHOOK_URL_TOKEN}")];
        config.merchant.webhook_retries = vec![std::time::Duration::from_millis(100); 50];
        // A request below sends half its body: short, so the test does not wait the default 10 s.
        config.ops.body_read_timeout_ms = 300;
    })
    .await;

    // The start: the store opened (SQLite's or PostgreSQL's migrations), the notes made while the router is built
    // (this dist/ has no dashboard). A first request is answered only once all that is done.
    let first = env.http.get(env.url("/healthz")).send().await.expect("answered");
    let first_id = request_id(&first);
    let at_start = lines(&captured).len();

    // CV2: session, the buyer's choice on Amazon's (simulated) page, review, placement.
    let created = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "mug", "quantity": 2}], "language": "en"})).await;
    let create_id = request_id(&created);
    let workorder = created.json::<amazon_pay_contract::cv2::ButtonConfig>().await.expect("a button configuration").workorder_id;
    env.choose(&workorder, "anna", "anna-home", "visa-1111");
    // The review page's read: its path holds the checkout's id, which reads the buyer's name and address.
    let review = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=en"))).send().await.expect("answered");
    assert_eq!(review.status(), 200);
    let review_id = request_id(&review);
    // The same read from a site that is not allowed: refused, and its line names the route, not the id.
    let foreign = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}"))).header("origin", "https://evil.example").send().await;
    assert_eq!(foreign.expect("answered").status(), 403);
    let placed = env.place(&workorder, "logs-cv2-0001", Language::En).await;
    assert_eq!(placed.status(), 200);
    let place_id = request_id(&placed);
    assert_ne!(create_id, place_id);

    // The lander: the buyer's access token goes to the server, which reads the profile and imports the order.
    let amazon = &env.sandbox().amazon;
    let token = amazon.issue_token("anna", &["profile", "payments:widget", "payments:shipping_address"]).expect("a token");
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).expect("a reference");
    amazon.update_order_reference(&reference.id, |r| r.instrument = scenario::instrument("visa-1111")).expect("the reference exists");
    let import = ImportOrderRequest {
        access_token: token.clone(),
        amazon_order_id: reference.id.clone(),
        items: vec![CampaignLine { product_id: 101, quantity: 1 }],
        recurring: false,
        idempotency_key: "logs-lander-1".to_owned(),
        language: Language::En,
    };
    let imported = env.http.post(env.url(amazon_pay_contract::routes::CHECKOUTCHAMP_ORDERS)).json(&import).send().await.expect("answered");
    assert_eq!(imported.status(), 200, "{:?}", imported.text().await);
    let import_id = request_id(&imported);

    // The merchant API with its key, and the order's events signed and delivered.
    let listed = env.http.get(env.url("/merchant/api/orders")).bearer_auth(MERCHANT_KEY).send().await.expect("answered");
    assert_eq!(listed.status(), 200);
    let refused = env.http.get(env.url("/merchant/api/orders")).send().await.expect("answered");
    assert_eq!(refused.status(), 401);
    let refused_id = request_id(&refused);
    // A buyer's refused request: its line names the code as the answer does (`bad_request`), so an operator
    // finds it from what the buyer's page showed (it was written `BadRequest`).
    let unknown = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "no-such-sku", "quantity": 1}], "language": "en"})).await;
    assert_eq!(unknown.status(), 400);
    let unknown_id = request_id(&unknown);
    support::eventually("a refused webhook", 10, || (receiver_refusals.load(std::sync::atomic::Ordering::SeqCst) > 0).then_some(())).await;
    support::eventually("a delivered webhook", 10, || {
        (env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'") > 0).then_some(())
    })
    .await;

    // A trusted-proxy id is not taken from anyone else (no proxies are trusted here).
    let forged = env.http.get(env.url("/healthz")).header("x-request-id", "forged-id").send().await.expect("answered");
    assert_ne!(request_id(&forged), "forged-id");

    // A body that stops half way: its line says the `408` the client got, not its handler's answer.
    let slow_id = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut slow = tokio::net::TcpStream::connect(env.base.trim_start_matches("http://")).await.expect("connects");
        let head = "POST /api/cv2/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n";
        slow.write_all(head.as_bytes()).await.expect("sent");
        slow.write_all(br#"{"items":"#).await.expect("sent");
        let mut answer = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut answer)).await.expect("closed").expect("read");
        let answer = String::from_utf8_lossy(&answer).into_owned();
        assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
        let id = answer.lines().find_map(|l| l.strip_prefix("x-request-id: ")).unwrap_or_else(|| panic!("an id: {answer}"));
        id.trim().to_owned()
    };

    // A probe that passes writes no line at INFO: a readiness probe every 2 s (operations.md's Kubernetes
    // example) was most of an instance's log, 43 200 `request finished` lines a day saying `ready`.
    let probes =
        [env.http.get(env.url("/readyz")).send().await.expect("answered"), env.http.get(env.url("/healthz")).send().await.expect("answered")];
    for probe in &probes {
        assert_eq!(probe.status(), 200);
        let id = request_id(probe);
        assert!(lines_of(&lines(&captured), &id).is_empty(), "a passing probe is logged: {:?}", lines_of(&lines(&captured), &id));
    }

    let text = captured.text();
    let md5 = payone_wire_md5(PORTAL_KEY);
    let sha384 = hex::encode(sha2::Sha384::digest(PORTAL_KEY.as_bytes()));
    for (what, secret) in [
        ("portal key", PORTAL_KEY),
        ("its md5", &md5),
        ("its sha384", &sha384),
        ("CRM password", CRM_PASSWORD),
        ("access token", &token),
        ("webhook secret", WEBHOOK_SECRET),
        ("merchant API key", MERCHANT_KEY),
        ("receiver's token", WEBHOOK_URL_TOKEN),
        ("checkout id (it reads the buyer's details)", &workorder),
    ] {
        assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "the {what} is in the logs");
    }

    // No line has a key twice: tracing's own `message` and a field named so were both written, and a collector
    // reading the line kept the second.
    for line in text.lines() {
        let mut keys = keys(line);
        keys.sort();
        let count = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), count, "a key twice: {line}");
    }
    let lines = lines(&captured);
    let refusal = lines_of(&lines, &refused_id).into_iter().find(|l| l["message"] == "merchant API request refused").expect("the refusal's line");
    assert_eq!(
        (refusal["code"].as_str(), refusal["detail"].as_str().is_some_and(|d| d.contains("Bearer"))),
        (Some("missing_api_key"), true),
        "{refusal}"
    );
    let api_refusal = lines_of(&lines, &unknown_id).into_iter().find(|l| l["message"] == "request refused").expect("the refusal's line");
    assert_eq!(api_refusal["code"], "bad_request", "{api_refusal}");
    // The receiver's refusal: where it went without the token, the event as the receiver and the API name it.
    // At start, one line says how many deliveries wait (none in a new store).
    let waiting: Vec<_> = lines.iter().filter(|l| l["message"] == "webhooks: deliveries waiting at start").collect();
    assert_eq!(waiting.len(), 1, "one line at start");
    assert_eq!((waiting[0]["level"].as_str(), &waiting[0]["waiting"]), (Some("INFO"), &serde_json::json!(0)), "{}", waiting[0]);
    let undelivered = lines.iter().find(|l| l["message"] == "webhook not delivered").expect("the refused delivery's line");
    assert_eq!(undelivered["url"], format!("{receiver_url}?token=[redacted]").as_str(), "{undelivered}");
    assert_eq!(undelivered["status"], 500, "{undelivered}");
    assert!(undelivered["event"].as_str().is_some_and(|e| e.starts_with("evt_")), "{undelivered}");
    assert!(undelivered["event_type"].as_str().is_some_and(|t| t.starts_with("order.")), "{undelivered}");
    // Which attempt it was and when the next one is (the schedule's first wait, 0.1 s here): an operator whose
    // receiver is back reads how long the event waits.
    assert_eq!((undelivered["retry"].as_bool(), undelivered["attempt"].as_i64()), (Some(true), Some(1)), "{undelivered}");
    assert!(undelivered["retry_in_s"].as_f64().is_some_and(|s| (0.0..=0.1).contains(&s)), "{undelivered}");
    let slow_lines = lines_of(&lines, &slow_id);
    let finished = slow_lines.iter().find(|l| l["message"] == "request finished").expect("the slow request's line");
    assert_eq!(finished["status"], 408, "{finished}");
    // Paths are logged as their route's template, so the ids in them are not.
    let templates = [
        (&create_id, "/api/cv2/sessions"),
        (&review_id, "/api/cv2/sessions/{workorder_id}"),
        (&place_id, "/api/cv2/sessions/{workorder_id}/orders"),
        (&import_id, amazon_pay_contract::routes::CHECKOUTCHAMP_ORDERS),
    ];
    for (id, route) in templates {
        let mine = lines_of(&lines, id);
        assert!(mine.iter().any(|l| l["message"] == "request finished" && l["span"]["path"].as_str() == Some(route)), "{id}: {mine:?}");
        assert!(mine.iter().any(|l| l["message"] == "upstream call"), "the request's upstream calls carry its id: {mine:?}");
    }
    assert!(lines_of(&lines, &place_id).iter().any(|l| l["action"] == "preauthorization"), "the placement's PAYONE call");
    assert!(lines_of(&lines, &import_id).iter().any(|l| l["service"] == "amazon_profile"), "the lander's profile read");
    // Each CheckoutChamp call is one line, not two.
    let crm_lines = lines_of(&lines, &import_id)
        .iter()
        .filter(|l| l["message"] == "CheckoutChamp call" || (l["message"] == "upstream call" && l["service"] == "checkoutchamp"))
        .count();
    let crm_calls = env.state.store.upstream_calls().unwrap().iter().filter(|(service, _, _)| service == "checkoutchamp").count();
    assert!(crm_calls > 0);
    assert_eq!(crm_lines, crm_calls, "each CheckoutChamp call is logged once");
    // Nothing else ran after the start, so every line of the server's since then was caused by one of the
    // requests and carries its id; but for the webhook worker's, which runs outside requests. RUST_LOG may let
    // other crates' lines in.
    assert!(lines.len() >= at_start + 6, "{lines:?}");
    let (start, since) = lines.split_at(at_start);
    let start: Vec<_> = start.iter().filter(|l| l["span"]["id"] != first_id.as_str()).collect();
    assert!(!start.is_empty() && start.iter().all(|l| l.get("span").is_none()), "the start is no request: {start:?}");
    let by_worker = |t: &str| t.starts_with("amazon_pay_server::webhooks");
    for line in since.iter().filter(|l| l["target"].as_str().is_some_and(|t| t.starts_with("amazon_pay_server") && !by_worker(t))) {
        let id = line["span"]["id"].as_str().unwrap_or_default();
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "a line without its request's id: {line}");
    }
}

fn payone_wire_md5(text: &str) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(text.as_bytes()))
}
