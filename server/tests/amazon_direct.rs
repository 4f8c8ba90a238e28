//! `--provider amazon` end to end over HTTP against the sandbox's Amazon Pay API v2 simulator: the button the
//! server signs is accepted by the fake hosted pages, the review page is read by Amazon's checkout session id,
//! the order is placed with Update Checkout Session and completed on the buyer's return, the charge's state
//! (and Amazon's IPN) moves the order, and the merchant API captures, refunds and cancels through Amazon.

mod support;

use amazon_pay_contract::cv2::{ButtonConfig, CheckoutDetails, PlaceOrderOutcome, PlaceOrderResponse};
use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::ErrorCode;
use amazon_pay_server::config::amazon::Provider;
use clap::Parser;
use std::time::Duration;
use support::{eventually, Env};

async fn start() -> Env {
    start_settling_in(Duration::from_millis(50)).await
}

/// A sandbox server with Amazon Pay direct whose pending authorizations settle after `settle`.
async fn start_settling_in(settle: Duration) -> Env {
    start_configured(settle, |_| {}).await
}

/// As [`start_settling_in`], with `adjust` applied to the configuration last.
async fn start_configured(settle: Duration, adjust: impl FnOnce(&mut amazon_pay_server::config::Config)) -> Env {
    let args = amazon_pay_server::config::amazon::AmazonArgs { amazon_api_timeout_ms: 30_000, ..Default::default() };
    support::start_with(move |config| {
        config.sandbox_timings.settle_delay = settle;
        config.provider = Provider::Amazon;
        config.amazon =
            Some(amazon_pay_server::config::amazon::AmazonConfig::from_args(&args, None, "EUR", true, |_| Ok(())).expect("sandbox defaults"));
        config.merchant.api_keys = vec![MERCHANT_KEY.to_owned()];
        adjust(config);
    })
    .await
}

const MERCHANT_KEY: &str = "merchant-key-0123456789abcdef0123456789";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn location(r: &reqwest::Response) -> String {
    match r.headers().get("location") {
        Some(l) => l.to_str().unwrap().to_owned(),
        None => panic!("no Location: {} {}", r.status(), r.url()),
    }
}

fn hidden_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {name} in {page}")) + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The query parameter `name` of `url`.
fn param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

struct Buyer {
    http: reqwest::Client,
    base: String,
}

impl Buyer {
    fn new(env: &Env) -> Buyer {
        Buyer { http: no_redirects(), base: env.base.clone() }
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
    }

    /// Clicks the button the server configured, signs in and chooses: where Amazon sends the buyer next (the
    /// review page; for APB its processing page or the order's result URL), and the checkout session id.
    async fn checkout(&self, button: &ButtonConfig, instrument: &str) -> (String, String) {
        self.checkout_to(button, instrument, "anna-home").await
    }

    /// As [`Buyer::checkout`], shipping to Anna's address `address`.
    async fn checkout_to(&self, button: &ButtonConfig, instrument: &str, address: &str) -> (String, String) {
        let algorithm = button.algorithm.as_deref().unwrap_or("AMZN-PAY-RSASSA-PSS");
        let page = self
            .post_form(
                "/sandbox/amazon/checkout/initiate",
                &[
                    ("payloadJSON", &button.payload_json),
                    ("signature", &button.signature),
                    ("publicKeyId", &button.public_key_id),
                    ("algorithm", algorithm),
                ],
            )
            .await;
        assert_eq!(page.status(), 200, "the hosted page accepts the server's signature");
        let id = hidden_value(&page.text().await.unwrap(), "amazonCheckoutSessionId");
        self.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &id), ("buyer", "anna")]).await;
        let back = self
            .post_form(
                "/sandbox/amazon/checkout/choose",
                &[("amazonCheckoutSessionId", &id), ("buyer", "anna"), ("address", address), ("instrument", instrument)],
            )
            .await;
        assert_eq!(back.status(), 303);
        (location(&back), id)
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        let url = if url.starts_with('/') { format!("{}{url}", self.base) } else { url.to_owned() };
        self.http.get(url).send().await.unwrap()
    }
}

async fn review(env: &Env, path_id: &str, session: Option<&str>) -> reqwest::Response {
    let query = session.map(|s| format!("&amazonCheckoutSessionId={s}")).unwrap_or_default();
    env.http.get(env.url(&format!("/api/cv2/sessions/{path_id}?lang=en{query}"))).send().await.unwrap()
}

async fn status(env: &Env, order: &str) -> OrderStatus {
    env.http.get(env.url(&format!("/api/orders/{order}"))).send().await.unwrap().json().await.unwrap()
}

/// Follows Amazon's pages from `to` (through its processing page, if it shows one) to the order's result URL,
/// and returns that URL's answer.
async fn follow_to_result(buyer: &Buyer, mut to: String) -> reqwest::Response {
    for _ in 0..4 {
        let next = buyer.get(&to).await;
        if to.contains("/api/amazon/orders/") {
            return next;
        }
        to = location(&next);
    }
    panic!("Amazon's pages never led to the order's result URL");
}

/// Cart → button → Amazon → review → place: the order id and the `amazonPayRedirectUrl`.
async fn placed(env: &Env, buyer: &Buyer, instrument: &str) -> (String, String, String) {
    let button = env.create_session().await;
    let (review_url, session) = buyer.checkout(&button, instrument).await;
    assert_eq!(param(&review_url, "workorderId").as_deref(), Some(button.workorder_id.as_str()));
    assert_eq!(param(&review_url, "amazonCheckoutSessionId").as_deref(), Some(session.as_str()));
    let details = review(env, &button.workorder_id, Some(&session)).await;
    assert_eq!(details.status(), 200, "{instrument}: {}", details.text().await.unwrap());
    let details: CheckoutDetails = details.json().await.unwrap();
    assert_eq!(details.amazon_checkout_session_id, session);
    let key = format!("key-{}", button.workorder_id);
    let answer = env.place(&button.workorder_id, &key, Default::default()).await;
    assert_eq!(answer.status(), 200, "{instrument}: {}", answer.text().await.unwrap());
    let answer: PlaceOrderResponse = answer.json().await.unwrap();
    let PlaceOrderOutcome::Redirect { url } = answer.outcome else { panic!("{:?}", answer.outcome) };
    (answer.order_id, url, button.workorder_id)
}

#[tokio::test]
async fn a_digital_cart_has_no_delivery_to_choose_and_pays_no_fee() {
    // Amazon direct took a delivery change for digital goods and charged express delivery's fee, while the
    // details said the delivery cost nothing; PAYONE refuses the change, and now Amazon direct does too.
    let env = start().await;
    let buyer = Buyer::new(&env);
    let created = env.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "ebook", "quantity": 1}], "language": "en"})).await;
    assert_eq!(created.status(), 200);
    let button: ButtonConfig = created.json().await.unwrap();
    let ebook = env.state.catalogue.products["ebook"].price;
    assert_eq!(button.amount.minor, ebook);
    let (_, session) = buyer.checkout(&button, "visa-1111").await;
    let details: CheckoutDetails = review(&env, &button.workorder_id, Some(&session)).await.json().await.unwrap();
    assert_eq!((details.amount.minor, details.delivery_fee.minor), (ebook, 0));
    let change = env
        .post_json(&format!("/api/cv2/sessions/{}/delivery", button.workorder_id), &serde_json::json!({"delivery": "express", "language": "en"}))
        .await;
    assert_eq!(change.status(), 400);
    let err: amazon_pay_contract::ApiError = change.json().await.unwrap();
    assert!(err.detail.as_deref().unwrap_or_default().contains("only digital goods"), "{err:?}");
    let after: CheckoutDetails = review(&env, &button.workorder_id, Some(&session)).await.json().await.unwrap();
    assert_eq!(after.amount.minor, ebook, "nothing changed");
}

