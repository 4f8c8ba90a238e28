//! The Leptos components in headless Chromium (feature `leptos`): each mounted in a page, its signals changed,
//! its DOM and its `Callback` props checked. The backend is a stubbed `fetch` that counts the session requests
//! and answers like amazon-pay-server; Amazon's `checkout.js` is a stubbed `amazon.Pay` global.
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::Language;
use amazon_pay_widget::components::{from_detail, AmazonPayButton, ButtonOptions, OrderConfirmation, OrderReview, WidgetEvent};
use amazon_pay_widget::components::{ApbCheckout, ApbOptions, ConfirmationOptions, ReviewOptions};
use amazon_pay_widget::embed::events::emit;
use amazon_pay_widget::interop::timers::sleep;
use amazon_pay_widget::texts::Text;
use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const PRICES = { mug: 1290, tshirt: 2490, stickers: 450 };
export function installFakes() {
  window.__sessions = [];
  window.__orderReads = 0;
  window.__renders = [];
  window.amazon = { Pay: {
    renderButton: function (selector, options) {
      const container = document.querySelector(selector);
      const drawn = document.createElement("span");
      drawn.className = "fake-amazon-button";
      drawn.textContent = options.estimatedOrderAmount.amount;
      container.appendChild(drawn);
      window.__renders.push({ selector: selector, amount: options.estimatedOrderAmount.amount, language: options.checkoutLanguage });
      return {};
    },
    bindChangeAction: function () {}
  } };
  window.__realFetch = window.__realFetch || window.fetch;
  window.fetch = async function (url, init) {
    const parsed = new URL(url, location.href);
    // Another backend (the tests' unreachable one) is asked for real.
    if (parsed.origin !== location.origin) return window.__realFetch(url, init);
    const path = parsed.pathname;
    const json = (status, body) => new Response(JSON.stringify(body), { status: status, headers: { "content-type": "application/json" } });
    if (path === "/api/cv2/sessions" && init && init.method === "POST") {
      const request = JSON.parse(init.body);
      window.__sessions.push(request);
      const minor = request.items.reduce((sum, line) => sum + PRICES[line.sku] * line.quantity, 0);
      return json(200, {
        workorder_id: "WO" + window.__sessions.length, merchant_id: "A1", public_key_id: "K1", payload_json: "{}",
        signature: "s", sandbox: true, ledger_currency: "EUR", checkout_language: request.language === "de" ? "de_DE" : "en_GB",
        product_type: "PayAndShip", amount: { minor: minor, currency: "EUR" }, script_url: "data:text/javascript,",
      });
    }
    if (path === "/api/orders/O7") {
      window.__orderReads += 1;
      const approved = window.__orderReads > 1;
      return json(200, { order_id: "O7", state: approved ? "approved" : "pending", amount: { minor: 1290, currency: "EUR" }, settled: approved });
    }
    if (path === "/api/orders/O8") {
      // Captured before the page first read it: `paid` at once.
      return json(200, { order_id: "O8", state: "paid", amount: { minor: 1290, currency: "EUR" }, settled: true, payment: "charged" });
    }
    return json(404, { code: "not_found", message: "not found" });
  };
}
export function sessions() { return JSON.stringify(window.__sessions); }
// Counts the listeners added to elements and not removed, by type (installed once per page).
export function liveListeners(type) {
  if (!window.__liveListeners) {
    const live = (window.__liveListeners = []);
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (t, listener, options) {
      if (this instanceof Element) live.push({ target: this, type: t, listener });
      return add.call(this, t, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (t, listener, options) {
      const i = live.findIndex((r) => r.target === this && r.type === t && r.listener === listener);
      if (i >= 0) live.splice(i, 1);
      return remove.call(this, t, listener, options);
    };
  }
  return window.__liveListeners.filter((r) => r.type === type).length;
}
export function renders() { return JSON.stringify(window.__renders); }
export function setQuery(query) { history.replaceState(null, "", location.pathname + query); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakes)]
    fn install_fakes();
    fn sessions() -> String;
    fn renders() -> String;
    #[wasm_bindgen(js_name = setQuery)]
    fn set_query(query: &str);
    #[wasm_bindgen(js_name = liveListeners)]
    fn live_listeners(kind: &str) -> u32;
}

fn session_requests() -> Vec<serde_json::Value> {
    serde_json::from_str(&sessions()).unwrap()
}

fn rendered() -> Vec<serde_json::Value> {
    serde_json::from_str(&renders()).unwrap()
}

/// A fresh element in the page to mount into.
fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

