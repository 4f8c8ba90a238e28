//! PAYONE CV1 (`Widgets.js`, `wallettype=AMZ`) through the widget's endpoints, over real HTTP against the sandbox:
//! getconfiguration, getorderreferencedetails, setorderreferencedetails, confirmorderreference, Amazon's
//! confirmation flow and its return, the authorization, and every decline the sandbox can produce.
#![cfg(feature = "sandbox")]

use amazon_pay_contract::cv1::{
    AuthorizeRequest, ConfirmRequest, CreateCv1SessionRequest, Cv1Decline, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session,
    OrderReferenceRequest, WidgetsConfig,
};
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::orders::OrderStatus;
use amazon_pay_contract::{routes, ApiError, ErrorCode, Language, Money};
use amazon_pay_server::app::{AppState, Server};
use amazon_pay_server::config::{AmazonMode, Config};
use amazon_pay_server::sandbox::amazon::{AgreementType, SANDBOX_CLIENT_ID};
use amazon_pay_server::sandbox::{scenario, Sandbox};

mod support;

struct Env {
    base: String,
    dir: tempfile::TempDir,
    state: AppState,
    http: reqwest::Client,
    /// The PostgreSQL database the server stores in (`AMAZON_PAY_TEST_SERVER_STORE=postgres`), if not SQLite.
    pg_url: Option<String>,
}

async fn start_with(adjust: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    let pg_url = support::test_store(&mut config).await;
    adjust(&mut config);
    let server = Server::bind(config).await.unwrap();
    let (base, state) = server.spawn();
    // Redirects are followed by hand, to see where each one leads.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Env { base, dir, state, http, pg_url }
}

async fn start() -> Env {
    start_with(|_| {}).await
}

/// One buyer's checkout: the session, the buyer's token and the order reference the AddressBook created.
struct Checkout {
    session: Cv1Session,
    token: String,
    reference: String,
}

impl Env {
    /// The first column (text) of every row of `sql`, from the store (SQLite or PostgreSQL).
    fn texts(&self, sql: &str) -> Vec<String> {
        support::store_texts(self.dir.path(), self.pg_url.as_deref(), sql)
    }

    fn sandbox(&self) -> &Sandbox {
        self.state.sandbox.as_ref().expect("sandbox mode")
    }

