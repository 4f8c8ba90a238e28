//! The embed API for pages that are not written in Rust.
//!
//! ```html
//! <div id="pay"></div>
//! <script type="module">
//!   import init, { mount } from "/amazon-pay-widget.js";
//!   await init();
//!   const widget = mount(document.getElementById("pay"), { items: [{ sku: "mug", quantity: 1 }] });
//!   document.getElementById("pay").addEventListener("amazonpay:ready", (e) => console.log(e.detail));
//!   // The cart changed (amazon-pay-button.js, amazon-pay-widget.js): one new session once the changes pause.
//!   widget.update({ items: [{ sku: "mug", quantity: 2 }, { sku: "tshirt", quantity: 1 }] });
//!   // later: widget.unmount();
//! </script>
//! ```
//!
//! Or with no script at all: `<div data-amazon-pay-widget='{"items":[{"sku":"mug","quantity":1}]}'></div>`
//! is mounted when the module starts (the bundles enable the crate's feature `auto-mount` for that; without it,
//! call [`mount_declared`] or [`mount`] yourself).
//!
//! The same from Rust, in a wasm app without Leptos (Leptos apps use [`crate::components`]):
//!
//! ```no_run
//! use amazon_pay_widget::embed::{mount, mount_declared};
//! use wasm_bindgen::{JsCast, JsError, JsValue};
//!
//! fn start() -> Result<(), JsError> {
//!     // Every `[data-amazon-pay-widget]` element, as the bundles do when they start.
//!     mount_declared();
//!     // Or one element with a configuration of its own: the widget stays until `handle.unmount()`.
//!     let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsError::new("no document"))?;
//!     let element = document.get_element_by_id("pay").ok_or_else(|| JsError::new("no #pay element"))?;
//!     let config = JsValue::from_str(r#"{"items": [{"sku": "mug", "quantity": 1}]}"#);
//!     let _handle = mount(element.unchecked_into(), config)?; // keep it to call `unmount` later
//!     Ok(())
//! }
//! # start().ok();
//! ```

use crate::prelude::*;

mod cv1;

/// DOM CustomEvents through which the widget tells its host page what happens. They live in the crate's own
/// `events` module (the views emit them, and the embed API uses the views); this is their public path.
pub mod events {
    pub use crate::events::{emit, WidgetEvent};
}

mod config;
/// Every key a configuration may have (`mount` refuses any other); [`View::keys`] says which each view reads.
pub use config::KEYS as CONFIG_KEYS;

