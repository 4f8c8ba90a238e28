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
export function restoreFetch() { window.fetch = realFetch; }
export function fetched() { return JSON.stringify(window.__fetched); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeFetch)]
    fn install_fake_fetch();
    #[wasm_bindgen(js_name = restoreFetch)]
    fn restore_fetch();
    fn fetched() -> String;
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
