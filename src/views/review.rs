//! The order-review page of Checkout v2: the buyer's Amazon Pay details, changing address and payment on
//! Amazon's pages (hidden, with a sentence saying what to do, while Amazon's script cannot be loaded), the
//! delivery option (which changes the total), and "Place order" — one order however often it is clicked.

use super::common::{buyer_message, country_name, decline_reason, each_address_line_with, format_money, log_error, undecided, with_order};
use super::skeleton::{add, add_item, add_item_list, add_labelled, after, build, create, node, Node, BUTTON, HIDDEN, NONE};
use crate::client::{Client, ClientError};
use crate::dom::{clear, on, on_restored, set_attr, set_disabled, set_hidden, set_text, Listener, Mounted};
use crate::events::{emit, WidgetEvent};
use crate::interop::amazon_pay::{self, ChangeAction};
use crate::interop::script_loader;
use crate::page::{self, ReviewParams};
use crate::prelude::*;
use crate::texts::Text;
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::address::{valid_phone, AddressProblem, PHONE_MAX_LEN};
use amazon_pay_contract::cv2::{
    CheckoutDetails, DeliveryOption, PlaceOrderOutcome, PlaceOrderRequest, PlaceOrderResponse, ProductType, UpdateDeliveryRequest,
};
use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::{ErrorCode, Language, Money};
use core::cell::RefCell;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;
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

/// A `role=status` `aria-live=polite` paragraph's attributes: where the view announces what happens.
const LIVE: (&str, &str) = ("role", "status");
const POLITE: (&str, &str) = ("aria-live", "polite");
const DISABLED: (&str, &str) = ("disabled", "");

/// The page's elements (a table built in one loop, see `skeleton::build`). The change buttons start disabled:
/// a click before Amazon's script has bound them would do nothing. What the table cannot say (texts after a
/// child, the options' values) `mount` adds.
const SKELETON: [Node; 26] = [
    node(NONE, "section", "amazon-pay-review", &[("aria-labelledby", "#amazon-pay-review-title-")], None),
    node(ROOT, "h2", "", &[("id", "#amazon-pay-review-title-")], Some(Text::ReviewTitle)),
    node(ROOT, "p", "amazon-pay-notice", &[LIVE, POLITE], None),
    node(ROOT, "p", "amazon-pay-loading", &[("aria-busy", "true")], Some(Text::Loading)),
    node(ROOT, "div", "amazon-pay-review-body", &[HIDDEN], None),
    node(BODY as u8, "div", "", &[], None),
    node(BODY as u8, "div", "amazon-pay-change-actions", &[], None),
    node(6, "button", "amazon-pay-change-address", &[BUTTON, ("id", "#amazon-pay-change-address-"), DISABLED], Some(Text::ChangeAddress)),
    node(6, "button", "amazon-pay-change-payment", &[BUTTON, ("id", "#amazon-pay-change-payment-"), DISABLED], Some(Text::ChangePayment)),
    node(BODY as u8, "p", "amazon-pay-change-unavailable", &[LIVE, POLITE, HIDDEN], None),
    node(BODY as u8, "p", "amazon-pay-address-problem", &[("role", "alert"), HIDDEN], None),
    node(BODY as u8, "fieldset", "amazon-pay-delivery", &[], None),
    node(DELIVERY as u8, "legend", "", &[], Some(Text::Delivery)),
    node(DELIVERY as u8, "label", "", &[], None),
    node(13, "input", "", &[("type", "radio"), ("name", "#amazon-pay-delivery-"), ("value", "standard")], None),
    node(DELIVERY as u8, "label", "", &[], None),
    node(15, "input", "", &[("type", "radio"), ("name", "#amazon-pay-delivery-"), ("value", "express")], None),
    node(BODY as u8, "div", "amazon-pay-phone", &[HIDDEN], None),
    node(PHONE_BOX as u8, "label", "", &[("for", "#amazon-pay-phone-")], Some(Text::PhoneLabel)),
    node(
        PHONE_BOX as u8,
        "input",
        "",
        &[("type", "tel"), ("id", "#amazon-pay-phone-"), ("autocomplete", "tel"), ("required", ""), ("aria-describedby", "#amazon-pay-phone-error-")],
        None,
    ),
    node(PHONE_BOX as u8, "p", "amazon-pay-phone-error", &[LIVE, POLITE, ("id", "#amazon-pay-phone-error-")], Some(Text::PhoneHint)),
    node(BODY as u8, "p", "amazon-pay-already-placed", &[HIDDEN], Some(Text::AlreadyPlaced)),
    // The order's link, placed by `mount` after the sentence and a space.
    node(NONE, "a", "", &[], Some(Text::ViewOrder)),
    node(BODY as u8, "p", "amazon-pay-decline-help", &[HIDDEN], Some(Text::ChooseAnother)),
    node(BODY as u8, "a", "amazon-pay-back-to-cart", &[HIDDEN], Some(Text::BackToCart)),
    node(BODY as u8, "button", "amazon-pay-place-order", &[BUTTON], Some(Text::PlaceOrder)),
];
const ROOT: u8 = 0;
const NOTICE: usize = 2;
const LOADING: usize = 3;
const BODY: usize = 4;
const DETAILS: usize = 5;
const CHANGE_ADDRESS: usize = 7;
const CHANGE_PAYMENT: usize = 8;
/// Why the change buttons are gone and what the buyer can do (aria-live), shown instead of them.
const CHANGE_UNAVAILABLE: usize = 9;
/// Why the shop cannot deliver to the address (its rules), with "Change address" as the way on.
const PROBLEM: usize = 10;
const DELIVERY: usize = 11;
const STANDARD_LABEL: usize = 13;
const STANDARD: usize = 14;
const EXPRESS_LABEL: usize = 15;
const EXPRESS: usize = 16;
/// The phone number field, shown when the shop needs one and Amazon's address has none.
const PHONE_BOX: usize = 17;
const PHONE: usize = 19;
/// What is wrong with the typed number (aria-live, and the field's description).
const PHONE_ERROR: usize = 20;
const PLACED: usize = 21;
const PLACED_LINK: usize = 22;
const DECLINE_HELP: usize = 23;
const BACK_TO_CART: usize = 24;
const PLACE_ORDER: usize = 25;