#[tokio::test]
async fn approved_from_the_cart_to_the_confirmation_then_captured_and_refunded() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let button = env.create_session().await;
    assert_eq!(button.algorithm.as_deref(), Some("AMZN-PAY-RSASSA-PSS-V2"));
    assert!(button.payload_json.contains(&button.workorder_id), "the payload names our checkout");
    let payload: serde_json::Value = serde_json::from_str(&button.payload_json).unwrap();
    let cancel = payload["webCheckoutDetails"]["checkoutCancelUrl"].as_str().unwrap();
    assert!(cancel.ends_with("/?amazonPayCancelled=1"), "a cancel returns marked for the widget: {cancel}");
    let (review_url, session) = buyer.checkout(&button, "visa-1111").await;
    assert_eq!(param(&review_url, "workorderId").as_deref(), Some(button.workorder_id.as_str()));

    // The review page driven by Amazon's session id alone.
    let details: CheckoutDetails = review(&env, &session, None).await.json().await.unwrap();
    assert_eq!(details.workorder_id, button.workorder_id);
    assert_eq!(details.shipping_address.as_ref().map(|a| a.country.as_str()), Some("DE"));
    assert!(!details.buyer_name.is_empty());
    // Express delivery changes the amount at Amazon too.
    let express = env
        .post_json(&format!("/api/cv2/sessions/{}/delivery", button.workorder_id), &serde_json::json!({"delivery": "express", "language": "en"}))
        .await;
    assert_eq!(express.status(), 200);
    let express: CheckoutDetails = express.json().await.unwrap();
    assert!(express.amount.minor > details.amount.minor);

    let answer: PlaceOrderResponse = env.place(&button.workorder_id, "key-0001-abcdef", Default::default()).await.json().await.unwrap();
    let PlaceOrderOutcome::Redirect { url } = answer.outcome.clone() else { panic!("{:?}", answer.outcome) };
    let again: PlaceOrderResponse = env.place(&button.workorder_id, "key-0001-abcdef", Default::default()).await.json().await.unwrap();
    assert_eq!(again, answer, "a second click gets the same answer");
    // Amazon knows the order by the id the merchant sees (dashboard, webhooks), no longer by the checkout's.
    let at_amazon = env.state.amazon.as_ref().unwrap().client.get_checkout_session(&session).await.unwrap();
    assert_eq!(at_amazon.merchant_metadata.merchant_reference_id.as_deref(), Some(answer.order_id.as_str()));
    // The review page still finds the checkout by Amazon's session id alone.
    let details = review(&env, &session, None).await.text().await.unwrap();
    // ... but no longer tells who the buyer is: Amazon's session id is in the review page's address.
    for said in ["Anna", "anna.schmidt@sandbox.example", "Unter den Linden", "••••1111"] {
        assert!(!details.contains(said), "{said} is still answered after placement: {details}");
    }
    let details: CheckoutDetails = serde_json::from_str(&details).unwrap();
    assert_eq!((details.workorder_id.as_str(), details.order_id.as_deref()), (button.workorder_id.as_str(), Some(answer.order_id.as_str())));
    assert_eq!((details.buyer_name.as_str(), details.email.as_str(), details.shipping_address.as_ref()), ("", "", None));
    let back = buyer.get(&url).await;
    let result = location(&back);
    assert!(result.starts_with(&format!("{}/api/amazon/orders/{}/result", env.base, answer.order_id)), "{result}");
    let confirmation = buyer.get(&result).await;
    assert_eq!(location(&confirmation), format!("/confirmation.html?order={}", answer.order_id));
    let order = status(&env, &answer.order_id).await;
    assert_eq!((order.state, order.amount), (OrderState::Approved, express.amount));
    // A reload of the return changes nothing.
    assert_eq!(location(&buyer.get(&result).await), format!("/confirmation.html?order={}", answer.order_id));
    assert_eq!(env.upstream("completeCheckoutSession").len(), 1);

    // The merchant captures, then refunds, through Amazon.
    let merchant = |path: &str, key: &str, body: serde_json::Value| {
        env.http
            .post(env.url(&format!("/merchant/api/orders/{}/{path}", answer.order_id)))
            .bearer_auth(MERCHANT_KEY)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let captured = merchant("capture", "cap-00000001", serde_json::json!({})).await.unwrap();
    assert_eq!(captured.status(), 200, "{}", captured.text().await.unwrap());
    let replay = merchant("capture", "cap-00000001", serde_json::json!({})).await.unwrap();
    assert_eq!(replay.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(env.upstream("merchant-capture").len(), 1, "money moves once");
    eventually("paid after Amazon's capture notification", 10, || {
        env.state.store.order(&answer.order_id).unwrap().filter(|o| o.state == OrderState::Paid).map(drop)
    })
    .await;
    let refunded = merchant("refund", "ref-00000001", serde_json::json!({"amount": 100})).await.unwrap();
    assert_eq!(refunded.status(), 200, "{}", refunded.text().await.unwrap());
    let shown: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, &answer.order_id).await).unwrap();
    let ids = shown.amazon.clone().unwrap_or_default();
    assert_eq!((shown.provider.as_str(), ids.checkout_session_id.as_deref()), ("amazon", Some(session.as_str())), "{shown:?}");
    assert!(ids.charge_permission_id.is_some() && ids.charge_id.is_some(), "{ids:?}");
    // The merchant finds it by the ids Seller Central shows it by: exactly with `amazon_id`, in any case with `q`.
    for (filter, id) in
        [("amazon_id", ids.charge_permission_id.clone()), ("amazon_id", ids.charge_id.clone()), ("q", ids.charge_id.map(|c| c.to_lowercase()))]
    {
        let id = id.unwrap_or_default();
        assert_eq!(merchant_list(&env, filter, &id).await, std::slice::from_ref(&answer.order_id), "{filter}={id}");
    }
    for event in env.state.store.events_for_order(&answer.order_id).unwrap() {
        let order = serde_json::from_str::<serde_json::Value>(&event.body).unwrap()["order"].clone();
        assert_eq!(order["provider"], "amazon", "{}: {order}", event.kind);
    }
    let kinds: Vec<String> = env.state.store.events_for_order(&answer.order_id).unwrap().into_iter().map(|e| e.kind).collect();
    for kind in ["order.placed", "order.redirected", "order.approved", "order.captured", "order.paid", "order.refunded"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

/// Anna's addresses in the sandbox, as the merchant's order shows them.
fn anna_at(street: &str, zip: &str, city: &str) -> amazon_pay_contract::merchant::Address {
    amazon_pay_contract::merchant::Address {
        first_name: Some("Anna".into()),
        last_name: Some("Schmidt".into()),
        company: None,
        street: Some(street.into()),
        addition: None,
        zip: Some(zip.into()),
        city: Some(city.into()),
        country: Some("DE".into()),
    }
}

#[tokio::test]
async fn the_order_keeps_the_buyer_and_addresses_amazon_gave_for_the_merchant() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let button = env.create_session().await;
    // Shipped to the office; billed to the account's own address (the instrument's), as Amazon tells them apart.
    let (_, session) = buyer.checkout_to(&button, "visa-1111", "anna-office").await;
    assert_eq!(review(&env, &button.workorder_id, Some(&session)).await.status(), 200);
    let calls_before = env.upstream("getCheckoutSession").len();
    let answer: PlaceOrderResponse = env.place(&button.workorder_id, "key-personal-0001", Default::default()).await.json().await.unwrap();
    assert_eq!(env.upstream("getCheckoutSession").len(), calls_before + 1, "placing reads the session once, as it did");
    let PlaceOrderOutcome::Redirect { url } = answer.outcome else { panic!("{:?}", answer.outcome) };
    let result = location(&buyer.get(&url).await);
    buyer.get(&result).await;
    assert_eq!(status(&env, &answer.order_id).await.state, OrderState::Approved);

    let shown: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, &answer.order_id).await).unwrap();
    let expected_buyer = amazon_pay_contract::merchant::Buyer {
        first_name: Some("Anna".into()),
        last_name: Some("Schmidt".into()),
        email: Some("anna.schmidt@sandbox.example".into()),
    };
    assert_eq!(shown.buyer, Some(expected_buyer.clone()));
    assert_eq!(shown.shipping_address, Some(anna_at("Marienplatz 8", "80331", "München")));
    assert_eq!(shown.billing_address, Some(anna_at("Unter den Linden 1", "10117", "Berlin")));
    // The list shows the same, and finds the order by the buyer as it finds PAYONE's.
    assert_eq!(merchant_list(&env, "q", "ANNA.SCHMIDT@sandbox").await, std::slice::from_ref(&answer.order_id));
    // Every event from the first after placing on carries them (PAYONE's: from its first notification on).
    let events = env.state.store.events_for_order(&answer.order_id).unwrap();
    for event in &events {
        let order = serde_json::from_str::<serde_json::Value>(&event.body).unwrap()["order"].clone();
        if event.kind == "order.placed" {
            continue;
        }
        let order: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(order).unwrap();
        assert_eq!(
            (order.buyer.as_ref(), order.shipping_address.as_ref()),
            (shown.buyer.as_ref(), shown.shipping_address.as_ref()),
            "{}",
            event.kind
        );
    }
    assert!(events.iter().any(|e| e.kind == "order.approved"), "{events:?}");

    // APB: the session read on the return, before it is completed, gives them the same way.
    let body = serde_json::json!({
        "items": [{"sku": "mug", "quantity": 1}], "idempotency_key": "apb-personal-0001", "language": "en", "product_type": "PayAndShip",
        "buyer": {"email": "anna@example.com", "phone": "+49301234567", "address": {"first_name": "Anna", "last_name": "Schmidt", "street": "Hauptstr. 1", "zip": "10115", "city": "Berlin", "country": "DE"}}
    });
    let apb: amazon_pay_contract::apb::ApbOrderResponse = env.post_json("/api/apb/orders", &body).await.json().await.unwrap();
    let before: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, apb.order_id()).await).unwrap();
    assert_eq!((before.buyer, before.shipping_address), (None, None), "nothing before Amazon's session");
    let (to, _) = buyer.checkout(apb.button().unwrap(), "visa-1111").await;
    follow_to_result(&buyer, to).await;
    assert_eq!(status(&env, apb.order_id()).await.state, OrderState::Approved);
    let shown: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, apb.order_id()).await).unwrap();
    assert_eq!(shown.buyer, Some(expected_buyer));
    assert_eq!(shown.shipping_address, Some(anna_at("Unter den Linden 1", "10117", "Berlin")));
    assert_eq!(shown.billing_address, Some(anna_at("Unter den Linden 1", "10117", "Berlin")));
}

