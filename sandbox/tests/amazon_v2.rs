//! The Amazon Pay API v2 simulator driven by this project's own client (`amazon-pay-v2`) and the hosted pages
//! over real HTTP: states and transitions per scenario, idempotent POSTs, signature refusals with Amazon's
//! reasonCodes, and SNS notifications signed with the sandbox's certificate. (Amazon's own Node SDK drives it
//! in tests/sdk/amazon_sdk.test.mjs.)

mod support;

use amazon_pay_sandbox::{Sandbox, SandboxConfig, SimTimings, SANDBOX_PRIVATE_KEY_PEM, SANDBOX_PUBLIC_KEY_ID, SANDBOX_SNS_CERT_PEM};
use amazon_pay_v2::models::*;
use amazon_pay_v2::sns::SnsMessage;
use amazon_pay_v2::{button, Algorithm, Client, ClientConfig, Environment, PrivateKey, Region, RetryPolicy};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Env {
    base: String,
    sandbox: Arc<Sandbox>,
    http: reqwest::Client,
    client: Client,
    notes: Arc<Mutex<Vec<String>>>,
}

/// A receiver that records every notification body.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let notes = Arc::new(Mutex::new(Vec::new()));
    let log = notes.clone();
    let app = axum::Router::new().route(
        "/amazon/ipn",
        axum::routing::post(move |body: String| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/amazon/ipn", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, notes)
}

async fn start() -> Env {
    let (notify, notes) = receiver().await;
    let timings = SimTimings {
        settle_delay: Duration::from_millis(40),
        upstream_hold: Duration::from_millis(10),
        notify_retry_delays: vec![Duration::from_millis(10); 11],
        notify_attempt_timeout: Duration::from_secs(5),
    };
    let config = SandboxConfig { timings, amazon_notify_url: Some(notify), ..SandboxConfig::default() };
    let (base, sandbox) = support::serve(config).await;
    let mut cfg = ClientConfig::new(SANDBOX_PUBLIC_KEY_ID, key(), Region::Eu, Environment::Sandbox);
    cfg.endpoint = Some(format!("{base}/sandbox/amazon-pay"));
    cfg.retry = RetryPolicy { max_attempts: 2, base_backoff: Duration::from_millis(1), max_backoff: Duration::from_millis(1) };
    let client = Client::new(cfg).unwrap();
    let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    Env { base, sandbox, http, client, notes }
}

fn key() -> PrivateKey {
    PrivateKey::from_pem(SANDBOX_PRIVATE_KEY_PEM).unwrap()
}

fn hidden_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {name} in {page}")) + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

fn eur(minor: u64) -> Price {
    Price::from_minor(minor, "EUR")
}

impl Env {
    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
    }

    /// Button (signed with the sandbox merchant's key, V2) → sign in → choose: the review URL and session id.
    async fn buyer_checkout(&self, instrument: &str) -> (String, String) {
        let payload = button::ButtonPayload {
            web_checkout_details: button::ButtonWebCheckoutDetails {
                checkout_review_return_url: Some("https://shop.example/review".into()),
                ..Default::default()
            },
            store_id: "amzn1.application-oa2-client.test".into(),
            scopes: vec!["name".into(), "email".into()],
            merchant_metadata: Some(MerchantMetadata { merchant_reference_id: Some("CO-1".into()), ..Default::default() }),
            ..Default::default()
        };
        let signed = button::signed_button(&key(), SANDBOX_PUBLIC_KEY_ID, Algorithm::V2, &payload);
        let page = self
            .post_form(
                "/sandbox/amazon/checkout/initiate",
                &[
                    ("payloadJSON", &signed.payload_json),
                    ("signature", &signed.signature),
                    ("publicKeyId", SANDBOX_PUBLIC_KEY_ID),
                    ("algorithm", "AMZN-PAY-RSASSA-PSS-V2"),
                ],
            )
            .await;
        assert_eq!(page.status(), 200);
        let id = hidden_value(&page.text().await.unwrap(), "amazonCheckoutSessionId");
        self.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &id), ("buyer", "anna")]).await;
        let back = self
            .post_form(
                "/sandbox/amazon/checkout/choose",
                &[("amazonCheckoutSessionId", &id), ("buyer", "anna"), ("address", "anna-home"), ("instrument", instrument)],
            )
            .await;
        assert_eq!(back.status(), StatusCode::SEE_OTHER);
        (location(&back), id)
    }

    /// Update with amount, intent and result URL: the amazonPayRedirectUrl.
    async fn update(&self, id: &str, intent: PaymentIntent, pending_ok: bool) -> String {
        let body = UpdateCheckoutSessionRequest {
            web_checkout_details: Some(WebCheckoutDetails {
                checkout_result_return_url: Some("https://shop.example/result".into()),
                ..Default::default()
            }),
            payment_details: Some(PaymentDetails {
                payment_intent: Some(intent),
                can_handle_pending_authorization: Some(pending_ok),
                charge_amount: Some(eur(1234)),
                ..Default::default()
            }),
            merchant_metadata: Some(MerchantMetadata { merchant_reference_id: Some("CO-1".into()), ..Default::default() }),
        };
        let session = self.client.update_checkout_session(id, &body).await.unwrap();
        assert!(session.constraints.is_empty(), "{:?}", session.constraints);
        session.web_checkout_details.amazon_pay_redirect_url.expect("amazonPayRedirectUrl once nothing blocks")
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }

    async fn complete(&self, id: &str) -> Result<CheckoutSession, amazon_pay_v2::Error> {
        self.client
            .complete_checkout_session(
                id,
                &CompleteCheckoutSessionRequest { charge_amount: eur(1234), total_order_amount: None },
                &format!("complete-{id}"),
            )
            .await
    }
}

