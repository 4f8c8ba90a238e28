//! The fake Amazon hosted pages and endpoints over real HTTP: the CV2 checkout pages (sign in, choose, change,
//! processing), Login with Amazon, the profile and tokeninfo APIs, the widget JSON and the CV1 confirmation flow.
//! Redirects are not followed, so every test sees the `Location` the browser would be sent to. The sandbox is
//! served on its own; the tests that need the server too are in server/tests/sandbox_hosted.rs.

mod support;

use amazon_pay_sandbox::amazon::{AgreementType, SessionState, SANDBOX_CLIENT_ID};
use amazon_pay_sandbox::{Sandbox, SandboxConfig, PAYONE_PUBLIC_KEY_ID};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

struct Harness {
    base: String,
    sandbox: Arc<Sandbox>,
    http: Client,
}

async fn start() -> Harness {
    let (base, sandbox) = support::serve(SandboxConfig::default()).await;
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    Harness { base, sandbox, http }
}

impl Harness {
    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
    }

    async fn get(&self, path_and_query: &str) -> Response {
        self.http.get(format!("{}{path_and_query}", self.base)).send().await.unwrap()
    }

    /// The button form `checkout.js` posts, for `payload` signed by the sandbox.
    async fn initiate(&self, payload: &Value) -> Response {
        let payload = payload.to_string();
        let signature = self.sandbox().sign(&payload);
        self.post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", &payload), ("signature", &signature), ("publicKeyId", PAYONE_PUBLIC_KEY_ID), ("environment", "SANDBOX")],
        )
        .await
    }

    /// Button → sign in as `buyer` → choose: the `Location` Amazon sends the buyer to, and the session id.
    async fn checkout(&self, payload: &Value, buyer: &str, address: &str, instrument: &str) -> (String, String) {
        let page = self.initiate(payload).await;
        assert_eq!(page.status(), 200);
        let session = hidden_value(&page.text().await.unwrap(), "amazonCheckoutSessionId");
        let page = self.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", buyer)]).await;
        assert_eq!(page.status(), 200);
        let back = self
            .post_form(
                "/sandbox/amazon/checkout/choose",
                &[("amazonCheckoutSessionId", &session), ("buyer", buyer), ("address", address), ("instrument", instrument)],
            )
            .await;
        assert_eq!(back.status(), StatusCode::SEE_OTHER);
        (location(&back), session)
    }
}

fn payload(workorder: &str) -> Value {
    json!({
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review?lang=de",
            "checkoutCancelUrl": "https://shop.example/cart",
        },
        "storeId": SANDBOX_CLIENT_ID,
        "paymentDetails": {"paymentIntent": "Authorize", "chargeAmount": {"amount": "12.34", "currencyCode": "EUR"}},
        "merchantMetadata": {"merchantReferenceId": workorder},
    })
}

fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The value of `<input type="hidden" name="NAME" value="…">` in a page.
fn hidden_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in {page}")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn json_of(response: Response) -> Value {
    response.json().await.unwrap()
}

const SIGNIN: &str = "/sandbox/amazon/ap/signin";

fn signin_query(popup: &str, redirect: &str) -> String {
    serde_urlencoded::to_string([
        ("client_id", SANDBOX_CLIENT_ID),
        ("scope", "profile postal_code payments:widget"),
        ("redirect_uri", redirect),
        ("response_type", "token"),
        ("popup", popup),
        ("state", "csrf-1"),
    ])
    .unwrap()
}

fn signin_form<'a>(popup: &'a str, redirect: &'a str, buyer: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", SANDBOX_CLIENT_ID),
        ("scope", "profile postal_code payments:widget"),
        ("redirect_uri", redirect),
        ("response_type", "token"),
        ("popup", popup),
        ("state", "csrf-1"),
        ("buyer", buyer),
        ("action", action),
    ]
}

async fn widget(h: &Harness, path: &str, body: Value) -> (StatusCode, Value) {
    let response = h.http.post(format!("{}/sandbox/amazon/widgets/{path}", h.base)).json(&body).send().await.unwrap();
    (response.status(), json_of(response).await)
}

