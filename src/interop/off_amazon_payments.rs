//! Typed wrapper of `OffAmazonPayments` from Amazon's legacy `Widgets.js` (reference §B.2, §B.4–B.7):
//! loading the script with its ready hooks, `Button`, the AddressBook, Wallet and Consent widgets, and
//! `initConfirmationFlow`.
//!
//! Every callback handed to Amazon is a [`Closure`] owned by the returned [`Bound`]. The component that bound
//! a widget keeps that value as long as the widget is on the page (and drops it with the component), so
//! nothing leaks per render. Amazon's `onError` reaches Rust as an [`AmazonWidgetError`].

use super::js_object::{call_getter, call_method, construct, get, get_path, object, opt_text, set, text};
use super::script_loader::{self, ScriptError};
use crate::prelude::*;
use core::cell::RefCell;
use core::time::Duration;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// What one of Amazon's page-wide hooks does before the page's own: one type for both hooks, so the wasm has
/// one hook closure.
enum Hook {
    /// `onAmazonPaymentsReady`: resolves the ready promise.
    Ready(js_sys::Function),
    /// `onAmazonLoginReady`: configures Login with Amazon (client id, sandbox mode), as Amazon's guide does (§B.3).
    Login(String, bool),
}

impl Hook {
    fn run(&self) {
        match self {
            Hook::Ready(resolve) => drop(resolve.call0(&JsValue::UNDEFINED)),
            Hook::Login(client_id, sandbox) => {
                if let Err(e) = configure_login(client_id, *sandbox) {
                    web_sys::console::error_1(&["Amazon Pay: cannot configure amazon.Login: ", &e.text()].concat().into());
                }
            }
        }
    }
}

/// Sets the page-wide hook `window[name]` (Amazon's `onAmazonPaymentsReady`, `onAmazonLoginReady`) to run
/// `hook`, then whatever the page had set there before. Amazon calls these hooks once, whenever its script is
/// ready, so the closure lives as long as the page: it is handed to JS (`into_js_value`), not owned by a view.
/// (In Rust, not an `inline_js` snippet: a snippet is one more file every page of the widget would fetch.)
fn chain_global_hook(name: &'static str, hook: Hook) -> Result<(), JsValue> {
    let window: JsValue = js_sys::global().into();
    let previous = get(&window, name).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let hook = Closure::<dyn Fn()>::new(move || {
        hook.run();
        if let Some(previous) = &previous {
            // The page's own hook failing must not keep the widget from starting; its error still shows.
            if let Err(thrown) = previous.call0(&JsValue::UNDEFINED) {
                web_sys::console::error_2(&[name, ": the page's own hook threw"].concat().into(), &thrown);
            }
        }
    });
    set(&window, name, &hook.into_js_value())
}

/// A promise resolved by `onAmazonPaymentsReady` (the page's earlier hook still called).
fn ready_promise() -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(e) = chain_global_hook("onAmazonPaymentsReady", Hook::Ready(resolve)) {
            let _ = reject.call1(&JsValue::UNDEFINED, &e);
        }
    })
}

/// Configures Login with Amazon from `onAmazonLoginReady`.
fn set_login_hook(client_id: &str, sandbox: bool) {
    if let Err(e) = chain_global_hook("onAmazonLoginReady", Hook::Login(client_id.to_owned(), sandbox)) {
        // `load` configures Login directly once the script is there; this only loses the early hook.
        web_sys::console::warn_2(&"Amazon Pay: cannot set onAmazonLoginReady".into(), &e);
    }
}

/// `amazon.Login.setClientId` and `setSandboxMode`, which `authorize` needs (one copy for the hook and `load`).
fn configure_login(client_id: &str, sandbox: bool) -> Result<(), super::amazon_login::LoginError> {
    super::amazon_login::set_client_id(client_id)?;
    super::amazon_login::set_sandbox_mode(sandbox)
}

