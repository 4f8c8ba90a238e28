//! APB: Amazon Pay as the last step of the shop's own checkout. The shop's button authorizes first
//! (through the backend); PAYONE's answer carries the signed payload, and `amazon.Pay.initCheckout` takes
//! the buyer to Amazon to choose a payment method and confirm. No Amazon button is rendered. Shown again by
//! a reload or the browser's Back after the order is placed, the page (its history entry keeps its key) leads
//! to that order's confirmation page, not to Amazon; a given-up order's page pays anew, naming it. Buying
//! again is a new visit of the page.

use super::button::{is_amazon_checkout_js, render_options};
use super::common::{live_region, log_error};
use crate::client::Client;
use crate::dom::{el, on, on_restored, set_attr, set_disabled, set_text, Listener, Mounted};
use crate::events::{emit, WidgetEvent};
use crate::interop::{amazon_pay, script_loader};
use crate::page;
use crate::prelude::*;
use crate::texts::Text;
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::apb::{ApbBuyer, ApbOrderRequest, ApbOrderResponse, ApbReplaces};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, ProductType};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::{Cell, RefCell};
use core::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

/// How the APB button is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ApbOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// The cart: SKUs and quantities (the backend prices them).
    pub items: Vec<CartLine>,
    /// `PayAndShip` (physical goods, with the form's address) or `PayOnly`.
    pub product_type: ProductType,
    /// CSS selector of the shop's address form (for `PayAndShip`); fields are read by name: `first_name`,
    /// `last_name`, `street`, `zip`, `city`, `country`, `email`, `phone`.
    pub buyer_form: Option<String>,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
}

/// Reads and validates the shop's address form; `None` (after the browser shows what is missing) if invalid.
fn read_buyer(selector: &str) -> Option<ApbBuyer> {
    let form = web_sys::window()?.document()?.query_selector(selector).ok()??.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    if !form.report_validity() {
        return None;
    }
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let field = |name: &str| data.get(name).as_string().unwrap_or_default().trim().to_owned();
    Some(ApbBuyer {
        email: field("email"),
        phone: field("phone"),
        address: PostalAddress {
            first_name: field("first_name"),
            last_name: field("last_name"),
            street: field("street"),
            zip: field("zip"),
            city: field("city"),
            country: field("country"),
            phone: field("phone"),
            ..Default::default()
        },
    })
}

/// Where the tab keeps its last placement, its order id and the idempotency key it was placed with: a new
/// visit of the page (the buyer left Amazon's pages without Back) names it with its placement, and the server
/// gives that order up at once. Only this tab knows the key, which is what lets it give the order up.
const PLACED_ORDER: &str = "amazonPay.apbOrder";
const PLACED_KEY: &str = "amazonPay.apbKey";

fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The tab's earlier placement, unless it was placed with `key` (the same intent again: a replay).
fn earlier_placement(key: &str) -> Option<ApbReplaces> {
    let storage = tab_storage()?;
    let idempotency_key = storage.get_item(PLACED_KEY).ok()?.filter(|k| k != key)?;
    Some(ApbReplaces { order_id: storage.get_item(PLACED_ORDER).ok()??, idempotency_key, retry: false })
}

/// Where this page's entry in the tab's history keeps the key its button pays with (`history.state`, beside
/// the shop's own state): a reload or the browser's Back of this entry asks about this page's own order, not
/// the tab's last one (the same cart bought twice in one tab has two entries, each with its order). A new
/// entry (the shop's checkout opened again by a link or the address) has none: a new purchase.
const ENTRY_KEY: &str = "amazonPayApbKey";

/// This entry's state, if the widget may add to it: none yet, or a plain object (the shop's router's).
fn entry_state() -> Option<JsValue> {
    let state = web_sys::window()?.history().ok()?.state().ok()?;
    let writable = state.is_null() || state.is_undefined() || (state.is_object() && !js_sys::Array::is_array(&state));
    writable.then_some(state)
}

/// The key this entry's button paid with (or was about to).
fn entry_key() -> Option<String> {
    let state = entry_state().filter(JsValue::is_object)?;
    js_sys::Reflect::get(&state, &ENTRY_KEY.into()).ok()?.as_string()
}

/// Writes `key` into this entry's state, the shop's own fields kept (a state that is not an object is left
/// alone: this entry then falls back to the tab's last placement on Back).
fn remember_in_entry(key: &str) {
    let (Some(window), Some(state)) = (web_sys::window(), entry_state()) else { return };
    let merged = js_sys::Object::new();
    if state.is_object() {
        js_sys::Object::assign(&merged, &state.into());
    }
    let _ = js_sys::Reflect::set(&merged, &ENTRY_KEY.into(), &key.into());
    if let Ok(history) = window.history() {
        let _ = history.replace_state(&merged, "");
    }
}