#[tokio::test]
async fn the_hosted_checkout_returns_to_the_review_page_with_workorder_and_session_ids() {
    let h = start().await;
    let page = h.initiate(&payload("WO-HOSTED1")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let body = page.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">"));
    assert!(body.contains("<legend>Amazon test account</legend>"));
    assert!(body.contains("Anna Schmidt") && body.contains("12.34 EUR"));
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    assert_eq!(h.sandbox().amazon.session_for_workorder("WO-HOSTED1").unwrap().id, session);

    let choose = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "anna")]).await;
    assert_eq!(choose.status(), 200);
    let body = choose.text().await.unwrap();
    assert!(body.contains("<legend>Shipping address</legend>") && body.contains("<legend>Payment method</legend>"));
    assert!(
        body.contains("Marienplatz 8") && body.contains("Visa ••••0981") && body.contains("Sandbox outcome: soft decline 981 InvalidPaymentMethod")
    );
    assert!(body.contains("<label for=\"instrument-mc-3ds1\">"), "every radio has a label");
    assert!(body.contains("value=\"visa-1111\" required checked"), "Anna's default payment method is preselected");

    // Noah's account has no address; Lena's has no default payment method, so nothing is preselected for her.
    let noah = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "noah")]).await;
    let noah = noah.text().await.unwrap();
    assert!(noah.contains("There is no address in this Amazon account") && !noah.contains("name=\"address\""));
    let without = h
        .post_form("/sandbox/amazon/checkout/choose", &[("amazonCheckoutSessionId", &session), ("buyer", "noah"), ("instrument", "visa-1111")])
        .await;
    assert_eq!(without.status(), StatusCode::BAD_REQUEST, "no address, no way on");
    let lena = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "lena")]).await;
    let lena = lena.text().await.unwrap();
    assert!(lena.contains("value=\"lena-home\" required checked"), "her address is");
    let checked_instruments = lena.split("name=\"instrument\"").skip(1).filter(|radio| radio.split('>').next().unwrap_or("").contains("checked"));
    assert_eq!(checked_instruments.count(), 0, "no instrument is checked for Lena");

    let back = h
        .post_form(
            "/sandbox/amazon/checkout/choose",
            &[("amazonCheckoutSessionId", &session), ("buyer", "anna"), ("address", "anna-office"), ("instrument", "mc-4444")],
        )
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&back), format!("https://shop.example/review?lang=de&workorderId=WO-HOSTED1&amazonCheckoutSessionId={session}"));
    let stored = h.sandbox().amazon.checkout_session(&session).unwrap();
    assert_eq!(stored.state, SessionState::Selected);
    assert_eq!(stored.address.unwrap().id, "anna-office");
    assert_eq!(stored.instrument.unwrap().id, "mc-4444");
}

#[tokio::test]
async fn a_forged_signature_or_unknown_key_is_an_invalid_signature_error() {
    let h = start().await;
    let payload = payload("WO-FORGED").to_string();
    let good = h.sandbox().sign(&payload);
    let tampered = payload.replace("12.34", "0.01");
    for (json, signature, key) in [
        (tampered.as_str(), good.as_str(), PAYONE_PUBLIC_KEY_ID),
        (payload.as_str(), "00ff", PAYONE_PUBLIC_KEY_ID),
        (payload.as_str(), good.as_str(), "LIVE-AAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let response =
            h.post_form("/sandbox/amazon/checkout/initiate", &[("payloadJSON", json), ("signature", signature), ("publicKeyId", key)]).await;
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains("InvalidSignatureError"), "{body}");
        assert!(body.contains("role=\"alert\""));
    }
    assert!(h.sandbox().amazon.session_for_workorder("WO-FORGED").is_none(), "nothing was opened");
    // A SANDBOX- key nobody registered is refused too; Amazon's message names the string that was signed.
    let unknown =
        h.post_form("/sandbox/amazon/checkout/initiate", &[("payloadJSON", &payload), ("signature", &good), ("publicKeyId", "SANDBOX-ABC")]).await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("InvalidSignatureError"));
    // The right key with the other algorithm's salt length (the button said V2, PAYONE signs the default).
    let v2 = h
        .post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", &payload), ("signature", &good), ("publicKeyId", PAYONE_PUBLIC_KEY_ID), ("algorithm", "AMZN-PAY-RSASSA-PSS-V2")],
        )
        .await;
    let body = v2.text().await.unwrap();
    assert!(body.contains("does not match signedString AMZN-PAY-RSASSA-PSS-V2 "), "{body}");
}

#[tokio::test]
async fn payone_signatures_are_real_rsa_pss() {
    let h = start().await;
    let payload = payload("WO-RSA").to_string();
    let signature = h.sandbox().sign(&payload);
    assert_eq!(signature.len(), 344, "base64 of a 2048-bit RSA signature");
    let key = amazon_pay_v2::PublicKey::from_pem(amazon_pay_sandbox::SANDBOX_PUBLIC_KEY_PEM).unwrap();
    assert_eq!(amazon_pay_v2::signing::verify(&key, amazon_pay_v2::Algorithm::V1, payload.as_bytes(), &signature), Ok(()));
    let served: Value = h.get(&format!("/sandbox/amazon/keys/{PAYONE_PUBLIC_KEY_ID}")).await.json().await.unwrap();
    assert_eq!(served["jwk"], key.to_jwk());
    assert_eq!(h.get("/sandbox/amazon/keys/SANDBOX-NOPE").await.status(), 404);
}