/// A failure of a call into `OffAmazonPayments` or of loading `Widgets.js`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WidgetsError {
    /// The function (named) is missing: `Widgets.js` is not on the page yet.
    NotLoaded(&'static str),
    /// `Widgets.js` threw; its message.
    Rejected(String),
    /// `Widgets.js` could not be loaded.
    Script(#[from] ScriptError),
    /// `Widgets.js` loaded but never said it was ready (the wait, in milliseconds).
    NotReady(u32),
}

fn rejected(thrown: JsValue) -> WidgetsError {
    WidgetsError::Rejected(super::thrown_text(&thrown))
}

thread_local! {
    /// Resolved by `onAmazonPaymentsReady`; shared by every caller while `Widgets.js` loads.
    static READY: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// `true` once `OffAmazonPayments.Widgets` and `amazon.Login` exist on the page.
pub fn is_loaded() -> bool {
    get_path(&["OffAmazonPayments", "Widgets"]).is_some() && super::amazon_login::is_loaded()
}

/// Loads `Widgets.js` from `url` once per page and configures Login with Amazon (`setClientId`,
/// `setSandboxMode`). The ready hooks are set before the script is added; when the globals already exist
/// (a second widget, a re-mount) Login is configured directly.
pub async fn load(url: &str, client_id: &str, sandbox: bool, timeout: Duration) -> Result<(), WidgetsError> {
    if !is_loaded() {
        let ready = READY.with(|r| {
            r.borrow_mut()
                .get_or_insert_with(|| {
                    set_login_hook(client_id, sandbox);
                    ready_promise()
                })
                .clone()
        });
        // One loop around one await (a smaller state machine in the wasm): the script loader's attempts, then,
        // once the script has loaded, Amazon's ready hook raced against a deadline (Amazon's script may finish
        // its set-up after its own load event).
        let millis = super::timers::millis(timeout);
        let mut tries = script_loader::Tries::new(url, timeout, 2);
        let mut next = tries.attempt();
        let mut deadline = None;
        let outcome = loop {
            let settled = JsFuture::from(next).await;
            if let Some(timer) = deadline {
                super::timers::clear_timeout(timer);
                break settled.map(drop).map_err(|_| WidgetsError::NotReady(millis));
            }
            match tries.settle(settled) {
                None => next = tries.attempt(),
                Some(Err(e)) => break Err(WidgetsError::from(e)),
                Some(Ok(())) => {
                    let (race, timer) = super::timers::within(&ready, millis);
                    (next, deadline) = (race, Some(timer));
                }
            }
        };
        if outcome.is_err() && !is_loaded() {
            READY.with(|r| r.borrow_mut().take());
            return outcome;
        }
    }
    // Idempotent, and needed when the globals were there before the hooks.
    configure_login(client_id, sandbox).map_err(|e| WidgetsError::Rejected(e.text()))
}

/// Amazon's error object (`getErrorCode()`, `getErrorMessage()`), as `onError` passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonWidgetError {
    /// §B.7: `BuyerSessionExpired`, `InvalidOrderReferenceId`, `ITP`, …
    pub code: String,
    /// Amazon's message, for the developer.
    pub message: String,
}

impl AmazonWidgetError {
    /// Reads the error object `onError` passes (`UnknownError` when it has no code).
    pub fn from_js(value: &JsValue) -> AmazonWidgetError {
        AmazonWidgetError {
            code: call_getter(value, "getErrorCode").unwrap_or_else(|| "UnknownError".to_owned()),
            message: call_getter(value, "getErrorMessage").unwrap_or_default(),
        }
    }

    /// The buyer must sign in again before the widgets can show anything.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code.as_str(), "BuyerSessionExpired" | "BuyerNotAssociated")
    }

    /// Amazon's advice for `ITP` (Safari's tracking prevention): take no action, let the buyer interact.
    pub fn is_ignorable(&self) -> bool {
        self.code == "ITP"
    }
}

/// The order reference (one-time) or billing agreement (recurring) handed to a widget callback.
#[derive(Debug, Clone)]
pub struct AmazonReference(JsValue);

impl AmazonReference {
    /// `getAmazonOrderReferenceId()`: `S02-…` in one-time mode.
    pub fn order_reference_id(&self) -> Option<String> {
        call_getter(&self.0, "getAmazonOrderReferenceId").filter(|id| !id.is_empty())
    }

    /// `getAmazonBillingAgreementId()`: `B02-…` in recurring mode.
    pub fn billing_agreement_id(&self) -> Option<String> {
        call_getter(&self.0, "getAmazonBillingAgreementId").filter(|id| !id.is_empty())
    }

    /// Whichever of the two this object carries.
    pub fn id(&self) -> Option<String> {
        self.order_reference_id().or_else(|| self.billing_agreement_id())
    }
}

/// The Consent widget's `billingAgreementConsentStatus`.
#[derive(Debug, Clone)]
pub struct ConsentStatus(JsValue);

