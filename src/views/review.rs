//! The order-review page of Checkout v2: the buyer's Amazon Pay details, changing address and payment on
//! Amazon's pages (hidden, with a sentence saying what to do, while Amazon's script cannot be loaded), the
//! delivery option (which changes the total), and "Place order" — one order however often it is clicked.

use super::common::{address_block, buyer_message, item_list, labelled, live_region, log_error, with_order};
use crate::client::Client;
use crate::dom::{clear, el, on, set_attr, set_disabled, set_hidden, set_text, Listener, Mounted};
use crate::events::{emit, WidgetEvent};
use crate::interop::amazon_pay::{self, ChangeAction};
use crate::interop::script_loader;
use crate::page::{self, ReviewParams};
use crate::texts::Text;
use amazon_pay_contract::address::{valid_phone, AddressProblem, PHONE_MAX_LEN};
use amazon_pay_contract::cv2::{CheckoutDetails, DeliveryOption, PlaceOrderOutcome, PlaceOrderRequest, ProductType, UpdateDeliveryRequest};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement};

/// How the review page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// Where "Back to cart" leads.
    pub cart_url: String,
    /// The confirmation page; `?order=<id>` is appended.
    pub confirmation_url: String,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            client: Client::default(),
            language: Language::default(),
            cart_url: "/".into(),
            confirmation_url: "/confirmation.html".into(),
            script_timeout: crate::interop::script_loader::DEFAULT_TIMEOUT,
        }
    }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// What the page knows and is doing.
struct State {
    details: Option<CheckoutDetails>,
    /// A delivery change or a placement is on its way: nothing else may start.
    busy: bool,
    /// The delivery option the buyer just picked, shown as chosen while the server re-prices.
    choosing: Option<DeliveryOption>,
    /// The order of this checkout, once placed (here or earlier).
    placed: Option<String>,
    /// Why the last placement was declined.
    decline: Option<ErrorCode>,
    /// One "Place order" intent: the same key however often it is sent; a new one after a decline.
    idempotency_key: String,
}

/// The page's elements and state.
struct Review {
    options: ReviewOptions,
    root: Element,
    notice: Element,
    loading: Element,
    body: Element,
    details: Element,
    change_address: Element,
    change_payment: Element,
    /// Why the buttons are gone and what the buyer can do (aria-live), shown instead of them.
    change_unavailable: Element,
    delivery: Element,
    /// Why the shop cannot deliver to the address (its rules), with "Change address" as the way on.
    problem: Element,
    /// The phone number field, shown when the shop needs one and Amazon's address has none.
    phone_box: Element,
    phone: HtmlInputElement,
    /// What is wrong with the typed number (aria-live, and the field's description).
    phone_error: Element,
    standard: HtmlInputElement,
    express: HtmlInputElement,
    placed: Element,
    placed_link: Element,
    decline_help: Element,
    back_to_cart: Element,
    place_order: Element,
    state: RefCell<State>,
    listeners: RefCell<Vec<Listener>>,
}