#[tokio::test]
async fn the_buyers_name_email_and_addresses_are_kept_but_never_logged() {
    // This binary's only subscriber: the other tests' lines land here too.
    let captured = support::captured_log::Captured::default();
    let writer = captured.clone();
    amazon_pay_server::ops::logging::init_with(amazon_pay_server::ops::LogFormat::Json, move || writer.clone());
    let env = start().await;
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "visa-1111").await;
    buyer.get(&location(&buyer.get(&url).await)).await;
    let shown = merchant_order(&env, &order).await;
    assert_eq!(shown["shipping_address"]["street"], "Unter den Linden 1", "kept: {shown}");
    let text = captured.text();
    assert!(text.contains("upstream call"), "the log was captured: {text}");
    for said in ["anna.schmidt@sandbox.example", "Schmidt", "Unter den Linden", "Marienplatz"] {
        assert!(!text.contains(said), "{said} is in the logs");
    }
}

#[tokio::test]
async fn pending_then_approved_through_the_ipn() {
    // Long enough for the return to find the authorization still pending.
    let env = start_settling_in(Duration::from_millis(1500)).await;
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "mc-4444").await;
    let result = location(&buyer.get(&url).await);
    buyer.get(&result).await;
    eventually("approved after the IPN", 10, || env.state.store.order(&order).unwrap().filter(|o| o.state == OrderState::Approved).map(drop)).await;
    let kinds: Vec<String> = env.state.store.events_for_order(&order).unwrap().into_iter().map(|e| e.kind).collect();
    let pending =
        kinds.iter().position(|k| k == "order.pending").unwrap_or_else(|| panic!("pending first: {kinds:?} {:?}", env.upstream("getCharge")));
    assert!(kinds.iter().position(|k| k == "order.approved").unwrap() > pending, "{kinds:?}");
    // Stored once followed (just after the move it caused).
    eventually("the notification stored", 10, || (env.count("SELECT count(*) FROM amazon_notifications") >= 1).then_some(())).await;
}

/// A developer trying the sandbox with their own Amazon merchant id: the sandbox's notifications name that id,
/// so the receiver (which refuses another merchant's) follows them.
#[tokio::test]
async fn the_sandbox_s_ipn_names_the_merchant_id_the_server_was_given() {
    let env = start_configured(Duration::from_millis(1500), |config| {
        let merchant = "A2OWNMERCHANT77";
        config.amazon_merchant_id = merchant.to_owned();
        let args = amazon_pay_server::config::amazon::AmazonArgs { amazon_api_timeout_ms: 30_000, ..Default::default() };
        config.amazon = Some(
            amazon_pay_server::config::amazon::AmazonConfig::from_args(&args, Some(merchant), "EUR", true, |_| Ok(())).expect("sandbox defaults"),
        );
    })
    .await;
    assert_eq!(merchant_id(&env), "A2OWNMERCHANT77");
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "mc-4444").await;
    let result = location(&buyer.get(&url).await);
    buyer.get(&result).await;
    eventually("approved after the IPN", 10, || env.state.store.order(&order).unwrap().filter(|o| o.state == OrderState::Approved).map(drop)).await;
    eventually("the notification stored", 10, || (env.count("SELECT count(*) FROM amazon_notifications") >= 1).then_some(())).await;
}

#[tokio::test]
async fn declines_cancels_and_abandoned_mfa_go_back_to_the_review_page_with_the_reason() {
    let env = start().await;
    let buyer = Buyer::new(&env);

    // Hard decline: Amazon cancels the session; the order is declined and the buyer is told on the review page.
    let (order, url, workorder) = placed(&env, &buyer, "amex-0982").await;
    let result = location(&buyer.get(&url).await);
    let back = location(&buyer.get(&result).await);
    assert_eq!(back, format!("/review.html?workorderId={workorder}&order={order}"));
    let st = status(&env, &order).await;
    assert_eq!((st.state, st.decline), (OrderState::Declined, Some(ErrorCode::HardDecline)));
    assert!(st.message.is_some());

    // MFA abandoned: the buyer cancels the challenge.
    let (order, url, _) = placed(&env, &buyer, "mc-3ds0").await;
    buyer.get(&url).await;
    let id = param(&url, "amazonCheckoutSessionId").unwrap();
    let cancel = buyer.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "cancel")]).await;
    buyer.get(&location(&cancel)).await;
    assert_eq!(status(&env, &order).await.state, OrderState::Abandoned);
    assert_eq!(merchant_order(&env, &order).await["abandon_reason"], "buyer_cancelled", "Amazon's BuyerCanceled, said to the merchant");

    // MFA passed.
    let (order, url, _) = placed(&env, &buyer, "mc-3ds1").await;
    buyer.get(&url).await;
    let id = param(&url, "amazonCheckoutSessionId").unwrap();
    let ok = buyer.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "verify"), ("code", "123456")]).await;
    buyer.get(&location(&ok)).await;
    assert_eq!(status(&env, &order).await.state, OrderState::Approved);

    // Soft decline, then another instrument on Amazon's page.
    let (order, url, _) = placed(&env, &buyer, "visa-0981").await;
    let id = param(&url, "amazonCheckoutSessionId").unwrap();
    assert!(buyer.get(&url).await.text().await.unwrap().contains("Choose another payment method"));
    buyer.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("instrument", "visa-1111")]).await;
    let result = location(&buyer.get(&url).await);
    buyer.get(&result).await;
    assert_eq!(status(&env, &order).await.state, OrderState::Approved);

    // The buyer cancels on Amazon's page: the review page says the session is over.
    let button = env.create_session().await;
    let (_, session) = buyer.checkout(&button, "visa-1111").await;
    buyer.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("action", "cancel")]).await;
    support::expect_error(review(&env, &button.workorder_id, Some(&session)).await, 410, ErrorCode::SessionExpired, Default::default()).await;
}

/// The buyer took longer on Amazon's pages than `--redirected-expiry-seconds`, so the order was given up; then
/// the buyer finishes and comes back. Amazon still completes the session (it was within Amazon's own 24 hours):
/// the charge is authorized, so the order is approved, with its event, not left abandoned with money moved.
#[tokio::test]
async fn a_late_return_of_a_given_up_order_is_completed_and_the_charge_wins() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "visa-1111").await;
    let given_up =
        env.state.store.abandon_stale(amazon_pay_server::orders::Stale::Redirected, amazon_pay_server::store::now() + 1, 100).await.unwrap();
    assert_eq!(given_up, std::slice::from_ref(&order));
    assert_eq!(status(&env, &order).await.state, OrderState::Abandoned);
    let result = location(&buyer.get(&url).await);
    assert_eq!(location(&buyer.get(&result).await), format!("/confirmation.html?order={order}"));
    assert_eq!(status(&env, &order).await.state, OrderState::Approved);
    let kinds: Vec<String> = env.state.store.events_for_order(&order).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds[kinds.len() - 2..], ["order.abandoned", "order.approved"], "{kinds:?}");
    assert_eq!(env.upstream("completeCheckoutSession").len(), 1);
}

