//! The JS-interop wrappers against fake globals, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use amazon_pay_widget::interop::amazon_pay::{self, AmazonPayError, ChangeAction, CheckoutSessionConfig, RenderButtonOptions};
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
export function calls() { return JSON.stringify(window.__calls); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeAmazonPay)]
    fn install_fake_amazon_pay();
    #[wasm_bindgen(js_name = removeAmazon)]
    fn remove_amazon();
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
