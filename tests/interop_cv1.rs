//! The legacy Checkout v1 wrappers (`amazon.Login`, `OffAmazonPayments`) against fake globals, in headless
//! Chromium: option names as Amazon spells them, Rust callbacks, typed errors, the popup fallback, the
//! Widgets.js ready hooks, and callbacks released when their owner is dropped.
#![cfg(target_arch = "wasm32")]

use amazon_pay_widget::interop::amazon_login::{self, AuthorizeOptions, AuthorizeResponse, LoginError};
use amazon_pay_widget::interop::off_amazon_payments::{
    self, AgreementType, AmazonWidgetError, ButtonOptions, DisplayMode, Widget, WidgetKind, WidgetOptions, WidgetsError,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
function plain(o) {
  var out = {};
  Object.keys(o || {}).forEach(function (k) { out[k] = typeof o[k] === "function" ? "function" : o[k]; });
  return out;
}
export function installFakeWidgets() {
  var log = { calls: [], widgets: [], next: null, button: null };
  window.__cv1 = log;
  window.amazon = { Login: {
    setClientId: function (id) { log.calls.push({ fn: "setClientId", arg: id }); },
    setSandboxMode: function (on) { log.calls.push({ fn: "setSandboxMode", arg: on }); },
    logout: function () { log.calls.push({ fn: "logout" }); },
    authorize: function (options, next) {
      log.calls.push({ fn: "authorize", options: plain(options), next: typeof next === "function" ? "function" : next });
      log.next = next;
      return {};
    }
  } };
  function widget(kind) {
    function W(options) { this.options = options; log.widgets.push(this); }
    W.prototype.bind = function (id) {
      if (id === "throw") { throw "bind failed"; }
      log.calls.push({ fn: kind + ".bind", arg: id, options: plain(this.options) });
      return this;
    };
    W.prototype.setPresentmentCurrency = function (c) { log.calls.push({ fn: kind + ".setPresentmentCurrency", arg: c }); };
    return W;
  }
  window.OffAmazonPayments = {
    Button: function (id, seller, options) {
      log.calls.push({ fn: "Button", arg: id, seller: seller, options: plain(options) });
      log.button = options;
    },
    initConfirmationFlow: function (seller, id, callback) {
      log.calls.push({ fn: "initConfirmationFlow", arg: id, seller: seller });
      callback({ success: function () { log.calls.push({ fn: "success" }); }, error: function () { log.calls.push({ fn: "error" }); } });
    },
    Widgets: { AddressBook: widget("AddressBook"), Wallet: widget("Wallet"), Consent: widget("Consent") }
  };
}
export function removeAmazon() { delete window.amazon; delete window.OffAmazonPayments; delete window.onAmazonLoginReady; delete window.onAmazonPaymentsReady; }
export function calls() { return JSON.stringify(window.__cv1.calls); }
export function answer(response) { window.__cv1.next(response); }
export function clickButton() { window.__cv1.button.authorization(); }
export function buttonError(code, message) {
  window.__cv1.button.onError({ getErrorCode: function () { return code; }, getErrorMessage: function () { return message; } });
}
export function fire(index, name, kind, value) {
  var arg;
  if (kind === "reference") arg = { getAmazonOrderReferenceId: function () { return value; }, getAmazonBillingAgreementId: function () { return undefined; } };
  else if (kind === "agreement") arg = { getAmazonOrderReferenceId: function () { return undefined; }, getAmazonBillingAgreementId: function () { return value; } };
  else if (kind === "consent") arg = { getConsentStatus: function () { return value === "bool" ? true : value; } };
  else arg = { getErrorCode: function () { return value; }, getErrorMessage: function () { return "message of " + value; } };
  try { window.__cv1.widgets[index].options[name](arg); return "ok"; } catch (e) { return String(e && e.message || e); }
}
export function pageHookCount() { return window.__pageHook || 0; }
export function setPageHook() { window.__pageHook = 0; window.onAmazonPaymentsReady = function () { window.__pageHook += 1; }; }
export function hookOrder() { return JSON.stringify(window.__hookOrder || []); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeWidgets)]
    fn install_fake_widgets();
    #[wasm_bindgen(js_name = removeAmazon)]
    fn remove_amazon();
    fn calls() -> String;
    fn answer(response: JsValue);
    #[wasm_bindgen(js_name = clickButton)]
    fn click_button();
    #[wasm_bindgen(js_name = buttonError)]
    fn button_error(code: &str, message: &str);
    fn fire(index: u32, name: &str, kind: &str, value: &str) -> String;
    #[wasm_bindgen(js_name = pageHookCount)]
    fn page_hook_count() -> u32;
    #[wasm_bindgen(js_name = setPageHook)]
    fn set_page_hook();
    #[wasm_bindgen(js_name = hookOrder)]
    fn hook_order() -> String;
}