#[tokio::test]
async fn the_review_page_refuses_what_is_not_this_checkouts() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let first = env.create_session().await;
    let (_, session) = buyer.checkout(&first, "visa-1111").await;
    let second = env.create_session().await;
    // Another checkout's session.
    support::expect_error(review(&env, &second.workorder_id, Some(&session)).await, 400, ErrorCode::BadRequest, Default::default()).await;
    // No session yet.
    support::expect_error(review(&env, &second.workorder_id, None).await, 404, ErrorCode::NotFound, Default::default()).await;
    // Not an id.
    let bad = review(&env, &first.workorder_id, Some("..%2F..")).await;
    assert_eq!(bad.status(), 400);
    // An unknown session.
    let unknown = review(&env, "S00-0000000-0000000", None).await;
    assert!(unknown.status().is_client_error(), "{}", unknown.status());
    // A wrong session on the return.
    let (order, _, _) = placed(&env, &buyer, "visa-1111").await;
    let wrong = buyer.get(&format!("/api/amazon/orders/{order}/result?amazonCheckoutSessionId={session}")).await;
    assert_eq!(wrong.status(), 400);
}

#[tokio::test]
async fn apb_places_first_and_completes_on_the_return() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let body = serde_json::json!({
        "items": [{"sku": "mug", "quantity": 1}], "idempotency_key": "apb-key-00000001", "language": "en", "product_type": "PayAndShip",
        "buyer": {"email": "anna@example.com", "phone": "+49301234567", "address": {"first_name": "Anna", "last_name": "Schmidt", "street": "Hauptstr. 1", "zip": "10115", "city": "Berlin", "country": "DE"}}
    });
    let answer = env.post_json("/api/apb/orders", &body).await;
    assert_eq!(answer.status(), 200);
    let answer: amazon_pay_contract::apb::ApbOrderResponse = answer.json().await.unwrap();
    assert!(answer.button().unwrap().payload_json.contains("ProcessOrder"));
    let payload: serde_json::Value = serde_json::from_str(&answer.button().unwrap().payload_json).unwrap();
    let cancel = payload["webCheckoutDetails"]["checkoutCancelUrl"].as_str().unwrap();
    assert!(cancel.ends_with(&format!("?amazonPayCancelled=1&order={}", answer.order_id())), "the cancel names the order: {cancel}");
    // Before Amazon knows anything of it, the order is already Amazon Pay's, in its first event too.
    let before: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, answer.order_id()).await).unwrap();
    assert_eq!((before.provider.as_str(), before.money_carrier()), ("amazon", Some("Amazon Pay")));
    assert_eq!(before.amazon, Some(Default::default()), "no Amazon id yet");
    let placed_event = env.state.store.events_for_order(answer.order_id()).unwrap().into_iter().find(|e| e.kind == "order.placed").unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&placed_event.body).unwrap()["order"]["provider"], "amazon");
    let (to, id) = buyer.checkout(answer.button().unwrap(), "visa-1111").await;
    let done = follow_to_result(&buyer, to).await;
    assert_eq!(location(&done), format!("/confirmation.html?order={}", answer.order_id()));
    assert_eq!(status(&env, answer.order_id()).await.state, OrderState::Approved);
    // Amazon's ids as Amazon Pay direct knows them (not PAYONE's table).
    let ids = env.state.store.amazon_order(answer.order_id()).unwrap().unwrap();
    let shown: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(merchant_order(&env, answer.order_id()).await).unwrap();
    let expected = amazon_pay_contract::merchant::AmazonIds {
        order_reference_id: None,
        checkout_session_id: Some(id.clone()),
        charge_permission_id: ids.charge_permission_id.clone(),
        charge_id: ids.charge_id.clone(),
    };
    assert!(expected.charge_permission_id.is_some() && expected.charge_id.is_some(), "{ids:?}");
    assert_eq!((shown.provider.as_str(), shown.amazon), ("amazon", Some(expected)));
    let again = env.post_json("/api/apb/orders", &body).await.json::<amazon_pay_contract::apb::ApbOrderResponse>().await.unwrap();
    // The same key after the buyer paid (the browser's Back to the APB page): its confirmation, not Amazon again.
    let confirmation_url = env.url(&format!("/confirmation.html?order={}", answer.order_id()));
    let placed =
        amazon_pay_contract::apb::ApbOrderResponse::Placed { order_id: answer.order_id().to_owned(), state: OrderState::Approved, confirmation_url };
    assert_eq!(again, placed);
}

/// APB with Amazon directly: the buyer reloads the APB page while on Amazon's pages and pays with a new order,
/// so the first one is given up at once; if Amazon's pages then return to the first one after all, it is not
/// completed (the buyer paid with the other: completing would charge twice), and Amazon cancels its session.
#[tokio::test]
async fn apb_a_replaced_order_returning_late_is_not_completed() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let body = |key: &str, replaces: Option<(&str, &str)>| {
        let mut body =
            serde_json::json!({"items": [{"sku": "ebook", "quantity": 1}], "idempotency_key": key, "language": "en", "product_type": "PayOnly"});
        if let Some((order_id, key)) = replaces {
            body["replaces"] = serde_json::json!({"order_id": order_id, "idempotency_key": key});
        }
        body
    };
    let first: amazon_pay_contract::apb::ApbOrderResponse =
        env.post_json("/api/apb/orders", &body("apb-key-late-0001", None)).await.json().await.unwrap();
    // The buyer finishes on Amazon's pages but reloads the APB page instead of following the return.
    let (_, id) = buyer.checkout(first.button().unwrap(), "visa-1111").await;
    let result = format!("/api/amazon/orders/{}/result?amazonCheckoutSessionId={id}", first.order_id());

    let second = env.post_json("/api/apb/orders", &body("apb-key-late-0002", Some((first.order_id(), "apb-key-late-0001")))).await;
    assert_eq!(second.status(), 200);
    let second: amazon_pay_contract::apb::ApbOrderResponse = second.json().await.unwrap();
    assert_eq!(status(&env, first.order_id()).await.state, OrderState::Abandoned, "given up at once");

    let back = buyer.get(&result).await;
    assert_eq!(location(&back), format!("/confirmation.html?order={}", first.order_id()));
    assert_eq!(status(&env, first.order_id()).await.state, OrderState::Abandoned);
    assert!(env.upstream("completeCheckoutSession").is_empty(), "not completed: no charge");
    assert_eq!(status(&env, second.order_id()).await.state, OrderState::Redirected);
}

/// APB with Amazon directly: an order given up before (here: as the buyer's cancel leaves it, `abandoned`)
/// whose page then pays again (`replaces` with `retry`) is linked to the new order, so that if Amazon's pages
/// return to it after all it is not completed: before, only an order still `redirected` was linked, and this
/// late return was completed, charging the buyer a second time for one purchase.
#[tokio::test]
async fn apb_a_given_up_order_its_page_paid_again_for_is_not_completed_on_a_late_return() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let body = |key: &str| serde_json::json!({"items": [{"sku": "ebook", "quantity": 1}], "idempotency_key": key, "language": "en", "product_type": "PayOnly"});
    let first: amazon_pay_contract::apb::ApbOrderResponse = env.post_json("/api/apb/orders", &body("apb-key-gone-0001")).await.json().await.unwrap();
    let (_, id) = buyer.checkout(first.button().unwrap(), "visa-1111").await;
    let result = format!("/api/amazon/orders/{}/result?amazonCheckoutSessionId={id}", first.order_id());
    env.execute(&format!("UPDATE orders SET state = 'abandoned', abandon_reason = 'buyer_cancelled' WHERE id = '{}'", first.order_id()));

    let mut again = body("apb-key-gone-0002");
    again["replaces"] = serde_json::json!({"order_id": first.order_id(), "idempotency_key": "apb-key-gone-0001", "retry": true});
    let second: amazon_pay_contract::apb::ApbOrderResponse = env.post_json("/api/apb/orders", &again).await.json().await.unwrap();
    assert!(second.button().is_some(), "{second:?}");

    let back = buyer.get(&result).await;
    assert_eq!(location(&back), format!("/confirmation.html?order={}", first.order_id()));
    assert_eq!(status(&env, first.order_id()).await.state, OrderState::Abandoned);
    assert!(env.upstream("completeCheckoutSession").is_empty(), "not completed: no charge");
    assert_eq!(status(&env, second.order_id()).await.state, OrderState::Redirected);
}

