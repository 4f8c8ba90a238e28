//! The PAYONE CV1 checkout (seed 000, "Legacy Process CV1"): `getconfiguration` through the backend, Amazon's
//! button and widgets, the buyer's details (`getorderreferencedetails`), "Place order" that starts
//! `OffAmazonPayments.initConfirmationFlow` first and confirms the order reference inside it, and, back from
//! Amazon on the success URL, the authorization. Declines 980–987 and an abandoned confirmation
//! (`AuthenticationStatus=Abandoned`) are told in words, with the widget the buyer has to use next.

use super::lander::focus;
use super::signin::{self, buyer_message, ButtonStyle};
use super::token::AccessToken;
use super::view::{self, sign_in_view, sign_out_button, status_view, Ctx, Phase, Start};
use super::widgets::{Binder, Flow, WidgetIds};
use crate::client::Client;
use crate::components::common::{format_money, AddressView};
use crate::embed::events::WidgetEvent;
use crate::interop::off_amazon_payments;
use crate::page::{self, query_pairs};
use crate::texts::Text;
use amazon_pay_contract::cv1::{
    AuthorizeRequest, ConfirmRequest, CreateCv1SessionRequest, Cv1Details, Cv1OrderResponse, Cv1Outcome, Cv1Session, NextStep,
    OrderReferenceRequest,
};
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::routes::encode_segment;
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

/// How the PAYONE CV1 checkout is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Cv1Options {
    pub client: Client,
    pub language: Language,
    /// The cart: SKUs and quantities; the server prices them.
    pub items: Vec<CartLine>,
    pub cart_url: String,
    /// Where the buyer goes once the payment is approved or pending (`?order=<id>` appended).
    pub confirmation_url: String,
    pub button: ButtonStyle,
    pub script_timeout: Duration,
}

impl Default for Cv1Options {
    fn default() -> Self {
        Cv1Options {
            client: Client::default(),
            language: Language::default(),
            items: Vec::new(),
            cart_url: "/".into(),
            confirmation_url: "/confirmation.html".into(),
            button: ButtonStyle::default(),
            script_timeout: Duration::from_secs(10),
        }
    }
}

/// How the buyer came back from Amazon's confirmation flow (the backend's return redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnResult {
    Success,
    Abandoned,
    Failed,
}

/// The page's return parameters: `workorderId`, `order`, `result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnParams {
    pub workorder_id: String,
    pub order_id: Option<String>,
    pub result: Option<ReturnResult>,
}

