//! The CheckoutChamp upsell page: repeats Amazon's widgets (read-only, on the order's own order reference or
//! billing agreement, so the buyer sees what pays) and sends Import Upsale through the backend.
//!
//! The page reads `orderId` (CheckoutChamp's) and `amazonOrderId` from its address, as the lander links it.
//! The buyer's token comes from the lander's sign-in in this tab; without it, Amazon's button signs in again.

use super::lander::{focus, order_view};
use super::signin::{self, buyer_message, ButtonStyle};
use super::token::AccessToken;
use super::view::{self, sign_in_view, status_view, Ctx, Phase, Start};
use super::widgets::{Binder, Flow, WidgetIds};
use crate::client::Client;
use crate::embed::events::WidgetEvent;
use crate::page::{self, query_pairs};
use crate::texts::Text;
use amazon_pay_contract::checkoutchamp::{CampaignLine, ImportOrderResponse, ImportUpsaleRequest};
use amazon_pay_contract::Language;
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

/// How the upsell page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsellOptions {
    pub client: Client,
    pub language: Language,
    /// The campaign product offered, and how many; CheckoutChamp prices it.
    pub product: CampaignLine,
    /// Where "No, thanks" and "Continue" lead (the next page of the funnel).
    pub thank_you_url: String,
    pub button: ButtonStyle,
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
            script_timeout: Duration::from_secs(10),
        }
    }
}

/// The ids the lander put in the address: CheckoutChamp's order and Amazon's order reference (both checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsellParams {
    pub order_id: String,
    pub amazon_order_id: Option<String>,
}

/// `S02-1234567-1234567` or `B02-…`, as the widgets give them.
fn is_amazon_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 3
        && parts[0].as_bytes()[0].is_ascii_uppercase()
        && parts[0][1..].bytes().all(|b| b.is_ascii_digit())
        && parts[1..].iter().all(|p| p.len() == 7 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl UpsellParams {
    /// `None` without a well-formed `orderId`; a malformed `amazonOrderId` is left out.
    pub fn parse(search: &str) -> Option<UpsellParams> {
        let pairs = query_pairs(search);
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let order_id = get("orderId").filter(|id| page::is_id(id))?;
        Some(UpsellParams { order_id, amazon_order_id: get("amazonOrderId").filter(|id| is_amazon_id(id)) })
    }
}

/// The upsell page's offer.
#[component]
pub fn CheckoutChampUpsell(options: UpsellOptions) -> impl IntoView {
    let ctx = Ctx::new(options.language);
    let n = super::next_id();
    let button_id = format!("amazon-pay-upsell-button-{n}");
    let ids = WidgetIds::new(n);
    let order = RwSignal::new(None::<ImportOrderResponse>);
    let idempotency_key = StoredValue::new(page::new_idempotency_key());

    let (start_token, _) = signin::start_token();
    let params = UpsellParams::parse(&page::current_search());

    {
        let (options, params, ids, button_id) = (options.clone(), params.clone(), ids.clone(), button_id.clone());
        leptos::task::spawn_local(async move {
            let Some(amazon_order_id) = params.map(|p| p.amazon_order_id) else {
                let cause = "no valid orderId in the address";
                return ctx.fail(&cause, ctx.t(Text::MissingOrder).into());
            };
            let config = match options.client.cv1_widgets().await {
                Ok(c) => c,
                Err(err) => return ctx.fail(&err, buyer_message(&err, ctx.lang)),
            };
            // The order's own reference, read-only: the buyer sees what pays for the upsell.
            let show = Rc::new(move |_: AccessToken| {
                if let Some(id) = amazon_order_id.clone() {
                    if let Err(err) = Binder::new(&ctx, &ids).bind(Flow::Read { id }) {
                        ctx.log(&err);
                    }
                }
            });
            let start = Start { config, token: start_token, button_id, style: options.button.clone(), timeout: options.script_timeout, show };
            view::start(ctx, start).await;
        });
    }

    let add = {
        let options = options.clone();
        let params = params.clone();
        move |_| {
            if ctx.busy.get_untracked() {
                return;
            }
            let (Some(access), Some(params)) = (ctx.token(), params.clone()) else { return };
            ctx.busy.set(true);
            ctx.say(ctx.t(Text::UpsellAdding));
            let options = options.clone();
            leptos::task::spawn_local(async move {
                let request = ImportUpsaleRequest {
                    access_token: access.secret().to_owned(),
                    order_id: params.order_id.clone(),
                    product_id: options.product.product_id,
                    quantity: options.product.quantity,
                    idempotency_key: idempotency_key.get_value(),
                    language: ctx.lang,
                };
                match options.client.import_checkoutchamp_upsale(&request).await {
                    Ok(updated) => {
                        ctx.emit(WidgetEvent::UpsellAdded { order_id: updated.order_id.clone() });
                        ctx.say(ctx.t(Text::UpsellAdded));
                        order.try_set(Some(updated));
                        ctx.phase.try_set(Phase::Done);
                        focus(&format!("amazon-pay-upsell-continue-{n}"));
                    }
                    Err(err) => {
                        ctx.log(&err);
                        ctx.emit(WidgetEvent::Error { message: err.to_string() });
                        ctx.say(buyer_message(&err, ctx.lang));
                        idempotency_key.set_value(page::new_idempotency_key());
                        ctx.busy.try_set(false);
                    }
                }
            });
        }
    };

    let continue_url = options.thank_you_url.clone();
    view! {
        <section class="amazon-pay-cv1 amazon-pay-upsell" node_ref=ctx.host>
            {status_view(ctx, options.thank_you_url.clone(), Text::Continue)}
            {move || order.get().map(|o| view! {
                {order_view(ctx, o)}
                <a id=format!("amazon-pay-upsell-continue-{n}") class="amazon-pay-continue" href=continue_url.clone()>{ctx.t(Text::Continue)}</a>
            })}
            {sign_in_view(ctx, button_id)}
            <div class="amazon-pay-offer" hidden=move || ctx.phase.get() != Phase::Active>
                <p>{ctx.t(Text::UpsellChargedTo)}</p>
                <div id=ids.address_book.clone() class="amazon-pay-address-book"></div>
                <div id=ids.wallet.clone() class="amazon-pay-wallet"></div>
                <div class="amazon-pay-actions">
                    <button type="button" class="amazon-pay-upsell-add" disabled=move || ctx.busy.get() aria-busy=move || ctx.busy.get().to_string() on:click=add>
                        {ctx.t(Text::UpsellAdd)}
                    </button>
                    <a class="amazon-pay-upsell-decline" href=options.thank_you_url.clone()>{ctx.t(Text::UpsellNoThanks)}</a>
                </div>
            </div>
        </section>
    }
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
}