/// Polls `done` every 20 ms until it holds; fails after 5 s with `what`.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// The events a callback received (a `Callback` must be `Send + Sync`: an `Arc<Mutex<_>>`).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<WidgetEvent>>>);

impl Seen {
    fn callback(&self) -> Callback<WidgetEvent> {
        let seen = self.0.clone();
        Callback::new(move |event| seen.lock().unwrap().push(event))
    }
    fn all(&self) -> Vec<WidgetEvent> {
        self.0.lock().unwrap().clone()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn mugs(quantity: u32) -> Vec<CartLine> {
    vec![CartLine { sku: "mug".into(), quantity }]
}

fn text_of(root: &Element, selector: &str) -> String {
    root.query_selector(selector).unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_button_follows_its_cart_and_language_signals_with_one_session_per_settled_change() {
    install_fakes();
    let parent = host();
    let cart = RwSignal::new(mugs(1));
    let language = RwSignal::new(Language::En);
    let (ready, clicked, errors) = (Seen::default(), Seen::default(), Seen::default());
    let (on_ready, on_clicked, on_error) = (ready.callback(), clicked.callback(), errors.callback());
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <AmazonPayButton cart=cart language=language on_ready=on_ready on_button_clicked=on_clicked on_error=on_error /> }
    });
    until("the first button", || ready.len() == 1).await;
    assert_eq!(ready.all(), [WidgetEvent::Ready { workorder_id: "WO1".into() }]);
    assert_eq!(text_of(&parent, ".fake-amazon-button"), "12.90");

    // Ten quantity clicks, 20 ms apart: one new session, for the cart they leave; the old button stays (inert)
    // until the new one is drawn, and there is never more than one.
    for _ in 0..10 {
        cart.update(|lines| lines[0].quantity += 1);
        sleep(20).await;
        assert_eq!(parent.query_selector_all(".amazon-pay-widget").unwrap().length(), 1);
        assert!(parent.query_selector(".amazon-pay-widget").unwrap().unwrap().has_attribute("inert"));
    }
    until("the button for 11 mugs", || ready.len() == 2).await;
    assert_eq!(ready.all()[1], WidgetEvent::Ready { workorder_id: "WO2".into() });
    let requests = session_requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1]["items"], serde_json::json!([{ "sku": "mug", "quantity": 11 }]));
    assert_eq!(parent.query_selector_all(".amazon-pay-widget").unwrap().length(), 1);
    assert_eq!(parent.query_selector_all(".fake-amazon-button").unwrap().length(), 1);
    assert_eq!(text_of(&parent, ".fake-amazon-button"), "141.90");
    let widget = parent.query_selector(".amazon-pay-widget").unwrap().unwrap();
    assert!(!widget.has_attribute("inert"));
    assert_eq!(widget.get_attribute("aria-busy").as_deref(), Some("false"));

    // A change and its undoing before the pause: nothing to ask for.
    cart.update(|lines| lines[0].quantity += 1);
    cart.update(|lines| lines[0].quantity -= 1);
    sleep(400).await;
    assert_eq!(session_requests().len(), 2);
    assert!(!parent.query_selector(".amazon-pay-widget").unwrap().unwrap().has_attribute("inert"));

    // A new language: one session in it.
    language.set(Language::De);
    until("the German button", || ready.len() == 3).await;
    assert_eq!(session_requests()[2]["language"], "de");
    assert_eq!(rendered().last().unwrap()["language"], "de_DE");

    // The click callback gets the DOM event's detail.
    parent.query_selector(".amazon-pay-button").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    assert_eq!(clicked.all(), [WidgetEvent::ButtonClicked]);
    assert!(errors.all().is_empty());

    // Unmounted: the button goes, and a later change of the cart asks for nothing.
    drop(handle);
    assert_eq!(parent.child_element_count(), 0);
    cart.set(mugs(3));
    sleep(400).await;
    assert_eq!(session_requests().len(), 3);
}

#[wasm_bindgen_test]
async fn a_button_that_cannot_be_shown_calls_on_error() {
    let parent = host();
    let errors = Seen::default();
    let on_error = errors.callback();
    let options = ButtonOptions { client: amazon_pay_widget::client::Client::new("http://127.0.0.1:9"), ..ButtonOptions::default() };
    let handle = leptos::mount::mount_to(parent.clone(), move || view! { <AmazonPayButton options=options.clone() on_error=on_error /> });
    until("the error", || errors.len() == 1).await;
    match &errors.all()[0] {
        WidgetEvent::Error { message } => assert!(message.contains("cannot reach the backend"), "{message}"),
        other => panic!("not an error: {other:?}"),
    }
    drop(handle);
}