fn recorded() -> serde_json::Value {
    serde_json::from_str(&calls()).unwrap()
}

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn seller_options() -> WidgetOptions<'static> {
    WidgetOptions { seller_id: "A2SELLER", ..Default::default() }
}

#[wasm_bindgen_test]
fn login_wrappers_reach_amazon_login_and_say_when_it_is_missing() {
    install_fake_widgets();
    amazon_login::set_client_id("amzn1.application-oa2-client.abc").unwrap();
    amazon_login::set_sandbox_mode(true).unwrap();
    amazon_login::logout().unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["fn"], "setClientId");
    assert_eq!(calls[0]["arg"], "amzn1.application-oa2-client.abc");
    assert_eq!(calls[1]["arg"], true);
    assert_eq!(calls[2]["fn"], "logout");
    remove_amazon();
    assert_eq!(amazon_login::logout().unwrap_err(), LoginError::NotLoaded("logout"));
    assert!(!off_amazon_payments::is_loaded());
}

#[wasm_bindgen_test]
fn authorize_passes_amazons_options_and_hands_the_answer_to_rust() {
    install_fake_widgets();
    let got = Rc::new(RefCell::new(None));
    let sink = got.clone();
    let pending = amazon_login::authorize(&AuthorizeOptions::popup("profile payments:widget"), move |r| *sink.borrow_mut() = Some(r)).unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["options"]["scope"], "profile payments:widget");
    assert_eq!(calls[0]["options"]["popup"], true);
    assert_eq!(calls[0]["options"]["response_type"], "token");
    assert!(calls[0]["options"].get("state").is_none(), "absent options are not sent");
    assert_eq!(calls[0]["next"], "function");
    answer(js(r#"{"status":"complete","access_token":"Atza|abc","token_type":"bearer","expires_in":3226,"scope":"profile"}"#));
    assert_eq!(*got.borrow(), Some(AuthorizeResponse::Token { access_token: "Atza|abc".into(), expires_in: Some(3226) }));
    assert!(!format!("{:?}", got.borrow()).contains("Atza"), "Debug hides the token");
    drop(pending);
}

#[wasm_bindgen_test]
fn a_blocked_popup_falls_back_to_this_window_and_a_refusal_reaches_rust() {
    install_fake_widgets();
    let got = Rc::new(RefCell::new(None));
    let sink = got.clone();
    let _pending = amazon_login::authorize_with_fallback(&AuthorizeOptions::popup("profile"), "https://shop.example/lander", move |r| {
        *sink.borrow_mut() = Some(r)
    })
    .unwrap();
    answer(js(r#"{"status":"error","error":"popup_blocked","error_description":"blocked"}"#));
    let calls = recorded();
    assert_eq!(calls[1]["fn"], "authorize", "signed in again, in this window");
    assert_eq!(calls[1]["options"]["popup"], false);
    assert_eq!(calls[1]["next"], "https://shop.example/lander");
    assert_eq!(*got.borrow(), None, "the fallback is not a failure");

    let _second = amazon_login::authorize_with_fallback(&AuthorizeOptions::popup("profile"), "https://shop.example/", {
        let sink = got.clone();
        move |r| *sink.borrow_mut() = Some(r)
    })
    .unwrap();
    answer(js(r#"{"status":"error","error":"access_denied","error_description":"The user denied the request."}"#));
    assert_eq!(*got.borrow(), Some(AuthorizeResponse::Failed { error: "access_denied".into(), description: "The user denied the request.".into() }));
}

#[wasm_bindgen_test]
fn the_button_gets_amazons_options_and_calls_back_inside_the_click() {
    install_fake_widgets();
    let clicks = Rc::new(RefCell::new(0));
    let errors = Rc::new(RefCell::new(Vec::new()));
    let options = ButtonOptions {
        button_type: "PwA",
        color: "DarkGray",
        size: "large",
        language: Some("de-DE"),
        use_amazon_address_book: true,
        agreement_type: None,
    };
    let (c, e) = (clicks.clone(), errors.clone());
    let bound =
        off_amazon_payments::button("pay-button", "A2SELLER", &options, move || *c.borrow_mut() += 1, move |err| e.borrow_mut().push(err)).unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["fn"], "Button");
    assert_eq!(calls[0]["arg"], "pay-button", "a bare id, no #");
    assert_eq!(calls[0]["seller"], "A2SELLER");
    let o = &calls[0]["options"];
    assert_eq!(
        (o["type"].as_str(), o["color"].as_str(), o["size"].as_str(), o["language"].as_str()),
        (Some("PwA"), Some("DarkGray"), Some("large"), Some("de-DE"))
    );
    assert_eq!(o["useAmazonAddressBook"], true);
    assert_eq!((o["authorization"].as_str(), o["onError"].as_str()), (Some("function"), Some("function")));
    assert!(o.get("agreementType").is_none());
    click_button();
    assert_eq!(*clicks.borrow(), 1);
    button_error("InvalidSellerId", "The seller id is invalid.");
    assert_eq!(errors.borrow()[0], AmazonWidgetError { code: "InvalidSellerId".into(), message: "The seller id is invalid.".into() });
    drop(bound);
}

#[wasm_bindgen_test]
fn widgets_bind_with_typed_options_and_callbacks() {
    install_fake_widgets();
    let created = Rc::new(RefCell::new(Vec::new()));
    let errors = Rc::new(RefCell::new(Vec::new()));
    let (c, e) = (created.clone(), errors.clone());
    let address_book = Widget::new(WidgetKind::AddressBook, seller_options())
        .on_order_reference_create(move |r| c.borrow_mut().push(r.order_reference_id()))
        .on_error(move |err| e.borrow_mut().push(err))
        .bind("address-book")
        .unwrap();
    let wallet = Widget::new(
        WidgetKind::Wallet,
        WidgetOptions { amazon_order_reference_id: Some("S02-1234567-7654321"), display_mode: Some(DisplayMode::Read), ..seller_options() },
    )
    .presentment_currency("EUR")
    .bind("wallet")
    .unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["fn"], "AddressBook.bind");
    assert_eq!(calls[0]["arg"], "address-book");
    assert_eq!(calls[0]["options"]["sellerId"], "A2SELLER");
    assert_eq!(calls[0]["options"]["design"]["designMode"], "responsive");
    assert_eq!(calls[0]["options"]["onOrderReferenceCreate"], "function");
    assert!(calls[0]["options"].get("amazonOrderReferenceId").is_none());
    assert_eq!(calls[1]["fn"], "Wallet.setPresentmentCurrency", "set before binding");
    assert_eq!(calls[2]["options"]["amazonOrderReferenceId"], "S02-1234567-7654321");
    assert_eq!(calls[2]["options"]["displayMode"], "Read");

    assert_eq!(fire(0, "onOrderReferenceCreate", "reference", "S02-1111111-2222222"), "ok");
    assert_eq!(*created.borrow(), vec![Some("S02-1111111-2222222".to_owned())]);
    assert_eq!(fire(0, "onError", "error", "BuyerSessionExpired"), "ok");
    assert_eq!(errors.borrow()[0].code, "BuyerSessionExpired");
    assert!(errors.borrow()[0].needs_sign_in());
    drop((address_book, wallet));
}

#[wasm_bindgen_test]
fn recurring_widgets_report_the_billing_agreement_and_consent() {
    install_fake_widgets();
    let agreement = Rc::new(RefCell::new(None));
    let consent = Rc::new(RefCell::new(Vec::new()));
    let a = agreement.clone();
    let _book = Widget::new(WidgetKind::AddressBook, WidgetOptions { agreement_type: Some(AgreementType::BillingAgreement), ..seller_options() })
        .on_ready(move |r| *a.borrow_mut() = r.id())
        .bind("address-book")
        .unwrap();
    let (c1, c2) = (consent.clone(), consent.clone());
    let _consent = Widget::new(WidgetKind::Consent, WidgetOptions { amazon_billing_agreement_id: Some("B02-1234567-7654321"), ..seller_options() })
        .on_consent_ready(move |s| c1.borrow_mut().push(s.given()))
        .on_consent(move |s| c2.borrow_mut().push(s.given()))
        .bind("consent")
        .unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["options"]["agreementType"], "BillingAgreement");
    assert_eq!(calls[1]["options"]["amazonBillingAgreementId"], "B02-1234567-7654321");
    fire(0, "onReady", "agreement", "B02-1234567-7654321");
    assert_eq!(agreement.borrow().as_deref(), Some("B02-1234567-7654321"));
    fire(1, "onReady", "consent", "false");
    fire(1, "onConsent", "consent", "true");
    fire(1, "onConsent", "consent", "bool");
    fire(1, "onConsent", "consent", "maybe");
    assert_eq!(*consent.borrow(), vec![Some(false), Some(true), Some(true), None], "Amazon's strings, booleans, and nonsense");
}

#[wasm_bindgen_test]
fn callbacks_are_released_when_their_owner_is_dropped() {
    install_fake_widgets();
    let count = Rc::new(RefCell::new(0));
    let c = count.clone();
    let bound = Widget::new(WidgetKind::Wallet, seller_options()).on_payment_select(move |_| *c.borrow_mut() += 1).bind("wallet").unwrap();
    assert_eq!(fire(0, "onPaymentSelect", "reference", "S02-1"), "ok");
    drop(bound);
    assert_ne!(fire(0, "onPaymentSelect", "reference", "S02-1"), "ok", "a dropped callback is gone, not leaked");
    assert_eq!(*count.borrow(), 1);
}

#[wasm_bindgen_test]
fn widget_failures_are_typed_errors() {
    install_fake_widgets();
    let err = Widget::new(WidgetKind::AddressBook, seller_options()).bind("throw").unwrap_err();
    assert_eq!(err, WidgetsError::Rejected("bind failed".into()));
    remove_amazon();
    let err = Widget::new(WidgetKind::Consent, seller_options()).bind("consent").unwrap_err();
    assert_eq!(err, WidgetsError::NotLoaded("Consent"));
    assert!(matches!(off_amazon_payments::init_confirmation_flow("S", "S02-1", |_| {}), Err(WidgetsError::NotLoaded(_))));
}

#[wasm_bindgen_test]
fn the_confirmation_flow_is_handed_over_to_rust() {
    install_fake_widgets();
    let handle = off_amazon_payments::init_confirmation_flow("A2SELLER", "S02-1234567-7654321", |flow| {
        flow.success().unwrap();
    })
    .unwrap();
    let calls = recorded();
    assert_eq!(calls[0]["fn"], "initConfirmationFlow");
    assert_eq!(calls[0]["seller"], "A2SELLER");
    assert_eq!(calls[0]["arg"], "S02-1234567-7654321");
    assert_eq!(calls[1]["fn"], "success");
    drop(handle);
}

/// A `data:` script: `body` runs when the script loads.
fn data_script(body: &str) -> String {
    format!("data:text/javascript,{}", String::from(js_sys::encode_uri_component(body)))
}

#[wasm_bindgen_test]
async fn loading_widgets_js_sets_the_ready_hooks_first_and_waits_for_them() {
    // Already on the page (a re-mount): Login is configured directly, nothing is loaded.
    install_fake_widgets();
    off_amazon_payments::load("https://unused.example/Widgets.js", "amzn1.client-a", true, Duration::from_secs(1)).await.unwrap();
    assert_eq!(recorded()[0]["arg"], "amzn1.client-a");
    assert_eq!(recorded()[1]["arg"], true);

    // A script that never says it is ready: a clear error after the timeout, and a later call may try again.
    remove_amazon();
    let silent = data_script("window.__silentLoaded = true;");
    let err = off_amazon_payments::load(&silent, "amzn1.client-b", false, Duration::from_millis(300)).await.unwrap_err();
    assert_eq!(err, WidgetsError::NotReady(300));

    // A script that behaves like Amazon's: the hooks were set before it ran; the page's own hook still runs.
    set_page_hook();
    let amazon = data_script(
        "window.__hookOrder = []; window.amazon = { Login: { \
           setClientId: function (id) { __hookOrder.push('setClientId:' + id); }, \
           setSandboxMode: function (on) { __hookOrder.push('setSandboxMode:' + on); }, \
           authorize: function () {}, logout: function () {} } }; \
         window.OffAmazonPayments = { Widgets: {}, Button: function () {} }; \
         window.onAmazonLoginReady(); window.onAmazonPaymentsReady();",
    );
    off_amazon_payments::load(&amazon, "amzn1.client-c", false, Duration::from_secs(5)).await.unwrap();
    let order: Vec<String> = serde_json::from_str(&hook_order()).unwrap();
    assert_eq!(order[..2], ["setClientId:amzn1.client-c".to_owned(), "setSandboxMode:false".to_owned()], "inside onAmazonLoginReady");
    assert_eq!(page_hook_count(), 1, "the page's own onAmazonPaymentsReady still ran");
    assert!(off_amazon_payments::is_loaded());
}

#[wasm_bindgen_test]
async fn live_mode_refuses_any_widgets_js_but_amazons() {
    use amazon_pay_contract::cv1::WidgetsConfig;
    use amazon_pay_widget::views::cv1::signin::{self, SetupError};
    remove_amazon();
    let config = WidgetsConfig {
        client_id: "amzn1.application-oa2-client.live".into(),
        seller_id: "A2LIVE".into(),
        sandbox: false,
        script_url: "https://shop.example/sandbox/amazon/Widgets.js".into(),
    };
    let err = signin::prepare(&config, Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(err, SetupError::UntrustedScript(ref url) if url == &config.script_url), "{err}");
    assert_eq!(amazon_pay_widget::interop::script_loader::script_count(&config.script_url), 0, "nothing was loaded");
}