/// The sandbox's SNS signing key (published in the repository, sandbox only), to forge what the tests need.
const SNS_KEY: &str = include_str!("../../sandbox/src/amazon_v2/keys/sandbox-sns-key.pem");

fn sns(env: &Env, kind: &str, message_id: &str, message: &str, cert_url: &str) -> amazon_pay_v2::sns::SnsMessage {
    let mut m = amazon_pay_v2::sns::SnsMessage {
        kind: kind.into(),
        message_id: message_id.into(),
        topic_arn: "arn:aws:sns:eu-west-1:000000000000:AmazonPaySandbox".into(),
        subject: None,
        message: message.into(),
        timestamp: "2026-12-06T04:00:00.000Z".into(),
        signature_version: "2".into(),
        signature: String::new(),
        signing_cert_url: cert_url.into(),
        unsubscribe_url: None,
        subscribe_url: (kind == "SubscriptionConfirmation").then(|| env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem")),
        token: (kind == "SubscriptionConfirmation").then(|| "token".to_owned()),
    };
    amazon_pay_v2::sns::sign(&mut m, &amazon_pay_v2::PrivateKey::from_pem(SNS_KEY).unwrap()).unwrap();
    m
}

/// The Amazon merchant id this server was started with, which Amazon's notifications name.
fn merchant_id(env: &Env) -> String {
    env.state.amazon.as_ref().expect("started with Amazon Pay").merchant_id.clone()
}

async fn ipn(env: &Env, body: &str) -> reqwest::Response {
    env.http.post(env.url("/amazon/ipn")).header("content-type", "text/plain").body(body.to_owned()).send().await.unwrap()
}

#[tokio::test]
async fn the_ipn_receiver_refuses_what_amazon_sns_did_not_sign_and_replays_change_nothing() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "visa-1111").await;
    buyer.get(&location(&buyer.get(&url).await)).await;
    let charge = env.state.store.amazon_order(&order).unwrap().unwrap().charge_id.unwrap();
    let cert = env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem");
    let message =
        serde_json::json!({"MerchantID": merchant_id(&env), "ObjectType": "CHARGE", "ObjectId": charge, "NotificationType": "STATE_CHANGE"})
            .to_string();

    assert_eq!(ipn(&env, "not json").await.status(), 400);
    for untrusted in [
        "https://evil.example/SimpleNotificationService.pem",
        "http://sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
    ] {
        let m = sns(&env, "Notification", "m-untrusted", &message, untrusted);
        assert_eq!(ipn(&env, &serde_json::to_string(&m).unwrap()).await.status(), 403, "{untrusted}");
    }
    let mut tampered = sns(&env, "Notification", "m-tampered", &message, &cert);
    tampered.message = tampered.message.replace("CHARGE", "REFUND");
    assert_eq!(ipn(&env, &serde_json::to_string(&tampered).unwrap()).await.status(), 403);
    let mut v1 = sns(&env, "Notification", "m-v1", &message, &cert);
    v1.signature_version = "1".into();
    assert_eq!(ipn(&env, &serde_json::to_string(&v1).unwrap()).await.status(), 403);
    // Signed by SNS, but about another merchant (a topic of someone else's): refused before Amazon is asked.
    let charges_before = env.upstream("getCharge").len();
    for (id, merchant) in [("m-merchant", Some("A3OTHERMERCHANT")), ("m-no-merchant", None)] {
        let mut fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&message).unwrap();
        match merchant {
            Some(merchant) => fields.insert("MerchantID".into(), merchant.into()),
            None => fields.remove("MerchantID"),
        };
        let fields = serde_json::Value::Object(fields);
        let other = sns(&env, "Notification", id, &fields.to_string(), &cert);
        assert_eq!(ipn(&env, &serde_json::to_string(&other).unwrap()).await.status(), 403, "{id}");
    }
    assert_eq!(env.upstream("getCharge").len(), charges_before, "another merchant's notification is not followed");
    let not_amazon_pay = sns(&env, "Notification", "m-other", "hello", &cert);
    assert_eq!(ipn(&env, &serde_json::to_string(&not_amazon_pay).unwrap()).await.status(), 400);
    assert_eq!(env.count("SELECT count(*) FROM amazon_notifications WHERE message_id LIKE 'm-%'"), 0, "nothing refused is stored");

    let good = serde_json::to_string(&sns(&env, "Notification", "m-good", &message, &cert)).unwrap();
    let charges_before = env.upstream("getCharge").len();
    assert_eq!(ipn(&env, &good).await.status(), 200);
    assert_eq!(env.upstream("getCharge").len(), charges_before + 1, "followed by Get Charge");
    assert_eq!(ipn(&env, &good).await.status(), 200, "a replay is acknowledged");
    assert_eq!(env.upstream("getCharge").len(), charges_before + 1, "and changes nothing");
    assert_eq!(env.count("SELECT count(*) FROM amazon_notifications WHERE message_id = 'm-good'"), 1);

    let confirm = sns(&env, "SubscriptionConfirmation", "m-sub", "You have chosen to subscribe", &cert);
    assert_eq!(ipn(&env, &serde_json::to_string(&confirm).unwrap()).await.status(), 200);
    let mut elsewhere = sns(&env, "SubscriptionConfirmation", "m-sub2", "subscribe", &cert);
    elsewhere.subscribe_url = Some("https://evil.example/confirm".into());
    amazon_pay_v2::sns::sign(&mut elsewhere, &amazon_pay_v2::PrivateKey::from_pem(SNS_KEY).unwrap()).unwrap();
    assert_eq!(ipn(&env, &serde_json::to_string(&elsewhere).unwrap()).await.status(), 403, "SubscribeURL must be Amazon's too");
}

/// With `AMAZON_IPN_TOPIC_ARNS`, SNS's signature is not enough: a stranger's topic that asks to subscribe is
/// refused before anything is fetched, so its SubscribeURL is never called, and its notifications are not
/// followed. The listed topic's still are.
#[tokio::test]
async fn with_a_topic_list_other_topics_are_refused_before_their_subscription_is_confirmed() {
    const OURS: &str = "arn:aws:sns:eu-west-1:000000000000:AmazonPaySandbox";
    let env = start_configured(Duration::from_millis(50), |c| c.amazon.as_mut().unwrap().ipn_topic_arns = vec![OURS.to_owned()]).await;
    let key = amazon_pay_v2::PrivateKey::from_pem(SNS_KEY).unwrap();
    let cert = env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem");
    // Each message names its own certificate URL: one the receiver fetched shows in its cache.
    let from = |topic: &str, kind: &str, id: &str, message: &str| {
        let mut m = sns(&env, kind, id, message, &format!("{cert}?for={id}"));
        m.topic_arn = topic.into();
        amazon_pay_v2::sns::sign(&mut m, &key).unwrap();
        serde_json::to_string(&m).unwrap()
    };
    let fetched = |id: &str| env.state.sns_certificates.0.lock().unwrap().keys().any(|url| url.ends_with(&format!("?for={id}")));
    let stranger = "arn:aws:sns:eu-west-1:111111111111:someone-elses-topic";
    let message = serde_json::json!({"MerchantID": merchant_id(&env), "ObjectType": "CHARGE", "ObjectId": "S02-0000000-0000000-C000000"}).to_string();
    let charges_before = env.upstream("getCharge").len();

    let subscribe = ipn(&env, &from(stranger, "SubscriptionConfirmation", "t-sub", "subscribe")).await;
    assert_eq!(subscribe.status(), 403);
    assert!(subscribe.text().await.unwrap().contains("AMAZON_IPN_TOPIC_ARNS"));
    assert!(!fetched("t-sub"), "nothing fetched for it, so its SubscribeURL was not called either");
    assert_eq!(ipn(&env, &from(stranger, "Notification", "t-note", &message)).await.status(), 403);
    assert!(!fetched("t-note"));
    // Signed for the stranger's topic, then claiming ours: the signature covers TopicArn.
    let mut claimed: serde_json::Value = serde_json::from_str(&from(stranger, "Notification", "t-claimed", &message)).unwrap();
    claimed["TopicArn"] = OURS.into();
    assert_eq!(ipn(&env, &claimed.to_string()).await.status(), 403);
    assert_eq!(env.upstream("getCharge").len(), charges_before, "no refused notification is followed");
    assert_eq!(env.count("SELECT count(*) FROM amazon_notifications WHERE message_id LIKE 't-%'"), 0, "nor stored");

    assert_eq!(ipn(&env, &from(OURS, "SubscriptionConfirmation", "t-ours-sub", "subscribe")).await.status(), 200, "confirmed");
    // Followed (Amazon is asked; the sandbox knows no such charge, so SNS would be asked to deliver it again).
    assert_ne!(ipn(&env, &from(OURS, "Notification", "t-ours", &message)).await.status(), 403);
    assert_eq!(env.upstream("getCharge").len(), charges_before + 1, "followed");
}

