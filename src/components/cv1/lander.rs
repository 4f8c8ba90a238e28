//! The CheckoutChamp lander (seed 002): Amazon's button, sign-in, AddressBook and Wallet (and, recurring, the
//! Consent widget) in the widget's own elements, then Import Order through the backend.
//!
//! "Place order" is enabled only once an address and a payment method are chosen (recurring: and the buyer
//! consented). A declined payment method (`InvalidPaymentMethod`) is told in words with what to do, and the
//! Wallet is shown again. After the order the buyer goes on to the upsell page, if there is one.

use super::signin::{self, buyer_message, ButtonStyle};
use super::token::AccessToken;
use super::view::{self, sign_in_view, sign_out_button, status_view, Ctx, Phase, Start};
use super::widgets::{Binder, Flow, WidgetIds};
use crate::client::Client;
use crate::components::common::format_money;
use crate::embed::events::WidgetEvent;
use crate::page;
use crate::texts::Text;
use amazon_pay_contract::checkoutchamp::{CampaignLine, CrmOrderStatus, ImportOrderRequest, ImportOrderResponse};
use amazon_pay_contract::routes::encode_segment;
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

/// How the lander is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct LanderOptions {
    pub client: Client,
    pub language: Language,
    /// CheckoutChamp campaign products and quantities; CheckoutChamp prices them.
    pub products: Vec<CampaignLine>,
    /// A subscription: billing agreement, Consent widget, and its id sent as `amazonOrderId`.
    pub recurring: bool,
    /// Where the buyer goes after the order (`orderId` and `amazonOrderId` are appended); none: stay here.
    pub upsell_url: Option<String>,
    pub button: ButtonStyle,
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
            script_timeout: Duration::from_secs(10),
        }
    }
}

/// `url` with the order's ids appended, for the upsell page.
fn upsell_link(url: &str, order_id: &str, amazon_order_id: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}orderId={}&amazonOrderId={}", encode_segment(order_id), encode_segment(amazon_order_id))
}

/// Moves keyboard focus to the element with `id` (the widget to look at again).
pub(super) fn focus(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = element.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
        let _ = el.focus();
    }
}

/// An order as CheckoutChamp priced it: number, lines, total.
pub(super) fn order_view(ctx: Ctx, order: ImportOrderResponse) -> impl IntoView {
    let lang = ctx.lang;
    view! {
        <div class="amazon-pay-done">
            <p class="amazon-pay-order-number">{ctx.t(Text::OrderNumber)}": "<strong>{order.order_id.clone()}</strong></p>
            <ul class="amazon-pay-items">
                {order.items.iter().map(|line| view! {
                    <li>{format!("{} × {}", line.quantity, line.name)}" "<span class="amazon-pay-price">{format_money(line.price, lang)}</span></li>
                }).collect_view()}
            </ul>
            <p class="amazon-pay-total">{ctx.t(Text::Total)}": "<strong>{format_money(order.total, lang)}</strong></p>
        </div>
    }
}