/// What the page knows and is doing.
struct State {
    details: Option<CheckoutDetails>,
    /// A delivery change or a placement is on its way: nothing else may start.
    busy: bool,
    /// The delivery option the buyer just picked, shown as chosen while the server re-prices.
    choosing: Option<DeliveryOption>,
    /// The order of this checkout, once placed (here or earlier).
    placed: Option<String>,
    /// The placed order still waits for the buyer on Amazon's page (Back from its MFA page): placing again
    /// leads there again, the same order (the server answers the same redirect).
    awaiting: bool,
    /// Why the last placement was declined.
    decline: Option<ErrorCode>,
    /// One "Place order" intent: the same key however often it is sent; a new one after a decline.
    idempotency_key: String,
}

/// The page's elements and state. Its async work holds `me` (a `Weak`) and is one request long each time
/// (`after`): small state machines in the wasm.
struct Review {
    options: ReviewOptions,
    me: Weak<Review>,
    els: [Element; SKELETON.len()],
    state: RefCell<State>,
    listeners: RefCell<Vec<Listener>>,
}

impl Review {
    fn t(&self, text: Text) -> &'static str {
        text.get(self.options.language)
    }

    fn input(&self, i: usize) -> &HtmlInputElement {
        // The skeleton's `input` nodes.
        self.els[i].unchecked_ref()
    }

    fn emit(&self, event: WidgetEvent) {
        emit(&self.els[ROOT as usize], event);
    }

    /// Tells the buyer `sentence` (aria-live).
    fn say(&self, sentence: &str) {
        set_text(&self.els[NOTICE], sentence);
    }

    /// Sets every control from the state.
    fn render(&self) {
        let e = &self.els;
        let state = self.state.borrow();
        let hard_declined = state.decline == Some(ErrorCode::HardDecline);
        let details = state.details.as_ref();
        let problem = details.and_then(|d| d.address_problem);
        set_hidden(&e[DELIVERY], details.is_some_and(|d| d.product_type == ProductType::PayOnly));
        set_hidden(&e[PHONE_BOX], !details.is_some_and(|d| d.phone_required) || state.placed.is_some());
        set_hidden(&e[PROBLEM], problem.is_none());
        set_text(&e[PROBLEM], problem.map_or("", |p| p.buyer_message(self.options.language)));
        set_disabled(&e[DELIVERY], state.busy || state.placed.is_some());
        let delivery = state.choosing.or(state.details.as_ref().map(|d| d.delivery)).unwrap_or_default();
        self.input(STANDARD).set_checked(delivery == DeliveryOption::Standard);
        self.input(EXPRESS).set_checked(delivery == DeliveryOption::Express);
        let placed = state.placed.is_some() && !state.awaiting;
        set_hidden(&e[PLACED], !placed);
        if let Some(order_id) = &state.placed {
            set_attr(&e[PLACED_LINK], "href", &with_order(&self.options.confirmation_url, order_id));
        }
        set_hidden(&e[DECLINE_HELP], state.decline != Some(ErrorCode::SoftDecline));
        set_hidden(&e[BACK_TO_CART], !hard_declined);
        set_hidden(&e[PLACE_ORDER], placed || hard_declined || problem.is_some());
        set_disabled(&e[PLACE_ORDER], state.busy);
        set_attr(&e[PLACE_ORDER], "aria-busy", if state.busy { "true" } else { "false" });
    }

    /// Shows the checkout (buyer, address, payment, items, total) and takes it as the page's state.
    fn show(&self, details: CheckoutDetails) {
        let lang = self.options.language;
        let holder = &self.els[DETAILS];
        clear(holder);
        // Placed: the server no longer says who the buyer is (the page only leads to the order), so neither do we.
        if details.order_id.is_none() {
            self.show_buyer(holder, &details);
        }
        add(holder, "h3", "", self.t(Text::Items));
        let list = add_item_list(holder);
        for line in &details.items {
            add_item(&list, line.quantity, &line.name, line.unit_price, lang);
        }
        // Each option's cost, as the server priced it, before the buyer picks one (none from an older server).
        for (label, delivery) in [(STANDARD_LABEL, DeliveryOption::Standard), (EXPRESS_LABEL, DeliveryOption::Express)] {
            let fee = details.delivery_prices.iter().find(|p| p.delivery == delivery).map(|p| p.fee);
            // The label's text node, after its radio button (`mount`).
            if let Some(text) = self.els[label].last_child() {
                text.set_text_content(Some(&delivery_label(delivery, fee, lang)));
            }
        }
        // What the chosen delivery adds (express, or a catalogue's standard fee): the total is then the lines above.
        if details.delivery_fee.minor > 0 {
            add_labelled(holder, "amazon-pay-delivery-fee", self.t(Text::Delivery), &format_money(details.delivery_fee, lang));
        }
        add_labelled(holder, "amazon-pay-total", self.t(Text::Total), &format_money(details.amount, lang));
        self.state.borrow_mut().details = Some(details);
    }

    /// The buyer, the shipping address and the payment method, as Amazon has them.
    fn show_buyer(&self, holder: &Element, details: &CheckoutDetails) {
        let grid = add(holder, "div", "amazon-pay-review-grid", "");
        let section = |title: Text| {
            let section = add(&grid, "section", "", "");
            add(&section, "h3", "", self.t(title));
            section
        };
        let buyer = add(&section(Text::Buyer), "p", "", "");
        add(&buyer, "span", "amazon-pay-buyer-name", &details.buyer_name);
        add(&buyer, "br", "", "");
        add(&buyer, "span", "amazon-pay-buyer-email", &details.email);
        match &details.shipping_address {
            Some(address) => {
                let block = add(&section(Text::ShippingAddress), "address", "amazon-pay-address", "");
                each_address_line_with(address, &country_name(address, self.options.language), |line| {
                    add(&block, "span", "", line);
                    add(&block, "br", "", "");
                });
            }
            // PayOnly: digital goods, no address asked for or shown.
            None => {
                add(&grid, "p", "amazon-pay-no-shipping", self.t(Text::NoShipping));
            }
        }
        let payment = details.payment_descriptor.as_deref().unwrap_or(self.t(Text::PaidWithAmazon));
        add(&section(Text::PaymentMethod), "p", "amazon-pay-payment", payment);
    }

    /// Nothing to review: says why, with the way back to the cart (`role=alert`, inserted so it is announced).
    fn fatal(&self, message: &str) {
        set_hidden(&self.els[LOADING], true);
        let alert = create("div");
        alert.set_class_name("amazon-pay-fatal");
        crate::dom_calls::set_attribute(&alert, "role", "alert");
        add(&alert, "p", "", message);
        crate::dom_calls::set_attribute(&add(&alert, "a", "", self.t(Text::BackToCart)), "href", &self.options.cart_url);
        crate::dom_calls::insert_before(&self.els[ROOT as usize], &alert, Some(&self.els[BODY]));
    }

    /// The checkout could not be loaded: the buyer reads why (the order's fate when the address named one).
    /// An order given up or declined is an outcome the page explains, so the shop hears `declined` (code: the
    /// order's state, as on the confirmation page), or `cancelled` back from a cancel on Amazon's pages, and the
    /// console stays quiet; anything else is an `error`, on the console too.
    fn failed(&self, err: &ClientError, status: Option<OrderStatus>, cancelled: bool) {
        let lang = self.options.language;
        let (message, event) = match status {
            Some(s) if matches!(s.state, OrderState::Abandoned | OrderState::Declined | OrderState::Failed) => {
                // Abandoned is all PAYONE's error URL says (a decline too): no guess why.
                let message = match s.state {
                    OrderState::Abandoned => Text::NotCompleted.get(lang).to_owned(),
                    _ => decline_reason(&s).map_or_else(|| buyer_message(err, lang), Into::into),
                };
                let event = if cancelled && s.state == OrderState::Abandoned {
                    WidgetEvent::Cancelled { order_id: Some(s.order_id) }
                } else {
                    WidgetEvent::Declined { code: s.state.as_str().into(), message: message.clone(), order_id: s.order_id }
                };
                (message, event)
            }
            _ => {
                log_error("Amazon Pay review", err);
                (buyer_message(err, lang), WidgetEvent::Error { message: err.to_string() })
            }
        };
        self.emit(event);
        self.fatal(&message);
    }

    /// The checkout's answer: shown, then the order named in the address (back from Amazon), then Amazon's
    /// change actions.
    fn loaded(&self, loaded: Result<CheckoutDetails, ClientError>, order_id: Option<String>, cancelled: bool) {
        let lang = self.options.language;
        let details = match loaded {
            Ok(details) => details,
            Err(err) => {
                return match order_id {
                    Some(order_id) => after(&self.me, self.options.client.order_status(&order_id, lang), move |page: &Review, status| {
                        page.failed(&err, status.ok(), cancelled)
                    }),
                    None => self.failed(&err, None, false),
                };
            }
        };
        let script = (details.script_url.clone(), details.amazon_checkout_session_id.clone(), details.sandbox);
        // The server's name of the checkout (with Amazon Pay direct the address may have held only Amazon's).
        let workorder_id = details.workorder_id.clone();
        // The checkout's order (from the address, else the server's): back from Amazon, it may await the buyer.
        let order_id = order_id.or_else(|| details.order_id.clone());
        self.state.borrow_mut().placed = details.order_id.clone();
        self.show(details);
        set_hidden(&self.els[LOADING], true);
        set_hidden(&self.els[BODY], false);
        self.render();
        self.emit(WidgetEvent::ReviewReady { workorder_id });
        match order_id {
            Some(order_id) => after(&self.me, self.options.client.order_status(&order_id, lang), move |page: &Review, status| {
                if let Ok(status) = status {
                    page.returned(status, cancelled);
                }
                page.change_actions(script);
            }),
            None => self.change_actions(script),
        }
    }

    /// Back from Amazon with an order: what became of it (`cancelled`: the buyer cancelled on Amazon's pages).
    fn returned(&self, status: OrderStatus, cancelled: bool) {
        match status.state {
            OrderState::Abandoned => {
                if cancelled {
                    self.emit(WidgetEvent::Cancelled { order_id: Some(status.order_id) });
                }
                self.say(self.t(Text::NotCompleted));
            }
            OrderState::Redirected => {
                self.state.borrow_mut().awaiting = true;
                self.say(self.t(Text::ContinueConfirming));
                self.render();
            }
            OrderState::Declined | OrderState::Failed => {
                self.state.borrow_mut().decline = status.decline;
                self.say(decline_reason(&status).unwrap_or_default());
                self.render();
            }
            _ => {}
        }
    }

    /// Binds Amazon's change actions with its script (`url`, the session's id; live mode only from Amazon).
    fn change_actions(&self, (script_url, session_id, sandbox): (String, String, bool)) {
        // A placed order's address and payment method no longer change: no buttons, no script.
        if self.state.borrow().placed.is_some() {
            set_hidden(&self.els[CHANGE_ADDRESS], true);
            return set_hidden(&self.els[CHANGE_PAYMENT], true);
        }
        if !sandbox && !super::button::is_amazon_checkout_js(&script_url) {
            let cause = ["refusing to load ", &script_url, " in live mode"].concat();
            return change_actions_failed(&self.me, &cause, Text::ChangeUnavailable);
        }
        wasm_bindgen_futures::spawn_local(bind_change_actions(self.me.clone(), script_url, session_id, self.options.script_timeout));
    }

    /// The server's answer to a delivery change.
    fn delivery_changed(&self, answer: Result<CheckoutDetails, ClientError>) {
        match answer {
            Ok(updated) => {
                self.show(updated);
                self.say(self.t(Text::TotalUpdated));
            }
            Err(err) => {
                log_error("Amazon Pay review", &err);
                self.say(&buyer_message(&err, self.options.language));
            }
        }
        {
            let mut state = self.state.borrow_mut();
            state.busy = false;
            // The server's answer decides from here on (the old option again when the change failed).
            state.choosing = None;
        }
        self.render();
    }

    /// The server's answer to "Place order".
    fn placed(&self, answer: Result<PlaceOrderResponse, ClientError>) {
        let response = match answer {
            Ok(response) => response,
            Err(err) => {
                log_error("Amazon Pay review", &err);
                self.emit(WidgetEvent::Error { message: err.to_string() });
                // No answer that decides (offline, a proxy's error page, the provider's timeout, another
                // request still placing): the order may have been placed, so the buyer is not told that nothing
                // was charged, and the next press asks again with the same key and gets that order's answer. A
                // refusal says what happened: its sentence, and the next press is a new attempt (a new key).
                let undecided = undecided(&err);
                let sentence = match undecided {
                    Some(true) => self.t(Text::NoAnswer).to_owned(),
                    _ => buyer_message(&err, self.options.language),
                };
                self.say(&sentence);
                return self.retry_later(None, undecided.is_none());
            }
        };
        let order_id = response.order_id;
        self.emit(WidgetEvent::OrderPlaced { order_id: order_id.clone() });
        let confirmation = || with_order(&self.options.confirmation_url, &order_id);
        match response.outcome {
            PlaceOrderOutcome::Redirect { url } => {
                self.say(self.t(Text::RedirectingToAmazon));
                self.emit(WidgetEvent::Redirecting { order_id: order_id.clone(), url: url.clone() });
                page::navigate(&url);
            }
            // The confirmation page announces `approved`/`pending` (it follows the order on): once per order.
            PlaceOrderOutcome::Approved | PlaceOrderOutcome::Pending => page::navigate(&confirmation()),
            PlaceOrderOutcome::Declined { code, message } => {
                self.emit(WidgetEvent::Declined { order_id: order_id.clone(), code: code.as_str().into(), message: message.clone() });
                self.say(&message);
                self.retry_later(Some(code), true);
            }
        }
    }

    /// After a decline or a failure the buyer may try again: after an answer, a new attempt is a new intent (a
    /// new key, `new_key`); after none, it is the same one (the same key, whose order the server keeps).
    fn retry_later(&self, decline: Option<ErrorCode>, new_key: bool) {
        {
            let mut state = self.state.borrow_mut();
            state.decline = decline;
            if new_key {
                state.idempotency_key = page::new_idempotency_key();
            }
            state.busy = false;
        }
        self.render();
        self.focus_next_step(decline);
    }

    /// "Place order" was disabled while the order was placed, so the browser dropped the keyboard focus to the
    /// page: put it on what the buyer does next (another payment method after a soft decline, the cart after a
    /// hard one, "Place order" again after a failure), as the CV1 views focus the Wallet.
    fn focus_next_step(&self, decline: Option<ErrorCode>) {
        let change_payment = &self.els[CHANGE_PAYMENT];
        let next = match decline {
            Some(ErrorCode::SoftDecline) if !change_payment.has_attribute("hidden") => change_payment,
            Some(ErrorCode::HardDecline) => &self.els[BACK_TO_CART],
            _ => &self.els[PLACE_ORDER],
        };
        crate::dom::focus(next);
    }
}

