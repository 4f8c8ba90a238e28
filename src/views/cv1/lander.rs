//! The CheckoutChamp lander (seed 002): Amazon's button, sign-in, AddressBook and Wallet (and, recurring, the
//! Consent widget) in the widget's own elements, then Import Order through the backend.
//!
//! "Place order" is enabled only once an address and a payment method are chosen (recurring: and the buyer
//! consented). A declined payment method (`InvalidPaymentMethod`) is told in words with what to do, and the
//! Wallet is shown again. After the order the buyer goes on to the upsell page, if there is one; without one, a
//! pending order is followed here until Amazon decides (`crm_status`), and its outcome said; declined, with
//! "Order again".

use super::shell::{self, Host, Layout, Parts, Phase, Shell};
use super::signin::{self, buyer_message, ButtonStyle};
use super::widgets;
use crate::client::Client;
use crate::dom::{set_attr, set_disabled, set_hidden, set_text, Mounted};
use crate::events::WidgetEvent;
use crate::page;
use crate::prelude::*;
use crate::texts::Text;
use crate::views::common::format_money;
use crate::views::skeleton::{self as view, node, Node, BUTTON, HIDDEN, NONE};
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::checkoutchamp::{CampaignLine, CrmOrderState, CrmOrderStatus, CrmStatusRequest, ImportOrderRequest, ImportOrderResponse};
use amazon_pay_contract::routes::encode_segment;
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::{Cell, RefCell};
use core::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// How the lander is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct LanderOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// CheckoutChamp campaign products and quantities; CheckoutChamp prices them.
    pub products: Vec<CampaignLine>,
    /// A subscription: billing agreement, Consent widget, and its id sent as `amazonOrderId`.
    pub recurring: bool,
    /// Where the buyer goes after the order (`orderId` and `amazonOrderId` are appended); none: stay here.
    pub upsell_url: Option<String>,
    /// How Amazon's sign-in button looks.
    pub button: ButtonStyle,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
}

impl Default for LanderOptions {
    fn default() -> Self {
        LanderOptions {
            client: Client::default(),
            language: Language::default(),
            products: Vec::new(),
            recurring: false,
            upsell_url: None,
            button: ButtonStyle::default(),
            script_timeout: crate::interop::script_loader::DEFAULT_TIMEOUT,
        }
    }
}

/// `url` with the order's ids appended, for the upsell page.
fn upsell_link(url: &str, order_id: &str, amazon_order_id: &str) -> String {
    let separator = if crate::scan::has(url, b'?') { "&" } else { "?" };
    [url, separator, "orderId=", &encode_segment(order_id), "&amazonOrderId=", &encode_segment(amazon_order_id)].concat()
}

/// An order as CheckoutChamp priced it: number, lines, total (`<div class="amazon-pay-done">`).
pub(super) fn order_view(order: &ImportOrderResponse, lang: Language) -> Element {
    let done = view::create("div");
    done.set_class_name("amazon-pay-done");
    let _ = view::add_labelled(&done, "amazon-pay-order-number", Text::OrderNumber.get(lang), &order.order_id);
    let list = view::add_item_list(&done);
    for line in &order.items {
        view::add_item(&list, line.quantity, &line.name, line.price, lang);
    }
    let _ = view::add_labelled(&done, "amazon-pay-total", Text::Total.get(lang), &format_money(order.total, lang));
    done
}