#[wasm_bindgen_test]
async fn the_review_page_follows_its_language_signal_and_reports_through_on_error() {
    set_query("?workorderId=WO9");
    let parent = host();
    let language = RwSignal::new(Language::De);
    let errors = Seen::default();
    let on_error = errors.callback();
    let options = ReviewOptions { client: amazon_pay_widget::client::Client::new("http://127.0.0.1:9"), ..ReviewOptions::default() };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <OrderReview options=options.clone() language=language on_error=on_error /> }
    });
    let sentence = |language| amazon_pay_contract::ErrorCode::UpstreamError.buyer_message(language);
    until("the German sentence", || text_of(&parent, ".amazon-pay-fatal").contains(sentence(Language::De))).await;
    assert_eq!(errors.len(), 1);
    assert!(matches!(&errors.all()[0], WidgetEvent::Error { message } if message.contains("cannot reach the backend")));
    language.set(Language::Fr);
    until("the French sentence", || text_of(&parent, ".amazon-pay-fatal").contains(sentence(Language::Fr))).await;
    assert_eq!(parent.query_selector_all(".amazon-pay-review").unwrap().length(), 1, "one review page, shown again");
    assert_eq!(errors.len(), 2);
    drop(handle);
    assert!(parent.query_selector(".amazon-pay-review").unwrap().is_none());
    set_query("");
}

#[wasm_bindgen_test]
async fn the_confirmation_page_calls_on_pending_then_on_approved_and_follows_its_language() {
    install_fakes();
    set_query("?order=O7");
    let parent = host();
    let language = RwSignal::new(Language::En);
    let (pending, approved) = (Seen::default(), Seen::default());
    let (on_pending, on_approved) = (pending.callback(), approved.callback());
    let options = ConfirmationOptions { poll_interval: std::time::Duration::from_millis(50), ..ConfirmationOptions::default() };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <OrderConfirmation options=options.clone() language=language on_pending=on_pending on_approved=on_approved /> }
    });
    until("approved", || approved.len() == 1).await;
    assert_eq!(pending.all(), [WidgetEvent::Pending { order_id: "O7".into() }]);
    assert_eq!(approved.all(), [WidgetEvent::Approved { order_id: "O7".into() }]);
    assert!(text_of(&parent, ".amazon-pay-order-state").contains(Text::Approved.get(Language::En)));
    language.set(Language::Es);
    until("the Spanish sentence", || text_of(&parent, ".amazon-pay-order-state").contains(Text::Approved.get(Language::Es))).await;
    assert_eq!(parent.query_selector_all(".amazon-pay-confirmation").unwrap().length(), 1);
    drop(handle);
    set_query("");
}

#[wasm_bindgen_test]
async fn the_confirmation_page_calls_on_paid_for_an_order_already_paid() {
    install_fakes();
    set_query("?order=O8");
    let parent = host();
    let (approved, paid) = (Seen::default(), Seen::default());
    let (on_approved, on_paid) = (approved.callback(), paid.callback());
    let options = ConfirmationOptions { poll_interval: std::time::Duration::from_millis(50), ..ConfirmationOptions::default() };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <OrderConfirmation options=options.clone() on_approved=on_approved on_paid=on_paid /> }
    });
    until("paid", || paid.len() == 1).await;
    assert_eq!(paid.all(), [WidgetEvent::Paid { order_id: "O8".into() }]);
    assert!(text_of(&parent, ".amazon-pay-order-state").contains(Text::Paid.get(Language::En)));
    assert_eq!(approved.all(), [], "a paid order is announced as paid only");
    drop(handle);
    set_query("");
}

#[wasm_bindgen_test]
async fn the_apb_button_follows_its_language_and_calls_on_button_clicked_then_on_error() {
    let parent = host();
    let language = RwSignal::new(Language::It);
    let (clicked, errors) = (Seen::default(), Seen::default());
    let (on_clicked, on_error) = (clicked.callback(), errors.callback());
    let options = ApbOptions {
        client: amazon_pay_widget::client::Client::new("http://127.0.0.1:9"),
        language: Language::En,
        items: mugs(1),
        product_type: amazon_pay_contract::cv2::ProductType::PayOnly,
        buyer_form: None,
        script_timeout: std::time::Duration::from_secs(1),
    };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <ApbCheckout options=options.clone() language=language on_button_clicked=on_clicked on_error=on_error /> }
    });
    until("the Italian button", || text_of(&parent, ".amazon-pay-apb-button") == Text::PayWithAmazon.get(Language::It)).await;
    language.set(Language::De);
    until("the German button", || text_of(&parent, ".amazon-pay-apb-button") == Text::PayWithAmazon.get(Language::De)).await;
    assert_eq!(parent.query_selector_all(".amazon-pay-apb").unwrap().length(), 1);
    parent.query_selector(".amazon-pay-apb-button").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    assert_eq!(clicked.all(), [WidgetEvent::ButtonClicked]);
    until("the error", || errors.len() == 1).await;
    assert!(matches!(&errors.all()[0], WidgetEvent::Error { message } if message.contains("cannot reach the backend")));
    drop(handle);
    assert_eq!(parent.child_element_count(), 0);
}