    async fn post<T: serde::Serialize>(&self, path: &str, body: &T) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).json(body).send().await.unwrap()
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    /// A session for two mugs, and Anna (or `buyer`) signed in with an order reference paid with `instrument`.
    async fn checkout(&self, buyer: &str, instrument: Option<&str>) -> Checkout {
        let request = CreateCv1SessionRequest { items: vec![CartLine { sku: "mug".into(), quantity: 2 }], language: Language::En };
        let response = self.post(routes::CV1_SESSIONS, &request).await;
        assert_eq!(response.status(), 200);
        let session: Cv1Session = response.json().await.unwrap();
        let amazon = &self.sandbox().amazon;
        let token = amazon.issue_token(buyer, &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
        let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap().id;
        if let Some(id) = instrument {
            amazon.select_for_widget(&token, &reference, None, Some(id)).unwrap();
        }
        Checkout { session, token, reference }
    }

    fn set_instrument(&self, reference: &str, instrument: &str) {
        let chosen = scenario::instrument(instrument);
        self.sandbox().amazon.update_order_reference(reference, |r| r.instrument = chosen).unwrap();
    }

    async fn confirm(&self, c: &Checkout, key: &str, lang: Language) -> reqwest::Response {
        let request = ConfirmRequest {
            amazon_order_reference_id: c.reference.clone(),
            access_token: c.token.clone(),
            idempotency_key: key.into(),
            return_path: "/cv1.html".into(),
            language: lang,
        };
        self.post(&routes::cv1_confirm(&c.session.workorder_id), &request).await
    }

    async fn confirmed(&self, c: &Checkout, key: &str) -> Cv1OrderResponse {
        let response = self.confirm(c, key, Language::En).await;
        assert_eq!(response.status(), 200);
        let answer: Cv1OrderResponse = response.json().await.unwrap();
        assert_eq!(answer.outcome, Cv1Outcome::Confirmed);
        answer
    }

    /// What `confirmationFlow.success()` leads to (no MFA): Amazon's page, then our return URL, then the page.
    async fn run_confirmation_flow(&self, reference: &str) -> String {
        let amazon_page = self.get(&format!("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId={reference}")).await;
        assert_eq!(amazon_page.status(), 303);
        self.follow_return(location(&amazon_page)).await
    }

    /// Follows PAYONE's success or error URL (on this server) to the widget's page; returns that page's address.
    async fn follow_return(&self, return_url: String) -> String {
        assert!(return_url.starts_with(&self.base), "{return_url}");
        let back = self.http.get(&return_url).send().await.unwrap();
        assert_eq!(back.status(), 303, "{return_url}");
        location(&back)
    }

    /// The buyer cancels on the sandbox's MFA page: its answer, a redirect to PAYONE's error URL.
    async fn cancel_confirmation(&self, reference: &str) -> reqwest::Response {
        let form = [("amazonOrderReferenceId", reference), ("action", "cancel")];
        self.http.post(format!("{}/sandbox/amazon/widgets/confirm", self.base)).form(&form).send().await.unwrap()
    }

    async fn authorize(&self, order_id: &str, lang: Language) -> reqwest::Response {
        self.post(&routes::cv1_authorize(order_id), &AuthorizeRequest { language: lang }).await
    }

    /// `(action, outcome)` of every PAYONE call.
    fn payone_calls(&self) -> Vec<(String, String)> {
        let calls = self.state.store.upstream_calls().unwrap();
        calls.into_iter().filter(|(s, _, _)| s == "payone").map(|(_, a, o)| (a, o)).collect()
    }

    /// The stored (redacted) request bodies of one action.
    fn requests(&self, action: &str) -> Vec<String> {
        assert!(action.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "a PAYONE action name: {action}");
        self.texts(&format!("SELECT request FROM upstream_calls WHERE action = '{action}' ORDER BY id"))
    }

    async fn order_state(&self, order_id: &str) -> String {
        let status: OrderStatus = self.get(&routes::order(order_id)).await.json().await.unwrap();
        status.state.as_str().to_owned()
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn expect_error(response: reqwest::Response, status: u16, code: ErrorCode) -> ApiError {
    assert_eq!(response.status(), status);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.code, code, "{err:?}");
    err
}

fn declined(answer: &Cv1OrderResponse) -> (ErrorCode, Option<Cv1Decline>, &str) {
    match &answer.outcome {
        Cv1Outcome::Declined { code, reason, message } => (*code, *reason, message.as_str()),
        other => panic!("expected a decline, got {other:?}"),
    }
}

#[tokio::test]
async fn widgets_config_names_the_sandbox_client_seller_and_script() {
    let env = start().await;
    let config: WidgetsConfig = env.get(routes::CV1_WIDGETS).await.json().await.unwrap();
    assert_eq!(config.client_id, SANDBOX_CLIENT_ID);
    assert_eq!(config.seller_id, "A2SANDBOXMERCHANT");
    assert!(config.sandbox);
    assert_eq!(config.script_url, format!("{}/sandbox/amazon/Widgets.js", env.base));
}

#[tokio::test]
async fn approved_from_getconfiguration_to_the_authorization() {
    let env = start().await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    assert!(c.session.workorder_id.starts_with("WO"), "{:?}", c.session);
    assert_eq!(c.session.amount, Money::eur(2580), "two mugs, priced by the server");
    assert_eq!(c.session.widgets.client_id, SANDBOX_CLIENT_ID);
    assert_eq!(c.session.widgets.seller_id, "A2SANDBOXMERCHANT");
    assert!(c.session.widgets.script_url.ends_with("/sandbox/amazon/Widgets.js"));

    let request = OrderReferenceRequest { amazon_order_reference_id: c.reference.clone(), access_token: c.token.clone(), language: Language::De };
    let details: Cv1Details = env.post(&routes::cv1_details(&c.session.workorder_id), &request).await.json().await.unwrap();
    assert_eq!(details.buyer_name, "Anna Schmidt");
    assert_eq!(details.email, "anna.schmidt@sandbox.example");
    assert_eq!(details.shipping_address.city, "Berlin");
    assert_eq!(details.shipping_address.state, "", "PAYONE's literal `Empty` is not shown");
    assert_eq!(details.amount, Money::eur(2580));
    let again: Cv1Session = env.get(&routes::cv1_session(&c.session.workorder_id)).await.json().await.unwrap();
    assert_eq!(again.amazon_order_reference_id.as_deref(), Some(c.reference.as_str()), "the checkout is bound to it");

    let first = env.confirmed(&c, "confirm-key-0001").await;
    let repeated = env.confirmed(&c, "confirm-key-0001").await;
    assert_eq!(first, repeated, "a double click gets the same answer");
    let other_tab = env.confirmed(&c, "confirm-key-0002").await;
    assert_eq!(other_tab.order_id, first.order_id, "a confirmation in progress is answered again");
    assert_eq!(env.order_state(&first.order_id).await, "redirected");
    // The page loaded again meanwhile (Back from Amazon's MFA page) shows the checkout, whose "Place order" reopens
    // Amazon's confirmation for this order: not the order's page, which would wait for a decision nobody is making.
    let waiting: Cv1Session = env.get(&routes::cv1_session(&c.session.workorder_id)).await.json().await.unwrap();
    assert_eq!(waiting.order_id, None, "an order still in Amazon's confirmation flow is not shown as placed");

    // No authorization before Amazon's confirmation flow has returned.
    expect_error(env.authorize(&first.order_id, Language::En).await, 400, ErrorCode::BadRequest).await;
    let page = env.run_confirmation_flow(&c.reference).await;
    assert_eq!(page, format!("/cv1.html?workorderId={}&order={}&result=success", c.session.workorder_id, first.order_id));

    let answer: Cv1OrderResponse = env.authorize(&first.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Approved);
    let again: Cv1OrderResponse = env.authorize(&first.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(again, answer, "one authorization per order");
    assert_eq!(env.order_state(&first.order_id).await, "approved");
    let placed: Cv1Session = env.get(&routes::cv1_session(&c.session.workorder_id)).await.json().await.unwrap();
    assert_eq!(placed.order_id.as_deref(), Some(first.order_id.as_str()), "a page loaded now shows the order");

    let actions: Vec<String> = env.payone_calls().into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        actions,
        [
            "getconfiguration",
            "getorderreferencedetails",
            "getorderreferencedetails",
            "setorderreferencedetails",
            "confirmorderreference",
            "preauthorization"
        ]
    );
    let auth = &env.requests("preauthorization")[0];
    for field in ["wallettype=AMZ", "clearingtype=wlt", "add_paydata%5Bamazon_timeout%5D=0", "lastname=Schmidt", "amount=2580"] {
        assert!(auth.contains(field), "{field} in {auth}");
    }
    assert!(auth.contains(&format!("reference={}", first.order_id)));
    let confirm = &env.requests("confirmorderreference")[0];
    assert!(confirm.contains(&format!("add_paydata%5Breference%5D={}", first.order_id)), "the authorization's reference: {confirm}");
    assert!(confirm.contains("successurl=") && confirm.contains("errorurl="));
    let leaked = support::store_count(env.dir.path(), env.pg_url.as_deref(), "SELECT count(*) FROM upstream_calls WHERE request LIKE '%Atza%'");
    assert_eq!(leaked, 0, "the buyer's token is redacted in the upstream log");

    // The checkout has its order now; another confirmation shows it instead of placing a second one.
    let after = env.confirm(&c, "confirm-key-0003", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(after, Cv1OrderResponse { order_id: first.order_id.clone(), outcome: Cv1Outcome::AlreadyPlaced });
}

/// The total of a shop that charges for standard delivery includes its fee, so the page needs the fee to show
/// a "Delivery" line, else its items do not add up to its total. Digital goods have none, and none is sent.
#[tokio::test]
async fn the_details_name_the_delivery_fee_the_total_includes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalogue.json");
    std::fs::write(&path, r#"{"currency":"EUR","products":{"mug":{"name":"Mug","price":1290},"ebook":{"name":"E-book","price":990,"digital":true}},"delivery":{"standard":390,"express":1150}}"#).unwrap();
    let env = start_with(|c| c.catalogue = Some(path)).await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    assert_eq!(c.session.amount, Money::eur(2 * 1290 + 390), "two mugs and standard delivery");
    let request = OrderReferenceRequest { amazon_order_reference_id: c.reference.clone(), access_token: c.token.clone(), language: Language::En };
    let details: Cv1Details = env.post(&routes::cv1_details(&c.session.workorder_id), &request).await.json().await.unwrap();
    assert_eq!(details.delivery_fee, Some(Money::eur(390)));
    let goods: i64 = details.items.iter().map(|l| l.unit_price.minor * i64::from(l.quantity)).sum();
    assert_eq!(goods + 390, details.amount.minor, "the lines add up to the total");

    // Digital goods: nothing delivered, no fee, and the field is left out (a page of an older widget reads it so).
    let request = CreateCv1SessionRequest { items: vec![CartLine { sku: "ebook".into(), quantity: 1 }], language: Language::En };
    let session: Cv1Session = env.post(routes::CV1_SESSIONS, &request).await.json().await.unwrap();
    let amazon = &env.sandbox().amazon;
    let token = amazon.issue_token("anna", &["profile", "payments:widget", "payments:shipping_address"]).unwrap();
    let reference = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap().id;
    amazon.select_for_widget(&token, &reference, None, Some("visa-1111")).unwrap();
    let request = OrderReferenceRequest { amazon_order_reference_id: reference, access_token: token, language: Language::En };
    let answer: serde_json::Value = env.post(&routes::cv1_details(&session.workorder_id), &request).await.json().await.unwrap();
    assert_eq!(answer.get("delivery_fee"), None, "{answer}");
    assert_eq!(answer["amount"]["minor"], 990);
}

#[tokio::test]
async fn soft_decline_at_confirmation_lets_the_buyer_pick_another_card() {
    let env = start().await;
    let c = env.checkout("jean", Some("visa-0981")).await;
    let answer: Cv1OrderResponse = env.confirm(&c, "soft-decline-001", Language::Fr).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::SoftDecline, Some(Cv1Decline::InvalidPaymentMethod)));
    assert_eq!(message, Cv1Decline::InvalidPaymentMethod.buyer_message(Language::Fr));
    assert_eq!(env.order_state(&answer.order_id).await, "declined");

    env.set_instrument(&c.reference, "visa-1111");
    let retry = env.confirmed(&c, "soft-decline-002").await;
    assert_ne!(retry.order_id, answer.order_id);
    env.run_confirmation_flow(&c.reference).await;
    let approved: Cv1OrderResponse = env.authorize(&retry.order_id, Language::Fr).await.json().await.unwrap();
    assert_eq!(approved.outcome, Cv1Outcome::Approved);
}