async fn until<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn approved_checkout_capture_and_refund_with_notifications() {
    let env = start().await;
    let (review, id) = env.buyer_checkout("visa-1111").await;
    assert_eq!(review, format!("https://shop.example/review?amazonCheckoutSessionId={id}"));
    let session = env.client.get_checkout_session(&id).await.unwrap();
    assert_eq!(session.status_details.state, CheckoutSessionState::Open);
    assert_eq!(session.buyer.unwrap().name.as_deref(), Some("Anna Schmidt"));
    assert_eq!(session.shipping_address.unwrap().city.as_deref(), Some("Berlin"));
    assert_eq!(session.payment_preferences[0].payment_descriptor.as_deref(), Some("Visa ••••1111"));
    assert_eq!(session.merchant_metadata.merchant_reference_id.as_deref(), Some("CO-1"), "the button's reference comes back");
    let ids: Vec<&str> = session.constraints.iter().map(|c| c.constraint_id.as_str()).collect();
    assert_eq!(ids, ["CheckoutResultReturnUrlNotSet", "ChargeAmountNotSet", "PaymentIntentNotSet"]);
    assert!(session.web_checkout_details.amazon_pay_redirect_url.is_none());

    let redirect = env.update(&id, PaymentIntent::Authorize, false).await;
    let early = env.complete(&id).await.unwrap_err();
    assert_eq!(early.reason_code(), Some("InvalidCheckoutSessionStatus"), "not before the buyer was redirected");
    let back = env.get(&redirect).await;
    assert_eq!(location(&back), format!("https://shop.example/result?amazonCheckoutSessionId={id}"));
    let wrong = env
        .client
        .complete_checkout_session(&id, &CompleteCheckoutSessionRequest { charge_amount: eur(1), total_order_amount: None }, "k-wrong")
        .await
        .unwrap_err();
    assert_eq!(wrong.reason_code(), Some("InvalidParameterValue"));
    let done = env.complete(&id).await.unwrap();
    assert_eq!(done.status_details.state, CheckoutSessionState::Completed);
    let charge_id = done.charge_id.unwrap();
    let permission_id = done.charge_permission_id.unwrap();
    assert_eq!(env.complete(&id).await.unwrap().charge_id.as_deref(), Some(charge_id.as_str()), "same key: same answer");
    assert_eq!(env.client.get_charge(&charge_id).await.unwrap().status_details.state, ChargeState::Authorized);
    assert_eq!(env.client.get_charge_permission(&permission_id).await.unwrap().status_details.state, ChargePermissionState::Chargeable);

    let over =
        env.client.capture_charge(&charge_id, &CaptureChargeRequest { capture_amount: eur(9999), soft_descriptor: None }, "cap-0").await.unwrap_err();
    assert_eq!(over.reason_code(), Some("TransactionAmountExceeded"));
    let captured =
        env.client.capture_charge(&charge_id, &CaptureChargeRequest { capture_amount: eur(1234), soft_descriptor: None }, "cap-1").await.unwrap();
    assert_eq!(captured.status_details.state, ChargeState::Captured);
    let reused =
        env.client.capture_charge(&charge_id, &CaptureChargeRequest { capture_amount: eur(1000), soft_descriptor: None }, "cap-1").await.unwrap_err();
    assert_eq!(reused.reason_code(), Some("DuplicateIdempotencyKey"), "one key, another request");

    let too_much = env
        .client
        .create_refund(&CreateRefundRequest { charge_id: charge_id.clone(), refund_amount: eur(2000), soft_descriptor: None }, "ref-0")
        .await
        .unwrap_err();
    assert_eq!(too_much.reason_code(), Some("TransactionAmountExceeded"));
    let refund = env
        .client
        .create_refund(&CreateRefundRequest { charge_id: charge_id.clone(), refund_amount: eur(234), soft_descriptor: None }, "ref-1")
        .await
        .unwrap();
    assert_eq!(refund.status_details.state, RefundState::RefundInitiated);
    let again = env
        .client
        .create_refund(&CreateRefundRequest { charge_id: charge_id.clone(), refund_amount: eur(234), soft_descriptor: None }, "ref-1")
        .await
        .unwrap();
    assert_eq!(again.refund_id, refund.refund_id, "a retried refund is not a second refund");
    until("Refunded", async || (env.client.get_refund(&refund.refund_id).await.unwrap().status_details.state == RefundState::Refunded).then_some(()))
        .await;

    // Notifications: one per change, each a signed SNS message the sandbox's certificate verifies.
    let notes = until("3 notifications", async || {
        let n = env.notes.lock().unwrap().clone();
        (n.len() >= 3).then_some(n)
    })
    .await;
    let mut kinds = Vec::new();
    for body in notes {
        let m: SnsMessage = serde_json::from_str(&body).unwrap();
        assert_eq!(amazon_pay_v2::sns::verify(&m, SANDBOX_SNS_CERT_PEM), Ok(()));
        assert!(m.signing_cert_url.starts_with(&env.base));
        let ipn: Value = serde_json::from_str(&m.message).unwrap();
        assert_eq!(ipn["ChargePermissionId"], permission_id.as_str());
        kinds.push(format!("{}:{}", ipn["ObjectType"].as_str().unwrap(), ipn["ObjectId"].as_str().unwrap()));
    }
    assert!(kinds.contains(&format!("CHARGE:{charge_id}")) && kinds.contains(&format!("REFUND:{}", refund.refund_id)), "{kinds:?}");
    let cert = env.get(&format!("{}/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem", env.base)).await.text().await.unwrap();
    assert_eq!(cert, SANDBOX_SNS_CERT_PEM);
}

