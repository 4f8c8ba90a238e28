//! The CheckoutChamp upsell page: repeats Amazon's widgets (read-only, on the order's own order reference or
//! billing agreement, so the buyer sees what pays) and sends Import Upsale through the backend.
//!
//! The page reads `orderId` (CheckoutChamp's) and `amazonOrderId` from its address, as the lander links it.
//! The buyer's token comes from the lander's sign-in in this tab; without it, Amazon's button signs in again.
//! Signed in, the page follows the order while Amazon decides it (`crm_status`): declined, the offer is
//! withdrawn and the buyer told what to do; paid after pending, told so.

use super::lander::order_view;
use super::shell::{self, Host, Layout, Parts, Phase, Shell};
use super::signin::{self, buyer_message, ButtonStyle};
use super::widgets;
use crate::client::Client;
use crate::dom::{set_attr, set_disabled, set_hidden, set_text, Mounted};
use crate::events::WidgetEvent;
use crate::page::{self, query_value};
use crate::prelude::*;
use crate::texts::Text;
use crate::views::skeleton::{self as view, node, Node, BUTTON, HIDDEN, NONE};
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::checkoutchamp::{CampaignLine, CrmOrderState, CrmOrderStatus, CrmStatusRequest, ImportOrderResponse, ImportUpsaleRequest};
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::Cell;
use core::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// How the upsell page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsellOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// The campaign product offered, and how many; CheckoutChamp prices it.
    pub product: CampaignLine,
    /// Where "No, thanks" (labelled "Continue" once a decline has ended the offer) and "Continue" lead (the next
    /// page of the funnel).
    pub thank_you_url: String,
    /// How Amazon's sign-in button looks.
    pub button: ButtonStyle,
    /// How long to wait for Amazon's script before saying it failed.
    pub script_timeout: Duration,
}

impl Default for UpsellOptions {
    fn default() -> Self {
        UpsellOptions {
            client: Client::default(),
            language: Language::default(),
            product: CampaignLine { product_id: 0, quantity: 1 },
            thank_you_url: "/".into(),
            button: ButtonStyle::default(),
            script_timeout: crate::interop::script_loader::DEFAULT_TIMEOUT,
        }
    }
}

/// The ids the lander put in the address: CheckoutChamp's order and Amazon's order reference (both checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsellParams {
    /// CheckoutChamp's order the upsell is added to.
    pub order_id: String,
    /// Amazon's order reference (or billing agreement) of that order.
    pub amazon_order_id: Option<String>,
}

/// `S02-1234567-1234567` or `B02-…`, as the widgets give them. Checked in bytes: a `str` slice could panic,
/// and its panic message alone brings 3 KB of `core` (`slice_error_fail`, `char`'s `Debug`) into the wasm.
fn is_amazon_id(id: &str) -> bool {
    let id = id.as_bytes();
    let digit = |i: usize| id[i].is_ascii_digit();
    id.len() == 19 && id[0].is_ascii_uppercase() && id[3] == b'-' && id[11] == b'-' && (1..19).all(|i| i == 3 || i == 11 || digit(i))
}

impl UpsellParams {
    /// `None` without a well-formed `orderId`; a malformed `amazonOrderId` is left out.
    pub fn parse(search: &str) -> Option<UpsellParams> {
        let get = |name: &str| query_value(search, name);
        let order_id = get("orderId").filter(|id| page::is_id(id))?;
        Some(UpsellParams { order_id, amazon_order_id: get("amazonOrderId").filter(|id| is_amazon_id(id)) })
    }
}

/// The upsell page's elements: Amazon's button, then the offer with the order's widgets (read-only).
pub(super) const SKELETON: &[Node] = &[
    node(NONE, "section", "amazon-pay-cv1 amazon-pay-upsell", &[], None),
    node(0, "p", "amazon-pay-notice", &[("role", "status"), ("aria-live", "polite")], None),
    node(0, "p", "amazon-pay-loading", &[("aria-busy", "true")], Some(Text::Loading)),
    node(0, "p", "amazon-pay-widget-problem", &[("role", "alert"), HIDDEN], None),
    node(0, "div", "amazon-pay-signin", &[HIDDEN], None),
    node(4, "p", "", &[], Some(Text::SignInHint)),
    node(4, "div", "amazon-pay-cv1-button", &[("id", "#amazon-pay-upsell-button-")], None),
    node(0, "div", "amazon-pay-offer", &[HIDDEN], None),
    node(7, "p", "", &[], Some(Text::UpsellChargedTo)),
    node(7, "div", "amazon-pay-address-book", &[("id", "#amazon-pay-address-book-")], None),
    node(7, "div", "amazon-pay-wallet", &[("id", "#amazon-pay-wallet-")], None),
    node(7, "div", "amazon-pay-actions", &[], None),
    node(11, "button", "amazon-pay-upsell-add", &[BUTTON, ("aria-busy", "false")], Some(Text::UpsellAdd)),
    node(11, "a", "amazon-pay-upsell-decline", &[], Some(Text::UpsellNoThanks)),
    // The way on once the product is added, placed then.
    node(NONE, "a", "amazon-pay-continue", &[("id", "#amazon-pay-upsell-continue-")], Some(Text::Continue)),
];
const LAYOUT: Layout = Layout { notice: 1, loading: 2, problem: 3, signin: 4, active: 7 };
const ADD: usize = 12;
const NO_THANKS: usize = 13;
const CONTINUE: usize = 14;

