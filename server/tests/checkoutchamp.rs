//! CheckoutChamp over real HTTP on a free loopback port: the simulator at the protocol level, and the widget's
//! endpoints end to end (profile read by the server, Import Order/Upsale through the client, the store).
#![cfg(feature = "sandbox")]

use amazon_pay_contract::checkoutchamp::{
    crm_declined_message, upsale_declined_message, upsale_undecided_message, CampaignLine, CrmOrderState, CrmOrderStatus, CrmStatusRequest,
    ImportOrderRequest, ImportOrderResponse, ImportUpsaleRequest,
};
use amazon_pay_contract::{ApiError, ErrorCode, Language, Money};
use amazon_pay_server::app::{AppState, Server};
use amazon_pay_server::checkoutchamp::status::Sweeper;
use amazon_pay_server::config::{sandbox_defaults as d, Config};
use amazon_pay_server::sandbox::amazon::AgreementType;
use amazon_pay_server::sandbox::{scenario, Sandbox};
use serde_json::Value;
use std::time::{Duration, Instant};

mod support;

struct Env {
    base: String,
    dir: tempfile::TempDir,
    state: AppState,
    http: reqwest::Client,
    /// The PostgreSQL database the server stores in (`AMAZON_PAY_TEST_SERVER_STORE=postgres`), if not SQLite.
    pg_url: Option<String>,
}

async fn start() -> Env {
    start_with(|_| {}).await
}

async fn start_with(adjust: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    let pg_url = support::test_store(&mut config).await;
    adjust(&mut config);
    let server = Server::bind(config).await.unwrap();
    let (base, state) = server.spawn();
    Env { base, dir, state, http: reqwest::Client::new(), pg_url }
}

impl Env {
    /// The first column (text) of every row of `sql`, from the store (SQLite or PostgreSQL).
    fn texts(&self, sql: &str) -> Vec<String> {
        support::store_texts(self.dir.path(), self.pg_url.as_deref(), sql)
    }

    fn sandbox(&self) -> &Sandbox {
        self.state.sandbox.as_ref().expect("sandbox mode")
    }

    /// A signed-in buyer's token and a fresh order reference (or billing agreement) paid with `instrument`.
    fn amazon_order(&self, buyer: &str, kind: AgreementType, instrument: Option<&str>) -> (String, String) {
        let amazon = &self.sandbox().amazon;
        let token = amazon.issue_token(buyer, &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
        let reference = amazon.create_order_reference(&token, kind).unwrap();
        let chosen = instrument.map(|id| scenario::instrument(id).expect("a sandbox instrument"));
        amazon.update_order_reference(&reference.id, |r| {
            r.instrument = chosen;
            r.consent = kind == AgreementType::BillingAgreement;
        });
        (token, reference.id)
    }

    fn set_instrument(&self, reference: &str, instrument: &str) {
        let chosen = scenario::instrument(instrument);
        self.sandbox().amazon.update_order_reference(reference, |r| r.instrument = chosen).unwrap();
    }

    /// POSTs form `params` (plus the sandbox credentials unless `raw`) to the simulator's `path`.
    async fn crm_raw(&self, path: &str, query: &[(&str, &str)], params: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}/sandbox/checkoutchamp/{path}", self.base)).query(query).form(params).send().await.unwrap()
    }

    async fn crm(&self, path: &str, params: &[(&str, &str)]) -> Value {
        let mut all =
            vec![("loginId", d::CHECKOUTCHAMP_LOGIN_ID), ("password", d::CHECKOUTCHAMP_PASSWORD), ("campaignId", d::CHECKOUTCHAMP_CAMPAIGN_ID)];
        for (k, v) in params {
            all.retain(|(name, _)| name != k);
            all.push((k, v));
        }
        let response = self.crm_raw(path, &[], &all).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        response.json().await.unwrap()
    }

    async fn post<T: serde::Serialize>(&self, route: &str, body: &T) -> reqwest::Response {
        self.http.post(format!("{}{route}", self.base)).json(body).send().await.unwrap()
    }

    /// `(action, outcome)` of every recorded CheckoutChamp call.
    fn crm_calls(&self) -> Vec<(String, String)> {
        let calls = self.state.store.upstream_calls().unwrap();
        calls.into_iter().filter(|(service, _, _)| service == "checkoutchamp").map(|(_, a, o)| (a, o)).collect()
    }

    /// The recorded request bodies, read from the store's database (SQLite or PostgreSQL).
    fn recorded_requests(&self) -> Vec<String> {
        self.texts("SELECT request FROM upstream_calls WHERE service = 'checkoutchamp' ORDER BY id")
    }
}

fn error_of(answer: &Value) -> &str {
    assert_eq!(answer["result"], "ERROR", "{answer}");
    answer["message"].as_str().expect("ERROR messages are strings")
}

fn success_of(answer: &Value) -> &Value {
    assert_eq!(answer["result"], "SUCCESS", "{answer}");
    &answer["message"]
}

/// An Import Order for Anna with everything the guide asks for.
fn amazon_order_params<'a>(token: &'a str, reference: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("firstName", "Anna"),
        ("lastName", "Schmidt"),
        ("emailAddress", "anna.schmidt@sandbox.example"),
        ("product1_id", "101"),
        ("product1_qty", "2"),
        ("paySource", "AMAZON"),
        ("amazonBillerId", d::CHECKOUTCHAMP_AMAZON_BILLER_ID),
        ("amazonOrderId", reference),
        ("amazonAddressConsent", token),
        ("ipAddress", "198.51.100.23"),
    ]
}

fn with<'a>(mut params: Vec<(&'a str, &'a str)>, changes: &[(&'a str, Option<&'a str>)]) -> Vec<(&'a str, &'a str)> {
    for (name, value) in changes {
        params.retain(|(k, _)| k != name);
        if let Some(v) = value {
            params.push((name, v));
        }
    }
    params
}

// ---------------------------------------------------------------------------------------------------------
// The simulator at the protocol level
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn simulator_checks_the_login() {
    let env = start().await;
    let answer: Value = env.crm_raw("order/query/", &[], &[("orderId", "X")]).await.json().await.unwrap();
    assert_eq!(error_of(&answer), "Invalid Login Credentials");
    let answer = env.crm("order/query/", &[("password", "wrong"), ("orderId", "X")]).await;
    assert_eq!(error_of(&answer), "Invalid Login Credentials");
    let long = "u".repeat(33);
    let answer = env.crm("order/query/", &[("loginId", &long), ("orderId", "X")]).await;
    assert_eq!(error_of(&answer), "loginId must be 32 characters or less");
    let answer = env.crm("order/query/", &[("password", &long), ("orderId", "X")]).await;
    assert_eq!(error_of(&answer), "password must be 32 characters or less");
}