/// The lander's elements: Amazon's button, then the widgets, the hint, the decline help and the actions.
pub(super) const SKELETON: &[Node] = &[
    node(NONE, "section", "amazon-pay-cv1 amazon-pay-lander", &[("aria-labelledby", "#amazon-pay-lander-title-")], None),
    node(0, "h2", "", &[("id", "#amazon-pay-lander-title-")], Some(Text::PayWithAmazon)),
    node(0, "p", "amazon-pay-notice", &[("role", "status"), ("aria-live", "polite")], None),
    node(0, "p", "amazon-pay-loading", &[("aria-busy", "true")], Some(Text::Loading)),
    node(0, "p", "amazon-pay-widget-problem", &[("role", "alert"), HIDDEN], None),
    node(0, "div", "amazon-pay-signin", &[HIDDEN], None),
    node(5, "p", "", &[], Some(Text::SignInHint)),
    node(5, "div", "amazon-pay-cv1-button", &[("id", "#amazon-pay-lander-button-")], None),
    node(0, "div", "amazon-pay-widgets", &[HIDDEN], None),
    node(8, "div", "amazon-pay-address-book", &[("id", "#amazon-pay-address-book-")], None),
    node(8, "div", "amazon-pay-wallet", &[("id", "#amazon-pay-wallet-"), ("tabindex", "-1")], None),
    node(8, "div", "amazon-pay-consent", &[("id", "#amazon-pay-consent-"), ("tabindex", "-1")], None),
    node(8, "p", "amazon-pay-hint", &[], None),
    node(8, "p", "amazon-pay-decline-help", &[HIDDEN], Some(Text::CheckAmazonWallet)),
    node(8, "p", "amazon-pay-decline-help", &[HIDDEN], Some(Text::PayAnotherWay)),
    node(8, "div", "amazon-pay-actions", &[], None),
    node(15, "button", "amazon-pay-place-order", &[BUTTON], Some(Text::PlaceOrder)),
    node(15, "button", "amazon-pay-sign-out", &[BUTTON], Some(Text::SignOut)),
    node(0, "button", "amazon-pay-order-again amazon-pay-start-again", &[BUTTON, HIDDEN], Some(Text::OrderAgain)),
];
const LAYOUT: Layout = Layout { notice: 2, loading: 3, problem: 4, signin: 5, active: 8 };
const WALLET: usize = 10;
const CONSENT: usize = 11;
const HINT: usize = 12;
const SOFT_HELP: usize = 13;
const HARD_HELP: usize = 14;
const PLACE: usize = 16;
const SIGN_OUT: usize = 17;
const ORDER_AGAIN: usize = 18;

/// The lander on the page.
struct Lander {
    shell: Shell,
    me: Weak<Lander>,
    /// What the view needs of its options after `mount` (the rest went into the shell).
    client: Client,
    products: Vec<CampaignLine>,
    recurring: bool,
    upsell_url: Option<String>,
    /// The decline of the last attempt, if any.
    decline: Cell<Option<ErrorCode>>,
    /// One "Place order" intent; a new one after a decline.
    idempotency_key: RefCell<String>,
}

impl Host for Lander {
    fn shell(&self) -> &Shell {
        &self.shell
    }

    fn show(&self) {
        let bound = if self.recurring { widgets::bind_recurring(&self.shell) } else { widgets::bind_one_time(&self.shell, None) };
        if let Err(err) = bound {
            self.shell.log(&err);
            self.shell.say(self.shell.t(Text::WidgetProblem));
        }
    }

    fn changed(&self, _: u8) {
        self.render();
    }

    fn clicked(&self) {
        self.place_order();
    }
}

impl Lander {
    /// Hint, decline help and "Place order" from the selection and the last attempt.
    fn render(&self) {
        let (shell, recurring) = (&self.shell, self.recurring);
        let sel = &shell.sel;
        let complete = sel.complete(recurring);
        let hint = shell.el(HINT);
        set_hidden(hint, complete);
        let consent_missing = recurring && sel.address_chosen.get() && sel.payment_chosen.get();
        set_text(hint, shell.t(if consent_missing { Text::ConsentNeeded } else { Text::ChooseAddressAndPayment }));
        let decline = self.decline.get();
        set_hidden(shell.el(SOFT_HELP), decline != Some(ErrorCode::SoftDecline));
        set_hidden(shell.el(HARD_HELP), decline != Some(ErrorCode::HardDecline));
        let place = shell.el(PLACE);
        set_hidden(place, decline == Some(ErrorCode::HardDecline));
        let busy = shell.busy.get();
        set_disabled(place, busy || !complete);
        set_attr(place, "aria-busy", if busy { "true" } else { "false" });
        shell.show_problem();
    }