impl ReturnParams {
    /// `None` for a fresh checkout (or malformed ids, which start one too).
    pub fn parse(search: &str) -> Option<ReturnParams> {
        let pairs = query_pairs(search);
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
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

fn with_order(url: &str, order_id: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}order={}", encode_segment(order_id))
}

/// The PAYONE CV1 checkout.
#[component]
pub fn PayoneCv1Checkout(options: Cv1Options) -> impl IntoView {
    let ctx = Ctx::new(options.language);
    let lang = ctx.lang;
    let n = super::next_id();
    let button_id = format!("amazon-pay-cv1-button-{n}");
    let ids = WidgetIds::new(n);
    let next_step = RwSignal::new(None::<NextStep>);
    let session = RwSignal::new(None::<Cv1Session>);
    let details = RwSignal::new(None::<Cv1Details>);
    let idempotency_key = StoredValue::new(page::new_idempotency_key());

    let (start_token, url_error) = signin::start_token();
    if url_error.as_deref() == Some("access_denied") {
        ctx.say(ctx.t(Text::SignInCancelled));
    }
    let returned = ReturnParams::parse(&page::current_search());

    // Start (or resume) the checkout, then authorize, or show the widgets or the button.
    {
        let (options, ids, button_id) = (options.clone(), ids.clone(), button_id.clone());
        leptos::task::spawn_local(async move {
            let loaded = match &returned {
                Some(r) => options.client.cv1_session(&r.workorder_id, lang).await,
                None => options.client.create_cv1_session(&CreateCv1SessionRequest { items: options.items.clone(), language: lang }).await,
            };
            let loaded = match loaded {
                Ok(s) => s,
                Err(err) => return ctx.fail(&err, buyer_message(&err, lang)),
            };
            session.try_set(Some(loaded.clone()));
            ctx.emit(WidgetEvent::Ready { workorder_id: loaded.workorder_id.clone() });
            match returned.as_ref().map(|r| (r.result, r.order_id.clone())) {
                Some((Some(ReturnResult::Success), Some(order_id))) => {
                    ctx.say(ctx.t(Text::Authorizing));
                    let answer = options.client.cv1_authorize(&order_id, &AuthorizeRequest { language: lang }).await;
                    return finish(ctx, answer, &options.confirmation_url, next_step);
                }
                Some((Some(ReturnResult::Abandoned), _)) => ctx.say(ctx.t(Text::Abandoned)),
                Some((Some(ReturnResult::Failed), _)) => ctx.say(ctx.t(Text::MfaFailed)),
                _ => {}
            }
            if let Some(order_id) = &loaded.order_id {
                // This checkout already has its order: show it rather than placing another.
                return page::navigate(&with_order(&options.confirmation_url, order_id));
            }
            let existing = loaded.amazon_order_reference_id.clone();
            let show = Rc::new(move |_: AccessToken| {
                if let Err(err) = Binder::new(&ctx, &ids).bind(Flow::OneTime { existing: existing.clone() }) {
                    ctx.log(&err);
                    ctx.say(ctx.t(Text::WidgetProblem));
                }
            });
            let start = Start { config: loaded.widgets, token: start_token, button_id, style: options.button.clone(), timeout: options.script_timeout, show };
            view::start(ctx, start).await;
        });
    }

    // Read the buyer's details once address and payment are chosen, and again after every address change.
    // A widget that rendered without a selection counts too: PAYONE then says what is missing (an account
    // without an address: 987 here; without a payment method: 986 at the confirmation).
    {
        let client = options.client.clone();
        let address_book = ids.address_book.clone();
        // Only the newest answer counts: an address chosen twice quickly must not show the first one.
        let asked = StoredValue::new(0u32);
        // The sentence of a refused read, taken back once a later read succeeds.
        let refused = StoredValue::new(None::<String>);
        let sel = ctx.selection;
        Effect::new(move |_| {
            let _changes = sel.address_changes.get();
            let address = sel.address_chosen.get() || sel.address_book_ready.get();
            let payment = sel.payment_chosen.get() || sel.wallet_ready.get();
            if !(address && payment) {
                return;
            }
            let (Some(reference), Some(workorder_id), Some(access)) =
                (sel.reference.get(), session.with_untracked(|s| s.as_ref().map(|s| s.workorder_id.clone())), ctx.token())
            else {
                return;
            };
            let (client, address_book) = (client.clone(), address_book.clone());
            asked.update_value(|n| *n += 1);
            let this = asked.get_value();
            leptos::task::spawn_local(async move {
                let request = OrderReferenceRequest { amazon_order_reference_id: reference, access_token: access.secret().to_owned(), language: lang };
                let answer = client.cv1_details(&workorder_id, &request).await;
                if asked.try_get_value() != Some(this) {
                    return;
                }
                match answer {
                    Ok(found) => {
                        details.try_set(Some(found));
                        if let Some(sentence) = refused.try_update_value(Option::take).flatten() {
                            if ctx.notice.get_untracked() == sentence {
                                ctx.say("");
                            }
                        }
                    }
                    Err(err) => {
                        ctx.log(&err);
                        details.try_set(None);
                        let sentence = buyer_message(&err, lang);
                        refused.try_set_value(Some(sentence.clone()));
                        ctx.say(sentence);
                        details_refused(&err, &address_book, next_step);
                    }
                }
            });
        });
    }

    let place_order = {
        let client = options.client.clone();
        let confirmation_url = options.confirmation_url.clone();
        let ids = ids.clone();
        move |_| {
            if ctx.busy.get_untracked() {
                return;
            }
            let (Some(current), Some(access)) = (details.get_untracked(), ctx.token()) else { return };
            ctx.busy.set(true);
            next_step.set(None);
            ctx.say(ctx.t(Text::Placing));
            let reference = current.amazon_order_reference_id.clone();
            let (client, confirmation_url, ids) = (client.clone(), confirmation_url.clone(), ids.clone());
            // PSD2: the confirmation flow first, synchronously in the click; the backend confirms inside it.
            let on_flow = move |flow: off_amazon_payments::ConfirmationFlow| {
                leptos::task::spawn_local(async move {
                    let request = ConfirmRequest {
                        amazon_order_reference_id: current.amazon_order_reference_id.clone(),
                        access_token: access.secret().to_owned(),
                        idempotency_key: idempotency_key.get_value(),
                        return_path: current_path(),
                        language: lang,
                    };
                    let answer = client.cv1_confirm(&current.workorder_id, &request).await;
                    // The flow must hear the answer either way; Amazon only moves on after success().
                    let tell = |success: bool| {
                        if let Err(e) = if success { flow.success() } else { flow.error() } {
                            ctx.log(&e);
                        }
                    };
                    let (order_id, outcome) = match answer {
                        Ok(Cv1OrderResponse { order_id, outcome }) => (order_id, outcome),
                        Err(err) => {
                            tell(false);
                            ctx.log(&err);
                            ctx.emit(WidgetEvent::Error { message: err.to_string() });
                            ctx.say(buyer_message(&err, lang));
                            details_refused(&err, &ids.address_book, next_step);
                            idempotency_key.set_value(page::new_idempotency_key());
                            ctx.busy.try_set(false);
                            return;
                        }
                    };
                    match outcome {
                        Cv1Outcome::Confirmed => {
                            ctx.emit(WidgetEvent::OrderPlaced { order_id });
                            ctx.say(ctx.t(Text::RedirectingToAmazon));
                            // Amazon now runs MFA if needed and returns to the success or error URL.
                            tell(true);
                        }
                        Cv1Outcome::Declined { code, reason, message } => {
                            tell(false);
                            ctx.emit(WidgetEvent::Declined { order_id, code: code.as_str().into(), message: message.clone() });
                            ctx.say(message);
                            let fallback = if code == ErrorCode::SoftDecline { NextStep::ChoosePayment } else { NextStep::PayAnotherWay };
                            let step = reason.map(|r| r.next_step()).unwrap_or(fallback);
                            next_step.try_set(Some(step));
                            match step {
                                NextStep::ChoosePayment => {
                                    if let Err(e) = Binder::new(&ctx, &ids).bind_wallet(Some(current.amazon_order_reference_id.clone())) {
                                        ctx.log(&e);
                                    }
                                    focus(&ids.wallet);
                                }
                                NextStep::ChooseAddress => focus(&ids.address_book),
                                NextStep::StartAgain | NextStep::PayAnotherWay => {
                                    ctx.phase.try_set(Phase::Done);
                                }
                            }
                            idempotency_key.set_value(page::new_idempotency_key());
                            ctx.busy.try_set(false);
                        }
                        Cv1Outcome::AlreadyPlaced | Cv1Outcome::Approved | Cv1Outcome::Pending => {
                            tell(false);
                            page::navigate(&with_order(&confirmation_url, &order_id));
                        }
                    }
                });
            };
            match off_amazon_payments::init_confirmation_flow(&ctx.seller_id(), &reference, on_flow) {
                Ok(handle) => ctx.runtime.update_value(|r| r.confirmation = Some(handle)),
                Err(err) => {
                    ctx.log(&err);
                    ctx.say(ctx.t(Text::WidgetProblem));
                    ctx.busy.set(false);
                }
            }
        }
    };

    let restartable = move || next_step.get() == Some(NextStep::StartAgain);
    let pay_another_way = move || next_step.get() == Some(NextStep::PayAnotherWay);
    view! {
        <section class="amazon-pay-cv1 amazon-pay-cv1-checkout" node_ref=ctx.host aria-labelledby=format!("amazon-pay-cv1-title-{n}")>
            <h2 id=format!("amazon-pay-cv1-title-{n}")>{ctx.t(Text::PayWithAmazon)}</h2>
            {status_view(ctx, options.cart_url.clone(), Text::BackToCart)}
            {sign_in_view(ctx, button_id)}
            <div class="amazon-pay-widgets" hidden=move || ctx.phase.get() != Phase::Active>
                <div id=ids.address_book.clone() class="amazon-pay-address-book" tabindex="-1"></div>
                <div id=ids.wallet.clone() class="amazon-pay-wallet" tabindex="-1"></div>
                {move || details.get().map(|d| view! {
                    <div class="amazon-pay-review-grid">
                        <section>
                            <h3>{ctx.t(Text::Buyer)}</h3>
                            <p><span class="amazon-pay-buyer-name">{d.buyer_name.clone()}</span><br />
                               <span class="amazon-pay-buyer-email">{d.email.clone()}</span></p>
                        </section>
                        <section>
                            <h3>{ctx.t(Text::ShippingAddress)}</h3>
                            <AddressView address=d.shipping_address.clone() />
                        </section>
                    </div>
                    <h3>{ctx.t(Text::Items)}</h3>
                    <ul class="amazon-pay-items">
                        {d.items.iter().map(|line| view! {
                            <li>{format!("{} × {}", line.quantity, line.name)}" "<span class="amazon-pay-price">{format_money(line.unit_price, lang)}</span></li>
                        }).collect_view()}
                    </ul>
                    <p class="amazon-pay-total">{ctx.t(Text::Total)}": "<strong>{format_money(d.amount, lang)}</strong></p>
                })}
                <p class="amazon-pay-hint" hidden=move || details.get().is_some()>{ctx.t(Text::ChooseAddressAndPayment)}</p>
                <div class="amazon-pay-actions">
                    <button type="button" class="amazon-pay-place-order"
                        disabled=move || ctx.busy.get() || details.get().is_none()
                        aria-busy=move || ctx.busy.get().to_string()
                        on:click=place_order>
                        {ctx.t(Text::PlaceOrder)}
                    </button>
                    {sign_out_button(ctx)}
                </div>
            </div>
            <div class="amazon-pay-next-step" hidden=move || !(restartable() || pay_another_way())>
                <p class="amazon-pay-decline-help" hidden=move || !pay_another_way()>{ctx.t(Text::PayAnotherWay)}</p>
                <button type="button" class="amazon-pay-start-again" hidden=move || !restartable() on:click=move |_| signin::restart()>{ctx.t(Text::StartAgain)}</button>
                <span hidden=move || !pay_another_way()>{sign_out_button(ctx)}</span>
                <a class="amazon-pay-back-to-cart" href=options.cart_url.clone()>{ctx.t(Text::BackToCart)}</a>
            </div>
        </section>
    }
}

/// What the buyer does after PAYONE refused to read the order reference (`getorderreferencedetails`): sign in
/// again when the Amazon session is gone; choose an address in the AddressBook after a soft decline, which
/// that call gives only for a missing address (987 ShippingAddressNotSet).
fn details_refused(err: &crate::client::ClientError, address_book: &str, next_step: RwSignal<Option<NextStep>>) {
    match err.api_error().map(|e| e.code) {
        Some(ErrorCode::SessionExpired) => {
            next_step.try_set(Some(NextStep::StartAgain));
        }
        Some(ErrorCode::SoftDecline) => focus(address_book),
        _ => {}
    }
}

/// This page's path: where Amazon's confirmation flow returns (the backend checks it is a path).
fn current_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".into())
}