/// The upsell page on the page.
struct Upsell {
    shell: Shell,
    me: Weak<Upsell>,
    /// What the view needs of its options after `mount` (the rest went into the shell).
    client: Client,
    product: CampaignLine,
    params: Option<UpsellParams>,
    /// One key a page: every press of "Yes, add it" is the same upsale (see `add`).
    idempotency_key: String,
    /// Whether the order's status is being (or was) followed: once a page, from the first sign-in.
    following: Cell<bool>,
}

impl Host for Upsell {
    fn shell(&self) -> &Shell {
        &self.shell
    }

    /// The order's own reference, read-only: the buyer sees what pays for the upsell. Signed in, the order's
    /// status is followed (its token is the buyer's proof).
    fn show(&self) {
        if let Some(id) = self.params.as_ref().and_then(|p| p.amazon_order_id.clone()) {
            if let Err(err) = widgets::bind_read(&self.shell, id) {
                self.shell.log(&err);
            }
        }
        if let (false, Some(params), Some(access_token)) = (self.following.get(), self.params.as_ref(), self.shell.access_token()) {
            self.following.set(true);
            let request = CrmStatusRequest { access_token, order_id: params.order_id.clone(), language: self.shell.lang };
            super::crm_status::follow(&self.me, self.client.clone(), request, false, Upsell::decided, None);
        }
    }

    fn changed(&self, _: u8) {
        self.shell.show_problem();
    }

    fn clicked(&self) {
        self.add();
    }
}

impl Upsell {
    fn set_busy(&self, busy: bool) {
        self.shell.busy.set(busy);
        let add = self.shell.el(ADD);
        set_disabled(add, busy);
        set_attr(add, "aria-busy", if busy { "true" } else { "false" });
    }

    /// "Yes, add it to my order": Import Upsale on the lander's order.
    fn add(&self) {
        let shell = &self.shell;
        if shell.busy.get() {
            return;
        }
        let (Some(access), Some(params)) = (shell.access_token(), self.params.as_ref()) else { return };
        self.set_busy(true);
        shell.say(shell.t(Text::UpsellAdding));
        let request = ImportUpsaleRequest {
            access_token: access,
            order_id: params.order_id.clone(),
            product_id: self.product.product_id,
            quantity: self.product.quantity,
            idempotency_key: self.idempotency_key.clone(),
            language: shell.lang,
        };
        view::after(&self.me, self.client.import_checkoutchamp_upsale(&request), |view: &Upsell, answer| match answer {
            Ok(updated) => view.added(&updated),
            Err(err) => {
                // A decline names the lander's order the upsell was for (the page's `orderId`).
                let order_id = view.params.as_ref().map(|p| p.order_id.as_str()).unwrap_or_default();
                // The key is kept: after a failure that decided nothing (no answer in time), the next press must be
                // the same upsale, which the server asks CheckoutChamp about before sending it again; a new key
                // would be refused while it is undecided. A decline ends the offer, so no press follows it.
                let code = view.shell.refused(&err, order_id);
                // Any decline ends the offer: a soft one (InvalidPaymentMethod) asks for another payment method,
                // which the read-only Wallet here cannot give, so a retry would charge the same one again.
                if matches!(code, Some(ErrorCode::SoftDecline | ErrorCode::HardDecline)) {
                    view.refused_for_good();
                } else {
                    // A failure (a timeout, the network) decided nothing: trying again may work.
                    view.set_busy(false);
                }
            }
        });
    }

    /// A decline: the same instrument (the Wallet here is read-only) would be declined again, so "Yes, add
    /// it" stays disabled (and `busy`, which `add` checks) and the buyer is sent on. The offer is over, so the
    /// link says where it goes ("Continue", to `thank_you_url`), not "No, thanks" to an offer no longer made.
    fn refused_for_good(&self) {
        let add = self.shell.el(ADD);
        set_disabled(add, true);
        set_attr(add, "aria-busy", "false");
        let onward = self.shell.el(NO_THANKS);
        set_text(onward, self.shell.t(Text::Continue));
        view::focus(onward);
    }