#[tokio::test]
async fn missing_fields_and_bad_payloads_get_clear_error_pages() {
    let h = start().await;
    let missing = h.post_form("/sandbox/amazon/checkout/initiate", &[("signature", "x"), ("publicKeyId", PAYONE_PUBLIC_KEY_ID)]).await;
    assert_eq!(missing.status(), 400);
    let body = missing.text().await.unwrap();
    assert!(body.contains("MissingParameterValue") && body.contains("payloadJSON"), "{body}");

    let mut no_workorder = payload("x");
    no_workorder.as_object_mut().unwrap().remove("merchantMetadata");
    let body = h.initiate(&no_workorder).await.text().await.unwrap();
    assert!(body.contains("merchantMetadata.merchantReferenceId"), "{body}");

    let mut evil = payload("WO-EVIL");
    evil["webCheckoutDetails"]["checkoutReviewReturnUrl"] = json!("javascript:alert(1)");
    let response = h.initiate(&evil).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("InvalidParameterValue"));

    let mut no_amount = payload("WO-NOAMOUNT");
    no_amount.as_object_mut().unwrap().remove("paymentDetails");
    assert!(h.initiate(&no_amount).await.text().await.unwrap().contains("paymentDetails.chargeAmount"));

    let not_json = "{not json";
    let signature = h.sandbox().sign(not_json);
    let response = h
        .post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", not_json), ("signature", &signature), ("publicKeyId", PAYONE_PUBLIC_KEY_ID)],
        )
        .await;
    assert_eq!(response.status(), 400);

    let json = payload("WO-LIVE").to_string();
    let signature = h.sandbox().sign(&json);
    let live = h
        .post_form(
            "/sandbox/amazon/checkout/initiate",
            &[("payloadJSON", &json), ("signature", &signature), ("publicKeyId", PAYONE_PUBLIC_KEY_ID), ("environment", "LIVE")],
        )
        .await;
    assert!(live.text().await.unwrap().contains("ReleaseEnvironmentMismatch"));

    let unknown = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", "nope"), ("buyer", "anna")]).await;
    assert_eq!(unknown.status(), 404);
    let bad_choice = h.initiate(&payload("WO-BADCHOICE")).await.text().await.unwrap();
    let session = hidden_value(&bad_choice, "amazonCheckoutSessionId");
    let response = h
        .post_form(
            "/sandbox/amazon/checkout/choose",
            &[("amazonCheckoutSessionId", &session), ("buyer", "anna"), ("address", "jean-home"), ("instrument", "visa-1111")],
        )
        .await;
    assert_eq!(response.status(), 400, "another buyer's address");
    let response = h.post_form("/sandbox/amazon/checkout/choose", &[("amazonCheckoutSessionId", &session), ("buyer", "anna")]).await;
    assert!(response.text().await.unwrap().contains("MissingParameterValue"));
}

#[tokio::test]
async fn cancel_returns_to_the_cancel_url_and_a_new_click_reopens_the_session() {
    let h = start().await;
    let body = h.initiate(&payload("WO-CANCEL")).await.text().await.unwrap();
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    let back = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("action", "cancel")]).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&back), "https://shop.example/cart");
    assert_eq!(h.sandbox().amazon.checkout_session(&session).unwrap().state, SessionState::Canceled);
    let again = h.initiate(&payload("WO-CANCEL")).await;
    assert_eq!(hidden_value(&again.text().await.unwrap(), "amazonCheckoutSessionId"), session);
    assert_eq!(h.sandbox().amazon.checkout_session(&session).unwrap().state, SessionState::Open);
}