impl ConsentStatus {
    /// `getConsentStatus()`: Amazon returns the strings `"true"`/`"false"` (booleans are accepted too);
    /// `None` when the object has no such function.
    pub fn given(&self) -> Option<bool> {
        match call_getter(&self.0, "getConsentStatus")?.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

/// `agreementType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AgreementType {
    /// A one-time payment.
    OrderReference,
    /// A subscription: Amazon keeps the buyer's consent to charge again.
    BillingAgreement,
}

impl AgreementType {
    /// The name as Amazon spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            AgreementType::OrderReference => "OrderReference",
            AgreementType::BillingAgreement => "BillingAgreement",
        }
    }
}

/// `displayMode`: `Read` shows the choice without letting the buyer change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DisplayMode {
    /// The buyer may change the choice.
    Edit,
    /// The choice is shown, not changeable.
    Read,
}

impl DisplayMode {
    /// The name as Amazon spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            DisplayMode::Edit => "Edit",
            DisplayMode::Read => "Read",
        }
    }
}

/// `design`: `{designMode: "responsive"}` fills the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Design {
    /// `responsive`: the widget fills its container.
    pub design_mode: &'static str,
}

impl Default for Design {
    fn default() -> Self {
        Design { design_mode: "responsive" }
    }
}

/// The options of `OffAmazonPayments.Button(containerId, sellerId, options)` (callbacks apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ButtonOptions {
    /// `PwA`, `Pay`, `A`, `LwA` or `Login`.
    #[serde(rename = "type")]
    pub button_type: &'static str,
    /// `Gold`, `LightGray` or `DarkGray`.
    pub color: &'static str,
    /// `small`, `medium`, `large` or `x-large`.
    pub size: &'static str,
    /// `de-DE`, `en-GB`, `fr-FR`, `it-IT`, `es-ES`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'static str>,
    /// Whether the buyer picks the shipping address from Amazon's address book.
    pub use_amazon_address_book: bool,
    /// One-time or subscription; `None`: Amazon's default (one-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement_type: Option<AgreementType>,
}

/// The options of an AddressBook, Wallet or Consent widget (callbacks apart). Borrowed: they only live until
/// [`Widget::bind`] has made them a JS object (no `String` copies in the wasm).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetOptions<'a> {
    /// The merchant's Amazon seller id.
    pub seller_id: &'a str,
    /// One-time or subscription; `None`: Amazon's default (one-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement_type: Option<AgreementType>,
    /// The order reference the widget shows (one-time, after it was created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_order_reference_id: Option<&'a str>,
    /// The billing agreement the widget shows (subscription).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_billing_agreement_id: Option<&'a str>,
    /// Edit (default) or read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_mode: Option<DisplayMode>,
    /// The widget's layout.
    pub design: Design,
}

impl ButtonOptions {
    /// The options object as Amazon spells it (the `Serialize` names, built without serde: a smaller wasm).
    fn to_js(&self) -> JsValue {
        object(&[
            ("type", text(self.button_type)),
            ("color", text(self.color)),
            ("size", text(self.size)),
            ("language", opt_text(self.language)),
            ("useAmazonAddressBook", Some(JsValue::from_bool(self.use_amazon_address_book))),
            ("agreementType", opt_text(self.agreement_type.map(AgreementType::as_str))),
        ])
    }
}

impl WidgetOptions<'_> {
    /// The options object as Amazon spells it (the `Serialize` names, built without serde: a smaller wasm).
    fn to_js(&self) -> JsValue {
        object(&[
            ("sellerId", text(self.seller_id)),
            ("agreementType", opt_text(self.agreement_type.map(AgreementType::as_str))),
            ("amazonOrderReferenceId", opt_text(self.amazon_order_reference_id)),
            ("amazonBillingAgreementId", opt_text(self.amazon_billing_agreement_id)),
            ("displayMode", opt_text(self.display_mode.map(DisplayMode::as_str))),
            ("design", Some(object(&[("designMode", text(self.design.design_mode))]))),
        ])
    }
}

/// A Rust callback handed to Amazon's script.
type Callback = Closure<dyn FnMut(JsValue)>;

/// Callbacks registered with Amazon; dropping this releases them (and so ends the binding from Rust's side).
#[must_use = "dropping it releases the widget's callbacks"]
pub struct Bound {
    /// Each with the option name Amazon knows it by (kept as bound: no second `Vec`).
    _callbacks: Vec<(&'static str, Callback)>,
}

impl core::fmt::Debug for Bound {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Bound").field("callbacks", &self._callbacks.len()).finish()
    }
}

