//! The fake Amazon hosted pages together with the server: the shop's own button and PAYONE's authorizations
//! lead through the sandbox's pages (the pages alone: sandbox/tests/hosted_pages.rs).
//! Redirects are not followed, so every test sees the `Location` the browser would be sent to.
#![cfg(feature = "sandbox")]

use amazon_pay_server::app::{AppState, Server};
use amazon_pay_server::config::Config;
use amazon_pay_server::sandbox::{Sandbox, PAYONE_PUBLIC_KEY_ID};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

struct Harness {
    base: String,
    state: AppState,
    http: Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::bind(Config::sandbox_for_tests(dir.path().to_owned())).await.unwrap();
    let (base, state) = server.spawn();
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    Harness { base, state, http, _dir: dir }
}

impl Harness {
    fn sandbox(&self) -> &Sandbox {
        self.state.sandbox.as_ref().unwrap()
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
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

#[tokio::test]
async fn the_button_of_the_shops_own_api_leads_back_to_its_review_page() {
    let h = start().await;
    let request = json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en"});
    let config: Value = json_of(h.http.post(format!("{}/api/cv2/sessions", h.base)).json(&request).send().await.unwrap()).await;
    let workorder = config["workorder_id"].as_str().unwrap();
    let form = [
        ("payloadJSON", config["payload_json"].as_str().unwrap()),
        ("signature", config["signature"].as_str().unwrap()),
        ("publicKeyId", config["public_key_id"].as_str().unwrap()),
        ("environment", "SANDBOX"),
    ];
    let page = h.post_form("/sandbox/amazon/checkout/initiate", &form).await;
    assert_eq!(page.status(), 200, "PAYONE's payload opens the hosted checkout");
    let session = hidden_value(&page.text().await.unwrap(), "amazonCheckoutSessionId");
    let back = h
        .post_form(
            "/sandbox/amazon/checkout/choose",
            &[("amazonCheckoutSessionId", &session), ("buyer", "jean"), ("address", "jean-home"), ("instrument", "visa-1111")],
        )
        .await;
    let to = location(&back);
    assert!(to.starts_with(&format!("{}/", h.base)), "{to}");
    assert!(to.contains(&format!("workorderId={workorder}&amazonCheckoutSessionId={session}")), "{to}");
}

#[tokio::test]
async fn an_apb_authorization_from_payone_is_paid_on_the_hosted_pages() {
    let h = start().await;
    let mut call = h.state.payone.request("preauthorization");
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("add_paydata[checkoutMode]", "ProcessOrder")
        .set("add_paydata[productType]", "PayOnly")
        .set("amount", "1999")
        .set("currency", "EUR")
        .set("reference", "apb-1")
        .set("successurl", "https://shop.example/thanks")
        .set("errorurl", "https://shop.example/failed")
        .set("backurl", "https://shop.example/cart");
    let answer = h.state.payone.send(&call).await.unwrap();
    assert_eq!(answer.status(), Some("REDIRECT"));
    let payload: Value = serde_json::from_str(answer.get("add_paydata[payload]").unwrap()).unwrap();
    let signature = answer.get("add_paydata[signature]").unwrap();
    assert_eq!(signature.len(), 344, "base64 of a 2048-bit RSA-PSS signature");
    assert!(h.sandbox().verify(answer.get("add_paydata[payload]").unwrap(), signature), "signed with the sandbox's key");
    let txid = answer.get("txid").unwrap().to_owned();
    let (to, session) = h.checkout(&payload, "jean", "jean-home", "visa-1111").await;
    assert_eq!(to, format!("{}/sandbox/amazon/checkout/process?txid={txid}&amazonCheckoutSessionId={session}", h.base));
    let done = h.http.get(&to).send().await.unwrap();
    assert_eq!(location(&done), "https://shop.example/thanks");
}

/// A button from the shop's own API (PAYONE's createCheckoutSessionPayload): its payload and the cart total.
async fn shop_button(h: &Harness) -> (Value, i64) {
    let request = json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en"});
    let config: Value = json_of(h.http.post(format!("{}/api/cv2/sessions", h.base)).json(&request).send().await.unwrap()).await;
    let payload = serde_json::from_str(config["payload_json"].as_str().unwrap()).unwrap();
    (payload, config["amount"]["minor"].as_i64().unwrap())
}

#[tokio::test]
async fn payones_processing_redirect_asks_for_mfa_and_lands_where_payone_says() {
    let h = start().await;
    let cases = [
        ("visa-1111", None, "https://shop.example/ok"),
        ("mc-3ds1", Some("verify"), "https://shop.example/ok"),
        ("mc-3ds0", Some("cancel"), "https://shop.example/failed"),
    ];
    for (n, (instrument, mfa, expected)) in cases.into_iter().enumerate() {
        let (payload, amount) = shop_button(&h).await;
        let workorder = payload["merchantMetadata"]["merchantReferenceId"].as_str().unwrap().to_owned();
        h.checkout(&payload, "anna", "anna-home", instrument).await;
        let mut call = h.state.payone.request("preauthorization");
        call.set("clearingtype", "wlt")
            .set("wallettype", "AMP")
            .set("workorderid", &workorder)
            .set("amount", amount.to_string())
            .set("currency", "EUR")
            .set("reference", format!("hosted-{n}"))
            .set("successurl", "https://shop.example/ok")
            .set("errorurl", "https://shop.example/failed")
            .set("backurl", "https://shop.example/cart");
        let answer = h.state.payone.send(&call).await.unwrap();
        assert_eq!(answer.status(), Some("REDIRECT"), "{instrument}");
        let redirect = answer.get("redirecturl").unwrap().to_owned();
        let txid = answer.get("txid").unwrap().to_owned();
        assert_eq!(redirect, format!("{}/sandbox/amazon/checkout/process?txid={txid}", h.base));
        let page = h.http.get(&redirect).send().await.unwrap();
        let back = match mfa {
            None => page,
            Some(action) => {
                assert_eq!(page.status(), 200, "{instrument} asks for MFA");
                assert_eq!(hidden_value(&page.text().await.unwrap(), "txid"), txid);
                h.post_form("/sandbox/amazon/checkout/process", &[("txid", &txid), ("action", action), ("code", "123456")]).await
            }
        };
        assert_eq!(back.status(), StatusCode::SEE_OTHER, "{instrument}");
        assert_eq!(location(&back), expected, "{instrument}");
    }
}