/// A delivery option's label: its name and, when the server priced it, what it costs ("free" at zero), e.g.
/// `Express delivery (€6.90)`, `Expressversand (6,90 €)`. The fee is the server's: the widget never computes one.
pub fn delivery_label(delivery: DeliveryOption, fee: Option<Money>, lang: Language) -> String {
    let name = match delivery {
        DeliveryOption::Standard => Text::DeliveryStandard,
        DeliveryOption::Express => Text::DeliveryExpress,
    }
    .get(lang);
    match fee {
        None => name.into(),
        Some(fee) if fee.minor == 0 => [name, " (", Text::DeliveryFree.get(lang), ")"].concat(),
        Some(fee) => [name, " (", &format_money(fee, lang), ")"].concat(),
    }
}

/// Appends the review page to `parent`; it loads the checkout named in the address (or kept by the button).
pub fn mount(parent: &Element, options: ReviewOptions) -> Result<Mounted, JsValue> {
    let lang = options.language;
    let n = amazon_pay_contract::digits(NEXT_ID.fetch_add(1, Ordering::Relaxed).into());
    let els: [Element; SKELETON.len()] = build(&SKELETON, lang, &n)?.try_into().map_err(|_| JsValue::from_str("review skeleton"))?;
    // The radio buttons' labels: the input, then its text.
    let _ = els[STANDARD_LABEL].append_with_str_1(&delivery_label(DeliveryOption::Standard, None, lang));
    let _ = els[EXPRESS_LABEL].append_with_str_1(&delivery_label(DeliveryOption::Express, None, lang));
    crate::dom_calls::set_attribute(&els[PHONE], "maxlength", &amazon_pay_contract::digits(PHONE_MAX_LEN as u64));
    let _ = els[PLACED].append_with_str_1(" ");
    crate::dom_calls::append(&els[PLACED], &els[PLACED_LINK]);
    crate::dom_calls::set_attribute(&els[BACK_TO_CART], "href", &options.cart_url);
    let root = els[ROOT as usize].clone();
    crate::dom_calls::append(parent, &root);

    let view = Rc::new_cyclic(|me| Review {
        options,
        me: me.clone(),
        els,
        state: RefCell::new(State {
            details: None,
            busy: false,
            choosing: None,
            placed: None,
            awaiting: false,
            decline: None,
            idempotency_key: page::new_idempotency_key(),
        }),
        listeners: RefCell::new(Vec::new()),
    });
    view.render();
    let listen = |target: usize, kind: &'static str, act: fn(&Review)| {
        let weak = Rc::downgrade(&view);
        on(&view.els[target], kind, move |_| {
            if let Some(view) = weak.upgrade() {
                act(&view);
            }
        })
    };
    let mut listeners = vec![
        listen(STANDARD, "change", |v| change_delivery(v, DeliveryOption::Standard)),
        listen(EXPRESS, "change", |v| change_delivery(v, DeliveryOption::Express)),
        listen(PLACE_ORDER, "click", place),
    ];
    let weak = Rc::downgrade(&view);
    listeners.extend(on_restored(move || {
        if let Some(view) = weak.upgrade() {
            restored(&view);
        }
    }));
    view.listeners.borrow_mut().extend(listeners);
    load(&view);
    Ok(Mounted::new(root, Box::new(view)))
}