impl Review {
    fn t(&self, text: Text) -> &'static str {
        text.get(self.options.language)
    }

    fn emit(&self, event: WidgetEvent) {
        emit(&self.root, event);
    }

    /// Tells the buyer `sentence` (aria-live).
    fn say(&self, sentence: &str) {
        set_text(&self.notice, sentence);
    }

    /// Sets every control from the state.
    fn render(&self) {
        let state = self.state.borrow();
        let hard_declined = state.decline == Some(ErrorCode::HardDecline);
        let details = state.details.as_ref();
        let problem = details.and_then(|d| d.address_problem);
        set_hidden(&self.delivery, details.is_some_and(|d| d.product_type == ProductType::PayOnly));
        set_hidden(&self.phone_box, !details.is_some_and(|d| d.phone_required) || state.placed.is_some());
        set_hidden(&self.problem, problem.is_none());
        set_text(&self.problem, problem.map_or("", |p| p.buyer_message(self.options.language)));
        set_disabled(&self.delivery, state.busy || state.placed.is_some());
        let delivery = state.choosing.or(state.details.as_ref().map(|d| d.delivery)).unwrap_or_default();
        self.standard.set_checked(delivery == DeliveryOption::Standard);
        self.express.set_checked(delivery == DeliveryOption::Express);
        set_hidden(&self.placed, state.placed.is_none());
        if let Some(order_id) = &state.placed {
            set_attr(&self.placed_link, "href", &with_order(&self.options.confirmation_url, order_id));
        }
        set_hidden(&self.decline_help, state.decline != Some(ErrorCode::SoftDecline));
        set_hidden(&self.back_to_cart, !hard_declined);
        set_hidden(&self.place_order, state.placed.is_some() || hard_declined || problem.is_some());
        set_disabled(&self.place_order, state.busy);
        set_attr(&self.place_order, "aria-busy", if state.busy { "true" } else { "false" });
    }

    /// Shows the checkout (buyer, address, payment, items, total) and takes it as the page's state.
    fn show(&self, details: CheckoutDetails) -> Result<(), JsValue> {
        let lang = self.options.language;
        clear(&self.details);
        let name = el("span")?.class("amazon-pay-buyer-name").text(&details.buyer_name).done();
        let email = el("span")?.class("amazon-pay-buyer-email").text(&details.email).done();
        let payment = details.payment_descriptor.as_deref().unwrap_or(self.t(Text::PaidWithAmazon));
        let section = |title: Text, content: &Element| -> Result<Element, JsValue> {
            Ok(el("section")?.child(&el("h3")?.text(self.t(title)).done()).child(content).done())
        };
        let grid = el("div")?
            .class("amazon-pay-review-grid")
            .child(&section(Text::Buyer, &el("p")?.child(&name).child(&el("br")?.done()).child(&email).done())?)
            .child(&match &details.shipping_address {
                Some(address) => section(Text::ShippingAddress, &address_block(address)?)?,
                // PayOnly: digital goods, no address asked for or shown.
                None => el("p")?.class("amazon-pay-no-shipping").text(self.t(Text::NoShipping)).done(),
            })
            .child(&section(Text::PaymentMethod, &el("p")?.class("amazon-pay-payment").text(payment).done())?)
            .done();
        let items = item_list(details.items.iter().map(|l| (l.quantity, l.name.clone(), l.unit_price)), lang)?;
        let total = labelled("amazon-pay-total", self.t(Text::Total), &el("strong")?.text(&super::common::format_money(details.amount, lang)).done())?;
        for part in [&grid, &el("h3")?.text(self.t(Text::Items)).done(), &items, &total] {
            crate::dom_calls::append(&self.details, part);
        }
        self.state.borrow_mut().details = Some(details);
        Ok(())
    }

    /// Nothing to review: says why, with the way back to the cart (`role=alert`, inserted so it is announced).
    fn fatal(&self, message: &str) {
        set_hidden(&self.loading, true);
        let alert = el("div").and_then(|div| {
            let link = el("a")?.attr("href", &self.options.cart_url).text(self.t(Text::BackToCart)).done();
            Ok(div.class("amazon-pay-fatal").attr("role", "alert").child(&el("p")?.text(message).done()).child(&link).done())
        });
        if let Ok(alert) = alert {
            crate::dom_calls::insert_before(&self.root, &alert, Some(&self.body));
        }
    }
}