#[tokio::test]
async fn declines_cancel_the_session_with_amazons_reason() {
    let env = start().await;
    let (_, id) = env.buyer_checkout("amex-0982").await;
    let redirect = env.update(&id, PaymentIntent::Authorize, false).await;
    assert_eq!(location(&env.get(&redirect).await), format!("https://shop.example/result?amazonCheckoutSessionId={id}"));
    let session = env.client.get_checkout_session(&id).await.unwrap();
    assert_eq!(session.status_details.state, CheckoutSessionState::Canceled);
    assert_eq!(session.status_details.reason_code.as_deref(), Some("Declined"));
    assert_eq!(env.complete(&id).await.unwrap_err().reason_code(), Some("CheckoutSessionCanceled"));

    // The "session expired" instrument: the shop finds the session expired when it reads it.
    let (_, id) = env.buyer_checkout("visa-0024").await;
    let session = env.client.get_checkout_session(&id).await.unwrap();
    assert_eq!(session.status_details.state, CheckoutSessionState::Canceled);
    assert_eq!(session.status_details.reason_code.as_deref(), Some("Expired"));
    let update = env.client.update_checkout_session(&id, &UpdateCheckoutSessionRequest::default()).await.unwrap_err();
    assert_eq!((update.reason_code(), update.status()), (Some("InvalidCheckoutSessionStatus"), Some(422)));
}