/// The receiver keeps the SNS certificates it fetched, by URL. Anyone can post messages naming an SNS URL that
/// serves a certificate under another query each time (`…pem?n=1`, `?n=2`): each would be fetched and kept for
/// the life of the process, so the cache is bounded.
#[tokio::test]
async fn certificate_urls_a_sender_varies_do_not_grow_the_cache_without_end() {
    let env = start().await;
    let cert = env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem");
    let message = serde_json::json!({"MerchantID": merchant_id(&env), "ObjectType": "CHARGE", "ObjectId": "S02-0000000-0000000-C000000"}).to_string();
    for n in 0..40 {
        let m = sns(&env, "Notification", &format!("m-cache-{n}"), &message, &format!("{cert}?n={n}"));
        let status = ipn(&env, &serde_json::to_string(&m).unwrap()).await.status();
        assert_ne!(status, 500, "message {n}");
    }
    let kept = env.state.sns_certificates.0.lock().unwrap().len();
    assert!(kept <= amazon_pay_server::amazon::CertificateCache::MAX, "{kept} certificates kept");
    // The right certificate still verifies once the cache is full.
    let good = sns(&env, "SubscriptionConfirmation", "m-cache-good", "subscribe", &cert);
    assert_eq!(ipn(&env, &serde_json::to_string(&good).unwrap()).await.status(), 200);
}

#[tokio::test]
async fn live_amazon_direct_serves_no_payone_receiver_and_trusts_no_sandbox_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut argv = vec!["amazon-pay-server", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()];
    argv.extend(support::amazon_live::LIVE_AMAZON_ARGS);
    argv.extend(["--amazon-api-endpoint", "https://127.0.0.1:9"]);
    let args = amazon_pay_server::config::Args::try_parse_from(argv).unwrap();
    let config = amazon_pay_server::config::Config::from_args(args).unwrap();
    assert_eq!(config.mode, amazon_pay_server::config::Mode::Live);
    assert!(!config.payone_enabled);
    let (base, state) = amazon_pay_server::app::Server::bind(config).await.unwrap().spawn();
    let http = reqwest::Client::new();
    let ts = http.post(format!("{base}/payone/transaction-status")).body("key=x&txid=1").send().await.unwrap();
    // No PAYONE account: no TransactionStatus receiver (the static pages answer; they take no POST).
    assert!(matches!(ts.status().as_u16(), 404 | 405), "{}", ts.status());
    // No PAYONE account: none of PAYONE's Checkout v1 routes is reachable; each answers 404 saying why.
    for (method, path) in [
        (reqwest::Method::POST, "/api/cv1/sessions"),
        (reqwest::Method::GET, "/api/cv1/sessions/W1"),
        (reqwest::Method::POST, "/api/cv1/sessions/W1/details"),
        (reqwest::Method::POST, "/api/cv1/sessions/W1/confirm"),
        (reqwest::Method::GET, "/api/cv1/orders/O1/return"),
        (reqwest::Method::POST, "/api/cv1/orders/O1/authorize"),
    ] {
        let answer =
            http.request(method, format!("{base}{path}")).json(&serde_json::json!({"items": [{"sku": "mug", "quantity": 1}]})).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{path}");
        let error: amazon_pay_contract::ApiError = answer.json().await.unwrap();
        assert_eq!(error.code, ErrorCode::NotFound, "{path}");
        assert!(error.detail.as_deref().is_some_and(|d| d.contains("PAYONE") && d.contains("--provider amazon")), "{path}: {error:?}");
    }
    assert_eq!(state.store.upstream_calls().map(|c| c.len()).unwrap_or(0), 0, "nothing was sent to PAYONE");
    // A message pointing at this server's (refused) sandbox certificate: not trusted in live mode.
    let m = serde_json::json!({
        "Type": "Notification", "MessageId": "m1", "TopicArn": "arn", "Message": "{}", "Timestamp": "2026-12-06T04:00:00Z",
        "SignatureVersion": "2", "Signature": "AAAA", "SigningCertURL": format!("{base}/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem")
    });
    let ipn = http.post(format!("{base}/amazon/ipn")).body(m.to_string()).send().await.unwrap();
    assert_eq!(ipn.status(), 403);
    // The button is signed with the merchant's key for Amazon's own checkout.js.
    let button: ButtonConfig = http
        .post(format!("{base}/api/cv2/sessions"))
        .json(&serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "de"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(button.script_url, "https://static-eu.payments-amazon.com/checkout.js");
    assert!(!button.sandbox);
    let public = amazon_pay_v2::PrivateKey::from_pem(&std::fs::read_to_string(support::amazon_live::MERCHANT_KEY_PEM).unwrap()).unwrap().public_key();
    amazon_pay_v2::signing::verify(&public, amazon_pay_v2::Algorithm::V2, button.payload_json.as_bytes(), &button.signature)
        .expect("signed with the merchant's key");
}

fn merchant_post(env: &Env, order: &str, action: &str, key: &str, body: serde_json::Value) -> impl std::future::Future<Output = reqwest::Response> {
    let request = env
        .http
        .post(env.url(&format!("/merchant/api/orders/{order}/{action}")))
        .bearer_auth(MERCHANT_KEY)
        .header("idempotency-key", key)
        .json(&body);
    async move { request.send().await.unwrap() }
}

/// The ids of the orders the merchant's order list finds with `filter=value`.
async fn merchant_list(env: &Env, filter: &str, value: &str) -> Vec<String> {
    let answer = env.http.get(env.url("/merchant/api/orders")).query(&[(filter, value)]).bearer_auth(MERCHANT_KEY).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let list: serde_json::Value = answer.json().await.unwrap();
    list["data"].as_array().expect("a list").iter().map(|o| o["id"].as_str().expect("an id").to_owned()).collect()
}