/// Appends the review page to `parent`; it loads the checkout named in the address (or kept by the button).
pub fn mount(parent: &Element, options: ReviewOptions) -> Result<Mounted, JsValue> {
    let lang = options.language;
    let t = |text: Text| text.get(lang);
    let n = amazon_pay_contract::digits(NEXT_ID.fetch_add(1, Ordering::Relaxed).into());
    let title_id = ["amazon-pay-review-title-", &n].concat();
    let change_address_id = ["amazon-pay-change-address-", &n].concat();
    let change_payment_id = ["amazon-pay-change-payment-", &n].concat();
    let radio_name = ["amazon-pay-delivery-", &n].concat();

    let radio = |value: &str| -> Result<HtmlInputElement, JsValue> {
        el("input")?.attr("type", "radio").attr("name", &radio_name).attr("value", value).done().dyn_into::<HtmlInputElement>().map_err(JsValue::from)
    };
    let standard = radio(DeliveryOption::Standard.as_str())?;
    let express = radio(DeliveryOption::Express.as_str())?;
    let delivery = el("fieldset")?
        .class("amazon-pay-delivery")
        .child(&el("legend")?.text(t(Text::Delivery)).done())
        .child(&el("label")?.child(&standard).add_text(t(Text::DeliveryStandard)).done())
        .child(&el("label")?.child(&express).add_text(t(Text::DeliveryExpress)).done())
        .done();
    let button = |id: &str, class: &str, text: Text| -> Result<Element, JsValue> {
        Ok(el("button")?.attr("type", "button").attr("id", id).class(class).text(t(text)).done())
    };
    let change_address = button(&change_address_id, "amazon-pay-change-address", Text::ChangeAddress)?;
    let change_payment = button(&change_payment_id, "amazon-pay-change-payment", Text::ChangePayment)?;
    // Disabled until Amazon's script has bound them: a click before would do nothing.
    set_disabled(&change_address, true);
    set_disabled(&change_payment, true);
    let change_unavailable = live_region("amazon-pay-change-unavailable")?.hidden().done();
    let placed_link = el("a")?.text(t(Text::ViewOrder)).done();
    let placed = el("p")?.class("amazon-pay-already-placed").hidden().add_text(t(Text::AlreadyPlaced)).add_text(" ").child(&placed_link).done();
    let decline_help = el("p")?.class("amazon-pay-decline-help").hidden().text(t(Text::ChooseAnother)).done();
    let back_to_cart = el("a")?.class("amazon-pay-back-to-cart").attr("href", &options.cart_url).hidden().text(t(Text::BackToCart)).done();
    let place_order = el("button")?.attr("type", "button").class("amazon-pay-place-order").text(t(Text::PlaceOrder)).done();
    let problem = el("p")?.class("amazon-pay-address-problem").attr("role", "alert").hidden().done();
    let phone_id = ["amazon-pay-phone-", &n].concat();
    let phone_error_id = ["amazon-pay-phone-error-", &n].concat();
    let phone = el("input")?
        .attr("type", "tel")
        .attr("id", &phone_id)
        .attr("autocomplete", "tel")
        .attr("maxlength", &amazon_pay_contract::digits(PHONE_MAX_LEN as u64))
        .attr("required", "")
        .attr("aria-describedby", &phone_error_id)
        .done()
        .dyn_into::<HtmlInputElement>()
        .map_err(JsValue::from)?;
    let phone_error = live_region("amazon-pay-phone-error")?.attr("id", &phone_error_id).text(t(Text::PhoneHint)).done();
    let phone_box = el("div")?
        .class("amazon-pay-phone")
        .hidden()
        .child(&el("label")?.attr("for", &phone_id).text(t(Text::PhoneLabel)).done())
        .child(&phone)
        .child(&phone_error)
        .done();
    let details = el("div")?.done();
    let body = el("div")?
        .class("amazon-pay-review-body")
        .hidden()
        .child(&details)
        .child(&el("div")?.class("amazon-pay-change-actions").child(&change_address).child(&change_payment).done())
        .child(&change_unavailable)
        .child(&problem)
        .child(&delivery)
        .child(&phone_box)
        .child(&placed)
        .child(&decline_help)
        .child(&back_to_cart)
        .child(&place_order)
        .done();
    let notice = live_region("amazon-pay-notice")?.done();
    let loading = el("p")?.class("amazon-pay-loading").attr("aria-busy", "true").text(t(Text::Loading)).done();
    let root = el("section")?
        .class("amazon-pay-review")
        .attr("aria-labelledby", &title_id)
        .child(&el("h2")?.attr("id", &title_id).text(t(Text::ReviewTitle)).done())
        .child(&notice)
        .child(&loading)
        .child(&body)
        .done();
    crate::dom_calls::append(parent, &root);

    let view = Rc::new(Review {
        options,
        root: root.clone(),
        notice,
        loading,
        body,
        details,
        change_address,
        change_payment,
        change_unavailable,
        delivery,
        problem,
        phone_box,
        phone,
        phone_error,
        standard,
        express,
        placed,
        placed_link,
        decline_help,
        back_to_cart,
        place_order,
        state: RefCell::new(State { details: None, busy: false, choosing: None, placed: None, decline: None, idempotency_key: page::new_idempotency_key() }),
        listeners: RefCell::new(Vec::new()),
    });
    view.render();
    let listen = |target: &Element, kind: &'static str, act: fn(&Rc<Review>)| {
        let weak = Rc::downgrade(&view);
        on(target, kind, move |_| {
            if let Some(view) = weak.upgrade() {
                act(&view);
            }
        })
    };
    let listeners = vec![
        listen(&view.standard, "change", |v| change_delivery(v, DeliveryOption::Standard)),
        listen(&view.express, "change", |v| change_delivery(v, DeliveryOption::Express)),
        listen(&view.place_order, "click", place),
    ];
    view.listeners.borrow_mut().extend(listeners);
    wasm_bindgen_futures::spawn_local(load(Rc::downgrade(&view)));
    Ok(Mounted::new(root, Box::new(view)))
}