#[tokio::test]
async fn hard_decline_at_authorization_closes_the_checkout() {
    let env = start().await;
    let c = env.checkout("anna", Some("amex-0982")).await;
    let confirmed = env.confirmed(&c, "hard-decline-001").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::It).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::HardDecline, Some(Cv1Decline::AmazonRejected)));
    assert_eq!(message, Cv1Decline::AmazonRejected.buyer_message(Language::It));
    let again = env.confirm(&c, "hard-decline-002", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(again.outcome, Cv1Outcome::AlreadyPlaced, "no second try after a hard decline");
}

#[tokio::test]
async fn first_synchronous_mode_retries_a_timeout_asynchronously() {
    let env = start().await;
    assert_eq!(env.state.config.payone_amazon_mode, AmazonMode::FirstSynchronous, "the default");
    let c = env.checkout("anna", Some("visa-0980")).await;
    let confirmed = env.confirmed(&c, "first-sync-0001").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Pending);
    let auths = env.requests("preauthorization");
    assert_eq!(auths.len(), 2);
    assert!(auths[0].contains("amazon_timeout%5D=0") && auths[1].contains("amazon_timeout%5D=1440"), "{auths:?}");
    assert_eq!(env.order_state(&confirmed.order_id).await, "pending");
}

#[tokio::test]
async fn synchronous_mode_reports_a_timeout_as_980() {
    let env = start_with(|config| config.payone_amazon_mode = AmazonMode::Synchronous).await;
    let c = env.checkout("anna", Some("visa-0980")).await;
    let confirmed = env.confirmed(&c, "sync-timeout-01").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::Es).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::HardDecline, Some(Cv1Decline::TransactionTimedOut)));
    assert_eq!(message, Cv1Decline::TransactionTimedOut.buyer_message(Language::Es));
    let auths = env.requests("preauthorization");
    assert_eq!(auths.len(), 1, "no asynchronous retry");
    assert!(auths[0].contains("cancel_on_timeout%5D=yes"));
}

#[tokio::test]
async fn asynchronous_mode_answers_pending() {
    let env = start_with(|config| config.payone_amazon_mode = AmazonMode::Asynchronous).await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    let confirmed = env.confirmed(&c, "async-mode-0001").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Pending);
    assert!(env.requests("preauthorization")[0].contains("amazon_timeout%5D=1440"));
}

/// The return is a GET that gives the order up: only the URLs handed to PAYONE (with the order's token) may.
/// A forged one (a wrong token, another order's) is refused and changes nothing; one without a token only sends
/// the buyer on; the real one works.
#[tokio::test]
async fn a_forged_return_from_the_confirmation_flow_changes_nothing() {
    let env = start().await;
    let c = env.checkout("giulia", Some("mc-3ds0")).await;
    let confirmed = env.confirmed(&c, "forged-return-01").await;
    let other = env.checkout("anna", Some("visa-1111")).await;
    let other = env.confirmed(&other, "forged-return-02").await;
    let before = env.order_state(&confirmed.order_id).await;
    let key = &env.state.config.payone.key;
    let others_token = amazon_pay_server::return_token::token(key, &other.order_id);
    let path = routes::cv1_return(&confirmed.order_id);
    // Without a token (a URL from before tokens, or any page's `<img>`): the buyer is sent on, nothing changes.
    let tokenless = env.get(&format!("{path}?result=error&AuthenticationStatus=Abandoned")).await;
    assert_eq!(tokenless.status(), 303);
    assert!(location(&tokenless).contains("result=abandoned"), "{}", location(&tokenless));
    assert_eq!(env.order_state(&confirmed.order_id).await, before, "a tokenless error gives nothing up");
    for query in ["result=error&token=0123456789abcdef0123456789abcdef", "result=success&token=x"]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("result=error&token={others_token}"), format!("result=success&token={others_token}")])
    {
        let err = expect_error(env.get(&format!("{path}?{query}")).await, 400, ErrorCode::BadRequest).await;
        assert!(err.detail.unwrap_or_default().contains("token"), "{query}");
        assert_eq!(env.order_state(&confirmed.order_id).await, before, "{query}: nothing changed");
    }
    // PAYONE's own error URL, as the sandbox's MFA page sends the buyer to it.
    let cancel = env.cancel_confirmation(&c.reference).await;
    let error_url = location(&cancel);
    let token = amazon_pay_server::return_token::token(key, &confirmed.order_id);
    assert!(error_url.contains(&format!("token={token}")), "{error_url}");
    env.follow_return(error_url).await;
    assert_eq!(env.order_state(&confirmed.order_id).await, "abandoned");
}