#[wasm_bindgen_test]
fn a_callback_gets_exactly_the_event_the_dom_event_was_written_from() {
    let target = host();
    let events = [
        WidgetEvent::Ready { workorder_id: "WO1".into() },
        WidgetEvent::ButtonClicked,
        WidgetEvent::ReviewReady { workorder_id: "WO1".into() },
        WidgetEvent::OrderPlaced { order_id: "O1".into() },
        WidgetEvent::Redirecting { order_id: "O1".into(), url: "https://amazon.example/mfa".into() },
        WidgetEvent::Approved { order_id: "O1".into() },
        WidgetEvent::Pending { order_id: "O1".into() },
        WidgetEvent::Paid { order_id: "O1".into() },
        WidgetEvent::Declined { order_id: "O1".into(), code: "soft_decline".into(), message: "Bitte wählen…".into() },
        WidgetEvent::Error { message: "cause".into() },
        WidgetEvent::SignedIn,
        WidgetEvent::SignedOut,
        WidgetEvent::UpsellAdded { order_id: "O1".into() },
    ];
    for event in events {
        let seen = std::rc::Rc::new(std::cell::RefCell::new(None));
        let listener = {
            let seen = seen.clone();
            Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| *seen.borrow_mut() = from_detail(&e.detail()))
        };
        target.add_event_listener_with_callback(event.name(), listener.as_ref().unchecked_ref()).unwrap();
        emit(&target, event.clone());
        target.remove_event_listener_with_callback(event.name(), listener.as_ref().unchecked_ref()).unwrap();
        assert_eq!(seen.borrow().as_ref(), Some(&event));
    }
    assert_eq!(from_detail(&JsValue::from_str("not a detail")), None);
}

/// A single-page app's route shows the button by a signal (`<Show>`): mounted, unmounted and mounted again ten
/// times, the cart changing in between; once hidden right after being shown, while its session is on its way.
#[wasm_bindgen_test]
async fn a_button_shown_and_hidden_by_a_signal_is_one_button_for_the_current_cart_each_time_and_leaves_no_listener() {
    install_fakes();
    let before = (live_listeners("click"), live_listeners("amazonpay:ready"));
    let parent = host();
    let shown = RwSignal::new(true);
    let cart = RwSignal::new(mugs(1));
    let ready = Seen::default();
    let on_ready = ready.callback();
    let _app = leptos::mount::mount_to(parent.clone(), move || {
        view! { <Show when=move || shown.get()><AmazonPayButton cart=cart on_ready=on_ready /></Show> }
    });
    let widgets = || parent.query_selector_all(".amazon-pay-widget").unwrap().length();
    let sessions_before = session_requests().len();
    for round in 1..=10u32 {
        until("the button", || ready.len() == round as usize).await;
        assert_eq!(widgets(), 1, "round {round}");
        assert_eq!(parent.query_selector_all(".fake-amazon-button").unwrap().length(), 1, "round {round}");
        assert_eq!(text_of(&parent, ".fake-amazon-button"), format!("{}.{:02}", 1290 * round / 100, 1290 * round % 100));
        assert_eq!((live_listeners("click"), live_listeners("amazonpay:ready")), (before.0 + 1, before.1 + 1), "round {round}");
        shown.set(false);
        until("the button gone", || widgets() == 0).await;
        assert_eq!((live_listeners("click"), live_listeners("amazonpay:ready")), before, "round {round}: hidden, no listener left");
        cart.set(mugs(round + 1));
        shown.set(true);
    }
    until("the eleventh button", || ready.len() == 11).await;
    // Hidden again at once: its session is answered after it left, and nothing is drawn or announced.
    shown.set(false);
    cart.set(mugs(1));
    shown.set(true);
    shown.set(false);
    sleep(600).await;
    assert_eq!(widgets(), 0);
    assert_eq!(ready.len(), 11, "no button announced after it was hidden");
    assert!(session_requests().len() - sessions_before <= 12, "one session per showing");
    assert_eq!((live_listeners("click"), live_listeners("amazonpay:ready")), before);
}