    /// Amazon decided the lander's order. Declined: nothing can be added to an order never paid, so the offer is
    /// withdrawn ("Yes, add it" hidden, the way on reads "Continue") and the buyer told why, with no "order again"
    /// the page does not offer. Paid after the page saw it pending: told so, the offer stands. Paid already at the
    /// first read: nothing to say.
    fn decided(&self, state: CrmOrderState, was_pending: bool) {
        let shell = &self.shell;
        match state.status {
            CrmOrderStatus::Declined => {
                shell.busy.set(true);
                self.refused_for_good();
                set_hidden(shell.el(ADD), true);
                let message = shell.t(Text::UpsellOrderDeclined);
                shell.emit(WidgetEvent::Declined { order_id: state.order_id, code: "declined".into(), message: message.into() });
                shell.say(message);
            }
            CrmOrderStatus::Complete if was_pending => {
                shell.emit(WidgetEvent::Approved { order_id: state.order_id });
                shell.say(shell.t(Text::Approved));
            }
            _ => {}
        }
        set_attr(&shell.root, "data-order-status", state.status.as_str());
    }

    /// The order as it is now, and the way on.
    fn added(&self, updated: &ImportOrderResponse) {
        let shell = &self.shell;
        shell.emit(WidgetEvent::UpsellAdded { order_id: updated.order_id.clone() });
        shell.say(shell.t(Text::UpsellAdded));
        shell.show_result(&order_view(updated, shell.lang));
        let next = shell.el(CONTINUE);
        shell.show_result(next);
        shell.set_phase(Phase::Done);
        view::focus(next);
    }
}

/// Appends the upsell offer to `parent` and starts it (the lander's ids from the address, `Widgets.js`).
pub fn mount(parent: &Element, options: UpsellOptions) -> Result<Mounted, JsValue> {
    // Taken out of the address bar now, before anything else can read or log the address.
    let (token, _) = signin::start_token();
    let params = UpsellParams::parse(&page::current_search());
    let UpsellOptions { client, language: lang, product, thank_you_url, button, script_timeout } = options;
    let n = super::next_id();
    let els = view::build(SKELETON, lang, &n)?;
    for link in [NO_THANKS, CONTINUE] {
        set_attr(&els[link], "href", &thank_you_url);
    }
    let parts = Parts {
        lang,
        els,
        layout: &LAYOUT,
        n,
        button_id: "amazon-pay-upsell-button-",
        way_out: thank_you_url,
        way_out_text: Text::Continue,
        token,
        style: button,
        timeout: script_timeout,
    };
    let view = Rc::new_cyclic(|me: &Weak<Upsell>| Upsell {
        shell: Shell::new(parts, me.clone()),
        me: me.clone(),
        client,
        product,
        params,
        idempotency_key: page::new_idempotency_key(),
        following: Cell::new(false),
    });
    view.shell.on(view.shell.el(ADD), "click", |host, _| host.clicked());
    crate::dom_calls::append(parent, &view.shell.root);

    // Without the lander's order there is nothing to offer and nothing to ask the backend (a broken link sends no
    // request); that is told once `mount` has returned (the page may listen on the widget's element only then),
    // like any other failure: `after` runs its answer in a later microtask even when nothing is awaited.
    if view.params.is_none() {
        view::after(&view.me, async {}, |view: &Upsell, ()| view.shell.fail(&"no valid orderId in the address", view.shell.t(Text::MissingOrder)));
    } else {
        view::after(&view.me, view.client.cv1_widgets(), |view: &Upsell, config| match config {
            Ok(config) => shell::start(&view.shell, config),
            Err(err) => view.shell.fail(&err, &buyer_message(&err, view.shell.lang)),
        });
    }
    let root = view.shell.root.clone();
    Ok(Mounted::new(root, Box::new(view)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lander_s_parameters() {
        let p = UpsellParams::parse("?orderId=ABC123&amazonOrderId=S02-1234567-7654321").unwrap();
        assert_eq!((p.order_id.as_str(), p.amazon_order_id.as_deref()), ("ABC123", Some("S02-1234567-7654321")));
        let p = UpsellParams::parse("?orderId=ABC123&amazonOrderId=%3Cscript%3E").unwrap();
        assert_eq!(p.amazon_order_id, None, "a tampered id is left out");
        assert_eq!(UpsellParams::parse("?orderId=../x"), None);
        assert_eq!(UpsellParams::parse(""), None);
    }

    #[test]
    fn amazon_ids_are_a_letter_two_digits_and_two_groups_of_seven() {
        assert!(is_amazon_id("S02-1234567-7654321"));
        assert!(is_amazon_id("B02-0000000-0000000"));
        for bad in [
            "",
            "s02-1234567-7654321",
            "S02-1234567-765432",
            "S02-1234567-76543210",
            "S0212345677654321xx",
            "S02-123456--7654321",
            "SX2-1234567-7654321",
            "S02-1234567-765432é",
            "S02-1234567-7654321-",
        ] {
            assert!(!is_amazon_id(bad), "{bad}");
        }
    }
}
