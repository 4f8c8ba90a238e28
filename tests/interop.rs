//! The JS-interop wrappers against fake globals, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use amazon_pay_contract::Language;
use amazon_pay_widget::interop::amazon_pay::{self, AmazonPayError, ChangeAction, CheckoutSessionConfig, RenderButtonOptions};
use amazon_pay_widget::interop::intl;
use amazon_pay_widget::interop::script_loader::{self, ScriptError};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function installFakeAmazonPay() {
  window.__calls = [];
  window.amazon = { Pay: {
    renderButton: function (selector, options) {
      if (!options.merchantId) { throw "AmazonPay:\nMissing parameter 'merchantId' in the options object."; }
      window.__calls.push({ fn: "renderButton", selector: selector, options: options });
      return { updateButtonInfo: function () {} };
    },
    bindChangeAction: function (selector, options) {
      window.__calls.push({ fn: "bindChangeAction", selector: selector, options: options });
    },
    signout: function () { throw new Error("boom"); }
  } };
}
export function removeAmazon() { delete window.amazon; }
export function hideDisplayNames() { const kept = Intl.DisplayNames; delete Intl.DisplayNames; return kept; }
export function restoreDisplayNames(kept) { Intl.DisplayNames = kept; }
export function calls() { return JSON.stringify(window.__calls); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeAmazonPay)]
    fn install_fake_amazon_pay();
    #[wasm_bindgen(js_name = removeAmazon)]
    fn remove_amazon();
    #[wasm_bindgen(js_name = hideDisplayNames)]
    fn hide_display_names() -> JsValue;
    #[wasm_bindgen(js_name = restoreDisplayNames)]
    fn restore_display_names(kept: JsValue);
    fn calls() -> String;
}

fn options(merchant_id: &str) -> RenderButtonOptions {
    RenderButtonOptions {
        merchant_id: merchant_id.into(),
        ledger_currency: "EUR".into(),
        sandbox: true,
        checkout_language: "de_DE".into(),
        product_type: "PayAndShip".into(),
        placement: "Cart".into(),
        button_color: "Gold".into(),
        estimated_order_amount: None,
        create_checkout_session_config: Some(CheckoutSessionConfig {
            payload_json: r#"{"a":"b/c"}"#.into(),
            signature: "sig".into(),
            public_key_id: "AE5E5B7B2SAERURYEH6DKDAZ".into(),
            algorithm: None,
        }),
    }
}

fn recorded() -> serde_json::Value {
    serde_json::from_str(&calls()).unwrap()
}

#[wasm_bindgen_test]
fn render_button_passes_amazons_option_names() {
    install_fake_amazon_pay();
    let button = amazon_pay::render_button("#pay", &options("A2MERCHANT")).unwrap();
    assert!(button.is_object());
    let calls = recorded();
    assert_eq!(calls[0]["selector"], "#pay");
    let o = &calls[0]["options"];
    assert_eq!(o["merchantId"], "A2MERCHANT");
    assert_eq!(o["ledgerCurrency"], "EUR");
    assert_eq!(o["checkoutLanguage"], "de_DE");
    assert_eq!(o["sandbox"], true);
    assert_eq!(o["createCheckoutSessionConfig"]["payloadJSON"], r#"{"a":"b/c"}"#, "payload passed verbatim");
    assert_eq!(o["createCheckoutSessionConfig"]["publicKeyId"], "AE5E5B7B2SAERURYEH6DKDAZ");
    assert!(o.get("estimatedOrderAmount").is_none(), "absent options are not sent as null");
}

#[wasm_bindgen_test]
fn amazons_thrown_strings_become_typed_errors() {
    install_fake_amazon_pay();
    let err = amazon_pay::render_button("#pay", &options("")).unwrap_err();
    assert_eq!(err, AmazonPayError::Rejected("Missing parameter 'merchantId' in the options object.".into()));
    let err = amazon_pay::signout().unwrap_err();
    assert_eq!(err, AmazonPayError::Rejected("boom".into()), "Error objects are caught too");
}

#[wasm_bindgen_test]
fn missing_script_is_reported_not_thrown() {
    remove_amazon();
    assert!(!amazon_pay::is_loaded());
    assert_eq!(amazon_pay::render_button("#pay", &options("A")).unwrap_err(), AmazonPayError::NotLoaded("renderButton"));
}

#[wasm_bindgen_test]
fn bind_change_action_passes_session_and_action() {
    install_fake_amazon_pay();
    amazon_pay::bind_change_action("#change-address", "3f1c-uuid", ChangeAction::ChangeAddress).unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["fn"], "bindChangeAction");
    assert_eq!(calls[0]["options"]["amazonCheckoutSessionId"], "3f1c-uuid");
    assert_eq!(calls[0]["options"]["changeAction"], "changeAddress");
}

