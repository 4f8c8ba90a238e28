//! The confirmation page: follows the order's status until Amazon has decided (or a deadline passes), and an
//! order given up as `abandoned` a while longer, since PAYONE or Amazon may still move it.

use super::common::{decline_reason, labelled, live_region};
use crate::client::Client;
use crate::dom::{el, set_attr, set_hidden, set_text, Mounted};
use crate::events::{emit, WidgetEvent};
use crate::interop::timers::sleep;
use crate::page;
use crate::prelude::*;
use crate::texts::Text;
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::orders::{BuyerPayment, OrderState, OrderStatus};
use amazon_pay_contract::{ErrorCode, Language};
use core::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// How the confirmation page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmationOptions {
    /// The backend the view talks to.
    pub client: Client,
    /// The buyer-facing texts' language.
    pub language: Language,
    /// Where "Back to cart" leads.
    pub cart_url: String,
    /// First wait between two status reads; it grows to four times that.
    pub poll_interval: Duration,
    /// When to stop following a pending order and say so; an `abandoned` order is followed, quietly, as long.
    pub deadline: Duration,
}

impl Default for ConfirmationOptions {
    fn default() -> Self {
        ConfirmationOptions {
            client: Client::default(),
            language: Language::default(),
            cart_url: "/".into(),
            poll_interval: Duration::from_millis(500),
            deadline: Duration::from_secs(120),
        }
    }
}

/// What the buyer reads for an order in `status`: what the shop did with the money since (a cancel, a refund,
/// the charge) when it did something, else the provider's state.
fn sentence(status: &OrderStatus, lang: Language) -> String {
    if let Some(payment) = status.payment {
        return match payment {
            BuyerPayment::Charged => Text::Paid,
            BuyerPayment::Cancelled => Text::OrderCancelled,
            BuyerPayment::PartlyRefunded => Text::OrderPartlyRefunded,
            BuyerPayment::Refunded => Text::OrderRefunded,
        }
        .get(lang)
        .into();
    }
    match status.state {
        OrderState::Approved => Text::Approved.get(lang).into(),
        OrderState::Paid => Text::Paid.get(lang).into(),
        OrderState::Pending | OrderState::Placing | OrderState::Redirected => Text::Pending.get(lang).into(),
        // A later `failed` names its reason as a decline at placing does (PAYONE's reasoncode).
        OrderState::Failed => reason(status, lang).unwrap_or_else(|| Text::Failed.get(lang).into()),
        // All PAYONE's error URL tells (MFA abandoned or a decline alike): nothing more than is known.
        OrderState::Abandoned => Text::NotCompleted.get(lang).into(),
        OrderState::Declined | OrderState::UpstreamFailed => {
            reason(status, lang).unwrap_or_else(|| ErrorCode::UpstreamError.buyer_message(lang).into())
        }
    }
}

/// The reason the review page also shows ([`decline_reason`]), else the decline code's own sentence (a server
/// that sends the code alone).
fn reason(status: &OrderStatus, lang: Language) -> Option<String> {
    decline_reason(status).map(Into::into).or_else(|| status.decline.map(|code| code.buyer_message(lang).into()))
}

/// What the page does after showing a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Nothing is decided yet: read again, and past the deadline say that it takes long.
    Follow,
    /// The buyer has read the outcome, but the provider may still move it: read again until the deadline, and
    /// then stop without a word (nothing is being decided, so "taking long" would be wrong).
    Watch,
    /// Nothing more will happen by itself.
    Stop,
}

/// What follows `status`. `abandoned` is the server's conclusion (the buyer came back through the error URL, or
/// never came back), not the provider's: a later `appointed`/`paid` (money moved) or `failed` (with its reason)
/// still moves it, though the server calls it settled. Unless the shop has since cancelled it.
fn next(status: &OrderStatus) -> Next {
    if status.state == OrderState::Abandoned && status.payment.is_none() {
        Next::Watch
    } else if status.settled {
        Next::Stop
    } else {
        Next::Follow
    }
}