#[tokio::test]
async fn abandoned_mfa_returns_to_the_page_and_allows_another_try() {
    let env = start().await;
    let c = env.checkout("giulia", Some("mc-3ds0")).await;
    let confirmed = env.confirmed(&c, "abandon-mfa-001").await;
    // The MFA page; the buyer cancels.
    let mfa = env.get(&format!("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId={}", c.reference)).await;
    assert_eq!(mfa.status(), 200);
    let cancel = env.cancel_confirmation(&c.reference).await;
    assert_eq!(cancel.status(), 303);
    let error_url = location(&cancel);
    assert!(error_url.contains("result=error") && error_url.contains("AuthenticationStatus=Abandoned"), "{error_url}");
    let page = env.follow_return(error_url).await;
    assert!(page.ends_with(&format!("order={}&result=abandoned", confirmed.order_id)), "{page}");
    assert_eq!(env.order_state(&confirmed.order_id).await, "abandoned");
    // Why, for the merchant API and the `order.abandoned` event (`orders/abandon.rs`).
    let reason = env.texts(&format!("SELECT abandon_reason FROM orders WHERE id = '{}'", confirmed.order_id));
    assert_eq!(reason, ["authentication_abandoned"]);
    let err = expect_error(env.authorize(&confirmed.order_id, Language::De).await, 400, ErrorCode::BadRequest).await;
    assert!(err.message.contains("Amazon Pay nicht abgeschlossen"), "{}", err.message);

    // Another card, confirmed again: a new order for the same checkout.
    env.set_instrument(&c.reference, "visa-1111");
    let retry = env.confirmed(&c, "abandon-mfa-002").await;
    assert_ne!(retry.order_id, confirmed.order_id);
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&retry.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Approved);
}

#[tokio::test]
async fn missing_payment_method_and_address_are_986_and_987() {
    let env = start().await;
    let c = env.checkout("anna", None).await;
    let answer: Cv1OrderResponse = env.confirm(&c, "no-payment-0001", Language::En).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::SoftDecline, Some(Cv1Decline::PaymentPlanNotSet)));
    assert_eq!(message, "Please choose a payment method in the Amazon Pay box.");

    let d = env.checkout("jean", Some("visa-1111")).await;
    env.sandbox().amazon.update_order_reference(&d.reference, |r| r.address = None).unwrap();
    let request = OrderReferenceRequest { amazon_order_reference_id: d.reference.clone(), access_token: d.token.clone(), language: Language::En };
    let err = expect_error(env.post(&routes::cv1_details(&d.session.workorder_id), &request).await, 402, ErrorCode::SoftDecline).await;
    assert_eq!(err.message, "Please choose a shipping address in the Amazon Pay box.");
    assert!(err.detail.unwrap().contains("987"));
}

#[tokio::test]
async fn the_sandbox_buyers_without_an_address_or_a_default_payment_method_get_987_and_986() {
    let env = start().await;
    // Noah's account has no address: PAYONE refuses to read the order reference (987), nothing is stored.
    let noah = env.checkout("noah", None).await;
    assert!(env.sandbox().amazon.order_reference(&noah.reference).unwrap().address.is_none());
    let request =
        OrderReferenceRequest { amazon_order_reference_id: noah.reference.clone(), access_token: noah.token.clone(), language: Language::It };
    let err = expect_error(env.post(&routes::cv1_details(&noah.session.workorder_id), &request).await, 402, ErrorCode::SoftDecline).await;
    assert_eq!(err.message, Cv1Decline::ShippingAddressNotSet.buyer_message(Language::It));
    let err = expect_error(env.confirm(&noah, "no-address-0001", Language::En).await, 402, ErrorCode::SoftDecline).await;
    assert_eq!(err.message, "Please choose a shipping address in the Amazon Pay box.");
    assert!(env.state.store.orders_for_workorder(&noah.session.workorder_id).unwrap().is_empty(), "no order without an address");

    // Lena has an address but no default payment method: the details read fine, the confirmation is refused
    // with 986 and nothing is confirmed; once she picks one in the Wallet, the same checkout goes through.
    let lena = env.checkout("lena", None).await;
    let request =
        OrderReferenceRequest { amazon_order_reference_id: lena.reference.clone(), access_token: lena.token.clone(), language: Language::En };
    let details: Cv1Details = env.post(&routes::cv1_details(&lena.session.workorder_id), &request).await.json().await.unwrap();
    assert_eq!((details.buyer_name.as_str(), details.shipping_address.city.as_str()), ("Lena Vogel", "Hamburg"));
    let answer: Cv1OrderResponse = env.confirm(&lena, "no-payment-0002", Language::Fr).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::SoftDecline, Some(Cv1Decline::PaymentPlanNotSet)));
    assert_eq!(message, Cv1Decline::PaymentPlanNotSet.buyer_message(Language::Fr));
    assert!(!env.sandbox().amazon.order_reference(&lena.reference).unwrap().confirmed);
    env.sandbox().amazon.select_for_widget(&lena.token, &lena.reference, None, Some("visa-1111")).unwrap();
    let retry = env.confirmed(&lena, "no-payment-0003").await;
    env.run_confirmation_flow(&lena.reference).await;
    let approved: Cv1OrderResponse = env.authorize(&retry.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(approved.outcome, Cv1Outcome::Approved);
    let outcomes: Vec<String> = env.payone_calls().into_iter().filter(|(a, _)| a == "confirmorderreference").map(|(_, o)| o).collect();
    assert!(outcomes[0].starts_with("PAYONE error 986"), "{outcomes:?}");
    assert_eq!(outcomes[1], "OK");
}