#[tokio::test]
async fn simulator_accepts_the_query_string_and_the_trailing_slash_paths_only() {
    let env = start().await;
    let query = [
        ("loginId", d::CHECKOUTCHAMP_LOGIN_ID),
        ("password", d::CHECKOUTCHAMP_PASSWORD),
        ("campaignId", d::CHECKOUTCHAMP_CAMPAIGN_ID),
        ("pageType", "checkoutPage"),
    ];
    let answer: Value = env.crm_raw("landers/clicks/import/", &query, &[]).await.json().await.unwrap();
    let session = success_of(&answer)["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(session.len(), 32);
    assert!(session.bytes().all(|b| b.is_ascii_hexdigit()));
    // Query and body together; the body's value wins.
    let answer: Value =
        env.crm_raw("landers/clicks/import/", &query, &[("pageType", "upsellPage1"), ("sessionId", &session)]).await.json().await.unwrap();
    assert_eq!(success_of(&answer)["sessionId"], session.as_str());
    let answer = env.crm("landers/clicks/import/", &[("pageType", "nowhere")]).await;
    assert_eq!(error_of(&answer), "Invalid pageType nowhere");
    let answer = env.crm("landers/clicks/import/", &[("pageType", "leadPage"), ("sessionId", "feedface")]).await;
    assert_eq!(error_of(&answer), "Invalid sessionId");

    let no_slash = env.crm_raw("order/import", &[], &[]).await;
    assert!(no_slash.status().is_client_error(), "the real API's paths end in a slash: {}", no_slash.status());
    let get = env.http.get(format!("{}/sandbox/checkoutchamp/order/import/", env.base)).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn simulator_validates_import_order() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let good = amazon_order_params(&token, &reference);
    type Changes<'a> = Vec<(&'a str, Option<&'a str>)>;
    let cases: Vec<(Changes, &str)> = vec![
        (vec![("campaignId", Some("abc"))], "campaignId must be an integer"),
        (vec![("campaignId", Some("2"))], "Invalid campaignId 2"),
        (vec![("firstName", None)], "firstName is required"),
        (vec![("lastName", Some(""))], "lastName is required"),
        (vec![("emailAddress", Some("anna-at-example"))], "Invalid emailAddress"),
        (vec![("product1_id", None), ("product1_qty", None)], "No products specified"),
        (vec![("product1_id", Some("999"))], "Invalid product 999"),
        (vec![("product1_qty", Some("0"))], "Invalid quantity 0"),
        (vec![("product1_qty", Some("many"))], "Invalid quantity many"),
        (vec![("orderItems", Some("{not json"))], "Invalid orderItems"),
        (vec![("paySource", None)], "paySource is required"),
        (vec![("paySource", Some("BITCOIN"))], "Invalid paySource BITCOIN"),
        (vec![("paySource", Some("CREDITCARD"))], "paySource CREDITCARD is not available in the sandbox; use AMAZON"),
        (vec![("amazonBillerId", None)], "amazonBillerId is required when paySource is AMAZON"),
        (vec![("amazonBillerId", Some("77"))], "Invalid amazonBillerId 77"),
        (vec![("amazonOrderId", None)], "amazonOrderId is required when paySource is AMAZON"),
        (vec![("amazonAddressConsent", None)], "amazonAddressConsent is required when paySource is AMAZON"),
        (vec![("amazonOrderId", Some("S02-0000000-0000000"))], "Amazon Pay error: InvalidOrderReferenceId"),
        (vec![("amazonOrderId", Some("B02-0000000-0000000"))], "Amazon Pay error: InvalidBillingAgreementId"),
        (vec![("amazonAddressConsent", Some("Atza|forged"))], "Amazon Pay error: InvalidAddressConsentToken"),
        (vec![("orderId", Some("NOSUCHLEAD"))], "Invalid orderId"),
        (vec![("ipAddress", None)], "ipAddress is required"),
        (vec![("ipAddress", Some("buyer.example"))], "Invalid ipAddress buyer.example"),
    ];
    for (changes, expected) in cases {
        let answer = env.crm("order/import/", &with(good.clone(), &changes)).await;
        assert_eq!(error_of(&answer), expected, "{changes:?}");
    }
    // Another buyer's token cannot pay with Anna's order reference.
    let jeans_token = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let answer = env.crm("order/import/", &with(good.clone(), &[("amazonAddressConsent", Some(&jeans_token))])).await;
    assert_eq!(error_of(&answer), "Amazon Pay error: InvalidAddressConsentToken");
    // An expired token neither.
    let (old_token, old_reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    assert!(env.sandbox().amazon.expire_token(&old_token));
    let answer = env.crm("order/import/", &amazon_order_params(&old_token, &old_reference)).await;
    assert_eq!(error_of(&answer), "Amazon Pay error: InvalidAddressConsentToken");
    assert!(env.sandbox().checkoutchamp.orders().is_empty(), "no refused request created an order");

    // The good request goes through, once: an order reference is charged once.
    let order = success_of(&env.crm("order/import/", &good).await).clone();
    assert_eq!(order["orderStatus"], "COMPLETE");
    let again = env.crm("order/import/", &good).await;
    assert_eq!(error_of(&again), "Amazon Pay error: InvalidOrderReferenceStatus");
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
}

#[tokio::test]
async fn simulator_imports_an_amazon_order_with_the_address_from_the_order_reference() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    env.sandbox().amazon.update_order_reference(&reference, |r| r.address = r.buyer.address("anna-office")).unwrap();
    let params = with(
        amazon_order_params(&token, &reference),
        &[("product1_id", None), ("product1_qty", None), ("orderItems", Some(r#"{"101":2,"103":"1"}"#))],
    );
    let order = success_of(&env.crm("order/import/", &params).await).clone();
    assert_eq!(order["orderStatus"], "COMPLETE");
    assert_eq!(order["totalAmount"], Money::eur(2 * 1290 + 450).decimal());
    assert_eq!(order["paySource"], "AMAZON");
    assert_eq!(order["amazonOrderId"], reference.as_str());
    assert_eq!((order["firstName"].as_str(), order["lastName"].as_str()), (Some("Anna"), Some("Schmidt")));
    assert_eq!(order["emailAddress"], "anna.schmidt@sandbox.example");
    assert_eq!((order["shipCity"].as_str(), order["shipPostalCode"].as_str()), (Some("München"), Some("80331")));
    assert!(order["customerId"].as_str().unwrap().parse::<u64>().is_ok());
    let items = order["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let mug = items.iter().find(|i| i["productId"] == "101").unwrap();
    assert_eq!((mug["price"].as_str(), mug["qty"].as_str()), (Some("12.90"), Some("2")));
    // The CRM has confirmed the order reference: Amazon's widgets can no longer change it.
    let stored = env.sandbox().amazon.order_reference(&reference).unwrap();
    assert!(stored.confirmed);
    assert_eq!(stored.amount, Some(Money::eur(3030)));

    // Order Query and Confirm see the same order.
    let id = order["orderId"].as_str().unwrap();
    let query = env.crm("order/query/", &[("orderId", id)]).await;
    assert_eq!(success_of(&query)["totalResults"], 1);
    assert_eq!(success_of(&query)["data"][0]["orderId"], id);
    assert_eq!(error_of(&env.crm("order/query/", &[("orderId", "NOPE")]).await), "No orders matching those parameters");
    assert_eq!(error_of(&env.crm("order/query/", &[]).await), "startDate is required", "without orderId, a date range");
    success_of(&env.crm("order/confirm/", &[("orderId", id)]).await);
    assert!(env.sandbox().checkoutchamp.order(id).unwrap().confirmed);
    assert_eq!(error_of(&env.crm("order/confirm/", &[("orderId", "NOPE")]).await), "Invalid orderId");
}

#[tokio::test]
async fn simulator_answers_each_scenario() {
    let env = start().await;
    let cases = [
        ("visa-1111", Ok("COMPLETE")),
        ("mc-4444", Ok("PENDING")),
        ("visa-0002", Ok("PENDING")),
        ("mc-3ds1", Ok("COMPLETE")),
        ("visa-0981", Err("Transaction Declined: InvalidPaymentMethod")),
        ("mc-3ds0", Err("Transaction Declined: InvalidPaymentMethod")),
        ("amex-0982", Err("Transaction Declined: AmazonRejected")),
        ("visa-0980", Err("Transaction Declined: TransactionTimedOut")),
        ("visa-0024", Err("Amazon Pay error: InvalidOrderReferenceStatus")),
    ];
    for (instrument, expected) in cases {
        let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some(instrument));
        let answer = env.crm("order/import/", &amazon_order_params(&token, &reference)).await;
        match expected {
            Ok(status) => assert_eq!(success_of(&answer)["orderStatus"], status, "{instrument}"),
            Err(message) => {
                assert_eq!(error_of(&answer), message, "{instrument}");
                assert!(!env.sandbox().amazon.order_reference(&reference).unwrap().confirmed, "{instrument}");
            }
        }
    }
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, None);
    let answer = env.crm("order/import/", &amazon_order_params(&token, &reference)).await;
    assert_eq!(error_of(&answer), "Amazon Pay error: PaymentPlanNotSet");
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 4, "only the approved and pending ones");
}

/// The merchant's refund and cancel in the sandbox CRM: a refund only of a paid order and in full, a cancel of
/// a paid or pending order, each refused (and changing nothing) otherwise; Order Query then tells the new status.
#[tokio::test]
async fn simulator_refunds_and_cancels_as_the_merchant_asks() {
    let env = start_with(|config| config.sandbox_timings.settle_delay = Duration::from_secs(3600)).await;
    let mut ids = Vec::new();
    for instrument in ["visa-1111", "mc-4444"] {
        let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some(instrument));
        let answer = env.crm("order/import/", &amazon_order_params(&token, &reference)).await;
        ids.push(success_of(&answer)["orderId"].as_str().unwrap().to_owned());
    }
    let (paid, pending) = (ids[0].as_str(), ids[1].as_str());
    let status = |answer: Value| success_of(&answer)["data"][0]["orderStatus"].as_str().unwrap().to_owned();
    assert_eq!(error_of(&env.crm("order/refund/", &[("orderId", pending)]).await), "Order is not eligible for refund");
    assert_eq!(status(env.crm("order/query/", &[("orderId", pending)]).await), "PENDING", "a refusal changes nothing");
    assert_eq!(error_of(&env.crm("order/refund/", &[("orderId", paid), ("refundType", "HALF")]).await), "Invalid refundType HALF");
    assert_eq!(error_of(&env.crm("order/refund/", &[]).await), "orderId is required");
    assert_eq!(success_of(&env.crm("order/refund/", &[("orderId", paid)]).await)["orderStatus"], "REFUNDED");
    assert_eq!(status(env.crm("order/query/", &[("orderId", paid)]).await), "REFUNDED");
    assert_eq!(error_of(&env.crm("order/cancel/", &[("orderId", paid)]).await), "Order is not eligible for cancellation");
    assert_eq!(success_of(&env.crm("order/cancel/", &[("orderId", pending)]).await)["orderStatus"], "CANCELLED");
    assert_eq!(status(env.crm("order/query/", &[("orderId", pending)]).await), "CANCELLED");
}

#[tokio::test]
async fn simulator_answers_garbage_and_holds_timeouts() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-0500"));
    let response = env
        .crm_raw(
            "order/import/",
            &[],
            &with(
                amazon_order_params(&token, &reference),
                &[
                    ("loginId", Some(d::CHECKOUTCHAMP_LOGIN_ID)),
                    ("password", Some(d::CHECKOUTCHAMP_PASSWORD)),
                    ("campaignId", Some(d::CHECKOUTCHAMP_CAMPAIGN_ID)),
                ],
            ),
        )
        .await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.starts_with("<!DOCTYPE html>"));
    assert!(serde_json::from_str::<Value>(&body).is_err());

    let hold = Duration::from_millis(300);
    env.sandbox().checkoutchamp.set_hold(hold);
    env.set_instrument(&reference, "visa-0504");
    let started = Instant::now();
    let answer = env.crm("order/import/", &amazon_order_params(&token, &reference)).await;
    assert!(started.elapsed() >= hold, "the answer was held for {:?}", started.elapsed());
    assert!(error_of(&answer).contains("timeout"));
    assert!(env.sandbox().checkoutchamp.orders().is_empty());
}

#[tokio::test]
async fn simulator_billing_agreements_need_consent_and_serve_many_orders() {
    let env = start().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-1111"));
    env.sandbox().amazon.update_order_reference(&agreement, |r| r.consent = false).unwrap();
    let params = with(amazon_order_params(&token, &agreement), &[("product1_id", Some("104")), ("product1_qty", None)]);
    let answer = env.crm("order/import/", &params).await;
    assert_eq!(error_of(&answer), "Amazon Pay error: BillingAgreementConstraintsExist (BuyerConsentNotSet)");
    env.sandbox().amazon.update_order_reference(&agreement, |r| r.consent = true).unwrap();
    let first = success_of(&env.crm("order/import/", &params).await).clone();
    let second = success_of(&env.crm("order/import/", &params).await).clone();
    assert_ne!(first["orderId"], second["orderId"], "a billing agreement pays every recurring order");
    assert_eq!(first["totalAmount"], "3.90");
}