/// The CheckoutChamp lander, one-time or recurring.
#[component]
pub fn CheckoutChampLander(options: LanderOptions) -> impl IntoView {
    let ctx = Ctx::new(options.language);
    let n = super::next_id();
    let button_id = format!("amazon-pay-lander-button-{n}");
    let ids = WidgetIds::new(n);
    let recurring = options.recurring;
    let decline = RwSignal::new(None::<ErrorCode>);
    let order = RwSignal::new(None::<ImportOrderResponse>);
    let idempotency_key = StoredValue::new(page::new_idempotency_key());

    // Taken out of the address bar now, before anything else can read or log the address.
    let (start_token, url_error) = signin::start_token();
    if url_error.as_deref() == Some("access_denied") {
        ctx.say(ctx.t(Text::SignInCancelled));
    }

    {
        let (options, ids, button_id) = (options.clone(), ids.clone(), button_id.clone());
        leptos::task::spawn_local(async move {
            let config = match options.client.cv1_widgets().await {
                Ok(c) => c,
                Err(err) => return ctx.fail(&err, buyer_message(&err, ctx.lang)),
            };
            let show = Rc::new(move |_: AccessToken| {
                let flow = if recurring { Flow::Recurring } else { Flow::OneTime { existing: None } };
                if let Err(err) = Binder::new(&ctx, &ids).bind(flow) {
                    ctx.log(&err);
                    ctx.say(ctx.t(Text::WidgetProblem));
                }
            });
            let start = Start { config, token: start_token, button_id, style: options.button.clone(), timeout: options.script_timeout, show };
            view::start(ctx, start).await;
        });
    }

    let place_order = {
        let (options, ids) = (options.clone(), ids.clone());
        move |_| {
            if ctx.busy.get_untracked() || !ctx.selection.complete(recurring) {
                return;
            }
            let (Some(access), Some(amazon_order_id)) = (ctx.token(), ctx.selection.reference.get_untracked()) else { return };
            ctx.busy.set(true);
            decline.set(None);
            ctx.say(ctx.t(Text::Placing));
            let (options, ids) = (options.clone(), ids.clone());
            leptos::task::spawn_local(async move {
                let request = ImportOrderRequest {
                    access_token: access.secret().to_owned(),
                    amazon_order_id: amazon_order_id.clone(),
                    items: options.products.clone(),
                    recurring,
                    idempotency_key: idempotency_key.get_value(),
                    language: ctx.lang,
                };
                match options.client.import_checkoutchamp_order(&request).await {
                    Ok(placed) => {
                        let id = placed.order_id.clone();
                        ctx.emit(WidgetEvent::OrderPlaced { order_id: id.clone() });
                        let pending = placed.status == CrmOrderStatus::Pending;
                        ctx.emit(if pending { WidgetEvent::Pending { order_id: id.clone() } } else { WidgetEvent::Approved { order_id: id.clone() } });
                        ctx.say(ctx.t(if pending { Text::CrmPending } else { Text::Approved }));
                        order.try_set(Some(placed));
                        ctx.phase.try_set(Phase::Done);
                        if let Some(url) = &options.upsell_url {
                            page::navigate(&upsell_link(url, &id, &amazon_order_id));
                        }
                    }
                    Err(err) => {
                        ctx.log(&err);
                        let code = err.api_error().map(|e| e.code);
                        let message = buyer_message(&err, ctx.lang);
                        ctx.emit(match code {
                            Some(c @ (ErrorCode::SoftDecline | ErrorCode::HardDecline)) => {
                                WidgetEvent::Declined { order_id: String::new(), code: c.as_str().into(), message: message.clone() }
                            }
                            _ => WidgetEvent::Error { message: err.to_string() },
                        });
                        decline.try_set(code);
                        ctx.say(message);
                        // Another attempt is another intent.
                        idempotency_key.set_value(page::new_idempotency_key());
                        match code {
                            Some(ErrorCode::SoftDecline) => {
                                // The Wallet again, so the buyer can pick another payment method.
                                if let Err(e) = Binder::new(&ctx, &ids).bind_wallet(Some(amazon_order_id)) {
                                    ctx.log(&e);
                                }
                                focus(&ids.wallet);
                            }
                            Some(ErrorCode::ConsentRequired) => {
                                ctx.selection.consent.try_set(Some(false));
                                focus(&ids.consent);
                            }
                            _ => {}
                        }
                        ctx.busy.try_set(false);
                    }
                }
            });
        }
    };

    let sel = ctx.selection;
    let complete = move || sel.complete(recurring);
    let hint = move || {
        if recurring && sel.address_chosen.get() && sel.payment_chosen.get() { ctx.t(Text::ConsentNeeded) } else { ctx.t(Text::ChooseAddressAndPayment) }
    };
    view! {
        <section class="amazon-pay-cv1 amazon-pay-lander" node_ref=ctx.host aria-labelledby=format!("amazon-pay-lander-title-{n}")>
            <h2 id=format!("amazon-pay-lander-title-{n}")>{ctx.t(Text::PayWithAmazon)}</h2>
            {status_view(ctx, "/".into(), Text::BackToCart)}
            {move || order.get().map(|o| order_view(ctx, o))}
            {sign_in_view(ctx, button_id)}
            <div class="amazon-pay-widgets" hidden=move || ctx.phase.get() != Phase::Active>
                <div id=ids.address_book.clone() class="amazon-pay-address-book"></div>
                <div id=ids.wallet.clone() class="amazon-pay-wallet" tabindex="-1"></div>
                <div id=ids.consent.clone() class="amazon-pay-consent" tabindex="-1" hidden=!recurring></div>
                <p class="amazon-pay-hint" hidden=complete>{hint}</p>
                <p class="amazon-pay-decline-help" hidden=move || decline.get() != Some(ErrorCode::SoftDecline)>{ctx.t(Text::CheckAmazonWallet)}</p>
                <p class="amazon-pay-decline-help" hidden=move || decline.get() != Some(ErrorCode::HardDecline)>{ctx.t(Text::PayAnotherWay)}</p>
                <div class="amazon-pay-actions">
                    <button type="button" class="amazon-pay-place-order"
                        hidden=move || decline.get() == Some(ErrorCode::HardDecline)
                        disabled=move || ctx.busy.get() || !complete()
                        aria-busy=move || ctx.busy.get().to_string()
                        on:click=place_order>
                        {ctx.t(Text::PlaceOrder)}
                    </button>
                    {sign_out_button(ctx)}
                </div>
            </div>
        </section>
    }
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
