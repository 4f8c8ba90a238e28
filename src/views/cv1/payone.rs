//! The PAYONE CV1 checkout (seed 000, "Legacy Process CV1"): `getconfiguration` through the backend, Amazon's
//! button and widgets, the buyer's details (`getorderreferencedetails`), "Place order" that starts
//! `OffAmazonPayments.initConfirmationFlow` first and confirms the order reference inside it, and, back from
//! Amazon on the success URL, the authorization. Declines 980–987 and an abandoned confirmation
//! (`AuthenticationStatus=Abandoned`) are told in words, with the widget the buyer has to use next. An
//! authorization without PAYONE's answer is asked about again ("Try again"), never started anew.

use super::shell::{self, Host, Layout, Parts, Phase, Shell};
use super::signin::{self, buyer_message, ButtonStyle};
use super::widget_state::changed;
use super::widgets;
use crate::client::{Client, ClientError};
use crate::dom::{set_attr, set_disabled, set_hidden, Mounted};
use crate::events::WidgetEvent;
use crate::interop::off_amazon_payments::{self, ConfirmationFlow};
use crate::page::{self, query_value};
use crate::prelude::*;
use crate::texts::Text;
use crate::views::common::{country_name, each_address_line_with, format_money, undecided, with_order};
use crate::views::skeleton::{self as view, node, Node, BUTTON, HIDDEN, NONE};
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::cv1::{
    AuthorizeRequest, ConfirmRequest, CreateCv1SessionRequest, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session, NextStep, OrderReferenceRequest,
};
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::{Cell, OnceCell, RefCell};
use core::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// How the PAYONE CV1 checkout is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Cv1Options {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// The cart: SKUs and quantities; the server prices them.
    pub items: Vec<CartLine>,
    /// Where "Back to cart" leads.
    pub cart_url: String,
    /// Where the buyer goes once the payment is approved or pending (`?order=<id>` appended).
    pub confirmation_url: String,
    /// How Amazon's sign-in button looks.
    pub button: ButtonStyle,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
}

/// Where "Back to cart" leads by default.
pub const DEFAULT_CART_URL: &str = "/";
/// The order's page by default.
pub const DEFAULT_CONFIRMATION_URL: &str = "/confirmation.html";

impl Default for Cv1Options {
    fn default() -> Self {
        Cv1Options {
            client: Client::default(),
            language: Language::default(),
            items: Vec::new(),
            cart_url: DEFAULT_CART_URL.into(),
            confirmation_url: DEFAULT_CONFIRMATION_URL.into(),
            button: ButtonStyle::default(),
            script_timeout: crate::interop::script_loader::DEFAULT_TIMEOUT,
        }
    }
}

/// How the buyer came back from Amazon's confirmation flow (the backend's return redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnResult {
    /// The buyer confirmed (and passed MFA): the order can be authorized.
    Success,
    /// The buyer left Amazon's confirmation page.
    Abandoned,
    /// Amazon's confirmation failed (e.g. MFA not passed).
    Failed,
}

/// The page's return parameters: `workorderId`, `order`, `result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnParams {
    /// The checkout (PAYONE workorder) the buyer returns to.
    pub workorder_id: String,
    /// The shop's order, once there is one.
    pub order_id: Option<String>,
    /// How Amazon's confirmation flow ended, when the buyer comes back from it.
    pub result: Option<ReturnResult>,
}

impl ReturnParams {
    /// `None` for a fresh checkout (or malformed ids, which start one too).
    pub fn parse(search: &str) -> Option<ReturnParams> {
        let get = |name: &str| query_value(search, name);
        let workorder_id = get("workorderId").filter(|id| page::is_id(id))?;
        let result = match get("result").as_deref() {
            Some("success") => Some(ReturnResult::Success),
            Some("abandoned") => Some(ReturnResult::Abandoned),
            Some("failed") => Some(ReturnResult::Failed),
            _ => None,
        };
        Some(ReturnParams { workorder_id, order_id: get("order").filter(|id| page::is_id(id)), result })
    }
}

