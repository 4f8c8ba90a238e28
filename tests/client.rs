//! The backend client and the page's language against a fake `fetch` and `<html lang>`, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use amazon_pay_contract::cv2::{CartLine, CreateSessionRequest};
use amazon_pay_contract::Language;
use amazon_pay_widget::client::{Client, ClientError};
use amazon_pay_widget::embed::page_language;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
let realFetch;
export function installFakeFetch() {
  realFetch = window.fetch;
  window.__fetched = [];
  window.fetch = function (url, init) {
    window.__fetched.push({ url: url, method: init.method || "GET", body: init.body || null });
    return Promise.resolve(new Response('{"code":"upstream_error","message":"Nope."}', { status: 502 }));
  };
}
/** fetch answering every request with `body` and `status`, or (status 0) failing before any answer. */
export function installAnswer(body, status) {
  realFetch = window.fetch;
  window.fetch = function () {
    return status === 0 ? Promise.reject(new TypeError("Failed to fetch")) : Promise.resolve(new Response(body, { status: status }));
  };
}
export function restoreFetch() { window.fetch = realFetch; }
export function fetched() { return JSON.stringify(window.__fetched); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeFetch)]
    fn install_fake_fetch();
    #[wasm_bindgen(js_name = restoreFetch)]
    fn restore_fetch();
    fn fetched() -> String;
    #[wasm_bindgen(js_name = installAnswer)]
    fn install_answer(body: &str, status: u16);
}

/// How the answer to `GET /api/cv1/widgets` came back, with a fake `fetch`.
async fn widgets_answer(body: &str, status: u16) -> Result<amazon_pay_contract::cv1::WidgetsConfig, ClientError> {
    install_answer(body, status);
    let answer = Client::new("https://pay.example").cv1_widgets().await;
    restore_fetch();
    answer
}

#[wasm_bindgen_test]
async fn an_answer_that_is_not_json_is_unexpected_and_no_answer_is_unreachable() {
    // The browser's JSON parser reads the body (`Response.json()`): text that is not JSON, whatever the status.
    for status in [200, 502] {
        match widgets_answer("<html>Bad gateway</html>", status).await {
            Err(ClientError::Decode { url, status: got, cause }) => {
                assert_eq!((url.as_str(), got), ("https://pay.example/api/cv1/widgets", status));
                assert!(cause.contains("not valid JSON"), "{cause}");
            }
            other => panic!("HTTP {status} with HTML should be Decode, got {other:?}"),
        }
    }
    match widgets_answer("", 0).await {
        Err(ClientError::Network { url, cause }) => assert!(url.ends_with("/api/cv1/widgets") && cause.contains("Failed to fetch"), "{cause}"),
        other => panic!("a failed fetch should be Network, got {other:?}"),
    }
    match widgets_answer(r#"{"seller_id": 7}"#, 200).await {
        Err(ClientError::Decode { status: 200, .. }) => {}
        other => panic!("JSON of the wrong shape should be Decode, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_request_is_sent_when_called_not_when_first_awaited() {
    install_fake_fetch();
    let request =
        CreateSessionRequest { items: vec![CartLine { sku: "mug".into(), quantity: 2 }], language: Language::De, return_pages: Default::default() };
    let answer = Client::new("https://pay.example/").create_cv2_session(&request);
    let sent = fetched();
    assert!(sent.contains(r#""url":"https://pay.example/api/cv2/sessions","method":"POST""#), "sent before any await: {sent}");
    assert!(sent.contains(r#"\"sku\":\"mug\""#), "with the cart as its JSON body: {sent}");
    let result = answer.await;
    restore_fetch();
    match result {
        Err(ClientError::Api { error, .. }) => assert_eq!(error.message, "Nope."),
        other => panic!("the backend's error body should come back as an API error, got {other:?}"),
    }
    assert_eq!(fetched().matches("\"url\"").count(), 1, "awaiting does not send it again");
}

#[wasm_bindgen_test]
fn the_pages_lang_decides_and_an_unsupported_one_falls_back_to_the_browser() {
    let html = web_sys::window().unwrap().document().unwrap().document_element().unwrap();
    let before = html.get_attribute("lang");
    html.set_attribute("lang", "de-AT").unwrap();
    assert_eq!(page_language(), Language::De);
    html.set_attribute("lang", "pl").unwrap();
    let browser: Vec<String> = web_sys::window().unwrap().navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    let expected = Language::negotiate(browser.iter().map(String::as_str)).unwrap_or_default();
    assert_eq!(page_language(), expected, "navigator.languages {browser:?} decide when <html lang> is unsupported");
    match before {
        Some(lang) => html.set_attribute("lang", &lang).unwrap(),
        None => html.remove_attribute("lang").unwrap(),
    }
}