#[tokio::test]
async fn simulator_imports_upsales_on_existing_orders() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let order = success_of(&env.crm("order/import/", &amazon_order_params(&token, &reference)).await).clone();
    let id = order["orderId"].as_str().unwrap();

    assert_eq!(error_of(&env.crm("upsale/import/", &[("productId", "103")]).await), "orderId is required");
    assert_eq!(error_of(&env.crm("upsale/import/", &[("orderId", "NOPE"), ("productId", "103")]).await), "Invalid orderId");
    assert_eq!(error_of(&env.crm("upsale/import/", &[("orderId", id)]).await), "productId is required");
    assert_eq!(error_of(&env.crm("upsale/import/", &[("orderId", id), ("productId", "x")]).await), "productId must be an integer");
    assert_eq!(error_of(&env.crm("upsale/import/", &[("orderId", id), ("productId", "999")]).await), "Invalid productId 999");
    let jeans_token = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let answer = env.crm("upsale/import/", &[("orderId", id), ("productId", "103"), ("amazonAddressConsent", &jeans_token)]).await;
    assert_eq!(error_of(&answer), "Amazon Pay error: InvalidAddressConsentToken");
    let answer = env
        .crm(
            "upsale/import/",
            &[("orderId", id), ("productId", "103"), ("amazonBillerId", d::CHECKOUTCHAMP_AMAZON_BILLER_ID), ("amazonOrderId", "S02-0000000-0000000")],
        )
        .await;
    assert_eq!(error_of(&answer), "Amazon Pay error: InvalidOrderReferenceId");

    // Charged to the same order reference: its instrument decides.
    env.set_instrument(&reference, "amex-0982");
    let answer = env.crm("upsale/import/", &[("orderId", id), ("productId", "103")]).await;
    assert_eq!(error_of(&answer), "Transaction Declined: AmazonRejected");
    assert_eq!(env.sandbox().checkoutchamp.order(id).unwrap().items.len(), 1, "a declined upsale changes nothing");
    env.set_instrument(&reference, "visa-1111");
    let params = [
        ("orderId", id),
        ("productId", "103"),
        ("productQty", "2"),
        ("amazonBillerId", d::CHECKOUTCHAMP_AMAZON_BILLER_ID),
        ("amazonOrderId", reference.as_str()),
        ("amazonAddressConsent", token.as_str()),
    ];
    let updated = success_of(&env.crm("upsale/import/", &params).await).clone();
    assert_eq!(updated["orderId"], id);
    assert_eq!(updated["totalAmount"], Money::eur(2 * 1290 + 2 * 450).decimal());
    assert_eq!(updated["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn simulator_turns_leads_into_orders() {
    let env = start().await;
    let click = env.crm("landers/clicks/import/", &[("pageType", "leadPage")]).await;
    let session = success_of(&click)["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(
        error_of(&env.crm("leads/import/", &[("firstName", "Anna"), ("lastName", "Schmidt")]).await),
        "emailAddress or phoneNumber is required"
    );
    let lead = env
        .crm("leads/import/", &[("firstName", "Anna"), ("lastName", "Schmidt"), ("emailAddress", "anna@sandbox.example"), ("sessionId", &session)])
        .await;
    let lead = success_of(&lead).clone();
    assert_eq!(lead["orderStatus"], "PARTIAL");
    let id = lead["orderId"].as_str().unwrap();
    assert_eq!(error_of(&env.crm("upsale/import/", &[("orderId", id), ("productId", "103")]).await), "Upsales require a completed order");
    assert_eq!(error_of(&env.crm("order/confirm/", &[("orderId", id)]).await), "Order is not eligible for confirmation");

    // Import Order on the lead needs no names again.
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let params =
        with(amazon_order_params(&token, &reference), &[("firstName", None), ("lastName", None), ("emailAddress", None), ("orderId", Some(id))]);
    let order = success_of(&env.crm("order/import/", &params).await).clone();
    assert_eq!((order["orderId"].as_str(), order["orderStatus"].as_str()), (Some(id), Some("COMPLETE")));
    assert_eq!(order["emailAddress"], "anna@sandbox.example");
    assert_eq!(error_of(&env.crm("order/import/", &params).await), "Order has already been completed");
}

// ---------------------------------------------------------------------------------------------------------
// The widget's endpoints
// ---------------------------------------------------------------------------------------------------------

fn order_request(token: &str, reference: &str, items: &[(u32, u32)], key: &str, language: Language) -> ImportOrderRequest {
    ImportOrderRequest {
        access_token: token.to_owned(),
        amazon_order_id: reference.to_owned(),
        items: items.iter().map(|&(product_id, quantity)| CampaignLine { product_id, quantity }).collect(),
        recurring: reference.starts_with('B'),
        idempotency_key: key.to_owned(),
        language,
    }
}

const ORDERS: &str = amazon_pay_contract::routes::CHECKOUTCHAMP_ORDERS;
const UPSALES: &str = amazon_pay_contract::routes::CHECKOUTCHAMP_UPSALES;
const ORDER_STATUS: &str = amazon_pay_contract::routes::CHECKOUTCHAMP_ORDER_STATUS;

async fn expect_error(response: reqwest::Response, status: u16, code: ErrorCode, language: Language) -> ApiError {
    assert_eq!(response.status(), status);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, code, "{err:?}");
    assert_eq!(err.message, code.buyer_message(language), "told in the request's language");
    err
}

/// A declined upsale on a placed order: the decline's code, and the upsell page's own sentence in the request's
/// language (the lander's order stands), not the code's general one.
async fn expect_upsale_declined(response: reqwest::Response, code: ErrorCode, language: Language) -> ApiError {
    assert_eq!(response.status(), 402);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, code, "{err:?}");
    let placed = |lang| upsale_declined_message(lang, CrmOrderStatus::Complete);
    assert_eq!(err.message, placed(language), "told what happened to the upsale and the order");
    assert_ne!(err.message, placed(Language::En), "told in the request's language");
    err
}

#[tokio::test]
async fn import_order_reads_the_profile_itself_and_prices_in_the_crm() {
    let env = start().await;
    for (buyer, first, last) in [("jean", "Jean-Pierre", "de la Fontaine"), ("giulia", "Giulia", "Giulia"), ("anna", "Anna", "Schmidt")] {
        let (token, reference) = env.amazon_order(buyer, AgreementType::OrderReference, Some("visa-1111"));
        let request = order_request(&token, &reference, &[(101, 2), (103, 1)], &format!("key-{buyer}-0001"), Language::De);
        let response = env.post(ORDERS, &request).await;
        assert_eq!(response.status(), 200, "{buyer}");
        let answer: ImportOrderResponse = response.json().await.unwrap();
        assert_eq!(answer.status, CrmOrderStatus::Complete);
        assert_eq!(answer.total, Money::eur(2 * 1290 + 450), "CheckoutChamp's prices");
        assert_eq!(answer.items.len(), 2);
        let crm = env.sandbox().checkoutchamp.order(&answer.order_id).unwrap();
        let profile = amazon_pay_server::sandbox::amazon::buyer(buyer).unwrap();
        assert_eq!((crm.first_name.as_str(), crm.last_name.as_str()), (first, last), "{buyer}");
        assert_eq!(crm.email, profile.email, "the email comes from Amazon's profile");
        assert_eq!(crm.amazon_order_id.as_deref(), Some(reference.as_str()));
        assert_eq!(crm.ip_address.as_deref(), Some("127.0.0.1"), "the buyer's address as the server saw it");
    }
    assert_eq!(env.crm_calls(), vec![("order/import".to_owned(), "SUCCESS".to_owned()); 3]);
    for request in env.recorded_requests() {
        assert!(request.contains("paySource=AMAZON") && request.contains("amazonOrderId=S02-"), "{request}");
        for secret in [d::CHECKOUTCHAMP_PASSWORD, d::CHECKOUTCHAMP_LOGIN_ID, "Atza"] {
            assert!(!request.contains(secret), "{secret} leaked into the store: {request}");
        }
    }
}

#[tokio::test]
async fn the_buyers_address_comes_from_the_peer_or_a_trusted_proxy_only() {
    // Not trusted: a forwarded-for header from the buyer themselves is ignored.
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let request = order_request(&token, &reference, &[(101, 1)], "key-spoof-0001", Language::De);
    let response = env.http.post(format!("{}{ORDERS}", env.base)).header("x-forwarded-for", "203.0.113.5").json(&request).send().await.unwrap();
    let answer: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!(env.sandbox().checkoutchamp.order(&answer.order_id).unwrap().ip_address.as_deref(), Some("127.0.0.1"));

    // Behind a trusted proxy (here the loopback peer): its appended hop is the buyer, what the buyer wrote is not.
    let env = start_with(|c| c.ops.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let request = order_request(&token, &reference, &[(101, 1)], "key-proxy-0001", Language::De);
    let response =
        env.http.post(format!("{}{ORDERS}", env.base)).header("x-forwarded-for", "192.0.2.1, 203.0.113.5").json(&request).send().await.unwrap();
    let answer: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!(env.sandbox().checkoutchamp.order(&answer.order_id).unwrap().ip_address.as_deref(), Some("203.0.113.5"));
}

#[tokio::test]
async fn a_double_click_imports_one_order() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let request = order_request(&token, &reference, &[(102, 1)], "double-click-0001", Language::En);
    let (a, b) = tokio::join!(env.post(ORDERS, &request), env.post(ORDERS, &request));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a: ImportOrderResponse = a.json().await.unwrap();
    let b: ImportOrderResponse = b.json().await.unwrap();
    assert_eq!(a, b);
    // A reloaded page with a new key for the same order reference gets the same order.
    let reloaded = order_request(&token, &reference, &[(102, 1)], "after-reload-0002", Language::En);
    let c: ImportOrderResponse = env.post(ORDERS, &reloaded).await.json().await.unwrap();
    assert_eq!(c, a);
    assert_eq!(env.crm_calls().len(), 1, "one Import Order upstream");
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
    // Another Amazon account's token with Anna's order reference (a reference is no secret: it is in the
    // lander's page) and a new key does not get Anna's order.
    let (paul, _) = env.amazon_order("paul", AgreementType::OrderReference, Some("visa-1111"));
    let stranger = order_request(&paul, &reference, &[(102, 1)], "stranger-key-0003", Language::En);
    let err = expect_error(env.post(ORDERS, &stranger).await, 404, ErrorCode::NotFound, Language::En).await;
    assert!(!format!("{err:?}").contains(&a.order_id), "{err:?}");
    assert_eq!(env.crm_calls().len(), 1);
    // The key cannot be reused for another purchase.
    let other = order_request(&token, &reference, &[(101, 1)], "double-click-0001", Language::Fr);
    let err = expect_error(env.post(ORDERS, &other).await, 400, ErrorCode::BadRequest, Language::Fr).await;
    assert!(err.detail.unwrap().contains("idempotency_key"));
    assert_eq!(env.crm_calls().len(), 1);
}

#[tokio::test]
async fn declines_are_told_in_the_buyers_language_and_can_be_retried() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-0981"));
    let request = order_request(&token, &reference, &[(101, 1)], "decline-retry-01", Language::De);
    let err = expect_error(env.post(ORDERS, &request).await, 402, ErrorCode::SoftDecline, Language::De).await;
    assert!(err.detail.unwrap().contains("InvalidPaymentMethod"));

    env.set_instrument(&reference, "amex-0982");
    let request = ImportOrderRequest { language: Language::Fr, ..request };
    expect_error(env.post(ORDERS, &request).await, 402, ErrorCode::HardDecline, Language::Fr).await;
    env.set_instrument(&reference, "visa-0980");
    let request = ImportOrderRequest { language: Language::It, ..request };
    expect_error(env.post(ORDERS, &request).await, 502, ErrorCode::UpstreamError, Language::It).await;
    env.set_instrument(&reference, "visa-0024");
    let request = ImportOrderRequest { language: Language::Es, ..request };
    expect_error(env.post(ORDERS, &request).await, 410, ErrorCode::SessionExpired, Language::Es).await;
    // PAYONE CV1's 983-985 instruments, through CheckoutChamp: 985 lets the buyer pick another method.
    for (instrument, status, code) in
        [("visa-0983", 402, ErrorCode::HardDecline), ("visa-0984", 402, ErrorCode::HardDecline), ("visa-0985", 402, ErrorCode::SoftDecline)]
    {
        env.set_instrument(&reference, instrument);
        let err = expect_error(env.post(ORDERS, &request).await, status, code, Language::Es).await;
        assert!(err.detail.unwrap().contains("Transaction Declined"), "{instrument}");
    }
    assert_eq!(env.state.checkoutchamp.as_ref().unwrap().orders.import_count().unwrap(), 0, "declines store no import");
    let unsettled = env.state.checkoutchamp.as_ref().unwrap().orders.unsettled(&reference).unwrap();
    assert!(unsettled.is_none(), "a decline is an answer: nothing to ask CheckoutChamp about later");

    // The buyer picks another card in the Wallet and clicks again with the same key.
    env.set_instrument(&reference, "visa-1111");
    let response = env.post(ORDERS, &request).await;
    assert_eq!(response.status(), 200);
    let outcomes: Vec<String> = env.crm_calls().into_iter().map(|(_, o)| o).collect();
    assert_eq!(outcomes.len(), 8);
    assert_eq!(outcomes.last().map(String::as_str), Some("SUCCESS"));
}