/// What the authorization led to, back on the success URL.
fn finish(ctx: Ctx, answer: Result<Cv1OrderResponse, crate::client::ClientError>, confirmation_url: &str, next_step: RwSignal<Option<NextStep>>) {
    let (order_id, outcome) = match answer {
        Ok(Cv1OrderResponse { order_id, outcome }) => (order_id, outcome),
        Err(err) => {
            ctx.log(&err);
            ctx.emit(WidgetEvent::Error { message: err.to_string() });
            ctx.say(buyer_message(&err, ctx.lang));
            next_step.try_set(Some(NextStep::StartAgain));
            ctx.phase.try_set(Phase::Done);
            return;
        }
    };
    match outcome {
        Cv1Outcome::Declined { code, reason, message } => {
            ctx.emit(WidgetEvent::Declined { order_id, code: code.as_str().into(), message: message.clone() });
            ctx.say(message);
            // The order reference is confirmed: another card needs a new checkout; a rejection needs another way.
            let step = match reason.map(|r| r.next_step()) {
                Some(NextStep::PayAnotherWay) => NextStep::PayAnotherWay,
                _ => NextStep::StartAgain,
            };
            next_step.try_set(Some(step));
            ctx.phase.try_set(Phase::Done);
        }
        outcome => {
            match outcome {
                Cv1Outcome::Approved => ctx.emit(WidgetEvent::Approved { order_id: order_id.clone() }),
                Cv1Outcome::Pending => ctx.emit(WidgetEvent::Pending { order_id: order_id.clone() }),
                _ => {}
            }
            page::navigate(&with_order(confirmation_url, &order_id));
        }
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
}