use crate::client::Client;
use crate::views::apb::ApbOptions;
use crate::views::button::ButtonOptions;
use crate::views::confirmation::ConfirmationOptions;
use crate::views::review::ReviewOptions;
use crate::wire::FromJs;
use amazon_pay_contract::checkoutchamp::CampaignLine;
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::Language;
use core::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The configuration a host page passes to [`mount`], as a plain JS object or JSON (read in `config.rs`).
/// Keys are camelCase (`cartUrl`); a key that is not one of these is refused, so a typo does not go unnoticed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetConfig {
    /// Which part of the checkout this element shows.
    pub view: View,
    /// Where "Back to cart" leads (review and confirmation).
    pub cart_url: Option<String>,
    /// APB: `PayAndShip` (default; needs `buyerForm`) or `PayOnly` (digital goods).
    pub product_type: Option<amazon_pay_contract::cv2::ProductType>,
    /// APB: CSS selector of the shop's address form.
    pub buyer_form: Option<String>,
    /// The confirmation page the review page sends the buyer to (`?order=<id>` is appended).
    pub confirmation_url: Option<String>,
    /// The backend's base URL; empty means the page's own origin.
    pub backend_url: String,
    /// The cart: SKUs and quantities. Prices are the backend's business.
    pub items: Vec<CartLine>,
    /// `de`, `en`, `fr`, `it` or `es`; defaults to the page's `<html lang>`, then the browser's languages.
    pub language: Option<String>,
    /// Checkout v2 button: `Gold` (default), `LightGray` or `DarkGray`.
    pub button_color: Option<String>,
    /// Checkout v2 button: where it is, for Amazon: `Cart` (default), `Product`, `Checkout`, `Home` or `Other`.
    pub placement: Option<String>,
    /// How long to wait for Amazon's script, in milliseconds.
    pub script_timeout_ms: Option<u32>,
    /// Checkout v2 button: how long to wait for the backend's answer to the session request, in milliseconds.
    #[cfg(feature = "view-button")]
    pub session_timeout_ms: Option<u32>,
    /// CheckoutChamp lander: the campaign products, `[{productId, quantity}]` (quantity 1 when left out);
    /// CheckoutChamp prices them.
    pub products: Vec<CampaignLine>,
    /// CheckoutChamp upsell page: the product offered, `{productId, quantity}`.
    pub product: Option<CampaignLine>,
    /// CheckoutChamp lander: a subscription (billing agreement and Consent widget).
    pub recurring: bool,
    /// CheckoutChamp lander: the upsell page (`orderId` and `amazonOrderId` are appended).
    pub upsell_url: Option<String>,
    /// CheckoutChamp upsell page: where "No, thanks" and "Continue" lead.
    pub thank_you_url: Option<String>,
    /// Legacy v1 button: `PwA` (default), `Pay`, `A`, `LwA` or `Login`.
    pub button_type: Option<String>,
    /// Legacy v1 button: `small`, `medium` (default), `large` or `x-large`.
    pub button_size: Option<String>,
    /// Legacy v1 sign-in: in a popup (default, falling back to this window when blocked) or, `false`, in this window.
    pub popup: Option<bool>,
    /// Button: the shop's review page Amazon returns the buyer to (default: the server's configured one).
    pub review_url: Option<String>,
    /// Button: where a buyer who cancels on Amazon's pages goes (default: `cartUrl`, else the server's).
    pub cancel_url: Option<String>,
}

/// The part of the checkout a mounted widget shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// The Amazon Pay button for the cart (Checkout v2).
    #[default]
    Button,
    /// The order-review page Amazon returns the buyer to.
    Review,
    /// The page that follows the order's status.
    Confirmation,
    /// APB: the shop's own "Pay with Amazon Pay" button at the end of its checkout.
    Apb,
    /// Legacy v1: the CheckoutChamp lander (Login with Amazon, AddressBook, Wallet, Import Order).
    Lander,
    /// Legacy v1: the CheckoutChamp upsell page (Import Upsale).
    Upsell,
    /// Legacy v1: the PAYONE CV1 checkout (widgets, confirmation flow, authorization).
    Cv1,
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Malformed, or a key or value the widget does not know (the text says which).
    Invalid(String),
    /// A language the widget has no texts for.
    Language(String),
    /// A per-page bundle (bundles/) was asked for a view it does not include.
    NotInBundle(&'static str),
}

impl View {
    /// Every view, in the order the bundles are listed.
    pub const ALL: [View; 7] = [View::Button, View::Review, View::Confirmation, View::Apb, View::Lander, View::Upsell, View::Cv1];

    /// The view's name in a configuration (`"view": "review"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            View::Button => "button",
            View::Review => "review",
            View::Confirmation => "confirmation",
            View::Apb => "apb",
            View::Lander => "lander",
            View::Upsell => "upsell",
            View::Cv1 => "cv1",
        }
    }

    /// The view named `name` in a configuration, if there is one.
    pub fn parse(name: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// The per-page bundle with this view: `amazon-pay-<name>.js` (`amazon-pay-widget.js` has every view).
    /// Each view has a bundle of its own, named like the view.
    pub fn bundle(self) -> &'static str {
        self.as_str()
    }
}

/// The page's language: `<html lang>`, then `navigator.languages`, then English.
///
/// `navigator` is read only when `<html lang>` does not settle it: on a cold page Chromium builds that object on
/// first use (about 2 ms of the button's start, before its session request).
pub fn page_language() -> Language {
    let window = web_sys::window();
    let html_lang = window.as_ref().and_then(|w| w.document()).and_then(|d| d.document_element()).and_then(|e| e.get_attribute("lang"));
    if let Some(language) = html_lang.and_then(|tag| Language::from_tag(&tag)) {
        return language;
    }
    // The first of the browser's languages that is one of ours (`Language::negotiate`, read as they come).
    let languages = window.map(|w| w.navigator().languages());
    languages.and_then(|tags| tags.into_iter().find_map(|tag| Language::from_tag(&tag.as_string()?))).unwrap_or_default()
}