#[tokio::test]
async fn an_upstream_timeout_is_a_clear_error_and_stores_nothing() {
    let env = start_with(|config| config.checkoutchamp.as_mut().unwrap().timeout = Duration::from_millis(400)).await;
    env.sandbox().checkoutchamp.set_hold(Duration::from_secs(5));
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-0504"));
    let request = order_request(&token, &reference, &[(101, 1)], "timeout-key-0001", Language::De);
    let started = Instant::now();
    let err = expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::De).await;
    assert!(started.elapsed() < Duration::from_secs(4), "the client gave up after its timeout");
    assert_eq!(err.detail, None, "a 5xx: the cause is in the log only");
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert_eq!(cc.orders.import_count().unwrap(), 0);
    assert!(cc.orders.import_by_key("timeout-key-0001").unwrap().is_none());
    assert!(env.sandbox().checkoutchamp.orders().is_empty());
    let calls = env.crm_calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].1.contains("did not answer"), "the attempt is logged: {calls:?}");

    // Garbage is told apart from a timeout.
    env.set_instrument(&reference, "visa-0500");
    expect_error(env.post(ORDERS, &request).await, 502, ErrorCode::UpstreamInvalid, Language::De).await;
    assert_eq!(cc.orders.import_count().unwrap(), 0);
}

/// A server that gives CheckoutChamp 400 ms, and a simulator that holds late answers for 5 s.
async fn start_impatient() -> Env {
    let env = start_with(|config| config.checkoutchamp.as_mut().unwrap().timeout = Duration::from_millis(400)).await;
    env.sandbox().checkoutchamp.set_hold(Duration::from_secs(5));
    env
}

#[tokio::test]
async fn a_one_time_order_created_by_an_import_answered_too_late_is_found_not_refused() {
    let env = start_impatient().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    env.sandbox().checkoutchamp.answer_late(1);
    let request = order_request(&token, &reference, &[(101, 2)], "late-answer-key-01", Language::De);
    expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::De).await;
    let created = env.sandbox().checkoutchamp.orders();
    assert_eq!(created.len(), 1, "CheckoutChamp created the order all the same");
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert_eq!(cc.orders.import_count().unwrap(), 0);

    // The next press asks CheckoutChamp, finds the order by the tag the import sent, and records it: the
    // buyer reads their order, not that their session expired.
    let response = env.post(ORDERS, &ImportOrderRequest { language: Language::Fr, ..request.clone() }).await;
    assert_eq!(response.status(), 200);
    let answer: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!((answer.order_id.as_str(), answer.total), (created[0].order_id.as_str(), Money::eur(2 * 1290)));
    assert_eq!(
        cc.orders.order(&answer.order_id).unwrap().unwrap().buyer_user_id,
        amazon_pay_server::sandbox::amazon::buyer("anna").unwrap().user_id()
    );
    let actions: Vec<String> = env.crm_calls().into_iter().map(|(action, _)| action).collect();
    assert_eq!(actions, ["order/import", "order/query"], "asked, not imported again");
    assert!(env.recorded_requests()[1].contains("emailAddress="), "the buyer's orders are asked for");
    // A reloaded lander (a new key) gets the same order from the store; nothing more upstream.
    let reloaded = order_request(&token, &reference, &[(101, 2)], "late-answer-key-02", Language::De);
    let again: ImportOrderResponse = env.post(ORDERS, &reloaded).await.json().await.unwrap();
    assert_eq!(again, answer);
    assert_eq!(env.crm_calls().len(), 2);
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
    assert!(cc.orders.unsettled(&reference).unwrap().is_none(), "settled with the order");
}

#[tokio::test]
async fn a_recurring_import_answered_too_late_is_not_charged_twice() {
    let env = start_impatient().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-1111"));
    env.sandbox().checkoutchamp.answer_late(1);
    let request = order_request(&token, &agreement, &[(104, 1)], "late-recurring-01", Language::It);
    expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::It).await;
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
    // The lander's next press (its key, or a reloaded page's new one) finds that order: one charge.
    let next = order_request(&token, &agreement, &[(104, 1)], "late-recurring-02", Language::It);
    let response = env.post(ORDERS, &next).await;
    assert_eq!(response.status(), 200);
    let answer: ImportOrderResponse = response.json().await.unwrap();
    let crm = env.sandbox().checkoutchamp.orders();
    assert_eq!(crm.len(), 1, "imported once");
    assert_eq!(answer.order_id, crm[0].order_id);
    let replay: ImportOrderResponse = env.post(ORDERS, &next).await.json().await.unwrap();
    assert_eq!(replay, answer, "the key replays the order it was given");
    // Once settled, the agreement serves the next recurring order as before.
    let later = order_request(&token, &agreement, &[(104, 1)], "late-recurring-03", Language::It);
    let second: ImportOrderResponse = env.post(ORDERS, &later).await.json().await.unwrap();
    assert_ne!(second.order_id, answer.order_id);
    let actions: Vec<String> = env.crm_calls().into_iter().map(|(action, _)| action).collect();
    assert_eq!(actions, ["order/import", "order/query", "order/import"]);
}

#[tokio::test]
async fn an_import_that_timed_out_before_creating_anything_is_imported_once_after_asking() {
    let env = start_impatient().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-0504"));
    let request = order_request(&token, &agreement, &[(104, 1)], "early-timeout-01", Language::Es);
    expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::Es).await;
    assert!(env.sandbox().checkoutchamp.orders().is_empty());
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert!(cc.orders.unsettled(&agreement).unwrap().is_some(), "no answer: noted");
    env.set_instrument(&agreement, "visa-1111");
    let response = env.post(ORDERS, &request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
    let calls = env.crm_calls();
    let actions: Vec<&str> = calls.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["order/import", "order/query", "order/import"]);
    assert!(calls[1].1.contains("No orders matching"), "CheckoutChamp had none: {calls:?}");
    // Another Amazon account cannot use the agreement's unsettled import (nor learn of it).
    let (paul, _) = env.amazon_order("paul", AgreementType::OrderReference, None);
    env.set_instrument(&agreement, "visa-0504");
    expect_error(
        env.post(ORDERS, &order_request(&token, &agreement, &[(104, 1)], "early-timeout-02", Language::Es)).await,
        504,
        ErrorCode::UpstreamTimeout,
        Language::Es,
    )
    .await;
    let stranger = order_request(&paul, &agreement, &[(104, 1)], "early-timeout-03", Language::En);
    expect_error(env.post(ORDERS, &stranger).await, 404, ErrorCode::NotFound, Language::En).await;
    assert_eq!(env.crm_calls().len(), 4, "the stranger reached nobody");
}

#[tokio::test]
async fn while_checkoutchamp_cannot_say_whether_a_late_import_created_the_order_nothing_is_imported() {
    let env = start_impatient().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-1111"));
    env.sandbox().checkoutchamp.answer_late(1);
    let request = order_request(&token, &agreement, &[(104, 1)], "query-late-key-01", Language::Fr);
    expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
    // Order Query does not answer in time either: the buyer is told to try again, nothing is imported.
    env.sandbox().checkoutchamp.answer_queries_late(1);
    expect_error(env.post(ORDERS, &request).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert_eq!((env.sandbox().checkoutchamp.orders().len(), cc.orders.import_count().unwrap()), (1, 0));
    assert!(cc.orders.unsettled(&agreement).unwrap().is_some(), "still to be asked about");
    // It answers the next time: the order is found and recorded, still one.
    let answer: ImportOrderResponse = env.post(ORDERS, &request).await.json().await.unwrap();
    assert_eq!(env.sandbox().checkoutchamp.orders()[0].order_id, answer.order_id);
    let actions: Vec<String> = env.crm_calls().into_iter().map(|(action, _)| action).collect();
    assert_eq!(actions, ["order/import", "order/query", "order/query"]);
}

/// A paid order of Anna's (one mug) and an upsale offer on it (a sticker pack) under `key`, told in `language`.
async fn upsale_offer(env: &Env, key: &str, language: Language) -> (String, ImportUpsaleRequest) {
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], &format!("{key}-order"), language)).await.json().await.unwrap();
    let upsale =
        ImportUpsaleRequest { access_token: token, order_id: order.order_id, product_id: 103, quantity: 1, idempotency_key: key.into(), language };
    (reference, upsale)
}

/// How many lines the order has at CheckoutChamp: one more for each upsale it took (and charged Amazon for).
fn crm_lines(env: &Env, order_id: &str) -> usize {
    env.sandbox().checkoutchamp.order(order_id).map_or(0, |o| o.items.len())
}

#[tokio::test]
async fn an_upsale_answered_too_late_is_found_not_charged_twice() {
    let env = start_impatient().await;
    let (_, upsale) = upsale_offer(&env, "late-upsale-01", Language::De).await;
    env.sandbox().checkoutchamp.answer_upsales_late(1);
    expect_error(env.post(UPSALES, &upsale).await, 504, ErrorCode::UpstreamTimeout, Language::De).await;
    assert_eq!(crm_lines(&env, &upsale.order_id), 2, "CheckoutChamp added the product and charged Amazon all the same");
    // The page's next press (the same key) asks CheckoutChamp, which has the product on the order: recorded.
    let response = env.post(UPSALES, &upsale).await;
    assert_eq!(response.status(), 200);
    let answer: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!(crm_lines(&env, &upsale.order_id), 2, "charged once");
    assert_eq!((answer.total, answer.items.len()), (Money::eur(1290 + 450), 2));
    let actions: Vec<String> = env.crm_calls().into_iter().map(|(action, _)| action).collect();
    assert_eq!(actions, ["order/import", "upsale/import", "order/query"], "asked, not sent again");
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert_eq!(cc.orders.order(&upsale.order_id).unwrap().unwrap().total, answer.total);
    let replay: ImportOrderResponse = env.post(UPSALES, &upsale).await.json().await.unwrap();
    assert_eq!(replay, answer, "the key replays what it was given");
    assert_eq!(env.crm_calls().len(), 3);
    assert!(cc.orders.unsettled_upsale(&upsale.order_id, 103).unwrap().is_none(), "settled with its answer");
}