/// What the buyer has to do after a decline at the confirmation: the reason's step, else by the code.
fn step_after_confirm(code: ErrorCode, step: Option<NextStep>) -> NextStep {
    let fallback = if code == ErrorCode::SoftDecline { NextStep::ChoosePayment } else { NextStep::PayAnotherWay };
    step.unwrap_or(fallback)
}

/// After a declined authorization the order reference is confirmed: another card needs a new checkout; a
/// rejection needs another way to pay.
fn step_after_authorization(step: Option<NextStep>) -> NextStep {
    match step {
        Some(NextStep::PayAnotherWay) => NextStep::PayAnotherWay,
        _ => NextStep::StartAgain,
    }
}

/// The selection's parts whose change makes the details be read again, given what the last check read (as
/// a reactive effect tracks what it read): the address changes and choices always, an AddressBook or Wallet
/// rendering only while nothing is chosen there, the order reference only once both are chosen.
fn read_depends_on(address_chosen: bool, payment_chosen: bool, address: bool, payment: bool) -> u8 {
    let mut what = changed::ADDRESS_CHANGES | changed::ADDRESS_CHOSEN | changed::PAYMENT_CHOSEN;
    if !address_chosen {
        what |= changed::ADDRESS_BOOK_READY;
    }
    if !payment_chosen {
        what |= changed::WALLET_READY;
    }
    if address && payment {
        what |= changed::REFERENCE;
    }
    what
}

/// The checkout's elements: Amazon's button, the widgets, the buyer's details (inserted before the hint once
/// read), the actions, and what the buyer can do after a decline.
pub(super) const SKELETON: &[Node] = &[
    node(NONE, "section", "amazon-pay-cv1 amazon-pay-cv1-checkout", &[("aria-labelledby", "#amazon-pay-cv1-title-")], None),
    node(0, "h2", "", &[("id", "#amazon-pay-cv1-title-")], Some(Text::PayWithAmazon)),
    node(0, "p", "amazon-pay-notice", &[("role", "status"), ("aria-live", "polite")], None),
    node(0, "p", "amazon-pay-loading", &[("aria-busy", "true")], Some(Text::Loading)),
    node(0, "p", "amazon-pay-widget-problem", &[("role", "alert"), HIDDEN], None),
    node(0, "div", "amazon-pay-signin", &[HIDDEN], None),
    node(5, "p", "", &[], Some(Text::SignInHint)),
    node(5, "div", "amazon-pay-cv1-button", &[("id", "#amazon-pay-cv1-button-")], None),
    node(0, "div", "amazon-pay-widgets", &[HIDDEN], None),
    node(8, "div", "amazon-pay-address-book", &[("id", "#amazon-pay-address-book-"), ("tabindex", "-1")], None),
    node(8, "div", "amazon-pay-wallet", &[("id", "#amazon-pay-wallet-"), ("tabindex", "-1")], None),
    node(8, "p", "amazon-pay-hint", &[], Some(Text::ChooseAddressAndPayment)),
    node(8, "div", "amazon-pay-actions", &[], None),
    node(12, "button", "amazon-pay-place-order", &[BUTTON], Some(Text::PlaceOrder)),
    node(12, "button", "amazon-pay-sign-out", &[BUTTON], Some(Text::SignOut)),
    node(0, "div", "amazon-pay-next-step", &[HIDDEN], None),
    node(15, "p", "amazon-pay-decline-help", &[HIDDEN], Some(Text::PayAnotherWay)),
    node(15, "button", "amazon-pay-start-again", &[BUTTON, HIDDEN], Some(Text::StartAgain)),
    node(15, "span", "", &[HIDDEN], None),
    node(18, "button", "amazon-pay-sign-out", &[BUTTON], Some(Text::SignOut)),
    node(15, "button", "amazon-pay-try-again", &[BUTTON, HIDDEN], Some(Text::TryAgain)),
    node(15, "a", "amazon-pay-back-to-cart", &[], Some(Text::BackToCart)),
];
const LAYOUT: Layout = Layout { notice: 2, loading: 3, problem: 4, signin: 5, active: WIDGETS };
const WIDGETS: usize = 8;
const ADDRESS_BOOK: usize = 9;
const WALLET: usize = 10;
const HINT: usize = 11;
const PLACE: usize = 13;
const SIGN_OUT: usize = 14;
const NEXT: usize = 15;
const ANOTHER_WAY_HELP: usize = 16;
const START_AGAIN: usize = 17;
const ANOTHER_WAY_SIGN_OUT: usize = 18;
const SIGN_OUT_AGAIN: usize = 19;
const TRY_AGAIN: usize = 20;
const BACK_TO_CART: usize = 21;