impl WidgetConfig {
    /// The widget's language: the configuration's, else the page's. Every view's options take it from here, so
    /// this is where a one-language bundle learns that a widget wants another language (`texts::check`).
    fn language(&self) -> Result<Language, ConfigError> {
        let language = match &self.language {
            Some(tag) => Language::from_tag(tag).ok_or_else(|| ConfigError::Language(tag.clone()))?,
            None => page_language(),
        };
        crate::texts::check(language, self.view.bundle());
        Ok(language)
    }

    /// The review page's options from this configuration (defaults for what it leaves out).
    pub fn review_options(&self) -> Result<ReviewOptions, ConfigError> {
        let defaults = ReviewOptions::default();
        Ok(ReviewOptions {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            cart_url: self.cart_url.clone().unwrap_or(defaults.cart_url),
            confirmation_url: self.confirmation_url.clone().unwrap_or(defaults.confirmation_url),
            script_timeout: self.script_timeout_ms.map(|ms| Duration::from_millis(ms.into())).unwrap_or(defaults.script_timeout),
        })
    }

    /// The confirmation page's options from this configuration.
    pub fn confirmation_options(&self) -> Result<ConfirmationOptions, ConfigError> {
        let defaults = ConfirmationOptions::default();
        Ok(ConfirmationOptions {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            cart_url: self.cart_url.clone().unwrap_or(defaults.cart_url),
            ..defaults
        })
    }

    /// The APB checkout's options from this configuration.
    pub fn apb_options(&self) -> Result<ApbOptions, ConfigError> {
        Ok(ApbOptions {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            items: self.items.clone(),
            product_type: self.product_type.unwrap_or(amazon_pay_contract::cv2::ProductType::PayAndShip),
            buyer_form: self.buyer_form.clone(),
            script_timeout: self
                .script_timeout_ms
                .map(|ms| Duration::from_millis(ms.into()))
                .unwrap_or(crate::interop::script_loader::DEFAULT_TIMEOUT),
        })
    }

    /// The Checkout v2 button's options from this configuration.
    pub fn button_options(&self) -> Result<ButtonOptions, ConfigError> {
        let language = self.language()?;
        let defaults = ButtonOptions::default();
        Ok(ButtonOptions {
            client: Client::new(self.backend_url.clone()),
            items: self.items.clone(),
            language,
            color: self.button_color.clone().unwrap_or(defaults.color),
            placement: self.placement.clone().unwrap_or(defaults.placement),
            script_timeout: self.script_timeout_ms.map(|ms| Duration::from_millis(ms.into())).unwrap_or(defaults.script_timeout),
            #[cfg(feature = "view-button")]
            session_timeout: self.session_timeout_ms.map(|ms| Duration::from_millis(ms.into())).unwrap_or(defaults.session_timeout),
            #[cfg(not(feature = "view-button"))]
            session_timeout: defaults.session_timeout,
            return_pages: amazon_pay_contract::cv2::ReturnPages {
                cart: absolute(&self.cart_url)?,
                review: absolute(&self.review_url)?,
                confirmation: absolute(&self.confirmation_url)?,
                cancel: absolute(&self.cancel_url)?,
            },
        })
    }
}

/// A page's URL as the server needs it: absolute, resolved against this page's address (the server checks
/// that it is on one of the shop's origins).
fn absolute(url: &Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(url) = url else { return Ok(None) };
    let base = web_sys::window().map(|w| crate::dom_calls::href(&w.location())).unwrap_or_default();
    match web_sys::Url::new_with_base(url, &base) {
        Ok(parsed) => Ok(Some(parsed.href())),
        Err(_) => Err(ConfigError::Invalid(["\"", url, "\" is not a URL"].concat())),
    }
}