/// What the buyer reads when the deadline passes with the order still in state `last`. Still `redirected`:
/// Amazon has no confirmation from the buyer (who may have left its MFA page with Back), so nothing is
/// being decided and no e-mail is coming; the way on is the checkout page, which offers to continue.
fn past_deadline(last: Option<OrderState>) -> Text {
    match last {
        Some(OrderState::Redirected) => Text::NotConfirmedYet,
        _ => Text::TakingLong,
    }
}

/// The event an order's state is announced with, if any. An order the shop cancelled or refunded in full is
/// announced with none: its page must not tell the shop's script "approved" again.
fn event_for(status: &OrderStatus, lang: Language) -> Option<WidgetEvent> {
    if matches!(status.payment, Some(BuyerPayment::Cancelled | BuyerPayment::Refunded)) {
        return None;
    }
    let order_id = status.order_id.clone();
    Some(match status.state {
        OrderState::Approved => WidgetEvent::Approved { order_id },
        OrderState::Paid => WidgetEvent::Paid { order_id },
        OrderState::Pending => WidgetEvent::Pending { order_id },
        OrderState::Failed | OrderState::Declined | OrderState::Abandoned => {
            WidgetEvent::Declined { order_id, code: status.state.as_str().into(), message: sentence(status, lang) }
        }
        OrderState::Placing | OrderState::Redirected | OrderState::UpstreamFailed => return None,
    })
}

/// Whether this tab has not announced `state` of `order_id` yet; remembers that it has now (`sessionStorage`,
/// `amazonPay.announced.<order>`). The buyer's Back to this page, a reload, or the CV1 page sending the buyer
/// here again shows the order again without telling the shop's script a second `approved` (a conversion counted
/// twice). Without `sessionStorage` every visit announces.
fn first_in_tab(order_id: &str, state: OrderState) -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return true };
    let key = ["amazonPay.announced.", order_id].concat();
    if storage.get_item(&key).ok().flatten().as_deref() == Some(state.as_str()) {
        return false;
    }
    let _ = storage.set_item(&key, state.as_str());
    true
}

/// The page's elements.
struct Confirmation {
    lang: Language,
    root: Element,
    /// `data-state` is the order's state (`loading` until known); the text is the buyer's sentence.
    state: Element,
    number: Element,
    number_value: Element,
    back: Element,
}

impl Confirmation {
    fn show(&self, status: &OrderStatus) {
        set_attr(&self.state, "data-state", status.state.as_str());
        set_attr(&self.state, "data-payment", status.payment.map_or("", BuyerPayment::as_str));
        set_text(&self.state, &sentence(status, self.lang));
        set_text(&self.number_value, &status.order_id);
        set_hidden(&self.number, false);
        let over = matches!(status.payment, Some(BuyerPayment::Cancelled | BuyerPayment::Refunded));
        set_hidden(&self.back, !over && !matches!(status.state, OrderState::Failed | OrderState::Declined | OrderState::Abandoned));
    }

    /// A sentence that ends the page's work; `failed` offers the way back to the cart.
    fn stop(&self, text: Text, failed: bool) {
        set_text(&self.state, text.get(self.lang));
        if failed {
            set_hidden(&self.back, false);
        }
    }
}

/// Appends the status page to `parent` and starts following the order of `?order=` in the address.
pub fn mount(parent: &Element, options: ConfirmationOptions) -> Result<Mounted, JsValue> {
    let lang = options.language;
    let state = live_region("amazon-pay-order-state")?.attr("data-state", "loading").text(Text::Pending.get(lang)).done();
    let number_value = el("strong")?.done();
    let number = labelled("amazon-pay-order-number", Text::OrderNumber.get(lang), &number_value)?;
    set_hidden(&number, true);
    let back = el("a")?.attr("href", &options.cart_url).hidden().text(Text::BackToCart.get(lang)).done();
    let root = el("section")?
        .class("amazon-pay-confirmation")
        .child(&el("h2")?.text(Text::StatusTitle.get(lang)).done())
        .child(&state)
        .child(&number)
        .child(&back)
        .done();
    crate::dom_calls::append(parent, &root);
    let view = Rc::new(Confirmation { lang, root: root.clone(), state, number, number_value, back });
    wasm_bindgen_futures::spawn_local(follow(Rc::downgrade(&view), options));
    Ok(Mounted::new(root, Box::new(view)))
}