#[wasm_bindgen_test]
async fn script_loader_loads_once_for_concurrent_callers() {
    let url = "data:text/javascript,window.__loadedTimes%3D(window.__loadedTimes%7C%7C0)%2B1";
    let timeout = Duration::from_secs(5);
    let (a, b) = futures::join!(script_loader::load_script(url, timeout), script_loader::load_script(url, timeout));
    assert_eq!((a, b), (Ok(()), Ok(())));
    script_loader::load_script(url, timeout).await.unwrap();
    assert_eq!(script_loader::script_count(url), 1);
    let times = js_sys::Reflect::get(&js_sys::global(), &"__loadedTimes".into()).unwrap();
    assert_eq!(times.as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
async fn script_loader_reports_a_failed_load_and_retries_later() {
    // Nothing listens on port 9 of the loopback: the load fails at once.
    let url = "http://127.0.0.1:9/checkout.js";
    let err = script_loader::load_script(url, Duration::from_secs(5)).await.unwrap_err();
    assert_eq!(err, ScriptError::Failed { url: url.into() });
    assert_eq!(script_loader::script_count(url), 0, "the failed element is removed");
    let err = script_loader::load_script_with_retry(url, Duration::from_secs(5), 2).await.unwrap_err();
    assert!(matches!(err, ScriptError::Failed { .. }));
}

#[wasm_bindgen(inline_js = r#"
export function addPageScript(url) {
  const script = document.createElement("script");
  script.src = url;
  let page = 0;
  script.onload = () => { page += 1; script.dataset.pageOnload = String(page); };
  document.head.append(script);
  return new Promise((resolve, reject) => { script.addEventListener("load", resolve); script.addEventListener("error", reject); });
}
export function snippetUrl() { return import.meta.url; }
export function addPageModule(url) {
  const script = document.createElement("script");
  script.type = "module";
  script.src = url;
  document.head.append(script);
  return new Promise((resolve, reject) => { script.addEventListener("load", resolve); script.addEventListener("error", reject); });
}
"#)]
extern "C" {
    /// Adds `<script src=url>` as a shop's page would (with an `onload` of its own); resolves once it loaded.
    #[wasm_bindgen(js_name = addPageScript)]
    fn add_page_script(url: &str) -> js_sys::Promise;
    /// Where this snippet was loaded from (an HTTP URL of the test runner).
    #[wasm_bindgen(js_name = snippetUrl)]
    fn snippet_url() -> String;
    /// Adds `<script type=module src=url>`; resolves once it loaded.
    #[wasm_bindgen(js_name = addPageModule)]
    fn add_page_module(url: &str) -> js_sys::Promise;
}

fn global_number(name: &str) -> Option<f64> {
    js_sys::Reflect::get(&js_sys::global(), &name.into()).ok().and_then(|v| v.as_f64())
}

#[wasm_bindgen_test]
async fn script_loader_adopts_the_pages_script_still_on_its_way() {
    let url = "data:text/javascript,window.__pageInFlight%3D(window.__pageInFlight%7C%7C0)%2B1";
    let page = add_page_script(url);
    script_loader::load_script(url, Duration::from_secs(5)).await.unwrap();
    assert_eq!(global_number("__pageInFlight"), Some(1.0), "run once, and before the loader answered");
    assert_eq!(script_loader::script_count(url), 1, "no second <script>");
    wasm_bindgen_futures::JsFuture::from(page).await.unwrap();
    let script = web_sys::window().unwrap().document().unwrap().query_selector(&format!("script[src=\"{url}\"]")).unwrap().unwrap();
    assert_eq!(script.get_attribute("data-page-onload").as_deref(), Some("1"), "the page's own onload still ran");
}

#[wasm_bindgen(inline_js = r#"
export function otherSnippetUrl() { return import.meta.url; }
"#)]
extern "C" {
    /// Where this second snippet was loaded from: a URL no other test hands to the script loader.
    #[wasm_bindgen(js_name = otherSnippetUrl)]
    fn other_snippet_url() -> String;
}

#[wasm_bindgen_test]
async fn script_loader_adds_nothing_when_the_scripts_global_is_there() {
    let url = "https://static-eu.payments-amazon.com/never-loaded-by-this-test.js";
    script_loader::load_script_until(url, Some(|| true), Duration::from_secs(5), 1).await.unwrap();
    assert_eq!(script_loader::script_count(url), 0, "no <script> when the global is already there");
}

#[wasm_bindgen_test]
async fn script_loader_waits_for_the_pages_script_until_its_global_is_there() {
    // The page's script has a resource timing entry and the document is complete, as for a script the page
    // preloaded and inserted after its load event, before it has run: without its global it is not loaded yet.
    let url = other_snippet_url();
    assert!(url.starts_with("http"), "{url}");
    wasm_bindgen_futures::JsFuture::from(add_page_module(&url)).await.unwrap();
    let waited = script_loader::load_script_until(&url, Some(|| false), Duration::from_millis(300), 1).await;
    assert_eq!(waited, Err(script_loader::ScriptError::TimedOut { url: url.clone(), millis: 300 }));
    assert_eq!(script_loader::script_count(&url), 1, "the page's own <script>, not a second one");
}

#[wasm_bindgen_test]
async fn script_loader_adopts_the_pages_script_already_loaded() {
    // An HTTP script the page loaded before the widget started (this test's own JS snippet, served by the test
    // runner, as the page's module script): the browser's resource timing says it has finished.
    let url = snippet_url();
    assert!(url.starts_with("http"), "{url}");
    wasm_bindgen_futures::JsFuture::from(add_page_module(&url)).await.unwrap();
    assert_eq!(script_loader::script_count(&url), 1);
    script_loader::load_script(&url, Duration::from_secs(5)).await.unwrap();
    script_loader::load_script(&url, Duration::from_secs(5)).await.unwrap();
    assert_eq!(script_loader::script_count(&url), 1, "no second <script>");
}

#[wasm_bindgen_test]
fn country_names_come_from_the_browser_in_the_buyer_s_language_else_none() {
    assert_eq!(intl::region_name("DE", Language::De).as_deref(), Some("Deutschland"));
    assert_eq!(intl::region_name("DE", Language::Fr).as_deref(), Some("Allemagne"));
    assert_eq!(intl::region_name("ES", Language::It).as_deref(), Some("Spagna"));
    assert_eq!(intl::region_name("not a region", Language::En), None, "a code Intl refuses: the caller shows it as sent");
    let kept = hide_display_names();
    let without = intl::region_name("DE", Language::De);
    restore_display_names(kept);
    assert_eq!(without, None, "a browser without Intl.DisplayNames: the caller shows the code");
}