#[tokio::test]
async fn mfa_passed_and_abandoned_and_soft_decline_then_another_instrument() {
    let env = start().await;
    let (_, id) = env.buyer_checkout("mc-3ds0").await;
    let redirect = env.update(&id, PaymentIntent::Authorize, false).await;
    let page = env.get(&redirect).await.text().await.unwrap();
    assert!(page.contains("Security code"));
    let back = env.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "cancel")]).await;
    assert_eq!(location(&back), format!("https://shop.example/result?amazonCheckoutSessionId={id}"));
    let session = env.client.get_checkout_session(&id).await.unwrap();
    assert_eq!(session.status_details.reason_code.as_deref(), Some("BuyerCanceled"));

    let (_, id) = env.buyer_checkout("mc-3ds1").await;
    let redirect = env.update(&id, PaymentIntent::AuthorizeWithCapture, false).await;
    env.get(&redirect).await;
    let wrong = env.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "verify"), ("code", "000000")]).await;
    assert_eq!(wrong.status(), 400);
    let ok = env.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "verify"), ("code", "123456")]).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let done = env.complete(&id).await.unwrap();
    let charge = env.client.get_charge(done.charge_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(charge.status_details.state, ChargeState::Captured, "AuthorizeWithCapture");

    let (_, id) = env.buyer_checkout("visa-0981").await;
    let redirect = env.update(&id, PaymentIntent::Authorize, false).await;
    let page = env.get(&redirect).await.text().await.unwrap();
    assert!(page.contains("Choose another payment method"), "{page}");
    let again = env.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("instrument", "visa-1111")]).await;
    assert_eq!(location(&again), redirect);
    assert_eq!(location(&env.get(&redirect).await), format!("https://shop.example/result?amazonCheckoutSessionId={id}"));
    assert_eq!(env.complete(&id).await.unwrap().status_details.state, CheckoutSessionState::Completed);
}

#[tokio::test]
async fn pending_authorization_settles_and_cancel_and_close() {
    let env = start().await;
    let (_, id) = env.buyer_checkout("mc-4444").await;
    let redirect = env.update(&id, PaymentIntent::Authorize, true).await;
    env.get(&redirect).await;
    let done = env.complete(&id).await.unwrap();
    let charge_id = done.charge_id.unwrap();
    assert_eq!(env.client.get_charge(&charge_id).await.unwrap().status_details.state, ChargeState::AuthorizationInitiated);
    until("Authorized", async || (env.client.get_charge(&charge_id).await.unwrap().status_details.state == ChargeState::Authorized).then_some(()))
        .await;
    let canceled = env.client.cancel_charge(&charge_id, &CancelChargeRequest { cancellation_reason: Some("out of stock".into()) }).await.unwrap();
    assert_eq!(canceled.status_details.state, ChargeState::Canceled);
    let capture =
        env.client.capture_charge(&charge_id, &CaptureChargeRequest { capture_amount: eur(1), soft_descriptor: None }, "c").await.unwrap_err();
    assert_eq!((capture.reason_code(), capture.status()), (Some("InvalidChargeStatus"), Some(422)));
    let closed = env
        .client
        .close_charge_permission(
            done.charge_permission_id.as_deref().unwrap(),
            &CloseChargePermissionRequest { closure_reason: None, cancel_pending_charges: Some(true) },
        )
        .await
        .unwrap();
    assert_eq!(closed.status_details.state, ChargePermissionState::Closed);
}

#[tokio::test]
async fn buyer_cancel_on_amazons_page() {
    let env = start().await;
    let (_, id) = env.buyer_checkout("visa-1111").await;
    env.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &id), ("action", "cancel")]).await;
    let session = env.client.get_checkout_session(&id).await.unwrap();
    assert_eq!(session.status_details.state, CheckoutSessionState::Canceled);
    assert_eq!(session.status_details.reason_code.as_deref(), Some("BuyerCanceled"));
}

