//! The Checkout v2 button: asks the backend for a session, loads `checkout.js`, renders Amazon's button.
//!
//! While it loads it holds the button's place (so the page does not jump) and, after a few seconds, says that
//! Amazon Pay is still loading; a script that arrives late still shows the button. On failure it says so in
//! the buyer's language and shows no broken button; the cause goes to the console and to an `error` event.

use super::common::{live_region, log_error};
use crate::client::Client;
use crate::dom::{el, on, set_attr, set_hidden, set_text, Listener, Mounted};
use crate::events::{emit, WidgetEvent};
use crate::interop::amazon_pay::{self, CheckoutSessionConfig, EstimatedOrderAmount, RenderButtonOptions};
use crate::interop::script_loader;
use crate::prelude::*;
use crate::texts::Text;
use alloc::rc::Rc;
use amazon_pay_contract::cv2::{ButtonConfig, CartLine, CreateSessionRequest, ReturnPages};
use amazon_pay_contract::{routes, ErrorCode, Language};
use core::future::Future;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// Amazon's only EU script; the live widget refuses any other source.
pub const AMAZON_EU_CHECKOUT_JS: &str = "https://static-eu.payments-amazon.com/checkout.js";

/// Whether `url` is Amazon's own `checkout.js` of one of its regions (EU, NA, FE): the only scripts live mode
/// loads (Amazon Pay direct may be an NA or JP account).
pub fn is_amazon_checkout_js(url: &str) -> bool {
    url == AMAZON_EU_CHECKOUT_JS
        || url == "https://static-na.payments-amazon.com/checkout.js"
        || url == "https://static-fe.payments-amazon.com/checkout.js"
}

/// How long the button waits for its session by default: far longer than a session takes, and shorter than the
/// server's own wait for its upstream (`--payone-timeout-ms`, 45 s), which no buyer waits out in front of a
/// placeholder; a hung connection (a proxy that took it and never answers) ends here, with "Try again".
pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(15);

/// How the button is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ButtonOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The cart: SKUs and quantities (the backend prices them).
    pub items: Vec<CartLine>,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// `Gold`, `LightGray` or `DarkGray`.
    pub color: String,
    /// `Cart`, `Product`, `Checkout`, `Home` or `Other`.
    pub placement: String,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
    /// How long to wait for the backend's answer to the session request before saying it failed (a server or
    /// proxy that takes the connection and never answers); the request's late answer is then ignored.
    pub session_timeout: Duration,
    /// The shop's pages for this checkout (absolute URLs); empty: the server's configured pages.
    pub return_pages: ReturnPages,
}

impl Default for ButtonOptions {
    fn default() -> Self {
        ButtonOptions {
            client: Client::default(),
            items: Vec::new(),
            language: Language::default(),
            color: "Gold".into(),
            placement: "Cart".into(),
            script_timeout: crate::interop::script_loader::DEFAULT_TIMEOUT,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            return_pages: ReturnPages::default(),
        }
    }
}