#[tokio::test]
async fn constraints_984_and_985_are_refused_at_confirmation_and_nothing_is_authorized() {
    let env = start().await;
    // 984 BuyerEqualsSeller: Amazon Pay cannot work for this account: no retry on this checkout.
    let c = env.checkout("anna", Some("visa-0984")).await;
    let answer: Cv1OrderResponse = env.confirm(&c, "buyer-seller-01", Language::De).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::HardDecline, Some(Cv1Decline::BuyerEqualsSeller)));
    assert_eq!(message, Cv1Decline::BuyerEqualsSeller.buyer_message(Language::De));
    assert_eq!(env.order_state(&answer.order_id).await, "declined");
    let again = env.confirm(&c, "buyer-seller-02", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(again, Cv1OrderResponse { order_id: answer.order_id.clone(), outcome: Cv1Outcome::AlreadyPlaced });
    let authorized: Cv1OrderResponse = env.authorize(&answer.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(authorized.outcome, Cv1Outcome::AlreadyPlaced, "a declined confirmation is never authorized");

    // 985 PaymentMethodNotAllowed: the buyer picks another payment method and confirms again.
    let d = env.checkout("jean", Some("visa-0985")).await;
    let answer: Cv1OrderResponse = env.confirm(&d, "not-allowed-001", Language::Es).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::SoftDecline, Some(Cv1Decline::PaymentMethodNotAllowed)));
    assert_eq!(message, Cv1Decline::PaymentMethodNotAllowed.buyer_message(Language::Es));
    env.set_instrument(&d.reference, "visa-1111");
    let retry = env.confirmed(&d, "not-allowed-002").await;
    assert_ne!(retry.order_id, answer.order_id);

    let calls = env.payone_calls();
    let confirms: Vec<&String> = calls.iter().filter(|(a, _)| a == "confirmorderreference").map(|(_, o)| o).collect();
    assert!(confirms[0].starts_with("PAYONE error 984") && confirms[1].starts_with("PAYONE error 985"), "{confirms:?}");
    assert!(calls.iter().all(|(a, _)| a != "preauthorization" && a != "cancelorderreference"), "{calls:?}");
}

#[tokio::test]
async fn processing_failure_at_authorization_cancels_the_order_reference() {
    let env = start().await;
    let c = env.checkout("giulia", Some("visa-0983")).await;
    let confirmed = env.confirmed(&c, "processing-0001").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::En).await.json().await.unwrap();
    let (code, reason, message) = declined(&answer);
    assert_eq!((code, reason), (ErrorCode::HardDecline, Some(Cv1Decline::ProcessingFailure)));
    assert_eq!(message, "Amazon Pay could not process your payment. Nothing was charged. Please start the checkout again.");
    assert_eq!(env.order_state(&confirmed.order_id).await, "declined");

    // First synchronous, and 983 is no timeout: one authorization, then the order reference is canceled.
    let actions: Vec<(String, String)> = env.payone_calls().into_iter().skip_while(|(a, _)| a != "preauthorization").collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions[0].1.starts_with("PAYONE error 983"), "{actions:?}");
    assert_eq!((actions[1].0.as_str(), actions[1].1.as_str()), ("cancelorderreference", "OK"));
    let cancel = &env.requests("cancelorderreference")[0];
    assert!(cancel.contains(&c.reference) && cancel.contains(&format!("add_paydata%5Breference%5D={}", confirmed.order_id)), "{cancel}");
    // Repeated calls get the first answer; nothing more is sent.
    let again: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(again, answer);
    assert_eq!(env.requests("cancelorderreference").len(), 1);
    let after = env.confirm(&c, "processing-0002", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(after.outcome, Cv1Outcome::AlreadyPlaced, "a new checkout, not a second try on the canceled reference");
}