/// Which widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetKind {
    /// The buyer's shipping addresses.
    AddressBook,
    /// The buyer's payment methods.
    Wallet,
    /// The subscription's consent box.
    Consent,
}

impl WidgetKind {
    const fn name(self) -> &'static str {
        match self {
            WidgetKind::AddressBook => "AddressBook",
            WidgetKind::Wallet => "Wallet",
            WidgetKind::Consent => "Consent",
        }
    }
}

/// A widget being set up: options, then callbacks, then [`Widget::bind`].
pub struct Widget<'a> {
    kind: WidgetKind,
    options: WidgetOptions<'a>,
    callbacks: Vec<(&'static str, Callback)>,
    presentment_currency: Option<&'a str>,
}

impl<'a> Widget<'a> {
    /// A widget of `kind` with `options` and no callbacks yet.
    pub fn new(kind: WidgetKind, options: WidgetOptions<'a>) -> Widget<'a> {
        Widget { kind, options, callbacks: Vec::new(), presentment_currency: None }
    }

    fn with(mut self, name: &'static str, f: impl FnMut(JsValue) + 'static) -> Self {
        // A later callback for the same option replaces the earlier one: `bind` sets them in this order.
        self.callbacks.push((name, Closure::new(f)));
        self
    }

    fn with_reference(self, name: &'static str, mut f: impl FnMut(AmazonReference) + 'static) -> Self {
        self.with(name, move |v| f(AmazonReference(v)))
    }

    /// AddressBook (one-time mode): the order reference now exists.
    pub fn on_order_reference_create(self, f: impl FnMut(AmazonReference) + 'static) -> Self {
        self.with_reference("onOrderReferenceCreate", f)
    }

    /// AddressBook: the buyer chose an address (also on the first render with a preselected one).
    pub fn on_address_select(self, f: impl FnMut(AmazonReference) + 'static) -> Self {
        self.with_reference("onAddressSelect", f)
    }

    /// Wallet: the buyer chose a payment method.
    pub fn on_payment_select(self, f: impl FnMut(AmazonReference) + 'static) -> Self {
        self.with_reference("onPaymentSelect", f)
    }

    /// AddressBook or Wallet rendered (recurring mode: with the billing agreement).
    pub fn on_ready(self, f: impl FnMut(AmazonReference) + 'static) -> Self {
        self.with_reference("onReady", f)
    }

    /// Consent rendered, with the current consent.
    pub fn on_consent_ready(self, mut f: impl FnMut(ConsentStatus) + 'static) -> Self {
        self.with("onReady", move |v| f(ConsentStatus(v)))
    }

    /// Consent: the buyer ticked or unticked the box.
    pub fn on_consent(self, mut f: impl FnMut(ConsentStatus) + 'static) -> Self {
        self.with("onConsent", move |v| f(ConsentStatus(v)))
    }

    /// Calls `f` with the widget's errors (e.g. `BuyerSessionExpired`).
    pub fn on_error(self, mut f: impl FnMut(AmazonWidgetError) + 'static) -> Self {
        self.with("onError", move |v| f(AmazonWidgetError::from_js(&v)))
    }

    /// Wallet: `setPresentmentCurrency` before binding, where Amazon's script has it.
    pub fn presentment_currency(mut self, currency: &'a str) -> Self {
        self.presentment_currency = Some(currency);
        self
    }

    /// `new OffAmazonPayments.Widgets.<Kind>(options).bind(containerId)`. `container_id` is a bare id (no `#`).
    pub fn bind(self, container_id: &str) -> Result<Bound, WidgetsError> {
        let name = self.kind.name();
        let constructor = get_path(&["OffAmazonPayments", "Widgets", name]).ok_or(WidgetsError::NotLoaded(name))?;
        let options = self.options.to_js();
        for (key, callback) in &self.callbacks {
            set(&options, key, callback.as_ref()).map_err(rejected)?;
        }
        let widget = construct(&constructor, &[options]).map_err(rejected)?;
        if let Some(currency) = self.presentment_currency {
            if get(&widget, "setPresentmentCurrency").is_some() {
                call_method(&widget, "setPresentmentCurrency", &[JsValue::from_str(currency)]).map_err(rejected)?;
            }
        }
        call_method(&widget, "bind", &[JsValue::from_str(container_id)]).map_err(rejected)?;
        Ok(Bound { _callbacks: self.callbacks })
    }
}

/// `OffAmazonPayments.Button(containerId, sellerId, options)`. `authorization` runs inside the buyer's click:
/// it must call `amazon.Login.authorize` synchronously, or the popup is blocked.
pub fn button(
    container_id: &str,
    seller_id: &str,
    options: &ButtonOptions,
    mut authorization: impl FnMut() + 'static,
    mut on_error: impl FnMut(AmazonWidgetError) + 'static,
) -> Result<Bound, WidgetsError> {
    let payments =
        get_path(&["OffAmazonPayments"]).filter(|p| get(p, "Button").is_some_and(|b| b.is_function())).ok_or(WidgetsError::NotLoaded("Button"))?;
    let js_options = options.to_js();
    let authorization: Callback = Closure::new(move |_: JsValue| authorization());
    let on_error: Callback = Closure::new(move |e: JsValue| on_error(AmazonWidgetError::from_js(&e)));
    set(&js_options, "authorization", authorization.as_ref()).map_err(rejected)?;
    set(&js_options, "onError", on_error.as_ref()).map_err(rejected)?;
    // `OffAmazonPayments.Button(…)`, as Amazon's guide calls it.
    call_method(&payments, "Button", &[JsValue::from_str(container_id), JsValue::from_str(seller_id), js_options]).map_err(rejected)?;
    Ok(Bound { _callbacks: vec![("authorization", authorization), ("onError", on_error)] })
}

/// The confirmation flow Amazon hands over: report the shop's answer with [`success`](Self::success) (Amazon
/// then runs MFA and returns to the success or error URL) or [`error`](Self::error).
#[derive(Debug, Clone)]
pub struct ConfirmationFlow(JsValue);

impl ConfirmationFlow {
    /// The shop accepted the order: Amazon continues (MFA, then the success URL).
    pub fn success(&self) -> Result<(), WidgetsError> {
        call_method(&self.0, "success", &[]).map(drop).map_err(rejected)
    }