/// Why the button could not be shown.
#[derive(Debug, thiserror::Error)]
enum SetupError {
    Backend(#[from] crate::client::ClientError),
    Script(#[from] script_loader::ScriptError),
    Amazon(#[from] amazon_pay::AmazonPayError),
    UntrustedScript(String),
    /// The session request got no answer within `millis` (see [`ButtonOptions::session_timeout`]).
    SessionTimedOut {
        url: String,
        millis: u32,
    },
}

impl SetupError {
    fn buyer_message(&self, language: Language) -> String {
        match self {
            SetupError::Backend(e) => match e.api_error() {
                Some(api) => api.message.clone(),
                None => ErrorCode::UpstreamError.buyer_message(language).to_owned(),
            },
            // The browser did not load Amazon's script (a content blocker, mostly, or the network): what to do.
            SetupError::Script(script_loader::ScriptError::Failed { .. }) => Text::ScriptBlocked.get(language).to_owned(),
            // As the backend says when its upstream does not answer: nothing can have been charged yet.
            SetupError::SessionTimedOut { .. } => ErrorCode::UpstreamTimeout.buyer_message(language).to_owned(),
            _ => ErrorCode::Internal.buyer_message(language).to_owned(),
        }
    }

    /// Whether asking again may work: no answer (or none in time), a garbled one (a proxy's 502), an upstream
    /// that did not answer, or the script that did not arrive (the network, not a refusal of this cart).
    fn retryable(&self) -> bool {
        match self {
            SetupError::Backend(e) => e.api_error().is_none_or(|api| {
                matches!(api.code, ErrorCode::UpstreamTimeout | ErrorCode::UpstreamInvalid | ErrorCode::UpstreamError | ErrorCode::Busy)
            }),
            SetupError::Script(_) | SetupError::SessionTimedOut { .. } => true,
            _ => false,
        }
    }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Amazon's options for a button (or `initCheckout`) from the backend's configuration.
pub(crate) fn render_options(config: &ButtonConfig, placement: &str, color: &str) -> RenderButtonOptions {
    RenderButtonOptions {
        merchant_id: config.merchant_id.clone(),
        ledger_currency: config.ledger_currency.code().to_owned(),
        sandbox: config.sandbox,
        checkout_language: config.checkout_language.clone(),
        product_type: config.product_type.as_str().to_owned(),
        placement: placement.to_owned(),
        button_color: color.to_owned(),
        estimated_order_amount: Some(EstimatedOrderAmount {
            amount: config.amount.decimal(),
            currency_code: config.amount.currency.code().to_owned(),
        }),
        create_checkout_session_config: Some(CheckoutSessionConfig {
            payload_json: config.payload_json.clone(),
            signature: config.signature.clone(),
            public_key_id: config.public_key_id.clone(),
            algorithm: config.algorithm.clone(),
        }),
    }
}

/// Remembers the workorder for the review page, in case the return URL lacks it.
fn remember_workorder(workorder_id: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(crate::page::WORKORDER_STORAGE_KEY, workorder_id);
    }
}

/// After this long without a button the buyer is told that Amazon Pay is still loading (aria-live), long
/// before the loader gives up ([`script_loader::DEFAULT_TIMEOUT`], tried twice).
pub const STILL_LOADING_AFTER_MS: u32 = 3_000;

/// Says "still loading" in the status region if the button is still on its way after
/// [`STILL_LOADING_AFTER_MS`]; the button or the failure replaces the sentence.
async fn tell_still_loading(view: alloc::rc::Weak<Button>, language: Language) {
    crate::interop::timers::sleep(STILL_LOADING_AFTER_MS).await;
    let Some(view) = view.upgrade() else { return };
    if view.button.get_attribute("aria-busy").as_deref() == Some("true") {
        set_text(&view.status, Text::StillLoading.get(language));
    }
}

/// Waits for the `session` request and loads `checkout.js`: everything before Amazon's button can be drawn.
/// (A [`live::LiveButton`] update awaits this for its new session while the old button stays on the page.)
async fn prepare(
    session: impl Future<Output = Result<ButtonConfig, crate::client::ClientError>>,
    options: &ButtonOptions,
) -> Result<ButtonConfig, SetupError> {
    let millis = crate::interop::timers::millis(options.session_timeout);
    let config =
        within(session, millis).await.ok_or_else(|| SetupError::SessionTimedOut { url: options.client.url(routes::CV2_SESSIONS), millis })??;
    if !config.sandbox && !is_amazon_checkout_js(&config.script_url) {
        return Err(SetupError::UntrustedScript(config.script_url));
    }
    script_loader::load_script_until(&config.script_url, Some(amazon_pay::is_loaded), options.script_timeout, 2).await?;
    Ok(config)
}

/// `future`'s output, or `None` once `millis` have passed first; `future` is then dropped, and with it the
/// request's answer, should it still come (a retry has its own request). Nothing outlives the race for longer
/// than the deadline: the deadline's timer still fires, and settles its promise, after the future won.
async fn within<T>(future: impl Future<Output = T>, millis: u32) -> Option<T> {
    use core::task::Poll;
    let (mut future, mut deadline) = (core::pin::pin!(future), core::pin::pin!(crate::interop::timers::sleep(millis)));
    core::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => deadline.as_mut().poll(cx).map(|()| None),
    })
    .await
}

/// Renders Amazon's button into `view` (synchronously: no await between this and the caller's next step).
fn render(view: &Button, config: ButtonConfig, options: &ButtonOptions) -> Result<ButtonConfig, SetupError> {
    let selector = ["#", &view.button.id()].concat();
    amazon_pay::render_button(&selector, &render_options(&config, &options.placement, &options.color))?;
    remember_workorder(&config.workorder_id);
    Ok(config)
}

/// Shows the outcome in `view`: Amazon's button, or the buyer's sentence with no broken button (and, when
/// the network was the cause, a "Try again" button). Returns the event to announce (`ready` or `error`): the
/// caller emits it once its own state is consistent, since a page's listener may call back into the widget.
fn finish(view: &Rc<Button>, result: Result<ButtonConfig, SetupError>, options: &ButtonOptions) -> WidgetEvent {
    let language = options.language;
    let _ = view.button.class_list().remove_1("amazon-pay-placeholder");
    set_attr(&view.button, "aria-busy", "false");
    match result {
        Ok(config) => {
            set_text(&view.status, "");
            WidgetEvent::Ready { workorder_id: config.workorder_id }
        }
        Err(err) => {
            log_error("Amazon Pay button", &err);
            set_hidden(&view.button, true);
            set_text(&view.status, &err.buyer_message(language));
            if err.retryable() {
                offer_retry(view, options);
            }
            WidgetEvent::Error { message: err.to_string() }
        }
    }
}

/// Shows the "Try again" button under the sentence (built once; hidden again while the retry runs). A click
/// asks for one new session and loads the script again, in the same place ([`start`], as `mount` does): a buyer
/// whose network came back gets the button without reloading the shop's page.
fn offer_retry(view: &Rc<Button>, options: &ButtonOptions) {
    let mut retry = view.retry.borrow_mut();
    if let Some((element, _)) = retry.as_ref() {
        set_hidden(element, false);
        return;
    }
    let Ok(element) = el("button") else { return };
    let element = element.attr("type", "button").class("amazon-pay-retry").done();
    set_text(&element, Text::TryAgain.get(options.language));
    let (weak, options) = (Rc::downgrade(view), options.clone());
    let click = on(&element, "click", move |_| {
        let Some(view) = weak.upgrade() else { return };
        // The listener stays (dropping it inside its own call is not allowed): the button is only hidden.
        if let Some((element, _)) = view.retry.borrow().as_ref() {
            set_hidden(element, true);
        }
        start(&view, request_session(&options, None), options.clone(), None);
    });
    crate::dom_calls::insert_before(&view.host, &element, None);
    *retry = Some((element, click));
}

/// Starts `view`, first from `mount` and again from "Try again": the placeholder (back) in the button's place,
/// "still loading" after a while, then the `session`'s answer, `checkout.js` and Amazon's button, or the
/// failure ([`finish`]). `cancelled`: the order the buyer cancelled on Amazon's pages, told first.
fn start(
    view: &Rc<Button>,
    session: impl Future<Output = Result<ButtonConfig, crate::client::ClientError>> + 'static,
    options: ButtonOptions,
    cancelled: Option<Option<String>>,
) {
    set_hidden(&view.button, false);
    let _ = view.button.class_list().add_1("amazon-pay-placeholder");
    set_attr(&view.button, "aria-busy", "true");
    set_text(&view.status, "");
    let weak = Rc::downgrade(view);
    wasm_bindgen_futures::spawn_local(tell_still_loading(weak.clone(), options.language));
    wasm_bindgen_futures::spawn_local(async move {
        if let (Some(order_id), Some(view)) = (cancelled, weak.upgrade()) {
            emit(&view.host, WidgetEvent::Cancelled { order_id });
        }
        let prepared = prepare(session, &options).await;
        // Unmounted meanwhile: nothing to show.
        let Some(view) = weak.upgrade() else { return };
        let result = prepared.and_then(|config| render(&view, config, &options));
        let event = finish(&view, result, &options);
        emit(&view.host, event);
    });
}

/// The session request for `options`' cart, language and pages; answered by the loader's request already on its
/// way for `declared` when it is exactly this one (`interop::prefetch`). One function for `mount`, "Try again"
/// and updates: one future type, so one copy of [`start`] and [`prepare`] in the wasm.
fn request_session(
    options: &ButtonOptions,
    declared: Option<Element>,
) -> impl Future<Output = Result<ButtonConfig, crate::client::ClientError>> + 'static {
    let request = CreateSessionRequest { items: options.items.clone(), language: options.language, return_pages: options.return_pages.clone() };
    options.client.create_cv2_session_with(&request, |url, body| declared.and_then(|element| crate::interop::prefetch::take(&element, url, body)))
}