#[tokio::test]
async fn processing_failure_in_asynchronous_mode_fails_later_by_notification() {
    let env = start_with(|config| {
        config.payone_amazon_mode = AmazonMode::Asynchronous;
        config.sandbox_timings.settle_delay = std::time::Duration::from_millis(50);
    })
    .await;
    let c = env.checkout("anna", Some("visa-0983")).await;
    let confirmed = env.confirmed(&c, "processing-async").await;
    env.run_confirmation_flow(&c.reference).await;
    let answer: Cv1OrderResponse = env.authorize(&confirmed.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Pending);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while env.order_state(&confirmed.order_id).await != "failed" {
        assert!(std::time::Instant::now() < deadline, "the order never failed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let log = env.state.store.notification_log().unwrap();
    let actions: Vec<&str> = log.iter().map(|(_, action, _)| action.as_str()).collect();
    assert_eq!(actions, ["appointed", "failed"]);
}

/// A CV1 page on the shop's own origin (`Origin`, on the allowed and return origins): Amazon's confirmation flow
/// brings the buyer back to that page, not to the same path on this server (a 404 there, and no authorization).
#[tokio::test]
async fn a_page_on_the_shops_origin_gets_its_buyer_back_there() {
    let env = start_with(|config| config.allowed_origins = vec!["http://shop.example".into()]).await;
    let confirm = |c: &Checkout, key: &str, origin: &str| {
        let request = ConfirmRequest {
            amazon_order_reference_id: c.reference.clone(),
            access_token: c.token.clone(),
            idempotency_key: key.into(),
            return_path: "/checkout/amazon".into(),
            language: Language::En,
        };
        let url = format!("{}{}", env.base, routes::cv1_confirm(&c.session.workorder_id));
        env.http.post(url).header("origin", origin).json(&request).send()
    };
    let c = env.checkout("anna", Some("visa-1111")).await;
    let answer: Cv1OrderResponse = confirm(&c, "shop-origin-0001", "http://shop.example").await.unwrap().json().await.unwrap();
    assert_eq!(answer.outcome, Cv1Outcome::Confirmed);
    let page = env.run_confirmation_flow(&c.reference).await;
    let expected = format!("http://shop.example/checkout/amazon?workorderId={}&order={}&result=success", c.session.workorder_id, answer.order_id);
    assert_eq!(page, expected);
    let approved: Cv1OrderResponse = env.authorize(&answer.order_id, Language::En).await.json().await.unwrap();
    assert_eq!(approved.outcome, Cv1Outcome::Approved);

    // A page of this server (its own origin) keeps the path, as without `Origin`.
    let c = env.checkout("anna", Some("visa-1111")).await;
    let answer: Cv1OrderResponse = confirm(&c, "own-origin-00001", &env.base).await.unwrap().json().await.unwrap();
    let page = env.run_confirmation_flow(&c.reference).await;
    assert_eq!(page, format!("/checkout/amazon?workorderId={}&order={}&result=success", c.session.workorder_id, answer.order_id));
}

/// An origin that may call the API but may not have return pages (`--return-origins` names others): refused
/// before anything is placed or sent, naming the setting.
#[tokio::test]
async fn a_page_on_an_origin_without_return_pages_is_refused_before_anything_is_sent() {
    let env = start_with(|config| {
        config.allowed_origins = vec!["http://shop.example".into(), "http://other.example".into()];
        config.return_pages.return_origins = vec!["http://shop.example".into()];
    })
    .await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    let calls = env.payone_calls().len();
    let request = ConfirmRequest {
        amazon_order_reference_id: c.reference.clone(),
        access_token: c.token.clone(),
        idempotency_key: "other-origin-001".into(),
        return_path: "/cv1.html".into(),
        language: Language::En,
    };
    let url = format!("{}{}", env.base, routes::cv1_confirm(&c.session.workorder_id));
    let response = env.http.post(url).header("origin", "http://other.example").json(&request).send().await.unwrap();
    let err = expect_error(response, 500, ErrorCode::Configuration).await;
    assert_eq!(err.detail, None, "a 5xx: which setting is missing is for the operator's log");
    assert_eq!(env.payone_calls().len(), calls, "nothing reached PAYONE");
    assert!(env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap().is_empty(), "no order placed");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let env = start().await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    let calls = env.payone_calls().len();
    let details = |reference: &str, token: &str| OrderReferenceRequest {
        amazon_order_reference_id: reference.into(),
        access_token: token.into(),
        language: Language::En,
    };
    let path = routes::cv1_details(&c.session.workorder_id);
    expect_error(env.post(&path, &details("S02-123", &c.token)).await, 400, ErrorCode::BadRequest).await;
    expect_error(env.post(&path, &details(&c.reference, "has space")).await, 400, ErrorCode::BadRequest).await;
    expect_error(env.post(&routes::cv1_details("WOUNKNOWN"), &details(&c.reference, &c.token)).await, 404, ErrorCode::NotFound).await;
    let mut bad_path = ConfirmRequest {
        amazon_order_reference_id: c.reference.clone(),
        access_token: c.token.clone(),
        idempotency_key: "bad-input-00001".into(),
        return_path: "https://evil.example/".into(),
        language: Language::En,
    };
    expect_error(env.post(&routes::cv1_confirm(&c.session.workorder_id), &bad_path).await, 400, ErrorCode::BadRequest).await;
    bad_path.return_path = "/cv1.html".into();
    bad_path.idempotency_key = "short".into();
    expect_error(env.post(&routes::cv1_confirm(&c.session.workorder_id), &bad_path).await, 400, ErrorCode::BadRequest).await;
    expect_error(env.authorize("ONOSUCHORDER", Language::En).await, 404, ErrorCode::NotFound).await;
    let unknown = CreateCv1SessionRequest { items: vec![CartLine { sku: "nope".into(), quantity: 1 }], language: Language::En };
    expect_error(env.post(routes::CV1_SESSIONS, &unknown).await, 400, ErrorCode::BadRequest).await;
    assert_eq!(env.payone_calls().len(), calls, "nothing reached PAYONE");

    // A checkout belongs to the first order reference it was used with.
    let ok = env.post(&path, &details(&c.reference, &c.token)).await;
    assert_eq!(ok.status(), 200);
    let other = env.sandbox().amazon.create_order_reference(&c.token, AgreementType::OrderReference).unwrap().id;
    let err = expect_error(env.post(&path, &details(&other, &c.token)).await, 400, ErrorCode::BadRequest).await;
    assert!(err.detail.unwrap().contains("start a new checkout"));

    // An expired Amazon session means: sign in again.
    env.sandbox().amazon.expire_token(&c.token);
    expect_error(env.post(&path, &details(&c.reference, &c.token)).await, 410, ErrorCode::SessionExpired).await;
}

#[tokio::test]
async fn the_shops_address_rules_refuse_a_cv1_address_before_anything_is_confirmed() {
    let env = start_with(|c| {
        c.address_rules = amazon_pay_server::address_rules::AddressRules { countries: vec!["DE".into()], refuse_po_boxes: true, ..Default::default() }
    })
    .await;
    let c = env.checkout("paul", Some("visa-1111")).await;
    env.sandbox().amazon.select_for_widget(&c.token, &c.reference, Some("paul-pobox"), None).unwrap();
    let response = env.confirm(&c, "cv1-rules-0001", Language::De).await;
    assert_eq!(response.status(), 400);
    let err: ApiError = response.json().await.unwrap();
    assert_eq!(err.message, amazon_pay_contract::address::AddressProblem::PoBox.form_message(Language::De));
    assert!(env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap().is_empty(), "no order");
    assert!(env.payone_calls().iter().all(|(action, _)| action != "confirmorderreference"), "nothing confirmed");
    // Another address from the AddressBook: confirmed.
    env.sandbox().amazon.select_for_widget(&c.token, &c.reference, Some("paul-home"), None).unwrap();
    env.confirmed(&c, "cv1-rules-0002").await;
}

/// A server whose PAYONE calls go through `upstream` (timeout 400 ms).
async fn behind(upstream: &support::FaultyUpstream) -> Env {
    let endpoint = format!("{}/sandbox/payone/post-gateway/", upstream.base);
    let env = start_with(|config| {
        config.payone.endpoint = Some(endpoint);
        config.payone_timeout = std::time::Duration::from_millis(400);
    })
    .await;
    upstream.forward_to(&env.base);
    env
}

/// [`behind`], and a confirmed checkout back from Amazon's confirmation flow, ready to authorize.
async fn confirmed_behind(upstream: &support::FaultyUpstream) -> (Env, Checkout, String) {
    let env = behind(upstream).await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    let order_id = env.confirmed(&c, "timeout-confirm-1").await.order_id;
    env.run_confirmation_flow(&c.reference).await;
    (env, c, order_id)
}

/// The authorization never reached PAYONE, and the server cannot know: the order stays undecided. Another
/// confirmation of the checkout gets that order (no second authorization), and the authorization asked again
/// (the page's next press) is sent with the same reference and placed now.
#[tokio::test]
async fn an_authorization_without_an_answer_stays_undecided_and_is_asked_again() {
    let upstream = support::FaultyUpstream::start().await;
    let (env, c, first) = confirmed_behind(&upstream).await;
    upstream.break_on("request=preauthorization", support::Fault::Hang);
    expect_error(env.authorize(&first, Language::De).await, 504, ErrorCode::UpstreamTimeout).await;
    assert_eq!(env.order_state(&first).await, "placing", "undecided, not failed");

    upstream.heal();
    let other = env.confirm(&c, "timeout-confirm-2", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(other, Cv1OrderResponse { order_id: first.clone(), outcome: Cv1Outcome::AlreadyPlaced }, "no second order");
    let answer: Cv1OrderResponse = env.authorize(&first, Language::De).await.json().await.unwrap();
    assert_eq!(answer, Cv1OrderResponse { order_id: first.clone(), outcome: Cv1Outcome::Approved });
    let sent = env.requests("preauthorization");
    assert_eq!(sent.len(), 2, "the timed-out one and the one asked again");
    assert!(sent.iter().all(|r| r.contains(&format!("reference={first}"))), "the same reference both times");
    assert_eq!(env.order_state(&first).await, "approved");
}

/// PAYONE authorized, and notified, but its answer came after the server's timeout. The notification (found by
/// the reference) settles the order, and the late timeout never overwrites it: the checkout has its one order,
/// and neither another confirmation nor the authorization asked again sends anything to PAYONE.
#[tokio::test]
async fn an_authorization_answered_too_late_is_settled_by_its_notification_and_never_sent_twice() {
    let upstream = support::FaultyUpstream::start().await;
    let (env, c, first) = confirmed_behind(&upstream).await;
    upstream.break_on("request=preauthorization", support::Fault::LateAnswer);
    expect_error(env.authorize(&first, Language::En).await, 504, ErrorCode::UpstreamTimeout).await;
    upstream.heal();
    let state = env.state.clone();
    let settled = support::eventually("the notification settles the order", 10, || {
        state.store.order(&first).unwrap().filter(|o| o.state == amazon_pay_contract::orders::OrderState::Approved)
    })
    .await;
    assert!(settled.txid.is_some(), "the notification named the transaction");
    let other = env.confirm(&c, "timeout-confirm-2", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
    assert_eq!(other, Cv1OrderResponse { order_id: first.clone(), outcome: Cv1Outcome::AlreadyPlaced });
    let again = env.authorize(&first, Language::En).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Cv1OrderResponse>().await.unwrap().outcome, Cv1Outcome::AlreadyPlaced);
    assert_eq!(env.requests("preauthorization").len(), 1, "authorized once");
    assert_eq!(env.order_state(&first).await, "approved");
}

/// `confirmorderreference` answered too late: PAYONE (and Amazon) confirmed the order reference for this
/// attempt, with its return URLs. The attempt stays undecided (a new attempt's `setorderreferencedetails` would
/// meet a confirmed reference); the buyer's next press, whatever its key, asks `confirmorderreference` again for
/// that attempt, and the checkout is authorized once, under its one reference.
#[tokio::test]
async fn a_confirmation_answered_too_late_is_asked_again_and_authorized_once() {
    let upstream = support::FaultyUpstream::start().await;
    let env = behind(&upstream).await;
    let c = env.checkout("anna", Some("visa-1111")).await;
    upstream.break_on("confirmorderreference", support::Fault::LateAnswer);
    let err = expect_error(env.confirm(&c, "late-confirm-0001", Language::Fr).await, 504, ErrorCode::UpstreamTimeout).await;
    assert_eq!(err.message, ErrorCode::UpstreamTimeout.buyer_message(Language::Fr), "nothing promised about a charge");
    assert!(env.sandbox().amazon.order_reference(&c.reference).unwrap().confirmed, "PAYONE acted on it");
    let orders = env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap();
    assert_eq!(orders.len(), 1);
    let first = orders[0].id.clone();
    assert_eq!(env.order_state(&first).await, "placing", "undecided, not failed");
    let session: Cv1Session = env.get(&routes::cv1_session(&c.session.workorder_id)).await.json().await.unwrap();
    assert_eq!(session.order_id, None, "a page loaded again shows the checkout, whose \"Place order\" asks again");

    // Refused, and nothing sent: another order reference for that attempt's checkout.
    upstream.heal();
    let other = Checkout {
        session: c.session.clone(),
        token: c.token.clone(),
        reference: env.sandbox().amazon.create_order_reference(&c.token, AgreementType::OrderReference).unwrap().id,
    };
    let calls = env.payone_calls().len();
    let err = expect_error(env.confirm(&other, "late-confirm-0003", Language::En).await, 400, ErrorCode::BadRequest).await;
    assert!(err.detail.unwrap_or_default().contains("another order reference"));
    assert_eq!(env.payone_calls().len(), calls, "nothing reached PAYONE");
    assert_eq!(env.order_state(&first).await, "placing");

    // The widget's next press (a new key after an error): the same attempt, confirmed now.
    let again = env.confirmed(&c, "late-confirm-0002").await;
    assert_eq!(again.order_id, first, "no second attempt");
    let same_key = env.confirmed(&c, "late-confirm-0001").await;
    assert_eq!(same_key, again);
    assert_eq!(env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap().len(), 1);
    let page = env.run_confirmation_flow(&c.reference).await;
    assert!(page.contains(&format!("order={first}&result=success")), "{page}");
    let answer: Cv1OrderResponse = env.authorize(&first, Language::En).await.json().await.unwrap();
    assert_eq!(answer, Cv1OrderResponse { order_id: first.clone(), outcome: Cv1Outcome::Approved });

    assert_eq!(env.requests("setorderreferencedetails").len(), 1, "the details were set: not again");
    let confirms = env.requests("confirmorderreference");
    assert_eq!(confirms.len(), 2, "the late one and the one asked again");
    assert!(confirms.iter().all(|r| r.contains(&format!("add_paydata%5Breference%5D={first}"))), "the same attempt both times");
    assert_eq!(env.requests("preauthorization").len(), 1, "authorized once");
    assert_eq!(env.sandbox().payone.transactions_for_reference(&first).len(), 1);
}

/// A confirmation without an answer (never reached PAYONE) or with a 5xx is undecided the same way: asked
/// again, PAYONE confirms it now.
#[tokio::test]
async fn a_confirmation_without_an_answer_or_with_a_5xx_is_confirmed_when_asked_again() {
    for (fault, key) in [(support::Fault::Hang, "hang-confirm-01"), (support::Fault::Status503, "fivexx-confirm-1")] {
        let upstream = support::FaultyUpstream::start().await;
        let env = behind(&upstream).await;
        let c = env.checkout("anna", Some("visa-1111")).await;
        upstream.break_on("confirmorderreference", fault);
        expect_error(env.confirm(&c, key, Language::De).await, 504, ErrorCode::UpstreamTimeout).await;
        let first = env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap()[0].id.clone();
        assert_eq!(env.order_state(&first).await, "placing", "{fault:?}");
        upstream.heal();
        let again = env.confirmed(&c, key).await;
        assert_eq!(again.order_id, first, "{fault:?}");
        env.run_confirmation_flow(&c.reference).await;
        let answer: Cv1OrderResponse = env.authorize(&first, Language::En).await.json().await.unwrap();
        assert_eq!(answer.outcome, Cv1Outcome::Approved, "{fault:?}");
        assert_eq!(env.requests("preauthorization").len(), 1, "{fault:?}");
    }
}

/// The authorization's answer is garbled, a 5xx, or lost with the connection after PAYONE took it: whether
/// PAYONE authorized is unknown, so the order is undecided (504, "try again in a moment", nothing promised), not
/// failed: another confirmation gets that order, and the authorization asked again sends the same reference
/// (PAYONE places it now, or its TransactionStatus has settled it). Never a second authorization.
#[tokio::test]
async fn an_authorization_answered_with_garbage_a_5xx_or_a_dropped_connection_stays_undecided() {
    for fault in [support::Fault::Garbage, support::Fault::Status500, support::Fault::LoseAnswer] {
        let upstream = support::FaultyUpstream::start().await;
        let (env, c, first) = confirmed_behind(&upstream).await;
        upstream.break_on("request=preauthorization", fault);
        let err = expect_error(env.authorize(&first, Language::It).await, 504, ErrorCode::UpstreamTimeout).await;
        assert_eq!(err.message, ErrorCode::UpstreamTimeout.buyer_message(Language::It), "{fault:?}");
        upstream.heal();
        let other = env.confirm(&c, "garbled-auth-0002", Language::En).await.json::<Cv1OrderResponse>().await.unwrap();
        assert_eq!(other, Cv1OrderResponse { order_id: first.clone(), outcome: Cv1Outcome::AlreadyPlaced }, "{fault:?}: no second order");
        if fault == support::Fault::LoseAnswer {
            // PAYONE authorized: its TransactionStatus, found by the reference, settles the order.
            let state = env.state.clone();
            support::eventually("the notification settles the order", 10, || {
                state.store.order(&first).unwrap().filter(|o| o.state == amazon_pay_contract::orders::OrderState::Approved)
            })
            .await;
        }
        let answer: Cv1OrderResponse = env.authorize(&first, Language::En).await.json().await.unwrap();
        assert_eq!(answer.order_id, first, "{fault:?}");
        assert!(matches!(answer.outcome, Cv1Outcome::Approved | Cv1Outcome::AlreadyPlaced), "{fault:?}: {answer:?}");
        assert_eq!(env.order_state(&first).await, "approved", "{fault:?}");
        let sent = env.requests("preauthorization");
        assert!(sent.iter().all(|r| r.contains(&format!("reference={first}"))), "{fault:?}: the same reference");
        assert_eq!(env.sandbox().payone.transactions_for_reference(&first).len(), 1, "{fault:?}: authorized once");
        assert_eq!(env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap().len(), 1, "{fault:?}");
    }
}

/// `setorderreferencedetails` only sets a draft order reference's total: it moves no money and may be sent
/// again, so a 5xx or a garbled answer fails the attempt cleanly (`upstream_failed`), and the buyer's next press
/// (a new key) confirms a new attempt, which is authorized once.
#[tokio::test]
async fn a_5xx_or_garbled_answer_before_the_confirmation_fails_cleanly() {
    for (fault, code) in [(support::Fault::Status500, ErrorCode::UpstreamError), (support::Fault::Garbage, ErrorCode::UpstreamInvalid)] {
        let upstream = support::FaultyUpstream::start().await;
        let env = behind(&upstream).await;
        let c = env.checkout("anna", Some("visa-1111")).await;
        upstream.break_on("setorderreferencedetails", fault);
        let err = expect_error(env.confirm(&c, "set-details-0001", Language::Es).await, 502, code).await;
        assert_eq!(err.message, code.buyer_message(Language::Es));
        let first = env.state.store.orders_for_workorder(&c.session.workorder_id).unwrap()[0].id.clone();
        assert_eq!(env.order_state(&first).await, "upstream_failed", "{fault:?}");
        assert!(env.requests("confirmorderreference").is_empty(), "{fault:?}: nothing confirmed");
        upstream.heal();
        let retry = env.confirmed(&c, "set-details-0002").await;
        assert_ne!(retry.order_id, first, "{fault:?}: a new attempt");
        env.run_confirmation_flow(&c.reference).await;
        let answer: Cv1OrderResponse = env.authorize(&retry.order_id, Language::En).await.json().await.unwrap();
        assert_eq!(answer.outcome, Cv1Outcome::Approved, "{fault:?}");
        assert_eq!(env.requests("preauthorization").len(), 1, "{fault:?}");
    }
}