/// Loads the checkout, explains a return from Amazon's pages, and binds Amazon's change actions.
async fn load(view: Weak<Review>) {
    let Some(page) = view.upgrade() else { return };
    let (client, lang, timeout) = (page.options.client.clone(), page.options.language, page.options.script_timeout);
    let params = match ReviewParams::parse(&page::current_search(), page::stored_workorder()) {
        Ok(ReviewParams { workorder_id: Some(id), order_id, amazon_checkout_session_id }) => (id, order_id, amazon_checkout_session_id),
        // Amazon Pay direct: Amazon's checkout session id alone names the checkout (the server knows whose it is).
        Ok(ReviewParams { workorder_id: None, order_id, amazon_checkout_session_id: Some(session) }) => (session.clone(), order_id, Some(session)),
        Ok(_) => {
            log_error("Amazon Pay review", &"no workorderId in the address and none stored");
            return page.fatal(page.t(Text::MissingCheckout));
        }
        Err(err) => {
            log_error("Amazon Pay review", &err);
            return page.fatal(page.t(Text::MissingCheckout));
        }
    };
    let (workorder_id, order_id, checkout_session) = params;
    drop(page);

    let loaded = client.cv2_session(&workorder_id, checkout_session.as_deref(), lang).await;
    let loaded = match loaded {
        Ok(details) => details,
        Err(err) => {
            log_error("Amazon Pay review", &err);
            let mut message = buyer_message(&err, lang);
            // Back from Amazon after abandoning or a decline: the session is closed; say why, not just "expired".
            if let Some(order_id) = &order_id {
                if let Ok(status) = client.order_status(order_id, lang).await {
                    match (status.state, status.message) {
                        (OrderState::Abandoned, _) => message = Text::Abandoned.get(lang).into(),
                        (OrderState::Declined | OrderState::Failed, Some(decline)) => message = decline.into(),
                        _ => {}
                    }
                }
            }
            let Some(page) = view.upgrade() else { return };
            page.emit(WidgetEvent::Error { message: err.to_string() });
            return page.fatal(&message);
        }
    };
    let (session_id, script_url, sandbox) = (loaded.amazon_checkout_session_id.clone(), loaded.script_url.clone(), loaded.sandbox);
    // The server's name of the checkout (with Amazon Pay direct the address may have held only Amazon's).
    let workorder_id = loaded.workorder_id.clone();
    {
        let Some(page) = view.upgrade() else { return };
        page.state.borrow_mut().placed = loaded.order_id.clone();
        if let Err(err) = page.show(loaded) {
            return log_error("Amazon Pay review", &crate::js_error::thrown_text(&err));
        }
        set_hidden(&page.loading, true);
        set_hidden(&page.body, false);
        page.render();
        page.emit(WidgetEvent::ReviewReady { workorder_id });
    }

    if let Some(order_id) = order_id {
        if let Ok(status) = client.order_status(&order_id, lang).await {
            let Some(page) = view.upgrade() else { return };
            match status.state {
                OrderState::Abandoned => page.say(page.t(Text::Abandoned)),
                OrderState::Declined | OrderState::Failed => {
                    page.state.borrow_mut().decline = status.decline;
                    page.say(status.message.as_deref().unwrap_or_default());
                    page.render();
                }
                _ => {}
            }
        }
    }

    if !sandbox && !super::button::is_amazon_checkout_js(&script_url) {
        let cause = ["refusing to load ", &script_url, " in live mode"].concat();
        return change_actions_failed(&view, &cause);
    }
    bind_change_actions(view, script_url, session_id, timeout).await;
}