/// The button and its notice.
struct Apb {
    options: ApbOptions,
    root: Element,
    button: Element,
    notice: Element,
    busy: Cell<bool>,
    /// One payment intent; a new one after a failure.
    idempotency_key: RefCell<String>,
    /// The key this page placed an order with (the server answered), asked about again when the page shows
    /// again from the back/forward cache.
    placed_key: RefCell<Option<String>>,
    /// This page's own order, given up (`abandoned`: cancelled on Amazon's pages, declined there): the next
    /// placement names it with `retry`, so the server links it (a late authorization of it is released) or,
    /// if Amazon authorized it after all, answers it instead of placing.
    given_up: RefCell<Option<ApbReplaces>>,
    /// The button's click, and `pageshow` (see [`restored`]).
    _listeners: RefCell<Vec<Listener>>,
}

impl Apb {
    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        set_disabled(&self.button, busy);
        set_attr(&self.button, "aria-busy", if busy { "true" } else { "false" });
    }

    /// The cause to the console and an `error` event, `message` to the buyer; the button works again.
    fn fail(&self, detail: &str, message: &str) {
        log_error("Amazon Pay APB", &detail);
        emit(&self.root, WidgetEvent::Error { message: detail.to_owned() });
        set_text(&self.notice, message);
        *self.idempotency_key.borrow_mut() = page::new_idempotency_key();
        self.set_busy(false);
    }
}

/// Appends the shop's "Pay with Amazon Pay" button to `parent`.
pub fn mount(parent: &Element, options: ApbOptions) -> Result<Mounted, JsValue> {
    let lang = options.language;
    let button =
        el("button")?.attr("type", "button").class("amazon-pay-apb-button").attr("aria-busy", "false").text(Text::PayWithAmazon.get(lang)).done();
    let notice = live_region("amazon-pay-notice")?.done();
    let root = el("div")?.class("amazon-pay-apb").child(&button).child(&notice).done();
    crate::dom_calls::append(parent, &root);
    let view = Rc::new(Apb {
        options,
        root: root.clone(),
        button,
        notice,
        busy: Cell::new(false),
        idempotency_key: RefCell::new(page::new_idempotency_key()),
        placed_key: RefCell::new(None),
        given_up: RefCell::new(None),
        _listeners: RefCell::new(Vec::new()),
    });
    let weak = Rc::downgrade(&view);
    let click = on(&view.button, "click", move |_| {
        if let Some(view) = weak.upgrade() {
            pay(&view);
        }
    });
    view._listeners.borrow_mut().push(click);
    let weak = Rc::downgrade(&view);
    view._listeners.borrow_mut().extend(on_restored(move || {
        if let Some(view) = weak.upgrade() {
            restored(&view);
        }
    }));
    // Loaded again (a reload, or the browser's Back without its back/forward cache) after this page's button
    // was clicked: its order is asked about before the button is offered, and the button keeps its key, so a
    // reload never pays twice. A new visit places anew. Where the entry cannot keep the key (the shop's state
    // is not an object), Back asks about the tab's last placement instead.
    if let Some(key) = entry_key() {
        *view.idempotency_key.borrow_mut() = key.clone();
        resume(&view, key, true);
    } else if entry_state().is_none() && crate::dom_calls::navigation_type() == "back_forward" {
        if let Some(earlier) = tab_storage().and_then(|s| s.get_item(PLACED_KEY).ok().flatten()) {
            resume(&view, earlier, false);
        }
    }
    Ok(Mounted::new(root, Box::new(view)))
}

/// The page's own order with `key` was given up (`order_id`): the button pays again with a new key that
/// names it (`retry`).
fn pay_anew(view: &Apb, order_id: String, key: String) {
    *view.given_up.borrow_mut() = Some(ApbReplaces { order_id, idempotency_key: key, retry: true });
    *view.idempotency_key.borrow_mut() = page::new_idempotency_key();
}

/// The browser's Back brought the page back from its back/forward cache as it was left: "Opening Amazon
/// Pay…", the button disabled. If this page placed an order, the server says first whether it is past
/// Amazon's pages (then the page goes to its confirmation); otherwise the button works again, with the same
/// key: a click gets the same order and Amazon checkout again, not a second authorization.
fn restored(view: &Rc<Apb>) {
    if let Some(key) = view.placed_key.borrow().clone() {
        return resume(view, key, true);
    }
    if view.busy.get() {
        set_text(&view.notice, "");
        view.set_busy(false);
    }
}

/// Asks what the order placed with `key` is now (`replay_only`: nothing is placed), the button disabled
/// meanwhile: past Amazon's pages, the page is replaced by the order's confirmation page; given up, the button
/// pays again with a new key naming it ([`pay_anew`]); a key that placed nothing, or no answer, the button
/// works again with the key it had; another refusal (declined when placing), with a new key. Not `own` (the
/// tab's last placement, perhaps another page's): only an order past Amazon's pages changes anything.
fn resume(view: &Rc<Apb>, key: String, own: bool) {
    set_text(&view.notice, "");
    view.set_busy(true);
    let request = ApbOrderRequest {
        items: view.options.items.clone(),
        idempotency_key: key.clone(),
        language: view.options.language,
        product_type: view.options.product_type,
        buyer: None,
        replaces: None,
        replay_only: true,
    };
    let (weak, answer) = (Rc::downgrade(view), view.options.client.place_apb_order(&request));
    wasm_bindgen_futures::spawn_local(async move {
        let answer = answer.await;
        let Some(view) = weak.upgrade() else { return };
        match answer {
            Ok(ApbOrderResponse::Placed { order_id, state: OrderState::Abandoned, .. }) if own => pay_anew(&view, order_id, key),
            Ok(ApbOrderResponse::Placed { state: OrderState::Abandoned, .. }) => {}
            Ok(ApbOrderResponse::Placed { confirmation_url, .. }) if is_http_url(&confirmation_url) => {
                return page::replace_with(&confirmation_url);
            }
            Err(err) if own && err.api_error().is_some_and(|e| e.code != ErrorCode::NotFound) => {
                *view.idempotency_key.borrow_mut() = page::new_idempotency_key();
            }
            _ => {}
        }
        view.set_busy(false);
    });
}