#[tokio::test]
async fn unsigned_tampered_unknown_key_and_stale_requests_are_refused() {
    let env = start().await;
    let url = format!("{}/sandbox/amazon-pay/v2/charges/S02-1", env.base);
    let unsigned = env.http.get(&url).send().await.unwrap();
    assert_eq!(unsigned.status(), 400);
    assert_eq!(unsigned.json::<Value>().await.unwrap()["reasonCode"], "MissingHeader");

    let signed = |key_id: &str, when: i64| {
        amazon_pay_v2::request::sign_request(
            &key(),
            key_id,
            Algorithm::V2,
            &amazon_pay_v2::request::RequestToSign {
                method: "GET",
                path: "/v2/charges/S02-1",
                query: &[],
                host: "x",
                region: "eu",
                unix_time: when,
                idempotency_key: None,
                body: b"",
            },
        )
    };
    let send = |headers: Vec<(String, String)>| {
        let mut req = env.http.get(&url);
        for (n, v) in headers {
            req = req.header(n, v);
        }
        req.send()
    };
    let now = amazon_pay_v2::date::unix_now();
    let ok = send(signed(SANDBOX_PUBLIC_KEY_ID, now)).await.unwrap();
    assert_eq!(
        (ok.status().as_u16(), ok.json::<Value>().await.unwrap()["reasonCode"].clone()),
        (404, json!("ResourceNotFound")),
        "verified, then not found"
    );

    let mut tampered = signed(SANDBOX_PUBLIC_KEY_ID, now);
    tampered.iter_mut().find(|(n, _)| n == "x-amz-pay-region").unwrap().1 = "na".into();
    let r = send(tampered).await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["reasonCode"], "InvalidRequestSignature");
    assert!(body["message"].as_str().unwrap().starts_with("Unable to verify signature, signing String [AMZN-PAY-RSASSA-PSS-V2\n"));

    let r = send(signed("SANDBOX-UNKNOWN", now)).await.unwrap();
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["reasonCode"].clone()), (401, json!("UnauthorizedAccess")));

    let r = send(signed(SANDBOX_PUBLIC_KEY_ID, now - 16 * 60)).await.unwrap();
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["reasonCode"].clone()), (400, json!("InvalidHeaderValue")));

    // A merchant's key registered at run time is trusted from then on.
    let other = PrivateKey::from_pem(include_str!("../../amazon-pay-v2/tests/fixtures/test-key.pem")).unwrap();
    assert!(env.sandbox.amazon_v2.keys().get("SANDBOX-MERCHANT2").is_none());
    env.sandbox.amazon_v2.keys().register("SANDBOX-MERCHANT2", &other.public_key().to_pem()).unwrap();
    let mut cfg = ClientConfig::new("SANDBOX-MERCHANT2", other, Region::Eu, Environment::Sandbox);
    cfg.endpoint = Some(format!("{}/sandbox/amazon-pay", env.base));
    let err = Client::new(cfg).unwrap().get_charge("S02-1").await.unwrap_err();
    assert_eq!(err.reason_code(), Some("ResourceNotFound"));
}

#[tokio::test]
async fn apb_goes_from_the_choice_through_amazon_pay_redirect_to_the_result_page() {
    let env = start().await;
    let payload = json!({
        "webCheckoutDetails": {"checkoutMode": "ProcessOrder", "checkoutResultReturnUrl": "https://shop.example/result"},
        "storeId": "amzn1.application-oa2-client.test",
        "paymentDetails": {"paymentIntent": "AuthorizeWithCapture", "chargeAmount": {"amount": "12.34", "currencyCode": "EUR"}},
        "merchantMetadata": {"merchantReferenceId": "CO-APB"},
    })
    .to_string();
    let signature = button::sign_button(&key(), Algorithm::V2, &payload);
    let page = env
        .post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", &payload), ("signature", &signature), ("publicKeyId", SANDBOX_PUBLIC_KEY_ID), ("algorithm", "AMZN-PAY-RSASSA-PSS-V2")],
        )
        .await;
    let id = hidden_value(&page.text().await.unwrap(), "amazonCheckoutSessionId");
    let chosen = env
        .post_form(
            "/sandbox/amazon/checkout/choose",
            &[("amazonCheckoutSessionId", &id), ("buyer", "jean"), ("address", "jean-home"), ("instrument", "visa-1111")],
        )
        .await;
    let redirect = location(&chosen);
    assert_eq!(redirect, env.sandbox.amazon_v2.redirect_url(&id), "APB: straight to Amazon's processing");
    assert_eq!(location(&env.get(&redirect).await), format!("https://shop.example/result?amazonCheckoutSessionId={id}"));
    let done = env.complete(&id).await.unwrap();
    let charge = env.client.get_charge(done.charge_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(charge.status_details.state, ChargeState::Captured);

    // An APB payload without amount and intent is refused on the button click.
    let bare = json!({"webCheckoutDetails": {"checkoutMode": "ProcessOrder", "checkoutResultReturnUrl": "https://shop.example/result"}}).to_string();
    let signature = button::sign_button(&key(), Algorithm::V2, &bare);
    let refused = env
        .post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", &bare), ("signature", &signature), ("publicKeyId", SANDBOX_PUBLIC_KEY_ID), ("algorithm", "AMZN-PAY-RSASSA-PSS-V2")],
        )
        .await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("MissingParameterValue"));
}