#[tokio::test]
async fn while_an_upsale_is_undecided_another_key_is_refused_and_its_own_key_sends_it_once() {
    let env = start_impatient().await;
    let (reference, upsale) = upsale_offer(&env, "undecided-upsale-01", Language::Fr).await;
    // CheckoutChamp holds the upsale past the server's patience, before adding anything.
    env.set_instrument(&reference, "visa-0504");
    expect_error(env.post(UPSALES, &upsale).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
    assert_eq!(crm_lines(&env, &upsale.order_id), 1);
    // A reloaded upsell page (a new key) for the same offer: refused, nothing sent, in the buyer's language.
    let reloaded = ImportUpsaleRequest { idempotency_key: "undecided-upsale-02".into(), language: Language::Es, ..upsale.clone() };
    let response = env.post(UPSALES, &reloaded).await;
    assert_eq!(response.status(), 409);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!((err.code, err.message.as_str()), (ErrorCode::Busy, upsale_undecided_message(Language::Es)));
    assert_eq!(env.crm_calls().len(), 2, "the refusal reached nobody");
    // The same key again, while Order Query does not answer in time either: nothing is known, nothing is sent.
    env.set_instrument(&reference, "visa-1111");
    env.sandbox().checkoutchamp.answer_queries_late(1);
    expect_error(env.post(UPSALES, &upsale).await, 504, ErrorCode::UpstreamTimeout, Language::Fr).await;
    assert_eq!(crm_lines(&env, &upsale.order_id), 1);
    // And once it answers: CheckoutChamp has no more of the product than before, so the upsale is sent, once.
    let answer: ImportOrderResponse = env.post(UPSALES, &upsale).await.json().await.unwrap();
    assert_eq!((answer.total, crm_lines(&env, &upsale.order_id)), (Money::eur(1290 + 450), 2));
    let actions: Vec<String> = env.crm_calls().into_iter().map(|(action, _)| action).collect();
    assert_eq!(actions, ["order/import", "upsale/import", "order/query", "order/query", "upsale/import"]);
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert!(cc.orders.unsettled_upsale(&upsale.order_id, 103).unwrap().is_none(), "settled with its answer");
}

/// The notes of an import and an upsale that got no answer hold the buyer's Amazon account: once nobody asked
/// about them within the placing expiry, the status sweep lets them go.
#[tokio::test]
async fn notes_nobody_asked_about_are_let_go_after_the_placing_expiry() {
    let env = start_impatient().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-0504"));
    let import = order_request(&token, &agreement, &[(104, 1)], "swept-import-01", Language::En);
    expect_error(env.post(ORDERS, &import).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    let (reference, upsale) = upsale_offer(&env, "swept-upsale-01", Language::En).await;
    env.set_instrument(&reference, "visa-0504");
    expect_error(env.post(UPSALES, &upsale).await, 504, ErrorCode::UpstreamTimeout, Language::En).await;
    let cc = env.state.checkoutchamp.clone().unwrap();
    assert!(cc.orders.unsettled(&agreement).unwrap().is_some() && cc.orders.unsettled_upsale(&upsale.order_id, 103).unwrap().is_some());

    let expiry = i64::try_from(env.state.config.placing_expiry.as_millis()).unwrap();
    let now = amazon_pay_server::store::now_ms();
    let mut sweeper = Sweeper::new(10);
    assert_eq!(sweeper.sweep_at(&cc, now + expiry - 60_000).await.unwrap().notes_let_go, 0, "kept within the expiry");
    assert!(cc.orders.unsettled(&agreement).unwrap().is_some());
    assert_eq!(sweeper.sweep_at(&cc, now + expiry + 1).await.unwrap().notes_let_go, 2);
    assert!(cc.orders.unsettled(&agreement).unwrap().is_none() && cc.orders.unsettled_upsale(&upsale.order_id, 103).unwrap().is_none());
    assert!(env.texts("SELECT buyer_user_id FROM checkoutchamp_unsettled").is_empty(), "no Amazon account kept");
    assert!(env.texts("SELECT order_id FROM checkoutchamp_unsettled_upsales").is_empty());
}

#[tokio::test]
async fn simulator_queries_orders_by_date_and_email() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let tagged = with(amazon_order_params(&token, &reference), &[("custom5", Some("apk-0123"))]);
    let order_id = success_of(&env.crm("order/import/", &tagged).await)["orderId"].as_str().unwrap().to_owned();
    let today = amazon_pay_server::checkoutchamp::types::month_day_year(amazon_pay_server::store::now_ms().div_euclid(86_400_000));
    let query = |email: &'static str| vec![("emailAddress", email), ("startDate", "01/01/2020"), ("endDate", "12/31/2099")];
    let page = env.crm("order/query/", &query("anna.schmidt@sandbox.example")).await;
    let page = success_of(&page);
    assert_eq!((page["totalResults"].as_u64(), page["data"][0]["orderId"].as_str()), (Some(1), Some(order_id.as_str())));
    assert_eq!(page["data"][0]["custom5"], "apk-0123", "the custom fields are answered");
    assert_eq!(error_of(&env.crm("order/query/", &query("paul@sandbox.example")).await), "No orders matching those parameters");
    let on_today = env.crm("order/query/", &[("startDate", today.as_str()), ("endDate", today.as_str())]).await;
    assert_eq!(success_of(&on_today)["totalResults"], 1);
    // Refusals, each changing nothing.
    for (params, says) in [
        (vec![("startDate", "01/01/2020")], "endDate is required"),
        (vec![("startDate", "2020-01-01"), ("endDate", "12/31/2099")], "startDate must be a date"),
        (vec![("startDate", "12/31/2099"), ("endDate", "01/01/2020")], "before or equal"),
        (vec![("startDate", "01/01/2020"), ("endDate", "12/31/2099"), ("resultsPerPage", "201")], "resultsPerPage"),
    ] {
        assert!(error_of(&env.crm("order/query/", &params).await).contains(says), "{params:?}");
    }
    let long = "x".repeat(51);
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let refused = with(amazon_order_params(&token, &reference), &[("custom5", Some(long.as_str()))]);
    assert!(error_of(&env.crm("order/import/", &refused).await).contains("custom5 must be 50 characters"));
    assert_eq!(env.sandbox().checkoutchamp.orders().len(), 1);
}

#[tokio::test]
async fn recurring_orders_need_the_buyers_consent() {
    let env = start().await;
    let (token, agreement) = env.amazon_order("jean", AgreementType::BillingAgreement, Some("visa-1111"));
    env.sandbox().amazon.update_order_reference(&agreement, |r| r.consent = false).unwrap();
    let request = order_request(&token, &agreement, &[(104, 1)], "recurring-key-01", Language::Fr);
    assert!(request.recurring);
    let err = expect_error(env.post(ORDERS, &request).await, 402, ErrorCode::ConsentRequired, Language::Fr).await;
    assert!(err.detail.unwrap().contains("BuyerConsentNotSet"), "decided by CheckoutChamp's answer");
    env.sandbox().amazon.update_order_reference(&agreement, |r| r.consent = true).unwrap();
    let first: ImportOrderResponse = env.post(ORDERS, &request).await.json().await.unwrap();
    let next = order_request(&token, &agreement, &[(104, 1)], "recurring-key-02", Language::Fr);
    let second: ImportOrderResponse = env.post(ORDERS, &next).await.json().await.unwrap();
    assert_ne!(first.order_id, second.order_id, "each recurring order is its own");
    assert_eq!(second.total, Money::eur(390));

    // The id must fit the flow.
    let (one_time_token, reference) = env.amazon_order("jean", AgreementType::OrderReference, Some("visa-1111"));
    let wrong = ImportOrderRequest { recurring: true, ..order_request(&one_time_token, &reference, &[(104, 1)], "recurring-key-03", Language::En) };
    let err = expect_error(env.post(ORDERS, &wrong).await, 400, ErrorCode::BadRequest, Language::En).await;
    assert!(err.detail.unwrap().contains("billing agreement"));
}

#[tokio::test]
async fn bad_requests_and_bad_tokens_reach_nobody() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let good = order_request(&token, &reference, &[(101, 1)], "bad-requests-01", Language::En);
    let bad = [
        ImportOrderRequest { idempotency_key: "short".into(), ..good.clone() },
        ImportOrderRequest { access_token: "Atza|has space".into(), ..good.clone() },
        ImportOrderRequest { access_token: String::new(), ..good.clone() },
        ImportOrderRequest { amazon_order_id: "S02-<script>".into(), ..good.clone() },
        ImportOrderRequest { items: vec![], ..good.clone() },
        ImportOrderRequest { items: vec![CampaignLine { product_id: 101, quantity: 100 }], ..good.clone() },
    ];
    for request in bad {
        expect_error(env.post(ORDERS, &request).await, 400, ErrorCode::BadRequest, Language::En).await;
    }
    let malformed = env.http.post(format!("{}{ORDERS}", env.base)).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);
    // A token Amazon does not know: the buyer must sign in again, and CheckoutChamp is not called.
    let forged = ImportOrderRequest { access_token: "Atza|forged".into(), ..good.clone() };
    let err = expect_error(env.post(ORDERS, &forged).await, 410, ErrorCode::SessionExpired, Language::En).await;
    assert!(err.detail.unwrap().contains("Amazon profile"));
    // The CRM refuses unknown products; its answer is relayed as an upstream error.
    let unknown = ImportOrderRequest { items: vec![CampaignLine { product_id: 999, quantity: 1 }], ..good };
    let err = expect_error(env.post(ORDERS, &unknown).await, 502, ErrorCode::UpstreamError, Language::En).await;
    assert_eq!(err.detail, None, "a 5xx: CheckoutChamp's text (\"Invalid product 999\") is in the log only");
    assert_eq!(env.crm_calls().len(), 1, "only the last request reached CheckoutChamp");
}