#[tokio::test]
async fn a_buyer_without_an_address_cannot_go_on_to_the_review_page_only_cancel() {
    let h = start().await;
    let body = h.initiate(&payload("WO-NOAH")).await.text().await.unwrap();
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    let page = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "noah")]).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    // Continue would post no address and end on an error page: it is disabled, and the page says what to do.
    assert!(page.contains("id=\"no-address\""), "{page}");
    assert!(page.contains("cancel and sign in as another buyer"), "{page}");
    assert!(page.contains("value=\"continue\" disabled aria-describedby=\"no-address\""), "{page}");
    assert!(page.contains("value=\"cancel\" formnovalidate>Cancel and return to the shop"), "{page}");
    // A form posted anyway is refused as before, and changes nothing; Cancel returns to the shop.
    let refused = h
        .post_form("/sandbox/amazon/checkout/choose", &[("amazonCheckoutSessionId", &session), ("buyer", "noah"), ("instrument", "visa-1111")])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(h.sandbox().amazon.checkout_session(&session).unwrap().state, SessionState::Open);
    let back = h.post_form("/sandbox/amazon/checkout/choose", &[("amazonCheckoutSessionId", &session), ("action", "cancel")]).await;
    assert_eq!(location(&back), "https://shop.example/cart");

    // Anna, who has addresses, goes on as ever.
    let body = h.initiate(&payload("WO-ANNA")).await.text().await.unwrap();
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    let page = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "anna")]).await;
    let page = page.text().await.unwrap();
    assert!(page.contains("value=\"continue\">Continue</button>") && !page.contains("no-address"), "{page}");
}

#[tokio::test]
async fn markup_in_buyer_data_is_shown_as_text() {
    let h = start().await;
    let body = h.initiate(&payload("WO-MALLORY")).await.text().await.unwrap();
    assert!(body.contains("&lt;img src=x onerror=alert(1)&gt; Mallory"));
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    let body =
        h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "mallory")]).await.text().await.unwrap();
    for raw in ["<img", "<script", "<svg", "<iframe", "<b>"] {
        assert!(!body.contains(raw), "{raw} reached the page");
    }
    assert!(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(body.contains("&amp;amp; &amp;lt;"), "entities are escaped, not decoded");
}

#[tokio::test]
async fn change_actions_change_only_their_part_and_return_to_the_review_page() {
    let h = start().await;
    let (_, session) = h.checkout(&payload("WO-CHANGE"), "anna", "anna-home", "visa-1111").await;

    let page = h.get(&format!("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId={session}&changeAction=changeAddress")).await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("<legend>Shipping address</legend>") && !body.contains("<legend>Payment method</legend>"));
    assert!(body.contains("value=\"anna-home\" required checked"), "the current address is preselected");
    let back = h
        .post_form(
            "/sandbox/amazon/checkout/change",
            &[("amazonCheckoutSessionId", &session), ("changeAction", "changeAddress"), ("address", "anna-office")],
        )
        .await;
    assert_eq!(location(&back), format!("https://shop.example/review?lang=de&workorderId=WO-CHANGE&amazonCheckoutSessionId={session}"));

    let page = h
        .get(&format!("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId={session}&changeAction=changePayment&viewType=redirectView"))
        .await;
    let body = page.text().await.unwrap();
    assert!(body.contains("<legend>Payment method</legend>") && !body.contains("<legend>Shipping address</legend>"));
    let back = h
        .post_form(
            "/sandbox/amazon/checkout/change",
            &[("amazonCheckoutSessionId", &session), ("changeAction", "changePayment"), ("instrument", "mc-3ds1")],
        )
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let stored = h.sandbox().amazon.checkout_session(&session).unwrap();
    assert_eq!((stored.address.unwrap().id, stored.instrument.unwrap().id), ("anna-office", "mc-3ds1"));

    // Cancel leaves everything as it was.
    let back = h
        .post_form(
            "/sandbox/amazon/checkout/change",
            &[("amazonCheckoutSessionId", &session), ("changeAction", "changePayment"), ("action", "cancel")],
        )
        .await;
    assert!(location(&back).ends_with(&session));
    assert_eq!(h.sandbox().amazon.checkout_session(&session).unwrap().instrument.unwrap().id, "mc-3ds1");
}