    /// "Place order": Import Order with the buyer's token and order reference (or billing agreement).
    fn place_order(&self) {
        let shell = &self.shell;
        if shell.busy.get() || !shell.sel.complete(self.recurring) {
            return;
        }
        let (Some(access), Some(amazon_order_id)) = (shell.access_token(), shell.sel.reference()) else { return };
        shell.busy.set(true);
        self.decline.set(None);
        shell.say(shell.t(Text::Placing));
        self.render();
        let request = ImportOrderRequest {
            access_token: access,
            amazon_order_id,
            items: self.products.clone(),
            recurring: self.recurring,
            idempotency_key: self.idempotency_key.borrow().clone(),
            language: shell.lang,
        };
        let work = self.client.import_checkoutchamp_order(&request);
        let amazon_order_id = request.amazon_order_id;
        view::after(&self.me, work, move |view: &Lander, answer| match answer {
            Ok(placed) => view.placed(placed, &amazon_order_id),
            Err(err) => view.refused(&err, amazon_order_id),
        });
    }

    fn placed(&self, placed: ImportOrderResponse, amazon_order_id: &str) {
        let shell = &self.shell;
        let id = placed.order_id.clone();
        shell.emit(WidgetEvent::OrderPlaced { order_id: id.clone() });
        let pending = placed.status == CrmOrderStatus::Pending;
        shell.emit(if pending { WidgetEvent::Pending { order_id: id.clone() } } else { WidgetEvent::Approved { order_id: id.clone() } });
        shell.say(shell.t(if pending { Text::CrmPending } else { Text::Approved }));
        shell.show_result(&order_view(&placed, shell.lang));
        shell.set_phase(Phase::Done);
        if let Some(url) = &self.upsell_url {
            // The upsell page follows a pending order from there.
            page::navigate(&upsell_link(url, &id, amazon_order_id));
        } else if let (true, Some(access_token)) = (pending, shell.access_token()) {
            let request = CrmStatusRequest { access_token, order_id: id, language: shell.lang };
            super::crm_status::follow(&self.me, self.client.clone(), request, true, Lander::decided, Some(Lander::late));
        }
    }

    /// Amazon decided the pending order: paid is said as an order paid at once is, declined with what the buyer
    /// can do and "Order again" (the order reference is used up: a new order, with another payment method).
    /// Announced once: the follower stops at the first decided status.
    fn decided(&self, state: CrmOrderState, _was_pending: bool) {
        let shell = &self.shell;
        let order_id = state.order_id;
        match state.status {
            CrmOrderStatus::Complete => {
                shell.emit(WidgetEvent::Approved { order_id });
                shell.say(shell.t(Text::Approved));
            }
            CrmOrderStatus::Declined => {
                let message = shell.t(Text::CrmDeclined);
                shell.emit(WidgetEvent::Declined { order_id, code: "declined".into(), message: message.into() });
                shell.say(message);
                let again = shell.el(ORDER_AGAIN);
                set_hidden(again, false);
                view::focus(again);
            }
            // Cancelled or refunded by the shop, or a lead: nothing the buyer's page can tell better.
            CrmOrderStatus::Pending | CrmOrderStatus::Partial | CrmOrderStatus::Other => {}
        }
        set_attr(&shell.root, "data-order-status", state.status.as_str());
    }

    /// The page stopped following the order undecided (its deadline, or the token expired): its sentence
    /// ("this page shows the outcome") would no longer be true.
    fn late(&self) {
        self.shell.say(self.shell.t(Text::CrmTakingLong));
    }