    /// The shop could not take the order: Amazon ends the flow at the error URL.
    pub fn error(&self) -> Result<(), WidgetsError> {
        call_method(&self.0, "error", &[]).map(drop).map_err(rejected)
    }
}

/// `OffAmazonPayments.initConfirmationFlow(sellerId, orderReferenceId, callback)`: the first thing the
/// "Place order" click must do (PSD2); the shop confirms the order reference inside `on_flow`.
pub fn init_confirmation_flow(
    seller_id: &str,
    order_reference_id: &str,
    on_flow: impl FnOnce(ConfirmationFlow) + 'static,
) -> Result<Bound, WidgetsError> {
    let payments = get_path(&["OffAmazonPayments"]).ok_or(WidgetsError::NotLoaded("initConfirmationFlow"))?;
    if get(&payments, "initConfirmationFlow").is_none() {
        return Err(WidgetsError::NotLoaded("initConfirmationFlow"));
    }
    let callback: Callback = Closure::once(move |flow: JsValue| on_flow(ConfirmationFlow(flow)));
    call_method(&payments, "initConfirmationFlow", &[JsValue::from_str(seller_id), JsValue::from_str(order_reference_id), callback.as_ref().clone()])
        .map_err(rejected)?;
    Ok(Bound { _callbacks: vec![("initConfirmationFlow", callback)] })
}

impl core::fmt::Display for WidgetsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            WidgetsError::NotLoaded(name) => w(f, &["OffAmazonPayments.", name, " is not available: Widgets.js is not loaded"]),
            WidgetsError::Rejected(cause) => w(f, &["OffAmazonPayments rejected the call: ", cause]),
            WidgetsError::Script(e) => core::fmt::Display::fmt(e, f),
            WidgetsError::NotReady(millis) => {
                w(f, &["Widgets.js loaded but did not call onAmazonPaymentsReady within ", &amazon_pay_contract::digits((*millis).into()), " ms"])
            }
        }
    }
}

/// The same words as `Display` (a test holds them equal), concatenated (`crate::js_error::Cause`).
impl crate::js_error::Cause for WidgetsError {
    fn text(&self) -> String {
        match self {
            WidgetsError::NotLoaded(name) => ["OffAmazonPayments.", name, " is not available: Widgets.js is not loaded"].concat(),
            WidgetsError::Rejected(cause) => ["OffAmazonPayments rejected the call: ", cause].concat(),
            WidgetsError::Script(e) => e.text(),
            WidgetsError::NotReady(millis) => {
                ["Widgets.js loaded but did not call onAmazonPaymentsReady within ", &amazon_pay_contract::digits((*millis).into()), " ms"].concat()
            }
        }
    }
}