async fn merchant_order(env: &Env, order: &str) -> serde_json::Value {
    let answer = env.http.get(env.url(&format!("/merchant/api/orders/{order}"))).bearer_auth(MERCHANT_KEY).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn timeline(env: &Env, order: &str) -> amazon_pay_contract::merchant::Timeline {
    let answer = env.http.get(env.url(&format!("/merchant/api/orders/{order}/timeline"))).bearer_auth(MERCHANT_KEY).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

#[tokio::test]
async fn authorize_with_capture_is_captured_once_and_a_declined_refund_gives_the_money_back() {
    // Refunds stay pending long enough for Amazon to decline one.
    let env = start_configured(Duration::from_secs(60), |c| c.payone_authorization = amazon_pay_server::config::Authorization::Authorization).await;
    let buyer = Buyer::new(&env);
    let (order, url, _) = placed(&env, &buyer, "visa-1111").await;
    buyer.get(&location(&buyer.get(&url).await)).await;
    assert_eq!(status(&env, &order).await.state, OrderState::Paid, "AuthorizeWithCapture: paid on the return");
    let shown = merchant_order(&env, &order).await;
    let total = shown["amounts"]["total"].as_i64().unwrap();
    assert_eq!((shown["amounts"]["captured"].as_i64(), shown["amounts"]["remaining"].as_i64()), (Some(total), Some(0)), "{shown}");

    // Capturing again is refused before Amazon is asked, and says what to do; the same key gets the same answer.
    for _ in 0..2 {
        let again = merchant_post(&env, &order, "capture", "capture-twice-01", serde_json::json!({})).await;
        assert_eq!(again.status(), 409);
        let body: serde_json::Value = again.json().await.unwrap();
        assert_eq!(body["code"], "already_captured", "{body}");
        assert!(body["message"].as_str().unwrap().contains("refund"), "{body}");
    }
    assert!(env.upstream("merchant-capture").is_empty(), "Amazon was not asked to capture again");
    assert_eq!(merchant_order(&env, &order).await["amounts"], shown["amounts"], "nothing changed");

    // A refund Amazon accepts, then declines: the order's refunded amount goes back, one event says so.
    let refunded = merchant_post(&env, &order, "refund", "refund-then-no-1", serde_json::json!({"amount": 300})).await;
    assert_eq!(refunded.status(), 200, "{}", refunded.text().await.unwrap());
    let part = merchant_order(&env, &order).await;
    assert_eq!((part["amounts"]["refunded"].as_i64(), part["payment_status"].as_str()), (Some(300), Some("partly_refunded")), "{part}");
    let refund_id = env.texts(&format!("SELECT refund_id FROM amazon_refunds WHERE order_id = '{order}'")).pop().expect("the refund is stored");
    let declined = env.http.post(env.url(&format!("/sandbox/amazon/refunds/{refund_id}/decline"))).send().await.unwrap();
    assert_eq!(declined.status(), 204);
    let failed = |env: &Env| env.state.store.events_for_order(&order).unwrap().into_iter().filter(|e| e.kind == "order.refund_failed").count();
    eventually("the declined refund followed", 10, || (failed(&env) == 1).then_some(())).await;
    // The sandbox's control refuses what Amazon could not do: a refund no longer pending, an unknown one.
    assert_eq!(env.http.post(env.url(&format!("/sandbox/amazon/refunds/{refund_id}/decline"))).send().await.unwrap().status(), 422);
    assert_eq!(env.http.post(env.url("/sandbox/amazon/refunds/R02-0000000-0000000-R00001/decline")).send().await.unwrap().status(), 404);
    let after = merchant_order(&env, &order).await;
    assert_eq!((after["amounts"]["refunded"].as_i64(), after["amounts"]["refundable"].as_i64()), (Some(0), Some(total)), "{after}");
    // Where its money stands says so too, and the list finds it by that: captured again, not partly refunded.
    assert_eq!(after["payment_status"], "captured");
    assert!(merchant_list(&env, "payment_status", "captured").await.contains(&order));
    assert!(!merchant_list(&env, "payment_status", "partly_refunded").await.contains(&order));

    // Amazon says it again (another message about the same refund): nothing more changes.
    let cert = env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem");
    let message =
        serde_json::json!({"MerchantID": merchant_id(&env), "ObjectType": "REFUND", "ObjectId": refund_id, "NotificationType": "STATE_CHANGE"})
            .to_string();
    let again = serde_json::to_string(&sns(&env, "Notification", "m-refund-again", &message, &cert)).unwrap();
    assert_eq!(ipn(&env, &again).await.status(), 200);
    assert_eq!(ipn(&env, &again).await.status(), 200, "and its replay");
    assert_eq!(failed(&env), 1, "one order.refund_failed");
    assert_eq!(merchant_order(&env, &order).await["amounts"], after["amounts"]);
    // The money can be refunded again.
    let retry = merchant_post(&env, &order, "refund", "refund-retry-001", serde_json::json!({"amount": 300})).await;
    assert_eq!(retry.status(), 200, "{}", retry.text().await.unwrap());

    // The dashboard's timeline: Amazon's notifications like PAYONE's, and the declined refund.
    let entries = timeline(&env, &order).await.entries;
    let amazon: Vec<_> = entries.iter().filter(|e| e.source == "amazon").collect();
    assert!(amazon.iter().any(|e| e.title.contains("REFUND") && e.detail.as_deref().is_some_and(|d| d.contains("Declined"))), "{entries:?}");
    assert!(amazon.iter().any(|e| e.title.contains("CHARGE")), "the charge's notification too: {entries:?}");
    assert!(amazon.iter().any(|e| e.title.starts_with("refund declined")), "{entries:?}");
    assert!(entries.iter().filter(|e| e.source == "amazon" && e.title.contains("REFUND")).count() >= 2, "each message once: {entries:?}");
}

/// The sandbox's Seller Central: the merchant captures or cancels charge `charge` there, and no IPN comes.
async fn seller_central(env: &Env, charge: &str, action: &str) -> u16 {
    env.http.post(env.url(&format!("/sandbox/amazon/charges/{charge}/seller-central/{action}"))).send().await.unwrap().status().as_u16()
}

/// An order placed and returned from Amazon (`Authorize`): approved, with its charge id.
async fn approved(env: &Env) -> (String, String) {
    let buyer = Buyer::new(env);
    let (order, url, _) = placed(env, &buyer, "visa-1111").await;
    buyer.get(&location(&buyer.get(&url).await)).await;
    assert_eq!(status(env, &order).await.state, OrderState::Approved);
    let charge = env.state.store.amazon_order(&order).unwrap().unwrap().charge_id.unwrap();
    (order, charge)
}

#[tokio::test]
async fn a_capture_in_seller_central_before_its_ipn_is_recorded_when_amazon_refuses_ours() {
    let env = start().await;
    let (order, charge) = approved(&env).await;
    assert_eq!(seller_central(&env, &charge, "capture").await, 204);
    assert_eq!(seller_central(&env, &charge, "capture").await, 422, "Amazon captures a charge once");
    assert_eq!(seller_central(&env, &charge, "refund").await, 404);
    assert_eq!(seller_central(&env, "S02-0000000-0000000-C00001", "capture").await, 404);
    assert_eq!(merchant_order(&env, &order).await["amounts"]["captured"], 0, "no IPN came");

    // Amazon refuses ours (InvalidChargeStatus); its charge says captured: recorded, and the answer says so.
    let answer = merchant_post(&env, &order, "capture", "capture-sc-0001", serde_json::json!({"amount": 500})).await;
    assert_eq!(answer.status(), 409);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "already_captured", "{body}");
    assert!(body["message"].as_str().unwrap().contains("Seller Central"), "{body}");
    let after = merchant_order(&env, &order).await;
    let total = after["amounts"]["total"].as_i64().unwrap();
    let captured = amazon_pay_contract::merchant::amount_text(total, "EUR");
    assert!(body["message"].as_str().unwrap().contains(&format!("had captured {captured} of charge")), "{body}");
    assert_eq!(
        (after["state"].as_str(), after["amounts"]["captured"].as_i64(), after["amounts"]["remaining"].as_i64()),
        (Some("paid"), Some(total), Some(0)),
        "{after}"
    );
    // The same key again: refused from what is recorded, Amazon not asked again.
    let again = merchant_post(&env, &order, "capture", "capture-sc-0001", serde_json::json!({"amount": 500})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["code"], "already_captured");
    assert_eq!(env.upstream("merchant-capture").len(), 1);

    // Amazon's IPN comes late: nothing is counted twice.
    let cert = env.url("/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem");
    let message =
        serde_json::json!({"MerchantID": merchant_id(&env), "ObjectType": "CHARGE", "ObjectId": charge, "NotificationType": "STATE_CHANGE"})
            .to_string();
    assert_eq!(ipn(&env, &serde_json::to_string(&sns(&env, "Notification", "m-late-capture", &message, &cert)).unwrap()).await.status(), 200);
    assert_eq!(merchant_order(&env, &order).await["amounts"], after["amounts"]);
    let captured_events = env.state.store.events_for_order(&order).unwrap().into_iter().filter(|e| e.kind == "order.captured").count();
    assert_eq!(captured_events, 1);
}

/// Amazon's refusal of a money action (here a cancel of a charge captured in Seller Central, whose IPN has not
/// come) is the key's answer, and the order's timeline shows it beside the money that moved, as PAYONE's.
#[tokio::test]
async fn a_money_action_amazon_refuses_is_answered_once_and_shown_in_the_timeline() {
    let env = start().await;
    let (order, charge) = approved(&env).await;
    assert_eq!(seller_central(&env, &charge, "capture").await, 204);
    for _ in 0..2 {
        let answer = merchant_post(&env, &order, "cancel", "cancel-refused-01", serde_json::json!({})).await;
        assert_eq!(answer.status(), 502);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["code"], "amazon_refused", "{body}");
        assert!(body["message"].as_str().unwrap().contains("InvalidChargeStatus"), "{body}");
    }
    assert_eq!(env.upstream("merchant-cancel").len(), 1, "the same key gets the stored answer: Amazon asked once");
    let entries = timeline(&env, &order).await.entries;
    let refused: Vec<_> = entries.iter().filter(|e| e.source == "merchant" && e.title.ends_with("refused")).collect();
    assert_eq!(refused.len(), 1, "recorded once, for its key: {entries:?}");
    assert!(refused[0].title.starts_with("cancel"), "{refused:?}");
    let detail = refused[0].detail.as_deref().unwrap_or_default();
    assert!(detail.starts_with("Amazon Pay refused it (InvalidChargeStatus") && detail.ends_with("nothing moved"), "{detail}");
}