#[tokio::test]
async fn upsales_go_to_the_same_buyers_orders_once() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-1111"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "upsale-order-01", Language::En)).await.json().await.unwrap();
    // The upsell page logs in again and gets a new token for the same buyer.
    let upsell_token = env.sandbox().amazon.issue_token("anna", &["profile"]).unwrap();
    let upsale = ImportUpsaleRequest {
        access_token: upsell_token.clone(),
        order_id: order.order_id.clone(),
        product_id: 103,
        quantity: 2,
        idempotency_key: "upsale-key-0001".into(),
        language: Language::It,
    };
    let (a, b) = tokio::join!(env.post(UPSALES, &upsale), env.post(UPSALES, &upsale));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a: ImportOrderResponse = a.json().await.unwrap();
    assert_eq!(a, b.json::<ImportOrderResponse>().await.unwrap());
    assert_eq!(a.order_id, order.order_id);
    assert_eq!(a.total, Money::eur(1290 + 2 * 450));
    assert_eq!(a.items.len(), 2);
    let upsale_calls = env.crm_calls().into_iter().filter(|(action, _)| action == "upsale/import").count();
    assert_eq!(upsale_calls, 1, "a double click adds the product once");
    let stored = env.state.checkoutchamp.as_ref().unwrap().orders.order(&order.order_id).unwrap().unwrap();
    assert_eq!(stored.total, a.total);

    // Someone else's token, or an order this server did not import: not found, nothing sent.
    let jeans_token = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let theirs = ImportUpsaleRequest { access_token: jeans_token, idempotency_key: "upsale-key-0002".into(), ..upsale.clone() };
    expect_error(env.post(UPSALES, &theirs).await, 404, ErrorCode::NotFound, Language::It).await;
    let unknown = ImportUpsaleRequest { order_id: "NOSUCHORDER".into(), idempotency_key: "upsale-key-0003".into(), ..upsale.clone() };
    expect_error(env.post(UPSALES, &unknown).await, 404, ErrorCode::NotFound, Language::It).await;
    let zero = ImportUpsaleRequest { quantity: 0, idempotency_key: "upsale-key-0004".into(), ..upsale.clone() };
    expect_error(env.post(UPSALES, &zero).await, 400, ErrorCode::BadRequest, Language::It).await;

    // A declined upsale: the buyer's message, the order unchanged.
    env.set_instrument(&reference, "visa-0981");
    let declined = ImportUpsaleRequest { idempotency_key: "upsale-key-0005".into(), ..upsale };
    expect_upsale_declined(env.post(UPSALES, &declined).await, ErrorCode::SoftDecline, Language::It).await;
    assert_eq!(env.sandbox().checkoutchamp.order(&order.order_id).unwrap().items.len(), 2);
    assert_eq!(env.crm_calls().into_iter().filter(|(action, _)| action == "upsale/import").count(), 2);
}

/// `visa-2982`, picked by the buyer like any instrument (nothing changed on Amazon's side behind the test's back):
/// the order is approved, an upsale on it is declined as CheckoutChamp declines one, so an upsell page's decline
/// path can be rehearsed. The CRM's answer is its usual decline (`result` ERROR, the reason in `message`), no more;
/// the widget's endpoint tells the buyer a hard decline, and the order keeps what was paid.
#[tokio::test]
async fn an_order_paid_with_visa_2982_is_approved_and_its_upsales_declined() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-2982"));
    let order = success_of(&env.crm("order/import/", &amazon_order_params(&token, &reference)).await).clone();
    assert_eq!(order["orderStatus"], "COMPLETE");
    let id = order["orderId"].as_str().unwrap();
    for _ in 0..2 {
        let answer = env.crm("upsale/import/", &[("orderId", id), ("productId", "103")]).await;
        assert_eq!(answer, serde_json::json!({"result": "ERROR", "message": "Transaction Declined: AmazonRejected"}));
    }
    let kept = env.sandbox().checkoutchamp.order(id).unwrap();
    assert_eq!((kept.status, kept.items.len(), kept.total()), ("COMPLETE", 1, Money::eur(2 * 1290)), "a declined upsale changes nothing");

    // Through the widget's endpoints: the order is placed, the upsale told as a hard decline in the buyer's
    // language (this product not added, the order placed and nothing more charged; not "choose another payment
    // method", which the upsell page's read-only Wallet does not offer), and a second try (a new key, as the widget makes after a decline) is asked again and declined again.
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-2982"));
    let response = env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "visa-2982-order", Language::Fr)).await;
    assert_eq!(response.status(), 200);
    let order: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!(order.status, CrmOrderStatus::Complete);
    for key in ["visa-2982-upsale-1", "visa-2982-upsale-2"] {
        let upsale = ImportUpsaleRequest {
            access_token: token.clone(),
            order_id: order.order_id.clone(),
            product_id: 103,
            quantity: 1,
            idempotency_key: key.into(),
            language: Language::Fr,
        };
        let err = expect_upsale_declined(env.post(UPSALES, &upsale).await, ErrorCode::HardDecline, Language::Fr).await;
        assert!(err.detail.as_deref().unwrap_or_default().contains("AmazonRejected"), "{err:?}");
    }
    // The server's own calls (the test's direct ones above are not its): both tries reached CheckoutChamp.
    let upsales: Vec<_> = env.crm_calls().into_iter().filter(|(action, _)| action == "upsale/import").collect();
    assert_eq!(upsales.len(), 2, "{upsales:?}");
    assert_eq!(env.sandbox().checkoutchamp.order(&order.order_id).unwrap().items.len(), 1);
    let stored = env.state.checkoutchamp.as_ref().unwrap().orders.order(&order.order_id).unwrap().unwrap();
    assert_eq!(stored.total, Money::eur(1290), "the store keeps the order as it was paid");
}

/// A declined upsale on an order Amazon has not decided yet (`mc-4444`: CheckoutChamp's `PENDING`): the sentence
/// says the order was received and is being processed, not that it is placed, which it is not yet.
#[tokio::test]
async fn a_declined_upsale_on_a_pending_order_says_it_is_received_not_placed() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("mc-4444"));
    let response = env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "pending-order-01", Language::En)).await;
    let order: ImportOrderResponse = response.json().await.unwrap();
    assert_eq!(order.status, CrmOrderStatus::Pending);
    // The order reference's instrument soft-declines from now on: the upsale is declined, the order stays pending.
    env.set_instrument(&reference, "visa-0981");
    let upsale = ImportUpsaleRequest {
        access_token: token,
        order_id: order.order_id.clone(),
        product_id: 103,
        quantity: 1,
        idempotency_key: "pending-upsale-01".into(),
        language: Language::En,
    };
    let response = env.post(UPSALES, &upsale).await;
    assert_eq!(response.status(), 402);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, ErrorCode::SoftDecline, "{err:?}");
    let sentence = "We could not add this to your order. Your order has been received and is being processed, and nothing more was charged.";
    assert_eq!(err.message, sentence);
    assert_eq!(err.message, upsale_declined_message(Language::En, CrmOrderStatus::Pending));
}

const MERCHANT_KEY: &str = "merchant-test-key-0123456789abcdefghij";

/// A server whose sandbox CRM decides pending orders after 50 ms, and which asks about them every 50 ms.
async fn start_following() -> Env {
    start_with(|config| {
        config.sandbox_timings.settle_delay = Duration::from_millis(50);
        config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp").status_every = Duration::from_millis(50);
        config.merchant.api_keys = vec![MERCHANT_KEY.to_owned()];
    })
    .await
}

impl Env {
    /// The stored status of CheckoutChamp order `id`, once it is no longer `pending` (or after 10 s).
    async fn decided_status(&self, id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = self.texts(&format!("SELECT status FROM checkoutchamp_orders WHERE order_id = '{id}'"));
            if status != ["pending"] || Instant::now() > deadline {
                return status.concat();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn events_of(&self, id: &str) -> Vec<String> {
        self.texts(&format!("SELECT type FROM events WHERE order_id = '{id}' ORDER BY order_sequence"))
    }
}

/// An order CheckoutChamp imported as `PENDING` (Amazon's asynchronous authorization) was stored so forever:
/// the merchant API, the dashboard and the webhooks never saw it complete or fail. Now the server asks
/// CheckoutChamp (Order Query) and the stored status follows, with its event: `mc-4444` becomes `complete` with
/// `order.paid`, `visa-0002` `declined` with `order.failed`.
#[tokio::test]
async fn a_pending_order_follows_what_checkoutchamp_decides_later() {
    let env = start_following().await;
    for (instrument, key, status, event) in
        [("mc-4444", "follow-paid-01", "complete", "order.paid"), ("visa-0002", "follow-failed-01", "declined", "order.failed")]
    {
        let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some(instrument));
        let response = env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], key, Language::En)).await;
        let order: ImportOrderResponse = response.json().await.unwrap();
        assert_eq!(order.status, CrmOrderStatus::Pending, "{instrument}");
        assert_eq!(env.decided_status(&order.order_id).await, status, "{instrument}");
        assert_eq!(env.events_of(&order.order_id), ["order.placed", "order.pending", event], "{instrument}: one event for the change");
        // The merchant API shows the decided status, and finds it by it.
        let shown: Value = env
            .http
            .get(format!("{}/merchant/api/orders/{}", env.base, order.order_id))
            .bearer_auth(MERCHANT_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["state"], status, "{shown}");
    }
    let queries = env.crm_calls().into_iter().filter(|(path, _)| path == "order/query").count();
    assert!(queries >= 2, "each pending order was asked about: {queries}");
    // Decided orders are not asked about again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let later = env.crm_calls().into_iter().filter(|(path, _)| path == "order/query").count();
    assert_eq!(later, queries, "no more queries once nothing is pending");
}

/// A pending order CheckoutChamp cannot answer for (here: one it does not know) stays `pending`, with no
/// event, and the sweep says it failed; a sweep that found nothing to do asks nobody. Orders that stay pending
/// do not keep the others from being asked: the sweeps go round them all, `batch` at a time, each order once a
/// period (a sweep in the same period asks nobody again).
#[tokio::test]
async fn a_query_checkoutchamp_refuses_changes_nothing() {
    let env = start().await;
    let cc = env.state.checkoutchamp.clone().expect("sandbox CheckoutChamp");
    let period = cc.client.status_every().as_millis() as i64;
    let mut sweeper = Sweeper::new(2);
    assert_eq!(sweeper.sweep(&cc).await.unwrap(), Default::default());
    for (n, reference) in ["S02-1234567-1234561", "S02-1234567-1234562", "S02-1234567-1234563"].into_iter().enumerate() {
        let id = format!("UNKNOWN{n}");
        let pending = ImportOrderResponse { order_id: id.clone(), status: CrmOrderStatus::Pending, total: Money::eur(1290), items: vec![] };
        cc.orders.record_order(&format!("unknown-key-0{n}"), "f", reference, "amzn1.account.X", false, &pending).await.unwrap();
    }
    let queried = || -> Vec<String> { queried_orders(&env) };
    let t = amazon_pay_server::store::now_ms() + 1;
    for (at, expected) in [(t, &["UNKNOWN0", "UNKNOWN1"][..]), (t, &["UNKNOWN2"]), (t, &[]), (t + period, &["UNKNOWN0", "UNKNOWN1"])] {
        let before = queried().len();
        let swept = sweeper.sweep_at(&cc, at).await.unwrap();
        assert_eq!((swept.asked, swept.changed, swept.failed), (expected.len(), 0, expected.len()));
        assert_eq!(queried()[before..], *expected);
    }
    assert_eq!(env.texts("SELECT status FROM checkoutchamp_orders WHERE order_id = 'UNKNOWN1'"), ["pending"]);
    assert_eq!(env.events_of("UNKNOWN1"), ["order.placed", "order.pending"]);
}