/// Reads the order's status, backing off, until it is settled or the deadline passes. Holds the view only
/// between two waits, so an unmounted page stops it.
async fn follow(view: Weak<Confirmation>, options: ConfirmationOptions) {
    let lang = options.language;
    let Ok(Some(order_id)) = page::order_param(&page::current_search()) else {
        if let Some(view) = view.upgrade() {
            view.stop(Text::UnknownOrder, true);
        }
        return;
    };
    let started = js_sys::Date::now();
    let first_wait = u32::try_from(options.poll_interval.as_millis()).unwrap_or(u32::MAX);
    let mut wait = first_wait;
    let mut announced = None;
    let mut shown = None;
    let mut then = Next::Follow;
    loop {
        let answer = options.client.order_status(&order_id, lang).await;
        let Some(page) = view.upgrade() else { return };
        match answer {
            Ok(status) => {
                // Only a change is written: the live region announces what it is given, every time.
                if shown != Some((status.state, status.payment)) {
                    shown = Some((status.state, status.payment));
                    page.show(&status);
                }
                if announced != Some(status.state) {
                    announced = Some(status.state);
                    if let Some(event) = event_for(&status, lang).filter(|_| first_in_tab(&order_id, status.state)) {
                        emit(&page.root, event);
                    }
                }
                then = next(&status);
                if then == Next::Stop {
                    return;
                }
            }
            Err(err) if err.api_error().map(|e| e.code) == Some(ErrorCode::NotFound) => {
                page.stop(Text::UnknownOrder, true);
                return;
            }
            Err(err) => web_sys::console::warn_1(&["Amazon Pay confirmation: ", &err.to_string(), "; retrying"].concat().into()),
        }
        if js_sys::Date::now() - started > options.deadline.as_millis() as f64 {
            if then == Next::Follow {
                page.stop(past_deadline(announced), false);
            }
            return;
        }
        drop(page);
        sleep(wait).await;
        wait = wait.saturating_mul(3) / 2;
        wait = wait.min(first_wait.saturating_mul(4));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amazon_pay_contract::Money;

    fn status(state: OrderState) -> OrderStatus {
        OrderStatus { order_id: "O1".into(), state, amount: Money::eur(100), message: None, decline: None, settled: false, payment: None }
    }

    #[test]
    fn declines_say_why_in_the_buyers_words() {
        let mut declined = status(OrderState::Declined);
        assert_eq!(sentence(&declined, Language::En), ErrorCode::UpstreamError.buyer_message(Language::En));
        declined.decline = Some(ErrorCode::HardDecline);
        assert_eq!(sentence(&declined, Language::De), ErrorCode::HardDecline.buyer_message(Language::De));
        declined.message = Some("Der Server sagt es so.".into());
        assert_eq!(sentence(&declined, Language::De), "Der Server sagt es so.");
        assert_eq!(sentence(&status(OrderState::Redirected), Language::Fr), Text::Pending.get(Language::Fr));
    }

    #[test]
    fn a_later_failure_says_its_reason_in_every_language_and_its_event_carries_it() {
        let mut failed = status(OrderState::Failed);
        // From a server that names no reason: the general sentence.
        assert_eq!(sentence(&failed, Language::En), Text::Failed.get(Language::En));
        for decline in [ErrorCode::SoftDecline, ErrorCode::HardDecline] {
            failed.decline = Some(decline);
            for lang in Language::ALL {
                assert_eq!(sentence(&failed, lang), decline.buyer_message(lang), "{decline:?} in {lang:?}");
                assert_ne!(sentence(&failed, lang), Text::Failed.get(lang));
            }
            let event = event_for(&failed, Language::It);
            assert_eq!(
                event,
                Some(WidgetEvent::Declined { order_id: "O1".into(), code: "failed".into(), message: decline.buyer_message(Language::It).into() })
            );
        }
        // The server's own sentence (in the requested language) comes first, as on the review page.
        failed.message = Some("Der Server sagt es so.".into());
        assert_eq!(sentence(&failed, Language::De), "Der Server sagt es so.");
        assert_eq!(decline_reason(&failed), Some("Der Server sagt es so."));
        assert_eq!(decline_reason(&status(OrderState::Abandoned)), None);
    }

    #[test]
    fn only_an_abandoned_order_is_watched_after_the_server_calls_it_settled() {
        let settled = |state| OrderStatus { settled: true, ..status(state) };
        assert_eq!(next(&settled(OrderState::Abandoned)), Next::Watch);
        assert_eq!(next(&status(OrderState::Abandoned)), Next::Watch);
        for state in [OrderState::Paid, OrderState::Failed, OrderState::Declined, OrderState::Approved, OrderState::UpstreamFailed] {
            assert_eq!(next(&settled(state)), Next::Stop, "{state:?}");
        }
        for state in [OrderState::Pending, OrderState::Placing, OrderState::Redirected, OrderState::Approved] {
            assert_eq!(next(&status(state)), Next::Follow, "{state:?}");
        }
        // An abandoned order the shop has since cancelled is over.
        let cancelled = OrderStatus { payment: Some(BuyerPayment::Cancelled), ..settled(OrderState::Abandoned) };
        assert_eq!(next(&cancelled), Next::Stop);
    }

    #[test]
    fn what_the_shop_did_with_the_money_comes_before_the_providers_state() {
        let mut approved = status(OrderState::Approved);
        assert_eq!(sentence(&approved, Language::En), Text::Approved.get(Language::En));
        approved.payment = Some(BuyerPayment::Cancelled);
        assert_eq!(sentence(&approved, Language::De), Text::OrderCancelled.get(Language::De));
        assert_eq!(event_for(&approved, Language::En), None);
        approved.payment = Some(BuyerPayment::Refunded);
        assert_eq!(sentence(&approved, Language::It), Text::OrderRefunded.get(Language::It));
        assert_eq!(event_for(&approved, Language::En), None);
        approved.payment = Some(BuyerPayment::PartlyRefunded);
        assert_eq!(sentence(&approved, Language::Es), Text::OrderPartlyRefunded.get(Language::Es));
        approved.payment = Some(BuyerPayment::Charged);
        assert_eq!(sentence(&approved, Language::Fr), Text::Paid.get(Language::Fr));
        assert_eq!(event_for(&approved, Language::En), Some(WidgetEvent::Approved { order_id: "O1".into() }));
    }

    #[test]
    fn past_the_deadline_a_redirected_order_promises_no_email() {
        assert_eq!(past_deadline(Some(OrderState::Redirected)), Text::NotConfirmedYet);
        assert_eq!(past_deadline(Some(OrderState::Pending)), Text::TakingLong);
        assert_eq!(past_deadline(None), Text::TakingLong);
    }

    #[test]
    fn each_decided_state_is_announced_once_by_its_event() {
        assert_eq!(event_for(&status(OrderState::Paid), Language::En), Some(WidgetEvent::Paid { order_id: "O1".into() }));
        assert!(
            matches!(event_for(&status(OrderState::Abandoned), Language::En), Some(WidgetEvent::Declined { ref code, .. }) if code == "abandoned")
        );
        assert_eq!(event_for(&status(OrderState::Placing), Language::En), None);
    }
}