/// The checkout on the page.
struct Payone {
    shell: Shell,
    me: Weak<Payone>,
    options: Cv1Options,
    /// The checkout's workorder, once the backend has it, and the order reference it already has.
    workorder_id: OnceCell<String>,
    existing: OnceCell<String>,
    /// The buyer's details as PAYONE read them, and the elements that show them.
    details: RefCell<Option<Cv1Details>>,
    details_shown: Cell<Option<Element>>,
    next_step: Cell<Option<NextStep>>,
    /// The authorization got no answer that decides it (it may have gone through): "Try again" asks about the
    /// same order; a new checkout would authorize a second time.
    undecided: Cell<bool>,
    idempotency_key: RefCell<String>,
    /// Only the newest read of the details counts: an address chosen twice quickly must not show the first.
    asked: Cell<u32>,
    /// The sentence of a refused read, taken back once a later read succeeds.
    refused: Cell<Option<String>>,
    /// What the last check of the selection depended on, and whether a check is due.
    depends_on: Cell<u8>,
    check_due: Cell<bool>,
}

impl Host for Payone {
    fn shell(&self) -> &Shell {
        &self.shell
    }

    fn show(&self) {
        if let Err(err) = widgets::bind_one_time(&self.shell, self.existing.get().map(String::as_str)) {
            self.shell.log(&err);
            self.shell.say(self.shell.t(Text::WidgetProblem));
        }
    }

    fn changed(&self, what: u8) {
        self.render();
        // One check for all the callbacks Amazon makes in one go.
        if what & self.depends_on.get() != 0 && !self.check_due.replace(true) {
            let me = self.me.clone();
            view::spawn(Box::pin(async move {
                if let Some(view) = me.upgrade() {
                    view.check_due.set(false);
                    view.check_selection();
                }
            }));
        }
    }

    fn clicked(&self) {
        self.place_order();
    }
}

impl Payone {
    /// Hint, "Place order" and the next step from the details, the last attempt and `busy`.
    fn render(&self) {
        let shell = &self.shell;
        let has_details = self.details.borrow().is_some();
        set_hidden(shell.el(HINT), has_details);
        let busy = shell.busy.get();
        let place = shell.el(PLACE);
        set_disabled(place, busy || !has_details);
        set_attr(place, "aria-busy", if busy { "true" } else { "false" });
        let step = self.next_step.get();
        let (restartable, another_way) = (step == Some(NextStep::StartAgain), step == Some(NextStep::PayAnotherWay));
        let undecided = self.undecided.get();
        set_hidden(shell.el(NEXT), !(restartable || another_way || undecided));
        set_hidden(shell.el(TRY_AGAIN), !undecided);
        set_hidden(shell.el(ANOTHER_WAY_HELP), !another_way);
        set_hidden(shell.el(START_AGAIN), !restartable);
        set_hidden(shell.el(ANOTHER_WAY_SIGN_OUT), !another_way);
        shell.show_problem();
    }

