//! An order's page: its items, money, buyer and addresses, the actions, and its timeline. Refreshed every few
//! seconds while open (PAYONE's notifications and webhook deliveries arrive after the actions).

use crate::api::{self, ApiError};
use crate::session::Session;
use crate::{actions, dates, money, timeline};
use amazon_pay_contract::merchant::{Address, Buyer, MerchantOrder, Timeline};
use leptos::prelude::*;
use std::time::Duration;

/// How often an open order is read again.
const REFRESH: Duration = Duration::from_secs(2);

#[component]
pub(crate) fn OrderPage(id: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let order = RwSignal::new(None::<MerchantOrder>);
    let events = RwSignal::new(None::<Timeline>);
    let error = RwSignal::new(None::<String>);
    let encoded = String::from(js_sys::encode_uri_component(&id));
    let reload = Callback::new(move |()| {
        let Some(key) = session.key() else { return };
        let path = format!("/merchant/api/orders/{encoded}");
        leptos::task::spawn_local(async move {
            let shown = api::get::<MerchantOrder>(&key, &path).await;
            let told = api::get::<Timeline>(&key, &format!("{path}/timeline")).await;
            match (shown, told) {
                (Ok(shown), Ok(told)) => {
                    error.set(None);
                    // Only what changed is drawn again.
                    if order.with_untracked(|o| o.as_ref() != Some(&shown)) {
                        order.set(Some(shown));
                    }
                    if events.with_untracked(|t| t.as_ref() != Some(&told)) {
                        events.set(Some(told));
                    }
                }
                (Err(ApiError::InvalidKey), _) | (_, Err(ApiError::InvalidKey)) => session.sign_out(Some(ApiError::InvalidKey.sentence())),
                (Err(err), _) | (_, Err(err)) => error.set(Some(err.sentence())),
            }
        });
    });
    reload.run(());
    if let Ok(handle) = set_interval_with_handle(move || reload.run(()), REFRESH) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <p><a href="#/" class="back">"← All orders"</a></p>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        {move || order.get().map(|o| view! { <OrderDetails order=o/> })}
        // Made once the order is there, not at every refresh: a form being filled in stays as it is.
        <Show when=move || order.with(Option::is_some)>
            <actions::Actions order=order on_done=reload/>
        </Show>
        {move || events.get().map(|t| view! { <timeline::TimelineView timeline=t/> })}
    }
}

#[component]
fn OrderDetails(order: MerchantOrder) -> impl IntoView {
    let currency = order.currency.clone();
    let amount = move |minor: i64| money::format(minor, &currency);
    let a = order.amounts;
    let buyer = order.buyer.clone().unwrap_or(Buyer { first_name: None, last_name: None, email: None });
    let buyer = {
        let b = buyer;
        let name = [b.first_name, b.last_name].into_iter().flatten().collect::<Vec<_>>().join(" ");
        view! {
            <dl class="pairs">
                <dt>"Name"</dt><dd>{if name.is_empty() { "not known yet".to_owned() } else { name }}</dd>
                <dt>"E-mail"</dt><dd>{b.email.unwrap_or_default()}</dd>
            </dl>
        }
    };
    let money_rows: Vec<(&str, String)> = if order.money_carrier().is_some() {
        vec![
            ("Total", amount(a.total)),
            ("Authorized", amount(a.authorized)),
            ("Captured", amount(a.captured)),
            ("Refunded", amount(a.refunded)),
            ("Released", amount(a.released)),
            ("Left to capture", amount(a.remaining)),
            ("Left to refund", amount(a.refundable)),
        ]
    } else {
        vec![("Total", amount(a.total))]
    };
    view! {
        <section class="card">
            <h2>"Order " <span class="mono">{order.id.clone()}</span> " " <span class=format!("state state-{}", order.state)>{order.state.clone()}</span>
                " " {crate::list::payment_badge(&order)}</h2>
            <p class="muted">{format!("{} · placed {} · updated {}", order.flow, dates::format(order.created), dates::format(order.updated))}
                {order.decline.clone().map(|d| format!(" · declined: {d}"))}
                {order.abandon_reason.as_deref().map(|r| format!(" · given up: {}", abandon_reason(r)))}</p>
            <div class="columns">
                <div>
                    <h3>"Items"</h3>
                    <table class="items" aria-label="Items">
                        <thead><tr><th>"Item"</th><th>"SKU"</th><th class="num">"Quantity"</th></tr></thead>
                        <tbody>{order.items.iter().map(|i| view! {
                            <tr><td>{i.name.clone().unwrap_or_default()}</td><td class="mono">{i.sku.clone()}</td><td class="num">{i.quantity}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                    {order.delivery.clone().map(|d| view! { <p class="muted">{format!("Delivery: {d}")}</p> })}
                    <h3>"Amounts"</h3>
                    <table class="amounts" aria-label="Amounts">
                        <tbody>{money_rows.into_iter().map(|(name, value)| view! { <tr><th scope="row">{name}</th><td class="num">{value}</td></tr> }).collect_view()}</tbody>
                    </table>
                </div>
                <div>
                    <h3>"Buyer"</h3>
                    {buyer}
                    <h3>"Billing address"</h3>
                    {address(order.billing_address.clone(), &order.provider)}
                    <h3>"Shipping address"</h3>
                    {address(order.shipping_address.clone(), &order.provider)}
                </div>
            </div>
        </section>
    }
}

fn address(address: Option<Address>, provider: &str) -> impl IntoView {
    // Who tells it: PAYONE's notification, or (Amazon Pay direct) Amazon's checkout session when the order is placed.
    let teller = if provider == "amazon" { "Amazon's checkout session brings it" } else { "PAYONE's notification brings it" };
    match address {
        None => view! { <p class="muted">{format!("Not known ({teller}).")}</p> }.into_any(),
        Some(a) => {
            let name = [a.first_name, a.last_name].into_iter().flatten().collect::<Vec<_>>().join(" ");
            let city = [a.zip, a.city].into_iter().flatten().collect::<Vec<_>>().join(" ");
            let lines: Vec<String> =
                [Some(name), a.company, a.street, a.addition, Some(city), a.country].into_iter().flatten().filter(|l| !l.is_empty()).collect();
            view! { <address>{lines.into_iter().map(|l| view! { <span class="line">{l}</span> }).collect_view()}</address> }.into_any()
        }
    }
}

/// Why the server gave an order up, in words (`MerchantOrder::abandon_reason`).
fn abandon_reason(reason: &str) -> String {
    match reason {
        "placement_cut_off" => "the placement was cut off and no payment notification came, so nothing was charged".to_owned(),
        "buyer_did_not_return" => "the buyer did not come back from Amazon's pages".to_owned(),
        "buyer_returned_error" => "the buyer came back through PAYONE's error URL (declined on Amazon's page, or authentication failed)".to_owned(),
        "buyer_cancelled" => "the buyer cancelled on Amazon's pages".to_owned(),
        "authentication_abandoned" => "the buyer left Amazon's multi-factor authentication".to_owned(),
        "replaced" => "the buyer placed a new order in the same tab".to_owned(),
        "session_expired" => "Amazon's checkout session expired before the buyer finished".to_owned(),
        "amazon_cancelled" => "Amazon cancelled the checkout session".to_owned(),
        other => other.to_owned(),
    }
}