/// How often the review page tries Amazon's script again after it failed to load, one script timeout apart
/// times two: a network that hiccuped gets the buttons back without a reload.
const CHANGE_ACTION_RETRIES: u32 = 3;

/// Loads `checkout.js` and binds "Change address" and "Change payment method" to Amazon's pages; while the
/// script cannot be loaded the buttons are hidden, the buyer is told what to do, and the load is retried.
async fn bind_change_actions(view: Weak<Review>, script_url: String, session_id: String, timeout: Duration) {
    let mut retries = 0;
    while let Err(err) = script_loader::load_script_with_retry(&script_url, timeout, 2).await {
        if retries == 0 {
            change_actions_failed(&view, &err.to_string());
        } else {
            log_error("Amazon Pay review: still cannot load Amazon's script", &err);
        }
        if retries == CHANGE_ACTION_RETRIES {
            return;
        }
        retries += 1;
        let wait = u32::try_from(timeout.as_millis().saturating_mul(2)).unwrap_or(u32::MAX);
        crate::interop::timers::sleep(wait).await;
        if view.upgrade().is_none() {
            return;
        }
    }
    let Some(page) = view.upgrade() else { return };
    let ids = [(page.change_address.id(), ChangeAction::ChangeAddress), (page.change_payment.id(), ChangeAction::ChangePayment)];
    drop(page);
    for (id, action) in ids {
        if let Err(err) = amazon_pay::bind_change_action(&["#", &id].concat(), &session_id, action) {
            return change_actions_failed(&view, &err.to_string());
        }
    }
    let Some(page) = view.upgrade() else { return };
    set_hidden(&page.change_unavailable, true);
    set_text(&page.change_unavailable, "");
    // PayOnly: there is no shipping address to change.
    let pay_only = page.state.borrow().details.as_ref().is_some_and(|d| d.product_type == ProductType::PayOnly);
    for button in [&page.change_address, &page.change_payment] {
        set_hidden(button, pay_only && button == &page.change_address);
        set_disabled(button, false);
    }
}

/// Amazon's change actions cannot be bound: no dead buttons; the buyer reads that the order can still be
/// placed as shown (or the page reloaded). The cause goes to the console and an `error` event.
fn change_actions_failed(view: &Weak<Review>, cause: &str) {
    log_error("Amazon Pay review: cannot bind change actions", &cause);
    if let Some(page) = view.upgrade() {
        // The buttons, not their box: a page's CSS may give the box a `display` that overrides `hidden`.
        set_hidden(&page.change_address, true);
        set_hidden(&page.change_payment, true);
        set_hidden(&page.change_unavailable, false);
        set_text(&page.change_unavailable, page.t(Text::ChangeUnavailable));
        page.emit(WidgetEvent::Error { message: cause.to_owned() });
    }
}