/// The button on the page (see [`mount`]).
struct Button {
    host: Element,
    button: Element,
    status: Element,
    _click: Listener,
    /// The "Try again" button and its listener, once a failure offered it.
    retry: core::cell::RefCell<Option<(Element, Listener)>>,
}

/// Builds the button's elements with its placeholder and puts them into `parent`, before `before` (else last).
fn build(parent: &Element, before: Option<&web_sys::Node>) -> Result<Rc<Button>, JsValue> {
    let id = ["amazon-pay-button-", &amazon_pay_contract::digits(NEXT_ID.fetch_add(1, Ordering::Relaxed).into())].concat();
    let button = el("div")?.attr("id", &id).class("amazon-pay-button amazon-pay-placeholder").attr("aria-busy", "true").done();
    let status = live_region("amazon-pay-status")?.done();
    let host = el("div")?.class("amazon-pay-widget").child(&button).child(&status).done();
    crate::dom_calls::insert_before(parent, &host, before);
    let click = {
        let host = host.clone();
        on(&button, "click", move |_| emit(&host, WidgetEvent::ButtonClicked))
    };
    Ok(Rc::new(Button { host, button, status, _click: click, retry: Default::default() }))
}

/// Appends the button to `parent` and starts it (session, `checkout.js`, `renderButton`).
pub fn mount(parent: &Element, options: ButtonOptions) -> Result<Mounted, JsValue> {
    // The session request goes out before anything else: the placeholder is built while the backend answers
    // (the time to the button is measured against a hand-written page that sends it first thing).
    // A declared button's request may already be on its way: the loader's (`interop::prefetch`).
    let session = request_session(&options, Some(parent.clone()));
    let view = build(parent, None)?;
    // Amazon sent the buyer back here from its pages: they cancelled (before any order, except Amazon direct's
    // APB, whose order the address names). Read now, told after `mount` returned (a listener on the element is
    // added then), before the new button's events.
    let cancelled = crate::page::take_cancel_marker();
    start(&view, session, options, cancelled);
    Ok(Mounted::new(view.host.clone(), Box::new(view)))
}