/// The `orderId` of every Order Query the store recorded, oldest first.
fn queried_orders(env: &Env) -> Vec<String> {
    let calls = env.texts("SELECT request FROM upstream_calls WHERE service = 'checkoutchamp' AND action = 'order/query' ORDER BY id");
    calls.iter().map(|body| body.split('&').find_map(|p| p.strip_prefix("orderId=")).unwrap_or("?").to_owned()).collect()
}

/// Every instance swept on its own: N instances behind the balancer asked CheckoutChamp about each pending
/// order up to N times a period. Two instances on one store (one PostgreSQL database with
/// `AMAZON_PAY_TEST_SERVER_STORE=postgres`, else one SQLite file) now sweep at once and between them ask about
/// each order once a period: none twice, none left out, and nobody again until its next turn.
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_ask_about_each_order_once_a_period() {
    // Their own sweeps wait an hour: the test sweeps by hand.
    let quiet = |config: &mut Config| config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp").status_every = Duration::from_secs(3600);
    let env = start_with(quiet).await;
    let mut second = Config::sandbox_for_tests(env.dir.path().to_owned());
    if let Some(url) = &env.pg_url {
        second.database_url = url.parse().expect("a PostgreSQL URL");
    }
    quiet(&mut second);
    let (_, other) = Server::bind(second).await.expect("a second instance starts on the same store").spawn();
    let (one, two) = (env.state.checkoutchamp.clone().unwrap(), other.checkoutchamp.clone().unwrap());
    let ids: Vec<String> = (0..7).map(|n| format!("SHARED{n}")).collect();
    for (n, id) in ids.iter().enumerate() {
        let pending = ImportOrderResponse { order_id: id.clone(), status: CrmOrderStatus::Pending, total: Money::eur(1290), items: vec![] };
        one.orders
            .record_order(&format!("shared-key-0{n}"), "f", &format!("S02-7654321-000000{n}"), "amzn1.account.X", false, &pending)
            .await
            .unwrap();
    }
    let period = one.client.status_every().as_millis() as i64;
    let t = amazon_pay_server::store::now_ms() + 1;
    let (mut a, mut b) = (Sweeper::new(3), Sweeper::new(3));
    for at in [t, t + period] {
        let before = queried_orders(&env).len();
        // Both instances sweep at once, as often as it takes to work off the batch limit, and once more.
        for _ in 0..4 {
            let (x, y) = tokio::join!(a.sweep_at(&one, at), b.sweep_at(&two, at));
            x.unwrap();
            y.unwrap();
        }
        let mut asked = queried_orders(&env)[before..].to_vec();
        asked.sort();
        assert_eq!(asked, ids, "each order asked once in the period, by one of the two");
    }
}

/// A paid order was never asked about again, so a refund or cancel made in the CRM stayed unseen: the merchant
/// API, the dashboard and the webhooks kept saying paid. A paid order is now asked again every
/// `CHECKOUTCHAMP_FOLLOW_PAID_EVERY_MS` for `CHECKOUTCHAMP_FOLLOW_PAID_DAYS`: the merchant's refund in the
/// (sandbox) CRM becomes one `order.refunded`, a cancel one `order.cancelled`, also of an order that was pending
/// first; then the order is let go.
#[tokio::test]
async fn a_refund_or_cancel_made_in_the_crm_reaches_the_order_once() {
    let env = start_with(|config| {
        config.sandbox_timings.settle_delay = Duration::from_millis(50);
        let cc = config.checkoutchamp.as_mut().expect("sandbox CheckoutChamp");
        cc.status_every = Duration::from_millis(50);
        cc.paid_every = Duration::from_millis(50);
        config.merchant.api_keys = vec![MERCHANT_KEY.to_owned()];
    })
    .await;
    let cc = env.state.checkoutchamp.clone().unwrap();
    for (instrument, key, action, event, before) in [
        ("visa-1111", "refund-paid-01", "order/refund/", "order.refunded", &["order.placed", "order.paid"][..]),
        ("visa-1111", "cancel-paid-01", "order/cancel/", "order.cancelled", &["order.placed", "order.paid"]),
        ("mc-4444", "refund-later-01", "order/refund/", "order.refunded", &["order.placed", "order.pending", "order.paid"]),
    ] {
        let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some(instrument));
        let order: ImportOrderResponse =
            env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], key, Language::En)).await.json().await.unwrap();
        let id = order.order_id;
        assert_eq!(env.decided_status(&id).await, "complete", "{instrument}");
        assert!(cc.orders.next_query_at(&id).unwrap().is_some(), "a paid order is followed");
        // Asked again while nothing changed: no event.
        let asked = queried_orders(&env).len();
        wait_until(|| queried_orders(&env).len() >= asked + 2).await;
        assert_eq!(env.events_of(&id), before, "{instrument}: no event while nothing changed");

        let answer = env.crm(action, &[("orderId", id.as_str())]).await;
        assert_eq!(answer["result"], "SUCCESS", "{answer}");
        wait_until(|| env.events_of(&id).len() > before.len()).await;
        let mut expected = before.to_vec();
        expected.push(event);
        assert_eq!(env.events_of(&id), expected, "{action}: one event for the change");
        assert_eq!(env.texts(&format!("SELECT status FROM checkoutchamp_orders WHERE order_id = '{id}'")), ["other"]);
        assert_eq!(cc.orders.next_query_at(&id).unwrap(), None, "let go once refunded or cancelled");
        let shown: Value =
            env.http.get(format!("{}/merchant/api/orders/{id}", env.base)).bearer_auth(MERCHANT_KEY).send().await.unwrap().json().await.unwrap();
        assert_eq!(shown["state"], "other", "{shown}");
        let asked = queried_orders(&env).iter().filter(|o| **o == id).count();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(queried_orders(&env).iter().filter(|o| **o == id).count(), asked, "not asked about any more");
        assert_eq!(env.events_of(&id), expected, "and no second event");
    }
}

/// A paid order is followed for its window only (`CHECKOUTCHAMP_FOLLOW_PAID_DAYS` after its import), and not at
/// all with 0 days; the sandbox CRM refuses what a real one would (a refund of an unpaid order, a partial one).
#[tokio::test]
async fn a_paid_order_is_followed_for_its_window_only() {
    let env = start_with(|config| config.checkoutchamp.as_mut().unwrap().status_every = Duration::from_secs(3600)).await;
    let cc = env.state.checkoutchamp.clone().unwrap();
    let paid = ImportOrderResponse { order_id: "PAID1".into(), status: CrmOrderStatus::Complete, total: Money::eur(1290), items: vec![] };
    cc.orders.record_order("window-key-01", "f", "S02-1111111-0000001", "amzn1.account.X", false, &paid).await.unwrap();
    let due = cc.orders.next_query_at("PAID1").unwrap().expect("followed");
    let mut sweeper = Sweeper::new(10);
    assert_eq!(sweeper.sweep_at(&cc, due - 1).await.unwrap().asked, 0, "not before its turn");
    assert_eq!(sweeper.sweep_at(&cc, due).await.unwrap().asked, 1, "asked at its turn");
    let window = amazon_pay_server::checkoutchamp::Follow::default().paid_for_ms;
    let after_window = amazon_pay_server::store::now_ms() + window + 1000;
    assert_eq!(sweeper.sweep_at(&cc, after_window).await.unwrap().asked, 0, "past its window");
    assert_eq!(cc.orders.next_query_at("PAID1").unwrap(), None, "let go");

    let never = start_with(|config| config.checkoutchamp.as_mut().unwrap().paid_for = Duration::ZERO).await;
    let cc = never.state.checkoutchamp.clone().unwrap();
    cc.orders.record_order("window-key-02", "f", "S02-1111111-0000002", "amzn1.account.X", false, &paid).await.unwrap();
    assert_eq!(cc.orders.next_query_at("PAID1").unwrap(), None, "0 days: paid orders are not followed");

    let refused = env.crm("order/refund/", &[("orderId", "NOPE")]).await;
    assert_eq!(error_of(&refused), "Invalid orderId");
    let partial = env.crm("order/refund/", &[("orderId", "NOPE"), ("refundType", "PARTIAL")]).await;
    assert!(error_of(&partial).contains("in full only"), "{partial}");
}

/// An order an older release imported during a rolling restart names no `next_query_at_ms` (it does not know
/// the column): the column's default makes it due at once, so this release follows it too (were it `NULL`, a
/// pending order imported then would stay pending for ever); one neither pending nor paid is let go.
#[tokio::test]
async fn an_order_an_older_release_imported_is_followed() {
    let env = start_with(|config| config.checkoutchamp.as_mut().unwrap().status_every = Duration::from_secs(3600)).await;
    let cc = env.state.checkoutchamp.clone().unwrap();
    let now = amazon_pay_server::store::now();
    let insert = format!(
        "INSERT INTO checkoutchamp_orders (order_id, amazon_order_id, buyer_user_id, recurring, status, total_minor, currency, created_at, updated_at)
         VALUES ('OLDPENDING', 'S02-2222222-0000001', 'amzn1.account.X', 0, 'pending', 1290, 'EUR', {now}, {now}),
                ('OLDPARTIAL', 'S02-2222222-0000002', 'amzn1.account.X', 0, 'partial', 1290, 'EUR', {now}, {now})"
    );
    match &env.pg_url {
        Some(url) => support::pg::execute(url, &insert),
        None => {
            let db = rusqlite::Connection::open(env.dir.path().join("amazon-pay.sqlite")).unwrap();
            db.busy_timeout(Duration::from_secs(5)).unwrap();
            db.execute_batch(&insert).unwrap();
        }
    }
    let swept = Sweeper::new(10).sweep(&cc).await.unwrap();
    assert_eq!((swept.asked, queried_orders(&env)), (1, vec!["OLDPENDING".to_owned()]));
    assert_eq!(cc.orders.next_query_at("OLDPARTIAL").unwrap(), None, "neither pending nor paid: let go");
}

async fn wait_until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "not within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn status_request(token: &str, order_id: &str, language: Language) -> CrmStatusRequest {
    CrmStatusRequest { access_token: token.to_owned(), order_id: order_id.to_owned(), language }
}