/// The browser's Back (from Amazon's MFA page, say) brought the page back from its back/forward cache as it was
/// left: busy, "Amazon Pay is confirming your payment…", "Place order" disabled. The order's fate is the
/// server's now: read the checkout again, as a reload would.
fn restored(page: &Review) {
    if !core::mem::replace(&mut page.state.borrow_mut().busy, false) {
        return;
    }
    page.say("");
    load(page);
}

/// Loads the checkout named in the address (or kept by the button); [`Review::loaded`] goes on from there.
fn load(page: &Review) {
    let (client, lang) = (&page.options.client, page.options.language);
    let (workorder_id, order_id, checkout_session) = match ReviewParams::parse(&page::current_search(), page::stored_workorder()) {
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
    // The server's return route marks PAYONE's `backurl` (the buyer cancelled on Amazon's pages); taken out of
    // the address now, so a reload does not tell it again.
    let cancelled = page::take_cancel_marker().is_some();
    let loading = client.cv2_session(&workorder_id, checkout_session.as_deref(), lang);
    after(&page.me, loading, move |page: &Review, loaded| page.loaded(loaded, order_id, cancelled));
}

/// How often the review page tries Amazon's script again after it failed to load, one script timeout apart
/// times two: a network that hiccuped gets the buttons back without a reload.
const CHANGE_ACTION_RETRIES: u32 = 3;

/// Loads `checkout.js` and binds "Change address" and "Change payment method" to Amazon's pages; while the
/// script cannot be loaded the buttons are hidden, the buyer is told what to do, and the load is retried.
async fn bind_change_actions(view: Weak<Review>, script_url: String, session_id: String, timeout: Duration) {
    let mut retries = 0;
    while let Err(err) = script_loader::load_script_until(&script_url, Some(amazon_pay::is_loaded), timeout, 2).await {
        if retries == 0 {
            // The browser refused the script (a content blocker, mostly): the buyer reads what to do about it.
            let blocked = matches!(err, script_loader::ScriptError::Failed { .. });
            change_actions_failed(&view, &err.to_string(), if blocked { Text::ChangeBlocked } else { Text::ChangeUnavailable });
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
    if let Some(page) = view.upgrade() {
        bind_buttons(&page, &session_id);
    }
}

/// Amazon's script is there: binds the change buttons to its pages and shows them.
fn bind_buttons(page: &Review, session_id: &str) {
    for (button, action) in [(CHANGE_ADDRESS, ChangeAction::ChangeAddress), (CHANGE_PAYMENT, ChangeAction::ChangePayment)] {
        if let Err(err) = amazon_pay::bind_change_action(&["#", &page.els[button].id()].concat(), session_id, action) {
            return change_actions_failed(&page.me, &err.to_string(), Text::ChangeUnavailable);
        }
    }
    set_hidden(&page.els[CHANGE_UNAVAILABLE], true);
    set_text(&page.els[CHANGE_UNAVAILABLE], "");
    // PayOnly: there is no shipping address to change.
    let pay_only = page.state.borrow().details.as_ref().is_some_and(|d| d.product_type == ProductType::PayOnly);
    set_hidden(&page.els[CHANGE_ADDRESS], pay_only);
    set_hidden(&page.els[CHANGE_PAYMENT], false);
    set_disabled(&page.els[CHANGE_ADDRESS], false);
    set_disabled(&page.els[CHANGE_PAYMENT], false);
}

/// Amazon's change actions cannot be bound: no dead buttons; the buyer reads `sentence` (that the order can still
/// be placed as shown, and what to do). The cause goes to the console and an `error` event.
fn change_actions_failed(view: &Weak<Review>, cause: &str, sentence: Text) {
    log_error("Amazon Pay review: cannot bind change actions", &cause);
    if let Some(page) = view.upgrade() {
        // The buttons, not their box: a page's CSS may give the box a `display` that overrides `hidden`.
        set_hidden(&page.els[CHANGE_ADDRESS], true);
        set_hidden(&page.els[CHANGE_PAYMENT], true);
        set_hidden(&page.els[CHANGE_UNAVAILABLE], false);
        set_text(&page.els[CHANGE_UNAVAILABLE], page.t(sentence));
        page.emit(WidgetEvent::Error { message: cause.to_owned() });
    }
}

/// The buyer picked another delivery option: the server re-prices and updates Amazon's session.
fn change_delivery(page: &Review, delivery: DeliveryOption) {
    let workorder_id = {
        let mut state = page.state.borrow_mut();
        let Some(current) = &state.details else { return };
        if current.delivery == delivery || state.busy {
            drop(state);
            // Put the radio buttons back to what the server has.
            return page.render();
        }
        let workorder_id = current.workorder_id.clone();
        state.busy = true;
        state.choosing = Some(delivery);
        workorder_id
    };
    page.say(page.t(Text::UpdatingTotal));
    page.render();
    let request = UpdateDeliveryRequest { delivery, language: page.options.language };
    after(&page.me, page.options.client.update_delivery(&workorder_id, &request), |page: &Review, answer| page.delivery_changed(answer));
}

/// "Place order": one order for this checkout however often it is clicked.
fn place(page: &Review) {
    let (workorder_id, idempotency_key, phone) = {
        let mut state = page.state.borrow_mut();
        let Some(details) = &state.details else { return };
        if state.busy {
            return;
        }
        // The number the shop needs, checked as the server checks it; a wrong one sends nothing.
        let phone = details.phone_required.then(|| page.input(PHONE).value().trim().to_owned());
        if let Some(typed) = &phone {
            let invalid = !valid_phone(typed);
            set_attr(&page.els[PHONE], "aria-invalid", if invalid { "true" } else { "false" });
            if invalid {
                let problem = if typed.is_empty() { AddressProblem::PhoneMissing } else { AddressProblem::PhoneInvalid };
                set_text(&page.els[PHONE_ERROR], problem.buyer_message(page.options.language));
                crate::dom::focus(&page.els[PHONE]);
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
    let request = PlaceOrderRequest { idempotency_key, language: page.options.language, phone };
    after(&page.me, page.options.client.place_order(&workorder_id, &request), |page: &Review, answer| page.placed(answer));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_labels_name_the_server_s_fee_in_the_buyer_s_language() {
        let express = Some(Money::eur(690));
        assert_eq!(delivery_label(DeliveryOption::Express, express, Language::En), "Express delivery (€6.90)");
        assert_eq!(delivery_label(DeliveryOption::Express, express, Language::De), "Expressversand (6,90\u{a0}€)");
        assert_eq!(delivery_label(DeliveryOption::Express, express, Language::Es), "Envío exprés (6,90\u{a0}€)");
        assert_eq!(delivery_label(DeliveryOption::Standard, Some(Money::eur(0)), Language::En), "Standard delivery (free)");
        assert_eq!(delivery_label(DeliveryOption::Standard, Some(Money::eur(0)), Language::Fr), "Livraison standard (gratuite)");
        assert_eq!(delivery_label(DeliveryOption::Standard, Some(Money::eur(390)), Language::It), "Spedizione standard (3,90\u{a0}€)");
        // An older server sends no prices: the bare name, no made-up "free".
        assert_eq!(delivery_label(DeliveryOption::Express, None, Language::En), "Express delivery");
    }
}