/// The button for `options` in place of `old` (a [`live::LiveButton`] update), from an already `prepared`
/// session: built, rendered and swapped within one task, so the page never paints a gap or two buttons.
/// Returns the new view and the event it announces (emit it once the caller's state holds the new view).
fn replace(
    parent: &Element,
    old: Mounted,
    prepared: Result<ButtonConfig, SetupError>,
    options: &ButtonOptions,
) -> Result<(Mounted, WidgetEvent), JsValue> {
    let view = match build(parent, old.root().next_sibling().as_ref()) {
        Ok(view) => view,
        Err(err) => {
            drop(old);
            return Err(err);
        }
    };
    let result = prepared.and_then(|config| render(&view, config, options));
    let event = finish(&view, result, options);
    drop(old);
    Ok((Mounted::new(view.host.clone(), Box::new(view)), event))
}

pub mod live;

impl core::fmt::Display for SetupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            SetupError::Backend(e) => core::fmt::Display::fmt(e, f),
            SetupError::Script(e) => core::fmt::Display::fmt(e, f),
            SetupError::Amazon(e) => core::fmt::Display::fmt(e, f),
            SetupError::UntrustedScript(url) => w(f, &["refusing to load ", url, " in live mode: only Amazon's own checkout.js may run there"]),
            SetupError::SessionTimedOut { url, millis } => {
                w(f, &["no answer from the backend at ", url, " within ", &amazon_pay_contract::digits((*millis).into()), " ms (sessionTimeoutMs)"])
            }
        }
    }
}