#[tokio::test]
async fn change_pages_refuse_unknown_expired_and_unfinished_sessions() {
    let h = start().await;
    let response = h.get("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId=nope&changeAction=changeAddress").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("InvalidCheckoutSessionId"));

    let response = h.get("/sandbox/amazon/checkout/initiate_auth?changeAction=changeAddress").await;
    assert_eq!(response.status(), 400);

    let (_, session) = h.checkout(&payload("WO-EXPIRED"), "giulia", "giulia-home", "visa-0024").await;
    let response = h.get(&format!("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId={session}&changeAction=changeAddress")).await;
    assert_eq!(response.status(), 410);
    assert!(response.text().await.unwrap().contains("expired"));

    let (_, session) = h.checkout(&payload("WO-BADACTION"), "anna", "anna-home", "visa-1111").await;
    let response = h.get(&format!("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId={session}&changeAction=x")).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("Invalid value &#39;x&#39; for &#39;changeAction&#39;"));

    let body = h.initiate(&payload("WO-UNFINISHED")).await.text().await.unwrap();
    let session = hidden_value(&body, "amazonCheckoutSessionId");
    let response = h.get(&format!("/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId={session}&changeAction=changePayment")).await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn process_order_checkouts_go_on_to_the_processing_page() {
    let h = start().await;
    let mut apb = payload("WO-APB");
    apb["webCheckoutDetails"] = json!({
        "checkoutMode": "ProcessOrder",
        "checkoutResultReturnUrl": format!("{}/sandbox/amazon/checkout/process?txid=T-APB", h.base),
        "checkoutCancelUrl": "https://shop.example/cart",
    });
    let page = h.initiate(&apb).await.text().await.unwrap();
    let session = hidden_value(&page, "amazonCheckoutSessionId");
    let choose = h.post_form("/sandbox/amazon/checkout/signin", &[("amazonCheckoutSessionId", &session), ("buyer", "anna")]).await;
    assert!(choose.text().await.unwrap().contains(">Pay now</button>"));
    let (to, session) = h.checkout(&apb, "anna", "anna-home", "visa-1111").await;
    assert_eq!(to, format!("{}/sandbox/amazon/checkout/process?txid=T-APB&amazonCheckoutSessionId={session}", h.base));
}

#[tokio::test]
async fn the_processing_page_asks_for_mfa_only_when_the_instrument_does() {
    let h = start().await;
    let (_, session) = h.checkout(&payload("WO-MFA"), "anna", "anna-home", "mc-3ds1").await;
    h.sandbox().amazon.attach_transaction(&session, "T-MFA");
    let page = h.get("/sandbox/amazon/checkout/process?txid=T-MFA").await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("<label for=\"mfa-code\">") && body.contains(">Verify</button>") && body.contains(">Cancel</button>"));
    assert!(body.contains("<code>123456</code>"));
    assert_eq!(hidden_value(&body, "txid"), "T-MFA");

    let wrong = h.post_form("/sandbox/amazon/checkout/process", &[("txid", "T-MFA"), ("code", "000000"), ("action", "verify")]).await;
    assert_eq!(wrong.status(), 400);
    assert!(wrong.text().await.unwrap().contains("role=\"alert\""));

    // Without MFA the page goes straight on to PAYONE's redirect; an unknown transaction is a clear error.
    let response = h.get("/sandbox/amazon/checkout/process?txid=T-UNKNOWN").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("T-UNKNOWN"));
    let response = h.get("/sandbox/amazon/checkout/process").await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("txid"));
}

#[tokio::test]
async fn signout_answers_like_amazon() {
    let h = start().await;
    let body = json_of(h.get("/sandbox/amazon/checkout/signout?language=de_DE").await).await;
    assert_eq!(body["result"], "SignedOut");
}

#[tokio::test]
async fn login_with_amazon_redirects_with_the_token_in_the_fragment() {
    let h = start().await;
    let page = h.get(&format!("{SIGNIN}?{}", signin_query("false", "https://lander.example/checkout?step=2"))).await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("Sign in with Amazon") && body.contains("profile postal_code payments:widget"));
    assert_eq!(hidden_value(&body, "popup"), "false");

    let back = h.post_form(SIGNIN, &signin_form("false", "https://lander.example/checkout?step=2", "jean", "continue")).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let to = location(&back);
    let (before, fragment) = to.split_once('#').unwrap();
    assert_eq!(before, "https://lander.example/checkout?step=2");
    let answer: std::collections::HashMap<String, String> = serde_urlencoded::from_str(fragment).unwrap();
    assert!(answer["access_token"].starts_with("Atza|"));
    assert_eq!((answer["token_type"].as_str(), answer["expires_in"].as_str()), ("bearer", "3600"));
    assert_eq!(answer["scope"], "profile postal_code payments:widget");
    assert_eq!(answer["state"], "csrf-1");
    assert_eq!(h.sandbox().amazon.buyer_for_token(&answer["access_token"]).unwrap().id, "jean");

    let denied = h.post_form(SIGNIN, &signin_form("false", "https://lander.example/checkout", "jean", "cancel")).await;
    assert!(location(&denied).starts_with("https://lander.example/checkout#error=access_denied&error_description="));
}

#[tokio::test]
async fn popup_sign_in_answers_the_opener_with_a_query_fallback() {
    let h = start().await;
    let page = h.post_form(SIGNIN, &signin_form("true", "https://lander.example/checkout#top", "anna", "continue")).await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("data-origin=\"https://lander.example\""), "postMessage goes to the redirect_uri's origin only");
    assert!(body.contains("opener.postMessage"));
    let fallback = body.split("id=\"lwa-continue\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(fallback.starts_with("https://lander.example/checkout?access_token=Atza%7C"), "{fallback}");
    assert!(fallback.ends_with("&state=csrf-1#top"), "{fallback}");
    let response = body.split("data-response=\"").nth(1).unwrap().split('"').next().unwrap().replace("&quot;", "\"").replace("&amp;", "&");
    let response: Value = serde_json::from_str(&response).unwrap();
    assert_eq!(response["status"], "complete");
    assert_eq!(response["expires_in"], 3600);
}