impl Env {
    /// What the order-status endpoint answers `token` for `order_id`, once it is no longer `pending` (or after 10 s).
    async fn buyer_sees_decided(&self, token: &str, order_id: &str) -> CrmOrderStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let response = self.post(ORDER_STATUS, &status_request(token, order_id, Language::En)).await;
            assert_eq!(response.status(), 200);
            let state: CrmOrderState = response.json().await.unwrap();
            assert_eq!(state.order_id, order_id);
            if state.status != CrmOrderStatus::Pending || Instant::now() > deadline {
                return state.status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The lander's and upsell page's buyer follows a pending order through the order-status endpoint: pending, then
/// what CheckoutChamp decided (`mc-4444` complete, `visa-0002` declined), read from the store (the endpoint
/// never asks CheckoutChamp itself: the order queries are the sweep's only).
#[tokio::test]
async fn the_buyer_reads_a_pending_orders_outcome() {
    let env = start_following().await;
    for (instrument, key, decided) in
        [("mc-4444", "status-paid-01", CrmOrderStatus::Complete), ("visa-0002", "status-failed-01", CrmOrderStatus::Declined)]
    {
        let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some(instrument));
        let order: ImportOrderResponse =
            env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], key, Language::En)).await.json().await.unwrap();
        assert_eq!(order.status, CrmOrderStatus::Pending, "{instrument}");
        // The upsell page's own sign-in: a new token of the same buyer reads it too.
        let upsell_token = env.sandbox().amazon.issue_token("anna", &["profile"]).unwrap();
        assert_eq!(env.buyer_sees_decided(&upsell_token, &order.order_id).await, decided, "{instrument}");
        let queries = env.crm_calls().into_iter().filter(|(path, _)| path == "order/query").count();
        for _ in 0..5 {
            let state: CrmOrderState = env.post(ORDER_STATUS, &status_request(&token, &order.order_id, Language::En)).await.json().await.unwrap();
            assert_eq!(state.status, decided);
        }
        let after = env.crm_calls().into_iter().filter(|(path, _)| path == "order/query").count();
        assert_eq!(after, queries, "reading the status asks CheckoutChamp nothing");
    }
}

/// Nobody but the order's buyer learns anything of it: another Amazon account's token, an unknown order, a
/// malformed token or order id get the same refusals as an upsale would, and nothing is asked upstream.
#[tokio::test]
async fn an_orders_status_is_told_to_its_buyer_only() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("mc-4444"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "status-owner-01", Language::En)).await.json().await.unwrap();
    let state: CrmOrderState = env.post(ORDER_STATUS, &status_request(&token, &order.order_id, Language::En)).await.json().await.unwrap();
    assert_eq!(state, CrmOrderState { order_id: order.order_id.clone(), status: CrmOrderStatus::Pending });
    let calls = env.crm_calls().len();

    let jeans = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let theirs =
        expect_error(env.post(ORDER_STATUS, &status_request(&jeans, &order.order_id, Language::De)).await, 404, ErrorCode::NotFound, Language::De)
            .await;
    let unknown =
        expect_error(env.post(ORDER_STATUS, &status_request(&token, "NOSUCHORDER", Language::De)).await, 404, ErrorCode::NotFound, Language::De)
            .await;
    assert_eq!(theirs.message, unknown.message, "another buyer's order looks like no order at all");
    expect_error(
        env.post(ORDER_STATUS, &status_request("not a token", &order.order_id, Language::Fr)).await,
        400,
        ErrorCode::BadRequest,
        Language::Fr,
    )
    .await;
    expect_error(env.post(ORDER_STATUS, &status_request(&token, "", Language::Fr)).await, 400, ErrorCode::BadRequest, Language::Fr).await;
    expect_error(env.post(ORDER_STATUS, &status_request(&token, &"O".repeat(65), Language::Fr)).await, 400, ErrorCode::BadRequest, Language::Fr)
        .await;
    // A token Amazon does not accept: sign in again.
    let unknown_token = status_request("Atza|no-such-token", &order.order_id, Language::En);
    expect_error(env.post(ORDER_STATUS, &unknown_token).await, 410, ErrorCode::SessionExpired, Language::En).await;
    assert_eq!(env.crm_calls().len(), calls, "nothing reached CheckoutChamp");
}

impl Env {
    /// Requests that reached the sandbox's Amazon profile API so far.
    fn profile_reads(&self) -> u64 {
        self.sandbox().amazon.profile_reads()
    }

    async fn status_of(&self, token: &str, order_id: &str) -> CrmOrderStatus {
        let response = self.post(ORDER_STATUS, &status_request(token, order_id, Language::En)).await;
        assert_eq!(response.status(), 200);
        let state: CrmOrderState = response.json().await.unwrap();
        state.status
    }
}

/// A page polls its order's status up to ~50 times; Amazon's profile API (throttled) is asked once per token
/// within the lifetime: the lander's own token not at all after Import Order read its profile, the upsell
/// page's new token once. Before, every read was a profile call.
#[tokio::test]
async fn status_polls_ask_amazon_once_per_token_within_the_lifetime() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("mc-4444"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "status-cache-01", Language::En)).await.json().await.unwrap();
    let after_import = env.profile_reads();
    assert_eq!(after_import, 1, "Import Order reads the profile once");
    for _ in 0..10 {
        assert_eq!(env.status_of(&token, &order.order_id).await, CrmOrderStatus::Pending);
    }
    assert_eq!(env.profile_reads(), after_import, "the token Import Order read is remembered");
    let upsell_token = env.sandbox().amazon.issue_token("anna", &["profile"]).unwrap();
    for _ in 0..10 {
        assert_eq!(env.status_of(&upsell_token, &order.order_id).await, CrmOrderStatus::Pending);
    }
    assert_eq!(env.profile_reads(), after_import + 1, "a new token is asked about once");
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    assert_eq!(cc.token_owners.len(), 2);
}

/// The memory holds only what Amazon accepted: another buyer's token and a refused token still get 404 and
/// 410 (and are asked of Amazon every time, never answered from the memory), and a token Amazon refuses
/// later is forgotten by the next profile read that learns it (here an upsale's, which always asks Amazon).
#[tokio::test]
async fn only_tokens_amazon_accepted_are_remembered() {
    let env = start().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("mc-4444"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "status-cache-02", Language::En)).await.json().await.unwrap();
    assert_eq!(env.status_of(&token, &order.order_id).await, CrmOrderStatus::Pending);
    let jeans = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let before = env.profile_reads();
    for _ in 0..3 {
        expect_error(env.post(ORDER_STATUS, &status_request(&jeans, &order.order_id, Language::En)).await, 404, ErrorCode::NotFound, Language::En)
            .await;
        let refused = status_request("Atza|no-such-token", &order.order_id, Language::En);
        expect_error(env.post(ORDER_STATUS, &refused).await, 410, ErrorCode::SessionExpired, Language::En).await;
    }
    // Jean's token is Jean's (remembered as such: still not Anna's order); the refused one is asked every time.
    assert_eq!(env.profile_reads(), before + 1 + 3);

    // Anna's token expires at Amazon: the upsale asks Amazon, is refused, and the memory forgets the token.
    assert!(env.sandbox().amazon.expire_token(&token));
    let upsale = ImportUpsaleRequest {
        access_token: token.clone(),
        order_id: order.order_id.clone(),
        product_id: 103,
        quantity: 1,
        idempotency_key: "status-cache-upsale-02".into(),
        language: Language::En,
    };
    expect_error(env.post(UPSALES, &upsale).await, 410, ErrorCode::SessionExpired, Language::En).await;
    expect_error(env.post(ORDER_STATUS, &status_request(&token, &order.order_id, Language::En)).await, 410, ErrorCode::SessionExpired, Language::En)
        .await;
}

/// After the lifetime (5 minutes; the memory's clock moved forward instead of waiting) the token's account is
/// asked of Amazon again, and remembered again from then.
#[tokio::test]
async fn after_the_lifetime_amazon_is_asked_again() {
    use amazon_pay_server::checkoutchamp::token_owners::DEFAULT_LIFETIME;
    let env = start().await;
    let owners = &env.state.checkoutchamp.as_ref().unwrap().token_owners;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("mc-4444"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "status-cache-03", Language::En)).await.json().await.unwrap();
    let before = env.profile_reads();
    owners.advance_clock(DEFAULT_LIFETIME - Duration::from_secs(1));
    assert_eq!(env.status_of(&token, &order.order_id).await, CrmOrderStatus::Pending);
    assert_eq!(env.profile_reads(), before, "within the lifetime");
    owners.advance_clock(Duration::from_secs(1));
    assert_eq!(env.status_of(&token, &order.order_id).await, CrmOrderStatus::Pending);
    assert_eq!(env.profile_reads(), before + 1, "the lifetime is over: Amazon is asked");
    assert_eq!(env.status_of(&token, &order.order_id).await, CrmOrderStatus::Pending);
    assert_eq!(env.profile_reads(), before + 1, "and its answer remembered again");
}

/// An upsale on an order Amazon declined (stored `declined` by the sweep) is refused before CheckoutChamp is
/// asked: a hard decline (the upsell page ends its offer) with the declined order's sentence in the buyer's
/// language, the order, its events and the imports unchanged. Before, it went to CheckoutChamp.
#[tokio::test]
async fn an_upsale_on_a_declined_order_is_refused_without_asking_checkoutchamp() {
    let env = start_following().await;
    let (token, reference) = env.amazon_order("anna", AgreementType::OrderReference, Some("visa-0002"));
    let order: ImportOrderResponse =
        env.post(ORDERS, &order_request(&token, &reference, &[(101, 1)], "declined-order-01", Language::Fr)).await.json().await.unwrap();
    assert_eq!(env.decided_status(&order.order_id).await, "declined");
    let cc = env.state.checkoutchamp.as_ref().unwrap();
    let (imports, events) = (cc.orders.import_count().unwrap(), env.events_of(&order.order_id));
    let upsales = || env.crm_calls().into_iter().filter(|(action, _)| action == "upsale/import").count();
    for lang in Language::ALL {
        let upsale = ImportUpsaleRequest {
            access_token: token.clone(),
            order_id: order.order_id.clone(),
            product_id: 103,
            quantity: 1,
            idempotency_key: format!("declined-upsale-{}", lang.code()),
            language: lang,
        };
        let response = env.post(UPSALES, &upsale).await;
        assert_eq!(response.status(), 402);
        let err: ApiError = response.json().await.unwrap();
        assert_eq!((err.code, err.message.as_str()), (ErrorCode::HardDecline, crm_declined_message(lang)), "{lang:?}");
    }
    assert_eq!(upsales(), 0, "no upsale reached CheckoutChamp");
    assert_eq!(cc.orders.import_count().unwrap(), imports, "no import stored");
    assert_eq!(env.events_of(&order.order_id), events, "no event");
    let stored = cc.orders.order(&order.order_id).unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.total), ("declined", Money::eur(1290)));
    // Another buyer still learns nothing of it (not found, not "declined").
    let jeans = env.sandbox().amazon.issue_token("jean", &["profile"]).unwrap();
    let theirs = ImportUpsaleRequest {
        access_token: jeans,
        order_id: order.order_id.clone(),
        product_id: 103,
        quantity: 1,
        idempotency_key: "declined-upsale-jean".into(),
        language: Language::En,
    };
    expect_error(env.post(UPSALES, &theirs).await, 404, ErrorCode::NotFound, Language::En).await;
}