    /// Reads the buyer's details once address and payment are chosen, and again after every address change.
    /// A widget that rendered without a selection counts too: PAYONE then says what is missing (an account
    /// without an address: 987 here; without a payment method: 986 at the confirmation).
    fn check_selection(&self) {
        let shell = &self.shell;
        let sel = &shell.sel;
        let (address_chosen, payment_chosen) = (sel.address_chosen.get(), sel.payment_chosen.get());
        let address = address_chosen || sel.address_book_ready.get();
        let payment = payment_chosen || sel.wallet_ready.get();
        self.depends_on.set(read_depends_on(address_chosen, payment_chosen, address, payment));
        if !(address && payment) {
            return;
        }
        let workorder_id = self.workorder_id.get().cloned();
        let (Some(reference), Some(workorder_id), Some(access)) = (sel.reference(), workorder_id, shell.access_token()) else { return };
        let this = self.asked.get().wrapping_add(1);
        self.asked.set(this);
        let request = OrderReferenceRequest { amazon_order_reference_id: reference, access_token: access, language: shell.lang };
        let work = self.options.client.cv1_details(&workorder_id, &request);
        view::after(&self.me, work, move |view: &Payone, answer| {
            if view.asked.get() != this {
                return;
            }
            let shell = &view.shell;
            match answer {
                Ok(found) => {
                    view.show_details(Some(found));
                    if let Some(sentence) = view.refused.take() {
                        if shell.said() == sentence {
                            shell.say("");
                        }
                    }
                }
                Err(err) => {
                    shell.log(&err);
                    view.show_details(None);
                    let sentence = buyer_message(&err, shell.lang);
                    shell.say(&sentence);
                    view.refused.set(Some(sentence));
                    view.details_refused(&err);
                }
            }
        });
    }

    /// The buyer, the shipping address, the items and the total (replacing what was shown).
    fn show_details(&self, details: Option<Cv1Details>) {
        if let Some(old) = self.details_shown.take() {
            old.remove();
        }
        if let Some(d) = &details {
            let shown = details_view(d, self.shell.lang);
            crate::dom_calls::insert_before(self.shell.el(WIDGETS), &shown, Some(self.shell.el(HINT)));
            self.details_shown.set(Some(shown));
        }
        *self.details.borrow_mut() = details;
        self.render();
    }

    /// What the buyer does after PAYONE refused to read the order reference (`getorderreferencedetails`):
    /// sign in again when the Amazon session is gone; choose an address in the AddressBook after a soft
    /// decline, which that call gives only for a missing address (987 ShippingAddressNotSet).
    fn details_refused(&self, err: &ClientError) {
        match err.api_error().map(|e| e.code) {
            Some(ErrorCode::SessionExpired) => {
                self.next_step.set(Some(NextStep::StartAgain));
                self.render();
            }
            Some(ErrorCode::SoftDecline) => view::focus(self.shell.el(ADDRESS_BOOK)),
            _ => {}
        }
    }

    /// "Place order". PSD2: the confirmation flow first, synchronously in the click; the backend confirms the
    /// order reference inside it.
    fn place_order(&self) {
        let shell = &self.shell;
        if shell.busy.get() {
            return;
        }
        // What the confirmation needs of the details: the checkout and the order reference.
        let current = self.details.borrow().as_ref().map(|d| (d.workorder_id.clone(), d.amazon_order_reference_id.clone()));
        let (Some((workorder_id, reference)), Some(access)) = (current, shell.access_token()) else { return };
        shell.busy.set(true);
        self.next_step.set(None);
        shell.say(shell.t(Text::Placing));
        self.render();
        let me = self.me.clone();
        let confirmed_reference = reference.clone();
        let on_flow = move |flow: ConfirmationFlow| confirm(&me, workorder_id, confirmed_reference, access, flow);
        match off_amazon_payments::init_confirmation_flow(&shell.seller_id(), &reference, on_flow) {
            Ok(handle) => {
                let old = shell.rt.borrow_mut().confirmation.replace(handle);
                drop(old);
            }
            Err(err) => {
                shell.log(&err);
                shell.say(shell.t(Text::WidgetProblem));
                shell.busy.set(false);
                self.render();
            }
        }
    }

    /// The backend refused (or could not be reached): the cause to the console and an `error` event, the
    /// buyer's sentence in the notice.
    fn refused(&self, err: &ClientError) {
        self.shell.report(err);
        self.shell.say(&buyer_message(err, self.shell.lang));
    }

    /// A decline: the `declined` event, and PAYONE's sentence for the buyer.
    fn declined(&self, order_id: String, code: ErrorCode, message: String) {
        self.shell.emit(WidgetEvent::Declined { order_id, code: code.as_str().into(), message: message.clone() });
        self.shell.say(&message);
    }