#[tokio::test]
async fn bad_sign_in_requests_are_refused() {
    let h = start().await;
    let response = h.get(&format!("{SIGNIN}?redirect_uri=https%3A%2F%2Fa.example%2F&scope=profile")).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("client_id"));
    let response = h.get(&format!("{SIGNIN}?client_id=x&scope=profile&redirect_uri=javascript%3Aalert(1)")).await;
    assert_eq!(response.status(), 400, "never redirects to a non-web URL");
    let response = h.get(&format!("{SIGNIN}?client_id=x&scope=profile&popup=false&response_type=code&redirect_uri=https%3A%2F%2Fa.example%2F")).await;
    assert!(location(&response).starts_with("https://a.example/#error=unsupported_response_type"));
    let response = h.get(&format!("{SIGNIN}?client_id=x&scope=profile+admin&popup=false&redirect_uri=https%3A%2F%2Fa.example%2F")).await;
    assert!(location(&response).starts_with("https://a.example/#error=invalid_scope"));
    let response = h.post_form(SIGNIN, &signin_form("false", "https://a.example/", "nobody", "continue")).await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_profile_api_answers_for_live_tokens_only() {
    let h = start().await;
    let amazon = &h.sandbox().amazon;
    let token = amazon.issue_token("anna", &["profile", "postal_code"]).unwrap();
    let profile =
        h.http.get(format!("{}/sandbox/amazon/user/profile", h.base)).header("Authorization", format!("Bearer {token}")).send().await.unwrap();
    assert_eq!(profile.status(), 200);
    assert_eq!(profile.headers()["access-control-allow-origin"], "*");
    let profile = json_of(profile).await;
    assert_eq!(
        profile,
        json!({"user_id": "amzn1.account.SANDBOXANNA", "name": "Anna Schmidt", "email": "anna.schmidt@sandbox.example", "postal_code": "10117"})
    );

    let only_id = amazon.issue_token("jean", &["profile:user_id"]).unwrap();
    let profile = json_of(h.get(&format!("/sandbox/amazon/user/profile?access_token={}", only_id.replace('|', "%7C"))).await).await;
    assert_eq!(profile, json!({"user_id": "amzn1.account.SANDBOXJEAN"}));

    let widget_only = amazon.issue_token("jean", &["payments:widget"]).unwrap();
    let response = h.http.get(format!("{}/sandbox/amazon/user/profile", h.base)).bearer_auth(&widget_only).send().await.unwrap();
    assert_eq!(response.status(), 403);

    for header in [None, Some("bearer Atza|forged"), Some("Basic dXNlcjpwYXNz")] {
        let mut request = h.http.get(format!("{}/sandbox/amazon/user/profile", h.base));
        if let Some(value) = header {
            request = request.header("Authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{header:?}");
        assert!(response.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
        assert_eq!(json_of(response).await["error"], "invalid_token");
    }

    assert!(amazon.expire_token(&token));
    let expired = h.http.get(format!("{}/sandbox/amazon/user/profile", h.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    assert!(json_of(expired).await["error_description"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn tokeninfo_names_the_client_the_token_was_issued_to() {
    let h = start().await;
    let token = h.sandbox().amazon.issue_token_for_client("giulia", &["profile"], "amzn1.application-oa2-client.lander").unwrap();
    let info = json_of(h.get(&format!("/sandbox/amazon/auth/o2/tokeninfo?access_token={}", token.replace('|', "%7C"))).await).await;
    assert_eq!(info["aud"], "amzn1.application-oa2-client.lander");
    assert_eq!(info["user_id"], "amzn1.account.SANDBOXGIULIA");
    let left = info["exp"].as_u64().unwrap();
    assert!((3590..=3600).contains(&left), "{left}");

    let bad = h.get("/sandbox/amazon/auth/o2/tokeninfo?access_token=Atza%7Cforged").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json_of(bad).await["error"], "invalid_token");
    let missing = h.get("/sandbox/amazon/auth/o2/tokeninfo").await;
    assert_eq!(json_of(missing).await["error"], "invalid_request");
}

#[tokio::test]
async fn the_widget_endpoints_create_select_and_consent() {
    let h = start().await;
    let token = h.sandbox().amazon.issue_token("anna", &["profile", "payments:widget"]).unwrap();
    let (status, view) = widget(&h, "order-reference", json!({"accessToken": token, "sellerId": "A2SANDBOXMERCHANT"})).await;
    assert_eq!(status, 200);
    let id = view["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("S02-"));
    assert_eq!((view["created"].clone(), view["agreementType"].clone()), (json!(true), json!("OrderReference")));
    assert_eq!(view["selectedAddressId"], "anna-home");
    assert_eq!(view["addresses"][1]["city"], "80331 München");
    assert_eq!(view["instruments"].as_array().unwrap().len(), amazon_pay_sandbox::scenario::INSTRUMENTS.len());
    assert_eq!(view["defaultInstrumentId"], "visa-1111", "what the Wallet preselects");
    // Lena has no default payment method, Noah no address: the widgets get nothing to preselect.
    for (buyer, address, default) in [("lena", json!("lena-home"), Value::Null), ("noah", Value::Null, json!("visa-1111"))] {
        let other = h.sandbox().amazon.issue_token(buyer, &["profile", "payments:widget"]).unwrap();
        let (_, view) = widget(&h, "order-reference", json!({"accessToken": other, "sellerId": "A2SANDBOXMERCHANT"})).await;
        assert_eq!((view["selectedAddressId"].clone(), view["defaultInstrumentId"].clone()), (address, default), "{buyer}");
        assert_eq!(view["selectedInstrumentId"], Value::Null);
    }

    let (_, again) = widget(&h, "order-reference", json!({"accessToken": token, "sellerId": "A2SANDBOXMERCHANT", "id": id})).await;
    assert_eq!((again["id"].as_str(), again["created"].as_bool()), (Some(id.as_str()), Some(false)));

    let (status, view) = widget(&h, "select", json!({"accessToken": token, "id": id, "addressId": "anna-office"})).await;
    assert_eq!((status, view["selectedAddressId"].as_str()), (StatusCode::OK, Some("anna-office")));
    let (_, view) = widget(&h, "select", json!({"accessToken": token, "id": id, "instrumentId": "visa-0981"})).await;
    assert_eq!((view["selectedAddressId"].as_str(), view["selectedInstrumentId"].as_str()), (Some("anna-office"), Some("visa-0981")));
    let stored = h.sandbox().amazon.order_reference(&id).unwrap();
    assert_eq!(stored.instrument.unwrap().id, "visa-0981");

    let (status, error) = widget(&h, "consent", json!({"accessToken": token, "id": id, "consent": true})).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::BAD_REQUEST, Some("InvalidParameterValue")), "consent is for billing agreements");

    let (_, agreement) = widget(&h, "order-reference", json!({"accessToken": token, "sellerId": "S", "agreementType": "BillingAgreement"})).await;
    let ba = agreement["id"].as_str().unwrap().to_owned();
    assert!(ba.starts_with("B02-"));
    let (_, view) = widget(&h, "consent", json!({"accessToken": token, "id": ba, "consent": true})).await;
    assert_eq!(view["consent"], true);
    assert!(h.sandbox().amazon.order_reference(&ba).unwrap().consent);
    assert_eq!(h.sandbox().amazon.order_reference(&ba).unwrap().kind, AgreementType::BillingAgreement);
}

#[tokio::test]
async fn widget_errors_carry_amazons_codes() {
    let h = start().await;
    let amazon = &h.sandbox().amazon;
    let anna = amazon.issue_token("anna", &["payments:widget"]).unwrap();
    let jean = amazon.issue_token("jean", &["payments:widget"]).unwrap();
    let (_, view) = widget(&h, "order-reference", json!({"accessToken": anna, "sellerId": "S"})).await;
    let id = view["id"].as_str().unwrap().to_owned();

    let cases = [
        ("order-reference", json!({"sellerId": "S"}), StatusCode::UNAUTHORIZED, "BuyerSessionExpired"),
        ("order-reference", json!({"accessToken": "Atza|forged", "sellerId": "S"}), StatusCode::UNAUTHORIZED, "BuyerSessionExpired"),
        ("order-reference", json!({"accessToken": anna}), StatusCode::BAD_REQUEST, "MissingParameter"),
        (
            "order-reference",
            json!({"accessToken": anna, "sellerId": "S", "id": "S02-0000000-0000000"}),
            StatusCode::NOT_FOUND,
            "InvalidOrderReferenceId",
        ),
        (
            "order-reference",
            json!({"accessToken": anna, "sellerId": "S", "agreementType": "Other"}),
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
        ),
        ("select", json!({"accessToken": jean, "id": id, "addressId": "jean-home"}), StatusCode::FORBIDDEN, "BuyerNotAssociated"),
        ("select", json!({"accessToken": anna, "id": id, "addressId": "jean-home"}), StatusCode::BAD_REQUEST, "InvalidParameterValue"),
        ("select", json!({"accessToken": anna}), StatusCode::BAD_REQUEST, "MissingParameter"),
        ("consent", json!({"accessToken": anna, "id": id}), StatusCode::BAD_REQUEST, "MissingParameter"),
    ];
    for (path, body, status, code) in cases {
        let (got, error) = widget(&h, path, body.clone()).await;
        assert_eq!((got, error["code"].as_str()), (status, Some(code)), "{path} {body}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    let response = h.http.post(format!("{}/sandbox/amazon/widgets/select", h.base)).body("{nope").send().await.unwrap();
    assert_eq!(response.status(), 400);

    amazon.update_order_reference(&id, |r| r.confirmed = true);
    let (status, error) = widget(&h, "select", json!({"accessToken": anna, "id": id, "instrumentId": "visa-1111"})).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::CONFLICT, Some("PaymentMethodNotModifiable")));
    assert!(amazon.expire_token(&anna));
    let (_, error) = widget(&h, "select", json!({"accessToken": anna, "id": id, "addressId": "anna-home"})).await;
    assert_eq!(error["code"], "BuyerSessionExpired");
}

#[tokio::test]
async fn the_confirmation_flow_returns_to_payones_urls() {
    let h = start().await;
    let amazon = &h.sandbox().amazon;
    let token = amazon.issue_token("anna", &["payments:widget"]).unwrap();
    let plain = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap();
    amazon.select_for_widget(&token, &plain.id, None, Some("visa-1111")).unwrap();

    let response = h.get(&format!("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId={}", plain.id)).await;
    assert_eq!(response.status(), 409, "confirmorderreference has not been called");
    amazon.set_confirmation_urls(&plain.id, "https://shop.example/ok?o=1", "https://shop.example/failed").unwrap();
    let response = h.get(&format!("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId={}&sellerId=S", plain.id)).await;
    assert_eq!(location(&response), "https://shop.example/ok?o=1&AuthenticationStatus=Success");

    let mfa = amazon.create_order_reference(&token, AgreementType::OrderReference).unwrap();
    amazon.select_for_widget(&token, &mfa.id, None, Some("mc-3ds0")).unwrap();
    amazon.set_confirmation_urls(&mfa.id, "https://shop.example/ok", "https://shop.example/failed").unwrap();
    amazon.update_order_reference(&mfa.id, |r| r.confirmed = true);
    let page = h.get(&format!("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId={}", mfa.id)).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("mfa-code"));
    let abandoned = h.post_form("/sandbox/amazon/widgets/confirm", &[("amazonOrderReferenceId", &mfa.id), ("action", "cancel")]).await;
    assert_eq!(location(&abandoned), "https://shop.example/failed?AuthenticationStatus=Abandoned");
    let stored = amazon.order_reference(&mfa.id).unwrap();
    assert!(!stored.confirmed, "the buyer may pick another instrument");
    let passed =
        h.post_form("/sandbox/amazon/widgets/confirm", &[("amazonOrderReferenceId", &mfa.id), ("action", "verify"), ("code", "123456")]).await;
    assert_eq!(location(&passed), "https://shop.example/ok?AuthenticationStatus=Success");

    let unknown = h.get("/sandbox/amazon/widgets/confirm?amazonOrderReferenceId=S02-0000000-0000000").await;
    assert_eq!(unknown.status(), 404);
    let missing = h.get("/sandbox/amazon/widgets/confirm").await;
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn the_benchmarks_placeholder_signature_is_refused_like_a_forged_one() {
    let config = SandboxConfig { button_signatures: amazon_pay_sandbox::ButtonSignatures::Placeholder, ..SandboxConfig::default() };
    let (base, sandbox) = support::serve(config).await;
    let h = Harness { base, sandbox, http: Client::builder().redirect(Policy::none()).build().unwrap() };
    let (first, second) = (payload("WO-BENCH1").to_string(), payload("WO-BENCH2").to_string());
    let placeholder = h.sandbox().sign(&first);
    assert_eq!(placeholder, h.sandbox().sign(&second), "one signature for every payload");
    assert_eq!(placeholder.len(), 344, "as long as a real one on the wire");
    let response = h.initiate(&payload("WO-BENCH1")).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("InvalidSignatureError"));
    assert!(h.sandbox().amazon.session_for_workorder("WO-BENCH1").is_none(), "nothing was opened");
}