/// The buyer picked another delivery option: the server re-prices and updates Amazon's session.
fn change_delivery(page: &Rc<Review>, delivery: DeliveryOption) {
    let current = {
        let mut state = page.state.borrow_mut();
        let Some(current) = state.details.clone() else { return };
        if current.delivery == delivery || state.busy {
            drop(state);
            // Put the radio buttons back to what the server has.
            return page.render();
        }
        state.busy = true;
        state.choosing = Some(delivery);
        current
    };
    page.say(page.t(Text::UpdatingTotal));
    page.render();
    let (client, lang, view) = (page.options.client.clone(), page.options.language, Rc::downgrade(page));
    wasm_bindgen_futures::spawn_local(async move {
        let request = UpdateDeliveryRequest { delivery, language: lang };
        let answer = client.update_delivery(&current.workorder_id, &request).await;
        let Some(page) = view.upgrade() else { return };
        match answer.map(|updated| page.show(updated)) {
            Ok(Ok(())) => page.say(page.t(Text::TotalUpdated)),
            Ok(Err(err)) => log_error("Amazon Pay review", &crate::js_error::thrown_text(&err)),
            Err(err) => {
                log_error("Amazon Pay review", &err);
                page.say(&buyer_message(&err, lang));
            }
        }
        {
            let mut state = page.state.borrow_mut();
            state.busy = false;
            // The server's answer decides from here on (the old option again when the change failed).
            state.choosing = None;
        }
        page.render();
    });
}

/// "Place order": one order for this checkout however often it is clicked.
fn place(page: &Rc<Review>) {
    let (workorder_id, idempotency_key, phone) = {
        let mut state = page.state.borrow_mut();
        let Some(details) = &state.details else { return };
        if state.busy {
            return;
        }
        // The number the shop needs, checked as the server checks it; a wrong one sends nothing.
        let phone = details.phone_required.then(|| page.phone.value().trim().to_owned());
        if let Some(typed) = &phone {
            let invalid = !valid_phone(typed);
            set_attr(&page.phone, "aria-invalid", if invalid { "true" } else { "false" });
            if invalid {
                let problem = if typed.is_empty() { AddressProblem::PhoneMissing } else { AddressProblem::PhoneInvalid };
                set_text(&page.phone_error, problem.buyer_message(page.options.language));
                crate::dom::focus(&page.phone);
                return;
            }
        }
        let workorder_id = details.workorder_id.clone();
        state.busy = true;
        state.decline = None;
        (workorder_id, state.idempotency_key.clone(), phone)
    };
    page.say(page.t(Text::Placing));
    page.render();
    let (client, lang, view) = (page.options.client.clone(), page.options.language, Rc::downgrade(page));
    let confirmation_url = page.options.confirmation_url.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = client.place_order(&workorder_id, &PlaceOrderRequest { idempotency_key, language: lang, phone }).await;
        let Some(page) = view.upgrade() else { return };
        let response = match answer {
            Ok(response) => response,
            Err(err) => {
                log_error("Amazon Pay review", &err);
                page.emit(WidgetEvent::Error { message: err.to_string() });
                page.say(&buyer_message(&err, lang));
                return retry_later(&page, None);
            }
        };
        let order_id = response.order_id;
        page.emit(WidgetEvent::OrderPlaced { order_id: order_id.clone() });
        match response.outcome {
            PlaceOrderOutcome::Redirect { url } => {
                page.say(page.t(Text::RedirectingToAmazon));
                page.emit(WidgetEvent::Redirecting { order_id, url: url.clone() });
                page::navigate(&url);
            }
            PlaceOrderOutcome::Approved => {
                page.emit(WidgetEvent::Approved { order_id: order_id.clone() });
                page::navigate(&with_order(&confirmation_url, &order_id));
            }
            PlaceOrderOutcome::Pending => {
                page.emit(WidgetEvent::Pending { order_id: order_id.clone() });
                page::navigate(&with_order(&confirmation_url, &order_id));
            }
            PlaceOrderOutcome::Declined { code, message } => {
                page.emit(WidgetEvent::Declined { order_id, code: code.as_str().into(), message: message.clone() });
                page.say(&message);
                retry_later(&page, Some(code));
            }
        }
    });
}

/// After a decline or a failure: a new attempt is a new intent (a new key), and the buyer may try again.
fn retry_later(page: &Review, decline: Option<ErrorCode>) {
    {
        let mut state = page.state.borrow_mut();
        state.decline = decline;
        state.idempotency_key = page::new_idempotency_key();
        state.busy = false;
    }
    page.render();
}