    /// The order was not placed: a new idempotency key for the next attempt, and "Place order" again.
    fn ready_again(&self) {
        *self.idempotency_key.borrow_mut() = page::new_idempotency_key();
        self.shell.busy.set(false);
        self.render();
    }

    /// Leaves for the confirmation page of `order_id`.
    fn show_order(&self, order_id: &str) {
        page::replace_with(&with_order(&self.options.confirmation_url, order_id));
    }

    /// Tells Amazon's confirmation flow the shop's answer; Amazon only moves on after `success()`.
    fn tell(&self, flow: &ConfirmationFlow, success: bool) {
        if let Err(e) = if success { flow.success() } else { flow.error() } {
            self.shell.log(&e);
        }
    }

    /// The backend's answer to the confirmation, inside Amazon's confirmation flow.
    fn confirmed(&self, answer: Result<Cv1OrderResponse, ClientError>, flow: &ConfirmationFlow, reference: String) {
        let shell = &self.shell;
        let (order_id, outcome) = match answer {
            Ok(Cv1OrderResponse { order_id, outcome }) => (order_id, outcome),
            Err(err) => {
                self.tell(flow, false);
                self.refused(&err);
                self.details_refused(&err);
                self.ready_again();
                // The disabled "Place order" had dropped the focus: unless `details_refused` chose the next step
                // (the AddressBook, or starting again), "Place order" is it again.
                if !matches!(err.api_error().map(|e| e.code), Some(ErrorCode::SessionExpired | ErrorCode::SoftDecline)) {
                    view::focus(shell.el(PLACE));
                }
                return;
            }
        };
        match outcome {
            Cv1Outcome::Confirmed => {
                shell.emit(WidgetEvent::OrderPlaced { order_id });
                shell.say(shell.t(Text::RedirectingToAmazon));
                if let Some(id) = self.workorder_id.get() {
                    leaving(id);
                }
                // Amazon now runs MFA if needed and returns to the success or error URL.
                self.tell(flow, true);
            }
            Cv1Outcome::Declined { code, reason, message } => {
                self.tell(flow, false);
                self.declined(order_id, code, message);
                let step = step_after_confirm(code, reason.map(|r| r.next_step()));
                self.next_step.set(Some(step));
                // "Place order" was disabled while PAYONE answered, which dropped the keyboard focus to the page:
                // it goes to the buyer's next step, once `ready_again` has shown it.
                let next = match step {
                    NextStep::ChoosePayment => {
                        if let Err(e) = widgets::bind_wallet(shell, Some(&reference)) {
                            shell.log(&e);
                        }
                        WALLET
                    }
                    NextStep::ChooseAddress => ADDRESS_BOOK,
                    NextStep::StartAgain => {
                        shell.set_phase(Phase::Done);
                        START_AGAIN
                    }
                    NextStep::PayAnotherWay => {
                        shell.set_phase(Phase::Done);
                        SIGN_OUT_AGAIN
                    }
                };
                self.ready_again();
                view::focus(shell.el(next));
            }
            Cv1Outcome::AlreadyPlaced | Cv1Outcome::Approved | Cv1Outcome::Pending => {
                self.tell(flow, false);
                self.show_order(&order_id);
            }
        }
    }

    /// What the authorization led to, back on the success URL.
    fn finish(&self, answer: Result<Cv1OrderResponse, ClientError>) {
        let shell = &self.shell;
        let (order_id, outcome) = match answer {
            Ok(Cv1OrderResponse { order_id, outcome }) => (order_id, outcome),
            Err(err) => {
                self.refused(&err);
                // Undecided (PAYONE's answer lost, or the server's): this order again, not a new checkout.
                if undecided(&err).is_some() {
                    self.undecided.set(true);
                } else {
                    self.next_step.set(Some(NextStep::StartAgain));
                }
                shell.set_phase(Phase::Done);
                self.render();
                return;
            }
        };
        match outcome {
            Cv1Outcome::Declined { code, reason, message } => {
                self.declined(order_id, code, message);
                self.next_step.set(Some(step_after_authorization(reason.map(|r| r.next_step()))));
                shell.set_phase(Phase::Done);
                self.render();
            }
            // The confirmation page announces `approved`/`pending` (it follows the order on): once per order.
            _ => self.show_order(&order_id),
        }
    }
}