/// Only a page's address is followed from an answer (never `javascript:` or the like).
fn is_http_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Reads the buyer's form (PayAndShip), then authorizes and hands over to Amazon.
fn pay(view: &Rc<Apb>) {
    if view.busy.get() {
        return;
    }
    let lang = view.options.language;
    let buyer = match (&view.options.product_type, &view.options.buyer_form) {
        (ProductType::PayAndShip, Some(selector)) => match read_buyer(selector) {
            Some(buyer) => Some(buyer),
            None => return set_text(&view.notice, Text::CompleteForm.get(lang)),
        },
        _ => None,
    };
    view.set_busy(true);
    set_text(&view.notice, Text::OpeningAmazon.get(lang));
    emit(&view.root, WidgetEvent::ButtonClicked);
    let key = view.idempotency_key.borrow().clone();
    // Before anything is sent: a reload from here on asks about this key's order instead of paying again.
    remember_in_entry(&key);
    let replaces = view.given_up.borrow().clone().or_else(|| earlier_placement(&key));
    let request = ApbOrderRequest {
        items: view.options.items.clone(),
        idempotency_key: key,
        language: lang,
        product_type: view.options.product_type,
        buyer,
        replaces,
        replay_only: false,
    };
    let (client, timeout) = (view.options.client.clone(), view.options.script_timeout);
    wasm_bindgen_futures::spawn_local(checkout(Rc::downgrade(view), client, request, timeout));
}

async fn checkout(view: Weak<Apb>, client: Client, request: ApbOrderRequest, timeout: Duration) {
    let lang = request.language;
    let internal = ErrorCode::Internal.buyer_message(lang);
    let answer = client.place_apb_order(&request).await;
    let Some(page) = view.upgrade() else { return };
    let (order_id, config) = match answer {
        Ok(ApbOrderResponse::Checkout { order_id, button }) => (order_id, button),
        // This page's own order was given up (its question after Back did not get through): pay again at
        // once, naming it. Once only: a retry's new key cannot name a given-up order.
        Ok(ApbOrderResponse::Placed { order_id, state: OrderState::Abandoned, .. }) if !request.replaces.as_ref().is_some_and(|r| r.retry) => {
            pay_anew(&page, order_id, request.idempotency_key.clone());
            let again =
                ApbOrderRequest { idempotency_key: page.idempotency_key.borrow().clone(), replaces: page.given_up.borrow().clone(), ..request };
            remember_in_entry(&again.idempotency_key);
            return wasm_bindgen_futures::spawn_local(checkout(view, client, again, timeout));
        }
        // Past Amazon's pages already (the page came back by the browser's Back): its confirmation page.
        Ok(ApbOrderResponse::Placed { confirmation_url, .. }) if is_http_url(&confirmation_url) => return page::navigate(&confirmation_url),
        Ok(ApbOrderResponse::Placed { confirmation_url, .. }) => {
            return page.fail(&["refusing to open ", &confirmation_url].concat(), internal);
        }
        Err(err) => {
            let message = err.api_error().map(|e| e.message.clone());
            return page.fail(&err.to_string(), &message.unwrap_or_else(|| ErrorCode::UpstreamError.buyer_message(lang).into()));
        }
    };
    *page.placed_key.borrow_mut() = Some(request.idempotency_key.clone());
    *page.given_up.borrow_mut() = None;
    if let Some(storage) = tab_storage() {
        let _ = storage.set_item(PLACED_ORDER, &order_id);
        let _ = storage.set_item(PLACED_KEY, &request.idempotency_key);
    }
    emit(&page.root, WidgetEvent::OrderPlaced { order_id: order_id.clone() });
    if !config.sandbox && !is_amazon_checkout_js(&config.script_url) {
        return page.fail(&["refusing to load ", &config.script_url, " in live mode"].concat(), internal);
    }
    drop(page);
    let loaded = script_loader::load_script_until(&config.script_url, Some(amazon_pay::is_loaded), timeout, 2).await;
    let Some(page) = view.upgrade() else { return };
    if let Err(err) = loaded {
        return page.fail(&err.to_string(), internal);
    }
    let mut render = render_options(&config, "Checkout", "Gold");
    render.estimated_order_amount = None;
    emit(&page.root, WidgetEvent::Redirecting { order_id, url: String::new() });
    if let Err(err) = amazon_pay::init_checkout(&render) {
        page.fail(&err.to_string(), internal);
    }
}