/// A mounted widget. `unmount` removes the widget and releases its callbacks; dropping the handle does not: a
/// JS handle is dropped whenever the page's garbage collector frees it, and a button must not vanish then (a
/// script that did not keep the handle reaches the widget again by mounting into its element, feature `dynamic`).
///
/// With the feature `dynamic` (`amazon-pay-button.js` and `amazon-pay-widget.js`) it also takes a new configuration
/// (`update`), and mounting into an element that already has a widget returns a handle to that same widget.
#[must_use = "keep the WidgetHandle: only its `unmount` removes the widget"]
#[wasm_bindgen]
pub struct WidgetHandle {
    /// The mounted view ([`crate::dom::Mounted`], a button's [`crate::views::button::live::LiveButton`], or
    /// a Leptos view's unmount handle): dropping it removes the widget.
    #[cfg(not(feature = "dynamic"))]
    handle: Option<Box<dyn core::any::Any>>,
    /// The widget, shared by every handle to it (mounting twice into one element): the last one dropped
    /// removes it.
    #[cfg(feature = "dynamic")]
    live: alloc::rc::Rc<dynamic::Live>,
}

/// A handle let go of leaves its widget on the page (see [`WidgetHandle`]); with the feature `dynamic` the
/// widget's registry keeps it.
#[cfg(not(feature = "dynamic"))]
impl Drop for WidgetHandle {
    fn drop(&mut self) {
        core::mem::forget(self.handle.take());
    }
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget from the page.
    pub fn unmount(&mut self) {
        #[cfg(not(feature = "dynamic"))]
        self.handle.take();
        #[cfg(feature = "dynamic")]
        self.live.unmount();
    }
}

/// Reads a configuration as `mount` takes it: a JS object, JSON text, or nothing (the defaults).
fn read_config(config: &JsValue) -> Result<WidgetConfig, JsError> {
    let config = if config.is_undefined() || config.is_null() {
        Ok(WidgetConfig::default())
    } else if let Some(json) = config.as_string() {
        crate::wire::parse::<WidgetConfig>(&json)
    } else {
        WidgetConfig::from_js(config)
    };
    config.map_err(|e| invalid(ConfigError::Invalid(e.into_text())))
}

/// A configuration error as the JS `Error` that `mount` and `update` throw.
fn invalid(e: ConfigError) -> JsError {
    JsError::new(&e.to_string())
}

/// Mounts the widget into `element`. Throws a JS `Error` with the reason when `config` is invalid.
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, config: JsValue) -> Result<WidgetHandle, JsError> {
    let config = read_config(&config)?;
    #[cfg(feature = "dynamic")]
    return Ok(WidgetHandle { live: dynamic::mount(element, config)? });
    #[cfg(not(feature = "dynamic"))]
    Ok(WidgetHandle { handle: Some(mount_view(&element, &config)?) })
}

/// Appends the view `config` names to `element`; dropping what it returns removes it.
// Built without any view (a Leptos app with `features = ["leptos"]` alone: its components need none), only the
// refusal is left; without this the app's build printed four warnings about this crate.
#[cfg_attr(
    not(any(
        feature = "view-button",
        feature = "view-confirmation",
        feature = "view-review",
        feature = "view-apb",
        feature = "view-lander",
        feature = "view-upsell",
        feature = "view-cv1"
    )),
    allow(unreachable_code, unused_variables)
)]
fn mount_view(element: &web_sys::HtmlElement, config: &WidgetConfig) -> Result<Box<dyn core::any::Any>, JsError> {
    let dom_error = |e: JsValue| JsError::new(&crate::js_error::thrown_text(&e));
    // Each arm is compiled only into the bundles with its view (Cargo features), so a page loads only its view.
    let handle: Box<dyn core::any::Any> = match config.view {
        #[cfg(feature = "view-button")]
        View::Button => {
            Box::new(crate::views::button::live::LiveButton::mount(element, config.button_options().map_err(invalid)?).map_err(dom_error)?)
        }
        #[cfg(feature = "view-confirmation")]
        View::Confirmation => {
            Box::new(crate::views::confirmation::mount(element, config.confirmation_options().map_err(invalid)?).map_err(dom_error)?)
        }
        #[cfg(feature = "view-review")]
        View::Review => Box::new(crate::views::review::mount(element, config.review_options().map_err(invalid)?).map_err(dom_error)?),
        #[cfg(feature = "view-apb")]
        View::Apb => Box::new(crate::views::apb::mount(element, config.apb_options().map_err(invalid)?).map_err(dom_error)?),
        #[cfg(feature = "view-lander")]
        View::Lander => Box::new(crate::views::cv1::lander::mount(element, config.lander_options().map_err(invalid)?).map_err(dom_error)?),
        #[cfg(feature = "view-upsell")]
        View::Upsell => Box::new(crate::views::cv1::upsell::mount(element, config.upsell_options().map_err(invalid)?).map_err(dom_error)?),
        #[cfg(feature = "view-cv1")]
        View::Cv1 => Box::new(crate::views::cv1::payone::mount(element, config.cv1_options().map_err(invalid)?).map_err(dom_error)?),
        #[allow(unreachable_patterns)]
        view => return Err(invalid(ConfigError::NotInBundle(view.bundle()))),
    };
    Ok(handle)
}