#[tokio::test]
async fn a_charge_cancelled_in_seller_central_is_refused_with_its_state() {
    let env = start().await;
    let (order, charge) = approved(&env).await;
    assert_eq!(seller_central(&env, &charge, "cancel").await, 204);
    let answer = merchant_post(&env, &order, "capture", "capture-sc-0002", serde_json::json!({})).await;
    assert_eq!(answer.status(), 409);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "charge_not_capturable", "{body}");
    assert!(body["message"].as_str().unwrap().contains("Canceled"), "{body}");
    let after = merchant_order(&env, &order).await;
    assert_eq!((after["state"].as_str(), after["amounts"]["captured"].as_i64()), (Some("approved"), Some(0)), "nothing recorded: {after}");
}

#[tokio::test]
async fn a_second_partial_capture_is_refused_before_amazon_and_the_rest_can_be_released() {
    let env = start().await;
    let (order, charge) = approved(&env).await;
    let first = merchant_post(&env, &order, "capture", "capture-part-001", serde_json::json!({"amount": 500})).await;
    assert_eq!(first.status(), 200, "{}", first.text().await.unwrap());
    let shown = merchant_order(&env, &order).await;
    let total = shown["amounts"]["total"].as_i64().unwrap();
    assert_eq!((shown["amounts"]["captured"].as_i64(), shown["amounts"]["remaining"].as_i64()), (Some(500), Some(total - 500)));

    // Amazon captures a charge once: the rest needs a new charge, which this server does not make. Refused, saying so.
    let second = merchant_post(&env, &order, "capture", "capture-part-002", serde_json::json!({})).await;
    assert_eq!(second.status(), 409);
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["code"], "capture_needs_new_charge", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&charge) && message.contains("Create Charge") && message.contains("cancel"), "{message}");
    // In the currency, as every other refusal says amounts (and the dashboard shows them), not in cents.
    let left = amazon_pay_contract::merchant::amount_text(total - 500, "EUR");
    assert!(message.contains("(5.00 EUR of the ") && message.contains(&format!("The {left} left")), "{message}");
    assert!(!message.contains("minor units"), "{message}");
    assert_eq!(env.upstream("merchant-capture").len(), 1, "Amazon was not asked");
    assert_eq!(merchant_order(&env, &order).await["amounts"], shown["amounts"], "nothing changed");
    // At Amazon too: a second capture of the charge is refused.
    let at_amazon = &env.state.amazon.as_ref().unwrap().client;
    let refused = at_amazon
        .capture_charge(
            &charge,
            &amazon_pay_v2::models::CaptureChargeRequest {
                capture_amount: amazon_pay_v2::models::Price::from_minor(1, "EUR"),
                soft_descriptor: None,
            },
            "direct-second-1",
        )
        .await
        .unwrap_err();
    assert_eq!(refused.reason_code(), Some("InvalidChargeStatus"));

    // What is left is released (the charge permission closed); the captured part can be refunded.
    let cancelled = merchant_post(&env, &order, "cancel", "cancel-part-0001", serde_json::json!({})).await;
    assert_eq!(cancelled.status(), 200, "{}", cancelled.text().await.unwrap());
    let after = merchant_order(&env, &order).await;
    assert_eq!((after["amounts"]["released"].as_i64(), after["amounts"]["remaining"].as_i64()), (Some(total - 500), Some(0)), "{after}");
    assert_eq!(after["payment_status"], "captured", "part captured, the rest released");
    let refunded = merchant_post(&env, &order, "refund", "refund-part-001", serde_json::json!({})).await;
    assert_eq!(refunded.status(), 200, "{}", refunded.text().await.unwrap());
    assert_eq!(merchant_order(&env, &order).await["payment_status"], "refunded");
    assert_eq!(merchant_list(&env, "payment_status", "refunded").await, [order.as_str()]);
}

/// The browser's Back on Amazon's MFA page (neither verified nor cancelled): the order stays `redirected`, and the
/// review page placing again (a new key after a reload) gets the same order and the same `amazonPayRedirectUrl`,
/// which still asks for MFA; passing it then approves that order, with one Update Checkout Session.
#[tokio::test]
async fn back_from_the_mfa_page_placing_again_goes_on_with_the_same_order() {
    let env = start().await;
    let buyer = Buyer::new(&env);
    let (order, url, workorder) = placed(&env, &buyer, "mc-3ds1").await;
    assert!(buyer.get(&url).await.text().await.unwrap().contains("mfa-code"));
    assert_eq!(status(&env, &order).await.state, OrderState::Redirected);

    let again: PlaceOrderResponse = env.place(&workorder, "key-after-back-0001", Default::default()).await.json().await.unwrap();
    assert_eq!(again.order_id, order);
    assert!(matches!(&again.outcome, PlaceOrderOutcome::Redirect { url: same } if *same == url), "{:?}", again.outcome);
    assert!(buyer.get(&url).await.text().await.unwrap().contains("mfa-code"), "the redirect still asks for MFA");
    let id = param(&url, "amazonCheckoutSessionId").unwrap();
    let ok = buyer.post_form("/sandbox/amazon/checkout/pay", &[("amazonCheckoutSessionId", &id), ("action", "verify"), ("code", "123456")]).await;
    buyer.get(&location(&ok)).await;
    assert_eq!(status(&env, &order).await.state, OrderState::Approved);
    assert_eq!(env.upstream("updateCheckoutSession").len(), 1);
}

/// Amazon acted, but answered after the server's timeout (1.5 s against 400 ms). "Place order" (Update Checkout
/// Session): 504, and nothing is charged (only this server completes the session, on the return from a redirect
/// that attempt never handed out); the same key, which the widget keeps, places that attempt again, and a new
/// key gets it. The return (Complete Checkout Session, which authorizes): the client's retry with the same
/// idempotency key gets Amazon's stored answer (else Get Checkout Session finds the session completed), and the
/// order is approved. Amazon charged once. (About 10 s: the client tries each call 4 times, 1, 2 and 4 s apart.)
#[tokio::test]
async fn amazon_answering_after_the_timeout_is_asked_again_and_charges_once() {
    let env = start_configured(Duration::from_millis(50), |config| {
        config.amazon.as_mut().expect("Amazon direct").timeout = Duration::from_millis(400);
    })
    .await;
    let sim = env.sandbox().amazon_v2.clone();
    let buyer = Buyer::new(&env);
    let button = env.create_session().await;
    let (_, session) = buyer.checkout(&button, "visa-1111").await;
    let workorder = button.workorder_id.clone();
    assert_eq!(review(&env, &workorder, Some(&session)).await.status(), 200);

    sim.answer_late(Some(("PATCH checkoutSessions/", Duration::from_millis(1500))));
    let lost = env.place(&workorder, "late-amazon-0001", Default::default()).await;
    assert_eq!(lost.status(), 504);
    let first = env.state.store.orders_for_workorder(&workorder).unwrap()[0].clone();
    assert_eq!((first.state, first.decline), (OrderState::UpstreamFailed, Some(ErrorCode::UpstreamTimeout)));
    sim.answer_late(None);
    let again = env.place(&workorder, "late-amazon-0001", Default::default()).await;
    assert_eq!(again.status(), 200, "the same key is placed again, not answered the timeout forever");
    let placed: PlaceOrderResponse = again.json().await.unwrap();
    assert_eq!(placed.order_id, first.id);
    let PlaceOrderOutcome::Redirect { url } = placed.outcome.clone() else { panic!("{placed:?}") };
    let other: PlaceOrderResponse = env.place(&workorder, "late-amazon-0002", Default::default()).await.json().await.unwrap();
    assert_eq!(other, placed, "a new key gets the checkout's live order");
    assert_eq!(env.state.store.orders_for_workorder(&workorder).unwrap().len(), 1);

    sim.answer_late(Some(("/complete", Duration::from_millis(1500))));
    let back = follow_to_result(&buyer, url).await;
    assert_eq!(location(&back), format!("/confirmation.html?order={}", first.id), "the completion was found");
    sim.answer_late(None);
    assert_eq!(status(&env, &first.id).await.state, OrderState::Approved);
    let result = format!("/api/amazon/orders/{}/result?amazonCheckoutSessionId={session}", first.id);
    assert_eq!(location(&buyer.get(&result).await), format!("/confirmation.html?order={}", first.id));
    assert_eq!(sim.charges_of_session(&session), 1, "Amazon charged once");
    assert_eq!(env.upstream("completeCheckoutSession").len(), 1, "a reload completes nothing again");
}
