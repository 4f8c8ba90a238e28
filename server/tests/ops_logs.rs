//! JSON logs with request ids (issue #22): a CV2 checkout and a CheckoutChamp lander order run over HTTP with
//! distinctive secrets; the captured log lines hold none of them, and every line a request causes (its
//! upstream calls included) carries the id the response returned.
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderRequest};
use amazon_pay_contract::Language;
use amazon_pay_server::ops::LogFormat;
use amazon_pay_server::sandbox::amazon::AgreementType;
use amazon_pay_server::sandbox::scenario;
use serde_json::Value;
use sha2::Digest;
use std::io::Write;
use std::sync::{Arc, Mutex};

const PORTAL_KEY: &str = "PortalKey-Zq8w3Xv1";
const CRM_PASSWORD: &str = "CrmPass-Ly7Hn2Rk";
const WEBHOOK_SECRET: &str = "WebhookSecret-Pq4Zr8Tx-0123456789abcdef";
const MERCHANT_KEY: &str = "MerchantKey-Hv3Ks9Lw-0123456789abcdef";

/// Every byte the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }

    fn lines(&self) -> Vec<Value> {
        self.text().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect()
    }
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("every response has an id").to_str().expect("ascii").to_owned()
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
    let env = support::start_with(|config| {
        config.payone.key = PORTAL_KEY.to_owned();
        let cc = config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp");
        cc.password = CRM_PASSWORD.to_owned();
        // Webhooks go to the sandbox's receiver, signed with this secret; the merchant API takes this key.
        config.merchant.webhook_secret = Some(WEBHOOK_SECRET.to_owned());
        config.merchant.api_keys = vec![MERCHANT_KEY.to_owned()];
    })
    .await;

    // CV2: session, the buyer's choice on Amazon's (simulated) page, review, placement.
    let created = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "mug", "quantity": 2}], "language": "en"})).await;
    let create_id = request_id(&created);
    let workorder = created.json::<amazon_pay_contract::cv2::ButtonConfig>().await.expect("a button configuration").workorder_id;
    env.choose(&workorder, "anna", "anna-home", "visa-1111");
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
    support::eventually("a delivered webhook", 10, || {
        (env.count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'") > 0).then_some(())
    })
    .await;

    // A trusted-proxy id is not taken from anyone else (no proxies are trusted here).
    let forged = env.http.get(env.url("/healthz")).header("x-request-id", "forged-id").send().await.expect("answered");
    assert_ne!(request_id(&forged), "forged-id");

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
    ] {
        assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "the {what} is in the logs");
    }

    let lines = captured.lines();
    for (id, route) in [(&create_id, "/api/cv2/sessions"), (&place_id, "/orders"), (&import_id, amazon_pay_contract::routes::CHECKOUTCHAMP_ORDERS)] {
        let mine = lines_of(&lines, id);
        assert!(
            mine.iter().any(|l| l["message"] == "request finished" && l["span"]["path"].as_str().is_some_and(|p| p.ends_with(route))),
            "{id}: {mine:?}"
        );
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
    // Nothing else ran, so every line was caused by one of the requests and carries its id.
    assert!(lines.len() >= 6, "{lines:?}");
    // (The server's own lines: RUST_LOG may let other crates' lines in. The store's migrations run when it opens,
    // before any request.)
    let at_start = |t: &str| t.starts_with("amazon_pay_server::store::sqlite_migrations") || t.starts_with("amazon_pay_server::store::buyer_search");
    for line in lines.iter().filter(|l| l["target"].as_str().is_some_and(|t| t.starts_with("amazon_pay_server") && !at_start(t))) {
        let id = line["span"]["id"].as_str().unwrap_or_default();
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "a line without its request's id: {line}");
    }
}

fn payone_wire_md5(text: &str) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(text.as_bytes()))
}