/// Confirms the order reference inside Amazon's confirmation flow (which Amazon has just opened).
fn confirm(me: &Weak<Payone>, workorder_id: String, reference: String, access_token: String, flow: ConfirmationFlow) {
    let Some(view) = me.upgrade() else {
        // Unmounted: nothing to confirm any more.
        let _ = flow.error();
        return;
    };
    let request = ConfirmRequest {
        amazon_order_reference_id: reference,
        access_token,
        idempotency_key: view.idempotency_key.borrow().clone(),
        return_path: current_path(),
        language: view.shell.lang,
    };
    let work = view.options.client.cv1_confirm(&workorder_id, &request);
    let me = me.clone();
    drop(view);
    view::spawn(Box::pin(async move {
        let answer = work.await;
        match me.upgrade() {
            Some(view) => view.confirmed(answer, &flow, request.amazon_order_reference_id),
            // Unmounted meanwhile: Amazon still has to hear the answer.
            None => {
                let confirmed = matches!(answer, Ok(Cv1OrderResponse { outcome: Cv1Outcome::Confirmed, .. }));
                let _ = if confirmed { flow.success() } else { flow.error() };
            }
        }
    }));
}

/// Writes the checkout into the address (`history.replaceState`) as the page leaves for Amazon's confirmation
/// flow, as given up: that is what the buyer's Back to this page means unless the order went through, and then
/// the checkout names its order and the page leaves for it. Without it a Back that loads `/cv1.html` again
/// started a new checkout and left the confirmed order waiting for the 24-hour sweep.
fn leaving(workorder_id: &str) {
    if let Some(window) = web_sys::window() {
        // From the path: a `<base href>` on the shop's page would resolve a relative `?…` elsewhere.
        let url = [&crate::dom_calls::pathname(&window.location()), "?workorderId=", workorder_id, "&result=abandoned"].concat();
        // Refused only for another origin's URL; this one is this page's own.
        let _ = crate::dom_calls::history(&window).replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The browser's Back from Amazon's pages (its MFA page, or the order's page after it) brought the page back
/// from its back/forward cache (`pageshow` with `persisted`) as it was left: "Amazon Pay is confirming your
/// payment…", "Place order" disabled. Nobody knows here whether the buyer finished at Amazon: the page loads
/// again at the address [`leaving`] wrote, which shows the checkout ("you did not finish", "Place order" gets
/// the same order and reopens Amazon's confirmation) or, when the order went through, leaves for its page.
fn restored(host: &dyn Host, event: &web_sys::Event) {
    if crate::dom_calls::persisted(event) && host.shell().busy.get() {
        load_again();
    }
}

/// Loads this page again at its address, in place of its history entry ("Try again" after an undecided
/// authorization too: this address asks about the same order).
fn load_again() {
    // From its path: `""` would be the shop page's `<base href>`, if it has one.
    if let Some(window) = web_sys::window() {
        let location = window.location();
        page::replace_with(&[crate::dom_calls::pathname(&location).as_str(), &crate::dom_calls::search(&location)].concat());
    }
}

/// The buyer's details: `<div class="amazon-pay-review-grid">` (buyer, shipping address), the items, the
/// delivery fee the total includes (if any) and the total, in one `<div>` to put before the hint (one element
/// to place and remove: a smaller wasm than a list of them).
fn details_view(d: &Cv1Details, lang: Language) -> Element {
    let t = |text: Text| text.get(lang);
    let holder = view::create("div");
    let grid = view::add(&holder, "div", "amazon-pay-review-grid", "");
    let buyer = view::add(&grid, "section", "", "");
    view::add(&buyer, "h3", "", t(Text::Buyer));
    let who = view::add(&buyer, "p", "", "");
    view::add(&who, "span", "amazon-pay-buyer-name", &d.buyer_name);
    view::add(&who, "br", "", "");
    view::add(&who, "span", "amazon-pay-buyer-email", &d.email);
    let shipping = view::add(&grid, "section", "", "");
    view::add(&shipping, "h3", "", t(Text::ShippingAddress));
    let address = view::add(&shipping, "address", "amazon-pay-address", "");
    each_address_line_with(&d.shipping_address, &country_name(&d.shipping_address, lang), |line| {
        view::add(&address, "span", "", line);
        view::add(&address, "br", "", "");
    });
    view::add(&holder, "h3", "", t(Text::Items));
    let list = view::add_item_list(&holder);
    for l in &d.items {
        view::add_item(&list, l.quantity, &l.name, l.unit_price, lang);
    }
    // The fee the total includes, else the lines would not add up to it.
    if let Some(fee) = d.delivery_fee {
        view::add_labelled(&holder, "amazon-pay-delivery-fee", t(Text::Delivery), &format_money(fee, lang));
    }
    view::add_labelled(&holder, "amazon-pay-total", t(Text::Total), &format_money(d.amount, lang));
    holder
}

/// This page's path: where Amazon's confirmation flow returns (the backend checks it is a path).
fn current_path() -> String {
    web_sys::window().map_or_else(|| "/".into(), |w| crate::dom_calls::pathname(&w.location()))
}

/// Appends the checkout to `parent` and starts (or resumes) it: the session, then the authorization after a
/// return from Amazon, or Amazon's button or widgets.
pub fn mount(parent: &Element, mut options: Cv1Options) -> Result<Mounted, JsValue> {
    // Taken out of the address bar now, before anything else can read or log the address.
    let (token, url_error) = signin::start_token();
    let returned = ReturnParams::parse(&page::current_search());
    let lang = options.language;
    let n = super::next_id();
    let els = view::build(SKELETON, lang, &n)?;
    set_attr(&els[BACK_TO_CART], "href", &options.cart_url);
    let parts = Parts {
        lang,
        els,
        layout: &LAYOUT,
        n,
        button_id: "amazon-pay-cv1-button-",
        // The shell keeps the link; the view never reads it again.
        way_out: core::mem::take(&mut options.cart_url),
        way_out_text: Text::BackToCart,
        token,
        style: options.button.clone(),
        timeout: options.script_timeout,
    };
    let view = Rc::new_cyclic(|me: &Weak<Payone>| Payone {
        shell: Shell::new(parts, me.clone()),
        me: me.clone(),
        options,
        workorder_id: OnceCell::new(),
        existing: OnceCell::new(),
        details: RefCell::new(None),
        details_shown: Cell::new(None),
        next_step: Cell::new(None),
        undecided: Cell::new(false),
        idempotency_key: RefCell::new(page::new_idempotency_key()),
        asked: Cell::new(0),
        refused: Cell::new(None),
        depends_on: Cell::new(read_depends_on(false, false, false, false)),
        check_due: Cell::new(false),
    });
    let shell = &view.shell;
    shell.sign_out_on(SIGN_OUT);
    shell.sign_out_on(SIGN_OUT_AGAIN);
    shell.on(shell.el(PLACE), "click", |host, _| host.clicked());
    shell.on(shell.el(START_AGAIN), "click", |_, _| signin::restart());
    // This address again: the page asks the backend about the same order, which asks PAYONE about the same attempt.
    shell.on(shell.el(TRY_AGAIN), "click", |_, _| load_again());
    if let Some(window) = web_sys::window() {
        shell.on(&window, "pageshow", restored);
    }
    if url_error.as_deref() == Some("access_denied") {
        shell.say(shell.t(Text::SignInCancelled));
    }
    view.render();
    crate::dom_calls::append(parent, &shell.root);
    view.begin(returned);
    let root = view.shell.root.clone();
    Ok(Mounted::new(root, Box::new(view)))
}

impl Payone {
    /// Starts (or resumes) the checkout: the session from the backend, then [`Payone::loaded`].
    fn begin(&self, returned: Option<ReturnParams>) {
        let (client, lang) = (&self.options.client, self.shell.lang);
        let work: core::pin::Pin<Box<dyn core::future::Future<Output = _>>> = match &returned {
            Some(r) => Box::pin(client.cv1_session(&r.workorder_id, lang)),
            None => Box::pin(client.create_cv1_session(&CreateCv1SessionRequest { items: self.options.items.clone(), language: lang })),
        };
        view::after(&self.me, work, move |view: &Payone, loaded| view.loaded(loaded, returned));
    }

    /// Authorizes after a successful return from Amazon, or shows the widgets or the button.
    fn loaded(&self, loaded: Result<Cv1Session, ClientError>, returned: Option<ReturnParams>) {
        let shell = &self.shell;
        let lang = shell.lang;
        let loaded = match loaded {
            Ok(s) => s,
            Err(err) => return shell.fail(&err, &buyer_message(&err, lang)),
        };
        // Set once: the session is read once per mount.
        let _ = self.workorder_id.set(loaded.workorder_id.clone());
        shell.emit(WidgetEvent::Ready { workorder_id: loaded.workorder_id.clone() });
        match returned.map(|r| (r.result, r.order_id)) {
            Some((Some(ReturnResult::Success), Some(order_id))) => {
                shell.say(shell.t(Text::Authorizing));
                let work = self.options.client.cv1_authorize(&order_id, &AuthorizeRequest { language: lang });
                return view::after(&self.me, work, |view: &Payone, answer| view.finish(answer));
            }
            Some((Some(ReturnResult::Abandoned), _)) => shell.say(shell.t(Text::Abandoned)),
            Some((Some(ReturnResult::Failed), _)) => shell.say(shell.t(Text::MfaFailed)),
            _ => {}
        }
        if let Some(order_id) = &loaded.order_id {
            // This checkout already has its order: show it rather than placing another.
            return self.show_order(order_id);
        }
        if let Some(existing) = loaded.amazon_order_reference_id {
            let _ = self.existing.set(existing);
        }
        shell::start(shell, loaded.widgets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_parameters_are_read_and_checked() {
        let r = ReturnParams::parse("?workorderId=WO123&order=OABC&result=abandoned&AuthenticationStatus=Abandoned").unwrap();
        assert_eq!((r.workorder_id.as_str(), r.order_id.as_deref(), r.result), ("WO123", Some("OABC"), Some(ReturnResult::Abandoned)));
        assert_eq!(ReturnParams::parse("?workorderId=WO1&result=weird").unwrap().result, None);
        assert_eq!(ReturnParams::parse("?workorderId=%3Cx%3E"), None);
        assert_eq!(ReturnParams::parse(""), None);
    }

    #[test]
    fn each_decline_leads_to_its_next_step() {
        assert_eq!(step_after_confirm(ErrorCode::SoftDecline, None), NextStep::ChoosePayment);
        assert_eq!(step_after_confirm(ErrorCode::HardDecline, None), NextStep::PayAnotherWay);
        assert_eq!(step_after_confirm(ErrorCode::SoftDecline, Some(NextStep::ChooseAddress)), NextStep::ChooseAddress);
        assert_eq!(step_after_authorization(Some(NextStep::ChoosePayment)), NextStep::StartAgain, "the order reference is confirmed");
        assert_eq!(step_after_authorization(Some(NextStep::PayAnotherWay)), NextStep::PayAnotherWay);
        assert_eq!(step_after_authorization(None), NextStep::StartAgain);
    }

    #[test]
    fn the_details_are_read_again_on_what_the_last_check_read() {
        use changed::*;
        let first = read_depends_on(false, false, false, false);
        assert_eq!(first & (ADDRESS_BOOK_READY | WALLET_READY | PAYMENT_CHOSEN), ADDRESS_BOOK_READY | WALLET_READY | PAYMENT_CHOSEN);
        assert_eq!(first & (REFERENCE | CONSENT | PROBLEM), 0);
        let chosen = read_depends_on(true, true, true, true);
        assert_eq!(chosen & (ADDRESS_BOOK_READY | WALLET_READY), 0, "a Wallet rendering again counts only through its selection");
        assert_ne!(chosen & REFERENCE, 0);
    }
}