    /// A refused Import Order. CheckoutChamp makes no order of a declined payment, so the id a `declined` event
    /// carries is the attempt's own: Amazon's order reference (`S02-…`) or billing agreement (`B02-…`), the
    /// `amazonOrderId` CheckoutChamp was sent and the shop finds in Seller Central.
    fn refused(&self, err: &crate::client::ClientError, amazon_order_id: String) {
        let shell = &self.shell;
        let code = shell.refused(err, &amazon_order_id);
        self.decline.set(code);
        // Another attempt is another intent.
        *self.idempotency_key.borrow_mut() = page::new_idempotency_key();
        match code {
            Some(ErrorCode::SoftDecline) => {
                // The Wallet again, so the buyer can pick another payment method.
                if let Err(e) = widgets::bind_wallet(shell, Some(&amazon_order_id)) {
                    shell.log(&e);
                }
                view::focus(shell.el(WALLET));
            }
            Some(ErrorCode::ConsentRequired) => {
                shell.sel.consent.set(Some(false));
                view::focus(shell.el(CONSENT));
            }
            _ => {}
        }
        shell.busy.set(false);
        self.render();
        // "Place order" was disabled while CheckoutChamp answered, which dropped the keyboard focus to the page:
        // after a hard decline (no "Place order" any more) it goes to signing out, after a failure to "Place order".
        match code {
            Some(ErrorCode::SoftDecline | ErrorCode::ConsentRequired) => {}
            Some(ErrorCode::HardDecline) => view::focus(shell.el(SIGN_OUT)),
            _ => view::focus(shell.el(PLACE)),
        }
    }
}

/// Appends the lander to `parent` and starts it (`Widgets.js`, Amazon's button or the widgets).
pub fn mount(parent: &Element, options: LanderOptions) -> Result<Mounted, JsValue> {
    // Taken out of the address bar now, before anything else can read or log the address.
    let (token, url_error) = signin::start_token();
    let LanderOptions { client, language: lang, products, recurring, upsell_url, button, script_timeout } = options;
    let n = super::next_id();
    let els = view::build(SKELETON, lang, &n)?;
    set_hidden(&els[CONSENT], !recurring);
    let parts = Parts {
        lang,
        els,
        layout: &LAYOUT,
        n,
        button_id: "amazon-pay-lander-button-",
        way_out: "/".into(),
        way_out_text: Text::BackToCart,
        token,
        style: button,
        timeout: script_timeout,
    };
    let view = Rc::new_cyclic(|me: &Weak<Lander>| Lander {
        shell: Shell::new(parts, me.clone()),
        me: me.clone(),
        client,
        products,
        recurring,
        upsell_url,
        decline: Cell::new(None),
        idempotency_key: RefCell::new(page::new_idempotency_key()),
    });
    let shell = &view.shell;
    shell.sign_out_on(SIGN_OUT);
    shell.on(shell.el(PLACE), "click", |host, _| host.clicked());
    // "Order again" after a declined order: the page again, so the widgets make a new order reference (the
    // declined one is used up) and the view a new idempotency key; the buyer stays signed in (the token is
    // kept for the tab, `token.rs`).
    shell.on(shell.el(ORDER_AGAIN), "click", |_, _| page::reload());
    if url_error.as_deref() == Some("access_denied") {
        shell.say(shell.t(Text::SignInCancelled));
    }
    view.render();
    crate::dom_calls::append(parent, &shell.root);

    view::after(&view.me, view.client.cv1_widgets(), |view: &Lander, config| match config {
        Ok(config) => shell::start(&view.shell, config),
        Err(err) => view.shell.fail(&err, &buyer_message(&err, view.shell.lang)),
    });
    let root = view.shell.root.clone();
    Ok(Mounted::new(root, Box::new(view)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsell_link_carries_both_ids() {
        assert_eq!(upsell_link("/upsell.html", "ORD1", "S02-1234567-7654321"), "/upsell.html?orderId=ORD1&amazonOrderId=S02-1234567-7654321");
        assert_eq!(upsell_link("/u?x=1", "A B", "B02-1"), "/u?x=1&orderId=A%20B&amazonOrderId=B02-1");
    }
}