/// The attribute that declares a widget; its value is the JSON configuration.
pub const DECLARATION: &str = "data-amazon-pay-widget";

/// Mounts the widget `element` declares with its [`DECLARATION`] attribute.
fn mount_declaration(element: &web_sys::HtmlElement) -> Result<WidgetHandle, JsValue> {
    let json = element.get_attribute(DECLARATION).unwrap_or_default();
    let config = if json.trim_ascii().is_empty() { JsValue::UNDEFINED } else { JsValue::from_str(&json) };
    mount(element.clone(), config).map_err(JsValue::from)
}

/// A declared widget could not be mounted (a misspelt key, a language not ours, a view the bundle lacks): why,
/// in the console and as an `amazonpay:error` event from its element, the event a page hears every other
/// error by (nothing else tells a page that only declares its widgets).
fn declaration_failed(element: &web_sys::HtmlElement, err: &JsValue) {
    web_sys::console::error_2(&"Amazon Pay widget: cannot mount".into(), err);
    events::emit(element, events::WidgetEvent::Error { message: crate::js_error::thrown_text(err) });
}

/// Mounts a widget on every `[data-amazon-pay-widget]` element; its attribute value is the JSON config.
/// The handles live as long as the page (with the feature `dynamic` and `auto-mount`, as long as the element
/// is in the page: the private `observe` module).
pub fn mount_declared() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let nodes = crate::dom_calls::query_all(&document, "[data-amazon-pay-widget]");
    for i in 0..nodes.length() {
        let Some(element) = nodes.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        match mount_declaration(&element) {
            #[cfg(all(feature = "dynamic", feature = "auto-mount"))]
            Ok(handle) => observe::keep(handle),
            #[cfg(not(all(feature = "dynamic", feature = "auto-mount")))]
            Ok(handle) => core::mem::forget(handle),
            Err(err) => declaration_failed(&element, &err),
        }
    }
}

/// Runs when the module is instantiated: mounts the declared widgets, and (feature `dynamic`) follows the page
/// for declarations added, changed and removed later. Only with the feature `auto-mount` (the embed bundles):
/// a module has one start function, and in a Leptos app it must be the app's own `main`.
#[cfg(feature = "auto-mount")]
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "dynamic")]
    if !observe::first_copy() {
        return;
    }
    mount_declared();
    #[cfg(feature = "dynamic")]
    observe::start();
}

#[cfg(feature = "dynamic")]
mod dynamic;
#[cfg(all(feature = "dynamic", feature = "auto-mount"))]
mod observe;

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            ConfigError::Invalid(cause) => w(f, &["invalid widget configuration: ", cause]),
            ConfigError::Language(tag) => w(f, &["unsupported language \"", tag, "\": use one of de, en, fr, it, es"]),
            ConfigError::NotInBundle(view) => {
                w(f, &["this bundle does not include the ", view, " view: load /amazon-pay-", view, ".js, or /amazon-pay-widget.js (every view)"])
            }
        }
    }
}
